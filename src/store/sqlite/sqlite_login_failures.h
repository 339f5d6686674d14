#pragma once
// The SQLite side of the failed sign-ins (CatalogStore::add_login_failure and friends): one
// table, login_failures(key, at), indexed by (key, at) so a key's window is one range read.
// Functions of one connection; the caller holds it.
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite/sqlite_db.h"

namespace openem::sqlite_login_failures {

std::string ddl();
void add(SqliteDb& db, std::string_view key, double at);
std::vector<double> since(SqliteDb& db, std::string_view key, double since, int limit);
void clear(SqliteDb& db, std::string_view key);
void forget(SqliteDb& db, double before);

}  // namespace openem::sqlite_login_failures

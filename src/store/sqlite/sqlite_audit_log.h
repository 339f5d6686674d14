#pragma once
// The SQLite side of the audit log (store/audit_event.h) for SqliteCatalogStore: one table,
//   audit_log(seq INTEGER PRIMARY KEY, time, event, user, actor, remote, detail JSON)
// with indexes by (event, seq) and (user, seq) so an admin's filtered read is a walk from the
// newest entry. Functions of one connection; the caller holds it.
#include <string>
#include <vector>

#include "store/audit_event.h"
#include "store/sqlite/sqlite_db.h"

namespace openem::sqlite_audit_log {

std::string ddl();
void append(SqliteDb& db, const AuditEvent& event);
std::vector<AuditEvent> events(SqliteDb& db, const AuditQuery& query);

}  // namespace openem::sqlite_audit_log

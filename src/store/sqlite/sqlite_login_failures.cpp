#include "store/sqlite/sqlite_login_failures.h"

namespace openem::sqlite_login_failures {

std::string ddl() {
  return "CREATE TABLE IF NOT EXISTS login_failures (key TEXT NOT NULL, at REAL NOT NULL);"
         "CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures (key, at);";
}

void add(SqliteDb& db, std::string_view key, double at) {
  auto st = db.prepare("INSERT INTO login_failures (key, at) VALUES (?, ?)");
  st.bind_all({std::string(key), at});
  st.run();
}

std::vector<double> since(SqliteDb& db, std::string_view key, double since, int limit) {
  auto st = db.prepare("SELECT at FROM login_failures WHERE key = ? AND at >= ? ORDER BY at DESC LIMIT ?");
  st.bind_all({std::string(key), since, std::int64_t{limit}});
  std::vector<double> out;
  while (st.step()) out.push_back(st.real(0));
  return out;
}

void clear(SqliteDb& db, std::string_view key) {
  auto st = db.prepare("DELETE FROM login_failures WHERE key = ?");
  st.bind(1, std::string(key));
  st.run();
}

void forget(SqliteDb& db, double before) {
  auto st = db.prepare("DELETE FROM login_failures WHERE at < ?");
  st.bind(1, before);
  st.run();
}

}  // namespace openem::sqlite_login_failures

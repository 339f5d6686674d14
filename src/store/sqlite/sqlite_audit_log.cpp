#include "store/sqlite/sqlite_audit_log.h"

namespace openem::sqlite_audit_log {
namespace json = boost::json;

std::string ddl() {
  return "CREATE TABLE IF NOT EXISTS audit_log (seq INTEGER PRIMARY KEY, time TEXT NOT NULL, event TEXT NOT NULL, "
         "user TEXT NOT NULL, actor TEXT NOT NULL, remote TEXT NOT NULL, detail TEXT NOT NULL);"
         "CREATE INDEX IF NOT EXISTS audit_log_event ON audit_log (event, seq);"
         "CREATE INDEX IF NOT EXISTS audit_log_user ON audit_log (user, seq);";
}

void append(SqliteDb& db, const AuditEvent& e) {
  auto st = db.prepare("INSERT INTO audit_log (time, event, user, actor, remote, detail) VALUES (?, ?, ?, ?, ?, ?)");
  st.bind_text(1, e.time).bind_text(2, e.event).bind_text(3, e.user).bind_text(4, e.actor).bind_text(5, e.remote);
  st.bind_text(6, json::serialize(e.detail));
  st.run();
}

std::vector<AuditEvent> events(SqliteDb& db, const AuditQuery& q) {
  std::string sql = "SELECT seq, time, event, user, actor, remote, detail FROM audit_log WHERE 1 = 1";
  std::vector<std::string> texts;
  if (!q.event.empty()) {
    sql += " AND event = ?";
    texts.push_back(q.event);
  }
  if (!q.user.empty()) {
    sql += " AND user = ?";
    texts.push_back(q.user);
  }
  if (q.before > 0) sql += " AND seq < ?";
  sql += " ORDER BY seq DESC LIMIT ?";
  auto st = db.prepare(sql);
  int i = 1;
  for (const auto& t : texts) st.bind_text(i++, t);
  if (q.before > 0) st.bind_int(i++, q.before);
  st.bind_int(i, q.limit);
  std::vector<AuditEvent> out;
  while (st.step()) {
    AuditEvent e;
    e.seq = st.int64(0);
    e.time = std::string(st.text(1));
    e.event = std::string(st.text(2));
    e.user = std::string(st.text(3));
    e.actor = std::string(st.text(4));
    e.remote = std::string(st.text(5));
    boost::system::error_code ec;
    json::value detail = json::parse(st.text(6), ec);
    if (!ec && detail.is_object()) e.detail = std::move(detail.get_object());
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace openem::sqlite_audit_log

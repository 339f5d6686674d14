#include "store/sqlite/sqlite_history.h"

namespace openem::sqlite_history {
namespace {

// "FROM history h WHERE ..." for the query, its parameters appended to `params`.
std::string from_where(const HistoryQuery& q, const sqlite_sql::SqlFragment* readable, bool readable_needs_doc,
                       std::vector<SqlParam>& params) {
  std::string sql = history_filters_sql(q, params);
  if (readable) {
    // The document as it is now: a record of a document the reader may not read, or of one
    // that no longer exists, is not there for this reader.
    const std::string& t = q.schema->table;
    sql += " AND EXISTS (SELECT 1 FROM " + t + " t" +
           (readable_needs_doc ? " JOIN " + t + "_doc d ON d.seq = t.seq" : std::string()) +
           " WHERE t.id = h.document_id AND (" + readable->sql + "))";
    params.insert(params.end(), readable->params.begin(), readable->params.end());
  }
  return sql;
}

}  // namespace

std::string ddl() {
  return "CREATE TABLE IF NOT EXISTS history (seq INTEGER PRIMARY KEY, subsystem TEXT NOT NULL, "
         "document_id TEXT NOT NULL, operation TEXT NOT NULL, time TEXT NOT NULL, username TEXT NOT NULL, "
         "before TEXT NOT NULL, after TEXT NOT NULL);"
         "CREATE INDEX IF NOT EXISTS history_document ON history (subsystem, document_id, seq);";
}

void append(SqliteDb& db, const HistoryRecord& r) {
  auto st = db.prepare(
      "INSERT INTO history (subsystem, document_id, operation, time, username, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)");
  st.bind_text(1, r.subsystem).bind_text(2, r.document_id).bind_text(3, r.operation).bind_text(4, r.timestamp);
  st.bind_text(5, r.user).bind_text(6, r.before).bind_text(7, r.after);
  st.run();
}

std::string stored_text(SqliteDb& db, const CollectionSchema& schema, std::int64_t seq) {
  auto st = db.prepare("SELECT doc FROM " + schema.table + "_doc WHERE seq = ?");
  st.bind_int(1, seq);
  return st.step() ? std::string(st.text(0)) : std::string();
}

std::vector<HistoryRecord> records(SqliteDb& db, const HistoryQuery& q, const sqlite_sql::SqlFragment* readable,
                                   bool readable_needs_doc) {
  std::vector<SqlParam> params;
  std::string sql = "SELECT h.seq, h.subsystem, h.document_id, h.operation, h.time, h.username, h.before, h.after" +
                    from_where(q, readable, readable_needs_doc, params) + " ORDER BY h.seq DESC LIMIT ? OFFSET ?";
  params.emplace_back(q.limit);
  params.emplace_back(q.skip);
  auto st = db.prepare(sql);
  st.bind_all(params);
  std::vector<HistoryRecord> out;
  while (st.step()) {
    HistoryRecord r;
    r.seq = st.int64(0);
    r.subsystem = std::string(st.text(1));
    r.document_id = std::string(st.text(2));
    r.operation = std::string(st.text(3));
    r.timestamp = std::string(st.text(4));
    r.user = std::string(st.text(5));
    r.before = std::string(st.text(6));
    r.after = std::string(st.text(7));
    out.push_back(std::move(r));
  }
  return out;
}

std::int64_t count(SqliteDb& db, const HistoryQuery& q, const sqlite_sql::SqlFragment* readable,
                   bool readable_needs_doc) {
  std::vector<SqlParam> params;
  auto st = db.prepare("SELECT COUNT(*)" + from_where(q, readable, readable_needs_doc, params));
  st.bind_all(params);
  st.step();
  return st.int64(0);
}

}  // namespace openem::sqlite_history

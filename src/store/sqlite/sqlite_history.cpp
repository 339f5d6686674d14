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

namespace {
HistoryRecord record_at(Statement& st) {
  HistoryRecord r;
  r.seq = st.int64(0);
  r.subsystem = std::string(st.text(1));
  r.document_id = std::string(st.text(2));
  r.operation = std::string(st.text(3));
  r.timestamp = std::string(st.text(4));
  r.user = std::string(st.text(5));
  r.before = std::string(st.text(6));
  r.after = std::string(st.text(7));
  return r;
}
constexpr const char* kColumns = "SELECT h.seq, h.subsystem, h.document_id, h.operation, h.time, h.username, h.before, h.after";
}  // namespace

std::vector<HistoryRecord> records(SqliteDb& db, const HistoryQuery& q, const sqlite_sql::SqlFragment* readable,
                                   bool readable_needs_doc) {
  std::vector<SqlParam> params;
  std::string sql = kColumns + from_where(q, readable, readable_needs_doc, params) + " ORDER BY h.seq DESC LIMIT ? OFFSET ?";
  params.emplace_back(q.limit);
  params.emplace_back(q.skip);
  auto st = db.prepare(sql);
  st.bind_all(params);
  std::vector<HistoryRecord> out;
  while (st.step()) out.push_back(record_at(st));
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

HistoryFeedPage feed(SqliteDb& db, const HistoryFeedQuery& q, const std::vector<CompiledFeedRule<SqlParam>>& rules) {
  std::vector<SqlParam> params;
  auto st = db.prepare(history_feed_sql(q, rules, params));
  st.bind_all(params);
  HistoryFeedPage page;
  page.scanned_to = q.up_to_seq;
  std::int64_t rows = 0, last = q.after_seq;
  while (st.step()) {
    HistoryRecord r = record_at(st);
    ++rows;
    last = r.seq;
    std::optional<std::string> judged_by;
    if (!st.is_null(8)) judged_by = std::string(st.text(8));
    if (history_feed_keeps(q, r, judged_by)) page.records.push_back(std::move(r));
  }
  if (rows >= q.limit) page.scanned_to = last;  // a full page: more may follow
  return page;
}

std::int64_t latest_seq(SqliteDb& db) {
  auto st = db.prepare("SELECT COALESCE(MAX(seq), 0) FROM history");
  st.step();
  return st.int64(0);
}

}  // namespace openem::sqlite_history

#include "store/postgres/pg_history.h"

#include <boost/json.hpp>

namespace openem::pg_history {
namespace {

std::string from_where(const HistoryQuery& q, const pg_sql::SqlFragment* readable, std::vector<FieldValue>& params) {
  std::string sql = history_filters_sql(q, params);
  if (readable) {  // the document as it is now (see sqlite_history.cpp)
    sql += " AND EXISTS (SELECT 1 FROM " + q.schema->table + " t WHERE t.id = h.document_id AND (" + readable->sql + "))";
    params.insert(params.end(), readable->params.begin(), readable->params.end());
  }
  return sql;
}

}  // namespace

std::string ddl() {
  return "CREATE TABLE IF NOT EXISTS history (seq BIGSERIAL PRIMARY KEY, subsystem TEXT COLLATE \"C\" NOT NULL, "
         "document_id TEXT COLLATE \"C\" NOT NULL, operation TEXT NOT NULL, time TEXT NOT NULL, "
         "username TEXT COLLATE \"C\" NOT NULL, before TEXT NOT NULL, after TEXT NOT NULL);"
         "CREATE INDEX IF NOT EXISTS history_document ON history (subsystem, document_id, seq);";
}

// The records travel as one JSON array of 7-string arrays; seq follows their order.
const std::string kAppendRecords =
    "WITH appended AS (INSERT INTO history (subsystem, document_id, operation, time, username, before, after) "
    "SELECT r->>0, r->>1, r->>2, r->>3, r->>4, r->>5, r->>6 FROM jsonb_array_elements(?::jsonb) WITH ORDINALITY AS x(r, n) "
    "ORDER BY n) ";

std::string records_param(const std::vector<HistoryRecord>& records) {
  boost::json::array all;
  all.reserve(records.size());
  for (const auto& r : records)
    all.push_back(boost::json::array{r.subsystem, r.document_id, r.operation, r.timestamp, r.user, r.before, r.after});
  return boost::json::serialize(all);
}

namespace {
constexpr const char* kColumns = "SELECT h.seq, h.subsystem, h.document_id, h.operation, h.time, h.username, h.before, h.after";
HistoryRecord record_at(const PgResult& r, int i) {
  HistoryRecord h;
  h.seq = r.int64(i, 0);
  h.subsystem = std::string(r.text(i, 1));
  h.document_id = std::string(r.text(i, 2));
  h.operation = std::string(r.text(i, 3));
  h.timestamp = std::string(r.text(i, 4));
  h.user = std::string(r.text(i, 5));
  h.before = std::string(r.text(i, 6));
  h.after = std::string(r.text(i, 7));
  return h;
}
}  // namespace

std::vector<HistoryRecord> records(PgConnection& db, const HistoryQuery& q, const pg_sql::SqlFragment* readable) {
  std::vector<FieldValue> params;
  std::string sql = kColumns + from_where(q, readable, params) + " ORDER BY h.seq DESC LIMIT ? OFFSET ?";
  params.emplace_back(q.limit);
  params.emplace_back(q.skip);
  auto r = db.exec(sql, params);
  std::vector<HistoryRecord> out;
  for (int i = 0; i < r.rows(); ++i) out.push_back(record_at(r, i));
  return out;
}

std::int64_t count(PgConnection& db, const HistoryQuery& q, const pg_sql::SqlFragment* readable) {
  std::vector<FieldValue> params;
  return db.exec("SELECT COUNT(*)" + from_where(q, readable, params), params).int64(0, 0);
}

HistoryFeedPage feed(PgConnection& db, const HistoryFeedQuery& q, const std::vector<CompiledFeedRule<FieldValue>>& rules) {
  std::vector<FieldValue> params;
  auto r = db.exec(history_feed_sql(q, rules, params), params);
  HistoryFeedPage page;
  page.scanned_to = r.rows() >= q.limit ? r.int64(r.rows() - 1, 0) : q.up_to_seq;  // a full page: more may follow
  for (int i = 0; i < r.rows(); ++i) {
    HistoryRecord h = record_at(r, i);
    std::optional<std::string> judged_by;
    if (!r.is_null(i, 8)) judged_by = std::string(r.text(i, 8));
    if (history_feed_keeps(q, h, judged_by)) page.records.push_back(std::move(h));
  }
  return page;
}

std::int64_t latest_seq(PgConnection& db) {
  return db.exec("SELECT COALESCE(MAX(seq), 0) FROM history").int64(0, 0);
}

}  // namespace openem::pg_history

#include "store/sqlite/sqlite_public_records.h"

#include <algorithm>
#include <stdexcept>

namespace openem::sqlite_public_records {
namespace {

// The two columns every harvested collection has, by their names in this schema: when it was
// last written, and the one that says it is public.
struct Columns {
  std::string updated, published;
  std::string published_values;  // "" (the boolean true), or "'a', 'b'" (schema constants, quoted)
  // The condition "the row is public" on the row alias `t` ("" for the bare column, as the
  // partial index writes it: SQLite matches the two as the same term).
  std::string public_condition(const std::string& alias = "t.") const {
    return published_values.empty() ? alias + published + " = 1" : alias + published + " IN (" + published_values + ")";
  }
};

std::string sql_text_literal(const std::string& v) {
  std::string out = "'";
  for (char ch : v) out += ch == '\'' ? std::string("''") : std::string(1, ch);
  return out + "'";
}

Columns columns_of(const CollectionSchema& s) {
  const IndexedColumn* updated = s.column_for("updatedAt");
  const IndexedColumn* published = s.column_for(s.public_field);
  if (!s.public_tombstones || !updated || !published)
    throw std::invalid_argument(s.name + " keeps no public records");
  Columns c{updated->column, published->column, ""};
  for (const auto& v : s.public_values) c.published_values += (c.published_values.empty() ? "" : ", ") + sql_text_literal(v);
  return c;
}

// The SQL of a set restriction on rows of `t` and its parameters, numbered from `first`.
std::string set_sql(const CollectionSchema& s, const PublicRecordSet& set, int first, std::vector<SqlParam>& params) {
  const std::string a = "?" + std::to_string(first), b = "?" + std::to_string(first + 1);
  if (const IndexedColumn* col = s.column_for(set.field)) {
    if (set.value.empty()) return " AND t." + col->column + " IS NOT NULL AND t." + col->column + " <> ''";
    params.push_back(set.value);
    return " AND t." + col->column + " = " + a;
  }
  if (!s.is_array_field(set.field)) throw std::invalid_argument(s.name + " has no set field " + set.field);
  params.push_back(set.field);
  if (set.value.empty())  // by document: the primary key leads with the value
    return " AND EXISTS (SELECT 1 FROM " + s.table + "_values v INDEXED BY " + s.table +
           "_values_seq WHERE v.seq = t.seq AND v.field = " + a + ")";
  params.push_back(set.value);
  return " AND EXISTS (SELECT 1 FROM " + s.table + "_values v WHERE v.field = " + a + " AND v.value = " + b +
         " AND v.seq = t.seq)";
}

// The two halves of a range query — public rows of `t`, tombstones `x` — with parameters
// ?1 after datestamp, ?2 after id, ?3 before datestamp (when there is an end), then the set's.
struct RangeSql {
  std::string live_where, tomb_where;
  std::vector<SqlParam> params;
};

RangeSql range_sql(const CollectionSchema& s, const PublicRecordRange& r) {
  const Columns c = columns_of(s);
  RangeSql out;
  out.params = {r.after_datestamp, r.after_id, r.before_datestamp};
  out.live_where = c.public_condition() + " AND (t." + c.updated + ", t.id) > (?1, ?2)";
  out.tomb_where = "(x.deleted_at, x.id) > (?1, ?2)";
  if (!r.before_datestamp.empty()) {
    out.live_where += " AND t." + c.updated + " < ?3";
    out.tomb_where += " AND x.deleted_at < ?3";
  } else {
    out.live_where += " AND ?3 = ''";  // keeps the numbering; always true
  }
  if (r.set) out.live_where += set_sql(s, *r.set, 4, out.params);
  return out;
}

}  // namespace

std::string ddl(const CollectionSchema& s) {
  if (!s.public_tombstones) return "";
  const Columns c = columns_of(s);
  const std::string& t = s.table;
  return "CREATE INDEX IF NOT EXISTS " + t + "_public ON " + t + " (" + c.updated + ", id) WHERE " +
         c.public_condition("") + ";"
         "CREATE TABLE IF NOT EXISTS " + t + "_tombstones (id TEXT PRIMARY KEY, deleted_at TEXT NOT NULL) WITHOUT ROWID;"
         "CREATE INDEX IF NOT EXISTS " + t + "_tombstones_order ON " + t + "_tombstones (deleted_at, id);";
}

bool stored_is_public(SqliteDb& db, const CollectionSchema& s, std::int64_t seq) {
  auto st = db.prepare("SELECT 1 FROM " + s.table + " t WHERE t.seq = ? AND " + columns_of(s).public_condition());
  st.bind_int(1, seq);
  return st.step();
}

void after_write(SqliteDb& db, const CollectionSchema& s, const std::string& id, bool was_public, bool now_public,
                 const std::string& now) {
  if (now_public) {
    auto st = db.prepare("DELETE FROM " + s.table + "_tombstones WHERE id = ?");
    st.bind_text(1, id);
    st.run();
  } else if (was_public) {
    auto st = db.prepare("INSERT OR REPLACE INTO " + s.table + "_tombstones (id, deleted_at) VALUES (?, ?)");
    st.bind_text(1, id).bind_text(2, now);
    st.run();
  }
}

std::string records_sql(const CollectionSchema& s, const PublicRecordRange& r, bool with_documents,
                        std::vector<SqlParam>& params) {
  const Columns c = columns_of(s);
  RangeSql q = range_sql(s, r);
  const std::string n = "?" + std::to_string(q.params.size() + 1);
  params = std::move(q.params);
  // Each half walks its own index from the key, at most `limit` (the last parameter) rows; the
  // merge of the two is at most twice that. One statement: one snapshot of both. The public
  // half names its index: on a small or unanalysed table the planner would take the
  // is_published index and sort every public row for each page.
  return "SELECT r.ds, r.id, r.deleted" + std::string(with_documents ? ", d.doc" : "") +
         " FROM (SELECT * FROM (SELECT t." + c.updated + " AS ds, t.id AS id, 0 AS deleted, t.seq AS seq FROM " +
         s.table + " t INDEXED BY " + s.table + "_public WHERE " + q.live_where + " ORDER BY t." + c.updated +
         ", t.id LIMIT " + n + ") UNION ALL SELECT * FROM (SELECT x.deleted_at, x.id, 1, NULL FROM " + s.table +
         "_tombstones x WHERE " + q.tomb_where + " ORDER BY x.deleted_at, x.id LIMIT " + n + ")) r" +
         (with_documents ? " LEFT JOIN " + s.table + "_doc d ON d.seq = r.seq" : "") + " ORDER BY r.ds, r.id LIMIT " + n;
}

std::vector<PublicRecord> records(SqliteDb& db, const CollectionSchema& s, const PublicRecordRange& r,
                                  std::int64_t limit, bool with_documents) {
  std::vector<SqlParam> params;
  auto st = db.prepare(records_sql(s, r, with_documents, params));
  params.emplace_back(std::in_place_type<std::int64_t>, limit);  // in place: GCC 12 warns on a moved variant
  st.bind_all(params);
  std::vector<PublicRecord> out;
  while (st.step()) {
    PublicRecord rec{std::string(st.text(1)), std::string(st.text(0)), st.int64(2) != 0, {}};
    if (with_documents && !rec.deleted && !st.is_null(3)) rec.json = st.text(3);
    out.push_back(std::move(rec));
  }
  return out;
}

std::int64_t count(SqliteDb& db, const CollectionSchema& s, const PublicRecordRange& r) {
  RangeSql q = range_sql(s, r);
  auto st = db.prepare("SELECT (SELECT COUNT(*) FROM " + s.table + " t INDEXED BY " + s.table + "_public WHERE " + q.live_where +
                       ") + (SELECT COUNT(*) FROM " + s.table + "_tombstones x WHERE " + q.tomb_where + ")");
  st.bind_all(q.params);
  st.step();
  return st.int64(0);
}

std::optional<std::string> earliest_datestamp(SqliteDb& db, const CollectionSchema& s) {
  const Columns c = columns_of(s);
  std::optional<std::string> out;
  auto live = db.prepare("SELECT t." + c.updated + " FROM " + s.table + " t WHERE " + c.public_condition() + " AND t." +
                         c.updated + " IS NOT NULL ORDER BY t." + c.updated + ", t.id LIMIT 1");
  if (live.step()) out = std::string(live.text(0));
  auto tomb = db.prepare("SELECT MIN(deleted_at) FROM " + s.table + "_tombstones");
  if (tomb.step() && !tomb.is_null(0) && (!out || std::string(tomb.text(0)) < *out)) out = std::string(tomb.text(0));
  return out;
}

std::optional<PublicRecord> record(SqliteDb& db, const CollectionSchema& s, std::string_view id) {
  const Columns c = columns_of(s);
  {
    auto st = db.prepare("SELECT t." + c.updated + ", d.doc FROM " + s.table + " t JOIN " + s.table +
                         "_doc d ON d.seq = t.seq WHERE t.id = ? AND " + c.public_condition() + " AND t." + c.updated +
                         " IS NOT NULL");
    st.bind_text(1, id);
    if (st.step()) return PublicRecord{std::string(id), std::string(st.text(0)), false, std::string(st.text(1))};
  }
  auto st = db.prepare("SELECT deleted_at FROM " + s.table + "_tombstones WHERE id = ?");
  st.bind_text(1, id);
  if (st.step()) return PublicRecord{std::string(id), std::string(st.text(0)), true, {}};
  return std::nullopt;
}

std::vector<std::string> values(SqliteDb& db, const CollectionSchema& s, const std::string& field, std::int64_t limit) {
  const Columns c = columns_of(s);
  std::string sql;
  std::vector<SqlParam> params;
  // Each distinct value, kept when one public document holds it: the check stops at the
  // first, so it costs about one index walk over the values, not a join of all documents.
  if (const IndexedColumn* col = s.column_for(field)) {
    sql = "SELECT k FROM (SELECT DISTINCT " + col->column + " AS k FROM " + s.table + " WHERE " + col->column +
          " IS NOT NULL AND " + col->column + " <> '') WHERE EXISTS (SELECT 1 FROM " + s.table + " t WHERE t." +
          col->column + " = k AND " + c.public_condition() + ") ORDER BY k LIMIT ?";
  } else if (s.is_array_field(field)) {
    sql = "SELECT k FROM (SELECT DISTINCT value AS k FROM " + s.table + "_values WHERE field = ?1 AND value <> '') "
          "WHERE EXISTS (SELECT 1 FROM " + s.table + "_values v JOIN " + s.table + " t ON t.seq = v.seq WHERE v.field = ?1 "
          "AND v.value = k AND " + c.public_condition() + ") ORDER BY k LIMIT ?2";
    params.push_back(field);
  } else {
    throw std::invalid_argument(s.name + " has no set field " + field);
  }
  params.emplace_back(std::in_place_type<std::int64_t>, limit);
  auto st = db.prepare(sql);
  st.bind_all(params);
  std::vector<std::string> out;
  while (st.step()) out.emplace_back(st.text(0));
  return out;
}

}  // namespace openem::sqlite_public_records

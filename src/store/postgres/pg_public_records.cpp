#include "store/postgres/pg_public_records.h"

#include <algorithm>
#include <stdexcept>

#include "store/postgres/pg_schema.h"

namespace openem::pg_public_records {
namespace {

const IndexedColumn& updated_column(const CollectionSchema& s) {
  const IndexedColumn* updated = s.column_for("updatedAt");
  if (!s.public_tombstones || !updated) throw std::invalid_argument(s.name + " keeps no public records");
  return *updated;
}

std::string is_public(const CollectionSchema& s) { return "t." + pg_schema::public_condition(s); }

// The set restriction on rows of `t`, its parameters appended.
std::string set_sql(const CollectionSchema& s, const PublicRecordSet& set, std::vector<FieldValue>& params) {
  if (const IndexedColumn* col = s.column_for(set.field)) {
    if (set.value.empty()) return " AND t." + col->column + " IS NOT NULL AND t." + col->column + " <> ''";
    params.push_back(set.value);
    return " AND t." + col->column + " = ?";
  }
  if (!s.is_array_field(set.field)) throw std::invalid_argument(s.name + " has no set field " + set.field);
  params.push_back(set.field);
  if (set.value.empty())
    return " AND EXISTS (SELECT 1 FROM " + s.table + "_values v WHERE v.seq = t.seq AND v.field = ?)";
  params.push_back(set.value);
  return " AND EXISTS (SELECT 1 FROM " + s.table + "_values v WHERE v.field = ? AND v.value = ? AND v.seq = t.seq)";
}

// The public half (rows of `t`) and the tombstone half (`x`) of a range, each with its own
// parameters.
struct RangeSql {
  std::string live_where, tomb_where;
  std::vector<FieldValue> live_params, tomb_params;
};

RangeSql range_sql(const CollectionSchema& s, const PublicRecordRange& r) {
  const std::string updated = "t." + updated_column(s).column;
  RangeSql out;
  out.live_where = is_public(s) + " AND (" + updated + ", t.id) > (?, ?)";
  out.live_params = {r.after_datestamp, r.after_id};
  out.tomb_where = "(x.deleted_at, x.id) > (?, ?)";
  out.tomb_params = {r.after_datestamp, r.after_id};
  if (!r.before_datestamp.empty()) {
    out.live_where += " AND " + updated + " < ?";
    out.live_params.push_back(r.before_datestamp);
    out.tomb_where += " AND x.deleted_at < ?";
    out.tomb_params.push_back(r.before_datestamp);
  }
  if (r.set) out.live_where += set_sql(s, *r.set, out.live_params);
  return out;
}

}  // namespace

bool stored_is_public(PgConnection& db, const CollectionSchema& s, std::int64_t seq) {
  return db.exec("SELECT 1 FROM " + s.table + " t WHERE t.seq = ? AND " + is_public(s), {seq}).rows() > 0;
}

void after_write(PgConnection& db, const CollectionSchema& s, const std::string& id, bool was_public, bool now_public,
                 const std::string& now) {
  if (now_public) {
    db.exec("DELETE FROM " + s.table + "_tombstones WHERE id = ?", {id});
  } else if (was_public) {
    db.exec("INSERT INTO " + s.table + "_tombstones (id, deleted_at) VALUES (?, ?) "
            "ON CONFLICT (id) DO UPDATE SET deleted_at = excluded.deleted_at",
            {id, now});
  }
}

std::vector<PublicRecord> records(PgConnection& db, const CollectionSchema& s, const PublicRecordRange& r,
                                  std::int64_t limit, bool with_documents) {
  const std::string updated = "t." + updated_column(s).column;
  RangeSql q = range_sql(s, r);
  // Each half walks its own index from the key, at most `limit` rows; one statement, one
  // snapshot of both.
  std::vector<FieldValue> params = q.live_params;
  params.emplace_back(std::in_place_type<std::int64_t>, limit);
  params.insert(params.end(), q.tomb_params.begin(), q.tomb_params.end());
  params.emplace_back(std::in_place_type<std::int64_t>, limit);
  params.emplace_back(std::in_place_type<std::int64_t>, limit);
  auto rows = db.exec("SELECT r.ds, r.id, r.deleted" + std::string(with_documents ? ", r.doc" : "") +
                          " FROM ((SELECT " + updated + " AS ds, t.id AS id, 0 AS deleted, t.doc_text AS doc FROM " + s.table +
                          " t WHERE " + q.live_where + " ORDER BY " + updated + ", t.id LIMIT ?) UNION ALL (SELECT "
                          "x.deleted_at, x.id, 1, NULL FROM " + s.table + "_tombstones x WHERE " + q.tomb_where +
                          " ORDER BY x.deleted_at, x.id LIMIT ?)) r ORDER BY r.ds, r.id LIMIT ?",
                      params);
  std::vector<PublicRecord> out;
  for (int i = 0; i < rows.rows(); ++i) {
    PublicRecord rec{std::string(rows.text(i, 1)), std::string(rows.text(i, 0)), rows.int64(i, 2) != 0, {}};
    if (with_documents && !rec.deleted && !rows.is_null(i, 3)) rec.json = rows.text(i, 3);
    out.push_back(std::move(rec));
  }
  return out;
}

std::int64_t count(PgConnection& db, const CollectionSchema& s, const PublicRecordRange& r) {
  RangeSql q = range_sql(s, r);
  std::vector<FieldValue> params = q.live_params;
  params.insert(params.end(), q.tomb_params.begin(), q.tomb_params.end());
  auto st = db.exec("SELECT (SELECT COUNT(*) FROM " + s.table + " t WHERE " + q.live_where + ") + (SELECT COUNT(*) FROM " +
                        s.table + "_tombstones x WHERE " + q.tomb_where + ")",
                    params);
  return st.int64(0, 0);
}

std::optional<std::string> earliest_datestamp(PgConnection& db, const CollectionSchema& s) {
  const std::string updated = "t." + updated_column(s).column;
  std::optional<std::string> out;
  auto live = db.exec("SELECT " + updated + " FROM " + s.table + " t WHERE " + is_public(s) + " AND " + updated +
                      " IS NOT NULL ORDER BY " + updated + ", t.id LIMIT 1");
  if (live.rows() > 0) out = std::string(live.text(0, 0));
  auto tomb = db.exec("SELECT MIN(deleted_at) FROM " + s.table + "_tombstones");
  if (tomb.rows() > 0 && !tomb.is_null(0, 0) && (!out || std::string(tomb.text(0, 0)) < *out))
    out = std::string(tomb.text(0, 0));
  return out;
}

std::optional<PublicRecord> record(PgConnection& db, const CollectionSchema& s, std::string_view id) {
  const std::string updated = "t." + updated_column(s).column;
  auto live = db.exec("SELECT " + updated + ", t.doc_text FROM " + s.table + " t WHERE t.id = ? AND " + is_public(s) + " AND " +
                          updated + " IS NOT NULL",
                      {std::string(id)});
  if (live.rows() > 0) return PublicRecord{std::string(id), std::string(live.text(0, 0)), false, std::string(live.text(0, 1))};
  auto tomb = db.exec("SELECT deleted_at FROM " + s.table + "_tombstones WHERE id = ?", {std::string(id)});
  if (tomb.rows() > 0) return PublicRecord{std::string(id), std::string(tomb.text(0, 0)), true, {}};
  return std::nullopt;
}

std::vector<std::string> values(PgConnection& db, const CollectionSchema& s, const std::string& field,
                                std::int64_t limit) {
  updated_column(s);  // refuses collections without public records
  std::string sql;
  std::vector<FieldValue> params;
  if (const IndexedColumn* col = s.column_for(field)) {
    sql = "SELECT DISTINCT t." + col->column + " AS k FROM " + s.table + " t WHERE t." + col->column +
          " IS NOT NULL AND t." + col->column + " <> '' AND " + is_public(s) + " ORDER BY k LIMIT ?";
  } else if (s.is_array_field(field)) {
    sql = "SELECT DISTINCT v.value AS k FROM " + s.table + "_values v JOIN " + s.table +
          " t ON t.seq = v.seq WHERE v.field = ? AND v.value <> '' AND " + is_public(s) + " ORDER BY k LIMIT ?";
    params.push_back(field);
  } else {
    throw std::invalid_argument(s.name + " has no set field " + field);
  }
  params.emplace_back(std::in_place_type<std::int64_t>, limit);
  auto rows = db.exec(sql, params);
  std::vector<std::string> out;
  for (int i = 0; i < rows.rows(); ++i) out.emplace_back(rows.text(i, 0));
  return out;
}

}  // namespace openem::pg_public_records

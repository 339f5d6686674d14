#include "store/postgres/pg_facet_counts.h"

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <limits>
#include <optional>
#include <stdexcept>

#include "model/access_set.h"
#include "store/document_rows.h"
#include "store/postgres/pg_cells.h"

namespace openem::pg_facet_counts {
namespace json = boost::json;
namespace {

constexpr std::int64_t kChunk = 5000;  // documents read per statement while building

const CollectionSchema* schema_named(std::string_view name) {
  for (const CollectionSchema* s : schemas::all())
    if (s->name == name) return s;
  return nullptr;
}

// The counted fields' columns (null for an array field, read from the side table) and the
// side table's field list, as the statements below read them.
struct CountedColumns {
  std::vector<const IndexedColumn*> columns;
  std::string select, side_fields;
  explicit CountedColumns(const CollectionSchema& s) : select("SELECT t.seq, array_to_json(t.access)::text") {
    if (!s.has_access_set()) throw std::logic_error(s.name + ": counted facets need access sets");
    for (const auto& f : s.counted_facets) {
      const IndexedColumn* col = s.column_for(f);
      if (col && col->type != ColumnType::Date) {
        select += ", t." + col->column;
      } else if (!col && s.is_array_field(f)) {
        side_fields += (side_fields.empty() ? "'" : ", '") + f + "'";  // names from the schema, not from users
      } else {
        throw std::logic_error(s.name + ": counted facet " + f + " is neither a plain column nor an array field");
      }
      columns.push_back(col);
    }
  }
};

// Counts (with `sign`) the stored documents with after < seq <= upto, at most `limit` of them
// in seq order, into `out`; returns the last seq read (`after` when none).
std::int64_t count_stored_rows(PgConnection& db, const CollectionSchema& s, std::int64_t after, std::int64_t upto,
                               std::int64_t limit, int sign, FacetCountDelta& out) {
  const CountedColumns counted(s);
  auto rows = db.exec(counted.select + " FROM " + s.table + " t WHERE t.seq > ? AND t.seq <= ? ORDER BY t.seq LIMIT ?",
                      {after, upto, limit});
  if (rows.rows() == 0) return after;
  const std::int64_t last = rows.int64(rows.rows() - 1, 0);
  std::optional<PgResult> side;
  if (!counted.side_fields.empty())
    side = db.exec("SELECT seq, field, value FROM " + s.table + "_values WHERE field IN (" + counted.side_fields +
                       ") AND seq > ? AND seq <= ? ORDER BY seq",
                   {after, last});
  int side_row = 0;
  for (int i = 0; i < rows.rows(); ++i) {
    const std::int64_t seq = rows.int64(i, 0);
    std::vector<json::value> keys;
    int cell = 2;
    for (const IndexedColumn* col : counted.columns) keys.push_back(col ? pg_cells::column(rows, i, cell++, col) : nullptr);
    std::vector<std::string> members;
    const json::value access = json::parse(rows.text(i, 1));
    for (const auto& m : access.as_array()) members.emplace_back(m.as_string());
    SideRows pairs;
    while (side && side_row < side->rows() && side->int64(side_row, 0) < seq) ++side_row;
    while (side && side_row < side->rows() && side->int64(side_row, 0) == seq) {
      pairs.emplace_back(side->text(side_row, 1), side->text(side_row, 2));
      ++side_row;
    }
    out.add(counted_document(s, access_set_key(std::move(members)), keys, pairs), sign);
  }
  return last;
}

// The counts of one collection from its table and side table, in the snapshot `db` is in.
std::shared_ptr<AccessFacetCounts> build(PgConnection& db, const CollectionSchema& s) {
  auto counts = std::make_shared<AccessFacetCounts>(s.counted_facets);
  for (std::int64_t after = 0;;) {
    FacetCountDelta chunk;
    const std::int64_t last =
        count_stored_rows(db, s, after, std::numeric_limits<std::int64_t>::max(), kChunk, +1, chunk);
    if (last == after) break;
    counts->apply(chunk);
    after = last;
  }
  return counts;
}

}  // namespace

void uncount_stored(PgConnection& db, const CollectionSchema& schema, std::int64_t seq, FacetCountDelta& delta) {
  count_stored_rows(db, schema, seq - 1, seq, 1, -1, delta);
}

std::string ddl() {
  return "CREATE TABLE IF NOT EXISTS openem_facet_log (generation BIGINT PRIMARY KEY, deltas TEXT NOT NULL);";
}

void log(PgConnection& db, std::int64_t generation, const Deltas& deltas) {
  json::object entry;
  for (const auto& [schema, delta] : deltas)
    if (!delta.empty()) entry[schema->name] = delta.to_json();
  if (entry.empty()) return;
  db.exec("INSERT INTO openem_facet_log (generation, deltas) VALUES (?, ?)", {generation, json::serialize(entry)});
  // Now and then (any process; the write lock makes it serial) the old entries go, and the
  // floor says up to where: a reader behind it rebuilds instead of missing them.
  static std::atomic<std::uint64_t> logged{0};
  if (++logged % 500 == 0) {
    const std::int64_t floor = generation - kLogKept;
    db.exec("DELETE FROM openem_facet_log WHERE generation <= ?", {floor});
    db.exec("INSERT INTO openem_meta VALUES ('facet_log_floor', ?) ON CONFLICT (key) DO UPDATE SET value = "
            "GREATEST(openem_meta.value, excluded.value)",
            {floor});
  }
}

void Mirror::rebuild(PgConnection& db) {
  // One snapshot for the generation and every table: the counts are exactly those at it.
  db.exec_script("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL statement_timeout = 0");
  try {
    const std::int64_t generation = db.exec("SELECT value FROM openem_meta WHERE key = 'generation'").int64(0, 0);
    Counts counts;
    for (const CollectionSchema* s : schemas::all())
      if (!s->counted_facets.empty()) counts[s] = build(db, *s);
    db.exec_script("COMMIT");
    counts_ = std::move(counts);
    applied_ = generation;
  } catch (...) {
    try {
      db.exec_script("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
}

std::shared_ptr<const AccessFacetCounts> Mirror::current(const CollectionSchema& schema,
                                                         std::optional<std::int64_t> known_generation) {
  if (schema.counted_facets.empty()) return nullptr;
  if (known_generation) {
    std::lock_guard lock(mu_);
    if (applied_ >= 0 && applied_ >= *known_generation) {
      auto it = counts_.find(&schema);
      return it == counts_.end() ? nullptr : it->second;
    }
  }
  auto db = pool_.acquire();  // under the connection's query budget; the build sets none for itself
  std::int64_t seen = 0;
  {
    std::lock_guard lock(mu_);
    if (applied_ < 0) rebuild(*db);
    seen = applied_;
  }
  // Outside the lock: the round trip of one reader does not hold up the others.
  auto r = db->exec(
      "SELECT m.value, COALESCE(f.value, 0), l.generation, l.deltas FROM openem_meta m "
      "LEFT JOIN openem_meta f ON f.key = 'facet_log_floor' "
      "LEFT JOIN openem_facet_log l ON l.generation > ? WHERE m.key = 'generation' ORDER BY l.generation",
      {seen});
  std::lock_guard lock(mu_);
  const std::int64_t generation = r.int64(0, 0), floor = r.int64(0, 1);
  if (applied_ < floor) {
    rebuild(*db);
  } else {
    for (int i = 0; i < r.rows(); ++i) {
      if (r.is_null(i, 2) || r.int64(i, 2) <= applied_) continue;  // applied by a reader that came first
      const json::value entry = json::parse(r.text(i, 3));
      for (const auto& [name, delta] : entry.as_object())
        if (const CollectionSchema* s = schema_named(name); s && counts_.count(s))
          counts_[s]->apply(FacetCountDelta::from_json(delta));
    }
    applied_ = std::max(applied_, generation);
  }
  auto it = counts_.find(&schema);
  return it == counts_.end() ? nullptr : it->second;
}

}  // namespace openem::pg_facet_counts

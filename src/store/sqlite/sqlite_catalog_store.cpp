// SQLite implementation of CatalogStore. Layout per collection <t>:
//   <t>(seq INTEGER PRIMARY KEY, id TEXT UNIQUE, <indexed columns>)   narrow: scans stay cheap
//   <t>_doc(seq, doc)               the JSON document, read only when needed; most fit one page
//   <t>_text(seq, search_text, readers)  the text that text search looks in (collections with a
//                                   text index), and the access set its index tokens carry
//   <t>_values(field, value, seq)   array elements and the "#access" groups, for IN-subqueries
//   <t>_fts                         FTS5 trigram index over <t>_text, one token per reader and
//                                   trigram (reader_tagged_trigrams.h)
//   <t>_sci(seq, path, ord, num, num_si, unit_si, text)   scientific-metadata leaves
// Reads use pooled connections. All writes go through one writer thread that commits
// whatever transactions are waiting as one batch (group commit), each inside its own
// savepoint, so concurrent writers share the cost of a commit. What a write stores is
// computed before it is queued (DocumentRows), and checkpoints run on a thread of their own
// (WalCheckpointer): the writer thread is the one serial part of every write.
#include <boost/json.hpp>

#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "core/acting_user.h"
#include "core/time.h"
#include "query/field_ref.h"
#include "query/text_search.h"
#include "store/catalog_store.h"
#include "store/document_rows.h"
#include "store/facet_marginals.h"
#include "store/sqlite/planner_statistics.h"
#include "store/sqlite/reader_tagged_trigrams.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_pool.h"
#include "store/sqlite/sqlite_audit_log.h"
#include "store/sqlite/sqlite_login_failures.h"
#include "store/sqlite/sqlite_condition_sql.h"
#include "store/sqlite/sqlite_history.h"
#include "store/store_errors.h"
#include "store/sqlite/sqlite_public_records.h"
#include "store/sqlite/stored_rows_diff.h"
#include "store/sqlite/wal_checkpointer.h"

namespace openem {
namespace json = boost::json;
namespace {

const char* sql_type(ColumnType t) {
  switch (t) {
    case ColumnType::Integer:
    case ColumnType::Bool: return "INTEGER";
    case ColumnType::Real: return "REAL";
    default: return "TEXT";
  }
}

json::object parse_doc(std::string_view text) {
  json::value v = json::parse(text);
  return std::move(v.as_object());
}

// The columns of <t>_doc and <t>_text, for their creation and for the format upgrade.
constexpr const char* kDocColumns = " (seq INTEGER PRIMARY KEY, doc TEXT NOT NULL)";
constexpr const char* kTextColumns = " (seq INTEGER PRIMARY KEY, search_text TEXT, readers TEXT)";
constexpr const char* kFormat11TextColumns = " (seq INTEGER PRIMARY KEY, search_text TEXT)";

// The statements a write runs, per collection, built once.
struct WriteSql {
  // Row counts of the multi-row statements that insert scientific leaves: any count is a
  // sum of at most one of each below the largest.
  static constexpr std::array<std::size_t, 6> kLeafChunks{1, 2, 4, 8, 16, 32};

  std::string seq_of_id, insert_row, insert_doc, update_doc, insert_text, update_text, insert_value;
  std::array<std::string, kLeafChunks.size()> insert_leaves;
  std::string delete_values, delete_leaves;    // a document's rows in <t>_values, in <t>_sci
  std::vector<std::string> delete_side_rows;  // those of the two tables the collection has
  std::vector<std::string> delete_own_rows;   // its row in <t>, <t>_doc and <t>_text

  explicit WriteSql(const CollectionSchema& s) {
    std::string cols = "id", qs = "?";
    for (const auto& c : s.columns) {
      cols += ", " + c.column;
      qs += ", ?";
    }
    if (s.has_access_set()) {
      cols += ", access_set";
      qs += ", ?";
    }
    seq_of_id = "SELECT seq FROM " + s.table + " WHERE id = ?";
    insert_row = "INSERT INTO " + s.table + " (" + cols + ") VALUES (" + qs + ")";
    insert_doc = "INSERT INTO " + s.table + "_doc (doc, seq) VALUES (?, ?)";
    update_doc = "UPDATE " + s.table + "_doc SET doc = ? WHERE seq = ?";
    if (s.text_index) {
      insert_text = "INSERT INTO " + s.table + "_text (search_text, seq, readers) VALUES (?1, ?2, ?3)";
      // An unchanged text with unchanged readers is not written: that would send the
      // document through the text index again (the _au trigger).
      update_text = "UPDATE " + s.table + "_text SET search_text = ?1, readers = ?3 WHERE seq = ?2 AND "
                    "(search_text IS NOT ?1 OR readers IS NOT ?3)";
    }
    insert_value = "INSERT OR IGNORE INTO " + s.table + "_values (field, value, seq) VALUES (?, ?, ?)";
    for (std::size_t k = 0; k < kLeafChunks.size(); ++k) {
      insert_leaves[k] = "INSERT INTO " + s.table + "_sci (seq, path, ord, num, num_si, unit_si, text) VALUES ";
      for (std::size_t n = 0; n < kLeafChunks[k]; ++n) insert_leaves[k] += n ? ", (?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?)";
    }
    auto delete_from = [&](const std::string& suffix) { return "DELETE FROM " + s.table + suffix + " WHERE seq = ?"; };
    delete_values = delete_from("_values");
    delete_leaves = delete_from("_sci");
    if (!s.array_fields.empty()) delete_side_rows.push_back(delete_values);
    if (!s.scientific_field.empty()) delete_side_rows.push_back(delete_leaves);
    delete_own_rows = {delete_from(""), delete_from("_doc")};
    if (s.text_index) delete_own_rows.push_back(delete_from("_text"));
  }
};

constexpr int kSchemaVersion = 14;

using sqlite_sql::json_path_for;
using sqlite_sql::needs_doc;
using sqlite_sql::SqlFragment;

// One condition in SQL, its text lookups for the condition's own readers.
SqlFragment compiled(const CollectionSchema& schema, const Condition& c) {
  return sqlite_sql::condition_sql(schema, c, {c.text_readers.get(), false});
}

class SqliteCatalogStore final : public CatalogStore {
 public:
  using CatalogStore::insert;
  using CatalogStore::replace;

  explicit SqliteCatalogStore(const std::filesystem::path& file)
      : pool_(file), writer_db_(std::make_unique<SqliteDb>(file)), wal_path_(file.string() + "-wal") {
    // The writer touches every index of every collection: give it the larger page cache.
    // The log file keeps its blocks between restarts (256 MiB) instead of being cut back and
    // grown again. Checkpoints run beside the writer (WalCheckpointer, installed below; until
    // then, during schema work and format upgrades, SQLite's own every 128 MiB).
    writer_db_->exec("PRAGMA cache_size=-131072; PRAGMA wal_autocheckpoint=32768; PRAGMA journal_size_limit=268435456");
    create_schema(*writer_db_);
    for (const CollectionSchema* s : schemas::all()) write_sql_.emplace(s, WriteSql(*s));
    refresh_planner_statistics(*writer_db_);  // without statistics SQLite picks quadratic plans for text + scientific conditions
    load_facet_counts(*writer_db_);
    checkpointer_ = std::make_unique<WalCheckpointer>(file, *writer_db_);
    data_version_db_ = std::make_unique<SqliteDb>(file);
    writer_ = std::thread([this] { write_loop(); });
  }

  ~SqliteCatalogStore() override {
    {
      std::lock_guard lock(queue_mu_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    writer_.join();
  }

  void insert(const DocumentRows& rows) override {
    transaction([&] {
      SqliteDb& db = *tx_db();
      const CollectionSchema& schema = *rows.schema;
      auto st = db.prepare(write_sql(schema).insert_row);
      st.bind(1, rows.id);
      bind_columns(st, rows, 2);
      try {
        st.run();
      } catch (const SqliteError& e) {
        if (e.is_constraint()) throw_duplicate_id(rows.id);
        throw;
      }
      std::int64_t seq = sqlite3_last_insert_rowid(db.handle());
      write_doc(db, rows, seq, /*update=*/false);
      write_side_tables(db, rows, seq);
      count_document(rows, +1);
      note_public_change(db, schema, rows.id, false, &rows);
      if (!schema.history_subsystem.empty())
        sqlite_history::append(db, history_record(schema, rows.id, "insert", "null", rows.json));
    });
  }

  void set_query_budget(std::chrono::milliseconds budget) override { query_budget_ms_ = budget.count(); }

  std::optional<json::object> get(const CollectionSchema& schema, std::string_view id) override {
    return with_db([&](SqliteDb& db) -> std::optional<json::object> {
      auto st = db.prepare("SELECT d.doc FROM " + schema.table + " t JOIN " + schema.table +
                           "_doc d ON d.seq = t.seq WHERE t.id = ?");
      st.bind(1, std::string(id));
      if (!st.step()) return std::nullopt;
      return parse_doc(st.text(0));
    });
  }

  std::optional<RawDocument> get_raw(const CollectionSchema& schema, std::string_view id,
                                     const Condition& access_rule) override {
    const SqlFragment access = compiled(schema, access_rule);
    return with_db([&](SqliteDb& db) -> std::optional<RawDocument> {
      auto st = db.prepare("SELECT d.doc, (" + access.sql + ") FROM " + schema.table + " t JOIN " + schema.table +
                           "_doc d ON d.seq = t.seq WHERE t.id = ?");
      st.bind_all(access.params);
      st.bind(static_cast<int>(access.params.size()) + 1, std::string(id));
      if (!st.step()) return std::nullopt;
      return RawDocument{std::string(st.text(0)), st.int64(1) != 0};
    });
  }

  bool replace(const DocumentRows& rows) override {
    bool found = false;
    const CollectionSchema& tracked = *rows.schema;
    // The history's delta is worked out here, on the caller's thread, against the version
    // committed now; the writer only checks that this is still the stored version (a string
    // compare) and otherwise works it out again. Inside a larger transaction (already on the
    // writer thread) it is worked out there.
    std::string old_text;
    std::optional<HistoryChange> change;
    if (!tracked.history_subsystem.empty() && !tx_db()) {
      old_text = with_db([&](SqliteDb& db) {
        auto q = db.prepare(write_sql(tracked).seq_of_id);
        q.bind(1, rows.id);
        return q.step() ? sqlite_history::stored_text(db, tracked, q.int64(0)) : std::string();
      });
      if (!old_text.empty()) change = history_update_change(tracked, old_text, rows.json);
    }
    transaction([&] {
      SqliteDb& db = *tx_db();
      const CollectionSchema& schema = *rows.schema;
      auto q = db.prepare(write_sql(schema).seq_of_id);
      q.bind(1, rows.id);
      if (!q.step()) return;
      std::int64_t seq = q.int64(0);
      found = true;
      if (!schema.history_subsystem.empty()) {
        std::string stored = sqlite_history::stored_text(db, schema, seq);
        if (old_text.empty() || stored != old_text) change = history_update_change(schema, stored, rows.json);
      }
      uncount_stored(db, schema, seq);
      const bool was_public = schema.public_tombstones && sqlite_public_records::stored_is_public(db, schema, seq);
      // Only what changed is written: each index an UPDATE names, and each side row, is a
      // page to rewrite (see stored_rows_diff.h).
      const stored_rows::Changes changes = stored_rows::compare(db, rows, seq);
      if (std::string update = stored_rows::update_sql(schema, changes); !update.empty()) {
        auto st = db.prepare(update);
        stored_rows::bind_update(st, rows, changes, seq);
        st.run();
      }
      write_doc(db, rows, seq, /*update=*/true);
      if (changes.values) {
        run_for_seq(db, {write_sql(schema).delete_values}, seq);
        write_values(db, rows, seq);
      }
      if (changes.leaves) {
        run_for_seq(db, {write_sql(schema).delete_leaves}, seq);
        write_leaves(db, rows, seq);
      }
      count_document(rows, +1);
      note_public_change(db, schema, rows.id, was_public, &rows);
      if (change) sqlite_history::append(db, history_record(schema, rows.id, "update", change->before, change->after));
    });
    return found;
  }

  bool remove(const CollectionSchema& schema, std::string_view id) override {
    bool found = false;
    transaction([&] {
      SqliteDb& db = *tx_db();
      auto q = db.prepare(write_sql(schema).seq_of_id);
      q.bind(1, std::string(id));
      if (!q.step()) return;
      std::int64_t seq = q.int64(0);
      found = true;
      if (!schema.history_subsystem.empty())
        sqlite_history::append(db, history_record(schema, std::string(id), "delete",
                                                  sqlite_history::stored_text(db, schema, seq), "null"));
      uncount_stored(db, schema, seq);
      const bool was_public = schema.public_tombstones && sqlite_public_records::stored_is_public(db, schema, seq);
      run_for_seq(db, write_sql(schema).delete_own_rows, seq);
      run_for_seq(db, write_sql(schema).delete_side_rows, seq);
      note_public_change(db, schema, std::string(id), was_public, nullptr);
    });
    return found;
  }

  std::vector<json::object> find(const CollectionSchema& schema, const QueryPlan& query) override {
    return with_db([&](SqliteDb& db) {
      const std::vector<bool> row_checked = text_forms(db, schema, query);
      std::vector<SqlParam> params;
      auto st = db.prepare(select_sql(schema, "d.doc", query, row_checked, params, /*join_doc=*/true));
      st.bind_all(params);
      std::vector<json::object> out;
      while (st.step()) out.push_back(parse_doc(st.text(0)));
      return out;
    });
  }

  std::vector<LineageNode> lineage_nodes(const LineageNodesQuery& q) override {
    const CollectionSchema& s = schemas::datasets();
    // Named pids go in as one JSON array parameter (thousands may change between two walks),
    // walked with one id seek each (no temporary index of the list, no sort: the rows, at most
    // one per pid, are put in stored order here).
    const std::string sql =
        "SELECT " + lineage_rows::node_columns_sql(s) + ", t.access_set" +
        (q.all ? " FROM datasets t WHERE t.seq > ? ORDER BY t.seq LIMIT ?"
               : " FROM json_each(?) j CROSS JOIN datasets t ON t.id = j.value");
    std::vector<SqlParam> params;
    if (q.all) params = {q.after_seq, q.limit};
    else params.emplace_back(json::serialize(json::value_from(q.pids)));
    const bool by_pid = !q.all;
    return with_db([&](SqliteDb& db) {
      std::vector<std::pair<std::int64_t, LineageNode>> rows;  // seq, node
      {
        auto st = db.prepare(sql);
        st.bind_all(params);
        while (st.step()) {
          LineageNode n;
          n.pid = st.text(1);
          if (!st.is_null(2)) n.dataset_name = std::string(st.text(2));
          if (!st.is_null(3)) n.type = std::string(st.text(3));
          if (!st.is_null(4)) n.creation_time = std::string(st.text(4));
          n.is_published = !st.is_null(5) && st.int64(5) != 0;
          if (!st.is_null(6)) n.access_set = std::string(st.text(6));
          n.seq = st.int64(0);
          rows.emplace_back(n.seq, std::move(n));
        }
      }
      if (by_pid) {
        std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        rows.erase(std::unique(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
                   rows.end());  // a pid named twice
      }
      std::vector<LineageNode> nodes;
      if (rows.empty()) return nodes;
      std::unordered_map<std::int64_t, std::size_t> at;  // seq → its node
      json::array seqs;
      nodes.reserve(rows.size());
      for (auto& [seq, node] : rows) {
        at.emplace(seq, nodes.size());
        seqs.emplace_back(seq);
        nodes.push_back(std::move(node));
      }
      // A node's side rows in one index range (seq, then field and value): the fields are
      // tested on the rows (the unary + keeps SQLite from seeking each field apart, three and
      // four seeks per node instead of one). versionSeries marks the versions of a series, the
      // only datasets with a versionNumber, which is in the document only.
      auto side = db.prepare(std::string("SELECT v.seq, v.field, v.value FROM json_each(?) j CROSS JOIN datasets_values v "
                                         "ON v.seq = j.value WHERE +v.field IN (") +
                             lineage_rows::kReadFieldsSql + ", 'versionSeries')");
      side.bind_all({json::serialize(seqs)});
      json::array series;
      while (side.step()) {
        if (side.text(1) == "versionSeries") series.emplace_back(side.int64(0));
        else lineage_rows::add_side_value(nodes[at.at(side.int64(0))], side.text(1), std::string(side.text(2)));
      }
      for (auto& node : nodes) {  // the order of their text, as the side rows are kept
        std::sort(node.input_datasets.begin(), node.input_datasets.end());
        std::sort(node.used_software.begin(), node.used_software.end());
      }
      if (series.empty()) return nodes;
      auto numbers = db.prepare("SELECT seq, doc ->> '$.versionNumber' FROM datasets_doc WHERE seq IN (SELECT value FROM json_each(?))");
      numbers.bind_all({json::serialize(series)});
      while (numbers.step())
        if (!numbers.is_null(1)) nodes[at.at(numbers.int64(0))].version_number = numbers.int64(1);
      return nodes;
    });
  }

  std::vector<std::string> find_ids(const CollectionSchema& schema, const QueryPlan& query) override {
    return with_db([&](SqliteDb& db) {
      const std::vector<bool> row_checked = text_forms(db, schema, query);
      std::vector<SqlParam> params;
      auto st = db.prepare(select_sql(schema, "t.id", query, row_checked, params, /*join_doc=*/false));
      st.bind_all(params);
      std::vector<std::string> out;
      while (st.step()) out.emplace_back(st.text(0));
      return out;
    });
  }

  std::vector<std::pair<std::string, std::string>> id_and_column(const CollectionSchema& schema, const std::string& field,
                                                                 const QueryPlan& query) override {
    const IndexedColumn* col = schema.column_for(field);
    if (!col) throw std::invalid_argument(schema.name + " has no column for " + field);
    const std::string what = "t.id, t." + col->column;
    return with_db([&](SqliteDb& db) {
      const std::vector<bool> row_checked = text_forms(db, schema, query);
      std::vector<SqlParam> params;
      auto st = db.prepare(select_sql(schema, what.c_str(), query, row_checked, params, /*join_doc=*/false));
      st.bind_all(params);
      std::vector<std::pair<std::string, std::string>> out;
      while (st.step()) out.emplace_back(st.text(0), st.is_null(1) ? std::string_view() : st.text(1));
      return out;
    });
  }

  std::int64_t sum(const CollectionSchema& schema, const std::string& field, const Condition& condition) override {
    const SqlFragment where = compiled(schema, condition);
    const IndexedColumn* col = schema.column_for(field);
    if (!col) throw std::invalid_argument(schema.name + " has no column for " + field);
    return with_db([&](SqliteDb& db) {
      auto st = db.prepare("SELECT COALESCE(SUM(t." + col->column + "), 0) FROM " + from(schema, where.sql) + " WHERE " +
                           where.sql);
      st.bind_all(where.params);
      st.step();
      return st.int64(0);
    });
  }

  std::int64_t count(const CollectionSchema& schema, const Condition& condition) override {
    const SqlFragment where = compiled(schema, condition);
    return with_db([&](SqliteDb& db) {
      auto st = db.prepare("SELECT COUNT(*) FROM " + from(schema, where.sql) + " WHERE " + where.sql);
      st.bind_all(where.params);
      st.step();
      return st.int64(0);
    });
  }

  std::vector<FacetBucket> facet(const CollectionSchema& schema, const std::string& field,
                                 const Condition& condition, std::int64_t max_buckets) override {
    const SqlFragment where = compiled(schema, condition);
    return with_db([&](SqliteDb& db) {
      std::vector<SqlParam> params;
      std::string sql;
      const IndexedColumn* col = schema.column_for(field);
      bool is_date = schema.is_date_field(field) || (col && col->type == ColumnType::Date);
      if (schema.is_array_field(field)) {
        // Counted inside the side table: the matching documents only as a set of seqs (none
        // at all when everything matches: then the primary key's order groups the values).
        sql = "SELECT v.value AS k, COUNT(*) AS n FROM " + schema.table + "_values v WHERE v.field = ?";
        if (where.sql != "1")
          sql += " AND v.seq IN (SELECT t.seq FROM " + from(schema, where.sql) + " WHERE " + where.sql + ")";
        sql += " GROUP BY k";
        params.push_back(field);
      } else {
        std::string expr;
        std::string source = from(schema, where.sql);
        if (col) {
          expr = "t." + col->column;
        } else {
          expr = "json_extract(d.doc, ?)";
          params.push_back(json_path_for(field));
          source = schema.table + " t JOIN " + schema.table + "_doc d ON d.seq = t.seq";
        }
        if (is_date) expr = "substr(" + expr + ", 1, 10)";
        sql = "SELECT " + expr + " AS k, COUNT(*) AS n FROM " + source + " WHERE " + where.sql + " GROUP BY k";
      }
      sql += " ORDER BY n DESC, k LIMIT ?";
      params.insert(params.end(), where.params.begin(), where.params.end());
      params.push_back(max_buckets);
      auto st = db.prepare(sql);
      st.bind_all(params);
      std::vector<FacetBucket> out;
      while (st.step()) out.push_back({cell(st, 0, col), st.int64(1)});
      return out;
    });
  }

  std::vector<std::vector<FacetBucket>> facet_columns(const CollectionSchema& schema,
                                                      const std::vector<std::string>& fields,
                                                      const Condition& condition, std::int64_t& total) override {
    const SqlFragment where = compiled(schema, condition);
    // One scan groups by all columns at once; each facet is then a marginal of that table.
    // The number of groups is the product of distinct values, small for facet columns.
    std::vector<const IndexedColumn*> cols;
    std::string select;
    for (const auto& f : fields) {
      const IndexedColumn* c = schema.column_for(f);
      if (!c || c->type == ColumnType::Date) throw std::logic_error("facet_columns needs plain columns");
      cols.push_back(c);
      select += "t." + c->column + ", ";
    }
    std::string group_by = select.empty() ? "" : " GROUP BY " + select.substr(0, select.size() - 2);
    FacetMarginals marginals(cols.size());
    with_db([&](SqliteDb& db) {
      auto st = db.prepare("SELECT " + select + "COUNT(*) FROM " + from(schema, where.sql) + " WHERE " + where.sql +
                           group_by);
      st.bind_all(where.params);
      int n_col = static_cast<int>(cols.size());
      while (st.step()) {
        std::vector<json::value> keys;
        for (int i = 0; i < n_col; ++i) keys.push_back(cell(st, i, cols[i]));
        marginals.add(std::move(keys), st.int64(n_col));
      }
    });
    total = marginals.total();
    return std::move(marginals).facets();
  }

  std::vector<json::value> unwind(const CollectionSchema& schema, const std::string& array_field,
                                  const QueryPlan& plan) override {
    return with_db([&](SqliteDb& db) {
      const SqlFragment cond = sqlite_sql::where_sql(schema, plan.conditions);
      std::vector<SqlParam> params{json_path_for(array_field)};
      std::string sql = "SELECT d.doc, je.value FROM " + schema.table + " t JOIN " + schema.table +
                        "_doc d ON d.seq = t.seq, json_each(d.doc, ?) je WHERE " + cond.sql +
                        " ORDER BY t.seq, je.key LIMIT ? OFFSET ?";
      params.insert(params.end(), cond.params.begin(), cond.params.end());
      params.push_back(plan.limit < 0 ? std::int64_t{-1} : plan.limit);
      params.push_back(plan.skip);
      auto st = db.prepare(sql);
      st.bind_all(params);
      std::vector<json::value> out;
      while (st.step()) {
        json::object row = parse_doc(st.text(0));
        row[array_field] = json::parse(st.text(1));
        out.emplace_back(std::move(row));
      }
      return out;
    });
  }

  std::vector<std::string> scientific_paths(const CollectionSchema& schema, const Condition& condition,
                                            std::int64_t limit) override {
    const SqlFragment where = compiled(schema, condition);
    if (schema.scientific_field.empty()) return {};
    return with_db([&](SqliteDb& db) {
      auto st = db.prepare("SELECT DISTINCT s.path FROM " + schema.table + "_sci s WHERE s.seq IN (SELECT t.seq FROM " +
                           from(schema, where.sql) + " WHERE " + where.sql + ") ORDER BY s.path LIMIT ?");
      st.bind_all(where.params);
      st.bind(static_cast<int>(where.params.size()) + 1, limit);
      std::vector<std::string> out;
      while (st.step()) out.emplace_back(st.text(0));
      return out;
    });
  }

  std::int64_t count_elements(const CollectionSchema& schema, const std::string& array_field,
                              const Condition& condition) override {
    const SqlFragment where = compiled(schema, condition);
    return with_db([&](SqliteDb& db) {
      auto st = db.prepare("SELECT COALESCE(SUM(json_array_length(d.doc, ?)), 0) FROM " + schema.table + " t JOIN " +
                           schema.table + "_doc d ON d.seq = t.seq WHERE " + where.sql);
      st.bind_text(1, json_path_for(array_field));
      st.bind_all(where.params, 2);
      st.step();
      return st.int64(0);
    });
  }

  std::pair<std::int64_t, std::int64_t> file_totals(const CollectionSchema& blocks, std::string_view dataset_id) override {
    return with_db([&](SqliteDb& db) {
      auto st = db.prepare("SELECT COALESCE(SUM(t.size), 0), COALESCE(SUM(json_array_length(d.doc, '$.dataFileList')), 0) "
                           "FROM " + blocks.table + " t JOIN " + blocks.table + "_doc d ON d.seq = t.seq "
                           "WHERE t.dataset_id = ?");
      st.bind(1, std::string(dataset_id));
      st.step();
      return std::pair{st.int64(0), st.int64(1)};
    });
  }

  std::optional<FacetCounts> counted_facets(const CollectionSchema& schema, const AccessValues& readers,
                                            const std::vector<std::string>& facets, std::int64_t max_buckets) override {
    auto it = facet_counts_.find(&schema);
    if (it == facet_counts_.end() || !counts_valid_.load(std::memory_order_acquire)) return std::nullopt;
    return it->second->count(readers, facets, max_buckets);
  }

  std::vector<PublicRecord> public_records(const CollectionSchema& schema, const PublicRecordRange& range,
                                           std::int64_t limit, bool with_documents) override {
    return with_db([&](SqliteDb& db) { return sqlite_public_records::records(db, schema, range, limit, with_documents); });
  }
  std::int64_t count_public_records(const CollectionSchema& schema, const PublicRecordRange& range) override {
    return with_db([&](SqliteDb& db) { return sqlite_public_records::count(db, schema, range); });
  }
  std::optional<std::string> earliest_public_datestamp(const CollectionSchema& schema) override {
    return with_db([&](SqliteDb& db) { return sqlite_public_records::earliest_datestamp(db, schema); });
  }
  std::optional<PublicRecord> public_record(const CollectionSchema& schema, std::string_view id) override {
    return with_db([&](SqliteDb& db) { return sqlite_public_records::record(db, schema, id); });
  }
  std::vector<std::string> public_values(const CollectionSchema& schema, const std::string& field,
                                         std::int64_t limit) override {
    return with_db([&](SqliteDb& db) { return sqlite_public_records::values(db, schema, field, limit); });
  }

  // Group commit: the caller's fn runs on the writer thread inside the current batch.
  void transaction(const std::function<void()>& fn) override {
    if (tx_db()) {  // nested (or already on the writer thread): join the running transaction
      fn();
      return;
    }
    Job job{&fn, acting_user::current()};
    {
      std::lock_guard lock(queue_mu_);
      queue_.push_back(&job);
    }
    queue_cv_.notify_one();
    std::unique_lock lock(queue_mu_);
    done_cv_.wait(lock, [&] { return job.done; });
    if (job.error) std::rethrow_exception(job.error);
  }

  std::optional<UserRecord> user_by_name(std::string_view username) override {
    return user_where("username", username);
  }
  std::optional<UserRecord> user_by_id(std::string_view id) override { return user_where("id", id); }

  std::vector<UserRecord> list_users(std::int64_t limit, std::int64_t skip) override {
    std::vector<std::string> ids = with_db([&](SqliteDb& db) {
      auto st = db.prepare("SELECT id FROM users ORDER BY username LIMIT ? OFFSET ?");
      st.bind_all({limit, skip});
      std::vector<std::string> out;
      while (st.step()) out.emplace_back(st.text(0));
      return out;
    });
    std::vector<UserRecord> users;
    for (const auto& id : ids)
      if (auto u = user_by_id(id)) users.push_back(std::move(*u));
    return users;
  }

  void upsert_user(const UserRecord& u) override {
    json::object doc = u.extra;
    json::array groups;
    for (const auto& g : u.groups) groups.emplace_back(g);
    doc["groups"] = std::move(groups);
    transaction([&] {
      auto st = tx_db()->prepare(
          "INSERT INTO users (id, username, email, password_hash, auth_strategy, doc) VALUES (?, ?, ?, ?, ?, ?) "
          "ON CONFLICT(id) DO UPDATE SET username = excluded.username, email = excluded.email, "
          "password_hash = excluded.password_hash, auth_strategy = excluded.auth_strategy, doc = excluded.doc");
      st.bind_all({u.id, u.username, u.email, u.password_hash, u.auth_strategy, json::serialize(doc)});
      st.run();
    });
  }

  void append_audit(const AuditEvent& event) override {
    transaction([&] { sqlite_audit_log::append(*tx_db(), event); });
  }
  std::vector<AuditEvent> audit_events(const AuditQuery& query) override {
    return with_db([&](SqliteDb& db) { return sqlite_audit_log::events(db, query); });
  }

  void add_login_failure(std::string_view key, double at) override {
    transaction([&] { sqlite_login_failures::add(*tx_db(), key, at); });
  }
  std::vector<double> login_failures(std::string_view key, double since, int limit) override {
    return with_db([&](SqliteDb& db) { return sqlite_login_failures::since(db, key, since, limit); });
  }
  void clear_login_failures(std::string_view key) override {
    transaction([&] { sqlite_login_failures::clear(*tx_db(), key); });
  }
  void forget_login_failures(double before) override {
    transaction([&] { sqlite_login_failures::forget(*tx_db(), before); });
  }

  std::optional<std::string> setting(std::string_view key) override {
    return with_db([&](SqliteDb& db) -> std::optional<std::string> {
      auto st = db.prepare("SELECT value FROM settings WHERE key = ?");
      st.bind(1, std::string(key));
      if (!st.step()) return std::nullopt;
      return std::string(st.text(0));
    });
  }

  void set_setting(std::string_view key, std::string_view value) override {
    transaction([&] {
      auto st = tx_db()->prepare("INSERT INTO settings (key, value) VALUES (?, ?) "
                                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
      st.bind_all({std::string(key), std::string(value)});
      st.run();
    });
  }

  // This process's commits, plus those other processes (an archiver beside the server) made
  // to the same file: a cache keyed by it drops results another process's write changed.
  std::uint64_t write_generation() const override {
    return generation_.load(std::memory_order_acquire) + commits_by_other_connections();
  }

  std::vector<HistoryRecord> history(const HistoryQuery& query) override {
    return read_history(query, [&](SqliteDb& db, const SqlFragment* readable, bool doc) {
      return sqlite_history::records(db, query, readable, doc);
    });
  }
  std::int64_t count_history(const HistoryQuery& query) override {
    return read_history(query, [&](SqliteDb& db, const SqlFragment* readable, bool doc) {
      return sqlite_history::count(db, query, readable, doc);
    });
  }

  HistoryFeedPage history_feed(const HistoryFeedQuery& query) override {
    std::vector<CompiledFeedRule<SqlParam>> rules;
    for (const auto& s : query.subsystems) {
      if (!s.schema || s.schema->history_subsystem.empty())
        throw std::invalid_argument("history_feed: a collection keeps no history");
      CompiledFeedRule<SqlParam> rule;
      if (s.readable) {
        SqlFragment compiled_rule = compiled(*s.schema, *s.readable);
        const std::string& t = s.schema->table;
        rule.table = t;
        rule.join = t + " t" + (needs_doc(compiled_rule.sql) ? " JOIN " + t + "_doc d ON d.seq = t.seq" : std::string());
        rule.sql = std::move(compiled_rule.sql);
        rule.params = std::move(compiled_rule.params);
      }
      rules.push_back(std::move(rule));
    }
    return with_db([&](SqliteDb& db) { return sqlite_history::feed(db, query, rules); });
  }
  std::int64_t latest_history_seq() override {
    return with_db([&](SqliteDb& db) { return sqlite_history::latest_seq(db); });
  }

  bool healthy() override {
    try {
      return with_db([&](SqliteDb& db) {
        auto st = db.prepare("SELECT 1");
        return st.step() && st.int64(0) == 1;
      });
    } catch (...) {
      return false;
    }
  }

 private:
  template <class Fn>
  std::invoke_result_t<Fn, SqliteDb&, const SqlFragment*, bool> read_history(const HistoryQuery& query, Fn&& fn) {
    if (!query.schema || query.schema->history_subsystem.empty())
      throw std::invalid_argument("history: the collection keeps no history");
    std::optional<SqlFragment> readable;
    if (query.readable) readable = compiled(*query.schema, *query.readable);
    const bool doc = readable && needs_doc(readable->sql);
    return with_db([&](SqliteDb& db) { return fn(db, readable ? &*readable : nullptr, doc); });
  }

  struct TxState {
    SqliteCatalogStore* owner = nullptr;
    SqliteDb* db = nullptr;
  };
  static thread_local TxState t_tx_;

  struct Job {
    const std::function<void()>* fn;
    std::string actor;  // the caller's acting user: the writer thread acts as it (history)
    std::exception_ptr error;
    bool done = false;
  };

  SqliteDb* tx_db() const { return t_tx_.owner == this ? t_tx_.db : nullptr; }

  template <class Fn>
  std::invoke_result_t<Fn, SqliteDb&> with_db(Fn&& fn) {
    if (SqliteDb* db = tx_db()) return fn(*db);
    auto lease = pool_.acquire();
    auto& db = lease.db;
    struct Return {
      SqlitePool& pool;
      SqlitePool::Lease& lease;
      ~Return() {
        lease.db->set_deadline(std::chrono::steady_clock::time_point::max());
        pool.release(std::move(lease));
      }
    } ret{pool_, lease};
    // Reads outside a transaction have a time budget; writes (the writer thread) never do.
    if (auto budget = query_budget_ms_.load(std::memory_order_relaxed); budget > 0)
      db->set_deadline(std::chrono::steady_clock::now() + std::chrono::milliseconds(budget));
    return fn(*db);
  }

  // The writer thread: takes every waiting job, runs each in a savepoint of one
  // transaction, commits once, then wakes the callers.
  void write_loop() {
    SqliteDb& db = *writer_db_;
    t_tx_ = {this, &db};
    std::uint64_t commits = 0;
    for (;;) {
      std::vector<Job*> batch;
      {
        std::unique_lock lock(queue_mu_);
        // Idle for a while: a good moment to index the texts written meanwhile, and to copy
        // the log into the database so that reads can skip it.
        if (!queue_cv_.wait_for(lock, std::chrono::milliseconds(500), [&] { return stopping_ || !queue_.empty(); })) {
          lock.unlock();
          index_pending_text(db, 1, -1);
          checkpointer_->when_idle();
          continue;
        }
        if (queue_.empty() && stopping_) {
          lock.unlock();
          index_pending_text(db, 1, -1);
          return;
        }
        while (!queue_.empty() && batch.size() < 512) {
          batch.push_back(queue_.front());
          queue_.pop_front();
        }
      }
      std::exception_ptr batch_error;
      try {
        db.exec("BEGIN IMMEDIATE");
        for (Job* job : batch) {
          db.exec("SAVEPOINT job");
          try {
            acting_user::Scope as(job->actor);
            (*job->fn)();
            db.exec("RELEASE job");
            for (const auto& [schema, delta] : job_delta_) batch_delta_[schema].merge(delta);
          } catch (...) {
            job->error = std::current_exception();
            db.exec("ROLLBACK TO job; RELEASE job");
          }
          job_delta_.clear();
        }
        db.exec("COMMIT");
      } catch (...) {
        batch_error = std::current_exception();
        try {
          db.exec("ROLLBACK");
        } catch (...) {
        }
      }
      // Counted before the generation moves: a facet cached under the new generation must see
      // this batch. Counts that cannot follow a committed write are switched off (queries
      // answer instead) rather than left wrong.
      if (!batch_error) {
        try {
          for (const auto& [schema, delta] : batch_delta_) facet_counts_.at(schema)->apply(delta);
        } catch (const std::exception& e) {
          counts_valid_.store(false, std::memory_order_release);
          spdlog::error("event=facet_counts_disabled error=\"{}\"", e.what());
        }
      }
      job_delta_.clear();
      batch_delta_.clear();
      generation_.fetch_add(1, std::memory_order_release);  // before any caller sees its write
      {
        std::lock_guard lock(queue_mu_);
        for (Job* job : batch) {
          if (batch_error && !job->error) job->error = batch_error;
          job->done = true;
        }
      }
      done_cv_.notify_all();
      commits += batch.size();
      index_pending_text(db, 1000, 1000);
      checkpointer_->after_batch();
      maintain(db, commits);
    }
  }

  std::uint64_t commits_by_other_connections() const {
    std::lock_guard lock(data_version_mu_);
    auto st = data_version_db_->prepare("PRAGMA data_version");
    st.step();
    const std::int64_t version = st.int64(0);
    if (last_data_version_ >= 0 && version != last_data_version_) ++data_version_changes_;
    last_data_version_ = version;
    return data_version_changes_;
  }

  // Keeps the WAL from growing without bound while readers are busy (checkpoints copy
  // pages but cannot restart the log while a reader uses it), and the planner's
  // statistics fresh. Cheap: a stat() every 64 batches.
  void maintain(SqliteDb& db, std::uint64_t commits) {
    if (++batches_ % 64 == 0) {
      std::error_code ec;
      auto wal_bytes = std::filesystem::file_size(wal_path_, ec);
      if (!ec && wal_bytes > (512u << 20)) {  // readers kept the log from restarting: wait briefly, then cut it
        sqlite3_busy_timeout(db.handle(), 200);
        sqlite3_wal_checkpoint_v2(db.handle(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
        sqlite3_busy_timeout(db.handle(), 30000);
      }
    }
    if (commits / 50000 != last_analyze_ / 50000) {
      last_analyze_ = commits;
      refresh_planner_statistics(db);
      pool_.expire();  // readers open again with the new statistics
    }
  }

  // Moves pending texts into the FTS index once at least `threshold` are waiting: the oldest
  // `max_rows` of them (all: -1). Writes wait while a chunk is indexed, so the write loop
  // indexes in chunks: each text gives the index one token per reader and trigram
  // (reader_tagged_trigrams.h), and 5,000 datasets at once held the writer for seconds.
  static void index_pending_text(SqliteDb& db, std::int64_t threshold, std::int64_t max_rows) {
    for (const CollectionSchema* s : schemas::all()) {
      if (!s->text_index) continue;
      const std::string& t = s->table;
      auto n = db.prepare("SELECT COUNT(*) FROM " + t + "_fts_pending");
      n.step();
      if (n.int64(0) < threshold) continue;
      try {
        db.exec("CREATE TEMP TABLE IF NOT EXISTS fts_chunk (seq INTEGER PRIMARY KEY); DELETE FROM temp.fts_chunk;"
                "BEGIN IMMEDIATE; INSERT INTO temp.fts_chunk SELECT seq FROM " + t + "_fts_pending ORDER BY seq LIMIT " +
                std::to_string(max_rows) + "; INSERT INTO " + t + "_fts (" + t + "_fts, rowid, search_text) SELECT "
                "'delete', p.seq, p.indexed_text FROM " + t + "_fts_pending p JOIN temp.fts_chunk c ON c.seq = p.seq "
                "WHERE p.indexed_text IS NOT NULL; INSERT INTO " + t + "_fts (rowid, search_text) SELECT x.seq, " +
                reader_tagged_trigrams::index_text_sql("x") + " FROM temp.fts_chunk c JOIN " + t +
                "_text x ON x.seq = c.seq; DELETE FROM " + t + "_fts_pending WHERE seq IN (SELECT seq FROM temp.fts_chunk);"
                "COMMIT;");
      } catch (const std::exception& e) {
        try {
          db.exec("ROLLBACK");
        } catch (...) {
        }
        spdlog::warn("event=text_index_failed table={} error=\"{}\"", t, e.what());
      }
    }
  }

  // Access-set facet counts (AccessFacetCounts): built from the tables at start; afterwards
  // each write records its change in job_delta_, which the write loop applies once committed.
  void load_facet_counts(SqliteDb& db) {
    for (const CollectionSchema* s : schemas::all()) {
      if (s->counted_facets.empty()) continue;
      if (!s->has_access_set()) throw std::logic_error(s->name + ": counted facets need access sets");
      std::string side_fields;
      for (const auto& f : s->counted_facets) {
        const IndexedColumn* col = s->column_for(f);
        if (!col && s->is_array_field(f))
          side_fields += (side_fields.empty() ? "'" : ", '") + f + "'";  // names from the schema, not from users
        else if (!col || col->type == ColumnType::Date)
          throw std::logic_error(s->name + ": counted facet " + f + " is neither a plain column nor an array field");
      }
      if (side_fields.empty()) side_fields = "NULL";
      // Documents and their side-table rows, both in seq order, merged as they stream by.
      auto rows = db.prepare(counted_columns_select(*s) + " ORDER BY t.seq");
      auto side = db.prepare("SELECT seq, field, value FROM " + s->table + "_values INDEXED BY " + s->table +
                             "_values_seq WHERE field IN (" + side_fields + ") ORDER BY seq");
      bool side_row = side.step();
      auto counts = std::make_unique<AccessFacetCounts>(s->counted_facets);
      FacetCountDelta chunk;  // applied every 10,000 documents: the delta's maps are the larger form
      std::int64_t n = 0;
      while (rows.step()) {
        std::int64_t seq = rows.int64(0);
        SideRows pairs;
        while (side_row && side.int64(0) < seq) side_row = side.step();
        while (side_row && side.int64(0) == seq) {
          pairs.emplace_back(side.text(1), side.text(2));
          side_row = side.step();
        }
        chunk.add(counted_document(*s, std::string(rows.text(1)), stored_column_keys(*s, rows, 2), pairs), +1);
        if (++n % 10000 == 0) {
          counts->apply(chunk);
          chunk.clear();
        }
      }
      counts->apply(chunk);
      facet_counts_[s] = std::move(counts);
    }
  }

  // "SELECT t.seq, t.access_set, <the counted columns> FROM <table> t", read by
  // stored_column_keys(.., 2).
  static std::string counted_columns_select(const CollectionSchema& schema) {
    std::string columns = "t.seq, t.access_set";
    for (const auto& f : schema.counted_facets)
      if (const IndexedColumn* col = schema.column_for(f)) columns += ", t." + col->column;
    return "SELECT " + columns + " FROM " + schema.table + " t";
  }

  // The counted columns of a row whose first of them is at `first`, in counted_facets order
  // (null for array fields).
  static std::vector<json::value> stored_column_keys(const CollectionSchema& schema, const Statement& st, int first) {
    std::vector<json::value> keys;
    for (const auto& f : schema.counted_facets) {
      const IndexedColumn* col = schema.column_for(f);
      keys.push_back(col ? cell(st, first++, col) : json::value(nullptr));
    }
    return keys;
  }

  // Tombstones for harvesters (sqlite_public_records.h) after a write of `id`: `rows` is what
  // was written, null for a removal. Dated by the server's clock, the one updatedAt comes from.
  static void note_public_change(SqliteDb& db, const CollectionSchema& schema, const std::string& id, bool was_public,
                                 const DocumentRows* rows) {
    if (!schema.public_tombstones) return;
    const bool now_public = rows && rows_are_public(*rows);
    if (now_public || was_public) sqlite_public_records::after_write(db, schema, id, was_public, now_public, now_iso());
  }

  // Counts a document as written.
  void count_document(const DocumentRows& rows, int sign) {
    if (rows.schema->counted_facets.empty()) return;
    job_delta_[rows.schema].add(rows.counted, sign);
  }

  // Takes the stored version of a document out of the counts, before it is changed or removed.
  void uncount_stored(SqliteDb& db, const CollectionSchema& schema, std::int64_t seq) {
    if (schema.counted_facets.empty()) return;
    auto row = db.prepare(counted_columns_select(schema) + " WHERE t.seq = ?");
    row.bind(1, seq);
    if (!row.step()) return;
    auto side = db.prepare("SELECT field, value FROM " + schema.table + "_values WHERE seq = ?");
    side.bind(1, seq);
    SideRows pairs;
    while (side.step()) pairs.emplace_back(side.text(0), side.text(1));
    job_delta_[&schema].add(
        counted_document(schema, std::string(row.text(1)), stored_column_keys(schema, row, 2), pairs), -1);
  }

  // A text condition drives a query through the text index, unless its term is common and
  // the page is short: then an index walk in the requested order meets matches soon and a
  // LIKE on those rows is cheaper than building the term's candidate list (at a million
  // datasets, 18 ms for a term in 8 % of them; a first page found by walking: ~5 ms).
  std::vector<bool> text_forms(SqliteDb& db, const CollectionSchema& schema, const QueryPlan& plan) {
    // Columns are indexed; JSON sort keys are not.
    bool ordered_by_index = plan.order.empty() || (plan.order.size() == 1 && (plan.order[0].field.kind == FieldRef::Kind::Id ||
                                                                              plan.order[0].field.kind == FieldRef::Kind::Column));
    if (plan.limit < 0 || plan.limit > 1000 || !ordered_by_index) return {};
    // The probes count candidates among the rows this reader may read, like the lookup itself,
    // and compare them with how many rows the reader may read.
    const std::vector<std::string>* readers = nullptr;
    for (const auto& c : plan.conditions)
      if (!readers && c.text_readers) readers = c.text_readers.get();
    std::vector<bool> row_checked(plan.conditions.size(), false);
    std::optional<std::int64_t> readable;
    for (std::size_t i = 0; i < plan.conditions.size(); ++i) {
      if (plan.conditions[i].kind != Condition::Kind::Text) continue;
      const std::vector<std::string> probes = sqlite_sql::text_lookups(plan.conditions[i], readers);
      if (probes.empty()) continue;  // no lookup to weigh: the terms are checked on the rows
      if (!readable) readable = readable_rows(db, schema, readers);
      row_checked[i] = text_is_common(db, schema, probes, *readable);
    }
    return row_checked;
  }

  // How many rows the readers may read: the access-set counts know it for collections that
  // keep them; otherwise (or for readers of everything) the collection's size.
  std::int64_t readable_rows(SqliteDb& db, const CollectionSchema& schema, const std::vector<std::string>* members) {
    if (members) {
      AccessValues values{false, *members};
      if (auto counted = counted_facets(schema, values, {}, 0)) return counted->total;
    }
    auto size = db.prepare("SELECT COALESCE(MAX(seq), 0) FROM " + schema.table);
    size.step();
    return size.int64(0);
  }

  // True when one of the MATCH expressions has candidates in at least 2 % of the rows the
  // reader may read (and 200). Remembered per expression for 10,000 writes: shares change
  // slowly, and the count itself costs milliseconds. An expression names its readers, so what
  // it counts, and when it is remembered, depends only on rows they may read. A walk in sort
  // order meets a first page of a term that common soon: it passes over unreadable rows by the
  // access set in the walk index, and checks the text only on readable ones.
  bool text_is_common(SqliteDb& db, const CollectionSchema& schema, const std::vector<std::string>& probes,
                      std::int64_t readable) {
    std::uint64_t generation = generation_.load(std::memory_order_acquire);
    const std::int64_t limit = std::max<std::int64_t>(200, readable / 50);
    for (const auto& probe : probes) {
      std::string key = schema.table + '\x1f' + std::to_string(limit) + '\x1f' + probe;
      {
        std::lock_guard lock(common_terms_mu_);
        auto it = common_terms_.find(key);
        if (it != common_terms_.end() && generation - it->second.second < 10000) {
          if (it->second.first) return true;
          continue;
        }
      }
      auto count = db.prepare("SELECT COUNT(*) FROM (SELECT rowid FROM " + schema.table + "_fts WHERE " + schema.table +
                              "_fts MATCH ? LIMIT ?)");
      count.bind_all({probe, limit});
      count.step();
      bool common = count.int64(0) >= limit;
      {
        std::lock_guard lock(common_terms_mu_);
        if (common_terms_.size() >= 1024) common_terms_.clear();
        common_terms_[key] = {common, generation};
      }
      if (common) return true;
    }
    return false;
  }

  static std::string from(const CollectionSchema& schema, const std::string& sql) {
    if (needs_doc(sql)) return schema.table + " t JOIN " + schema.table + "_doc d ON d.seq = t.seq";
    return schema.table + " t";
  }

  static json::value cell(const Statement& st, int i, const IndexedColumn* col) {
    switch (st.type(i)) {
      case SQLITE_NULL: return nullptr;
      case SQLITE_INTEGER:
        if (col && col->type == ColumnType::Bool) return st.int64(i) != 0;
        return st.int64(i);
      case SQLITE_FLOAT: return st.real(i);
      default: return json::string(st.text(i));
    }
  }

  // Binds the row's columns (and its access set) starting at `first`; returns the next index.
  static int bind_columns(Statement& st, const DocumentRows& rows, int first) {
    int i = first;
    for (const auto& v : rows.columns) st.bind(i++, v);
    if (rows.schema->has_access_set()) st.bind(i++, rows.access_set);
    return i;
  }

  void write_doc(SqliteDb& db, const DocumentRows& rows, std::int64_t seq, bool update) const {
    const WriteSql& sql = write_sql(*rows.schema);
    auto st = db.prepare(update ? sql.update_doc : sql.insert_doc);
    st.bind_text(1, rows.json).bind_int(2, seq);
    st.run();
    if (rows.schema->text_index) {
      auto text = db.prepare(update ? sql.update_text : sql.insert_text);
      text.bind(1, rows.search_text).bind_int(2, seq).bind_text(3, rows.text_readers);
      text.run();
    }
  }

  // Runs each statement with the document's seq as its one parameter.
  static void run_for_seq(SqliteDb& db, const std::vector<std::string>& statements, std::int64_t seq) {
    for (const auto& sql : statements) {
      auto st = db.prepare(sql);
      st.bind_int(1, seq);
      st.run();
    }
  }

  void write_side_tables(SqliteDb& db, const DocumentRows& rows, std::int64_t seq) const {
    write_values(db, rows, seq);
    write_leaves(db, rows, seq);
  }

  void write_values(SqliteDb& db, const DocumentRows& rows, std::int64_t seq) const {
    if (rows.values.empty()) return;
    auto st = db.prepare(write_sql(*rows.schema).insert_value);
    for (const auto& [field, value] : rows.values) {
      st.bind_text(1, field).bind_text(2, value).bind_int(3, seq);
      st.run();
    }
  }

  void write_leaves(SqliteDb& db, const DocumentRows& rows, std::int64_t seq) const {
    const WriteSql& sql = write_sql(*rows.schema);
    // Leaves go in by statements of several rows: one statement keeps its cursor on the
    // page where the previous leaf went, and a document's leaves are neighbours (a new
    // document's are appended at the table's end), so each row after the first skips the
    // descent from the root.
    std::size_t next = 0;
    while (next < rows.leaves.size()) {
      std::size_t k = WriteSql::kLeafChunks.size() - 1;
      while (WriteSql::kLeafChunks[k] > rows.leaves.size() - next) --k;
      auto st = db.prepare(sql.insert_leaves[k]);
      for (std::size_t n = 0; n < WriteSql::kLeafChunks[k]; ++n, ++next) {
        const ScientificRow& leaf = rows.leaves[next];
        const int i = static_cast<int>(n) * 7;  // 7 placeholders per row, in column order
        st.bind_int(i + 1, seq).bind_text(i + 2, leaf.path).bind_int(i + 3, leaf.ord).bind(i + 4, leaf.num);
        st.bind(i + 5, leaf.num_si).bind_text(i + 6, leaf.unit_si).bind(i + 7, leaf.text);
      }
      st.run();
    }
  }

  static std::string select_sql(const CollectionSchema& schema, const char* what, const QueryPlan& plan,
                                const std::vector<bool>& row_checked, std::vector<SqlParam>& params, bool join_doc) {
    const SqlFragment cond = sqlite_sql::where_sql(schema, plan.conditions, row_checked);
    const SqlFragment order_by = sqlite_sql::order_sql(plan.order);
    const std::string& order = order_by.sql;
    const std::vector<SqlParam>& order_params = order_by.params;
    bool doc = join_doc || needs_doc(cond.sql) || needs_doc(order);
    std::string sql = std::string("SELECT ") + what + " FROM " + schema.table + " t" +
                      (doc ? " JOIN " + schema.table + "_doc d ON d.seq = t.seq" : "") + " WHERE " + cond.sql;
    params = cond.params;
    params.insert(params.end(), order_params.begin(), order_params.end());
    // Ties break by seq in the direction of the last sort key: an index on one column holds
    // (value, seq), so it then delivers the whole order and a LIMIT stops the walk early
    // instead of sorting every match.
    bool last_descending = !plan.order.empty() && plan.order.back().descending;
    sql += " ORDER BY " + order + (last_descending ? "t.seq DESC" : "t.seq ASC") + " LIMIT ? OFFSET ?";
    params.push_back(plan.limit < 0 ? std::int64_t{-1} : plan.limit);
    params.push_back(plan.skip);
    return sql;
  }

  std::optional<UserRecord> user_where(const char* column, std::string_view value) {
    return with_db([&](SqliteDb& db) -> std::optional<UserRecord> {
      auto st = db.prepare(std::string("SELECT id, username, email, password_hash, auth_strategy, doc FROM users WHERE ") +
                           column + " = ?");
      st.bind(1, std::string(value));
      if (!st.step()) return std::nullopt;
      UserRecord u;
      u.id = st.text(0);
      u.username = st.text(1);
      u.email = st.text(2);
      u.password_hash = st.text(3);
      u.auth_strategy = st.text(4);
      u.extra = parse_doc(st.text(5));
      if (auto* g = u.extra.if_contains("groups"); g && g->is_array())
        for (const auto& x : g->get_array())
          if (x.is_string()) u.groups.emplace_back(x.get_string());
      u.extra.erase("groups");
      return u;
    });
  }

  // Runs `body` to take the database from format `from` to the next one, in one transaction:
  // an interrupted upgrade leaves format `from`. Another process (an archiver) may be
  // upgrading at the same time: this one waits for the write lock as long as an upgrade
  // takes (minutes per million datasets), then reads the version again.
  static void upgrade(SqliteDb& db, std::int64_t from, const char* what, const std::function<void()>& body) {
    sqlite3_busy_timeout(db.handle(), 3600 * 1000);
    try {
      db.exec("BEGIN IMMEDIATE");
    } catch (...) {
      sqlite3_busy_timeout(db.handle(), 30000);
      throw;
    }
    sqlite3_busy_timeout(db.handle(), 30000);
    try {
      std::int64_t version = 0;
      {  // finished before the body: a table cannot be dropped while a statement is open
        auto st = db.prepare("PRAGMA user_version");
        st.step();
        version = st.int64(0);
      }
      if (version == from) {
        spdlog::info("catalog: upgrading the database to format {} ({})", from + 1, what);
        body();
        db.exec("PRAGMA user_version = " + std::to_string(from + 1));
      }
      db.exec("COMMIT");
    } catch (...) {
      // SQLite may have rolled back already (a full disk, an I/O error): the error that
      // got us here is the one to report, not the ROLLBACK's.
      if (!sqlite3_get_autocommit(db.handle())) {
        try {
          db.exec("ROLLBACK");
        } catch (...) {
        }
      }
      throw;
    }
  }

  // Format 5 to 6: each ownable row gains its access set, computed from its document the
  // way writes compute it, and walk-order indexes carry it.
  // Collections added after a format was current have no tables in a catalog of that
  // format: their tables are created after the upgrades, with the rest of the schema.
  static bool table_exists(SqliteDb& db, const std::string& table) {
    auto st = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?");
    st.bind_all({table});
    return st.step();
  }

  static void upgrade_5_to_6(SqliteDb& db) {
    upgrade(db, 5, "access sets in rows", [&] {
      for (const CollectionSchema* s : schemas::all()) {
        if (!s->has_access_set() || !table_exists(db, s->table)) continue;
        db.exec("ALTER TABLE " + s->table + " ADD COLUMN access_set TEXT");
        {
          auto docs = db.prepare("SELECT seq, doc FROM " + s->table + "_doc");
          auto update = db.prepare("UPDATE " + s->table + " SET access_set = ? WHERE seq = ?");
          while (docs.step()) {
            update.bind_all({access_set_of(*s, parse_doc(docs.text(1))), docs.int64(0)});
            update.run();
          }
        }
        for (const auto& c : s->columns)
          if (c.walk_order) db.exec("DROP INDEX IF EXISTS " + s->table + "_" + c.column + "; " + walk_index_ddl(*s, c));
      }
    });
  }

  // Format 6 to 7: the search text leaves <t>_doc(seq, doc, search_text) for <t>_text, so
  // that a document of up to ~4 KB fits one page and a read by id costs one page fewer.
  // Documents are copied in seq order into a new table (a compact one, unlike the row-by-row
  // rewrite of DROP COLUMN), and the text index is rebuilt over its new content table.
  // Minutes per million datasets; the freed pages are reused by later writes.
  static void upgrade_6_to_7(SqliteDb& db) {
    upgrade(db, 6, "search texts in their own table", [&] {
      for (const CollectionSchema* s : schemas::all()) {
        const std::string& t = s->table;
        if (!table_exists(db, t)) continue;
        // a collection that gained its text index later has none to move (10 to 11 builds it)
        const bool indexed = s->text_index && table_exists(db, t + "_fts_pending");
        if (indexed)
          db.exec("DROP TABLE " + t + "_fts; DELETE FROM " + t + "_fts_pending;" +
                  "CREATE TABLE " + t + "_text" + kFormat11TextColumns + ";"
                  "INSERT INTO " + t + "_text (seq, search_text) SELECT seq, COALESCE(search_text, '') FROM " + t +
                  "_doc ORDER BY seq;");  // a row for every document: a write only updates it
        db.exec("CREATE TABLE " + t + "_doc_new" + kDocColumns + ";"
                "INSERT INTO " + t + "_doc_new (seq, doc) SELECT seq, doc FROM " + t + "_doc ORDER BY seq;"
                "DROP TABLE " + t + "_doc;"  // with its triggers
                "ALTER TABLE " + t + "_doc_new RENAME TO " + t + "_doc;");
        if (indexed) db.exec(format_11_text_index_ddl(t) + "INSERT INTO " + t + "_fts (" + t + "_fts) VALUES ('rebuild');");
      }
    });
  }

  // Format 7 to 8: indexed columns added since (datasetlifecycle.dateOfPublishing, for the
  // embargo sweep): each missing column is added and filled from the documents the way writes
  // fill it. New collections need nothing here: their tables are created with the schema.
  static void upgrade_7_to_8(SqliteDb& db) {
    upgrade(db, 7, "indexed columns added since format 7", [&] { add_missing_columns(db); });
  }

  // Format 8 to 9: a changed or removed text leaves the index in the batch that indexes the
  // queue, not in its write's trigger (text_index_ddl). Texts queued by format 8 were already
  // taken out of the index: their indexed_text is NULL.
  static void upgrade_8_to_9(SqliteDb& db) {
    upgrade(db, 8, "text index updates in batches", [&] {
      for (const CollectionSchema* s : schemas::all()) {
        if (!s->text_index || !table_exists(db, s->table + "_fts_pending")) continue;  // none yet: 10 to 11
        const std::string f = s->table + "_fts";
        bool has_column = false;  // already there when the queue was made by this version's DDL
        {
          auto info = db.prepare("SELECT 1 FROM pragma_table_info('" + f + "_pending') WHERE name = 'indexed_text'");
          has_column = info.step();
        }
        if (!has_column) db.exec("ALTER TABLE " + f + "_pending ADD COLUMN indexed_text TEXT;");
        db.exec("DROP TRIGGER IF EXISTS " + f + "_ai; DROP TRIGGER IF EXISTS " + f + "_ad; DROP TRIGGER IF EXISTS " + f +
                "_au;" + format_11_text_index_ddl(s->table));
      }
    });
  }

  // Format 9 to 10: fields computed for each reader leave the stored documents. Earlier
  // versions kept a proposal's numberOfDatasets as a count of all datasets referencing it,
  // which a where, order or facet (or a proposal included with a dataset) showed to readers
  // who may not see those datasets. Only the document changes: the field is a number, so it
  // is in no indexed column, side table or search text.
  static void upgrade_9_to_10(SqliteDb& db) {
    upgrade(db, 9, "per-reader fields out of the stored documents", [&] { drop_per_reader_fields(db); });
  }

  // Format 10 to 11: collections that gained a text index (jobs, for the frontend's job
  // search) get its tables, a text row for every stored document (writes only update them),
  // and the index built over them at once.
  static void upgrade_10_to_11(SqliteDb& db) {
    upgrade(db, 10, "text indexes of collections that gained one", [&] {
      for (const CollectionSchema* s : schemas::all()) {
        const std::string& t = s->table;
        if (!s->text_index || !table_exists(db, t) || table_exists(db, t + "_text")) continue;
        db.exec(format_11_text_index_ddl(t));
        {
          auto docs = db.prepare("SELECT seq, doc FROM " + t + "_doc ORDER BY seq");
          auto insert = db.prepare("INSERT INTO " + t + "_text (seq, search_text) VALUES (?, ?)");
          while (docs.step()) {
            insert.bind_all({docs.int64(0), search_text_for(*s, parse_doc(docs.text(1)))});
            insert.run();
          }
        }
        db.exec("INSERT INTO " + t + "_fts (" + t + "_fts) VALUES ('rebuild'); DELETE FROM " + t + "_fts_pending;");
      }
    });
  }

  // Format 11 to 12: the text index tags each token with a reader of its row
  // (reader_tagged_trigrams.h), so a search walks only rows its caller may read. The index
  // holds no content of its own now (its rows are given to it in the tagged form), and a text
  // row keeps the access set its tokens carry, so that the tokens can be taken out again.
  // The index is built anew: minutes per million datasets.
  static void upgrade_11_to_12(SqliteDb& db) {
    upgrade(db, 11, "text index tokens tagged with their readers", [&] {
      for (const CollectionSchema* s : schemas::all()) {
        const std::string& t = s->table;
        const std::string f = t + "_fts";
        if (!s->text_index || !table_exists(db, t + "_text")) continue;
        db.exec("DROP TRIGGER IF EXISTS " + f + "_ai; DROP TRIGGER IF EXISTS " + f + "_ad; DROP TRIGGER IF EXISTS " + f +
                "_au; DROP TABLE " + f + "; DELETE FROM " + f + "_pending; ALTER TABLE " + t +
                "_text ADD COLUMN readers TEXT;");
        std::vector<std::pair<std::int64_t, std::string>> readers;
        {  // read first: the rows are written after the statement that walks them ends
          auto docs = db.prepare("SELECT seq, doc FROM " + t + "_doc ORDER BY seq");
          while (docs.step()) readers.emplace_back(docs.int64(0), text_readers_of(*s, parse_doc(docs.text(1))));
        }
        auto update = db.prepare("UPDATE " + t + "_text SET readers = ? WHERE seq = ?");
        for (auto& [seq, key] : readers) {
          update.bind_all({std::move(key), seq});
          update.run();
        }
        db.exec(text_index_ddl(t) + "INSERT INTO " + f + " (rowid, search_text) SELECT x.seq, " +
                reader_tagged_trigrams::index_text_sql("x") + " FROM " + t + "_text x ORDER BY x.seq;");
      }
    });
  }

  // Format 12 to 13: the change history (store/history.h) starts, empty. The format moves so
  // that an older openem, which would change documents without recording them, refuses the
  // catalog instead of leaving gaps in its history.
  static void upgrade_12_to_13(SqliteDb& db) {
    upgrade(db, 12, "the change history", [&] { db.exec(sqlite_history::ddl()); });
  }

  // Format 13 to 14: datasets' usedSoftware gets side rows (the lineage walk reads them, and a
  // filter on it uses the index). Array fields that gain side rows later are added here too:
  // each stored document's values of them, as document_rows gives them.
  // A first version made before format 14 gets the series a later version names it by
  // (docs/lineage.md), as dataset_writes.cpp now does when the second version is made.
  static void upgrade_13_to_14(SqliteDb& db) {
    upgrade(db, 13, "side rows of datasets' usedSoftware; series of first versions", [&] {
      add_side_rows(db, schemas::datasets(), "usedSoftware");
      if (!table_exists(db, "datasets")) return;
      std::vector<std::tuple<std::int64_t, std::string, std::string>> firsts;  // seq, pid, new document
      {
        auto st = db.prepare(
            "SELECT t.seq, t.id, d.doc FROM datasets t JOIN datasets_doc d ON d.seq = t.seq WHERE EXISTS (SELECT 1 FROM "
            "datasets_values v WHERE v.field = 'previousVersion' AND v.value = t.id) AND NOT EXISTS (SELECT 1 FROM "
            "datasets_values w WHERE w.seq = t.seq AND w.field = 'versionSeries')");
        while (st.step()) {
          json::object doc = parse_doc(st.text(2));
          doc["versionNumber"] = 1;
          doc["versionSeries"] = std::string(st.text(1));
          firsts.emplace_back(st.int64(0), std::string(st.text(1)), json::serialize(doc));
        }
      }
      auto update = db.prepare("UPDATE datasets_doc SET doc = ? WHERE seq = ?");
      auto side = db.prepare("INSERT OR IGNORE INTO datasets_values (field, value, seq) VALUES ('versionSeries', ?, ?)");
      for (auto& [seq, pid, doc] : firsts) {
        update.bind_all({std::move(doc), seq});
        update.run();
        side.bind_all({pid, seq});
        side.run();
      }
    });
  }

  static void add_side_rows(SqliteDb& db, const CollectionSchema& s, const std::string& field) {
    if (!table_exists(db, s.table)) return;
    std::vector<std::pair<std::int64_t, std::string>> rows;
    {  // read first: the side table is written after the statement that walks the documents ends
      auto docs = db.prepare("SELECT seq, doc FROM " + s.table + "_doc WHERE json_type(doc, ?) IS NOT NULL");
      docs.bind_all({json_path_for(field)});
      while (docs.step())
        for (auto& [f, value] : document_rows(s, parse_doc(docs.text(1))).values)
          if (f == field) rows.emplace_back(docs.int64(0), std::move(value));
    }
    auto insert = db.prepare("INSERT OR IGNORE INTO " + s.table + "_values (field, value, seq) VALUES (?, ?, ?)");
    for (auto& [seq, value] : rows) {
      insert.bind_all({field, std::move(value), seq});
      insert.run();
    }
  }

  static void drop_per_reader_fields(SqliteDb& db) {
    for (const CollectionSchema* s : schemas::all()) {
      if (s->per_reader_fields.empty() || !table_exists(db, s->table)) continue;
      for (const auto& field : s->per_reader_fields) {
        std::vector<std::pair<std::int64_t, std::string>> changed;
        {  // read first: the documents are rewritten after the statement that walks them ends
          auto docs = db.prepare("SELECT seq, doc FROM " + s->table + "_doc WHERE json_type(doc, ?) IS NOT NULL");
          docs.bind_all({json_path_for(field)});
          while (docs.step()) {
            json::object doc = parse_doc(docs.text(1));
            doc.erase(field);
            changed.emplace_back(docs.int64(0), json::serialize(doc));
          }
        }
        auto update = db.prepare("UPDATE " + s->table + "_doc SET doc = ? WHERE seq = ?");
        for (auto& [seq, text] : changed) {
          update.bind_all({std::move(text), seq});
          update.run();
        }
      }
    }
  }

  static void add_missing_columns(SqliteDb& db) {
    for (const CollectionSchema* s : schemas::all()) {
      if (!table_exists(db, s->table)) continue;
      std::set<std::string> present;
      {
        auto info = db.prepare("SELECT name FROM pragma_table_info(?)");
        info.bind_all({s->table});
        while (info.step()) present.emplace(info.text(0));
      }
      for (const auto& c : s->columns) {
        if (present.count(c.column)) continue;
        db.exec("ALTER TABLE " + s->table + " ADD COLUMN " + c.column + " " + sql_type(c.type));
        auto docs = db.prepare("SELECT seq, doc FROM " + s->table + "_doc");
        auto update = db.prepare("UPDATE " + s->table + " SET " + c.column + " = ? WHERE seq = ?");
        while (docs.step()) {
          SqlParam v = column_value(c, parse_doc(docs.text(1)));
          if (std::holds_alternative<std::nullptr_t>(v)) continue;
          update.bind_all({v, docs.int64(0)});
          update.run();
        }
      }
    }
  }

  // The text index over <t>_text, its queue of texts waiting to be indexed, and the
  // triggers that fill the queue. New, changed and removed texts wait in <t>_fts_pending and
  // are indexed in large batches by the writer (index_pending_text): one FTS segment per batch
  // instead of one per commit keeps the merge cost down. Text queries also check the pending
  // rows, so a document is found the moment its write is acknowledged.
  //
  // A pending row keeps `indexed_text`, the text the index holds for that seq (NULL: none),
  // which the batch takes out before it puts the current text in. Taking it out at once, in
  // the trigger, cost a tokenisation and a small FTS segment per write: at a million
  // datasets, 10,000 embargoes ending in one minute spent 1.7 ms of their 2.9 ms each on it.
  // Meanwhile the old tokens only add candidates, and every candidate is confirmed by a LIKE
  // on the stored text (text_search.cpp), so no answer changes. The first pending row of a
  // seq wins (INSERT OR IGNORE): until the batch runs, the index still holds what it held then.
  //
  // The index is contentless: a row is given to it as reader_tagged_trigrams' index text (the
  // row's readers, then its text), and `indexed_text` keeps that form.
  static std::string text_index_ddl(const std::string& t) {
    const std::string x = t + "_text", f = t + "_fts", p = t + "_fts_pending";
    const std::string queue_old = "INSERT OR IGNORE INTO " + p + " (seq, indexed_text) VALUES (old.seq, " +
                                  reader_tagged_trigrams::index_text_sql("old") + "); ";
    return "CREATE TABLE IF NOT EXISTS " + x + kTextColumns + ";"
           "CREATE VIRTUAL TABLE IF NOT EXISTS " + f + " USING fts5(search_text, content='', tokenize='" +
           reader_tagged_trigrams::kTokenizerName + "', detail='none');"
           // A chunk of texts (index_pending_text) gives ~4 tokens per trigram: with FTS5's
           // 1 MiB of pending terms it became dozens of small segments to merge, each merge
           // rewriting the large ones again. One or two segments per chunk, merged 8 at a time.
           "INSERT INTO " + f + " (" + f + ", rank) VALUES ('hashsize', 33554432);"
           "INSERT INTO " + f + " (" + f + ", rank) VALUES ('automerge', 8);"
           "CREATE TABLE IF NOT EXISTS " + p + " (seq INTEGER PRIMARY KEY, indexed_text TEXT);"
           "CREATE TRIGGER IF NOT EXISTS " + f + "_ai AFTER INSERT ON " + x + " BEGIN "
           "INSERT OR IGNORE INTO " + p + " (seq) VALUES (new.seq); END;"
           "CREATE TRIGGER IF NOT EXISTS " + f + "_ad AFTER DELETE ON " + x + " BEGIN " + queue_old + "END;"
           "CREATE TRIGGER IF NOT EXISTS " + f + "_au AFTER UPDATE OF search_text, readers ON " + x + " BEGIN " +
           queue_old + "END;";
  }

  // The text index as formats 6 to 11 kept it (one untagged token per trigram, content read
  // from <t>_text): what the upgrades up to 11 build, before 11 to 12 replaces it.
  static std::string format_11_text_index_ddl(const std::string& t) {
    const std::string x = t + "_text", f = t + "_fts", p = t + "_fts_pending";
    const std::string queue_old = "INSERT OR IGNORE INTO " + p + " (seq, indexed_text) VALUES (old.seq, old.search_text); ";
    return "CREATE TABLE IF NOT EXISTS " + x + kFormat11TextColumns + ";"
           "CREATE VIRTUAL TABLE IF NOT EXISTS " + f + " USING fts5(search_text, content='" + x +
           "', content_rowid='seq', tokenize='trigram', detail='none');"
           "CREATE TABLE IF NOT EXISTS " + p + " (seq INTEGER PRIMARY KEY, indexed_text TEXT);"
           "CREATE TRIGGER IF NOT EXISTS " + f + "_ai AFTER INSERT ON " + x + " BEGIN "
           "INSERT OR IGNORE INTO " + p + " (seq) VALUES (new.seq); END;"
           "CREATE TRIGGER IF NOT EXISTS " + f + "_ad AFTER DELETE ON " + x + " BEGIN " + queue_old + "END;"
           "CREATE TRIGGER IF NOT EXISTS " + f + "_au AFTER UPDATE OF search_text ON " + x + " BEGIN " + queue_old +
           "END;";
  }

  // A walk in this column's order tests each row's access set in the index (covering, with
  // seq for the tie order) instead of reading rows the reader may not see.
  static std::string walk_index_ddl(const CollectionSchema& s, const IndexedColumn& c) {
    return "CREATE INDEX IF NOT EXISTS " + s.table + "_" + c.column + "_walk ON " + s.table + " (" + c.column +
           ", seq, access_set);";
  }

  // Anonymous visitors read published rows only (`t.is_published = 1`): their walk in this
  // column's order goes through published rows alone, so page 400 of the public datasets
  // skips 10,000 index entries instead of testing ~200,000 rows when 5 % are public.
  static std::string public_walk_index_ddl(const CollectionSchema& s, const IndexedColumn& c) {
    return "CREATE INDEX IF NOT EXISTS " + s.table + "_" + c.column + "_public_walk ON " + s.table + " (" + c.column +
           ", seq) WHERE is_published = 1;";
  }

  static bool has_published_column(const CollectionSchema& s) {
    return std::any_of(s.columns.begin(), s.columns.end(), [](const IndexedColumn& c) { return c.column == "is_published"; });
  }

  static void create_schema(SqliteDb& db) {
    std::int64_t version = 0, tables = 0;
    {  // read, then reset, before the upgrade changes the schema
      auto st = db.prepare("PRAGMA user_version");
      st.step();
      version = st.int64(0);
      auto count = db.prepare("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'");
      count.step();
      tables = count.int64(0);
    }
    if (tables > 0 && version >= 5 && version < kSchemaVersion) {  // each step runs only from its own format
      upgrade_5_to_6(db);
      upgrade_6_to_7(db);
      upgrade_7_to_8(db);
      upgrade_8_to_9(db);
      upgrade_9_to_10(db);
      upgrade_10_to_11(db);
      upgrade_11_to_12(db);
      upgrade_12_to_13(db);
      upgrade_13_to_14(db);
    } else if (tables > 0 && version != kSchemaVersion) {
      throw std::runtime_error("catalog database has format " + std::to_string(version) + ", this openem needs " +
                               std::to_string(kSchemaVersion) + ": start with a new data directory");
    }
    std::string ddl =
        "CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, email TEXT, "
        "password_hash TEXT, auth_strategy TEXT, doc TEXT NOT NULL);" +
        sqlite_audit_log::ddl() + sqlite_history::ddl() + sqlite_login_failures::ddl();
    for (const CollectionSchema* s : schemas::all()) {
      const std::string& t = s->table;
      ddl += "CREATE TABLE IF NOT EXISTS " + t + " (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE";
      for (const auto& c : s->columns) ddl += ", " + c.column + " " + sql_type(c.type);
      if (s->has_access_set()) ddl += ", access_set TEXT";
      ddl += ");";
      ddl += "CREATE TABLE IF NOT EXISTS " + t + "_doc" + kDocColumns + ";";
      for (const auto& c : s->columns) {
        if (c.walk_order && s->has_access_set()) {
          ddl += walk_index_ddl(*s, c);
          if (has_published_column(*s)) ddl += public_walk_index_ddl(*s, c);
        } else
          ddl += "CREATE INDEX IF NOT EXISTS " + t + "_" + c.column + " ON " + t + " (" + c.column + ");";
      }
      if (!s->array_fields.empty()) {
        ddl += "CREATE TABLE IF NOT EXISTS " + t +
               "_values (field TEXT NOT NULL, value TEXT NOT NULL, seq INTEGER NOT NULL, "
               "PRIMARY KEY (field, value, seq)) WITHOUT ROWID;"
               "CREATE INDEX IF NOT EXISTS " + t + "_values_seq ON " + t + "_values (seq);";
      }
      if (s->text_index) ddl += text_index_ddl(t);
      ddl += sqlite_public_records::ddl(*s);
      if (!s->scientific_field.empty()) {
        // Clustered by document and path, with no secondary index: a write appends, and a
        // condition is a seek per candidate document. An index on (path, value) would make
        // every write touch ~50 random pages of a table that holds ~50 leaves per dataset.
        ddl += "CREATE TABLE IF NOT EXISTS " + t +
               "_sci (seq INTEGER NOT NULL, path TEXT NOT NULL, ord INTEGER NOT NULL, num REAL, num_si REAL, "
               "unit_si TEXT, text TEXT, PRIMARY KEY (seq, path, ord)) WITHOUT ROWID;";
      }
    }
    // The embargo sweep's walk: only unpublished datasets, in the order their embargo ends.
    ddl += "CREATE INDEX IF NOT EXISTS datasets_embargo ON datasets (date_of_publishing) WHERE is_published = 0;";
    ddl += "PRAGMA user_version = " + std::to_string(kSchemaVersion) + ";";
    db.exec("BEGIN IMMEDIATE;" + ddl + "COMMIT;");
  }

  // Every collection in schemas::all() has its statements; no other schema is stored.
  const WriteSql& write_sql(const CollectionSchema& s) const { return write_sql_.at(&s); }

  SqlitePool pool_;
  std::unordered_map<const CollectionSchema*, WriteSql> write_sql_;
  std::unique_ptr<SqliteDb> writer_db_;
  std::mutex queue_mu_;
  std::condition_variable queue_cv_, done_cv_;
  std::deque<Job*> queue_;
  bool stopping_ = false;
  std::uint64_t last_analyze_ = 0;
  std::uint64_t batches_ = 0;
  std::atomic<std::uint64_t> generation_{0};
  // PRAGMA data_version on a connection of its own changes whenever another connection (this
  // process's writer, or another process) commits: each change seen counts one.
  mutable std::mutex data_version_mu_;
  mutable std::unique_ptr<SqliteDb> data_version_db_;
  mutable std::int64_t last_data_version_ = -1;
  mutable std::uint64_t data_version_changes_ = 0;
  std::atomic<std::int64_t> query_budget_ms_{0};
  std::map<const CollectionSchema*, std::unique_ptr<AccessFacetCounts>> facet_counts_;  // fixed after start
  std::map<const CollectionSchema*, FacetCountDelta> job_delta_, batch_delta_;          // writer thread only
  std::atomic<bool> counts_valid_{true};
  std::mutex common_terms_mu_;
  std::unordered_map<std::string, std::pair<bool, std::uint64_t>> common_terms_;  // text_is_common: (common, generation)
  std::filesystem::path wal_path_;
  std::unique_ptr<WalCheckpointer> checkpointer_;  // after writer_db_: destroyed before it
  std::thread writer_;
};

thread_local SqliteCatalogStore::TxState SqliteCatalogStore::t_tx_;

}  // namespace

std::unique_ptr<CatalogStore> open_sqlite_store(const std::filesystem::path& file) {
  return std::make_unique<SqliteCatalogStore>(file);
}

}  // namespace openem

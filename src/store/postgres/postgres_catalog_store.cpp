// The PostgreSQL catalog (CatalogStore over libpq), for deployments that run several openem
// processes on one managed database. Same answers as the SQLite store (the contract tests run
// against both); how it keeps the multi-process contract is written in docs/deploy.md:
//  - every transaction() takes one advisory lock, so write transactions are serial across all
//    processes exactly as they are within one SQLite process (a job is claimed once); an
//    insert on its own reads nothing and takes the lock only to commit (LockAt::Commit);
//  - the write generation lives in the database (openem_meta), bumped in the transaction that
//    writes, so a cache on any process sees another's write at once;
//  - a write is acknowledged only after COMMIT returned: a killed process loses only what it
//    had not acknowledged.
#include <boost/json.hpp>

#include <atomic>
#include <stdexcept>
#include <map>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "core/request_scope.h"
#include "core/time.h"
#include "model/access_set.h"
#include "store/catalog_store.h"
#include "store/document_rows.h"
#include "store/facet_marginals.h"
#include "store/postgres/pg_cells.h"
#include "store/postgres/pg_condition_sql.h"
#include "store/postgres/pg_facet_counts.h"
#include "store/postgres/pg_history.h"
#include "store/postgres/pg_pool.h"
#include "store/postgres/pg_public_records.h"
#include "store/postgres/pg_schema.h"
#include "store/store_errors.h"

namespace openem {
namespace json = boost::json;
namespace {

using pg_sql::SqlFragment;

using pg_schema::kWriteLock;  // the advisory lock every write transaction holds

json::object parse_doc(std::string_view text) {
  json::value v = json::parse(text);
  return std::move(v.as_object());
}

// The statements one collection's writes use, built once.
struct WriteSql {
  std::string insert_row, update_row, seq_of_id;
  explicit WriteSql(const CollectionSchema& s) {
    std::string names = "id, doc, doc_text", values = "?, ?::jsonb, ?", sets = "doc = ?::jsonb, doc_text = ?";
    for (const auto& c : s.columns) {
      names += ", " + c.column;
      values += ", ?";
      sets += ", " + c.column + " = ?";
    }
    if (s.text_index) {
      names += ", search_text";
      values += ", ?";
      sets += ", search_text = ?";
    }
    if (s.has_access_set()) {
      names += ", access";
      values += ", ?::text[]";
      sets += ", access = ?::text[]";
    }
    insert_row = "INSERT INTO " + s.table + " (" + names + ") VALUES (" + values + ") RETURNING seq";
    update_row = "UPDATE " + s.table + " SET " + sets + " WHERE seq = ?";
    // With the stored text when the collection keeps a history: its record needs it (pg_history.h).
    seq_of_id = std::string("SELECT seq") + (s.history_subsystem.empty() ? "" : ", doc_text") + " FROM " + s.table +
                " WHERE id = ? FOR UPDATE";
  }
};

// The row's values after the id (doc twice: as JSONB and as text), in WriteSql's order.
std::vector<FieldValue> row_values(const DocumentRows& rows) {
  std::vector<FieldValue> v{rows.json, rows.json};
  v.insert(v.end(), rows.columns.begin(), rows.columns.end());
  if (rows.schema->text_index) v.push_back(rows.search_text);
  if (rows.schema->has_access_set()) {
    std::vector<FieldValue> members;
    for (std::string_view m : access_set_members(rows.access_set)) members.emplace_back(std::string(m));
    v.emplace_back(pg_array_literal(members));
  }
  return v;
}

using pg_cells::column;

class PostgresCatalogStore final : public CatalogStore {
 public:
  using CatalogStore::insert;
  using CatalogStore::replace;

  explicit PostgresCatalogStore(const std::string& url) : pool_(url, 16), facet_counts_(pool_) {
    auto db = pool_.acquire();
    pg_schema::create_or_upgrade(*db);
    for (const CollectionSchema* s : schemas::all()) write_sql_.emplace(s, WriteSql(*s));
    // The facet counts are built from the tables (seconds at a million datasets) in the
    // background, so the first facet request after a start does not wait for all of it.
    warm_up_ = std::thread([this] {
      try {
        facet_counts_.current(schemas::datasets());
      } catch (const std::exception& e) {
        spdlog::warn("event=facet_counts_warm_up_failed error=\"{}\"", e.what());  // the first reader builds them
      }
    });
  }
  ~PostgresCatalogStore() override {
    warm_up_.join();
    std::thread analyzer;
    {
      std::lock_guard lock(analyze_mu_);  // (the analyzer takes it as it ends: join outside it)
      analyzer = std::move(analyzer_);
    }
    if (analyzer.joinable()) analyzer.join();
  }

  void insert(const DocumentRows& rows) override {
    if (tx_db()) {  // in the caller's transaction: a duplicate id must not abort it
      insert_rows(*tx_db(), rows, /*savepoint=*/true);
      return;
    }
    // On its own, an insert reads nothing: its rows go in before the write lock (LockAt::Commit).
    // Inserting an id that a lock-holding transaction inserts too can deadlock (each waits for
    // the other's lock); PostgreSQL then aborts one, and its second try meets the id: a 409.
    // The second try can race the holder's insert of that id once more (it may write its row
    // first, then wait for the lock the holder keeps while it waits for that row): such a cycle
    // is always another transaction taking this id, so it ends as a taken id, never a PgError.
    for (int attempt = 0;; ++attempt) {
      try {
        run_transaction([&] { insert_rows(*tx_db(), rows, /*savepoint=*/false); }, LockAt::Commit);
        return;
      } catch (const PgError& e) {
        if (!e.is_deadlock()) throw;
        if (attempt > 0)
          throw StoreError(StoreError::Kind::kDuplicateId, "A document with id " + rows.id + " is being inserted by another request");
      }
    }
  }

  std::optional<json::object> get(const CollectionSchema& schema, std::string_view id) override {
    return with_db([&](PgConnection& db) -> std::optional<json::object> {
      auto r = db.exec("SELECT doc_text FROM " + schema.table + " WHERE id = ?", {std::string(id)});
      if (r.rows() == 0) return std::nullopt;
      return parse_doc(r.text(0, 0));
    });
  }

  std::optional<RawDocument> get_raw(const CollectionSchema& schema, std::string_view id,
                                     const Condition& access_rule) override {
    SqlFragment access = pg_sql::condition_sql(schema, access_rule);
    access.params.emplace_back(std::string(id));
    return with_db([&](PgConnection& db) -> std::optional<RawDocument> {
      auto r = db.exec("SELECT t.doc_text, CASE WHEN (" + access.sql + ") THEN 1 ELSE 0 END FROM " + schema.table +
                           " t WHERE t.id = ?",
                       access.params);
      if (r.rows() == 0) return std::nullopt;
      return RawDocument{std::string(r.text(0, 0)), r.int64(0, 1) != 0};
    });
  }

  bool replace(const DocumentRows& rows) override {
    bool found = false;
    transaction([&] {
      PgConnection& db = *tx_db();
      const CollectionSchema& schema = *rows.schema;
      auto q = db.exec(write_sql(schema).seq_of_id, {rows.id});
      if (q.rows() == 0) return;
      const std::int64_t seq = q.int64(0, 0);
      found = true;
      std::optional<HistoryChange> recorded;
      if (!schema.history_subsystem.empty()) recorded = history_update_change(schema, q.text(0, 1), rows.json);
      const bool was_public = schema.public_tombstones && pg_public_records::stored_is_public(db, schema, seq);
      FacetCountDelta change;
      if (!schema.counted_facets.empty()) pg_facet_counts::uncount_stored(db, schema, seq, change);
      auto params = row_values(rows);
      params.emplace_back(seq);
      db.exec_script("SAVEPOINT replace_row");
      try {
        db.exec(write_sql(schema).update_row, params);
        delete_side_rows(db, schema, seq);
        write_side_tables(db, rows, seq);
        db.exec_script("RELEASE replace_row");
        if (!schema.counted_facets.empty()) {
          change.add(rows.counted, +1);
          t_tx_.deltas[&schema].merge(change);
        }
      } catch (const PgError& e) {
        db.exec_script("ROLLBACK TO replace_row; RELEASE replace_row");
        throw_clear(e, rows);
      }
      note_public_change(db, schema, rows.id, was_public, &rows);
      if (recorded) t_tx_.history.push_back(history_record(schema, rows.id, "update", recorded->before, recorded->after));
      t_tx_.wrote = true;
    });
    return found;
  }

  bool remove(const CollectionSchema& schema, std::string_view id) override {
    bool found = false;
    transaction([&] {
      PgConnection& db = *tx_db();
      auto q = db.exec(write_sql(schema).seq_of_id, {std::string(id)});
      if (q.rows() == 0) return;
      const std::int64_t seq = q.int64(0, 0);
      found = true;
      if (!schema.history_subsystem.empty())
        t_tx_.history.push_back(history_record(schema, std::string(id), "delete", std::string(q.text(0, 1)), "null"));
      const bool was_public = schema.public_tombstones && pg_public_records::stored_is_public(db, schema, seq);
      if (!schema.counted_facets.empty()) pg_facet_counts::uncount_stored(db, schema, seq, t_tx_.deltas[&schema]);
      db.exec("DELETE FROM " + schema.table + " WHERE seq = ?", {seq});
      delete_side_rows(db, schema, seq);
      note_public_change(db, schema, std::string(id), was_public, nullptr);
      t_tx_.wrote = true;
    });
    return found;
  }

  std::vector<json::object> find(const CollectionSchema& schema, const QueryPlan& plan) override {
    std::vector<FieldValue> params;
    const std::string sql = select_sql(schema, "t.doc_text", plan, params);
    return with_db([&](PgConnection& db) {
      auto r = db.exec(sql, params, planning(plan.conditions));
      std::vector<json::object> out;
      out.reserve(static_cast<std::size_t>(r.rows()));
      for (int i = 0; i < r.rows(); ++i) out.push_back(parse_doc(r.text(i, 0)));
      return out;
    });
  }

  std::vector<LineageNode> lineage_nodes(const LineageNodesQuery& q) override {
    const CollectionSchema& s = schemas::datasets();
    // versionNumber is in the document only; only versions of a series (side row versionSeries)
    // have one, and only theirs is read (a document may be stored out of line).
    const std::string sql =
        "SELECT " + lineage_rows::node_columns_sql(s) +
        ", CASE WHEN EXISTS (SELECT 1 FROM datasets_values x WHERE x.seq = t.seq AND x.field = 'versionSeries') "
        "AND jsonb_typeof(t.doc -> 'versionNumber') = 'number' THEN (t.doc ->> 'versionNumber')::numeric::bigint END, "
        "array_to_json(t.access)::text FROM datasets t WHERE " + std::string(q.all ? "t.seq > ?" : "t.id = ANY(?::text[])") +
        " ORDER BY t.seq LIMIT ?";
    std::vector<FieldValue> params{q.all ? FieldValue(q.after_seq)
                                         : pg_array_literal(std::vector<FieldValue>(q.pids.begin(), q.pids.end()))};
    params.push_back(q.limit < 0 ? FieldValue(nullptr) : FieldValue(q.limit));
    return with_db([&](PgConnection& db) {
      std::vector<LineageNode> nodes;
      std::map<std::int64_t, std::size_t> at;  // seq → its node
      std::vector<FieldValue> seqs;
      auto r = db.exec(sql, params);
      for (int i = 0; i < r.rows(); ++i) {
        LineageNode n;
        n.pid = r.text(i, 1);
        if (!r.is_null(i, 2)) n.dataset_name = std::string(r.text(i, 2));
        if (!r.is_null(i, 3)) n.type = std::string(r.text(i, 3));
        if (!r.is_null(i, 4)) n.creation_time = std::string(r.text(i, 4));
        n.is_published = !r.is_null(i, 5) && r.int64(i, 5) != 0;
        if (!r.is_null(i, 6)) n.version_number = r.int64(i, 6);
        std::vector<std::string> members;  // the access set, as its key (model/access_set.h)
        const json::value access = json::parse(r.text(i, 7));  // (kept: a loop over a temporary's array would dangle)
        for (const auto& m : access.as_array()) members.emplace_back(m.as_string());
        n.access_set = access_set_key(std::move(members));
        n.seq = r.int64(i, 0);
        at[n.seq] = nodes.size();
        seqs.emplace_back(r.int64(i, 0));
        nodes.push_back(std::move(n));
      }
      if (nodes.empty()) return nodes;
      auto side = db.exec(
          std::string("SELECT v.seq, v.field, v.value FROM datasets_values v WHERE v.seq = ANY(?::bigint[]) AND v.field IN (") +
              lineage_rows::kReadFieldsSql + ") ORDER BY v.seq, v.field, v.value",
          {pg_array_literal(seqs)});
      for (int i = 0; i < side.rows(); ++i)
        lineage_rows::add_side_value(nodes[at.at(side.int64(i, 0))], side.text(i, 1), std::string(side.text(i, 2)));
      return nodes;
    });
  }

  std::vector<std::string> find_ids(const CollectionSchema& schema, const QueryPlan& plan) override {
    std::vector<FieldValue> params;
    const std::string sql = select_sql(schema, "t.id", plan, params);
    return with_db([&](PgConnection& db) {
      auto r = db.exec(sql, params, planning(plan.conditions));
      std::vector<std::string> out;
      for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.text(i, 0));
      return out;
    });
  }

  std::vector<std::pair<std::string, std::string>> id_and_column(const CollectionSchema& schema, const std::string& field,
                                                                 const QueryPlan& plan) override {
    const IndexedColumn* col = schema.column_for(field);
    if (!col) throw std::invalid_argument(schema.name + " has no column for " + field);
    std::vector<FieldValue> params;
    const std::string sql = select_sql(schema, "t.id, t." + col->column + "::text", plan, params);
    return with_db([&](PgConnection& db) {
      auto r = db.exec(sql, params, planning(plan.conditions));
      std::vector<std::pair<std::string, std::string>> out;
      for (int i = 0; i < r.rows(); ++i)
        out.emplace_back(r.text(i, 0), r.is_null(i, 1) ? std::string_view() : r.text(i, 1));
      return out;
    });
  }

  std::int64_t count(const CollectionSchema& schema, const Condition& condition) override {
    const SqlFragment where = pg_sql::condition_sql(schema, condition);
    return with_db([&](PgConnection& db) {
      return db.exec("SELECT COUNT(*) FROM " + schema.table + " t WHERE " + where.sql, where.params, planning(condition))
          .int64(0, 0);
    });
  }

  std::int64_t sum(const CollectionSchema& schema, const std::string& field, const Condition& condition) override {
    const IndexedColumn* col = schema.column_for(field);
    if (!col) throw std::invalid_argument(schema.name + " has no column for " + field);
    const SqlFragment where = pg_sql::condition_sql(schema, condition);
    return with_db([&](PgConnection& db) {
      return db.exec("SELECT COALESCE(SUM(t." + col->column + "), 0)::bigint FROM " + schema.table + " t WHERE " + where.sql,
                     where.params)
          .int64(0, 0);
    });
  }

  std::vector<FacetBucket> facet(const CollectionSchema& schema, const std::string& field, const Condition& condition,
                                 std::int64_t max_buckets) override {
    const SqlFragment where = pg_sql::condition_sql(schema, condition);
    const IndexedColumn* col = schema.column_for(field);
    const bool is_date = schema.is_date_field(field) || (col && col->type == ColumnType::Date);
    std::vector<FieldValue> params;
    std::string sql;
    bool json_key = false;
    if (schema.is_array_field(field)) {
      sql = "SELECT v.value AS k, COUNT(*) AS n FROM " + schema.table + "_values v WHERE v.field = ?";
      params.push_back(field);
      if (!condition.is_true()) sql += " AND v.seq IN (SELECT t.seq FROM " + schema.table + " t WHERE " + where.sql + ")";
      sql += " GROUP BY k";
    } else {
      std::string expr;
      if (col) {
        expr = "t." + col->column;
      } else if (is_date) {
        expr = "(t.doc #>> ?::text[])";
        params.push_back(pg_path_literal(field));
      } else {
        expr = "(t.doc #> ?::text[])";
        params.push_back(pg_path_literal(field));
        json_key = true;
      }
      if (is_date) expr = "substr(" + expr + ", 1, 10)";
      sql = "SELECT " + expr + " AS k, COUNT(*) AS n FROM " + schema.table + " t WHERE " + where.sql + " GROUP BY k";
    }
    if (!schema.is_array_field(field) || !condition.is_true())
      params.insert(params.end(), where.params.begin(), where.params.end());
    sql += " ORDER BY n DESC, k NULLS FIRST LIMIT ?";
    params.emplace_back(max_buckets);
    return with_db([&](PgConnection& db) {
      auto r = db.exec(sql, params, planning(condition));
      std::vector<FacetBucket> out;
      for (int i = 0; i < r.rows(); ++i)
        out.push_back({json_key ? pg_cells::jsonb(r, i, 0) : column(r, i, 0, col), r.int64(i, 1)});
      return out;
    });
  }

  std::vector<std::vector<FacetBucket>> facet_columns(const CollectionSchema& schema,
                                                      const std::vector<std::string>& fields,
                                                      const Condition& condition, std::int64_t& total) override {
    const SqlFragment where = pg_sql::condition_sql(schema, condition);
    std::vector<const IndexedColumn*> cols;
    std::string select;
    for (const auto& f : fields) {
      const IndexedColumn* c = schema.column_for(f);
      if (!c || c->type == ColumnType::Date) throw std::logic_error("facet_columns needs plain columns");
      cols.push_back(c);
      select += "t." + c->column + ", ";
    }
    const std::string group_by = select.empty() ? "" : " GROUP BY " + select.substr(0, select.size() - 2);
    FacetMarginals marginals(cols.size());
    with_db([&](PgConnection& db) {
      auto r = db.exec("SELECT " + select + "COUNT(*) FROM " + schema.table + " t WHERE " + where.sql + group_by,
                       where.params, planning(condition));
      const int n_col = static_cast<int>(cols.size());
      for (int row = 0; row < r.rows(); ++row) {
        std::vector<json::value> keys;
        for (int i = 0; i < n_col; ++i) keys.push_back(column(r, row, i, cols[static_cast<std::size_t>(i)]));
        marginals.add(std::move(keys), r.int64(row, n_col));
      }
    });
    total = marginals.total();
    return std::move(marginals).facets();
  }

  std::optional<FacetCounts> counted_facets(const CollectionSchema& schema, const AccessValues& readers,
                                            const std::vector<std::string>& facets, std::int64_t max_buckets) override {
    std::optional<std::int64_t> known;  // the request's generation: counts at it need no round trip
    if (RequestScope* scope = RequestScope::current(); scope && !tx_db())
      if (auto g = scope->generation(this)) known = static_cast<std::int64_t>(*g);
    auto counts = facet_counts_.current(schema, known);
    if (!counts) return std::nullopt;
    return counts->count(readers, facets, max_buckets);
  }

  std::vector<json::value> unwind(const CollectionSchema& schema, const std::string& array_field,
                                  const QueryPlan& plan) override {
    const SqlFragment where = pg_sql::where_sql(schema, plan.conditions);
    std::vector<FieldValue> params{pg_path_literal(array_field), pg_path_literal(array_field)};
    params.insert(params.end(), where.params.begin(), where.params.end());
    params.push_back(plan.limit < 0 ? FieldValue(nullptr) : FieldValue(plan.limit));
    params.emplace_back(plan.skip);
    return with_db([&](PgConnection& db) {
      auto r = db.exec("SELECT t.doc_text, e.value::text FROM " + schema.table +
                           " t, jsonb_array_elements(CASE WHEN jsonb_typeof(t.doc #> ?::text[]) = 'array' THEN t.doc #> "
                           "?::text[] ELSE '[]'::jsonb END) WITH ORDINALITY e(value, n) WHERE " +
                           where.sql + " ORDER BY t.seq, e.n LIMIT ? OFFSET ?",
                       params);
      std::vector<json::value> out;
      for (int i = 0; i < r.rows(); ++i) {
        json::object row = parse_doc(r.text(i, 0));
        row[array_field] = json::parse(r.text(i, 1));
        out.emplace_back(std::move(row));
      }
      return out;
    });
  }

  std::int64_t count_elements(const CollectionSchema& schema, const std::string& array_field,
                              const Condition& condition) override {
    const SqlFragment where = pg_sql::condition_sql(schema, condition);
    std::vector<FieldValue> params{pg_path_literal(array_field), pg_path_literal(array_field)};
    params.insert(params.end(), where.params.begin(), where.params.end());
    return with_db([&](PgConnection& db) {
      return db.exec("SELECT COALESCE(SUM(CASE WHEN jsonb_typeof(t.doc #> ?::text[]) = 'array' THEN "
                     "jsonb_array_length(t.doc #> ?::text[]) ELSE 0 END), 0)::bigint FROM " + schema.table + " t WHERE " +
                         where.sql,
                     params)
          .int64(0, 0);
    });
  }

  std::vector<std::string> scientific_paths(const CollectionSchema& schema, const Condition& condition,
                                            std::int64_t limit) override {
    if (schema.scientific_field.empty()) return {};
    SqlFragment where = pg_sql::condition_sql(schema, condition);
    where.params.emplace_back(limit);
    return with_db([&](PgConnection& db) {
      auto r = db.exec("SELECT DISTINCT s.path FROM " + schema.table + "_sci s WHERE s.seq IN (SELECT t.seq FROM " +
                           schema.table + " t WHERE " + where.sql + ") ORDER BY s.path LIMIT ?",
                       where.params);
      std::vector<std::string> out;
      for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.text(i, 0));
      return out;
    });
  }

  std::pair<std::int64_t, std::int64_t> file_totals(const CollectionSchema& blocks, std::string_view dataset_id) override {
    return with_db([&](PgConnection& db) {
      auto r = db.exec("SELECT COALESCE(SUM(t.size), 0)::bigint, COALESCE(SUM(CASE WHEN jsonb_typeof(t.doc -> 'dataFileList') "
                       "= 'array' THEN jsonb_array_length(t.doc -> 'dataFileList') ELSE 0 END), 0)::bigint FROM " +
                           blocks.table + " t WHERE t.dataset_id = ?",
                       {std::string(dataset_id)});
      return std::pair{r.int64(0, 0), r.int64(0, 1)};
    });
  }

  std::vector<PublicRecord> public_records(const CollectionSchema& schema, const PublicRecordRange& range,
                                           std::int64_t limit, bool with_documents) override {
    return with_db([&](PgConnection& db) { return pg_public_records::records(db, schema, range, limit, with_documents); });
  }
  std::int64_t count_public_records(const CollectionSchema& schema, const PublicRecordRange& range) override {
    return with_db([&](PgConnection& db) { return pg_public_records::count(db, schema, range); });
  }
  std::optional<std::string> earliest_public_datestamp(const CollectionSchema& schema) override {
    return with_db([&](PgConnection& db) { return pg_public_records::earliest_datestamp(db, schema); });
  }
  std::optional<PublicRecord> public_record(const CollectionSchema& schema, std::string_view id) override {
    return with_db([&](PgConnection& db) { return pg_public_records::record(db, schema, id); });
  }
  std::vector<std::string> public_values(const CollectionSchema& schema, const std::string& field,
                                         std::int64_t limit) override {
    return with_db([&](PgConnection& db) { return pg_public_records::values(db, schema, field, limit); });
  }

  // One connection for fn, in one database transaction that holds the write lock: serial
  // with every other process's transactions, as the SQLite store's single writer is.
  void transaction(const std::function<void()>& fn) override { run_transaction(fn, LockAt::Start); }

  std::optional<UserRecord> user_by_name(std::string_view username) override { return user_where("username", username); }
  std::optional<UserRecord> user_by_id(std::string_view id) override { return user_where("id", id); }

  std::vector<UserRecord> list_users(std::int64_t limit, std::int64_t skip) override {
    auto ids = with_db([&](PgConnection& db) {
      auto r = db.exec("SELECT id FROM users ORDER BY username LIMIT ? OFFSET ?", {limit, skip});
      std::vector<std::string> out;
      for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.text(i, 0));
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
      tx_db()->exec("INSERT INTO users (id, username, email, password_hash, auth_strategy, doc) VALUES (?, ?, ?, ?, ?, ?::jsonb) "
                    "ON CONFLICT (id) DO UPDATE SET username = excluded.username, email = excluded.email, "
                    "password_hash = excluded.password_hash, auth_strategy = excluded.auth_strategy, doc = excluded.doc",
                    {u.id, u.username, u.email, u.password_hash, u.auth_strategy, json::serialize(doc)});
      t_tx_.wrote = true;
    });
  }

  std::vector<HistoryRecord> history(const HistoryQuery& query) override {
    std::optional<SqlFragment> readable = history_rule(query);
    return with_db([&](PgConnection& db) { return pg_history::records(db, query, readable ? &*readable : nullptr); });
  }
  std::int64_t count_history(const HistoryQuery& query) override {
    std::optional<SqlFragment> readable = history_rule(query);
    return with_db([&](PgConnection& db) { return pg_history::count(db, query, readable ? &*readable : nullptr); });
  }
  HistoryFeedPage history_feed(const HistoryFeedQuery& query) override {
    std::vector<CompiledFeedRule<FieldValue>> rules;
    for (const auto& s : query.subsystems) {
      if (!s.schema || s.schema->history_subsystem.empty())
        throw std::invalid_argument("history_feed: a collection keeps no history");
      CompiledFeedRule<FieldValue> rule;
      if (s.readable) {
        SqlFragment compiled_rule = pg_sql::condition_sql(*s.schema, *s.readable);
        rule.table = s.schema->table;
        rule.join = s.schema->table + " t";
        rule.sql = std::move(compiled_rule.sql);
        rule.params = std::move(compiled_rule.params);
      }
      rules.push_back(std::move(rule));
    }
    return with_db([&](PgConnection& db) { return pg_history::feed(db, query, rules); });
  }
  std::int64_t latest_history_seq() override {
    return with_db([&](PgConnection& db) { return pg_history::latest_seq(db); });
  }

  void append_audit(const AuditEvent& e) override {
    transaction([&] {
      tx_db()->exec("INSERT INTO audit_log (time, event, username, actor, remote, detail) VALUES (?, ?, ?, ?, ?, ?::jsonb)",
                    {e.time, e.event, e.user, e.actor, e.remote, json::serialize(e.detail)});
      t_tx_.wrote = true;
    });
  }

  // Failed sign-ins: single autocommitted statements beside the documents' write path (no
  // write lock, no generation step), so counting them costs no cache anything.
  void add_login_failure(std::string_view key, double at) override {
    with_db([&](PgConnection& db) { db.exec("INSERT INTO login_failures (key, at) VALUES (?, ?)", {std::string(key), at}); });
  }
  std::vector<double> login_failures(std::string_view key, double since, int limit) override {
    return with_db([&](PgConnection& db) {
      PgResult r = db.exec("SELECT at FROM login_failures WHERE key = ? AND at >= ? ORDER BY at DESC LIMIT ?",
                            {std::string(key), since, std::int64_t{limit}});
      std::vector<double> out;
      for (int i = 0; i < r.rows(); ++i) out.push_back(r.real(i, 0));
      return out;
    });
  }
  void clear_login_failures(std::string_view key) override {
    with_db([&](PgConnection& db) { db.exec("DELETE FROM login_failures WHERE key = ?", {std::string(key)}); });
  }
  void forget_login_failures(double before) override {
    with_db([&](PgConnection& db) { db.exec("DELETE FROM login_failures WHERE at < ?", {before}); });
  }

  std::vector<AuditEvent> audit_events(const AuditQuery& q) override {
    std::string sql = "SELECT seq, time, event, username, actor, remote, detail::text FROM audit_log WHERE TRUE";
    std::vector<FieldValue> params;
    if (!q.event.empty()) {
      sql += " AND event = ?";
      params.push_back(q.event);
    }
    if (!q.user.empty()) {
      sql += " AND username = ?";
      params.push_back(q.user);
    }
    if (q.before > 0) {
      sql += " AND seq < ?";
      params.emplace_back(q.before);
    }
    sql += " ORDER BY seq DESC LIMIT ?";
    params.emplace_back(q.limit);
    return with_db([&](PgConnection& db) {
      auto r = db.exec(sql, params);
      std::vector<AuditEvent> out;
      for (int i = 0; i < r.rows(); ++i) {
        AuditEvent e;
        e.seq = r.int64(i, 0);
        e.time = r.text(i, 1);
        e.event = r.text(i, 2);
        e.user = r.text(i, 3);
        e.actor = r.text(i, 4);
        e.remote = r.text(i, 5);
        boost::system::error_code ec;
        json::value detail = json::parse(r.text(i, 6), ec);
        if (!ec && detail.is_object()) e.detail = std::move(detail.get_object());
        out.push_back(std::move(e));
      }
      return out;
    });
  }

  std::optional<std::string> setting(std::string_view key) override {
    return with_db([&](PgConnection& db) -> std::optional<std::string> {
      auto r = db.exec("SELECT value FROM settings WHERE key = ?", {std::string(key)});
      if (r.rows() == 0) return std::nullopt;
      return std::string(r.text(0, 0));
    });
  }

  void set_setting(std::string_view key, std::string_view value) override {
    transaction([&] {
      tx_db()->exec("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    {std::string(key), std::string(value)});
      t_tx_.wrote = true;
    });
  }

  void set_query_budget(std::chrono::milliseconds budget) override { query_budget_ms_ = budget.count(); }

  bool shared_between_processes() const override { return true; }

  bool healthy() override {
    try {
      return with_db([&](PgConnection& db) { return db.exec("SELECT 1").int64(0, 0) == 1; });
    } catch (...) {
      return false;
    }
  }

  // Read from the database, since another process's write moves it: once per request
  // (core/request_scope.h), each time outside one.
  std::uint64_t write_generation() const override {
    RequestScope* scope = RequestScope::current();
    if (scope && !tx_db())
      if (auto g = scope->generation(this)) return *g;
    auto* self = const_cast<PostgresCatalogStore*>(this);  // the pool is shared state, not the store's value
    const auto generation = self->with_db([&](PgConnection& db) {
      return static_cast<std::uint64_t>(db.exec("SELECT value FROM openem_meta WHERE key = 'generation'").int64(0, 0));
    });
    if (scope && !tx_db()) scope->remember_generation(this, generation);
    return generation;
  }

 private:
  static std::optional<SqlFragment> history_rule(const HistoryQuery& query) {
    if (!query.schema || query.schema->history_subsystem.empty())
      throw std::invalid_argument("history: the collection keeps no history");
    if (!query.readable) return std::nullopt;
    return pg_sql::condition_sql(*query.schema, *query.readable);
  }

  // When a transaction takes the write lock. Start: before fn, so all that fn reads and writes
  // is serial with every other transaction (a read-modify-write, a job claim). Commit: after
  // fn, for writes that read nothing: their rows go in beside other transactions' (the heavy
  // part: indexes, side tables), and only the generation, the facet log and the commit, which
  // must be in one order for every process, wait for the lock. Such a transaction commits
  // after every lock holder that began before it, as if it had run after them.
  enum class LockAt { Start, Commit };

  void run_transaction(const std::function<void()>& fn, LockAt lock_at) {
    if (tx_db()) {  // nested: join the running transaction
      fn();
      return;
    }
    auto db = pool_.acquire();
    t_tx_ = TxState{this, &*db, false, {}};
    struct Leave {
      ~Leave() { t_tx_ = {}; }
    } leave;
    // READ COMMITTED whatever the database's default: each statement sees what the previous
    // holder of the lock committed (a snapshot taken before the lock would not).
    // No query budget inside (a write is never abandoned half way); SET LOCAL leaves the
    // connection's own setting as it was.
    db->exec_script("BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL statement_timeout = 0");
    try {
      if (lock_at == LockAt::Start) db->exec("SELECT pg_advisory_xact_lock(?)", {kWriteLock});
      fn();
      // A statement failed inside and fn went on (an error caught): COMMIT would roll back and
      // still answer success, so the caller would take lost writes for acknowledged ones.
      if (db->in_failed_transaction())
        throw std::runtime_error("PostgreSQL: a statement of the transaction failed; nothing of it was stored");
      std::int64_t generation = -1;
      if (t_tx_.wrote) {
        if (lock_at == LockAt::Commit) db->exec("SELECT pg_advisory_xact_lock(?)", {kWriteLock});
        // The format in the same round trip: after a newer openem upgraded the catalog, this
        // process's rows could lack what the new format needs, so it stores none.
        // The change history's records go in with it (pg_history.h): one round trip more per
        // write, under the write lock, cost PATCH throughput ~10 %.
        const std::string step = "UPDATE openem_meta SET value = value + 1 WHERE key = 'generation' RETURNING value, "
                                 "(SELECT f.value FROM openem_meta f WHERE f.key = 'format')";
        auto r = t_tx_.history.empty()
                     ? db->exec(step)
                     : db->exec(pg_history::kAppendRecords + step, {pg_history::records_param(t_tx_.history)});
        if (r.int64(0, 1) > pg_schema::kFormat) throw_catalog_upgraded(r.int64(0, 1));
        generation = r.int64(0, 0);
        pg_facet_counts::log(*db, generation, t_tx_.deltas);
      }
      db->exec_script("COMMIT");
      if (t_tx_.inserted) note_inserts(t_tx_.inserted);
      // The request goes on from its own write: a cache checked later in it must not answer
      // from before the write.
      if (RequestScope* scope = RequestScope::current(); scope && generation >= 0)
        scope->remember_generation(this, static_cast<std::uint64_t>(generation));
    } catch (...) {
      try {
        db->exec_script("ROLLBACK");
      } catch (...) {
      }
      throw;
    }
  }

  struct TxState {
    PostgresCatalogStore* owner = nullptr;
    PgConnection* db = nullptr;
    bool wrote = false;
    std::int64_t inserted = 0;  // documents inserted (note_inserts)
    pg_facet_counts::Deltas deltas;  // the access-set facet counts' changes, logged at commit
    std::vector<HistoryRecord> history;  // the change history's records, appended at commit
  };
  static thread_local TxState t_tx_;

  PgConnection* tx_db() const { return t_tx_.owner == this ? t_tx_.db : nullptr; }

  template <class Fn>
  std::invoke_result_t<Fn, PgConnection&> with_db(Fn&& fn) {
    if (PgConnection* db = tx_db()) return fn(*db);
    auto db = pool_.acquire();
    db->set_statement_timeout(query_budget_ms_.load(std::memory_order_relaxed));
    try {
      return fn(*db);
    } catch (const PgError& e) {
      if (e.is_statement_timeout()) throw_query_budget_exceeded();
      if (e.is_invalid_pattern()) throw_invalid_pattern(e.what());
      throw;
    }
  }

  const WriteSql& write_sql(const CollectionSchema& s) const { return write_sql_.at(&s); }

  template <class Conditions>  // one Condition or several
  static PgConnection::Planning planning(const Conditions& conditions) {
    return pg_sql::plan_with_values(conditions) ? PgConnection::Planning::WithValues : PgConnection::Planning::Prepared;
  }

  static void count_document(const CollectionSchema& s, const CountedDocument& doc, int sign) {
    if (!s.counted_facets.empty()) t_tx_.deltas[&s].add(doc, sign);
  }

  static std::string select_sql(const CollectionSchema& schema, const std::string& what, const QueryPlan& plan,
                                std::vector<FieldValue>& params) {
    const SqlFragment where = pg_sql::where_sql(schema, plan.conditions);
    const SqlFragment order = pg_sql::order_sql(plan.order);
    params = where.params;
    params.insert(params.end(), order.params.begin(), order.params.end());
    const bool last_descending = !plan.order.empty() && plan.order.back().descending;
    params.push_back(plan.limit < 0 ? FieldValue(nullptr) : FieldValue(plan.limit));
    params.emplace_back(plan.skip);
    const std::string ordered = " FROM " + schema.table + " t WHERE " + where.sql + " ORDER BY " + order.sql +
                                (last_descending ? "t.seq DESC" : "t.seq ASC") + " LIMIT ? OFFSET ?";
    if (plan.limit < 0) return "SELECT " + what + ordered;
    // A page: first the rows' seqs, in order, from the sort index alone (it carries the access
    // set: pg_schema.cpp), then only those rows. In one step, the walk would read every
    // skipped and unreadable row's heap tuple to test the read rule.
    return "SELECT " + what + " FROM unnest(ARRAY(SELECT t.seq" + ordered + ")) WITH ORDINALITY k(seq, n) JOIN " +
           schema.table + " t ON t.seq = k.seq ORDER BY k.n";
  }

  static void delete_side_rows(PgConnection& db, const CollectionSchema& schema, std::int64_t seq) {
    if (!schema.array_fields.empty()) db.exec("DELETE FROM " + schema.table + "_values WHERE seq = ?", {seq});
    if (!schema.scientific_field.empty()) db.exec("DELETE FROM " + schema.table + "_sci WHERE seq = ?", {seq});
  }

  // The side rows of one document, each table in one statement (arrays of its columns).
  static void write_side_tables(PgConnection& db, const DocumentRows& rows, std::int64_t seq) {
    const std::string& t = rows.schema->table;
    if (!rows.values.empty()) {
      std::vector<FieldValue> fields, values;
      for (const auto& [f, v] : rows.values) {
        fields.emplace_back(f);
        values.emplace_back(v);
      }
      db.exec("INSERT INTO " + t + "_values (field, value, seq) SELECT f, v, ? FROM unnest(?::text[], ?::text[]) u(f, v) "
              "ON CONFLICT DO NOTHING",
              {seq, pg_array_literal(fields), pg_array_literal(values)});
    }
    if (!rows.leaves.empty()) {
      std::vector<FieldValue> paths, ords, nums, nums_si, units, texts;
      for (const auto& leaf : rows.leaves) {
        paths.emplace_back(leaf.path);
        ords.emplace_back(leaf.ord);
        nums.push_back(leaf.num);
        nums_si.push_back(leaf.num_si);
        units.emplace_back(leaf.unit_si);
        texts.push_back(leaf.text);
      }
      db.exec("INSERT INTO " + t + "_sci (seq, path, ord, num, num_si, unit_si, text) SELECT ?, * FROM "
              "unnest(?::text[], ?::bigint[], ?::float8[], ?::float8[], ?::text[], ?::text[])",
              {seq, pg_array_literal(paths), pg_array_literal(ords), pg_array_literal(nums), pg_array_literal(nums_si),
               pg_array_literal(units), pg_array_literal(texts)});
    }
  }

  // PostgreSQL refuses some values SQLite takes; say which, as a client error.
  // The document's row and side rows; with a savepoint, a failure leaves the caller's
  // transaction usable.
  void insert_rows(PgConnection& db, const DocumentRows& rows, bool savepoint) {
    const CollectionSchema& schema = *rows.schema;
    std::vector<FieldValue> params{rows.id};
    auto values = row_values(rows);
    params.insert(params.end(), values.begin(), values.end());
    std::int64_t seq = 0;
    if (savepoint) db.exec_script("SAVEPOINT insert_row");
    try {
      seq = db.exec(write_sql(schema).insert_row, params).int64(0, 0);
      write_side_tables(db, rows, seq);
      if (savepoint) db.exec_script("RELEASE insert_row");
      count_document(schema, rows.counted, +1);
      ++t_tx_.inserted;
    } catch (const PgError& e) {
      if (savepoint) db.exec_script("ROLLBACK TO insert_row; RELEASE insert_row");
      if (e.is_unique_violation()) throw_duplicate_id(rows.id);
      // Inside a lock holder's transaction, a deadlock here means an insert of the same id on its
      // own is waiting for this transaction's lock: PostgreSQL aborted this side (its check ran
      // when the cycle closed). The id is being taken by that insert, which commits once this
      // transaction has: a conflict, as if it had come first.
      if (savepoint && e.is_deadlock())
        throw StoreError(StoreError::Kind::kDuplicateId, "A document with id " + rows.id + " is being inserted by another request");
      if (e.is_deadlock()) throw;  // insert() tries again
      throw_clear(e, rows);
    }
    note_public_change(db, schema, rows.id, false, &rows);
    if (!schema.history_subsystem.empty())
      t_tx_.history.push_back(history_record(schema, rows.id, "insert", "null", rows.json));
    t_tx_.wrote = true;
  }

  [[noreturn]] static void throw_clear(const PgError& e, const DocumentRows& rows) {
    if (e.sqlstate() == "54000")  // program_limit_exceeded: an index entry over ~2.7 KB
      throw_invalid_document("A value of document " + rows.id +
                             " is too long for the catalog's indexes (array elements are limited to 2 KB)");
    if (e.sqlstate() == "22P05" || e.sqlstate() == "22021")  // a NUL character or invalid text
      throw_invalid_document("Document " + rows.id + " holds a character the catalog cannot store (U+0000)");
    throw e;
  }

  static void note_public_change(PgConnection& db, const CollectionSchema& schema, const std::string& id, bool was_public,
                                 const DocumentRows* rows) {
    if (!schema.public_tombstones) return;
    const bool now_public = rows && rows_are_public(*rows);
    if (now_public || was_public) pg_public_records::after_write(db, schema, id, was_public, now_public, now_iso());
  }

  std::optional<UserRecord> user_where(const char* column, std::string_view value) {
    return with_db([&](PgConnection& db) -> std::optional<UserRecord> {
      auto r = db.exec(std::string("SELECT id, username, email, password_hash, auth_strategy, doc::text FROM users WHERE ") +
                           column + " = ?",
                       {std::string(value)});
      if (r.rows() == 0) return std::nullopt;
      UserRecord u;
      u.id = r.text(0, 0);
      u.username = r.text(0, 1);
      u.email = r.text(0, 2);
      u.password_hash = r.text(0, 3);
      u.auth_strategy = r.text(0, 4);
      u.extra = parse_doc(r.text(0, 5));
      if (auto* g = u.extra.if_contains("groups"); g && g->is_array())
        for (const auto& x : g->get_array())
          if (x.is_string()) u.groups.emplace_back(x.get_string());
      u.extra.erase("groups");
      return u;
    });
  }

  PgPool pool_;
  pg_facet_counts::Mirror facet_counts_;
  std::map<const CollectionSchema*, WriteSql> write_sql_;
  std::thread warm_up_;

  // The planner's statistics (and the visibility map) after growth. Text and pattern conditions are planned with their
  // values (plan_with_values), so from the statistics: a catalog that grew by thousands of
  // documents since they were taken gets plans made for a much smaller one (a user's text +
  // unit query took 4 s instead of 10 ms after a bulk load). Autovacuum analyzes only after a
  // minute's nap and 10 % growth; this process vacuums and analyzes, in the background, after 1,000 of its
  // inserts, then 2,000, 4,000, ... (each doubling of what it added since it started).
  void note_inserts(std::int64_t n) {
    const std::int64_t total = inserts_.fetch_add(n) + n;
    std::lock_guard lock(analyze_mu_);
    if (total < next_analyze_ || analyzing_) return;
    while (next_analyze_ <= total) next_analyze_ *= 2;
    if (analyzer_.joinable()) analyzer_.join();  // finished: analyzing_ is false
    analyzing_ = true;
    analyzer_ = std::thread([this] {
      try {
        auto db = pool_.acquire();
        db->set_statement_timeout(0);
        // VACUUM as well: it marks the new rows' pages all-visible, so sorted pages walk their
        // index alone (pg_schema.cpp); on rows only inserted it reads just the new pages.
        db->exec_script("VACUUM (ANALYZE, SKIP_LOCKED)");
      } catch (const std::exception& e) {
        spdlog::warn("event=analyze_failed error=\"{}\"", e.what());  // autovacuum will
      }
      std::lock_guard done(analyze_mu_);
      analyzing_ = false;
    });
  }
  std::atomic<std::int64_t> inserts_{0};
  std::mutex analyze_mu_;
  std::int64_t next_analyze_ = 1000;  // under analyze_mu_
  bool analyzing_ = false;            // under analyze_mu_
  std::thread analyzer_;              // under analyze_mu_
  std::atomic<std::int64_t> query_budget_ms_{0};
};

thread_local PostgresCatalogStore::TxState PostgresCatalogStore::t_tx_;

}  // namespace

std::unique_ptr<CatalogStore> open_postgres_store(const std::string& url) {
  return std::make_unique<PostgresCatalogStore>(url);
}

}  // namespace openem

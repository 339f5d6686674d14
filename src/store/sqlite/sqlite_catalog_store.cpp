// SQLite implementation of CatalogStore. Layout per collection <t>:
//   <t>(seq INTEGER PRIMARY KEY, id TEXT UNIQUE, doc TEXT, search_text TEXT, <indexed columns>)
//   <t>_values(field, value, id)   array elements and the "#access" groups, for IN-subqueries
//   <t>_fts                        FTS5 trigram index over search_text (external content)
//   <t>_sci(id, path, num, num_si, unit_si, text)   scientific-metadata leaves
// Connections are pooled; a transaction pins one connection to the calling thread.
#include <boost/json.hpp>

#include <mutex>

#include "core/error.h"
#include "core/time.h"
#include "model/scientific_metadata.h"
#include "query/field_ref.h"
#include "query/text_search.h"
#include "store/catalog_store.h"
#include "store/sqlite/sqlite_db.h"

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

const json::value* at_path(const json::object& doc, std::string_view path) {
  const json::object* obj = &doc;
  while (true) {
    auto dot = path.find('.');
    const json::value* v = obj->if_contains(path.substr(0, dot));
    if (!v || dot == std::string_view::npos) return v;
    if (!v->is_object()) return nullptr;
    obj = &v->get_object();
    path = path.substr(dot + 1);
  }
}

SqlParam column_value(const IndexedColumn& col, const json::object& doc) {
  const json::value* v = at_path(doc, col.field);
  if (!v || v->is_null()) return nullptr;
  switch (col.type) {
    case ColumnType::Text:
      if (v->is_string()) return std::string(v->get_string());
      return json::serialize(*v);
    case ColumnType::Date:
      if (v->is_string()) {
        if (auto iso = normalize_iso(v->get_string())) return *iso;
        return std::string(v->get_string());
      }
      return nullptr;
    case ColumnType::Integer:
      if (v->is_int64()) return v->get_int64();
      if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
      if (v->is_double()) return static_cast<std::int64_t>(v->get_double());
      return nullptr;
    case ColumnType::Real:
      if (v->is_number()) return v->to_number<double>();
      return nullptr;
    case ColumnType::Bool:
      if (v->is_bool()) return std::int64_t{v->get_bool() ? 1 : 0};
      return nullptr;
  }
  return nullptr;
}

void collect_scalars(const json::value& v, std::vector<std::string>& out) {
  switch (v.kind()) {
    case json::kind::string: out.emplace_back(v.get_string()); break;
    case json::kind::array:
      for (const auto& x : v.get_array()) collect_scalars(x, out);
      break;
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
    case json::kind::bool_: out.push_back(json::serialize(v)); break;
    default: break;
  }
}

// Elements at a dotted path that may cross arrays ("techniques.name").
void collect_path(const json::value& v, std::string_view path, std::vector<std::string>& out) {
  if (path.empty()) {
    collect_scalars(v, out);
    return;
  }
  if (v.is_array()) {
    for (const auto& x : v.get_array()) collect_path(x, path, out);
    return;
  }
  if (!v.is_object()) return;
  auto dot = path.find('.');
  const json::value* child = v.get_object().if_contains(path.substr(0, dot));
  if (child) collect_path(*child, dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1), out);
}

json::object parse_doc(std::string_view text) {
  json::value v = json::parse(text);
  return std::move(v.as_object());
}

std::string id_of(const CollectionSchema& schema, const json::object& doc) {
  const json::value* v = doc.if_contains(schema.id_field);
  if (!v || !v->is_string()) throw ApiError::bad_request(schema.id_field + " must be a string");
  return std::string(v->get_string());
}

class SqlitePool {
 public:
  explicit SqlitePool(std::filesystem::path file) : file_(std::move(file)) {}
  std::unique_ptr<SqliteDb> acquire() {
    {
      std::lock_guard lock(mu_);
      if (!free_.empty()) {
        auto db = std::move(free_.back());
        free_.pop_back();
        return db;
      }
    }
    return std::make_unique<SqliteDb>(file_);
  }
  void release(std::unique_ptr<SqliteDb> db) {
    std::lock_guard lock(mu_);
    if (free_.size() < 64) free_.push_back(std::move(db));
  }

 private:
  std::filesystem::path file_;
  std::mutex mu_;
  std::vector<std::unique_ptr<SqliteDb>> free_;
};

class SqliteCatalogStore final : public CatalogStore {
 public:
  explicit SqliteCatalogStore(const std::filesystem::path& file) : pool_(file) {
    with_db([&](SqliteDb& db) { create_schema(db); });
  }

  void insert(const CollectionSchema& schema, const json::object& doc) override {
    std::string id = id_of(schema, doc);
    transaction([&] {
      SqliteDb& db = *tx_db();
      std::string cols = "id, doc, search_text", qs = "?, ?, ?";
      for (const auto& c : schema.columns) {
        cols += ", " + c.column;
        qs += ", ?";
      }
      auto st = db.prepare("INSERT INTO " + schema.table + " (" + cols + ") VALUES (" + qs + ")");
      bind_row(st, schema, id, doc);
      try {
        st.run();
      } catch (const SqliteError& e) {
        if (e.is_constraint()) throw ApiError::conflict("A document with id " + id + " already exists");
        throw;
      }
      write_side_tables(db, schema, id, doc);
    });
  }

  std::optional<json::object> get(const CollectionSchema& schema, std::string_view id) override {
    return with_db([&](SqliteDb& db) -> std::optional<json::object> {
      auto st = db.prepare("SELECT doc FROM " + schema.table + " WHERE id = ?");
      st.bind(1, std::string(id));
      if (!st.step()) return std::nullopt;
      return parse_doc(st.text(0));
    });
  }

  bool replace(const CollectionSchema& schema, const json::object& doc) override {
    std::string id = id_of(schema, doc);
    bool found = false;
    transaction([&] {
      SqliteDb& db = *tx_db();
      std::string sets = "doc = ?, search_text = ?";
      for (const auto& c : schema.columns) sets += ", " + c.column + " = ?";
      auto st = db.prepare("UPDATE " + schema.table + " SET " + sets + " WHERE id = ?");
      int n = bind_row(st, schema, std::nullopt, doc);
      st.bind(n, id);
      st.run();
      found = db.changes() > 0;
      if (!found) return;
      clear_side_tables(db, schema, id);
      write_side_tables(db, schema, id, doc);
    });
    return found;
  }

  bool remove(const CollectionSchema& schema, std::string_view id) override {
    bool found = false;
    transaction([&] {
      SqliteDb& db = *tx_db();
      auto st = db.prepare("DELETE FROM " + schema.table + " WHERE id = ?");
      st.bind(1, std::string(id));
      st.run();
      found = db.changes() > 0;
      if (found) clear_side_tables(db, schema, std::string(id));
    });
    return found;
  }

  std::vector<json::object> find(const CollectionSchema& schema, const QueryPlan& plan) override {
    return with_db([&](SqliteDb& db) {
      std::vector<SqlParam> params;
      auto st = db.prepare(select_sql(schema, "t.doc", plan, params));
      st.bind_all(params);
      std::vector<json::object> out;
      while (st.step()) out.push_back(parse_doc(st.text(0)));
      return out;
    });
  }

  std::vector<std::string> find_ids(const CollectionSchema& schema, const QueryPlan& plan) override {
    return with_db([&](SqliteDb& db) {
      std::vector<SqlParam> params;
      auto st = db.prepare(select_sql(schema, "t.id", plan, params));
      st.bind_all(params);
      std::vector<std::string> out;
      while (st.step()) out.emplace_back(st.text(0));
      return out;
    });
  }

  std::int64_t count(const CollectionSchema& schema, const SqlCondition& where) override {
    return with_db([&](SqliteDb& db) {
      auto st = db.prepare("SELECT COUNT(*) FROM " + schema.table + " t WHERE " + where.sql);
      st.bind_all(where.params);
      st.step();
      return st.int64(0);
    });
  }

  std::vector<FacetBucket> facet(const CollectionSchema& schema, const std::string& field, const SqlCondition& where,
                                 std::int64_t max_buckets) override {
    return with_db([&](SqliteDb& db) {
      std::vector<SqlParam> params;
      std::string sql;
      const IndexedColumn* col = schema.column_for(field);
      bool is_date = schema.is_date_field(field) || (col && col->type == ColumnType::Date);
      if (schema.is_array_field(field)) {
        sql = "SELECT v.value AS k, COUNT(*) AS n FROM " + schema.table + "_values v JOIN " + schema.table +
              " t ON t.id = v.id WHERE v.field = ? AND (" + where.sql + ") GROUP BY k";
        params.push_back(field);
      } else {
        std::string expr;
        if (col) expr = "t." + col->column;
        else {
          expr = "json_extract(t.doc, ?)";
          params.push_back(json_path_for(field));
        }
        if (is_date) expr = "substr(" + expr + ", 1, 10)";
        sql = "SELECT " + expr + " AS k, COUNT(*) AS n FROM " + schema.table + " t WHERE " + where.sql + " GROUP BY k";
      }
      sql += " ORDER BY n DESC, k LIMIT ?";
      params.insert(params.end(), where.params.begin(), where.params.end());
      params.push_back(max_buckets);
      auto st = db.prepare(sql);
      st.bind_all(params);
      std::vector<FacetBucket> out;
      while (st.step()) {
        FacetBucket b;
        switch (st.type(0)) {
          case SQLITE_NULL: b.key = nullptr; break;
          case SQLITE_INTEGER:
            if (col && col->type == ColumnType::Bool) b.key = st.int64(0) != 0;
            else b.key = st.int64(0);
            break;
          case SQLITE_FLOAT: b.key = st.real(0); break;
          default: b.key = json::string(st.text(0));
        }
        b.count = st.int64(1);
        out.push_back(std::move(b));
      }
      return out;
    });
  }

  std::vector<json::value> unwind(const CollectionSchema& schema, const std::string& array_field,
                                  const QueryPlan& plan) override {
    return with_db([&](SqliteDb& db) {
      std::vector<SqlParam> params{json_path_for(array_field)};
      std::string sql = "SELECT t.doc, je.value FROM " + schema.table + " t, json_each(t.doc, ?) je WHERE " +
                        and_all(plan.conditions).sql + " ORDER BY t.seq, je.key LIMIT ? OFFSET ?";
      auto cond = and_all(plan.conditions);
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

  std::vector<std::string> scientific_paths(const CollectionSchema& schema, const SqlCondition& where,
                                            std::int64_t limit) override {
    if (schema.scientific_field.empty()) return {};
    return with_db([&](SqliteDb& db) {
      auto st = db.prepare("SELECT DISTINCT s.path FROM " + schema.table + "_sci s WHERE s.id IN (SELECT t.id FROM " +
                           schema.table + " t WHERE " + where.sql + ") ORDER BY s.path LIMIT ?");
      st.bind_all(where.params);
      st.bind(static_cast<int>(where.params.size()) + 1, limit);
      std::vector<std::string> out;
      while (st.step()) out.emplace_back(st.text(0));
      return out;
    });
  }

  std::pair<std::int64_t, std::int64_t> file_totals(const CollectionSchema& blocks, std::string_view dataset_id) override {
    return with_db([&](SqliteDb& db) {
      auto st = db.prepare("SELECT COALESCE(SUM(size), 0), COALESCE(SUM(json_array_length(doc, '$.dataFileList')), 0) "
                           "FROM " + blocks.table + " WHERE dataset_id = ?");
      st.bind(1, std::string(dataset_id));
      st.step();
      return std::pair{st.int64(0), st.int64(1)};
    });
  }

  void transaction(const std::function<void()>& fn) override {
    if (tx_db()) {  // nested: join the outer transaction
      fn();
      return;
    }
    auto db = pool_.acquire();
    db->exec("BEGIN IMMEDIATE");
    t_tx_ = {this, db.get()};
    try {
      fn();
      db->exec("COMMIT");
    } catch (...) {
      t_tx_ = {};
      try {
        db->exec("ROLLBACK");
      } catch (...) {
      }
      pool_.release(std::move(db));
      throw;
    }
    t_tx_ = {};
    pool_.release(std::move(db));
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
  struct TxState {
    SqliteCatalogStore* owner = nullptr;
    SqliteDb* db = nullptr;
  };
  static thread_local TxState t_tx_;

  SqliteDb* tx_db() const { return t_tx_.owner == this ? t_tx_.db : nullptr; }

  template <class Fn>
  std::invoke_result_t<Fn, SqliteDb&> with_db(Fn&& fn) {
    if (SqliteDb* db = tx_db()) return fn(*db);
    auto db = pool_.acquire();
    struct Return {
      SqlitePool& pool;
      std::unique_ptr<SqliteDb>& db;
      ~Return() { pool.release(std::move(db)); }
    } ret{pool_, db};
    return fn(*db);
  }

  // Binds id (if given), doc, search_text, then the columns; returns the next index.
  static int bind_row(Statement& st, const CollectionSchema& schema, const std::optional<std::string>& id,
                      const json::object& doc) {
    int i = 1;
    if (id) st.bind(i++, *id);
    st.bind(i++, json::serialize(doc));
    if (schema.text_index) st.bind(i++, search_text_for(schema, doc));
    else st.bind(i++, nullptr);
    for (const auto& c : schema.columns) st.bind(i++, column_value(c, doc));
    return i;
  }

  static void clear_side_tables(SqliteDb& db, const CollectionSchema& schema, const std::string& id) {
    if (!schema.array_fields.empty()) {
      auto st = db.prepare("DELETE FROM " + schema.table + "_values WHERE id = ?");
      st.bind(1, id);
      st.run();
    }
    if (!schema.scientific_field.empty()) {
      auto st = db.prepare("DELETE FROM " + schema.table + "_sci WHERE id = ?");
      st.bind(1, id);
      st.run();
    }
  }

  static void write_side_tables(SqliteDb& db, const CollectionSchema& schema, const std::string& id,
                                const json::object& doc) {
    if (!schema.array_fields.empty()) {
      auto st = db.prepare("INSERT OR IGNORE INTO " + schema.table + "_values (field, value, id) VALUES (?, ?, ?)");
      for (const auto& field : schema.array_fields) {
        std::vector<std::string> values;
        if (field == kAccessField) {
          if (auto* g = doc.if_contains("ownerGroup")) collect_scalars(*g, values);
          if (auto* g = doc.if_contains("accessGroups")) collect_scalars(*g, values);
        } else {
          collect_path(json::value(doc), field, values);
        }
        for (const auto& v : values) {
          st.bind_all({field, v, id});
          st.run();
        }
      }
    }
    if (!schema.scientific_field.empty()) {
      const json::value* sm = doc.if_contains(schema.scientific_field);
      if (sm && sm->is_object()) {
        auto st = db.prepare("INSERT INTO " + schema.table +
                             "_sci (id, path, num, num_si, unit_si, text) VALUES (?, ?, ?, ?, ?, ?)");
        for (const auto& leaf : index_scientific_metadata(*sm)) {
          SqlParam num = leaf.number ? SqlParam(*leaf.number) : SqlParam(nullptr);
          SqlParam num_si = leaf.value_si ? SqlParam(*leaf.value_si) : num;
          std::string unit_si = leaf.unit_unknown ? leaf.unit : leaf.unit_si;
          SqlParam text = leaf.text ? SqlParam(*leaf.text) : SqlParam(nullptr);
          st.bind_all({id, leaf.path, num, num_si, unit_si, text});
          st.run();
        }
      }
    }
  }

  static std::string select_sql(const CollectionSchema& schema, const char* what, const QueryPlan& plan,
                                std::vector<SqlParam>& params) {
    SqlCondition cond = and_all(plan.conditions);
    std::string sql = std::string("SELECT ") + what + " FROM " + schema.table + " t WHERE " + cond.sql;
    params = cond.params;
    sql += " ORDER BY ";
    for (const auto& o : plan.order) {
      sql += o.expr + (o.descending ? " DESC, " : " ASC, ");
      params.insert(params.end(), o.params.begin(), o.params.end());
    }
    sql += "t.seq ASC LIMIT ? OFFSET ?";
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

  static void create_schema(SqliteDb& db) {
    std::string ddl =
        "CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, email TEXT, "
        "password_hash TEXT, auth_strategy TEXT, doc TEXT NOT NULL);";
    for (const CollectionSchema* s : schemas::all()) {
      const std::string& t = s->table;
      ddl += "CREATE TABLE IF NOT EXISTS " + t +
             " (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL, search_text TEXT";
      for (const auto& c : s->columns) ddl += ", " + c.column + " " + sql_type(c.type);
      ddl += ");";
      for (const auto& c : s->columns)
        ddl += "CREATE INDEX IF NOT EXISTS " + t + "_" + c.column + " ON " + t + " (" + c.column + ");";
      if (!s->array_fields.empty()) {
        ddl += "CREATE TABLE IF NOT EXISTS " + t +
               "_values (field TEXT NOT NULL, value TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (field, value, id)) "
               "WITHOUT ROWID;"
               "CREATE INDEX IF NOT EXISTS " + t + "_values_id ON " + t + "_values (id);";
      }
      if (s->text_index) {
        ddl += "CREATE VIRTUAL TABLE IF NOT EXISTS " + t + "_fts USING fts5(search_text, content='" + t +
               "', content_rowid='seq', tokenize='trigram');"
               "CREATE TRIGGER IF NOT EXISTS " + t + "_fts_ai AFTER INSERT ON " + t + " BEGIN "
               "INSERT INTO " + t + "_fts (rowid, search_text) VALUES (new.seq, new.search_text); END;"
               "CREATE TRIGGER IF NOT EXISTS " + t + "_fts_ad AFTER DELETE ON " + t + " BEGIN "
               "INSERT INTO " + t + "_fts (" + t + "_fts, rowid, search_text) VALUES ('delete', old.seq, old.search_text); END;"
               "CREATE TRIGGER IF NOT EXISTS " + t + "_fts_au AFTER UPDATE OF search_text ON " + t + " BEGIN "
               "INSERT INTO " + t + "_fts (" + t + "_fts, rowid, search_text) VALUES ('delete', old.seq, old.search_text); "
               "INSERT INTO " + t + "_fts (rowid, search_text) VALUES (new.seq, new.search_text); END;";
      }
      if (!s->scientific_field.empty()) {
        ddl += "CREATE TABLE IF NOT EXISTS " + t +
               "_sci (id TEXT NOT NULL, path TEXT NOT NULL, num REAL, num_si REAL, unit_si TEXT, text TEXT);"
               "CREATE INDEX IF NOT EXISTS " + t + "_sci_num ON " + t + "_sci (path, num_si);"
               "CREATE INDEX IF NOT EXISTS " + t + "_sci_text ON " + t + "_sci (path, text);"
               "CREATE INDEX IF NOT EXISTS " + t + "_sci_id ON " + t + "_sci (id);";
      }
    }
    db.exec("BEGIN IMMEDIATE;" + ddl + "COMMIT;");
  }

  SqlitePool pool_;
};

thread_local SqliteCatalogStore::TxState SqliteCatalogStore::t_tx_;

}  // namespace

std::unique_ptr<CatalogStore> open_sqlite_store(const std::filesystem::path& file) {
  return std::make_unique<SqliteCatalogStore>(file);
}

}  // namespace openem

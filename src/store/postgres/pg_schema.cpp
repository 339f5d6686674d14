#include "store/postgres/pg_schema.h"

#include <stdexcept>

#include "model/collection.h"
#include "store/postgres/pg_condition_sql.h"
#include "store/postgres/pg_facet_counts.h"
#include "store/postgres/pg_history.h"

namespace openem::pg_schema {
namespace {

// Advisory lock keys (any constants unique to openem): the schema, and the writers.
constexpr std::int64_t kSchemaLock = 0x6f70656e656d0001;

std::string text_literal(const std::string& v) {
  std::string out = "'";
  for (char c : v) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// Format 1 catalogs: indexes without NULLS FIRST, no access column, scientific leaves keyed
// (seq, ord). Adds the column, fills it from the side table (the same members document_rows
// gives), re-keys the leaves and drops the old indexes.
std::string upgrade_from_format_1(const CollectionSchema& s) {
  const std::string& t = s.table;
  std::string ddl;
  for (const auto& c : s.columns) ddl += "DROP INDEX IF EXISTS " + t + "_" + c.column + ";";
  // The scientific leaves keyed (seq, path, ord): a document's test of one path is a seek.
  if (!s.scientific_field.empty())
    ddl += "ALTER TABLE IF EXISTS " + t + "_sci DROP CONSTRAINT IF EXISTS " + t + "_sci_pkey, ADD PRIMARY KEY (seq, path, ord);";
  if (s.has_access_set())
    ddl += "ALTER TABLE IF EXISTS " + t + " ADD COLUMN IF NOT EXISTS access TEXT[] COLLATE \"C\" NOT NULL DEFAULT '{}';"
           "UPDATE " + t + " SET access = ARRAY(SELECT CASE v.field WHEN '#access' THEN 'g:' ELSE 's:' END || v.value FROM " +
           t + "_values v WHERE v.seq = " + t + ".seq AND (v.field = '#access'" +
           (s.is_array_field("sharedWith") ? " OR v.field = 'sharedWith'" : "") + ") ORDER BY 1);";
  return ddl;
}

std::string collection_ddl(const CollectionSchema& s) {
  const std::string& t = s.table;
  std::string ddl = "CREATE TABLE IF NOT EXISTS " + t +
                    " (seq BIGSERIAL PRIMARY KEY, id TEXT COLLATE \"C\" NOT NULL UNIQUE, doc JSONB NOT NULL, doc_text TEXT NOT NULL";
  for (const auto& c : s.columns) ddl += ", " + c.column + " " + pg_sql::column_type(c.type);
  if (s.text_index) ddl += ", search_text TEXT";
  if (s.has_access_set()) ddl += ", access TEXT[] COLLATE \"C\" NOT NULL DEFAULT '{}'";
  ddl += ");";
  // NULLS FIRST, as SQLite orders: "ORDER BY c ASC NULLS FIRST, seq" walks the index forward
  // and "c DESC NULLS LAST, seq DESC" backward, so a sorted page reads only its rows.
  // With an access set, each sort index carries it (INCLUDE): a reader's page walks the index
  // and tests the read rule there, and reads the heap only for the rows it returns
  // (postgres_catalog_store.cpp, select_sql); the wide rows (the document) stay unread.
  const std::string carry = s.has_access_set() ? " INCLUDE (access)" : "";
  for (const auto& c : s.columns) {
    const std::string name = t + "_" + c.column + (s.has_access_set() ? "_sorted" : "_order");
    if (s.has_access_set()) ddl += "DROP INDEX IF EXISTS " + t + "_" + c.column + "_order;";  // format 2's, without access
    ddl += "CREATE INDEX IF NOT EXISTS " + name + " ON " + t + " (" + c.column + " NULLS FIRST, seq)" + carry + ";";
  }
  if (s.has_access_set()) {
    ddl += "CREATE INDEX IF NOT EXISTS " + t + "_seq_sorted ON " + t + " (seq) INCLUDE (access);";  // unsorted pages
    // Index-only walks skip the heap on all-visible pages: vacuum after 1 % new rows
    // (PostgreSQL's default waits for 20 %), so the newest rows, which pages show first, are.
    ddl += "ALTER TABLE " + t + " SET (autovacuum_vacuum_insert_scale_factor = 0.01);";
  }
  // The read rule as one in-row test: the access set's members ("g:<group>", "s:<e-mail>",
  // model/access_set.h) overlap the reader's.
  if (s.has_access_set()) ddl += "CREATE INDEX IF NOT EXISTS " + t + "_access ON " + t + " USING GIN (access);";
  if (s.text_index) ddl += "CREATE INDEX IF NOT EXISTS " + t + "_search ON " + t + " USING GIN (search_text gin_trgm_ops);";
  if (!s.array_fields.empty())
    ddl += "CREATE TABLE IF NOT EXISTS " + t + "_values (field TEXT COLLATE \"C\" NOT NULL, value TEXT COLLATE \"C\" NOT NULL, "
           "seq BIGINT NOT NULL, PRIMARY KEY (field, value, seq));"
           "CREATE INDEX IF NOT EXISTS " + t + "_values_seq ON " + t + "_values (seq);";
  if (!s.scientific_field.empty())
    ddl += "CREATE TABLE IF NOT EXISTS " + t + "_sci (seq BIGINT NOT NULL, path TEXT COLLATE \"C\" NOT NULL, ord BIGINT NOT NULL, "
           "num DOUBLE PRECISION, num_si DOUBLE PRECISION, unit_si TEXT COLLATE \"C\", text TEXT COLLATE \"C\", "
           "PRIMARY KEY (seq, path, ord) INCLUDE (unit_si, num_si));"
           // A document's test of a number (EXISTS ... seq = t.seq AND path = ? AND unit_si = ?
           // AND num_si > ?) reads the key alone, no heap page: the key carries unit and value
           // (catalogs made before get them once here) and new leaves are vacuumed soon, so
           // their pages are all-visible.
           "DO $$ BEGIN IF (SELECT indnatts FROM pg_index WHERE indexrelid = '" + t + "_sci_pkey'::regclass) = 3 THEN "
           "ALTER TABLE " + t + "_sci DROP CONSTRAINT " + t + "_sci_pkey, ADD PRIMARY KEY (seq, path, ord) "
           "INCLUDE (unit_si, num_si); END IF; END $$;"
           "ALTER TABLE " + t + "_sci SET (autovacuum_vacuum_insert_scale_factor = 0.01);"
           "CREATE INDEX IF NOT EXISTS " + t + "_sci_path ON " + t + "_sci (path, unit_si, num_si);"
           // A path's leaves share its unit: without this the planner multiplies the two
           // selectivities and takes a common condition for a rare one.
           "CREATE STATISTICS IF NOT EXISTS " + t + "_sci_path_unit (dependencies, mcv) ON path, unit_si FROM " + t + "_sci;";
  if (s.public_tombstones) {
    const IndexedColumn* updated = s.column_for("updatedAt");
    if (!updated) throw std::logic_error(s.name + ": tombstones need updatedAt");
    ddl += "CREATE INDEX IF NOT EXISTS " + t + "_public ON " + t + " (" + updated->column + ", id) WHERE " +
           public_condition(s) + ";"
           "CREATE TABLE IF NOT EXISTS " + t + "_tombstones (id TEXT COLLATE \"C\" PRIMARY KEY, "
           "deleted_at TEXT COLLATE \"C\" NOT NULL);"
           "CREATE INDEX IF NOT EXISTS " + t + "_tombstones_order ON " + t + "_tombstones (deleted_at, id);";
  }
  return ddl;
}

}  // namespace

std::string public_condition(const CollectionSchema& s) {
  const IndexedColumn* published = s.column_for(s.public_field);
  if (!published) throw std::logic_error(s.name + " has no column for " + s.public_field);
  if (s.public_values.empty()) return published->column + " = 1";
  std::string values;
  for (const auto& v : s.public_values) values += (values.empty() ? "" : ", ") + text_literal(v);
  return published->column + " IN (" + values + ")";
}

namespace {

// Datasets named as a previousVersion that have no series yet (made before a first version
// took one): versionNumber 1 and their own pid as versionSeries, in the document and its
// side row, as dataset_writes.cpp now does when the second version is made.
std::string first_versions_backfill_sql() {
  return "CREATE TEMP TABLE openem_first_versions ON COMMIT DROP AS SELECT t.seq, t.id FROM datasets t "
         "WHERE EXISTS (SELECT 1 FROM datasets_values v WHERE v.field = 'previousVersion' AND v.value = t.id) "
         "AND NOT EXISTS (SELECT 1 FROM datasets_values w WHERE w.seq = t.seq AND w.field = 'versionSeries');"
         "UPDATE datasets t SET doc = t.doc || jsonb_build_object('versionNumber', 1, 'versionSeries', t.id), "
         "doc_text = (t.doc || jsonb_build_object('versionNumber', 1, 'versionSeries', t.id))::text "
         "FROM openem_first_versions f WHERE t.seq = f.seq;"
         "INSERT INTO datasets_values (field, value, seq) SELECT 'versionSeries', f.id, f.seq FROM openem_first_versions f "
         "ON CONFLICT DO NOTHING;";
}

// FNV-1a of the DDL text: the same on every build and machine.
std::int64_t ddl_fingerprint(const std::string& ddl) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : ddl) h = (h ^ c) * 1099511628211ull;
  return static_cast<std::int64_t>(h);
}

// One try of create_or_upgrade, in one transaction.
void create_or_upgrade_once(PgConnection& db) {
  db.exec_script("BEGIN");
  try {
    db.exec("SELECT pg_advisory_xact_lock(?)", {kSchemaLock});
    // Then the writers' lock (writers never take the schema lock): the DDL below waits for the
    // running write transaction and no writer starts until it is done. (An insert on its own
    // takes it only after its rows: see create_or_upgrade.)
    db.exec("SELECT pg_advisory_xact_lock(?)", {kWriteLock});
    db.exec_script(
        "CREATE TABLE IF NOT EXISTS openem_meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);"
        "INSERT INTO openem_meta VALUES ('generation', 0) ON CONFLICT DO NOTHING;");
    auto format = db.exec("SELECT value FROM openem_meta WHERE key = 'format'");
    if (format.rows() == 1 && format.int64(0, 0) > kFormat)
      throw std::runtime_error("the PostgreSQL catalog has format " + std::string(format.text(0, 0)) +
                               ", newer than this openem knows (" + std::to_string(kFormat) + "): upgrade openem");
    std::string ddl =
        "CREATE EXTENSION IF NOT EXISTS pg_trgm;"
        // The elements of a JSON value as json_each gives them in SQLite: an array's elements,
        // a scalar as itself, nothing for a missing value.
        "CREATE OR REPLACE FUNCTION openem_elements(v jsonb) RETURNS SETOF jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS "
        "$$ SELECT e FROM jsonb_array_elements(CASE WHEN v IS NULL THEN '[]'::jsonb WHEN jsonb_typeof(v) = 'array' "
        "THEN v ELSE jsonb_build_array(v) END) e $$;"
        "CREATE OR REPLACE FUNCTION openem_text(v jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS "
        "$$ SELECT CASE WHEN jsonb_typeof(v) = 'string' THEN v #>> '{}' END $$;"
        "CREATE OR REPLACE FUNCTION openem_num(v jsonb) RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS "
        "$$ SELECT CASE jsonb_typeof(v) WHEN 'number' THEN (v #>> '{}')::double precision "
        "WHEN 'boolean' THEN CASE WHEN v = 'true'::jsonb THEN 1 ELSE 0 END END $$;"
        "CREATE TABLE IF NOT EXISTS users (id TEXT COLLATE \"C\" PRIMARY KEY, username TEXT COLLATE \"C\" NOT NULL UNIQUE, "
        "email TEXT NOT NULL, password_hash TEXT NOT NULL, auth_strategy TEXT NOT NULL, doc JSONB NOT NULL);"
        "CREATE TABLE IF NOT EXISTS settings (key TEXT COLLATE \"C\" PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS audit_log (seq BIGSERIAL PRIMARY KEY, time TEXT NOT NULL, event TEXT NOT NULL, "
        "username TEXT NOT NULL, actor TEXT NOT NULL, remote TEXT NOT NULL, detail JSONB NOT NULL);"
        "CREATE INDEX IF NOT EXISTS audit_log_event ON audit_log (event, seq);"
        "CREATE INDEX IF NOT EXISTS audit_log_user ON audit_log (username, seq);"
        "CREATE TABLE IF NOT EXISTS login_failures (key TEXT COLLATE \"C\" NOT NULL, at DOUBLE PRECISION NOT NULL);"
        "CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures (key, at);";
    const bool format_1 = format.rows() == 1 && format.int64(0, 0) == 1;
    for (const CollectionSchema* s : schemas::all()) {
      if (format_1) ddl += upgrade_from_format_1(*s);
      ddl += collection_ddl(*s);
    }
    ddl += pg_facet_counts::ddl();
    ddl += pg_history::ddl();
    ddl += "CREATE INDEX IF NOT EXISTS datasets_embargo ON datasets (date_of_publishing) WHERE is_published = 0;";
    // Every start of one openem version has the same DDL: a catalog that ran exactly this DDL
    // is left as it is. So a process starting beside busy writers locks no table (see
    // create_or_upgrade), and starts faster.
    const std::int64_t fingerprint = ddl_fingerprint(ddl);  // of the schema alone: one-time steps below
    // Format 4: datasets' usedSoftware has side rows (the lineage walk reads them); the
    // catalog's documents get theirs once. SciCat's DTO makes it an array of strings. A first
    // version made before format 4 gets the series a later one names it by (docs/lineage.md).
    if (format.rows() == 1 && format.int64(0, 0) < 4)
      ddl += "INSERT INTO datasets_values (field, value, seq) SELECT 'usedSoftware', e #>> '{}', t.seq FROM datasets t, "
             "openem_elements(t.doc -> 'usedSoftware') e WHERE jsonb_typeof(e) = 'string' ON CONFLICT DO NOTHING;" +
             first_versions_backfill_sql();
    auto ran = db.exec("SELECT value FROM openem_meta WHERE key = 'schema_fingerprint'");
    if (format.rows() == 1 && format.int64(0, 0) == kFormat && ran.rows() == 1 && ran.int64(0, 0) == fingerprint) {
      db.exec_script("COMMIT");
      return;
    }
    db.exec_script(ddl);
    db.exec("INSERT INTO openem_meta VALUES ('format', ?), ('schema_fingerprint', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            {kFormat, fingerprint});
    db.exec_script("COMMIT");
  } catch (...) {
    try {
      db.exec_script("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
}

}  // namespace

void create_or_upgrade(PgConnection& db) {
  // An insert on its own holds its table's row lock while it waits for the write lock, and the
  // DDL here holds the write lock while it locks each table: PostgreSQL breaks that deadlock by
  // aborting one side. The insert tries again; so does this. (Only a new openem version runs
  // the DDL: an unchanged catalog is recognised by its fingerprint and locks no table.)
  for (int attempt = 1;; ++attempt) {
    try {
      create_or_upgrade_once(db);
      return;
    } catch (const PgError& e) {
      if (!e.is_deadlock() || attempt == 5) throw;
    }
  }
}

}  // namespace openem::pg_schema

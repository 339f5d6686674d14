#pragma once
// CatalogStore: durable storage of the catalog's JSON documents, one collection per
// CollectionSchema, with the indexes that queries need (columns, array side table, text,
// scientific leaves) kept in step with each write. Implementations are thread-safe: any
// thread may call any method; writes are atomic and durable when they return.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/collection.h"
#include "query/condition.h"
#include "store/access_facet_counts.h"
#include "store/audit_event.h"
#include "store/document_rows.h"
#include "store/history.h"
#include "store/lineage_rows.h"
#include "store/public_records.h"

namespace openem {

// A stored document as its JSON text, with the caller's read right decided by the store.
struct RawDocument {
  std::string json;
  bool readable = false;
};

struct UserRecord {
  std::string id;
  std::string username;
  std::string email;
  std::string password_hash;     // argon2id PHC string; empty for external users
  std::string auth_strategy = "local";
  std::vector<std::string> groups;  // roles ∪ access groups
  boost::json::object extra;         // displayName, settings, ...
};

class CatalogStore {
 public:
  virtual ~CatalogStore() = default;

  // Documents are keyed by doc[schema.id_field] (a string). insert throws StoreError
  // kDuplicateId (store/store_errors.h) when the id exists; replace/remove return false when it does not. Called outside a
  // transaction, an insert is a transaction of its own that reads nothing: a store may run it
  // beside other writes (PostgreSQL does). The forms taking
  // DocumentRows let a caller compute the rows before it opens a transaction.
  virtual void insert(const DocumentRows& rows) = 0;
  void insert(const CollectionSchema& schema, const boost::json::object& doc) { insert(document_rows(schema, doc)); }
  virtual std::optional<boost::json::object> get(const CollectionSchema& schema, std::string_view id) = 0;
  // The fast path for reads by id: no parse, the access rule evaluated by the database.
  virtual std::optional<RawDocument> get_raw(const CollectionSchema& schema, std::string_view id,
                                             const Condition& access) = 0;
  virtual bool replace(const DocumentRows& rows) = 0;
  bool replace(const CollectionSchema& schema, const boost::json::object& doc) {
    return replace(document_rows(schema, doc));
  }
  virtual bool remove(const CollectionSchema& schema, std::string_view id) = 0;
  // The three above record each change of a collection with a history subsystem in the change
  // history (store/history.h), in the write's transaction, naming the thread's acting user
  // (core/acting_user.h). The store is the one place every write passes: no API path, worker
  // or timer can change a document without its record, and a rolled-back write leaves none.

  // The change history: records matching `query`, newest first, and how many there are. Reads
  // see committed records (a transaction's own may be appended only at its commit).
  virtual std::vector<HistoryRecord> history(const HistoryQuery& query) = 0;
  virtual std::int64_t count_history(const HistoryQuery& query) = 0;
  // The feed of an event stream or webhook: records after query.after_seq, oldest first
  // (store/history.h HistoryFeedQuery), and the seq of the newest committed record (0 when
  // there is none). A record with a higher seq than latest_history_seq() returned commits later
  // than every record it counted, so a reader that walks up to it misses nothing.
  virtual HistoryFeedPage history_feed(const HistoryFeedQuery& query) = 0;
  virtual std::int64_t latest_history_seq() = 0;

  virtual std::vector<boost::json::object> find(const CollectionSchema& schema, const QueryPlan& plan) = 0;
  virtual std::vector<std::string> find_ids(const CollectionSchema& schema, const QueryPlan& plan) = 0;
  // Datasets as the lineage index keeps them (store/lineage_rows.h), without reading documents.
  virtual std::vector<LineageNode> lineage_nodes(const LineageNodesQuery& query) = 0;
  // (id, text of the indexed column that holds `field`) of each matching document, in the
  // plan's order, without reading the documents (sitemaps list a million of them). A null
  // column gives "". std::invalid_argument when `field` has no column.
  virtual std::vector<std::pair<std::string, std::string>> id_and_column(const CollectionSchema& schema,
                                                                         const std::string& field,
                                                                         const QueryPlan& plan) = 0;
  virtual std::int64_t count(const CollectionSchema& schema, const Condition& where) = 0;
  // SUM of the integer column that holds `field` over matching documents (0 for none).
  // std::invalid_argument when `field` has no column.
  virtual std::int64_t sum(const CollectionSchema& schema, const std::string& field, const Condition& where) = 0;
  // Values of `field` with their counts among documents matching `where`. Array fields count
  // each element; date fields group by day.
  virtual std::vector<FacetBucket> facet(const CollectionSchema& schema, const std::string& field,
                                         const Condition& where, std::int64_t max_buckets) = 0;
  // Facets over plain (non-date) columns, all from one scan; `total` receives the number of
  // matching documents. Buckets sorted by count, descending.
  virtual std::vector<std::vector<FacetBucket>> facet_columns(const CollectionSchema& schema,
                                                              const std::vector<std::string>& fields,
                                                              const Condition& where, std::int64_t& total) = 0;
  // Unfiltered facets over everything `readers` may read, from counts kept per access set
  // (schema.counted_facets; AccessFacetCounts): no scan. nullopt when the collection keeps no
  // such counts or a facet is not among them; then facet()/facet_columns() answer.
  virtual std::optional<FacetCounts> counted_facets(const CollectionSchema& schema, const AccessValues& readers,
                                                    const std::vector<std::string>& facets,
                                                    std::int64_t max_buckets) = 0;
  // One row per element of each matching document's array at `array_field` (file lists):
  // the document with that field replaced by the one element, as MongoDB's $unwind.
  virtual std::vector<boost::json::value> unwind(const CollectionSchema& schema, const std::string& array_field,
                                                 const QueryPlan& plan) = 0;
  // The number of elements of the arrays at `array_field` over the documents matching `where`
  // (the files of file lists: what unwind() would return, without the rows).
  virtual std::int64_t count_elements(const CollectionSchema& schema, const std::string& array_field,
                                      const Condition& where) = 0;
  // Distinct paths of scientific-metadata leaves among documents matching `where`, sorted.
  virtual std::vector<std::string> scientific_paths(const CollectionSchema& schema, const Condition& where,
                                                    std::int64_t limit) = 0;
  // SUM(size) and total number of files over origdatablocks of one dataset.
  virtual std::pair<std::int64_t, std::int64_t> file_totals(const CollectionSchema& blocks,
                                                            std::string_view dataset_id) = 0;

  // Harvesting (store/public_records.h), for collections with schema.public_tombstones:
  // up to `limit` records of the range in (datestamp, id) order, with their documents when
  // `with_documents`; how many records the range holds; the earliest datestamp of all
  // records (nullopt when there are none); one record by id (nullopt when the id was never
  // public). The store makes a tombstone when a public document is removed or written as not
  // public, and drops it when the document is public again. std::invalid_argument for other
  // collections and for a set field that is neither a column nor an array field.
  virtual std::vector<PublicRecord> public_records(const CollectionSchema& schema, const PublicRecordRange& range,
                                                   std::int64_t limit, bool with_documents) = 0;
  virtual std::int64_t count_public_records(const CollectionSchema& schema, const PublicRecordRange& range) = 0;
  virtual std::optional<std::string> earliest_public_datestamp(const CollectionSchema& schema) = 0;
  virtual std::optional<PublicRecord> public_record(const CollectionSchema& schema, std::string_view id) = 0;
  // The distinct values of `field` among public documents, sorted, at most `limit`.
  virtual std::vector<std::string> public_values(const CollectionSchema& schema, const std::string& field,
                                                 std::int64_t limit) = 0;

  // Runs fn atomically: all store calls made by fn on this thread commit together or not at
  // all (an exception rolls back and propagates). Nested calls join the outer transaction.
  virtual void transaction(const std::function<void()>& fn) = 0;

  // Users and server settings.
  virtual std::optional<UserRecord> user_by_name(std::string_view username) = 0;
  virtual std::optional<UserRecord> user_by_id(std::string_view id) = 0;
  virtual void upsert_user(const UserRecord& user) = 0;
  // Reads the user, applies `change` and stores the result in one transaction, so two changes
  // of one user (a token made while another is revoked) never lose each other. False when the
  // user does not exist (change is then not called). An exception from change stores nothing.
  bool update_user(std::string_view id, const std::function<void(UserRecord&)>& change) {
    bool found = false;
    transaction([&] {
      auto user = user_by_id(id);
      if (!user) return;
      change(*user);
      upsert_user(*user);
      found = true;
    });
    return found;
  }
  virtual std::vector<UserRecord> list_users(std::int64_t limit, std::int64_t skip) = 0;
  // The security audit log (audit_event.h): appended in its own transaction (or the caller's).
  virtual void append_audit(const AuditEvent& event) = 0;
  virtual std::vector<AuditEvent> audit_events(const AuditQuery& query) = 0;

  // Failed sign-ins (api/login_throttle.h), kept in the catalog so that the processes sharing
  // it count them together: one entry per failure of a key ("account:<name>",
  // "address:<addr>"), at a time in seconds since the epoch. On the shared store they are
  // not document writes: they leave write_generation() (and so every cache) alone, or a
  // flood of wrong passwords would empty the caches.
  virtual void add_login_failure(std::string_view key, double at) = 0;
  // The key's most recent failure times at or after `since`, newest first, at most `limit`.
  virtual std::vector<double> login_failures(std::string_view key, double since, int limit) = 0;
  virtual void clear_login_failures(std::string_view key) = 0;
  // Drops every failure older than `before` (the window's start), of every key.
  virtual void forget_login_failures(double before) = 0;

  virtual std::optional<std::string> setting(std::string_view key) = 0;
  virtual void set_setting(std::string_view key, std::string_view value) = 0;

  // Each read outside a transaction may run this long; past it, it fails with StoreError
  // kBudgetExceeded.
  // Zero (the default): no limit.
  virtual void set_query_budget(std::chrono::milliseconds budget) = 0;

  virtual bool healthy() = 0;
  // True when other processes may write to this catalog as peers (a shared PostgreSQL
  // catalog): state kept in memory beside it must then be re-read when write_generation()
  // moves. The SQLite catalog's other processes are archivers.
  virtual bool shared_between_processes() const { return false; }
  // Increases with every committed write: a cache of query results is valid while it
  // has not changed.
  virtual std::uint64_t write_generation() const = 0;
};

// The embedded store: one SQLite database file in WAL mode.
std::unique_ptr<CatalogStore> open_sqlite_store(const std::filesystem::path& file);
// The shared store: a PostgreSQL database (libpq URL, "postgresql://user@host/db?..."), for
// several openem processes; creates or upgrades its tables. Throws when it cannot connect.
std::unique_ptr<CatalogStore> open_postgres_store(const std::string& url);

}  // namespace openem

#pragma once
// CollectionSchema: what the catalog knows about one SciCat collection (datasets, proposals,
// ...): its id field, which JSON fields are mirrored into indexed SQL columns, which arrays
// are indexed in the side table, which fields hold dates. Query translation, storage and
// the API all read these; they are immutable singletons, safe from any thread.
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace openem {

enum class ColumnType { Text, Integer, Real, Bool, Date };

// A JSON field (dotted path) mirrored into a real column so that filters, sorts and facets
// on it use an index instead of parsing documents.
struct IndexedColumn {
  std::string field;   // e.g. "datasetlifecycle.archiveStatusMessage"
  std::string column;  // e.g. "archive_status"
  ColumnType type;
  // The order lists are usually walked in (newest first): its index also holds each row's
  // access set, so a walk skips unreadable rows without reading them.
  bool walk_order = false;
};

struct CollectionSchema {
  std::string name;      // API name, e.g. "datasets"
  std::string table;     // SQL table name; side tables are <table>_values, <table>_sci, <table>_fts
  std::string id_field;  // document field that holds the primary key
  std::vector<IndexedColumn> columns;
  // Array fields whose elements go into <table>_values(field, value, id). The pseudo field
  // "#access" holds ownerGroup ∪ accessGroups for ownable collections.
  std::vector<std::string> array_fields;
  std::set<std::string, std::less<>> date_fields;
  bool ownable = true;              // ownerGroup / accessGroups / isPublished
  bool text_index = false;          // FTS5 trigram index over all strings
  std::string scientific_field;     // leaves indexed in <table>_sci ("" = none)
  std::set<std::string, std::less<>> text_excluded;  // fields left out of the text index
  // Facets counted per access set as documents are written (plain non-date columns or array
  // fields): the facets a catalog front end asks for on every page load, answered without a
  // scan when no filter is set.
  std::vector<std::string> counted_facets;
  // Keeps a tombstone of each document that stops being public (deleted, or written as not
  // public), for harvesters (store/public_records.h): OAI-PMH's persistent deleted records.
  bool public_tombstones = false;
  // What makes a document of such a collection public: its indexed column `public_field` holds
  // one of `public_values`, or the boolean true when the list is empty (isPublished).
  std::string public_field = "isPublished";
  std::vector<std::string> public_values;
  // Fields computed for each reader when a document goes out (a proposal's numberOfDatasets
  // counts the datasets that reader can read). They are never stored, and no filter, sort or
  // facet may name them: a stored value is one for all readers, so it would tell a reader
  // about documents only others can read.
  std::set<std::string, std::less<>> per_reader_fields;
  // A collection whose read rule is not its access set (jobs: owner user, owner group, job
  // type): the members its text index tokens carry instead (store/sqlite/reader_tagged_trigrams.h),
  // each a string field of the document and the namespace its member goes in ("u:", "t:").
  // Empty: the access set's members.
  std::vector<std::pair<std::string, std::string>> text_reader_fields;
  // The change history's name for this collection (store/history.h: "Dataset", "Proposal",
  // ...): every insert, replace and remove records who changed what, in the write's own
  // transaction. "" for collections whose changes are not history (jobs, uploads, ledgers).
  std::string history_subsystem;
  // Top-level fields left out of the history's before/after (a dataset's legacy history).
  std::set<std::string, std::less<>> history_excluded;

  const IndexedColumn* column_for(std::string_view field) const;
  bool is_array_field(std::string_view field) const;
  bool is_date_field(std::string_view field) const { return date_fields.count(field) > 0; }
  // A per-reader field or a path inside one ("numberOfDatasets", "numberOfDatasets.x").
  bool is_per_reader_field(std::string_view field) const;
  // Ownable documents keep their access set (model/access_set.h) in their row.
  bool has_access_set() const;
};

namespace schemas {
const CollectionSchema& datasets();
const CollectionSchema& origdatablocks();
const CollectionSchema& datablocks();
const CollectionSchema& attachments();
const CollectionSchema& proposals();
const CollectionSchema& samples();
const CollectionSchema& instruments();
const CollectionSchema& policies();
const CollectionSchema& jobs();
const CollectionSchema& archive_copies();
const CollectionSchema& tus_uploads();
const CollectionSchema& published_data();
const CollectionSchema& datacite_outbox();
const CollectionSchema& webhooks();
const CollectionSchema& webhook_deliveries();
const CollectionSchema& job_messages();
const CollectionSchema& logbook_entries();
const std::vector<const CollectionSchema*>& all();
// The collection whose history_subsystem is `subsystem`, or nullptr.
const CollectionSchema* by_history_subsystem(std::string_view subsystem);
}  // namespace schemas

// Pseudo array field listing ownerGroup and accessGroups, used by access checks; a
// published document also carries kPublishedValue there (no group is named "").
inline constexpr std::string_view kAccessField = "#access";
inline constexpr std::string_view kPublishedValue = "";

}  // namespace openem

#pragma once
// The SQLite side of harvesting (store/public_records.h) for SqliteCatalogStore: the tables
// and indexes, the tombstones kept as documents stop being public, and the reads in
// (datestamp, id) order. Layout per collection <t> with public_tombstones:
//   <t>_public              partial index of <t> (updated_at, id) WHERE is_published = 1:
//                           a harvest walks it, one page per seek, whatever its size
//   <t>_tombstones(id, deleted_at)  with an index in (deleted_at, id) order
// Functions of one connection; the caller holds it (the writer's, inside its transaction, for
// the write hooks).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/collection.h"
#include "store/document_rows.h"
#include "store/public_records.h"
#include "store/sqlite/sqlite_db.h"

namespace openem::sqlite_public_records {

// CREATE ... IF NOT EXISTS statements for a collection with public_tombstones ("" otherwise).
// std::logic_error when the schema lacks the isPublished and updatedAt columns.
std::string ddl(const CollectionSchema& schema);

// Write hooks: whether the stored row at `seq` is public (read before it changes), whether
// the rows about to be written are, and the tombstone bookkeeping after a write — a document
// that was public and is no longer (or is removed: now_public false) gets a tombstone dated
// `now` (iso_utc); a public one loses any it had.
bool stored_is_public(SqliteDb& db, const CollectionSchema& schema, std::int64_t seq);
void after_write(SqliteDb& db, const CollectionSchema& schema, const std::string& id, bool was_public, bool now_public,
                 const std::string& now);

// The statement records() runs (for its query plan in tests): its parameters but the last,
// the limit, go to `params`.
std::string records_sql(const CollectionSchema& schema, const PublicRecordRange& range, bool with_documents,
                        std::vector<SqlParam>& params);
std::vector<PublicRecord> records(SqliteDb& db, const CollectionSchema& schema, const PublicRecordRange& range,
                                  std::int64_t limit, bool with_documents);
std::int64_t count(SqliteDb& db, const CollectionSchema& schema, const PublicRecordRange& range);
std::optional<std::string> earliest_datestamp(SqliteDb& db, const CollectionSchema& schema);
std::optional<PublicRecord> record(SqliteDb& db, const CollectionSchema& schema, std::string_view id);
std::vector<std::string> values(SqliteDb& db, const CollectionSchema& schema, const std::string& field,
                                std::int64_t limit);

}  // namespace openem::sqlite_public_records

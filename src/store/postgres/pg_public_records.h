#pragma once
// Harvesting (store/public_records.h) on the PostgreSQL catalog: public rows and tombstones in
// one (datestamp, id) order, and the tombstones kept as documents stop being public.
#include <optional>
#include <string>
#include <vector>

#include "model/collection.h"
#include "store/document_rows.h"
#include "store/postgres/pg_connection.h"
#include "store/public_records.h"

namespace openem::pg_public_records {

bool stored_is_public(PgConnection& db, const CollectionSchema& s, std::int64_t seq);
// After a write of `id` that was public (was_public) and is public now or not: a tombstone made
// or dropped, dated `now`.
void after_write(PgConnection& db, const CollectionSchema& s, const std::string& id, bool was_public,
                 bool now_public, const std::string& now);

std::vector<PublicRecord> records(PgConnection& db, const CollectionSchema& s, const PublicRecordRange& r,
                                  std::int64_t limit, bool with_documents);
std::int64_t count(PgConnection& db, const CollectionSchema& s, const PublicRecordRange& r);
std::optional<std::string> earliest_datestamp(PgConnection& db, const CollectionSchema& s);
std::optional<PublicRecord> record(PgConnection& db, const CollectionSchema& s, std::string_view id);
std::vector<std::string> values(PgConnection& db, const CollectionSchema& s, const std::string& field,
                                std::int64_t limit);

}  // namespace openem::pg_public_records

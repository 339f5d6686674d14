#pragma once
// The PostgreSQL catalog's tables: per collection its table (columns of the schema's indexed
// fields, the document as JSONB for queries and as the text it was written in, returned as is, the search text under a trigram index), its side tables
// (<t>_values for array elements and the access set, <t>_sci for scientific leaves,
// <t>_tombstones for harvesters), and users, settings, the audit log and openem_meta (the
// format and the write generation). create_or_upgrade runs at start-up under an advisory lock,
// so processes starting together create the tables once.
#include <cstdint>
#include <string>

#include "model/collection.h"

#include "store/postgres/pg_connection.h"

namespace openem::pg_schema {

// 2: the access column (the read rule in-row), NULLS FIRST sort indexes, leaves keyed by path.
// 3: the change history (pg_history.h); an older openem would write without recording.
// 4: side rows of datasets' usedSoftware (read by the lineage walk).
inline constexpr std::int64_t kFormat = 4;
// The advisory lock every write transaction holds (an arbitrary key unique to openem). The
// schema work takes it too: its CREATE INDEX IF NOT EXISTS locks each table (SHARE) even when
// the index exists, and beside a running write transaction that deadlocks.
inline constexpr std::int64_t kWriteLock = 0x6f70656e656d0002;

// Creates what is missing, in one transaction under the schema lock and the write lock (no
// write transaction runs meanwhile, in any process); throws when the database
// holds a newer format than this program knows.
void create_or_upgrade(PgConnection& db);

// The condition "the row is public" for a collection that keeps tombstones, on alias `t`.
std::string public_condition(const CollectionSchema& s);

}  // namespace openem::pg_schema

#pragma once
// The access-set facet counts (store/access_facet_counts.h) of a PostgreSQL catalog that
// several processes write. Each process keeps the counts in memory, as the SQLite store does,
// and learns of every process's writes from a log in the database: a write transaction
// appends its delta under the write generation it gives the catalog (openem_facet_log), in
// that same transaction; before answering, a reader applies the entries after the generation
// it has seen — one round trip. Writes are serial (the write lock), so generations commit in
// order and a statement that sees generation G sees every entry up to G.
// Entries older than kLogKept generations are pruned; a process that fell further behind, and
// one that starts, builds the counts from the tables in one snapshot.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "model/collection.h"
#include "store/access_facet_counts.h"
#include "store/postgres/pg_pool.h"

namespace openem::pg_facet_counts {

inline constexpr std::int64_t kLogKept = 10000;

using Deltas = std::map<const CollectionSchema*, FacetCountDelta>;

// Takes the stored document `seq` out of `delta` (before the write transaction changes or
// removes it), from its columns and side rows as the build reads them.
void uncount_stored(PgConnection& db, const CollectionSchema& schema, std::int64_t seq, FacetCountDelta& delta);

// The log table (part of the schema).
std::string ddl();

// Called in the write transaction that moved the generation to `generation`.
void log(PgConnection& db, std::int64_t generation, const Deltas& deltas);

class Mirror {
 public:
  explicit Mirror(PgPool& pool) : pool_(pool) {}
  // The counts of `schema` as of the last committed write (null when it keeps none); with
  // `known_generation` (what the caller's request read), counts at or past it are current
  // enough and come without a round trip.
  std::shared_ptr<const AccessFacetCounts> current(const CollectionSchema& schema,
                                                   std::optional<std::int64_t> known_generation = std::nullopt);

 private:
  using Counts = std::map<const CollectionSchema*, std::shared_ptr<AccessFacetCounts>>;
  void rebuild(PgConnection& db);  // under mu_
  PgPool& pool_;
  std::mutex mu_;
  std::int64_t applied_ = -1;  // the generation the counts are at; -1: not built
  Counts counts_;
};

}  // namespace openem::pg_facet_counts

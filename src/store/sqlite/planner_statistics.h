#pragma once
// The query planner's statistics (sqlite_stat1). A full ANALYZE reads every index — seconds
// to minutes at a million datasets, on the writer — so the store runs a bounded one
// (analysis_limit): it reads about the first 2,000 entries of each index and extrapolates.
// That guess is good for columns with many values and wrong for those with few: the first
// 2,000 entries of an index on isPublished, type or archive status all share one value, and
// the guess says "about 2,000 rows per value" where there are half a million. The planner
// then prefers such an index to a selective or ordered one; at a million datasets the embargo
// sweep's due-datasets lookup walked the isPublished index (~1 s per batch of 500) instead of
// its partial index. For each index whose guess looks like that, the leading column's values
// are counted by skipping from value to value (one seek each, up to kMaxCountedValues), and
// the statistic is replaced by the exact average.
#include "store/sqlite/sqlite_db.h"

namespace openem {

// ANALYZE within bounds, then the low-cardinality correction, in one transaction. Only this
// connection loads the new statistics; other connections load them when they open (the
// store's reader pool retires its connections after a refresh).
void refresh_planner_statistics(SqliteDb& db);

// The correction alone (refresh_planner_statistics calls it); for tests.
void correct_low_cardinality_statistics(SqliteDb& db);

}  // namespace openem

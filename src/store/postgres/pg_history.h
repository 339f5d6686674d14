#pragma once
// The PostgreSQL side of the change history (store/history.h) for PostgresCatalogStore: one
// table,
//   history(seq BIGSERIAL PRIMARY KEY, subsystem, document_id, operation, time, username,
//           before, after)
// indexed by (subsystem, document_id, seq). A write transaction collects its records and appends
// them, in write order, just before it commits, in the statement that steps the write generation
// (one round trip). Write transactions hold the catalog's write lock (pg_schema.h kWriteLock):
// they commit one after another, so seq increases in commit order across all processes.
// Functions of one connection.
#include <string>
#include <vector>

#include "store/history.h"
#include "store/postgres/pg_condition_sql.h"
#include "store/postgres/pg_connection.h"

namespace openem::pg_history {

std::string ddl();
// "WITH appended AS (INSERT INTO history ...) ": put before the statement that steps the write
// generation at commit, it appends a transaction's records, in their order, from
// records_param(records), its one parameter (which comes first).
extern const std::string kAppendRecords;
std::string records_param(const std::vector<HistoryRecord>& records);
// `readable`: the compiled read rule over the collection's row `t`, or null for every record.
std::vector<HistoryRecord> records(PgConnection& db, const HistoryQuery& query, const pg_sql::SqlFragment* readable);
std::int64_t count(PgConnection& db, const HistoryQuery& query, const pg_sql::SqlFragment* readable);

HistoryFeedPage feed(PgConnection& db, const HistoryFeedQuery& query,
                     const std::vector<CompiledFeedRule<FieldValue>>& rules);
std::int64_t latest_seq(PgConnection& db);

}  // namespace openem::pg_history

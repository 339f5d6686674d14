#pragma once
// The SQLite side of the change history (store/history.h) for SqliteCatalogStore: one table,
//   history(seq INTEGER PRIMARY KEY, subsystem, document_id, operation, time, username,
//           before, after)
// indexed by (subsystem, document_id, seq), so a document's records are a walk from its newest.
// Records are never deleted, so seq (SQLite's rowid) only grows: the single writer commits in
// seq order. Functions of one connection; the caller holds it (the writer, for append).
#include <string>
#include <vector>

#include "store/history.h"
#include "store/sqlite/sqlite_condition_sql.h"
#include "store/sqlite/sqlite_db.h"

namespace openem::sqlite_history {

std::string ddl();
void append(SqliteDb& db, const HistoryRecord& record);
// The stored JSON text of the document at `seq` of `schema` ("" when there is none).
std::string stored_text(SqliteDb& db, const CollectionSchema& schema, std::int64_t seq);
// `readable`: the compiled read rule over the collection's row `t` (and its document `d`, when
// `readable_needs_doc`), or null for every record.
std::vector<HistoryRecord> records(SqliteDb& db, const HistoryQuery& query, const sqlite_sql::SqlFragment* readable,
                                   bool readable_needs_doc);
std::int64_t count(SqliteDb& db, const HistoryQuery& query, const sqlite_sql::SqlFragment* readable,
                   bool readable_needs_doc);

// `rules[i]`: subsystem i's compiled rule (store/history.h history_feed_sql).
HistoryFeedPage feed(SqliteDb& db, const HistoryFeedQuery& query,
                     const std::vector<CompiledFeedRule<SqlParam>>& rules);
std::int64_t latest_seq(SqliteDb& db);

}  // namespace openem::sqlite_history

#pragma once
// The PostgreSQL store's compiler of conditions (query/condition.h) into SQL over a
// collection's table (alias `t`, the document in t.doc as JSONB) and its side tables
// (<table>_values, <table>_sci). It gives the answers the SQLite store gives, with these
// documented differences (docs/deploy.md): text search and CONTAINS_STRING fold case beyond
// ASCII (ILIKE), regular expressions are PostgreSQL's (ARE, which shares PCRE's common syntax
// and "(?i)"), and comparisons on JSON fields match values of the compared type only (as
// Mongo's type bracketing does). Values travel only as parameters. Pure functions.
#include <string>
#include <vector>

#include "model/collection.h"
#include "query/condition.h"
#include "store/sql_fragment.h"

namespace openem::pg_sql {

using openem::SqlFragment;

SqlFragment condition_sql(const CollectionSchema& schema, const Condition& c);
// The conditions AND-ed ("TRUE" for none).
SqlFragment where_sql(const CollectionSchema& schema, const std::vector<Condition>& conditions);
// True when the best plan of these conditions depends on the values bound: how many rows a
// text search or a pattern matches differs by orders of magnitude from term to term, and the
// generic plan of a prepared statement guesses one count for all (a text search then checked
// 1,700 candidates where walking the sort index stopped after 1,000 rows: 3x slower).
bool plan_with_values(const Condition& condition);
bool plan_with_values(const std::vector<Condition>& conditions);

// "k1 ASC NULLS FIRST, ..., " (each key followed by ", "): NULLs sort as SQLite sorts them.
SqlFragment order_sql(const std::vector<SortKey>& order);

// The SQL type of a column of this type ("TEXT COLLATE \"C\"", "BIGINT", ...).
std::string column_type(ColumnType type);

}  // namespace openem::pg_sql

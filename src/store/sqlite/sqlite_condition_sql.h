#pragma once
// The SQLite store's compiler of conditions (query/condition.h) into SQL over a collection's
// main table (alias `t`), its document table (`d`, joined when the SQL names d.doc) and its
// side tables (<table>_values, _sci, _text, _fts). Values travel only as bound parameters,
// never spliced into SQL text; field names reach SQL only as quoted JSON-path parameters.
// Pure functions; thread-safe.
#include <string>
#include <string_view>
#include <vector>

#include "model/collection.h"
#include "query/condition.h"
#include "store/sql_fragment.h"
#include "store/sqlite/sqlite_db.h"

namespace openem::sqlite_sql {

using openem::SqlFragment;

// How a text condition is compiled: looked up in the text index, restricted to the postings
// of `readers` (null: everyone's), or checked by a LIKE on each row the rest of the query
// meets (`row_check`: cheaper for a common term on a short page; see SqliteCatalogStore).
struct TextForm {
  const std::vector<std::string>* readers = nullptr;
  bool row_check = false;
};

SqlFragment condition_sql(const CollectionSchema& schema, const Condition& c, const TextForm& text = {});

// The conditions AND-ed ("1" for none), their text lookups for the first text_readers among
// them; conditions[i] is checked on rows when row_checked[i] (row_checked may be empty).
SqlFragment where_sql(const CollectionSchema& schema, const std::vector<Condition>& conditions,
                      const std::vector<bool>& row_checked = {});

// "k1 ASC, k2 DESC, " (each key followed by ", "), empty for no keys.
SqlFragment order_sql(const std::vector<SortKey>& order);

// The text-index lookups (FTS5 MATCH expressions for `readers`) a Kind::Text condition makes
// for its positive terms; none for terms too short to look up. Their candidate counts tell
// the store which text form is cheaper.
std::vector<std::string> text_lookups(const Condition& text, const std::vector<std::string>* readers);

// The trigrams a term is looked up by (every third, plus the last, at most 8 spread over the
// term); none for a term shorter than a trigram.
std::vector<std::string> lookup_trigrams(const std::string& term);

// "$.\"a\".\"b\"" for "a.b": each segment quoted so that no name can escape the path.
std::string json_path_for(std::string_view dotted);

// Whether SQL reads the document (and so needs the <table>_doc join as `d`).
bool needs_doc(const std::string& sql);

}  // namespace openem::sqlite_sql

#pragma once
// SqlCondition: a SQL boolean expression over the collection's main table (alias `t`) with its
// bound parameters. Query translation produces these; stores AND them together. Values
// travel only as parameters, never spliced into SQL text. Plain value types.
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace openem {

// A text index lookup: rows holding every one of these trigrams. A store turns it into its own
// lookup for the condition's readers (SqlCondition::text_readers) before binding; it is never
// bound as a value.
struct TextMatch {
  std::vector<std::string> trigrams;
  bool operator==(const TextMatch&) const = default;
};

using SqlParam = std::variant<std::nullptr_t, std::int64_t, double, std::string, TextMatch>;

struct SqlCondition {
  std::string sql;                // e.g. "t.owner_group = ?"
  std::vector<SqlParam> params;   // in placeholder order
  std::string field;              // the field it restricts ("" if several): facets drop their own field
  // Text search only. `row_check` is the same condition tested on each row without the text
  // index; `text_probes` are the index lookups (FTS MATCH expressions) whose number of
  // candidates tells a store which form is cheaper: a term found in a large share of the
  // documents costs more to look up than to check on the rows an ordered walk meets.
  std::shared_ptr<const SqlCondition> row_check;
  std::vector<TextMatch> text_probes;
  // Read access conditions only: the access-set members (model/access_set.h) of the reader.
  // A text lookup AND-ed with this condition walks only postings of rows they may read, so
  // its cost does not depend on rows the reader cannot see. None: the reader reads everything.
  std::shared_ptr<const std::vector<std::string>> text_readers;

  static SqlCondition always_true() { return {"1", {}, ""}; }
  static SqlCondition always_false() { return {"0", {}, ""}; }
};

// All conditions AND-ed, optionally skipping those that restrict `except_field`; the result
// keeps the first text_readers among them.
SqlCondition and_all(const std::vector<SqlCondition>& conds, const std::string& except_field = "");

// A sort key: a SQL expression (a column or a JSON extraction) plus direction.
struct SqlOrder {
  std::string expr;
  std::vector<SqlParam> params;
  bool descending = false;
};

// What a list query asks of a store: conditions AND-ed, order, window.
struct QueryPlan {
  std::vector<SqlCondition> conditions;
  std::vector<SqlOrder> order;
  std::int64_t limit = -1;  // -1: no limit
  std::int64_t skip = 0;
};

}  // namespace openem

#pragma once
// Condition and QueryPlan: what a query asks of a store, said in the collection's fields and
// never in a store's language. query/ builds them (SciCat filters, the access rules, text and
// scientific searches); callers build typed ones with the helpers below; each store compiles
// them in its own dialect (store/sqlite/sqlite_condition_sql.h). Plain value types.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/collection.h"

namespace openem {

// A value a field is compared with, or a column holds: dates as normalised ISO text,
// booleans as 0/1, objects and arrays as JSON text.
using FieldValue = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

// Where a field lives in a collection's storage (resolve_field in query/field_ref.h).
struct FieldRef {
  enum class Kind { Id, Column, Array, Json } kind = Kind::Json;
  std::string field;   // the (alias-resolved) dotted field name
  std::string column;  // Kind::Column: the indexed column holding it (CollectionSchema::columns)
  ColumnType type = ColumnType::Text;
};

enum class Comparison { Eq, Gt, Gte, Lt, Lte };

// One word or quoted phrase of a text search; a negated term must not occur.
struct TextTerm {
  std::string text;
  bool negated = false;
};

// A test of one scientific-metadata leaf: its text, or its number within bounds. With
// unit_si, the leaf's value converted to SI is compared, among leaves stored in that unit.
struct ScientificTest {
  enum class Kind { TextEquals, TextContains, Number } kind = Kind::Number;
  std::string path;
  std::string text;
  std::optional<double> low, high;  // Number: either bound may be absent
  bool inclusive = true;            // both bounds inclusive (>=, <=) or both exclusive
  std::optional<std::string> unit_si;
};

// The read rule of an ownable collection (query/access.h): published documents, and those
// whose access set (ownerGroup ∪ accessGroups) names one of `groups`, or whose sharedWith
// holds `shared_with`. With a `probe_key`, a store tests each row's own access set against
// that key (model/access_set.h) instead of looking the readable rows up: the cheaper form for
// one document or an ordered walk.
struct ReadRule {
  bool anonymous = false;  // published documents only
  std::vector<std::string> groups;
  std::string shared_with;
  std::string probe_key;
};

struct Condition {
  enum class Kind {
    True,
    False,
    And,       // children
    Or,        // children
    Not,       // children[0] is false, or unknown (on a missing field): as Mongo's $not
    Compare,   // the field (for arrays: one of its elements) <comparison> values[0]
    OneOf,     // the field (one element) equals one of values
    Between,   // values[0] <= field (one element) <= values[1]
    Matches,   // the field (one element) matches `pattern` (PCRE2, "(?i)" for no case)
    Missing,   // the field is absent or null
    Present,   // the field is present and not null
    Readable,  // *read_rule
    Text,      // substring search over the document's strings: terms
    Scientific,  // *scientific
    DanglingReference,  // the field names no document of *referenced (by id)
  };
  Kind kind = Kind::True;
  FieldRef field;
  Comparison comparison = Comparison::Eq;
  std::vector<FieldValue> values;
  std::string pattern;
  std::vector<Condition> children;
  std::shared_ptr<const ReadRule> read_rule;
  std::vector<TextTerm> terms;
  std::shared_ptr<const ScientificTest> scientific;
  const CollectionSchema* referenced = nullptr;
  // The field this condition restricts ("" if several): a facet drops its own field's.
  std::string restricts;
  // Read access conditions only: the members (model/access_set.h, or the collection's
  // text_reader_fields) of the reader. A text search AND-ed with it looks up only the postings
  // of rows they may read, so its cost does not depend on rows the reader cannot see.
  // None: the reader reads everything.
  std::shared_ptr<const std::vector<std::string>> text_readers;

  static Condition always_true() { return {}; }
  static Condition always_false() {
    Condition c;
    c.kind = Kind::False;
    return c;
  }
  bool is_true() const { return kind == Kind::True; }
};

// All conditions AND-ed, skipping those that restrict `except_field`; the result keeps the
// first text_readers among them.
Condition all_of(const std::vector<Condition>& conds, const std::string& except_field = "");
Condition any_of(std::vector<Condition> conds);
Condition negation(Condition c);

// Typed conditions on a collection's fields by name, for code that asks the store for
// particular documents (a dataset's blocks, due jobs). std::invalid_argument for a field
// that is not the id, an indexed column or an indexed array of `schema`: such a condition
// would read every document.
Condition field_is(const CollectionSchema& schema, std::string_view field, FieldValue value);
Condition field_compare(const CollectionSchema& schema, std::string_view field, Comparison op, FieldValue value);
Condition field_one_of(const CollectionSchema& schema, std::string_view field, std::vector<FieldValue> values);
Condition field_missing(const CollectionSchema& schema, std::string_view field);
Condition dangling_reference(const CollectionSchema& schema, std::string_view field,
                             const CollectionSchema& referenced);

// A text that names the condition exactly (equal texts: equal conditions), for cache keys
// and messages.
std::string canonical_text(const Condition& c);

struct SortKey {
  FieldRef field;
  bool descending = false;
};

// What a list query asks of a store: conditions AND-ed, order, window. Rows that tie on
// every key come in insertion order (reversed when the last key is descending).
struct QueryPlan {
  std::vector<Condition> conditions;
  std::vector<SortKey> order;
  std::int64_t limit = -1;  // -1: no limit
  std::int64_t skip = 0;
};

// Sorting on an indexed field by name (std::invalid_argument as for field_is).
SortKey sort_by(const CollectionSchema& schema, std::string_view field, bool descending = false);

}  // namespace openem

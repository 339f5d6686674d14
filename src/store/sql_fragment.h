#pragma once
// SqlFragment: a piece of SQL with its parameters in placeholder order ("?"), and the pieces
// both SQL stores write the same way. Values are only ever parameters. Pure functions.
#include <string>
#include <string_view>
#include <vector>

#include "query/condition.h"

namespace openem {

struct SqlFragment {
  std::string sql;
  std::vector<FieldValue> params;
};

namespace sql_text {

inline void append(std::vector<FieldValue>& to, const std::vector<FieldValue>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

// "?, ?, ?" for n parameters.
inline std::string placeholders(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

// A substring as a LIKE pattern: "%<s>%" with %, _ and \ escaped by a backslash.
inline std::string like_pattern(std::string_view s) {
  std::string out = "%";
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

// The test of one scientific-metadata leaf in <table>_sci (alias `s`), probed by the row's seq
// (the table is clustered by seq, path: queries are driven by access, text or the sort order,
// and each candidate is checked with a seek). `contains` is the dialect's substring test of
// s.text against one LIKE-pattern parameter.
// `per_row` (PostgreSQL): "OFFSET 0" keeps the subquery a check of each candidate row, which
// the planner may not turn into a join that starts from every matching leaf.
inline SqlFragment scientific_leaf_test(const std::string& table, const ScientificTest& test, std::string_view contains,
                                        bool per_row = false) {
  SqlFragment where{"s.path = ?", {test.path}};
  switch (test.kind) {
    case ScientificTest::Kind::TextEquals:
      where.sql += " AND s.text = ?";
      where.params.push_back(test.text);
      break;
    case ScientificTest::Kind::TextContains:
      where.sql += " AND ";
      where.sql += contains;
      where.params.push_back(like_pattern(test.text));
      break;
    case ScientificTest::Kind::Number: {
      std::string value = "s.num";
      if (test.unit_si) {
        value = "s.num_si";
        where.sql += " AND s.unit_si = ?";
        where.params.push_back(*test.unit_si);
      }
      if (test.low) {
        where.sql += " AND " + value + (test.inclusive ? " >= ?" : " > ?");
        where.params.emplace_back(std::in_place_type<double>, *test.low);
      }
      if (test.high) {
        where.sql += " AND " + value + (test.inclusive ? " <= ?" : " < ?");
        where.params.emplace_back(std::in_place_type<double>, *test.high);
      }
      break;
    }
  }
  return {"EXISTS (SELECT 1 FROM " + table + "_sci s WHERE s.seq = t.seq AND " + where.sql + (per_row ? " OFFSET 0)" : ")"),
          std::move(where.params)};
}

}  // namespace sql_text
}  // namespace openem

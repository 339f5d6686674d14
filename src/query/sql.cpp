#include "query/sql.h"

namespace openem {

SqlCondition and_all(const std::vector<SqlCondition>& conds, const std::string& except_field) {
  SqlCondition out{"", {}, ""};
  for (const auto& c : conds) {
    if (!except_field.empty() && c.field == except_field) continue;
    if (!out.text_readers) out.text_readers = c.text_readers;
    if (c.sql == "1") continue;
    if (!out.sql.empty()) out.sql += " AND ";
    out.sql.append("(").append(c.sql).append(")");
    out.params.insert(out.params.end(), c.params.begin(), c.params.end());
  }
  if (out.sql.empty()) out.sql.push_back('1');  // not = "1": GCC 12 reports a false -Wrestrict
  return out;
}

}  // namespace openem

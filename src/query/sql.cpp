#include "query/sql.h"

namespace openem {

SqlCondition and_all(const std::vector<SqlCondition>& conds, const std::string& except_field) {
  SqlCondition out{"", {}, ""};
  for (const auto& c : conds) {
    if (!except_field.empty() && c.field == except_field) continue;
    if (c.sql == "1") continue;
    if (!out.sql.empty()) out.sql += " AND ";
    out.sql += "(" + c.sql + ")";
    out.params.insert(out.params.end(), c.params.begin(), c.params.end());
  }
  if (out.sql.empty()) out.sql = "1";
  return out;
}

}  // namespace openem

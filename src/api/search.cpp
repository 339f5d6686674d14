#include "api/search.h"

#include "core/error.h"

namespace openem {
namespace json = boost::json;

SearchRequest parse_search_request(const HttpRequest& req) {
  SearchRequest s;
  if (auto f = req.query_param("fields")) {
    json::value v = parse_json_param(*f, "fields");
    if (v.is_object()) s.fields = std::move(v.as_object());
    else if (!v.is_null()) throw ApiError::bad_request("fields must be a JSON object");
  }
  if (auto l = req.query_param("limits")) apply_limits(s.window, parse_json_param(*l, "limits"));
  if (auto f = req.query_param("facets")) {
    json::value v = parse_json_param(*f, "facets");
    if (v.is_array()) {
      for (const auto& x : v.get_array())
        if (x.is_string()) s.facets.emplace_back(x.get_string());
    } else if (!v.is_null()) {
      throw ApiError::bad_request("facets must be a JSON array");
    }
    if (s.facets.size() > 32) throw ApiError::bad_request("Too many facets");
  }
  return s;
}

json::array fullfacet_response(App& app, const CollectionSchema& schema, const SqlCondition& access,
                               const std::vector<SqlCondition>& conditions, const std::vector<std::string>& facets) {
  std::vector<SqlCondition> all = conditions;
  all.push_back(access);
  json::object result;
  result["all"] = json::array{json::object{{"totalSets", app.store().count(schema, and_all(all))}}};
  for (const auto& facet : facets) {
    if (facet.empty() || facet.size() > 256) throw ApiError::bad_request("Invalid facet name");
    std::vector<SqlCondition> conds = conditions;
    std::erase_if(conds, [&](const SqlCondition& c) { return c.field == facet; });
    conds.push_back(access);
    auto buckets = app.store().facet(schema, facet, and_all(conds), 1000);
    bool is_date = schema.is_date_field(facet) ||
                   (schema.column_for(facet) && schema.column_for(facet)->type == ColumnType::Date);
    json::array out;
    for (auto& b : buckets) {
      json::value id = b.key;
      if (is_date && id.is_string() && id.get_string().size() >= 10) {
        std::string d(id.get_string());
        id = json::object{{"year", std::stoi(d.substr(0, 4))},
                          {"month", std::stoi(d.substr(5, 2))},
                          {"day", std::stoi(d.substr(8, 2))}};
      }
      out.emplace_back(json::object{{"_id", std::move(id)}, {"count", b.count}});
    }
    std::string key = facet.rfind("datasetlifecycle.", 0) == 0 ? facet.substr(17) : facet;
    result[key] = std::move(out);
  }
  return json::array{std::move(result)};
}

}  // namespace openem

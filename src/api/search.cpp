#include "api/search.h"

#include <algorithm>

#include "core/error.h"
#include "core/time.h"

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
  SqlCondition base = and_all(all);
  // Facets on plain columns whose field carries no condition all see the base condition:
  // they come from one scan, which also yields the total.
  auto restricted = [&](const std::string& f) {
    return std::any_of(conditions.begin(), conditions.end(), [&](const SqlCondition& c) { return c.field == f; });
  };
  // Unrestricted (an admin without filters): each column's own index groups it without a
  // sort, which beats one scan that sorts every document.
  bool unrestricted = base.sql == "1";
  std::vector<std::string> shared;
  for (const auto& f : facets) {
    if (f.empty() || f.size() > 256) throw ApiError::bad_request("Invalid facet name");
    const IndexedColumn* col = schema.column_for(f);
    if (!unrestricted && col && col->type != ColumnType::Date && !restricted(f) &&
        std::find(shared.begin(), shared.end(), f) == shared.end())
      shared.push_back(f);
  }
  std::int64_t total = 0;
  std::vector<std::vector<FacetBucket>> shared_buckets;
  if (shared.empty()) total = app.store().count(schema, base);
  else shared_buckets = app.store().facet_columns(schema, shared, base, total);
  json::object result;
  result["all"] = json::array{json::object{{"totalSets", total}}};
  for (const auto& facet : facets) {
    std::vector<FacetBucket> buckets;
    auto it = std::find(shared.begin(), shared.end(), facet);
    if (it != shared.end()) {
      buckets = shared_buckets[static_cast<size_t>(it - shared.begin())];
      if (buckets.size() > 1000) buckets.resize(1000);
    } else {
      std::vector<SqlCondition> conds = conditions;
      std::erase_if(conds, [&](const SqlCondition& c) { return c.field == facet; });
      conds.push_back(access);
      buckets = app.store().facet(schema, facet, and_all(conds), 1000);
    }
    bool is_date = schema.is_date_field(facet) ||
                   (schema.column_for(facet) && schema.column_for(facet)->type == ColumnType::Date);
    json::array out;
    for (auto& b : buckets) {
      json::value id = b.key;
      if (is_date && id.is_string() && id.get_string().size() >= 10 &&
          parse_iso(std::string_view(id.get_string()).substr(0, 10))) {
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

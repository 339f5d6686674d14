#include "api/search.h"

#include <algorithm>

#include "core/error.h"
#include "core/time.h"
#include "query/field_ref.h"

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

namespace {

// Facets by querying the documents: facets on plain columns whose field carries no condition
// all see the same condition and come from one scan, which also yields the total; the others
// (arrays, dates, JSON fields, or restricted by their own condition) one query each.
std::vector<std::vector<FacetBucket>> scanned_facets(App& app, const CollectionSchema& schema,
                                                     const Condition& access,
                                                     const std::vector<Condition>& conditions,
                                                     const std::vector<std::string>& facets, std::int64_t& total) {
  std::vector<Condition> all = conditions;
  all.push_back(access);
  Condition base = all_of(all);
  auto restricted = [&](const std::string& f) {
    return std::any_of(conditions.begin(), conditions.end(), [&](const Condition& c) { return c.restricts == f; });
  };
  // Unrestricted (an admin without filters): each column's own index groups it without a
  // sort, which beats one scan that sorts every document.
  bool unrestricted = base.is_true();
  std::vector<std::string> shared;
  for (const auto& f : facets) {
    const IndexedColumn* col = schema.column_for(f);
    if (!unrestricted && col && col->type != ColumnType::Date && !restricted(f) &&
        std::find(shared.begin(), shared.end(), f) == shared.end())
      shared.push_back(f);
  }
  std::vector<std::vector<FacetBucket>> shared_buckets;
  if (shared.empty()) total = app.store().count(schema, base);
  else shared_buckets = app.store().facet_columns(schema, shared, base, total);
  std::vector<std::vector<FacetBucket>> out;
  for (const auto& facet : facets) {
    auto it = std::find(shared.begin(), shared.end(), facet);
    if (it != shared.end()) {
      out.push_back(shared_buckets[static_cast<size_t>(it - shared.begin())]);
      if (out.back().size() > 1000) out.back().resize(1000);
    } else {
      std::vector<Condition> conds = conditions;
      std::erase_if(conds, [&](const Condition& c) { return c.restricts == facet; });
      conds.push_back(access);
      out.push_back(app.store().facet(schema, facet, all_of(conds), 1000));
    }
  }
  return out;
}

}  // namespace

json::array fullfacet_response(App& app, const CollectionSchema& schema, const Condition& access,
                               const std::vector<Condition>& conditions, const std::vector<std::string>& facets,
                               const std::optional<AccessValues>& readers) {
  for (const auto& f : facets) {
    if (f.empty() || f.size() > 256) throw ApiError::bad_request("Invalid facet name");
    refuse_per_reader_field(schema, f);
  }
  std::int64_t total = 0;
  std::vector<std::vector<FacetBucket>> per_facet;
  std::optional<FacetCounts> counted;
  if (readers && conditions.empty()) counted = app.store().counted_facets(schema, *readers, facets, 1000);
  if (counted) {
    total = counted->total;
    per_facet = std::move(counted->buckets);
  } else {
    per_facet = scanned_facets(app, schema, access, conditions, facets, total);
  }
  json::object result;
  result["all"] = json::array{json::object{{"totalSets", total}}};
  for (std::size_t i = 0; i < facets.size(); ++i) {
    const std::string& facet = facets[i];
    std::vector<FacetBucket>& buckets = per_facet[i];
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

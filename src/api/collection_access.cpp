#include "api/collection_access.h"

#include "core/error.h"
#include "query/where.h"

namespace openem {
namespace json = boost::json;

ListFilter CollectionAccess::request_filter(const HttpRequest& req, bool allow_header) const {
  auto q = req.query_param("filter");
  if (!q) q = req.query_param("filters");  // upstream proposals' findAll names it so; the frontend sends it
  auto h = allow_header ? req.header("filter") : std::nullopt;
  if (q && h) throw ApiError::bad_request("Filter given both as query parameter and as header");
  ListFilter f = parse_filter(q ? *q : h ? *h : std::string());
  // Loopback clients also send where/limit/skip/order as separate query parameters.
  if (auto w = req.query_param("where"); w && f.where.is_null()) f.where = parse_json_param(*w, "where");
  if (auto l = req.query_param("limits")) apply_limits(f, parse_json_param(*l, "limits"));
  return f;
}

QueryPlan CollectionAccess::plan_for(const Principal& p, const ListFilter& f) const {
  QueryPlan plan;
  plan.conditions.push_back(access_condition(p, /*probe=*/true));
  if (!f.where.is_null()) plan.conditions.push_back(translate_where(schema_, f.where));
  add_order_and_window(plan, schema_, f, default_limit_);
  return plan;
}

json::array CollectionAccess::list(const Principal& p, const ListFilter& f, const IncludeFn& include,
                                   const PresentFn& present) const {
  auto docs = app_.store().find(schema_, plan_for(p, f));
  json::array out;
  out.reserve(docs.size());
  for (auto& d : docs) {
    if (present) present(p, d);
    if (include)
      for (const auto& inc : f.include) include(p, inc, d);
    out.emplace_back(project(std::move(d), f));
  }
  return out;
}

std::int64_t CollectionAccess::count(const Principal& p, const json::value& where) const {
  // Everything the caller may read: the store's access-set counts know it without a scan.
  bool unfiltered = where.is_null() || (where.is_object() && where.get_object().empty());
  if (unfiltered)
    if (auto readers = readable_access_values(schema_, p, scope_(p)))
      if (auto counted = app_.store().counted_facets(schema_, *readers, {}, 0)) return counted->total;
  std::vector<Condition> conds{access_condition(p)};
  if (!where.is_null()) conds.push_back(translate_where(schema_, where));
  return app_.store().count(schema_, all_of(conds));
}

std::optional<json::object> CollectionAccess::find_one(const Principal& p, const ListFilter& f,
                                                       const PresentFn& present) const {
  ListFilter one = f;
  one.limit = 1;
  auto docs = app_.store().find(schema_, plan_for(p, one));
  if (docs.empty()) return std::nullopt;
  if (present) present(p, docs.front());
  return project(std::move(docs.front()), f);
}

void CollectionAccess::missing() const {
  throw ApiError::not_found(schema_.name == "datasets" ? "Dataset not found" : "Not Found");
}

json::object CollectionAccess::get_existing(std::string_view id) const {
  auto doc = app_.store().get(schema_, id);
  if (!doc) missing();
  return std::move(*doc);
}

json::object CollectionAccess::get_readable(const Principal& p, std::string_view id) const {
  json::object doc = get_existing(id);
  if (!readable(p, doc)) missing();  // the same answer as an unknown id
  return doc;
}

json::object CollectionAccess::get_for_change(const Principal& p, std::string_view id,
                                              const std::function<bool(const json::object&)>& allowed) const {
  json::object doc = get_existing(id);
  if (allowed(doc)) return doc;
  if (!readable(p, doc)) missing();
  throw ApiError::forbidden();
}

}  // namespace openem

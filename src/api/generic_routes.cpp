#include "api/generic_routes.h"

#include "api/handler_util.h"
#include "api/search.h"
#include "core/error.h"
#include "query/fullquery.h"
#include "query/where.h"

namespace openem {
namespace json = boost::json;

void check_read(const GenericCollection& c, const Principal& p, bool search) {
  int status = search ? c.anonymous_search_status : c.anonymous_status;
  if (!p.authenticated() && status) throw ApiError(status, status == 401 ? "Unauthorized" : "Forbidden resource");
  if (c.read_gate && !c.read_gate(p)) throw ApiError::forbidden();
}

std::vector<std::string> fields_dropped_from_writes(const CollectionSchema& schema) {
  std::vector<std::string> out = server_managed_fields();
  out.insert(out.end(), schema.per_reader_fields.begin(), schema.per_reader_fields.end());
  return out;
}

namespace {

json::array presented(const GenericCollection& c, const Principal& p, json::array docs) {
  if (c.present)
    for (auto& d : docs)
      if (d.is_object()) c.present(p, d.as_object());
  return docs;
}

json::object presented(const GenericCollection& c, const Principal& p, json::object doc) {
  if (c.present) c.present(p, doc);
  return doc;
}

// A Loopback filter ({where, fields, limits, ...}) rather than a bare condition.
bool is_filter_object(const json::object& o) {
  for (const auto& [k, _] : o)
    if (k != "where" && k != "fields" && k != "limits" && k != "include" && k != "order" && k != "skip" && k != "limit")
      return false;
  return true;
}

}  // namespace

void register_generic_routes(Router& r, App& app, const GenericCollection& c) {
  auto access = [&app, c] { return CollectionAccess(app, *c.schema, c.scope); };

  r.add("GET", c.base, [&app, c, access](HttpRequest& req) {
    Principal p = app.authenticate(req);
    check_read(c, p, false);
    auto acc = access();
    return HttpResponse::json(200, acc.list(p, acc.request_filter(req), {}, c.present));
  });
  // Loopback's ?filter={"where": ...} or ?where=, and upstream proposals' count: fullquery
  // `fields` plus a `filter` that is the condition itself ({"$or": [...]}).
  r.add("GET", c.base + "/count", [&app, c, access](HttpRequest& req) {
    Principal p = app.authenticate(req);
    check_read(c, p, true);
    auto acc = access();
    json::value where;
    auto raw = req.query_param("filter");
    json::value given = raw ? parse_json_param(*raw, "filter") : json::value();
    if (given.is_object() && !given.as_object().empty() && !is_filter_object(given.as_object())) where = given;
    else where = acc.request_filter(req).where;
    std::vector<Condition> conds = fullquery_conditions(*c.schema, parse_search_request(req).fields, c.scientific_key);
    if (conds.empty()) return HttpResponse::json(200, json::object{{"count", acc.count(p, where)}});  // counted fast
    if (!where.is_null()) conds.push_back(translate_where(*c.schema, where));
    conds.push_back(acc.access_condition(p));
    return HttpResponse::json(200, json::object{{"count", app.store().count(*c.schema, all_of(conds))}});
  });
  r.add("GET", c.base + "/findOne", [&app, c, access](HttpRequest& req) {
    Principal p = app.authenticate(req);
    check_read(c, p, true);
    auto acc = access();
    auto doc = acc.find_one(p, acc.request_filter(req), c.present);
    return HttpResponse::json(200, doc ? json::value(std::move(*doc)) : json::value(json::object()));
  });
  r.add("GET", c.base + "/fullquery", [&app, c, access](HttpRequest& req) {
    Principal p = app.authenticate(req);
    check_read(c, p, true);
    SearchRequest s = parse_search_request(req);
    QueryPlan plan;
    plan.conditions = fullquery_conditions(*c.schema, s.fields, c.scientific_key);
    plan.conditions.push_back(access().access_condition(p));
    add_order_and_window(plan, *c.schema, s.window, 100);
    json::array out;
    for (auto& d : app.store().find(*c.schema, plan)) out.emplace_back(std::move(d));
    return HttpResponse::json(200, presented(c, p, std::move(out)));
  });
  r.add("GET", c.base + "/fullfacet", [&app, c, access](HttpRequest& req) {
    Principal p = app.authenticate(req);
    check_read(c, p, true);
    SearchRequest s = parse_search_request(req);
    if (!req.query_param("facets")) s.facets = c.default_facets;
    auto conds = fullquery_conditions(*c.schema, s.fields, c.scientific_key);
    return HttpResponse::json(200, fullfacet_response(app, *c.schema, access().access_condition(p), conds, s.facets));
  });
  r.add("GET", c.base + "/:id", [&app, c, access](HttpRequest& req) {
    Principal p = app.authenticate(req);
    check_read(c, p, false);
    return HttpResponse::json(200, presented(c, p, access().get_readable(p, req.param("id"))));
  });
  r.add("PATCH", c.base + "/:id", [&app, c, access](HttpRequest& req) {
    Principal p = app.authenticate(req);
    if (!p.authenticated())
      throw ApiError(c.anonymous_write_status, c.anonymous_write_status == 401 ? "Unauthorized" : "Forbidden resource");
    json::object body = body_object(req);
    const auto dropped = fields_dropped_from_writes(*c.schema);
    if (c.spec) {
      auto errors = validate_dto(body, *c.spec, true, dropped);
      if (!errors.empty()) throw ApiError(400, errors);
    }
    json::object doc;
    app.store().transaction([&] {
      doc = access().get_for_change(p, req.param("id"), [&](const json::object& d) { return c.can_update(p, d); });
      for (const auto& f : dropped) body.erase(f);
      if (auto* id = body.if_contains(c.schema->id_field); id && *id != doc[c.schema->id_field])
        throw ApiError::bad_request(c.schema->id_field + " cannot be changed");
      for (const auto& [k, v] : body) doc[k] = v;
      stamp(doc, p, false);
      app.store().replace(*c.schema, doc);
      if (c.after_change) c.after_change(app.store(), doc);
    });
    return HttpResponse::json(200, presented(c, p, std::move(doc)));
  });
  r.add("DELETE", c.base + "/:id", [&app, c, access](HttpRequest& req) {
    Principal p = app.authenticate(req);
    json::object doc = access().get_for_change(p, req.param("id"), [&](const json::object&) { return c.can_delete(p); });
    app.store().remove(*c.schema, req.param("id"));
    return HttpResponse::json(200, presented(c, p, std::move(doc)));
  });
}

}  // namespace openem

// Dataset endpoints of API v3 (reference §3.1): create/validate, list/count/findOne with the
// filter language, fullquery/fullfacet search, get/patch/put/delete by pid, lifecycle,
// appendToArrayField, thumbnail. v4 reuses these handlers with the v4 output shape.
#include <boost/json.hpp>

#include <spdlog/spdlog.h>

#include <map>
#include <set>


#include "api/dataset_deletion.h"
#include "api/dataset_service.h"
#include "api/dataset_writes.h"
#include "api/handler_util.h"
#include "api/permissions.h"
#include "api/proposal_presentation.h"
#include "api/routes.h"
#include "api/search.h"
#include "core/error.h"
#include "core/ids.h"
#include "core/time.h"
#include "core/units.h"
#include "logbook/logbook_entries.h"
#include "model/dataset.h"
#include "model/scientific_metadata.h"
#include "query/fullquery.h"
#include "query/where.h"

namespace openem {
namespace json = boost::json;
namespace {

enum class ApiVersion { V3, V4 };

json::object view(json::object doc, ApiVersion v) {
  return v == ApiVersion::V4 ? dataset_v4_view(std::move(doc)) : doc;
}

// Adds related documents named in `include` (reference §3.4). Each is read under its own
// collection's rule: blocks and attachments follow their dataset's, but a sample or proposal
// is not readable just because a dataset that names it is (a lifecycle manager reads every
// dataset, not every sample).
void include_relations(App& app, const Principal& p, const IncludeSpec& inc, json::object& ds) {
  std::string pid = str_field(ds, "pid");
  // Related documents by the dataset's pid in `field`, or by their ids listed in the dataset.
  auto related = [&](const CollectionSchema& schema, const ReadScope& scope, const char* key, const std::string& field,
                     const json::value& ids) {
    QueryPlan plan;
    if (ids.is_array()) {
      std::vector<FieldValue> values;
      for (const auto& x : ids.get_array())
        if (x.is_string()) values.emplace_back(std::in_place_type<std::string>, x.get_string());  // in place: GCC 12 warns on a moved variant
      if (values.empty()) {
        ds[key] = json::array();
        return;
      }
      plan.conditions.push_back(field_one_of(schema, field, std::move(values)));
    } else {
      plan.conditions.push_back(field_is(schema, field, pid));
    }
    plan.conditions.push_back(read_access_condition(schema, p, scope, /*probe=*/true));
    plan.limit = 10000;
    json::array arr;
    for (auto& d : app.store().find(schema, plan)) {
      if (&schema == &schemas::proposals()) present_proposal(app, p, d);  // its count is this reader's
      arr.emplace_back(std::move(d));
    }
    ds[key] = std::move(arr);
  };
  auto ids = [&](const char* field) { return ds.contains(field) ? ds.at(field) : json::value(json::array()); };
  const Config& cfg = app.config();
  const ReadScope dataset_scope = dataset_read_scope(cfg, p);
  const std::string& r = inc.relation;
  bool all = r == "all";
  if (all || r == "origdatablocks")
    related(schemas::origdatablocks(), dataset_scope, "origdatablocks", "datasetId", nullptr);
  if (all || r == "datablocks") related(schemas::datablocks(), dataset_scope, "datablocks", "datasetId", nullptr);
  if (all || r == "attachments") related(schemas::attachments(), dataset_scope, "attachments", "datasetId", nullptr);
  if (all || r == "proposals" || r == "proposal")
    related(schemas::proposals(), proposal_read_scope(cfg, p), "proposals", "proposalId", ids("proposalIds"));
  if (all || r == "samples" || r == "sample")
    related(schemas::samples(), sample_read_scope(cfg, p), "samples", "sampleId", ids("sampleIds"));
  if (all || r == "instruments" || r == "instrument")
    related(schemas::instruments(), ReadScope{true, true}, "instruments", "pid", ids("instrumentIds"));
  static const std::set<std::string> known{"all", "origdatablocks", "datablocks", "attachments", "proposals", "proposal",
                                           "samples", "sample", "instruments", "instrument"};
  if (!known.count(r)) throw ApiError::bad_request("Unknown relation '" + r + "'");
}

// v4 accepts only upstream's DatasetLookupKeysEnum (src/datasets/types/dataset-lookup.ts) and
// refuses anything else before the query runs (pipes/include-validation.pipe.ts).
void check_v4_includes(const std::vector<IncludeSpec>& include) {
  static const std::set<std::string> lookup_keys{"instruments", "proposals", "origdatablocks", "datablocks",
                                                 "attachments", "samples", "all"};
  for (const auto& inc : include)
    if (!lookup_keys.count(inc.relation))
      throw ApiError::bad_request("Provided include field " + json::serialize(json::value(inc.relation)) +
                                  " is not part of the dataset relations");
}

bool global_facets_only(const Config& cfg, const SearchRequest& s) {
  auto allowed = [&](std::string_view f) {
    return std::find(cfg.global_facets.begin(), cfg.global_facets.end(), f) != cfg.global_facets.end();
  };
  for (const auto& f : s.facets)
    if (!allowed(f)) return false;
  for (const auto& [k, v] : s.fields)
    if (!allowed(k) && k != "mode" && k != "userGroups") return false;  // neither is a condition on documents
  return true;
}

// Response-side conversion (reference §6.1): values of scientific conditions with a unit are
// shown in that unit.
void convert_for_response(json::object& ds, const std::vector<ScientificCondition>& conds) {
  auto* sm = ds.if_contains("scientificMetadata");
  if (!sm || !sm->is_object()) return;
  for (const auto& c : conds) {
    if (c.unit.empty()) continue;
    json::value* node = sm;
    std::string_view path = c.lhs;
    while (node && node->is_object()) {
      auto dot = path.find('.');
      node = node->as_object().if_contains(path.substr(0, dot));
      if (dot == std::string_view::npos) break;
      path = path.substr(dot + 1);
    }
    if (!node || !node->is_object()) continue;
    auto& q = node->as_object();
    auto* value = q.if_contains("value");
    auto* unit = q.if_contains("unit");
    if (!value || !unit || !unit->is_string() || !value->is_number()) continue;
    if (auto converted = UnitConverter::instance().convert(value->to_number<double>(), unit->get_string(), c.unit)) {
      q["value"] = *converted;
      q["unit"] = c.unit;
    }
  }
}

std::vector<Condition> dataset_search_conditions(const json::object& fields) {
  return fullquery_conditions(schemas::datasets(), fields, "scientific");
}

// Registers the dataset routes of one API version under `base`; returns the GET handlers by
// path, before any v4 guard, for the public mirror.
std::map<std::string, Handler> register_version(Router& r, App& app, const std::string& base, ApiVersion version) {
  auto access = [&app] { return dataset_access(app); };
  std::map<std::string, Handler> unguarded;
  // v4: anonymous callers get 403 on every route (upstream datasets.v4.controller.ts checks
  // DatasetRead/Create/Update/Delete in PoliciesGuard, and casl-ability.factory.ts grants
  // anonymous none of them); they read published datasets through /api/v4/datasets/public.
  auto add = [&](const char* method, const std::string& path, Handler h) {
    if (version == ApiVersion::V4) {
      if (std::string_view(method) == "GET") unguarded[path] = h;
      h = [&app, inner = std::move(h)](HttpRequest& req) {
        if (!app.authenticate(req).authenticated()) throw ApiError::forbidden();
        return inner(req);
      };
    }
    r.add(method, path, std::move(h));
  };

  add("POST", base, [&app, version](HttpRequest& req) {
    Principal p = app.authenticate(req);
    return HttpResponse::json(201, view(create_dataset(app, p, body_object(req), version == ApiVersion::V4), version));
  });

  add("POST", base + "/isValid", [&app, version](HttpRequest& req) {
    Principal p = app.authenticate(req);
    if (dataset_create_tier(app.config(), p) == DatasetCreateTier::None) throw ApiError::forbidden();
    json::object body = body_object(req);
    auto errors = version == ApiVersion::V4 ? validate_dataset_v4(body, false)
                                            : validate_dataset(body, dataset_type(body), false);
    json::object out{{"valid", errors.empty()}};
    if (!errors.empty()) {
      std::string joined;
      for (const auto& e : errors) joined += (joined.empty() ? "" : "; ") + e;
      out["error"] = joined;
      json::array arr;
      for (const auto& e : errors) arr.emplace_back(e);
      out["errors"] = std::move(arr);
    }
    return HttpResponse::json(200, out);
  });

  add("GET", base, [&app, access, version](HttpRequest& req) {
    Principal p = app.authenticate(req);
    auto acc = access();
    ListFilter f = acc.request_filter(req, true);
    if (version == ApiVersion::V4) check_v4_includes(f.include);
    if (version == ApiVersion::V4 && !f.limit) f.limit = 10;
    json::array out = acc.list(p, f, [&app](const Principal& who, const IncludeSpec& inc, json::object& d) {
      include_relations(app, who, inc, d);
    });
    if (version == ApiVersion::V4)
      for (auto& d : out) d = view(std::move(d.as_object()), version);
    return HttpResponse::json(200, out);
  });

  add("GET", base + "/count", [&app, access](HttpRequest& req) {
    Principal p = app.authenticate(req);
    auto acc = access();
    ListFilter f = acc.request_filter(req, true);
    json::value where = f.where;
    if (where.is_null()) {  // count?where={...} as Loopback clients send it
      if (auto w = req.query_param("where")) where = parse_json_param(*w, "where");
    }
    return HttpResponse::json(200, json::object{{"count", acc.count(p, where)}});
  });

  add("GET", base + "/findOne", [&app, access, version](HttpRequest& req) {
    Principal p = app.authenticate(req);
    auto acc = access();
    ListFilter f = acc.request_filter(req, true);
    if (version == ApiVersion::V4) check_v4_includes(f.include);
    f.limit = 1;  // the first match, with its included relations as in a list
    json::array found = acc.list(p, f, [&app](const Principal& who, const IncludeSpec& inc, json::object& d) {
      include_relations(app, who, inc, d);
    });
    if (found.empty()) return HttpResponse::json(200, json::object());
    return HttpResponse::json(200, view(std::move(found.front().as_object()), version));
  });

  add("GET", base + "/fullquery", [&app, access, version](HttpRequest& req) {
    Principal p = app.authenticate(req);
    SearchRequest s = parse_search_request(req);
    auto conds = dataset_search_conditions(s.fields);
    ReadScope scope = dataset_read_scope(app.config(), p);
    scope.include_shared_with = false;  // upstream's fullquery does not add sharedWith
    QueryPlan plan;
    // The access probe first: SQLite tests conditions in the order given, and on a walk in
    // sort order the access rule (a test of the row's own access set) rejects most rows
    // before the text and scientific conditions are tried.
    plan.conditions.push_back(read_access_condition(schemas::datasets(), p, scope, /*probe=*/true));
    plan.conditions.insert(plan.conditions.end(), conds.begin(), conds.end());
    add_order_and_window(plan, schemas::datasets(), s.window, 100);
    std::vector<ScientificCondition> sci;
    if (auto* v = s.fields.if_contains("scientific")) sci = parse_scientific(*v);
    json::array out;
    for (auto& d : app.store().find(schemas::datasets(), plan)) {
      convert_for_response(d, sci);
      out.emplace_back(view(std::move(d), version));
    }
    return HttpResponse::json(200, out);
  });

  add("GET", base + "/fullfacet", [&app](HttpRequest& req) {
    Principal p = app.authenticate(req);
    SearchRequest s = parse_search_request(req);
    if (!req.query_param("facets")) s.facets = {"type", "creationLocation", "ownerGroup", "keywords"};
    ReadScope scope = dataset_read_scope(app.config(), p);
    scope.include_shared_with = false;
    // Functional accounts with global:true count over everything in facets (reference §7.2),
    // but only the configured facets under conditions on those fields: any other field, or a
    // text search, would hand them names, descriptions and metadata of datasets they cannot read.
    if (p.authenticated() && p.in_group("globalaccess") && global_facets_only(app.config(), s)) scope.read_any = true;
    auto access_cond = read_access_condition(schemas::datasets(), p, scope);
    // Cached per (who may read what, query) until the next write to the catalog.
    std::string key = canonical_text(access_cond);
    key += "\x1e" + json::serialize(s.fields);
    for (const auto& f : s.facets) key += "\x1f" + f;
    std::uint64_t generation = app.store().write_generation();
    HttpResponse res;
    if (auto cached = app.facet_cache().get(key, generation)) {
      res.body = std::move(*cached);
      return res;
    }
    res.body = json::serialize(fullfacet_response(app, schemas::datasets(), access_cond,
                                                  dataset_search_conditions(s.fields), s.facets,
                                                  readable_access_values(schemas::datasets(), p, scope)));
    app.facet_cache().put(key, generation, res.body);
    return res;
  });

  add("GET", base + "/metadataKeys", [&app](HttpRequest& req) {
    Principal p = app.authenticate(req);
    SearchRequest s = parse_search_request(req);
    auto conds = dataset_search_conditions(s.fields);
    conds.push_back(dataset_access(app).access_condition(p));
    std::int64_t limit = s.window.limit ? std::min<std::int64_t>(*s.window.limit, 10000) : 1000;
    json::array out;
    for (auto& path : app.store().scientific_paths(schemas::datasets(), all_of(conds), limit)) out.emplace_back(path);
    return HttpResponse::json(200, out);
  });

  add("GET", base + "/:pid", [&app, access, version](HttpRequest& req) {
    Principal p = app.authenticate(req);
    if (version == ApiVersion::V3 && !req.query_param("filter") && req.query_params("include").empty()) {
      // The common case: the stored JSON goes out as it is, the access rule decided in SQL.
      auto raw = app.store().get_raw(schemas::datasets(), req.param("pid"), access().access_condition(p, /*probe=*/true));
      if (!raw || !raw->readable) throw ApiError::not_found("Dataset not found");  // unreadable looks like missing
      HttpResponse res;
      res.body = std::move(raw->json);
      return res;
    }
    auto acc = access();
    json::object ds = acc.get_readable(p, req.param("pid"));  // 404 first, as before any filter error
    ListFilter f;
    if (auto q = req.query_param("filter")) f = parse_filter(*q);
    for (const auto& rel : req.query_params("include")) f.include.push_back({rel, nullptr});
    if (version == ApiVersion::V4) check_v4_includes(f.include);
    for (const auto& inc : f.include) include_relations(app, p, inc, ds);
    return HttpResponse::json(200, view(project(ds, f), version));
  });

  add("PATCH", base + "/:pid", [&app, version](HttpRequest& req) {
    Principal p = app.authenticate(req);
    return HttpResponse::json(200, view(update_dataset(app, p, req.param("pid"), body_object(req), false, req, version == ApiVersion::V4), version));
  });
  add("PUT", base + "/:pid", [&app, version](HttpRequest& req) {
    Principal p = app.authenticate(req);
    return HttpResponse::json(200, view(update_dataset(app, p, req.param("pid"), body_object(req), true, req, version == ApiVersion::V4), version));
  });

  add("DELETE", base + "/:pid", [&app, version](HttpRequest& req) {
    Principal p = app.authenticate(req);
    return HttpResponse::json(200, view(delete_dataset(app, p, req.param("pid")), version));
  });

  add("GET", base + "/:pid/datasetlifecycle", [&app, access](HttpRequest& req) {
    Principal p = app.authenticate(req);
    json::object ds = access().get_readable(p, req.param("pid"));
    return HttpResponse::json(200, ds.contains("datasetlifecycle") ? ds.at("datasetlifecycle") : json::object());
  });

  add("PATCH", base + "/:pid/datasetlifecycle", [&app](HttpRequest& req) {
    Principal p = app.authenticate(req);
    return HttpResponse::json(200, patch_lifecycle(app, p, req.param("pid"), body_object(req)));
  });

  add("POST", base + "/:pid/appendToArrayField", [&app](HttpRequest& req) {
    Principal p = app.authenticate(req);
    std::string field = req.query_param("fieldName").value_or("");
    json::value data = parse_json_param(req.query_param("data").value_or(""), "data");
    if (field.empty()) throw ApiError::bad_request("fieldName is required");
    if (!data.is_array()) throw ApiError::bad_request("data must be a JSON array");
    json::object result;
    app.store().transaction([&] {
      json::object ds = dataset_for_write(app, p, req.param("pid"));
      const auto& managed = server_managed_fields();
      if (std::find(managed.begin(), managed.end(), field) != managed.end() || field == "pid")
        throw ApiError::bad_request(field + " is managed by the server and cannot be changed");
      const auto& echoed = echoed_read_fields();
      if (std::find(echoed.begin(), echoed.end(), field) != echoed.end())
        throw ApiError::bad_request(field + " is not stored with a dataset (read it with include)");
      std::string type = str_field(ds, "type");
      auto errors = validate_dataset(json::object{{field, data}}, type, true);
      if (!errors.empty()) throw ApiError(400, errors);
      json::array arr = ds.contains(field) && ds.at(field).is_array() ? ds.at(field).get_array() : json::array();
      for (const auto& x : data.get_array())  // $addToSet: no duplicates
        if (std::find(arr.begin(), arr.end(), x) == arr.end()) arr.push_back(x);
      ds[field] = std::move(arr);
      normalize_dataset(ds);
      stamp(ds, p, false);
      app.store().replace(schemas::datasets(), ds);
      if (field == "accessGroups") {
        propagate_ownership(app.store(), ds);
        follow_dataset_access(app.store(), ds);
      }
      result = std::move(ds);
    });
    return HttpResponse::json(200, result);
  });

  add("GET", base + "/:pid/thumbnail", [&app, access](HttpRequest& req) {
    Principal p = app.authenticate(req);
    access().get_readable(p, req.param("pid"));
    QueryPlan plan;
    plan.conditions.push_back(field_is(schemas::attachments(), "datasetId", req.param("pid")));
    plan.limit = 1;
    auto atts = app.store().find(schemas::attachments(), plan);
    if (atts.empty()) return HttpResponse::json(200, json::object());
    return HttpResponse::json(200, json::object{{"thumbnail", atts.front().contains("thumbnail")
                                                                  ? atts.front().at("thumbnail")
                                                                  : json::value()}});
  });
  return unguarded;
}

// The v4 public mirror (scitacean reads /datasets/public/:pid when anonymous): the same
// handlers, with any credentials removed so that only published datasets are visible.
void register_public_mirror(Router& r, const std::string& base, const std::map<std::string, Handler>& handlers) {
  for (const char* suffix : {"", "/count", "/findOne", "/fullfacet", "/metadataKeys", "/:pid"}) {
    auto it = handlers.find(base + suffix);
    if (it == handlers.end()) continue;
    Handler original = it->second;
    r.add("GET", base + "/public" + suffix, [original](HttpRequest& req) {
      req.headers.erase("authorization");
      req.query.erase("access_token");
      return original(req);
    });
  }
}

}  // namespace

void register_dataset_routes(Router& r, App& app) {
  register_version(r, app, "/api/v3/datasets", ApiVersion::V3);
  register_public_mirror(r, "/api/v4/datasets", register_version(r, app, "/api/v4/datasets", ApiVersion::V4));
}

}  // namespace openem

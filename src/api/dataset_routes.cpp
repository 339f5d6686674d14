// Dataset endpoints of API v3 (reference §3.1): create/validate, list/count/findOne with the
// filter language, fullquery/fullfacet search, get/patch/put/delete by pid, lifecycle,
// appendToArrayField, thumbnail. v4 reuses these handlers with the v4 output shape.
#include <boost/json.hpp>

#include <spdlog/spdlog.h>

#include <regex>

#include "api/dataset_deletion.h"
#include "api/dataset_service.h"
#include "api/handler_util.h"
#include "api/permissions.h"
#include "api/routes.h"
#include "api/search.h"
#include "core/error.h"
#include "core/ids.h"
#include "core/time.h"
#include "core/units.h"
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

// Adds related documents named in `include` (reference §3.4).
void include_relations(App& app, const Principal& p, const IncludeSpec& inc, json::object& ds) {
  std::string pid = str_field(ds, "pid");
  auto related = [&](const CollectionSchema& schema, const char* key, const std::string& column, const json::value& ids) {
    QueryPlan plan;
    if (ids.is_array()) {
      std::vector<SqlParam> params;
      std::string qs;
      for (const auto& x : ids.get_array())
        if (x.is_string()) {
          params.emplace_back(std::in_place_type<std::string>, x.get_string());  // in place: GCC 12 warns on a moved variant
          qs += qs.empty() ? "?" : ",?";
        }
      if (qs.empty()) {
        ds[key] = json::array();
        return;
      }
      plan.conditions.push_back({column + " IN (" + qs + ")", params, ""});
    } else {
      plan.conditions.push_back({column + " = ?", {pid}, ""});
    }
    ReadScope scope = dataset_read_scope(app.config(), p);
    plan.conditions.push_back(read_access_condition(schema, p, scope, /*probe=*/true));
    plan.limit = 10000;
    json::array arr;
    for (auto& d : app.store().find(schema, plan)) arr.emplace_back(std::move(d));
    ds[key] = std::move(arr);
  };
  const std::string& r = inc.relation;
  bool all = r == "all";
  if (all || r == "origdatablocks") related(schemas::origdatablocks(), "origdatablocks", "t.dataset_id", nullptr);
  if (all || r == "datablocks") related(schemas::datablocks(), "datablocks", "t.dataset_id", nullptr);
  if (all || r == "attachments") related(schemas::attachments(), "attachments", "t.dataset_id", nullptr);
  if (all || r == "proposals" || r == "proposal")
    related(schemas::proposals(), "proposals", "t.id", ds.contains("proposalIds") ? ds.at("proposalIds") : json::array());
  if (all || r == "samples" || r == "sample")
    related(schemas::samples(), "samples", "t.id", ds.contains("sampleIds") ? ds.at("sampleIds") : json::array());
  if (all || r == "instruments" || r == "instrument")
    related(schemas::instruments(), "instruments", "t.id", ds.contains("instrumentIds") ? ds.at("instrumentIds") : json::array());
  static const std::set<std::string> known{"all", "origdatablocks", "datablocks", "attachments", "proposals", "proposal",
                                           "samples", "sample", "instruments", "instrument"};
  if (!known.count(r)) throw ApiError::bad_request("Unknown relation '" + r + "'");
}

// datasetlifecycle.archiveRetentionTime is set by policy and the archive system: an owner who
// could move it could block a deletion for ever or cut a legal retention duty short.
void check_retention_change(App& app, const Principal& p, const json::object& before, const json::object& change) {
  auto* wanted = change.if_contains("archiveRetentionTime");
  if (!wanted || app.is_archive_manager(p)) return;
  auto* current = before.if_contains("archiveRetentionTime");
  if (current && *current == *wanted) return;
  if (current && current->is_string() && wanted->is_string()) {  // the same instant written another way
    auto a = parse_iso(current->get_string()), b = parse_iso(wanted->get_string());
    if (a && b && *a == *b) return;
  }
  throw ApiError::forbidden("datasetlifecycle.archiveRetentionTime is set by policy and the archive system");
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

std::string dataset_type(const json::object& body) {
  auto* t = body.if_contains("type");
  return t && t->is_string() ? std::string(t->get_string()) : std::string();
}

// Validates and decides the pid of a new dataset; throws 400/403.
std::string decide_pid(App& app, const Principal& p, const json::object& body, DatasetCreateTier tier) {
  const Config& cfg = app.config();
  std::string pid = str_field(body, "pid");
  if (pid.empty()) return (cfg.pid_prefix.empty() ? std::string("undefined") : cfg.pid_prefix) + "/" + uuid_v4();
  if (tier == DatasetCreateTier::OwnGroups) throw ApiError::forbidden("Unauthorized to create datasets with pid");
  if (pid.size() > 1024) throw ApiError::bad_request("pid is too long");
  if (cfg.dataset_creation_validation_enabled && !cfg.dataset_creation_validation_regex.empty()) {
    bool ok = false;
    try {
      ok = std::regex_search(pid, std::regex(cfg.dataset_creation_validation_regex));
    } catch (const std::regex_error&) {
      ok = false;
    }
    if (!ok) throw ApiError::bad_request("PID is not following required standards");
  }
  return pid;
}

json::object create_dataset(App& app, const Principal& p, json::object body, ApiVersion version) {
  DatasetCreateTier tier = dataset_create_tier(app.config(), p);
  if (tier == DatasetCreateTier::None) throw ApiError::forbidden();
  std::string type = dataset_type(body);
  if (version == ApiVersion::V3 && type != "raw" && type != "derived" && type.empty())
    throw ApiError(400, std::vector<std::string>{"type should not be empty"});
  auto errors = validate_dataset(body, type, false);
  if (!errors.empty()) throw ApiError(400, errors);
  std::string owner_group = str_field(body, "ownerGroup");
  if ((tier == DatasetCreateTier::OwnGroups || tier == DatasetCreateTier::WithPid) && !p.in_group(owner_group))
    throw ApiError::forbidden("Unauthorized to create datasets for group " + owner_group);
  std::string pid = decide_pid(app, p, body, tier);
  const bool pid_given = !str_field(body, "pid").empty();
  if (auto* sm = body.if_contains("scientificMetadata"); sm && sm->is_object()) *sm = with_si_values(*sm);
  // The document and its rows are completed here, on the request's thread: the transaction
  // runs on the store's one writer thread, which should only have to write them. The owner
  // group's policy decides the classification; a group without one gets it inside the
  // transaction, and the rows are redone if a concurrent request made it differently. A
  // policy changed or removed between this read and the commit is not seen (as with any
  // dataset created just before such a change; policies are not copied onto datasets).
  std::optional<std::string> redundancy = policy_tape_redundancy(app, owner_group);
  json::object doc = std::move(body);
  DatasetDefaults d;
  d.pid = pid;
  d.version = version == ApiVersion::V4 ? "4" : "3";
  d.tape_redundancy = redundancy.value_or("low");
  d.retention_years = app.config().policy_retention_shift_years;
  d.publication_years = app.config().policy_publication_shift_years;
  d.may_set_retention = app.is_archive_manager(p);
  complete_new_dataset(doc, d);
  stamp(doc, p, true);
  DocumentRows rows = document_rows(schemas::datasets(), doc);
  app.store().transaction([&] {
    if (!redundancy) {
      std::string created = ensure_policy_for_group(app, p, owner_group, str_field(doc, "ownerEmail"));
      if (created != d.tape_redundancy) {  // another request made the policy meanwhile
        doc["classification"] = dataset_classification(created);
        rows = document_rows(schemas::datasets(), doc);
      }
    }
    try {
      app.store().insert(rows);
    } catch (const ApiError& e) {
      if (e.status() == 409) throw ApiError::conflict("A dataset with pid " + pid + " already exists!");
      throw;
    }
    count_in_proposals(app, doc, +1);
  });
  // A pid the client chose may have been a deleted dataset's: files a crash left behind under
  // it are not the new dataset's. Nobody can have uploaded to the new dataset yet.
  if (pid_given) remove_online_files(app, pid);
  return doc;
}

// PATCH semantics: top-level keys replace wholesale (reference §3.1).
json::object update_dataset(App& app, const Principal& p, const std::string& pid, json::object body, bool replace_all,
                            const HttpRequest& req) {
  if (!p.authenticated()) throw ApiError::forbidden();
  json::object result;
  app.store().transaction([&] {
    json::object ds = dataset_for_write(app, p, pid);
    if (auto since = req.header("if-unmodified-since")) {
      auto limit = parse_http_date(*since);
      auto updated = parse_iso(str_field(ds, "updatedAt"));
      if (limit && updated && *updated >= *limit) throw ApiError(412, "Dataset was modified since " + *since);
    }
    std::string type = str_field(ds, "type");
    if (auto t = dataset_type(body); !t.empty() && t != type)
      throw ApiError::bad_request("The type of a dataset cannot be changed");
    auto errors = validate_dataset(body, type, !replace_all);
    if (!errors.empty()) throw ApiError(400, errors);
    if (auto* new_pid = body.if_contains("pid"); new_pid && *new_pid != json::value(pid))
      throw ApiError::bad_request("The pid of a dataset cannot be changed");
    if (!dataset_update_any(app.config(), p) && body.contains("ownerGroup") &&
        !p.in_group(str_field(body, "ownerGroup")))
      throw ApiError::forbidden("Cannot hand a dataset to a group you are not in");
    for (const auto& f : server_managed_fields()) body.erase(f);
    if (auto* lc = body.if_contains("datasetlifecycle"); lc && lc->is_object()) {
      const json::value* stored = ds.if_contains("datasetlifecycle");
      json::object before = stored && stored->is_object() ? stored->get_object() : json::object();
      json::object after = lc->get_object();
      // PATCH replaces the lifecycle whole: a retention time it leaves out is kept.
      if (!after.contains("archiveRetentionTime") && before.contains("archiveRetentionTime"))
        lc->as_object()["archiveRetentionTime"] = before["archiveRetentionTime"];
      check_retention_change(app, p, before, lc->get_object());
    }
    if (auto* sm = body.if_contains("scientificMetadata"); sm && sm->is_object()) *sm = with_si_values(*sm);
    json::object next;
    if (replace_all) {
      next = std::move(body);
      for (const char* keep : {"pid", "_id", "createdBy", "createdAt", "version", "history", "size", "numberOfFiles"})
        if (auto* v = ds.if_contains(keep); v && !next.contains(keep)) next[keep] = *v;
      if (!next.contains("datasetlifecycle")) next["datasetlifecycle"] = ds["datasetlifecycle"];
    } else {
      next = ds;
      // A changed singular alias must win over the stored plural array and vice versa.
      for (const auto& [k, v] : body) next[k] = v;
      if (body.contains("proposalId") && !body.contains("proposalIds")) next.erase("proposalIds");
      if (body.contains("sampleId") && !body.contains("sampleIds")) next.erase("sampleIds");
      if (body.contains("instrumentId") && !body.contains("instrumentIds")) next.erase("instrumentIds");
      if (body.contains("principalInvestigator") && !body.contains("principalInvestigators"))
        next.erase("principalInvestigators");
    }
    normalize_dataset(next);
    stamp(next, p, false);
    app.store().replace(schemas::datasets(), next);
    bool ownership_changed = false;
    for (const char* k : {"ownerGroup", "accessGroups", "isPublished", "instrumentGroup"})
      if ((ds.contains(k) ? ds.at(k) : json::value()) != (next.contains(k) ? next.at(k) : json::value()))
        ownership_changed = true;
    if (ownership_changed) propagate_ownership(app, next);
    result = std::move(next);
  });
  return result;
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

std::vector<SqlCondition> dataset_search_conditions(const json::object& fields) {
  return fullquery_conditions(schemas::datasets(), fields, "scientific");
}

void register_version(Router& r, App& app, const std::string& base, ApiVersion version) {
  auto access = [&app] { return dataset_access(app); };

  r.add("POST", base, [&app, version](HttpRequest& req) {
    Principal p = app.authenticate(req);
    return HttpResponse::json(201, view(create_dataset(app, p, body_object(req), version), version));
  });

  r.add("POST", base + "/isValid", [&app](HttpRequest& req) {
    Principal p = app.authenticate(req);
    if (dataset_create_tier(app.config(), p) == DatasetCreateTier::None) throw ApiError::forbidden();
    json::object body = body_object(req);
    auto errors = validate_dataset(body, dataset_type(body), false);
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

  r.add("GET", base, [&app, access, version](HttpRequest& req) {
    Principal p = app.authenticate(req);
    auto acc = access();
    ListFilter f = acc.request_filter(req, true);
    if (version == ApiVersion::V4 && !f.limit) f.limit = 10;
    json::array out = acc.list(p, f, [&app](const Principal& who, const IncludeSpec& inc, json::object& d) {
      include_relations(app, who, inc, d);
    });
    if (version == ApiVersion::V4)
      for (auto& d : out) d = view(std::move(d.as_object()), version);
    return HttpResponse::json(200, out);
  });

  r.add("GET", base + "/count", [&app, access](HttpRequest& req) {
    Principal p = app.authenticate(req);
    auto acc = access();
    ListFilter f = acc.request_filter(req, true);
    json::value where = f.where;
    if (where.is_null()) {  // count?where={...} as Loopback clients send it
      if (auto w = req.query_param("where")) where = parse_json_param(*w, "where");
    }
    return HttpResponse::json(200, json::object{{"count", acc.count(p, where)}});
  });

  r.add("GET", base + "/findOne", [&app, access, version](HttpRequest& req) {
    Principal p = app.authenticate(req);
    auto acc = access();
    auto doc = acc.find_one(p, acc.request_filter(req, true));
    if (!doc) return HttpResponse::json(200, json::object());
    return HttpResponse::json(200, view(std::move(*doc), version));
  });

  r.add("GET", base + "/fullquery", [&app, access, version](HttpRequest& req) {
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

  r.add("GET", base + "/fullfacet", [&app](HttpRequest& req) {
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
    std::string key = access_cond.sql;
    for (const auto& param : access_cond.params)
      if (auto* text = std::get_if<std::string>(&param)) key += "\x1f" + *text;
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

  r.add("GET", base + "/metadataKeys", [&app](HttpRequest& req) {
    Principal p = app.authenticate(req);
    SearchRequest s = parse_search_request(req);
    auto conds = dataset_search_conditions(s.fields);
    conds.push_back(dataset_access(app).access_condition(p));
    std::int64_t limit = s.window.limit ? std::min<std::int64_t>(*s.window.limit, 10000) : 1000;
    json::array out;
    for (auto& path : app.store().scientific_paths(schemas::datasets(), and_all(conds), limit)) out.emplace_back(path);
    return HttpResponse::json(200, out);
  });

  r.add("GET", base + "/:pid", [&app, access, version](HttpRequest& req) {
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
    json::object ds = acc.get_readable(p, req.param("pid"));
    ListFilter f;
    if (auto q = req.query_param("filter")) f = parse_filter(*q);
    for (const auto& rel : req.query_params("include")) f.include.push_back({rel, nullptr});
    for (const auto& inc : f.include) include_relations(app, p, inc, ds);
    return HttpResponse::json(200, view(project(ds, f), version));
  });

  r.add("PATCH", base + "/:pid", [&app, version](HttpRequest& req) {
    Principal p = app.authenticate(req);
    return HttpResponse::json(200, view(update_dataset(app, p, req.param("pid"), body_object(req), false, req), version));
  });
  r.add("PUT", base + "/:pid", [&app, version](HttpRequest& req) {
    Principal p = app.authenticate(req);
    return HttpResponse::json(200, view(update_dataset(app, p, req.param("pid"), body_object(req), true, req), version));
  });

  r.add("DELETE", base + "/:pid", [&app, version](HttpRequest& req) {
    Principal p = app.authenticate(req);
    return HttpResponse::json(200, view(delete_dataset(app, p, req.param("pid")), version));
  });

  r.add("GET", base + "/:pid/datasetlifecycle", [&app, access](HttpRequest& req) {
    Principal p = app.authenticate(req);
    json::object ds = access().get_readable(p, req.param("pid"));
    return HttpResponse::json(200, ds.contains("datasetlifecycle") ? ds.at("datasetlifecycle") : json::object());
  });

  r.add("PATCH", base + "/:pid/datasetlifecycle", [&app, access](HttpRequest& req) {
    Principal p = app.authenticate(req);
    json::object body = body_object(req);
    if (body.empty()) throw ApiError::bad_request("Lifecycle update must not be empty");
    if (auto errors = validate_lifecycle(body); !errors.empty()) throw ApiError(400, errors);
    json::object lifecycle;
    app.store().transaction([&] {
      json::object ds = access().get_for_change(p, req.param("pid"), [&](const json::object& d) {
        return p.authenticated() &&
               (app.config().update_dataset_lifecycle_groups.matches(p.groups, true) || may_write_dataset(app, p, d));
      });
      json::object lc = ds.contains("datasetlifecycle") && ds.at("datasetlifecycle").is_object()
                            ? ds.at("datasetlifecycle").get_object()
                            : json::object();
      check_retention_change(app, p, lc, body);
      for (const auto& [k, v] : body) lc[k] = v;
      ds["datasetlifecycle"] = lc;
      stamp(ds, p, false);
      app.store().replace(schemas::datasets(), ds);
      lifecycle = std::move(lc);
    });
    return HttpResponse::json(200, lifecycle);
  });

  r.add("POST", base + "/:pid/appendToArrayField", [&app](HttpRequest& req) {
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
      if (field == "accessGroups") propagate_ownership(app, ds);
      result = std::move(ds);
    });
    return HttpResponse::json(200, result);
  });

  r.add("GET", base + "/:pid/thumbnail", [&app, access](HttpRequest& req) {
    Principal p = app.authenticate(req);
    access().get_readable(p, req.param("pid"));
    QueryPlan plan;
    plan.conditions.push_back({"t.dataset_id = ?", {req.param("pid")}, ""});
    plan.limit = 1;
    auto atts = app.store().find(schemas::attachments(), plan);
    if (atts.empty()) return HttpResponse::json(200, json::object());
    return HttpResponse::json(200, json::object{{"thumbnail", atts.front().contains("thumbnail")
                                                                  ? atts.front().at("thumbnail")
                                                                  : json::value()}});
  });
}

// The v4 public mirror (scitacean reads /datasets/public/:pid when anonymous): the same
// handlers, with any credentials removed so that only published datasets are visible.
void register_public_mirror(Router& r, const std::string& base) {
  for (const char* suffix : {"", "/count", "/findOne", "/fullfacet", "/metadataKeys", "/:pid"}) {
    Handler original;
    for (const auto& route : r.routes())
      if (route.method == "GET" && route.pattern == base + suffix) original = route.handler;
    if (!original) continue;
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
  register_version(r, app, "/api/v4/datasets", ApiVersion::V4);
  register_public_mirror(r, "/api/v4/datasets");
}

}  // namespace openem

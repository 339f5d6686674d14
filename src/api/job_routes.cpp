// Jobs API v3 and v4 (reference §5.4): create, patch, get, list, count, fullquery, fullfacet,
// datasetDetails, delete. The rules live in JobService; this file maps requests and shapes.
#include <boost/json.hpp>

#include <spdlog/spdlog.h>

#include <set>

#include "api/collection_access.h"
#include "api/dataset_service.h"
#include "api/handler_util.h"
#include "api/job_service.h"
#include "api/job_v3.h"
#include "api/permissions.h"
#include "api/routes.h"
#include "api/search.h"
#include "api/streamed_list.h"
#include "core/error.h"
#include "core/merge_patch.h"
#include "query/access.h"
#include "query/fullquery.h"
#include "query/where.h"

namespace openem {
namespace json = boost::json;
namespace {

enum class Version { V3, V4 };

json::object view(const JobService& s, json::object job, Version v) {
  return v == Version::V3 ? s.v3_view(std::move(job)) : s.v4_view(std::move(job));
}

// Upstream's jobs guard gives anonymous callers no read access (casl-ability.factory.ts
// jobsEndpointAccess: cannot JobRead): 403 whatever the job, so it tells nothing.
Principal job_reader(App& app, const HttpRequest& req) {
  Principal p = app.authenticate(req);
  if (!p.authenticated()) throw ApiError::forbidden();
  return p;
}

std::vector<std::string> string_list_param(const HttpRequest& req, const char* name) {
  std::vector<std::string> out;
  auto q = req.query_param(name);
  if (!q || q->empty()) return out;
  json::value v = parse_json_param(*q, name);
  if (v.is_string()) out.emplace_back(v.get_string());
  else if (v.is_array())
    for (const auto& x : v.get_array())
      if (x.is_string()) out.emplace_back(x.get_string());
  return out;
}

json::object project_fields(const json::object& doc, const std::vector<std::string>& fields) {
  if (fields.empty()) return doc;
  ListFilter f;
  f.fields = fields;
  return project(doc, f);
}

// GET …/jobs/datasetDetails: the datasets of one job (with datablocks and origdatablocks on
// request), for archive systems. Access: the job must be readable, and each dataset too.
json::array dataset_details(App& app, const JobService& s, const Principal& p, const HttpRequest& req) {
  std::string job_id;
  if (auto q = req.query_param("jobId")) job_id = *q;
  if (job_id.empty())
    if (auto f = req.query_param("filter")) {
      json::value v = parse_json_param(*f, "filter");
      const json::value* where = v.is_object() ? v.get_object().if_contains("where") : nullptr;
      if (where && where->is_object())
        for (const char* k : {"id", "_id", "jobId"})
          if (auto* id = where->get_object().if_contains(k); id && id->is_string()) job_id = id->get_string();
    }
  if (job_id.empty()) throw ApiError::bad_request("jobId is required");
  json::object job = s.get_readable(p, job_id);
  auto fields = string_list_param(req, "datasetFields");
  auto include = string_list_param(req, "include");
  auto include_fields = string_list_param(req, "includeFields");
  ReadScope scope = dataset_read_scope(app.config(), p);
  json::array out;
  auto* params = job.if_contains("jobParams");
  const json::value* list = params && params->is_object() ? params->get_object().if_contains("datasetList") : nullptr;
  if (!list || !list->is_array()) return out;
  for (const auto& d : list->get_array()) {
    if (!d.is_object()) continue;
    auto ds = app.store().get(schemas::datasets(), str_field(d.get_object(), "pid"));
    if (!ds || !can_read(*ds, p, scope)) continue;
    json::object item = project_fields(*ds, fields);
    for (const auto& rel : include) {
      const CollectionSchema* schema = rel == "datablocks"       ? &schemas::datablocks()
                                       : rel == "origdatablocks" ? &schemas::origdatablocks()
                                                                 : nullptr;
      if (!schema) throw ApiError::bad_request("Unknown relation '" + rel + "'");
      QueryPlan plan;
      plan.conditions.push_back(field_is(*schema, "datasetId", str_field(*ds, "pid")));
      json::array blocks;
      for (auto& b : app.store().find(*schema, plan)) blocks.emplace_back(project_fields(b, include_fields));
      item[rel] = std::move(blocks);
    }
    out.emplace_back(std::move(item));
  }
  return out;
}

void register_jobs(Router& r, App& app, std::shared_ptr<JobService> s, const std::string& base, Version v) {
  r.add("POST", base, [&app, s, v](HttpRequest& req) {
    Principal p = app.authenticate(req);
    json::object body = body_object(req);
    json::object job = v == Version::V3 ? s->create_v3(p, body, req.remote) : s->create(p, std::move(body), req.remote);
    return HttpResponse::json(201, view(*s, std::move(job), v));
  });
  r.add("PATCH", base + "/:id", [&app, s, v](HttpRequest& req) {
    Principal p = app.authenticate(req);
    json::object body = body_object(req);
    json::object changes;
    static const std::set<std::string> v3_known{"jobStatusMessage", "jobResultObject", "executionTime",
                                                "statusMessage", "statusCode"};
    static const std::set<std::string> v4_known{"statusCode", "statusMessage", "jobResultObject"};
    const auto& known = v == Version::V3 ? v3_known : v4_known;
    std::vector<std::string> errors;
    for (const auto& [k, val] : body)
      if (!known.count(std::string(k))) errors.push_back("property " + std::string(k) + " should not exist");
    if (!errors.empty()) throw ApiError(400, errors);
    for (const char* k : {"jobStatusMessage", "statusCode", "statusMessage"})
      if (auto* x = body.if_contains(k); x && !x->is_string()) throw ApiError::bad_request(std::string(k) + " must be a string");
    if (auto* x = body.if_contains("jobResultObject"); x && !x->is_object())
      throw ApiError::bad_request("jobResultObject must be an object");
    if (v == Version::V3) {
      // v3 sets both statusCode and statusMessage from jobStatusMessage.
      if (auto* m = body.if_contains("jobStatusMessage")) {
        changes["statusCode"] = *m;
        changes["statusMessage"] = *m;
      }
      for (const char* k : {"statusCode", "statusMessage", "jobResultObject", "executionTime"})
        if (auto* x = body.if_contains(k)) changes[k] = *x;
    } else {
      changes = body;
    }
    auto ct = req.header("content-type");
    bool merge = ct && is_merge_patch_content_type(*ct);
    return HttpResponse::json(200, view(*s, s->update(p, req.param("id"), changes, merge, v == Version::V3), v));
  });
  auto list_plan = [&app, s, v](const Principal& p, const HttpRequest& req, ListFilter& f) {
    CollectionAccess acc(app, schemas::jobs(), [](const Principal&) { return ReadScope{}; });
    f = acc.request_filter(req);
    if (v == Version::V3 && !f.where.is_null()) f.where = v3_where(f.where);
    QueryPlan plan = acc.plan_for(p, f);
    plan.conditions.front() = s->access_condition(p);  // plan_for puts its access rule first
    return plan;
  };
  r.add("GET", base, [&app, s, v, list_plan](HttpRequest& req) {
    Principal p = job_reader(app, req);
    ListFilter f;
    QueryPlan plan = list_plan(p, req, f);
    return streamed_documents(app, schemas::jobs(), app.store().find_ids(schemas::jobs(), plan),
                              [s, v, f](json::object d) { return json::value(project(view(*s, std::move(d), v), f)); });
  });
  r.add("GET", base + "/count", [&app, s, v, list_plan](HttpRequest& req) {
    Principal p = job_reader(app, req);
    ListFilter f;
    QueryPlan plan = list_plan(p, req, f);
    return HttpResponse::json(200, json::object{{"count", app.store().count(schemas::jobs(), all_of(plan.conditions))}});
  });
  auto search_conditions = [](const SearchRequest& sr) { return fullquery_conditions(schemas::jobs(), sr.fields, ""); };
  // scicat-backend-next src/jobs/jobs.controller.utils.ts fullQueryJobs: `fields` are
  // conditions and `limits` the window; openem also takes a ?filter= (where, fields, limits).
  r.add("GET", base + "/fullquery", [&app, s, v, search_conditions](HttpRequest& req) {
    Principal p = job_reader(app, req);
    SearchRequest sr = parse_search_request(req);
    ListFilter f;
    if (req.query_param("filter")) {
      f = CollectionAccess(app, schemas::jobs(), [](const Principal&) { return ReadScope{}; }).request_filter(req);
      if (v == Version::V3 && !f.where.is_null()) f.where = v3_where(f.where);
    }
    QueryPlan plan;
    plan.conditions = search_conditions(sr);
    if (!f.where.is_null()) plan.conditions.push_back(translate_where(schemas::jobs(), f.where));
    plan.conditions.push_back(s->access_condition(p));
    add_order_and_window(plan, schemas::jobs(), req.query_param("limits") ? sr.window : f, 100);
    return streamed_documents(app, schemas::jobs(), app.store().find_ids(schemas::jobs(), plan),
                              [s, v, f](json::object d) { return json::value(project(view(*s, std::move(d), v), f)); });
  });
  // Only the facets asked for (upstream's default is none: just the total).
  r.add("GET", base + "/fullfacet", [&app, s, search_conditions](HttpRequest& req) {
    Principal p = job_reader(app, req);
    SearchRequest sr = parse_search_request(req);
    return HttpResponse::json(
        200, fullfacet_response(app, schemas::jobs(), s->access_condition(p), search_conditions(sr), sr.facets));
  });
  r.add("GET", base + "/datasetDetails", [&app, s](HttpRequest& req) {
    return HttpResponse::json(200, dataset_details(app, *s, job_reader(app, req), req));
  });
  r.add("GET", base + "/:id", [&app, s, v](HttpRequest& req) {
    Principal p = job_reader(app, req);
    return HttpResponse::json(200, view(*s, s->get_readable(p, req.param("id")), v));
  });
  r.add("DELETE", base + "/:id", [&app, s, v](HttpRequest& req) {
    Principal p = app.authenticate(req);
    return HttpResponse::json(200, view(*s, s->remove(p, req.param("id")), v));
  });
}

}  // namespace

void register_job_routes(Router& r, App& app) {
  const std::string& file = app.config().job_configuration_file;
  JobConfig config = file.empty() ? default_job_config() : load_job_config(file);
  spdlog::info("event=job_configuration version=\"{}\" types={} source=\"{}\"", config.config_version,
               config.jobs.size(), file.empty() ? "built-in default" : file);
  auto service = std::make_shared<JobService>(app, std::move(config));
  register_jobs(r, app, service, "/api/v3/jobs", Version::V3);
  register_jobs(r, app, service, "/api/v4/jobs", Version::V4);
}

}  // namespace openem

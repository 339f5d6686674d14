// /api/v4/publisheddata (reference §5.7, §10.1): records in their stored shape, the
// configuration (PUBLISHED_DATA_CONFIG_FILE), and the workflow private → public → registered →
// amended with publish, register (DataCite's REST API, through the outbox), amend and resync.
#include "api/handler_util.h"
#include "api/publishing/published_data_routes.h"
#include "core/error.h"
#include "publish/published_data/record.h"
#include "query/filter.h"

namespace openem {
namespace json = boost::json;
namespace {

const std::string kBase = "/api/v4/publisheddata";

ListFilter v4_filter(const HttpRequest& req) { return published_data_filter(req, /*where_param=*/false); }

json::object checked_body(const HttpRequest& req, bool partial) {
  return checked_published_data_body(req, v4_published_data_spec(), partial);
}

}  // namespace

void register_published_data_v4_routes(Router& r, App& app, std::shared_ptr<const PublishedDataConfig> config) {
  auto service = [&app, config](const HttpRequest& req) { return PublishedDataService(app, config, public_base_url(app, req)); };

  r.add("GET", kBase + "/config", [config](HttpRequest&) { return HttpResponse::json(200, config->document()); });
  r.add("POST", kBase, [&app, service](HttpRequest& req) {
    Principal p = app.require_user(req);
    json::object body = checked_body(req, false);
    return HttpResponse::json(201, service(req).create(p, str_field(body, "doi"), [&](json::object& rec) { apply_v4_body(rec, body); }));
  });
  r.add("GET", kBase, [&app, service](HttpRequest& req) {
    Principal p = app.authenticate(req);
    ListFilter f = v4_filter(req);
    json::array out;
    for (auto& record : service(req).list(p, f)) out.emplace_back(project(std::move(record), f));
    return HttpResponse::json(200, out);
  });
  r.add("GET", kBase + "/count", [&app, service](HttpRequest& req) {
    Principal p = app.authenticate(req);
    return HttpResponse::json(200, json::object{{"count", service(req).count(p, v4_filter(req).where)}});
  });
  r.add("GET", kBase + "/formpopulate", [&app, service](HttpRequest& req) {
    Principal p = app.authenticate(req);
    auto pid = req.query_param("pid");
    if (!pid || pid->empty()) throw ApiError::bad_request("pid is required");
    return HttpResponse::json(200, service(req).form_populate(p, *pid));
  });
  r.add("GET", kBase + "/:id", [&app, service](HttpRequest& req) {
    return HttpResponse::json(200, service(req).get_visible(app.authenticate(req), req.param("id")));
  });
  r.add("PATCH", kBase + "/:id", [&app, service](HttpRequest& req) {
    Principal p = app.require_user(req);
    json::object body = checked_body(req, true);
    if (auto* d = body.if_contains("doi"); d && *d != json::value(req.param("id")))
      throw ApiError::bad_request("doi cannot be changed");
    return HttpResponse::json(200, service(req).update(p, req.param("id"), [&](json::object& rec) { apply_v4_body(rec, body); },
                                                       PublishedApi::V4));
  });
  r.add("DELETE", kBase + "/:id", [&app, service](HttpRequest& req) {
    Principal p = app.require_user(req);
    return HttpResponse::json(200, service(req).remove(p, req.param("id"), PublishedApi::V4));
  });
  r.add("POST", kBase + "/:id/publish", [&app, service](HttpRequest& req) {
    Principal p = app.require_user(req);
    return HttpResponse::json(201, service(req).publish(p, req.param("id")));
  });
  r.add("POST", kBase + "/:id/register", [&app, service](HttpRequest& req) {
    Principal p = app.require_user(req);
    PublicationResult result = service(req).register_doi(p, req.param("id"), PublishedApi::V4);
    return publication_response(result, result.record);
  });
  r.add("POST", kBase + "/:id/amend", [&app, service](HttpRequest& req) {
    Principal p = app.require_user(req);
    return HttpResponse::json(201, service(req).amend(p, req.param("id")));
  });
  r.add("POST", kBase + "/:id/resync", [&app, service](HttpRequest& req) {
    Principal p = app.require_user(req);
    json::object body = req.body.empty() ? json::object() : checked_body(req, true);
    body.erase("doi");
    PublicationResult result =
        service(req).resync(p, req.param("id"), [&](json::object& rec) { apply_v4_body(rec, body); }, PublishedApi::V4);
    return publication_response(result, result.record);
  });
}

}  // namespace openem

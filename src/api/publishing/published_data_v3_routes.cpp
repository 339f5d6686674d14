// /api/v3/publisheddata (reference §5.7): SciCat's v3 shape over records stored in the v4 shape
// — what the OAI provider and older clients read. Anonymous callers list, count and read
// public, registered and amended records; creators their own private ones too; admins all.
// Registration goes through DataCite's MDS API when REGISTER_METADATA_URI is set (else the REST
// API), through the outbox (docs/publishing.md "Published data and DOIs").
#include "api/handler_util.h"
#include "api/publishing/published_data_routes.h"
#include "core/error.h"
#include "publish/published_data/record.h"
#include "query/filter.h"

namespace openem {
namespace json = boost::json;
namespace {

const std::string kBase = "/api/v3/publisheddata";

json::object view(const PublishedDataService& s, const json::object& record) {
  json::object v = v3_view(record);
  if (!v.contains("url")) v["url"] = s.landing_url(str_field(record, "doi"));
  return v;
}

// In v3 names: ?where= too, and names mapped to the stored (v4) ones.
ListFilter v3_filter(const HttpRequest& req) {
  ListFilter f = published_data_filter(req, /*where_param=*/true);
  f.where = v3_where_to_stored(f.where);
  for (auto& o : f.order) o.field = v3_field_to_stored(o.field);
  return f;
}

json::object checked_body(const HttpRequest& req, bool partial) {
  return checked_published_data_body(req, v3_published_data_spec(), partial);
}

}  // namespace

void register_published_data_v3_routes(Router& r, App& app, std::shared_ptr<const PublishedDataConfig> config) {
  auto service = [&app, config](const HttpRequest& req) { return PublishedDataService(app, config, public_base_url(app, req)); };

  r.add("POST", kBase, [&app, service](HttpRequest& req) {
    Principal p = app.require_user(req);
    json::object body = checked_body(req, false);
    auto s = service(req);
    std::string doi = str_field(body, "doi");
    json::object record = s.create(p, doi, [&](json::object& rec) { apply_v3_body(rec, body); });
    return HttpResponse::json(201, view(s, record));
  });
  r.add("GET", kBase, [&app, service](HttpRequest& req) {
    Principal p = app.authenticate(req);
    auto s = service(req);
    ListFilter f = v3_filter(req);
    json::array out;
    for (auto& record : s.list(p, f)) out.emplace_back(project(view(s, record), f));
    return HttpResponse::json(200, out);
  });
  r.add("GET", kBase + "/count", [&app, service](HttpRequest& req) {
    Principal p = app.authenticate(req);
    return HttpResponse::json(200, json::object{{"count", service(req).count(p, v3_filter(req).where)}});
  });
  r.add("GET", kBase + "/formpopulate", [&app, service](HttpRequest& req) {
    Principal p = app.authenticate(req);
    auto pid = req.query_param("pid");
    if (!pid || pid->empty()) throw ApiError::bad_request("pid is required");
    return HttpResponse::json(200, service(req).form_populate(p, *pid));
  });
  r.add("GET", kBase + "/:id", [&app, service](HttpRequest& req) {
    Principal p = app.authenticate(req);
    auto s = service(req);
    return HttpResponse::json(200, view(s, s.get_visible(p, req.param("id"))));
  });
  r.add("PATCH", kBase + "/:id", [&app, service](HttpRequest& req) {
    Principal p = app.require_user(req);
    json::object body = checked_body(req, true);
    if (auto* d = body.if_contains("doi"); d && *d != json::value(req.param("id")))
      throw ApiError::bad_request("doi cannot be changed");
    auto s = service(req);
    auto record = s.update(p, req.param("id"), [&](json::object& rec) { apply_v3_body(rec, body); }, PublishedApi::V3);
    return HttpResponse::json(200, view(s, record));
  });
  r.add("DELETE", kBase + "/:id", [&app, service](HttpRequest& req) {
    Principal p = app.require_user(req);
    auto s = service(req);
    return HttpResponse::json(200, view(s, s.remove(p, req.param("id"), PublishedApi::V3)));
  });
  r.add("POST", kBase + "/:id/register", [&app, service](HttpRequest& req) {
    Principal p = app.require_user(req);
    auto s = service(req);
    PublicationResult result = s.register_doi(p, req.param("id"), PublishedApi::V3);
    // Upstream answers {doi} from DataCite; the record with its registration says more.
    json::object body = view(s, result.record);
    return publication_response(result, body);
  });
  r.add("POST", kBase + "/:id/resync", [&app, service](HttpRequest& req) {
    Principal p = app.require_user(req);
    json::object body = req.body.empty() ? json::object() : checked_body(req, true);
    body.erase("doi");
    auto s = service(req);
    PublicationResult result =
        s.resync(p, req.param("id"), [&](json::object& rec) { apply_v3_body(rec, body); }, PublishedApi::V3);
    return publication_response(result, view(s, result.record));
  });
}

}  // namespace openem

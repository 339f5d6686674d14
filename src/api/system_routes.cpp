// Operational endpoints: health (the OpenEM ingestor probes it) and the OpenAPI description generated from the route table itself.
#include <boost/json.hpp>

#include "api/identity/audit.h"
#include "api/routes.h"
#include "api/store_error_response.h"
#include "core/error.h"

namespace openem {
namespace json = boost::json;
namespace {

// "/api/v3/datasets/:pid" → "/api/v3/datasets/{pid}"
std::string openapi_path(const Route& r) {
  std::string out;
  // ":pid" and the trailing catch-all "*path" are both path parameters to OpenAPI.
  for (const auto& s : r.segments) out += "/" + (s[0] == ':' || s[0] == '*' ? "{" + s.substr(1) + "}" : s);
  return out.empty() ? "/" : out;
}

json::object openapi(const Router& router) {
  json::object paths;
  for (const auto& r : router.routes()) {
    std::string method = r.method;
    std::transform(method.begin(), method.end(), method.begin(), ::tolower);
    json::array params;
    for (const auto& s : r.segments)
      if (s[0] == ':' || s[0] == '*')
        params.emplace_back(json::object{{"name", s.substr(1)}, {"in", "path"}, {"required", true},
                                         {"schema", json::object{{"type", "string"}}}});
    auto& item = paths[openapi_path(r)];
    if (!item.is_object()) item = json::object();
    item.as_object()[method] = json::object{{"operationId", method + ":" + r.pattern},
                                            {"parameters", std::move(params)},
                                            {"responses", json::object{{"200", json::object{{"description", "OK"}}}}}};
  }
  return {{"openapi", "3.0.0"},
          {"info", json::object{{"title", "openem SciCat-compatible API"}, {"version", "3"}}},
          {"paths", std::move(paths)}};
}

}  // namespace

void register_system_routes(Router& r, App& app) {
  r.add("GET", "/api/v3/health", [&app](HttpRequest&) {
    bool up = app.store().healthy();
    json::object db{{"status", up ? "up" : "down"}};
    json::object body{{"status", up ? "ok" : "error"},
                      {"info", up ? json::object{{"database", db}} : json::object()},
                      {"error", up ? json::object() : json::object{{"database", db}}},
                      {"details", json::object{{"database", db}}}};
    return HttpResponse::json(up ? 200 : 503, body);
  });
  // The cheapest possible handler: a liveness probe, and the baseline the catalog benchmark
  // compares get-by-pid against.
  r.add_inline("GET", "/ping", [](HttpRequest&) { return HttpResponse::text(200, "pong"); });
  r.add("GET", "/explorer-json", [&r](HttpRequest&) { return HttpResponse::json(200, openapi(r)); });
}

void register_all_routes(Router& r, App& app) {
  r.set_error_translator(store_error_response);
  register_auth_routes(r, app);
  register_oidc_routes(r, app);
  register_token_routes(r, app);
  register_audit_routes(r, app);
  register_dataset_routes(r, app);
  register_file_routes(r, app);
  register_attachment_routes(r, app);
  register_proposal_routes(r, app);
  register_sample_routes(r, app);
  register_instrument_routes(r, app);
  register_policy_routes(r, app);
  register_history_routes(r, app);
  register_lineage_routes(r, app);
  register_event_routes(r, app);
  register_webhook_routes(r, app);
  register_upload_routes(r, app);
  register_job_routes(r, app);
  register_system_routes(r, app);
  register_client_compat_routes(r, app);
  register_landing_routes(r, app);
  register_published_data_routes(r, app);  // and /oai, which serves its records, and the exports
  register_portal_routes(r, app);
}

}  // namespace openem

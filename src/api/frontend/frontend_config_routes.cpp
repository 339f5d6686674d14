// The frontend's configuration and theme (upstream src/admin/admin.controller.ts and
// admin.service.ts; src/config/runtime-config/runtime-config.controller.ts and service).
// Anyone may read them (the frontend reads them before sign-in); only admins replace them.
#include <boost/json.hpp>

#include <memory>

#include "api/frontend/frontend_routes.h"
#include "api/frontend/runtime_configs.h"
#include "api/handler_util.h"
#include "api/publishing/published_data_service.h"
#include "core/error.h"

namespace openem {
namespace json = boost::json;

void register_frontend_config_routes(Router& r, App& app) {
  auto configs = std::make_shared<const RuntimeConfigs>(app);

  r.add("GET", "/api/v3/admin/config", [&app, configs](HttpRequest& req) {
    return HttpResponse::json(200, configs->frontend_config(public_base_url(app, req)));
  });
  r.add("GET", "/api/v3/admin/theme", [configs](HttpRequest&) {
    return HttpResponse::json(200, configs->frontend_theme());
  });

  r.add("GET", "/api/v3/runtime-config/:id", [&app, configs](HttpRequest& req) {
    const std::string& cid = req.param("id");
    auto record = configs->get(cid);
    if (!record) throw ApiError::not_found("Config '" + cid + "' not found");
    // The frontend configuration as /admin/config gives it (lbBaseURL filled in).
    if (cid == "frontendConfig") (*record)["data"] = configs->frontend_config(public_base_url(app, req));
    return HttpResponse::json(200, *record);
  });
  // Replaces the data with the body (upstream: $set {data: body}); admins only.
  r.add("PUT", "/api/v3/runtime-config/:id", [&app, configs](HttpRequest& req) {
    Principal p = app.require_user(req);
    if (!app.is_admin(p)) throw ApiError::forbidden();
    json::object body = body_object(req);
    const std::string& cid = req.param("id");
    auto record = configs->put(cid, std::move(body), actor(p));
    if (!record) throw ApiError::not_found("Config '" + cid + "' not found");
    return HttpResponse::json(200, *record);
  });
}

}  // namespace openem

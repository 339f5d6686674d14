// Webhooks, for admins only (docs/events.md; webhooks.h):
//   POST   /api/v3/webhooks                  {url, description, secret, filter, accessGroups, active}
//                                             → 201, the webhook with its secret (shown this once)
//   GET    /api/v3/webhooks                  → the webhooks, without secrets
//   GET    /api/v3/webhooks/:id
//   PATCH  /api/v3/webhooks/:id              the same fields; "secret" rotates it
//   DELETE /api/v3/webhooks/:id
//   GET    /api/v3/webhooks/:id/deliveries   ?limit= (default 50, at most 100): newest first
// Delivery runs in the background of every `openem serve` (housekeeper.cpp).
#include <boost/json.hpp>

#include <algorithm>

#include "api/events/webhooks.h"
#include "api/handler_util.h"
#include "api/routes.h"
#include "core/error.h"

namespace openem {
namespace json = boost::json;
namespace {

void require_admin(const App& app, const HttpRequest& req) {
  Principal p = app.require_user(req);
  if (!app.is_admin(p)) throw ApiError::forbidden("Only admins manage webhooks");
}

json::object stored_hook(App& app, const std::string& id) {
  auto hook = app.store().get(schemas::webhooks(), id);
  if (!hook) throw ApiError::not_found("No webhook " + id);
  return *hook;
}

std::int64_t limit_param(const HttpRequest& req) {
  auto text = req.query_param("limit");
  if (!text || text->empty()) return 50;
  if (text->size() > 6 || !std::all_of(text->begin(), text->end(), [](char c) { return c >= '0' && c <= '9'; }))
    throw ApiError::bad_request("limit must be a number from 1 to 100");
  return std::clamp<std::int64_t>(std::stoll(*text), 1, 100);
}

}  // namespace

void register_webhook_routes(Router& r, App& app) {
  r.add("POST", "/api/v3/webhooks", [&app](HttpRequest& req) {
    require_admin(app, req);
    Principal p = app.authenticate(req);
    json::object hook = new_webhook(body_object(req), p.username, app.store().latest_history_seq(), now_millis());
    app.store().insert(schemas::webhooks(), hook);
    json::object shown = webhook_json(hook);
    shown["secret"] = hook.at("secret");  // once: later answers never show it
    return HttpResponse::json(201, shown);
  });
  r.add("GET", "/api/v3/webhooks", [&app](HttpRequest& req) {
    require_admin(app, req);
    QueryPlan plan;
    plan.order = {sort_by(schemas::webhooks(), "createdAt")};
    json::array out;
    for (auto& hook : app.store().find(schemas::webhooks(), plan)) out.push_back(webhook_json(hook));
    return HttpResponse::json(200, out);
  });
  r.add("GET", "/api/v3/webhooks/:id", [&app](HttpRequest& req) {
    require_admin(app, req);
    return HttpResponse::json(200, webhook_json(stored_hook(app, req.param("id"))));
  });
  r.add("PATCH", "/api/v3/webhooks/:id", [&app](HttpRequest& req) {
    require_admin(app, req);
    const json::object changes = body_object(req);
    json::object hook;
    app.store().transaction([&] {
      hook = stored_hook(app, req.param("id"));
      change_webhook(hook, changes, now_millis());
      app.store().replace(schemas::webhooks(), hook);
    });
    return HttpResponse::json(200, webhook_json(hook));
  });
  r.add("DELETE", "/api/v3/webhooks/:id", [&app](HttpRequest& req) {
    require_admin(app, req);
    const std::string id = req.param("id");
    if (!app.store().remove(schemas::webhooks(), id)) throw ApiError::not_found("No webhook " + id);
    QueryPlan plan;
    plan.conditions = {field_is(schemas::webhook_deliveries(), "webhookId", id)};
    for (const auto& entry : app.store().find_ids(schemas::webhook_deliveries(), plan))
      app.store().remove(schemas::webhook_deliveries(), entry);
    return HttpResponse::json(200, json::object{{"id", id}, {"deleted", true}});
  });
  r.add("GET", "/api/v3/webhooks/:id/deliveries", [&app](HttpRequest& req) {
    require_admin(app, req);
    const std::string id = req.param("id");
    stored_hook(app, id);
    const auto& log = schemas::webhook_deliveries();
    QueryPlan plan;
    plan.conditions = {field_is(log, "webhookId", id)};
    plan.order = {sort_by(log, "at", /*descending=*/true)};
    plan.limit = limit_param(req);
    json::array out;
    for (auto& entry : app.store().find(log, plan)) out.push_back(std::move(entry));
    return HttpResponse::json(200, out);
  });
}

}  // namespace openem

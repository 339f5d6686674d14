#include "api/identity/audit.h"

#include <spdlog/spdlog.h>

#include "api/routes.h"
#include "core/error.h"
#include "core/time.h"

namespace openem {
namespace json = boost::json;

void audit(App& app, const std::string& remote, std::string event, std::string user, json::object detail,
           std::string actor) {
  AuditEvent e;
  e.time = now_iso();
  e.event = std::move(event);
  e.user = std::move(user);
  e.actor = std::move(actor);
  e.remote = remote;
  e.detail = std::move(detail);
  try {
    app.store().append_audit(e);
  } catch (const std::exception& ex) {
    spdlog::error("audit log: {} of {} not recorded: {}", e.event, e.user, ex.what());
  }
}

namespace {

std::int64_t number_param(const HttpRequest& req, const char* name, std::int64_t fallback, std::int64_t max) {
  auto text = req.query_param(name);
  if (!text || text->empty()) return fallback;
  std::int64_t n = 0;
  for (char c : *text) {
    if (c < '0' || c > '9' || n > max) throw ApiError::bad_request(std::string(name) + " must be a number from 1 to " + std::to_string(max));
    n = n * 10 + (c - '0');
  }
  if (n < 1 || n > max) throw ApiError::bad_request(std::string(name) + " must be a number from 1 to " + std::to_string(max));
  return n;
}

}  // namespace

void register_audit_routes(Router& r, App& app) {
  r.add("GET", "/api/v3/admin/audit", [&app](HttpRequest& req) {
    Principal p = app.require_user(req);
    if (!app.is_admin(p)) throw ApiError::forbidden();
    AuditQuery q;
    q.event = req.query_param("event").value_or("");
    q.user = req.query_param("user").value_or("");
    q.before = number_param(req, "before", 0, std::numeric_limits<std::int64_t>::max() / 10);
    q.limit = number_param(req, "limit", 100, 1000);
    json::array out;
    for (auto& e : app.store().audit_events(q))
      out.push_back(json::object{{"seq", e.seq}, {"time", e.time}, {"event", e.event}, {"user", e.user},
                                 {"actor", e.actor}, {"remote", e.remote}, {"detail", std::move(e.detail)}});
    return HttpResponse::json(200, out);
  });
}

}  // namespace openem

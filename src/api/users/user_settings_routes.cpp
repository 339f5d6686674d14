// A user's frontend settings (upstream src/users/users.controller.ts, schemas/
// user-settings.schema.ts): page sizes and the frontend's table columns, filters and
// conditions. The SciCat frontend reads them right after sign-in and waits for them before it
// lists datasets, proposals or jobs. One JSON document per user in the store's settings table
// (key "userSettings:<user id>"), created with defaults on first read as upstream's
// CreateUserSettingsInterceptor does. Only the user themself or an admin reads or changes them.
#include <boost/json.hpp>

#include <cmath>

#include "api/app.h"
#include "api/handler_util.h"
#include "api/users/user_routes.h"
#include "core/error.h"
#include "core/time.h"

namespace openem {
namespace json = boost::json;
namespace {

std::string settings_key(const std::string& user_id) { return "userSettings:" + user_id; }

// The keys the current frontend keeps in externalSettings (upstream migration that moved
// columns/filters/conditions there, "fe_<table>_table_<kind>"). Empty lists: the frontend
// then falls back to its configuration's defaults (defaultDatasetsListSettings, ...).
json::object default_external_settings() {
  json::object out;
  for (const char* key : {"fe_dataset_table_columns", "fe_dataset_table_conditions", "fe_dataset_table_filters",
                          "fe_proposal_table_columns", "fe_proposal_table_filters", "fe_sample_table_columns",
                          "fe_sample_table_conditions", "fe_instrument_table_columns", "fe_file_table_columns"})
    out[key] = json::array();
  return out;
}

json::object default_settings(const std::string& user_id) {
  std::string now = now_iso();
  return {{"_id", user_id},
          {"id", user_id},
          {"userId", user_id},
          {"datasetCount", 25},
          {"jobCount", 25},
          {"externalSettings", default_external_settings()},
          {"createdAt", now},
          {"updatedAt", now}};
}

std::optional<json::object> load_settings(App& app, const std::string& user_id) {
  auto text = app.store().setting(settings_key(user_id));
  if (!text || text->empty()) return std::nullopt;  // "" marks deleted settings
  return json::parse(*text).as_object();
}

void save_settings(App& app, json::object& settings) {
  settings["updatedAt"] = now_iso();
  app.store().set_setting(settings_key(str_field(settings, "userId")), json::serialize(settings));
}

// The user whose settings the request names, checked as upstream's checkUserAuthorization:
// 401 anonymous, 403 for someone else's settings unless admin, 404 for an unknown user.
std::string settings_owner(App& app, const HttpRequest& req) {
  Principal p = app.require_user(req);
  std::string id = req.params.count("id") ? req.param("id") : p.user_id;  // /users/my/settings: own
  if (id != p.user_id && !app.is_admin(p)) throw ApiError::forbidden("Access Forbidden or Unauthorized");
  if (!app.store().user_by_id(id)) throw ApiError::not_found("User not found");
  return id;
}

// The stored settings, or the defaults stored now (first read).
json::object settings_or_defaults(App& app, const std::string& user_id) {
  if (auto s = load_settings(app, user_id)) return *s;
  json::object s = default_settings(user_id);
  save_settings(app, s);
  return s;
}

// PartialUpdateUserSettingsDto (upstream dto/update-user-settings.dto.ts): datasetCount and
// jobCount numbers, externalSettings an object; anything else "should not exist" (the
// global ValidationPipe forbids unknown properties).
void check_settings_update(const json::object& body) {
  for (const auto& [key, value] : body) {
    if (key == "datasetCount" || key == "jobCount") {
      if (!value.is_number() || !std::isfinite(value.to_number<double>()))
        throw ApiError::bad_request(std::string(key) + " must be a number conforming to the specified constraints");
    } else if (key == "externalSettings") {
      if (!value.is_object()) throw ApiError::bad_request("externalSettings must be an object");
    } else {
      throw ApiError::bad_request("property " + std::string(key) + " should not exist");
    }
  }
}

// PUT and PATCH both set the fields given and keep the rest (upstream findOneAndUpdate with a
// plain object is a $set).
HttpResponse update_settings(App& app, const HttpRequest& req) {
  std::string user_id = settings_owner(app, req);
  json::object body = body_object(req);
  check_settings_update(body);
  json::object settings;
  app.store().transaction([&] {
    settings = settings_or_defaults(app, user_id);
    for (const auto& [key, value] : body) settings[key] = value;
    save_settings(app, settings);
  });
  return HttpResponse::json(200, settings);
}

}  // namespace

void register_user_settings_routes(Router& r, App& app) {
  auto get = [&app](HttpRequest& req) {
    std::string user_id = settings_owner(app, req);
    json::object settings;
    app.store().transaction([&] { settings = settings_or_defaults(app, user_id); });
    return HttpResponse::json(200, settings);
  };
  r.add("GET", "/api/v3/users/my/settings", get);
  r.add("GET", "/api/v3/users/:id/settings", get);

  // Create (or replace) with the body's fields over the defaults.
  r.add("POST", "/api/v3/users/:id/settings", [&app](HttpRequest& req) {
    std::string user_id = settings_owner(app, req);
    json::object body = body_object(req);
    body.erase("userId");
    check_settings_update(body);
    json::object settings = default_settings(user_id);
    for (const auto& [key, value] : body) settings[key] = value;
    save_settings(app, settings);
    return HttpResponse::json(201, settings);
  });
  r.add("PUT", "/api/v3/users/:id/settings", [&app](HttpRequest& req) { return update_settings(app, req); });
  r.add("PATCH", "/api/v3/users/:id/settings", [&app](HttpRequest& req) { return update_settings(app, req); });

  // Sets each key of the body inside externalSettings, keeping the others (upstream
  // findOneAndPatchUserExternalSettings: $set "externalSettings.<key>"). Values are the
  // frontend's own and are not validated, as upstream.
  r.add("PATCH", "/api/v3/users/:id/settings/external", [&app](HttpRequest& req) {
    std::string user_id = settings_owner(app, req);
    json::object body = body_object(req);
    json::object settings;
    app.store().transaction([&] {
      settings = settings_or_defaults(app, user_id);
      json::value& external = settings["externalSettings"];
      if (!external.is_object()) external = json::object();
      for (const auto& [key, value] : body) external.as_object()[key] = value;
      save_settings(app, settings);
    });
    return HttpResponse::json(200, settings);
  });

  // Removes the settings (the next read creates the defaults again); answers what was removed.
  r.add("DELETE", "/api/v3/users/:id/settings", [&app](HttpRequest& req) {
    std::string user_id = settings_owner(app, req);
    json::value removed = nullptr;
    app.store().transaction([&] {
      if (auto s = load_settings(app, user_id)) removed = std::move(*s);
      app.store().set_setting(settings_key(user_id), "");
    });
    return HttpResponse::json(200, removed);
  });
}

}  // namespace openem

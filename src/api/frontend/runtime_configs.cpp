#include "api/frontend/runtime_configs.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/time.h"

namespace openem {
namespace json = boost::json;
namespace {

constexpr const char* kConfig = "frontendConfig";
constexpr const char* kTheme = "frontendTheme";

std::string store_key(const std::string& cid) { return "runtimeConfig:" + cid; }

json::object read_json_file(const std::string& path, const char* variable) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(std::string(variable) + ": cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  json::value v = json::parse(text.str(), ec);
  if (ec) throw std::runtime_error(std::string(variable) + ": " + path + " is not valid JSON: " + ec.message());
  if (!v.is_object()) throw std::runtime_error(std::string(variable) + ": " + path + " must hold a JSON object");
  return v.as_object();
}

// A table column of the frontend's dataset list.
json::object column(const char* name, int order, bool enabled) {
  return {{"name", name}, {"order", order}, {"type", "standard"}, {"enabled", enabled}};
}

// The frontend's "Sign in with …" buttons: the OIDC sign-in when a provider is configured.
json::array oauth2_endpoints(const Config& config) {
  if (!config.oidc.enabled()) return {};
  return {json::object{{"authURL", "api/v3/auth/oidc"}, {"displayText", config.oidc.display_name}}};
}

}  // namespace

// Written for openem (not a copy of upstream's sample file, which points at ESS services):
// sign-in with local accounts, no logbook, jobs on, the features openem serves switched on.
json::object default_frontend_config(const Config& config) {
  json::array columns;
  int order = 0;
  for (auto [name, enabled] : std::initializer_list<std::pair<const char*, bool>>{
           {"select", true}, {"pid", true}, {"datasetName", true}, {"sourceFolder", true}, {"size", true},
           {"creationTime", true}, {"type", true}, {"image", true}, {"metadata", false}, {"proposalIds", true},
           {"ownerGroup", false}, {"dataStatus", false}})
    columns.push_back(column(name, order++, enabled));
  return {{"accessTokenPrefix", "Bearer "},
          {"addDatasetEnabled", false},
          {"archiveWorkflowEnabled", true},
          {"datasetReduceEnabled", false},
          {"datasetJsonScientificMetadata", true},
          {"editDatasetEnabled", true},
          {"editDatasetSampleEnabled", true},
          {"editMetadataEnabled", true},
          {"editPublishedData", true},
          {"addSampleEnabled", false},
          {"externalAuthEndpoint", "/api/v3/auth/ldap"},
          {"facility", config.site_name},
          {"siteTitle", config.site_name},
          {"loginFacilityLabel", config.site_name},
          {"loginLdapLabel", "LDAP"},
          {"loginLocalLabel", "Local"},
          {"loginFacilityEnabled", false},
          {"loginLdapEnabled", false},
          {"loginLocalEnabled", true},
          {"loginFormEnabled", true},
          {"fileColorEnabled", true},
          {"fileDownloadEnabled", true},
          {"gettingStarted", nullptr},
          {"ingestManual", nullptr},
          {"jobsEnabled", true},
          {"jsonMetadataEnabled", true},
          {"jupyterHubUrl", ""},
          {"landingPage", ""},
          {"lbBaseURL", ""},  // filled per request (RuntimeConfigs::frontend_config)
          {"localColumns", std::move(columns)},
          {"logbookEnabled", false},
          {"maxDirectDownloadSize", 5000000000LL},
          {"metadataPreviewEnabled", true},
          {"metadataStructure", ""},
          {"multipleDownloadEnabled", false},
          {"oAuth2Endpoints", oauth2_endpoints(config)},
          {"policiesEnabled", true},
          {"retrieveDestinations", json::array()},
          {"scienceSearchEnabled", true},
          {"scienceSearchUnitsEnabled", true},
          {"searchPublicDataEnabled", true},
          {"searchSamples", true},
          {"sftpHost", ""},
          {"shareEnabled", true},
          {"shoppingCartEnabled", true},
          {"shoppingCartOnHeader", true},
          {"tableSciDataEnabled", true},
          {"datasetDetailsShowMissingProposalId", false},
          {"notificationInterceptorEnabled", true},
          {"metadataEditingUnitListDisabled", true},
          {"datafilesActionsEnabled", false},
          {"datafilesActions", json::array()}};
}

json::object default_frontend_theme() {
  return {{"name", "openem"},
          {"properties", json::object{{"--theme-primary-default", "#1f5f8b"},
                                      {"--theme-primary-lighter", "#d2e3ef"},
                                      {"--theme-primary-darker", "#133b57"},
                                      {"--theme-accent-default", "#e0861a"},
                                      {"--theme-accent-lighter", "#f6dcb9"},
                                      {"--theme-accent-darker", "#9c5b0c"},
                                      {"--theme-warn-default", "#c62828"},
                                      {"--theme-warn-lighter", "#f5c6c6"},
                                      {"--theme-warn-darker", "#8e1b1b"},
                                      {"--theme-header-1-default", "#1f5f8b"},
                                      {"--theme-header-1-contrast", "#ffffff"}}}};
}

RuntimeConfigs::RuntimeConfigs(App& app) : app_(app) {
  const Config& c = app.config();
  json::object config = c.frontend_config_file.empty() ? default_frontend_config(c)
                                                       : read_json_file(c.frontend_config_file, "FRONTEND_CONFIG_FILE");
  json::object theme = c.frontend_theme_file.empty() ? default_frontend_theme()
                                                     : read_json_file(c.frontend_theme_file, "FRONTEND_THEME_FILE");
  auto sync = [this](const std::string& cid, const json::object& data) {
    app_.store().transaction([&] {
      auto existing = get(cid);
      std::string now = now_iso();
      json::object record{{"cid", cid},
                          {"data", data},
                          {"createdBy", existing ? (*existing)["createdBy"] : json::value("system")},
                          {"updatedBy", "system"},
                          {"createdAt", existing ? (*existing)["createdAt"] : json::value(now)},
                          {"updatedAt", now}};
      app_.store().set_setting(store_key(cid), json::serialize(record));
    });
  };
  sync(kConfig, config);
  sync(kTheme, theme);
}

std::optional<json::object> RuntimeConfigs::get(const std::string& cid) const {
  auto text = app_.store().setting(store_key(cid));
  if (!text) return std::nullopt;
  return json::parse(*text).as_object();
}

std::optional<json::object> RuntimeConfigs::put(const std::string& cid, json::object data, const std::string& by) const {
  std::optional<json::object> record;
  app_.store().transaction([&] {
    record = get(cid);
    if (!record) return;
    (*record)["data"] = std::move(data);
    (*record)["updatedBy"] = by;
    (*record)["updatedAt"] = now_iso();
    app_.store().set_setting(store_key(cid), json::serialize(*record));
  });
  return record;
}

json::object RuntimeConfigs::frontend_config(const std::string& base_url) const {
  json::object config;
  if (auto record = get(kConfig); record && (*record)["data"].is_object()) config = (*record)["data"].as_object();
  auto* base = config.if_contains("lbBaseURL");
  if (!base || !base->is_string() || base->as_string().empty()) config["lbBaseURL"] = base_url;
  // As upstream's AdminService: the upload limit the frontend checks files against.
  config["maxFileUploadSizeInMb"] = std::to_string(app_.config().max_body_bytes / (1024 * 1024)) + "mb";
  return config;
}

json::object RuntimeConfigs::frontend_theme() const {
  auto record = get(kTheme);
  if (record && (*record)["data"].is_object()) return (*record)["data"].as_object();
  return default_frontend_theme();
}

}  // namespace openem

#pragma once
// RuntimeConfigs: the SciCat frontend's configuration ("frontendConfig") and theme
// ("frontendTheme"), as upstream's runtime-config module keeps them: at start-up each is
// copied from its file (FRONTEND_CONFIG_FILE / FRONTEND_THEME_FILE, or openem's built-in
// defaults) into the store, overwriting what a PUT stored before (upstream syncConfig); a PUT
// by an admin replaces it until the next start. Thread-safe: every call goes to the store.
#include <boost/json.hpp>

#include <optional>
#include <string>

#include "api/app.h"

namespace openem {

class RuntimeConfigs {
 public:
  // Reads the files and syncs them into the store; std::runtime_error (with the file name)
  // for a file that cannot be read or is not a JSON object.
  explicit RuntimeConfigs(App& app);

  // The record {cid, data, createdBy, updatedBy, createdAt, updatedAt}, or nullopt for an
  // unknown cid.
  std::optional<boost::json::object> get(const std::string& cid) const;
  // Replaces the data of a known cid; nullopt for an unknown one.
  std::optional<boost::json::object> put(const std::string& cid, boost::json::object data, const std::string& by) const;

  // The frontend configuration as clients get it: lbBaseURL (when the configuration leaves it
  // empty) is base_url, so that a frontend served by anyone talks to this server.
  boost::json::object frontend_config(const std::string& base_url) const;
  // The theme ({name, properties: {CSS variable: value}}).
  boost::json::object frontend_theme() const;

 private:
  App& app_;
};

// The built-in defaults (no file configured).
boost::json::object default_frontend_config(const Config& config);
boost::json::object default_frontend_theme();

}  // namespace openem

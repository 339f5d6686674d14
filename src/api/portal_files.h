#pragma once
// Where the built portal (web/dist) is, for the routes that serve its pages: the portal's own
// routes and the server-rendered landing pages that it enhances. Thread-safe.
#include <filesystem>
#include <optional>
#include <string>

namespace openem {

// Decided at the first call (docs/portal.md): OPENEM_WEB_DIR, web/dist beside or above the
// binary, <prefix>/share/openem/web. nullopt when the portal was not built.
const std::optional<std::filesystem::path>& portal_web_dir();

// Its index.html, read at each call (a rebuilt portal is served without a restart); nullopt
// when there is none.
std::optional<std::string> portal_index_html();

}  // namespace openem

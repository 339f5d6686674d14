// The data portal (web/, docs/portal.md): the single-page application's built files, served
// by `openem serve` beside the API it uses. Two routes:
//   GET /assets/*  hashed bundle files (Vite names them by content), cached for a year;
//   GET /*         for a browser asking for a page (Accept: text/html) at any path that is not
//                  the API's or an operational endpoint's: web/dist/index.html, so that every
//                  portal URL (/datasets/<pid>, /proposals/<id>, ...) can be loaded, bookmarked
//                  and shared. The SPA reads its route from location.pathname.
// Both have fewer literal segments than any API route, so they never shadow one; a real route
// added later at a portal path (the publishing landing page at /datasets/:pid) wins over the
// fallback by the router's rule. Files are read per request: a rebuilt portal is served
// without a restart.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>

#include "api/portal_files.h"
#include "api/routes.h"

namespace openem {
namespace fs = std::filesystem;
namespace {

// First path segments the SPA fallback never answers, so that a mistyped API or tool URL
// keeps its JSON 404 (and a browser opening one sees the API's answer, not the portal).
constexpr std::array<std::string_view, 9> kNotPortalPrefixes = {
    "api", "explorer", "explorer-json", "metrics", "oai", "health", "ping", "assets", "auth"};

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";

// Where the built portal is, decided once at start-up:
//   1. $OPENEM_WEB_DIR (a directory holding index.html), when set;
//   2. the nearest web/dist beside or above the binary's directory: build/openem in a source
//      tree finds <source>/web/dist, an installed <prefix>/bin/openem finds <prefix>/web/dist;
//   3. <prefix>/share/openem/web for a packaged install.
// nullopt when none holds index.html (the portal was not built): pages then answer 503.
std::optional<fs::path> find_web_dir() {
  std::error_code ec;
  auto has_index = [&ec](const fs::path& d) { return fs::is_regular_file(d / "index.html", ec); };
  if (const char* env = std::getenv("OPENEM_WEB_DIR"); env && *env) {
    if (has_index(env)) return fs::canonical(env, ec);
    spdlog::warn("event=portal_missing dir=\"{}\" reason=\"OPENEM_WEB_DIR has no index.html\"", env);
    return std::nullopt;
  }
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  fs::path dir = exe.parent_path();
  for (int up = 0; up < 4 && !dir.empty(); ++up, dir = dir.parent_path()) {
    if (has_index(dir / "web" / "dist")) return fs::canonical(dir / "web" / "dist", ec);
    if (dir == dir.parent_path()) break;
  }
  if (fs::path share = exe.parent_path().parent_path() / "share" / "openem" / "web"; has_index(share))
    return fs::canonical(share, ec);
  return std::nullopt;
}

std::string content_type_of(const fs::path& p) {
  static const std::array<std::pair<std::string_view, std::string_view>, 12> types = {{
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".html", "text/html; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".map", "application/json; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
  }};
  std::string ext = p.extension().string();
  for (const auto& [e, type] : types)
    if (ext == e) return std::string(type);
  return "application/octet-stream";
}

std::optional<std::string> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return std::move(out).str();
}

// A relative path made only of plain names: no "..", ".", empty or hidden segments, no
// backslash or NUL (the router has already percent-decoded each segment).
bool is_plain_relative(const std::string& rest) {
  if (rest.empty() || rest.size() > 1024) return false;
  size_t start = 0;
  while (start <= rest.size()) {
    size_t slash = rest.find('/', start);
    if (slash == std::string::npos) slash = rest.size();
    std::string_view seg(rest.data() + start, slash - start);
    if (seg.empty() || seg.front() == '.' || seg.find('\\') != seg.npos || seg.find('\0') != seg.npos) return false;
    start = slash + 1;
  }
  return true;
}

bool accepts_gzip(const HttpRequest& req) {
  auto ae = req.header("accept-encoding");
  return ae && ae->find("gzip") != std::string::npos;
}

// The file under `dir`, or its precompressed `.gz` sibling (written by the portal's build)
// when the client takes gzip. nullopt when the file does not exist.
std::optional<HttpResponse> static_file(const fs::path& dir, const std::string& rel, const HttpRequest& req,
                                        std::string_view cache_control) {
  fs::path file = dir / rel;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return std::nullopt;
  HttpResponse res;
  res.content_type = content_type_of(file);
  std::optional<std::string> body;
  if (accepts_gzip(req) && fs::is_regular_file(file.string() + ".gz", ec)) {
    body = read_file(file.string() + ".gz");
    if (body) res.headers.push_back({"Content-Encoding", "gzip"});
  }
  if (!body) body = read_file(file);
  if (!body) return std::nullopt;
  res.body = std::move(*body);
  res.headers.push_back({"Cache-Control", std::string(cache_control)});
  res.headers.push_back({"Vary", "Accept-Encoding"});
  res.headers.push_back({"X-Content-Type-Options", "nosniff"});
  return res;
}

HttpResponse not_found(const HttpRequest& req) {
  return HttpResponse::error(404, "Cannot " + req.method + " " + req.target.substr(0, req.target.find('?')));
}

bool is_portal_path(const HttpRequest& req) {
  if (req.segments.empty()) return true;
  std::string first = req.segments.front();
  std::transform(first.begin(), first.end(), first.begin(), ::tolower);
  return std::find(kNotPortalPrefixes.begin(), kNotPortalPrefixes.end(), first) == kNotPortalPrefixes.end();
}

bool wants_html(const HttpRequest& req) {
  auto accept = req.header("accept");
  return accept && accept->find("text/html") != std::string::npos;
}

HttpResponse portal_not_built() {
  HttpResponse res = HttpResponse::text(
      503,
      "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>openem: portal not built</title>"
      "<main><h1>The openem portal is not built</h1><p>Run <code>scripts/build.sh</code> (it runs "
      "<code>npm ci</code> and <code>npm run build</code> in <code>web/</code>), or point "
      "<code>OPENEM_WEB_DIR</code> at a built <code>web/dist</code>. The API is available under "
      "<code>/api/v3</code>.</p></main></html>",
      "text/html; charset=utf-8");
  res.headers.push_back({"Cache-Control", "no-store"});
  return res;
}

}  // namespace

const std::optional<fs::path>& portal_web_dir() {
  static const std::optional<fs::path> dir = find_web_dir();
  return dir;
}

std::optional<std::string> portal_index_html() {
  if (!portal_web_dir()) return std::nullopt;
  return read_file(*portal_web_dir() / "index.html");
}

void register_portal_routes(Router& r, App&) {
  const std::optional<fs::path>& dir = portal_web_dir();
  if (dir) spdlog::info("event=portal dir=\"{}\"", dir->string());
  else spdlog::warn("event=portal_missing reason=\"no web/dist/index.html found; set OPENEM_WEB_DIR\"");

  r.add("GET", "/assets/*path", [dir](HttpRequest& req) {
    const std::string& rest = req.param("path");
    if (!dir || !is_plain_relative(rest)) return not_found(req);
    auto res = static_file(*dir / "assets", rest, req, kImmutable);
    return res ? std::move(*res) : not_found(req);
  });

  auto page = [dir](HttpRequest& req) {
    if (!is_portal_path(req)) return not_found(req);
    // Files at the top of web/dist (favicon.svg, robots.txt): Vite copies web/public there.
    if (dir && req.segments.size() == 1 && is_plain_relative(req.segments[0]) && req.segments[0] != "index.html")
      if (auto res = static_file(*dir, req.segments[0], req, "public, max-age=3600")) return std::move(*res);
    if (!wants_html(req)) return not_found(req);
    if (!dir) return portal_not_built();
    auto res = static_file(*dir, "index.html", req, "no-cache");
    return res ? std::move(*res) : portal_not_built();
  };
  r.add("GET", "/", page);
  r.add("GET", "/*path", page);
}

}  // namespace openem

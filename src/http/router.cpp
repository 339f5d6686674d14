#include "http/router.h"

#include <algorithm>
#include <strings.h>

namespace openem {

void Router::add(std::string method, std::string pattern, Handler handler) {
  Route r;
  r.method = std::move(method);
  r.pattern = pattern;
  size_t pos = 1;
  while (pos <= pattern.size()) {
    size_t slash = pattern.find('/', pos);
    if (slash == std::string::npos) slash = pattern.size();
    std::string seg = pattern.substr(pos, slash - pos);
    if (!seg.empty()) {
      if (seg[0] != ':') {
        std::transform(seg.begin(), seg.end(), seg.begin(), ::tolower);
        ++r.literal_count;
      }
      r.segments.push_back(std::move(seg));
    }
    pos = slash + 1;
  }
  r.handler = std::move(handler);
  r.index = routes_.size();
  routes_.push_back(std::move(r));
}

const Route* Router::match(const std::string& method, HttpRequest& req, bool& method_mismatch) const {
  const Route* best = nullptr;
  method_mismatch = false;
  for (const auto& r : routes_) {
    if (r.segments.size() != req.segments.size()) continue;
    bool ok = true;
    for (size_t i = 0; i < r.segments.size() && ok; ++i) {
      const auto& s = r.segments[i];
      if (s[0] == ':') ok = !req.segments[i].empty();
      else ok = strcasecmp(s.c_str(), req.segments[i].c_str()) == 0;
    }
    if (!ok) continue;
    if (r.method != method && !(method == "HEAD" && r.method == "GET")) {
      method_mismatch = true;
      continue;
    }
    if (!best || r.literal_count > best->literal_count) best = &r;
  }
  if (best) {
    req.params.clear();
    for (size_t i = 0; i < best->segments.size(); ++i)
      if (best->segments[i][0] == ':') req.params[best->segments[i].substr(1)] = req.segments[i];
    method_mismatch = false;
  }
  return best;
}

}  // namespace openem

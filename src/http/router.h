#pragma once
// Router: maps (method, path) to a handler. Patterns are written like "/api/v3/datasets/:pid";
// literal segments match case-insensitively (Express routing is case-insensitive) and a
// trailing slash is ignored. With several matches the one with more literal segments wins,
// so "/datasets/fullquery" beats "/datasets/:pid". Built at start-up, then read-only.
#include <functional>
#include <string>
#include <vector>

#include "http/message.h"

namespace openem {

using Handler = std::function<HttpResponse(HttpRequest&)>;

struct Route {
  std::string method;
  std::string pattern;
  std::vector<std::string> segments;  // literal (lower-cased) or ":name"
  Handler handler;
  int literal_count = 0;
  size_t index = 0;  // position in routes(), for per-route metrics
};

class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler);
  // nullptr: no route. method_mismatch is set when the path exists with another method.
  const Route* match(const std::string& method, HttpRequest& req, bool& method_mismatch) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace openem

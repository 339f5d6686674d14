#pragma once
// Router: maps (method, path) to a handler. Patterns are written like "/api/v3/datasets/:pid";
// literal segments match case-insensitively (Express routing is case-insensitive) and a
// trailing slash is ignored. With several matches the one with more literal segments wins,
// so "/datasets/fullquery" beats "/datasets/:pid". A last segment "*name" matches one or more
// remaining segments and captures them joined by '/' (file paths); at equal literal counts an
// exact-length route beats it. Built at start-up, then read-only.
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/message.h"

namespace openem {

using Handler = std::function<HttpResponse(HttpRequest&)>;
// For routes that take bodies of any size: called with the header only (req.body empty).
using BodyHandler = std::function<BodyStart(HttpRequest&)>;
// The answer for an exception of a layer below the handlers, or nullopt when it is not of its
// kinds (the API answers the store's errors this way: neither layer knows the other's types).
using ErrorTranslator = std::function<std::optional<HttpResponse>(const std::exception&)>;

struct Route {
  std::string method;
  std::string pattern;
  std::vector<std::string> segments;  // literal (lower-cased), ":name", or a last "*name"
  Handler handler;           // buffered requests; for a streaming route it wraps body_handler
  BodyHandler body_handler;  // set for streaming routes
  int literal_count = 0;
  bool trailing_rest = false;  // the last segment is "*name"
  size_t index = 0;  // position in routes(), for per-route metrics
  // Answered on the I/O thread that read the request (add_inline), not on a handler thread.
  bool on_io_thread = false;
};

class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler);
  // For handlers that never block (no store, no files, no hashing): they answer on the I/O
  // thread, so a liveness probe answers even while every handler thread is busy.
  void add_inline(std::string method, std::string pattern, Handler handler);
  // A route whose request body streams into a BodySink instead of memory. Requests that
  // arrive without Content-Length (chunked), or through dispatch() in tests, are buffered
  // first and then fed to the same sink in one piece.
  void add_streaming(std::string method, std::string pattern, BodyHandler handler);
  // nullptr: no route. method_mismatch is set when the path exists with another method.
  const Route* match(const std::string& method, HttpRequest& req, bool& method_mismatch) const;
  const std::vector<Route>& routes() const { return routes_; }
  void set_error_translator(ErrorTranslator translate) { translate_error_ = std::move(translate); }
  std::optional<HttpResponse> translate_error(const std::exception& e) const {
    return translate_error_ ? translate_error_(e) : std::nullopt;
  }

 private:
  // Routes by their first kHeadSegments literal segments ("api/v3/datasets"): a request is
  // compared with the few routes of its collection, not with all of them.
  static constexpr size_t kHeadSegments = 3;
  std::vector<Route> routes_;
  std::unordered_map<std::string, std::vector<size_t>> by_head_;
  std::vector<size_t> without_head_;  // routes with a parameter among their first segments
  ErrorTranslator translate_error_;
};

}  // namespace openem

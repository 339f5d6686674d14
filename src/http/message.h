#pragma once
// HttpRequest / HttpResponse: the server's own view of one exchange, free of Beast types so
// that handlers compile fast and tests can build requests by hand. Plain value types.
#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace openem {

struct HttpRequest {
  std::string method;                           // upper case: GET, POST, ...
  std::string target;                           // raw request target (never logged: tokens)
  std::vector<std::string> segments;            // path split on '/', each percent-decoded
  std::multimap<std::string, std::string> query;  // decoded, '+' as space
  std::map<std::string, std::string> headers;   // lower-case names
  std::string body;
  std::map<std::string, std::string> params;    // route parameters (":pid" → value)
  std::string remote;

  std::optional<std::string> query_param(const std::string& name) const;
  std::vector<std::string> query_params(const std::string& name) const;
  std::optional<std::string> header(const std::string& lower_name) const;
  const std::string& param(const std::string& name) const;  // throws if the route has none
};

// A response body produced piece by piece (file downloads, dataset tars), so that it never
// has to fit in memory. The server calls next() until it returns false and writes each piece
// as it comes; length >= 0 is sent as Content-Length (next() must produce exactly that many
// bytes), otherwise the body goes out with chunked transfer encoding. HEAD requests never
// call next(). If next() throws, the server closes the connection mid-body, so the client
// sees a truncated transfer rather than a complete-looking wrong one.
struct BodyStream {
  std::function<bool(std::string& piece)> next;
  std::int64_t length = -1;
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::shared_ptr<BodyStream> stream;  // when set, sent instead of body

  static HttpResponse json(int status, const boost::json::value& v);
  static HttpResponse text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  // SciCat error body {statusCode, message, error}.
  static HttpResponse error(int status, const std::string& message);
};

// Percent-decodes one path segment; nullopt for malformed escapes or a decoded NUL.
std::optional<std::string> percent_decode(std::string_view s);
// Splits "/a/b%2Fc/?x=1" into decoded segments {"a", "b/c"} and the query string. Throws
// ApiError 400 for malformed encodings.
void parse_target(std::string_view target, HttpRequest& req);

}  // namespace openem

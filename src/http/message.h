#pragma once
// HttpRequest / HttpResponse: the server's own view of one exchange, free of Beast types so
// that handlers compile fast and tests can build requests by hand. Plain value types.
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
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
//
// A stream that waits for something to send (an event stream) returns true with an empty
// piece: the server then calls next() again after `idle_wait`, holding no handler thread
// meanwhile. When the server drains (stop, SIGTERM), such a stream ends at its next wait.
// `ready`, when set, is asked on the I/O thread after each wait whether next() has anything to
// do; while it says no, the server only waits again, so an idle stream costs a timer, not a
// hop to a handler thread. It must be quick and never block; next() and ready() are never
// called at the same time.
struct BodyStream {
  std::function<bool(std::string& piece)> next;
  std::int64_t length = -1;
  std::chrono::milliseconds idle_wait{0};
  std::function<bool()> ready;
};

struct HttpResponse;

// A request body consumed piece by piece as it arrives (tus PATCH: straight to disk, any size,
// constant memory). The server calls write() for each piece in order, then finish() once the
// declared length is in. If the connection ends first, or write() throws, it calls abort()
// instead, and the exchange ends (an ApiError or HttpResponseError from write() becomes the
// response, then the connection closes, since the rest of the body was never read).
struct BodySink {
  virtual ~BodySink() = default;
  virtual void write(std::string_view piece) = 0;
  virtual HttpResponse finish() = 0;
  virtual void abort() noexcept = 0;
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

// A whole response thrown from where only an exception can get out (BodySink::write): the
// server sends it as it is, headers included. ApiError is the usual way; this one is for
// protocols whose errors carry their own headers (tus: Tus-Resumable).
class HttpResponseError : public std::exception {
 public:
  explicit HttpResponseError(HttpResponse response) : response_(std::make_shared<HttpResponse>(std::move(response))) {}
  const char* what() const noexcept override { return "HTTP error response"; }
  const HttpResponse& response() const { return *response_; }

 private:
  std::shared_ptr<const HttpResponse> response_;  // exceptions are copied: keep it cheap
};

// What a streaming route answers to a request's header: a sink for the body, or (sink null)
// the response right away, e.g. 404 or 409, without reading the body.
struct BodyStart {
  std::unique_ptr<BodySink> sink;
  HttpResponse response;
};

// Percent-decodes one path segment; nullopt for malformed escapes or a decoded NUL.
std::optional<std::string> percent_decode(std::string_view s);
// Splits "/a/b%2Fc/?x=1" into decoded segments {"a", "b/c"} and the query string. Throws
// ApiError 400 for malformed encodings.
void parse_target(std::string_view target, HttpRequest& req);

}  // namespace openem

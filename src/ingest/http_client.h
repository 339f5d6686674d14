#pragma once
// HttpClient: blocking HTTP/1.1 requests over one libcurl easy handle (so keep-alive
// connections are reused). One instance per thread: not thread-safe. Transport failures
// (refused, reset, timeout) throw NetworkError so callers can retry them; HTTP error
// statuses are returned, not thrown.
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace openem::ingest {

class NetworkError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case

  std::string header(std::string_view lower_name) const;  // "" when absent
};

class HttpClient {
 public:
  // origin: "http://host:port[/prefix]"; targets "/api/v3/..." are appended to it.
  explicit HttpClient(std::string origin);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  void set_bearer_token(std::string token) { token_ = std::move(token); }
  // A limit on each whole request (0, the default: none; stalled transfers still fail).
  void set_timeout_seconds(long seconds) { timeout_seconds_ = seconds; }
  const std::string& origin() const { return origin_; }

  // target: "/api/v3/..." (joined to the origin) or an absolute http(s) URL.
  HttpResponse request(std::string_view method, const std::string& target,
                       const std::vector<std::string>& headers = {}, std::string_view body = {},
                       bool has_body = false);

  // Fills buf with up to max bytes of a body being sent and returns how many; throws on a
  // read error (the request is then aborted and the exception rethrown by request()).
  using BodySource = std::function<std::size_t(char* buf, std::size_t max)>;
  // A request whose body of `length` bytes is produced while it is sent (files of any size,
  // read straight from disk).
  HttpResponse request(std::string_view method, const std::string& target, const std::vector<std::string>& headers,
                       std::uint64_t length, const BodySource& source);

 private:
  struct Body;
  HttpResponse perform(std::string_view method, const std::string& target, const std::vector<std::string>& headers,
                       Body* body);

  std::string origin_;
  std::string token_;
  long timeout_seconds_ = 0;
  void* curl_;
};

// Percent-encoding of one URL component (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view s);

// "http://host:port[/prefix][/api/v3][/]" → "http://host:port[/prefix]"; throws std::invalid_argument when the
// URL is not http(s).
std::string origin_of(std::string_view server_url);

}  // namespace openem::ingest

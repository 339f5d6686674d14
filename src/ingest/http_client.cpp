#include "ingest/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "core/percent_encoding.h"

namespace openem::ingest {
namespace {

std::once_flag curl_once;

std::size_t on_body(char* p, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(p, size * n);
  return size * n;
}

std::size_t on_header(char* p, std::size_t size, std::size_t n, void* user) {
  auto* headers = static_cast<std::vector<std::pair<std::string, std::string>>*>(user);
  std::string_view line(p, size * n);
  if (line.rfind("HTTP/", 0) == 0) headers->clear();  // a new response (after 100-continue or a redirect)
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string_view v = line.substr(colon + 1);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
    headers->emplace_back(std::move(name), std::string(v));
  }
  return size * n;
}

}  // namespace

// A request body: bytes in memory, or a source that reads them while curl sends.
struct HttpClient::Body {
  std::string_view data;
  std::uint64_t length = 0, sent = 0;
  const BodySource* source = nullptr;
  std::exception_ptr error;  // thrown by the source, rethrown after curl returns

  static std::size_t on_read(char* buf, std::size_t size, std::size_t n, void* user) {
    auto* b = static_cast<Body*>(user);
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(size * n, b->length - b->sent));
    if (want == 0) return 0;
    std::size_t got = want;
    if (b->source) {
      try {
        got = (*b->source)(buf, want);
      } catch (...) {
        b->error = std::current_exception();
        return CURL_READFUNC_ABORT;
      }
      if (got == 0) return CURL_READFUNC_ABORT;
    } else {
      std::copy_n(b->data.data() + b->sent, want, buf);
    }
    b->sent += got;
    return got;
  }
};

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return {};
}

HttpClient::HttpClient(std::string origin) : origin_(std::move(origin)) {
  std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ = curl_easy_init();
  if (curl_ == nullptr) throw std::runtime_error("libcurl: cannot create a handle");
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpResponse HttpClient::request(std::string_view method, const std::string& target,
                                 const std::vector<std::string>& headers, std::string_view body, bool has_body) {
  if (!has_body && body.empty()) return perform(method, target, headers, nullptr);
  Body b;
  b.data = body;
  b.length = body.size();
  return perform(method, target, headers, &b);
}

HttpResponse HttpClient::request(std::string_view method, const std::string& target,
                                 const std::vector<std::string>& headers, std::uint64_t length,
                                 const BodySource& source) {
  Body b;
  b.length = length;
  b.source = &source;
  return perform(method, target, headers, &b);
}

HttpResponse HttpClient::perform(std::string_view method, const std::string& target,
                                 const std::vector<std::string>& headers, Body* body) {
  CURL* c = static_cast<CURL*>(curl_);
  curl_easy_reset(c);
  std::string url = target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0 ? target : origin_ + target;
  HttpResponse resp;
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  if (!token_.empty()) list = curl_slist_append(list, ("Authorization: Bearer " + token_).c_str());
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip for every chunk
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, std::string(method).c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &resp.headers);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  // A stalled transfer (server gone, network down) fails after 60 s below 1 byte/s.
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
  if (timeout_seconds_ > 0) {
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_seconds_);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, std::min(timeout_seconds_, 10L));
  }
  if (method == "HEAD") curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  if (body) {
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, 1L << 20);  // fewer, larger socket writes for file bodies
    curl_easy_setopt(c, CURLOPT_READFUNCTION, &Body::on_read);
    curl_easy_setopt(c, CURLOPT_READDATA, body);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(body->length));
  }
  CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(list);
  if (body && body->error) std::rethrow_exception(body->error);
  if (rc != CURLE_OK)
    throw NetworkError(std::string(method) + " " + url.substr(0, url.find('?')) + ": " + curl_easy_strerror(rc));
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  return resp;
}

std::string url_encode(std::string_view s) {
  return percent_encode(s);
}

std::string origin_of(std::string_view url) {
  std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos || (url.substr(0, scheme) != "http" && url.substr(0, scheme) != "https"))
    throw std::invalid_argument("server URL must start with http:// or https:// (got '" + std::string(url) + "')");
  std::string base(url);
  auto strip = [&](std::string_view suffix) {
    if (base.size() >= suffix.size() && base.compare(base.size() - suffix.size(), suffix.size(), suffix) == 0)
      base.resize(base.size() - suffix.size());
  };
  strip("/");
  strip("/api/v3");
  strip("/api");
  if (base.size() <= scheme + 3) throw std::invalid_argument("server URL has no host: '" + std::string(url) + "'");
  return base;
}

}  // namespace openem::ingest

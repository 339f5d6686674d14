// Minimal blocking HTTP client over one libcurl easy handle: one keep-alive connection,
// so per-request latency excludes connection setup. Not thread-safe: one per thread.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <stdexcept>
#include <string>

namespace openem::bench {

struct HttpResult {
  long status = 0;
  std::string body;
  double seconds = 0;
};

class HttpClient {
 public:
  explicit HttpClient(std::string base_url) : base_(std::move(base_url)), h_(curl_easy_init()) {
    if (!h_) throw std::runtime_error("curl_easy_init failed");
    curl_easy_setopt(h_, CURLOPT_WRITEFUNCTION, &HttpClient::on_data);
    curl_easy_setopt(h_, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h_, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h_, CURLOPT_TIMEOUT, 600L);
  }
  ~HttpClient() {
    if (headers_) curl_slist_free_all(headers_);
    curl_easy_cleanup(h_);
  }
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  void set_token(const std::string& token) {
    if (headers_) curl_slist_free_all(headers_);
    headers_ = nullptr;
    headers_ = curl_slist_append(headers_, "Content-Type: application/json");
    if (!token.empty()) headers_ = curl_slist_append(headers_, ("Authorization: Bearer " + token).c_str());
  }

  void set_timeout_seconds(long s) { curl_easy_setopt(h_, CURLOPT_TIMEOUT, s); }

  HttpResult get(const std::string& path) { return perform(path, nullptr); }
  HttpResult post(const std::string& path, const std::string& body) { return perform(path, &body); }

  std::string escape(const std::string& s) {
    char* e = curl_easy_escape(h_, s.data(), static_cast<int>(s.size()));
    std::string out(e);
    curl_free(e);
    return out;
  }

 private:
  static size_t on_data(char* p, size_t size, size_t n, void* user) {
    static_cast<std::string*>(user)->append(p, size * n);
    return size * n;
  }

  HttpResult perform(const std::string& path, const std::string* body) {
    HttpResult r;
    std::string url = base_ + path;
    curl_easy_setopt(h_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h_, CURLOPT_WRITEDATA, &r.body);
    if (!headers_) set_token("");
    curl_easy_setopt(h_, CURLOPT_HTTPHEADER, headers_);
    if (body) {
      curl_easy_setopt(h_, CURLOPT_POST, 1L);
      curl_easy_setopt(h_, CURLOPT_POSTFIELDS, body->data());
      curl_easy_setopt(h_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
    } else {
      curl_easy_setopt(h_, CURLOPT_HTTPGET, 1L);
    }
    auto t0 = std::chrono::steady_clock::now();
    CURLcode rc = curl_easy_perform(h_);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      r.status = -408;  // client-side timeout, reported as such by the caller
      return r;
    }
    if (rc != CURLE_OK) throw std::runtime_error(std::string("HTTP ") + url.substr(0, 200) + ": " + curl_easy_strerror(rc));
    curl_easy_getinfo(h_, CURLINFO_RESPONSE_CODE, &r.status);
    return r;
  }

  std::string base_;
  CURL* h_;
  curl_slist* headers_ = nullptr;
};

}  // namespace openem::bench

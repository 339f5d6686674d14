#pragma once
// Tests' S3 servers: npm s3rver on 127.0.0.1 with the bucket "openem-test", started by
// tests/support/s3rver.sh (installed with npm the first time), behind the fault proxy
// (tests/support/s3_fault_proxy.js) that checks SigV4 signatures and injects the faults a
// test asks for. One S3Servers per test suite; used by the S3 blob store's and the S3 archive
// tier's tests. Not thread-safe (test set-up only).
#include <curl/curl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "blob/test_util.h"

namespace openem::testing {

inline constexpr char kS3TestBucket[] = "openem-test";

inline std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

inline size_t collect(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// A plain HTTP request to the fault proxy's control endpoint; the answer's body.
inline std::string control(const std::string& url, bool post) {
  std::string body;
  CURL* h = curl_easy_init();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  if (post) curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
  CURLcode rc = curl_easy_perform(h);
  curl_easy_cleanup(h);
  EXPECT_EQ(rc, CURLE_OK) << url;
  return body;
}

// s3rver and the fault proxy, for one test suite.
class S3Servers {
 public:
  void start() {
    dir_ = std::make_unique<TempDir>("openem-s3rver");
    const std::filesystem::path err = dir_->path() / "start.err";
    const std::string command = "bash '" OPENEM_SOURCE_DIR "/tests/support/s3rver.sh' start '" + dir_->path().string() +
                                "' " + std::to_string(::getpid()) + " 2>'" + err.string() + "'";
    int rc = std::system(command.c_str());
    if (rc != 0) {
      error_ = "cannot start s3rver with tests/support/s3rver.sh (status " + std::to_string(rc) +
               "; it needs node and npm, and npm needs the registry the first time): " + read_file(err);
      return;
    }
    checked_ = trimmed(read_file(dir_->path() / "checked_endpoint"));
    proxy_ = trimmed(read_file(dir_->path() / "proxy_endpoint"));
    if (checked_.empty() || proxy_.empty()) error_ = "s3rver.sh started but wrote no endpoint in " + dir_->path().string();
  }
  void stop() {
    if (!dir_) return;
    std::system(("bash '" OPENEM_SOURCE_DIR "/tests/support/s3rver.sh' stop '" + dir_->path().string() + "'").c_str());
    dir_.reset();
  }

  const std::string& error() const { return error_; }
  // s3rver behind the proxy: signatures checked; with faults for proxy().
  const std::string& checked() const { return checked_; }
  const std::string& proxy() const { return proxy_; }
  // Where s3rver keeps the bucket's objects, and an object's bytes.
  std::filesystem::path data_dir() const { return dir_->path() / "data" / kS3TestBucket; }
  std::filesystem::path object_file(const std::string& key) const { return data_dir() / (key + "._S3rver_object"); }

  // Faults of the proxy from now on ("mode=status&status=503&count=3", see s3_fault_proxy.js).
  void faults(const std::string& query) const { control(proxy_ + "/__faults?" + query, true); }
  // What the proxy saw since the last faults(): {"injected", "forwarded", "requests"}.
  boost::json::object seen() const { return boost::json::parse(control(proxy_ + "/__faults", false)).as_object(); }

 private:
  std::unique_ptr<TempDir> dir_;
  std::string error_, checked_, proxy_;
};

}  // namespace openem::testing

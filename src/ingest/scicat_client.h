#pragma once
// ScicatClient: the few SciCat v3 calls an ingestor needs (login, identity, dataset lookup by
// sourceFolder, create, file-list registration, datasetlifecycle), written against the public
// SciCat API only so it works with openem and with any SciCat v3 backend. Transient failures
// (no connection, 502/503/504) are retried with backoff for up to `retry_seconds`; other
// error statuses throw ApiCallError with the server's message. One instance per thread;
// the shared Auth is thread-safe.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "ingest/http_client.h"

namespace openem::ingest {

class ApiCallError : public std::runtime_error {
 public:
  ApiCallError(long status, const std::string& message) : std::runtime_error(message), status_(status) {}
  long status() const { return status_; }

 private:
  long status_;
};

// The bearer token of a session, shared by all threads; renewed by logging in again when
// the server answers 401 and a username/password is known. Thread-safe.
class Auth {
 public:
  Auth(std::string token, std::string username = {}, std::string password = {})
      : token_(std::move(token)), username_(std::move(username)), password_(std::move(password)) {}
  std::string token() const {
    std::lock_guard lock(mu_);
    return token_;
  }
  void set_token(std::string t) {
    std::lock_guard lock(mu_);
    token_ = std::move(t);
  }
  bool can_relogin() const { return !username_.empty(); }
  const std::string& username() const { return username_; }
  const std::string& password() const { return password_; }

 private:
  mutable std::mutex mu_;
  std::string token_;
  std::string username_, password_;
};

struct Identity {
  std::string username, email, display_name;
  std::vector<std::string> access_groups;
};

struct RegisteredFile {
  std::uint64_t size = 0;
  std::string chk;  // lower-case hex, "" when none
};

struct LoginResult {
  std::string token;
  std::int64_t expires_in = 0;  // seconds, 0 when unknown
};

class ScicatClient {
 public:
  ScicatClient(const std::string& server_url, std::shared_ptr<Auth> auth, double retry_seconds = 300);

  static LoginResult login(const std::string& server_url, const std::string& username, const std::string& password);
  // The user name a token signs in as (GET /auth/whoami); throws ApiCallError 401 when the
  // server does not accept the token.
  static std::string token_user(const std::string& server_url, const std::string& token);

  Identity identity();
  // pids of datasets with exactly this sourceFolder that the caller can read.
  std::vector<std::string> find_by_source_folder(const std::string& folder);
  bool dataset_exists(const std::string& pid);  // false on 404 (and 403: not ours to resume)
  // Not retried (see call()); returns the pid.
  std::string create_dataset(const boost::json::object& body);
  std::map<std::string, RegisteredFile> registered_files(const std::string& pid);
  void register_block(const boost::json::object& block);  // not retried
  void mark_files_ready(const std::string& pid);

  HttpClient& http() { return http_; }
  Auth& auth() { return *auth_; }
  double retry_seconds() const { return retry_seconds_; }

  // Sends with retries on transient errors and one re-login on 401; throws ApiCallError for
  // statuses outside `ok` (an empty list accepts 2xx).
  // retry = false for requests that must not be repeated blindly (creates): the caller
  // checks what the server did before trying again.
  HttpResponse call(const std::string& method, const std::string& target, const std::string& body = {},
                    std::vector<long> ok = {}, std::vector<std::string> headers = {}, bool retry = true);

 private:
  HttpClient http_;
  std::shared_ptr<Auth> auth_;
  double retry_seconds_;
};

// Retries fn on NetworkError and on ApiCallError 502/503/504 with exponential backoff
// (0.25 s doubling to 5 s) for up to `seconds`; rethrows the last error after that.
void with_retries(double seconds, const std::function<void()>& fn);

// One line for an error body: SciCat's {"message": "..."} or {"message": [...]}, else the text.
std::string error_message(const HttpResponse& r);

}  // namespace openem::ingest

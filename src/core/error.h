#pragma once
// ApiError: an error that reaches a client as an HTTP status and a SciCat-shaped JSON body
// ({statusCode, message, error}). Thrown by handlers, validators and stores; the HTTP layer
// catches it at one place. Plain value type, thread-compatible.
#include <stdexcept>
#include <string>
#include <vector>

namespace openem {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string message)
      : std::runtime_error(message), status_(status), messages_{std::move(message)} {}
  // Several validation messages: the body carries them as an array, as Nest does.
  ApiError(int status, std::vector<std::string> messages)
      : std::runtime_error(messages.empty() ? "" : messages.front()),
        status_(status), messages_(std::move(messages)), as_array_(true) {}

  // Headers the error response carries (Retry-After with a 429).
  ApiError& add_header(std::string name, std::string value) {
    headers_.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }

  int status() const { return status_; }
  const std::vector<std::string>& messages() const { return messages_; }
  bool message_is_array() const { return as_array_; }

  static ApiError bad_request(std::string m) { return {400, std::move(m)}; }
  static ApiError unauthorized(std::string m = "Unauthorized") { return {401, std::move(m)}; }
  static ApiError forbidden(std::string m = "Forbidden resource") { return {403, std::move(m)}; }
  static ApiError not_found(std::string m = "Not Found") { return {404, std::move(m)}; }
  static ApiError conflict(std::string m) { return {409, std::move(m)}; }

 private:
  int status_;
  std::vector<std::string> messages_;
  bool as_array_ = false;
  std::vector<std::pair<std::string, std::string>> headers_;
};

// The reason phrase Nest puts into "error" for a status code.
const char* status_reason(int status);

}  // namespace openem

#pragma once
// BlobStatus: the outcome of a blob-store or file operation — ok, or a code and a one-line
// message meant for a person (it names the path and the reason). Plain value type,
// thread-compatible.
#include <string>
#include <utility>

namespace openem {

class BlobStatus {
 public:
  enum class Code { kOk, kNotFound, kInvalidPath, kIoError, kNoSpace };

  BlobStatus() = default;
  static BlobStatus ok() { return {}; }
  static BlobStatus not_found(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static BlobStatus invalid_path(std::string m) { return {Code::kInvalidPath, std::move(m)}; }
  static BlobStatus io_error(std::string m) { return {Code::kIoError, std::move(m)}; }
  // The disk (or the user's quota) is full: the caller may retry later (HTTP 507).
  static BlobStatus no_space(std::string m) { return {Code::kNoSpace, std::move(m)}; }
  // "<what>: <strerror(e)>" as kNoSpace for ENOSPC and EDQUOT, kIoError otherwise.
  static BlobStatus from_errno(int e, const std::string& what);

  bool is_ok() const { return code_ == Code::kOk; }
  bool is_not_found() const { return code_ == Code::kNotFound; }
  bool is_invalid_path() const { return code_ == Code::kInvalidPath; }
  bool is_no_space() const { return code_ == Code::kNoSpace; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  BlobStatus(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace openem

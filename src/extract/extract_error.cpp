#include "extract/extract_error.h"

namespace openem::extract {
namespace {

std::string describe(const std::string& file, std::size_t line, const std::string& reason) {
  std::string s = file.empty() ? std::string("<input>") : file;
  if (line > 0) s += ":" + std::to_string(line);
  return s + ": " + reason;
}

}  // namespace

ExtractError::ExtractError(std::string file, std::size_t line, std::string reason)
    : std::runtime_error(describe(file, line, reason)),
      file_(std::move(file)), line_(line), reason_(std::move(reason)) {}

}  // namespace openem::extract

#pragma once
// ExtractError: an instrument file that cannot be read or is malformed, with the file and
// the 1-based line (0 when a line makes no sense, e.g. binary headers). Plain value type.
#include <cstddef>
#include <stdexcept>
#include <string>

namespace openem::extract {

class ExtractError : public std::runtime_error {
 public:
  ExtractError(std::string file, std::size_t line, std::string reason);

  const std::string& file() const { return file_; }
  std::size_t line() const { return line_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string file_;
  std::size_t line_;
  std::string reason_;
};

}  // namespace openem::extract

#include "ingest/path_safety.h"

#include <cstdint>
#include <cstdio>

namespace openem::ingest {
namespace {

// Length of the UTF-8 sequence at s[i], or 0 when it is not valid (overlong, surrogate,
// beyond U+10FFFF, truncated).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
  if (len == 0 || c > 0xF4 || i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k)
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  if (len == 3 && c == 0xE0 && b(i + 1) < 0xA0) return 0;  // overlong
  if (len == 3 && c == 0xED && b(i + 1) >= 0xA0) return 0;  // surrogates
  if (len == 4 && c == 0xF0 && b(i + 1) < 0x90) return 0;  // overlong
  if (len == 4 && c == 0xF4 && b(i + 1) >= 0x90) return 0;  // > U+10FFFF
  return len;
}

}  // namespace

std::optional<std::string> unsafe_path_reason(std::string_view p) {
  if (p.empty()) return "empty name";
  if (p.front() == '/') return "absolute path";
  if (p.size() > 4096) return "path longer than 4096 bytes";
  std::size_t start = 0;
  while (start <= p.size()) {
    std::size_t end = p.find('/', start);
    if (end == std::string_view::npos) end = p.size();
    std::string_view part = p.substr(start, end - start);
    if (part.empty()) return "empty path component";
    if (part == "." || part == "..") return "'" + std::string(part) + "' path component";
    if (part.size() > 255) return "name longer than 255 bytes";
    start = end + 1;
  }
  for (std::size_t i = 0; i < p.size();) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (c < 0x20 || c == 0x7F) return "control character in name";
    if (c == '\\') return "backslash in name";
    std::size_t n = utf8_sequence(p, i);
    if (n == 0) return "name is not valid UTF-8";
    if (n == 2 && c == 0xC2 && static_cast<unsigned char>(p[i + 1]) < 0xA0) return "control character in name";
    i += n;
  }
  return std::nullopt;
}

bool is_within(const std::string& root, const std::string& inner) {
  if (inner.size() < root.size() || inner.compare(0, root.size(), root) != 0) return false;
  return inner.size() == root.size() || root.back() == '/' || inner[root.size()] == '/';
}

std::string printable(std::string_view name) {
  std::string out;
  for (unsigned char c : name) {
    if (c < 0x20 || c >= 0x7F || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

}  // namespace openem::ingest

#include "core/relative_path.h"

namespace openem {
namespace {

// Length of the well-formed UTF-8 sequence at s[i], or 0 if there is none.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t n;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // UTF-16 surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
  } else {
    return 0;  // continuation byte, overlong 0xC0/0xC1, or 0xF5..0xFF
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return n;
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string printable_excerpt(std::string_view s, std::size_t max_bytes) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < max_bytes;) {
    std::size_t n = utf8_sequence_length(s, i);
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (n == 0 || c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  if (s.size() > max_bytes) out += "...";
  return out;
}

std::optional<std::string> relative_path_problem(std::string_view path) {
  if (path.empty()) return "it is empty";
  if (path.size() > 4096) return "longer than 4096 bytes";
  if (path.front() == '/') return "absolute paths are not allowed";
  for (char c : path) {
    if (c == '\0') return "contains a NUL byte";
    if (c == '\\') return "contains a backslash (use '/' as separator)";
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "contains a control character";
  }
  if (!is_valid_utf8(path)) return "is not valid UTF-8";
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view seg = path.substr(pos, slash - pos);
    if (seg.empty()) return "contains an empty segment ('//' or a trailing '/')";
    if (seg == ".") return "contains a '.' segment";
    if (seg == "..") return "contains a '..' segment";
    if (seg.size() > 255) return "a segment is longer than 255 bytes";
    pos = slash + 1;
  }
  return std::nullopt;
}

}  // namespace openem

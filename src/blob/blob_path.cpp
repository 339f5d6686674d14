#include "blob/blob_path.h"

#include "blob/hasher.h"

namespace openem {

BlobStatus check_blob_path(std::string_view path) {
  auto bad = [&](const std::string& why) {
    return BlobStatus::invalid_path("invalid file path '" + std::string(path.substr(0, 200)) + "': " + why);
  };
  if (path.empty()) return bad("it is empty");
  if (path.size() > 4096) return bad("longer than 4096 bytes");
  if (path.front() == '/') return bad("absolute paths are not allowed");
  for (char c : path) {
    if (c == '\0') return bad("contains a NUL byte");
    if (c == '\\') return bad("contains a backslash (use '/' as separator)");
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return bad("contains a control character");
  }
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view seg = path.substr(pos, slash - pos);
    if (seg.empty()) return bad("contains an empty segment ('//' or a trailing '/')");
    if (seg == ".") return bad("contains a '.' segment");
    if (seg == "..") return bad("contains a '..' segment");
    if (seg.size() > 255) return bad("a segment is longer than 255 bytes");
    pos = slash + 1;
  }
  return BlobStatus::ok();
}

std::string pid_directory_name(std::string_view pid) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < pid.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(pid[i]);
    bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                 c == '-' || (c == '.' && i > 0);
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (out.empty()) return "%";  // the empty pid; never valid, but never the store root either
  if (out.size() > 200) return "~" + Hasher::hex(Hasher::digest("sha256", pid));
  return out;
}

}  // namespace openem

#include "blob/blob_path.h"

#include "blob/hasher.h"
#include "core/relative_path.h"

namespace openem {

BlobStatus check_blob_path(std::string_view path) {
  if (auto why = relative_path_problem(path))
    return BlobStatus::invalid_path("invalid file path '" + printable_excerpt(path) + "': " + *why);
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

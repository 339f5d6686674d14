#pragma once
// Names inside the blob store: checks that a file path stays inside its dataset, and maps a
// dataset pid (which contains '/') to one safe directory name. Pure functions; thread-safe.
#include <string>
#include <string_view>

#include "blob/blob_status.h"

namespace openem {

// Ok when `path` follows relative_path_problem's rule (core/relative_path.h, the same rule as
// file lists): relative, valid UTF-8, no empty, "." or ".." segments, no backslash or control
// characters, segments of at most 255 bytes, at most 4096 bytes in all. Otherwise
// kInvalidPath naming the path (made printable) and saying why.
BlobStatus check_blob_path(std::string_view path);

// One directory name for a pid: bytes outside [A-Za-z0-9_.-] become %XX (so '/' cannot split
// it and distinct pids stay distinct), a leading '.' is encoded too (no ".", ".." or hidden
// names). Names that would exceed 200 bytes become "~" + SHA-256 hex of the pid ('~' is
// always encoded otherwise, so the two forms never collide).
std::string pid_directory_name(std::string_view pid);

}  // namespace openem

#pragma once
// The one rule for a file's path inside a dataset, shared by every place a path enters the
// system: tus uploads and downloads (through check_blob_path) and file lists (OrigDatablock
// and Datablock dataFileList[].path). A path the upload refuses can never be registered, and
// the other way round. Pure functions; thread-safe.
#include <optional>
#include <string>
#include <string_view>

namespace openem {

// nullopt when `path` is a relative '/'-separated path that cannot leave its dataset and names
// the same file on every filesystem and client: valid UTF-8, non-empty, at most 4096 bytes,
// no leading '/', no empty, "." or ".." segments (so no "//", "./" or trailing '/'), no
// backslash, NUL or other control character, segments of at most 255 bytes. Otherwise why
// not, e.g. "contains an empty segment ('//' or a trailing '/')".
std::optional<std::string> relative_path_problem(std::string_view path);

// Well-formed UTF-8 (RFC 3629): no overlong forms, surrogates or code points past U+10FFFF.
bool is_valid_utf8(std::string_view s);

// `s` cut to `max_bytes` for an error message: bytes that are not valid UTF-8 and control
// characters become "\xNN", so the message itself is printable, valid UTF-8 (JSON, logs).
std::string printable_excerpt(std::string_view s, std::size_t max_bytes = 200);

}  // namespace openem

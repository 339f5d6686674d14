#pragma once
// Which relative file names the ingestor accepts. A registered path is later joined to a
// sourceFolder or a blob-store root by other programs, so anything that could escape the
// folder or confuse a shell or a URL (`..`, absolute paths, control bytes, invalid UTF-8)
// is refused up front with a reason. Pure functions, thread-safe.
#include <optional>
#include <string>
#include <string_view>

namespace openem::ingest {

// nullopt when `relative` ('/'-separated, relative to the session) is acceptable, else why not.
std::optional<std::string> unsafe_path_reason(std::string_view relative);

// True when `inner` equals `root` or lies below it (both absolute, lexically normal).
bool is_within(const std::string& root, const std::string& inner);

// Printable form of a name with odd bytes (\xNN escapes) for error messages.
std::string printable(std::string_view name);

}  // namespace openem::ingest

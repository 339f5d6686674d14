#pragma once
// Saved login tokens, one per server, in ~/.config/openem/credentials.json
// ($XDG_CONFIG_HOME when set), written atomically with mode 0600 so other users of a shared
// acquisition PC cannot read them. Functions are thread-compatible (one writer at a time).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace openem::ingest {

struct SavedCredential {
  std::string server;    // origin, e.g. "http://127.0.0.1:3000"
  std::string username;
  std::string token;
  std::int64_t expires_at_ms = 0;  // 0: unknown
};

std::filesystem::path default_credentials_path();

// The saved credential for `server` (compared by origin), if any.
std::optional<SavedCredential> load_credential(const std::filesystem::path& file, const std::string& server);
void save_credential(const std::filesystem::path& file, const SavedCredential& credential);

// `exp` (ms since epoch) of a JWT, when it has one.
std::optional<std::int64_t> jwt_expiry_ms(const std::string& token);

}  // namespace openem::ingest

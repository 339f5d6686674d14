#include "cli/server_auth.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "core/time.h"
#include "ingest/credentials.h"

namespace openem::cli {

namespace in = openem::ingest;

std::shared_ptr<in::Auth> resolve_server_auth(ServerLogin a, bool anonymous_ok) {
  if (!a.token.empty()) return std::make_shared<in::Auth>(a.token);
  if (a.password.empty())
    if (const char* p = std::getenv("OPENEM_PASSWORD")) a.password = p;
  if (!a.username.empty()) {
    if (a.password.empty()) throw std::invalid_argument("--username needs --password (or OPENEM_PASSWORD)");
    std::string token = in::ScicatClient::login(a.server, a.username, a.password).token;
    return std::make_shared<in::Auth>(token, a.username, a.password);
  }
  std::filesystem::path file =
      a.credentials_file.empty() ? in::default_credentials_path() : std::filesystem::path(a.credentials_file);
  auto saved = in::load_credential(file, a.server);
  if (!saved) {
    if (anonymous_ok) return std::make_shared<in::Auth>("");
    throw std::invalid_argument("not logged in to " + in::origin_of(a.server) +
                                ": run `openem login --server " + in::origin_of(a.server) +
                                " -u NAME`, or pass --token or --username/--password");
  }
  if (saved->expires_at_ms && saved->expires_at_ms < now_millis())
    throw std::invalid_argument("the saved token for " + saved->server + " expired at " +
                                iso_utc(saved->expires_at_ms) + ": run `openem login` again");
  return std::make_shared<in::Auth>(saved->token);
}

}  // namespace openem::cli

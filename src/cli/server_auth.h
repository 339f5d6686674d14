#pragma once
// How a client subcommand (ingest, export) signs in to a catalog: --token, or
// --username/--password (OPENEM_PASSWORD), or the token `openem login` saved for that server.
#include <memory>
#include <string>

#include "ingest/scicat_client.h"

namespace openem::cli {

struct ServerLogin {
  std::string server, token, username, password, credentials_file;
};

// Throws std::invalid_argument with what to do when none of the ways works (unless
// anonymous_ok: then an empty token, and the server answers as to anyone).
std::shared_ptr<ingest::Auth> resolve_server_auth(ServerLogin login, bool anonymous_ok = false);

}  // namespace openem::cli

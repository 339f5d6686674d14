#pragma once
// What the long-running subcommands (serve, archiver) share: the configuration from the
// environment, OPENEM_CONFIG or --config, with command-line overrides; logfmt logging; and
// a callback that turns an exception into a one-line message and exit code 1.
#include <CLI/CLI.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "blob/blob_store.h"
#include "core/config.h"
#include "store/catalog_store.h"

namespace openem::cli {

// overrides: environment names (e.g. OPENEM_DATA_DIR) set from command-line flags.
Config load_command_config(const std::map<std::string, std::string>& overrides, const std::string& config_file);

// The configured catalog: PostgreSQL for a postgresql:// (or postgres://) URL, else the SQLite
// file in the data directory. Throws std::runtime_error for any other URL scheme.
std::unique_ptr<CatalogStore> open_configured_catalog(const Config& cfg);

// The configured blob store: an S3 bucket for an s3:// URL, else the data directory's blobs/.
// Throws std::runtime_error naming the reason when it cannot be opened.
std::unique_ptr<BlobStore> open_configured_blobs(const Config& cfg);

// Runs `body` as the subcommand's callback; "openem <name>: <reason>" and exit 1 on failure.
void set_guarded_callback(CLI::App* cmd, const std::string& name, std::function<int()> body);

}  // namespace openem::cli

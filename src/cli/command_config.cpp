#include "cli/command_config.h"

#include <spdlog/spdlog.h>

#include <iostream>

#include "blob/s3/s3_blob_store.h"
#include "cli/commands.h"

namespace openem::cli {

std::unique_ptr<CatalogStore> open_configured_catalog(const Config& cfg) {
  const std::string& url = cfg.catalog_url;
  if (url.empty()) {
    std::filesystem::create_directories(cfg.data_dir);
    return open_sqlite_store(cfg.data_dir / "catalog.db");
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) return open_postgres_store(url);
  throw std::runtime_error("catalog: unknown URL scheme in '" + url.substr(0, url.find(':')) +
                           "' (use postgresql://..., or leave it empty for SQLite in the data directory)");
}

std::unique_ptr<BlobStore> open_configured_blobs(const Config& cfg) {
  std::unique_ptr<BlobStore> blobs;
  BlobStatus status;
  if (cfg.blobs_url.empty()) {
    status = open_fs_blob_store(cfg.data_dir / "blobs", &blobs);
  } else if (cfg.blobs_url.rfind("s3://", 0) == 0) {
    std::string error;
    auto where = parse_s3_url(cfg.blobs_url, &error);
    if (!where) throw std::runtime_error("blobs: " + error);
    status = open_s3_blob_store(*where, cfg.data_dir / "staging", &blobs);
  } else {
    throw std::runtime_error("blobs: unknown URL scheme in '" + cfg.blobs_url.substr(0, cfg.blobs_url.find(':')) +
                             "' (use s3://bucket/prefix?endpoint=..., or leave it empty for the data directory)");
  }
  if (!status.is_ok()) throw std::runtime_error("blob store: " + status.message());
  return blobs;
}

Config load_command_config(const std::map<std::string, std::string>& overrides, const std::string& config_file) {
  auto env = Config::environment();
  for (const auto& [k, v] : overrides)
    if (!v.empty()) env[k] = v;
  std::optional<std::filesystem::path> file;
  if (!config_file.empty()) file = config_file;
  else if (auto it = env.find("OPENEM_CONFIG"); it != env.end()) file = it->second;
  Config cfg = Config::load(file, env);
  spdlog::set_level(spdlog::level::from_str(cfg.log_level));
  spdlog::set_pattern("ts=%Y-%m-%dT%H:%M:%S.%eZ level=%l %v", spdlog::pattern_time_type::utc);
  return cfg;
}

void set_guarded_callback(CLI::App* cmd, const std::string& name, std::function<int()> body) {
  cmd->callback([name, body = std::move(body)] {
    try {
      set_exit_code(body());
    } catch (const std::exception& e) {
      std::cerr << "openem " << name << ": " << e.what() << std::endl;
      set_exit_code(1);
    }
  });
}

}  // namespace openem::cli

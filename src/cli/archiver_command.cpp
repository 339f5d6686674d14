// `openem archiver`: an archive worker as its own process, sharing the catalog (and the blob
// store's directory) with `openem serve`. Several may run at once; they never take the same job.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>
#include <thread>

#include "blob/blob_store.h"
#include "cli/command_config.h"
#include "cli/commands.h"
#include "core/config.h"
#include "jobs/archive_worker.h"
#include "store/catalog_store.h"

namespace openem::cli {
namespace {

struct ArchiverOptions {
  std::string data_dir;
  std::string catalog;
  std::string blobs;
  std::string archive;
  std::string config_file;
  bool once = false;
};

int archiver(const ArchiverOptions& o) {
  Config cfg = load_command_config({{"OPENEM_DATA_DIR", o.data_dir},
                                    {"OPENEM_CATALOG", o.catalog},
                                    {"OPENEM_BLOBS", o.blobs},
                                    {"OPENEM_ARCHIVE", o.archive}},
                                   o.config_file);
  if (cfg.catalog_url.empty() && !std::filesystem::exists(cfg.data_dir / "catalog.db"))
    throw std::runtime_error("no catalog in " + cfg.data_dir.string() + " (start `openem serve` there first)");
  // Signals are taken by sigwait below, in this thread only.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  auto store = open_configured_catalog(cfg);
  auto blobs = open_configured_blobs(cfg);
  auto worker = make_archive_worker(cfg, *store, *blobs);
  if (o.once) {  // every waiting job, then exit
    int n = 0;
    while (worker->run_once()) ++n;
    std::cout << "openem archiver: " << n << " job(s) done" << std::endl;
    return 0;
  }
  worker->start();
  std::cout << "openem archiver: waiting for jobs in " << cfg.data_dir.string() << std::endl;
  int sig = 0;
  sigwait(&set, &sig);
  spdlog::info("event=stopping signal={}", sig);
  worker->stop();
  return 0;
}

}  // namespace

void add_archiver_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("archiver", "Run an archive worker on a data directory (archive/retrieve jobs)");
  auto opts = std::make_shared<ArchiverOptions>();
  cmd->add_option("--data-dir", opts->data_dir, "Data directory of the catalog (default ./openem-data, OPENEM_DATA_DIR)");
  cmd->add_option("--catalog", opts->catalog,
                  "Catalog database: postgresql://user@host/db (OPENEM_CATALOG; default SQLite in the data directory)");
  cmd->add_option("--blobs", opts->blobs,
                  "Dataset files: s3://bucket/prefix?endpoint=URL (OPENEM_BLOBS; default <data-dir>/blobs)");
  cmd->add_option("--archive", opts->archive,
                  "Archive tier: s3://bucket/prefix?endpoint=URL or a directory (OPENEM_ARCHIVE; default "
                  "OPENEM_ARCHIVE_DIR or <data-dir>/archive)");
  cmd->add_option("--config", opts->config_file, "TOML configuration file (OPENEM_CONFIG)");
  cmd->add_flag("--once", opts->once, "Run the jobs waiting now, then exit");
  set_guarded_callback(cmd, "archiver", [opts] { return archiver(*opts); });
}

}  // namespace openem::cli

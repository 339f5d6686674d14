// `openem serve`: the catalog server on embedded defaults (SQLite under the data directory)
// or as configured by a TOML file and SciCat's environment variables.
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "api/app.h"
#include "api/housekeeper.h"
#include "api/routes.h"
#include "api/sample_data.h"
#include "cli/command_config.h"
#include "cli/commands.h"
#include "core/config.h"
#include "core/time.h"
#include "http/server.h"
#include "jobs/archive_worker.h"
#include "logbook/logbook_entries.h"
#include "store/catalog_store.h"

namespace openem::cli {
namespace {

int g_exit_code = 0;

struct ServeOptions {
  std::string data_dir;
  std::string listen;
  std::string catalog;
  std::string blobs;
  std::string archive;
  std::string config_file;
  bool sample_data = false;
};

int serve(const ServeOptions& o) {
  // glibc gives each thread that meets contention an arena of its own (up to 8 per core),
  // and memory freed in one stays there: with a dozen request threads that is tens of MB of
  // resident memory nobody uses. Four arenas: at a million datasets, peak RSS after wrk
  // 279 -> 250 MB (two: 248), requests per second unchanged within noise.
  // MALLOC_ARENA_MAX, when set, decides.
#ifdef M_ARENA_MAX
  if (!std::getenv("MALLOC_ARENA_MAX")) mallopt(M_ARENA_MAX, 4);
#endif
  Config cfg = load_command_config(
      {{"OPENEM_DATA_DIR", o.data_dir}, {"OPENEM_LISTEN", o.listen}, {"OPENEM_CATALOG", o.catalog}, {"OPENEM_BLOBS", o.blobs},
       {"OPENEM_ARCHIVE", o.archive}},
      o.config_file);
  // Handler threads block on SQLite and writes wait for the group commit: more threads than cores
  // keep the cores busy and make commit batches larger. (Resolved here: App sizes the
  // sign-in queue by it.)
  if (!cfg.threads) cfg.threads = std::max(8u, 4 * std::thread::hardware_concurrency());

  if (test_clock_enabled())
    spdlog::warn("event=test_clock file=\"{}\" note=\"OPENEM_TEST_CLOCK_FILE moves this server's time; for tests only\"",
                 std::getenv("OPENEM_TEST_CLOCK_FILE"));
  std::filesystem::create_directories(cfg.data_dir);
  auto store = open_configured_catalog(cfg);
  auto blobs = open_configured_blobs(cfg);
  App app(cfg, std::move(store), std::move(blobs));
  if (auto generated = bootstrap_accounts(app))
    std::cout << "openem: created account 'admin' with password " << *generated
              << " (shown once; set OPENEM_ADMIN_PASSWORD to choose it)" << std::endl;

  // Automatic logbook entries written before their groups followed their datasets (stop 39).
  refresh_automatic_entry_groups_once(app.store());

  if (o.sample_data) {
    if (int n = seed_sample_catalog(app)) std::cout << "openem: created a sample catalog of " << n << " datasets" << std::endl;
  }

  Router router;
  register_all_routes(router, app);
  std::unique_ptr<Metrics> metrics;
  router.add("GET", "/metrics", [&metrics](HttpRequest&) {
    return HttpResponse::text(200, metrics->render(), "text/plain; version=0.0.4");
  });
  std::vector<std::string> names;
  for (const auto& r : router.routes()) names.push_back(r.method + " " + r.pattern);
  metrics = std::make_unique<Metrics>(names);

  ServerOptions so;
  so.host = cfg.listen_host;
  so.port = cfg.listen_port;
  so.threads = cfg.threads;
  so.io_threads = std::max(2u, std::thread::hardware_concurrency());
  so.max_body_bytes = cfg.max_body_bytes;
  auto observer = [](const HttpRequest& req, const Route* route, int status, double seconds) {
    // The pattern, never the raw target: query strings may carry access tokens.
    spdlog::info("event=request method={} route=\"{}\" status={} ms={:.2f}", req.method,
                 route ? route->pattern : "unmatched", status, seconds * 1000);
  };
  // Expired jobs and ended embargoes are applied before the first request is answered.
  Housekeeper housekeeper;
  add_catalog_chores(housekeeper, app);
  housekeeper.run_before_serving();
  HttpServer server(so, router, *metrics, observer);
  server.listen();
  // The archive worker (docs/archive.md) shares the catalog and the blob store with the API.
  std::unique_ptr<ArchiveWorker> worker;
  if (cfg.archive_worker) {
    worker = make_archive_worker(cfg, app.store(), app.blobs());
    worker->start();
  }
  housekeeper.start();
  // Webhooks on a thread of their own: a slow receiver holds up no embargo or DataCite change.
  Housekeeper event_deliveries;
  add_event_chores(event_deliveries, app);
  event_deliveries.start();
  // One write: other threads' log lines must not split it (clients read the port from it).
  std::cout << ("openem: listening on http://" + cfg.listen_host + ":" + std::to_string(server.bound_port()) + "\n")
            << std::flush;
  // The lineage index (store/lineage_index.h) is built in the background: the portal's dataset
  // page shows every dataset's lineage, and the first one should not wait while every dataset
  // is read (seconds at a million). A failure here is only logged: the first walk builds it.
  std::jthread lineage_warm_up([&app] {
    try {
      const auto started = std::chrono::steady_clock::now();
      app.lineage_index().current();
      spdlog::info("event=lineage_index_built ms={}", std::chrono::duration_cast<std::chrono::milliseconds>(
                                                          std::chrono::steady_clock::now() - started).count());
    } catch (const std::exception& e) {
      spdlog::warn("event=lineage_index_not_built error=\"{}\"", e.what());
    }
  });
  server.run(/*handle_signals=*/true);
  event_deliveries.stop();
  housekeeper.stop();
  if (worker) worker->stop();
  spdlog::info("event=stopped");
  return 0;
}

}  // namespace

void set_exit_code(int code) { g_exit_code = code; }
int exit_code() { return g_exit_code; }

void add_serve_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("serve", "Run the catalog server (SciCat API v3/v4)");
  auto opts = std::make_shared<ServeOptions>();
  cmd->add_option("--data-dir", opts->data_dir, "Data directory (default ./openem-data, OPENEM_DATA_DIR)");
  cmd->add_option("--catalog", opts->catalog,
                  "Catalog database: postgresql://user@host/db (OPENEM_CATALOG; default SQLite in the data directory)");
  cmd->add_option("--blobs", opts->blobs,
                  "Dataset files: s3://bucket/prefix?endpoint=URL (OPENEM_BLOBS; default <data-dir>/blobs)");
  cmd->add_option("--archive", opts->archive,
                  "Archive tier: s3://bucket/prefix?endpoint=URL or a directory (OPENEM_ARCHIVE; default "
                  "OPENEM_ARCHIVE_DIR or <data-dir>/archive)");
  cmd->add_option("--listen", opts->listen, "HOST:PORT to listen on (default 127.0.0.1:3000; port 0 = any)");
  cmd->add_option("--config", opts->config_file, "TOML configuration file (OPENEM_CONFIG)");
  cmd->add_flag("--sample-data", opts->sample_data, "Fill an empty catalog with a small sample catalog");
  set_guarded_callback(cmd, "serve", [opts] { return serve(*opts); });
}

}  // namespace openem::cli

#pragma once
// ArchiveWorker: takes archive and retrieve jobs from the catalog and carries them out over
// the archive tiers (docs/archive.md). Several workers — threads of `openem serve` or
// separate `openem archiver` processes on the same catalog — never take the same job: a job
// is claimed in one store transaction that checks its status. A claimed job carries a lease
// (heartbeat); a job whose worker died is taken over when the lease runs out, and failed
// for good after max_attempts. Thread-safe: start()/stop() from one thread; run_once() may
// be called from any thread.
#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "blob/blob_store.h"
#include "core/config.h"
#include "jobs/archive_ledger.h"
#include "jobs/archive_tier.h"
#include "jobs/job_config.h"
#include "store/catalog_store.h"

namespace openem {

struct ArchiveWorkerOptions {
  std::string worker_id;                       // unique per worker (host:pid:n)
  std::chrono::seconds lease{300};
  std::chrono::milliseconds poll{1000};
  std::string purge = "never";                 // never | always | policy (dateOfDiskPurging)
  int max_attempts = 3;
  std::filesystem::path retrieve_dir;          // must be on the blob store's file system
};

class ArchiveWorker {
 public:
  // `copies`: archive tiers in order; a dataset with tape redundancy n goes to the first n.
  ArchiveWorker(CatalogStore& store, BlobStore& blobs, std::vector<std::unique_ptr<ArchiveTier>> copies,
                JobConfig jobs, Config config, ArchiveWorkerOptions options);
  ~ArchiveWorker();

  // Claims the next job (a stale one first) and runs it to its end. False when none waited.
  bool run_once();
  // Creates archive jobs for datasets whose group policy has autoArchive and whose
  // autoArchiveDelay (days) has passed. Returns the number of jobs created.
  int schedule_auto_archive();

  // Deletes the archived bags (every copy) that the archive ledger releases — those of deleted
  // datasets (the DELETE route allows that only after their retention time) and of failed
  // attempts. Datablocks of other archive systems are never touched. Runs every OPENEM_ARCHIVE_SWEEP_SECONDS
  // (10 minutes) in the background; returns how many bags went.
  int sweep_deleted_archives();

  void start();  // a background thread polling for jobs
  void stop();   // finishes the dataset in hand's current step, then returns

  // Takes the next job for `worker_id` atomically, or nothing. Public for tests.
  static std::optional<boost::json::object> claim(CatalogStore& store, const std::string& worker_id,
                                                  std::chrono::seconds lease, int max_attempts);

 private:
  struct Outcome {
    bool ok = false;
    boost::json::object result;
  };
  void run_job(boost::json::object job);
  Outcome archive_dataset(const boost::json::object& job, const std::string& pid);
  Outcome retrieve_dataset(const boost::json::object& job, const std::string& pid,
                           const std::vector<std::string>& files);
  // Renews the lease and sets statusMessage; false when the job is no longer ours.
  bool heartbeat(const std::string& job_id, const std::string& message);
  void finish(const std::string& job_id, const std::string& status_code, const std::string& message,
              boost::json::object result);
  // Puts a job this worker holds back into the queue (graceful shutdown).
  void release(const std::string& job_id);
  void update_lifecycle(const std::string& pid, const boost::json::object& changes);
  int copies_for(const boost::json::object& job, const boost::json::object& dataset);
  bool should_purge(const boost::json::object& dataset) const;
  void purge_online(const std::string& pid);
  void loop();
  // Heartbeats come several times per lease, so a live worker never loses its job.
  std::chrono::milliseconds beat_every() const {
    return std::max(std::chrono::milliseconds(100),
                    std::chrono::duration_cast<std::chrono::milliseconds>(opt_.lease) / 4);
  }

  CatalogStore& store_;
  BlobStore& blobs_;
  std::vector<std::unique_ptr<ArchiveTier>> copies_;
  JobConfig jobs_;
  Config config_;
  ArchiveWorkerOptions opt_;
  std::chrono::steady_clock::time_point last_beat_{};
  std::chrono::steady_clock::time_point last_auto_{};
  std::chrono::steady_clock::time_point last_sweep_{};

  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stopping_{false};
};

// The archive tiers of a data directory: <archive_dir>/copy-1 .. copy-3.
std::vector<std::unique_ptr<ArchiveTier>> open_default_archive_tiers(const std::filesystem::path& archive_dir);

// The configured archive tiers (configured_archive_tiers.cpp): copy-1 .. copy-3 under the S3
// URL of OPENEM_ARCHIVE / --archive, or under its directory, else under OPENEM_ARCHIVE_DIR
// or <data-dir>/archive. Throws std::runtime_error naming the reason when one cannot be opened.
std::vector<std::unique_ptr<ArchiveTier>> open_configured_archive_tiers(const Config& config);

// The worker `openem serve` and `openem archiver` run: the configured archive tiers
// (open_configured_archive_tiers), retrieve area <data-dir>/retrieve, the job
// configuration of JOB_CONFIGURATION_FILE (or the default). Throws std::runtime_error.
std::unique_ptr<ArchiveWorker> make_archive_worker(const Config& config, CatalogStore& store, BlobStore& blobs);

// A worker id unique across processes and threads: "<host>:<pid>:<n>".
std::string make_worker_id();

}  // namespace openem

#pragma once
// ingest_session: one session folder → one SciCat dataset with its file list (and, with
// uploads, its bytes on the server). Steps, each resumable:
//   without uploads: scan → hash (reusing hashes of unchanged files from the state file) →
//     find or create the dataset (state pid, else lookup by sourceFolder, else create) →
//     register the files not yet registered in ≤20,000-file origdatablocks →
//     datasetlifecycle "datasetCreated". Nothing is created before every file was read and
//     hashed, so bad input never leaves a dataset behind.
//   with uploads: scan → find or create the dataset → upload through tus, hashing each file
//     from the bytes sent (one read per file) → register → let the server verify the files
//     that arrived before their list → datasetlifecycle. Bad names and unreadable files are
//     refused by the scan before anything is created; a file that fails later leaves the
//     dataset without a file list, and the next run finishes it.
// Runs of different sessions may proceed concurrently; one session is locked against a
// second concurrent run.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "extract/extract.h"
#include "ingest/dataset_body.h"
#include "ingest/progress.h"
#include "ingest/scicat_client.h"

namespace openem::ingest {

// A failure the CLI reports as one line (plus `details`, one per line) and exit code 1.
class IngestError : public std::runtime_error {
 public:
  IngestError(const std::string& message, std::vector<std::string> details = {})
      : std::runtime_error(message), details_(std::move(details)) {}
  const std::vector<std::string>& details() const { return details_; }

 private:
  std::vector<std::string> details_;
};

struct IngestOptions {
  std::string server;                 // SciCat base URL
  std::shared_ptr<Auth> auth;
  DatasetFields fields;
  extract::ExtractOptions extract;
  bool upload = true;
  unsigned hash_threads = 0;          // 0: all cores
  unsigned upload_streams = 8;
  std::size_t max_files_per_block = 20000;
  double retry_seconds = 300;         // how long transient server/network failures are retried
  std::filesystem::path state_dir;    // empty: default_state_dir()
  std::vector<std::string> ignore_names;  // e.g. the completion marker
};

struct IngestSummary {
  std::string pid;
  bool created = false;            // this run created the dataset
  std::size_t files = 0;
  std::uint64_t bytes = 0;
  std::size_t hashed = 0;          // files hashed in this run (others reused)
  std::size_t registered = 0;      // files registered in this run
  std::size_t uploaded = 0;        // files uploaded in this run
  std::uint64_t uploaded_bytes = 0;
  std::vector<std::string> warnings;
  double hash_seconds = 0, register_seconds = 0, upload_seconds = 0, total_seconds = 0;
};

IngestSummary ingest_session(const std::filesystem::path& session, const IngestOptions& options, Progress& progress);

struct SessionStatus {
  std::filesystem::path session, state_file;
  bool has_state = false;
  std::string server, pid, updated_at;
  std::size_t files = 0, hashed = 0, uploaded = 0;
  std::uint64_t bytes = 0, bytes_pending_upload = 0;
  bool registered = false, lifecycle_set = false, upload_done = false;
  std::size_t local_files = 0;    // files in the folder now
  std::size_t changed_files = 0;  // new, changed or removed since the state was written
};

SessionStatus session_status(const std::filesystem::path& session, const std::filesystem::path& state_dir,
                             const std::vector<std::string>& ignore_names = {});

}  // namespace openem::ingest

#pragma once
// Hashes many files on many threads: each worker takes the next file (largest first, so
// one big file does not finish last alone), streams it through SHA-256 with 4 MiB reads,
// then re-stats it and reports a file whose size or mtime changed while it was read.
// hash_files is thread-safe; the progress callback is called from the worker threads.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ingest/session_scan.h"

namespace openem::ingest {

struct HashOutcome {
  std::string sha256;  // hex; empty when error is set
  std::string error;   // "<path>: <reason>"
};

struct HashProgress {
  std::function<void(std::uint64_t bytes)> on_bytes;     // may be empty
  std::function<void(std::size_t index)> on_file_done;   // may be empty
};

// Hashes files[i] for every i in `which` (all when empty). threads == 0: all cores.
std::vector<HashOutcome> hash_files(const std::vector<LocalFile>& files, const std::vector<std::size_t>& which,
                                    unsigned threads, const HashProgress& progress = {});

}  // namespace openem::ingest

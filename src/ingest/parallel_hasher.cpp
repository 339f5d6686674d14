#include "ingest/parallel_hasher.h"

#include <algorithm>
#include <atomic>
#include <numeric>
#include <thread>

#include "ingest/path_safety.h"
#include "ingest/sha256.h"

namespace openem::ingest {

std::vector<HashOutcome> hash_files(const std::vector<LocalFile>& files, const std::vector<std::size_t>& which_in,
                                    unsigned threads, const HashProgress& progress) {
  std::vector<std::size_t> which = which_in;
  if (which.empty()) {
    which.resize(files.size());
    std::iota(which.begin(), which.end(), 0);
  }
  std::stable_sort(which.begin(), which.end(), [&](std::size_t a, std::size_t b) { return files[a].size > files[b].size; });
  std::vector<HashOutcome> out(files.size());
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(1, which.size())));
  std::atomic<std::size_t> next{0};
  std::function<void(std::uint64_t)> on_bytes = progress.on_bytes;
  auto worker = [&] {
    std::vector<char> buffer(4 << 20);
    for (;;) {
      std::size_t k = next.fetch_add(1);
      if (k >= which.size()) return;
      std::size_t i = which[k];
      const LocalFile& f = files[i];
      try {
        std::uint64_t n = 0;
        std::string hex = sha256_file(f.source, buffer, &n, on_bytes ? &on_bytes : nullptr);
        auto [size, mtime] = stat_size_mtime(f.source);
        if (n != f.size || size != f.size || mtime != f.mtime_ns)
          out[i].error = printable(f.path) + ": changed while being ingested (size or modification time differs)";
        else
          out[i].sha256 = std::move(hex);
      } catch (const std::exception& e) {
        out[i].error = printable(f.path) + ": " + e.what();
      }
      if (progress.on_file_done) progress.on_file_done(i);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  return out;
}

}  // namespace openem::ingest

// Extraction benchmark (issue 3): a synthetic EPU session of 20,000 per-movie XMLs and a
// SerialEM folder of 500 tilt series, both copied from the real samples; files/s and MB/s
// on one and on all threads, next to `cat` reading the same files from the page cache.
// Prints a table and writes bench/results/extract.json.
//   openem_extract_bench [--epu N] [--tilt-series N] [--work DIR] [--repeat N] [--keep]
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "extract/extract.h"
#include "extract/json_writer.h"

namespace fs = std::filesystem;
namespace ex = openem::extract;

namespace {

struct Corpus {
  fs::path root;
  std::size_t files = 0;
  std::uint64_t bytes = 0;
};

std::vector<fs::path> find_samples(const fs::path& dir, const std::string& needle, const std::string& ext) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ext && e.path().filename().string().find(needle) != std::string::npos)
      out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

Corpus make_epu(const fs::path& root, std::size_t n, const fs::path& shared) {
  // Real EPU 3.x movie XMLs (2024 Falcon 4i session); older EPU versions are in the mix too.
  auto samples = find_samples(shared / "oscem" / "SwissOpenEM_epu_dataset_merger", "_Data_", ".xml");
  Corpus c{root};
  fs::remove_all(root);
  for (std::size_t i = 0; i < n; ++i) {
    fs::path dir = root / "Images-Disc1" / ("GridSquare_" + std::to_string(1000 + i / 200)) / "Data";
    if (i % 200 == 0) fs::create_directories(dir);
    fs::path dst = dir / ("FoilHole_" + std::to_string(5000000 + i) + "_Data_1_" + std::to_string(i) + "_20240831_200000.xml");
    fs::copy_file(samples[i % samples.size()], dst);
    c.bytes += fs::file_size(dst);
    ++c.files;
  }
  return c;
}

Corpus make_serialem(const fs::path& root, std::size_t n, const fs::path& shared) {
  std::vector<fs::path> samples = {
      shared / "oscem" / "osc-em_oscem-extractor-life" / "tests" / "mdocs" / "TS_41.mrc.mdoc",
      shared / "oscem" / "osc-em_oscem-extractor-life" / "tests" / "mdocs" / "TS_42.mrc.mdoc",
      shared / "mdoc" / "tilt_series.mdoc", shared / "mdoc" / "test_1.mdoc", shared / "mdoc" / "Position_12.mdoc"};
  Corpus c{root};
  fs::remove_all(root);
  fs::create_directories(root);
  for (std::size_t i = 0; i < n; ++i) {
    fs::path dst = root / ("TS_" + std::to_string(i + 1) + ".mrc.mdoc");
    fs::copy_file(samples[i % 2 == 0 ? 0 : 1 + (i / 2) % (samples.size() - 1)], dst);
    c.bytes += fs::file_size(dst);
    ++c.files;
  }
  return c;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// `cat` over the same files (xargs batches the names like a shell glob would).
double time_cat(const fs::path& root, const char* pattern) {
  std::string cmd = "find '" + root.string() + "' -type f -name '" + pattern + "' -print0 | xargs -0 cat > /dev/null";
  auto t0 = std::chrono::steady_clock::now();
  int rc = std::system(cmd.c_str());
  double s = seconds_since(t0);
  if (rc != 0) std::cerr << "warning: cat pipeline exited with " << rc << "\n";
  return s;
}

struct Row {
  std::string corpus, reader;
  unsigned threads;
  std::size_t files;
  std::uint64_t bytes;
  double seconds;
  double files_per_s() const { return files / seconds; }
  double mb_per_s() const { return bytes / 1e6 / seconds; }
};

template <class F>
double best_of(int repeat, F&& f) {
  double best = 1e300;
  for (int i = 0; i < repeat; ++i) best = std::min(best, f());
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t epu_files = 20000, tilt_series = 500;
  int repeat = 3;
  bool keep = false;
  fs::path work = fs::temp_directory_path() / "openem-extract-bench";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--epu") epu_files = std::stoul(next());
    else if (a == "--tilt-series") tilt_series = std::stoul(next());
    else if (a == "--work") work = next();
    else if (a == "--repeat") repeat = std::stoi(next());
    else if (a == "--keep") keep = true;
    else {
      std::cerr << "usage: openem_extract_bench [--epu N] [--tilt-series N] [--work DIR] [--repeat N] [--keep]\n";
      return 2;
    }
  }
  fs::path shared = fs::path(OPENEM_SHARED_DIR) / "testdata";
  unsigned hw = std::max(1u, std::thread::hardware_concurrency());

  std::cerr << "building corpora under " << work << " ...\n";
  Corpus epu = make_epu(work / "epu_session", epu_files, shared);
  Corpus sem = make_serialem(work / "serialem_session", tilt_series, shared);
  time_cat(epu.root, "*.xml");  // warm the page cache
  time_cat(sem.root, "*.mdoc");

  std::vector<Row> rows;
  for (const Corpus* c : {&epu, &sem}) {
    const char* pattern = c == &epu ? "*.xml" : "*.mdoc";
    std::string name = c == &epu ? "EPU XML" : "SerialEM mdoc";
    rows.push_back({name, "cat", 1, c->files, c->bytes, best_of(repeat, [&] { return time_cat(c->root, pattern); })});
    for (unsigned t : {1u, hw}) {
      ex::ExtractOptions o;
      o.threads = t;
      o.validate = true;
      ex::ExtractResult last;
      double s = best_of(repeat, [&] {
        auto t0 = std::chrono::steady_clock::now();
        last = ex::extract_session(c->root, o);
        return seconds_since(t0);
      });
      std::size_t read = static_cast<std::size_t>(last.counts.epu_movies + last.counts.mdoc_files);
      if (read != c->files) std::cerr << "warning: read " << read << " of " << c->files << " files\n";
      rows.push_back({name, "openem extract", t, c->files, c->bytes, s});
      if (t == hw && hw == 1) break;
    }
  }

  std::printf("\n%-14s %-15s %7s %8s %9s %10s %9s\n", "corpus", "reader", "threads", "files", "MB", "files/s", "MB/s");
  for (const auto& r : rows)
    std::printf("%-14s %-15s %7u %8zu %9.1f %10.0f %9.1f\n", r.corpus.c_str(), r.reader.c_str(), r.threads, r.files,
                r.bytes / 1e6, r.files_per_s(), r.mb_per_s());
  double cat_epu = rows[0].seconds;
  double best_epu = 1e300;
  for (const auto& r : rows)
    if (r.corpus == "EPU XML" && r.reader != "cat") best_epu = std::min(best_epu, r.seconds);
  std::printf("\nEPU: %.0f files/s on %u threads (target >= 20000), %.2fx the time of cat (target <= 3x)\n",
              epu.files / best_epu, hw, best_epu / cat_epu);

  boost::json::object out;
  out["benchmark"] = "extract";
  out["hardware_threads"] = hw;
  out["repeat"] = repeat;
  boost::json::array arr;
  for (const auto& r : rows) {
    boost::json::object o;
    o["corpus"] = r.corpus;
    o["reader"] = r.reader;
    o["threads"] = r.threads;
    o["files"] = r.files;
    o["bytes"] = r.bytes;
    o["seconds"] = r.seconds;
    o["files_per_s"] = r.files_per_s();
    o["mb_per_s"] = r.mb_per_s();
    arr.push_back(std::move(o));
  }
  out["results"] = std::move(arr);
  out["epu_files_per_s_best"] = epu.files / best_epu;
  out["epu_time_vs_cat"] = best_epu / cat_epu;
  fs::path results = fs::path(OPENEM_SOURCE_DIR) / "bench" / "results";
  fs::create_directories(results);
  std::ofstream(results / "extract.json") << ex::to_pretty_json(out);
  std::cerr << "wrote " << (results / "extract.json") << "\n";
  if (!keep) fs::remove_all(work);
  return 0;
}

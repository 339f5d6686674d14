// Extraction benchmark (issues 3 and 18): a synthetic EPU session of 20,000 per-movie XMLs,
// a SerialEM folder of 500 tilt series, both copied from the real samples, and one big
// SerialEM mdoc (200 MB of the real TS_41 sections repeated); files/s and MB/s on one and
// on all threads, next to `cat` reading the same files from the page cache. The big mdoc is
// extracted in a fresh process (this binary with --extract-once), which reports its own peak
// resident memory (VmHWM of its address space; the rusage of a spawned child would include
// the parent's pages from before exec).
// Prints a table and writes bench/results/extract.json.
//   openem_extract_bench [--epu N] [--tilt-series N] [--big-mdoc-mb N] [--work DIR] [--repeat N] [--keep]
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
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

// One SerialEM tilt-series mdoc of at least `megabytes` MB: TS_41's header, then its [ZValue]
// sections repeated with running section numbers (what a very long acquisition writes).
Corpus make_big_mdoc(const fs::path& root, std::size_t megabytes, const fs::path& shared) {
  std::ifstream in(shared / "oscem" / "osc-em_oscem-extractor-life" / "tests" / "mdocs" / "TS_41.mrc.mdoc",
                   std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t first = text.find("[ZValue");
  std::vector<std::string> sections;  // bodies after the "[ZValue = n]" line
  for (std::size_t pos = first; pos != std::string::npos;) {
    std::size_t next = text.find("[ZValue", pos + 1);
    std::string sec = text.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    sections.push_back(sec.substr(sec.find(']') + 1));
    pos = next;
  }
  Corpus c{root};
  fs::remove_all(root);
  fs::create_directories(root);
  fs::path file = root / "TS_big.mrc.mdoc";
  std::ofstream out(file, std::ios::binary);
  out << text.substr(0, first);
  std::uint64_t bytes = first;
  for (std::size_t n = 0; bytes < megabytes * 1000000; ++n) {
    std::string header = "[ZValue = " + std::to_string(n) + "]";
    const std::string& body = sections[n % sections.size()];
    out << header << body;
    bytes += header.size() + body.size();
  }
  out.close();
  c.files = 1;
  c.bytes = fs::file_size(file);
  return c;
}

// Peak resident set size of this process's address space (kB), from /proc/self/status.
long own_peak_rss_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

// Runs this binary with --extract-once PATH THREADS in a fresh process; returns its wall
// time and its peak resident set size (kB) as it reports them.
std::pair<double, long> extract_in_child(const std::string& self, const fs::path& path, unsigned threads) {
  fs::path report = path.parent_path() / "child_seconds.txt";
  std::string threads_text = std::to_string(threads);
  std::vector<std::string> args = {self, "--extract-once", path.string(), threads_text, report.string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv.data(), environ) != 0) return {0, 0};
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) std::cerr << "warning: --extract-once failed\n";
  double seconds = 0;
  long rss = 0;
  std::ifstream(report) >> seconds >> rss;
  return {seconds, rss};
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
  long peak_rss_kb = 0;  // measured only for the big mdoc (own process)
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
  if (argc == 5 && std::string(argv[1]) == "--extract-once") {  // child of extract_in_child
    ex::ExtractOptions o;
    o.threads = static_cast<unsigned>(std::stoul(argv[3]));
    auto t0 = std::chrono::steady_clock::now();
    ex::ExtractResult r = ex::extract_session(argv[2], o);
    double s = seconds_since(t0);
    std::ofstream(argv[4]) << s << ' ' << own_peak_rss_kb();
    return r.counts.mdoc_files == 1 ? 0 : 1;
  }
  std::size_t epu_files = 20000, tilt_series = 500, big_mdoc_mb = 200;
  int repeat = 3;
  bool keep = false;
  fs::path work = fs::temp_directory_path() / "openem-extract-bench";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--epu") epu_files = std::stoul(next());
    else if (a == "--tilt-series") tilt_series = std::stoul(next());
    else if (a == "--big-mdoc-mb") big_mdoc_mb = std::stoul(next());
    else if (a == "--work") work = next();
    else if (a == "--repeat") repeat = std::stoi(next());
    else if (a == "--keep") keep = true;
    else {
      std::cerr << "usage: openem_extract_bench [--epu N] [--tilt-series N] [--big-mdoc-mb N] [--work DIR] [--repeat N] "
                   "[--keep]\n";
      return 2;
    }
  }
  fs::path shared = fs::path(OPENEM_SHARED_DIR) / "testdata";
  unsigned hw = std::max(1u, std::thread::hardware_concurrency());

  std::cerr << "building corpora under " << work << " ...\n";
  Corpus epu = make_epu(work / "epu_session", epu_files, shared);
  Corpus sem = make_serialem(work / "serialem_session", tilt_series, shared);
  Corpus big = make_big_mdoc(work / "big_mdoc", big_mdoc_mb, shared);
  time_cat(epu.root, "*.xml");  // warm the page cache
  time_cat(sem.root, "*.mdoc");
  time_cat(big.root, "*.mdoc");

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
  {  // The big mdoc: one file, so one reader thread; each run in its own process.
    std::string self = fs::canonical("/proc/self/exe").string();
    fs::path file = big.root / "TS_big.mrc.mdoc";
    rows.push_back({"SerialEM big mdoc", "cat", 1, 1, big.bytes, best_of(repeat, [&] { return time_cat(big.root, "*.mdoc"); })});
    Row row{"SerialEM big mdoc", "openem extract", 1, 1, big.bytes, 1e300};
    for (int i = 0; i < repeat; ++i) {
      auto [s, rss] = extract_in_child(self, file, 1);
      row.seconds = std::min(row.seconds, s);
      row.peak_rss_kb = std::max(row.peak_rss_kb, rss);
    }
    rows.push_back(row);
  }

  std::printf("\n%-17s %-15s %7s %8s %9s %10s %9s %13s\n", "corpus", "reader", "threads", "files", "MB", "files/s",
              "MB/s", "peak RSS MB");
  for (const auto& r : rows) {
    std::printf("%-17s %-15s %7u %8zu %9.1f %10.0f %9.1f", r.corpus.c_str(), r.reader.c_str(), r.threads, r.files,
                r.bytes / 1e6, r.files_per_s(), r.mb_per_s());
    if (r.peak_rss_kb) std::printf(" %13.1f", r.peak_rss_kb / 1024.0);
    std::printf("\n");
  }
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
    if (r.peak_rss_kb) o["peak_rss_mb"] = r.peak_rss_kb / 1024.0;
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

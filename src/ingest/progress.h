#pragma once
// Progress: counters of one ingest phase (files, bytes) that worker threads bump, and a
// ticker that prints them every `interval` — a status line with rate and ETA on a terminal,
// or one JSON object per line (--json) for programs. Counters are atomic; all methods are
// thread-safe.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

namespace openem::ingest {

enum class ProgressStyle { kNone, kTerminal, kJson };

class Progress {
 public:
  Progress(ProgressStyle style, std::FILE* out, double interval_seconds = 0.5);
  ~Progress();

  // Starts a phase ("hash", "register", "upload") with its totals; ends the previous one.
  void begin(const std::string& phase, std::uint64_t files_total, std::uint64_t bytes_total);
  void add_bytes(std::uint64_t n) { bytes_.fetch_add(n, std::memory_order_relaxed); }
  void add_files(std::uint64_t n) { files_.fetch_add(n, std::memory_order_relaxed); }
  void end();  // prints the phase's final line
  // A one-off event: {"event": name, ...fields} in JSON mode, "name: text" otherwise.
  void event(const std::string& name, const std::string& json_fields, const std::string& text);

 private:
  void print(bool final);
  void loop();

  ProgressStyle style_;
  std::FILE* out_;
  double interval_;
  std::mutex mu_;  // guards phase_, totals, start_, output
  std::condition_variable cv_;
  std::string phase_;
  std::uint64_t files_total_ = 0, bytes_total_ = 0;
  std::atomic<std::uint64_t> files_{0}, bytes_{0};
  double start_ = 0;
  bool active_ = false, stop_ = false;
  std::thread ticker_;
};

std::string human_duration(double seconds);  // "1:02:03" / "2:03"

}  // namespace openem::ingest

#include "ingest/progress.h"

#include <chrono>
#include <cmath>

#include "core/human_bytes.h"

namespace openem::ingest {
namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string human_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  long t = std::lround(s);
  char buf[32];
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
  return buf;
}

Progress::Progress(ProgressStyle style, std::FILE* out, double interval) : style_(style), out_(out), interval_(interval) {
  if (style_ != ProgressStyle::kNone) ticker_ = std::thread([this] { loop(); });
}

Progress::~Progress() {
  end();
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

void Progress::begin(const std::string& phase, std::uint64_t files_total, std::uint64_t bytes_total) {
  end();
  std::lock_guard lock(mu_);
  phase_ = phase;
  files_total_ = files_total;
  bytes_total_ = bytes_total;
  files_ = 0;
  bytes_ = 0;
  start_ = now_seconds();
  active_ = true;
}

void Progress::end() {
  std::lock_guard lock(mu_);
  if (!active_) return;
  print(true);
  active_ = false;
}

void Progress::event(const std::string& name, const std::string& json_fields, const std::string& text) {
  std::lock_guard lock(mu_);
  if (style_ == ProgressStyle::kJson) {
    std::fprintf(out_, "{\"event\":\"%s\"%s%s}\n", name.c_str(), json_fields.empty() ? "" : ",", json_fields.c_str());
  } else if (style_ == ProgressStyle::kTerminal && !text.empty()) {
    std::fprintf(out_, "%s\n", text.c_str());
  }
  std::fflush(out_);
}

// Caller holds mu_.
void Progress::print(bool final) {
  if (style_ == ProgressStyle::kNone) return;
  double elapsed = std::max(1e-9, now_seconds() - start_);
  std::uint64_t files = files_.load(), bytes = bytes_.load();
  bool by_bytes = bytes_total_ > 0;
  double rate = (by_bytes ? bytes : files) / elapsed;
  double left = by_bytes ? double(bytes_total_ - std::min(bytes, bytes_total_))
                         : double(files_total_ - std::min(files, files_total_));
  double eta = rate > 0 ? left / rate : NAN;
  if (style_ == ProgressStyle::kJson) {
    std::fprintf(out_,
                 "{\"event\":\"progress\",\"phase\":\"%s\",\"files\":%llu,\"filesTotal\":%llu,\"bytes\":%llu,"
                 "\"bytesTotal\":%llu,\"elapsedSeconds\":%.3f,\"bytesPerSecond\":%.0f,\"filesPerSecond\":%.1f,"
                 "\"etaSeconds\":%s,\"final\":%s}\n",
                 phase_.c_str(), (unsigned long long)files, (unsigned long long)files_total_, (unsigned long long)bytes,
                 (unsigned long long)bytes_total_, elapsed, bytes / elapsed, files / elapsed,
                 std::isfinite(eta) ? std::to_string(static_cast<long long>(std::lround(eta))).c_str() : "null",
                 final ? "true" : "false");
  } else {
    std::string rate_text = by_bytes ? human_bytes(rate, 2) + "/s" : std::to_string(std::lround(rate)) + " files/s";
    std::fprintf(out_, "\r%-9s %llu/%llu files  %s/%s  %s  %s %s\x1b[K%s", phase_.c_str(), (unsigned long long)files,
                 (unsigned long long)files_total_, human_bytes(double(bytes), 2).c_str(),
                 human_bytes(double(bytes_total_), 2).c_str(), rate_text.c_str(), final ? "in" : "ETA",
                 human_duration(final ? elapsed : eta).c_str(), final ? "\n" : "");
  }
  std::fflush(out_);
}

void Progress::loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::duration<double>(style_ == ProgressStyle::kJson ? std::max(1.0, interval_) : interval_));
    if (!stop_ && active_) print(false);
  }
}

}  // namespace openem::ingest

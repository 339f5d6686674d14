#pragma once
// Helpers for the blob tests (and the upload tests above them): TempDir (testing/temp_dir.h)
// and FaultyFileSystem, the real file system with the faults
// of a real disk switched on by a test.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

#include "blob/file_system.h"
#include "testing/temp_dir.h"  // TempDir

namespace openem::testing {

inline void write_file(const std::filesystem::path& p, const std::string& content) {
  std::ofstream(p, std::ios::binary) << content;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The real file system until a fault is switched on. Faults apply to files whose name
// contains `only` ("" = every file):
//  - fail_writes_after(budget, e): writes go on until `budget` more bytes are written; the
//    write that crosses it is torn (the bytes within the budget land), then fails with e
//    (ENOSPC: a full disk), as does every write after it.
//  - fail_syncs(e): every fsync fails with e (EIO).
// heal() switches all faults off. Thread-safe.
class FaultyFileSystem : public FileSystem {
 public:
  void fail_writes_after(std::int64_t budget, int error, std::string only = "") {
    std::lock_guard lock(mu_);
    write_budget_ = budget;
    write_error_ = error;
    write_only_ = std::move(only);
  }
  void fail_syncs(int error, std::string only = "") {
    std::lock_guard lock(mu_);
    sync_error_ = error;
    sync_only_ = std::move(only);
  }
  void heal() {
    std::lock_guard lock(mu_);
    write_budget_ = -1;
    sync_error_ = 0;
  }
  int faults() {
    std::lock_guard lock(mu_);
    return faults_;
  }

  BlobStatus write_at(int fd, std::string_view bytes, std::int64_t offset, const std::string& name) override {
    std::string_view allowed = bytes;
    int error = take_budget(name, &allowed);
    if (BlobStatus s = real().write_at(fd, allowed, offset, name); !s.is_ok() || error == 0) return s;
    return BlobStatus::from_errno(error, "write of " + name + " failed");
  }
  BlobStatus write(int fd, std::string_view bytes, const std::string& name) override {
    std::string_view allowed = bytes;
    int error = take_budget(name, &allowed);
    if (BlobStatus s = real().write(fd, allowed, name); !s.is_ok() || error == 0) return s;
    return BlobStatus::from_errno(error, "write of " + name + " failed");
  }
  BlobStatus sync(int fd, const std::string& name) override {
    {
      std::lock_guard lock(mu_);
      if (sync_error_ != 0 && name.find(sync_only_) != std::string::npos) {
        ++faults_;
        return BlobStatus::from_errno(sync_error_, "fsync of " + name + " failed");
      }
    }
    return real().sync(fd, name);
  }
  BlobStatus truncate(int fd, std::int64_t length, const std::string& name) override {
    return real().truncate(fd, length, name);
  }

 private:
  static FileSystem& real() { return posix_file_system(); }
  // Cuts *bytes to what the budget allows; the error to report after writing that, or 0.
  int take_budget(const std::string& name, std::string_view* bytes) {
    std::lock_guard lock(mu_);
    if (write_budget_ < 0 || name.find(write_only_) == std::string::npos) return 0;
    if (static_cast<std::int64_t>(bytes->size()) <= write_budget_) {
      write_budget_ -= static_cast<std::int64_t>(bytes->size());
      return 0;
    }
    *bytes = bytes->substr(0, static_cast<std::size_t>(write_budget_));
    write_budget_ = 0;
    ++faults_;
    return write_error_;
  }

  std::mutex mu_;
  std::int64_t write_budget_ = -1;  // -1: no write fault
  int write_error_ = 0;
  std::string write_only_;
  int sync_error_ = 0;
  std::string sync_only_;
  int faults_ = 0;
};

}  // namespace openem::testing

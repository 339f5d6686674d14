#pragma once
// LineageIndex: every dataset's lineage links, access set and the few fields a lineage answer
// shows, in memory, so that a walk over 10,000 datasets is a walk over integers instead of two
// indexed reads per dataset (bench/README.md "lineage": the reads were over half of a walk's
// time and kept 10,000-node answers over 50 ms).
//
// Coherent with the catalog, also across processes (docs/lineage.md): every change to a
// dataset writes a history record in its own transaction, numbered in commit order
// (store/history.h). Before each walk the index reads the catalog's latest history number;
// when it is behind, it re-reads the datasets whose records came since (one indexed read of
// each), and when far behind (`rebuild_gap` records), it reads every dataset again. So a walk
// sees every write committed before it began, by any process, exactly as a store query would.
//
// Built on first use, not at start: a catalog that is never asked for lineage pays nothing.
// Memory: ~200 bytes per dataset plus its name, creation time and pid (bench/README.md).
#include <atomic>
#include <cstdint>
#include <deque>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/catalog_store.h"
#include "store/lineage_rows.h"

namespace openem {

class LineageIndex {
 public:
  static constexpr std::uint32_t kNone = UINT32_MAX;

  // One pid: a stored dataset, or a pid that a dataset names (as input or previous version)
  // and that is not stored, or no longer (exists false, every other field empty).
  struct Entry {
    const std::string* pid = nullptr;  // the key in the index's pid map (stable)
    bool exists = false;
    std::int64_t seq = 0;
    std::optional<std::string> dataset_name, creation_time;
    std::uint32_t type = kNone;                // into the shared strings
    bool is_published = false;
    std::optional<std::int64_t> version_number;
    std::vector<std::uint32_t> used_software;  // into the shared strings, in alphabetical order
    std::uint32_t access_set = kNone;          // into the access sets
    std::vector<std::uint32_t> inputs;         // entries of inputDatasets, in the order of their pids
    std::uint32_t previous = kNone;            // the entry of previousVersion
    std::vector<std::uint32_t> derived;        // entries naming this one as input or previous version
  };

  // What a walk reads, under a shared lock: writes wait until it is gone (walks take milliseconds).
  class View {
   public:
    std::optional<std::uint32_t> find(std::string_view pid) const;
    const Entry& entry(std::uint32_t id) const { return index_->entries_[id]; }
    const std::string& access_set(std::uint32_t id) const { return index_->access_sets_[id]; }
    std::size_t access_set_count() const { return index_->access_sets_.size(); }
    // The entry as a lineage answer shows it (no links, no access set).
    LineageNode node(std::uint32_t id) const;

   private:
    friend class LineageIndex;
    View(const LineageIndex* index, std::shared_lock<std::shared_mutex> lock) : index_(index), lock_(std::move(lock)) {}
    const LineageIndex* index_;
    std::shared_lock<std::shared_mutex> lock_;
  };

  explicit LineageIndex(CatalogStore& store, std::int64_t rebuild_gap = 20000)
      : store_(store), rebuild_gap_(rebuild_gap) {}

  // The index as of now: it first takes in what the catalog's history says changed since the
  // last call (or reads every dataset, the first time). Store errors pass through, and the
  // next call reads everything again.
  View current();

  // How often it read every dataset, and how many datasets it re-read after changes (tests).
  std::int64_t rebuilds() const { return rebuilds_; }
  std::int64_t rereads() const { return rereads_; }

 private:
  void catch_up(std::int64_t latest);
  void rebuild();
  void reread(const std::vector<std::string>& pids);
  std::uint32_t entry_for(const std::string& pid);
  std::uint32_t intern(std::vector<std::string>& table, std::unordered_map<std::string, std::uint32_t>& ids,
                       const std::string& value);
  void put(LineageNode&& node);
  void forget(const std::string& pid);
  void unlink(std::uint32_t id);

  CatalogStore& store_;
  const std::int64_t rebuild_gap_;
  mutable std::shared_mutex mu_;
  std::atomic<std::int64_t> applied_{-1};  // the history number it holds every change up to; -1: not built
  std::unordered_map<std::string, std::uint32_t> by_pid_;
  std::deque<Entry> entries_;  // a deque: put() keeps references to entries while it adds others
  std::vector<std::string> strings_, access_sets_;
  std::unordered_map<std::string, std::uint32_t> string_ids_, access_set_ids_;
  std::atomic<std::int64_t> rebuilds_{0}, rereads_{0};
};

}  // namespace openem

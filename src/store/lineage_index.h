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
// each), and when more than `rebuild_after` datasets changed, it reads every dataset again.
// So a walk sees every write committed before it began, by any process, as a store query would.
//
// `openem serve` builds it in the background at start (cli/serve_command.cpp: the portal shows
// a lineage on every dataset page); otherwise the first walk does.
// Memory: ~300 bytes a dataset with short pids and names (bench/README.md "lineage").
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
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

  // The index proper: every pid's entry, the pid map and the shared strings. Only
  // LineageIndex changes it: a rebuild fills a new one beside the one walks use and swaps it
  // in; a catch-up applies its changes under the exclusive lock.
  struct Graph {
    std::unordered_map<std::string, std::uint32_t> by_pid;
    std::deque<Entry> entries;  // a deque: put() keeps references to entries while it adds others
    std::vector<std::string> strings, access_sets;
    std::unordered_map<std::string, std::uint32_t> string_ids, access_set_ids;

    void put(LineageNode&& node);        // a stored dataset as it is now
    void forget(const std::string& pid);  // a dataset no longer stored

   private:
    std::uint32_t entry_for(const std::string& pid);
    void unlink(std::uint32_t id);
  };

  // What a walk reads, under a shared lock: a change taken in waits until it is gone (walks
  // take milliseconds).
  class View {
   public:
    std::optional<std::uint32_t> find(std::string_view pid) const;
    const Entry& entry(std::uint32_t id) const { return graph_->entries[id]; }
    const std::string& access_set(std::uint32_t id) const { return graph_->access_sets[id]; }
    std::size_t access_set_count() const { return graph_->access_sets.size(); }
    // The entry as a lineage answer shows it (no links, no access set).
    LineageNode node(std::uint32_t id) const;

   private:
    friend class LineageIndex;
    View(const Graph* graph, std::shared_lock<std::shared_mutex> lock) : graph_(graph), lock_(std::move(lock)) {}
    const Graph* graph_;
    std::shared_lock<std::shared_mutex> lock_;
  };

  // rebuild_after: when more datasets than this changed since the last walk, every dataset is
  // read again instead of each changed one.
  explicit LineageIndex(CatalogStore& store, std::size_t rebuild_after = 20000)
      : store_(store), rebuild_after_(rebuild_after) {}

  // The index as of now: it first takes in what the catalog's history says changed since the
  // last call (or reads every dataset, the first time). The store is read before anything
  // changes in memory, so a store error (passed through) leaves the index whole, as of its
  // last catch-up; walks go on meanwhile and wait only while the change is applied.
  View current();

  // How often it read every dataset, and how many datasets it re-read after changes (tests).
  std::int64_t rebuilds() const { return rebuilds_; }
  std::int64_t rereads() const { return rereads_; }

 private:
  void catch_up(std::int64_t latest);

  CatalogStore& store_;
  const std::size_t rebuild_after_;
  std::mutex catch_up_mu_;        // one catch-up at a time; walks go on while it reads the store
  mutable std::shared_mutex mu_;  // walks share it; applying a change takes it alone
  std::unique_ptr<Graph> graph_;
  std::atomic<std::int64_t> applied_{-1};  // the history number it holds every change up to; -1: not built
  std::atomic<std::int64_t> rebuilds_{0}, rereads_{0};
};

}  // namespace openem

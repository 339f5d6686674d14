#include "store/lineage_index.h"

#include <algorithm>
#include <mutex>
#include <set>

#include "store/history.h"

namespace openem {
namespace {

constexpr std::int64_t kPage = 5000;  // datasets per read, when reading them all or re-reading changed ones

}  // namespace

std::optional<std::uint32_t> LineageIndex::View::find(std::string_view pid) const {
  auto it = index_->by_pid_.find(std::string(pid));
  if (it == index_->by_pid_.end()) return std::nullopt;
  return it->second;
}

LineageNode LineageIndex::View::node(std::uint32_t id) const {
  const Entry& e = entry(id);
  LineageNode out;
  out.seq = e.seq;
  out.pid = *e.pid;
  out.dataset_name = e.dataset_name;
  if (e.type != kNone) out.type = index_->strings_[e.type];
  out.creation_time = e.creation_time;
  out.is_published = e.is_published;
  out.version_number = e.version_number;
  out.used_software.reserve(e.used_software.size());
  for (std::uint32_t s : e.used_software) out.used_software.push_back(index_->strings_[s]);
  return out;
}

LineageIndex::View LineageIndex::current() {
  const std::int64_t latest = store_.latest_history_seq();
  if (applied_.load() < latest) {
    std::unique_lock lock(mu_);
    if (applied_.load() < latest) {
      try {
        catch_up(latest);
      } catch (...) {
        applied_ = -1;  // half taken in: read everything next time
        throw;
      }
    }
  }
  return View(this, std::shared_lock(mu_));
}

void LineageIndex::catch_up(std::int64_t latest) {
  const std::int64_t from = applied_.load();
  if (from < 0 || latest - from > rebuild_gap_) {
    rebuild();  // every dataset as it is now: at least as new as `latest`, read before
    applied_ = latest;
    return;
  }
  // The datasets changed since: their records, in pages (records of other collections are
  // skipped by the store, not returned).
  std::set<std::string> changed;
  HistoryFeedQuery q;
  q.subsystems = {{&schemas::datasets(), std::nullopt}};
  q.up_to_seq = latest;
  q.limit = 1000;
  for (std::int64_t after = from; after < latest;) {
    q.after_seq = after;
    HistoryFeedPage page = store_.history_feed(q);
    for (auto& record : page.records) changed.insert(std::move(record.document_id));
    if (page.scanned_to <= after) break;
    after = page.scanned_to;
  }
  std::vector<std::string> batch;
  for (auto it = changed.begin(); it != changed.end(); ++it) {
    batch.push_back(*it);
    if (batch.size() == static_cast<std::size_t>(kPage) || std::next(it) == changed.end()) {
      reread(batch);
      batch.clear();
    }
  }
  applied_ = latest;
}

void LineageIndex::rebuild() {
  by_pid_.clear();
  entries_.clear();
  strings_.clear();
  access_sets_.clear();
  string_ids_.clear();
  access_set_ids_.clear();
  LineageNodesQuery q;
  q.all = true;
  q.limit = kPage;
  for (;;) {
    std::vector<LineageNode> page = store_.lineage_nodes(q);
    if (page.empty()) break;
    q.after_seq = page.back().seq;
    for (auto& node : page) put(std::move(node));
  }
  ++rebuilds_;
}

void LineageIndex::reread(const std::vector<std::string>& pids) {
  LineageNodesQuery q;
  q.pids = pids;
  std::set<std::string_view> stored;
  std::vector<LineageNode> nodes = store_.lineage_nodes(q);
  for (const auto& node : nodes) stored.insert(node.pid);
  for (const auto& pid : pids)
    if (!stored.count(pid)) forget(pid);
  for (auto& node : nodes) put(std::move(node));
  rereads_ += static_cast<std::int64_t>(pids.size());
}

std::uint32_t LineageIndex::entry_for(const std::string& pid) {
  auto [it, added] = by_pid_.try_emplace(pid, static_cast<std::uint32_t>(entries_.size()));
  if (added) entries_.emplace_back().pid = &it->first;
  return it->second;
}

std::uint32_t LineageIndex::intern(std::vector<std::string>& table, std::unordered_map<std::string, std::uint32_t>& ids,
                                   const std::string& value) {
  auto [it, added] = ids.try_emplace(value, static_cast<std::uint32_t>(table.size()));
  if (added) table.push_back(value);
  return it->second;
}

void LineageIndex::unlink(std::uint32_t id) {
  Entry& e = entries_[id];
  auto drop_from = [&](std::uint32_t linked) {
    auto& derived = entries_[linked].derived;
    derived.erase(std::remove(derived.begin(), derived.end(), id), derived.end());
  };
  for (std::uint32_t input : e.inputs) drop_from(input);
  if (e.previous != kNone) drop_from(e.previous);
  e.inputs.clear();
  e.previous = kNone;
}

void LineageIndex::put(LineageNode&& node) {
  const std::uint32_t id = entry_for(node.pid);
  unlink(id);
  std::vector<std::uint32_t> inputs;
  inputs.reserve(node.input_datasets.size());
  for (const auto& input : node.input_datasets) inputs.push_back(entry_for(input));
  const std::uint32_t previous = node.previous_version.empty() ? kNone : entry_for(node.previous_version);
  Entry& e = entries_[id];  // (entry_for adds to the deque, which keeps references)
  e.exists = true;
  e.seq = node.seq;
  e.dataset_name = std::move(node.dataset_name);
  e.creation_time = std::move(node.creation_time);
  e.type = node.type ? intern(strings_, string_ids_, *node.type) : kNone;
  e.is_published = node.is_published;
  e.version_number = node.version_number;
  e.used_software.clear();
  for (const auto& software : node.used_software) e.used_software.push_back(intern(strings_, string_ids_, software));
  e.access_set = intern(access_sets_, access_set_ids_, node.access_set);
  e.inputs = std::move(inputs);
  e.previous = previous;
  for (std::uint32_t input : e.inputs) entries_[input].derived.push_back(id);
  if (previous != kNone) entries_[previous].derived.push_back(id);
}

void LineageIndex::forget(const std::string& pid) {
  auto it = by_pid_.find(pid);
  if (it == by_pid_.end()) return;
  const std::uint32_t id = it->second;
  unlink(id);
  Entry& e = entries_[id];  // stays: others may still name the pid (their walks show it hidden)
  std::vector<std::uint32_t> derived = std::move(e.derived);
  const std::string* key = e.pid;
  e = Entry{};
  e.pid = key;
  e.derived = std::move(derived);
}

}  // namespace openem

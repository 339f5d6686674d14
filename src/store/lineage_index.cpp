#include "store/lineage_index.h"

#include <algorithm>
#include <set>

#include "store/history.h"

namespace openem {
namespace {

constexpr std::int64_t kPage = 5000;  // datasets per read, when reading them all or re-reading changed ones

std::uint32_t intern(std::vector<std::string>& table, std::unordered_map<std::string, std::uint32_t>& ids,
                     const std::string& value) {
  auto [it, added] = ids.try_emplace(value, static_cast<std::uint32_t>(table.size()));
  if (added) table.push_back(value);
  return it->second;
}

}  // namespace

std::uint32_t LineageIndex::Graph::entry_for(const std::string& pid) {
  auto [it, added] = by_pid.try_emplace(pid, static_cast<std::uint32_t>(entries.size()));
  if (added) entries.emplace_back().pid = &it->first;  // map nodes stay put: the pointer holds
  return it->second;
}

// Drops the entry's links (and itself from the derived lists of what it named).
void LineageIndex::Graph::unlink(std::uint32_t id) {
  Entry& e = entries[id];
  auto drop_from = [&](std::uint32_t linked) {
    auto& derived = entries[linked].derived;
    derived.erase(std::remove(derived.begin(), derived.end(), id), derived.end());
  };
  for (std::uint32_t input : e.inputs) drop_from(input);
  if (e.previous != kNone) drop_from(e.previous);
  e.inputs.clear();
  e.previous = kNone;
}

void LineageIndex::Graph::put(LineageNode&& node) {
  const std::uint32_t id = entry_for(node.pid);
  unlink(id);
  std::vector<std::uint32_t> inputs;
  inputs.reserve(node.input_datasets.size());
  for (const auto& input : node.input_datasets) inputs.push_back(entry_for(input));
  const std::uint32_t previous = node.previous_version.empty() ? kNone : entry_for(node.previous_version);
  Entry& e = entries[id];  // (entry_for adds to the deque, which keeps references)
  e.exists = true;
  e.seq = node.seq;
  e.dataset_name = std::move(node.dataset_name);
  e.creation_time = std::move(node.creation_time);
  e.type = node.type ? intern(strings, string_ids, *node.type) : kNone;
  e.is_published = node.is_published;
  e.version_number = node.version_number;
  e.used_software.clear();
  for (const auto& software : node.used_software) e.used_software.push_back(intern(strings, string_ids, software));
  e.access_set = intern(access_sets, access_set_ids, node.access_set);
  e.inputs = std::move(inputs);
  e.previous = previous;
  for (std::uint32_t input : e.inputs) entries[input].derived.push_back(id);
  if (previous != kNone) entries[previous].derived.push_back(id);
}

// The entry stays: others may still name the pid (their walks show it hidden).
void LineageIndex::Graph::forget(const std::string& pid) {
  auto it = by_pid.find(pid);
  if (it == by_pid.end()) return;
  const std::uint32_t id = it->second;
  unlink(id);
  Entry& e = entries[id];
  std::vector<std::uint32_t> derived = std::move(e.derived);
  const std::string* key = e.pid;
  e = Entry{};
  e.pid = key;
  e.derived = std::move(derived);
}

std::optional<std::uint32_t> LineageIndex::View::find(std::string_view pid) const {
  auto it = graph_->by_pid.find(std::string(pid));
  if (it == graph_->by_pid.end()) return std::nullopt;
  return it->second;
}

LineageNode LineageIndex::View::node(std::uint32_t id) const {
  const Entry& e = entry(id);
  LineageNode out;
  out.seq = e.seq;
  out.pid = *e.pid;
  out.dataset_name = e.dataset_name;
  if (e.type != kNone) out.type = graph_->strings[e.type];
  out.creation_time = e.creation_time;
  out.is_published = e.is_published;
  out.version_number = e.version_number;
  out.used_software.reserve(e.used_software.size());
  for (std::uint32_t s : e.used_software) out.used_software.push_back(graph_->strings[s]);
  return out;
}

LineageIndex::View LineageIndex::current() {
  const std::int64_t latest = store_.latest_history_seq();
  if (applied_.load() < latest) {
    std::lock_guard one_at_a_time(catch_up_mu_);
    if (applied_.load() < latest) catch_up(latest);
  }
  std::shared_lock walking(mu_);  // first: a rebuild swaps graph_ under the exclusive lock
  return View(graph_.get(), std::move(walking));
}

void LineageIndex::catch_up(std::int64_t latest) {
  // The datasets changed since the last catch-up, from their history records (the store skips
  // other collections' records). Too many, or never built: every dataset is read instead.
  std::set<std::string> changed;
  bool rebuild = applied_.load() < 0;
  if (!rebuild) {
    HistoryFeedQuery q;
    q.subsystems = {{&schemas::datasets(), std::nullopt}};
    q.up_to_seq = latest;
    q.limit = 1000;
    for (std::int64_t after = applied_.load(); after < latest && !rebuild;) {
      q.after_seq = after;
      HistoryFeedPage page = store_.history_feed(q);
      for (auto& record : page.records) changed.insert(std::move(record.document_id));
      rebuild = changed.size() > rebuild_after_;
      if (page.scanned_to <= after) break;
      after = page.scanned_to;
    }
  }
  if (rebuild) {
    // Every dataset as it is now, at least as new as `latest` (read before), into a new graph
    // that walks do not see until it is whole.
    auto fresh = std::make_unique<Graph>();
    LineageNodesQuery q;
    q.all = true;
    q.limit = kPage;
    for (;;) {
      std::vector<LineageNode> page = store_.lineage_nodes(q);
      if (page.empty()) break;
      q.after_seq = page.back().seq;
      for (auto& node : page) fresh->put(std::move(node));
    }
    {
      std::unique_lock lock(mu_);
      graph_.swap(fresh);
      applied_ = latest;
    }
    ++rebuilds_;
    return;  // (the old graph is freed here, after the lock: walks do not wait for that)
  }
  // Each changed dataset as it is now (absent: deleted), all read before any is applied.
  std::vector<std::string> pids(changed.begin(), changed.end());
  std::vector<LineageNode> stored;
  for (std::size_t i = 0; i < pids.size(); i += kPage) {
    LineageNodesQuery q;
    q.pids.assign(pids.begin() + static_cast<std::ptrdiff_t>(i),
                  pids.begin() + static_cast<std::ptrdiff_t>(std::min(pids.size(), i + static_cast<std::size_t>(kPage))));
    for (auto& node : store_.lineage_nodes(q)) stored.push_back(std::move(node));
  }
  std::set<std::string> still_stored;
  for (const auto& node : stored) still_stored.insert(node.pid);
  std::unique_lock lock(mu_);
  for (const auto& pid : pids)
    if (!still_stored.count(pid)) graph_->forget(pid);
  for (auto& node : stored) graph_->put(std::move(node));
  applied_ = latest;
  rereads_ += static_cast<std::int64_t>(pids.size());
}

}  // namespace openem

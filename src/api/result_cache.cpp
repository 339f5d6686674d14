#include "api/result_cache.h"

namespace openem {

std::optional<std::string> ResultCache::get(const std::string& key, std::uint64_t generation) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.generation != generation) return std::nullopt;
  return it->second.value;
}

void ResultCache::put(const std::string& key, std::uint64_t generation, std::string value) {
  std::lock_guard lock(mu_);
  if (entries_.size() >= max_entries_) {
    // Entries of an older generation are useless; if none, start over (simple and bounded).
    std::erase_if(entries_, [&](const auto& e) { return e.second.generation != generation; });
    if (entries_.size() >= max_entries_) entries_.clear();
  }
  entries_[key] = Entry{generation, std::move(value)};
}

}  // namespace openem

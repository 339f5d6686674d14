#include "model/access_set.h"

#include <algorithm>
#include <charconv>

namespace openem {
namespace {

// Calls fn(member) for each member of key, in order; stops early when fn returns true or
// the key is malformed. Returns whether fn did.
template <typename Fn>
bool for_each_member(std::string_view key, Fn&& fn) {
  while (!key.empty()) {
    std::size_t colon = key.find(':');
    if (colon == std::string_view::npos) return false;
    std::size_t n = 0;
    auto [end, ec] = std::from_chars(key.data(), key.data() + colon, n);
    if (ec != std::errc() || end != key.data() + colon || n > key.size() - colon - 1) return false;
    if (fn(key.substr(colon + 1, n))) return true;
    key.remove_prefix(colon + 1 + n);
  }
  return false;
}

}  // namespace

std::string access_set_key(std::vector<std::string> members) {
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
  std::string key;
  for (const auto& m : members) key += std::to_string(m.size()) + ':' + m;
  return key;
}

std::vector<std::string_view> access_set_members(std::string_view key) {
  std::vector<std::string_view> out;
  for_each_member(key, [&](std::string_view m) {
    out.push_back(m);
    return false;
  });
  return out;
}

bool access_set_meets(std::string_view key, const std::vector<std::string_view>& readers) {
  return for_each_member(key, [&](std::string_view m) { return std::binary_search(readers.begin(), readers.end(), m); });
}

}  // namespace openem

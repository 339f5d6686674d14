#include "store/access_facet_counts.h"

#include <boost/json.hpp>

#include <algorithm>
#include <mutex>
#include <stdexcept>

#include "model/access_set.h"

namespace openem {
namespace json = boost::json;
namespace {

// SQLite's order of values: NULL, then numbers (booleans are 0/1), then text by bytes.
int kind_rank(const json::value& v) {
  if (v.is_null()) return 0;
  if (v.is_number() || v.is_bool()) return 1;
  if (v.is_string()) return 2;
  return 3;
}
double as_number(const json::value& v) { return v.is_bool() ? (v.get_bool() ? 1.0 : 0.0) : v.to_number<double>(); }

bool sqlite_less(const json::value& a, const json::value& b) {
  int ra = kind_rank(a), rb = kind_rank(b);
  if (ra != rb) return ra < rb;
  if (ra == 1) return as_number(a) < as_number(b);
  if (ra == 2) return a.get_string() < b.get_string();
  return false;
}

}  // namespace

void FacetCountDelta::add(const CountedDocument& doc, int sign) {
  Set& s = sets_[doc.access_set];
  if (s.per_field.size() < doc.values.size()) s.per_field.resize(doc.values.size());
  s.total += sign;
  for (std::size_t f = 0; f < doc.values.size(); ++f)
    for (const auto& v : doc.values[f]) s.per_field[f][json::serialize(v)] += sign;
}

void FacetCountDelta::merge(const FacetCountDelta& other) {
  for (const auto& [key, o] : other.sets_) {
    Set& s = sets_[key];
    s.total += o.total;
    if (s.per_field.size() < o.per_field.size()) s.per_field.resize(o.per_field.size());
    for (std::size_t f = 0; f < o.per_field.size(); ++f)
      for (const auto& [k, n] : o.per_field[f]) s.per_field[f][k] += n;
  }
}

json::value FacetCountDelta::to_json() const {
  json::object out;
  for (const auto& [key, s] : sets_) {
    json::array fields;
    for (const auto& counts : s.per_field) {
      json::object f;
      for (const auto& [k, n] : counts)
        if (n != 0) f[k] = n;
      fields.push_back(std::move(f));
    }
    out[key] = json::array{s.total, std::move(fields)};
  }
  return out;
}

FacetCountDelta FacetCountDelta::from_json(const json::value& v) {
  auto bad = [] { return std::invalid_argument("FacetCountDelta: not a delta's JSON"); };
  if (!v.is_object()) throw bad();
  FacetCountDelta d;
  for (const auto& [key, entry] : v.get_object()) {
    const json::array* pair = entry.if_array();
    if (!pair || pair->size() != 2 || !(*pair)[0].is_int64() || !(*pair)[1].is_array()) throw bad();
    Set& s = d.sets_[std::string(key)];
    s.total = (*pair)[0].get_int64();
    for (const auto& f : (*pair)[1].get_array()) {
      if (!f.is_object()) throw bad();
      auto& counts = s.per_field.emplace_back();
      for (const auto& [k, n] : f.get_object()) {
        if (!n.is_int64()) throw bad();
        counts[std::string(k)] = n.get_int64();
      }
    }
  }
  return d;
}

AccessFacetCounts::AccessFacetCounts(std::vector<std::string> fields)
    : fields_(std::move(fields)), key_ids_(fields_.size()), keys_(fields_.size()), everything_(fields_.size()) {
  if (fields_.size() > kMaxFields) throw std::logic_error("AccessFacetCounts: too many counted fields");
}

void AccessFacetCounts::add_to(Set& set, std::uint32_t slot, std::int64_t n) {
  auto it = std::lower_bound(set.entries.begin(), set.entries.end(), slot,
                             [](const Entry& e, std::uint32_t s) { return e.slot < s; });
  if (it == set.entries.end() || it->slot != slot) it = set.entries.insert(it, {slot, 0});
  it->count = static_cast<std::int32_t>(it->count + n);
  if (it->count == 0) set.entries.erase(it);
}

std::uint32_t AccessFacetCounts::key_id(std::size_t field, const std::string& key) {
  auto [it, added] = key_ids_[field].emplace(key, static_cast<std::uint32_t>(keys_[field].size()));
  if (added) {
    if (keys_[field].size() >= (1u << kKeyBits)) throw std::length_error("AccessFacetCounts: too many facet keys");
    keys_[field].push_back(key);
    everything_[field].push_back(0);
  }
  return it->second;
}

void AccessFacetCounts::apply(const FacetCountDelta& delta) {
  std::unique_lock lock(mu_);
  for (const auto& [set_key, d] : delta.sets_) {
    auto [it, added] = set_ids_.emplace(set_key, static_cast<std::uint32_t>(sets_.size()));
    if (added) {
      sets_.emplace_back();
      for (std::string_view value : access_set_members(set_key)) {
        auto [v, new_value] = value_ids_.emplace(std::string(value), static_cast<std::uint32_t>(sets_with_value_.size()));
        if (new_value) sets_with_value_.emplace_back();
        sets_with_value_[v->second].push_back(it->second);
      }
    }
    Set& set = sets_[it->second];
    set.total += d.total;
    everything_total_ += d.total;
    for (std::size_t f = 0; f < d.per_field.size() && f < fields_.size(); ++f)
      for (const auto& [key, n] : d.per_field[f]) {
        if (n == 0) continue;
        std::uint32_t id = key_id(f, key);
        add_to(set, static_cast<std::uint32_t>(f) << kKeyBits | id, n);
        everything_[f][id] += n;
      }
  }
}

std::optional<FacetCounts> AccessFacetCounts::count(const AccessValues& readers, const std::vector<std::string>& facets,
                                                    std::int64_t max_buckets) const {
  std::vector<std::size_t> index;
  for (const auto& f : facets) {
    auto it = std::find(fields_.begin(), fields_.end(), f);
    if (it == fields_.end()) return std::nullopt;
    index.push_back(static_cast<std::size_t>(it - fields_.begin()));
  }
  FacetCounts out;
  std::vector<std::vector<std::int64_t>> sums(facets.size());  // per facet, by key id
  {
    std::shared_lock lock(mu_);
    std::vector<int> facet_of(fields_.size(), -1);  // a field asked for twice is summed once, then copied
    for (std::size_t i = 0; i < index.size(); ++i) {
      if (facet_of[index[i]] < 0) facet_of[index[i]] = static_cast<int>(i);
      sums[i].assign(keys_[index[i]].size(), 0);
    }
    if (readers.everything) {
      out.total = everything_total_;
      for (std::size_t i = 0; i < index.size(); ++i) sums[i] = everything_[index[i]];
    } else {
      std::vector<bool> seen(sets_.size());  // a set carrying two of the reader's values counts once
      for (const auto& value : readers.values) {
        auto v = value_ids_.find(value);
        if (v == value_ids_.end()) continue;
        for (std::uint32_t id : sets_with_value_[v->second]) {
          if (seen[id]) continue;
          seen[id] = true;
          const Set& set = sets_[id];
          out.total += set.total;
          for (const Entry& e : set.entries) {
            int i = facet_of[e.slot >> kKeyBits];
            if (i >= 0) sums[static_cast<std::size_t>(i)][e.slot & kKeyMask] += e.count;
          }
        }
      }
      for (std::size_t i = 0; i < index.size(); ++i)
        if (facet_of[index[i]] != static_cast<int>(i)) sums[i] = sums[static_cast<std::size_t>(facet_of[index[i]])];
    }
    for (std::size_t i = 0; i < index.size(); ++i) {
      std::vector<FacetBucket> buckets;
      for (std::size_t key = 0; key < sums[i].size(); ++key)
        if (sums[i][key] != 0) buckets.push_back({json::parse(keys_[index[i]][key]), sums[i][key]});
      std::sort(buckets.begin(), buckets.end(), [](const FacetBucket& a, const FacetBucket& b) {
        if (a.count != b.count) return a.count > b.count;
        return sqlite_less(a.key, b.key);
      });
      if (static_cast<std::int64_t>(buckets.size()) > max_buckets) buckets.resize(static_cast<std::size_t>(max_buckets));
      out.buckets.push_back(std::move(buckets));
    }
  }
  return out;
}

std::size_t AccessFacetCounts::access_sets() const {
  std::shared_lock lock(mu_);
  return static_cast<std::size_t>(std::count_if(sets_.begin(), sets_.end(), [](const Set& set) { return set.total != 0; }));
}

}  // namespace openem

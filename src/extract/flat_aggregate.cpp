#include "extract/flat_aggregate.h"

#include <algorithm>
#include <cmath>

#include "extract/text_util.h"

namespace openem::extract {

std::optional<KeyKind> FlatAggregate::admit(KeyKind kind) {
  if (kind == KeyKind::kKnown && known_keys_ < kMaxKnownKeys) {
    ++known_keys_;
    return KeyKind::kKnown;
  }
  if (file_keys_ < kMaxKeys) {
    ++file_keys_;
    return KeyKind::kFile;
  }
  return std::nullopt;
}

void FlatAggregate::note_dropped(std::string_view key, std::uint64_t samples) {
  dropped_ += samples;
  // Keep the alphabetically first few names: the same list whatever order keys come in.
  auto pos = std::lower_bound(dropped_keys_.begin(), dropped_keys_.end(), key);
  if (pos != dropped_keys_.end() && *pos == key) return;
  if (dropped_keys_.size() == kDroppedKeyExamples) {
    if (pos == dropped_keys_.end()) return;
    dropped_keys_.pop_back();
  }
  dropped_keys_.insert(pos, std::string(key));
}

KeyStats& FlatAggregate::slot(std::string_view key, KeyKind kind) {
  auto it = stats_.find(key);
  if (it != stats_.end()) return it->second;
  auto budget = admit(kind);
  if (!budget) {
    note_dropped(key, 1);
    overflow_ = KeyStats{};
    return overflow_;
  }
  KeyStats& s = stats_.emplace(std::string(key), KeyStats{}).first->second;
  s.kind = *budget;
  return s;
}

void FlatAggregate::reset() {
  dropped_ = 0;
  dropped_keys_.clear();
  if (stats_.size() > 512) {
    stats_.clear();
    file_keys_ = known_keys_ = 0;
    return;
  }
  for (auto& [key, s] : stats_) {
    s.first.clear();
    s.all_equal = true;
    s.count = s.numeric = s.times = 0;
    s.min = std::numeric_limits<double>::infinity();
    s.max = -std::numeric_limits<double>::infinity();
    s.sum = 0;
  }
}

namespace {

void note_text(KeyStats& s, std::string_view value) {
  if (s.count == 0) s.first.assign(value);
  else if (s.all_equal && s.first != value) s.all_equal = false;
  ++s.count;
}

void note_number(KeyStats& s, double v) {
  if (!std::isfinite(v)) return;
  ++s.numeric;
  if (v < s.min) s.min = v;
  if (v > s.max) s.max = v;
  s.sum += v;
}

}  // namespace

void FlatAggregate::add(std::string_view key, std::string_view value, KeyKind kind) {
  KeyStats& s = slot(key, kind);
  note_text(s, value);
  if (auto v = parse_number(value)) note_number(s, *v);
}

void FlatAggregate::add_number(std::string_view key, double value, KeyKind kind) {
  KeyStats& s = slot(key, kind);
  note_text(s, format_number(value));
  note_number(s, value);
}

void FlatAggregate::add_time(std::string_view key, std::string_view text, const AcquisitionTime& t, KeyKind kind) {
  KeyStats& s = slot(key, kind);
  note_text(s, text);
  if (s.times == 0 || t < s.earliest) s.earliest = t;
  if (s.times == 0 || s.latest < t) s.latest = t;
  ++s.times;
}

void FlatAggregate::merge(const FlatAggregate& later) {
  dropped_ += later.dropped_;
  for (const auto& key : later.dropped_keys_) note_dropped(key, 0);
  for (const auto& [key, b] : later.stats_) {
    if (b.count == 0) continue;  // a key of a reset scratch aggregate with no sample now
    auto it = stats_.find(key);
    if (it == stats_.end()) {
      auto budget = admit(b.kind);
      if (!budget) {
        note_dropped(key, b.count);
        continue;
      }
      stats_.emplace(key, b).first->second.kind = *budget;
      continue;
    }
    KeyStats& a = it->second;
    if (a.count == 0) {
      a.first = b.first;
      a.all_equal = b.all_equal;
    } else if (b.count > 0) {
      a.all_equal = a.all_equal && b.all_equal && a.first == b.first;
    }
    a.count += b.count;
    a.numeric += b.numeric;
    if (b.min < a.min) a.min = b.min;
    if (b.max > a.max) a.max = b.max;
    a.sum += b.sum;
    if (b.times) {
      if (a.times == 0 || b.earliest < a.earliest) a.earliest = b.earliest;
      if (a.times == 0 || a.latest < b.latest) a.latest = b.latest;
      a.times += b.times;
    }
  }
}

const KeyStats* FlatAggregate::find(std::string_view key) const {
  auto it = stats_.find(key);
  return it == stats_.end() || it->second.count == 0 ? nullptr : &it->second;
}

std::vector<std::string> FlatAggregate::keys_ending_with(std::string_view suffix) const {
  std::vector<std::string> out;
  for (const auto& [key, s] : stats_)
    if (s.count > 0 && std::string_view(key).ends_with(suffix)) out.push_back(key);
  std::sort(out.begin(), out.end());
  return out;
}

std::map<std::string, std::string> FlatAggregate::flat_view() const {
  std::map<std::string, std::string> out;
  for (const auto& [key, s] : stats_) {
    if (s.count == 0) continue;
    if (s.times > 0) {
      out[key + "_start"] = format_rfc3339(s.earliest);
      out[key + "_end"] = format_rfc3339(s.latest);
    } else if (s.all_equal) {
      out[key] = s.first;
    } else if (s.all_numeric()) {
      out[key + "_min"] = format_number(s.min);
      out[key + "_max"] = format_number(s.max);
    } else {
      out[key] = s.first;
    }
  }
  return out;
}

}  // namespace openem::extract

#include "extract/summary_reader.h"

#include <algorithm>
#include <cmath>

#include "extract/text_util.h"

namespace openem::extract {

std::string Conflict::describe() const {
  std::string out = field + " differs between " + kind + ":";
  for (std::size_t i = 0; i < values.size(); ++i) {
    out += i ? ", " : " ";
    out += values[i].first + " " + values[i].second;
  }
  return out + "; left out, not averaged";
}

SummaryReader::SummaryReader(const FlatAggregate& a, SummaryDiagnostics diag, const ConstantTracker* tracker,
                             std::string kind)
    : a_(a), diag_(diag), tracker_(tracker), kind_(std::move(kind)) {}

std::optional<std::string> SummaryReader::text(const std::string& key) const {
  const KeyStats* s = a_.find(key);
  if (!s || s->count == 0 || s->first.empty()) return std::nullopt;
  if (!s->all_equal) diag_.warnings.push_back("'" + key + "' differs between files; using the first (\"" + s->first + "\")");
  return s->first;
}

std::optional<double> SummaryReader::mean(const std::string& key, double factor) const {
  const KeyStats* s = a_.find(key);
  if (!s || s->numeric == 0) return std::nullopt;
  // A constant value is returned as written, without summation round-off.
  if (s->all_equal && s->numeric == s->count)
    if (auto v = parse_number(s->first)) return factor == 1.0 ? *v : without_float_noise(*v * factor);
  return without_float_noise(s->mean() * factor);
}

std::optional<double> SummaryReader::max(const std::string& key) const {
  const KeyStats* s = a_.find(key);
  if (!s || s->numeric == 0) return std::nullopt;
  return s->max;
}

std::optional<double> SummaryReader::first_number(const std::string& key) const {
  const KeyStats* s = a_.find(key);
  if (!s || s->numeric == 0) return std::nullopt;
  if (!s->all_equal && s->min != s->max)
    diag_.warnings.push_back("'" + key + "' differs between images (" + format_number(s->min) + " .. " +
                             format_number(s->max) + "); using the first");
  auto v = parse_number(s->first);
  if (!v || !std::isfinite(*v)) return s->min;  // the first sample was NaN: the first number
  return v;
}

std::optional<ValueRange> SummaryReader::range(const std::string& key, double factor) const {
  const KeyStats* s = a_.find(key);
  if (!s || s->numeric == 0) return std::nullopt;
  double lo = s->min * factor, hi = s->max * factor;
  if (factor != 1.0) {
    lo = without_float_noise(lo);
    hi = without_float_noise(hi);
  }
  if (lo > hi) std::swap(lo, hi);
  return ValueRange{lo, hi};
}

std::optional<bool> SummaryReader::boolean(const std::string& key) const {
  auto t = text(key);
  if (!t) return std::nullopt;
  if (iequals(*t, "true") || *t == "1") return true;
  if (iequals(*t, "false") || *t == "0") return false;
  return std::nullopt;
}

std::optional<std::string> SummaryReader::earliest(const std::string& key) const {
  const KeyStats* s = a_.find(key);
  if (!s || s->times == 0) return std::nullopt;
  return format_rfc3339(s->earliest);
}

void SummaryReader::out_of_range(const char* field, const std::string& key, double v, double lo, double hi) const {
  diag_.warnings.push_back("'" + key + "' gives " + std::string(field) + " = " + format_number(v) +
                           ", outside the plausible range [" + format_number(lo) + ", " + format_number(hi) +
                           "]; dropped");
}

std::optional<double> SummaryReader::number_in(const std::string& key, const char* field, double lo, double hi,
                                               double factor) const {
  auto v = mean(key, factor);
  if (!v) return std::nullopt;
  const KeyStats* s = a_.find(key);
  double smallest = std::min(s->min * factor, s->max * factor), largest = std::max(s->min * factor, s->max * factor);
  if (!std::isfinite(*v) || smallest < lo || largest > hi) {
    out_of_range(field, key, smallest < lo ? smallest : largest, lo, hi);
    return std::nullopt;
  }
  return v;
}

std::optional<std::int64_t> SummaryReader::integer_in(const std::string& key, const char* field, std::int64_t lo,
                                                      std::int64_t hi) const {
  auto v = first_number(key);
  if (!v) return std::nullopt;
  auto i = to_integer_in_range(*v, lo, hi);
  if (!i) out_of_range(field, key, *v, static_cast<double>(lo), static_cast<double>(hi));
  return i;
}

bool SummaryReader::conflicting(const char* field) const {
  if (!tracker_ || !tracker_->conflicting(field)) return false;
  for (const auto& c : diag_.conflicts)
    if (c.field == field && c.kind == kind_) return true;
  Conflict c{field, kind_, {}};
  for (const auto& v : tracker_->values(field)) c.values.emplace_back(v.file, v.text);
  diag_.conflicts.push_back(std::move(c));
  return true;
}

std::optional<double> SummaryReader::constant_number(const std::string& key, const char* field, double lo, double hi,
                                                     double factor) const {
  if (conflicting(field)) return std::nullopt;
  return number_in(key, field, lo, hi, factor);
}

std::optional<std::int64_t> SummaryReader::constant_integer(const std::string& key, const char* field,
                                                            std::int64_t lo, std::int64_t hi) const {
  if (conflicting(field)) return std::nullopt;
  return integer_in(key, field, lo, hi);
}

std::optional<std::string> SummaryReader::constant_text(const std::string& key, const char* field) const {
  if (conflicting(field)) return std::nullopt;
  return text(key);
}

}  // namespace openem::extract

#include "extract/date_time.h"

#include <array>
#include <cstdio>

#include "core/time.h"
#include "extract/text_util.h"

namespace openem::extract {
namespace {

using openem::days_from_civil;

bool valid_date(int y, unsigned m, unsigned d) {
  static constexpr std::array<unsigned, 12> kDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return false;
  if (m == 2 && d == 29) return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return true;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

int month_index(std::string_view mon) {
  static constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                                "jul", "aug", "sep", "oct", "nov", "dec"};
  for (size_t i = 0; i < kMonths.size(); ++i)
    if (iequals(mon.substr(0, 3), kMonths[i]) && (mon.size() == 3 || mon.size() > 3)) return static_cast<int>(i) + 1;
  return 0;
}

// "HH:MM[:SS]" -> seconds of day
std::optional<int> parse_clock(std::string_view s) {
  int parts[3] = {0, 0, 0};
  int n = 0;
  size_t i = 0;
  while (i <= s.size() && n < 3) {
    size_t j = s.find(':', i);
    if (j == std::string_view::npos) j = s.size();
    auto f = s.substr(i, j - i);
    if (!all_digits(f) || f.size() > 2) return std::nullopt;
    parts[n++] = to_int(f);
    i = j + 1;
    if (j == s.size()) break;
  }
  if (n < 2 || i < s.size()) return std::nullopt;
  if (parts[0] > 23 || parts[1] > 59 || parts[2] > 60) return std::nullopt;
  return parts[0] * 3600 + parts[1] * 60 + parts[2];
}

}  // namespace

std::optional<int> parse_zone_offset(std::string_view s) {
  s = trim(s);
  if (s == "Z" || s == "z" || iequals(s, "UTC") || iequals(s, "GMT")) return 0;
  if (s.size() < 3 || (s[0] != '+' && s[0] != '-')) return std::nullopt;
  int sign = s[0] == '-' ? -1 : 1;
  auto rest = s.substr(1);
  std::string_view hh, mm = "00";
  if (rest.size() == 5 && rest[2] == ':') { hh = rest.substr(0, 2); mm = rest.substr(3, 2); }
  else if (rest.size() == 4) { hh = rest.substr(0, 2); mm = rest.substr(2, 2); }
  else if (rest.size() == 2) { hh = rest; }
  else return std::nullopt;
  if (!all_digits(hh) || !all_digits(mm)) return std::nullopt;
  int h = to_int(hh), m = to_int(mm);
  if (h > 23 || m > 59) return std::nullopt;
  return sign * (h * 60 + m);
}

std::optional<AcquisitionTime> parse_serialem_date(std::string_view s, DateOrder order,
                                                   std::optional<int> zone_offset_minutes) {
  auto tokens = split_ws(s);
  if (tokens.size() != 2) return std::nullopt;
  auto date = tokens[0];
  auto d1 = date.find('-');
  auto d2 = d1 == std::string_view::npos ? d1 : date.find('-', d1 + 1);
  if (d2 == std::string_view::npos) return std::nullopt;
  auto a = date.substr(0, d1), mon = date.substr(d1 + 1, d2 - d1 - 1), b = date.substr(d2 + 1);
  int m = month_index(mon);
  if (m == 0 || !all_digits(a) || !all_digits(b) || a.size() > 4 || b.size() > 4) return std::nullopt;
  int year, day;
  if (a.size() == 4) { year = to_int(a); day = to_int(b); }
  else if (b.size() == 4) { year = to_int(b); day = to_int(a); }
  else if (order == DateOrder::kYearFirst) { year = 2000 + to_int(a); day = to_int(b); }
  else { year = 2000 + to_int(b); day = to_int(a); }
  if (!valid_date(year, static_cast<unsigned>(m), static_cast<unsigned>(day))) return std::nullopt;
  auto clock = parse_clock(tokens[1]);
  if (!clock) return std::nullopt;
  AcquisitionTime t;
  int offset = zone_offset_minutes.value_or(0);
  t.utc_seconds = days_from_civil(year, static_cast<unsigned>(m), static_cast<unsigned>(day)) * 86400 + *clock -
                  static_cast<std::int64_t>(offset) * 60;
  t.offset_minutes = offset;
  t.has_zone = zone_offset_minutes.has_value();
  return t;
}

std::optional<AcquisitionTime> parse_iso_time(std::string_view s) {
  s = trim(s);
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' ||
      s[16] != ':')
    return std::nullopt;
  auto Y = s.substr(0, 4), M = s.substr(5, 2), D = s.substr(8, 2), h = s.substr(11, 2), mi = s.substr(14, 2),
       se = s.substr(17, 2);
  if (!all_digits(Y) || !all_digits(M) || !all_digits(D) || !all_digits(h) || !all_digits(mi) || !all_digits(se))
    return std::nullopt;
  int year = to_int(Y);
  unsigned mon = static_cast<unsigned>(to_int(M)), day = static_cast<unsigned>(to_int(D));
  if (!valid_date(year, mon, day) || to_int(h) > 23 || to_int(mi) > 59 || to_int(se) > 60) return std::nullopt;
  size_t i = 19;
  std::int32_t nanos = 0;
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
    ++i;
    int digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (digits < 9) { nanos = nanos * 10 + (s[i] - '0'); ++digits; }
      ++i;
    }
    if (digits == 0) return std::nullopt;
    while (digits++ < 9) nanos *= 10;
  }
  AcquisitionTime t;
  if (i < s.size()) {
    auto off = parse_zone_offset(s.substr(i));
    if (!off) return std::nullopt;
    t.offset_minutes = *off;
    t.has_zone = true;
  }
  t.nanos = nanos;
  t.utc_seconds = days_from_civil(year, mon, day) * 86400 + to_int(h) * 3600 + to_int(mi) * 60 + to_int(se) -
                  static_cast<std::int64_t>(t.offset_minutes) * 60;
  return t;
}

std::optional<AcquisitionTime> parse_any_time(std::string_view s, DateOrder order) {
  if (auto t = parse_iso_time(s)) return t;
  return parse_serialem_date(s, order);
}

std::string format_rfc3339(const AcquisitionTime& t) {
  std::int64_t local = t.utc_seconds + static_cast<std::int64_t>(t.offset_minutes) * 60;
  std::int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
  std::int64_t secs = local - days * 86400;
  std::int64_t y;
  unsigned m, d;
  openem::civil_from_days(days, y, m, d);
  char buf[40];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(y), m, d, static_cast<int>(secs / 3600),
                        static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (!t.has_zone || t.offset_minutes == 0) {
    out += 'Z';
  } else {
    int off = t.offset_minutes < 0 ? -t.offset_minutes : t.offset_minutes;
    std::snprintf(buf, sizeof buf, "%c%02d:%02d", t.offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
    out += buf;
  }
  return out;
}

}  // namespace openem::extract

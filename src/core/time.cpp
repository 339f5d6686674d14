#include "core/time.h"

#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace openem {
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t days, std::int64_t& y, unsigned& m, unsigned& d) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

namespace {

bool read_digits(std::string_view s, size_t& pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}

}  // namespace

namespace {

// The test-only clock (time.h): an offset in milliseconds read from OPENEM_TEST_CLOCK_FILE,
// re-read at most every 50 ms so that a test moves time by rewriting the file.
class TestClock {
 public:
  TestClock() {
    if (const char* f = std::getenv("OPENEM_TEST_CLOCK_FILE"); f && *f) file_ = f;
  }
  bool enabled() const { return !file_.empty(); }
  Millis offset() {
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    auto last = read_at_.load(std::memory_order_relaxed);
    if (now - last > 50'000'000 && read_at_.compare_exchange_strong(last, now)) {
      std::FILE* in = std::fopen(file_.c_str(), "r");
      long long v = 0;
      if (in) {
        if (std::fscanf(in, "%lld", &v) == 1) offset_ = v;
        std::fclose(in);
      }
    }
    return offset_.load(std::memory_order_relaxed);
  }

 private:
  std::string file_;
  std::atomic<std::int64_t> read_at_{0};
  std::atomic<Millis> offset_{0};
};

TestClock& test_clock() {
  static TestClock clock;
  return clock;
}

}  // namespace

double wall_clock_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Millis now_millis() {
  using namespace std::chrono;
  Millis real = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  static const bool testing = test_clock().enabled();
  return testing ? real + test_clock().offset() : real;
}

bool test_clock_enabled() { return test_clock().enabled(); }

std::string iso_utc(Millis ms) {
  std::int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  int millis = static_cast<int>(ms - secs * 1000);
  std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int sod = static_cast<int>(secs - days * 86400);
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<long long>(y), m, d,
                sod / 3600, (sod / 60) % 60, sod % 60, millis);
  return buf;
}

std::string now_iso() { return iso_utc(now_millis()); }

Millis add_years(Millis t, double years) {
  constexpr Millis kMillisPerDay = 24LL * 3600 * 1000;
  double whole = std::floor(years);
  Millis day = t >= 0 ? t / kMillisPerDay : (t - kMillisPerDay + 1) / kMillisPerDay;
  Millis in_day = t - day * kMillisPerDay;
  std::int64_t y;
  unsigned m, d;
  civil_from_days(day, y, m, d);
  y += static_cast<std::int64_t>(whole);
  if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) d = 28;
  return days_from_civil(y, m, d) * kMillisPerDay + in_day +
         static_cast<Millis>(std::llround((years - whole) * 365.25 * kMillisPerDay));
}

std::optional<Millis> parse_iso(std::string_view s) {
  size_t p = 0;
  int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0;
  if (!read_digits(s, p, 4, y) || p >= s.size() || s[p++] != '-' || !read_digits(s, p, 2, mo) ||
      p >= s.size() || s[p++] != '-' || !read_digits(s, p, 2, d))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
  int offset_min = 0;
  if (p < s.size()) {
    if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') return std::nullopt;
    ++p;
    if (!read_digits(s, p, 2, h) || p >= s.size() || s[p++] != ':' || !read_digits(s, p, 2, mi))
      return std::nullopt;
    if (p < s.size() && s[p] == ':') {
      ++p;
      if (!read_digits(s, p, 2, sec)) return std::nullopt;
      if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
        ++p;
        int digits = 0, frac = 0;
        while (p < s.size() && std::isdigit(static_cast<unsigned char>(s[p]))) {
          if (digits < 3) frac = frac * 10 + (s[p] - '0');
          ++digits;
          ++p;
        }
        if (digits == 0) return std::nullopt;
        for (int i = digits; i < 3; ++i) frac *= 10;
        ms = frac;
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
    if (p < s.size()) {
      char z = s[p];
      if (z == 'Z' || z == 'z') {
        ++p;
      } else if (z == '+' || z == '-') {
        ++p;
        int oh, om = 0;
        if (!read_digits(s, p, 2, oh)) return std::nullopt;
        if (p < s.size() && s[p] == ':') ++p;
        if (p < s.size() && !read_digits(s, p, 2, om)) return std::nullopt;
        offset_min = (oh * 60 + om) * (z == '+' ? 1 : -1);
      } else {
        return std::nullopt;
      }
    }
    if (p != s.size()) return std::nullopt;
  }
  std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  std::int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
  return secs * 1000 + ms;
}

std::optional<Millis> parse_http_date(std::string_view s) {
  if (auto iso = parse_iso(s)) return iso;
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  // "Www, DD Mon YYYY HH:MM:SS GMT"
  if (s.size() != 29 || s.substr(3, 2) != ", " || s.substr(25) != " GMT") return std::nullopt;
  size_t p = 5;
  int d, y, h, mi, sec;
  if (!read_digits(s, p, 2, d)) return std::nullopt;
  int month = 0;
  for (int i = 0; i < 12; ++i)
    if (s.substr(8, 3) == kMonths[i]) month = i + 1;
  p = 12;
  if (!month || !read_digits(s, p, 4, y) || s[p++] != ' ' || !read_digits(s, p, 2, h) || s[p++] != ':' ||
      !read_digits(s, p, 2, mi) || s[p++] != ':' || !read_digits(s, p, 2, sec))
    return std::nullopt;
  std::int64_t days = days_from_civil(y, static_cast<unsigned>(month), static_cast<unsigned>(d));
  return (days * 86400 + h * 3600 + mi * 60 + sec) * 1000;
}

std::optional<std::string> normalize_iso(std::string_view s) {
  auto ms = parse_iso(s);
  if (!ms) return std::nullopt;
  return iso_utc(*ms);
}

}  // namespace openem

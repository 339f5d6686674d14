#pragma once
// UTC time helpers: ISO-8601 formatting and parsing as SciCat stores dates
// ("2024-01-02T03:04:05.678Z"). Pure functions, thread-safe.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace openem {

using Millis = std::int64_t;  // milliseconds since the Unix epoch, UTC

// Proleptic Gregorian calendar ↔ days since 1970-01-01 (Howard Hinnant's algorithms).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);
void civil_from_days(std::int64_t days, std::int64_t& y, unsigned& m, unsigned& d);

// The wall clock. For tests only: with OPENEM_TEST_CLOCK_FILE set, the integer in that file
// (milliseconds, re-read within 50 ms of a change) is added, so a test moves the server's time
// forward — an embargo ending, a token expiring — without sleeping. Never set in production.
Millis now_millis();
// Seconds since the epoch from the real clock, never the test clock: credentials (token
// expiry, sign-in lifetimes, key caches) follow real time.
double wall_clock_seconds();
bool test_clock_enabled();
std::string iso_utc(Millis ms);  // always "YYYY-MM-DDTHH:MM:SS.mmmZ"
std::string now_iso();
// `years` later by the calendar, as SciCat (moment's add): 29 February becomes 28 February in a
// common year; a fraction of a year counts 365.25 days.
Millis add_years(Millis t, double years);
// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]]" with "Z", "+hh:mm", "-hhmm" or no zone (UTC).
std::optional<Millis> parse_iso(std::string_view s);
// RFC 7231 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") as sent in If-Unmodified-Since;
// ISO 8601 is accepted too.
std::optional<Millis> parse_http_date(std::string_view s);
// Normalises a parseable date string to iso_utc form; nullopt when not a date.
std::optional<std::string> normalize_iso(std::string_view s);

}  // namespace openem

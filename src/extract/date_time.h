#pragma once
// Acquisition timestamps as instruments write them: SerialEM "dd-Mon-yy  HH:MM:SS" and
// "dd-Mon-yyyy", Tomo5 "yy-Mon-dd", EPU ISO-8601 with 7-digit fraction and UTC offset.
// Pure functions, thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace openem::extract {

struct AcquisitionTime {
  std::int64_t utc_seconds = 0;   // instant, seconds since 1970-01-01T00:00:00Z
  std::int32_t nanos = 0;         // fraction of the second
  std::int32_t offset_minutes = 0;  // offset of the wall clock that wrote it
  bool has_zone = false;          // false: local scope-PC time of unknown zone

  bool operator<(const AcquisitionTime& o) const {
    return utc_seconds != o.utc_seconds ? utc_seconds < o.utc_seconds : nanos < o.nanos;
  }
};

enum class DateOrder { kDayFirst, kYearFirst };  // "03-May-23" (SerialEM) vs "22-Feb-04" (Tomo5)

// SerialEM/Tomo5 style "dd-Mon-yy  HH:MM:SS" (any spacing). A 4-digit field is always the
// year; with two 2-digit fields `order` decides. Zone-less: `zone_offset_minutes` is applied
// when given (site profile), otherwise the time is taken as UTC.
std::optional<AcquisitionTime> parse_serialem_date(std::string_view s, DateOrder order,
                                                   std::optional<int> zone_offset_minutes = std::nullopt);
// RFC 3339 / ISO-8601 "2024-09-01T06:01:10.1234567+02:00" (zone optional: then UTC).
std::optional<AcquisitionTime> parse_iso_time(std::string_view s);
// Either of the above (ISO first).
std::optional<AcquisitionTime> parse_any_time(std::string_view s, DateOrder order = DateOrder::kDayFirst);

// "2024-09-01T06:01:10+02:00" in the writer's offset, "Z" when zone-less; no fraction.
std::string format_rfc3339(const AcquisitionTime& t);

// "+02:00", "-0530", "Z", "UTC" -> minutes; nullopt when not an offset.
std::optional<int> parse_zone_offset(std::string_view s);

}  // namespace openem::extract

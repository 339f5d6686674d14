#include "publish/key_parameters.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <array>
#include <utility>

#include "core/json_path.h"

namespace openem {
namespace json = boost::json;
namespace {

constexpr std::array<std::pair<const char*, const char*>, 8> kParameters{{
    {"Microscope", "instrument.microscope.model"},
    {"Acceleration voltage", "instrument.acceleration_voltage"},
    {"Pixel size", "acquisition.pixel_size"},
    {"Dose per movie", "acquisition.dose_per_movie"},
    {"Exposure time", "acquisition.exposure_time"},
    {"Nominal magnification", "acquisition.nominal_magnification"},
    {"Detector", "acquisition.detector"},
    {"Tilt range", "acquisition.tilt_angle"},
}};

// Shortest text that reads back as the same number, without exponents for everyday sizes
// (0.83, not 8.3E-1 as Boost.JSON writes it).
std::string number_text(const json::value& v) {
  if (v.is_double()) return fmt::format("{}", v.get_double());
  return json::serialize(v);
}

}  // namespace

std::vector<KeyParameter> key_parameters(const json::object& sm) {
  std::vector<KeyParameter> out;
  for (const auto& [name, path] : kParameters) {
    const json::value* v = value_at_path(sm, path);
    if (!v) continue;
    KeyParameter p{name, path, "", "", std::nullopt};
    if (v->is_string()) {
      p.value = v->get_string();
    } else if (v->is_number()) {
      p.value = number_text(*v);
      p.number = v->to_number<double>();
    } else if (v->is_object()) {
      const json::object& q = v->get_object();
      if (auto* val = q.if_contains("value"); val && val->is_number()) {
        p.value = number_text(*val);
        p.number = val->to_number<double>();
      } else if (auto* mn = q.if_contains("minimal"); mn && mn->is_number()) {  // a range (tilt angles)
        auto* mx = q.if_contains("maximal");
        p.value = number_text(*mn) + (mx && mx->is_number() ? " to " + number_text(*mx) : std::string());
      } else if (auto* s = q.if_contains("name"); s && s->is_string()) {
        p.value = s->get_string();
      }
      if (auto* u = q.if_contains("unit"); u && u->is_string()) p.unit = u->get_string();
    }
    if (!p.value.empty()) out.push_back(std::move(p));
  }
  return out;
}

}  // namespace openem

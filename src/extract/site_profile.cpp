#include "extract/site_profile.h"

#include <toml++/toml.h>

#include "extract/date_time.h"
#include "extract/extract_error.h"
#include "extract/file_io.h"

namespace openem::extract {
namespace {

std::size_t line_of(const toml::node* n) { return n ? static_cast<std::size_t>(n->source().begin.line) : 0; }

std::optional<std::string> get_string(const toml::table& t, std::string_view key, const std::string& file) {
  const toml::node* n = t.get(key);
  if (!n) return std::nullopt;
  if (auto s = n->value<std::string>()) return *s;
  throw ExtractError(file, line_of(n), "'" + std::string(key) + "' must be a string");
}

std::optional<double> get_number(const toml::table& t, std::string_view key, const std::string& file) {
  const toml::node* n = t.get(key);
  if (!n) return std::nullopt;
  if (auto d = n->value<double>()) return *d;
  throw ExtractError(file, line_of(n), "'" + std::string(key) + "' must be a number");
}

}  // namespace

std::optional<std::string> SiteProfile::camera_name(int index) const {
  auto it = cameras.find(index);
  if (it == cameras.end()) return std::nullopt;
  return it->second;
}

SiteProfile parse_site_profile(std::string_view text, const std::string& file) {
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    throw ExtractError(file, static_cast<std::size_t>(e.source().begin.line), std::string(e.description()));
  }
  SiteProfile p;
  if (auto* m = root["microscope"].as_table()) {
    p.microscope_model = get_string(*m, "model", file);
    p.microscope_manufacturer = get_string(*m, "manufacturer", file);
    p.electron_source = get_string(*m, "electron_source", file);
    p.illumination = get_string(*m, "illumination", file);
    p.imaging = get_string(*m, "imaging", file);
    p.cs_mm = get_number(*m, "cs_mm", file);
    p.c2_aperture_um = get_number(*m, "c2_aperture_um", file);
    p.energy_filter_model = get_string(*m, "energy_filter", file);
    p.phase_plate_type = get_string(*m, "phase_plate", file);
    if (auto* models = (*m)["instrument_codes"].as_table())
      for (auto& [k, v] : *models) {
        if (auto s = v.value<std::string>()) p.instrument_models[std::string(k.str())] = *s;
        else throw ExtractError(file, line_of(&v), "microscope.instrument_codes values must be strings");
      }
  }
  if (auto* a = root["acquisition"].as_table()) {
    p.gainref_flip_rotate = get_string(*a, "gainref_flip_rotate", file);
    if (auto tz = get_string(*a, "time_zone", file)) {
      p.time_zone_offset_minutes = parse_zone_offset(*tz);
      if (!p.time_zone_offset_minutes)
        throw ExtractError(file, line_of(a->get("time_zone")), "acquisition.time_zone must be an offset like \"+01:00\" or \"Z\"");
    }
  }
  if (auto* c = root["cameras"].as_table()) {
    for (auto& [k, v] : *c) {
      int index = -1;
      try {
        index = std::stoi(std::string(k.str()));
      } catch (...) {
        throw ExtractError(file, line_of(&v), "cameras keys are SerialEM camera indices (\"0\", \"1\", ...)");
      }
      if (auto s = v.value<std::string>()) {
        p.cameras[index] = *s;
      } else if (auto* t = v.as_table()) {
        if (auto name = get_string(*t, "name", file)) p.cameras[index] = *name;
        if (auto mode = get_string(*t, "mode", file); mode && p.cameras.count(index))
          p.detector_modes[p.cameras[index]] = *mode;
      } else {
        throw ExtractError(file, line_of(&v), "cameras entries must be a name or a table {name, mode}");
      }
    }
  }
  return p;
}

SiteProfile load_site_profile(const std::filesystem::path& path) {
  return parse_site_profile(read_file_capped(path, 4u << 20), path.string());
}

}  // namespace openem::extract

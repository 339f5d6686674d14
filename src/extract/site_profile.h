#pragma once
// SiteProfile: facility facts that instrument files do not carry (microscope model and
// manufacturer, electron source, Cs, gain reference orientation, detector names per SerialEM
// camera index, names for EPU instrument codes), read from a TOML file. Plain value type.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace openem::extract {

struct SiteProfile {
  std::optional<std::string> microscope_model;
  std::optional<std::string> microscope_manufacturer;
  std::optional<std::string> electron_source;
  std::optional<std::string> illumination;
  std::optional<std::string> imaging;
  std::optional<double> cs_mm;
  std::optional<double> c2_aperture_um;
  std::optional<std::string> gainref_flip_rotate;
  std::optional<std::string> energy_filter_model;
  std::optional<std::string> phase_plate_type;
  std::optional<int> time_zone_offset_minutes;     // for zone-less SerialEM/Tomo5 times
  std::map<int, std::string> cameras;              // SerialEM CameraIndex -> detector name
  std::map<std::string, std::string> detector_modes;  // detector name -> "counting", ...
  std::map<std::string, std::string> instrument_models;  // EPU "TITAN52339260" -> "Titan Krios G4"

  std::optional<std::string> camera_name(int index) const;
};

// Throws ExtractError(file, line, reason) for unreadable TOML or wrongly typed values.
SiteProfile load_site_profile(const std::filesystem::path& path);
SiteProfile parse_site_profile(std::string_view toml_text, const std::string& file_name = "site profile");

}  // namespace openem::extract

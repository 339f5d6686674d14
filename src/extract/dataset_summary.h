#pragma once
// DatasetSummary: the typed, unit-fixed dataset-level facts that the OSC-EM mapper needs,
// built from the aggregated instrument metadata plus the site profile. Conflict: a value that
// must be the same in every file of the described acquisition but is not. Plain value types.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace openem::extract {

struct ValueRange {
  double min = 0, max = 0;
};

struct DatasetSummary {
  // instrument
  std::optional<std::string> microscope_model, microscope_manufacturer, illumination, imaging, electron_source;
  std::optional<std::string> operating_mode;  // "TEM", "STEM", ...
  std::optional<double> voltage_kv, c2_aperture_um, cs_mm;
  // acquisition
  std::optional<std::string> date_time;  // RFC 3339, earliest acquisition
  std::optional<std::string> software;
  std::optional<std::string> detector_name, detector_mode;
  std::optional<double> pixel_size_a, dose_per_image, exposure_time_s, energy_filter_width_ev;
  std::optional<double> dose_per_pixel;  // e/pixel on the camera (EPU DoseOnCamera)
  std::optional<bool> energy_filter_used, phase_plate_used;
  std::optional<std::string> energy_filter_model, phase_plate_type, gainref_flip_rotate;
  std::optional<ValueRange> nominal_defocus_nm, calibrated_defocus_nm;
  std::optional<ValueRange> beamshift_x, beamshift_y, beamtilt_x, beamtilt_y, imageshift_x, imageshift_y;
  std::optional<std::int64_t> magnification, image_width, image_height, binning_x, binning_y, frames_per_movie;
  std::optional<std::int64_t> images_generated;
  // tomography
  std::optional<ValueRange> tilt_angle;
  std::optional<double> tilt_increment, tilt_axis_angle;
  std::int64_t tilt_series = 0;  // tilt series seen (0: not a tomography session)
  bool has_movies = false;       // EPU movies or SerialEM frame sets (single particle)

  // Sets each field of `over` that has a value (mdoc data over EPU data, as the reference).
  void overlay(const DatasetSummary& over);
};

struct Conflict {
  std::string field;  // OSC-EM path: "instrument.acceleration_voltage"
  std::string kind;   // which files: "tilt series", "EPU movies"
  std::vector<std::pair<std::string, std::string>> values;  // {file, value with unit}, first file per value

  // "instrument.acceleration_voltage differs between tilt series: TS_1.mdoc 200 kV, TS_2.mdoc 300 kV"
  std::string describe() const;
};

}  // namespace openem::extract

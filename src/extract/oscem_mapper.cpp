#include "extract/oscem_mapper.h"

#include <cmath>

namespace openem::extract {
namespace json = boost::json;

std::string_view technique_name(Technique t) {
  switch (t) {
    case Technique::kAuto: return "auto";
    case Technique::kSpa: return "spa";
    case Technique::kSubtomo: return "subtomo";
    case Technique::kCellularTomo: return "cellular_tomo";
    case Technique::kEnvTomo: return "env_tomo";
    case Technique::kGeneral: return "general";
  }
  return "general";
}

std::optional<Technique> parse_technique(std::string_view n) {
  for (Technique t : {Technique::kAuto, Technique::kSpa, Technique::kSubtomo, Technique::kCellularTomo,
                      Technique::kEnvTomo, Technique::kGeneral})
    if (technique_name(t) == n) return t;
  return std::nullopt;
}

namespace {

// Integral values print as integers ("300", not "300.0"), as the reference's Int casts do.
json::value number(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.0e15) return json::value(static_cast<std::int64_t>(v));
  return json::value(v);
}

json::object quantity(double v, const char* unit) {
  json::object q;
  q["value"] = number(v);
  q["unit"] = unit;
  return q;
}

json::object range(const ValueRange& r, const char* unit) {
  json::object o;
  o["minimal"] = quantity(r.min, unit);
  o["maximal"] = quantity(r.max, unit);
  return o;
}

void bbox(json::object& acq, const char* name, const std::optional<ValueRange>& x, const std::optional<ValueRange>& y,
          const char* unit) {
  if (!x && !y) return;
  json::object b;
  if (x) {
    b["x_min"] = quantity(x->min, unit);
    b["x_max"] = quantity(x->max, unit);
  }
  if (y) {
    b["y_min"] = quantity(y->min, unit);
    b["y_max"] = quantity(y->max, unit);
  }
  acq[name] = std::move(b);
}

}  // namespace

Technique detect_technique(const DatasetSummary& s) {
  if (s.tilt_series > 0 && s.tilt_angle) return Technique::kSubtomo;
  if (s.has_movies) return Technique::kSpa;
  return Technique::kGeneral;
}

json::object map_to_oscem(const DatasetSummary& s, Technique t, std::vector<std::string>& warnings) {
  json::object instrument;
  if (s.microscope_model || s.microscope_manufacturer) {
    json::object m;
    if (s.microscope_model) m["model"] = *s.microscope_model;
    if (s.microscope_manufacturer) m["manufacturer"] = *s.microscope_manufacturer;
    instrument["microscope"] = std::move(m);
  }
  if (s.illumination) instrument["illumination"] = *s.illumination;
  if (s.imaging) instrument["imaging"] = *s.imaging;
  if (s.electron_source) instrument["electron_source"] = *s.electron_source;
  if (s.operating_mode) instrument["operating_mode"] = *s.operating_mode;
  if (s.voltage_kv) instrument["acceleration_voltage"] = quantity(*s.voltage_kv, "kV");
  if (s.c2_aperture_um) instrument["c2_aperture"] = quantity(*s.c2_aperture_um, "um");
  if (s.cs_mm) instrument["cs"] = quantity(*s.cs_mm, "mm");

  json::object acq;
  if (t != Technique::kGeneral && t != Technique::kAuto) acq["technique"] = technique_name(t);
  json::array detectors;
  if (s.detector_name) {
    json::object d;
    d["name"] = *s.detector_name;
    if (s.detector_mode) d["mode"] = *s.detector_mode;
    detectors.push_back(std::move(d));
  }
  acq["detectors"] = std::move(detectors);
  if (s.date_time) acq["date_time"] = *s.date_time;
  if (s.binning_x || s.binning_y) {
    json::object b;
    b["height"] = s.binning_y ? *s.binning_y : *s.binning_x;
    b["width"] = s.binning_x ? *s.binning_x : *s.binning_y;
    acq["binning_camera"] = std::move(b);
  }
  if (s.pixel_size_a) acq["pixel_size"] = quantity(*s.pixel_size_a, "\u212B");
  if (s.nominal_defocus_nm) acq["nominal_defocus"] = range(*s.nominal_defocus_nm, "nm");
  if (s.calibrated_defocus_nm) acq["calibrated_defocus"] = range(*s.calibrated_defocus_nm, "nm");
  if (s.magnification) acq["nominal_magnification"] = *s.magnification;
  if (s.software) acq["microscope_software"] = *s.software;
  if (s.dose_per_image) acq["dose_per_movie"] = quantity(*s.dose_per_image, "1/\u212B^2");
  if (s.energy_filter_used && s.energy_filter_width_ev) {
    json::object ef;
    ef["used"] = *s.energy_filter_used;
    ef["width_energy_filter"] = quantity(*s.energy_filter_width_ev, "eV");
    if (s.energy_filter_model) ef["model"] = *s.energy_filter_model;
    acq["energy_filter"] = std::move(ef);
  }
  if (s.image_width || s.image_height) {
    json::object sz;
    if (s.image_height) sz["height"] = *s.image_height;
    if (s.image_width) sz["width"] = *s.image_width;
    acq["image_size"] = std::move(sz);
  }
  if (s.exposure_time_s) acq["exposure_time"] = quantity(*s.exposure_time_s, "s");
  if (s.frames_per_movie) acq["frames_per_movie"] = *s.frames_per_movie;
  if (s.images_generated) acq["images_generated"] = *s.images_generated;
  if (s.phase_plate_used) {
    // The schema requires instrument_type; "none" states plainly that no phase plate was in.
    json::object pp;
    pp["used"] = *s.phase_plate_used;
    pp["instrument_type"] = s.phase_plate_type.value_or(*s.phase_plate_used ? "unspecified" : "none");
    json::object so;
    so["phaseplate"] = std::move(pp);
    acq["specialist_optics"] = std::move(so);
  }
  bbox(acq, "beamshift", s.beamshift_x, s.beamshift_y, "um");
  bbox(acq, "beamtilt", s.beamtilt_x, s.beamtilt_y, "mrad");
  bbox(acq, "imageshift", s.imageshift_x, s.imageshift_y, "um");
  if (s.gainref_flip_rotate) acq["gainref_flip_rotate"] = *s.gainref_flip_rotate;

  if (is_tomography(t)) {
    if (s.tilt_angle && s.tilt_increment) {
      json::object ta;
      ta["minimal"] = quantity(s.tilt_angle->min, "°");
      ta["maximal"] = quantity(s.tilt_angle->max, "°");
      ta["increment"] = quantity(*s.tilt_increment, "°");
      acq["tilt_angle"] = std::move(ta);
    } else {
      warnings.push_back("no tilt series found; tilt_angle is missing from a tomography document");
    }
    if (s.tilt_axis_angle) acq["tilt_axis_angle"] = number(*s.tilt_axis_angle);
  } else if (s.tilt_angle && s.tilt_series > 0) {
    warnings.push_back(std::string("tilt data left out: the ") + std::string(technique_name(t)) +
                       " schema has no tilt_angle/tilt_axis_angle");
  }

  json::object doc;
  doc["acquisition"] = std::move(acq);
  doc["instrument"] = std::move(instrument);
  // The dose per camera pixel (EPU DoseOnCamera) has no acquisition field; the spa schema
  // keeps it with the movies' descriptors. The other schemas have no place for it (it stays
  // in the flat view as DoseOnCamera / DosePerPixel).
  if (t == Technique::kSpa && s.dose_per_pixel) {
    json::object d;
    d["descriptor_name"] = "dose_on_camera";
    d["descriptor_thing"] = quantity(*s.dose_per_pixel, "e/pixel");
    json::object movies;
    movies["descriptors"] = json::array{std::move(d)};
    json::object processing;
    processing["movies"] = std::move(movies);
    doc["processing"] = std::move(processing);
  }
  return doc;
}

}  // namespace openem::extract

#include "extract/summary_builder.h"

#include <cmath>

#include "extract/text_util.h"

namespace openem::extract {
namespace {

const std::string kMD = "MicroscopeImage.microscopeData.";

// Typed views on one aggregate.
class Reader {
 public:
  Reader(const FlatAggregate& a, std::vector<std::string>& warnings) : a_(a), warnings_(warnings) {}

  std::optional<std::string> text(const std::string& key) const {
    const KeyStats* s = a_.find(key);
    if (!s || s->count == 0 || s->first.empty()) return std::nullopt;
    if (!s->all_equal) warnings_.push_back("'" + key + "' differs between files; using the first (\"" + s->first + "\")");
    return s->first;
  }
  std::optional<double> mean(const std::string& key, double factor = 1.0) const {
    const KeyStats* s = a_.find(key);
    if (!s || s->numeric == 0) return std::nullopt;
    // A constant value is returned as written, without summation round-off.
    if (s->all_equal && s->numeric == s->count)
      if (auto v = parse_number(s->first)) return *v * factor;
    return s->mean() * factor;
  }
  std::optional<double> max(const std::string& key) const {
    const KeyStats* s = a_.find(key);
    if (!s || s->numeric == 0) return std::nullopt;
    return s->max;
  }
  std::optional<double> first_number(const std::string& key) const {
    const KeyStats* s = a_.find(key);
    if (!s || s->numeric == 0) return std::nullopt;
    if (!s->all_equal && s->min != s->max)
      warnings_.push_back("'" + key + "' differs between images (" + format_number(s->min) + " .. " +
                          format_number(s->max) + "); using the first");
    return parse_number(s->first);
  }
  std::optional<std::int64_t> integer(const std::string& key) const {
    auto v = first_number(key);
    if (!v || !std::isfinite(*v)) return std::nullopt;
    return static_cast<std::int64_t>(std::llround(*v));
  }
  std::optional<ValueRange> range(const std::string& key, double factor = 1.0) const {
    const KeyStats* s = a_.find(key);
    if (!s || s->numeric == 0) return std::nullopt;
    double lo = s->min * factor, hi = s->max * factor;
    if (lo > hi) std::swap(lo, hi);
    return ValueRange{lo, hi};
  }
  std::optional<bool> boolean(const std::string& key) const {
    auto t = text(key);
    if (!t) return std::nullopt;
    if (iequals(*t, "true") || *t == "1") return true;
    if (iequals(*t, "false") || *t == "0") return false;
    return std::nullopt;
  }
  std::optional<std::string> earliest(const std::string& key) const {
    const KeyStats* s = a_.find(key);
    if (!s || s->times == 0) return std::nullopt;
    return format_rfc3339(s->earliest);
  }
  const FlatAggregate& aggregate() const { return a_; }

 private:
  const FlatAggregate& a_;
  std::vector<std::string>& warnings_;
};

DatasetSummary from_epu(const SessionData& d, std::vector<std::string>& w) {
  DatasetSummary s;
  if (d.counts.epu_movies == 0) return s;
  Reader r(d.epu, w);
  s.microscope_model = r.text(kMD + "instrument.InstrumentModel");
  s.illumination = r.text(kMD + "optics.IlluminationMode");
  s.imaging = r.text(kMD + "optics.ColumnOperatingTemSubMode");
  s.electron_source = r.text(kMD + "gun.Sourcetype");
  s.voltage_kv = r.mean(kMD + "gun.AccelerationVoltage", 1e-3);
  if (auto c2 = r.text("Aperture[C2].Name")) s.c2_aperture_um = parse_number(*c2);
  if (s.c2_aperture_um && !std::isfinite(*s.c2_aperture_um)) s.c2_aperture_um.reset();
  s.nominal_defocus_nm = r.range("AppliedDefocus", 1e9);
  s.calibrated_defocus_nm = r.range(kMD + "optics.Defocus", 1e9);
  s.magnification = r.integer(kMD + "optics.TemMagnification.NominalMagnification");
  s.software = r.text(kMD + "core.ApplicationSoftware");
  s.detector_name = r.text("DetectorCommercialName");
  std::optional<std::string> camera = r.text(kMD + "acquisition.camera.Name");
  if (!s.detector_name && camera) s.detector_name = r.text("Detectors[" + *camera + "].CommercialName");
  if (!s.detector_name) s.detector_name = camera;
  if (camera && r.boolean("Detectors[" + *camera + "].ElectronCounted").value_or(false)) s.detector_mode = "counting";
  if (r.boolean(kMD + "acquisition.camera.CameraSpecificInput.ElectronCountingEnabled").value_or(false))
    s.detector_mode = "counting";
  if (auto f = r.first_number(kMD + "acquisition.camera.CameraSpecificInput.SuperResolutionFactor"); f && *f > 1)
    s.detector_mode = "super-resolution";
  s.dose_per_image = r.mean("DoseOnCamera");
  s.energy_filter_used = r.boolean(kMD + "optics.EnergyFilter.EnergySelectionSlitInserted");
  s.energy_filter_width_ev = r.mean(kMD + "optics.EnergyFilter.EnergySelectionSlitWidth");
  s.image_width = r.integer(kMD + "acquisition.camera.ReadoutArea.width");
  s.image_height = r.integer(kMD + "acquisition.camera.ReadoutArea.height");
  s.date_time = r.earliest(kMD + "acquisition.acquisitionDateTime");
  s.exposure_time_s = r.mean(kMD + "acquisition.camera.ExposureTime");
  s.binning_x = r.integer(kMD + "acquisition.camera.Binning.x");
  s.binning_y = r.integer(kMD + "acquisition.camera.Binning.y");
  s.pixel_size_a = r.mean("MicroscopeImage.SpatialScale.pixelSize.x.numericValue", 1e10);
  s.phase_plate_used = r.boolean("PhasePlateUsed");
  if (s.phase_plate_used.value_or(false)) s.phase_plate_type = r.text("PhasePlateApertureName");
  s.beamshift_x = r.range(kMD + "optics.BeamShift._x");
  s.beamshift_y = r.range(kMD + "optics.BeamShift._y");
  s.beamtilt_x = r.range(kMD + "optics.BeamTilt._x");
  s.beamtilt_y = r.range(kMD + "optics.BeamTilt._y");
  s.imageshift_x = r.range(kMD + "optics.ImageShift._x");
  s.imageshift_y = r.range(kMD + "optics.ImageShift._y");
  // Gatan: EquidistantFractionation/NumberOffractions; Falcon (EPU <= 2.x): DoseFractions list.
  for (const auto& k : d.epu.keys_ending_with(".NumberOffractions"))
    if (!s.frames_per_movie) s.frames_per_movie = r.integer(k);
  for (const auto& k : d.epu.keys_ending_with("DoseFractions.Count"))
    if (!s.frames_per_movie) s.frames_per_movie = r.integer(k);
  s.images_generated = d.counts.epu_movies;
  s.has_movies = true;
  return s;
}

DatasetSummary from_mdoc(const SessionData& d, const SiteProfile& site, std::vector<std::string>& w) {
  DatasetSummary s;
  if (d.counts.mdoc_files == 0) return s;
  Reader r(d.mdoc, w);
  s.voltage_kv = r.mean("Voltage");
  s.pixel_size_a = r.mean("PixelSpacing");
  s.image_width = r.integer("ImageSize_x");
  s.image_height = r.integer("ImageSize_y");
  if (auto b = r.first_number("Binning")) {
    if (*b > 0 && *b < 1) {  // K2/K3 super-resolution is written as binning 0.5
      s.binning_x = s.binning_y = 1;
      s.detector_mode = "super-resolution";
    } else if (*b >= 1 && std::isfinite(*b)) {
      s.binning_x = s.binning_y = static_cast<std::int64_t>(std::llround(*b));
    }
  }
  s.magnification = r.integer("Magnification");
  s.exposure_time_s = r.mean("ExposureTime");
  if (auto m = r.max("ExposureDose"); m && *m > 0) s.dose_per_image = r.mean("ExposureDose");
  else if (auto f = r.max("FrameDoseTotal"); f && *f > 0) s.dose_per_image = r.mean("FrameDoseTotal");
  s.nominal_defocus_nm = r.range("TargetDefocus", 1000.0);
  s.calibrated_defocus_nm = r.range("Defocus", 1000.0);
  if (d.counts.tilt_series > 0) {
    s.tilt_angle = r.range("TiltAngle");
    s.tilt_increment = r.max("TiltIncrement");
    s.tilt_axis_angle = r.first_number("TiltAxisAngle");
    s.tilt_series = d.counts.tilt_series;
  }
  if (auto n = r.first_number("NumSubFrames"); n && *n > 0) s.frames_per_movie = static_cast<std::int64_t>(std::llround(*n));
  if (auto width = r.max("FilterSlitAndLoss_x")) {
    s.energy_filter_used = *width > 0;
    s.energy_filter_width_ev = *width;
  }
  s.imageshift_x = r.range("ImageShift_x");
  s.imageshift_y = r.range("ImageShift_y");
  s.date_time = r.earliest("DateTime");
  if (!s.date_time) s.date_time = r.earliest("TitleDateTime");
  s.software = r.text("Software");
  s.detector_name = r.text("CameraUsed");
  if (!s.detector_name)
    if (auto idx = r.integer("CameraIndex")) s.detector_name = site.camera_name(static_cast<int>(*idx));
  s.electron_source = r.text("Source");
  if (auto mag_index = r.max("MagIndex"); mag_index && *mag_index > 0) s.imaging = "BrightField";
  s.microscope_model = r.text("InstrumentCode");
  s.images_generated = d.counts.mdoc_images;
  s.has_movies = d.counts.frame_sets > 0;
  return s;
}

DatasetSummary from_images(const SessionData& d, std::vector<std::string>& w) {
  DatasetSummary s;
  if (d.counts.image_files == 0) return s;
  Reader r(d.image, w);
  s.image_width = r.integer("MRC.Width");
  s.image_height = r.integer("MRC.Height");
  if (auto px = r.mean("MRC.PixelSpacing"); px && *px > 0) s.pixel_size_a = px;
  // FEI1/FEI2 extended headers (SI units).
  s.voltage_kv = r.mean("FEI.HT", 1e-3);
  s.dose_per_image = r.mean("FEI.Dose", 1e-20);
  s.calibrated_defocus_nm = r.range("FEI.Defocus", 1e9);
  s.nominal_defocus_nm = r.range("FEI.AppliedDefocus", 1e9);
  s.magnification = r.integer("FEI.Magnification");
  if (auto px = r.mean("FEI.PixelSizeX", 1e10); px && *px > 0) s.pixel_size_a = px;
  s.exposure_time_s = r.mean("FEI.IntegrationTime");
  s.binning_x = r.integer("FEI.BinningWidth");
  s.binning_y = r.integer("FEI.BinningHeight");
  s.detector_name = r.text("FEI.DetectorCommercialName");
  if (!s.detector_name) s.detector_name = r.text("FEI.CameraName");
  if (r.boolean("FEI.ElectronCounting").value_or(false)) s.detector_mode = "counting";
  s.microscope_model = r.text("FEI.MicroscopeType");
  s.software = r.text("FEI.Application");
  s.energy_filter_used = r.boolean("FEI.SlitInserted");
  if (s.energy_filter_used) s.energy_filter_width_ev = r.mean("FEI.SlitWidth");
  s.phase_plate_used = r.boolean("FEI.PhasePlate");
  if (auto tilt = r.range("FEI.AlphaTilt"); tilt && tilt->max - tilt->min > 1.0) {
    s.tilt_angle = tilt;
    s.tilt_axis_angle = r.first_number("FEI.TiltAxisAngle");
    s.tilt_series = 1;
  }
  // EER acquisition metadata (tag 65001).
  if (!s.detector_name) s.detector_name = r.text("EER.commercialName");
  if (!s.detector_name) s.detector_name = r.text("EER.cameraName");
  if (d.image.find("EER.numberOfFrames")) {
    s.detector_mode = "counting";  // EER is event (electron-counted) data by construction
    s.frames_per_movie = r.integer("EER.numberOfFrames");
    if (!s.exposure_time_s) s.exposure_time_s = r.mean("EER.exposureTime");
    if (!s.image_width) s.image_width = r.integer("EER.sensorImageWidth");
    if (!s.image_height) s.image_height = r.integer("EER.sensorImageHeight");
    if (auto t = r.text("EER.timestamp"))
      if (auto at = parse_iso_time(*t)) s.date_time = format_rfc3339(*at);
    s.has_movies = true;
  }
  if (!s.image_width) s.image_width = r.integer("TIFF.Width");
  if (!s.image_height) s.image_height = r.integer("TIFF.Height");
  s.images_generated = d.counts.image_files;
  return s;
}

template <class T>
void fill(std::optional<T>& field, const std::optional<T>& fallback) {
  if (!field && fallback) field = fallback;
}

}  // namespace

void DatasetSummary::overlay(const DatasetSummary& o) {
  auto take = [](auto& mine, const auto& theirs) {
    if (theirs) mine = theirs;
  };
  take(microscope_model, o.microscope_model);
  take(microscope_manufacturer, o.microscope_manufacturer);
  take(illumination, o.illumination);
  take(imaging, o.imaging);
  take(electron_source, o.electron_source);
  take(voltage_kv, o.voltage_kv);
  take(c2_aperture_um, o.c2_aperture_um);
  take(cs_mm, o.cs_mm);
  take(date_time, o.date_time);
  take(software, o.software);
  take(detector_name, o.detector_name);
  take(detector_mode, o.detector_mode);
  take(pixel_size_a, o.pixel_size_a);
  take(dose_per_image, o.dose_per_image);
  take(exposure_time_s, o.exposure_time_s);
  take(energy_filter_width_ev, o.energy_filter_width_ev);
  take(energy_filter_used, o.energy_filter_used);
  take(phase_plate_used, o.phase_plate_used);
  take(energy_filter_model, o.energy_filter_model);
  take(phase_plate_type, o.phase_plate_type);
  take(gainref_flip_rotate, o.gainref_flip_rotate);
  take(nominal_defocus_nm, o.nominal_defocus_nm);
  take(calibrated_defocus_nm, o.calibrated_defocus_nm);
  take(beamshift_x, o.beamshift_x);
  take(beamshift_y, o.beamshift_y);
  take(beamtilt_x, o.beamtilt_x);
  take(beamtilt_y, o.beamtilt_y);
  take(imageshift_x, o.imageshift_x);
  take(imageshift_y, o.imageshift_y);
  take(magnification, o.magnification);
  take(image_width, o.image_width);
  take(image_height, o.image_height);
  take(binning_x, o.binning_x);
  take(binning_y, o.binning_y);
  take(frames_per_movie, o.frames_per_movie);
  take(images_generated, o.images_generated);
  take(tilt_angle, o.tilt_angle);
  take(tilt_increment, o.tilt_increment);
  take(tilt_axis_angle, o.tilt_axis_angle);
  if (o.tilt_series) tilt_series = o.tilt_series;
  has_movies = has_movies || o.has_movies;
}

DatasetSummary build_summary(const SessionData& data, const SiteProfile& site, std::vector<std::string>& warnings) {
  DatasetSummary s = from_images(data, warnings);
  s.overlay(from_epu(data, warnings));
  s.overlay(from_mdoc(data, site, warnings));

  if (s.microscope_model) {
    auto it = site.instrument_models.find(*s.microscope_model);
    if (it != site.instrument_models.end()) s.microscope_model = it->second;
  }
  fill(s.microscope_model, site.microscope_model);
  fill(s.microscope_manufacturer, site.microscope_manufacturer);
  fill(s.electron_source, site.electron_source);
  fill(s.illumination, site.illumination);
  fill(s.imaging, site.imaging);
  fill(s.cs_mm, site.cs_mm);
  fill(s.c2_aperture_um, site.c2_aperture_um);
  fill(s.gainref_flip_rotate, site.gainref_flip_rotate);
  fill(s.energy_filter_model, site.energy_filter_model);
  if (s.phase_plate_used.value_or(false)) fill(s.phase_plate_type, site.phase_plate_type);
  if (s.detector_name && !s.detector_mode) {
    auto it = site.detector_modes.find(*s.detector_name);
    if (it != site.detector_modes.end()) s.detector_mode = it->second;
  }
  return s;
}

}  // namespace openem::extract

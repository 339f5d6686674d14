#include "extract/summary_builder.h"

#include <cmath>

#include "extract/epu_ingest.h"
#include "extract/summary_reader.h"
#include "extract/text_util.h"

namespace openem::extract {
namespace {

const std::string kMD = "MicroscopeImage.microscopeData.";

// Plausible ranges in OSC-EM units: outside them a value is a parse accident or garbage.
constexpr double kMaxVoltageKv = 3000, kMaxPixelA = 1e6, kMaxDose = 1e5, kMaxSeconds = 1e5, kMaxApertureUm = 1e4;
constexpr std::int64_t kMaxMagnification = 100000000, kMaxPixels = 1000000, kMaxBinning = 1024, kMaxFrames = 10000000;

constexpr const char* kVoltageField = "instrument.acceleration_voltage";
constexpr const char* kPixelField = "acquisition.pixel_size";
constexpr const char* kMagnificationField = "acquisition.nominal_magnification";
constexpr const char* kDetectorField = "acquisition.detectors";

DatasetSummary from_epu(const SessionData& d, SummaryDiagnostics diag) {
  DatasetSummary s;
  SummaryReader r(d.epu, diag, &d.epu_constants, "EPU images");
  s.microscope_model = r.text(kMD + "instrument.InstrumentModel");
  s.illumination = r.text(kMD + "optics.IlluminationMode");
  s.imaging = r.text(kMD + "optics.ColumnOperatingTemSubMode");
  s.operating_mode = r.text(kMD + "optics.ColumnOperatingMode");
  s.electron_source = r.text(kMD + "gun.Sourcetype");
  s.voltage_kv = r.constant_number(kMD + "gun.AccelerationVoltage", kVoltageField, 1, kMaxVoltageKv, 1e-3);
  if (auto c2 = r.text("Aperture[C2].Name"); c2 && parse_number(*c2))  // "50"; "None" when out
    s.c2_aperture_um = r.number_in("Aperture[C2].Name", "instrument.c2_aperture", 0.1, kMaxApertureUm);
  s.nominal_defocus_nm = r.range("AppliedDefocus", 1e9);
  s.calibrated_defocus_nm = r.range(kMD + "optics.Defocus", 1e9);
  s.magnification = r.constant_integer(kMD + "optics.TemMagnification.NominalMagnification", kMagnificationField, 1,
                                       kMaxMagnification);
  s.software = r.text(kMD + "core.ApplicationSoftware");
  std::optional<std::string> camera = r.text(kMD + "acquisition.camera.Name");
  if (!r.conflicting(kDetectorField)) {
    s.detector_name = r.text("DetectorCommercialName");
    if (!s.detector_name && camera) s.detector_name = r.text("Detectors[" + *camera + "].CommercialName");
    if (!s.detector_name) s.detector_name = camera;
  }
  if (camera && r.boolean("Detectors[" + *camera + "].ElectronCounted").value_or(false)) s.detector_mode = "counting";
  if (r.boolean(kMD + "acquisition.camera.CameraSpecificInput.ElectronCountingEnabled").value_or(false))
    s.detector_mode = "counting";
  if (auto f = r.first_number(kMD + "acquisition.camera.CameraSpecificInput.SuperResolutionFactor"); f && *f > 1)
    s.detector_mode = "super-resolution";
  // e/Å² from Dose (or DoseOnCamera / pixel area), never DoseOnCamera itself: that is e/pixel.
  s.dose_per_image = r.number_in(kDosePerSquareAngstromKey, "acquisition.dose_per_movie", 0, kMaxDose);
  s.dose_per_pixel = r.mean(kDosePerPixelKey);
  s.energy_filter_used = r.boolean(kMD + "optics.EnergyFilter.EnergySelectionSlitInserted");
  s.energy_filter_width_ev = r.mean(kMD + "optics.EnergyFilter.EnergySelectionSlitWidth");
  s.image_width = r.integer_in(kMD + "acquisition.camera.ReadoutArea.width", "acquisition.image_size.width", 1, kMaxPixels);
  s.image_height =
      r.integer_in(kMD + "acquisition.camera.ReadoutArea.height", "acquisition.image_size.height", 1, kMaxPixels);
  s.date_time = r.earliest(kMD + "acquisition.acquisitionDateTime");
  s.exposure_time_s = r.number_in(kMD + "acquisition.camera.ExposureTime", "acquisition.exposure_time", 0, kMaxSeconds);
  s.binning_x = r.integer_in(kMD + "acquisition.camera.Binning.x", "acquisition.binning_camera.width", 1, kMaxBinning);
  s.binning_y = r.integer_in(kMD + "acquisition.camera.Binning.y", "acquisition.binning_camera.height", 1, kMaxBinning);
  s.pixel_size_a = r.constant_number("MicroscopeImage.SpatialScale.pixelSize.x.numericValue", kPixelField, 1e-3,
                                     kMaxPixelA, 1e10);
  // The type comes from the site profile: PhasePlateApertureName is an aperture slot name.
  s.phase_plate_used = r.boolean("PhasePlateUsed");
  s.beamshift_x = r.range(kMD + "optics.BeamShift._x");
  s.beamshift_y = r.range(kMD + "optics.BeamShift._y");
  s.beamtilt_x = r.range(kMD + "optics.BeamTilt._x");
  s.beamtilt_y = r.range(kMD + "optics.BeamTilt._y");
  s.imageshift_x = r.range(kMD + "optics.ImageShift._x");
  s.imageshift_y = r.range(kMD + "optics.ImageShift._y");
  // Gatan: EquidistantFractionation/NumberOffractions; Falcon (EPU <= 2.x): DoseFractions list.
  for (const auto& k : d.epu.keys_ending_with(".NumberOffractions"))
    if (!s.frames_per_movie) s.frames_per_movie = r.integer_in(k, "acquisition.frames_per_movie", 1, kMaxFrames);
  for (const auto& k : d.epu.keys_ending_with("DoseFractions.Count"))
    if (!s.frames_per_movie) s.frames_per_movie = r.integer_in(k, "acquisition.frames_per_movie", 1, kMaxFrames);
  s.images_generated = d.counts.epu_movies + d.counts.epu_overviews;
  s.has_movies = d.counts.epu_movies > 0;
  const EpuDoseCheck& dc = d.epu_dose;
  if (dc.files_disagreeing > 0)
    diag.warnings.push_back(
        "EPU Dose and DoseOnCamera disagree by more than " + format_number(kEpuDoseTolerance * 100) + " % in " +
        std::to_string(dc.files_disagreeing) + " of " + std::to_string(dc.files_checked) + " files (first: " +
        dc.first_file + ": DoseOnCamera " + format_number(without_float_noise(dc.first_dose_on_camera)) +
        " e/pixel, Dose x pixel area " + format_number(without_float_noise(dc.first_from_dose)) +
        " e/pixel); dose_per_movie is from Dose");
  return s;
}

const char* operating_mode_of(double em_mode) {  // SerialEM EMmode (OpenEM macro): 0 TEM, 1 EFTEM, 2 STEM
  if (em_mode == 0) return "TEM";
  if (em_mode == 1) return "EFTEM";
  if (em_mode == 2) return "STEM";
  return nullptr;
}

DatasetSummary from_mdoc(const KindData& k, AcquisitionKind kind, SummaryDiagnostics diag) {
  DatasetSummary s;
  SummaryReader r(k.values, diag, &k.constants, std::string(kind_name(kind)));
  s.voltage_kv = r.constant_number("Voltage", kVoltageField, 1, kMaxVoltageKv);
  s.pixel_size_a = r.constant_number("PixelSpacing", kPixelField, 1e-3, kMaxPixelA);
  s.image_width = r.integer_in("ImageSize_x", "acquisition.image_size.width", 1, kMaxPixels);
  s.image_height = r.integer_in("ImageSize_y", "acquisition.image_size.height", 1, kMaxPixels);
  if (auto b = r.first_number("Binning")) {
    if (*b > 0 && *b < 1) {  // K2/K3 super-resolution is written as binning 0.5
      s.binning_x = s.binning_y = 1;
      s.detector_mode = "super-resolution";
    } else if (auto i = to_integer_in_range(*b, 1, kMaxBinning)) {
      s.binning_x = s.binning_y = *i;
    } else {
      diag.warnings.push_back("'Binning' = " + format_number(*b) + " is not a camera binning; dropped");
    }
  }
  s.magnification = r.constant_integer("Magnification", kMagnificationField, 1, kMaxMagnification);
  s.exposure_time_s = r.number_in("ExposureTime", "acquisition.exposure_time", 0, kMaxSeconds);
  // Per image (tilt or movie); frame-set slices never get here. 0 means uncalibrated.
  if (auto m = r.max("ExposureDose"); m && *m > 0)
    s.dose_per_image = r.number_in("ExposureDose", "acquisition.dose_per_movie", 0, kMaxDose);
  else if (auto f = r.max("FrameDoseTotal"); f && *f > 0)
    s.dose_per_image = r.number_in("FrameDoseTotal", "acquisition.dose_per_movie", 0, kMaxDose);
  s.nominal_defocus_nm = r.range("TargetDefocus", 1000.0);
  s.calibrated_defocus_nm = r.range("Defocus", 1000.0);
  if (kind == AcquisitionKind::kTiltSeries) {
    s.tilt_angle = r.range("TiltAngle");
    s.tilt_increment = r.max("TiltIncrement");
    s.tilt_axis_angle = r.first_number("TiltAxisAngle");
    s.tilt_series = k.files;
  }
  if (auto n = r.first_number("NumSubFrames"); n && *n > 0)
    s.frames_per_movie = r.integer_in("NumSubFrames", "acquisition.frames_per_movie", 1, kMaxFrames);
  if (auto width = r.max("FilterSlitAndLoss_x")) {
    s.energy_filter_used = *width > 0;
    s.energy_filter_width_ev = *width;
  }
  s.imageshift_x = r.range("ImageShift_x");
  s.imageshift_y = r.range("ImageShift_y");
  s.date_time = r.earliest("DateTime");
  if (!s.date_time) s.date_time = r.earliest("TitleDateTime");
  s.software = r.text("Software");
  if (!r.conflicting(kDetectorField)) s.detector_name = r.text("CameraUsed");
  if (!s.detector_name && !k.unnamed_cameras.empty()) {
    std::string list;
    for (int c : k.unnamed_cameras) list += (list.empty() ? "" : ", ") + std::to_string(c);
    diag.warnings.push_back("CameraIndex " + list + " of the " + std::string(kind_name(kind)) +
                            " names no camera: no SerialEMproperties 'GlobalAutodocEntry Camera<N>' line, no "
                            "'Camera ->' title and no [cameras] entry in the site profile; detectors is empty");
  }
  s.electron_source = r.text("Source");
  auto mode = r.first_number("EMmode");
  if (!mode) mode = r.first_number("EMMode");
  if (mode) {
    if (*mode == 3) s.imaging = "Diffraction";
    else if (const char* m = operating_mode_of(*mode)) s.operating_mode = m;
  }
  if (!s.imaging)
    if (auto mag_index = r.max("MagIndex"); mag_index && *mag_index > 0) s.imaging = "BrightField";
  if (auto pp = r.max("PhasePlateInserted")) s.phase_plate_used = *pp > 0;
  s.microscope_model = r.text("InstrumentCode");
  switch (kind) {
    case AcquisitionKind::kTiltSeries:
    case AcquisitionKind::kMaps:
    case AcquisitionKind::kOverview: s.images_generated = k.images; break;
    case AcquisitionKind::kMovies: s.images_generated = k.movies; break;
  }
  s.has_movies = kind == AcquisitionKind::kMovies;
  return s;
}

DatasetSummary from_images(const SessionData& d, SummaryDiagnostics diag) {
  DatasetSummary s;
  SummaryReader r(d.image, diag);
  s.image_width = r.integer_in("MRC.Width", "acquisition.image_size.width", 1, kMaxPixels);
  s.image_height = r.integer_in("MRC.Height", "acquisition.image_size.height", 1, kMaxPixels);
  if (auto px = r.mean("MRC.PixelSpacing"); px && *px > 0) s.pixel_size_a = px;
  // FEI1/FEI2 extended headers (SI units).
  s.voltage_kv = r.number_in("FEI.HT", kVoltageField, 1, kMaxVoltageKv, 1e-3);
  s.dose_per_image = r.number_in("FEI.Dose", "acquisition.dose_per_movie", 0, kMaxDose, 1e-20);
  s.calibrated_defocus_nm = r.range("FEI.Defocus", 1e9);
  s.nominal_defocus_nm = r.range("FEI.AppliedDefocus", 1e9);
  s.magnification = r.integer_in("FEI.Magnification", kMagnificationField, 1, kMaxMagnification);
  if (auto px = r.mean("FEI.PixelSizeX", 1e10); px && *px > 0) s.pixel_size_a = px;
  s.exposure_time_s = r.number_in("FEI.IntegrationTime", "acquisition.exposure_time", 0, kMaxSeconds);
  s.binning_x = r.integer_in("FEI.BinningWidth", "acquisition.binning_camera.width", 1, kMaxBinning);
  s.binning_y = r.integer_in("FEI.BinningHeight", "acquisition.binning_camera.height", 1, kMaxBinning);
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
    s.frames_per_movie = r.integer_in("EER.numberOfFrames", "acquisition.frames_per_movie", 1, kMaxFrames);
    if (!s.exposure_time_s) s.exposure_time_s = r.number_in("EER.exposureTime", "acquisition.exposure_time", 0, kMaxSeconds);
    if (!s.image_width) s.image_width = r.integer_in("EER.sensorImageWidth", "acquisition.image_size.width", 1, kMaxPixels);
    if (!s.image_height)
      s.image_height = r.integer_in("EER.sensorImageHeight", "acquisition.image_size.height", 1, kMaxPixels);
    if (auto t = r.text("EER.timestamp"))
      if (auto at = parse_iso_time(*t)) s.date_time = format_rfc3339(*at);
    s.has_movies = true;
  }
  if (!s.image_width) s.image_width = r.integer_in("TIFF.Width", "acquisition.image_size.width", 1, kMaxPixels);
  if (!s.image_height) s.image_height = r.integer_in("TIFF.Height", "acquisition.image_size.height", 1, kMaxPixels);
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
  take(operating_mode, o.operating_mode);
  take(voltage_kv, o.voltage_kv);
  take(c2_aperture_um, o.c2_aperture_um);
  take(cs_mm, o.cs_mm);
  take(date_time, o.date_time);
  take(software, o.software);
  take(detector_name, o.detector_name);
  take(detector_mode, o.detector_mode);
  take(pixel_size_a, o.pixel_size_a);
  take(dose_per_image, o.dose_per_image);
  take(dose_per_pixel, o.dose_per_pixel);
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

DatasetSummary build_summary(const SessionData& data, const AcquisitionChoice& choice, const SiteProfile& site,
                             std::vector<std::string>& warnings, std::vector<Conflict>& conflicts) {
  SummaryDiagnostics diag{warnings, conflicts};
  DatasetSummary s;
  if (choice.images) s = from_images(data, diag);
  if (choice.epu) s.overlay(from_epu(data, diag));
  if (choice.mdoc_kind) s.overlay(from_mdoc(data.kind(*choice.mdoc_kind), *choice.mdoc_kind, diag));

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
  if (s.phase_plate_used.value_or(false)) {
    // Instrument files say whether a phase plate was in, never which kind: the site says.
    s.phase_plate_type = site.phase_plate_type;
    if (!s.phase_plate_type)
      warnings.push_back("a phase plate was used but the files do not say which kind; set [microscope] phase_plate "
                         "in the site profile (instrument_type is \"unspecified\")");
  }
  if (s.detector_name && !s.detector_mode) {
    auto it = site.detector_modes.find(*s.detector_name);
    if (it != site.detector_modes.end()) s.detector_mode = it->second;
  }
  return s;
}

}  // namespace openem::extract

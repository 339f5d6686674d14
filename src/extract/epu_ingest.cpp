#include "extract/epu_ingest.h"

#include <cmath>
#include <string_view>
#include <utility>
#include <vector>

#include "extract/date_time.h"
#include "extract/epu_xml_reader.h"
#include "extract/key_value_sink.h"
#include "extract/text_util.h"

namespace openem::extract {
namespace {

constexpr std::string_view kVoltage = "MicroscopeImage.microscopeData.gun.AccelerationVoltage";
constexpr std::string_view kPixel = "MicroscopeImage.SpatialScale.pixelSize.x.numericValue";
constexpr std::string_view kMagnification = "MicroscopeImage.microscopeData.optics.TemMagnification.NominalMagnification";
constexpr std::string_view kCameraName = "MicroscopeImage.microscopeData.acquisition.camera.Name";
constexpr std::string_view kExposure = "MicroscopeImage.microscopeData.acquisition.camera.ExposureTime";
constexpr std::string_view kDefocus = "MicroscopeImage.microscopeData.optics.Defocus";

// The summary reads the MicroscopeImage tree and these CustomData pairs: FlatAggregate
// KeyKind::kKnown, so that however many other CustomData pairs a file brings, they stay
// (within FlatAggregate::kMaxKnownKeys).
bool is_known_key(std::string_view key) {
  return key.starts_with("MicroscopeImage.") || key.starts_with("Detectors[") || key.starts_with("Aperture[") ||
         key == "Dose" || key == "DoseOnCamera" || key == "DetectorCommercialName" || key == "AppliedDefocus" ||
         key == "PhasePlateUsed";
}

// Holds one file's pairs in a single buffer until the whole file has parsed, so a bad file
// leaves nothing behind and a good one costs no per-key allocation.
class StagingSink : public KeyValueSink {
 public:
  void on_value(std::string_view key, std::string_view value) override {
    items_.push_back({arena_.size(), key.size(), value.size()});
    arena_.append(key);
    arena_.append(value);
  }
  template <class F>
  void for_each(F&& f) const {
    std::string_view a = arena_;
    for (const auto& it : items_) f(a.substr(it.off, it.klen), a.substr(it.off + it.klen, it.vlen));
  }
  void clear() {
    arena_.clear();
    items_.clear();
  }

 private:
  struct Item {
    std::size_t off, klen, vlen;
  };
  std::string arena_;
  std::vector<Item> items_;
};

// The values of one file that the dose and the constant checks need.
struct Captured {
  std::optional<double> dose, dose_on_camera, pixel_m, voltage_v, magnification;
  std::string commercial_name, camera_name;
  std::vector<std::pair<std::string, std::string>> detector_names;  // Detectors[<camera>].CommercialName
  std::vector<std::string> not_numbers;  // "'key' = 'value'" of numbers that did not parse

  // A finite number, or nullopt and a note: NaN, infinities and overflow (1E+400) parse but
  // are no measurement, so they never reach the dose or the constant checks.
  std::optional<double> number(std::string_view key, std::string_view value) {
    auto v = parse_number(value);
    if (v && std::isfinite(*v)) return v;
    if (not_numbers.size() < 8)
      not_numbers.push_back("'" + std::string(key) + "' = '" + std::string(value.substr(0, 80)) + "' is not a" +
                            (v && std::isinf(*v) ? " finite number" : " number"));
    return std::nullopt;
  }
  void see(std::string_view key, std::string_view value) {
    if (key == "Dose") dose = number(key, value);
    else if (key == "DoseOnCamera") dose_on_camera = number(key, value);
    else if (key == kPixel) pixel_m = number(key, value);
    else if (key == kVoltage) voltage_v = number(key, value);
    else if (key == kMagnification) magnification = number(key, value);
    else if (key == kExposure || key == kDefocus || key == "AppliedDefocus") number(key, value);
    else if (key == "DetectorCommercialName") commercial_name = value;
    else if (key == kCameraName) camera_name = value;
    else if (key.starts_with("Detectors[") && key.ends_with("].CommercialName")) detector_names.emplace_back(key, value);
  }
  // What summary_builder reports as the detector: DetectorCommercialName, else the
  // camera's Detectors[...] commercial name, else the camera name.
  std::string detector() const {
    if (!commercial_name.empty()) return commercial_name;
    std::string wanted = "Detectors[" + camera_name + "].CommercialName";
    for (const auto& [k, v] : detector_names)
      if (k == wanted && !v.empty()) return v;
    return camera_name;
  }
};

}  // namespace

void EpuDoseCheck::merge(const EpuDoseCheck& later) {
  if (files_disagreeing == 0 && later.files_disagreeing > 0) {
    first_file = later.first_file;
    first_dose_on_camera = later.first_dose_on_camera;
    first_from_dose = later.first_from_dose;
  }
  files_checked += later.files_checked;
  files_disagreeing += later.files_disagreeing;
}

EpuDose ingest_epu_xml(char* buffer, std::size_t size, const std::string& file, FlatAggregate& out,
                       ConstantTracker& constants, EpuDoseCheck& dose_check, std::vector<std::string>& warnings) {
  thread_local StagingSink staging;
  staging.clear();
  parse_epu_image_xml(buffer, size, file, staging);  // throws before any sample is added

  Captured c;
  staging.for_each([&](std::string_view key, std::string_view value) {
    c.see(key, value);
    const KeyKind kind = is_known_key(key) ? KeyKind::kKnown : KeyKind::kFile;
    if (key.ends_with("DateTime"))  // timestamps become instants
      if (auto t = parse_iso_time(value)) {
        out.add_time(key, value, *t, kind);
        return;
      }
    out.add(key, value, kind);
  });

  for (const auto& n : c.not_numbers) warnings.push_back(file + ": " + n + "; dropped");
  EpuDose dose = derive_epu_dose(c.dose, c.dose_on_camera, c.pixel_m);
  // Added after the file's own keys, so known keys: a file with thousands of keys keeps them.
  if (dose.per_square_angstrom) out.add_number(kDosePerSquareAngstromKey, *dose.per_square_angstrom, KeyKind::kKnown);
  if (dose.per_pixel) out.add_number(kDosePerPixelKey, *dose.per_pixel, KeyKind::kKnown);
  if (dose.disagreement) {
    ++dose_check.files_checked;
    if (*dose.disagreement > kEpuDoseTolerance && dose_check.files_disagreeing++ == 0) {
      dose_check.first_file = file;
      dose_check.first_dose_on_camera = *c.dose_on_camera;
      dose_check.first_from_dose = *c.dose * 1e-20 * (*c.pixel_m * 1e10) * (*c.pixel_m * 1e10);
    }
  }

  if (c.voltage_v) constants.note_number("instrument.acceleration_voltage", *c.voltage_v * 1e-3, "kV", file);
  if (c.pixel_m) constants.note_number("acquisition.pixel_size", *c.pixel_m * 1e10, "\u212B", file);
  if (c.magnification) constants.note_number("acquisition.nominal_magnification", *c.magnification, "", file);
  constants.note_text("acquisition.detectors", c.detector(), file);
  return dose;
}

}  // namespace openem::extract

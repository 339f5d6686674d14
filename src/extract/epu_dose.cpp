#include "extract/epu_dose.h"

#include <cmath>

#include "extract/text_util.h"

namespace openem::extract {
namespace {

std::optional<double> usable(std::optional<double> v) {
  if (!v || !std::isfinite(*v) || *v < 0) return std::nullopt;
  return v;
}

}  // namespace

EpuDose derive_epu_dose(std::optional<double> dose_per_m2, std::optional<double> dose_on_camera,
                        std::optional<double> pixel_size_m) {
  dose_per_m2 = usable(dose_per_m2);
  dose_on_camera = usable(dose_on_camera);
  std::optional<double> pixel_a;  // Å
  if (pixel_size_m && std::isfinite(*pixel_size_m) && *pixel_size_m > 0) pixel_a = *pixel_size_m * 1e10;

  EpuDose d;
  d.per_pixel = dose_on_camera;
  if (dose_per_m2) {
    d.source = EpuDose::Source::kDose;
    d.per_square_angstrom = without_float_noise(*dose_per_m2 * 1e-20);
    if (pixel_a) {
      double per_pixel = *dose_per_m2 * 1e-20 * *pixel_a * *pixel_a;
      if (!d.per_pixel) d.per_pixel = without_float_noise(per_pixel);
      else if (*dose_on_camera > 0) d.disagreement = std::fabs(per_pixel - *dose_on_camera) / *dose_on_camera;
      else d.disagreement = per_pixel > 0 ? 1.0 : 0.0;
    }
  } else if (dose_on_camera && pixel_a) {
    d.source = EpuDose::Source::kDoseOnCameraAndPixel;
    d.per_square_angstrom = without_float_noise(*dose_on_camera / (*pixel_a * *pixel_a));
  }
  return d;
}

}  // namespace openem::extract

#pragma once
// EpuDose: the electron dose of one EPU image in e/Å², derived from what EPU writes in its
// CustomData: `Dose` is electrons per m² on the specimen (× 1e-20 = e/Å²); `DoseOnCamera` is
// electrons per camera pixel (= Dose × 1e-20 × (pixel size in Å)²). DoseOnCamera is never a
// dose per Å²: taking it for one is wrong by the pixel area (105.7 "e/Å²" for a real 64).
// Pure function, thread-safe.
#include <optional>

namespace openem::extract {

struct EpuDose {
  enum class Source { kNone, kDose, kDoseOnCameraAndPixel };
  std::optional<double> per_square_angstrom;  // e/Å²
  std::optional<double> per_pixel;            // e/pixel: DoseOnCamera, or derived from Dose
  // |Dose-derived per-pixel dose − DoseOnCamera| / DoseOnCamera, when both can be computed.
  std::optional<double> disagreement;
  Source source = Source::kNone;
};

// Files whose two doses differ by more than this are reported (EPU's own figures agree to
// ~1e-15; a difference means a pixel size or a dose from another image).
inline constexpr double kEpuDoseTolerance = 0.01;

// `dose_per_m2` = CustomData Dose, `dose_on_camera` = CustomData DoseOnCamera,
// `pixel_size_m` = SpatialScale pixelSize x (metres). Non-finite or negative inputs count as
// absent; the pixel size must be positive.
EpuDose derive_epu_dose(std::optional<double> dose_per_m2, std::optional<double> dose_on_camera,
                        std::optional<double> pixel_size_m);

}  // namespace openem::extract

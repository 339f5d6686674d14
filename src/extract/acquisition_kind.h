#pragma once
// AcquisitionKind: what one metadata file records, so that a session folder holding several
// kinds side by side (the usual SerialEM layout: tilt series, a grid montage, frame mdocs,
// navigator maps) is described by the files its technique is about, and overview images
// never set an acquisition value. Value type.
#include <array>
#include <cstddef>
#include <string_view>

namespace openem::extract {

enum class AcquisitionKind {
  kTiltSeries,  // images at >= 3 distinct tilt angles
  kMovies,      // single-particle frames: [FrameSet] mdocs, images whose frames were saved, EPU movies
  kMaps,        // navigator/anchor maps and other single images without saved frames
  kOverview,    // montages ([MontSection], Montage = 1, piece coordinates), EPU grid-square/foil-hole images
};
inline constexpr std::size_t kAcquisitionKinds = 4;

inline std::size_t kind_index(AcquisitionKind k) { return static_cast<std::size_t>(k); }

inline std::string_view kind_name(AcquisitionKind k) {
  switch (k) {
    case AcquisitionKind::kTiltSeries: return "tilt series";
    case AcquisitionKind::kMovies: return "single-particle movies";
    case AcquisitionKind::kMaps: return "navigator/anchor maps and single images";
    case AcquisitionKind::kOverview: return "montage/overview images";
  }
  return "?";
}

inline constexpr std::array<AcquisitionKind, kAcquisitionKinds> kAllKinds = {
    AcquisitionKind::kTiltSeries, AcquisitionKind::kMovies, AcquisitionKind::kMaps, AcquisitionKind::kOverview};

}  // namespace openem::extract

#pragma once
// MdocIngest: turns one parsed autodoc into dataset samples: every section's keys, 2-vectors
// split into <key>_x/<key>_y, timestamps parsed with the right date order, plus per-file
// facts the mdoc only implies (software, tilt axis, camera names, tilt increment).
// Stateless functions, thread-safe.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "extract/flat_aggregate.h"
#include "extract/mdoc_reader.h"

namespace openem::extract {

struct MdocContext {
  std::map<int, std::string> cameras;  // CameraIndex -> name (SerialEMproperties Camera<N>)
  std::optional<int> zone_offset_minutes;
};

struct MdocFacts {
  std::int64_t images = 0;      // [ZValue]/[FrameSet]/[Image] sections
  std::int64_t frame_sets = 0;
  bool tilt_series = false;
  std::int64_t tilts = 0;
};

MdocFacts ingest_mdoc(const MdocDocument& doc, const MdocContext& ctx, FlatAggregate& out);

// "Tilt axis angle = 85.3, binning = 4" (SerialEM) or "TiltAxisAngle = -174.23" (Tomo5).
std::optional<double> mdoc_tilt_axis_angle(const MdocDocument& doc);
// "SerialEM: UMass_Krios Camera -> 0:Ceta 1:GIF-K3  08-Oct-21 ..." -> {0: Ceta, 1: GIF-K3}.
std::map<int, std::string> title_cameras(std::string_view title);
// The acquisition step of a tilt series: median gap between neighbouring distinct angles
// (sorted), rounded to 0.001°; nullopt for fewer than 3 distinct angles.
std::optional<double> tilt_step(std::vector<double> angles);

}  // namespace openem::extract

#pragma once
// MdocIngest: turns one autodoc, as the parser streams it, into samples of that file (every
// image section's keys, 2-vectors split into <key>_x/<key>_y, timestamps parsed in the right
// date order) plus what the mdoc only implies (software, tilt axis, camera names, tilt step)
// and what kind of acquisition the file records (tilt series, single-particle movie, map,
// montage). Only aggregates are kept, so memory does not grow with the file. One MdocIngest
// per file; not thread-safe. The free functions are stateless and thread-safe.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "extract/acquisition_kind.h"
#include "extract/flat_aggregate.h"
#include "extract/mdoc_reader.h"
#include "extract/mdoc_stream.h"
#include "extract/tilt_angle_set.h"

namespace openem::extract {

struct MdocContext {
  std::map<int, std::string> cameras;       // SerialEMproperties Camera<N> (win over the title)
  std::map<int, std::string> site_cameras;  // site profile [cameras] (when no file names the camera)
  std::optional<int> zone_offset_minutes;
};

struct MdocFacts {
  AcquisitionKind kind = AcquisitionKind::kMaps;
  std::string why;               // what decided the kind ("[MontSection] section", "3 tilt angles", ...)
  std::int64_t images = 0;       // image sections with data ([ZValue]/[Image]/[FrameSet]), slices excluded
  std::int64_t frame_sets = 0;   // [FrameSet] sections (one per frame-stack mdoc)
  std::int64_t movies = 0;       // frame sets, or images whose frames were saved
  std::int64_t frame_slices = 0;  // [ZValue] slices of a frame-set movie (parts of it, not images)
  bool tilt_series = false;
  std::int64_t tilts = 0;
  std::optional<double> tilt_step;
  std::vector<int> unnamed_cameras;  // CameraIndex values that no title, property or profile names
};

class MdocIngest : public MdocHandler {
 public:
  // `out` receives this file's samples only (callers pass a scratch aggregate and merge it
  // once the file has been read completely, so a file that fails leaves nothing behind).
  MdocIngest(const MdocContext& ctx, std::string file, FlatAggregate& out);

  void on_title(std::string_view text, std::size_t line) override;
  void on_section(std::string_view type, std::string_view name, std::size_t line) override;
  void on_entry(std::string_view key, std::string_view value, std::size_t line) override;

  // Classifies the file and adds the per-file facts. Throws ExtractError(file, last_line)
  // when no image section holds data (a truncated file, or not an image's metadata).
  MdocFacts finish(std::size_t last_line);
  // "file:line: reason" for dropped values (unparseable or non-finite numbers, over-long values).
  std::vector<std::string>& warnings() { return warnings_; }

 private:
  enum class Scope { kGlobal, kImage, kFrameSet, kSlice, kOther };
  void emit(std::string_view key, std::string_view value, std::size_t line);
  // Warns once per key when a number (scalar) or 2-vector value is not finite numbers.
  void check_number(std::string_view key, std::string_view value, bool scalar, std::size_t line);
  void warn(std::size_t line, const std::string& reason);
  void open_image_section();

  const MdocContext& ctx_;
  std::string file_;
  FlatAggregate& out_;
  std::vector<std::string> warnings_;
  std::vector<std::string> warned_keys_;
  std::map<int, std::string> title_cameras_;
  std::optional<std::string> title0_, version_;
  bool tomo5_ = false, axis_found_ = false;
  Scope scope_ = Scope::kGlobal;
  std::string section_type_;
  bool section_has_data_ = false, section_saved_frames_ = false;
  bool montage_ = false;
  std::string montage_why_;
  MdocFacts facts_;
  std::int64_t images_with_frames_ = 0;
  TiltAngleSet tilts_;
  std::vector<int> unnamed_;
  std::string key_;  // scratch for <key>_x / <key>_y
};

// Ingests a parsed document (tests, fuzzers, tools): same samples and facts as streaming it.
MdocFacts ingest_mdoc(const MdocDocument& doc, const MdocContext& ctx, FlatAggregate& out);
// Streams one file through the parser into `out`; `warnings` receives skipped lines and
// dropped values. Throws ExtractError for unreadable or malformed files.
MdocFacts ingest_mdoc_file(const std::filesystem::path& path, const MdocContext& ctx, FlatAggregate& out,
                           std::vector<std::string>& warnings, std::uint64_t& bytes_read);

// "Tilt axis angle = 85.3, binning = 4" (SerialEM) or "TiltAxisAngle = -174.23" (Tomo5).
std::optional<double> mdoc_tilt_axis_angle(const MdocDocument& doc);
std::optional<double> title_tilt_axis_angle(std::string_view title);
// "SerialEM: UMass_Krios Camera -> 0:Ceta 1:GIF-K3  08-Oct-21 ..." -> {0: Ceta, 1: GIF-K3}.
std::map<int, std::string> title_cameras(std::string_view title);
// Tomo5 title 1 "Tomography: GLACIOS-9951630  21-Nov-30 ..." -> "GLACIOS-9951630" (the
// instrument code; a date is never taken for it).
std::optional<std::string> tomo5_instrument_code(std::string_view title);

}  // namespace openem::extract

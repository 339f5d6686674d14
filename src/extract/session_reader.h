#pragma once
// SessionReader: reads every discovered metadata file of a session, in parallel, into
// per-source aggregates, and the autodocs also into one aggregate per acquisition kind
// (tilt series, movies, maps, montages), so that a mixed SerialEM folder is described by the
// files its technique is about. Autodocs are streamed: memory stays bounded whatever the
// file size. Files are split into fixed-size chunks in path order and chunk results are
// merged in that order, so the result is identical for any thread count.
// Stateless function, thread-safe; it starts and joins its own worker threads.
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "extract/acquisition_kind.h"
#include "extract/constant_tracker.h"
#include "extract/epu_ingest.h"
#include "extract/extract_error.h"
#include "extract/flat_aggregate.h"
#include "extract/session_discovery.h"
#include "extract/site_profile.h"

namespace openem::extract {

struct SessionCounts {
  std::int64_t epu_movies = 0;    // per-movie EPU XMLs read
  std::int64_t epu_overviews = 0;  // EPU grid-square/foil-hole images (read only as a single file)
  std::int64_t mdoc_files = 0;
  std::int64_t mdoc_images = 0;   // image sections with data, frame-set slices excluded
  std::int64_t frame_sets = 0;    // [FrameSet] sections (SPA frame mdocs)
  std::int64_t tilt_series = 0;   // mdocs whose tilt angles span a series
  std::int64_t tilts = 0;         // images in those tilt series
  std::int64_t image_files = 0;   // MRC/EER/TIFF headers read
  std::int64_t image_sections = 0;
  std::int64_t bytes_read = 0;
};

// The autodocs of one acquisition kind.
struct KindData {
  FlatAggregate values;            // their samples
  ConstantTracker constants;       // voltage, pixel size, magnification, detector per file
  std::int64_t files = 0, images = 0, movies = 0, tilts = 0, frame_slices = 0;
  std::vector<std::string> examples;  // the first few files, for messages
  std::vector<int> unnamed_cameras;   // CameraIndex values nothing names

  void merge(KindData&& later);
};

struct SessionData {
  FlatAggregate epu, mdoc, image, session;  // mdoc: every autodoc (the flat view)
  std::array<KindData, kAcquisitionKinds> mdoc_kinds;
  ConstantTracker epu_constants;
  EpuDoseCheck epu_dose;
  SessionCounts counts;
  std::vector<std::filesystem::path> used;  // files that contributed, in path order
  std::vector<std::string> warnings;        // "file:line: reason" for skipped files/lines
  std::vector<std::string> errors;          // files that could not be read at all
  std::optional<ExtractError> first_error;  // the earliest of them in path order

  const KindData& kind(AcquisitionKind k) const { return mdoc_kinds[kind_index(k)]; }
  void merge(SessionData&& later);
};

struct ReadOptions {
  unsigned threads = 0;          // 0: hardware concurrency
  bool read_image_headers = false;  // also decode MRC/EER/TIFF headers
  std::size_t max_image_headers = 20000;
};

SessionData read_session(const SessionFiles& files, const SiteProfile& site, const ReadOptions& options);

}  // namespace openem::extract

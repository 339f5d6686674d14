#pragma once
// EpuIngest: one EPU MicroscopeImage XML into dataset samples: its flat key/values, the dose
// per Å² derived from Dose (or DoseOnCamera and the pixel size), and the values that must be
// constant across a session's movies (voltage, pixel size, magnification, detector).
// Stateless function, thread-safe (one scratch buffer per thread).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "extract/constant_tracker.h"
#include "extract/epu_dose.h"
#include "extract/flat_aggregate.h"

namespace openem::extract {

// Flat keys of derived values (added next to EPU's own keys).
inline constexpr const char* kDosePerSquareAngstromKey = "DosePerSquareAngstrom";  // e/Å²
inline constexpr const char* kDosePerPixelKey = "DosePerPixel";                    // e/pixel

// Where the two EPU doses of one file disagree by more than kEpuDoseTolerance: the first
// such file (path order) and how many there are.
struct EpuDoseCheck {
  std::int64_t files_checked = 0, files_disagreeing = 0;
  std::string first_file;
  double first_dose_on_camera = 0, first_from_dose = 0;  // e/pixel: as written, from Dose
  void merge(const EpuDoseCheck& later);
};

// Parses `buffer` (modified in place) and adds the file's samples to `out` only when the
// whole file parsed; `warnings` receives values EPU writes as numbers that are not numbers.
// Throws ExtractError for malformed XML.
EpuDose ingest_epu_xml(char* buffer, std::size_t size, const std::string& file, FlatAggregate& out,
                       ConstantTracker& constants, EpuDoseCheck& dose_check, std::vector<std::string>& warnings);

}  // namespace openem::extract

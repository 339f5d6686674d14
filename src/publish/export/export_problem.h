#pragma once
// ExportProblem: one thing an export could not carry over as given — reported to the user with
// the OSC-EM (or dataset) path it came from and the target field, never silently dropped.
// Errors stop an export unless the caller allows an incomplete one; warnings never do.
#include <string>
#include <vector>

namespace openem {

struct ExportProblem {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  std::string source;   // where the value came from: "instrument.cs", "files[3]", "" when nothing did
  std::string target;   // where it should go: "_em_imaging.nominal_cs", "imagesets[0].voxel_type"
  std::string message;  // what is wrong, in words a user can act on

  bool is_error() const { return severity == Severity::kError; }
};

inline bool has_errors(const std::vector<ExportProblem>& problems) {
  for (const ExportProblem& p : problems) {
    if (p.is_error()) return true;
  }
  return false;
}

// "error: instrument.cs → _em_imaging.nominal_cs: unit "furlong" cannot be converted to millimetres"
std::string describe(const ExportProblem& problem);

}  // namespace openem

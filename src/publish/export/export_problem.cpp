#include "publish/export/export_problem.h"

namespace openem {

std::string describe(const ExportProblem& problem) {
  std::string out = problem.is_error() ? "error: " : "warning: ";
  if (!problem.source.empty()) out += problem.source;
  if (!problem.source.empty() && !problem.target.empty()) out += " → ";
  if (!problem.target.empty()) out += problem.target;
  if (!problem.source.empty() || !problem.target.empty()) out += ": ";
  return out + problem.message;
}

}  // namespace openem

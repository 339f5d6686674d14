#pragma once
// Completeness: the fields a document must have and does not — those its technique's OSC-EM
// schema requires, and those an EMDB deposition requires (PDBx items with mandatory_code
// "yes" in the dictionary or the wwPDB deposition rules) that acquisition files can fill.
// Each gap is a warning; `openem extract --strict` fails on them. Pure function, thread-safe.
#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "extract/technique.h"

namespace openem::extract {

struct Gap {
  std::string field;      // "acquisition.dose_per_movie"
  std::string needed_by;  // "EMDB _em_image_recording.avg_electron_dose_per_image"
  std::string describe() const { return "missing " + field + " (needed by " + needed_by + ")"; }
};

std::vector<Gap> find_gaps(const boost::json::object& doc, Technique t);

}  // namespace openem::extract

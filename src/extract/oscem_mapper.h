#pragma once
// OscemMapper: writes a DatasetSummary as an OSC-EM v1.0.2 document for one technique
// (quantities as {value, unit}, tilt fields only for tomography, technique const filled).
// Stateless functions, thread-safe.
#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "extract/dataset_summary.h"
#include "extract/technique.h"

namespace openem::extract {

// A tilt series makes it subtomo, movies without tilts spa, anything else general.
Technique detect_technique(const DatasetSummary& s);

// `warnings` receives what had to be left out (e.g. tilt data in an SPA document).
boost::json::object map_to_oscem(const DatasetSummary& s, Technique t, std::vector<std::string>& warnings);

}  // namespace openem::extract

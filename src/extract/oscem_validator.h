#pragma once
// OscemValidator: checks an OSC-EM document against the JSON Schema of its technique with
// valijson; each problem comes back with the JSON path and the reason. Schemas are parsed
// once per technique and cached; thread-safe.
#include <boost/json/value.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "extract/technique.h"

namespace openem::extract {

struct ValidationIssue {
  std::string path;     // "acquisition.tilt_angle.increment", "" for the root
  std::string message;  // valijson's reason
};

// `schema_dir` (optional) holds <technique>/jsonschema/oscem_schemas_<technique>.schema.json
// as published; without it the embedded schemas are used. Throws ExtractError when no schema
// is available or it does not parse.
std::vector<ValidationIssue> validate_oscem(const boost::json::value& doc, Technique t,
                                            const std::optional<std::filesystem::path>& schema_dir = std::nullopt);

}  // namespace openem::extract

#pragma once
// The five OSC-EM v1.0.2 JSON Schemas, embedded at build time from OPENEM_OSCEM_SCHEMA_DIR
// (see src/extract/CMakeLists.txt). Immutable data, thread-safe.
#include <string_view>

#include "extract/technique.h"

namespace openem::extract {

// Empty when the build had no schema files (then a schema folder must be given at run time).
std::string_view embedded_oscem_schema(Technique t);
inline constexpr std::string_view kOscemSchemaVersion = "v1.0.2";

}  // namespace openem::extract

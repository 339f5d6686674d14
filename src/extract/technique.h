#pragma once
// Technique: which of the five OSC-EM v1.0.2 schemas a document targets. Value type.
#include <optional>
#include <string_view>

namespace openem::extract {

enum class Technique { kAuto, kSpa, kSubtomo, kCellularTomo, kEnvTomo, kGeneral };

// "spa", "subtomo", "cellular_tomo", "env_tomo", "general" (and "auto" for kAuto).
std::string_view technique_name(Technique t);
std::optional<Technique> parse_technique(std::string_view name);
inline bool is_tomography(Technique t) {
  return t == Technique::kSubtomo || t == Technique::kCellularTomo || t == Technique::kEnvTomo;
}

}  // namespace openem::extract

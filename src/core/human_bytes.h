#pragma once
// A byte count for people: decimal units (kB = 1000 bytes, as file managers and SciCat's
// frontend show them), e.g. "512 bytes", "12.3 MB".
#include <string>

namespace openem {

// `decimals` after the point for kB and above (bytes are whole).
std::string human_bytes(double bytes, int decimals = 1);

}  // namespace openem

#pragma once
// JSON text written directly, for answers too large to build as boost::json values first
// (a 10,000-node lineage: building and freeing the value tree cost more than the walk's reads).
// Strings are escaped as boost::json::serialize escapes them, so either way gives the same text.
#include <string>
#include <string_view>

namespace openem {

// `s` as a JSON string literal, quotes included. `s` is UTF-8 (as every stored string is).
void append_json_string(std::string& out, std::string_view s);

}  // namespace openem

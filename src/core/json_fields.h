#pragma once
// Lenient reads of one field of a JSON object, for code that takes documents as the catalog
// holds them (SciCat records, OSC-EM metadata) where a field may be absent or of another type:
// such a field reads as "" instead of throwing. Header-only and pure; thread-safe.
#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace openem {

// The string at `key`; "" when the key is absent or its value is not a string.
inline std::string json_string(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// The strings of the array at `key` (other elements skipped); empty when absent or not an array.
inline std::vector<std::string> json_strings(const boost::json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (const boost::json::value* v = o.if_contains(key); v && v->is_array())
    for (const auto& x : v->get_array())
      if (x.is_string()) out.emplace_back(x.get_string());
  return out;
}

// The boolean at `key`; false when the key is absent or its value is not a boolean.
inline bool json_bool(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

// The integer at `key`; 0 when absent or not a number (a double is truncated: rows written by
// another tool may hold 3.0 for 3).
inline std::int64_t json_int(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  if (!v) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<std::int64_t>(v->get_double());
  return 0;
}

// The value at `key` as text: a string as is, a number as JSON writes it (publicationYear may
// arrive as 2024 or "2024"); "" when absent, null, boolean, array or object.
inline std::string json_text(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  if (!v) return {};
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_int64()) return std::to_string(v->get_int64());
  if (v->is_uint64()) return std::to_string(v->get_uint64());
  if (v->is_double()) return boost::json::serialize(*v);
  return {};
}

}  // namespace openem

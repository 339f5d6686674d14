#pragma once
// Helpers for the extract unit tests: where the shared reference data lives, JSON loading,
// and leaf-by-leaf comparison with numeric tolerance. Test-only; not part of the library.
#include <boost/json.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

namespace openem::extract::testing {

inline std::filesystem::path shared_dir() { return std::filesystem::path(OPENEM_SHARED_DIR) / "testdata"; }
inline std::filesystem::path fixtures_dir() {
  return std::filesystem::path(OPENEM_SOURCE_DIR) / "tests" / "data" / "extract";
}
inline std::filesystem::path reference_tests() {
  return shared_dir() / "oscem" / "osc-em_oscem-extractor-life" / "tests";
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline boost::json::value load_json(const std::filesystem::path& p) { return boost::json::parse(slurp(p)); }

inline double as_number(const boost::json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.as_double();
}

inline bool numbers_close(double a, double b, double rel = 1e-9) {
  return std::fabs(a - b) <= rel * std::max({1.0, std::fabs(a), std::fabs(b)});
}

// Calls `leaf(path, value)` for every scalar under v ("acquisition.pixel_size.value").
inline void for_each_leaf(const boost::json::value& v, const std::string& path,
                          const std::function<void(const std::string&, const boost::json::value&)>& leaf) {
  if (v.is_object()) {
    for (const auto& kv : v.get_object())
      for_each_leaf(kv.value(), path.empty() ? std::string(kv.key()) : path + "." + std::string(kv.key()), leaf);
  } else if (v.is_array()) {
    const auto& a = v.get_array();
    for (size_t i = 0; i < a.size(); ++i) for_each_leaf(a[i], path + "[" + std::to_string(i) + "]", leaf);
  } else {
    leaf(path, v);
  }
}

// The value at a dotted path with [i] indices; nullptr when absent.
inline const boost::json::value* at_path(const boost::json::value& root, const std::string& path) {
  const boost::json::value* cur = &root;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') { ++i; continue; }
    if (path[i] == '[') {
      size_t j = path.find(']', i);
      size_t idx = std::stoul(path.substr(i + 1, j - i - 1));
      if (!cur->is_array() || idx >= cur->get_array().size()) return nullptr;
      cur = &cur->get_array()[idx];
      i = j + 1;
      continue;
    }
    size_t j = path.find_first_of(".[", i);
    if (j == std::string::npos) j = path.size();
    if (!cur->is_object()) return nullptr;
    auto it = cur->get_object().find(path.substr(i, j - i));
    if (it == cur->get_object().end()) return nullptr;
    cur = &it->value();
    i = j;
  }
  return cur;
}

}  // namespace openem::extract::testing

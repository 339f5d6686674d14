#pragma once
// The value at a dotted path in a JSON object ("profile.email", "acquisition.detector"):
// each part but the last must name an object. nullptr when anything is missing.
#include <boost/json.hpp>

#include <string_view>

namespace openem {

inline const boost::json::value* value_at_path(const boost::json::object& root, std::string_view path) {
  const boost::json::object* obj = &root;
  while (true) {
    auto dot = path.find('.');
    const boost::json::value* v = obj->if_contains(path.substr(0, dot));
    if (!v || dot == std::string_view::npos) return v;
    if (!v->is_object()) return nullptr;
    obj = &v->get_object();
    path.remove_prefix(dot + 1);
  }
}

}  // namespace openem

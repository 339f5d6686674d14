#pragma once
// JsonWriter: deterministic JSON text for documents people read and diff: object keys
// sorted, 2-space indentation, doubles in shortest round-trip form ("2.66", not "2.66E0" as
// Boost.JSON prints). Stateless functions, thread-safe.
#include <boost/json/value.hpp>
#include <string>

namespace openem::extract {

std::string to_pretty_json(const boost::json::value& v);

}  // namespace openem::extract

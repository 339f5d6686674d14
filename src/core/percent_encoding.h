#pragma once
// Percent-encoding of one URL component (RFC 3986 §2.3: the unreserved characters
// A-Z a-z 0-9 - . _ ~ are kept, every other byte becomes %XX): pids as one path segment,
// query values, PROV-JSON local names. Thread-safe.
#include <string>
#include <string_view>

namespace openem {

std::string percent_encode(std::string_view s);

}  // namespace openem

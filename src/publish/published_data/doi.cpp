#include "publish/published_data/doi.h"

#include <cctype>
#include <stdexcept>

#include "core/ids.h"

namespace openem {

std::string mint_doi(const std::string& prefix, bool short_suffix) {
  if (prefix.empty()) throw std::invalid_argument("DOI_PREFIX is not set");
  return prefix + "/" + (short_suffix ? random_hex(5) : uuid_v4());
}

std::optional<std::string> doi_problem(std::string_view doi, const std::string& prefix) {
  if (doi.empty()) return "doi must not be empty";
  if (doi.size() > 200) return "doi must be at most 200 characters";
  auto slash = doi.find('/');
  if (doi.compare(0, 3, "10.") != 0 || slash == std::string_view::npos || slash == 3 || slash + 1 == doi.size())
    return "doi must look like 10.<registrant>/<suffix>";
  for (std::size_t i = 3; i < slash; ++i)
    if (!((doi[i] >= '0' && doi[i] <= '9') || doi[i] == '.')) return "doi must look like 10.<registrant>/<suffix>";
  for (char ch : doi.substr(slash + 1))
    if (static_cast<unsigned char>(ch) <= 0x20 || static_cast<unsigned char>(ch) >= 0x7f)
      return "the suffix of a doi must be printable ASCII without spaces";
  if (!prefix.empty() && doi.substr(0, slash) != prefix) return "doi must start with this catalog's prefix " + prefix + "/";
  return std::nullopt;
}

std::string doi_landing_url(const std::string& url_prefix, std::string_view doi) {
  static const char* hex = "0123456789ABCDEF";
  std::string out = url_prefix;
  for (unsigned char c : doi) {
    bool keep = std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '!' || c == '~' || c == '*' ||
                c == '\'' || c == '(' || c == ')';
    if (keep) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

}  // namespace openem

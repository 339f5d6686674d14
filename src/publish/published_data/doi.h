#pragma once
// DOIs of published data: minting (DOI_PREFIX + "/" + a UUID, or 10 hex characters with
// DOI_SHORT_SUFFIX, as SciCat does) and checking a DOI a client sends. Pure functions;
// thread-safe.
#include <optional>
#include <string>
#include <string_view>

namespace openem {

// A new DOI under `prefix` ("10.5072"). Where SciCat would mint "undefined/<suffix>" without a
// prefix, this throws std::invalid_argument: nothing is ever registered under a made-up prefix.
std::string mint_doi(const std::string& prefix, bool short_suffix);

// Why `doi` is not an acceptable DOI for a new record, or nullopt when it is: "10.<digits and
// dots>/<suffix>", the suffix of printable ASCII without spaces, at most 200 characters; under
// `prefix` when one is configured.
std::optional<std::string> doi_problem(std::string_view doi, const std::string& prefix);

// The DOI of a landing page URL: prefix + percent-encoded DOI (every reserved character
// encoded, as JavaScript's encodeURIComponent).
std::string doi_landing_url(const std::string& url_prefix, std::string_view doi);

}  // namespace openem

#pragma once
// The formats a public landing page (a dataset's /datasets/{pid}, a DOI's /doi/{doi}) answers
// in, chosen by ?format= or the Accept header (docs/publishing.md "Landing pages"). Pure
// functions; thread-safe.
#include <optional>
#include <string>

#include "http/message.h"

namespace openem {

enum class LandingFormat { Html, JsonLd, DataCiteXml, DataCiteJson, Citation, BibTex, Ris, Cff };

// ?format= wins; else the first media type of Accept that a page has (q-values are not weighed:
// clients that negotiate ask for one type). Browsers' */* get HTML. nullopt: none of ours.
std::optional<LandingFormat> requested_landing_format(const HttpRequest& req);
const char* landing_mime(LandingFormat f);
// "text/html, application/ld+json, ..." for a 406.
std::string landing_formats_offered();
// `res` with its Content-Type and Vary: Accept.
HttpResponse with_landing_type(HttpResponse res, const std::string& type);

}  // namespace openem

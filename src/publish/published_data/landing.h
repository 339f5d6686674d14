#pragma once
// The landing page of a DOI (`/doi/{doi}`): what a resolver's visitor sees for a public,
// registered or amended published-data record — title, creators with ORCID links and
// affiliations, abstract, citation, publisher and year, license, funding, related works, and
// the record's public datasets, each linked to its own landing page. Readable without
// JavaScript; schema.org JSON-LD for search engines; citations in the usual formats. Built from
// the record's DataCite attributes (publish/datacite_metadata.h), so page and DOI metadata
// agree. Everything from a document is escaped. Pure functions; thread-safe.
#include <boost/json.hpp>

#include <string>
#include <vector>

#include "publish/citation.h"

namespace openem {

CitationData record_citation(const boost::json::object& attributes);
boost::json::object record_jsonld(const boost::json::object& attributes, const std::vector<boost::json::object>& datasets,
                                  const std::string& base_url);
// The visible content (an <article>).
std::string record_landing_content(const boost::json::object& record, const boost::json::object& attributes,
                                   const std::vector<boost::json::object>& datasets, const std::string& base_url);

}  // namespace openem

#pragma once
// DataCite's controlled vocabularies and identifier schemes (kernel-4.7): what a value from a
// user's metadata must be before it goes into a DataCite document, so that the JSON sent to the
// REST API and the XML sent to MDS both validate. Unknown enumeration values become "Other"
// where the schema has it, and are dropped where it has not. Pure functions; thread-safe.
#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace openem::datacite {

bool is_contributor_type(std::string_view v);
bool is_date_type(std::string_view v);
bool is_relation_type(std::string_view v);
bool is_related_identifier_type(std::string_view v);
bool is_description_type(std::string_view v);
bool is_funder_identifier_type(std::string_view v);

// "0000-0002-1825-0097", "orcid.org/…" or "https://orcid.org/…" → "https://orcid.org/0000-0002-1825-0097";
// "" when it is not an ORCID iD (checksum included).
std::string orcid_uri(std::string_view v);
// "05a28rw58", "ror.org/05a28rw58", "https://ror.org/05a28rw58" → "https://ror.org/05a28rw58"; "" otherwise.
std::string ror_uri(std::string_view v);
// "https://doi.org/10.1/x", "doi:10.1/x", "10.1/x" → "10.1/x"; "" when it is not a DOI.
std::string bare_doi(std::string_view v);

// A creator or contributor as DataCite JSON: {name, nameType?, givenName?, familyName?,
// nameIdentifiers[{nameIdentifier, nameIdentifierScheme, schemeUri}], affiliation[{name,
// affiliationIdentifier?, affiliationIdentifierScheme?, schemeUri?}], contributorType?}. Accepts
// strings, SciCat-style objects and ORCID/ROR given as bare ids. nullopt without a name.
std::optional<boost::json::object> person(const boost::json::value& v, bool contributor);

// An SPDX license id ("CC-BY-4.0") or URL as a DataCite rights entry with rightsIdentifier and
// the SPDX scheme; other text as {rights}. nullopt for "".
std::optional<boost::json::object> rights(std::string_view license);

}  // namespace openem::datacite

#pragma once
// How to cite a public dataset: its creators, year, title, publisher and URL (or DOI), written as
// a text citation (DataCite's text/x-bibliography style), BibTeX, RIS and Citation File Format.
// Every value from a document is escaped for its format. Pure functions; thread-safe.
#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace openem {

struct CitationData {
  std::vector<std::string> creators;
  std::string title, year, publisher, url, doi, license, date;  // date: ISO day of publication
  std::string id;  // the pid, for keys
};

// The citation data of a public dataset: creators are the owner and the principal
// investigator as names (e-mail addresses are not names and are left out), the year is the
// publication's (lifecycle publishedOn), else the creation's.
CitationData citation_of(const boost::json::object& dataset, const std::string& url, const std::string& publisher);

std::string citation_text(const CitationData& c);
std::string citation_bibtex(const CitationData& c);
std::string citation_ris(const CitationData& c);
std::string citation_cff(const CitationData& c);

}  // namespace openem

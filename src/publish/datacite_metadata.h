#pragma once
// DataCite metadata of one published thing — a public dataset, or a published-data record and
// its datasets — as kernel-4 XML (MDS API, oai_datacite, content negotiation) and as the JSON
// attributes of DataCite's REST API. Built from the catalog documents; pure functions,
// thread-safe. Every XML document validates against the kernel-4 XSD
// (../shared/testdata/datacite/kernel-4/metadata.xsd; tested with xmllint).
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace openem {

struct DataCiteSubject {
  // The dataset described, or the first of the record's datasets.
  boost::json::object dataset;
  // A published-data record (v3 or v4 shape) when the subject is one; its fields win.
  std::optional<boost::json::object> published_data;
  std::optional<boost::json::object> proposal, sample, instrument;
  std::string doi;          // "" when the subject has none (a public dataset): the landing URL identifies it
  std::string landing_url;  // absolute URL of its landing page
  std::string publisher;    // PUBLISHER (site name)
};

std::string datacite_kernel4_xml(const DataCiteSubject& subject);
boost::json::object datacite_attributes(const DataCiteSubject& subject);

}  // namespace openem

#pragma once
// The metadata formats openem's OAI-PMH disseminates for a public dataset or published-data record: `oai_dc` (unqualified
// Dublin Core, required by the protocol; oai_dc.xsd) and `oai_datacite` (DataCite's own OAI
// format: the kernel-4 record of publish/datacite_metadata.h inside DataCite's oai-1.1 wrapper).
// Everything from a document is escaped. Pure functions; thread-safe.
#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace openem::oai {

struct MetadataFormat {
  const char* prefix;
  const char* schema;
  const char* metadata_namespace;
};

const std::vector<MetadataFormat>& metadata_formats();
const MetadataFormat* find_format(std::string_view prefix);  // nullptr: not disseminated

struct MetadataContext {
  std::string landing_base;       // "https://data.facility.org": datasets are at <base>/datasets/<pid>
  std::string publisher;          // the catalog's name
  std::string datacentre_symbol;  // oai_datacite's datacentreSymbol
};

// The element that goes inside <metadata> for a public dataset.
std::string dataset_metadata(const MetadataFormat& format, const boost::json::object& dataset,
                             const MetadataContext& context);
// ... and for a readable published-data record, from its DataCite attributes
// (publish/datacite_metadata.h datacite_record_attributes): the DOI is its identifier.
std::string record_metadata(const MetadataFormat& format, const boost::json::object& attributes,
                            const MetadataContext& context);

}  // namespace openem::oai

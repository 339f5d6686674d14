#pragma once
// The OAI-PMH 2.0 data provider over the catalog (docs/publishing.md, "OAI-PMH"): the six
// verbs over the public datasets and readable published-data records, and the tombstones of
// those that stopped being so (harvest.h), in the formats of metadata_formats.h, the sets of
// identifiers.h, and lists paged by resumption tokens (resumption_token.h). Nothing else of
// the catalog is read, so a private dataset or draft record cannot show: an id that was never
// public is idDoesNotExist like one that never existed. Lists end at the moment their first page was asked for, so a harvest
// sees each record once while the catalog changes; later changes have later datestamps and
// come with the next incremental harvest. A function of a CatalogStore; thread-safe as it is.
#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <string>

#include "core/time.h"
#include "publish/oai/arguments.h"
#include "publish/oai/metadata_formats.h"
#include "store/catalog_store.h"

namespace openem::oai {

struct ProviderConfig {
  std::string base_url;         // the endpoint, "https://data.facility.org/oai"
  std::string repository_name;  // OPENEM_SITE_NAME
  std::string repository_id;    // the oai-identifier repositoryIdentifier
  std::string admin_email;
  std::string token_key;        // token_key(server secret)
  std::int64_t page_size = 500;
  MetadataContext metadata;
  // The DataCite attributes of a readable published-data record (with its datasets' public
  // parts), as its DOI landing page and DataCite get them: its metadata in both formats.
  std::function<boost::json::object(const boost::json::object& record)> record_attributes;
  Millis now = 0;
  // Remembers a computed text under a key until the catalog changes (ListSets); the default
  // computes every time.
  std::function<std::string(const std::string& key, const std::function<std::string()>& compute)> memo;
};

// The response document to a request with these arguments (always a 200 response: protocol
// errors are inside it).
std::string respond(CatalogStore& store, const ProviderConfig& config, const ArgumentList& args);

}  // namespace openem::oai

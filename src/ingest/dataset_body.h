#pragma once
// The SciCat v3 raw-dataset create body for a session: OSC-EM document as
// scientificMetadata, times from the data, owner fields from flags/config or the caller's
// identity. Pure function, thread-safe.
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "extract/extract.h"
#include "ingest/scicat_client.h"
#include "ingest/session_scan.h"

namespace openem::ingest {

struct DatasetFields {
  std::string owner, owner_group, contact_email, principal_investigator, creation_location;
  std::string dataset_name, description;
  std::string proposal_id;  // "" for none
  std::vector<std::string> access_groups, keywords;
};

// Throws std::invalid_argument when a required field (ownerGroup, contactEmail) can come
// neither from `fields` nor from `identity`.
boost::json::object dataset_body(const ScanResult& scan, const extract::ExtractResult* extracted,
                                 const DatasetFields& fields, const Identity& identity);

// creationTime/endTime: the acquisition's first/last timestamps when the metadata has
// them, else the oldest/newest file modification time.
std::pair<std::string, std::string> session_time_range(const ScanResult& scan, const extract::ExtractResult* extracted);

}  // namespace openem::ingest

#pragma once
// A published-data record as openem stores it — SciCat's v4 shape: {doi, title, abstract,
// datasetPids, status, registeredTime, numberOfFiles, sizeOfArchive, metadata{creators[],
// publisher{name}, publicationYear, resourceType, ...DataCite attributes}, registration{...},
// createdBy/At, updatedBy/At} — and its v3 view, which the OAI provider and older clients read
// (reference §5.7). v3 bodies are mapped into the stored shape the way upstream's
// PublishedDataObsoleteDto maps back, so a record made through either API reads the same
// through both. Pure functions; thread-safe.
#include <boost/json.hpp>

#include <string>
#include <vector>

#include "model/dto.h"

namespace openem {

// Request bodies (class-validator style; unknown fields refused).
const DtoSpec& v3_published_data_spec();
const DtoSpec& v4_published_data_spec();
// Fields a client may send but the server decides: accepted and dropped.
const std::vector<std::string>& published_data_server_fields();

// The stored fields a v3 body sets (title, abstract, datasetPids, metadata.*); for a PATCH only
// those present. `doi` is not among them.
void apply_v3_body(boost::json::object& record, const boost::json::object& body);
// The same for a v4 body: top-level title, abstract, datasetPids; `metadata` replaces the whole
// metadata object, as upstream's update does.
void apply_v4_body(boost::json::object& record, const boost::json::object& body);

// The v3 shape of a stored record.
boost::json::object v3_view(const boost::json::object& record);

// A v3 `where` (and order field names) in terms of the stored shape: pidArray → datasetPids,
// creator → metadata.creators.name, status "registered" → registered|amended, ...
boost::json::value v3_where_to_stored(const boost::json::value& where);
std::string v3_field_to_stored(const std::string& field);

std::vector<std::string> dataset_pids_of(const boost::json::object& record);

}  // namespace openem

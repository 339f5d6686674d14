#pragma once
// RO-Crate 1.1 metadata (`ro-crate-metadata.json`) of a dataset: the root Dataset with name,
// description, datePublished, license (an entity with its SPDX URL), identifier (DOI when
// published), keywords and creators (Person entities with ORCID iDs); one File entity per file
// with contentSize, encodingFormat and sha256 (schema.org's term, added to the context because
// the 1.1 context predates it); the microscope as an IndividualProduct, the sample as a
// Thing, and the acquisition as a CreateAction (instrument, object sample, result the files,
// agent the creator); for a derived dataset a second CreateAction from its input datasets with
// the software used. File @ids are the files' paths relative to the crate root, which in a
// BagIt download is the bag's data/ folder (RO-Crate 1.1, "Adding RO-Crate to BagIt").
// Flattened JSON-LD: every entity once in @graph, references as {"@id"}. Pure; thread-safe.
#include <boost/json/object.hpp>

#include <string>

#include "publish/export/export_subject.h"

namespace openem {

struct RoCrateContext {
  std::string catalog_url;  // "https://data.example.org": other datasets are catalog_url + "/datasets/<pid>"
  std::string publisher;    // site name, the publisher Organization
  std::string doi;          // bare DOI ("10.1234/abc") when the dataset is published, else ""
};

boost::json::object ro_crate_metadata(const ExportSubject& subject, const RoCrateContext& context);

// The media type of a file by its extension ("image/tiff", "application/x-mrc"); EM formats
// without a registered type get application/octet-stream.
std::string media_type_of(const std::string& path);

}  // namespace openem

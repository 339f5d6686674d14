#pragma once
// DataCite metadata of one published thing — a published-data record and its datasets, or a
// single public dataset — as the JSON attributes of DataCite's REST API and as kernel-4 XML
// (MDS API, oai_datacite, content negotiation). Both come from one attributes object, so they
// always agree. Built from the catalog documents: the record's own metadata (creators with
// ORCID iDs and ROR affiliations, contributors, funding, related identifiers) wins, and what it
// leaves out comes from the datasets, proposals, samples, instruments and OSC-EM metadata
// (subjects, dates, sizes, formats, rights, technical description, raw ↔ derived links).
// Controlled vocabularies are enforced (publish/datacite/vocabulary.h), so every XML document
// validates against the kernel-4 XSD (../shared/testdata/datacite/kernel-4/metadata.xsd;
// tested with xmllint). Pure functions; thread-safe.
#include <boost/json/object.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace openem {

// What the builders may use besides the record. The caller decides what is public: nothing
// here is filtered again, so it must hold only what may appear in a public document.
struct DataCiteContext {
  std::string publisher;    // PUBLISHER
  std::string landing_url;  // the landing page: of the DOI for a record, of the dataset for a dataset
  std::string catalog_url;  // "https://data.example.org": datasets are catalog_url + "/datasets/<pid>"
  std::vector<boost::json::object> datasets;  // the record's datasets
  std::map<std::string, boost::json::object> proposals, samples, instruments;  // by their ids
  std::vector<std::string> public_sources;  // public datasets the datasets were derived from (IsDerivedFrom)
  std::vector<std::string> public_derived;  // public datasets derived from them (IsSourceOf)
  // Public versions of the datasets outside the record (docs/lineage.md "Versions"): the ones
  // they are new versions of (IsNewVersionOf) and their newer versions (IsPreviousVersionOf).
  std::vector<std::string> public_previous_versions, public_newer_versions;
  std::vector<std::string> formats;         // file formats seen in their file lists ("mrc", "tiff")
};

// DataCite JSON attributes of a published-data record (stored v4 shape, publish/published_data/record.h).
boost::json::object datacite_record_attributes(const boost::json::object& record, const DataCiteContext& context);
// ... and of one public dataset without a DOI (its landing URL identifies it).
boost::json::object datacite_dataset_attributes(const boost::json::object& dataset, const DataCiteContext& context);

// The kernel-4 XML document of attributes from the builders above.
std::string datacite_xml(const boost::json::object& attributes);

// The landing page's form (api/landing_routes.cpp): one public dataset.
struct DataCiteSubject {
  boost::json::object dataset;
  std::optional<boost::json::object> published_data;  // unused by landing pages; kept for callers
  std::optional<boost::json::object> proposal, sample, instrument;
  std::string doi;          // "" for a dataset: the landing URL identifies it
  std::string landing_url;  // absolute URL of its landing page
  std::string publisher;    // PUBLISHER (site name)
};
std::string datacite_kernel4_xml(const DataCiteSubject& subject);
boost::json::object datacite_attributes(const DataCiteSubject& subject);

}  // namespace openem

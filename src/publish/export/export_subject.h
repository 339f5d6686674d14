#pragma once
// What an export is made from: a catalogued dataset (its SciCat document, its OSC-EM metadata,
// its file list, its proposal and the published-data records that include it), or, offline, an
// OSC-EM file alone. The caller fills in only records its user may read (the API route and
// `openem export` both ask the catalog under the caller's access rule), so an export never
// shows what the user could not read otherwise. Plain data; thread-compatible.
#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace openem {

struct ExportFile {
  std::string path;    // relative to the dataset's folder, '/'-separated
  std::int64_t size = 0;
  std::string sha256;  // hex, "" when the catalog holds none
};

struct ExportSubject {
  boost::json::object dataset;  // SciCat dataset document; empty for an OSC-EM file
  boost::json::object oscem;    // the OSC-EM document (the dataset's scientificMetadata)
  std::vector<ExportFile> files;
  // The dataset's (first) proposal: pi_firstname/pi_lastname/pi_email, firstname/lastname/email,
  // title, ...; empty when it has none or the caller may not read it.
  boost::json::object proposal;
  // Published-data records whose datasetPids include the dataset, in the stored (v4) shape:
  // {doi, title, abstract, status, metadata{creators[], publisher{name}, publicationYear, ...}}.
  std::vector<boost::json::object> published_data;
};

}  // namespace openem

#pragma once
// What an export is made from: a catalogued dataset (its SciCat document, its OSC-EM metadata
// and its file list), or, offline, an OSC-EM file alone. Plain data; thread-compatible.
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
};

}  // namespace openem

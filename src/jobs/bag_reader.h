#pragma once
// Reading a BagIt bag stored as one tar (the layout DatasetTarStream writes: <top>/bagit.txt,
// <top>/data/<path>..., <top>/manifest-sha256.txt): every data file is hashed while it is
// read and the result compared with the bag's manifest, and optionally with the checksums
// the catalog registered. A flipped byte anywhere in a header, a file or the manifest is
// reported. Thread-compatible (one call per bag).
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "blob/blob_store.h"

namespace openem {

struct BagFile {
  std::string path;    // relative to data/
  std::int64_t size = 0;
  std::string sha256;  // lowercase hex, as computed while reading
};

struct BagCheck {
  bool ok = false;
  bool corrupt = false;  // the bag is readable but wrong (as opposed to an I/O error)
  std::string message;
  std::vector<BagFile> files;  // in bag order
  std::string top;             // the bag's directory (the first path segment of every entry)
  std::string manifest_sha256; // SHA-256 of manifest-sha256.txt as stored
  // bag-info.txt's "Label: value" lines (empty when the bag has none); a label given twice
  // keeps its first value.
  std::map<std::string, std::string> bag_info;
};

// Receives the data files while they are read (extraction). Each callback returns an empty
// string to go on or a reason to stop.
struct BagSink {
  std::function<std::string(const std::string& path, std::int64_t size)> begin;
  std::function<std::string(std::string_view bytes)> data;
  std::function<std::string()> end;
};

// `expected`: path → sha256 hex the catalog registered (empty map: only the manifest counts);
// every expected file must be in the bag with that digest. `only`: when not empty, only these
// paths go to the sink (all are still verified).
BagCheck read_bag(BlobReader& in, const std::map<std::string, std::string>& expected, BagSink* sink = nullptr,
                  const std::vector<std::string>& only = {});

}  // namespace openem

#pragma once
// Public entry point of the extraction library, used in-process by `openem extract`, the
// ingestor and the server: a session folder (or one metadata file) in, a validated OSC-EM
// document plus its flat key/value view out. extract_session is thread-safe and may run
// concurrently for different sessions.
#include <boost/json/object.hpp>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "extract/completeness.h"
#include "extract/dataset_summary.h"
#include "extract/oscem_validator.h"
#include "extract/session_reader.h"
#include "extract/site_profile.h"
#include "extract/technique.h"

namespace openem::extract {

struct ExtractOptions {
  Technique technique = Technique::kAuto;  // kAuto: detected from the files
  std::optional<SiteProfile> site;           // facility facts files lack
  std::optional<std::filesystem::path> epu_mirror;  // EPU metadata mirror root (reference --epu)
  std::optional<std::filesystem::path> schema_dir;  // override the embedded OSC-EM schemas
  unsigned threads = 0;                      // 0: all hardware threads
  bool validate = true;
  // Image headers (MRC/EER/TIFF) are read when no .mdoc/.xml metadata exists, or always.
  bool always_read_image_headers = false;
};

struct ExtractResult {
  boost::json::object oscem;                  // OSC-EM v1.0.2 document
  std::map<std::string, std::string> flat;    // dataset-level key/value view (--flat)
  Technique technique = Technique::kGeneral;  // the schema the document targets
  std::vector<ValidationIssue> validation_errors;
  std::vector<std::string> warnings;          // skipped files/lines, dropped fields, conflicts, gaps
  std::vector<Conflict> conflicts;            // values files of one kind disagree on (left out)
  std::vector<Gap> gaps;                      // fields the schema or EMDB needs that are missing
  std::vector<std::filesystem::path> files_used;
  SessionCounts counts;

  bool valid() const { return validation_errors.empty(); }
  bool complete() const { return gaps.empty() && conflicts.empty(); }
};

// Throws ExtractError (file, line, reason) when the path does not exist, no file in it could
// be read as metadata (the first file error is reported), or a folder holds only overview
// images (montages, EPU grid-square/foil-hole images), which never describe an acquisition.
ExtractResult extract_session(const std::filesystem::path& path, const ExtractOptions& options = {});

}  // namespace openem::extract

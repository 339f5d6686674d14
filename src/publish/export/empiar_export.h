#pragma once
// EMPIAR deposition JSON (the schema of emdb-empiar/empiar-depositor, in
// ../shared/testdata/empiar/): entry title; authors, corresponding author and principal
// investigator from the OSC-EM `organizational` section, the published-data records and the
// proposal, the dataset's PI last (empiar_people.h); image sets built from the file list
// (movies, micrographs, tilt series, gain references) with voxel type, size and frames from the
// files' headers, pixel size from the OSC-EM acquisition (empiar_imagesets.h); one citation per
// published-data record with its DOI, or a placeholder when there is none yet (as Scipion's
// EMPIAR plugin writes it).
// What openem cannot know is written so the document still validates and is listed as a
// warning "to fill in"; what would make it invalid (no title, no author, no country) is an
// error. Pure; thread-safe.
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

#include "publish/export/export_problem.h"
#include "publish/export/export_subject.h"

namespace openem {

struct EmpiarOptions {
  std::string organization;  // of the corresponding author / PI when the metadata has none
  std::string country;       // ISO 3166 alpha-2 code or an English country name
  std::string release_date;  // RE, EP, HP or HO; default HP (hold until the paper is out)
  std::optional<int> experiment_type;  // default 3 (raw data of an EMDB structure)
  bool allow_incomplete = false;
};

struct EmpiarResult {
  boost::json::object document;  // empty when the export failed
  std::vector<ExportProblem> problems;
};

EmpiarResult empiar_deposition(const ExportSubject& subject, const EmpiarOptions& options);

// "Switzerland", "CH", "ch" → "CH"; "" when unknown.
std::string iso_country_code(const std::string& name_or_code);

}  // namespace openem

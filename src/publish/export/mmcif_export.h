#pragma once
// mmCIF exports of OSC-EM metadata for the wwPDB's OneDep:
//  * EMDB mode: a metadata-only mmCIF (`data_<entry>` with the deposition categories);
//  * PDB mode: the metadata merged into a given model mmCIF. Every part of the model that the
//    metadata does not own — atoms, cell, symmetry, any loop — is copied byte for byte; a
//    category the metadata owns is merged item by item when its row counts agree (metadata
//    wins) and replaced when they do not; categories the model lacks are appended to its
//    first data block, whose _entry.id the metadata then uses.
// Errors (export_problem.h) stop the export and leave `text` empty unless allow_incomplete is
// set: then the values in error are left out and the rest is written. Pure; thread-safe.
#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "publish/export/export_problem.h"
#include "publish/export/pdbx_dictionary.h"

namespace openem {

struct MmcifOptions {
  std::string entry_id = "openem";  // EMDB mode; PDB mode takes the model's _entry.id
  bool allow_incomplete = false;
};

struct MmcifResult {
  std::string text;  // empty when the export failed
  std::vector<ExportProblem> problems;
};

MmcifResult mmcif_metadata_only(const boost::json::object& oscem, const PdbxDictionary& dictionary,
                                const MmcifOptions& options);
MmcifResult mmcif_merged_into_model(const boost::json::object& oscem, std::string_view model,
                                    const PdbxDictionary& dictionary, const MmcifOptions& options);

// "openem-ab12_x" → a data block name / entry id mmCIF accepts (no spaces or quotes).
std::string mmcif_entry_id(std::string_view pid);

}  // namespace openem

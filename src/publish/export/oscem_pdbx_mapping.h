#pragma once
// OSC-EM → PDBx/mmCIF: the deposition categories (_em_imaging, _em_image_recording,
// _em_specimen, _pdbx_contact_author, ...) of one OSC-EM document, with every value checked
// against the dictionary. The mapping is the reference converter's
// (osc-em/converter-OSCEM-to-mmCIF with ../shared/testdata/oscem/.../pdb_conversions.csv, OSC-EM
// v1.0.2 names, plus the older names of its example data), with these deliberate differences,
// each tested (oscem_pdbx_mapping_test.cpp):
//  * units are converted to the dictionary's units (474 kDa → _entity.formula_weight 474000),
//    not only compared; a unit that does not convert is an error, not a log line;
//  * a value outside a binding range or enumeration is an error with its OSC-EM path (the
//    reference logs it and writes the value, or upper-cases an unknown enumeration value,
//    which makes the file invalid); outside wwPDB's advisory range or list it is a warning;
//  * key and parent items (_em_imaging.id, .entry_id, .specimen_id, ...) and the parent
//    categories they point to are written, so the file passes `gemmi validate -p`;
//  * _entity_poly.type "polypeptide" → "polypeptide(L)"; _entity.src_method only from
//    natural/recombinant/synthetic words (an organism name is reported, not written);
//    molecule names go to _entity.pdbx_description (the reference uses
//    _pdbx_entity_branch_descriptor, which is for carbohydrate branches); an unknown funder
//    keeps its name with a warning instead of becoming "Other government";
//  * a phase plate or corrector not in the column (used: false, type "none") writes no
//    _em_imaging_optics item (PDBx has no value for none; the reference writes NONE).
// Pure; thread-safe.
#include <boost/json/object.hpp>

#include <map>
#include <string>
#include <vector>

#include "publish/export/export_problem.h"
#include "publish/export/pdbx_dictionary.h"

namespace openem {

// Rows of one category: item name (full, "_em_imaging.date") → CIF value text; an absent item
// is not written, "?" marks a mandatory item nobody knows.
using PdbxRow = std::map<std::string, std::string>;

struct PdbxMetadata {
  std::string entry_id;
  std::map<std::string, std::vector<PdbxRow>> categories;  // by category id
  std::vector<ExportProblem> problems;
};

// `oscem` is the OSC-EM document itself (a dataset's scientificMetadata); `entry_id` names the
// entry (_entry.id and every entry_id).
PdbxMetadata map_oscem_to_pdbx(const boost::json::object& oscem, const PdbxDictionary& dictionary,
                               const std::string& entry_id);

// The OSC-EM document inside what a user hands over: a SciCat dataset (its scientificMetadata),
// {"scientificMetadata": ...} or the OSC-EM document itself.
const boost::json::object& oscem_document_of(const boost::json::object& input);

}  // namespace openem

#pragma once
// How OSC-EM values become PDBx values: enumeration matching (the dictionary's spelling, with
// the reference converter's hand rules for vendor words), booleans, dates, numbers and units.
// Pure functions; thread-safe.
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "publish/export/pdbx_dictionary.h"

namespace openem {

// The dictionary's spelling of `value` among the item's enumerations (binding first, then
// advisory): exact, then ignoring case, then ignoring case and punctuation ("BrightField" →
// "BRIGHT FIELD"), then the hand rules (Falcon 1–4, "Titan" → "TFS KRIOS", "Parallel" →
// "FLOOD BEAM", element symbols for grid materials, "polypeptide" → "polypeptide(L)", ...).
// nullopt when nothing matches.
std::optional<std::string> match_enumeration(const PdbxItem& item, std::string_view value);

// OSC-EM's specialist optics (acquisition.specialist_optics.phaseplate, ..._corrector:
// {used, instrument_type}) as PDBx sees them. PDBx's items name the device that was in the
// column and have no value for "none" (absence is "none"), so a device that was not used —
// used: false, or a type "none"/"no"/"n/a"/"" — gets no item at all rather than an invalid
// "NONE" (the reference converter upper-cases it); a used device whose type nobody recorded
// ("unspecified", "unknown", or none given) is one the depositor must name.
enum class OpticsUse { kInColumn, kNotUsed, kTypeUnknown };
OpticsUse specialist_optics_use(const boost::json::object& device);

// true/false as the item spells them: YES/NO, Y/N or yes/no, whichever its enumeration holds.
std::string pdbx_boolean(const PdbxItem& item, bool value);

// An RFC 3339 date-time ("2024-08-31T11:48:16+02:00") or a plain date → "2024-08-31", the
// date as written in the timestamp's own offset (the local date of the session, as the
// reference converter gives it). nullopt when it is neither.
std::optional<std::string> pdbx_date(std::string_view text);

// Shortest text that reads back as the same double ("4.8221501034695535", "300", "1e-05").
std::string format_number(double value);

// The udunits2 spelling of a PDBx unit code ("kilovolts" → "kV"); nullopt for codes openem
// does not know (the export then reports the value instead of guessing).
std::optional<std::string> udunits_for_pdbx_unit(std::string_view code);

// Units an item's description states where the dictionary has no _item_units (e.g.
// _entity.formula_weight "in daltons"); "" when none.
std::string assumed_pdbx_unit(std::string_view item_name);

}  // namespace openem

#pragma once
// Scientific metadata (datasets' scientificMetadata, samples' sampleCharacteristics,
// instruments' customMetadata): flattening into indexable leaves with SI-normalised numbers,
// and the valueSI/unitSI enrichment upstream SciCat writes into stored documents.
// Pure functions over immutable input; thread-safe (units go through UnitConverter).
#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace openem {

// Limits on hostile documents; beyond them both functions throw ApiError 400. Note that
// boost::json::parse stops at depth 32 unless parse_options::max_depth is raised.
inline constexpr int kMaxScientificDepth = 64;          // nested objects/arrays, root = 1
inline constexpr size_t kMaxScientificLeaves = 100000;  // leaves of one document

// One indexed leaf of scientificMetadata: a number (with optional unit) or a string, at a
// dotted path.
struct ScientificLeaf {
  std::string path;                 // dotted path from the root of scientificMetadata, e.g. "acquisition.dose"
  std::optional<double> number;     // raw numeric value as given (also parsed from numeric strings)
  std::optional<std::string> text;  // raw string value (strings, booleans as "true"/"false")
  std::string unit;                 // unit as given, "" if none
  std::optional<double> value_si;   // set when unit converts (or when no unit: number itself)
  std::string unit_si;              // canonical SI unit, "" when no unit or unknown unit
  bool unit_unknown = false;        // unit given but not convertible: stored as given, reported
};

// Flattens scientific metadata into leaves, the way SciCat reads it:
//  * Quantity: an object with a value key ("value", else "v") and a string unit key ("unit",
//    else "u") is one quantity at the object's own path; its other keys (valueSI, unitSI,
//    type, ...) are not indexed. Upstream takes any key starting with "v"/"u"; requiring the
//    exact names keeps {"version": .., "url": ..} an ordinary object. A value that is itself an
//    object makes it an ordinary object too.
//  * A quantity's value may be a number, a numeric string ("-4E-07"), a string, a bool, or an
//    array such as a [min, max] range: each array element is its own leaf at the same path
//    (a condition on the path matches if any element does, as in MongoDB).
//  * Other objects recurse ("a": {"b": 1} → "a.b"); keys are joined as given, so a flat key
//    "a.b" and a nested a → b share the path "a.b" (both match a query on "a.b").
//  * Arrays: each element at the array's own path (scalars are leaves, objects recurse).
//  * Plain numbers, strings and bools are leaves; nulls are skipped. A string that is a whole
//    finite number carries both `text` and `number` (EPU-derived metadata writes numbers as
//    strings).
// Throws ApiError 400 beyond kMaxScientificDepth or kMaxScientificLeaves.
std::vector<ScientificLeaf> index_scientific_metadata(const boost::json::value& sm);

// Returns a copy where every quantity object (as defined above, at any depth, also inside
// arrays) gets "valueSI" and "unitSI" set, as upstream stores them (§6.4):
//  * unit converts: valueSI = the SI value (array values element-wise, numeric strings parsed;
//    non-numeric elements copied), unitSI = canonical SI string;
//  * unit unknown or value not numeric: valueSI = value, unitSI = the unit as given;
//  * empty unit: left untouched (upstream skips it too).
// Existing valueSI/unitSI keys are overwritten. Throws ApiError 400 beyond kMaxScientificDepth.
boost::json::value with_si_values(const boost::json::value& sm);

// Paths of quantity leaves whose unit could not be converted, each once, in document order
// (for the API to report).
std::vector<std::string> unknown_unit_paths(const std::vector<ScientificLeaf>& leaves);

}  // namespace openem

#pragma once
// PdbxDictionary: what the exports need from the PDBx/mmCIF dictionary (DDL2), read at run time
// so a newer dictionary needs no rebuild: per item its category, type, units, mandatory flag,
// enumerations and ranges; per category its key items and item order.
//
// Two kinds of rules, as the dictionary keeps them apart:
//  * binding — `_item_enumeration`, `_item_range`: a value outside them makes the file invalid
//    (gemmi validate rejects it). DDL2 ranges are exclusive unless minimum == maximum, then the
//    value must equal it; several ranges are alternatives.
//  * advisory — `_pdbx_item_enumeration`, `_pdbx_item_range`: the wwPDB deposition system's
//    lists and plausible ranges (same range rules). Outside them a value is still valid but reported.
// Immutable after loading; thread-safe.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace openem {

struct PdbxRange {
  std::optional<double> min, max;  // nullopt: unbounded ('.')
};

struct PdbxItem {
  std::string name;      // "_em_buffer.pH", spelled as the dictionary does (looked up ignoring case)
  std::string category;  // "em_imaging"
  std::string type;      // "float", "int", "positive_int", "line", "code", "yyyy-mm-dd", "boolean", ...
  bool numeric = false;  // the type's primitive code is "numb"
  std::string units;     // PDBx unit code ("kilovolts"), "" when the item has none
  bool mandatory = false;
  std::vector<std::string> enumeration;           // binding
  std::vector<std::string> advisory_enumeration;  // _pdbx_item_enumeration
  std::vector<PdbxRange> ranges;                  // binding, alternatives
  std::vector<PdbxRange> advisory_ranges;         // _pdbx_item_range, alternatives

  bool in_binding_range(double value) const { return in_ranges(ranges, value); }
  bool in_advisory_range(double value) const { return in_ranges(advisory_ranges, value); }
  // DDL2: true when no range is given or any one holds.
  static bool in_ranges(const std::vector<PdbxRange>& ranges, double value);
};

struct PdbxCategory {
  std::string id;
  std::vector<std::string> keys;   // _category_key.name, e.g. "_em_imaging.id"
  std::vector<std::string> items;  // item names in dictionary order and spelling
};

class PdbxDictionary {
 public:
  // Reads a dictionary file; the error names the file and what is wrong.
  static std::variant<PdbxDictionary, std::string> load(const std::string& path);
  static std::variant<PdbxDictionary, std::string> parse(std::string_view text);

  // The dictionary found for this machine: OPENEM_PDBX_DICTIONARY, else Debian's
  // libcifpp-data file (/usr/share/libcifpp/mmcif_pdbx.dic). Loaded once per path and shared.
  static std::variant<std::shared_ptr<const PdbxDictionary>, std::string> shared(const std::string& path = "");
  static std::string default_path();

  const PdbxItem* item(std::string_view name) const;  // ignoring case, as CIF does
  const PdbxCategory* category(std::string_view id) const;
  const std::string& version() const { return version_; }
  const std::string& title() const { return title_; }

 private:
  std::map<std::string, PdbxItem, std::less<>> items_;
  std::map<std::string, PdbxCategory, std::less<>> categories_;
  std::string version_, title_;
};

}  // namespace openem

#include "publish/export/oscem_pdbx_mapping.h"

#include <boost/json.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <optional>
#include <string_view>

#include "core/json_path.h"
#include "core/units.h"
#include "publish/export/oscem_pdbx_table.h"
#include "publish/export/pdbx_value_rules.h"

namespace openem {
namespace {

namespace json = boost::json;

using pdbx_mapping::kMappings;
using pdbx_mapping::kMoreMappings;
using pdbx_mapping::Mapping;
using pdbx_mapping::Rule;

// Key and parent items of each category openem writes: "#" is the row number, "ENTRY" the
// entry id, anything else a literal. Every parent named here is written too (kParents).
struct KeyItem {
  std::string_view item;
  std::string_view value;
};
struct CategoryKeys {
  std::string_view category;
  std::array<KeyItem, 4> keys;
};
constexpr std::array<CategoryKeys, 24> kKeys{{
    {"entry", {{{"id", "ENTRY"}}}},
    {"em_experiment", {{{"id", "1"}, {"entry_id", "ENTRY"}, {"entity_assembly_id", "1"}}}},
    {"em_entity_assembly", {{{"id", "#"}, {"parent_id", "0"}}}},
    {"em_specimen", {{{"id", "1"}, {"experiment_id", "1"}}}},
    {"em_imaging", {{{"id", "1"}, {"entry_id", "ENTRY"}, {"specimen_id", "1"}}}},
    {"em_image_recording", {{{"id", "#"}, {"imaging_id", "1"}}}},
    {"em_image_scans", {{{"id", "#"}, {"entry_id", "ENTRY"}, {"image_recording_id", "1"}}}},
    {"em_imaging_optics", {{{"id", "1"}, {"imaging_id", "1"}}}},
    {"em_software", {{{"id", "#"}, {"imaging_id", "1"}, {"category", "IMAGE ACQUISITION"}}}},
    {"em_sample_support", {{{"id", "1"}, {"specimen_id", "1"}}}},
    {"em_support_film", {{{"id", "1"}, {"sample_support_id", "1"}}}},
    {"em_grid_pretreatment", {{{"id", "1"}, {"sample_support_id", "1"}}}},
    {"em_vitrification", {{{"id", "1"}, {"entry_id", "ENTRY"}, {"specimen_id", "1"}}}},
    {"em_buffer", {{{"id", "1"}, {"specimen_id", "1"}}}},
    {"entity", {{{"id", "#"}}}},
    {"entity_poly", {{{"entity_id", "#"}}}},
    {"entity_src_gen", {{{"entity_id", "#"}, {"pdbx_src_id", "1"}}}},
    {"em_entity_assembly_naturalsource", {{{"id", "#"}, {"entity_assembly_id", "1"}}}},
    {"em_entity_assembly_recombinant", {{{"id", "#"}, {"entity_assembly_id", "1"}}}},
    {"pdbx_contact_author", {{{"id", "#"}}}},
    {"pdbx_audit_support", {{{"ordinal", "#"}}}},
    {"pdbx_entry_details", {{{"entry_id", "ENTRY"}}}},
    {"em_image_processing", {{{"id", "1"}, {"image_recording_id", "1"}}}},
    {"em_3d_reconstruction", {{{"id", "1"}, {"entry_id", "ENTRY"}, {"image_processing_id", "1"}}}},
}};

// Categories a written category points to (its parents must exist for `gemmi validate -p`).
struct Parents {
  std::string_view child;
  std::array<std::string_view, 2> parents;
};
constexpr std::array<Parents, 18> kParents{{
    {"em_experiment", {"entry", "em_entity_assembly"}},
    {"em_specimen", {"em_experiment", ""}},
    {"em_imaging", {"entry", "em_specimen"}},
    {"em_image_recording", {"em_imaging", ""}},
    {"em_image_scans", {"entry", "em_image_recording"}},
    {"em_imaging_optics", {"em_imaging", ""}},
    {"em_software", {"em_imaging", ""}},
    {"em_sample_support", {"em_specimen", ""}},
    {"em_support_film", {"em_sample_support", ""}},
    {"em_grid_pretreatment", {"em_sample_support", ""}},
    {"em_vitrification", {"entry", "em_specimen"}},
    {"em_buffer", {"em_specimen", ""}},
    {"entity_poly", {"entity", ""}},
    {"entity_src_gen", {"entity", ""}},
    {"em_entity_assembly_naturalsource", {"em_entity_assembly", ""}},
    {"em_entity_assembly_recombinant", {"em_entity_assembly", ""}},
    {"pdbx_entry_details", {"entry", ""}},
    {"em_3d_reconstruction", {"entry", "em_image_processing"}},
}};

// Mandatory items no default can supply: without them the export is an error.
constexpr std::array<std::string_view, 3> kRequired{
    "_em_imaging.microscope_model", "_em_imaging.illumination_mode", "_em_imaging.mode"};

// A leaf of the OSC-EM document as the mapping reads it.
struct Leaf {
  std::string path;  // with the array index: "organizational.authors[1].email"
  int row = -1;      // array element, -1 for a single value
  const json::value* value = nullptr;
};

std::vector<Leaf> leaves_of(const json::object& root, std::string_view path) {
  std::vector<Leaf> out;
  auto brackets = path.find("[]");
  if (brackets == std::string_view::npos) {
    if (const json::value* v = value_at_path(root, path); v && !v->is_null()) out.push_back({std::string(path), -1, v});
    return out;
  }
  std::string_view array_path = path.substr(0, brackets);
  std::string_view rest = path.substr(brackets + 2);
  if (!rest.empty() && rest[0] == '.') rest.remove_prefix(1);
  const json::value* array = value_at_path(root, array_path);
  if (!array || !array->is_array()) return out;
  int index = 0;
  for (const json::value& element : array->get_array()) {
    const json::value* v = rest.empty()         ? &element
                           : element.is_object() ? value_at_path(element.get_object(), rest)
                                                 : nullptr;
    if (v && !v->is_null()) {
      out.push_back({std::string(array_path) + "[" + std::to_string(index) + "]" +
                         (rest.empty() ? "" : "." + std::string(rest)),
                     index, v});
    }
    ++index;
  }
  return out;
}

double round_significant(double value, int digits) {
  if (value == 0 || !std::isfinite(value)) return value;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*g", digits, value);
  return std::strtod(buffer, nullptr);
}

// An enumeration that is a yes/no pair (YES/NO, Y/N): booleans and "true"/"false" map onto it.
bool is_yes_no(const PdbxItem& item) {
  if (item.type == "boolean") return true;
  if (item.enumeration.size() != 2) return false;
  auto has = [&](std::string_view a, std::string_view b) {
    return (item.enumeration[0] == a && item.enumeration[1] == b) || (item.enumeration[0] == b && item.enumeration[1] == a);
  };
  return has("YES", "NO") || has("Y", "N") || has("yes", "no") || has("y", "n");
}

class Mapper {
 public:
  Mapper(const PdbxDictionary& dictionary, PdbxMetadata& out) : dict_(dictionary), out_(out) {}

  void map(const json::object& root) {
    std::map<std::string, bool, std::less<>> done;  // target item → already filled by an earlier name
    auto run = [&](const Mapping& m) {
      if (done.count(m.pdbx) || !optics_in_column(root, m)) return;
      std::vector<Leaf> leaves = leaves_of(root, m.oscem);
      if (leaves.empty()) return;
      done.emplace(std::string(m.pdbx), true);
      for (const Leaf& leaf : leaves) put(leaf, m);
    };
    for (const Mapping& m : kMappings) run(m);
    for (const Mapping& m : kMoreMappings) run(m);
    add_technique(root);
  }

  void complete() {
    // Parents first (they may bring parents of their own), then keys, then mandatory items.
    for (bool changed = true; changed;) {
      changed = false;
      for (const Parents& p : kParents) {
        if (!out_.categories.count(std::string(p.child))) continue;
        for (std::string_view parent : p.parents) {
          if (!parent.empty() && !out_.categories.count(std::string(parent))) {
            out_.categories[std::string(parent)].emplace_back();
            changed = true;
          }
        }
      }
    }
    for (auto& [category, rows] : out_.categories) {
      for (const CategoryKeys& k : kKeys) {
        if (k.category != category) continue;
        for (std::size_t r = 0; r < rows.size(); ++r) {
          for (const KeyItem& key : k.keys) {
            if (key.item.empty()) continue;
            std::string name = canonical("_" + category + "." + std::string(key.item));
            std::string value = key.value == "#" ? std::to_string(r + 1)
                                 : key.value == "ENTRY" ? out_.entry_id
                                                        : std::string(key.value);
            rows[r].try_emplace(name, value);
          }
        }
      }
      const PdbxCategory* def = dict_.category(category);
      if (!def) continue;
      for (const std::string& item_name : def->items) {
        const PdbxItem* item = dict_.item(item_name);
        if (!item || !item->mandatory) continue;  // item_name is spelled as the dictionary does
        for (std::size_t r = 0; r < rows.size(); ++r) {
          if (rows[r].count(item_name)) continue;
          rows[r][item_name] = "?";
          bool required = false;
          for (std::string_view name : kRequired) required = required || name == item_name;
          problem(required ? ExportProblem::Severity::kError : ExportProblem::Severity::kWarning, "", item_name,
                  required ? "required by the deposition and missing from the metadata"
                           : "mandatory in PDBx and not in the metadata: written as ? for the depositor to fill in");
        }
      }
    }
  }

 private:
  void problem(ExportProblem::Severity severity, std::string source, std::string_view target, std::string message) {
    out_.problems.push_back({severity, std::move(source), std::string(target), std::move(message)});
  }

  // An item name as the dictionary spells it ("_em_buffer.ph" → "_em_buffer.pH").
  std::string canonical(const std::string& name) const {
    const PdbxItem* item = dict_.item(name);
    return item ? item->name : name;
  }

  PdbxRow& row(const std::string& category, int index) {
    auto& rows = out_.categories[category];
    std::size_t wanted = index < 0 ? 1 : static_cast<std::size_t>(index) + 1;
    if (rows.size() < wanted) rows.resize(wanted);
    return rows[index < 0 ? 0 : static_cast<std::size_t>(index)];
  }

  void put(const Leaf& leaf, const Mapping& m) {
    const PdbxItem* item = dict_.item(m.pdbx);
    if (!item) {
      problem(ExportProblem::Severity::kWarning, leaf.path, m.pdbx,
              "the PDBx dictionary in use has no such item; value not exported");
      return;
    }
    std::optional<std::string> text = convert(leaf, *item, m.rule);
    if (!text) return;
    row(item->category, leaf.row)[item->name] = *text;
  }

  // The value's text in the item's terms, or nullopt after reporting why not.
  std::optional<std::string> convert(const Leaf& leaf, const PdbxItem& item, Rule rule) {
    const json::value& v = *leaf.value;
    auto fail = [&](std::string message) -> std::optional<std::string> {
      problem(ExportProblem::Severity::kError, leaf.path, item.name, std::move(message));
      return std::nullopt;
    };
    if (is_yes_no(item)) {
      if (v.is_bool()) return pdbx_boolean(item, v.get_bool());
      if (v.is_string() && (v.get_string() == "true" || v.get_string() == "false")) {
        return pdbx_boolean(item, v.get_string() == "true");
      }
    }
    if (item.numeric) return convert_number(leaf, item, rule);
    if (!v.is_string() && !v.is_number() && !v.is_bool()) return fail("expected a single value, found " + kind(v));
    std::string text = v.is_string() ? std::string(v.get_string()) : json::serialize(v);
    if (item.type == "yyyy-mm-dd") {
      auto date = pdbx_date(text);
      if (!date) return fail("\"" + text + "\" is not a date or RFC 3339 date-time");
      return date;
    }
    if (text.empty()) return fail("empty text");
    if (!item.enumeration.empty() || !item.advisory_enumeration.empty()) {
      if (auto matched = match_enumeration(item, text)) return matched;
      if (!item.enumeration.empty()) {
        return fail("\"" + text + "\" is not one of the dictionary's " + std::to_string(item.enumeration.size()) +
                    " values for this item (e.g. \"" + item.enumeration.front() + "\")");
      }
      problem(ExportProblem::Severity::kWarning, leaf.path, item.name,
              "\"" + text + "\" is not in wwPDB's list for this item; written as given");
    }
    return text;
  }

  std::optional<std::string> convert_number(const Leaf& leaf, const PdbxItem& item, Rule rule) {
    const json::value& v = *leaf.value;
    auto fail = [&](std::string message) -> std::optional<std::string> {
      problem(ExportProblem::Severity::kError, leaf.path, item.name, std::move(message));
      return std::nullopt;
    };
    std::optional<double> number;
    std::string unit;
    const json::value* raw = &v;
    if (const json::object* q = v.if_object()) {  // a quantity {value, unit}
      auto value = q->find("value");
      if (value == q->end()) return fail("expected a number or {value, unit}");
      raw = &value->value();
      if (auto u = q->find("unit"); u != q->end() && u->value().is_string()) unit = std::string(u->value().get_string());
    }
    if (raw->is_number()) {
      number = raw->to_number<double>();
    } else if (raw->is_string()) {
      const std::string s(raw->get_string());
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      if (!s.empty() && end && *end == '\0') number = d;
    }
    if (!number || !std::isfinite(*number)) return fail("expected a number, found " + json::serialize(*raw));
    std::string pdbx_unit = item.units.empty() ? assumed_pdbx_unit(item.name) : item.units;
    if (!unit.empty() && !pdbx_unit.empty()) {
      auto target = udunits_for_pdbx_unit(pdbx_unit);
      if (!target) return fail("the dictionary's unit \"" + pdbx_unit + "\" is unknown to openem");
      const UnitConverter& units = UnitConverter::instance();
      auto converted = units.convert(*number, unit, *target);
      if (!converted) return fail("unit \"" + unit + "\" cannot be converted to " + pdbx_unit);
      // Same unit under another name ("1/Å^2" and electrons_angstrom_squared): the value as
      // given, digit for digit. A real conversion keeps 12 significant digits, so that
      // -1.5 µm reads 1500 nm and not 1499.9999999999998.
      auto one = units.convert(1.0, unit, *target), zero = units.convert(0.0, unit, *target);
      bool identity = one && zero && std::fabs(*one - 1.0) < 1e-12 && std::fabs(*zero) < 1e-12;
      if (!identity) number = round_significant(*converted, 12);
    } else if (!unit.empty() && unit != "1") {
      problem(ExportProblem::Severity::kWarning, leaf.path, item.name,
              "the dictionary states no unit for this item; \"" + unit + "\" value written as given");
    } else if (unit.empty() && !pdbx_unit.empty()) {
      problem(ExportProblem::Severity::kWarning, leaf.path, item.name,
              "no unit given; taken to be in " + pdbx_unit);
    }
    if (rule == Rule::kDefocus) number = -*number;
    bool integer = item.type == "int" || item.type == "positive_int";
    if (integer) {
      double rounded = std::round(*number);
      if (std::fabs(rounded - *number) > 1e-6 * std::max(1.0, std::fabs(*number))) {
        return fail(format_number(*number) + " is not a whole number, as " + item.type + " needs");
      }
      number = rounded;
      if (item.type == "positive_int" && rounded <= 0) return fail(format_number(rounded) + " is not positive");
    }
    if (!item.in_binding_range(*number)) {
      return fail(format_number(*number) + (pdbx_unit.empty() ? "" : " " + pdbx_unit) +
                  " is outside the range the dictionary allows" + span(item.ranges));
    }
    if (!item.in_advisory_range(*number)) {
      problem(ExportProblem::Severity::kWarning, leaf.path, item.name,
              format_number(*number) + (pdbx_unit.empty() ? "" : " " + pdbx_unit) +
                  " is outside the range wwPDB expects" + span(item.advisory_ranges));
    }
    return format_number(*number);
  }

  // false for a specialist-optics item whose device was not in the column (no item, no error)
  // or whose type is unknown (a warning to fill in); see specialist_optics_use.
  bool optics_in_column(const json::object& root, const Mapping& m) {
    constexpr std::string_view kOptics = "acquisition.specialist_optics.";
    if (m.oscem.substr(0, kOptics.size()) != kOptics) return true;
    const json::value* device = value_at_path(root, m.oscem.substr(0, m.oscem.rfind('.')));
    if (!device || !device->is_object()) return true;
    OpticsUse use = specialist_optics_use(device->get_object());
    if (use == OpticsUse::kTypeUnknown) {
      problem(ExportProblem::Severity::kWarning, std::string(m.oscem), m.pdbx,
              "to fill in: the device was used but the metadata does not say which one");
    }
    return use == OpticsUse::kInColumn;
  }

  // _em_experiment.reconstruction_method from the technique; single particles are particles.
  void add_technique(const json::object& root) {
    const json::value* technique = value_at_path(root, "acquisition.technique");
    std::string t = technique && technique->is_string() ? std::string(technique->get_string()) : "";
    std::string method = t == "spa"       ? "SINGLE PARTICLE"
                         : t == "subtomo" ? "SUBTOMOGRAM AVERAGING"
                         : (t == "cellular_tomo" || t == "env_tomo") ? "TOMOGRAPHY"
                                                                      : "";
    PdbxRow& experiment = row("em_experiment", -1);
    if (!method.empty()) experiment.try_emplace(canonical("_em_experiment.reconstruction_method"), method);
    if (t == "spa") experiment.try_emplace(canonical("_em_experiment.aggregation_state"), "PARTICLE");
    if (t == "cellular_tomo") experiment.try_emplace(canonical("_em_experiment.aggregation_state"), "CELL");
    // The assembly needs a name; the sample's name stands in for the molecule's.
    if (const json::value* name = value_at_path(root, "sample.name"); name && name->is_string() && !name->get_string().empty()) {
      row("em_entity_assembly", -1).try_emplace(canonical("_em_entity_assembly.name"), std::string(name->get_string()));
    }
    row("em_imaging", -1);  // every export describes the imaging
  }

  // " (0 to 400)": the outer bounds of a set of ranges, for messages.
  static std::string span(const std::vector<PdbxRange>& ranges) {
    std::optional<double> low, high;
    bool open_low = false, open_high = false;
    for (const PdbxRange& r : ranges) {
      if (!r.min) open_low = true; else if (!low || *r.min < *low) low = r.min;
      if (!r.max) open_high = true; else if (!high || *r.max > *high) high = r.max;
    }
    std::string from = open_low || !low ? "-∞" : format_number(*low);
    std::string to = open_high || !high ? "∞" : format_number(*high);
    return " (" + from + " to " + to + ")";
  }

  static std::string kind(const json::value& v) {
    if (v.is_object()) return "an object";
    if (v.is_array()) return "a list";
    return "a value";
  }

  const PdbxDictionary& dict_;
  PdbxMetadata& out_;
};

}  // namespace

PdbxMetadata map_oscem_to_pdbx(const json::object& oscem, const PdbxDictionary& dictionary,
                               const std::string& entry_id) {
  PdbxMetadata out;
  out.entry_id = entry_id;
  Mapper mapper(dictionary, out);
  mapper.map(oscem);
  mapper.complete();
  return out;
}

const json::object& oscem_document_of(const json::object& input) {
  if (auto it = input.find("scientificMetadata"); it != input.end() && it->value().is_object()) {
    return it->value().get_object();
  }
  return input;
}

}  // namespace openem

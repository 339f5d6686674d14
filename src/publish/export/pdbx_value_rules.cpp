#include "publish/export/pdbx_value_rules.h"

#include <array>
#include <cctype>
#include <charconv>
#include <utility>
#include <vector>

namespace openem {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Letters and digits only, lower case: "Bright-Field" and "BRIGHT FIELD" both → "brightfield".
std::string squeezed(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return lower(haystack).find(needle) != std::string::npos;
}

// wwPDB's detector names end in the sensor size: "GATAN K2 SUMMIT (4k x 4k)" is "Gatan K2 Summit".
std::string_view without_size(std::string_view option) {
  if (option.empty() || option.back() != ')') return option;
  auto open = option.rfind(" (");
  return open == std::string_view::npos ? option : option.substr(0, open);
}

const std::string* find_in(const std::vector<std::string>& list, std::string_view value, bool by_squeezed) {
  std::string key = by_squeezed ? squeezed(value) : lower(value);
  if (key.empty()) return nullptr;
  for (const std::string& option : list) {
    if ((by_squeezed ? squeezed(option) : lower(option)) == key) return &option;
  }
  if (by_squeezed) {
    for (const std::string& option : list) {
      if (squeezed(without_size(option)) == key) return &option;
    }
  }
  return nullptr;
}

// "Falcon 4i", "Falcon_III", "falcon2" → its generation 1–4; 0 when none.
int falcon_generation(std::string_view value) {
  std::string v = lower(value);
  auto at = v.find("falcon");
  if (at == std::string::npos) return 0;
  std::size_t i = at + 6;
  while (i < v.size() && (v[i] == ' ' || v[i] == '_' || v[i] == '-')) ++i;
  std::string_view rest = std::string_view(v).substr(i);
  static constexpr std::array<std::pair<std::string_view, int>, 8> kNames{{
      {"iv", 4}, {"4", 4}, {"iii", 3}, {"3", 3}, {"ii", 2}, {"2", 2}, {"i", 1}, {"1", 1}}};
  for (auto [name, generation] : kNames) {
    if (rest.substr(0, name.size()) == name) return generation;
  }
  return 0;
}

// Vendor words the reference converter (osc-em/converter-OSCEM-to-mmCIF) maps by hand.
std::optional<std::string> hand_rule(std::string_view item, std::string_view value) {
  if (item == "_em_imaging.microscope_model" && contains(value, "titan")) return "TFS KRIOS";
  if (item == "_em_imaging.illumination_mode" && contains(value, "parallel")) return "FLOOD BEAM";
  if (item == "_em_imaging.electron_source") {
    if (squeezed(value) == "fieldemission" || squeezed(value) == "feg") return "FIELD EMISSION GUN";
    if (contains(value, "tungsten")) return "TUNGSTEN HAIRPIN";
  }
  if (item == "_em_image_recording.film_or_detector_model") {
    static constexpr std::array<std::string_view, 5> kFalcon{
        "", "FEI FALCON I (4k x 4k)", "FEI FALCON II (4k x 4k)", "FEI FALCON III (4k x 4k)", "FEI FALCON IV (4k x 4k)"};
    if (int g = falcon_generation(value)) return std::string(kFalcon[g]);
  }
  if (item == "_pdbx_contact_author.role") {
    std::string v = lower(value);
    if (v.find("principal investigator") != std::string::npos || v.find("group leader") != std::string::npos ||
        v == "pi") {
      return "principal investigator/group leader";
    }
  }
  if (item == "_em_sample_support.grid_material") {
    if (contains(value, "graphene")) return "GRAPHENE OXIDE";
    if (contains(value, "silicon")) return "SILICON NITRIDE";
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kElements{{
        {"Cu", "COPPER"}, {"Cu/Pd", "COPPER/PALLADIUM"}, {"Cu/Rh", "COPPER/RHODIUM"}, {"Au", "GOLD"},
        {"Ni", "NICKEL"}, {"Ni/Ti", "NICKEL/TITANIUM"}, {"Pt", "PLATINUM"}, {"W", "TUNGSTEN"},
        {"Ti", "TITANIUM"}, {"Mo", "MOLYBDENUM"}}};
    for (auto [symbol, name] : kElements) {
      if (value == symbol) return std::string(name);
    }
  }
  if (item == "_entity_poly.type") {
    std::string v = squeezed(value);
    if (v == "polypeptide" || v == "protein" || v == "peptide") return "polypeptide(L)";
    if (v == "dna") return "polydeoxyribonucleotide";
    if (v == "rna") return "polyribonucleotide";
  }
  if (item == "_entity.src_method") {
    std::string v = squeezed(value);
    if (v == "natural" || v == "naturalsource" || v == "tissue") return "nat";
    if (v == "recombinant" || v == "engineered" || v == "geneticallymanipulated" || v == "expressed") return "man";
    if (v == "synthetic" || v == "chemicallysynthesized") return "syn";
  }
  if (item == "_em_entity_assembly.type" && squeezed(value) == "complex") return "COMPLEX";
  if (item == "_em_imaging_optics.phase_plate") {  // OSC-EM examples say "Volta", PDBx "VOLTA PHASE PLATE"
    if (contains(value, "volta")) return "VOLTA PHASE PLATE";
    if (contains(value, "zernike")) return "ZERNIKE PHASE PLATE";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> match_enumeration(const PdbxItem& item, std::string_view value) {
  for (const auto* list : {&item.enumeration, &item.advisory_enumeration}) {
    for (const std::string& option : *list) {
      if (option == value) return option;
    }
  }
  for (bool by_squeezed : {false, true}) {
    for (const auto* list : {&item.enumeration, &item.advisory_enumeration}) {
      if (const std::string* hit = find_in(*list, value, by_squeezed)) return *hit;
    }
  }
  if (auto ruled = hand_rule(item.name, value)) {
    // A hand rule must still name a value the dictionary knows (a newer dictionary may drop it).
    for (const auto* list : {&item.enumeration, &item.advisory_enumeration}) {
      if (const std::string* hit = find_in(*list, *ruled, false)) return *hit;
    }
  }
  return std::nullopt;
}

OpticsUse specialist_optics_use(const boost::json::object& device) {
  const boost::json::value* used = device.if_contains("used");
  if (used && used->is_bool() && !used->get_bool()) return OpticsUse::kNotUsed;
  const boost::json::value* type = device.if_contains("instrument_type");
  std::string t = type && type->is_string() ? squeezed(type->get_string()) : "";
  if (t == "none" || t == "no" || t == "na" || t == "notused" || t == "false") return OpticsUse::kNotUsed;
  bool said_used = used && used->is_bool() && used->get_bool();
  if (t.empty() || t == "unspecified" || t == "unknown") return said_used ? OpticsUse::kTypeUnknown : OpticsUse::kNotUsed;
  return OpticsUse::kInColumn;
}

std::string pdbx_boolean(const PdbxItem& item, bool value) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 2> kSpellings{{{"YES", "NO"}, {"Y", "N"}}};
  for (auto [yes, no] : kSpellings) {
    if (const std::string* hit = find_in(item.enumeration, value ? yes : no, false)) return *hit;
  }
  return value ? "YES" : "NO";
}

std::optional<std::string> pdbx_date(std::string_view text) {
  if (text.size() < 10) return std::nullopt;
  for (std::size_t i = 0; i < 10; ++i) {
    bool dash = i == 4 || i == 7;
    if (dash ? text[i] != '-' : !std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  }
  int month = (text[5] - '0') * 10 + (text[6] - '0');
  int day = (text[8] - '0') * 10 + (text[9] - '0');
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  if (text.size() > 10 && text[10] != 'T' && text[10] != 't' && text[10] != ' ') return std::nullopt;
  return std::string(text.substr(0, 10));
}

std::string format_number(double value) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (ec != std::errc()) return std::to_string(value);
  return std::string(buffer, end);
}

std::optional<std::string> udunits_for_pdbx_unit(std::string_view code) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 22> kUnits{{
      {"kilovolts", "kV"},
      {"volts", "V"},
      {"millimetres", "mm"},
      {"millimeters", "mm"},
      {"micrometres", "um"},
      {"microns", "um"},
      {"nanometers", "nm"},
      {"nanometres", "nm"},
      {"angstroms", "Å"},
      {"angstroms_squared", "Å^2"},
      {"degrees", "deg"},
      {"milliradians", "mrad"},
      {"kelvins", "K"},
      {"seconds", "s"},
      {"electrons_angstrom_squared", "1/Å^2"},
      {"electron_volts", "eV"},
      {"mg_per_ml", "mg/mL"},
      {"daltons", "Da"},
      {"kilodaltons", "kDa"},
      {"megadaltons", "MDa"},
      {"pascals", "Pa"},
      {"percent", "%"},
  }};
  for (auto [pdbx, udunits] : kUnits) {
    if (pdbx == code) return std::string(udunits);
  }
  return std::nullopt;
}

std::string assumed_pdbx_unit(std::string_view item_name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kStated{{
      {"_entity.formula_weight", "daltons"},             // "Formula mass in daltons of the entity."
      {"_em_vitrification.humidity", "percent"},         // "Relative humidity (%) of air ..."
      {"_em_grid_pretreatment.pressure", "pascals"},     // "... glow discharge chamber, in pascals"
  }};
  for (auto [item, unit] : kStated) {
    if (item == item_name) return std::string(unit);
  }
  return "";
}

}  // namespace openem

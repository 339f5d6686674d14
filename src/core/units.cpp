#include "core/units.h"

#include <udunits2.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <unordered_map>
#include <utility>
#include <vector>

namespace openem {
namespace {

// Names and symbols registered on top of the udunits2 database. Order matters: "electron" is
// defined through "e", so "e" is redefined first.
struct Alias {
  const char* text;
  bool is_symbol;          // symbols are case-sensitive and take prefixes as given ("kDa")
  const char* definition;  // parsed with the database as loaded so far
};
constexpr Alias kAliases[] = {
    // udunits2 2.2.28 ships e = 1.602176487e-19 C (CODATA 2006) and eV = 1.60217733e-19 J
    // (CODATA 1986); both are exact since the 2019 SI redefinition.
    // In EM metadata "e" counts electrons (dose e/Å², dose rate e/px/s); it is never a
    // charge. As a count it makes e/Å² the same quantity as the 1/Å² OSC-EM extractors write.
    {"e", true, "1"},
    {"eV", true, "1.602176634e-19 J"},
    {"electronvolt", false, "1.602176634e-19 J"},
    {"electronvolts", false, "1.602176634e-19 J"},
    {"electron_volt", false, "1.602176634e-19 J"},
    {"electron_volts", false, "1.602176634e-19 J"},
    {"electron", false, "1"},
    {"electrons", false, "1"},
    {"deg", true, "degree"},
    // A pixel is a count of detector elements: Å/px is a length.
    {"px", true, "1"},
    {"pixel", false, "1"},
    {"pixels", false, "1"},
    {"Da", true, "1.66053906660e-27 kg"},
    {"dalton", false, "1.66053906660e-27 kg"},
    {"daltons", false, "1.66053906660e-27 kg"},
    {"\u2103", true, "degC"},  // ℃ DEGREE CELSIUS
};
// udunits2 maps these to the dimensionless 1; see the header for why they must stay unknown.
constexpr const char* kRemovedNames[] = {"count", "counts"};

// mathjs' BASE_DIMENSIONS order (MASS, LENGTH, TIME, CURRENT, TEMPERATURE, LUMINOUS_INTENSITY,
// AMOUNT_OF_SUBSTANCE, ANGLE) with their SI units: toSI() lists units in this order.
int base_rank(const std::string& symbol) {
  static constexpr const char* kOrder[] = {"kg", "m", "s", "A", "K", "cd", "mol", "rad"};
  for (int i = 0; i < static_cast<int>(std::size(kOrder)); ++i) {
    if (symbol == kOrder[i]) return i;
  }
  return static_cast<int>(std::size(kOrder));  // none in the database today; sorted by name
}

// Base-unit exponents of a unit and the SI unit it reduces to, collected by a ut_visitor.
struct Dimensions {
  std::vector<std::pair<std::string, int>> exponents;
  const ut_unit* si = nullptr;  // owned by the visited unit
};

ut_status add_basic(const ut_unit* unit, int power, Dimensions& d) {
  const char* id = ut_get_symbol(unit, UT_ASCII);
  if (id == nullptr) id = ut_get_name(unit, UT_ASCII);
  if (id == nullptr) return UT_BAD_ARG;
  d.exponents.emplace_back(id, power);
  return UT_SUCCESS;
}

ut_status visit_basic(const ut_unit* unit, void* arg) {
  auto& d = *static_cast<Dimensions*>(arg);
  d.si = unit;
  return add_basic(unit, 1, d);
}

ut_status visit_product(const ut_unit* unit, int count, const ut_unit* const* basics,
                        const int* powers, void* arg) {
  auto& d = *static_cast<Dimensions*>(arg);
  d.si = unit;
  for (int i = 0; i < count; ++i) {
    if (ut_status s = add_basic(basics[i], powers[i], d); s != UT_SUCCESS) return s;
  }
  return UT_SUCCESS;
}

ut_status visit_galilean(const ut_unit*, double, const ut_unit* underlying, double, void* arg);

// Timestamps ("s since 1970-01-01") and logarithmic units (dB) have no SI value to index.
ut_status reject_timestamp(const ut_unit*, const ut_unit*, double, void*) { return UT_BAD_ARG; }
ut_status reject_logarithmic(const ut_unit*, double, const ut_unit*, void*) { return UT_BAD_ARG; }

const ut_visitor kVisitor = {visit_basic, visit_product, visit_galilean, reject_timestamp,
                             reject_logarithmic};

// A scaled or offset unit (km, °C): its dimensions are those of the unit underneath.
ut_status visit_galilean(const ut_unit*, double, const ut_unit* underlying, double, void* arg) {
  return ut_accept_visitor(underlying, &kVisitor, arg);
}

// mathjs Unit.formatUnits(): "num / den" with parentheses around multi-unit parts; only
// negative powers → "s^-1" (no numerator). Nothing left → "1".
std::string format_si(std::vector<std::pair<std::string, int>> exps) {
  std::stable_sort(exps.begin(), exps.end(), [](const auto& a, const auto& b) {
    int ra = base_rank(a.first), rb = base_rank(b.first);
    return ra != rb ? ra < rb : a.first < b.first;
  });
  std::string num, den;
  int n_num = 0, n_den = 0;
  for (const auto& [sym, p] : exps) {
    if (p > 0) {
      ++n_num;
      num += (num.empty() ? "" : " ") + sym + (p != 1 ? "^" + std::to_string(p) : "");
    } else if (p < 0) {
      ++n_den;
    }
  }
  for (const auto& [sym, p] : exps) {
    if (p >= 0) continue;
    den += den.empty() ? "" : " ";
    if (n_num > 0) {
      den += sym + (p != -1 ? "^" + std::to_string(-p) : "");
    } else {
      den += sym + "^" + std::to_string(p);
    }
  }
  if (n_num == 0 && n_den == 0) return "1";
  if (n_num > 1 && n_den > 0) num = "(" + num + ")";
  if (n_den > 1 && n_num > 0) den = "(" + den + ")";
  if (n_num > 0 && n_den > 0) return num + " / " + den;
  return n_num > 0 ? num : den;
}

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// udunits2 reads "m^0.5" as m^0 · .5 (a factor 5, silently): only integer exponents are units.
bool has_fractional_exponent(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '^') continue;
    size_t j = i + 1;
    if (j < s.size() && (s[j] == '-' || s[j] == '+')) ++j;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
    if (j + 1 < s.size() && (s[j] == '.' || s[j] == ',') &&
        std::isdigit(static_cast<unsigned char>(s[j + 1]))) {
      return true;
    }
  }
  return false;
}

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace

// A unit reduced to SI: converters both ways and the canonical SI string. Immutable once built;
// cv_converter objects are plain arithmetic and safe to use from several threads at once.
struct UnitConverter::Parsed {
  cv_converter* to_si = nullptr;
  cv_converter* from_si = nullptr;
  std::string si;
  ~Parsed() {
    if (to_si) cv_free(to_si);
    if (from_si) cv_free(from_si);
  }
};

struct UnitConverter::Impl {
  ut_system* system = nullptr;
  std::mutex ut_mu;  // serialises every udunits2 call
  std::shared_mutex cache_mu;
  std::unordered_map<std::string, std::shared_ptr<const Parsed>, StringHash, std::equal_to<>>
      cache;  // nullptr values: unknown units

  // Requires ut_mu.
  std::shared_ptr<const Parsed> parse(std::string_view text) {
    std::string s(trim(text));
    // udunits parses "" as 1; a NUL would end the string early ("m\0junk" read as "m").
    if (s.empty() || s.size() > kMaxUnitLength || s.find('\0') != std::string::npos ||
        has_fractional_exponent(s)) {
      return nullptr;
    }
    ut_unit* unit = ut_parse(system, s.c_str(), UT_UTF8);
    if (unit == nullptr) return nullptr;
    std::shared_ptr<Parsed> p;
    Dimensions d;
    if (ut_accept_visitor(unit, &kVisitor, &d) == UT_SUCCESS && d.si != nullptr) {
      p = std::make_shared<Parsed>();
      p->to_si = ut_get_converter(unit, const_cast<ut_unit*>(d.si));
      p->from_si = ut_get_converter(const_cast<ut_unit*>(d.si), unit);
      p->si = format_si(std::move(d.exponents));
      if (p->to_si == nullptr || p->from_si == nullptr) p.reset();
    }
    ut_free(unit);
    return p;
  }
};

UnitConverter::UnitConverter() : impl_(std::make_unique<Impl>()) {
  // Without this udunits2 prints every parse failure and database note to stderr.
  ut_set_error_message_handler(ut_ignore);
  ut_system* sys = ut_read_xml(nullptr);  // UDUNITS2_XML_PATH, else the compiled-in default
  if (sys == nullptr) sys = ut_read_xml("/usr/share/xml/udunits/udunits2.xml");
  if (sys == nullptr) {
    throw std::runtime_error(
        "cannot read the udunits2 database (set UDUNITS2_XML_PATH to udunits2.xml)");
  }
  impl_->system = sys;
  for (const Alias& a : kAliases) {
    ut_unit* def = ut_parse(sys, a.definition, UT_UTF8);
    if (def == nullptr) {
      throw std::runtime_error(std::string("udunits2: cannot parse definition of ") + a.text);
    }
    ut_status s;
    if (a.is_symbol) {
      ut_unmap_symbol_to_unit(sys, a.text, UT_UTF8);
      s = ut_map_symbol_to_unit(a.text, UT_UTF8, def);
    } else {
      ut_unmap_name_to_unit(sys, a.text, UT_UTF8);
      s = ut_map_name_to_unit(a.text, UT_UTF8, def);
    }
    ut_free(def);
    if (s != UT_SUCCESS) {
      throw std::runtime_error(std::string("udunits2: cannot register unit ") + a.text);
    }
  }
  for (const char* name : kRemovedNames) ut_unmap_name_to_unit(sys, name, UT_UTF8);
}

UnitConverter::~UnitConverter() {
  impl_->cache.clear();
  if (impl_->system) ut_free_system(impl_->system);
}

const UnitConverter& UnitConverter::instance() {
  // Never destroyed: threads still converting at exit must not see a freed unit system.
  static const UnitConverter* converter = new UnitConverter();
  return *converter;
}

std::shared_ptr<const UnitConverter::Parsed> UnitConverter::lookup(std::string_view unit) const {
  {
    std::shared_lock lock(impl_->cache_mu);
    if (auto it = impl_->cache.find(unit); it != impl_->cache.end()) return it->second;
  }
  std::shared_ptr<const Parsed> parsed;
  {
    std::lock_guard lock(impl_->ut_mu);
    parsed = impl_->parse(unit);
  }
  std::unique_lock lock(impl_->cache_mu);
  if (impl_->cache.size() < kMaxCachedUnits) {
    // Another thread may have parsed the same string meanwhile: keep the first.
    return impl_->cache.try_emplace(std::string(unit), parsed).first->second;
  }
  return parsed;
}

std::optional<SiQuantity> UnitConverter::to_si(double value, std::string_view unit) const {
  auto p = lookup(unit);
  if (!p) return std::nullopt;
  double v = cv_convert_double(p->to_si, value);
  if (!std::isfinite(v) && std::isfinite(value)) return std::nullopt;  // overflow: not indexable
  return SiQuantity{v, p->si};
}

std::optional<double> UnitConverter::convert(double value, std::string_view from,
                                             std::string_view to) const {
  auto f = lookup(from);
  auto t = lookup(to);
  if (!f || !t || f->si != t->si) return std::nullopt;
  return cv_convert_double(t->from_si, cv_convert_double(f->to_si, value));
}

bool UnitConverter::is_known(std::string_view unit) const { return lookup(unit) != nullptr; }

}  // namespace openem

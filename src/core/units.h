#pragma once
// Physical units: conversion of (value, unit string) pairs to SI and between units, backed by
// udunits2 and its default XML database plus a few electron-microscopy aliases.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace openem {

// A value in SI base units. `unit` is the canonical SI string: derived only from the base-unit
// exponents, so two quantities of the same dimension always carry the same string (it is stored
// in the catalog and compared by equality). The format is the one mathjs' toSI() prints, which
// upstream SciCat stores as unitSI: "m", "m / s", "kg / (m s^2)", "(kg m^2) / (s^3 A)", "s^-1".
// Base units are ordered kg, m, s, A, K, cd, mol, rad. Dimensionless quantities (%, px) get "1".
struct SiQuantity {
  double value;
  std::string unit;
};

// UnitConverter: converts physical quantities between units with udunits2 and its default XML
// database plus EM aliases. Thread-safe: udunits2 itself is not (global status, parser state),
// so every call into it is serialised; parsed units are cached (bounded) and conversions of
// cached units run without taking the udunits lock.
//
// Unit strings follow udunits2 syntax ("m/s", "kg.m2/s2", "m s-1", "e/Å^2", "e/Å²"), with
// surrounding whitespace ignored. Notes for EM metadata:
//  * "A" is the ampere, never the ångström: "e/A^2" is a charge per current squared. Write
//    "Å" (U+00C5 or U+212B) or "angstrom". "e-/A^2" does not parse at all ("e-" is no unit).
//  * "e" and "electron" count electrons (dimensionless 1), never a charge: a dose in e/Å² has
//    unitSI "m^-2", converts to e/nm² by the area factor, and compares with a dose written as
//    "1/Å^2" (as OSC-EM extractors write it).
//  * "px"/"pixel" is a dimensionless count (1): "Å/px" is a length ("m"), "e/px/s" a rate.
//  * "count"/"counts" is deliberately unknown: detector counts are not a physical unit
//    (turning them into electrons needs the detector gain), and as "1" they would silently
//    compare equal to percentages and ratios.
//  * Angles keep their own base unit, "rad" (udunits' dimensionless radian; mathjs' ANGLE),
//    so "deg"/"°"/"mrad" never compare with "%".
//  * Registered at start-up: deg; px, pixel(s); electron(s); Da, dalton(s) = 1.66053906660e-27 kg;
//    ℃; e = 1 (see above). eV redefined with the exact 2019 SI value 1.602176634e-19 J
//    (udunits2 ships the 1986 CODATA one).
class UnitConverter {
 public:
  // The process-wide converter; loads the udunits2 database on first use (UDUNITS2_XML_PATH or
  // the compiled-in default path). Throws std::runtime_error if the database cannot be read.
  static const UnitConverter& instance();

  // value in unit → SI. nullopt: unknown or unconvertible unit (also "", timestamps
  // "s since 1970-01-01" and logarithmic units). Offsets are applied: 20 °C → 293.15 K.
  std::optional<SiQuantity> to_si(double value, std::string_view unit) const;
  // value in `from` → value in `to`. nullopt: either unit unknown or the dimensions differ
  // (the canonical SI strings must be equal, which is stricter than udunits2: rad ↛ %).
  std::optional<double> convert(double value, std::string_view from, std::string_view to) const;
  bool is_known(std::string_view unit) const;

  ~UnitConverter();
  UnitConverter(const UnitConverter&) = delete;
  UnitConverter& operator=(const UnitConverter&) = delete;

  // Parsed units kept in the cache; beyond this many distinct strings, units are parsed on every
  // call (unit strings come from user input: the cache must not grow without bound).
  static constexpr size_t kMaxCachedUnits = 4096;
  // Longer unit strings are unknown (no real unit is this long; bounds parser work).
  static constexpr size_t kMaxUnitLength = 256;

 private:
  UnitConverter();
  struct Impl;
  struct Parsed;
  std::shared_ptr<const Parsed> lookup(std::string_view unit) const;  // nullptr: unknown
  std::unique_ptr<Impl> impl_;
};

}  // namespace openem

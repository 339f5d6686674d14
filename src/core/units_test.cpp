#include "core/units.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <thread>
#include <vector>

namespace openem {
namespace {

constexpr double kE = 1.602176634e-19;       // elementary charge, C (exact, SI 2019)
constexpr double kDa = 1.66053906660e-27;    // dalton, kg (CODATA 2018)

void expect_rel(double actual, double expected) {
  EXPECT_NEAR(actual, expected, std::abs(expected) * 1e-9 + 1e-300) << "expected " << expected;
}

struct Case {
  double value;
  const char* unit;
  double want_value;
  const char* want_unit;
};

// Reference §6.4 (mathjs values and unitSI strings), then the EM units.
const Case kCases[] = {
    {1, "cm", 0.01, "m"},
    {1.2, "nm", 1.2e-9, "m"},
    {1, "\u00C5", 1e-10, "m"},  // Å LATIN CAPITAL LETTER A WITH RING ABOVE
    {1, "\u212B", 1e-10, "m"},  // Å ANGSTROM SIGN
    {1, "angstrom", 1e-10, "m"},
    {1, "um", 1e-6, "m"},
    {1, "\u00B5m", 1e-6, "m"},  // µ MICRO SIGN
    {1, "\u03BCm", 1e-6, "m"},  // μ GREEK SMALL LETTER MU
    {22595, "eV", 22595 * kE, "(kg m^2) / s^2"},
    {10, "kV", 10000, "(kg m^2) / (s^3 A)"},
    {180, "deg", std::numbers::pi, "rad"},
    {180, "\u00B0", std::numbers::pi, "rad"},
    {180, "degree", std::numbers::pi, "rad"},
    {2, "mrad", 0.002, "rad"},
    {20, "celsius", 293.15, "K"},
    {1, "degC", 274.15, "K"},
    {20, "\u00B0C", 293.15, "K"},
    {20, "\u2103", 293.15, "K"},
    {1, "Pa", 1, "kg / (m s^2)"},
    {3, "Hz", 3, "s^-1"},
    {1, "1/s", 1, "s^-1"},
    {1, "mm/s", 0.001, "m / s"},
    {100, "ms", 0.1, "s"},
    {1, "K/min", 1.0 / 60, "K / s"},
    // EM
    {1.5, "nm", 1.5e-9, "m"},
    {2.7, "mm", 2.7e-3, "m"},
    {300, "keV", 300e3 * kE, "(kg m^2) / s^2"},
    {300, "kV", 300e3, "(kg m^2) / (s^3 A)"},
    {40, "e/\u00C5\u00B2", 40 / 1e-20, "m^-2"},
    {40, "e/\u00C5^2", 40 / 1e-20, "m^-2"},
    {40, "electron/\u00C5^2", 40 / 1e-20, "m^-2"},
    {40, "electrons/angstrom^2", 40 / 1e-20, "m^-2"},
    {2.66, "\u00C5/px", 2.66e-10, "m"},
    {2.66, "\u00C5/pixel", 2.66e-10, "m"},
    {7.5, "e/px/s", 7.5, "s^-1"},  // electrons per pixel per second: a rate
    {3.08367, "1/\u00C5^2", 3.08367e20, "m^-2"},
    {3.08367, "1/\u00C5\u00B2", 3.08367e20, "m^-2"},
    {12.5, "%", 0.125, "1"},
    {50, "kDa", 50e3 * kDa, "kg"},
    {1, "Da", kDa, "kg"},
    {1, "dalton", kDa, "kg"},
    {1, "mg/ml", 1, "kg / m^3"},
    {1, "mol/L", 1000, "mol / m^3"},
    {5, "mA", 0.005, "A"},
    {1, "W", 1, "(kg m^2) / s^3"},
    {2, "rad/s", 2, "rad / s"},
    {1, "sr", 1, "rad^2"},
    {1, "K", 1, "K"},
    {1, "kg", 1, "kg"},
    {1, "m", 1, "m"},
    {4, " nm ", 4e-9, "m"},  // surrounding whitespace is ignored
};

TEST(UnitConverterTest, ToSiTable) {
  const auto& uc = UnitConverter::instance();
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.unit);
    auto q = uc.to_si(c.value, c.unit);
    ASSERT_TRUE(q.has_value());
    expect_rel(q->value, c.want_value);
    EXPECT_EQ(q->unit, c.want_unit);
  }
}

// The SI string depends on the dimension only, never on how the unit was spelt.
TEST(UnitConverterTest, SiStringIsCanonical) {
  const auto& uc = UnitConverter::instance();
  for (const char* u : {"J", "kg.m2/s2", "N m", "kg m^2 s^-2", "m2 kg s-2", "keV", "erg"}) {
    SCOPED_TRACE(u);
    auto q = uc.to_si(1, u);
    ASSERT_TRUE(q);
    EXPECT_EQ(q->unit, "(kg m^2) / s^2");
  }
  EXPECT_EQ(uc.to_si(1, "m/s/s")->unit, "m / s^2");
  EXPECT_EQ(uc.to_si(1, "1/(m s)")->unit, "m^-1 s^-1");
  EXPECT_EQ(uc.to_si(1, "px/px")->unit, "1");
}

TEST(UnitConverterTest, Convert) {
  const auto& uc = UnitConverter::instance();
  auto c = [&](double v, const char* from, const char* to) {
    auto r = uc.convert(v, from, to);
    EXPECT_TRUE(r.has_value()) << from << " -> " << to;
    return r.value_or(NAN);
  };
  expect_rel(c(1.5, "\u00C5", "nm"), 0.15);
  expect_rel(c(1.5, "\u212B", "\u00C5"), 1.5);
  expect_rel(c(40, "e/\u00C5\u00B2", "e/nm^2"), 4000);
  expect_rel(c(40, "e/\u00C5^2", "e/nm\u00B2"), 4000);
  expect_rel(c(300, "keV", "J"), 4.806529902e-14);
  expect_rel(c(20, "\u00B0C", "K"), 293.15);
  expect_rel(c(293.15, "K", "degC"), 20);
  expect_rel(c(1, "deg", "mrad"), 17.453292519943295);
  expect_rel(c(2.66, "\u00C5/px", "nm/pixel"), 0.266);
  expect_rel(c(1, "kDa", "Da"), 1000);
  expect_rel(c(50, "%", "1"), 0.5);
  expect_rel(c(7.5, "e/px/s", "e/s"), 7.5);
  expect_rel(c(1, "K/min", "K/s"), 1.0 / 60);
  expect_rel(c(3, "Hz", "1/s"), 3);
}

TEST(UnitConverterTest, ConvertRejectsDifferentDimensions) {
  const auto& uc = UnitConverter::instance();
  EXPECT_FALSE(uc.convert(1, "m", "s"));
  EXPECT_FALSE(uc.convert(1, "rad", "%"));  // udunits2 alone would allow this
  EXPECT_FALSE(uc.convert(1, "deg", "1"));
  EXPECT_FALSE(uc.convert(1, "m", "furlong-per-blob"));
  EXPECT_FALSE(uc.convert(1, "counts", "1"));
}

// "A" is the ampere: e/A^2 is a count per current squared, not a dose.
TEST(UnitConverterTest, CapitalAIsAmpere) {
  const auto& uc = UnitConverter::instance();
  auto q = uc.to_si(40, "e/A^2");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->unit, "A^-2");
  expect_rel(q->value, 40);
  EXPECT_FALSE(uc.convert(40, "e/A^2", "e/nm^2"));
  EXPECT_FALSE(uc.to_si(40, "e-/A^2"));
  EXPECT_EQ(uc.to_si(1, "A")->unit, "A");
}

// A dose in electrons per area and the same dose written as 1/Å² are one quantity.
TEST(UnitConverterTest, ElectronDoseMatchesPerAreaDose) {
  const auto& uc = UnitConverter::instance();
  EXPECT_EQ(uc.to_si(40, "e/\u00C5\u00B2")->unit, uc.to_si(40, "1/\u00C5^2")->unit);
  auto per_nm2 = uc.convert(40, "e/\u00C5\u00B2", "e/nm^2");
  ASSERT_TRUE(per_nm2);
  expect_rel(*per_nm2, 4000);
  expect_rel(*uc.convert(40, "e/\u00C5\u00B2", "1/\u00C5^2"), 40);
}

TEST(UnitConverterTest, UnknownUnits) {
  const auto& uc = UnitConverter::instance();
  for (const char* u : {"furlong-per-blob", "counts", "count", "", "   ", "blob", "m^0.5",
                        "e-/A^2", "s since 1970-01-01", "lg(re 1 mW)", "\xff\xfe"}) {
    SCOPED_TRACE(u);
    EXPECT_FALSE(uc.to_si(1, u));
    EXPECT_FALSE(uc.is_known(u));
  }
  EXPECT_FALSE(uc.is_known(std::string_view("m\0junk", 6)));
  EXPECT_FALSE(uc.is_known(std::string(UnitConverter::kMaxUnitLength + 1, 'm')));
  EXPECT_TRUE(uc.is_known("\u00C5"));
  EXPECT_TRUE(uc.is_known("e/px/s"));
}

TEST(UnitConverterTest, OverflowIsNotIndexable) {
  EXPECT_FALSE(UnitConverter::instance().to_si(1e300, "Tm^2"));
}

// More distinct strings than the cache holds still convert correctly.
TEST(UnitConverterTest, BeyondCacheCapacity) {
  const auto& uc = UnitConverter::instance();
  for (int k = 1; k <= static_cast<int>(UnitConverter::kMaxCachedUnits) + 500; ++k) {
    auto q = uc.to_si(2, std::to_string(k) + " mm");
    ASSERT_TRUE(q) << k;
    ASSERT_NEAR(q->value, 2e-3 * k, 2e-3 * k * 1e-12);
    ASSERT_EQ(q->unit, "m");
  }
}

TEST(UnitConverterTest, ConcurrentConversionsAgree) {
  const auto& uc = UnitConverter::instance();
  std::vector<std::string> units = {"\u00C5", "e/\u00C5\u00B2", "keV", "\u00B0C", "K/min",
                                    "mrad", "Pa", "\u00C5/px", "furlong-per-blob", "deg"};
  for (int k = 0; k < 40; ++k) units.push_back(std::to_string(k + 1) + " um/s");  // cold parses
  const int kIterations = 10000;
  auto run = [&](std::vector<double>& out) {
    out.clear();
    for (int i = 0; i < kIterations; ++i) {
      const std::string& u = units[i % units.size()];
      auto q = uc.to_si(i, u);
      out.push_back(q ? q->value + static_cast<double>(q->unit.size()) : -1);
      auto c = uc.convert(i, u, "nm");
      out.push_back(c.value_or(-2));
    }
  };
  std::vector<std::vector<double>> results(8);
  std::vector<std::thread> threads;
  for (auto& r : results) threads.emplace_back(run, std::ref(r));
  for (auto& t : threads) t.join();
  std::vector<double> expected;
  run(expected);
  for (const auto& r : results) EXPECT_EQ(r, expected);
}

}  // namespace
}  // namespace openem

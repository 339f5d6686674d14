#include "extract/text_util.h"

#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <limits>

#include "extract/date_time.h"

namespace openem::extract {
namespace {

TEST(ParseNumber, AcceptsWhatInstrumentsWrite) {
  EXPECT_DOUBLE_EQ(*parse_number("33"), 33.0);
  EXPECT_DOUBLE_EQ(*parse_number(" 2.66 "), 2.66);
  EXPECT_DOUBLE_EQ(*parse_number("1.04811e-005"), 1.04811e-5);  // Windows 3-digit exponent
  EXPECT_DOUBLE_EQ(*parse_number("-4E-07"), -4e-7);
  EXPECT_DOUBLE_EQ(*parse_number("+2"), 2.0);
  EXPECT_TRUE(std::isnan(*parse_number("NaN")));
  EXPECT_DOUBLE_EQ(*parse_number("1e-400"), 0.0);
}

TEST(ParseNumber, RejectsTextAndVectors) {
  EXPECT_FALSE(parse_number(""));
  EXPECT_FALSE(parse_number("TITAN52339260"));
  EXPECT_FALSE(parse_number("4.97 -299.41"));
  EXPECT_FALSE(parse_number("NaN -1"));
  EXPECT_FALSE(parse_number("1,5"));  // locale-independent: a comma is not a decimal point
}

TEST(FormatNumber, ShortestRoundTrip) {
  EXPECT_EQ(format_number(2.66), "2.66");
  EXPECT_EQ(format_number(-3500), "-3500");
  EXPECT_EQ(format_number(0.1 + 0.2), "0.30000000000000004");
}

TEST(Utf8, RepairsWindows1252) {
  EXPECT_EQ(to_utf8("Krios \xC5ngstr\xF6m"), "Krios \xC3\x85ngstr\xC3\xB6m");
  EXPECT_EQ(to_utf8("\x80"), "\xE2\x82\xAC");  // euro sign
  EXPECT_EQ(to_utf8("already \xC3\x85"), "already \xC3\x85");
  EXPECT_TRUE(is_valid_utf8(to_utf8("\xFF\xFE\xC3")));
}

TEST(Basename, BothSeparators) {
  EXPECT_EQ(basename_any("X:\\Users\\BioEMlab\\a_-67.0.tif"), "a_-67.0.tif");
  EXPECT_EQ(basename_any("frames/b.tif"), "b.tif");
  EXPECT_EQ(basename_any("\\\\TemScripting\\\\c.eer"), "c.eer");
}

TEST(SerialEmDate, TwoDigitYearDayFirst) {
  auto t = parse_serialem_date("03-May-23  13:59:32", DateOrder::kDayFirst);
  ASSERT_TRUE(t);
  EXPECT_EQ(format_rfc3339(*t), "2023-05-03T13:59:32Z");
}

TEST(SerialEmDate, FourDigitYearAndSingleSpace) {
  auto t = parse_serialem_date("01-Aug-2022 18:58:31", DateOrder::kYearFirst);  // 4 digits decide
  ASSERT_TRUE(t);
  EXPECT_EQ(format_rfc3339(*t), "2022-08-01T18:58:31Z");
}

TEST(SerialEmDate, Tomo5YearFirst) {
  auto t = parse_serialem_date("22-Feb-04  23:02:05", DateOrder::kYearFirst);
  ASSERT_TRUE(t);
  EXPECT_EQ(format_rfc3339(*t), "2022-02-04T23:02:05Z");
}

TEST(SerialEmDate, SiteTimeZoneIsApplied) {
  auto t = parse_serialem_date("03-May-23  13:59:32", DateOrder::kDayFirst, 120);
  ASSERT_TRUE(t);
  EXPECT_EQ(format_rfc3339(*t), "2023-05-03T13:59:32+02:00");
  auto utc = parse_iso_time("2023-05-03T11:59:32Z");
  EXPECT_EQ(t->utc_seconds, utc->utc_seconds);
}

TEST(SerialEmDate, RejectsImpossibleDates) {
  EXPECT_FALSE(parse_serialem_date("31-Feb-23  13:59:32", DateOrder::kDayFirst));
  EXPECT_FALSE(parse_serialem_date("03-Foo-23  13:59:32", DateOrder::kDayFirst));
  EXPECT_FALSE(parse_serialem_date("03-May-23  25:59:32", DateOrder::kDayFirst));
  EXPECT_FALSE(parse_serialem_date("03-May-23", DateOrder::kDayFirst));
}

TEST(NumberFormat, DerivedValuesLoseTheirFloatNoise) {
  EXPECT_EQ(format_number(-4.14805 * 1000), "-4148.049999999999");  // the arithmetic, not the printer
  EXPECT_EQ(format_number(without_float_noise(-4.14805 * 1000)), "-4148.05");
  EXPECT_EQ(format_number(without_float_noise(6.3993e21 * 1e-20)), "63.993");
  EXPECT_EQ(without_float_noise(1.0558814239614023), 1.0558814239614);  // 15 significant digits
  EXPECT_EQ(without_float_noise(0.0), 0.0);
  EXPECT_TRUE(std::isnan(without_float_noise(std::nan(""))));
}

TEST(NumberFormat, IntegersAreRangeChecked) {
  EXPECT_EQ(to_integer_in_range(33000.4, 1, 100000000), 33000);
  EXPECT_EQ(to_integer_in_range(-1e20, 1, 100000000), std::nullopt);  // never INT64_MIN
  EXPECT_EQ(to_integer_in_range(1e300, INT64_MIN / 2, INT64_MAX / 2), std::nullopt);
  EXPECT_EQ(to_integer_in_range(std::nan(""), 0, 10), std::nullopt);
  EXPECT_EQ(to_integer_in_range(-std::numeric_limits<double>::infinity(), 0, 10), std::nullopt);
}

TEST(IsoTime, EpuSevenDigitFractionAndOffset) {
  auto t = parse_iso_time("2024-09-01T06:01:10.1234567+02:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->nanos, 123456700);
  EXPECT_EQ(format_rfc3339(*t), "2024-09-01T06:01:10+02:00");
  auto z = parse_iso_time("2024-09-01T04:01:10Z");
  EXPECT_EQ(t->utc_seconds, z->utc_seconds);
  EXPECT_FALSE(parse_iso_time("2024-13-01T04:01:10Z"));
  EXPECT_FALSE(parse_iso_time("yesterday"));
}

}  // namespace
}  // namespace openem::extract

#include "extract/epu_dose.h"

#include <gtest/gtest.h>

#include <cmath>

#include "extract/constant_tracker.h"

namespace openem::extract {
namespace {

TEST(EpuDose, FromDoseWhenPresent) {
  // EPU 3.1: Dose 6.3993e21 e/m², pixel 1.285 Å, DoseOnCamera 105.70 e/pixel.
  EpuDose d = derive_epu_dose(6.3993e21, 105.70, 1.285e-10);
  EXPECT_EQ(d.source, EpuDose::Source::kDose);
  EXPECT_DOUBLE_EQ(*d.per_square_angstrom, 63.993);
  EXPECT_DOUBLE_EQ(*d.per_pixel, 105.70);
  EXPECT_NEAR(*d.disagreement, std::fabs(63.993 * 1.285 * 1.285 - 105.70) / 105.70, 1e-12);
  EXPECT_LT(*d.disagreement, kEpuDoseTolerance);
}

TEST(EpuDose, FromDoseOnCameraAndPixelWithoutDose) {
  EpuDose d = derive_epu_dose(std::nullopt, 105.70, 1.285e-10);
  EXPECT_EQ(d.source, EpuDose::Source::kDoseOnCameraAndPixel);
  EXPECT_NEAR(*d.per_square_angstrom, 105.70 / (1.285 * 1.285), 1e-12);
  EXPECT_FALSE(d.disagreement);
}

TEST(EpuDose, PerPixelDerivedWhenOnlyDoseIsWritten) {
  EpuDose d = derive_epu_dose(3.3341462406363517e19, std::nullopt, 1.1325284043905981e-09);  // EPU 2.6 K2
  EXPECT_NEAR(*d.per_square_angstrom, 0.33341462406363517, 1e-15);
  EXPECT_NEAR(*d.per_pixel, 0.33341462406363517 * 11.325284043905981 * 11.325284043905981, 1e-9);
}

TEST(EpuDose, NothingUsable) {
  EXPECT_FALSE(derive_epu_dose(std::nullopt, 105.7, std::nullopt).per_square_angstrom);  // no pixel size
  EXPECT_FALSE(derive_epu_dose(-1, std::nullopt, 1e-10).per_square_angstrom);
  EXPECT_FALSE(derive_epu_dose(std::nan(""), std::nullopt, 1e-10).per_square_angstrom);
  EXPECT_FALSE(derive_epu_dose(std::nullopt, 5, 0).per_square_angstrom);
}

TEST(ConstantTracker, KeepsFirstFilePerValueAndMergesInOrder) {
  ConstantTracker a, b;
  a.note_number("instrument.acceleration_voltage", 300, "kV", "TS_1.mdoc");
  a.note_number("instrument.acceleration_voltage", 300.00000001, "kV", "TS_2.mdoc");  // the same value
  b.note_number("instrument.acceleration_voltage", 200, "kV", "TS_3.mdoc");
  b.note_number("instrument.acceleration_voltage", 300, "kV", "TS_4.mdoc");
  b.note_text("acquisition.detectors", "K3", "TS_3.mdoc");
  EXPECT_FALSE(a.conflicting("instrument.acceleration_voltage"));
  a.merge(b);
  const auto& v = a.values("instrument.acceleration_voltage");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].file, "TS_1.mdoc");
  EXPECT_EQ(v[0].text, "300 kV");
  EXPECT_EQ(v[1].file, "TS_3.mdoc");
  EXPECT_EQ(a.conflicting_fields(), std::vector<std::string>{"instrument.acceleration_voltage"});
  EXPECT_FALSE(a.conflicting("acquisition.detectors"));
  for (int i = 0; i < 50; ++i) a.note_number("acquisition.pixel_size", i, "", "f");
  EXPECT_EQ(a.values("acquisition.pixel_size").size(), ConstantTracker::kMaxValues);
}

}  // namespace
}  // namespace openem::extract

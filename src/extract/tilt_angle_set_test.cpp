#include "extract/tilt_angle_set.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace openem::extract {
namespace {

TEST(TiltAngleSet, ExactForRealSeries) {
  TiltAngleSet s;
  for (double a : {0.001, 3.0002, -2.9998, 6.0001, -6.0, 9.0, -9.0001}) s.add(a);
  EXPECT_EQ(s.size(), 7u);
  EXPECT_EQ(s.step(), 3.0);
  s.clear();
  for (double a : {0.0, 0.001, 0.002}) s.add(a);
  EXPECT_FALSE(s.step());  // one tilt: montage pieces or a frame series
}

TEST(TiltAngleSet, MillionsOfAnglesGiveTheSameStepAsTheExactList) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> tilt(-20, 20);
  std::uniform_real_distribution<double> jitter(-0.002, 0.002);
  std::vector<double> exact;
  TiltAngleSet s;
  for (int i = 0; i < 2'000'000; ++i) {
    double a = tilt(rng) * 3.0 + jitter(rng);
    s.add(a);
    if (i < 100'000) exact.push_back(a);
  }
  EXPECT_EQ(s.size(), 2'000'000u);
  EXPECT_EQ(s.step(), tilt_step(exact));
  EXPECT_EQ(s.step(), 3.0);
}

TEST(TiltAngleSet, IgnoresWhatIsNotAnAngle) {
  TiltAngleSet s;
  s.add(std::nan(""));
  s.add(std::numeric_limits<double>::infinity());
  EXPECT_EQ(s.size(), 0u);
  for (int i = 0; i < 5000; ++i) s.add(i % 2 ? 1e9 : -60.0 + (i % 41) * 3);  // bitmap mode, 1e9 is no stage tilt
  EXPECT_EQ(s.step(), 3.0);
}

}  // namespace
}  // namespace openem::extract

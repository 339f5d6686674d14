#include "extract/tilt_angle_set.h"

#include <algorithm>
#include <cmath>

namespace openem::extract {
namespace {

constexpr double kDistinctTiltDeg = 0.05;  // stage readback jitter is ~0.001°

std::optional<double> median_step(const std::vector<double>& distinct) {
  if (distinct.size() < 3) return std::nullopt;
  std::vector<double> gaps;
  gaps.reserve(distinct.size() - 1);
  for (std::size_t i = 1; i < distinct.size(); ++i) gaps.push_back(distinct[i] - distinct[i - 1]);
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2), gaps.end());
  double median = gaps[gaps.size() / 2];
  return std::round(median * 1000.0) / 1000.0;
}

}  // namespace

std::optional<double> tilt_step(std::vector<double> angles) {
  angles.erase(std::remove_if(angles.begin(), angles.end(), [](double a) { return !std::isfinite(a); }), angles.end());
  std::sort(angles.begin(), angles.end());
  std::vector<double> distinct;
  for (double a : angles)
    if (distinct.empty() || a - distinct.back() > kDistinctTiltDeg) distinct.push_back(a);
  return median_step(distinct);
}

void TiltAngleSet::add(double degrees) {
  if (!std::isfinite(degrees)) return;
  ++count_;
  if (bits_.empty()) {
    exact_.push_back(degrees);
    if (exact_.size() > kExactAngles) to_bitmap();
    return;
  }
  double bin = std::round(degrees / kBinDegrees);
  if (bin < -static_cast<double>(kBinsPerSide) || bin > static_cast<double>(kBinsPerSide)) return;  // not a stage tilt
  auto i = static_cast<std::size_t>(static_cast<std::int64_t>(bin) + kBinsPerSide);
  bits_[i / 64] |= std::uint64_t{1} << (i % 64);
}

void TiltAngleSet::to_bitmap() {
  bits_.assign((2 * kBinsPerSide + 1 + 63) / 64, 0);
  std::vector<double> exact = std::move(exact_);
  exact_.clear();
  count_ -= exact.size();
  for (double a : exact) add(a);
}

std::optional<double> TiltAngleSet::step() const {
  if (bits_.empty()) return tilt_step(exact_);
  std::vector<double> distinct;
  for (std::size_t w = 0; w < bits_.size(); ++w) {
    for (std::uint64_t word = bits_[w]; word != 0; word &= word - 1) {
      auto i = static_cast<std::int64_t>(w * 64 + static_cast<std::size_t>(__builtin_ctzll(word)));
      double a = static_cast<double>(i - kBinsPerSide) * kBinDegrees;
      if (distinct.empty() || a - distinct.back() > kDistinctTiltDeg) distinct.push_back(a);
    }
  }
  return median_step(distinct);
}

void TiltAngleSet::clear() {
  exact_.clear();
  bits_.clear();
  count_ = 0;
}

}  // namespace openem::extract

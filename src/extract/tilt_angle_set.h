#pragma once
// TiltAngleSet: the tilt angles of one autodoc in bounded memory, for the tilt step. The
// first 4,096 angles are kept exactly (every real tilt series); past that, angles are kept
// as a bitmap of 0.001° bins over ±360° (90 KB), so a hostile file of millions of sections
// costs the same as a short one. Not thread-safe; one per file.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace openem::extract {

class TiltAngleSet {
 public:
  void add(double degrees);  // NaN and infinities are ignored
  std::size_t size() const { return count_; }
  // Median gap between neighbouring distinct angles (see tilt_step); nullopt for fewer than
  // 3 distinct angles.
  std::optional<double> step() const;
  void clear();

 private:
  static constexpr std::size_t kExactAngles = 4096;
  static constexpr double kBinDegrees = 0.001;
  static constexpr std::int64_t kBinsPerSide = 360000;
  void to_bitmap();
  std::vector<double> exact_;
  std::vector<std::uint64_t> bits_;  // empty while exact
  std::size_t count_ = 0;
};

// The acquisition step of a tilt series: median gap between neighbouring distinct angles
// (sorted; angles within 0.05° of the previous distinct one are the same tilt), rounded to
// 0.001°; nullopt for fewer than 3 distinct angles.
std::optional<double> tilt_step(std::vector<double> angles);

}  // namespace openem::extract

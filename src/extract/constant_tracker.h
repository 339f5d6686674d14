#pragma once
// ConstantTracker: for values that must be the same in every file of one acquisition kind
// (acceleration voltage, detector, magnification, pixel size), the distinct values seen and
// the first file (in path order) that had each, so a disagreement is reported with files and
// values instead of being averaged away. Merging trackers built over consecutive file
// ranges in order gives the same result for any thread count. Not thread-safe.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace openem::extract {

class ConstantTracker {
 public:
  struct Value {
    std::string text;               // as shown in the report, with unit ("300 kV")
    std::optional<double> number;   // numbers compare with a relative tolerance of 1e-6
    std::string file;               // first file with this value
  };

  // `field` is the OSC-EM path ("instrument.acceleration_voltage").
  void note_number(std::string_view field, double value, std::string_view unit, const std::string& file);
  void note_text(std::string_view field, std::string_view value, const std::string& file);
  void merge(const ConstantTracker& later);

  // Distinct values of `field` in first-seen order (empty when never noted).
  const std::vector<Value>& values(std::string_view field) const;
  bool conflicting(std::string_view field) const { return values(field).size() > 1; }
  // Fields with more than one value, in the order they were first noted.
  std::vector<std::string> conflicting_fields() const;

  static constexpr std::size_t kMaxValues = 8;  // a report names at most this many

 private:
  std::vector<Value>& slot(std::string_view field);
  void note(std::string_view field, Value v);
  std::vector<std::pair<std::string, std::vector<Value>>> fields_;
};

}  // namespace openem::extract

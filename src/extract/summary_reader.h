#pragma once
// SummaryReader: typed views on one aggregate for the summary builder: first text, mean,
// range, earliest time, and numbers checked against a plausible range (a magnification of
// -1e20 is dropped with a warning, never converted). Values that must be constant across
// files come through constant(), which reports a conflict instead of averaging.
// Not thread-safe; one per summary.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "extract/constant_tracker.h"
#include "extract/dataset_summary.h"
#include "extract/flat_aggregate.h"

namespace openem::extract {

struct SummaryDiagnostics {
  std::vector<std::string>& warnings;
  std::vector<Conflict>& conflicts;
};

class SummaryReader {
 public:
  // `tracker` (optional) holds the per-file constants of these files; `kind` names them in
  // conflict reports ("tilt series").
  SummaryReader(const FlatAggregate& a, SummaryDiagnostics diag, const ConstantTracker* tracker = nullptr,
                std::string kind = {});

  // First value in path order (warns when files differ).
  std::optional<std::string> text(const std::string& key) const;
  // Mean × factor; a constant value is returned as written (without summation round-off),
  // derived values lose their float noise.
  std::optional<double> mean(const std::string& key, double factor = 1.0) const;
  std::optional<double> max(const std::string& key) const;
  std::optional<double> first_number(const std::string& key) const;
  std::optional<ValueRange> range(const std::string& key, double factor = 1.0) const;
  std::optional<bool> boolean(const std::string& key) const;
  std::optional<std::string> earliest(const std::string& key) const;

  // A number × factor that must lie in [lo, hi] (OSC-EM units); outside it is dropped with
  // a warning naming `field`.
  std::optional<double> number_in(const std::string& key, const char* field, double lo, double hi,
                                  double factor = 1.0) const;
  std::optional<std::int64_t> integer_in(const std::string& key, const char* field, std::int64_t lo,
                                         std::int64_t hi) const;
  // A value that must be the same in every file (`field` as noted in the tracker): nullopt
  // and a conflict when the files disagree.
  std::optional<double> constant_number(const std::string& key, const char* field, double lo, double hi,
                                        double factor = 1.0) const;
  std::optional<std::int64_t> constant_integer(const std::string& key, const char* field, std::int64_t lo,
                                               std::int64_t hi) const;
  std::optional<std::string> constant_text(const std::string& key, const char* field) const;
  bool conflicting(const char* field) const;

  const FlatAggregate& aggregate() const { return a_; }

 private:
  void out_of_range(const char* field, const std::string& key, double v, double lo, double hi) const;

  const FlatAggregate& a_;
  SummaryDiagnostics diag_;
  const ConstantTracker* tracker_;
  std::string kind_;
};

}  // namespace openem::extract

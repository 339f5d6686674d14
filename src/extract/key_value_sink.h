#pragma once
// KeyValueSink: where a reader delivers the flat key/value pairs it finds, so readers never
// allocate an intermediate map on the hot path. Implementations decide thread-safety; the
// readers call one sink from one thread.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace openem::extract {

class KeyValueSink {
 public:
  virtual ~KeyValueSink() = default;
  virtual void on_value(std::string_view key, std::string_view value) = 0;
};

// Collects pairs in reading order (tests, --flat for one file, fuzzers).
class VectorSink : public KeyValueSink {
 public:
  void on_value(std::string_view key, std::string_view value) override { pairs.emplace_back(key, value); }
  const std::string* find(std::string_view key) const {
    for (const auto& [k, v] : pairs)
      if (k == key) return &v;
    return nullptr;
  }
  std::vector<std::pair<std::string, std::string>> pairs;
};

}  // namespace openem::extract

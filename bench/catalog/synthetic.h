// Deterministic synthetic EM datasets for the catalog benchmark: dataset i always has the same
// pid, groups, dates and OSC-EM-shaped scientificMetadata, so the loader, the query driver, the
// wrk pid list and the raw-SQLite baseline all agree without passing files around.
// Pure functions; safe to call from any thread.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <string>

namespace openem::bench {

inline constexpr int kOwnerGroups = 50;  // group1 .. group50

// splitmix64: cheap, well-mixed, stateless.
inline std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Small sequential generator seeded from (dataset index, stream).
class Rng {
 public:
  Rng(std::uint64_t index, std::uint64_t stream) : s_(mix(index * 0x100000001b3ULL + stream)) {}
  std::uint64_t next() { return s_ = mix(s_); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * (static_cast<double>(next() >> 11) * 0x1.0p-53); }
  int range(int lo, int hi_inclusive) { return lo + static_cast<int>(next() % static_cast<std::uint64_t>(hi_inclusive - lo + 1)); }

 private:
  std::uint64_t s_;
};

// "20.500.12613/xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", unique per index.
std::string pid_of(std::uint64_t index);

// The raw-dataset body POSTed to /api/v3/Datasets (explicit pid; the loader is privileged).
// published_percent: the share of public datasets; < 0 keeps the catalog benchmark's 5 % (the
// same datasets as in every earlier run).
boost::json::object dataset_body(std::uint64_t index, int published_percent = -1);

// Words that occur in the searchable text of a known fraction of datasets (text search terms).
const std::vector<std::string>& sample_names();

}  // namespace openem::bench

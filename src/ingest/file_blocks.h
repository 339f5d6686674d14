#pragma once
// Splits a file list into SciCat origdatablocks the way scicat-cli does: consecutive runs of
// at most 20,000 files and at most 200 GB each (a single larger file gets a block alone).
// Pure function, thread-safe.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace openem::ingest {

inline constexpr std::size_t kMaxFilesPerBlock = 20000;
inline constexpr std::uint64_t kMaxBytesPerBlock = 200ull * 1000 * 1000 * 1000;

struct FileBlock {
  std::size_t begin = 0, end = 0;  // [begin, end) into the input
  std::uint64_t bytes = 0;
};

std::vector<FileBlock> split_into_blocks(const std::vector<std::uint64_t>& sizes,
                                         std::size_t max_files = kMaxFilesPerBlock,
                                         std::uint64_t max_bytes = kMaxBytesPerBlock);

}  // namespace openem::ingest

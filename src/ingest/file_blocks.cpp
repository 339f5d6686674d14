#include "ingest/file_blocks.h"

namespace openem::ingest {

std::vector<FileBlock> split_into_blocks(const std::vector<std::uint64_t>& sizes, std::size_t max_files,
                                         std::uint64_t max_bytes) {
  std::vector<FileBlock> out;
  FileBlock cur;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    std::size_t n = i - cur.begin;
    if (n > 0 && (n >= max_files || cur.bytes + sizes[i] > max_bytes)) {
      cur.end = i;
      out.push_back(cur);
      cur = FileBlock{i, i, 0};
    }
    cur.bytes += sizes[i];
  }
  if (sizes.size() > cur.begin) {
    cur.end = sizes.size();
    out.push_back(cur);
  }
  return out;
}

}  // namespace openem::ingest

#pragma once
// Tar headers (POSIX.1-2001 pax over ustar) for streaming archives: a regular file's header
// blocks, the padding after its data and the end-of-archive marker. Names longer than ustar's
// 100 bytes and sizes of 8 GiB or more go into a pax extended header. Pure functions.
#include <cstdint>
#include <string>
#include <string_view>

namespace openem {

constexpr std::size_t kTarBlock = 512;

// The header block(s) of a regular file `name` ('/'-separated, relative) of `size` bytes
// (mode 0644, uid/gid 0): one ustar block, preceded by a pax 'x' entry when needed.
std::string tar_file_header(std::string_view name, std::int64_t size, std::int64_t mtime_seconds);
// Zero bytes that follow `size` bytes of data to fill the last block.
std::size_t tar_padding(std::int64_t size);
// Two zero blocks.
std::string tar_end_of_archive();

}  // namespace openem

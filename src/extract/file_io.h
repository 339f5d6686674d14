#pragma once
// Whole-file reads with a size cap, so a 100 GB movie handed to a metadata reader fails with
// a clear message instead of exhausting memory. Thread-safe (no shared state).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <filesystem>
#include <string>

namespace openem::extract {

inline constexpr std::size_t kMaxMetadataFileBytes = 256u << 20;  // 256 MiB

// Throws ExtractError(file, 0, reason) when the file cannot be opened or exceeds max_bytes.
std::string read_file_capped(const std::filesystem::path& path, std::size_t max_bytes = kMaxMetadataFileBytes);
// Hands the file to `chunk` in pieces of at most kReadChunkBytes, in order, so a reader can
// stream a big file through a fixed buffer; returns the bytes read. Same limit and errors as
// read_file_capped (a file that grows past max_bytes while it is read fails too).
inline constexpr std::size_t kReadChunkBytes = 1u << 20;
std::uint64_t read_file_chunks(const std::filesystem::path& path, const std::function<void(std::string_view)>& chunk,
                               std::size_t max_bytes = kMaxMetadataFileBytes);
// Reads at most `bytes` from offset 0 (headers of image files); may return fewer at EOF.
std::string read_file_prefix(const std::filesystem::path& path, std::size_t bytes);

}  // namespace openem::extract

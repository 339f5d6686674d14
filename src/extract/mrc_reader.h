#pragma once
// MrcReader: the MRC2014 main header and, when present, the Thermo Fisher FEI1/FEI2
// extended header (one record per section). Only headers are read, never voxel data.
// Stateless functions, thread-safe.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace openem::extract {

struct MrcHeader {
  std::int32_t nx = 0, ny = 0, nz = 0, mode = 0;
  std::int32_t mx = 0, my = 0, mz = 0;
  float cella[3] = {0, 0, 0};
  std::int32_t ispg = 0;
  std::int32_t nsymbt = 0;
  std::string exttyp;  // "FEI1", "FEI2", "SERI", "CCP4", ... (trimmed; may be empty)
  std::int32_t nversion = 0;
  std::int32_t imod_stamp = 0, imod_flags = 0;  // IMOD's own fields (words 39 and 40)
  bool little_endian = true;
  std::vector<std::string> labels;
  double pixel_spacing_x() const { return mx > 0 ? cella[0] / mx : 0.0; }  // Å
  double pixel_spacing_y() const { return my > 0 ? cella[1] / my : 0.0; }
  // The voxel type: "int8", "uint8", "int16", "uint16", "float16", "float32", "complex_int16",
  // "complex_float32", "rgb8", "uint4". Mode 0 is signed bytes as MRC2014 defines it, except in
  // files IMOD wrote without its "signed" flag (IMOD writes unsigned bytes then).
  std::string voxel_type() const;
};

// One FEI extended-header record as flat "FEI.<Field>" key/values (SI units as written:
// V, m, s, e/m²; angles in degrees), only fields whose bitmask bit is set.
using FeiRecord = std::vector<std::pair<std::string, std::string>>;

struct MrcInfo {
  MrcHeader header;
  std::vector<FeiRecord> fei;  // empty unless exttyp is FEI1/FEI2
  std::vector<std::string> warnings;
};

// `bytes` holds the start of the file (at least the 1024-byte header, plus the extended
// header if it is to be decoded); `file_size` is the real size for consistency checks.
// Throws ExtractError(file, 0, reason) for a truncated or implausible header.
MrcInfo parse_mrc(std::string_view bytes, std::uint64_t file_size, const std::string& file);
MrcInfo read_mrc_header(const std::filesystem::path& path);

}  // namespace openem::extract

#include "extract/mrc_reader.h"

#include <cmath>
#include <cstring>

#include "extract/extract_error.h"
#include "extract/file_io.h"
#include "extract/text_util.h"

namespace openem::extract {
namespace {

constexpr std::size_t kHeaderBytes = 1024;
constexpr std::size_t kMaxExtendedBytes = 64u << 20;  // FEI records for ~75,000 sections

class ByteReader {
 public:
  ByteReader(std::string_view b, bool little) : b_(b), little_(little) {}
  bool has(std::size_t off, std::size_t n) const { return off + n <= b_.size(); }
  std::uint32_t u32(std::size_t off) const {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      auto byte = static_cast<std::uint32_t>(static_cast<unsigned char>(b_[off + (little_ ? i : 3 - i)]));
      v |= byte << (8 * i);
    }
    return v;
  }
  std::int32_t i32(std::size_t off) const { return static_cast<std::int32_t>(u32(off)); }
  std::uint64_t u64(std::size_t off) const {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) {
      auto byte = static_cast<std::uint64_t>(static_cast<unsigned char>(b_[off + (little_ ? i : 7 - i)]));
      v |= byte << (8 * i);
    }
    return v;
  }
  float f32(std::size_t off) const {
    std::uint32_t u = u32(off);
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  }
  double f64(std::size_t off) const {
    std::uint64_t u = u64(off);
    double d;
    std::memcpy(&d, &u, 8);
    return d;
  }
  std::string str(std::size_t off, std::size_t n) const {
    auto s = b_.substr(off, n);
    auto z = s.find('\0');
    if (z != std::string_view::npos) s = s.substr(0, z);
    return to_utf8(trim(s));
  }
  bool flag(std::size_t off) const { return b_[off] != 0; }

 private:
  std::string_view b_;
  bool little_;
};

int bytes_per_voxel_x2(std::int32_t mode) {  // doubled so mode 101 (4-bit) stays integral
  switch (mode) {
    case 0: return 2;
    case 1: case 6: case 12: return 4;
    case 2: case 3: return 8;
    case 4: return 16;
    case 16: return 6;
    case 101: return 1;
    default: return 0;
  }
}

// FEI1/FEI2 field table (offsets within a record; ccpem/mrcfile dtypes.py and the TFS spec).
enum class T { kF64, kI32, kStr16, kBool, kI64 };
struct Field {
  const char* name;
  std::size_t off;
  T type;
  int mask;  // 1..4 = bitmask1..4, 0 = always
  int bit;
};
constexpr Field kFei1Fields[] = {
    {"Timestamp", 12, T::kF64, 1, 0},          {"MicroscopeType", 20, T::kStr16, 1, 1},
    {"DNumber", 36, T::kStr16, 1, 2},          {"Application", 52, T::kStr16, 1, 3},
    {"ApplicationVersion", 68, T::kStr16, 1, 4}, {"HT", 84, T::kF64, 1, 5},
    {"Dose", 92, T::kF64, 1, 6},               {"AlphaTilt", 100, T::kF64, 1, 7},
    {"BetaTilt", 108, T::kF64, 1, 8},          {"StageX", 116, T::kF64, 1, 9},
    {"StageY", 124, T::kF64, 1, 10},           {"StageZ", 132, T::kF64, 1, 11},
    {"TiltAxisAngle", 140, T::kF64, 1, 12},    {"PixelSizeX", 156, T::kF64, 1, 14},
    {"PixelSizeY", 164, T::kF64, 1, 15},       {"Defocus", 220, T::kF64, 1, 22},
    {"AppliedDefocus", 236, T::kF64, 1, 24},   {"ProbeMode", 284, T::kI32, 1, 29},
    {"EFTEMOn", 288, T::kBool, 1, 30},         {"Magnification", 289, T::kF64, 1, 31},
    {"CameraLength", 301, T::kF64, 2, 0},      {"SpotIndex", 309, T::kI32, 2, 1},
    {"IlluminationMode", 337, T::kStr16, 2, 5}, {"SlitInserted", 354, T::kBool, 2, 7},
    {"SlitWidth", 355, T::kF64, 2, 8},         {"IntegrationTime", 419, T::kF64, 2, 16},
    {"BinningWidth", 427, T::kI32, 2, 17},     {"BinningHeight", 431, T::kI32, 2, 18},
    {"CameraName", 435, T::kStr16, 2, 19},     {"ElectronCounting", 472, T::kBool, 2, 26},
    {"PhasePlate", 518, T::kBool, 3, 7},       {"FractionNumber", 656, T::kI32, 0, 0},
};
constexpr Field kFei2Fields[] = {
    {"AcquisitionTimeStamp", 796, T::kI64, 4, 10},
    {"DetectorCommercialName", 804, T::kStr16, 4, 11},
    {"StartTilt", 820, T::kF64, 4, 12},
    {"EndTilt", 828, T::kF64, 4, 13},
    {"TiltPerImage", 836, T::kF64, 4, 14},
};

FeiRecord decode_fei(const ByteReader& r, std::size_t base, std::size_t record_size, bool fei2) {
  FeiRecord out;
  const std::uint32_t masks[5] = {0, r.u32(base + 8), r.u32(base + 297), r.u32(base + 490), r.u32(base + 748)};
  auto emit = [&](const Field& f) {
    if (f.mask > 0 && masks[f.mask] != 0 && !(masks[f.mask] & (1u << f.bit))) return;
    std::string key = std::string("FEI.") + f.name;
    switch (f.type) {
      case T::kF64: {
        double v = r.f64(base + f.off);
        if (std::isfinite(v)) out.emplace_back(key, format_number(v));
        break;
      }
      case T::kI32: out.emplace_back(key, std::to_string(r.i32(base + f.off))); break;
      case T::kI64: out.emplace_back(key, std::to_string(static_cast<std::int64_t>(r.u64(base + f.off)))); break;
      case T::kBool: out.emplace_back(key, r.flag(base + f.off) ? "true" : "false"); break;
      case T::kStr16: {
        auto s = r.str(base + f.off, 16);
        if (!s.empty()) out.emplace_back(key, s);
        break;
      }
    }
  };
  for (const auto& f : kFei1Fields)
    if (f.off + 16 <= record_size || (f.type != T::kStr16 && f.off + 8 <= record_size)) emit(f);
  if (fei2)
    for (const auto& f : kFei2Fields)
      if (f.off + 8 <= record_size) emit(f);
  // Readout area as width/height; ReadoutArea L/T/R/B at 451..463.
  if (record_size >= 467) {
    auto l = r.i32(base + 451), t = r.i32(base + 455), rr = r.i32(base + 459), b = r.i32(base + 463);
    if (rr > l && b > t) {
      out.emplace_back("FEI.ReadoutWidth", std::to_string(rr - l));
      out.emplace_back("FEI.ReadoutHeight", std::to_string(b - t));
    }
  }
  return out;
}

}  // namespace

std::string MrcHeader::voxel_type() const {
  constexpr std::int32_t kImodStamp = 1146047817;  // "IMOD" as IMOD writes it
  switch (mode) {
    case 0: return imod_stamp == kImodStamp && !(imod_flags & 1) ? "uint8" : "int8";
    case 1: return "int16";
    case 2: return "float32";
    case 3: return "complex_int16";
    case 4: return "complex_float32";
    case 6: return "uint16";
    case 12: return "float16";
    case 16: return "rgb8";
    case 101: return "uint4";
    default: return "";
  }
}

MrcInfo parse_mrc(std::string_view bytes, std::uint64_t file_size, const std::string& file) {
  if (bytes.size() < kHeaderBytes)
    throw ExtractError(file, 0, "truncated MRC header: " + std::to_string(bytes.size()) + " of 1024 bytes");
  MrcInfo info;
  MrcHeader& h = info.header;
  auto m0 = static_cast<unsigned char>(bytes[212]), m1 = static_cast<unsigned char>(bytes[213]);
  if (m0 == 0x11 && m1 == 0x11) h.little_endian = false;
  else if (m0 == 0x44 && (m1 == 0x44 || m1 == 0x41)) h.little_endian = true;
  else {
    // Old writers leave machst zero; the byte order that gives a sane mode wins.
    ByteReader le(bytes, true);
    h.little_endian = bytes_per_voxel_x2(le.i32(12)) != 0 || bytes_per_voxel_x2(ByteReader(bytes, false).i32(12)) == 0;
    info.warnings.push_back(file + ": MRC machine stamp missing; assumed " + (h.little_endian ? "little" : "big") + "-endian");
  }
  ByteReader r(bytes, h.little_endian);
  h.nx = r.i32(0);
  h.ny = r.i32(4);
  h.nz = r.i32(8);
  h.mode = r.i32(12);
  h.mx = r.i32(28);
  h.my = r.i32(32);
  h.mz = r.i32(36);
  for (int i = 0; i < 3; ++i) h.cella[i] = r.f32(40 + 4 * i);
  h.ispg = r.i32(88);
  h.nsymbt = r.i32(92);
  h.exttyp = r.str(104, 4);
  h.nversion = r.i32(108);
  h.imod_stamp = r.i32(152);
  h.imod_flags = r.i32(156);
  if (bytes.substr(208, 4) != "MAP ")
    info.warnings.push_back(file + ": MRC header lacks the \"MAP \" tag (pre-2000 writer?)");
  int nlabl = std::min(std::max(r.i32(220), 0), 10);
  for (int i = 0; i < nlabl; ++i) {
    auto l = r.str(224 + 80 * static_cast<std::size_t>(i), 80);
    if (!l.empty()) h.labels.push_back(l);
  }
  if (h.nx <= 0 || h.ny <= 0 || h.nz <= 0)
    throw ExtractError(file, 0, "implausible MRC dimensions " + std::to_string(h.nx) + "x" + std::to_string(h.ny) + "x" +
                                    std::to_string(h.nz) + " (not an MRC file?)");
  int bpv2 = bytes_per_voxel_x2(h.mode);
  if (bpv2 == 0) throw ExtractError(file, 0, "unknown MRC mode " + std::to_string(h.mode) + " (not an MRC file?)");
  if (h.nsymbt < 0) throw ExtractError(file, 0, "negative extended header size " + std::to_string(h.nsymbt));
  if (kHeaderBytes + static_cast<std::uint64_t>(h.nsymbt) > file_size)
    throw ExtractError(file, 0, "truncated MRC file: extended header of " + std::to_string(h.nsymbt) +
                                    " bytes runs past the end of the " + std::to_string(file_size) + "-byte file");
  std::uint64_t row2 = static_cast<std::uint64_t>(h.nx) * static_cast<std::uint64_t>(bpv2);
  std::uint64_t data = (row2 + 1) / 2 * static_cast<std::uint64_t>(h.ny) * static_cast<std::uint64_t>(h.nz);
  if (kHeaderBytes + static_cast<std::uint64_t>(h.nsymbt) + data > file_size)
    info.warnings.push_back(file + ": MRC data truncated: header promises " + std::to_string(data) + " data bytes, file has " +
                            std::to_string(file_size - kHeaderBytes - static_cast<std::uint64_t>(h.nsymbt)));

  if ((h.exttyp == "FEI1" || h.exttyp == "FEI2") && h.nsymbt > 0) {
    std::size_t ext_avail = std::min<std::size_t>(static_cast<std::size_t>(h.nsymbt), bytes.size() - kHeaderBytes);
    if (ext_avail < 8) throw ExtractError(file, 0, "truncated FEI extended header");
    std::size_t record = static_cast<std::size_t>(r.i32(kHeaderBytes));
    if (record < 768 || record > 1u << 16)
      throw ExtractError(file, 0, "FEI extended header record size " + std::to_string(record) + " is implausible");
    bool fei2 = h.exttyp == "FEI2";
    std::size_t sections = std::min<std::size_t>(static_cast<std::size_t>(h.nz), ext_avail / record);
    if (sections < static_cast<std::size_t>(h.nz) && ext_avail < static_cast<std::size_t>(h.nsymbt))
      info.warnings.push_back(file + ": FEI extended header read for " + std::to_string(sections) + " of " +
                              std::to_string(h.nz) + " sections");
    for (std::size_t i = 0; i < sections; ++i) info.fei.push_back(decode_fei(r, kHeaderBytes + i * record, record, fei2));
  }
  return info;
}

MrcInfo read_mrc_header(const std::filesystem::path& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) throw ExtractError(path.string(), 0, "cannot stat: " + ec.message());
  std::string head = read_file_prefix(path, kHeaderBytes);
  if (head.size() >= kHeaderBytes) {
    // Read the extended header only when it is one we decode.
    ByteReader probe(head, !(static_cast<unsigned char>(head[212]) == 0x11));
    std::string ext(head.substr(104, 4));
    std::int32_t nsymbt = probe.i32(92);
    if ((ext == "FEI1" || ext == "FEI2") && nsymbt > 0)
      head = read_file_prefix(path, kHeaderBytes + std::min<std::size_t>(static_cast<std::size_t>(nsymbt), kMaxExtendedBytes));
  }
  return parse_mrc(head, size, path.string());
}

}  // namespace openem::extract

// libFuzzer target: MRC2014 + FEI1/FEI2 extended header decoding must never read out of
// bounds on any input; the claimed file size is fuzzed too (first 8 bytes).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "extract/extract_error.h"
#include "extract/mrc_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace openem::extract;
  std::uint64_t claimed = size;
  if (size >= 8 && (data[0] & 1)) {  // sometimes lie about the file size
    std::memcpy(&claimed, data, 8);
  }
  try {
    MrcInfo info = parse_mrc(std::string_view(reinterpret_cast<const char*>(data), size), claimed, "fuzz.mrc");
    (void)info;
  } catch (const ExtractError&) {
  }
  return 0;
}

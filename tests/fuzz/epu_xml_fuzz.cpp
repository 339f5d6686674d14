// libFuzzer target: EPU MicroscopeImage and session XML parsing, and the per-movie ingest
// (dose, constants), must never crash on any input; malformed input may only raise
// ExtractError.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "extract/epu_ingest.h"
#include "extract/epu_xml_reader.h"
#include "extract/extract_error.h"
#include "extract/key_value_sink.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace openem::extract;
  std::string buf(reinterpret_cast<const char*>(data), size);  // parsed in place
  std::string copy = buf, third = buf;
  try {
    VectorSink sink;
    parse_epu_image_xml(buf.data(), buf.size(), "fuzz.xml", sink);
  } catch (const ExtractError&) {
  }
  try {
    VectorSink sink;
    parse_epu_session(copy.data(), copy.size(), "fuzz.dm", sink);
  } catch (const ExtractError&) {
  }
  try {  // the session reader's path: dose derivation, per-file constants
    FlatAggregate agg;
    ConstantTracker constants;
    EpuDoseCheck dose;
    std::vector<std::string> warnings;
    ingest_epu_xml(third.data(), third.size(), "fuzz.xml", agg, constants, dose, warnings);
    (void)agg.flat_view();
  } catch (const ExtractError&) {
  }
  return 0;
}

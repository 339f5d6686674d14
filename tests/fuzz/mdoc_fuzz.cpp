// libFuzzer target: SerialEM/Tomo5 autodoc parsing and ingestion must never crash, hang or
// leak on any input; malformed input may only raise ExtractError.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "extract/extract_error.h"
#include "extract/flat_aggregate.h"
#include "extract/mdoc_ingest.h"
#include "extract/mdoc_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace openem::extract;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    MdocDocument doc = parse_mdoc(text, "fuzz.mdoc");
    FlatAggregate agg;
    ingest_mdoc(doc, {}, agg);
    (void)agg.flat_view();
  } catch (const ExtractError&) {
  }
  (void)parse_global_autodoc_entries(text);
  return 0;
}

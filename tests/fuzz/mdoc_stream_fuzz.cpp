// libFuzzer target: the streaming autodoc parser (mdoc_stream.h) and the per-file ingest on
// top of it. Differential: the input fed in pieces (sizes taken from its first bytes) must
// give exactly the events, warnings and error of the input fed at once; the ingest must
// never crash, hang or leak, and may only raise ExtractError.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "extract/extract_error.h"
#include "extract/flat_aggregate.h"
#include "extract/mdoc_ingest.h"
#include "extract/mdoc_stream.h"

namespace {

using namespace openem::extract;

// Records the events and forwards them to the ingest.
class Recorder : public MdocHandler {
 public:
  explicit Recorder(MdocIngest& ingest) : ingest_(ingest) {}
  void on_title(std::string_view text, std::size_t line) override {
    log_ += "T" + std::to_string(line) + "|" + std::string(text) + "\n";
    ingest_.on_title(text, line);
  }
  void on_section(std::string_view type, std::string_view name, std::size_t line) override {
    log_ += "S" + std::to_string(line) + "|" + std::string(type) + "|" + std::string(name) + "\n";
    ingest_.on_section(type, name, line);
  }
  void on_entry(std::string_view key, std::string_view value, std::size_t line) override {
    log_ += "E" + std::to_string(line) + "|" + std::string(key) + "|" + std::string(value) + "\n";
    ingest_.on_entry(key, value, line);
  }
  std::string log_;

 private:
  MdocIngest& ingest_;
};

struct Outcome {
  std::string events, error;
  std::vector<std::string> warnings;
};

Outcome run(std::string_view text, std::size_t piece) {
  Outcome out;
  FlatAggregate agg;
  MdocContext ctx;
  MdocIngest ingest(ctx, "fuzz.mdoc", agg);
  Recorder rec(ingest);
  MdocStreamParser parser("fuzz.mdoc", rec);
  try {
    for (std::size_t i = 0; i < text.size(); i += piece) parser.feed(text.substr(i, piece));
    parser.finish();
    out.warnings = parser.warnings();
    try {
      MdocFacts f = ingest.finish(parser.lines());
      (void)f;
      (void)agg.flat_view();
    } catch (const ExtractError&) {
    }
  } catch (const ExtractError& e) {
    out.error = e.what();
  }
  out.events = rec.log_;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::size_t piece = size > 0 ? 1 + data[0] % 97 : 1;
  Outcome whole = run(text, text.size() + 1);
  Outcome pieces = run(text, piece);
  if (whole.events != pieces.events || whole.error != pieces.error || whole.warnings != pieces.warnings) std::abort();
  return 0;
}

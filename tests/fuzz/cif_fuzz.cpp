// libFuzzer target for the CIF text openem reads from users and files (src/publish/export/):
// model mmCIFs merged in PDB mode and PDBx dictionaries. Every input must end in an error value
// or a result — never a crash, a sanitizer report or an exception; a merge must keep the
// model's bytes it does not own.
#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <variant>

#include "publish/export/cif_reader.h"
#include "publish/export/mmcif_export.h"
#include "publish/export/pdbx_dictionary.h"

namespace {

const openem::PdbxDictionary& dictionary() {
  static const openem::PdbxDictionary dict = [] {
    auto loaded = openem::PdbxDictionary::load(OPENEM_FUZZ_DICTIONARY);
    if (auto* e = std::get_if<std::string>(&loaded)) __builtin_trap();
    return std::get<openem::PdbxDictionary>(std::move(loaded));
  }();
  return dict;
}

const boost::json::object& oscem() {
  static const boost::json::object doc = boost::json::parse(R"({
    "instrument": {"microscope": {"model": "Titan Krios"}, "illumination": "Parallel", "imaging": "BrightField",
                   "acceleration_voltage": {"value": 300, "unit": "kV"}},
    "acquisition": {"technique": "spa", "date_time": "2024-01-02T03:04:05Z"}})").as_object();
  return doc;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  auto read = openem::cif::read_cif(input);
  if (auto* doc = std::get_if<openem::cif::Document>(&read)) {
    for (const auto& block : doc->blocks) {
      for (const auto& s : block.statements) {
        if (s.begin > s.end || s.end > input.size()) __builtin_trap();  // byte ranges stay inside the input
      }
    }
  }
  (void)openem::PdbxDictionary::parse(input);
  openem::MmcifResult merged = openem::mmcif_merged_into_model(oscem(), input, dictionary(), {"fuzz", true});
  if (!merged.text.empty() && std::holds_alternative<openem::cif::ReadError>(openem::cif::read_cif(merged.text))) {
    __builtin_trap();  // what a merge writes must read back
  }
  (void)openem::cif::quote_value(input);
  return 0;
}

#pragma once
// TiffReader: metadata from TIFF-based camera files through libtiff: EER (BigTIFF; XML
// acquisition metadata in private tag 65001), Thermo Fisher SEM/FIB TIFF (INI text in tag
// 34682) and baseline tags of any TIFF. Thread-safe: libtiff's global message handlers are
// installed once and report into thread-local buffers.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "extract/key_value_sink.h"

namespace openem::extract {

// Emits "TIFF.Width", "TIFF.Height", "TIFF.Pages", "TIFF.Software", ...; for EER files every
// <item name="x">v</item> of tag 65001 as "EER.x"; for FEI/TFS tag 34682 "FEI_INI.<Section>.<Key>".
// Throws ExtractError(file, 0, reason) when libtiff cannot open the file.
void read_tiff_metadata(const std::filesystem::path& path, KeyValueSink& sink);

// The layout of a TIFF/EER file's first image and its page count (one page per movie frame,
// EER frames included: from the EER XML's numberOfFrames when it has one); sample_format as TIFF's SampleFormat tag (1 unsigned, 2 signed,
// 3 float; 1 when absent, TIFF's default).
struct TiffLayout {
  std::uint32_t width = 0, height = 0;
  std::uint16_t bits_per_sample = 0, samples_per_pixel = 1, sample_format = 1, compression = 1;
  std::int64_t pages = 0;
  bool is_eer() const { return compression >= 65000 && compression <= 65002; }  // EER's own codecs
};
// Throws ExtractError(file, 0, reason) when libtiff cannot open the file.
TiffLayout read_tiff_layout(const std::filesystem::path& path);

// Parses the EER acquisition XML (<metadata><item name=".." unit="..">v</item>...</metadata>).
void parse_eer_metadata_xml(std::string_view xml, const std::string& file, KeyValueSink& sink);

}  // namespace openem::extract

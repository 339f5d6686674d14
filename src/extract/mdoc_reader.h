#pragma once
// MdocReader: parses SerialEM / Tomo5 autodoc text (.mdoc, .idoc) into its global part,
// titles and [ZValue]/[FrameSet]/[MontSection]/[Image] sections, keeping every value as text.
// The whole document is held in memory: for tests, tools and small files; sessions stream
// their files through MdocStreamParser (mdoc_stream.h) instead. Stateless functions,
// thread-safe.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "extract/mdoc_stream.h"

namespace openem::extract {

struct MdocEntry {
  std::string key;
  std::string value;  // trimmed, valid UTF-8; may be empty
  std::size_t line = 0;
};

struct MdocSection {
  std::string type;  // "ZValue", "FrameSet", "MontSection", "Image", ...
  std::string name;  // "0", "12", "file.tif"
  std::size_t line = 0;
  std::vector<MdocEntry> entries;

  const MdocEntry* find(std::string_view key) const;
};

struct MdocDocument {
  std::string file;                 // for messages
  std::vector<MdocEntry> global;    // everything before the first section
  std::vector<std::string> titles;  // "[T = ...]" and bare "T = ..." texts, in order
  std::vector<MdocSection> sections;
  std::vector<std::string> warnings;  // "file:line: reason" for skipped lines

  const MdocEntry* find_global(std::string_view key) const;
};

// Throws ExtractError with file and line for binary content, over-long lines, or text that is
// not an autodoc at all. Tolerates CRLF, missing final newline, BOMs (UTF-8 and UTF-16),
// trailing spaces, empty values, wrapped titles and bare titles.
MdocDocument parse_mdoc(std::string_view text, std::string file_name = {});
MdocDocument read_mdoc_file(const std::filesystem::path& path);

// SerialEMproperties lines "GlobalAutodocEntry Camera0 = K3" (or a file of them): each
// becomes an entry that SerialEM would copy into every mdoc.
std::vector<MdocEntry> parse_global_autodoc_entries(std::string_view text, std::string file_name = {});

}  // namespace openem::extract

#pragma once
// MdocStreamParser: the SerialEM / Tomo5 autodoc grammar (.mdoc, .idoc) read as a stream of
// events (titles, section headers, key = value entries), so that a file of any size is read
// in fixed memory: one read chunk plus the longest line (kMaxMdocLineBytes). Bytes may be
// fed in any split; the events are the same as for the whole text at once. One parser per
// file; not thread-safe.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace openem::extract {

inline constexpr std::size_t kMaxMdocLineBytes = 1u << 20;

// Receives what the parser finds, in file order. Views are valid during the call only;
// values are trimmed and valid UTF-8 (Windows-1252 bytes are re-encoded), may be empty.
class MdocHandler {
 public:
  virtual ~MdocHandler() = default;
  // "[T = ...]" or a bare "T = ..." title, a wrapped title joined into one line.
  virtual void on_title(std::string_view text, std::size_t line) = 0;
  // "[ZValue = 12]", "[FrameSet = 0]", "[MontSection = 0]", "[Image = a.tif]", ...
  virtual void on_section(std::string_view type, std::string_view name, std::size_t line) = 0;
  // "key = value" in the global part (before the first section) or the current section.
  virtual void on_entry(std::string_view key, std::string_view value, std::size_t line) = 0;
};

class MdocStreamParser {
 public:
  MdocStreamParser(std::string file_name, MdocHandler& handler);

  // Throws ExtractError(file, line, reason) for binary data (NUL bytes) or a line longer
  // than kMaxMdocLineBytes. UTF-16 (with BOM) is decoded, a UTF-8 BOM skipped.
  void feed(std::string_view bytes);
  // End of input: flushes the last line; throws when the text was not an autodoc at all (no
  // entry, or mostly unparseable lines). Events already delivered must then be discarded.
  void finish();

  // "file:line: reason, skipped" for lines that are neither entries nor headers (at most 20).
  const std::vector<std::string>& warnings() const { return warnings_; }
  std::vector<std::string> take_warnings() { return std::move(warnings_); }
  std::size_t lines() const { return lineno_; }

 private:
  enum class Encoding { kUnknown, kUtf8, kUtf16Le, kUtf16Be };
  enum class Line { kBlank, kContent, kSkipped };

  void decide_encoding(bool at_end);
  void feed_utf16(std::string_view bytes);
  void put_code_point(std::uint32_t cp);
  void feed_text(std::string_view text);
  void complete_line(std::string_view raw);
  Line handle(std::string_view line);
  Line skip(const char* why);
  std::string_view utf8(std::string_view s);  // valid UTF-8 view (scratch_ when re-encoded)
  void too_long() const;

  std::string file_;
  MdocHandler& handler_;
  Encoding encoding_ = Encoding::kUnknown;
  std::string head_;            // first bytes while the encoding is undecided (< 3)
  std::string decoded_;         // UTF-16 input decoded to UTF-8, per feed
  int odd_byte_ = -1;           // UTF-16: a byte waiting for its pair
  std::uint32_t high_surrogate_ = 0;
  std::string partial_;         // a line not yet ended by '\n'
  std::string scratch_;         // re-encoded values
  std::size_t lineno_ = 0;
  std::size_t good_ = 0, bad_ = 0, first_bad_ = 0;
  bool seen_section_ = false;
  bool in_title_ = false;
  std::size_t title_line_ = 0;
  std::string pending_title_;
  std::vector<std::string> warnings_;
};

// Streams the text through a parser (feed + finish).
void parse_mdoc_stream(std::string_view text, const std::string& file_name, MdocHandler& handler,
                       std::vector<std::string>* warnings = nullptr);
// Streams a file in chunks (size limit as read_file_capped); returns the bytes read.
std::uint64_t read_mdoc_stream(const std::filesystem::path& path, MdocHandler& handler,
                               std::vector<std::string>* warnings = nullptr);

// Autodoc key characters ([A-Za-z0-9_()/.-] plus what DE cameras and tools add).
bool is_autodoc_key(std::string_view key);

}  // namespace openem::extract

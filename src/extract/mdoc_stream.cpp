#include "extract/mdoc_stream.h"

#include <cstring>

#include "extract/extract_error.h"
#include "extract/file_io.h"
#include "extract/text_util.h"

namespace openem::extract {
namespace {

// Strips the "T" of a title: "T = text" -> "text"; nullopt when the line is not a title.
std::optional<std::string_view> title_text(std::string_view inner) {
  inner = trim(inner);
  if (inner.size() < 2 || inner[0] != 'T') return std::nullopt;
  auto rest = trim(inner.substr(1));
  if (rest.empty() || rest[0] != '=') return std::nullopt;
  return trim(rest.substr(1));
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

bool is_autodoc_key(std::string_view k) {
  if (k.empty() || k.size() > 256) return false;
  for (char c : k) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '(' ||
              c == ')' || c == '/' || c == '.' || c == '-' || c == '[' || c == ']' || c == ' ' || c == '#';
    if (!ok) return false;
  }
  return true;
}

MdocStreamParser::MdocStreamParser(std::string file_name, MdocHandler& handler)
    : file_(std::move(file_name)), handler_(handler) {}

void MdocStreamParser::feed(std::string_view bytes) {
  if (encoding_ == Encoding::kUnknown) {
    head_.append(bytes);
    decide_encoding(false);
    return;
  }
  if (encoding_ == Encoding::kUtf8) feed_text(bytes);
  else feed_utf16(bytes);
}

// UTF-16 autodocs come from Windows tools that re-save files; decode them rather than fail.
// A BOM decides: FF FE little-endian, FE FF big-endian, EF BB BF (skipped) UTF-8.
void MdocStreamParser::decide_encoding(bool at_end) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(head_[i]); };
  if (head_.size() >= 2 && byte(0) == 0xFF && byte(1) == 0xFE) encoding_ = Encoding::kUtf16Le;
  else if (head_.size() >= 2 && byte(0) == 0xFE && byte(1) == 0xFF) encoding_ = Encoding::kUtf16Be;
  else if (head_.size() >= 3 || at_end) encoding_ = Encoding::kUtf8;
  else return;  // wait for the third byte
  std::string head = std::move(head_);
  head_.clear();
  std::string_view rest = head;
  if (encoding_ == Encoding::kUtf8) {
    if (rest.size() >= 3 && rest.substr(0, 3) == "\xEF\xBB\xBF") rest.remove_prefix(3);
    feed_text(rest);
  } else {
    feed_utf16(rest.substr(2));
  }
}

void MdocStreamParser::put_code_point(std::uint32_t cp) {
  if (high_surrogate_ != 0) {
    std::uint32_t high = high_surrogate_;
    high_surrogate_ = 0;
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
      append_utf8(decoded_, 0x10000 + ((high - 0xD800) << 10) + (cp - 0xDC00));
      return;
    }
    append_utf8(decoded_, 0xFFFD);  // a high surrogate without its pair
  }
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    high_surrogate_ = cp;
    return;
  }
  if (cp >= 0xDC00 && cp <= 0xDFFF) cp = 0xFFFD;
  append_utf8(decoded_, cp);
}

void MdocStreamParser::feed_utf16(std::string_view bytes) {
  decoded_.clear();
  bool big = encoding_ == Encoding::kUtf16Be;
  auto unit = [big](unsigned char b0, unsigned char b1) -> std::uint32_t { return big ? (b0 << 8 | b1) : (b1 << 8 | b0); };
  std::size_t i = 0;
  if (odd_byte_ >= 0 && !bytes.empty()) {
    put_code_point(unit(static_cast<unsigned char>(odd_byte_), static_cast<unsigned char>(bytes[0])));
    odd_byte_ = -1;
    i = 1;
  }
  for (; i + 1 < bytes.size(); i += 2)
    put_code_point(unit(static_cast<unsigned char>(bytes[i]), static_cast<unsigned char>(bytes[i + 1])));
  if (i < bytes.size()) odd_byte_ = static_cast<unsigned char>(bytes[i]);
  feed_text(decoded_);
}

void MdocStreamParser::too_long() const {
  throw ExtractError(file_, lineno_ + 1,
                     "line of more than " + std::to_string(kMaxMdocLineBytes) + " bytes exceeds the autodoc limit of " +
                         std::to_string(kMaxMdocLineBytes) + " bytes");
}

void MdocStreamParser::feed_text(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {  // carried to the next feed
      if (partial_.size() + (text.size() - pos) > kMaxMdocLineBytes) too_long();
      partial_.append(text.substr(pos));
      return;
    }
    std::string_view segment = text.substr(pos, nl - pos);
    if (partial_.empty()) {
      complete_line(segment);
    } else {
      if (partial_.size() + segment.size() > kMaxMdocLineBytes) too_long();
      partial_.append(segment);
      complete_line(partial_);
      partial_.clear();
    }
    pos = nl + 1;
  }
}

void MdocStreamParser::complete_line(std::string_view raw) {
  if (raw.size() > kMaxMdocLineBytes) too_long();
  ++lineno_;
  if (std::memchr(raw.data(), '\0', raw.size()) != nullptr)
    throw ExtractError(file_, lineno_, "binary data (NUL byte), not an autodoc");
  switch (handle(trim(raw))) {
    case Line::kContent: ++good_; break;
    case Line::kSkipped: ++bad_; break;
    case Line::kBlank: break;
  }
}

std::string_view MdocStreamParser::utf8(std::string_view s) {
  if (is_valid_utf8(s)) return s;
  scratch_ = to_utf8(s);
  return scratch_;
}

MdocStreamParser::Line MdocStreamParser::handle(std::string_view line) {
  if (in_title_) {  // a title wrapped onto further lines until its ']'
    if (!line.empty() && line.back() == ']') {
      pending_title_ += ' ';
      pending_title_ += trim(line.substr(0, line.size() - 1));
      handler_.on_title(utf8(trim(pending_title_)), title_line_);
      in_title_ = false;
      return Line::kContent;
    }
    if (line.empty() || line.front() != '[') {
      if (pending_title_.size() + line.size() > kMaxMdocLineBytes)
        throw ExtractError(file_, lineno_,
                           "title wrapped over more than " + std::to_string(kMaxMdocLineBytes) +
                               " bytes without its closing ']'");
      pending_title_ += ' ';
      pending_title_ += line;
      return Line::kContent;
    }
    handler_.on_title(utf8(trim(pending_title_)), title_line_);  // never closed; keep what we have
    in_title_ = false;
  }
  if (line.empty()) return Line::kBlank;
  if (line.front() == '[') {
    bool closed = line.back() == ']';
    auto inner = line.substr(1, closed ? line.size() - 2 : line.size() - 1);
    if (auto t = title_text(inner)) {
      if (closed) {
        handler_.on_title(utf8(*t), lineno_);
      } else {
        in_title_ = true;
        title_line_ = lineno_;
        pending_title_.assign(*t);
      }
      return Line::kContent;
    }
    auto eq = inner.find('=');
    if (!closed || eq == std::string_view::npos) return skip("malformed section header");
    auto type = trim(inner.substr(0, eq));
    if (!is_autodoc_key(type)) return skip("malformed section header");
    seen_section_ = true;
    handler_.on_section(type, utf8(trim(inner.substr(eq + 1))), lineno_);
    return Line::kContent;
  }
  if (auto t = title_text(line); t && !seen_section_ && line.find('=') < 4) {
    // Bare "T = SerialEM: ..." title of frame mdocs. A real key named "T" does not exist.
    handler_.on_title(utf8(*t), lineno_);
    return Line::kContent;
  }
  auto eq = line.find('=');
  if (eq == std::string_view::npos) return skip("line is neither 'key = value' nor a section header");
  auto key = trim(line.substr(0, eq));
  if (!is_autodoc_key(key)) return skip("invalid key");
  handler_.on_entry(key, utf8(trim(line.substr(eq + 1))), lineno_);
  return Line::kContent;
}

MdocStreamParser::Line MdocStreamParser::skip(const char* why) {
  if (first_bad_ == 0) first_bad_ = lineno_;
  if (warnings_.size() < 20) warnings_.push_back(file_ + ":" + std::to_string(lineno_) + ": " + why + ", skipped");
  return Line::kSkipped;
}

void MdocStreamParser::finish() {
  if (encoding_ == Encoding::kUnknown) decide_encoding(true);
  if (encoding_ == Encoding::kUtf16Le || encoding_ == Encoding::kUtf16Be) {
    if (high_surrogate_ != 0) {  // the text ended inside a pair
      decoded_.clear();
      high_surrogate_ = 0;
      append_utf8(decoded_, 0xFFFD);
      feed_text(decoded_);
    }
  }
  if (!partial_.empty()) {  // last line without a final newline
    std::string last = std::move(partial_);
    partial_.clear();
    complete_line(last);
  }
  if (in_title_) {
    handler_.on_title(utf8(pending_title_), title_line_);
    in_title_ = false;
  }
  if (good_ == 0) throw ExtractError(file_, lineno_ > 0 ? 1 : 0, "no autodoc entries (not a SerialEM .mdoc file)");
  if (bad_ > 8 && bad_ > good_) throw ExtractError(file_, first_bad_, "mostly unparseable lines; not a SerialEM .mdoc file");
}

void parse_mdoc_stream(std::string_view text, const std::string& file_name, MdocHandler& handler,
                       std::vector<std::string>* warnings) {
  MdocStreamParser parser(file_name, handler);
  parser.feed(text);
  parser.finish();
  if (warnings) *warnings = parser.take_warnings();
}

std::uint64_t read_mdoc_stream(const std::filesystem::path& path, MdocHandler& handler,
                               std::vector<std::string>* warnings) {
  MdocStreamParser parser(path.string(), handler);
  std::uint64_t bytes = read_file_chunks(path, [&](std::string_view chunk) { parser.feed(chunk); });
  parser.finish();
  if (warnings) *warnings = parser.take_warnings();
  return bytes;
}

}  // namespace openem::extract

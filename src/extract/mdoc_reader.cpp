#include "extract/mdoc_reader.h"

#include "extract/extract_error.h"
#include "extract/file_io.h"
#include "extract/text_util.h"

namespace openem::extract {
namespace {

// UTF-16 autodocs come from Windows tools that re-save files; decode them rather than fail.
std::string utf16_to_utf8(std::string_view bytes, bool big_endian) {
  std::string out;
  out.reserve(bytes.size() / 2);
  auto unit = [&](size_t i) -> uint32_t {
    auto b0 = static_cast<unsigned char>(bytes[i]), b1 = static_cast<unsigned char>(bytes[i + 1]);
    return big_endian ? (b0 << 8 | b1) : (b1 << 8 | b0);
  };
  for (size_t i = 0; i + 1 < bytes.size(); i += 2) {
    uint32_t cp = unit(i);
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 3 < bytes.size()) {
      uint32_t lo = unit(i + 2);
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        i += 2;
      }
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
    if (cp < 0x80) out += static_cast<char>(cp);
    else if (cp < 0x800) { out += static_cast<char>(0xC0 | (cp >> 6)); out += static_cast<char>(0x80 | (cp & 0x3F)); }
    else if (cp < 0x10000) {
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
  return out;
}

bool valid_key(std::string_view k) {
  if (k.empty() || k.size() > 256) return false;
  for (char c : k) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '(' ||
              c == ')' || c == '/' || c == '.' || c == '-' || c == '[' || c == ']' || c == ' ' || c == '#';
    if (!ok) return false;
  }
  return true;
}

// Strips the "T" of a title: "T = text" -> "text"; nullopt when the line is not a title.
std::optional<std::string_view> title_text(std::string_view inner) {
  inner = trim(inner);
  if (inner.size() < 2 || inner[0] != 'T') return std::nullopt;
  auto rest = trim(inner.substr(1));
  if (rest.empty() || rest[0] != '=') return std::nullopt;
  return trim(rest.substr(1));
}

class Parser {
 public:
  Parser(std::string_view text, std::string file) : text_(text) { doc_.file = std::move(file); }

  MdocDocument run() {
    size_t pos = 0;
    size_t lineno = 0;
    size_t good = 0, bad = 0;
    while (pos < text_.size()) {
      size_t nl = text_.find('\n', pos);
      size_t end = nl == std::string_view::npos ? text_.size() : nl;
      ++lineno;
      if (end - pos > kMaxMdocLineBytes)
        throw ExtractError(doc_.file, lineno,
                           "line of " + std::to_string(end - pos) + " bytes exceeds the autodoc limit of " +
                               std::to_string(kMaxMdocLineBytes));
      std::string_view line = text_.substr(pos, end - pos);
      pos = nl == std::string_view::npos ? text_.size() : nl + 1;
      if (line.find('\0') != std::string_view::npos) throw ExtractError(doc_.file, lineno, "binary data (NUL byte), not an autodoc");
      switch (handle(trim(line), lineno)) {
        case Line::kContent: ++good; break;
        case Line::kSkipped: ++bad; break;
        case Line::kBlank: break;
      }
    }
    if (in_title_) doc_.titles.push_back(to_utf8(pending_title_));
    if (good == 0) throw ExtractError(doc_.file, lineno > 0 ? 1 : 0, "no autodoc entries (not a SerialEM .mdoc file)");
    if (bad > 8 && bad > good) throw ExtractError(doc_.file, first_bad_, "mostly unparseable lines; not a SerialEM .mdoc file");
    return std::move(doc_);
  }

 private:
  enum class Line { kBlank, kContent, kSkipped };
  Line handle(std::string_view line, size_t lineno) {
    if (in_title_) {  // a title wrapped onto further lines until its ']'
      if (!line.empty() && line.back() == ']') {
        pending_title_ += ' ';
        pending_title_ += trim(line.substr(0, line.size() - 1));
        doc_.titles.push_back(to_utf8(trim(pending_title_)));
        in_title_ = false;
        return Line::kContent;
      }
      if (line.empty() || line.front() != '[') {
        pending_title_ += ' ';
        pending_title_ += line;
        return Line::kContent;
      }
      doc_.titles.push_back(to_utf8(trim(pending_title_)));  // never closed; keep what we have
      in_title_ = false;
    }
    if (line.empty()) return Line::kBlank;
    if (line.front() == '[') {
      bool closed = line.back() == ']';
      auto inner = line.substr(1, closed ? line.size() - 2 : line.size() - 1);
      if (auto t = title_text(inner)) {
        if (closed) {
          doc_.titles.push_back(to_utf8(*t));
        } else {
          in_title_ = true;
          pending_title_ = std::string(*t);
        }
        return Line::kContent;
      }
      auto eq = inner.find('=');
      if (!closed || eq == std::string_view::npos) return skip(lineno, "malformed section header");
      MdocSection s;
      s.type = std::string(trim(inner.substr(0, eq)));
      s.name = to_utf8(trim(inner.substr(eq + 1)));
      s.line = lineno;
      if (!valid_key(s.type)) return skip(lineno, "malformed section header");
      doc_.sections.push_back(std::move(s));
      return Line::kContent;
    }
    if (auto t = title_text(line); t && doc_.sections.empty() && line.find('=') < 4) {
      // Bare "T = SerialEM: ..." title of frame mdocs. A real key named "T" does not exist.
      doc_.titles.push_back(to_utf8(*t));
      return Line::kContent;
    }
    auto eq = line.find('=');
    if (eq == std::string_view::npos) return skip(lineno, "line is neither 'key = value' nor a section header");
    auto key = trim(line.substr(0, eq));
    if (!valid_key(key)) return skip(lineno, "invalid key");
    MdocEntry e{std::string(key), to_utf8(trim(line.substr(eq + 1))), lineno};
    if (doc_.sections.empty()) doc_.global.push_back(std::move(e));
    else doc_.sections.back().entries.push_back(std::move(e));
    return Line::kContent;
  }

  Line skip(size_t lineno, const char* why) {
    if (first_bad_ == 0) first_bad_ = lineno;
    if (doc_.warnings.size() < 20) doc_.warnings.push_back(doc_.file + ":" + std::to_string(lineno) + ": " + why + ", skipped");
    return Line::kSkipped;
  }

  std::string_view text_;
  MdocDocument doc_;
  bool in_title_ = false;
  std::string pending_title_;
  size_t first_bad_ = 0;
};

}  // namespace

const MdocEntry* MdocSection::find(std::string_view key) const {
  for (const auto& e : entries)
    if (e.key == key) return &e;
  return nullptr;
}

const MdocEntry* MdocDocument::find_global(std::string_view key) const {
  for (const auto& e : global)
    if (e.key == key) return &e;
  return nullptr;
}

MdocDocument parse_mdoc(std::string_view text, std::string file_name) {
  std::string decoded;
  if (text.size() >= 2 && static_cast<unsigned char>(text[0]) == 0xFF && static_cast<unsigned char>(text[1]) == 0xFE) {
    decoded = utf16_to_utf8(text.substr(2), false);
    text = decoded;
  } else if (text.size() >= 2 && static_cast<unsigned char>(text[0]) == 0xFE && static_cast<unsigned char>(text[1]) == 0xFF) {
    decoded = utf16_to_utf8(text.substr(2), true);
    text = decoded;
  } else if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") {
    text.remove_prefix(3);
  }
  return Parser(text, std::move(file_name)).run();
}

MdocDocument read_mdoc_file(const std::filesystem::path& path) {
  return parse_mdoc(read_file_capped(path), path.string());
}

std::vector<MdocEntry> parse_global_autodoc_entries(std::string_view text, std::string file_name) {
  std::vector<MdocEntry> out;
  size_t pos = 0, lineno = 0;
  static constexpr std::string_view kTag = "GlobalAutodocEntry";
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    ++lineno;
    auto line = trim(text.substr(pos, end - pos));
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (!line.starts_with(kTag)) continue;
    auto rest = trim(line.substr(kTag.size()));
    auto eq = rest.find('=');
    if (eq == std::string_view::npos) continue;
    auto key = trim(rest.substr(0, eq));
    if (!valid_key(key)) continue;
    out.push_back({std::string(key), to_utf8(trim(rest.substr(eq + 1))), lineno});
  }
  return out;
}

}  // namespace openem::extract

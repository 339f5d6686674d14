#include "extract/mdoc_reader.h"

#include "extract/text_util.h"

namespace openem::extract {
namespace {

// Collects the parser's events into a document.
class DocumentBuilder : public MdocHandler {
 public:
  explicit DocumentBuilder(MdocDocument& doc) : doc_(doc) {}
  void on_title(std::string_view text, std::size_t) override { doc_.titles.emplace_back(text); }
  void on_section(std::string_view type, std::string_view name, std::size_t line) override {
    MdocSection s;
    s.type = std::string(type);
    s.name = std::string(name);
    s.line = line;
    doc_.sections.push_back(std::move(s));
  }
  void on_entry(std::string_view key, std::string_view value, std::size_t line) override {
    MdocEntry e{std::string(key), std::string(value), line};
    if (doc_.sections.empty()) doc_.global.push_back(std::move(e));
    else doc_.sections.back().entries.push_back(std::move(e));
  }

 private:
  MdocDocument& doc_;
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
  MdocDocument doc;
  doc.file = std::move(file_name);
  DocumentBuilder builder(doc);
  parse_mdoc_stream(text, doc.file, builder, &doc.warnings);
  return doc;
}

MdocDocument read_mdoc_file(const std::filesystem::path& path) {
  MdocDocument doc;
  doc.file = path.string();
  DocumentBuilder builder(doc);
  read_mdoc_stream(path, builder, &doc.warnings);
  return doc;
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
    if (!is_autodoc_key(key)) continue;
    out.push_back({std::string(key), to_utf8(trim(rest.substr(eq + 1))), lineno});
  }
  return out;
}

}  // namespace openem::extract

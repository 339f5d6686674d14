#include "extract/mdoc_stream.h"

#include <gtest/gtest.h>

#include "extract/extract_error.h"
#include "extract/test_support.h"

namespace openem::extract {
namespace {

using testing::shared_dir;
using testing::slurp;

// Records every event as one line of text, to compare parses.
class Recorder : public MdocHandler {
 public:
  void on_title(std::string_view text, std::size_t line) override { add("T", text, "", line); }
  void on_section(std::string_view type, std::string_view name, std::size_t line) override {
    add("S", type, name, line);
  }
  void on_entry(std::string_view key, std::string_view value, std::size_t line) override { add("E", key, value, line); }
  std::string events;

 private:
  void add(const char* what, std::string_view a, std::string_view b, std::size_t line) {
    events += std::string(what) + "|" + std::string(a) + "|" + std::string(b) + "|" + std::to_string(line) + "\n";
  }
};

std::string whole(std::string_view text) {
  Recorder r;
  parse_mdoc_stream(text, "f.mdoc", r);
  return r.events;
}

std::string in_pieces(std::string_view text, std::size_t piece) {
  Recorder r;
  MdocStreamParser p("f.mdoc", r);
  for (std::size_t i = 0; i < text.size(); i += piece) p.feed(text.substr(i, piece));
  p.finish();
  return r.events;
}

TEST(MdocStream, AnySplitGivesTheSameEvents) {
  std::vector<std::string> texts;
  for (const auto& e : std::filesystem::directory_iterator(shared_dir() / "mdoc"))
    if (e.path().extension() == ".mdoc") texts.push_back(slurp(e.path()));
  // UTF-16 (odd splits cut code units and surrogate pairs), BOMs, a wrapped title.
  std::string utf8 = "Voltage = 300\r\n[T = SerialEM: a title\r\n wrapped \xF0\x9F\x94\xAC]\r\n[ZValue = 0]\r\nTiltAngle = 5";
  std::u16string units = u"Voltage = 300\n[ZValue = 0]\nNavigatorLabel = Gitter \u00C4 \U0001F52C\nTiltAngle = 5\n";
  std::string utf16 = "\xFF\xFE";
  for (char16_t u : units) {
    utf16 += static_cast<char>(u & 0xFF);
    utf16 += static_cast<char>(u >> 8);
  }
  texts.push_back(utf8);
  texts.push_back("\xEF\xBB\xBF" + utf8);
  texts.push_back(utf16);
  for (const auto& text : texts) {
    std::string want = whole(text);
    ASSERT_FALSE(want.empty());
    for (std::size_t piece : {1u, 2u, 3u, 7u, 64u, 4096u}) EXPECT_EQ(in_pieces(text, piece), want) << "piece " << piece;
  }
}

TEST(MdocStream, LineLongerThanTheLimitFailsAcrossPieces) {
  std::string text = "Voltage = 300\nImageFile = " + std::string(kMaxMdocLineBytes, 'x') + "\n";
  for (std::size_t piece : {1000u, 1u << 20}) {
    Recorder r;
    MdocStreamParser p("long.mdoc", r);
    try {
      for (std::size_t i = 0; i < text.size(); i += piece) p.feed(std::string_view(text).substr(i, piece));
      p.finish();
      FAIL() << "accepted";
    } catch (const ExtractError& e) {
      EXPECT_EQ(e.line(), 2u);
      EXPECT_NE(e.reason().find("exceeds the autodoc limit"), std::string::npos);
    }
  }
}

TEST(MdocStream, UnclosedTitleCannotGrowWithoutBound) {
  std::string text = "[T = SerialEM: never closed\n";
  for (int i = 0; i < 2000; ++i) text += std::string(1000, 'y') + "\n";
  Recorder r;
  EXPECT_THROW(parse_mdoc_stream(text, "title.mdoc", r), ExtractError);
}

TEST(MdocStream, EmptyAndProseAreNotAutodocs) {
  Recorder r;
  EXPECT_THROW(parse_mdoc_stream("", "e.mdoc", r), ExtractError);
  EXPECT_THROW(parse_mdoc_stream("\xFF\xFE", "bom-only.mdoc", r), ExtractError);
  std::string prose;
  for (int i = 0; i < 20; ++i) prose += "a shopping list\n";
  EXPECT_THROW(parse_mdoc_stream(prose, "list.mdoc", r), ExtractError);
}

TEST(MdocStream, FileIsReadInChunks) {
  auto p = shared_dir() / "mdoc" / "montage_section.mdoc";
  Recorder streamed;
  std::uint64_t bytes = read_mdoc_stream(p, streamed);
  EXPECT_EQ(bytes, std::filesystem::file_size(p));
  EXPECT_EQ(streamed.events, whole(slurp(p)));
}

}  // namespace
}  // namespace openem::extract

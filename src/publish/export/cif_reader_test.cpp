#include "publish/export/cif_reader.h"

#include <gtest/gtest.h>

namespace openem::cif {
namespace {

Document read_ok(const std::string& text) {
  auto r = read_cif(text);
  if (auto* e = std::get_if<ReadError>(&r)) ADD_FAILURE() << "line " << e->line << ": " << e->message;
  return std::holds_alternative<Document>(r) ? std::get<Document>(r) : Document{};
}

std::string read_error(const std::string& text) {
  auto r = read_cif(text);
  return std::holds_alternative<ReadError>(r) ? std::get<ReadError>(r).message : "";
}

TEST(CifReaderTest, ReadsPairsLoopsQuotesTextFieldsAndNulls) {
  Document d = read_ok(
      "data_x\n_a.b 'it's here' # comment\n_a.c \"q\"\n_A.D ?\n_a.e '?'\n_a.f\n;line one\nline two\n;\n"
      "loop_\n_l.x\n_l.y\n1 . 2 'two words'\nsave_frame\n_s.t v\nsave_\n");
  ASSERT_EQ(d.blocks.size(), 1u);
  const Block& b = d.blocks[0];
  EXPECT_EQ(b.find("_a.b")->text, "it's here");
  EXPECT_EQ(b.find("_a.c")->text, "q");
  EXPECT_TRUE(b.find("_a.d")->is_unknown());  // tags ignore case
  EXPECT_FALSE(b.find("_a.e")->is_unknown());  // a quoted ? is text
  EXPECT_EQ(b.find("_a.f")->text, "line one\nline two");
  auto y = b.column("_l.y");
  ASSERT_EQ(y.size(), 2u);
  EXPECT_TRUE(b.column("_l.x")[0]->text == "1" && y[0]->is_inapplicable() && y[1]->text == "two words");
  ASSERT_EQ(b.save_frames.size(), 1u);
  EXPECT_EQ(b.save_frames[0].find("_s.t")->text, "v");
  EXPECT_EQ(b.statements[0].category(), "a");
}

TEST(CifReaderTest, StatementRangesCoverTheirTextExactly) {
  std::string text = "data_x\n_a.b   1\nloop_\n_l.x\n1\n2\n";
  Document d = read_ok(text);
  const auto& s = d.blocks[0].statements;
  EXPECT_EQ(text.substr(s[0].begin, s[0].end - s[0].begin), "_a.b   1");
  EXPECT_EQ(text.substr(s[1].begin, s[1].end - s[1].begin), "loop_\n_l.x\n1\n2");
}

TEST(CifReaderTest, BadInputIsAnErrorWithItsLine) {
  EXPECT_EQ(read_error(""), "no data_ block: not a CIF file");
  EXPECT_EQ(read_error("HEADER x\n"), "content before the first data_ block");
  EXPECT_EQ(read_error("data_x\n_a.b 'open\n"), "unterminated quoted string");
  EXPECT_EQ(read_error("data_x\n_a.b\n;never closed\n"), "unterminated text field (no closing ';' line)");
  EXPECT_EQ(read_error("data_x\nloop_\n_l.x\n_l.y\n1 2 3\n"), "loop of _l.x has 3 values, not a multiple of its 2 tags");
  EXPECT_EQ(read_error("data_x\n_a.b\n"), "tag _a.b has no value");
  EXPECT_EQ(read_error(std::string("data_x\n_a.b \0\n", 13)), "not a CIF text file (contains NUL bytes)");
  // Found by the fuzzer: an empty loop swallowed the tags a merge wrote after it.
  EXPECT_EQ(read_error("data_x\nloop_\n_l.x\n"), "loop of _l.x has no values");
}

TEST(CifReaderTest, QuotedValuesReadBackAsWritten) {
  for (std::string v : {"plain", "two words", "it's", "say \"hi\"", "_tag", "data_x", "?", ".", "#hash", "a'b c\"d 'e",
                        "line\n;starts", "multi\nline", "'", ""}) {
    std::string text = "data_x\n_a.b " + quote_value(v) + "\n";
    Document d = read_ok(text);
    ASSERT_EQ(d.blocks.size(), 1u) << v;
    std::string expected = v;
    if (v == "line\n;starts") expected = "line\n ;starts";  // a ';' line would end the field
    EXPECT_EQ(d.blocks[0].find("_a.b")->text, expected) << text;
    EXPECT_FALSE(d.blocks[0].find("_a.b")->is_null()) << v;
  }
}

}  // namespace
}  // namespace openem::cif

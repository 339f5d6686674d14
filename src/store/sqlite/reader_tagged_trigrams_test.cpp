// The reader-tagged tokenizer on a bare FTS5 table: which tokens a row gives the index, which
// rows a reader's lookup finds, and that text in any other form cannot pose as a reader.
#include "store/sqlite/reader_tagged_trigrams.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/access_set.h"
#include "store/sqlite/sqlite_db.h"
#include "testing/temp_dir.h"

namespace openem::reader_tagged_trigrams {
namespace {

using Rows = std::vector<std::string>;

class ReaderTaggedTrigramsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.exec(std::string("CREATE TABLE x (seq INTEGER PRIMARY KEY, search_text TEXT, readers TEXT);"
                         "CREATE VIRTUAL TABLE f USING fts5(search_text, content='', tokenize='") +
             kTokenizerName + "', detail='none');"
                              "CREATE VIRTUAL TABLE terms USING fts5vocab(f, 'row');");
  }

  // Indexes a row as the store does: its readers (an access set key) and its text.
  void add(int seq, const std::vector<std::string>& members, const std::string& text) {
    auto row = db_.prepare("INSERT INTO x (seq, search_text, readers) VALUES (?, ?, ?)");
    row.bind_all({std::int64_t{seq}, text, access_set_key(members)});
    row.run();
    auto index = db_.prepare("INSERT INTO f (rowid, search_text) SELECT seq, " + index_text_sql("x") +
                             " FROM x WHERE seq = ?");
    index.bind_all({std::int64_t{seq}});
    index.run();
  }

  Rows found(const std::vector<std::string>& readers, const std::vector<std::string>& trigrams) {
    return column("SELECT rowid FROM f WHERE f MATCH ? ORDER BY rowid", match_expression(readers, trigrams));
  }

  Rows column(const std::string& sql, const std::string& param = "") {
    auto st = db_.prepare(sql);
    if (!param.empty()) st.bind_all({param});
    Rows out;
    while (st.step()) out.emplace_back(st.text(0));
    return out;
  }

  testing::TempDir tmp_{"openem-tagged-trigrams"};
  SqliteDb db_{tmp_.path() / "t.db"};
};

TEST_F(ReaderTaggedTrigramsTest, EachTrigramIsIndexedOncePerReaderAndForEveryone) {
  add(1, {"g:grp", "s:a@x.org"}, "AbcD");
  EXPECT_EQ(column("SELECT term FROM terms ORDER BY term"),
            (Rows{"1:*abc", "1:*bcd", "5:g:grpabc", "5:g:grpbcd", "9:s:a@x.orgabc", "9:s:a@x.orgbcd"}));
}

TEST_F(ReaderTaggedTrigramsTest, ALookupFindsOnlyRowsItsReadersMayRead) {
  add(1, {"g:mine"}, "zebrafish in my group");
  add(2, {"g:other"}, "zebrafish of another group");
  add(3, {"g:", "g:other"}, "published zebrafish");  // "g:" is the published marker
  add(4, {"g:mine", "s:friend@x.org"}, "shared zebrafish");
  EXPECT_EQ(found({"g:mine"}, {"zeb", "ish"}), (Rows{"1", "4"}));
  EXPECT_EQ(found({"g:"}, {"zeb"}), Rows{"3"});
  EXPECT_EQ(found({"g:", "s:friend@x.org"}, {"zeb"}), (Rows{"3", "4"}));
  EXPECT_EQ(found({"g:", "g:mine", "g:other"}, {"zeb"}), (Rows{"1", "2", "3", "4"}));
  EXPECT_EQ(found({std::string(kEveryone)}, {"zeb"}), (Rows{"1", "2", "3", "4"}));
  EXPECT_TRUE(found({"g:nobody"}, {"zeb"}).empty());
  // Every trigram must occur in a row one reader may read: "my" is in row 1 only.
  EXPECT_EQ(found({"g:mine"}, {"zeb", "y g"}), Rows{"1"});
  EXPECT_TRUE(found({"g:other"}, {"zeb", "y g"}).empty());
}

TEST_F(ReaderTaggedTrigramsTest, CaseAndCharactersFollowTheTrigramTokenizer) {
  add(1, {"g:g"}, "Größe Å");
  EXPECT_EQ(found({"g:g"}, {"GRÖ"}), Rows{"1"});
  EXPECT_EQ(found({"g:g"}, {"ße "}), Rows{"1"});
  EXPECT_EQ(found({"g:g"}, {"e å"}), Rows{"1"});
}

TEST_F(ReaderTaggedTrigramsTest, NoNameOrTextPosesAsAnotherReader) {
  // A group whose name ends like another member's token, and a text that starts like a header.
  add(1, {"g:ab"}, "cdef");
  add(2, {"g:a"}, "bcd");
  add(3, {"g:z"}, "5:g:abcde");
  EXPECT_EQ(found({"g:ab"}, {"cde"}), Rows{"1"});
  EXPECT_EQ(found({"g:a"}, {"bcd"}), Rows{"2"});
  EXPECT_EQ(found({"g:a"}, {"bcd", "cde"}), Rows{});
  EXPECT_EQ(found({"g:z"}, {"abc"}), Rows{"3"});
  EXPECT_TRUE(found({"g:ab"}, {"5:g"}).empty());
  // Hand-written phrases in any other form match nothing.
  for (const char* phrase : {"\"cde\"", "\"g:abcde\"", "\"99:g:abcde\"", "\"x:g:abcde\""})
    EXPECT_TRUE(column("SELECT rowid FROM f WHERE f MATCH ?", phrase).empty()) << phrase;
}

TEST_F(ReaderTaggedTrigramsTest, ARowWithoutHeaderIsFoundByReadersOfEverythingOnly) {
  db_.exec("INSERT INTO f (rowid, search_text) VALUES (7, 'headless text')");
  EXPECT_EQ(found({std::string(kEveryone)}, {"hea"}), Rows{"7"});
  EXPECT_TRUE(found({"g:"}, {"hea"}).empty());
}

TEST_F(ReaderTaggedTrigramsTest, RowsLeaveTheIndexWithTheTextTheyWereIndexedWith) {
  add(1, {"g:g", "g:h"}, "ribosome");
  db_.exec("INSERT INTO f (f, rowid, search_text) SELECT 'delete', seq, " + index_text_sql("x") + " FROM x;");
  EXPECT_TRUE(column("SELECT term FROM terms").empty());
  EXPECT_NO_THROW(db_.exec("INSERT INTO f (f, rank) VALUES ('integrity-check', 1)"));
}

TEST(ReaderTaggedMatchExpression, IsAnOrOverReadersOfAndsOverTrigrams) {
  EXPECT_EQ(match_expression({"g:a", "g:b\"c"}, {"xyz", "z\"w"}),
            "(\"3:g:axyz\" AND \"3:g:az\"\"w\") OR (\"5:g:b\"\"cxyz\" AND \"5:g:b\"\"cz\"\"w\")");
  EXPECT_EQ(match_expression({}, {"xyz"}), "\"0:\"");
}

}  // namespace
}  // namespace openem::reader_tagged_trigrams

// The libpq layer: placeholders, array and path literals (what reaches SQL as text must be
// a literal PostgreSQL reads back exactly), typed parameters, and a bounded statement cache.
#include "store/postgres/pg_connection.h"

#include <gtest/gtest.h>

#include "store/testing/store_backends.h"

namespace openem {
namespace {

TEST(PgConnectionTest, PlaceholdersOutsideQuotesAreNumbered) {
  EXPECT_EQ(numbered_placeholders("a = ? AND b IN (?, ?)"), "a = $1 AND b IN ($2, $3)");
  EXPECT_EQ(numbered_placeholders("x = '?' AND \"q?\" = ?"), "x = '?' AND \"q?\" = $1");
}

TEST(PgConnectionTest, LiteralsRoundTripThroughTheServer) {
  testing::ScratchCatalog catalog(testing::Backend::Postgres);
  PgConnection db(catalog.url());
  const std::vector<FieldValue> hostile{std::string("a\"b"), std::string("back\\slash"), std::string("{x,y}"),
                                        std::string("NULL"), std::string(""), nullptr, std::string("é 名")};
  auto r = db.exec("SELECT unnest(?::text[])", {pg_array_literal(hostile)});
  ASSERT_EQ(r.rows(), static_cast<int>(hostile.size()));
  for (int i = 0; i < r.rows(); ++i) {
    if (std::holds_alternative<std::nullptr_t>(hostile[static_cast<std::size_t>(i)])) {
      EXPECT_TRUE(r.is_null(i, 0));
    } else {
      EXPECT_EQ(std::string(r.text(i, 0)), std::get<std::string>(hostile[static_cast<std::size_t>(i)]));
    }
  }
  auto path = db.exec("SELECT ?::jsonb #>> ?::text[]", {std::string(R"({"a\"b":{"c":"found"}})"),
                                                         pg_path_literal("a\"b.c")});
  EXPECT_EQ(path.text(0, 0), "found");
  auto typed = db.exec("SELECT ? + 1, ? * 2", {std::int64_t{41}, 1.25});
  EXPECT_EQ(typed.int64(0, 0), 42);
  EXPECT_DOUBLE_EQ(typed.real(0, 1), 2.5);
}

// Filters make a statement text per list length: the server-side cache stays bounded.
TEST(PgConnectionTest, PreparedStatementsStayBounded) {
  testing::ScratchCatalog catalog(testing::Backend::Postgres);
  PgConnection db(catalog.url());
  for (int n = 1; n <= 700; ++n) {
    std::string sql = "SELECT 1 WHERE 1 IN (?";
    std::vector<FieldValue> params{std::int64_t{1}};
    for (int i = 1; i < n % 97 + 1; ++i) {
      sql += ", ?";
      params.emplace_back(std::int64_t{i});
    }
    sql += ") AND " + std::to_string(n) + " > 0";
    EXPECT_EQ(db.exec(sql, params).rows(), 1);
  }
  EXPECT_LE(db.exec("SELECT COUNT(*) FROM pg_prepared_statements").int64(0, 0), 512);
}

// Planned with its values: the plan is made for the value bound (a text search's selectivity),
// never PostgreSQL's generic plan, and no prepared statement is left behind.
TEST(PgConnectionTest, AStatementPlannedWithItsValuesSeesThem) {
  testing::ScratchCatalog catalog(testing::Backend::Postgres);
  PgConnection db(catalog.url());
  db.exec_script("CREATE TABLE words (w TEXT)");
  const auto prepared_count = [&] { return db.exec("SELECT COUNT(*) FROM pg_prepared_statements").int64(0, 0); };
  const std::int64_t before = prepared_count();
  std::string plan;
  for (int i = 0; i < 8; ++i) {  // past the calls after which a prepared statement may go generic
    auto r = db.exec("EXPLAIN SELECT * FROM words WHERE w ILIKE ?", {std::string("%kinesin%")},
                     PgConnection::Planning::WithValues);
    plan.clear();
    for (int row = 0; row < r.rows(); ++row) plan += std::string(r.text(row, 0)) + "\n";
  }
  EXPECT_NE(plan.find("'%kinesin%'"), std::string::npos) << plan;
  EXPECT_EQ(prepared_count(), before);  // (prepared_count's own statement was counted in `before`)
  EXPECT_EQ(db.exec("SELECT ? || 'x'", {std::string("a")}, PgConnection::Planning::WithValues).text(0, 0), "ax");
}

}  // namespace
}  // namespace openem

#include "store/sqlite/planner_statistics.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace openem {
namespace {

constexpr std::int64_t kAnalysisLimit = 2000;
// A guess of this many rows per value or more means the sample saw one value only.
constexpr std::int64_t kSuspectRowsPerValue = kAnalysisLimit / 4;
constexpr std::int64_t kMaxCountedValues = 1000;

struct IndexStat {
  std::string table, index;
  std::vector<std::int64_t> numbers;  // rows, then rows per value of each column prefix
};

std::string quoted(const std::string& name) { return "\"" + name + "\""; }

// The number of distinct values of the index's leading column (NULL counts as one), or -1
// past kMaxCountedValues.
std::int64_t leading_values(SqliteDb& db, const IndexStat& s, const std::string& column) {
  const std::string from = " FROM " + quoted(s.table) + " INDEXED BY " + quoted(s.index);
  std::int64_t n = 0;
  {
    auto null = db.prepare("SELECT 1" + from + " WHERE " + quoted(column) + " IS NULL LIMIT 1");
    if (null.step()) ++n;
  }
  auto value_of = [](const Statement& st) -> SqlParam {  // in its own type: an integer compares with integers
    switch (st.type(0)) {
      case SQLITE_INTEGER: return st.int64(0);
      case SQLITE_FLOAT: return st.real(0);
      default: return std::string(st.text(0));
    }
  };
  SqlParam value;
  {
    auto first = db.prepare("SELECT " + quoted(column) + from + " WHERE " + quoted(column) + " IS NOT NULL ORDER BY " +
                            quoted(column) + " LIMIT 1");
    if (!first.step()) return n;
    value = value_of(first);
  }
  const std::string next_sql =
      "SELECT " + quoted(column) + from + " WHERE " + quoted(column) + " > ?1 ORDER BY " + quoted(column) + " LIMIT 1";
  for (++n; n <= kMaxCountedValues; ++n) {
    auto next = db.prepare(next_sql);  // reset when it goes, at the end of each turn
    next.bind(1, value);
    if (!next.step()) return n;
    value = value_of(next);
  }
  return -1;
}

}  // namespace

void correct_low_cardinality_statistics(SqliteDb& db) {
  std::vector<IndexStat> suspects;
  {
    auto st = db.prepare(
        "SELECT s.tbl, s.idx, s.stat FROM sqlite_stat1 s JOIN sqlite_schema m ON m.name = s.idx AND m.type = 'index' "
        "WHERE m.sql IS NOT NULL AND m.sql NOT LIKE '% WHERE %'");  // partial indexes hold a subset: left as measured
    while (st.step()) {
      IndexStat s{std::string(st.text(0)), std::string(st.text(1)), {}};
      std::istringstream in{std::string(st.text(2))};
      std::int64_t x;
      while (in >> x) s.numbers.push_back(x);
      if (s.numbers.size() >= 2 && s.numbers[1] >= kSuspectRowsPerValue) suspects.push_back(std::move(s));
    }
  }
  if (suspects.empty()) return;
  auto update = db.prepare("UPDATE sqlite_stat1 SET stat = ?1 WHERE tbl = ?2 AND idx = ?3");
  for (auto& s : suspects) {
    std::string column;
    {
      auto info = db.prepare("SELECT name FROM pragma_index_info(?1) WHERE seqno = 0");
      info.bind_text(1, s.index);
      if (!info.step() || info.is_null(0)) continue;  // an expression index
      column = std::string(info.text(0));
    }
    const std::int64_t values = leading_values(db, s, column);
    if (values < 0) {
      // More values than counted: rows / kMaxCountedValues is only an upper bound, so it may
      // lower the guess but never raise it.
      s.numbers[1] = std::min(s.numbers[1], std::max<std::int64_t>(1, s.numbers[0] / kMaxCountedValues));
    } else {
      s.numbers[1] = values > 0 ? (s.numbers[0] + values - 1) / values : 1;
    }
    if (s.numbers[1] < 1) s.numbers[1] = 1;
    std::string stat;
    for (std::size_t i = 0; i < s.numbers.size(); ++i) stat += (i ? " " : "") + std::to_string(s.numbers[i]);
    update.bind_text(1, stat).bind_text(2, s.table).bind_text(3, s.index);
    update.run();
  }
}

void refresh_planner_statistics(SqliteDb& db) {
  try {
    db.exec("BEGIN IMMEDIATE; PRAGMA analysis_limit = " + std::to_string(kAnalysisLimit) + "; ANALYZE;");
    // A failing correction keeps the bounded ANALYZE's numbers rather than none.
    db.exec("SAVEPOINT correct_statistics");
    try {
      correct_low_cardinality_statistics(db);
      db.exec("RELEASE correct_statistics");
    } catch (const std::exception& e) {
      db.exec("ROLLBACK TO correct_statistics; RELEASE correct_statistics");
      spdlog::warn("event=statistics_correction_failed error=\"{}\"", e.what());
    }
    db.exec("COMMIT; PRAGMA analysis_limit = 0; ANALYZE sqlite_schema;");
  } catch (const std::exception& e) {
    try {
      db.exec("ROLLBACK");
    } catch (...) {
    }
    spdlog::warn("event=analyze_failed error=\"{}\"", e.what());
  }
  try {
    db.exec("PRAGMA analysis_limit = 0");
  } catch (...) {  // the writer goes on with unbounded ANALYZE only if asked; nothing to do here
  }
}

}  // namespace openem

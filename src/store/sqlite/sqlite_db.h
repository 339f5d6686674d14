#pragma once
// SqliteDb: one SQLite connection with a prepared-statement cache and the functions openem's
// SQL uses (regexp via PCRE2 with match limits). Not thread-safe: one thread at a time
// (SqlitePool hands connections out). Errors throw SqliteError.
#include <sqlite3.h>
#include <chrono>
#include <cstdint>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "query/condition.h"

namespace openem {

// A value bound to a statement's placeholder.
using SqlParam = FieldValue;

class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& msg) : std::runtime_error(msg), code_(code) {}
  int code() const { return code_; }
  bool is_constraint() const { return (code_ & 0xff) == SQLITE_CONSTRAINT; }

 private:
  int code_;
};

class SqliteDb;

// A reset-on-destruction handle to a cached prepared statement.
class Statement {
 public:
  Statement(SqliteDb& db, sqlite3_stmt* stmt, bool owned = false) : db_(db), stmt_(stmt), owned_(owned) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, const SqlParam& p);  // 1-based
  Statement& bind_text(int index, std::string_view text);  // copied by SQLite
  Statement& bind_int(int index, std::int64_t value);
  Statement& bind_all(const std::vector<SqlParam>& params, int first = 1);
  bool step();  // true: a row is ready
  void run() {  // steps to completion and resets, so the statement can be bound again
    while (step()) {
    }
    sqlite3_reset(stmt_);
  }

  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  std::string_view text(int col) const;
  int type(int col) const { return sqlite3_column_type(stmt_, col); }

 private:
  SqliteDb& db_;
  sqlite3_stmt* stmt_;
  bool owned_;  // not in the cache: finalized with the handle
};

class SqliteDb {
 public:
  explicit SqliteDb(const std::filesystem::path& file);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  Statement prepare(const std::string& sql);  // cached by SQL text
  void exec(const std::string& sql);           // one or more statements, no parameters
  std::int64_t changes() const { return sqlite3_changes64(db_); }
  sqlite3* handle() { return db_; }
  [[noreturn]] void fail(int rc, const std::string& context);

  // Statements that run past `deadline` are interrupted and fail with StoreError kBudgetExceeded (a query's
  // time budget, issue #20: one expensive sort must not slow everyone down). max(): none.
  void set_deadline(std::chrono::steady_clock::time_point deadline) { deadline_ = deadline; }

 private:
  static int check_deadline(void* self);

  sqlite3* db_ = nullptr;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  bool timed_out_ = false;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace openem

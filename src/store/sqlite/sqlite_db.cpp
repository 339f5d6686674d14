#include "store/sqlite/sqlite_db.h"

#include <algorithm>
#include <memory>

#include "core/error.h"
#include "core/pattern.h"
#include "model/access_set.h"
#include "store/sqlite/reader_tagged_trigrams.h"
#include "store/store_errors.h"

namespace openem {
namespace {

// regexp(pattern, value): a bounded PCRE2 search (core/pattern.h), so a hostile pattern fails
// instead of hanging a worker. The compiled pattern is cached on the statement (auxdata).
void free_pattern(void* p) { delete static_cast<Pattern*>(p); }

void regexp_function(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[1]) == SQLITE_NULL || sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_int(ctx, 0);
    return;
  }
  auto* re = static_cast<Pattern*>(sqlite3_get_auxdata(ctx, 0));
  if (!re) {
    std::string_view pattern(reinterpret_cast<const char*>(sqlite3_value_text(argv[0])),
                             static_cast<std::size_t>(sqlite3_value_bytes(argv[0])));
    std::unique_ptr<Pattern> compiled;
    try {
      compiled = std::make_unique<Pattern>(pattern);
    } catch (const PatternError&) {
      sqlite3_result_error(ctx, "invalid regular expression", -1);
      return;
    }
    sqlite3_set_auxdata(ctx, 0, compiled.release(), free_pattern);
    re = static_cast<Pattern*>(sqlite3_get_auxdata(ctx, 0));
    if (!re) {  // SQLite could not keep it; it has freed it already
      sqlite3_result_error(ctx, "regexp: out of memory", -1);
      return;
    }
  }
  std::string_view subject(reinterpret_cast<const char*>(sqlite3_value_text(argv[1])),
                           static_cast<std::size_t>(sqlite3_value_bytes(argv[1])));
  try {
    sqlite3_result_int(ctx, re->search(subject) ? 1 : 0);
  } catch (const PatternError&) {
    sqlite3_result_error(ctx, "regular expression too complex", -1);
  }
}

// openem_readable(access_set, readers): whether a row's access set (model/access_set.h)
// has a member among the reader's, given as an access set key too. The reader's members are
// parsed and sorted once per statement (auxdata), so each row costs a walk over its own few
// members.
struct Readers {
  std::string key;                       // owns the text the views point into
  std::vector<std::string_view> sorted;
};

void free_readers(void* p) { delete static_cast<Readers*>(p); }

void readable_function(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) != SQLITE_TEXT || sqlite3_value_type(argv[1]) != SQLITE_TEXT) {
    sqlite3_result_int(ctx, 0);
    return;
  }
  auto* readers = static_cast<Readers*>(sqlite3_get_auxdata(ctx, 1));
  if (!readers) {
    auto holder = std::make_unique<Readers>();
    holder->key.assign(reinterpret_cast<const char*>(sqlite3_value_text(argv[1])),
                       static_cast<std::size_t>(sqlite3_value_bytes(argv[1])));
    holder->sorted = access_set_members(holder->key);
    std::sort(holder->sorted.begin(), holder->sorted.end());
    sqlite3_set_auxdata(ctx, 1, holder.release(), free_readers);
    readers = static_cast<Readers*>(sqlite3_get_auxdata(ctx, 1));
    if (!readers) {  // SQLite could not keep it; it has freed it already
      sqlite3_result_error_nomem(ctx);
      return;
    }
  }
  std::string_view key(reinterpret_cast<const char*>(sqlite3_value_text(argv[0])),
                       static_cast<std::size_t>(sqlite3_value_bytes(argv[0])));
  sqlite3_result_int(ctx, access_set_meets(key, readers->sorted) ? 1 : 0);
}

}  // namespace

Statement::~Statement() {
  if (owned_) {
    sqlite3_finalize(stmt_);
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement& Statement::bind(int index, const SqlParam& p) {
  if (auto* i = std::get_if<std::int64_t>(&p)) return bind_int(index, *i);
  if (auto* s = std::get_if<std::string>(&p)) return bind_text(index, *s);
  int rc = SQLITE_OK;
  if (auto* d = std::get_if<double>(&p)) rc = sqlite3_bind_double(stmt_, index, *d);
  else rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) db_.fail(rc, "bind");
  return *this;
}

Statement& Statement::bind_text(int index, std::string_view text) {
  // An empty view may have no data pointer, which SQLite would bind as NULL.
  int rc = sqlite3_bind_text(stmt_, index, text.data() ? text.data() : "", static_cast<int>(text.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) db_.fail(rc, "bind");
  return *this;
}

Statement& Statement::bind_int(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) db_.fail(rc, "bind");
  return *this;
}

Statement& Statement::bind_all(const std::vector<SqlParam>& params, int first) {
  for (size_t i = 0; i < params.size(); ++i) bind(first + static_cast<int>(i), params[i]);
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_.fail(rc, "step");
}

std::string_view Statement::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (!p) return {};
  return {p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}

SqliteDb::SqliteDb(const std::filesystem::path& file) {
  // Process-wide: past this, SQLite gives back page-cache memory before taking more, which
  // keeps the server's RSS bounded however many connections are open.
  static const bool heap_limited = [] {
    sqlite3_soft_heap_limit64(192LL << 20);
    return true;
  }();
  (void)heap_limited;
  int rc = sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    if (db_) sqlite3_close(db_);
    throw SqliteError(rc, "cannot open " + file.string() + ": " + msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 30000);
  sqlite3_create_function(db_, "regexp", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr, regexp_function, nullptr,
                          nullptr);
  sqlite3_create_function(db_, "openem_readable", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                          readable_function, nullptr, nullptr);
  reader_tagged_trigrams::register_tokenizer(db_);  // the text indexes' tokens (catalog format 12)
  // A hostile query must not be able to run forever or build huge intermediate results.
  sqlite3_limit(db_, SQLITE_LIMIT_EXPR_DEPTH, 1000);
  sqlite3_limit(db_, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 10000);
  // Every thousand VM steps (a clock read, well under 1 % of their cost): is the time up?
  sqlite3_progress_handler(db_, 1000, &SqliteDb::check_deadline, this);
  // synchronous=NORMAL in WAL mode: a commit survives a killed process (it is in the OS's
  // file cache); a power cut may lose the last commits but never corrupts the database.
  // No mmap and a 16 MiB page cache per connection keep the server's RSS small.
  // Sorts for large GROUP BYs go to temporary files, not the heap (temp_store=FILE).
  exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
       "PRAGMA temp_store=FILE; PRAGMA cache_size=-16384; PRAGMA mmap_size=0; "
       "PRAGMA wal_autocheckpoint=4096; PRAGMA journal_size_limit=67108864;");
}

SqliteDb::~SqliteDb() {
  for (auto& [sql, st] : cache_) sqlite3_finalize(st);
  sqlite3_close_v2(db_);
}

Statement SqliteDb::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return Statement(*this, it->second);
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &st, nullptr);
  if (rc != SQLITE_OK) fail(rc, "prepare: " + sql.substr(0, 200));
  // Generated SQL varies with filters: past a bound, statements are used once and finalized.
  if (cache_.size() >= 2000) return Statement(*this, st, /*owned=*/true);
  cache_.emplace(sql, st);
  return Statement(*this, st);
}

void SqliteDb::exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw SqliteError(rc, msg);
  }
}

int SqliteDb::check_deadline(void* self) {
  auto* db = static_cast<SqliteDb*>(self);
  if (db->deadline_ == std::chrono::steady_clock::time_point::max()) return 0;
  if (std::chrono::steady_clock::now() < db->deadline_) return 0;
  db->timed_out_ = true;
  return 1;  // SQLITE_INTERRUPT
}

void SqliteDb::fail(int rc, const std::string& context) {
  if ((rc & 0xff) == SQLITE_INTERRUPT && timed_out_) {
    timed_out_ = false;
    throw_query_budget_exceeded();
  }
  std::string msg = sqlite3_errmsg(db_);
  // Errors raised by our regexp() come from the client's pattern, not from the server.
  if (msg.find("regular expression") != std::string::npos) throw_invalid_pattern(msg);
  throw SqliteError(rc, context + ": " + msg);
}

}  // namespace openem

#pragma once
// PgConnection: one libpq connection to the catalog's PostgreSQL database, with a cache of
// prepared statements. Statements are written with "?" placeholders (as the rest of openem
// writes them) and sent as $1, $2, ...; values are always parameters. Not thread-safe: one
// thread at a time (PgPool hands connections out). Errors throw PgError.
#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "query/condition.h"

namespace openem {

class PgError : public std::runtime_error {
 public:
  PgError(std::string sqlstate, const std::string& message)
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }
  bool is_unique_violation() const { return sqlstate_ == "23505"; }
  bool is_statement_timeout() const { return sqlstate_ == "57014"; }
  bool is_deadlock() const { return sqlstate_ == "40P01"; }
  bool is_invalid_pattern() const { return sqlstate_ == "2201B"; }
  bool is_connection_failure() const { return sqlstate_.rfind("08", 0) == 0 || sqlstate_.empty(); }

 private:
  std::string sqlstate_;
};

// The rows of one statement's answer. Cells are read as text (libpq's text format).
class PgResult {
 public:
  explicit PgResult(PGresult* r) : r_(r, &PQclear) {}
  int rows() const { return PQntuples(r_.get()); }
  bool is_null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string_view text(int row, int col) const {
    return {PQgetvalue(r_.get(), row, col), static_cast<std::size_t>(PQgetlength(r_.get(), row, col))};
  }
  std::int64_t int64(int row, int col) const;
  double real(int row, int col) const;
  // The cell as openem's FieldValue from its column's type (int8/int4 → integer, float8 →
  // double, anything else → text, NULL → null).
  FieldValue value(int row, int col) const;

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> r_;
};

class PgConnection {
 public:
  explicit PgConnection(const std::string& conninfo);
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // How a statement is planned. Prepared: once per connection; after a few calls PostgreSQL
  // may settle on a generic plan that ignores the values. WithValues: on each call, for the
  // values bound (pg_sql::plan_with_values says when that pays).
  enum class Planning { Prepared, WithValues };
  // One statement with "?" placeholders bound to `params` in order.
  PgResult exec(const std::string& sql, const std::vector<FieldValue>& params = {},
                Planning planning = Planning::Prepared);
  // Several statements without parameters (schema, BEGIN/COMMIT).
  void exec_script(const std::string& sql);
  bool ok() const { return PQstatus(conn_.get()) == CONNECTION_OK; }
  // Connected and outside any transaction: fit to hand to the next user.
  bool idle() const { return ok() && PQtransactionStatus(conn_.get()) == PQTRANS_IDLE; }
  // Inside a transaction that a failed statement aborted: its COMMIT would roll back, quietly.
  bool in_failed_transaction() const { return PQtransactionStatus(conn_.get()) == PQTRANS_INERROR; }
  // statement_timeout for the statements that follow (0: none); sent only when it changes.
  void set_statement_timeout(std::int64_t ms);

 private:
  std::unique_ptr<PGconn, void (*)(PGconn*)> conn_;
  std::unordered_map<std::string, std::string> prepared_;  // sql + parameter types → statement name
  std::uint64_t next_statement_ = 0;
  std::int64_t statement_timeout_ms_ = 0;
};

// "$1, $2, ..." for the "?" placeholders of sql (outside quoted literals and identifiers).
std::string numbered_placeholders(std::string_view sql);

// A PostgreSQL array literal ('{"a","b",NULL}') of texts, or of numbers (nullptr: NULL).
std::string pg_array_literal(const std::vector<FieldValue>& elements);
// The text[] literal of a dotted path: the path operand of #> and #>>.
std::string pg_path_literal(std::string_view dotted);

}  // namespace openem

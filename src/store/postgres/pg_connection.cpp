#include "store/postgres/pg_connection.h"

#include <charconv>
#include <cstdio>

namespace openem {
namespace {

constexpr std::size_t kMaxPrepared = 512;

// Type OIDs of the parameters we send typed: integers and doubles must not be taken for text.
constexpr Oid kInt8 = 20;
constexpr Oid kFloat8 = 701;

std::string error_of(PGconn* c) {
  std::string m = PQerrorMessage(c);
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

void check(PGconn* c, PGresult* r) {
  auto status = PQresultStatus(r);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) return;
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  std::string message = PQresultErrorMessage(r);
  if (message.empty()) message = error_of(c);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  PgError e(state ? state : "", "PostgreSQL: " + message);
  PQclear(r);
  throw e;
}

}  // namespace

std::int64_t PgResult::int64(int row, int col) const {
  auto t = text(row, col);
  std::int64_t v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

double PgResult::real(int row, int col) const { return std::strtod(std::string(text(row, col)).c_str(), nullptr); }

FieldValue PgResult::value(int row, int col) const {
  if (is_null(row, col)) return nullptr;
  switch (PQftype(r_.get(), col)) {
    case 20:  // int8
    case 21:  // int2
    case 23:  // int4
      return int64(row, col);
    case 700:  // float4
    case 701:  // float8
    case 1700:  // numeric
      return real(row, col);
    default: return std::string(text(row, col));
  }
}

PgConnection::PgConnection(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str()), &PQfinish) {
  if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK)
    throw PgError("08001", "PostgreSQL: cannot connect: " + (conn_ ? error_of(conn_.get()) : std::string("out of memory")));
  // Notices (e.g. "relation already exists, skipping") are not for the log.
  PQsetNoticeProcessor(conn_.get(), [](void*, const char*) {}, nullptr);
}

PgResult PgConnection::exec(const std::string& sql, const std::vector<FieldValue>& params, Planning planning) {
  std::vector<Oid> types;
  std::vector<std::string> texts;
  std::vector<const char*> values;
  types.reserve(params.size());
  texts.reserve(params.size());
  std::string key = sql;
  key += '\x1f';
  for (const auto& p : params) {
    if (auto* i = std::get_if<std::int64_t>(&p)) {
      types.push_back(kInt8);
      texts.push_back(std::to_string(*i));
      key += 'i';
    } else if (auto* d = std::get_if<double>(&p)) {
      char digits[32];
      std::snprintf(digits, sizeof digits, "%.17g", *d);
      types.push_back(kFloat8);
      texts.emplace_back(digits);
      key += 'd';
    } else if (auto* s = std::get_if<std::string>(&p)) {
      types.push_back(0);  // inferred from where it is used
      texts.push_back(*s);
      key += 's';
    } else {
      types.push_back(0);
      texts.emplace_back();
      key += 'n';
    }
  }
  for (std::size_t i = 0; i < params.size(); ++i)
    values.push_back(std::holds_alternative<std::nullptr_t>(params[i]) ? nullptr : texts[i].c_str());
  if (planning == Planning::WithValues) {  // the unnamed statement: parsed and planned for these values
    PGresult* r = PQexecParams(conn_.get(), numbered_placeholders(sql).c_str(), static_cast<int>(values.size()),
                               types.data(), values.data(), nullptr, nullptr, 0);
    check(conn_.get(), r);
    return PgResult(r);
  }
  auto it = prepared_.find(key);
  if (it == prepared_.end()) {
    // Filters make many statement texts (lists of every length): the server keeps each
    // prepared statement until the connection ends, so past a bound they all go.
    if (prepared_.size() >= kMaxPrepared) {
      exec_script("DEALLOCATE ALL");
      prepared_.clear();
    }
    std::string name = "s" + std::to_string(next_statement_++);
    PGresult* r = PQprepare(conn_.get(), name.c_str(), numbered_placeholders(sql).c_str(),
                            static_cast<int>(types.size()), types.data());
    check(conn_.get(), r);
    PQclear(r);
    it = prepared_.emplace(std::move(key), std::move(name)).first;
  }
  PGresult* r = PQexecPrepared(conn_.get(), it->second.c_str(), static_cast<int>(values.size()), values.data(), nullptr,
                               nullptr, 0);
  check(conn_.get(), r);
  return PgResult(r);
}

void PgConnection::exec_script(const std::string& sql) {
  PGresult* r = PQexec(conn_.get(), sql.c_str());
  check(conn_.get(), r);
  PQclear(r);
}

void PgConnection::set_statement_timeout(std::int64_t ms) {
  if (ms == statement_timeout_ms_) return;
  exec_script("SET statement_timeout = " + std::to_string(ms));
  statement_timeout_ms_ = ms;
}

std::string numbered_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$' + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

std::string pg_array_literal(const std::vector<FieldValue>& elements) {
  std::string out = "{";
  for (const auto& e : elements) {
    if (out.size() > 1) out += ',';
    if (std::holds_alternative<std::nullptr_t>(e)) {
      out += "NULL";
    } else if (auto* i = std::get_if<std::int64_t>(&e)) {
      out += std::to_string(*i);
    } else if (auto* d = std::get_if<double>(&e)) {
      char digits[32];
      std::snprintf(digits, sizeof digits, "%.17g", *d);
      out += digits;
    } else {
      out += '"';
      for (char c : std::get<std::string>(e)) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      out += '"';
    }
  }
  return out + "}";
}

std::string pg_path_literal(std::string_view dotted) {
  std::vector<FieldValue> segments;
  std::size_t pos = 0;
  while (pos <= dotted.size()) {
    std::size_t dot = dotted.find('.', pos);
    if (dot == std::string_view::npos) dot = dotted.size();
    segments.emplace_back(std::string(dotted.substr(pos, dot - pos)));
    pos = dot + 1;
  }
  return pg_array_literal(segments);
}

}  // namespace openem

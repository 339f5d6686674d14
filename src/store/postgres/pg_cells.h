#pragma once
// Cells of a PostgreSQL answer as the JSON values the store hands on: an indexed column's
// value (a Bool column's 0/1 as false/true, as the SQLite store reads it), a JSONB cell as the
// value it holds.
#include <boost/json.hpp>

#include "model/collection.h"
#include "store/postgres/pg_connection.h"

namespace openem::pg_cells {

inline boost::json::value column(const PgResult& r, int row, int col, const IndexedColumn* column) {
  FieldValue v = r.value(row, col);
  if (auto* i = std::get_if<std::int64_t>(&v))
    return column && column->type == ColumnType::Bool ? boost::json::value(*i != 0) : boost::json::value(*i);
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* s = std::get_if<std::string>(&v)) return boost::json::string(*s);
  return nullptr;
}

inline boost::json::value jsonb(const PgResult& r, int row, int col) {
  if (r.is_null(row, col)) return nullptr;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(r.text(row, col), ec);
  return ec ? boost::json::value(boost::json::string(r.text(row, col))) : v;
}

}  // namespace openem::pg_cells

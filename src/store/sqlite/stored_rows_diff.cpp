#include "store/sqlite/stored_rows_diff.h"

#include <algorithm>
#include <tuple>

namespace openem::stored_rows {
namespace {

// "c IS ?" compares under the column's affinity, as SQLite would convert the value when
// storing it, so equal here means the UPDATE would store the same value.
std::string compare_row_sql(const CollectionSchema& s) {
  std::string sql = "SELECT 1";
  int i = 1;
  for (const auto& c : s.columns) sql += ", " + c.column + " IS ?" + std::to_string(i++);
  if (s.has_access_set()) sql += ", access_set IS ?" + std::to_string(i++);
  return sql + " FROM " + s.table + " WHERE seq = ?" + std::to_string(i);
}

void compare_row(SqliteDb& db, const DocumentRows& rows, std::int64_t seq, Changes& out) {
  const CollectionSchema& s = *rows.schema;
  if (s.columns.empty() && !s.has_access_set()) return;
  auto st = db.prepare(compare_row_sql(s));
  int i = 1;
  for (const auto& v : rows.columns) st.bind(i++, v);
  if (s.has_access_set()) st.bind_text(i++, rows.access_set);
  st.bind_int(i, seq);
  if (!st.step()) {  // no row: everything counts as changed
    for (std::size_t c = 0; c < s.columns.size(); ++c) out.columns.push_back(c);
    out.access_set = s.has_access_set();
    return;
  }
  for (std::size_t c = 0; c < s.columns.size(); ++c)
    if (st.int64(static_cast<int>(c) + 1) != 1) out.columns.push_back(c);
  if (s.has_access_set()) out.access_set = st.int64(static_cast<int>(s.columns.size()) + 1) != 1;
}

bool same(const Statement& st, int col, const SqlParam& p) {
  switch (st.type(col)) {
    case SQLITE_NULL: return std::holds_alternative<std::nullptr_t>(p);
    case SQLITE_INTEGER: {
      auto* i = std::get_if<std::int64_t>(&p);
      return i && *i == st.int64(col);
    }
    case SQLITE_FLOAT: {
      auto* d = std::get_if<double>(&p);
      return d && *d == st.real(col);
    }
    default: {
      auto* t = std::get_if<std::string>(&p);
      return t && *t == st.text(col);
    }
  }
}

bool values_changed(SqliteDb& db, const DocumentRows& rows, std::int64_t seq) {
  SideRows wanted = rows.values;
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  auto st = db.prepare("SELECT field, value FROM " + rows.schema->table + "_values WHERE seq = ? ORDER BY field, value");
  st.bind_int(1, seq);
  std::size_t n = 0;
  for (; st.step(); ++n)  // a cached statement is reset when `st` goes, also after a break
    if (n >= wanted.size() || wanted[n].first != st.text(0) || wanted[n].second != st.text(1)) return true;
  return n != wanted.size();
}

bool leaves_changed(SqliteDb& db, const DocumentRows& rows, std::int64_t seq) {
  std::vector<const ScientificRow*> wanted;
  wanted.reserve(rows.leaves.size());
  for (const auto& l : rows.leaves) wanted.push_back(&l);
  std::sort(wanted.begin(), wanted.end(),
            [](const ScientificRow* a, const ScientificRow* b) { return std::tie(a->path, a->ord) < std::tie(b->path, b->ord); });
  // The table's primary key (seq, path, ord) gives this order without sorting.
  auto st = db.prepare("SELECT path, ord, num, num_si, unit_si, text FROM " + rows.schema->table +
                       "_sci WHERE seq = ? ORDER BY path, ord");
  st.bind_int(1, seq);
  std::size_t n = 0;
  for (; st.step(); ++n) {
    if (n >= wanted.size()) return true;
    const ScientificRow& w = *wanted[n];
    if (w.path != st.text(0) || w.ord != st.int64(1) || !same(st, 2, w.num) || !same(st, 3, w.num_si) ||
        w.unit_si != st.text(4) || !same(st, 5, w.text))
      return true;
  }
  return n != wanted.size();
}

}  // namespace

Changes compare(SqliteDb& db, const DocumentRows& rows, std::int64_t seq) {
  Changes out;
  compare_row(db, rows, seq, out);
  if (!rows.schema->array_fields.empty()) out.values = values_changed(db, rows, seq);
  if (!rows.schema->scientific_field.empty()) out.leaves = leaves_changed(db, rows, seq);
  return out;
}

std::string update_sql(const CollectionSchema& schema, const Changes& changes) {
  if (!changes.row_changed()) return "";
  std::string sets;
  for (std::size_t c : changes.columns) sets += (sets.empty() ? "" : ", ") + schema.columns[c].column + " = ?";
  if (changes.access_set) sets += (sets.empty() ? "" : ", ") + std::string("access_set = ?");
  return "UPDATE " + schema.table + " SET " + sets + " WHERE seq = ?";
}

void bind_update(Statement& st, const DocumentRows& rows, const Changes& changes, std::int64_t seq) {
  int i = 1;
  for (std::size_t c : changes.columns) st.bind(i++, rows.columns[c]);
  if (changes.access_set) st.bind_text(i++, rows.access_set);
  st.bind_int(i, seq);
}

}  // namespace openem::stored_rows

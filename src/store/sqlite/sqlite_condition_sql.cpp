#include "store/sqlite/sqlite_condition_sql.h"

#include <algorithm>

#include "store/sqlite/reader_tagged_trigrams.h"

namespace openem::sqlite_sql {
namespace {
using sql_text::append;
using sql_text::like_pattern;
using sql_text::placeholders;

const char* comparison_sql(Comparison op) {
  switch (op) {
    case Comparison::Eq: return "=";
    case Comparison::Gt: return ">";
    case Comparison::Gte: return ">=";
    case Comparison::Lt: return "<";
    case Comparison::Lte: return "<=";
  }
  return "=";
}

// `tmpl` with each "@" replaced by the SQL of the element compared.
std::string with_element(const std::string& tmpl, const std::string& expr) {
  std::string out;
  for (char c : tmpl) {
    if (c == '@') out += expr;
    else out += c;
  }
  return out;
}

// A predicate `tmpl` (over "@", one element value) on a field, wrapped for where the field
// lives. Arrays match on any element, as Mongo does; scalars are one element.
SqlFragment element_predicate(const CollectionSchema& schema, const FieldRef& ref, const std::string& tmpl,
                              const std::vector<SqlParam>& params) {
  switch (ref.kind) {
    case FieldRef::Kind::Id: return {with_element(tmpl, "t.id"), params};
    case FieldRef::Kind::Column: return {with_element(tmpl, "t." + ref.column), params};
    case FieldRef::Kind::Array: {
      SqlFragment out{"t.seq IN (SELECT v.seq FROM " + schema.table + "_values v WHERE v.field = ? AND " +
                          with_element(tmpl, "v.value") + ")",
                      {ref.field}};
      append(out.params, params);
      return out;
    }
    case FieldRef::Kind::Json: {
      // json_each yields each element of an array, a scalar as one row.
      SqlFragment out{"EXISTS (SELECT 1 FROM json_each(d.doc, ?) je WHERE " + with_element(tmpl, "je.value") + ")",
                      {json_path_for(ref.field)}};
      append(out.params, params);
      // "a.b" also looks into each object of an array a, as Mongo does ("relationships.targetId"
      // of v4 attachments); one array level, at the first segment.
      if (auto dot = ref.field.find('.'); dot != std::string::npos) {
        const std::string array_path = json_path_for(std::string_view(ref.field).substr(0, dot));
        out.sql = "(" + out.sql +
                  " OR EXISTS (SELECT 1 FROM json_each(d.doc, ?) x, json_each(x.value, ?) je WHERE json_type(d.doc, ?) = "
                  "'array' AND x.type = 'object' AND " +
                  with_element(tmpl, "je.value") + "))";
        out.params.push_back(array_path);
        out.params.push_back(json_path_for(std::string_view(ref.field).substr(dot + 1)));
        out.params.push_back(array_path);
        append(out.params, params);
      }
      return out;
    }
  }
  return {"0", {}};
}

// Missing (absent or null) or present.
SqlFragment null_check(const FieldRef& ref, bool missing) {
  const char* op = missing ? "IS NULL" : "IS NOT NULL";
  switch (ref.kind) {
    case FieldRef::Kind::Id: return {std::string("t.id ") + op, {}};
    case FieldRef::Kind::Column: return {"t." + ref.column + " " + op, {}};
    case FieldRef::Kind::Array:
    case FieldRef::Kind::Json:
      // json_type is NULL for a missing path and 'null' for an explicit null.
      return {std::string("COALESCE(json_type(d.doc, ?), 'null') ") + (missing ? "=" : "<>") + " 'null'",
              {json_path_for(ref.field)}};
  }
  return {"0", {}};
}

// One index range in the side table (the reader's groups plus kPublishedValue, which the
// store writes under "#access" for published documents), or a test of the row's own access set.
SqlFragment read_rule_sql(const CollectionSchema& schema, const ReadRule& rule) {
  if (rule.anonymous) return {"t.is_published = 1", {}};
  if (!rule.probe_key.empty()) return {"openem_readable(t.access_set, ?)", {rule.probe_key}};
  SqlFragment out{"", {std::string(kAccessField), std::string(kPublishedValue)}};
  for (const auto& g : rule.groups) out.params.push_back(g);
  const std::string values = schema.table + "_values v";
  out.sql = "t.seq IN (SELECT v.seq FROM " + values + " WHERE v.field = ? AND v.value IN (" +
            placeholders(rule.groups.size() + 1) + ")";
  if (!rule.shared_with.empty()) {
    out.sql += " UNION ALL SELECT v.seq FROM " + values + " WHERE v.field = 'sharedWith' AND v.value = ?";
    out.params.push_back(rule.shared_with);
  }
  out.sql += ")";
  return out;
}

// The characters of a UTF-8 string (the trigram tokenizer counts characters, not bytes).
std::vector<std::string_view> characters(std::string_view s) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < s.size();) {
    size_t n = 1;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0xF0) n = 4;
    else if (c >= 0xE0) n = 3;
    else if (c >= 0xC0) n = 2;
    n = std::min(n, s.size() - i);
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

// The trigrams a term is looked up by. The index keeps no positions (detail=none: a fraction
// of the size and of the write cost), so a term is looked up as trigrams that must all occur —
// every third one, plus the last, at most kMaxTrigrams of them spread over the term — and the
// candidates are confirmed by a LIKE on the stored text. Shorter terms find none.
constexpr std::size_t kMaxTrigrams = 8;

std::vector<std::string> trigrams_of(const std::string& term) {
  auto chars = characters(term);
  std::vector<std::size_t> starts;
  if (chars.size() < 3) return {};
  for (size_t i = 0; i + 3 <= chars.size(); i += 3) starts.push_back(i);
  if (chars.size() % 3 != 0) starts.push_back(chars.size() - 3);
  if (starts.size() > kMaxTrigrams) {  // first and last kept, the rest evenly between
    std::vector<std::size_t> spread;
    for (std::size_t k = 0; k < kMaxTrigrams; ++k) spread.push_back(starts[k * (starts.size() - 1) / (kMaxTrigrams - 1)]);
    starts = std::move(spread);
  }
  std::vector<std::string> out;
  for (auto i : starts) out.push_back(std::string(chars[i]) + std::string(chars[i + 1]) + std::string(chars[i + 2]));
  return out;
}

const std::vector<std::string>& everyone() {
  static const std::vector<std::string> all{std::string(reader_tagged_trigrams::kEveryone)};
  return all;
}

// A term through the text index restricted to the readers' postings, or only by the LIKE on
// the stored text (read by its seq from <t>_text, which holds nothing else) when it is
// shorter than a trigram or the form asks for a row check.
SqlFragment term_sql(const CollectionSchema& schema, const TextTerm& term, const TextForm& form) {
  SqlFragment like{"(SELECT x.search_text FROM " + schema.table + "_text x WHERE x.seq = t.seq) LIKE ? ESCAPE '\\'",
                   {like_pattern(term.text)}};
  if (form.row_check) return like;
  auto trigrams = trigrams_of(term.text);
  if (trigrams.empty()) return like;
  const auto& readers = form.readers ? *form.readers : everyone();
  return {"(t.seq IN (SELECT rowid FROM " + schema.table + "_fts WHERE " + schema.table + "_fts MATCH ?) OR t.seq IN "
          "(SELECT seq FROM " + schema.table + "_fts_pending)) AND " + like.sql,
          {reader_tagged_trigrams::match_expression(readers, trigrams), like.params.front()}};
}

// (term OR term ...) AND NOT (term OR term ...) for the positive and the negated terms.
SqlFragment text_sql(const CollectionSchema& schema, const Condition& c, const TextForm& form) {
  SqlFragment any, none;
  for (const auto& t : c.terms) {
    SqlFragment term = term_sql(schema, t, form);
    SqlFragment& target = t.negated ? none : any;
    if (!target.sql.empty()) target.sql += " OR ";
    target.sql += "(" + term.sql + ")";
    append(target.params, term.params);
  }
  SqlFragment out;
  if (!any.sql.empty()) out = {"(" + any.sql + ")", any.params};
  if (!none.sql.empty()) {
    if (!out.sql.empty()) out.sql += " AND ";
    out.sql += "NOT (" + none.sql + ")";
    append(out.params, none.params);
  }
  if (out.sql.empty()) out.sql = "1";
  return out;
}

SqlFragment joined(const CollectionSchema& schema, const std::vector<Condition>& children, const char* joiner,
                   const TextForm& text) {
  SqlFragment out;
  for (const auto& child : children) {
    SqlFragment part = condition_sql(schema, child, text);
    if (!out.sql.empty()) out.sql += joiner;
    out.sql += "(" + part.sql + ")";
    append(out.params, part.params);
  }
  return out;
}

}  // namespace

SqlFragment condition_sql(const CollectionSchema& schema, const Condition& c, const TextForm& text) {
  using Kind = Condition::Kind;
  switch (c.kind) {
    case Kind::True: return {"1", {}};
    case Kind::False: return {"0", {}};
    case Kind::And:
      if (c.children.empty()) return {"1", {}};
      return joined(schema, c.children, " AND ", text);
    case Kind::Or:
      if (c.children.empty()) return {"0", {}};
      return joined(schema, c.children, " OR ", text);
    case Kind::Not: {
      SqlFragment inner = condition_sql(schema, c.children.at(0), text);
      return {"NOT COALESCE((" + inner.sql + "), 0)", std::move(inner.params)};
    }
    case Kind::Compare:
      // A boolean as a literal: a partial index (datasets_embargo, WHERE is_published = 0)
      // serves only a query that names its constant, never a bound parameter.
      if (c.field.kind == FieldRef::Kind::Column && c.field.type == ColumnType::Bool)
        if (const auto* b = std::get_if<std::int64_t>(&c.values.at(0)); b && (*b == 0 || *b == 1))
          return {"t." + c.field.column + " " + comparison_sql(c.comparison) + (*b ? " 1" : " 0"), {}};
      return element_predicate(schema, c.field, std::string("@ ") + comparison_sql(c.comparison) + " ?", c.values);
    case Kind::OneOf:
      if (c.values.empty()) return {"0", {}};
      return element_predicate(schema, c.field, "@ IN (" + placeholders(c.values.size()) + ")", c.values);
    case Kind::Between: return element_predicate(schema, c.field, "@ BETWEEN ? AND ?", c.values);
    case Kind::Matches: return element_predicate(schema, c.field, "regexp(?, @)", {c.pattern});
    case Kind::Missing: return null_check(c.field, true);
    case Kind::Present: return null_check(c.field, false);
    case Kind::Readable: return read_rule_sql(schema, *c.read_rule);
    case Kind::Text: return text_sql(schema, c, text);
    case Kind::Scientific: return sql_text::scientific_leaf_test(schema.table, *c.scientific, "s.text LIKE ? ESCAPE '\\'");
    case Kind::DanglingReference:
      return {"NOT EXISTS (SELECT 1 FROM " + c.referenced->table + " x WHERE x.id = t." + c.field.column + ")", {}};
  }
  return {"0", {}};
}

SqlFragment where_sql(const CollectionSchema& schema, const std::vector<Condition>& conditions,
                      const std::vector<bool>& row_checked) {
  TextForm form;
  for (const auto& c : conditions)
    if (!form.readers && c.text_readers) form.readers = c.text_readers.get();
  SqlFragment out;
  for (std::size_t i = 0; i < conditions.size(); ++i) {
    if (conditions[i].is_true()) continue;
    form.row_check = i < row_checked.size() && row_checked[i];
    SqlFragment part = condition_sql(schema, conditions[i], form);
    if (!out.sql.empty()) out.sql += " AND ";
    out.sql += "(" + part.sql + ")";
    append(out.params, part.params);
  }
  if (out.sql.empty()) out.sql = "1";
  return out;
}

SqlFragment order_sql(const std::vector<SortKey>& order) {
  SqlFragment out;
  for (const auto& key : order) {
    switch (key.field.kind) {
      case FieldRef::Kind::Id: out.sql += "t.id"; break;
      case FieldRef::Kind::Column: out.sql += "t." + key.field.column; break;
      case FieldRef::Kind::Array:  // by the first element, as the document stores it
        out.sql += "json_extract(d.doc, ?)";
        out.params.push_back(json_path_for(key.field.field) + "[0]");
        break;
      case FieldRef::Kind::Json:
        out.sql += "json_extract(d.doc, ?)";
        out.params.push_back(json_path_for(key.field.field));
        break;
    }
    out.sql += key.descending ? " DESC, " : " ASC, ";
  }
  return out;
}

std::vector<std::string> text_lookups(const Condition& text, const std::vector<std::string>* readers) {
  std::vector<std::string> out;
  for (const auto& t : text.terms) {
    if (t.negated) continue;
    auto trigrams = trigrams_of(t.text);
    if (!trigrams.empty()) out.push_back(reader_tagged_trigrams::match_expression(readers ? *readers : everyone(), trigrams));
  }
  return out;
}

std::vector<std::string> lookup_trigrams(const std::string& term) { return trigrams_of(term); }

std::string json_path_for(std::string_view dotted) {
  std::string path = "$";
  size_t pos = 0;
  while (pos <= dotted.size()) {
    size_t dot = dotted.find('.', pos);
    if (dot == std::string_view::npos) dot = dotted.size();
    std::string_view seg = dotted.substr(pos, dot - pos);
    path += ".\"";
    for (char c : seg) {
      if (c == '"' || c == '\\') path += '\\';
      path += c;
    }
    path += '"';
    pos = dot + 1;
  }
  return path;
}

bool needs_doc(const std::string& sql) { return sql.find("d.doc") != std::string::npos; }

}  // namespace openem::sqlite_sql

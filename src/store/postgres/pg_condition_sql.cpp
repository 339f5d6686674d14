#include "store/postgres/pg_condition_sql.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <optional>

#include "model/access_set.h"
#include "store/postgres/pg_connection.h"

namespace openem::pg_sql {
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

// How one element of a field compares: as text (ids, text and date columns, array elements,
// JSON strings) or as a number (numeric columns, JSON numbers and booleans).
enum class ElementType { Text, Number };

std::string number_text(const FieldValue& v) {
  if (auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  char digits[32];
  std::snprintf(digits, sizeof digits, "%.15g", std::get<double>(v));  // as SQLite turns a REAL into text
  return digits;
}

std::optional<FieldValue> parsed_number(const std::string& s) {
  std::int64_t i = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
  if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return FieldValue(i);
  double d = 0;
  auto [dend, dec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (dec == std::errc() && dend == s.data() + s.size() && !s.empty()) return FieldValue(d);
  return std::nullopt;
}

bool numeric_column(const FieldRef& ref) {
  return ref.kind == FieldRef::Kind::Column &&
         (ref.type == ColumnType::Integer || ref.type == ColumnType::Real || ref.type == ColumnType::Bool);
}

// A value as the field's elements compare with it, and as which type; nullopt when no element
// can equal it (a word compared with a numeric column). Text-valued fields take numbers as
// their text, as SQLite's text affinity does.
std::optional<std::pair<FieldValue, ElementType>> operand(const FieldRef& ref, const FieldValue& v) {
  const bool is_text = std::holds_alternative<std::string>(v);
  if (std::holds_alternative<std::nullptr_t>(v)) return std::nullopt;
  if (ref.kind == FieldRef::Kind::Json)
    return std::pair{v, is_text ? ElementType::Text : ElementType::Number};
  if (numeric_column(ref)) {
    if (!is_text) return std::pair{v, ElementType::Number};
    if (auto n = parsed_number(std::get<std::string>(v))) return std::pair{*n, ElementType::Number};
    return std::nullopt;
  }
  return std::pair{is_text ? v : FieldValue(number_text(v)), ElementType::Text};
}

// The SQL of one element of `ref` as the given type, inside the element loop of its storage.
std::string element(const FieldRef& ref, ElementType type) {
  switch (ref.kind) {
    case FieldRef::Kind::Id: return "t.id";
    case FieldRef::Kind::Column: return "t." + ref.column;
    case FieldRef::Kind::Array: return "v.value";
    case FieldRef::Kind::Json:
      return type == ElementType::Text ? "openem_text(je) COLLATE \"C\"" : "openem_num(je)";
  }
  return "NULL";
}

// A predicate over the elements (`pred`, written with element()) wrapped for where the field
// lives; arrays match on any element, as Mongo does.
SqlFragment on_elements(const CollectionSchema& schema, const FieldRef& ref, const SqlFragment& pred) {
  switch (ref.kind) {
    case FieldRef::Kind::Id:
    case FieldRef::Kind::Column: return pred;
    case FieldRef::Kind::Array: {
      SqlFragment out{"t.seq IN (SELECT v.seq FROM " + schema.table + "_values v WHERE v.field = ? AND (" + pred.sql + "))",
                      {ref.field}};
      append(out.params, pred.params);
      return out;
    }
    case FieldRef::Kind::Json: {
      SqlFragment out{"EXISTS (SELECT 1 FROM openem_elements(t.doc #> ?::text[]) je WHERE " + pred.sql + ")",
                      {pg_path_literal(ref.field)}};
      append(out.params, pred.params);
      // "a.b" also looks into each object of an array a, as Mongo does; one array level.
      if (auto dot = ref.field.find('.'); dot != std::string::npos) {
        const std::string first = pg_path_literal(std::string_view(ref.field).substr(0, dot));
        out.sql = "(" + out.sql +
                  " OR EXISTS (SELECT 1 FROM openem_elements(t.doc #> ?::text[]) x, openem_elements(x #> ?::text[]) je "
                  "WHERE jsonb_typeof(t.doc #> ?::text[]) = 'array' AND jsonb_typeof(x) = 'object' AND " +
                  pred.sql + "))";
        out.params.push_back(first);
        out.params.push_back(pg_path_literal(std::string_view(ref.field).substr(dot + 1)));
        out.params.push_back(first);
        append(out.params, pred.params);
      }
      return out;
    }
  }
  return {"FALSE", {}};
}

SqlFragment compare_sql(const CollectionSchema& schema, const Condition& c) {
  const FieldValue& v = c.values.at(0);
  // A boolean as a literal, as the SQLite store writes it (a partial index names it).
  if (c.field.kind == FieldRef::Kind::Column && c.field.type == ColumnType::Bool)
    if (const auto* b = std::get_if<std::int64_t>(&v); b && (*b == 0 || *b == 1))
      return {"t." + c.field.column + " " + comparison_sql(c.comparison) + (*b ? " 1" : " 0"), {}};
  if (std::holds_alternative<std::nullptr_t>(v)) return {"FALSE", {}};  // nothing compares with null
  auto op = operand(c.field, v);
  if (!op) {
    // SQLite orders every number before every text: only "less than a word" holds.
    if (c.comparison == Comparison::Lt || c.comparison == Comparison::Lte)
      return on_elements(schema, c.field, {element(c.field, ElementType::Number) + " IS NOT NULL", {}});
    return {"FALSE", {}};
  }
  return on_elements(schema, c.field,
                     {element(c.field, op->second) + " " + comparison_sql(c.comparison) + " ?", {op->first}});
}

SqlFragment one_of_sql(const CollectionSchema& schema, const Condition& c) {
  std::vector<FieldValue> texts, numbers;
  for (const auto& v : c.values)
    if (auto op = operand(c.field, v)) (op->second == ElementType::Text ? texts : numbers).push_back(op->first);
  SqlFragment pred;
  for (auto [list, type] : {std::pair{&texts, ElementType::Text}, std::pair{&numbers, ElementType::Number}}) {
    if (list->empty()) continue;
    if (!pred.sql.empty()) pred.sql += " OR ";
    pred.sql += element(c.field, type) + " IN (" + placeholders(list->size()) + ")";
    append(pred.params, *list);
  }
  if (pred.sql.empty()) return {"FALSE", {}};
  return on_elements(schema, c.field, pred);
}

SqlFragment between_sql(const CollectionSchema& schema, const Condition& c) {
  auto low = operand(c.field, c.values.at(0)), high = operand(c.field, c.values.at(1));
  if (!low || !high || low->second != high->second) return {"FALSE", {}};
  return on_elements(schema, c.field, {element(c.field, low->second) + " BETWEEN ? AND ?", {low->first, high->first}});
}

SqlFragment matches_sql(const CollectionSchema& schema, const Condition& c) {
  std::string text;
  switch (c.field.kind) {
    case FieldRef::Kind::Json: text = "(je #>> '{}')"; break;
    case FieldRef::Kind::Column: text = numeric_column(c.field) ? "t." + c.field.column + "::text" : "t." + c.field.column; break;
    default: text = element(c.field, ElementType::Text);
  }
  return on_elements(schema, c.field, {text + " ~ ?", {c.pattern}});
}

SqlFragment null_check(const FieldRef& ref, bool missing) {
  const char* op = missing ? "IS NULL" : "IS NOT NULL";
  switch (ref.kind) {
    case FieldRef::Kind::Id: return {std::string("t.id ") + op, {}};
    case FieldRef::Kind::Column: return {"t." + ref.column + " " + op, {}};
    case FieldRef::Kind::Array:
    case FieldRef::Kind::Json:
      return {std::string("COALESCE(jsonb_typeof(t.doc #> ?::text[]), 'null') ") + (missing ? "=" : "<>") + " 'null'",
              {pg_path_literal(ref.field)}};
  }
  return {"FALSE", {}};
}

SqlFragment read_rule_sql(const CollectionSchema& schema, const ReadRule& rule) {
  if (rule.anonymous) return {"t.is_published = 1", {}};
  if (schema.has_access_set()) {
    // One in-row test (the GIN index serves it for lists): the row's access set (its members,
    // model/access_set.h) meets the reader's. The probe form is this form too.
    std::vector<FieldValue> readers{access_member_group(kPublishedValue)};
    for (const auto& g : rule.groups) readers.emplace_back(access_member_group(g));
    if (!rule.shared_with.empty() && schema.is_array_field("sharedWith"))
      readers.emplace_back(access_member_email(rule.shared_with));
    return {"t.access && ?::text[]", {pg_array_literal(readers)}};
  }
  // Without an access set: the index lookup of the readable rows in the side table.
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

// Each term a substring of the document's strings (the trigram index serves ILIKE):
// (term OR term ...) AND NOT (term OR term ...).
SqlFragment text_sql(const Condition& c) {
  SqlFragment any, none;
  for (const auto& t : c.terms) {
    SqlFragment& target = t.negated ? none : any;
    if (!target.sql.empty()) target.sql += " OR ";
    target.sql += "t.search_text ILIKE ?";
    target.params.push_back(like_pattern(t.text));
  }
  SqlFragment out;
  if (!any.sql.empty()) out = {"(" + any.sql + ")", any.params};
  if (!none.sql.empty()) {
    if (!out.sql.empty()) out.sql += " AND ";
    out.sql += "NOT COALESCE((" + none.sql + "), FALSE)";
    append(out.params, none.params);
  }
  if (out.sql.empty()) out.sql = "TRUE";
  return out;
}

SqlFragment joined(const CollectionSchema& schema, const std::vector<Condition>& children, const char* joiner) {
  SqlFragment out;
  for (const auto& child : children) {
    SqlFragment part = condition_sql(schema, child);
    if (!out.sql.empty()) out.sql += joiner;
    out.sql += "(" + part.sql + ")";
    append(out.params, part.params);
  }
  return out;
}

}  // namespace

SqlFragment condition_sql(const CollectionSchema& schema, const Condition& c) {
  using Kind = Condition::Kind;
  switch (c.kind) {
    case Kind::True: return {"TRUE", {}};
    case Kind::False: return {"FALSE", {}};
    case Kind::And:
      if (c.children.empty()) return {"TRUE", {}};
      return joined(schema, c.children, " AND ");
    case Kind::Or:
      if (c.children.empty()) return {"FALSE", {}};
      return joined(schema, c.children, " OR ");
    case Kind::Not: {
      SqlFragment inner = condition_sql(schema, c.children.at(0));
      return {"NOT COALESCE((" + inner.sql + "), FALSE)", std::move(inner.params)};
    }
    case Kind::Compare: return compare_sql(schema, c);
    case Kind::OneOf: return one_of_sql(schema, c);
    case Kind::Between: return between_sql(schema, c);
    case Kind::Matches: return matches_sql(schema, c);
    case Kind::Missing: return null_check(c.field, true);
    case Kind::Present: return null_check(c.field, false);
    case Kind::Readable: return read_rule_sql(schema, *c.read_rule);
    case Kind::Text: return text_sql(c);
    case Kind::Scientific: return sql_text::scientific_leaf_test(schema.table, *c.scientific, "s.text ILIKE ?");
    case Kind::DanglingReference:
      return {"NOT EXISTS (SELECT 1 FROM " + c.referenced->table + " x WHERE x.id = t." + c.field.column + ")", {}};
  }
  return {"FALSE", {}};
}

namespace {
// Beside a text search, scientific conditions are checks of the text's candidates (few, from
// the trigram index): the planner's estimate of a unit range over all leaves is far too low
// (a path's values are not spread like all values), so it would otherwise start from every
// matching leaf — measured 30 ms to 1.6 s instead of a few ms at 20,000 datasets.
SqlFragment candidate_check_sql(const CollectionSchema& schema, const Condition& c) {
  if (c.kind == Condition::Kind::Scientific)
    return sql_text::scientific_leaf_test(schema.table, *c.scientific, "s.text ILIKE ?", /*per_row=*/true);
  if (c.kind != Condition::Kind::And || c.children.empty()) return condition_sql(schema, c);
  SqlFragment out;
  for (const auto& child : c.children) {
    SqlFragment part = candidate_check_sql(schema, child);
    if (!out.sql.empty()) out.sql += " AND ";
    out.sql += "(" + part.sql + ")";
    append(out.params, part.params);
  }
  return out;
}
}  // namespace

SqlFragment where_sql(const CollectionSchema& schema, const std::vector<Condition>& conditions) {
  const bool text_search =
      std::any_of(conditions.begin(), conditions.end(), [](const Condition& c) { return c.kind == Condition::Kind::Text; });
  SqlFragment out;
  for (const auto& c : conditions) {
    if (c.is_true()) continue;
    SqlFragment part = text_search ? candidate_check_sql(schema, c) : condition_sql(schema, c);
    if (!out.sql.empty()) out.sql += " AND ";
    out.sql += "(" + part.sql + ")";
    append(out.params, part.params);
  }
  if (out.sql.empty()) out.sql = "TRUE";
  return out;
}

bool plan_with_values(const Condition& c) {
  switch (c.kind) {
    case Condition::Kind::Text:
    case Condition::Kind::Matches: return true;
    case Condition::Kind::Scientific:
      if (c.scientific->kind == ScientificTest::Kind::TextContains) return true;
      break;
    default: break;
  }
  return plan_with_values(c.children);
}

bool plan_with_values(const std::vector<Condition>& conditions) {
  for (const Condition& c : conditions)
    if (plan_with_values(c)) return true;
  return false;
}

SqlFragment order_sql(const std::vector<SortKey>& order) {
  SqlFragment out;
  for (const auto& key : order) {
    switch (key.field.kind) {
      case FieldRef::Kind::Id: out.sql += "t.id"; break;
      case FieldRef::Kind::Column: out.sql += "t." + key.field.column; break;
      case FieldRef::Kind::Array:  // by the first element, as the document stores it
        out.sql += "(t.doc #> ?::text[])";
        out.params.push_back(pg_path_literal(key.field.field + ".0"));
        break;
      case FieldRef::Kind::Json:
        out.sql += "(t.doc #> ?::text[])";
        out.params.push_back(pg_path_literal(key.field.field));
        break;
    }
    out.sql += key.descending ? " DESC NULLS LAST, " : " ASC NULLS FIRST, ";
  }
  return out;
}

std::string column_type(ColumnType type) {
  switch (type) {
    case ColumnType::Integer:
    case ColumnType::Bool: return "BIGINT";
    case ColumnType::Real: return "DOUBLE PRECISION";
    case ColumnType::Text:
    case ColumnType::Date: return "TEXT COLLATE \"C\"";
  }
  return "TEXT";
}

}  // namespace openem::pg_sql

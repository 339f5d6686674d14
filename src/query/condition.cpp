#include "query/condition.h"

#include <cstdio>
#include <stdexcept>

namespace openem {
namespace {

Condition with_children(Condition::Kind kind, std::vector<Condition> children) {
  Condition c;
  c.kind = kind;
  c.children = std::move(children);
  return c;
}

FieldRef indexed_field(const CollectionSchema& schema, std::string_view field) {
  FieldRef r;
  r.field = std::string(field);
  if (field == schema.id_field) {
    r.kind = FieldRef::Kind::Id;
  } else if (const auto* col = schema.column_for(field)) {
    r.kind = FieldRef::Kind::Column;
    r.column = col->column;
    r.type = col->type;
  } else if (schema.is_array_field(field)) {
    r.kind = FieldRef::Kind::Array;
  } else {
    throw std::invalid_argument(schema.name + "." + std::string(field) + " is not indexed");
  }
  return r;
}

Condition on_field(const CollectionSchema& schema, std::string_view field, Condition::Kind kind,
                   std::vector<FieldValue> values) {
  Condition c;
  c.kind = kind;
  c.field = indexed_field(schema, field);
  c.values = std::move(values);
  c.restricts = c.field.field;
  return c;
}

}  // namespace

Condition all_of(const std::vector<Condition>& conds, const std::string& except_field) {
  Condition out = with_children(Condition::Kind::And, {});
  for (const auto& c : conds) {
    if (!except_field.empty() && c.restricts == except_field) continue;
    if (!out.text_readers) out.text_readers = c.text_readers;
    if (c.is_true()) continue;
    out.children.push_back(c);
  }
  if (out.children.empty()) {
    Condition t = Condition::always_true();
    t.text_readers = out.text_readers;
    return t;
  }
  if (out.children.size() == 1) {
    // As an AND of one: it restricts no single field of its own (a facet keeps it).
    Condition only = out.children.front();
    only.restricts.clear();
    if (!only.text_readers) only.text_readers = out.text_readers;
    return only;
  }
  return out;
}

Condition any_of(std::vector<Condition> conds) {
  if (conds.empty()) return Condition::always_false();
  if (conds.size() == 1) return std::move(conds.front());
  return with_children(Condition::Kind::Or, std::move(conds));
}

Condition negation(Condition c) {
  std::vector<Condition> one;
  one.push_back(std::move(c));
  return with_children(Condition::Kind::Not, std::move(one));
}

Condition field_is(const CollectionSchema& schema, std::string_view field, FieldValue value) {
  return on_field(schema, field, Condition::Kind::Compare, {std::move(value)});
}

Condition field_compare(const CollectionSchema& schema, std::string_view field, Comparison op, FieldValue value) {
  Condition c = on_field(schema, field, Condition::Kind::Compare, {std::move(value)});
  c.comparison = op;
  return c;
}

Condition field_one_of(const CollectionSchema& schema, std::string_view field, std::vector<FieldValue> values) {
  if (values.empty()) return Condition::always_false();
  return on_field(schema, field, Condition::Kind::OneOf, std::move(values));
}

Condition field_missing(const CollectionSchema& schema, std::string_view field) {
  return on_field(schema, field, Condition::Kind::Missing, {});
}

Condition dangling_reference(const CollectionSchema& schema, std::string_view field,
                             const CollectionSchema& referenced) {
  Condition c = on_field(schema, field, Condition::Kind::DanglingReference, {});
  if (c.field.kind != FieldRef::Kind::Column) throw std::invalid_argument("a reference must be an indexed column");
  c.referenced = &referenced;
  return c;
}

namespace {
void write_value(std::string& out, const FieldValue& v) {
  if (std::holds_alternative<std::nullptr_t>(v)) out += "null";
  else if (auto* i = std::get_if<std::int64_t>(&v)) out += "i" + std::to_string(*i);
  else if (auto* d = std::get_if<double>(&v)) {
    char digits[32];
    std::snprintf(digits, sizeof digits, "d%.17g", *d);  // every bit: equal texts, equal numbers
    out += digits;
  }
  else out += "s" + std::to_string(std::get<std::string>(v).size()) + ":" + std::get<std::string>(v);
}
void write_text(std::string& out, std::string_view s) {
  out += std::to_string(s.size()) + ":";
  out += s;
}
void write_condition(std::string& out, const Condition& c) {
  out += "(" + std::to_string(static_cast<int>(c.kind));
  if (!c.field.field.empty()) write_text(out += " f", c.field.field);
  if (c.kind == Condition::Kind::Compare) out += " c" + std::to_string(static_cast<int>(c.comparison));
  for (const auto& v : c.values) write_value(out += " ", v);
  if (!c.pattern.empty()) write_text(out += " p", c.pattern);
  for (const auto& t : c.terms) write_text(out += t.negated ? " -" : " +", t.text);
  if (const auto* r = c.read_rule.get()) {
    out += r->anonymous ? " anonymous" : " groups";
    for (const auto& g : r->groups) write_text(out += " ", g);
    write_text(out += " shared", r->shared_with);
    write_text(out += " probe", r->probe_key);
  }
  if (const auto* s = c.scientific.get()) {
    out += " sci" + std::to_string(static_cast<int>(s->kind)) + (s->inclusive ? "i" : "x");
    write_text(out += " ", s->path);
    write_text(out += " ", s->text);
    if (s->low) write_value(out += " low ", *s->low);
    if (s->high) write_value(out += " high ", *s->high);
    if (s->unit_si) write_text(out += " unit ", *s->unit_si);
  }
  if (c.referenced) out += " ref " + c.referenced->name;
  for (const auto& child : c.children) write_condition(out += " ", child);
  out += ")";
}
}  // namespace

std::string canonical_text(const Condition& c) {
  std::string out;
  write_condition(out, c);
  return out;
}

SortKey sort_by(const CollectionSchema& schema, std::string_view field, bool descending) {
  FieldRef r = indexed_field(schema, field);
  if (r.kind == FieldRef::Kind::Array) throw std::invalid_argument("sorting by an array needs a filter's sort key");
  return {std::move(r), descending};
}

}  // namespace openem

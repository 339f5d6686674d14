// DocumentRows (document_rows.h): a document's rows, computed from the document alone.
#include "store/document_rows.h"

#include <boost/json.hpp>

#include <algorithm>

#include "core/time.h"
#include "core/json_path.h"
#include "model/access_set.h"
#include "model/scientific_metadata.h"
#include "query/text_search.h"
#include "store/store_errors.h"

namespace openem {
namespace json = boost::json;
namespace {

void collect_scalars(const json::value& v, std::vector<std::string>& out) {
  switch (v.kind()) {
    case json::kind::string: out.emplace_back(v.get_string()); break;
    case json::kind::array:
      for (const auto& x : v.get_array()) collect_scalars(x, out);
      break;
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
    case json::kind::bool_: out.push_back(json::serialize(v)); break;
    default: break;
  }
}

// Elements at a dotted path that may cross arrays ("techniques.name").
void collect_path(const json::value& v, std::string_view path, std::vector<std::string>& out) {
  if (path.empty()) {
    collect_scalars(v, out);
    return;
  }
  if (v.is_array()) {
    for (const auto& x : v.get_array()) collect_path(x, path, out);
    return;
  }
  if (!v.is_object()) return;
  auto dot = path.find('.');
  const json::value* child = v.get_object().if_contains(path.substr(0, dot));
  if (child) collect_path(*child, dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1), out);
}

// Elements at a dotted path of a document, without copying the document into a value.
void collect_field(const json::object& doc, std::string_view path, std::vector<std::string>& out) {
  auto dot = path.find('.');
  const json::value* child = doc.if_contains(path.substr(0, dot));
  if (child) collect_path(*child, dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1), out);
}


// What <table>_values holds under `field` for doc (duplicates are dropped by its key).
std::vector<std::string> side_values(const json::object& doc, std::string_view field) {
  std::vector<std::string> values;
  if (field == kAccessField) {
    if (auto* g = doc.if_contains("ownerGroup")) collect_scalars(*g, values);
    if (auto* g = doc.if_contains("accessGroups")) collect_scalars(*g, values);
    std::erase(values, std::string(kPublishedValue));  // "" is reserved for the marker
    if (auto* p = doc.if_contains("isPublished"); p && p->is_bool() && p->get_bool()) values.emplace_back(kPublishedValue);
  } else {
    collect_field(doc, field, values);
  }
  return values;
}

// A column's value as a facet key, exactly as reading the column back gives it.
json::value column_key(const FieldValue& p, const IndexedColumn& col) {
  if (auto* i = std::get_if<std::int64_t>(&p)) return col.type == ColumnType::Bool ? json::value(*i != 0) : json::value(*i);
  if (auto* d = std::get_if<double>(&p)) return *d;
  if (auto* t = std::get_if<std::string>(&p)) return json::string(*t);
  return nullptr;
}

// The access set from a document's side-table rows: its "#access" values and, where
// sharedWith is an array field, its sharedWith e-mails.
std::string access_set_from(const CollectionSchema& schema, const SideRows& values) {
  const bool shared = schema.is_array_field("sharedWith");
  std::vector<std::string> members;
  for (const auto& [field, value] : values) {
    if (field == kAccessField) members.push_back(access_member_group(value));
    else if (shared && field == "sharedWith") members.push_back(access_member_email(value));
  }
  return access_set_key(std::move(members));
}

}  // namespace

FieldValue column_value(const IndexedColumn& col, const json::object& doc) {
  const json::value* v = value_at_path(doc, col.field);
  if (!v || v->is_null()) return nullptr;
  switch (col.type) {
    case ColumnType::Text:
      if (v->is_string()) return std::string(v->get_string());
      return json::serialize(*v);
    case ColumnType::Date:
      if (v->is_string()) {
        if (auto iso = normalize_iso(v->get_string())) return *iso;
        return std::string(v->get_string());
      }
      return nullptr;
    case ColumnType::Integer:
      if (v->is_int64()) return v->get_int64();
      if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
      if (v->is_double()) return static_cast<std::int64_t>(v->get_double());
      return nullptr;
    case ColumnType::Real:
      if (v->is_number()) return v->to_number<double>();
      return nullptr;
    case ColumnType::Bool:
      if (v->is_bool()) return std::int64_t{v->get_bool() ? 1 : 0};
      return nullptr;
  }
  return nullptr;
}

std::string access_set_of(const CollectionSchema& schema, const json::object& doc) {
  SideRows values;
  for (std::string_view field : {kAccessField, std::string_view("sharedWith")})
    for (auto& v : side_values(doc, field)) values.emplace_back(field, std::move(v));
  return access_set_from(schema, values);
}

std::string text_readers_of(const CollectionSchema& schema, const json::object& doc) {
  if (schema.text_reader_fields.empty()) return schema.has_access_set() ? access_set_of(schema, doc) : "";
  std::vector<std::string> members;
  for (const auto& [field, space] : schema.text_reader_fields)
    if (auto* v = doc.if_contains(field); v && v->is_string()) members.push_back(space + std::string(v->get_string()));
  return access_set_key(std::move(members));
}

CountedDocument counted_document(const CollectionSchema& schema, std::string access_set,
                                 const std::vector<json::value>& column_keys, const SideRows& side) {
  CountedDocument c;
  c.access_set = std::move(access_set);
  c.values.resize(schema.counted_facets.size());
  for (std::size_t f = 0; f < schema.counted_facets.size(); ++f) {
    const std::string& field = schema.counted_facets[f];
    if (schema.column_for(field)) {
      c.values[f].push_back(column_keys[f]);
      continue;
    }
    std::vector<std::string> distinct;
    for (const auto& [sf, value] : side)
      if (sf == field) distinct.push_back(value);
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    for (auto& v : distinct) c.values[f].emplace_back(json::string(v));
  }
  return c;
}

DocumentRows document_rows(const CollectionSchema& schema, const json::object& doc) {
  DocumentRows rows;
  rows.schema = &schema;
  const json::value* id = doc.if_contains(schema.id_field);
  if (!id || !id->is_string()) throw_invalid_document(schema.id_field + " must be a string");
  rows.id = std::string(id->get_string());
  // A field computed for each reader is never kept: one stored value would be everyone's.
  if (std::any_of(schema.per_reader_fields.begin(), schema.per_reader_fields.end(),
                  [&](const std::string& f) { return doc.contains(f); })) {
    json::object kept = doc;
    for (const auto& f : schema.per_reader_fields) kept.erase(f);
    rows.json = json::serialize(kept);
  } else {
    rows.json = json::serialize(doc);
  }
  rows.columns.reserve(schema.columns.size());
  for (const auto& c : schema.columns) rows.columns.push_back(column_value(c, doc));
  if (schema.text_index) rows.search_text = search_text_for(schema, doc);
  for (const auto& field : schema.array_fields)
    for (auto& v : side_values(doc, field)) rows.values.emplace_back(field, std::move(v));
  // has_access_set() implies "#access" is an array field, so the rows hold its values.
  if (schema.has_access_set()) rows.access_set = access_set_from(schema, rows.values);
  if (schema.text_index)
    rows.text_readers = schema.text_reader_fields.empty() ? rows.access_set : text_readers_of(schema, doc);
  if (!schema.scientific_field.empty()) {
    const json::value* sm = doc.if_contains(schema.scientific_field);
    if (sm && sm->is_object()) {
      std::int64_t ord = 0;
      for (auto& leaf : index_scientific_metadata(*sm)) {
        ScientificRow r;
        r.num = leaf.number ? FieldValue(*leaf.number) : FieldValue(nullptr);
        r.num_si = leaf.value_si ? FieldValue(*leaf.value_si) : r.num;
        r.unit_si = leaf.unit_unknown ? std::move(leaf.unit) : std::move(leaf.unit_si);
        r.text = leaf.text ? FieldValue(std::move(*leaf.text)) : FieldValue(nullptr);
        r.path = std::move(leaf.path);
        r.ord = ord++;
        rows.leaves.push_back(std::move(r));
      }
    }
  }
  if (!schema.counted_facets.empty()) {
    std::vector<json::value> keys;
    for (const auto& f : schema.counted_facets) {
      const IndexedColumn* col = schema.column_for(f);
      keys.push_back(col ? column_key(rows.columns.at(col - schema.columns.data()), *col) : json::value(nullptr));
    }
    rows.counted = counted_document(schema, rows.access_set, keys, rows.values);
  }
  return rows;
}

bool rows_are_public(const DocumentRows& rows) {
  const CollectionSchema& s = *rows.schema;
  const auto& cols = s.columns;
  for (std::size_t i = 0; i < cols.size() && i < rows.columns.size(); ++i)
    if (cols[i].field == s.public_field) {
      if (s.public_values.empty()) {
        const auto* v = std::get_if<std::int64_t>(&rows.columns[i]);
        return v && *v == 1;
      }
      const auto* v = std::get_if<std::string>(&rows.columns[i]);
      return v && std::find(s.public_values.begin(), s.public_values.end(), *v) != s.public_values.end();
    }
  return false;
}

}  // namespace openem

#include "query/field_ref.h"

#include <boost/json.hpp>

#include "core/error.h"
#include "core/time.h"

namespace openem {
namespace {

// v3 clients filter datasets by the singular names of fields stored as arrays (reference §3.2).
std::string_view dataset_alias(std::string_view field) {
  if (field == "proposalId") return "proposalIds";
  if (field == "sampleId") return "sampleIds";
  if (field == "instrumentId") return "instrumentIds";
  if (field == "principalInvestigator" || field == "investigator") return "principalInvestigators";
  return field;
}

}  // namespace

void refuse_per_reader_field(const CollectionSchema& schema, std::string_view field) {
  if (!schema.is_per_reader_field(field)) return;
  std::string name(field.substr(0, field.find('.')));
  throw ApiError::bad_request(name + " is computed for each reader and cannot be used in where, order or facets");
}

FieldRef resolve_field(const CollectionSchema& schema, std::string_view field) {
  if (field.empty() || field.size() > 512) throw ApiError::bad_request("Invalid field name in filter");
  // Quotes, backslashes and control characters cannot be part of a JSON path label.
  for (unsigned char c : field)
    if (c == '"' || c == '\\' || c < 0x20) throw ApiError::bad_request("Invalid field name in filter");
  if (schema.name == "datasets") field = dataset_alias(field);
  refuse_per_reader_field(schema, field);
  FieldRef r;
  r.field = std::string(field);
  if (field == schema.id_field || field == "_id" || (field == "id" && schema.id_field == "_id")) {
    r.kind = FieldRef::Kind::Id;
    return r;
  }
  if (const auto* col = schema.column_for(field)) {
    r.kind = FieldRef::Kind::Column;
    r.column = col->column;
    r.type = col->type;
    return r;
  }
  if (schema.is_array_field(field) && field != kAccessField) {
    r.kind = FieldRef::Kind::Array;
    return r;
  }
  r.kind = FieldRef::Kind::Json;
  if (schema.is_date_field(field)) r.type = ColumnType::Date;
  return r;
}

FieldValue to_value(const FieldRef& ref, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null: return nullptr;
    case boost::json::kind::bool_: return std::int64_t{v.get_bool() ? 1 : 0};
    case boost::json::kind::int64: return v.get_int64();
    case boost::json::kind::uint64: return static_cast<double>(v.get_uint64());
    case boost::json::kind::double_: return v.get_double();
    case boost::json::kind::string: {
      std::string s(v.get_string());
      if (ref.type == ColumnType::Date) {
        if (auto iso = normalize_iso(s)) return *iso;
      }
      return s;
    }
    default: return boost::json::serialize(v);
  }
}

SortKey order_by_field(const CollectionSchema& schema, std::string_view field, bool descending) {
  return {resolve_field(schema, field), descending};
}

}  // namespace openem

#include "query/where.h"

#include <boost/json.hpp>

#include "core/error.h"
#include "query/field_ref.h"
#include "query/text_search.h"

namespace openem {
namespace json = boost::json;
namespace {

enum class Op { Eq, Ne, Gt, Gte, Lt, Lte, In, Nin, Regex, NotRegex, Exists, All, Between };

struct OpName {
  const char* name;
  Op op;
};
// Mongo names and the Loopback names upstream maps onto them (reference §3.4).
constexpr OpName kOps[] = {
    {"$eq", Op::Eq},      {"eq", Op::Eq},           {"$ne", Op::Ne},        {"neq", Op::Ne},
    {"$gt", Op::Gt},      {"gt", Op::Gt},           {"$gte", Op::Gte},      {"gte", Op::Gte},
    {"$lt", Op::Lt},      {"lt", Op::Lt},           {"$lte", Op::Lte},      {"lte", Op::Lte},
    {"$in", Op::In},      {"inq", Op::In},          {"$nin", Op::Nin},      {"nin", Op::Nin},
    {"$regex", Op::Regex}, {"like", Op::Regex},     {"ilike", Op::Regex},   {"regexp", Op::Regex},
    {"nlike", Op::NotRegex}, {"nilike", Op::NotRegex}, {"$exists", Op::Exists}, {"exists", Op::Exists},
    {"$all", Op::All},    {"between", Op::Between},
};

bool lookup_op(std::string_view name, Op& op) {
  for (const auto& o : kOps)
    if (name == o.name) {
      op = o.op;
      return true;
    }
  return false;
}

const char* sql_cmp(Op op) {
  switch (op) {
    case Op::Eq: return "=";
    case Op::Gt: return ">";
    case Op::Gte: return ">=";
    case Op::Lt: return "<";
    case Op::Lte: return "<=";
    default: return "=";
  }
}

class Translator {
 public:
  Translator(const CollectionSchema& s, const WhereLimits& l) : schema_(s), limits_(l) {}

  SqlCondition where(const json::value& w, int depth) {
    if (depth > limits_.max_depth) throw ApiError::bad_request("Filter is nested too deeply");
    if (w.is_null()) return SqlCondition::always_true();
    if (!w.is_object()) throw ApiError::bad_request("where must be an object");
    std::vector<SqlCondition> parts;
    for (const auto& [k, v] : w.as_object()) {
      std::string_view key = k;
      if (key == "and" || key == "$and") parts.push_back(combine(v, " AND ", depth));
      else if (key == "or" || key == "$or") parts.push_back(combine(v, " OR ", depth));
      else if (key == "$nor") {
        auto c = combine(v, " OR ", depth);
        c.sql = "NOT (" + c.sql + ")";
        parts.push_back(std::move(c));
      } else if (key == "$text") {
        const json::value* search = v.is_object() ? v.as_object().if_contains("$search") : nullptr;
        if (!search || !search->is_string()) throw ApiError::bad_request("$text needs a $search string");
        parts.push_back(text_condition(schema_, search->get_string()));
      } else if (!key.empty() && key[0] == '$') {
        throw ApiError::bad_request("Unsupported operator " + std::string(key));
      } else {
        parts.push_back(field(key, v, depth));
      }
    }
    return and_all(parts);
  }

  SqlCondition field(std::string_view name, const json::value& cond, int depth) {
    if (++conditions_ > limits_.max_conditions) throw ApiError::bad_request("Filter has too many conditions");
    FieldRef ref = resolve_field(schema_, name);
    SqlCondition out;
    if (cond.is_object() && is_operator_object(cond.as_object())) {
      std::vector<SqlCondition> parts;
      const auto& o = cond.as_object();
      std::string options;
      if (auto* opt = o.if_contains("$options"); opt && opt->is_string()) options = opt->get_string();
      for (const auto& [k, v] : o) {
        std::string_view key = k;
        if (key == "$options") continue;
        if (key == "$not") {
          if (depth + 1 > limits_.max_depth) throw ApiError::bad_request("Filter is nested too deeply");
          auto inner = field(name, v, depth + 1);
          parts.push_back({"NOT COALESCE((" + inner.sql + "), 0)", inner.params, ""});
          continue;
        }
        Op op;
        if (!lookup_op(key, op)) throw ApiError::bad_request("Unsupported operator " + std::string(key));
        bool insensitive = key == "ilike" || key == "nilike" || options.find('i') != std::string::npos;
        parts.push_back(apply(ref, op, v, insensitive));
      }
      out = and_all(parts);
    } else if (cond.is_array()) {
      out = apply(ref, Op::In, cond, false);  // lenient: a list means "one of"
    } else {
      out = apply(ref, Op::Eq, cond, false);
    }
    out.field = ref.field;
    return out;
  }

 private:
  static bool is_operator_object(const json::object& o) {
    if (o.empty()) return false;
    for (const auto& [k, v] : o) {
      Op op;
      if (k == "$options" || k == "$not" || lookup_op(k, op)) continue;
      if (!k.empty() && k[0] == '$') throw ApiError::bad_request("Unsupported operator " + std::string(k));
      return false;
    }
    return true;
  }

  SqlCondition combine(const json::value& v, const char* joiner, int depth) {
    if (!v.is_array()) throw ApiError::bad_request("and/or take an array of conditions");
    if (v.as_array().empty()) return SqlCondition::always_true();
    SqlCondition out{"", {}, ""};
    for (const auto& item : v.as_array()) {
      auto c = where(item, depth + 1);
      if (!out.sql.empty()) out.sql += joiner;
      out.sql += "(" + c.sql + ")";
      out.params.insert(out.params.end(), c.params.begin(), c.params.end());
    }
    return out;
  }

  // A positive predicate on one element value: `elem OP ?`, wrapped for the field's storage.
  SqlCondition element_predicate(const FieldRef& ref, const std::string& elem_sql, std::vector<SqlParam> params) {
    switch (ref.kind) {
      case FieldRef::Kind::Id: return {replace_elem(elem_sql, "t.id"), std::move(params), ""};
      case FieldRef::Kind::Column: return {replace_elem(elem_sql, "t." + ref.column), std::move(params), ""};
      case FieldRef::Kind::Array: {
        std::vector<SqlParam> p{ref.field};
        p.insert(p.end(), params.begin(), params.end());
        return {"t.seq IN (SELECT v.seq FROM " + schema_.table + "_values v WHERE v.field = ? AND " +
                    replace_elem(elem_sql, "v.value") + ")",
                std::move(p), ""};
      }
      case FieldRef::Kind::Json: {
        // json_each makes arrays match on any element, as Mongo does; scalars yield one row.
        std::vector<SqlParam> p{ref.json_path};
        p.insert(p.end(), params.begin(), params.end());
        std::string sql = "EXISTS (SELECT 1 FROM json_each(d.doc, ?) je WHERE " + replace_elem(elem_sql, "je.value") + ")";
        // "a.b" also looks into each object of an array a, as Mongo does ("relationships.targetId"
        // of v4 attachments); one array level, at the first segment.
        if (auto dot = ref.field.find('.'); dot != std::string::npos) {
          const std::string array_path = json_path_for(std::string_view(ref.field).substr(0, dot));
          sql = "(" + sql + " OR EXISTS (SELECT 1 FROM json_each(d.doc, ?) x, json_each(x.value, ?) je WHERE json_type(d.doc, ?) = 'array' AND x.type = 'object' AND " +
                replace_elem(elem_sql, "je.value") + "))";
          p.push_back(array_path);
          p.push_back(json_path_for(std::string_view(ref.field).substr(dot + 1)));
          p.push_back(array_path);
          p.insert(p.end(), params.begin(), params.end());
        }
        return {std::move(sql), std::move(p), ""};
      }
    }
    return SqlCondition::always_false();
  }

  static std::string replace_elem(const std::string& tmpl, const std::string& expr) {
    std::string out;
    size_t pos = 0, hit;
    while ((hit = tmpl.find("@", pos)) != std::string::npos) {
      out.append(tmpl, pos, hit - pos);
      out += expr;
      pos = hit + 1;
    }
    out.append(tmpl, pos, std::string::npos);
    return out;
  }

  static SqlCondition negate(SqlCondition c) {
    c.sql = "NOT COALESCE((" + c.sql + "), 0)";
    return c;
  }

  SqlCondition apply(const FieldRef& ref, Op op, const json::value& v, bool insensitive) {
    switch (op) {
      case Op::Eq:
        if (v.is_null()) return null_check(ref, true);
        return element_predicate(ref, "@ = ?", {to_param(ref, v)});
      case Op::Ne:
        if (v.is_null()) return null_check(ref, false);
        return negate(element_predicate(ref, "@ = ?", {to_param(ref, v)}));
      case Op::Gt:
      case Op::Gte:
      case Op::Lt:
      case Op::Lte:
        if (!v.is_number() && !v.is_string()) throw ApiError::bad_request("Comparison needs a number, string or date");
        return element_predicate(ref, std::string("@ ") + sql_cmp(op) + " ?", {to_param(ref, v)});
      case Op::In:
      case Op::Nin: {
        if (!v.is_array()) throw ApiError::bad_request("$in/$nin need an array");
        const auto& arr = v.as_array();
        if (arr.size() > limits_.max_list) throw ApiError::bad_request("List in filter is too long");
        bool has_null = false;
        std::vector<SqlParam> params;
        std::string placeholders;
        for (const auto& x : arr) {
          if (x.is_null()) {
            has_null = true;
            continue;
          }
          params.push_back(to_param(ref, x));
          placeholders += placeholders.empty() ? "?" : ",?";
        }
        SqlCondition c = placeholders.empty() ? SqlCondition::always_false()
                                              : element_predicate(ref, "@ IN (" + placeholders + ")", params);
        if (has_null) {
          auto n = null_check(ref, true);
          c = {"(" + c.sql + ") OR (" + n.sql + ")", c.params, ""};
          c.params.insert(c.params.end(), n.params.begin(), n.params.end());
        }
        return op == Op::In ? c : negate(std::move(c));
      }
      case Op::Regex:
      case Op::NotRegex: {
        std::string pattern;
        if (v.is_string()) pattern = v.get_string();
        else if (v.is_object() && v.as_object().if_contains("$regex") && v.as_object().at("$regex").is_string())
          pattern = v.as_object().at("$regex").get_string();
        else throw ApiError::bad_request("Regular expression must be a string");
        // "/pattern/flags" as the Loopback client libraries send it.
        if (pattern.size() >= 2 && pattern.front() == '/') {
          auto last = pattern.rfind('/');
          if (last > 0) {
            if (pattern.find('i', last) != std::string::npos) insensitive = true;
            pattern = pattern.substr(1, last - 1);
          }
        }
        if (pattern.size() > limits_.max_regex) throw ApiError::bad_request("Regular expression is too long");
        if (insensitive) pattern = "(?i)" + pattern;
        auto c = element_predicate(ref, "regexp(?, @)", {pattern});
        return op == Op::Regex ? c : negate(std::move(c));
      }
      case Op::Exists: {
        bool want = v.is_bool() ? v.get_bool() : !(v.is_number() && v.to_number<double>() == 0);
        return null_check(ref, !want);
      }
      case Op::All: {
        if (!v.is_array()) throw ApiError::bad_request("$all needs an array");
        if (v.as_array().size() > limits_.max_list) throw ApiError::bad_request("List in filter is too long");
        std::vector<SqlCondition> parts;
        for (const auto& x : v.as_array()) parts.push_back(element_predicate(ref, "@ = ?", {to_param(ref, x)}));
        return and_all(parts);
      }
      case Op::Between: {
        if (!v.is_array() || v.as_array().size() != 2) throw ApiError::bad_request("between needs [low, high]");
        return element_predicate(ref, "@ BETWEEN ? AND ?",
                                 {to_param(ref, v.as_array()[0]), to_param(ref, v.as_array()[1])});
      }
    }
    return SqlCondition::always_false();
  }

  // is_null: missing or null (Mongo {f: null}); otherwise present and not null.
  SqlCondition null_check(const FieldRef& ref, bool is_null) {
    const char* op = is_null ? "IS NULL" : "IS NOT NULL";
    switch (ref.kind) {
      case FieldRef::Kind::Id: return {std::string("t.id ") + op, {}, ""};
      case FieldRef::Kind::Column: return {"t." + ref.column + " " + op, {}, ""};
      case FieldRef::Kind::Array:
      case FieldRef::Kind::Json: {
        std::string path = ref.kind == FieldRef::Kind::Json ? ref.json_path : json_path_for(ref.field);
        // json_type is NULL for a missing path and 'null' for an explicit null.
        if (is_null) return {"COALESCE(json_type(d.doc, ?), 'null') = 'null'", {path}, ""};
        return {"COALESCE(json_type(d.doc, ?), 'null') <> 'null'", {path}, ""};
      }
    }
    return SqlCondition::always_false();
  }

  const CollectionSchema& schema_;
  const WhereLimits& limits_;
  int conditions_ = 0;
};

}  // namespace

SqlCondition translate_where(const CollectionSchema& schema, const json::value& where, const WhereLimits& limits) {
  Translator t(schema, limits);
  return t.where(where, 0);
}

SqlCondition translate_field_condition(const CollectionSchema& schema, std::string_view field,
                                       const json::value& condition, const WhereLimits& limits) {
  Translator t(schema, limits);
  return t.field(field, condition, 0);
}

}  // namespace openem

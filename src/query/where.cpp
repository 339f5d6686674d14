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

Comparison comparison_of(Op op) {
  switch (op) {
    case Op::Gt: return Comparison::Gt;
    case Op::Gte: return Comparison::Gte;
    case Op::Lt: return Comparison::Lt;
    case Op::Lte: return Comparison::Lte;
    default: return Comparison::Eq;
  }
}

class Translator {
 public:
  Translator(const CollectionSchema& s, const WhereLimits& l) : schema_(s), limits_(l) {}

  Condition where(const json::value& w, int depth) {
    if (depth > limits_.max_depth) throw ApiError::bad_request("Filter is nested too deeply");
    if (w.is_null()) return Condition::always_true();
    if (!w.is_object()) throw ApiError::bad_request("where must be an object");
    std::vector<Condition> parts;
    for (const auto& [k, v] : w.as_object()) {
      std::string_view key = k;
      if (key == "and" || key == "$and") parts.push_back(combine(v, Condition::Kind::And, depth));
      else if (key == "or" || key == "$or") parts.push_back(combine(v, Condition::Kind::Or, depth));
      else if (key == "$nor") parts.push_back(negation(combine(v, Condition::Kind::Or, depth)));
      else if (key == "$text") {
        const json::value* search = v.is_object() ? v.as_object().if_contains("$search") : nullptr;
        if (!search || !search->is_string()) throw ApiError::bad_request("$text needs a $search string");
        parts.push_back(text_condition(schema_, search->get_string()));
      } else if (!key.empty() && key[0] == '$') {
        throw ApiError::bad_request("Unsupported operator " + std::string(key));
      } else {
        parts.push_back(field(key, v, depth));
      }
    }
    return all_of(parts);
  }

  Condition field(std::string_view name, const json::value& cond, int depth) {
    if (++conditions_ > limits_.max_conditions) throw ApiError::bad_request("Filter has too many conditions");
    FieldRef ref = resolve_field(schema_, name);
    Condition out;
    if (cond.is_object() && is_operator_object(cond.as_object())) {
      std::vector<Condition> parts;
      const auto& o = cond.as_object();
      std::string options;
      if (auto* opt = o.if_contains("$options"); opt && opt->is_string()) options = opt->get_string();
      for (const auto& [k, v] : o) {
        std::string_view key = k;
        if (key == "$options") continue;
        if (key == "$not") {
          if (depth + 1 > limits_.max_depth) throw ApiError::bad_request("Filter is nested too deeply");
          parts.push_back(negation(field(name, v, depth + 1)));
          continue;
        }
        Op op;
        if (!lookup_op(key, op)) throw ApiError::bad_request("Unsupported operator " + std::string(key));
        bool insensitive = key == "ilike" || key == "nilike" || options.find('i') != std::string::npos;
        parts.push_back(apply(ref, op, v, insensitive));
      }
      out = all_of(parts);
    } else if (cond.is_array()) {
      out = apply(ref, Op::In, cond, false);  // lenient: a list means "one of"
    } else {
      out = apply(ref, Op::Eq, cond, false);
    }
    out.restricts = ref.field;
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

  Condition combine(const json::value& v, Condition::Kind kind, int depth) {
    if (!v.is_array()) throw ApiError::bad_request("and/or take an array of conditions");
    if (v.as_array().empty()) return Condition::always_true();
    std::vector<Condition> parts;
    for (const auto& item : v.as_array()) parts.push_back(where(item, depth + 1));
    return kind == Condition::Kind::And ? all_of(parts) : any_of(std::move(parts));
  }

  static Condition on(const FieldRef& ref, Condition::Kind kind, std::vector<FieldValue> values) {
    Condition c;
    c.kind = kind;
    c.field = ref;
    c.values = std::move(values);
    return c;
  }

  Condition apply(const FieldRef& ref, Op op, const json::value& v, bool insensitive) {
    switch (op) {
      case Op::Eq:
        if (v.is_null()) return on(ref, Condition::Kind::Missing, {});
        return on(ref, Condition::Kind::Compare, {to_value(ref, v)});
      case Op::Ne:
        if (v.is_null()) return on(ref, Condition::Kind::Present, {});
        return negation(on(ref, Condition::Kind::Compare, {to_value(ref, v)}));
      case Op::Gt:
      case Op::Gte:
      case Op::Lt:
      case Op::Lte: {
        if (!v.is_number() && !v.is_string()) throw ApiError::bad_request("Comparison needs a number, string or date");
        Condition c = on(ref, Condition::Kind::Compare, {to_value(ref, v)});
        c.comparison = comparison_of(op);
        return c;
      }
      case Op::In:
      case Op::Nin: {
        if (!v.is_array()) throw ApiError::bad_request("$in/$nin need an array");
        const auto& arr = v.as_array();
        if (arr.size() > limits_.max_list) throw ApiError::bad_request("List in filter is too long");
        bool has_null = false;
        std::vector<FieldValue> values;
        for (const auto& x : arr) {
          if (x.is_null()) has_null = true;
          else values.push_back(to_value(ref, x));
        }
        std::vector<Condition> any;
        if (!values.empty()) any.push_back(on(ref, Condition::Kind::OneOf, std::move(values)));
        if (has_null) any.push_back(on(ref, Condition::Kind::Missing, {}));
        Condition c = any_of(std::move(any));
        return op == Op::In ? c : negation(std::move(c));
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
        Condition c = on(ref, Condition::Kind::Matches, {});
        c.pattern = std::move(pattern);
        return op == Op::Regex ? c : negation(std::move(c));
      }
      case Op::Exists: {
        bool want = v.is_bool() ? v.get_bool() : !(v.is_number() && v.to_number<double>() == 0);
        return on(ref, want ? Condition::Kind::Present : Condition::Kind::Missing, {});
      }
      case Op::All: {
        if (!v.is_array()) throw ApiError::bad_request("$all needs an array");
        if (v.as_array().size() > limits_.max_list) throw ApiError::bad_request("List in filter is too long");
        std::vector<Condition> parts;
        for (const auto& x : v.as_array()) parts.push_back(on(ref, Condition::Kind::Compare, {to_value(ref, x)}));
        return all_of(parts);
      }
      case Op::Between: {
        if (!v.is_array() || v.as_array().size() != 2) throw ApiError::bad_request("between needs [low, high]");
        return on(ref, Condition::Kind::Between, {to_value(ref, v.as_array()[0]), to_value(ref, v.as_array()[1])});
      }
    }
    return Condition::always_false();
  }

  const CollectionSchema& schema_;
  const WhereLimits& limits_;
  int conditions_ = 0;
};

}  // namespace

Condition translate_where(const CollectionSchema& schema, const json::value& where, const WhereLimits& limits) {
  Translator t(schema, limits);
  return t.where(where, 0);
}

Condition translate_field_condition(const CollectionSchema& schema, std::string_view field,
                                       const json::value& condition, const WhereLimits& limits) {
  Translator t(schema, limits);
  return t.field(field, condition, 0);
}

}  // namespace openem

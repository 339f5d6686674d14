#include "store/document_match.h"

#include <algorithm>

#include "model/access_set.h"

namespace openem {
namespace {

using Kind = Condition::Kind;

// The values the document holds at `ref`: one for the id or a column (none when null), the
// elements for an array field; nullopt when it is stored nowhere this can see.
std::optional<std::vector<FieldValue>> values_at(const DocumentRows& rows, const FieldRef& ref) {
  std::vector<FieldValue> out;
  switch (ref.kind) {
    case FieldRef::Kind::Id: out.emplace_back(rows.id); return out;
    case FieldRef::Kind::Column:
      for (std::size_t i = 0; i < rows.schema->columns.size(); ++i)
        if (rows.schema->columns[i].column == ref.column) {
          if (!std::holds_alternative<std::nullptr_t>(rows.columns[i])) out.push_back(rows.columns[i]);
          return out;
        }
      return std::nullopt;
    case FieldRef::Kind::Array:
      for (const auto& [field, value] : rows.values)
        if (field == ref.field) out.emplace_back(value);
      return out;
    case FieldRef::Kind::Json: return std::nullopt;
  }
  return std::nullopt;
}

// a <=> b as SQL compares them: numbers with numbers, texts with texts; nullopt otherwise.
std::optional<int> compared(const FieldValue& a, const FieldValue& b) {
  auto number = [](const FieldValue& v) -> std::optional<double> {
    if (auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
    if (auto* d = std::get_if<double>(&v)) return *d;
    return std::nullopt;
  };
  if (auto x = number(a), y = number(b); x && y) return (*x > *y) - (*x < *y);
  auto* s = std::get_if<std::string>(&a);
  auto* t = std::get_if<std::string>(&b);
  if (s && t) return s->compare(*t) < 0 ? -1 : (s->compare(*t) > 0 ? 1 : 0);
  return std::nullopt;
}

bool holds(Comparison op, int order) {
  switch (op) {
    case Comparison::Eq: return order == 0;
    case Comparison::Gt: return order > 0;
    case Comparison::Gte: return order >= 0;
    case Comparison::Lt: return order < 0;
    case Comparison::Lte: return order <= 0;
  }
  return false;
}

DocumentMatch of(bool b) { return b ? DocumentMatch::Yes : DocumentMatch::No; }

DocumentMatch readable(const DocumentRows& rows, const ReadRule& rule) {
  std::vector<std::string> readers{access_member_group(kPublishedValue)};
  if (!rule.anonymous) {
    for (const auto& g : rule.groups) readers.push_back(access_member_group(g));
    if (!rule.shared_with.empty()) readers.push_back(access_member_email(rule.shared_with));
  }
  if (rows.schema->has_access_set()) {
    std::sort(readers.begin(), readers.end());
    return of(access_set_meets(rows.access_set, std::vector<std::string_view>(readers.begin(), readers.end())));
  }
  for (const auto& [field, value] : rows.values) {
    if (field == kAccessField && std::find(readers.begin(), readers.end(), access_member_group(value)) != readers.end())
      return DocumentMatch::Yes;
    if (!rule.anonymous && field == "sharedWith" && !rule.shared_with.empty() && value == rule.shared_with)
      return DocumentMatch::Yes;
  }
  return DocumentMatch::No;
}

}  // namespace

DocumentMatch document_matches(const DocumentRows& rows, const Condition& c) {
  switch (c.kind) {
    case Kind::True: return DocumentMatch::Yes;
    case Kind::False: return DocumentMatch::No;
    case Kind::And:
    case Kind::Or: {
      const DocumentMatch decisive = c.kind == Kind::And ? DocumentMatch::No : DocumentMatch::Yes;
      bool unknown = false;
      for (const auto& child : c.children) {
        DocumentMatch m = document_matches(rows, child);
        if (m == decisive) return decisive;
        unknown = unknown || m == DocumentMatch::Unknown;
      }
      if (unknown) return DocumentMatch::Unknown;
      return c.kind == Kind::And ? DocumentMatch::Yes : DocumentMatch::No;
    }
    case Kind::Not: {
      DocumentMatch m = document_matches(rows, c.children.at(0));
      if (m == DocumentMatch::Unknown) return m;
      return of(m == DocumentMatch::No);
    }
    case Kind::Compare:
    case Kind::OneOf:
    case Kind::Between: {
      auto values = values_at(rows, c.field);
      if (!values) return DocumentMatch::Unknown;
      for (const auto& v : *values) {
        if (c.kind == Kind::Compare) {
          auto order = compared(v, c.values.at(0));
          if (order && holds(c.comparison, *order)) return DocumentMatch::Yes;
        } else if (c.kind == Kind::OneOf) {
          for (const auto& w : c.values)
            if (auto order = compared(v, w); order && *order == 0) return DocumentMatch::Yes;
        } else {
          auto low = compared(v, c.values.at(0)), high = compared(v, c.values.at(1));
          if (low && high && *low >= 0 && *high <= 0) return DocumentMatch::Yes;
        }
      }
      return DocumentMatch::No;
    }
    case Kind::Missing:
    case Kind::Present: {
      auto values = values_at(rows, c.field);
      if (!values) return DocumentMatch::Unknown;
      return of(values->empty() == (c.kind == Kind::Missing));
    }
    case Kind::Readable: return readable(rows, *c.read_rule);
    case Kind::Matches:
    case Kind::Text:
    case Kind::Scientific:
    case Kind::DanglingReference: return DocumentMatch::Unknown;
  }
  return DocumentMatch::Unknown;
}

}  // namespace openem

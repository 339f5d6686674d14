#include "query/text_search.h"

#include <boost/json.hpp>

#include <vector>

#include "core/error.h"

namespace openem {
namespace json = boost::json;
namespace {

constexpr size_t kMaxSearchText = 64 * 1024;
constexpr size_t kMaxStringIndexed = 4096;  // longer strings are blobs, not words

void collect(const json::value& v, std::string& out, int depth) {
  if (out.size() >= kMaxSearchText || depth > 32) return;
  switch (v.kind()) {
    case json::kind::string: {
      std::string_view s = v.get_string();
      if (s.size() > kMaxStringIndexed || s.rfind("data:", 0) == 0) return;
      out.append(s);
      out.push_back('\n');
      break;
    }
    case json::kind::array:
      for (const auto& x : v.get_array()) collect(x, out, depth + 1);
      break;
    case json::kind::object:
      for (const auto& [k, x] : v.get_object()) collect(x, out, depth + 1);
      break;
    default: break;
  }
}

std::vector<TextTerm> split_terms(std::string_view text) {
  std::vector<TextTerm> terms;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i >= text.size()) break;
    TextTerm t;
    if (text[i] == '-' && i + 1 < text.size() && !std::isspace(static_cast<unsigned char>(text[i + 1]))) {
      t.negated = true;
      ++i;
    }
    if (text[i] == '"') {
      size_t end = text.find('"', i + 1);
      if (end == std::string_view::npos) end = text.size();
      t.text = std::string(text.substr(i + 1, end - i - 1));
      i = end + 1;
    } else {
      size_t end = i;
      while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
      t.text = std::string(text.substr(i, end - i));
      i = end;
    }
    if (!t.text.empty()) terms.push_back(std::move(t));
  }
  return terms;
}

}  // namespace

Condition text_condition(const CollectionSchema& schema, std::string_view text) {
  if (!schema.text_index) throw ApiError::bad_request("Text search is not available for " + schema.name);
  if (text.size() > 1000) throw ApiError::bad_request("Search text is too long");
  Condition c;
  c.terms = split_terms(text);
  if (c.terms.size() > 32) throw ApiError::bad_request("Search text has too many terms");
  if (!c.terms.empty()) c.kind = Condition::Kind::Text;
  c.restricts = "text";
  return c;
}

std::string search_text_for(const CollectionSchema& schema, const json::object& doc) {
  std::string out;
  for (const auto& [k, v] : doc) {
    if (schema.text_excluded.count(std::string_view(k))) continue;
    collect(v, out, 0);
  }
  if (out.size() > kMaxSearchText) out.resize(kMaxSearchText);
  return out;
}

}  // namespace openem

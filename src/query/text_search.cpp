#include "query/text_search.h"

#include <boost/json.hpp>

#include <algorithm>
#include <functional>
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

struct Term {
  std::string text;
  bool negated = false;
};

std::vector<Term> split_terms(std::string_view text) {
  std::vector<Term> terms;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i >= text.size()) break;
    Term t;
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

std::string like_escape(const std::string& s) {
  std::string out = "%";
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
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

// The stored text is read by its seq (a lookup in <t>_text, which holds nothing else).
SqlCondition like_condition(const CollectionSchema& schema, const Term& t) {
  return {"(SELECT x.search_text FROM " + schema.table + "_text x WHERE x.seq = t.seq) LIKE ? ESCAPE '\\'",
          {like_escape(t.text)},
          ""};
}

// The trigrams a term is looked up by. The index keeps no positions (detail=none: a fraction
// of the size and of the write cost), so a term is looked up as trigrams that must all occur —
// every third one, plus the last, at most kMaxTrigrams of them spread over the term — and the
// candidates are confirmed by a LIKE on the stored text. Shorter terms find none.
constexpr std::size_t kMaxTrigrams = 8;

std::vector<std::string> lookup_trigrams(const std::string& term) {
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

// A term through the text index (the store restricts the lookup to the reader's rows), or
// only by the LIKE when it is shorter than a trigram. `match` receives the lookup.
SqlCondition term_condition(const CollectionSchema& schema, const Term& t, TextMatch& match) {
  SqlCondition like = like_condition(schema, t);
  match.trigrams = lookup_trigrams(t.text);
  if (match.trigrams.empty()) return like;
  return {"(t.seq IN (SELECT rowid FROM " + schema.table + "_fts WHERE " + schema.table + "_fts MATCH ?) OR t.seq IN "
          "(SELECT seq FROM " + schema.table + "_fts_pending)) AND " + like.sql,
          {match, like.params.front()}, ""};
}

}  // namespace

SqlCondition text_condition(const CollectionSchema& schema, std::string_view text) {
  if (!schema.text_index) throw ApiError::bad_request("Text search is not available for " + schema.name);
  if (text.size() > 1000) throw ApiError::bad_request("Search text is too long");
  auto terms = split_terms(text);
  if (terms.size() > 32) throw ApiError::bad_request("Search text has too many terms");
  // Both forms have the same shape: (term OR term ...) AND NOT (term OR term ...).
  auto combine = [&](const std::function<SqlCondition(const Term&)>& term) {
    SqlCondition any{"", {}, "text"};
    SqlCondition none{"", {}, "text"};
    for (const auto& t : terms) {
      auto c = term(t);
      SqlCondition& target = t.negated ? none : any;
      if (!target.sql.empty()) target.sql += " OR ";
      target.sql += "(" + c.sql + ")";
      target.params.insert(target.params.end(), c.params.begin(), c.params.end());
    }
    SqlCondition out{"", {}, "text"};
    if (!any.sql.empty()) {
      out.sql = "(" + any.sql + ")";
      out.params = any.params;
    }
    if (!none.sql.empty()) {
      if (!out.sql.empty()) out.sql += " AND ";
      out.sql += "NOT (" + none.sql + ")";
      out.params.insert(out.params.end(), none.params.begin(), none.params.end());
    }
    if (out.sql.empty()) out.sql = "1";
    return out;
  };
  std::vector<TextMatch> probes;
  SqlCondition out = combine([&](const Term& t) {
    TextMatch match;
    SqlCondition c = term_condition(schema, t, match);
    if (!t.negated && !match.trigrams.empty()) probes.push_back(match);
    return c;
  });
  if (!probes.empty()) {
    out.row_check = std::make_shared<const SqlCondition>(combine([&](const Term& t) { return like_condition(schema, t); }));
    out.text_probes = std::move(probes);
  }
  return out;
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

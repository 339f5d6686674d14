#include "store/sqlite/reader_tagged_trigrams.h"

#include <algorithm>
#include <charconv>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

#include "model/access_set.h"

namespace openem::reader_tagged_trigrams {
namespace {

// "<bytes>:<member>", the front of every token of that member.
std::string prefix_of(std::string_view member) { return std::to_string(member.size()) + ":" + std::string(member); }

// Splits "<bytes>:<part><rest>" into part and rest; nullopt when malformed.
std::optional<std::pair<std::string_view, std::string_view>> split_prefixed(std::string_view s) {
  std::size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 9) return std::nullopt;
  std::size_t bytes = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + colon, bytes);
  if (ec != std::errc() || end != s.data() + colon || bytes > s.size() - colon - 1) return std::nullopt;
  return std::pair{s.substr(colon + 1, bytes), s.substr(colon + 1 + bytes)};
}

using TokenCallback = int (*)(void*, int, const char*, int, int, int);

struct Tokenizer {
  fts5_tokenizer inner{};
  Fts5Tokenizer* inner_instance = nullptr;
};

// The distinct trigrams of a row's text, as the inner tokenizer folds them.
int collect_trigram(void* p, int, const char* token, int bytes, int, int) {
  try {  // called from C: no exception may leave
    static_cast<std::vector<std::string>*>(p)->emplace_back(token, static_cast<std::size_t>(bytes));
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

// A query phrase: its one trigram with the member's prefix.
struct PhraseEmitter {
  void* ctx;
  TokenCallback emit;
  std::string prefix;
};

int emit_phrase_token(void* p, int flags, const char* token, int bytes, int start, int end) {
  auto* e = static_cast<PhraseEmitter*>(p);
  std::string tagged;
  try {
    tagged = e->prefix + std::string(token, static_cast<std::size_t>(bytes));
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  }
  return e->emit(e->ctx, flags, tagged.data(), static_cast<int>(tagged.size()), start, end);
}

int create(void* api_ptr, const char** args, int arg_count, Fts5Tokenizer** out) {
  auto* api = static_cast<fts5_api*>(api_ptr);
  auto t = std::make_unique<Tokenizer>();
  void* inner_data = nullptr;
  int rc = api->xFindTokenizer(api, "trigram", &inner_data, &t->inner);
  if (rc != SQLITE_OK) return rc;
  rc = t->inner.xCreate(inner_data, args, arg_count, &t->inner_instance);
  if (rc != SQLITE_OK) return rc;
  *out = reinterpret_cast<Fts5Tokenizer*>(t.release());
  return SQLITE_OK;
}

void destroy(Fts5Tokenizer* p) {
  auto* t = reinterpret_cast<Tokenizer*>(p);
  if (t->inner_instance) t->inner.xDelete(t->inner_instance);
  delete t;
}

int tokenize_tagged(Fts5Tokenizer* p, void* ctx, int flags, const char* text, int bytes, TokenCallback emit) {
  auto* t = reinterpret_cast<Tokenizer*>(p);
  std::string_view all(text ? text : "", static_cast<std::size_t>(bytes > 0 ? bytes : 0));
  auto parts = split_prefixed(all);
  if (flags & FTS5_TOKENIZE_QUERY) {
    // A phrase of ours names one member; anything else matches nothing (no tokens).
    if (!parts) return SQLITE_OK;
    PhraseEmitter e{ctx, emit, prefix_of(parts->first)};
    return t->inner.xTokenize(t->inner_instance, &e, flags, parts->second.data(),
                              static_cast<int>(parts->second.size()), emit_phrase_token);
  }
  std::vector<std::string> prefixes{prefix_of(kEveryone)};
  std::string_view body = all;
  if (parts) {  // a row without its header (never written so) is found by kEveryone only
    for (auto member : access_set_members(parts->first)) prefixes.push_back(prefix_of(member));
    body = parts->second;
  }
  // Each distinct trigram once per reader: the index keeps no positions (detail=none), so
  // repeats would only cost hash lookups, (readers + 1) times each.
  std::vector<std::string> trigrams;
  int rc = t->inner.xTokenize(t->inner_instance, &trigrams, flags, body.data(), static_cast<int>(body.size()),
                              collect_trigram);
  if (rc != SQLITE_OK) return rc;
  std::sort(trigrams.begin(), trigrams.end());
  trigrams.erase(std::unique(trigrams.begin(), trigrams.end()), trigrams.end());
  std::string token;
  for (const auto& prefix : prefixes)
    for (const auto& trigram : trigrams) {
      token.assign(prefix).append(trigram);
      rc = emit(ctx, 0, token.data(), static_cast<int>(token.size()), 0, 0);
      if (rc != SQLITE_OK) return rc;
    }
  return SQLITE_OK;
}

int tokenize(Fts5Tokenizer* p, void* ctx, int flags, const char* text, int bytes, TokenCallback emit) {
  try {  // called from C: no exception may leave
    return tokenize_tagged(p, ctx, flags, text, bytes, emit);
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  }
}

std::string fts_quote(std::string_view s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

}  // namespace

void register_tokenizer(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, nullptr) != SQLITE_OK)
    throw std::runtime_error("SQLite has no FTS5");
  sqlite3_bind_pointer(st, 1, &api, "fts5_api_ptr", nullptr);
  sqlite3_step(st);
  sqlite3_finalize(st);
  if (!api) throw std::runtime_error("SQLite has no FTS5");
  static fts5_tokenizer tokenizer{create, destroy, tokenize};
  if (api->xCreateTokenizer(api, kTokenizerName, api, &tokenizer, nullptr) != SQLITE_OK)
    throw std::runtime_error("cannot register the text index tokenizer");
}

std::string match_expression(const std::vector<std::string>& readers, const std::vector<std::string>& trigrams) {
  std::string out;
  for (const auto& reader : readers) {
    std::string prefix = prefix_of(reader), all;
    for (const auto& trigram : trigrams) all += (all.empty() ? "" : " AND ") + fts_quote(prefix + trigram);
    if (all.empty()) continue;
    out += (out.empty() ? "(" : " OR (") + all + ")";
  }
  return out.empty() ? fts_quote("0:") : out;  // a phrase without a trigram matches nothing
}

std::string index_text_sql(const std::string& row) {
  const std::string readers = "COALESCE(" + row + ".readers, '')";
  return "length(CAST(" + readers + " AS BLOB)) || ':' || " + readers + " || COALESCE(" + row + ".search_text, '')";
}

}  // namespace openem::reader_tagged_trigrams

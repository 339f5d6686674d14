#include "store/sqlite/reader_tagged_trigrams.h"

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

// What each trigram of the inner tokenizer becomes: one token per prefix, at one position.
struct Emitter {
  void* ctx;
  TokenCallback emit;
  const std::vector<std::string>* prefixes;
  int offset;       // bytes before the text the inner tokenizer reads (the header)
  std::string buf;  // reused: a token is written here before FTS5 copies it
};

int emit_tagged(void* p, int flags, const char* token, int bytes, int start, int end) {
  auto* e = static_cast<Emitter*>(p);
  bool first = true;
  for (const auto& prefix : *e->prefixes) {
    try {  // called from C: no exception may leave
      e->buf.assign(prefix).append(token, static_cast<std::size_t>(bytes));
    } catch (const std::bad_alloc&) {
      return SQLITE_NOMEM;
    }
    int rc = e->emit(e->ctx, first ? flags : (flags | FTS5_TOKEN_COLOCATED), e->buf.data(),
                     static_cast<int>(e->buf.size()), start + e->offset, end + e->offset);
    if (rc != SQLITE_OK) return rc;
    first = false;
  }
  return SQLITE_OK;
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
  std::vector<std::string> prefixes;
  std::string_view body = all;
  if (flags & FTS5_TOKENIZE_QUERY) {
    // A phrase of ours names one member; anything else matches nothing (no tokens).
    if (!parts) return SQLITE_OK;
    prefixes.push_back(prefix_of(parts->first));
    body = parts->second;
  } else {
    prefixes.push_back(prefix_of(kEveryone));
    if (parts) {  // a row without its header (never written so) is found by kEveryone only
      for (auto member : access_set_members(parts->first)) prefixes.push_back(prefix_of(member));
      body = parts->second;
    }
  }
  Emitter e{ctx, emit, &prefixes, static_cast<int>(all.size() - body.size()), {}};
  return t->inner.xTokenize(t->inner_instance, &e, flags, body.data(), static_cast<int>(body.size()), emit_tagged);
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

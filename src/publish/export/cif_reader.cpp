#include "publish/export/cif_reader.h"

#include <algorithm>
#include <cctype>

namespace openem::cif {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool same_tag(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

bool starts_with_keyword(std::string_view word, std::string_view keyword) {
  if (word.size() < keyword.size()) return false;
  for (std::size_t i = 0; i < keyword.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(word[i])) != keyword[i]) return false;
  }
  return true;
}

struct Token {
  enum Kind { kWord, kQuoted, kTextField, kEnd } kind = kEnd;
  std::string_view text;
  std::size_t begin = 0, end = 0, line = 0;
};

// Splits CIF text into words, quoted strings and text fields; comments are skipped.
class Tokenizer {
 public:
  explicit Tokenizer(std::string_view text) : text_(text) {}

  // nullopt-free: a syntax error sets error_ and returns kEnd.
  Token next() {
    skip_space_and_comments();
    Token t;
    t.line = line_;
    t.begin = pos_;
    if (pos_ >= text_.size()) return t;
    char c = text_[pos_];
    if (c == ';' && at_line_start()) return text_field(t);
    if (c == '\'' || c == '"') return quoted(t, c);
    std::size_t start = pos_;
    while (pos_ < text_.size() && !is_space(text_[pos_])) ++pos_;
    t.kind = Token::kWord;
    t.text = text_.substr(start, pos_ - start);
    t.end = pos_;
    return t;
  }

  const std::string& error() const { return error_; }
  std::size_t line() const { return line_; }

 private:
  bool at_line_start() const { return pos_ == 0 || text_[pos_ - 1] == '\n' || text_[pos_ - 1] == '\r'; }

  void skip_space_and_comments() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
      } else if (is_space(c)) {
        ++pos_;
      } else if (c == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else {
        break;
      }
    }
  }

  Token quoted(Token t, char quote) {
    std::size_t start = ++pos_;
    // A quote closes the string only when followed by whitespace or the end (CIF 1.1 §2.2.7.1).
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '\n' || c == '\r') break;
      if (c == quote && (pos_ + 1 == text_.size() || is_space(text_[pos_ + 1]))) {
        t.kind = Token::kQuoted;
        t.text = text_.substr(start, pos_ - start);
        t.end = ++pos_;
        return t;
      }
      ++pos_;
    }
    error_ = "unterminated quoted string";
    return Token{};
  }

  Token text_field(Token t) {
    std::size_t start = ++pos_;
    // Ends at the next line that begins with ';'.
    while (pos_ < text_.size()) {
      if (text_[pos_] == '\n') {
        ++line_;
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == ';') {
          t.kind = Token::kTextField;
          std::size_t stop = pos_;
          if (stop > start && text_[stop - 1] == '\r') --stop;
          t.text = text_.substr(start, stop - start);
          pos_ += 2;
          t.end = pos_;
          return t;
        }
      }
      ++pos_;
    }
    error_ = "unterminated text field (no closing ';' line)";
    return Token{};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::string error_;
};

bool is_value_token(const Token& t) {
  if (t.kind == Token::kQuoted || t.kind == Token::kTextField) return true;
  if (t.kind != Token::kWord) return false;
  std::string_view w = t.text;
  if (w[0] == '_') return false;
  return !(starts_with_keyword(w, "data_") || starts_with_keyword(w, "save_") ||
           starts_with_keyword(w, "loop_") || starts_with_keyword(w, "global_") ||
           starts_with_keyword(w, "stop_"));
}

Value to_value(const Token& t) { return Value{std::string(t.text), t.kind != Token::kWord}; }

}  // namespace

std::string Statement::category() const {
  if (tags.empty()) return "";
  const std::string& tag = tags.front();
  auto dot = tag.find('.');
  if (dot == std::string::npos || dot < 2) return "";
  return lower(tag.substr(1, dot - 1));
}

const Value* Frame::find(std::string_view tag) const {
  for (const Statement& s : statements) {
    for (std::size_t i = 0; i < s.tags.size(); ++i) {
      if (same_tag(s.tags[i], tag) && i < s.values.size()) return &s.values[i];
    }
  }
  return nullptr;
}

std::vector<const Value*> Frame::column(std::string_view tag) const {
  std::vector<const Value*> out;
  for (const Statement& s : statements) {
    for (std::size_t i = 0; i < s.tags.size(); ++i) {
      if (!same_tag(s.tags[i], tag)) continue;
      for (std::size_t v = i; v < s.values.size(); v += s.tags.size()) out.push_back(&s.values[v]);
    }
  }
  return out;
}

std::variant<Document, ReadError> read_cif(std::string_view text, const ReadLimits& limits) {
  if (text.size() > limits.max_bytes) return ReadError{0, "file too large"};
  if (text.find('\0') != std::string_view::npos) return ReadError{0, "not a CIF text file (contains NUL bytes)"};
  Document doc;
  Tokenizer tokens(text);
  Frame* frame = nullptr;   // where statements go: the block or its open save frame
  Block* block = nullptr;
  auto fail = [&](std::size_t line, std::string message) { return ReadError{line, std::move(message)}; };

  Token t = tokens.next();
  while (t.kind != Token::kEnd) {
    if (t.kind != Token::kWord) return fail(t.line, "a value without a tag");
    std::string_view w = t.text;
    if (starts_with_keyword(w, "data_")) {
      doc.blocks.emplace_back();
      block = &doc.blocks.back();
      block->name = std::string(w.substr(5));
      block->begin = t.begin;
      frame = block;
      t = tokens.next();
      continue;
    }
    if (starts_with_keyword(w, "save_")) {
      if (!block) return fail(t.line, "save frame outside a data block");
      if (w.size() == 5) {
        if (frame == block) return fail(t.line, "save_ without an open save frame");
        frame = block;
      } else {
        if (frame != block) return fail(t.line, "nested save frame");
        block->save_frames.emplace_back();
        block->save_frames.back().name = std::string(w.substr(5));
        frame = &block->save_frames.back();
      }
      t = tokens.next();
      continue;
    }
    if (!frame) return fail(t.line, "content before the first data_ block");
    if (starts_with_keyword(w, "global_") || starts_with_keyword(w, "stop_")) {
      return fail(t.line, "reserved word " + std::string(w) + " (STAR, not CIF)");
    }
    if (starts_with_keyword(w, "loop_")) {
      Statement s;
      s.loop = true;
      s.begin = t.begin;
      s.end = t.end;
      t = tokens.next();
      while (t.kind == Token::kWord && t.text[0] == '_') {
        if (s.tags.size() >= limits.max_tags_per_loop) return fail(t.line, "too many tags in one loop");
        s.tags.emplace_back(t.text);
        s.end = t.end;
        t = tokens.next();
      }
      if (s.tags.empty()) return fail(t.line, "loop_ without tags");
      while (is_value_token(t)) {
        s.values.push_back(to_value(t));
        s.end = t.end;
        t = tokens.next();
      }
      if (!tokens.error().empty()) return fail(tokens.line(), tokens.error());
      // A loop must hold values (CIF 1.1): an empty one would swallow the tags written after it.
      if (s.values.empty()) return fail(t.line, "loop of " + s.tags.front() + " has no values");
      if (s.values.size() % s.tags.size() != 0) {
        return fail(t.line, "loop of " + s.tags.front() + " has " + std::to_string(s.values.size()) +
                                " values, not a multiple of its " + std::to_string(s.tags.size()) + " tags");
      }
      frame->statements.push_back(std::move(s));
      continue;
    }
    if (w[0] != '_') return fail(t.line, "unexpected word '" + std::string(w.substr(0, 40)) + "'");
    Statement s;
    s.begin = t.begin;
    s.tags.emplace_back(w);
    std::size_t tag_line = t.line;
    t = tokens.next();
    if (!is_value_token(t)) {
      if (!tokens.error().empty()) return fail(tokens.line(), tokens.error());
      return fail(tag_line, "tag " + s.tags.front() + " has no value");
    }
    s.values.push_back(to_value(t));
    s.end = t.end;
    frame->statements.push_back(std::move(s));
    t = tokens.next();
  }
  if (!tokens.error().empty()) return fail(tokens.line(), tokens.error());
  if (block && frame != block) return fail(tokens.line(), "save frame " + frame->name + " is not closed");
  if (doc.blocks.empty()) return fail(1, "no data_ block: not a CIF file");
  return doc;
}

std::string quote_value(std::string_view value) {
  if (value.empty()) return "''";
  bool multiline = value.find('\n') != std::string_view::npos || value.find('\r') != std::string_view::npos;
  auto closes = [&](char q) {  // q followed by whitespace would end a q-quoted string early
    for (std::size_t i = 0; i + 1 < value.size(); ++i) {
      if (value[i] == q && is_space(value[i + 1])) return true;
    }
    return value.back() == q;
  };
  if (!multiline) {
    bool bare = true;
    char first = value.front();
    if (first == '_' || first == '#' || first == '$' || first == '\'' || first == '"' || first == ';' ||
        first == '[' || first == ']' || value == "?" || value == ".") {
      bare = false;
    }
    for (char c : value) {
      if (is_space(c)) bare = false;
    }
    if (starts_with_keyword(value, "data_") || starts_with_keyword(value, "save_") ||
        starts_with_keyword(value, "loop_") || starts_with_keyword(value, "global_") ||
        starts_with_keyword(value, "stop_")) {
      bare = false;
    }
    if (bare) return std::string(value);
    if (!closes('\'')) return "'" + std::string(value) + "'";
    if (!closes('"')) return "\"" + std::string(value) + "\"";
  }
  // A text field; a line of the value that starts with ';' would end it, so it gets a space.
  std::string body;
  body.reserve(value.size() + 8);
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\r') continue;
    body += c;
    if (c == '\n' && i + 1 < value.size() && value[i + 1] == ';') body += ' ';
  }
  return "\n;" + body + "\n;";
}

}  // namespace openem::cif

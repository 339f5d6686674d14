#pragma once
// Pattern: a regular expression from outside the program (a filter's $regex, an operator's
// setting), matched with PCRE2 under a match limit and a depth limit. A pathological pattern
// such as "(a+)+$" against "aaaa…b" then fails with PatternError after a bounded amount of
// work instead of backtracking for minutes, and no subject can overflow the stack (PCRE2 keeps
// its backtracking on the heap; libstdc++'s std::regex recurses once per character). Callers
// turn PatternError into their own error (an HTTP 400, an SQL error).
// A Pattern is used by one thread at a time (it keeps its match data); it may be moved.
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace openem {

class PatternError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PatternOptions {
  bool caseless = false;   // MongoDB option i
  bool multiline = false;  // m: ^ and $ also at line ends
  bool dotall = false;     // s: . also matches a newline
  bool extended = false;   // x: whitespace and # comments in the pattern are ignored
};

// MongoDB's $options letters ("i", "ms", ...); nullopt for a letter it does not define.
std::optional<PatternOptions> pattern_options(std::string_view letters);

class Pattern {
 public:
  // Longer patterns are refused: compiling one costs in proportion to its length, and no
  // filter needs more.
  static constexpr std::size_t kMaxLength = 1000;
  // Backtracking steps and nesting depth one search may use: far beyond what a sensible
  // pattern needs on a metadata string, and a few milliseconds of work at most.
  static constexpr std::uint32_t kMatchLimit = 100000;
  static constexpr std::uint32_t kDepthLimit = 1000;

  // Throws PatternError when the pattern is too long or not a valid PCRE2 expression (the
  // message says why and where). Subjects and pattern are UTF-8; invalid UTF-8 in a subject
  // never matches across the invalid bytes and is no error.
  explicit Pattern(std::string_view pattern, PatternOptions options = {});
  ~Pattern();
  Pattern(Pattern&&) noexcept;
  Pattern& operator=(Pattern&&) noexcept;

  // Whether the pattern matches somewhere in subject. Throws PatternError when the search
  // reaches the match or depth limit (the pattern is too complex for this subject).
  bool search(std::string_view subject) const;

 private:
  struct Compiled;
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace openem

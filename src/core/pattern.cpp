#include "core/pattern.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace openem {

struct Pattern::Compiled {
  pcre2_code* code = nullptr;
  pcre2_match_data* match = nullptr;
  pcre2_match_context* limits = nullptr;
  ~Compiled() {
    if (match) pcre2_match_data_free(match);
    if (limits) pcre2_match_context_free(limits);
    if (code) pcre2_code_free(code);
  }
};

std::optional<PatternOptions> pattern_options(std::string_view letters) {
  PatternOptions o;
  for (char c : letters) {
    switch (c) {
      case 'i': o.caseless = true; break;
      case 'm': o.multiline = true; break;
      case 's': o.dotall = true; break;
      case 'x': o.extended = true; break;
      default: return std::nullopt;
    }
  }
  return o;
}

Pattern::Pattern(std::string_view pattern, PatternOptions options) : compiled_(std::make_unique<Compiled>()) {
  if (pattern.size() > kMaxLength)
    throw PatternError("regular expression is longer than " + std::to_string(kMaxLength) + " characters");
  std::uint32_t flags = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
  if (options.caseless) flags |= PCRE2_CASELESS;
  if (options.multiline) flags |= PCRE2_MULTILINE;
  if (options.dotall) flags |= PCRE2_DOTALL;
  if (options.extended) flags |= PCRE2_EXTENDED;
  int error = 0;
  PCRE2_SIZE offset = 0;
  compiled_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), flags, &error,
                                  &offset, nullptr);
  if (!compiled_->code) {
    PCRE2_UCHAR reason[256];
    pcre2_get_error_message(error, reason, sizeof reason);
    throw PatternError("invalid regular expression at offset " + std::to_string(offset) + ": " +
                       reinterpret_cast<const char*>(reason));
  }
  // One ovector pair is enough: only whether it matches is asked.
  compiled_->match = pcre2_match_data_create(1, nullptr);
  compiled_->limits = pcre2_match_context_create(nullptr);
  if (!compiled_->match || !compiled_->limits) throw std::bad_alloc();
  pcre2_set_match_limit(compiled_->limits, kMatchLimit);
  pcre2_set_depth_limit(compiled_->limits, kDepthLimit);
}

Pattern::~Pattern() = default;
Pattern::Pattern(Pattern&&) noexcept = default;
Pattern& Pattern::operator=(Pattern&&) noexcept = default;

bool Pattern::search(std::string_view subject) const {
  int rc = pcre2_match(compiled_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0,
                       compiled_->match, compiled_->limits);
  if (rc >= 0) return true;
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT)
    throw PatternError("regular expression too complex");
  PCRE2_UCHAR reason[256];
  pcre2_get_error_message(rc, reason, sizeof reason);
  throw PatternError(std::string("regular expression failed: ") + reinterpret_cast<const char*>(reason));
}

}  // namespace openem

#include "http/framing.h"

#include <strings.h>

namespace openem {
namespace {

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_chunked(std::string_view coding) {
  return coding.size() == 7 && strncasecmp(coding.data(), "chunked", 7) == 0;
}

}  // namespace

std::optional<FramingProblem> check_transfer_framing(const std::vector<std::string_view>& lines,
                                                     bool has_content_length, unsigned http_minor_version) {
  if (lines.empty()) return std::nullopt;
  if (http_minor_version == 0)
    return FramingProblem{400, "Transfer-Encoding is not allowed in an HTTP/1.0 request"};
  if (has_content_length)
    return FramingProblem{400, "Transfer-Encoding and Content-Length together: the body length is ambiguous"};
  // All lines are one comma-separated list (RFC 9110 §5.3); empty elements are skipped.
  std::vector<std::string_view> codings;
  std::string all;
  for (std::string_view line : lines) {
    if (!all.empty()) all += ", ";
    all += line;
    size_t pos = 0;
    while (pos <= line.size()) {
      size_t comma = line.find(',', pos);
      if (comma == std::string_view::npos) comma = line.size();
      std::string_view coding = trim_ows(line.substr(pos, comma - pos));
      if (!coding.empty()) codings.push_back(coding);
      pos = comma + 1;
    }
  }
  if (codings.empty() || !is_chunked(codings.back()))
    return FramingProblem{400, "Transfer-Encoding '" + all.substr(0, 100) +
                                   "' does not end in chunked: the body length cannot be determined"};
  for (size_t i = 0; i + 1 < codings.size(); ++i)
    if (is_chunked(codings[i]))
      return FramingProblem{400, "Transfer-Encoding '" + all.substr(0, 100) + "' applies chunked more than once"};
  if (codings.size() > 1)
    return FramingProblem{501, "Transfer-Encoding '" + all.substr(0, 100) + "' is not supported: only chunked is"};
  return std::nullopt;
}

bool is_singleton_header(std::string_view name) {
  static constexpr std::string_view kSingletons[] = {"authorization", "host",          "upload-offset",
                                                     "upload-length", "upload-checksum", "upload-metadata"};
  for (std::string_view s : kSingletons)
    if (s == name) return true;
  return false;
}

}  // namespace openem

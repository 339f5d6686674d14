#pragma once
// Request framing rules the Beast parser does not enforce on its own: how a request's body
// length is determined must be unambiguous, or a proxy in front of the server and the server
// itself may split the byte stream into different requests (request smuggling). Pure
// functions; thread-safe.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace openem {

struct FramingProblem {
  int status;           // 400, or 501 for a transfer coding we cannot decode
  std::string message;  // for the client
};

// Checks the Transfer-Encoding header lines of a request (in order; empty when there are none)
// against RFC 9112 §6: with Transfer-Encoding, the codings (all lines form one list) must end
// in exactly "chunked" (400 otherwise: the length cannot be determined, §6.3), must not come
// with Content-Length (400: conflicting framing) nor in an HTTP/1.0 request (400, §6.1), and
// may not contain any coding but "chunked" (501: gzip and friends are not decoded). nullopt
// when the framing is fine. `http_minor_version`: 0 for HTTP/1.0, 1 for HTTP/1.1.
std::optional<FramingProblem> check_transfer_framing(const std::vector<std::string_view>& transfer_encoding_lines,
                                                     bool has_content_length, unsigned http_minor_version);

// Header fields a request may carry at most once: with two of them, which one counts would
// depend on the reader (the proxy might check one Authorization and the server use the other).
bool is_singleton_header(std::string_view lower_name);

}  // namespace openem

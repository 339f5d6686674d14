#include "http/message.h"

#include <boost/json.hpp>

#include "core/error.h"

namespace openem {

std::optional<std::string> HttpRequest::query_param(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> HttpRequest::query_params(const std::string& name) const {
  std::vector<std::string> out;
  auto [b, e] = query.equal_range(name);
  for (auto it = b; it != e; ++it) out.push_back(it->second);
  return out;
}

std::optional<std::string> HttpRequest::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

const std::string& HttpRequest::param(const std::string& name) const {
  auto it = params.find(name);
  if (it == params.end()) throw std::logic_error("route has no parameter " + name);
  return it->second;
}

HttpResponse HttpResponse::json(int status, const boost::json::value& v) {
  HttpResponse r;
  r.status = status;
  r.body = boost::json::serialize(v);
  return r;
}

HttpResponse HttpResponse::text(int status, std::string body, std::string content_type) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

HttpResponse HttpResponse::error(int status, const std::string& message) {
  return json(status, boost::json::object{{"statusCode", status}, {"message", message}, {"error", status_reason(status)}});
}

std::optional<std::string> percent_decode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int h = hex(s[i + 1]), l = hex(s[i + 2]);
      if (h < 0 || l < 0) return std::nullopt;
      char c = static_cast<char>(h * 16 + l);
      if (c == '\0') return std::nullopt;
      out.push_back(c);
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

void parse_target(std::string_view target, HttpRequest& req) {
  auto qpos = target.find('?');
  std::string_view path = target.substr(0, qpos);
  if (path.empty() || path.front() != '/') throw ApiError::bad_request("Invalid request target");
  size_t pos = 1;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view raw = path.substr(pos, slash - pos);
    if (!raw.empty()) {
      auto seg = percent_decode(raw);
      if (!seg) throw ApiError::bad_request("Invalid percent-encoding in path");
      req.segments.push_back(std::move(*seg));
    }
    pos = slash + 1;
  }
  if (qpos == std::string_view::npos) return;
  std::string_view qs = target.substr(qpos + 1);
  size_t p = 0;
  while (p <= qs.size()) {
    size_t amp = qs.find('&', p);
    if (amp == std::string_view::npos) amp = qs.size();
    std::string_view pair = qs.substr(p, amp - p);
    if (!pair.empty()) {
      auto eq = pair.find('=');
      std::string k(pair.substr(0, eq));
      std::string v(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
      for (std::string* s : {&k, &v})
        for (char& c : *s)
          if (c == '+') c = ' ';
      auto dk = percent_decode(k), dv = percent_decode(v);
      if (!dk || !dv) throw ApiError::bad_request("Invalid percent-encoding in query string");
      req.query.emplace(std::move(*dk), std::move(*dv));
    }
    p = amp + 1;
  }
}

}  // namespace openem

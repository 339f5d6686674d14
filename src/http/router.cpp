#include "http/router.h"

#include <algorithm>
#include <stdexcept>

namespace openem {

void Router::add(std::string method, std::string pattern, Handler handler) {
  Route r;
  r.method = std::move(method);
  r.pattern = pattern;
  size_t pos = 1;
  while (pos <= pattern.size()) {
    size_t slash = pattern.find('/', pos);
    if (slash == std::string::npos) slash = pattern.size();
    std::string seg = pattern.substr(pos, slash - pos);
    if (!seg.empty()) {
      if (seg[0] == '*') {
        if (slash != pattern.size()) throw std::invalid_argument("'*' segment must come last in " + pattern);
        r.trailing_rest = true;
      } else if (seg[0] != ':') {
        std::transform(seg.begin(), seg.end(), seg.begin(), ::tolower);
        ++r.literal_count;
      }
      r.segments.push_back(std::move(seg));
    }
    pos = slash + 1;
  }
  r.handler = std::move(handler);
  r.index = routes_.size();
  size_t fixed = r.trailing_rest ? r.segments.size() - 1 : r.segments.size();
  bool has_head = fixed >= kHeadSegments;
  std::string head;
  for (size_t i = 0; has_head && i < kHeadSegments; ++i) {
    has_head = r.segments[i][0] != ':';
    head += (i ? "/" : "") + r.segments[i];
  }
  (has_head ? by_head_[head] : without_head_).push_back(r.index);
  routes_.push_back(std::move(r));
}

void Router::add_inline(std::string method, std::string pattern, Handler handler) {
  add(std::move(method), std::move(pattern), std::move(handler));
  routes_.back().on_io_thread = true;
}

void Router::add_streaming(std::string method, std::string pattern, BodyHandler handler) {
  Handler buffered = [handler](HttpRequest& req) {
    std::string body = std::move(req.body);
    req.body.clear();
    req.headers["content-length"] = std::to_string(body.size());  // as read (chunked requests have none)
    BodyStart start = handler(req);
    if (!start.sink) return std::move(start.response);
    try {
      start.sink->write(body);
    } catch (...) {
      start.sink->abort();
      throw;
    }
    return start.sink->finish();
  };
  add(std::move(method), std::move(pattern), std::move(buffered));
  routes_.back().body_handler = std::move(handler);
}

const Route* Router::match(const std::string& method, HttpRequest& req, bool& method_mismatch) const {
  const Route* best = nullptr;
  method_mismatch = false;
  std::vector<std::string> lower = req.segments;
  for (auto& seg : lower) std::transform(seg.begin(), seg.end(), seg.begin(), ::tolower);
  // Candidates in the order the routes were added (ties go to the first), as one list.
  std::vector<size_t> candidates = without_head_;
  if (lower.size() >= kHeadSegments) {
    std::string head;
    for (size_t i = 0; i < kHeadSegments; ++i) head += (i ? "/" : "") + lower[i];
    if (auto it = by_head_.find(head); it != by_head_.end()) {
      candidates.insert(candidates.end(), it->second.begin(), it->second.end());
      std::inplace_merge(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(without_head_.size()),
                         candidates.end());
    }
  }
  for (size_t index : candidates) {
    const Route& r = routes_[index];
    size_t fixed = r.trailing_rest ? r.segments.size() - 1 : r.segments.size();
    if (r.trailing_rest ? req.segments.size() <= fixed : fixed != req.segments.size()) continue;
    bool ok = true;
    for (size_t i = 0; i < fixed && ok; ++i) {
      const auto& s = r.segments[i];
      if (s[0] == ':') ok = !req.segments[i].empty();
      else ok = s == lower[i];
    }
    if (!ok) continue;
    if (r.method != method && !(method == "HEAD" && r.method == "GET")) {
      method_mismatch = true;
      continue;
    }
    if (!best || r.literal_count > best->literal_count ||
        (r.literal_count == best->literal_count && best->trailing_rest && !r.trailing_rest))
      best = &r;
  }
  if (best) {
    req.params.clear();
    for (size_t i = 0; i < best->segments.size(); ++i) {
      if (best->segments[i][0] == ':') req.params[best->segments[i].substr(1)] = req.segments[i];
      if (best->segments[i][0] == '*') {
        std::string rest = req.segments[i];
        for (size_t j = i + 1; j < req.segments.size(); ++j) rest += "/" + req.segments[j];
        req.params[best->segments[i].substr(1)] = std::move(rest);
      }
    }
    method_mismatch = false;
  }
  return best;
}

}  // namespace openem

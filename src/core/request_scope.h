#pragma once
// RequestScope: what one request remembers while its handler runs on one thread, so that it
// reads shared state once. The HTTP server opens one around each handler call (http/server.cpp).
//
// Today it holds one thing: a shared catalog's write generation (PostgresCatalogStore). Every
// authenticated request checks token revocations against it, and the result cache and the
// facet counts check it again; without the scope each check is a round trip to the database.
// With it, the first reading stands for the whole request: the request answers as of the
// moment it first looked (plus its own writes, which move the remembered generation), as a
// request that ran a moment earlier would have.
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace openem {

class RequestScope {
 public:
  RequestScope() : outer_(current_) { current_ = this; }
  ~RequestScope() { current_ = outer_; }
  RequestScope(const RequestScope&) = delete;
  RequestScope& operator=(const RequestScope&) = delete;

  // The scope of the request running on this thread; null outside a request (a worker, a
  // test calling the store directly), where nothing is remembered.
  static RequestScope* current() { return current_; }

  // The write generation `store` (its address as the key) had when this request first read it.
  std::optional<std::uint64_t> generation(const void* store) const {
    for (const auto& [s, g] : generations_)
      if (s == store) return g;
    return std::nullopt;
  }
  void remember_generation(const void* store, std::uint64_t generation) {
    for (auto& [s, g] : generations_)
      if (s == store) {
        g = generation;
        return;
      }
    generations_.emplace_back(store, generation);
  }

 private:
  static inline thread_local RequestScope* current_ = nullptr;
  RequestScope* outer_;
  std::vector<std::pair<const void*, std::uint64_t>> generations_;
};

}  // namespace openem

#pragma once
// The acting user: who the change history (store/history.h) names as the author of the writes
// this thread makes. The HTTP layer opens a scope around each request and the request's
// authentication names its caller; the stores read it when they record a change. Threads
// that serve no request (the archive worker, the embargo timer, the housekeeper) name
// themselves, or are recorded as kSystemUser. Thread-local: safe from any thread.
#include <string>

namespace openem::acting_user {

// Who history names when nobody is acting (background work of the server itself).
inline constexpr const char* kSystemUser = "system";

// The name set on this thread; "" when none is.
const std::string& current();
// current(), or kSystemUser when none is set.
std::string current_or_system();
// Names `name` as this thread's acting user until the enclosing Scope ends.
void set(std::string name);

// Sets the acting user for its lifetime and restores the previous one after.
class Scope {
 public:
  explicit Scope(std::string name);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  std::string previous_;
};

}  // namespace openem::acting_user

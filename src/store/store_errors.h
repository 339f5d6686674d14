#pragma once
// The errors every store reports the same way to the API (CatalogStore's contract).
#include <string>

#include "core/error.h"

namespace openem {

// A read that ran out of its time budget (CatalogStore::set_query_budget): 503, try again.
[[noreturn]] inline void throw_query_budget_exceeded() {
  ApiError e(503, "The query ran out of its time budget; narrow it with a filter or a smaller page");
  e.add_header("Retry-After", "1");
  throw e;
}

// A client's regular expression the database refused: 400 with the database's reason.
[[noreturn]] inline void throw_invalid_pattern(const std::string& reason) {
  throw ApiError::bad_request("Invalid filter: " + reason);
}

// A newer openem upgraded the shared catalog while this process ran (a rolling upgrade across
// a format change): this process writes nothing more and must be replaced by the new version.
[[noreturn]] inline void throw_catalog_upgraded(long long format) {
  throw ApiError(503, "The catalog was upgraded to format " + std::to_string(format) +
                          " by a newer openem; this process no longer writes to it and must be restarted with that version");
}

}  // namespace openem

#pragma once
// The errors every store reports, the same way on every backend (CatalogStore's contract).
// They say what went wrong in the store's terms and nothing of HTTP: the API turns them into
// answers in one place (api/store_error_response.h), and callers that expect one (an insert
// that may find its id taken) catch it by kind.
#include <stdexcept>
#include <string>

namespace openem {

class StoreError : public std::runtime_error {
 public:
  enum class Kind {
    kDuplicateId,      // an insert of an id that exists, or that another transaction is inserting
    kInvalidDocument,  // a document the store cannot hold (no string id, U+0000, an over-long indexed value)
    kInvalidPattern,   // a client's regular expression the database refused
    kBudgetExceeded,   // a read ran out of its time budget (CatalogStore::set_query_budget)
    kCatalogUpgraded,  // a newer openem upgraded the shared catalog: this process writes no more
  };
  StoreError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

[[noreturn]] inline void throw_duplicate_id(const std::string& id) {
  throw StoreError(StoreError::Kind::kDuplicateId, "A document with id " + id + " already exists");
}

[[noreturn]] inline void throw_invalid_document(const std::string& message) {
  throw StoreError(StoreError::Kind::kInvalidDocument, message);
}

// A read that ran out of its time budget: the caller may try again, narrower.
[[noreturn]] inline void throw_query_budget_exceeded() {
  throw StoreError(StoreError::Kind::kBudgetExceeded,
                   "The query ran out of its time budget; narrow it with a filter or a smaller page");
}

// A client's regular expression the database refused, with the database's reason.
[[noreturn]] inline void throw_invalid_pattern(const std::string& reason) {
  throw StoreError(StoreError::Kind::kInvalidPattern, "Invalid filter: " + reason);
}

// A newer openem upgraded the shared catalog while this process ran (a rolling upgrade across
// a format change): this process writes nothing more and must be replaced by the new version.
[[noreturn]] inline void throw_catalog_upgraded(long long format) {
  throw StoreError(StoreError::Kind::kCatalogUpgraded,
                   "The catalog was upgraded to format " + std::to_string(format) +
                       " by a newer openem; this process no longer writes to it and must be restarted with that version");
}

}  // namespace openem

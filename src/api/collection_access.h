#pragma once
// CollectionAccess: the read side shared by every collection's endpoints — list with the
// filter language, count, findOne, get by id — with the access rule ANDed into each query
// and the 404-before-403 order upstream uses. One instance per collection; immutable and
// thread-safe after construction.
#include <boost/json.hpp>

#include <functional>
#include <string>

#include "api/app.h"
#include "query/access.h"
#include "query/filter.h"

namespace openem {

class CollectionAccess {
 public:
  using ScopeFn = std::function<ReadScope(const Principal&)>;
  using IncludeFn = std::function<void(const Principal&, const IncludeSpec&, boost::json::object& doc)>;
  // Completes a whole document for its reader (fields computed per reader); runs before the
  // filter's `fields` projection, so a projection can ask for such a field.
  using PresentFn = std::function<void(const Principal&, boost::json::object& doc)>;

  CollectionAccess(App& app, const CollectionSchema& schema, ScopeFn scope, std::int64_t default_limit = 100)
      : app_(app), schema_(schema), scope_(std::move(scope)), default_limit_(default_limit) {}

  const CollectionSchema& schema() const { return schema_; }
  ReadScope scope(const Principal& p) const { return scope_(p); }
  // probe: for one document or a sorted page (see read_access_condition).
  Condition access_condition(const Principal& p, bool probe = false) const {
    return read_access_condition(schema_, p, scope_(p), probe);
  }

  // Filter from ?filter= (or the `filter` header when allow_header; both → 400).
  ListFilter request_filter(const HttpRequest& req, bool allow_header = false) const;

  boost::json::array list(const Principal& p, const ListFilter& f, const IncludeFn& include = {},
                          const PresentFn& present = {}) const;
  std::int64_t count(const Principal& p, const boost::json::value& where) const;
  std::optional<boost::json::object> find_one(const Principal& p, const ListFilter& f,
                                              const PresentFn& present = {}) const;

  // The document, or ApiError 404 when it is unknown or p may not read it: unreadable looks
  // like missing (docs/security.md).
  boost::json::object get_readable(const Principal& p, std::string_view id) const;
  // The document for a change that `allowed` decides: 404 when it is unknown, or when p may
  // neither read it nor make the change; 403 when p reads it but may not make the change.
  boost::json::object get_for_change(const Principal& p, std::string_view id,
                                     const std::function<bool(const boost::json::object&)>& allowed) const;
  // The document, or 404; no access check (for the system's own writes).
  boost::json::object get_existing(std::string_view id) const;
  bool readable(const Principal& p, const boost::json::object& doc) const {
    return !schema_.ownable || can_read(doc, p, scope_(p));
  }

  QueryPlan plan_for(const Principal& p, const ListFilter& f) const;

  // ApiError 404, as for an unknown id: what an unreadable document also answers.
  [[noreturn]] void missing() const;

 private:

  App& app_;
  const CollectionSchema& schema_;
  ScopeFn scope_;
  std::int64_t default_limit_;
};

}  // namespace openem

#pragma once
// The one read-access rule of the catalog (reference §7.2), in its two forms: as a condition
// (ReadRule) that every list, count, facet and search query ANDs in, and as a check on one
// fetched document. Both must always agree; tests compare them. Thread-safe.
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/principal.h"
#include "model/collection.h"
#include "query/condition.h"

namespace openem {

struct ReadScope {
  bool read_any = false;          // admins, lifecycle managers: everything
  bool include_shared_with = true; // sharedWith e-mails grant read (not on fullquery upstream)
};

// `probe`: a test of each candidate row's own access set (no seek), for one document or a
// walk in sort order; otherwise the readable set looked up in the index, best when counting
// or faceting everything.
Condition read_access_condition(const CollectionSchema& schema, const Principal& who, const ReadScope& scope,
                                   bool probe = false);
bool can_read(const boost::json::object& doc, const Principal& who, const ReadScope& scope);

// The same rule in the terms of the access sets documents carry (AccessFacetCounts):
// everything, or the documents carrying one of `values` — the reader's groups and
// kPublishedValue (access_member_group) and, where sharedWith grants read, the reader's
// e-mail (access_member_email). Every rule here can be expressed that way today; callers
// keep a fallback (a query) for nullopt.
struct AccessValues {
  bool everything = false;
  std::vector<std::string> values;
};
std::optional<AccessValues> readable_access_values(const CollectionSchema& schema, const Principal& who,
                                                   const ReadScope& scope);

// Write rights on an ownable document (PATCH, sub-resource writes): owner group membership.
bool owns(const boost::json::object& doc, const Principal& who);

}  // namespace openem

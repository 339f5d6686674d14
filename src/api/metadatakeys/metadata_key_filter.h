#pragma once
// MetadataKeyFilter: the `where` of GET /api/v4/metadatakeys, matched against key documents in
// memory (upstream's allowed keys, types/metadatakeys-lookup.ts): a value (equality; an array
// field matches when it holds it), operators $eq $ne $in $nin $exists $regex/$options, and
// $and $or $nor. The whole filter is checked and every $regex compiled once, when it is
// constructed (ApiError 400 names what is wrong); patterns are PCRE2 with bounded work
// (core/pattern.h), so a pathological one is a 400, never minutes of backtracking.
// One filter serves one request: not copyable, used by one thread at a time.
#include <boost/json.hpp>

#include <unordered_map>

#include "core/pattern.h"

namespace openem {

class MetadataKeyFilter {
 public:
  explicit MetadataKeyFilter(boost::json::value where);  // null: everything matches
  MetadataKeyFilter(const MetadataKeyFilter&) = delete;
  MetadataKeyFilter& operator=(const MetadataKeyFilter&) = delete;

  // Throws ApiError 400 when a $regex needs more work on this document than Pattern allows.
  bool matches(const boost::json::object& key_doc) const;

 private:
  void check(const boost::json::value& where);
  void check_field(const boost::json::value& cond);
  bool matches(const boost::json::object& doc, const boost::json::value& where) const;
  bool field_matches(const boost::json::value* actual, const boost::json::value& cond) const;

  const boost::json::value where_;
  // The compiled $regex of each operator object of where_, by its address.
  std::unordered_map<const boost::json::object*, Pattern> patterns_;
};

}  // namespace openem

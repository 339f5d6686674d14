#pragma once
// GenericCollection: the endpoints that proposals, samples, instruments and policies share —
// list, count, findOne, fullquery, fullfacet, get, patch, delete — parameterised by who may
// read, write and delete, and how a body is validated. Each collection's file adds only
// its create handler and its quirks. Immutable after registration; thread-safe.
#include <boost/json.hpp>

#include <functional>

#include "api/collection_access.h"
#include "http/router.h"
#include "model/dto.h"

namespace openem {

struct GenericCollection {
  const CollectionSchema* schema;
  std::string base;  // e.g. "/api/v3/proposals"
  CollectionAccess::ScopeFn scope;
  // Anonymous callers: reads allowed (published only) when 0, else refused with this status;
  // one value for list and get-by-id, one for count/findOne/fullquery/fullfacet.
  int anonymous_status = 0;
  int anonymous_search_status = 0;
  int anonymous_write_status = 403;  // PATCH by an anonymous caller
  // Optional: every read needs this right (policies are for managers only); else 403.
  std::function<bool(const Principal&)> read_gate;
  std::function<bool(const Principal&, const boost::json::object& doc)> can_update;
  std::function<bool(const Principal&)> can_delete;
  const DtoSpec* spec = nullptr;          // for PATCH validation
  std::string scientific_key;             // fullquery key for scientific conditions ("" = none)
  std::vector<std::string> default_facets;
  // Optional: completes each document a read or a change returns to this caller (fields
  // computed per reader, such as a proposal's numberOfDatasets).
  std::function<void(const Principal&, boost::json::object& doc)> present;
  // Optional: what else a PATCH changes, in its transaction (a proposal's logbook entries
  // follow its groups).
  std::function<void(CatalogStore&, const boost::json::object& doc)> after_change;
};

void register_generic_routes(Router& r, App& app, const GenericCollection& c);

// Fields a create or update body may carry but that are never taken from it: the server-
// managed ones clients echo back (createdAt, history, ...) and those computed per reader
// (CollectionSchema::per_reader_fields). Validation accepts them; the write drops them.
std::vector<std::string> fields_dropped_from_writes(const CollectionSchema& schema);

// Throws 401/403 when the collection refuses this caller reads (search: count, findOne,
// fullquery, fullfacet).
void check_read(const GenericCollection& c, const Principal& p, bool search);

}  // namespace openem

#pragma once
// How a proposal document goes out to one reader: upstream's schema defaults filled in, and
// numberOfDatasets counted among the datasets referencing the proposal that this reader can
// read. The count is never stored (CollectionSchema::per_reader_fields): upstream keeps one
// count of all datasets, which would tell a reader how many private datasets a proposal has.
// Every path that returns a proposal — the proposal endpoints and proposals included with a
// dataset — presents it here. Thread-safe (reads the store only).
#include <boost/json/object.hpp>

#include "api/app.h"

namespace openem {

// Upstream's proposal schema defaults (migration 20250814143105-add-instrumentids-field-to-
// proposal; metadata default {}): the frontend's proposal list reads both unguarded.
void add_proposal_defaults(boost::json::object& proposal);

// Completes a whole stored proposal for p (before any `fields` projection). Any count the
// document carries (a catalog written by an older version) is replaced.
void present_proposal(App& app, const Principal& p, boost::json::object& proposal);

}  // namespace openem

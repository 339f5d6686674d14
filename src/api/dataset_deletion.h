#pragma once
// Deleting a dataset (docs/security.md, "Deletion"): the dataset and everything that hangs on
// it — origdatablocks, datablocks, attachments (the thumbnail among them), its online files —
// go together, and its archived copies are released to the retention sweep, so that a dataset
// created later with the same pid starts with nothing of the old one. Thread-safe.
#include <boost/json.hpp>

#include <string>

#include "api/app.h"

namespace openem {

// Deletes dataset `pid` for p: 404 when it is unknown or p may not read it, 403 when p reads it
// but is not in DELETE_GROUPS, 409 while an archived copy is under retention. Returns the
// deleted document.
boost::json::object delete_dataset(App& app, const Principal& p, const std::string& pid);

// Removes every file the blob store holds under `pid`; failures are logged. Called after a
// delete and before a dataset is created under a pid given by the client (files a crash left
// behind must not become the new dataset's).
void remove_online_files(App& app, const std::string& pid);

}  // namespace openem

#pragma once
// Who reads the change history (store/history.h) and of which documents: shared by the history
// routes and the event stream and webhooks (api/events/), which deliver the same records.
#include <optional>
#include <string>

#include "api/app.h"
#include "query/condition.h"

namespace openem {

// Whether p may read the before/after of `subsystem`'s records (upstream historyEndpointAccess):
// admins, and members of its HISTORY_ACCESS_*_GROUPS.
bool may_read_history(const App& app, const Principal& p, const std::string& subsystem);

// The read rule of the subsystem's collection for p, as that collection's own endpoints apply
// it; nullopt when p reads every document (then also the records of deleted ones).
std::optional<Condition> history_readable_documents(const App& app, const Principal& p, const CollectionSchema& schema);

}  // namespace openem

#pragma once
// The documents attachments hang on (datasets, proposals, samples) and the rights an
// attachment inherits from them: a parent's attachments are read as the parent is, and
// creating, changing or deleting one needs a right on the parent. Shared by the v3
// sub-resources (/datasets/:pid/attachments) and the v4 /attachments collection.
#include <boost/json.hpp>

#include <string>
#include <string_view>

#include "api/app.h"
#include "query/access.h"

namespace openem {

struct AttachmentParent {
  const CollectionSchema& schema;
  const char* target_type;  // relationships[].targetType: "dataset" | "proposal" | "sample"
  const char* id_field;     // attachments field that names the parent
  const char* display;      // "Dataset" | "Proposal" | "Sample", for messages
};

const AttachmentParent& dataset_parent();
const AttachmentParent& proposal_parent();
const AttachmentParent& sample_parent();
// By relationships[].targetType; nullptr for any other type.
const AttachmentParent* parent_of_type(std::string_view target_type);
// The parent an attachment document names (datasetId / proposalId / sampleId); nullptr when none.
const AttachmentParent* parent_of_attachment(const boost::json::object& attachment);

enum class AttachmentChange { Create, Update, Delete };

ReadScope parent_read_scope(App& app, const AttachmentParent& parent, const Principal& p);
// Who reads an attachment by its own groups (v4 routes, the history, logbook attachments):
// admins everything, others its ownerGroup, accessGroups and sharedWith.
ReadScope attachment_read_scope(const App& app, const Principal& p);
// The parent, or ApiError 404 when it is unknown or p may not read it.
boost::json::object readable_parent(App& app, const AttachmentParent& parent, const Principal& p,
                                    const std::string& id);
// The parent for a change to its attachments. Anonymous: 401 for samples (upstream's
// authenticated guard), else 403. Unknown, or neither readable nor changeable: 404.
// Readable but not changeable: 403.
boost::json::object parent_for_change(App& app, const AttachmentParent& parent, const Principal& p,
                                      const std::string& id, AttachmentChange change);

}  // namespace openem

#pragma once
// Attachment documents: how a body is validated (v3 and v4 DTOs), how a new attachment is
// built from its parent, and how v4 shows one. One stored document serves both versions:
// v3 names the parent with datasetId/proposalId/sampleId, v4 with relationships only.
#include <boost/json.hpp>

#include <string>
#include <vector>

#include "api/app.h"
#include "api/attachments/attachment_parents.h"
#include "model/dto.h"

namespace openem {

// v3 (the parent's sub-resource): every field optional; the parent ids are tolerated.
const DtoSpec& v3_attachment_spec();

// v4 (upstream CreateAttachmentV4Dto / UpdateAttachmentV4Dto / PartialUpdate...): ownerGroup,
// caption and isPublished required unless `partial`; `aid` only when `creating`; each
// relationship {targetId, targetType (dataset|proposal|sample|published_data), relationType?}.
std::vector<std::string> validate_v4_attachment(const boost::json::object& body, bool partial, bool creating);

// A new attachment of parent_doc from a validated body: ownerGroup, accessGroups and
// isPublished default to the parent's; the parent is named by its id field and by one
// relationship. 403 when a non-admin names an ownerGroup neither theirs nor the parent's
// (`privileged`: ATTACHMENT_PRIVILEGED_GROUPS, any group).
boost::json::object new_attachment(App& app, const AttachmentParent& parent, const Principal& p,
                                   const boost::json::object& parent_doc, boost::json::object body,
                                   bool privileged = false);

// Refuses (403) an ownerGroup a non-admin may not give an attachment: others must not change
// what a group sees (docs/security.md).
void check_attachment_owner_group(App& app, const Principal& p, const boost::json::object& parent_doc,
                                  const std::string& owner_group, bool privileged);

// The v4 view: without the v3 parent ids and `id`.
boost::json::object v4_attachment_view(boost::json::object doc);

}  // namespace openem

#include "api/attachments/attachment_parents.h"

#include "api/collection_access.h"
#include "api/dataset_service.h"
#include "api/handler_util.h"
#include "api/permissions.h"
#include "core/error.h"

namespace openem {
namespace json = boost::json;

const AttachmentParent& dataset_parent() {
  static const AttachmentParent p{schemas::datasets(), "dataset", "datasetId", "Dataset"};
  return p;
}
const AttachmentParent& proposal_parent() {
  static const AttachmentParent p{schemas::proposals(), "proposal", "proposalId", "Proposal"};
  return p;
}
const AttachmentParent& sample_parent() {
  static const AttachmentParent p{schemas::samples(), "sample", "sampleId", "Sample"};
  return p;
}

const AttachmentParent* parent_of_type(std::string_view target_type) {
  for (const AttachmentParent* p : {&dataset_parent(), &proposal_parent(), &sample_parent()})
    if (target_type == p->target_type) return p;
  return nullptr;
}

const AttachmentParent* parent_of_attachment(const json::object& attachment) {
  for (const AttachmentParent* p : {&dataset_parent(), &proposal_parent(), &sample_parent()})
    if (!str_field(attachment, p->id_field).empty()) return p;
  return nullptr;
}

ReadScope attachment_read_scope(const App& app, const Principal& p) { return ReadScope{app.is_admin(p), true}; }

ReadScope parent_read_scope(App& app, const AttachmentParent& parent, const Principal& p) {
  if (&parent == &dataset_parent()) return dataset_read_scope(app.config(), p);
  if (&parent == &proposal_parent()) return proposal_read_scope(app.config(), p);
  return sample_read_scope(app.config(), p);
}

json::object readable_parent(App& app, const AttachmentParent& parent, const Principal& p, const std::string& id) {
  return CollectionAccess(app, parent.schema, [&](const Principal& who) { return parent_read_scope(app, parent, who); })
      .get_readable(p, id);
}

namespace {

bool may_change(App& app, const AttachmentParent& parent, const Principal& p, const json::object& doc,
                AttachmentChange change) {
  if (&parent == &dataset_parent()) return may_register_files(app, p, doc);  // ingestors attach thumbnails
  if (&parent == &proposal_parent())  // as the proposal itself (upstream proposalsEndpointAccess)
    return app.is_admin(p) || app.config().proposal_groups.matches(p.groups, true);
  const SampleChange sc = change == AttachmentChange::Create   ? SampleChange::AttachmentCreate
                          : change == AttachmentChange::Update ? SampleChange::AttachmentUpdate
                                                               : SampleChange::AttachmentDelete;
  return may_change_sample(app.config(), p, owns(doc, p), sc);
}

}  // namespace

json::object parent_for_change(App& app, const AttachmentParent& parent, const Principal& p, const std::string& id,
                               AttachmentChange change) {
  if (!p.authenticated()) {
    if (&parent == &sample_parent()) throw ApiError::unauthorized();
    throw ApiError::forbidden();
  }
  auto doc = app.store().get(parent.schema, id);
  if (!doc) throw ApiError::not_found();
  const bool ok = may_change(app, parent, p, *doc, change);
  if (!ok && !can_read(*doc, p, parent_read_scope(app, parent, p))) throw ApiError::not_found();  // looks like missing
  if (!ok) throw ApiError::forbidden();
  return *doc;
}

}  // namespace openem

#include "api/proposal_presentation.h"

#include "api/dataset_service.h"
#include "api/handler_util.h"

namespace openem {
namespace json = boost::json;

void add_proposal_defaults(json::object& proposal) {
  if (!proposal.contains("instrumentIds")) proposal["instrumentIds"] = json::array();
  if (!proposal.contains("metadata")) proposal["metadata"] = json::object();
}

void present_proposal(App& app, const Principal& p, json::object& proposal) {
  add_proposal_defaults(proposal);
  // Upstream's numberOfDatasets (migration 20250924140500-add-numberofdatasets-to-proposal),
  // counted among the datasets this reader can read.
  Condition references = field_is(schemas::datasets(), "proposalIds", str_field(proposal, "proposalId"));
  proposal["numberOfDatasets"] =
      app.store().count(schemas::datasets(), all_of({references, dataset_access(app).access_condition(p)}));
}

}  // namespace openem

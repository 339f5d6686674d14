#include "store/dataset_dependants.h"

#include <boost/json.hpp>

namespace openem {
namespace json = boost::json;

void inherit_ownership(json::object& sub, const json::object& dataset) {
  for (const char* k : {"ownerGroup", "accessGroups", "isPublished", "instrumentGroup"})
    if (auto* v = dataset.if_contains(k)) sub[k] = *v;
}

void propagate_ownership(CatalogStore& store, const json::object& dataset) {
  auto* pid = dataset.if_contains("pid");
  if (!pid || !pid->is_string()) return;
  for (const CollectionSchema* s : {&schemas::origdatablocks(), &schemas::datablocks(), &schemas::attachments()}) {
    QueryPlan plan;
    plan.conditions.push_back(field_is(*s, "datasetId", std::string(pid->get_string())));
    for (auto& doc : store.find(*s, plan)) {
      json::object before = doc;
      inherit_ownership(doc, dataset);
      if (doc != before) store.replace(*s, doc);
    }
  }
}

}  // namespace openem

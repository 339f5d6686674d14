#include "publish/dataset_publication.h"

#include <boost/json.hpp>

#include "logbook/logbook_entries.h"
#include "publish/embargo.h"
#include "store/dataset_dependants.h"

namespace openem {
namespace json = boost::json;

bool publish_dataset(CatalogStore& store, json::object& ds, const std::string& actor, const std::string& default_license,
                     Millis now, bool published_on) {
  const std::string when = iso_utc(now);
  bool changed = false;
  auto* published = ds.if_contains("isPublished");
  if (!published || !published->is_bool() || !published->get_bool()) {
    record_history(ds, actor, "isPublished", false, true);
    ds["isPublished"] = true;
    changed = true;
  }
  auto* license = ds.if_contains("license");
  if ((!license || !license->is_string() || license->get_string().empty()) && !default_license.empty()) {
    record_history(ds, actor, "license", license ? *license : json::value(), json::value(default_license));
    ds["license"] = default_license;
    changed = true;
  }
  json::value& lc = ds["datasetlifecycle"];
  if (!lc.is_object()) lc = json::object();
  if (published_on) {
    auto* on = lc.as_object().if_contains("publishedOn");
    if (!on || !on->is_string() || on->get_string().empty()) {
      lc.as_object()["publishedOn"] = when;
      changed = true;
    }
  }
  if (!changed) return false;
  ds["updatedAt"] = when;
  ds["updatedBy"] = actor;
  store.replace(schemas::datasets(), ds);
  propagate_ownership(store, ds);
  // Public now: every proposal group reads it, so the automatic logbook entries naming it may
  // be theirs too (logbook_entries.h; a DOI's publication and an embargo's end both come here).
  follow_dataset_access(store, ds);
  return true;
}

}  // namespace openem

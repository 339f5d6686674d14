#include "publish/embargo.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>

#include "core/json_fields.h"
#include "logbook/logbook_entries.h"
#include "publish/dataset_publication.h"

namespace openem {
namespace json = boost::json;
namespace {

constexpr const char* kActor = "openem-embargo";
std::optional<Millis> publishing_date(const json::object& ds) {
  auto* lc = ds.if_contains("datasetlifecycle");
  if (!lc || !lc->is_object()) return std::nullopt;
  return parse_iso(json_string(lc->get_object(), "dateOfPublishing"));
}

bool is_published(const json::object& ds) {
  auto* p = ds.if_contains("isPublished");
  return p && p->is_bool() && p->get_bool();
}

// Opens one dataset inside the caller's transaction; false when it is no longer due (opened by
// another process meanwhile, deleted, or its date moved).
bool open_dataset(CatalogStore& store, const std::string& pid, const EmbargoOptions& o, Millis now) {
  auto ds = store.get(schemas::datasets(), pid);
  if (!ds || is_published(*ds)) return false;
  auto due = publishing_date(*ds);
  if (!due || *due > now) return false;
  publish_dataset(store, *ds, kActor, o.default_license, now);
  // The logbook tells the story: the data of a proposal became open by itself today.
  const std::string name = json_string(*ds, "datasetName");
  add_automatic_entries(store, std::span(&*ds, 1),
                        "**" + json_string(*ds, "type") + " dataset** " + (name.empty() ? "" : "\"" + name + "\" ") + "`" +
                            pid + "` is public now: its embargo ended.",
                        {"publication", "embargo"});
  return true;
}

}  // namespace

int release_due_embargoes(CatalogStore& store, const EmbargoOptions& o, Millis now) {
  int opened = 0;
  auto started = std::chrono::steady_clock::now();
  const std::string cutoff = iso_utc(now);
  for (;;) {
    QueryPlan due;
    // The partial index datasets_embargo holds exactly the unpublished datasets.
    const CollectionSchema& datasets = schemas::datasets();
    due.conditions.push_back(field_is(datasets, "isPublished", std::int64_t{0}));
    due.conditions.push_back(field_compare(datasets, "datasetlifecycle.dateOfPublishing", Comparison::Lte, cutoff));
    due.order.push_back(sort_by(datasets, "datasetlifecycle.dateOfPublishing"));
    due.limit = o.batch;
    auto pids = store.find_ids(schemas::datasets(), due);
    if (pids.empty()) break;
    int in_batch = 0;
    store.transaction([&] {
      for (const auto& pid : pids) in_batch += open_dataset(store, pid, o, now) ? 1 : 0;
    });
    opened += in_batch;
    if (in_batch == 0) break;  // all taken by another process, or their dates moved: nothing left to do now
    if (static_cast<int>(pids.size()) < o.batch) break;
    if (o.budget.count() > 0 && std::chrono::steady_clock::now() - started >= o.budget) {
      spdlog::info("event=embargo_backlog opened={} note=\"more are due; they open at the next run\"", opened);
      break;
    }
  }
  if (opened)
    spdlog::info("event=embargo_ended datasets={} ms={}", opened,
                 std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count());
  return opened;
}

std::string embargo_end(Millis created, double years) {
  return iso_utc(add_years(created, years));
}

std::optional<std::string> check_embargo_change(const std::string& created, const std::string& before,
                                                const std::string& after, double max_years) {
  auto to = parse_iso(after);
  if (!to) return "datasetlifecycle.dateOfPublishing must be a date";
  auto from = parse_iso(before);
  if (from && *to <= *from) return std::nullopt;  // sooner is always allowed
  auto start = parse_iso(created);
  Millis limit = add_years(start ? *start : now_millis(), max_years);
  if (*to <= limit) return std::nullopt;
  return "datasetlifecycle.dateOfPublishing may be at most " + iso_utc(limit) + " (creation + " +
         fmt::format("{:g}", max_years) + " years, the embargo the policy allows)";
}

void record_history(json::object& doc, const std::string& who, const std::string& field, const json::value& before,
                    const json::value& after) {
  json::value& h = doc["history"];
  if (!h.is_array()) h = json::array();
  h.as_array().emplace_back(json::object{{"updatedBy", who},
                                         {"updatedAt", now_iso()},
                                         {field, json::object{{"previousValue", before}, {"currentValue", after}}}});
}

}  // namespace openem

#include "api/history/history_access.h"

#include <boost/json.hpp>

#include "api/attachments/attachment_parents.h"
#include "api/permissions.h"
#include "query/access.h"
#include "query/where.h"

namespace openem {
namespace json = boost::json;

bool may_read_history(const App& app, const Principal& p, const std::string& subsystem) {
  if (app.is_admin(p)) return true;
  auto it = app.config().history_access_groups.find(subsystem);
  return it != app.config().history_access_groups.end() && it->second.matches(p.groups, p.authenticated());
}

std::optional<Condition> history_readable_documents(const App& app, const Principal& p, const CollectionSchema& schema) {
  const Config& cfg = app.config();
  auto by_scope = [&](const ReadScope& scope) -> std::optional<Condition> {
    if (scope.read_any) return std::nullopt;
    return read_access_condition(schema, p, scope, /*probe=*/true);
  };
  const std::string& s = schema.history_subsystem;
  if (s == "Dataset" || s == "Datablock" || s == "OrigDatablock") return by_scope(dataset_read_scope(cfg, p));
  if (s == "Proposal") return by_scope(proposal_read_scope(cfg, p));
  if (s == "LogbookEntry") return by_scope(logbook_entry_read_scope(cfg, p));
  if (s == "Sample") return by_scope(sample_read_scope(cfg, p));
  if (s == "Attachment") return by_scope(attachment_read_scope(app, p));
  if (s == "Instrument") return std::nullopt;  // every signed-in user reads instruments
  if (s == "Policy") {  // policies are for their managers only (api/proposal_sample_routes.cpp)
    if (app.is_admin(p) || cfg.policy_groups.matches(p.groups, true)) return std::nullopt;
    return Condition::always_false();
  }
  if (s == "PublishedData") {  // PublishedDataService::read_rule: public statuses, or the creator's
    if (app.is_admin(p)) return std::nullopt;
    json::array statuses(schema.public_values.begin(), schema.public_values.end());
    json::array any{json::object{{"status", json::object{{"$in", std::move(statuses)}}}},
                    json::object{{"createdBy", p.username}}};
    return translate_where(schema, json::object{{"$or", std::move(any)}});
  }
  return Condition::always_false();  // a subsystem added without a rule here: nobody but admins
}

}  // namespace openem

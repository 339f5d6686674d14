#include "jobs/job_auth.h"

#include <boost/json.hpp>

#include <algorithm>

namespace openem {
namespace json = boost::json;
namespace {

bool contains(const std::vector<std::string>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

bool in_groups(const json::value* v, const Principal& p) {
  if (!v) return false;
  if (v->is_string()) return p.in_group(std::string(v->get_string()));
  if (v->is_array())
    for (const auto& g : v->get_array())
      if (g.is_string() && p.in_group(std::string(g.get_string()))) return true;
  return false;
}

std::string string_of(const json::object& d, const char* key) {
  auto* v = d.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// The dataset's accessGroups that are in `groups` (any), or that equal `group`.
bool access_groups_contain(const json::object& d, std::string_view group) {
  auto* v = d.if_contains("accessGroups");
  if (!v || !v->is_array()) return false;
  for (const auto& g : v->get_array())
    if (g.is_string() && g.get_string() == group) return true;
  return false;
}
bool access_groups_meet(const json::object& d, const std::vector<std::string>& groups) {
  auto* v = d.if_contains("accessGroups");
  if (!v || !v->is_array()) return false;
  for (const auto& g : v->get_array())
    if (g.is_string() && contains(groups, g.get_string())) return true;
  return false;
}

bool published(const json::object& d) {
  auto* v = d.if_contains("isPublished");
  return v && v->is_bool() && v->get_bool();
}

// The rules both steps share: #all, #authenticated, @group, user name. #jobAdmin never
// passes here: only the tiers above pass it.
bool common_rule(const std::string& rule, const Principal& p) {
  if (rule == "#all") return true;
  if (rule == "#authenticated") return p.authenticated();
  if (rule.size() > 1 && rule[0] == '@') return p.authenticated() && p.in_group(rule.substr(1));
  if (!rule.empty() && rule[0] != '#') return p.authenticated() && p.username == rule;
  return false;
}

bool every_dataset_holds(const std::string& rule, const std::vector<json::object>& datasets,
                         const JobOwnerForChecks& owner) {
  if (datasets.empty()) return false;
  return std::all_of(datasets.begin(), datasets.end(),
                     [&](const json::object& d) { return dataset_rule_holds(rule, d, owner); });
}

}  // namespace

bool is_dataset_rule(const std::string& rule) {
  return rule == "#datasetPublic" || rule == "#datasetAccess" || rule == "#datasetOwner";
}

bool dataset_rule_holds(const std::string& rule, const json::object& d, const JobOwnerForChecks& owner) {
  if (rule == "#datasetPublic") return published(d);
  const std::string& g = owner.group;
  const auto& user_groups = owner.other_user_groups;
  std::string dataset_owner = string_of(d, "ownerGroup");
  // The four cases of upstream's condition: the job's group (for the caller, or for a user
  // in that group); another user without a group; another user outside the group; nobody.
  bool for_group = (!user_groups && !g.empty()) || (user_groups && !g.empty() && contains(*user_groups, g));
  bool for_user_only = user_groups && g.empty();
  bool for_user_outside_group = user_groups && !g.empty() && !contains(*user_groups, g);
  if (rule == "#datasetAccess") {
    if (for_group) return dataset_owner == g || access_groups_contain(d, g) || published(d);
    if (for_user_only) return contains(*user_groups, dataset_owner) || access_groups_meet(d, *user_groups);
    if (for_user_outside_group) return (access_groups_contain(d, g) && access_groups_meet(d, *user_groups)) || published(d);
    return published(d);  // a job for nobody
  }
  if (rule == "#datasetOwner") {
    if (for_group) return dataset_owner == g;
    if (for_user_only) return contains(*user_groups, dataset_owner);
    return false;
  }
  return false;
}

bool job_create_allowed(const std::vector<std::string>& auth, const Principal& p, JobCreateTier tier,
                        const JobOwnerForChecks& owner, const std::vector<json::object>& datasets) {
  if (tier == JobCreateTier::Admin) return true;
  bool has_dataset_rule = false, dataset_rule_passes = false;
  for (const auto& rule : auth)
    if (is_dataset_rule(rule)) {
      has_dataset_rule = true;
      dataset_rule_passes = dataset_rule_passes || every_dataset_holds(rule, datasets, owner);
    }
  // CREATE_JOB_PRIVILEGED_GROUPS: any type, but the datasets must pass the type's checks.
  if (tier == JobCreateTier::Privileged) return !has_dataset_rule || dataset_rule_passes;
  for (const auto& rule : auth) {
    if (is_dataset_rule(rule)) {
      // Anonymous callers only have #datasetPublic among the dataset rules.
      if ((rule == "#datasetPublic" || p.authenticated()) && every_dataset_holds(rule, datasets, owner)) return true;
    } else if (common_rule(rule, p)) {
      return true;
    }
  }
  return false;
}

bool job_update_allowed(const std::vector<std::string>& auth, const Principal& p, bool job_admin,
                        const json::object& job) {
  if (job_admin) return true;
  for (const auto& rule : auth) {
    if (common_rule(rule, p)) return true;
    if (rule == "#jobOwnerUser" && p.authenticated()) {
      auto* u = job.if_contains("ownerUser");
      if (u && u->is_string() && u->get_string() == p.username) return true;
    }
    if (rule == "#jobOwnerGroup" && p.authenticated() && in_groups(job.if_contains("ownerGroup"), p)) return true;
  }
  return false;
}

}  // namespace openem

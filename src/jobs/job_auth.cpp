#include "jobs/job_auth.h"

#include <boost/json.hpp>

namespace openem {
namespace json = boost::json;
namespace {

bool in_groups(const json::value* v, const Principal& p) {
  if (!v) return false;
  if (v->is_string()) return p.in_group(std::string(v->get_string()));
  if (v->is_array())
    for (const auto& g : v->get_array())
      if (g.is_string() && p.in_group(std::string(g.get_string()))) return true;
  return false;
}

bool published(const json::object& d) {
  auto* v = d.if_contains("isPublished");
  return v && v->is_bool() && v->get_bool();
}

template <class Pred>
bool every_dataset(const std::vector<json::object>& datasets, Pred pred) {
  if (datasets.empty()) return false;
  for (const auto& d : datasets)
    if (!pred(d)) return false;
  return true;
}

// The rules both steps share: #all, #authenticated, #jobAdmin, @group, user name.
bool common_rule(const std::string& rule, const Principal& p, bool job_admin) {
  if (rule == "#all") return true;
  if (rule == "#authenticated") return p.authenticated();
  if (rule == "#jobAdmin") return job_admin;
  if (rule.size() > 1 && rule[0] == '@') return p.authenticated() && p.in_group(rule.substr(1));
  if (!rule.empty() && rule[0] != '#') return p.authenticated() && p.username == rule;
  return false;
}

}  // namespace

bool job_create_allowed(const std::vector<std::string>& auth, const Principal& p, bool job_admin,
                        const std::vector<json::object>& datasets) {
  if (job_admin) return true;
  for (const auto& rule : auth) {
    if (common_rule(rule, p, job_admin)) return true;
    if (rule == "#datasetPublic" && every_dataset(datasets, published)) return true;
    if (rule == "#datasetAccess" && p.authenticated() &&
        every_dataset(datasets, [&](const json::object& d) {
          return in_groups(d.if_contains("ownerGroup"), p) || in_groups(d.if_contains("accessGroups"), p);
        }))
      return true;
    if (rule == "#datasetOwner" && p.authenticated() &&
        every_dataset(datasets, [&](const json::object& d) { return in_groups(d.if_contains("ownerGroup"), p); }))
      return true;
  }
  return false;
}

bool job_update_allowed(const std::vector<std::string>& auth, const Principal& p, bool job_admin,
                        const json::object& job) {
  if (job_admin) return true;
  for (const auto& rule : auth) {
    if (common_rule(rule, p, job_admin)) return true;
    if (rule == "#jobOwnerUser" && p.authenticated()) {
      auto* u = job.if_contains("ownerUser");
      if (u && u->is_string() && u->get_string() == p.username) return true;
    }
    if (rule == "#jobOwnerGroup" && p.authenticated() && in_groups(job.if_contains("ownerGroup"), p)) return true;
  }
  return false;
}

}  // namespace openem

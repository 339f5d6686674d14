#include "api/job_service.h"

#include <set>

#include "api/handler_util.h"
#include "api/permissions.h"
#include "core/error.h"
#include "core/ids.h"
#include "core/time.h"
#include "jobs/job_actions.h"
#include "jobs/job_auth.h"
#include "query/access.h"

namespace openem {
namespace json = boost::json;
namespace {

// RFC 7386 JSON merge patch.
void merge_patch(json::value& target, const json::value& patch) {
  if (!patch.is_object()) {
    target = patch;
    return;
  }
  if (!target.is_object()) target = json::object();
  for (const auto& [k, v] : patch.get_object()) {
    if (v.is_null()) target.as_object().erase(k);
    else merge_patch(target.as_object()[k], v);
  }
}

void check_string_array(const json::value* v, const std::string& name) {
  if (!v) return;
  if (!v->is_array()) throw ApiError::bad_request(name + " must be an array of strings");
  for (const auto& x : v->get_array())
    if (!x.is_string()) throw ApiError::bad_request(name + " must be an array of strings");
}

void check_string(const json::object& o, const char* key) {
  if (auto* v = o.if_contains(key); v && !v->is_string() && !v->is_null())
    throw ApiError::bad_request(std::string(key) + " must be a string");
}

}  // namespace

JobService::JobService(App& app, JobConfig config)
    : app_(app),
      config_(std::move(config)),
      anonymous_per_client_(std::make_unique<RateLimiter>(app.config().anonymous_jobs_per_hour, std::chrono::hours(1))),
      anonymous_per_dataset_(std::make_unique<RateLimiter>(app.config().anonymous_jobs_per_hour, std::chrono::hours(1))) {
  for (const auto& t : config_.jobs)
    for (const auto& rule : t.update.auth) {
      if (rule.size() > 1 && rule[0] == '@') manager_groups_.push_back(rule.substr(1));
      else if (!rule.empty() && rule[0] != '#') manager_users_.push_back(rule);
    }
}

void JobService::check_size(const json::value& v, const char* what, const Principal& p) const {
  std::size_t limit = p.authenticated() ? app_.config().job_params_max_bytes
                                        : std::min<std::size_t>(app_.config().job_params_max_bytes, kAnonymousParamsBytes);
  if (json::serialize(v).size() > limit)
    throw ApiError(413, std::string(what) + " is larger than " + std::to_string(limit) + " bytes");
}

void JobService::throttle_creation(const Principal& p, const std::string& client, const json::object& params) const {
  if (p.authenticated()) return;
  // Anonymous jobs (a #all or #datasetPublic create rule) cost the catalog space and the owner
  // group a line in its job list: each client and each dataset gets a few per hour.
  auto refuse = [](std::int64_t retry) {
    ApiError e(429, "Too many jobs created anonymously; try again in " + std::to_string(retry) + " s");
    e.add_header("Retry-After", std::to_string(retry));
    throw e;
  };
  if (auto retry = anonymous_per_client_->acquire(client)) refuse(*retry);
  if (auto* list = params.if_contains("datasetList"); list && list->is_array())
    for (const auto& d : list->get_array())
      if (d.is_object())
        if (auto retry = anonymous_per_dataset_->acquire(str_field(d.get_object(), "pid"))) refuse(*retry);
}

bool JobService::create_admin(const Principal& p) const {
  return p.authenticated() && (app_.is_admin(p) || app_.config().create_job_privileged_groups.matches(p.groups, true));
}

bool JobService::update_admin(const Principal& p) const {
  return p.authenticated() && (app_.is_admin(p) || app_.config().update_job_privileged_groups.matches(p.groups, true));
}

bool JobService::read_any(const Principal& p) const {
  if (!p.authenticated()) return false;
  if (create_admin(p) || update_admin(p)) return true;
  for (const auto& g : manager_groups_)
    if (p.in_group(g)) return true;
  for (const auto& u : manager_users_)
    if (p.username == u) return true;
  return false;
}

SqlCondition JobService::access_condition(const Principal& p) const {
  if (read_any(p)) return SqlCondition::always_true();
  // Jobs created anonymously (auth #all) belong to nobody and are visible to everyone.
  const std::string unowned = "(t.owner_group IS NULL AND t.owner_user IS NULL)";
  if (!p.authenticated()) return {unowned, {}, ""};
  SqlCondition groups = read_access_condition(schemas::jobs(), p, ReadScope{}, /*probe=*/true);
  SqlCondition c{"(" + groups.sql + " OR t.owner_user = ? OR " + unowned + ")", groups.params, ""};
  c.params.push_back(p.username);
  return c;
}

bool JobService::can_read(const Principal& p, const json::object& job) const {
  if (read_any(p)) return true;
  auto* og = job.if_contains("ownerGroup");
  auto* ou = job.if_contains("ownerUser");
  bool unowned = (!og || og->is_null()) && (!ou || ou->is_null());
  if (unowned) return true;
  if (!p.authenticated()) return false;
  if (ou && ou->is_string() && ou->get_string() == p.username) return true;
  return openem::can_read(job, p, ReadScope{});
}

json::object JobService::get_readable(const Principal& p, const std::string& id) const {
  auto job = app_.store().get(schemas::jobs(), id);
  // Another's job answers as a missing one (docs/security.md).
  if (!job || !can_read(p, *job)) throw ApiError::not_found("Job " + id + " not found");
  return std::move(*job);
}

json::object JobService::v3_to_v4(const json::object& v3) {
  static const std::set<std::string> known{"type", "datasetList", "jobParams", "emailJobInitiator", "executionTime",
                                           "jobStatusMessage", "jobResultObject", "ownerGroup", "accessGroups",
                                           "creationTime", "id"};
  for (const auto& [k, v] : v3)
    if (!known.count(std::string(k))) throw ApiError::bad_request("property " + std::string(k) + " should not exist");
  json::object out;
  if (auto* t = v3.if_contains("type")) out["type"] = *t;
  json::object params;
  if (auto* jp = v3.if_contains("jobParams")) {
    if (!jp->is_object()) throw ApiError::bad_request("jobParams must be an object");
    params = jp->get_object();
  }
  if (auto* dl = v3.if_contains("datasetList")) params["datasetList"] = *dl;
  if (auto* et = v3.if_contains("executionTime")) params["executionTime"] = *et;
  out["jobParams"] = params;
  if (auto* og = v3.if_contains("ownerGroup")) out["ownerGroup"] = *og;
  else if (auto* og2 = params.if_contains("ownerGroup"); og2 && og2->is_string()) out["ownerGroup"] = *og2;
  if (auto* ag = v3.if_contains("accessGroups")) out["accessGroups"] = *ag;
  if (auto* e = v3.if_contains("emailJobInitiator")) out["contactEmail"] = *e;
  return out;
}

json::value JobService::v3_where(const json::value& where) {
  if (where.is_array()) {
    json::array out;
    for (const auto& x : where.get_array()) out.push_back(v3_where(x));
    return out;
  }
  if (!where.is_object()) return where;
  json::object out;
  for (const auto& [k, v] : where.get_object()) {
    std::string key(k);
    if (key == "jobStatusMessage") key = "statusCode";
    else if (key == "emailJobInitiator") key = "contactEmail";
    else if (key == "creationTime") key = "createdAt";
    else if (key == "datasetList.pid") key = "jobParams.datasetList.pid";
    out[key] = (key == "and" || key == "or" || key == "$and" || key == "$or") ? v3_where(v) : v;
  }
  return out;
}

json::object JobService::create(const Principal& p, json::object body, const std::string& client) const {
  static const std::set<std::string> known{"type", "jobParams", "ownerUser", "ownerGroup", "accessGroups",
                                           "contactEmail"};
  std::vector<std::string> errors;
  for (const auto& [k, v] : body)
    if (!known.count(std::string(k))) errors.push_back("property " + std::string(k) + " should not exist");
  if (!errors.empty()) throw ApiError(400, errors);
  auto* type = body.if_contains("type");
  if (!type || !type->is_string() || type->get_string().empty())
    throw ApiError(400, std::vector<std::string>{"type must be a string", "type should not be empty"});
  for (const char* k : {"ownerUser", "ownerGroup", "contactEmail"}) check_string(body, k);
  check_string_array(body.if_contains("accessGroups"), "accessGroups");
  json::object params;
  if (auto* jp = body.if_contains("jobParams"); jp && !jp->is_null()) {
    if (!jp->is_object()) throw ApiError::bad_request("jobParams must be an object");
    params = jp->get_object();
  }
  check_size(params, "jobParams", p);
  bool admin = create_admin(p);
  if (!admin) throttle_creation(p, client, params);
  // datasetList: [{pid, files: [path, ...]}]
  std::vector<json::object> datasets;
  if (auto* dl = params.if_contains("datasetList")) {
    if (!dl->is_array()) throw ApiError::bad_request("Invalid request. Invalid value for 'jobParams.datasetList'");
    std::set<std::string> seen;
    for (auto& d : dl->as_array()) {
      if (!d.is_object() || !d.get_object().contains("pid") || !d.at("pid").is_string())
        throw ApiError::bad_request("Invalid request. Each entry of jobParams.datasetList needs a pid");
      if (auto* f = d.get_object().if_contains("files")) check_string_array(f, "jobParams.datasetList.files");
      else d.as_object()["files"] = json::array();
      std::string pid(d.at("pid").get_string());
      if (!seen.insert(pid).second) continue;
      auto ds = app_.store().get(schemas::datasets(), pid);
      // A dataset the caller cannot read is named as missing: a job must not tell whether it exists.
      if (!ds || (!admin && !openem::can_read(*ds, p, dataset_read_scope(app_.config(), p))))
        throw ApiError::bad_request("Invalid request. Dataset with pid '" + pid + "' does not exist");
      datasets.push_back(std::move(*ds));
    }
  }
  std::string job_type(type->get_string());
  const JobTypeConfig* t = config_.find(job_type);
  if (!t) throw ApiError::bad_request("Invalid job type: " + job_type);
  if (!job_create_allowed(t->create.auth, p, admin, datasets)) {
    if (!p.authenticated()) throw ApiError(401, "Unauthorized to create this job.");
    throw ApiError::forbidden("Unauthorized to create this job.");
  }
  std::string owner_user = str_field(body, "ownerUser");
  if (!owner_user.empty() && owner_user != p.username && !admin)
    throw ApiError::forbidden("Invalid new job. Only job admins may create jobs for other users.");
  if (owner_user.empty() && p.authenticated()) owner_user = p.username;
  std::string owner_group = str_field(body, "ownerGroup");
  if (!owner_group.empty() && !admin && !p.in_group(owner_group))
    throw ApiError::forbidden("Invalid new job. User needs to belong to job owner group.");
  if (owner_group.empty() && !datasets.empty()) {
    // The datasets' common owner group, so that group sees the job too.
    std::string g = str_field(datasets.front(), "ownerGroup");
    bool common = true;
    for (const auto& d : datasets) common = common && str_field(d, "ownerGroup") == g;
    if (common) owner_group = g;
  }
  json::object request = body;
  request["jobParams"] = params;
  auto refusals = check_job_actions(t->create.actions, request, datasets);
  if (!refusals.empty()) {
    std::vector<std::string> messages;
    for (const auto& r : refusals) messages.push_back(r.message);
    if (messages.size() == 1) throw ApiError(refusals.front().status, messages.front());
    throw ApiError(refusals.front().status, messages);
  }
  std::string id = uuid_v4();
  json::object job{{"id", id},
                   {"_id", id},
                   {"type", job_type},
                   {"statusCode", app_.config().job_default_status_code},
                   {"statusMessage", app_.config().job_default_status_message},
                   {"jobParams", params},
                   {"ownerUser", owner_user.empty() ? json::value(nullptr) : json::value(owner_user)},
                   {"ownerGroup", owner_group.empty() ? json::value(nullptr) : json::value(owner_group)},
                   {"accessGroups", body.contains("accessGroups") ? body.at("accessGroups") : json::array()},
                   {"contactEmail", body.contains("contactEmail") ? body.at("contactEmail")
                                    : p.email.empty()              ? json::value(nullptr)
                                                                   : json::value(p.email)},
                   {"configVersion", config_.config_version},
                   {"jobResultObject", json::object()}};
  stamp(job, p, true);
  app_.store().transaction([&] {
    app_.store().insert(schemas::jobs(), job);
    // As Loopback-era SciCat did: the frontend shows the job as work in progress at once,
    // and a second archive job of the same dataset fails the archivable check.
    if (job_type != "archive" && job_type != "retrieve") return;
    for (const auto& d : datasets) {
      auto ds = app_.store().get(schemas::datasets(), str_field(d, "pid"));
      if (!ds) continue;
      json::value& lc = (*ds)["datasetlifecycle"];
      if (!lc.is_object()) lc = json::object();
      if (job_type == "archive") {
        lc.as_object()["archivable"] = false;
        lc.as_object()["archiveStatusMessage"] = "scheduledForArchiving";
      } else {
        lc.as_object()["retrieveStatusMessage"] = "scheduledForRetrieval";
      }
      app_.store().replace(schemas::datasets(), *ds);
    }
  });
  run_notify_actions(t->create.actions, job, app_.config(), "create");
  return job;
}

json::object JobService::update(const Principal& p, const std::string& id, const json::object& changes, bool merge,
                                bool v3) const {
  json::object job;
  const JobTypeConfig* t = nullptr;
  app_.store().transaction([&] {
    auto found = app_.store().get(schemas::jobs(), id);
    t = found ? config_.find(str_field(*found, "type")) : nullptr;
    static const std::vector<std::string> no_auth;
    bool allowed = found && job_update_allowed(t ? t->update.auth : no_auth, p, update_admin(p), *found);
    // Unknown, or another's that the caller may neither read nor update: the same answer.
    if (!found || (!allowed && !can_read(p, *found)))
      throw v3 ? ApiError::bad_request("Invalid job id.") : ApiError::not_found("Job " + id + " not found");
    job = std::move(*found);
    if (!allowed) {
      if (!p.authenticated()) throw ApiError(401, "Unauthorized to update this job.");
      throw ApiError::forbidden("Unauthorized to update this job.");
    }
    if (auto* r = changes.if_contains("jobResultObject")) check_size(*r, "jobResultObject", p);
    if (t) {
      auto refusals = check_job_actions(t->update.actions, changes, {});
      if (!refusals.empty()) throw ApiError(refusals.front().status, refusals.front().message);
    }
    std::string before = str_field(job, "statusCode");
    if (auto* s = changes.if_contains("statusCode")) job["statusCode"] = *s;
    if (auto* s = changes.if_contains("statusMessage")) job["statusMessage"] = *s;
    if (auto* r = changes.if_contains("jobResultObject")) {
      if (merge) merge_patch(job["jobResultObject"], *r);
      else job["jobResultObject"] = *r;
    }
    if (auto* e = changes.if_contains("executionTime")) {
      if (!job["jobParams"].is_object()) job["jobParams"] = json::object();
      job["jobParams"].as_object()["executionTime"] = *e;
    }
    // Sent back to the queue (or taken by an external archive system): a worker's lease no
    // longer applies.
    if (str_field(job, "statusCode") != before) job.erase("openemWorker");
    stamp(job, p, false);
    app_.store().replace(schemas::jobs(), job);
  });
  if (t) run_notify_actions(t->update.actions, job, app_.config(), "update");
  return job;
}

json::object JobService::remove(const Principal& p, const std::string& id) const {
  json::object job;
  app_.store().transaction([&] {
    auto found = app_.store().get(schemas::jobs(), id);
    bool allowed = p.authenticated() && app_.config().delete_job_groups.matches(p.groups, true);
    if (!found || (!allowed && !can_read(p, *found))) throw ApiError::not_found("Job " + id + " not found");
    if (!allowed) throw ApiError::forbidden();
    job = std::move(*found);
    app_.store().remove(schemas::jobs(), id);
  });
  return job;
}

json::object JobService::v4_view(json::object job) const {
  std::string code = str_field(job, "statusCode"), type = str_field(job, "type");
  json::object worker;
  if (auto* w = job.if_contains("openemWorker"); w && w->is_object()) worker = w->get_object();
  job.erase("openemWorker");
  if (type != "archive" && type != "retrieve") return job;
  double mean = 0;
  if (auto s = app_.store().setting("jobs.mean_seconds")) mean = std::atof(s->c_str());
  if (code == "jobSubmitted") {
    SqlCondition ahead{"t.status_code = 'jobSubmitted' AND t.type IN ('archive', 'retrieve') AND t.created_at <= ?",
                       {str_field(job, "createdAt")}, ""};
    std::int64_t position = app_.store().count(schemas::jobs(), ahead);
    job["queuePosition"] = position;
    if (mean > 0) job["estimatedCompletionTime"] = iso_utc(now_millis() + static_cast<Millis>(mean * 1000 * position));
  } else if (code == "inProgress") {
    job["queuePosition"] = 0;
    if (mean > 0 && worker.contains("startedAt") && worker.at("startedAt").is_number())
      job["estimatedCompletionTime"] =
          iso_utc(std::max(now_millis(), worker.at("startedAt").to_number<Millis>() + static_cast<Millis>(mean * 1000)));
  }
  return job;
}

json::object JobService::v3_view(json::object job) const {
  json::object v4 = v4_view(std::move(job));
  json::object params;
  if (auto* jp = v4.if_contains("jobParams"); jp && jp->is_object()) params = jp->get_object();
  json::value datasets = params.contains("datasetList") ? params.at("datasetList") : json::array();
  json::value execution = params.contains("executionTime") ? params.at("executionTime") : json::value(nullptr);
  params.erase("datasetList");
  if (auto* u = v4.if_contains("ownerUser"); u && u->is_string()) params["username"] = *u;
  json::object out{{"id", v4["id"]},
                   {"_id", v4["id"]},
                   {"emailJobInitiator", v4.contains("contactEmail") ? v4["contactEmail"] : json::value(nullptr)},
                   {"type", v4["type"]},
                   {"creationTime", v4["createdAt"]},
                   {"executionTime", execution},
                   {"jobParams", std::move(params)},
                   {"jobStatusMessage", v4["statusCode"]},
                   {"datasetList", std::move(datasets)},
                   {"jobResultObject", v4.contains("jobResultObject") ? v4["jobResultObject"] : json::object()},
                   {"ownerGroup", v4.contains("ownerGroup") ? v4["ownerGroup"] : json::value(nullptr)}};
  for (const char* k : {"queuePosition", "estimatedCompletionTime"})
    if (auto* v = v4.if_contains(k)) out[k] = *v;
  return out;
}

}  // namespace openem

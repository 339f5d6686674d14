#include "api/job_service.h"

#include <algorithm>
#include <optional>
#include <set>

#include "api/handler_util.h"
#include "api/job_request.h"
#include "api/job_v3.h"
#include "api/permissions.h"
#include "core/error.h"
#include "core/ids.h"
#include "model/access_set.h"
#include "core/merge_patch.h"
#include "core/time.h"
#include "jobs/job_actions.h"
#include "jobs/job_auth.h"
#include "jobs/job_messages.h"
#include "logbook/logbook_entries.h"
#include "jobs/job_status_history.h"
#include "query/access.h"

namespace openem {
namespace json = boost::json;

JobService::JobService(App& app, JobConfig config)
    : app_(app),
      config_(std::move(config)),
      anonymous_per_client_(std::make_unique<RateLimiter>(app.config().anonymous_jobs_per_hour, std::chrono::hours(1))),
      anonymous_per_dataset_(std::make_unique<RateLimiter>(app.config().anonymous_jobs_per_hour, std::chrono::hours(1))) {
  // As upstream: a configuration that publishes to RabbitMQ needs RabbitMQ.
  if (config_.uses_action("rabbitmq") && !app.config().rabbitmq_enabled)
    throw std::runtime_error("the job configuration has a rabbitmq action, but RABBITMQ_ENABLED is not \"yes\"");
  // Users and groups an update rule names by name may read the jobs of that type (they
  // update them); #-rules name nobody in particular.
  for (const auto& t : config_.jobs)
    for (const auto& rule : t.update.auth) {
      if (rule.size() > 1 && rule[0] == '@') type_readers_.push_back({t.job_type, rule.substr(1), true});
      else if (!rule.empty() && rule[0] != '#') type_readers_.push_back({t.job_type, rule, false});
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
  return create_admin(p) || update_admin(p);
}

std::vector<std::string> JobService::types_read_by_rule(const Principal& p) const {
  std::vector<std::string> out;
  for (const auto& r : type_readers_)
    if (r.is_group ? p.in_group(r.name) : p.username == r.name) out.push_back(r.job_type);
  return out;
}

// scicat-backend-next src/casl/casl-ability.factory.ts jobsInstanceAccessCan: JobReadAny for
// ADMIN_GROUPS and the privileged job groups, JobReadAccess for the jobs of one's groups and
// one's own; anonymous callers read no job. openem adds the types whose update rule names the
// caller (see docs/catalog.md).
Condition JobService::access_condition(const Principal& p) const {
  if (read_any(p)) return Condition::always_true();
  if (!p.authenticated()) return Condition::always_false();
  const CollectionSchema& jobs = schemas::jobs();
  std::vector<Condition> any{field_is(jobs, "ownerUser", p.username)};
  if (!p.groups.empty()) any.push_back(field_one_of(jobs, "ownerGroup", {p.groups.begin(), p.groups.end()}));
  auto types = types_read_by_rule(p);
  if (!types.empty()) any.push_back(field_one_of(jobs, "type", {types.begin(), types.end()}));
  Condition c = any_of(std::move(any));
  // A text search under this rule looks up only the jobs it admits (schemas::jobs()
  // text_reader_fields tags the index so).
  auto members = std::make_shared<std::vector<std::string>>();
  members->push_back("u:" + p.username);
  for (const auto& g : p.groups)
    if (!g.empty()) members->push_back(access_member_group(g));
  for (const auto& t : types) members->push_back("t:" + t);
  c.text_readers = std::move(members);
  return c;
}

bool JobService::can_read(const Principal& p, const json::object& job) const {
  if (read_any(p)) return true;
  if (!p.authenticated()) return false;
  if (str_field(job, "ownerUser") == p.username) return true;
  if (auto g = str_field(job, "ownerGroup"); !g.empty() && p.in_group(g)) return true;
  auto types = types_read_by_rule(p);
  return std::find(types.begin(), types.end(), str_field(job, "type")) != types.end();
}

json::object JobService::get_readable(const Principal& p, const std::string& id) const {
  auto job = app_.store().get(schemas::jobs(), id);
  // Another's job answers as a missing one (docs/security.md).
  if (!job || !can_read(p, *job)) throw ApiError::not_found("Job " + id + " not found");
  return std::move(*job);
}

json::object JobService::create_v3(const Principal& p, const json::object& v3, const std::string& client) const {
  // Upstream's v3 mapping looks the type up first.
  const json::value* type = v3.if_contains("type");
  std::string name = !type ? "undefined" : type->is_string() ? std::string(type->get_string()) : json::serialize(*type);
  const JobTypeConfig* t = config_.find(name);
  if (!t) throw ApiError::bad_request("Invalid job type: " + name);
  return create(p, v3_create_to_v4(app_, *t, p, v3), client);
}

// scicat-backend-next src/jobs/jobs.controller.utils.ts createJob / instanceAuthorizationJobCreate,
// step by step: the body, the type, the dataset list, the owner, the dataset rules, the
// caller's rights, the validate actions.
json::object JobService::create(const Principal& p, json::object body, const std::string& client) const {
  check_create_job_body(body);
  json::object params = body.at("jobParams").get_object();
  check_size(params, "jobParams", p);
  throttle_creation(p, client, params);
  std::string job_type(body.at("type").get_string());
  const JobTypeConfig* t = config_.find(job_type);
  if (!t) throw ApiError::bad_request("Invalid job type: " + job_type);
  JobCreateTier tier = !p.authenticated() ? JobCreateTier::Anonymous
                       : app_.is_admin(p) ? JobCreateTier::Admin
                       : create_admin(p)  ? JobCreateTier::Privileged
                                          : JobCreateTier::User;
  bool privileged = tier == JobCreateTier::Admin || tier == JobCreateTier::Privileged;
  std::vector<json::object> datasets;
  if (auto* list = params.if_contains("datasetList")) datasets = load_job_datasets(app_, p, privileged, *list);

  // Whose job it is: upstream leaves ownerUser, ownerGroup and contactEmail unset unless
  // the body or the caller gives them.
  std::string asked_user = str_field(body, "ownerUser"), asked_group = str_field(body, "ownerGroup"),
              asked_email = str_field(body, "contactEmail");
  std::string owner_user, owner_group, contact = asked_email;
  JobOwnerForChecks owner;
  if (privileged) {
    if (!asked_user.empty()) {
      std::optional<UserRecord> other;
      if (asked_user != p.username) other = app_.store().user_by_name(asked_user);
      owner_user = other ? other->username : p.username;  // an unknown name: the caller's job
      if (other) owner.other_user_groups = other->groups;
      if (contact.empty() && other) contact = other->email;
    }
    owner_group = asked_group;
    if (asked_group.empty() && asked_user.empty() && asked_email.empty())
      throw ApiError::bad_request("Contact email should be specified for an anonymous job.");
    if (contact.empty()) contact = p.email;
  } else if (tier == JobCreateTier::User) {
    if (asked_group.empty()) throw ApiError::bad_request("Invalid new job. Owner group should be specified.");
    if (!asked_user.empty() && asked_user != p.username)
      throw ApiError::bad_request("Invalid new job. User owning the job should match user logged in.");
    owner_user = p.username;
    if (contact.empty()) contact = p.email;
    if (!p.in_group(asked_group)) throw ApiError::bad_request("Invalid new job. User needs to belong to job owner group.");
    owner_group = asked_group;
  }
  owner.group = owner_group;

  const auto& auth = t->create.auth;
  bool dataset_auth = !auth.empty() && std::all_of(auth.begin(), auth.end(), is_dataset_rule);
  if (dataset_auth) {
    if (!params.contains("datasetList")) throw ApiError::bad_request("Dataset ids list was not provided in jobParams");
    bool owner_rule = std::find(auth.begin(), auth.end(), "#datasetOwner") != auth.end();
    if (owner_rule && (tier == JobCreateTier::Anonymous ||
                       (tier != JobCreateTier::Admin && asked_group.empty() && asked_user.empty())))
      throw ApiError(401, "User not authenticated");
  }
  if (tier == JobCreateTier::Anonymous && !asked_group.empty())
    throw ApiError::bad_request("Invalid new job. Unauthenticated user cannot initiate a job owned by another user.");
  if (!job_create_allowed(auth, p, tier, owner, datasets)) throw ApiError::forbidden("Unauthorized to create this job.");

  auto refusals = check_job_actions(t->create.actions, body, datasets);
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
                   {"jobParams", params}};
  if (!owner_user.empty()) job["ownerUser"] = owner_user;
  if (!owner_group.empty()) job["ownerGroup"] = owner_group;
  job["accessGroups"] = json::array();
  if (!contact.empty()) job["contactEmail"] = contact;
  job["configVersion"] = config_.config_version;
  job["jobResultObject"] = json::object();
  stamp(job, p, true);
  note_job_status(job, str_field(job, "createdAt"));
  app_.store().transaction([&] {
    app_.store().insert(schemas::jobs(), job);
    queue_job_messages(app_.store(), t->create.actions, job, "create");
    add_job_entry(app_.store(), job, "submitted by " + (p.authenticated() ? p.username : std::string("an anonymous user")) + ".");
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
      if (merge) apply_merge_patch(job["jobResultObject"], *r);
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
    note_job_status(job, str_field(job, "updatedAt"));
    app_.store().replace(schemas::jobs(), job);
    if (t) queue_job_messages(app_.store(), t->update.actions, job, "update");
    if (str_field(job, "statusCode") != before)
      add_job_entry(app_.store(), job, "is now **" + str_field(job, "statusCode") + "**: " + str_field(job, "statusMessage"));
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
    const CollectionSchema& jobs = schemas::jobs();
    Condition ahead = all_of({field_is(jobs, "statusCode", std::string("jobSubmitted")),
                              field_one_of(jobs, "type", {std::string("archive"), std::string("retrieve")}),
                              field_compare(jobs, "createdAt", Comparison::Lte, str_field(job, "createdAt"))});
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

json::object JobService::v3_view(json::object job) const { return v3_shape(v4_view(std::move(job))); }

}  // namespace openem

// Proposals (reference §5.1), samples (§5.2), instruments (§5.3) and policies (§5.5): each a
// GenericCollection plus its own create rules and extra endpoints.
#include <boost/json.hpp>

#include "api/dataset_service.h"
#include "api/generic_routes.h"
#include "api/handler_util.h"
#include "api/permissions.h"
#include "api/proposal_presentation.h"
#include "api/routes.h"
#include "core/error.h"
#include "core/ids.h"
#include "api/search.h"
#include "logbook/logbook_entries.h"
#include "model/scientific_metadata.h"
#include "query/fullquery.h"
#include "store/store_errors.h"

namespace openem {
namespace json = boost::json;
namespace {

using F = FieldType;

const DtoSpec& proposal_spec() {
  static const DtoSpec s{{"proposalId", F::NonEmptyString, true}, {"email", F::Email, true},
                         {"title", F::NonEmptyString, true},      {"ownerGroup", F::NonEmptyString, true},
                         {"accessGroups", F::StringArray},        {"instrumentGroup", F::String},
                         {"isPublished", F::Boolean},             {"pi_email", F::String},
                         {"pi_firstname", F::String},             {"pi_lastname", F::String},
                         {"firstname", F::String},                {"lastname", F::String},
                         {"abstract", F::String},                 {"startTime", F::Date},
                         {"endTime", F::Date},                    {"MeasurementPeriodList", F::ObjectArray},
                         {"metadata", F::Object},                 {"parentProposalId", F::String},
                         {"type", F::String},                     {"instrumentIds", F::StringArray}};
  return s;
}

const DtoSpec& sample_spec() {
  static const DtoSpec s{{"sampleId", F::NonEmptyString},        {"owner", F::String},
                         {"description", F::String},              {"type", F::String},
                         {"proposalId", F::String},               {"parentSampleId", F::String},
                         {"sampleCharacteristics", F::Object},    {"isPublished", F::Boolean},
                         {"ownerGroup", F::NonEmptyString, true}, {"accessGroups", F::StringArray},
                         {"instrumentGroup", F::String},
                         {"sampleName", F::String}};  // newer upstream CreateSampleDto; scitacean sends it
  return s;
}

const DtoSpec& instrument_spec() {
  static const DtoSpec s{{"pid", F::NonEmptyString},
                         {"uniqueName", F::NonEmptyString, true},
                         {"name", F::NonEmptyString, true},
                         {"customMetadata", F::Object}};
  return s;
}

const DtoSpec& policy_spec() {
  static const DtoSpec s{{"ownerGroup", F::NonEmptyString, true},
                         {"accessGroups", F::StringArray},
                         {"instrumentGroup", F::String},
                         {"isPublished", F::Boolean},
                         {"manager", F::StringArray},
                         {"tapeRedundancy", F::String},
                         {"autoArchive", F::Boolean},
                         {"autoArchiveDelay", F::Integer},
                         {"archiveEmailNotification", F::Boolean},
                         {"archiveEmailsToBeNotified", F::StringArray},
                         {"retrieveEmailNotification", F::Boolean},
                         {"retrieveEmailsToBeNotified", F::StringArray},
                         {"embargoPeriod", F::Integer}};
  return s;
}

void validate_or_throw(const json::object& body, const DtoSpec& spec) {
  auto errors = validate_dto(body, spec, false, server_managed_fields());
  if (!errors.empty()) throw ApiError(400, errors);
}

json::object insert_new(App& app, const CollectionSchema& schema, const Principal& p, json::object doc,
                        const std::string& id, const char* what) {
  for (const auto& f : fields_dropped_from_writes(schema)) doc.erase(f);
  doc[schema.id_field] = id;
  doc["_id"] = id;
  if (schema.ownable) {
    if (!doc.contains("accessGroups")) doc["accessGroups"] = json::array();
    if (!doc.contains("isPublished")) doc["isPublished"] = false;
  }
  stamp(doc, p, true);
  try {
    app.store().insert(schema, doc);
  } catch (const StoreError& e) {
    if (e.kind() == StoreError::Kind::kDuplicateId) throw ApiError::conflict(std::string(what) + " with id " + id + " already exists");
    throw;
  }
  return doc;
}

// Datasets that reference a proposal/sample, filtered by the caller's dataset access.
HttpResponse datasets_referencing(App& app, const HttpRequest& req, const Principal& p, const char* field) {
  QueryPlan plan;
  plan.conditions.push_back(field_is(schemas::datasets(), field, req.param("id")));
  plan.conditions.push_back(dataset_access(app).access_condition(p));
  plan.limit = 1000;
  json::array out;
  for (auto& d : app.store().find(schemas::datasets(), plan)) out.emplace_back(std::move(d));
  return HttpResponse::json(200, out);
}

// GET /:id/authorization → {canAccess}: whether the caller may read the document.
// `/:id/access` is the older backend's name for it; frontends built against it still call it.
void register_authorization_route(Router& r, App& app, const GenericCollection& c) {
  for (const char* suffix : {"/:id/authorization", "/:id/access"})
    r.add("GET", c.base + suffix, [&app, c](HttpRequest& req) {
      Principal p = app.authenticate(req);
      auto doc = app.store().get(*c.schema, req.param("id"));
      bool ok = doc && can_read(*doc, p, c.scope(p));
      return HttpResponse::json(200, json::object{{"canAccess", ok}});
    });
}

void register_proposals(Router& r, App& app) {
  const Config& cfg = app.config();
  GenericCollection c{
      .schema = &schemas::proposals(),
      .base = "/api/v3/proposals",
      .scope = [&app](const Principal& p) { return proposal_read_scope(app.config(), p); },
      // Upstream proposalsEndpointAccess: only admins and PROPOSAL_GROUPS change proposals (the
      // proposal system writes them), not the groups that own them.
      .can_update = [&app](const Principal& p, const json::object&) {
        return app.is_admin(p) || app.config().proposal_groups.matches(p.groups, true);
      },
      .can_delete = [&app](const Principal& p) { return app.may_delete(p); },
      .spec = &proposal_spec(),
      .default_facets = {"type"},
      .present = [&app](const Principal& p, json::object& doc) { present_proposal(app, p, doc); },
      .after_change = [](CatalogStore& store, const json::object& doc) { follow_proposal_access(store, doc); },
  };
  r.add("POST", c.base, [&app, &cfg](HttpRequest& req) {
    Principal p = app.authenticate(req);
    if (!app.is_admin(p) && !cfg.proposal_groups.matches(p.groups, p.authenticated())) throw ApiError::forbidden();
    json::object body = body_object(req);
    auto errors = validate_dto(body, proposal_spec(), false, fields_dropped_from_writes(schemas::proposals()));
    if (!errors.empty()) throw ApiError(400, errors);
    if (!body.contains("type")) body["type"] = "Default Proposal";
    add_proposal_defaults(body);
    std::string id = str_field(body, "proposalId");
    json::object created = insert_new(app, schemas::proposals(), p, std::move(body), id, "Proposal");
    present_proposal(app, p, created);
    return HttpResponse::json(201, created);
  });
  r.add("POST", c.base + "/isValid", [&app](HttpRequest& req) {
    json::object body = body_object(req);
    auto errors = validate_dto(body, proposal_spec(), false, fields_dropped_from_writes(schemas::proposals()));
    return HttpResponse::json(200, json::object{{"valid", errors.empty()}});
  });
  register_authorization_route(r, app, c);
  r.add("GET", c.base + "/:id/datasets", [&app, c](HttpRequest& req) {
    Principal p = app.authenticate(req);
    CollectionAccess(app, *c.schema, c.scope).get_readable(p, req.param("id"));
    return datasets_referencing(app, req, p, "proposalIds");
  });
  register_generic_routes(r, app, c);
}

void register_samples(Router& r, App& app) {
  const Config& cfg = app.config();
  GenericCollection c{
      .schema = &schemas::samples(),
      .base = "/api/v3/samples",
      .scope = [&app](const Principal& p) { return sample_read_scope(app.config(), p); },
      // Reference §5.2: anonymous callers get 401 on all but GET /, /:id, /:id/authorization.
      .anonymous_status = 0,
      .anonymous_search_status = 401,
      .anonymous_write_status = 401,
      .can_update = [&app](const Principal& p, const json::object& d) {
        return may_change_sample(app.config(), p, owns(d, p), SampleChange::Update);
      },
      .can_delete = [&app](const Principal& p) { return app.may_delete(p); },
      .spec = &sample_spec(),
      .scientific_key = "characteristics",
      .default_facets = {"type"},
  };
  r.add("POST", c.base, [&app, &cfg](HttpRequest& req) {
    Principal p = app.require_user(req);
    bool privileged = app.is_admin(p) || cfg.sample_privileged_groups.matches(p.groups, true);
    if (!privileged && !cfg.sample_groups.matches(p.groups, true)) throw ApiError::forbidden();
    json::object body = body_object(req);
    validate_or_throw(body, sample_spec());
    if (!privileged && !p.in_group(str_field(body, "ownerGroup")))
      throw ApiError::forbidden("Unauthorized to create samples for group " + str_field(body, "ownerGroup"));
    std::string id = str_field(body, "sampleId");
    if (id.empty()) id = uuid_v4();
    if (auto* sc = body.if_contains("sampleCharacteristics"); sc && sc->is_object()) *sc = with_si_values(*sc);
    return HttpResponse::json(201, insert_new(app, schemas::samples(), p, std::move(body), id, "Sample"));
  });
  register_authorization_route(r, app, c);
  r.add("GET", c.base + "/metadataKeys", [&app, c](HttpRequest& req) {
    Principal p = app.authenticate(req);
    check_read(c, p, true);
    SearchRequest s = parse_search_request(req);
    auto conds = fullquery_conditions(*c.schema, s.fields, c.scientific_key);
    conds.push_back(CollectionAccess(app, *c.schema, c.scope).access_condition(p));
    json::array out;
    for (auto& path : app.store().scientific_paths(*c.schema, all_of(conds), s.window.limit.value_or(1000)))
      out.emplace_back(path);
    return HttpResponse::json(200, out);
  });
  r.add("GET", c.base + "/:id/datasets", [&app, c](HttpRequest& req) {
    Principal p = app.authenticate(req);
    check_read(c, p, true);
    CollectionAccess(app, *c.schema, c.scope).get_readable(p, req.param("id"));
    return datasets_referencing(app, req, p, "sampleIds");
  });
  register_generic_routes(r, app, c);
}

void register_instruments(Router& r, App& app) {
  GenericCollection c{
      .schema = &schemas::instruments(),
      .base = "/api/v3/instruments",
      .scope = [](const Principal&) { return ReadScope{true, true}; },
      .can_update = [&app](const Principal& p, const json::object&) { return app.is_admin(p); },
      .can_delete = [&app](const Principal& p) { return app.may_delete(p); },
      .spec = &instrument_spec(),
      .scientific_key = "customMetadata",
  };
  r.add("POST", c.base, [&app](HttpRequest& req) {
    Principal p = app.authenticate(req);
    if (!app.is_admin(p)) throw ApiError::forbidden();
    json::object body = body_object(req);
    validate_or_throw(body, instrument_spec());
    QueryPlan dup;
    dup.conditions.push_back(field_is(schemas::instruments(), "uniqueName", str_field(body, "uniqueName")));
    dup.limit = 1;
    if (!app.store().find_ids(schemas::instruments(), dup).empty())
      throw ApiError::conflict("An instrument with uniqueName " + str_field(body, "uniqueName") + " already exists");
    std::string id = str_field(body, "pid");
    if (id.empty()) id = app.config().pid_prefix + uuid_v4();  // no '/' separator, as upstream
    if (auto* cm = body.if_contains("customMetadata"); cm && cm->is_object()) *cm = with_si_values(*cm);
    return HttpResponse::json(201, insert_new(app, schemas::instruments(), p, std::move(body), id, "Instrument"));
  });
  register_generic_routes(r, app, c);
}

void register_policies(Router& r, App& app) {
  auto manager = [&app](const Principal& p) {
    return app.is_admin(p) || app.config().policy_groups.matches(p.groups, p.authenticated());
  };
  GenericCollection c{
      .schema = &schemas::policies(),
      .base = "/api/v3/policies",
      .scope = [](const Principal&) { return ReadScope{true, true}; },
      .anonymous_status = 403,
      .anonymous_search_status = 403,
      .read_gate = manager,
      .can_update = [manager](const Principal& p, const json::object&) { return manager(p); },
      .can_delete = [&app](const Principal& p) { return app.may_delete(p); },
      .spec = &policy_spec(),
  };
  r.add("POST", c.base, [&app, manager](HttpRequest& req) {
    Principal p = app.authenticate(req);
    if (!manager(p)) throw ApiError::forbidden();
    json::object body = body_object(req);
    validate_or_throw(body, policy_spec());
    std::string id = uuid_v4();
    body["id"] = id;
    return HttpResponse::json(201, insert_new(app, schemas::policies(), p, std::move(body), id, "Policy"));
  });
  r.add("POST", c.base + "/updateWhere", [&app, manager](HttpRequest& req) {
    Principal p = app.authenticate(req);
    if (!manager(p)) throw ApiError::forbidden();
    json::object body = body_object(req);
    std::string list = str_field(body, "ownerGroupList");
    auto* data = body.if_contains("data");
    if (list.empty() || !data || !data->is_object())
      throw ApiError::bad_request("updateWhere needs ownerGroupList and data");
    auto errors = validate_dto(data->get_object(), policy_spec(), true, server_managed_fields());
    if (!errors.empty()) throw ApiError(400, errors);
    json::array updated;
    app.store().transaction([&] {
      for (const auto& g : GroupList::parse(list).groups) {
        ensure_policy_for_group(app, p, g, "");
        QueryPlan plan;
        plan.conditions.push_back(field_is(schemas::policies(), "ownerGroup", g));
        for (auto& doc : app.store().find(schemas::policies(), plan)) {
          for (const auto& [k, v] : data->get_object()) doc[k] = v;
          stamp(doc, p, false);
          app.store().replace(schemas::policies(), doc);
          updated.emplace_back(doc);
        }
      }
    });
    return HttpResponse::json(200, updated);
  });
  // Reading policies needs the same rights as writing them (reference §5.5): read_gate.
  register_generic_routes(r, app, c);
}

}  // namespace

void register_proposal_routes(Router& r, App& app) { register_proposals(r, app); }
void register_sample_routes(Router& r, App& app) { register_samples(r, app); }
void register_instrument_routes(Router& r, App& app) { register_instruments(r, app); }
void register_policy_routes(Router& r, App& app) { register_policies(r, app); }

}  // namespace openem

#include "api/publishing/published_data_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "api/handler_util.h"
#include "api/permissions.h"
#include "core/error.h"
#include "core/json_fields.h"
#include "core/time.h"
#include "logbook/logbook_entries.h"
#include "publish/dataset_publication.h"
#include "publish/datacite/client.h"
#include "publish/published_data/doi.h"
#include "publish/published_data/record.h"
#include "query/access.h"
#include "query/where.h"

namespace openem {
namespace json = boost::json;
namespace {

// DataCite's test prefix: where DOI_PREFIX is not set, records still get DOIs of the right form
// (they cannot be registered under it with real credentials).
constexpr const char* kFallbackPrefix = "10.5072";

PublishedStatus status_of(const json::object& record) {
  return parse_published_status(str_field(record, "status")).value_or(PublishedStatus::Private);
}

[[noreturn]] void not_found(const std::string& doi) {
  throw ApiError::not_found("Published data with doi " + doi + " not found.");
}

const CollectionSchema& records() { return schemas::published_data(); }

// Each pid once, in the order given.
std::vector<std::string> distinct(std::vector<std::string> pids) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (auto& p : pids)
    if (seen.insert(p).second) out.push_back(std::move(p));
  return out;
}

// The record's datasets, each once, as the readable datasets were checked.
void set_pids(json::object& record, const std::vector<json::object>& datasets) {
  json::array pids;
  for (const auto& ds : datasets) pids.emplace_back(str_field(ds, "pid"));
  record["datasetPids"] = std::move(pids);
}

void set_totals(json::object& record, const std::vector<json::object>& datasets) {
  if (!datasets.empty() && datasets.front().contains("pid")) set_pids(record, datasets);
  std::int64_t files = 0, bytes = 0;
  for (const auto& ds : datasets) {
    if (auto* n = ds.if_contains("numberOfFiles"); n && n->is_number()) files += n->to_number<std::int64_t>();
    if (auto* s = ds.if_contains("size"); s && s->is_number()) bytes += s->to_number<std::int64_t>();
  }
  record["numberOfFiles"] = files;
  record["sizeOfArchive"] = bytes;
}

// Objects merge key by key, anything else (arrays too) is replaced: upstream's resync merge.
void merge_into(json::object& target, const json::object& patch) {
  for (const auto& [k, v] : patch) {
    auto* t = target.if_contains(k);
    if (t && t->is_object() && v.is_object()) merge_into(t->as_object(), v.get_object());
    else target[k] = v;
  }
}

std::string extension_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  auto dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash) || dot + 1 >= path.size()) return "";
  std::string ext = path.substr(dot + 1);
  if (ext.size() > 10 || !std::all_of(ext.begin(), ext.end(), [](unsigned char c) { return std::isalnum(c); })) return "";
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

bool is_published(const json::object& doc) {
  auto* p = doc.if_contains("isPublished");
  return p && p->is_bool() && p->get_bool();
}

}  // namespace

std::string public_base_url(const App& app, const HttpRequest& req) {
  std::string base = app.config().public_url;
  if (base.empty()) base = "http://" + req.header("host").value_or(app.config().listen_host);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

PublishedDataService::PublishedDataService(App& app, std::shared_ptr<const PublishedDataConfig> config, std::string base_url)
    : app_(app), config_(std::move(config)), base_url_(std::move(base_url)), endpoints_(datacite::endpoints_from(app.config())) {}

std::string PublishedDataService::landing_url(const std::string& doi) const {
  const std::string& prefix = app_.config().public_url_prefix;
  return doi_landing_url(prefix.empty() ? base_url_ + "/doi/" : prefix, doi);
}

// --- reading

PublishedActor PublishedDataService::actor_for(const Principal& p, const json::object& record) const {
  PublishedActor a;
  a.admin = app_.is_admin(p);
  a.creator = p.authenticated() && str_field(record, "createdBy") == p.username;
  a.delete_group = app_.may_delete(p);
  return a;
}

// The read rule as a condition, with the members a text search under it looks up (the text
// index tags each record with its status and creator: schemas' text_reader_fields).
Condition PublishedDataService::read_condition(const Principal& p) const {
  json::value rule = read_rule(p);
  if (rule.is_null()) return Condition::always_true();
  Condition c = translate_where(records(), rule);
  auto members = std::make_shared<std::vector<std::string>>();
  for (const auto& status : records().public_values) members->push_back("st:" + status);
  if (p.authenticated()) members->push_back("u:" + p.username);
  c.text_readers = std::move(members);
  return c;
}

json::value PublishedDataService::read_rule(const Principal& p) const {
  if (app_.is_admin(p)) return nullptr;
  // The statuses anyone may read (is_readable_by_anyone), as the schema lists them for harvesters.
  json::array statuses(records().public_values.begin(), records().public_values.end());
  json::array any{json::object{{"status", json::object{{"$in", std::move(statuses)}}}}};
  if (p.authenticated()) any.emplace_back(json::object{{"createdBy", p.username}});
  return json::object{{"$or", std::move(any)}};
}

json::object PublishedDataService::get_visible(const Principal& p, const std::string& doi) const {
  auto record = app_.store().get(records(), doi);
  if (!record) not_found(doi);
  PublishedActor a = actor_for(p, *record);
  if (!a.admin && !a.creator && !is_readable_by_anyone(status_of(*record))) not_found(doi);  // as missing
  return std::move(*record);
}

std::optional<json::object> PublishedDataService::get_public(const std::string& doi) const {
  auto record = app_.store().get(records(), doi);
  if (!record || !is_readable_by_anyone(status_of(*record))) return std::nullopt;
  return record;
}

std::vector<json::object> PublishedDataService::list(const Principal& p, const ListFilter& f) const {
  QueryPlan plan;
  plan.conditions.push_back(read_condition(p));
  if (!f.where.is_null()) plan.conditions.push_back(translate_where(records(), f.where));
  add_order_and_window(plan, records(), f, 1000);
  return app_.store().find(records(), plan);
}

std::int64_t PublishedDataService::count(const Principal& p, const json::value& where) const {
  std::vector<Condition> conds{read_condition(p)};
  if (!where.is_null()) conds.push_back(translate_where(records(), where));
  return app_.store().count(records(), all_of(conds));
}

json::object PublishedDataService::load_for(const Principal& p, const std::string& doi, PublishedAction action,
                                            PublishedApi api) const {
  auto record = app_.store().get(records(), doi);
  if (!record) not_found(doi);
  PublishedActor a = actor_for(p, *record);
  PublishedStatus status = status_of(*record);
  bool v3_delete = action == PublishedAction::Delete && api == PublishedApi::V3 && (a.delete_group || a.admin);
  // What the caller may not read does not exist for it, whatever the action.
  if (!v3_delete && !a.admin && !a.creator && !is_readable_by_anyone(status)) not_found(doi);
  // A registration that DataCite refused may be tried again.
  auto* reg = record->if_contains("registration");
  bool failed = reg && reg->is_object() && str_field(reg->get_object(), "state") == "failed";
  if (action == PublishedAction::Register && failed && (a.admin || a.creator)) return std::move(*record);
  if (auto refusal = refuse_action(status, action, a, api)) {
    if (refusal->status == 404) not_found(doi);
    throw ApiError(refusal->status, refusal->message);
  }
  return std::move(*record);
}

// --- datasets of a record

std::vector<json::object> PublishedDataService::readable_datasets(const Principal& p, const json::object& record) const {
  auto pids = distinct(dataset_pids_of(record));
  if (pids.empty()) throw ApiError::bad_request("pidArray (datasetPids) must name at least one dataset");
  const auto max = static_cast<std::size_t>(app_.config().published_data_max_pids);
  if (pids.size() > max)
    throw ApiError::bad_request("pidArray (datasetPids) names " + std::to_string(pids.size()) +
                                " datasets; at most " + std::to_string(max) +
                                " are allowed in one record (OPENEM_PUBLISHED_DATA_MAX_PIDS)");
  ReadScope scope = dataset_read_scope(app_.config(), p);
  std::vector<json::object> out;
  for (const auto& pid : pids) {
    auto ds = pid.size() <= 1000 ? app_.store().get(schemas::datasets(), pid) : std::nullopt;
    // One message for missing and unreadable: the answer tells nothing about private datasets.
    if (!ds || !can_read(*ds, p, scope))
      throw ApiError::bad_request("pidArray (datasetPids): dataset " + pid.substr(0, 200) + " not found");
    out.push_back(std::move(*ds));
  }
  return out;
}

std::vector<json::object> PublishedDataService::publishable_datasets(const Principal& p, const json::object& record) const {
  auto datasets = readable_datasets(p, record);
  for (const auto& ds : datasets)
    if (!is_published(ds) && !dataset_update_any(app_.config(), p) && !owns(ds, p))
      throw ApiError::forbidden("Dataset " + str_field(ds, "pid") +
                                " is not public and only its owner group or an admin may make it public");
  return datasets;
}

void PublishedDataService::check_metadata(const json::object& record) const {
  auto* m = record.if_contains("metadata");
  auto problems = config_->problems(m ? *m : json::value(json::object()));
  if (!problems.empty()) throw ApiError(400, problems);
}

// --- DataCite

DataCiteContext PublishedDataService::context_for(const json::object& record, const std::vector<json::object>& datasets) const {
  CatalogStore& store = app_.store();
  DataCiteContext c;
  c.publisher = app_.config().site_name;
  c.landing_url = landing_url(str_field(record, "doi"));
  c.catalog_url = base_url_;
  c.datasets = datasets;
  std::set<std::string> in_record;
  for (const auto& ds : datasets) in_record.insert(str_field(ds, "pid"));
  for (const auto& ds : datasets) {
    // Only public proposals and samples give names and grants to a public document.
    for (const auto& id : json_strings(ds, "proposalIds"))
      if (auto d = store.get(schemas::proposals(), id); d && is_published(*d)) c.proposals[id] = *d;
    for (const auto& id : json_strings(ds, "sampleIds"))
      if (auto d = store.get(schemas::samples(), id); d && is_published(*d)) c.samples[id] = *d;
    for (const auto& id : json_strings(ds, "instrumentIds"))
      if (auto d = store.get(schemas::instruments(), id)) c.instruments[id] = *d;
    for (const auto& id : json_strings(ds, "inputDatasets"))
      if (!in_record.count(id))
        if (auto d = store.get(schemas::datasets(), id); d && is_published(*d)) c.public_sources.push_back(id);
    if (std::string previous = str_field(ds, "previousVersion"); !previous.empty() && !in_record.count(previous))
      if (auto d = store.get(schemas::datasets(), previous); d && is_published(*d)) c.public_previous_versions.push_back(previous);
  }
  json::array pids;
  for (const auto& p : in_record) pids.emplace_back(p);
  QueryPlan derived;
  derived.conditions.push_back(translate_where(
      schemas::datasets(), json::object{{"inputDatasets", json::object{{"$in", pids}}}, {"isPublished", true}}));
  derived.limit = 100;
  for (auto& pid : store.find_ids(schemas::datasets(), derived))
    if (!in_record.count(pid)) c.public_derived.push_back(std::move(pid));
  QueryPlan newer;  // versions form a chain: at most one newer version per dataset
  newer.conditions.push_back(translate_where(
      schemas::datasets(), json::object{{"previousVersion", json::object{{"$in", pids}}}, {"isPublished", true}}));
  newer.limit = 100;
  for (auto& pid : store.find_ids(schemas::datasets(), newer))
    if (!in_record.count(pid)) c.public_newer_versions.push_back(std::move(pid));
  QueryPlan files;
  files.conditions.push_back(translate_where(schemas::origdatablocks(), json::object{{"datasetId", json::object{{"$in", pids}}}}));
  files.limit = 2000;
  std::set<std::string> formats;
  for (const auto& row : store.unwind(schemas::origdatablocks(), "dataFileList", files)) {
    auto* f = row.is_object() ? row.get_object().if_contains("dataFileList") : nullptr;
    if (f && f->is_object())
      if (auto ext = extension_of(str_field(f->get_object(), "path")); !ext.empty() && formats.size() < 20) formats.insert(ext);
  }
  c.formats.assign(formats.begin(), formats.end());
  return c;
}

datacite::OutboxChange PublishedDataService::change_for(const json::object& record, const std::vector<json::object>& datasets,
                                                        const std::string& what, datacite::Protocol protocol) const {
  datacite::OutboxChange change;
  change.change = what;
  change.protocol = protocol;
  const std::string doi = str_field(record, "doi");
  if (what == "hide") {
    change.rest_document = {{"data", json::object{{"id", doi}, {"type", "dois"}, {"attributes", json::object{{"event", "hide"}}}}}};
    return change;
  }
  json::object attrs = datacite_record_attributes(record, context_for(record, datasets));
  change.landing_url = str_field(attrs, "url");
  if (protocol == datacite::Protocol::Mds) {
    change.xml = datacite_xml(attrs);
  } else {
    attrs["event"] = "publish";  // findable
    change.rest_document = {{"data", json::object{{"id", doi}, {"type", "dois"}, {"attributes", std::move(attrs)}}}};
  }
  return change;
}

datacite::Protocol PublishedDataService::protocol_for(PublishedApi api, const json::object& record) const {
  // A DOI stays with the API that registered it.
  if (auto* reg = record.if_contains("registration"); reg && reg->is_object())
    return str_field(reg->get_object(), "protocol") == "mds" ? datacite::Protocol::Mds : datacite::Protocol::Rest;
  // v3 registers through MDS, as upstream's v3 did, when MDS is configured.
  if (api == PublishedApi::V3 && !app_.config().register_metadata_uri.empty()) return datacite::Protocol::Mds;
  return datacite::Protocol::Rest;
}

PublicationResult PublishedDataService::deliver_now(json::object record, const std::string& row_id) {
  PublicationResult out{std::move(record), std::nullopt};
  auto transport = datacite::http_transport(endpoints_);
  out.delivery = datacite::deliver_row(app_.store(), *transport, endpoints_, row_id, now_millis(), true);
  if (auto fresh = app_.store().get(records(), str_field(out.record, "doi"))) out.record = std::move(*fresh);
  return out;
}

// --- writing

json::object PublishedDataService::create(const Principal& p, const std::string& requested_doi, const Apply& apply) {
  json::object record;
  apply(record);
  std::string prefix = app_.config().doi_prefix;
  std::string doi;
  if (!requested_doi.empty()) {
    if (auto problem = doi_problem(requested_doi, prefix)) throw ApiError::bad_request(*problem);
    doi = requested_doi;
  } else {
    doi = mint_doi(prefix.empty() ? kFallbackPrefix : prefix, app_.config().doi_short_suffix);
  }
  record["doi"] = doi;
  record["status"] = "private";
  app_.store().transaction([&] {
    set_totals(record, readable_datasets(p, record));
    stamp(record, p, true);
    app_.store().insert(records(), record);  // 409 when the DOI exists
  });
  return record;
}

json::object PublishedDataService::update(const Principal& p, const std::string& doi, const Apply& apply, PublishedApi api) {
  json::object record;
  app_.store().transaction([&] {
    record = load_for(p, doi, PublishedAction::Update, api);
    auto before = dataset_pids_of(record);
    apply(record);
    record["doi"] = doi;
    if (dataset_pids_of(record) != before) set_totals(record, readable_datasets(p, record));
    stamp(record, p, false);
    app_.store().replace(records(), record);
  });
  return record;
}

json::object PublishedDataService::remove(const Principal& p, const std::string& doi, PublishedApi api) {
  json::object record;
  app_.store().transaction([&] {
    record = load_for(p, doi, PublishedAction::Delete, api);
    app_.store().remove(records(), doi);
    Millis now = now_millis();
    if (datacite::ever_sent(app_.store(), doi)) {
      // DataCite keeps a DOI for ever; what can go is its findability.
      json::object gone = record;
      datacite::queue_change(app_.store(), gone, change_for(record, {}, "hide", protocol_for(api, record)), endpoints_, now);
    } else {
      datacite::cancel_pending(app_.store(), doi, now);
    }
  });
  return record;
}

json::object PublishedDataService::publish(const Principal& p, const std::string& doi) {
  json::object record;
  app_.store().transaction([&] {
    record = load_for(p, doi, PublishedAction::Publish, PublishedApi::V4);
    check_metadata(record);
    auto datasets = publishable_datasets(p, record);
    Millis now = now_millis();
    for (auto& ds : datasets) publish_dataset(app_.store(), ds, actor(p), app_.config().default_license, now, false);
    add_automatic_entries(app_.store(), datasets,
                          "**Published** in \"" + json_string(record, "title") + "\" (DOI " + doi + ", to be registered) by " +
                              p.username + ".",
                          {"publication"});
    record["status"] = published_status_name(status_after(status_of(record), PublishedAction::Publish));
    set_totals(record, datasets);
    stamp(record, p, false);
    app_.store().replace(records(), record);
  });
  return record;
}

PublicationResult PublishedDataService::register_doi(const Principal& p, const std::string& doi, PublishedApi api) {
  json::object record;
  std::string row;
  app_.store().transaction([&] {
    record = load_for(p, doi, PublishedAction::Register, api);
    check_metadata(record);
    auto datasets = publishable_datasets(p, record);
    Millis now = now_millis();
    for (auto& ds : datasets) publish_dataset(app_.store(), ds, actor(p), app_.config().default_license, now, true);
    record["status"] = "registered";
    record["registeredTime"] = iso_utc(now);
    set_totals(record, datasets);
    stamp(record, p, false);
    row = datacite::queue_change(app_.store(), record, change_for(record, datasets, "register", protocol_for(api, record)),
                                 endpoints_, now);
    app_.store().replace(records(), record);
    add_automatic_entries(app_.store(), datasets,
                          "**DOI** [" + doi + "](https://doi.org/" + doi + ") registered for \"" +
                              json_string(record, "title") + "\" by " + p.username + ".",
                          {"publication", "doi"});
  });
  return deliver_now(std::move(record), row);
}

json::object PublishedDataService::amend(const Principal& p, const std::string& doi) {
  json::object record;
  app_.store().transaction([&] {
    record = load_for(p, doi, PublishedAction::Amend, PublishedApi::V4);
    record["status"] = published_status_name(PublishedStatus::Amended);
    stamp(record, p, false);
    app_.store().replace(records(), record);
  });
  return record;
}

PublicationResult PublishedDataService::resync(const Principal& p, const std::string& doi, const Apply& apply, PublishedApi api) {
  json::object record;
  std::string row;
  app_.store().transaction([&] {
    record = load_for(p, doi, PublishedAction::Resync, api);
    auto before = dataset_pids_of(record);
    json::object changed = record;
    apply(changed);
    // Metadata merges into what was there; everything else is replaced.
    if (auto* m = changed.if_contains("metadata"); m && m->is_object()) {
      json::object merged = record.contains("metadata") && record["metadata"].is_object() ? record["metadata"].as_object() : json::object();
      merge_into(merged, m->get_object());
      changed["metadata"] = std::move(merged);
    }
    changed["doi"] = doi;
    record = std::move(changed);
    bool pids_changed = dataset_pids_of(record) != before;
    if (status_of(record) == PublishedStatus::Amended) {
      check_metadata(record);
      auto datasets = publishable_datasets(p, record);
      Millis now = now_millis();
      for (auto& ds : datasets) publish_dataset(app_.store(), ds, actor(p), app_.config().default_license, now, true);
      set_totals(record, datasets);
      record["status"] = published_status_name(status_after(PublishedStatus::Amended, PublishedAction::Resync));
      stamp(record, p, false);
      row = datacite::queue_change(app_.store(), record, change_for(record, datasets, "update", protocol_for(api, record)),
                                   endpoints_, now);
    } else {
      if (pids_changed) set_totals(record, readable_datasets(p, record));
      stamp(record, p, false);
    }
    app_.store().replace(records(), record);
  });
  if (row.empty()) return {record, std::nullopt};
  return deliver_now(std::move(record), row);
}

json::object PublishedDataService::form_populate(const Principal& p, const std::string& pid) const {
  json::object form;
  auto ds = app_.store().get(schemas::datasets(), pid);
  // Missing and unreadable give the same empty answer, as upstream gives for a missing one.
  if (!ds || !can_read(*ds, p, dataset_read_scope(app_.config(), p))) return form;
  ReadScope scope;
  scope.read_any = app_.is_admin(p);
  form["pidArray"] = json::array{json::value(pid)};
  form["resourceType"] = str_field(*ds, "type");
  form["description"] = str_field(*ds, "description");
  form["dataDescription"] = str_field(*ds, "description");
  form["title"] = str_field(*ds, "datasetName");
  form["abstract"] = str_field(*ds, "description");
  form["publisher"] = app_.config().site_name;
  form["publicationYear"] = std::stoi(now_iso().substr(0, 4));
  set_totals(form, {*ds});
  form.erase("datasetPids");  // the form names it pidArray
  json::array creators;
  std::set<std::string> seen;
  auto add_creator = [&](const std::string& name) {
    if (!name.empty() && name.find('@') == std::string::npos && seen.insert(name).second) creators.emplace_back(name);
  };
  if (auto* ids = ds->if_contains("proposalIds"); ids && ids->is_array() && !ids->get_array().empty() &&
                                                    ids->get_array()[0].is_string()) {
    auto proposal = app_.store().get(schemas::proposals(), std::string(ids->get_array()[0].get_string()));
    if (proposal && can_read(*proposal, p, scope)) {
      if (auto t = str_field(*proposal, "title"); !t.empty()) form["title"] = t;
      if (auto a = str_field(*proposal, "abstract"); !a.empty()) form["abstract"] = a;
      std::string given = str_field(*proposal, "pi_firstname"), family = str_field(*proposal, "pi_lastname");
      if (!family.empty()) add_creator(given.empty() ? family : given + " " + family);
    }
  }
  add_creator(str_field(*ds, "principalInvestigator"));
  add_creator(str_field(*ds, "owner"));
  form["creator"] = std::move(creators);
  QueryPlan attachments;
  attachments.conditions.push_back(translate_where(schemas::attachments(), json::object{{"datasetId", pid}}));
  attachments.conditions.push_back(read_access_condition(schemas::attachments(), p, dataset_read_scope(app_.config(), p)));
  attachments.limit = 1;
  for (const auto& a : app_.store().find(schemas::attachments(), attachments))
    if (auto t = str_field(a, "thumbnail"); !t.empty()) form["thumbnail"] = t;
  return form;
}

json::object PublishedDataService::public_attributes(const json::object& record, const std::vector<json::object>& datasets) const {
  return datacite_record_attributes(record, context_for(record, datasets));
}

std::vector<json::object> PublishedDataService::public_datasets(const json::object& record) const {
  std::vector<json::object> out;
  for (const auto& pid : dataset_pids_of(record))
    if (auto ds = app_.store().get(schemas::datasets(), pid); ds && is_published(*ds)) out.push_back(std::move(*ds));
  return out;
}

}  // namespace openem

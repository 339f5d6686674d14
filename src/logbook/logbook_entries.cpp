#include "logbook/logbook_entries.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <map>

#include "core/error.h"
#include "core/ids.h"
#include "core/json_fields.h"
#include "core/time.h"

namespace openem {
namespace json = boost::json;
namespace {

constexpr std::size_t kMaxText = 100'000, kMaxTags = 50, kMaxLinks = 1000, kMaxAttachments = 100;
constexpr const char* kAutomaticTag = "automatic";

json::array names(const json::value& v, const char* field, std::size_t max) {
  if (!v.is_array() || v.get_array().size() > max)
    throw ApiError::bad_request(std::string(field) + " must be a list of at most " + std::to_string(max) + " names");
  for (const auto& x : v.get_array())
    if (!x.is_string() || x.get_string().empty() || x.get_string().size() > 1000)
      throw ApiError::bad_request(std::string(field) + " must be a list of names");
  return v.get_array();
}

void apply(json::object& entry, const json::object& body, bool creating) {
  for (const auto& [key, value] : body) {
    if (key == "text") {
      if (!value.is_string() || value.get_string().empty() || value.get_string().size() > kMaxText)
        throw ApiError::bad_request("text must be Markdown text of 1 to 100,000 characters");
      entry["text"] = value;
    } else if (key == "tags") {
      entry["tags"] = names(value, "tags", kMaxTags);
      for (const auto& t : entry["tags"].as_array())
        if (t.as_string() == kAutomaticTag)  // what openem wrote is told apart by it: nobody else may claim it
          throw ApiError::bad_request("the tag \"automatic\" marks openem's own entries");
    } else if (key == "datasetIds" || key == "sampleIds" || key == "instrumentIds") {
      entry[key] = names(value, std::string(key).c_str(), kMaxLinks);
    } else if (key == "attachmentIds") {
      entry[key] = names(value, "attachmentIds", kMaxAttachments);
    } else {
      throw ApiError::bad_request("logbook entry field " + std::string(key) +
                                  " is not known (text, tags, datasetIds, sampleIds, instrumentIds, attachmentIds)");
    }
  }
  if (creating && !entry.contains("text")) throw ApiError::bad_request("text is required");
}

json::object entry_of(const json::object& proposal, const std::string& author) {
  const std::string now = now_iso();
  const std::vector<std::string> access = json_strings(proposal, "accessGroups");
  return json::object{{"id", uuid_v4()},
                      {"proposalId", proposal.at("proposalId")},
                      {"ownerGroup", json_string(proposal, "ownerGroup")},
                      {"accessGroups", json::array(access.begin(), access.end())},
                      {"isPublished", false},
                      {"author", author},
                      {"text", ""},
                      {"tags", json::array()},
                      {"datasetIds", json::array()},
                      {"sampleIds", json::array()},
                      {"instrumentIds", json::array()},
                      {"attachmentIds", json::array()},
                      {"createdAt", now},
                      {"updatedAt", now}};
}

// Whether the members of `group` read `dataset`: its ownerGroup, one of its accessGroups, or
// anyone once it is published (the read rule of model/access_set.h, by group).
bool group_reads(const json::object& dataset, const std::string& group) {
  if (json_bool(dataset, "isPublished")) return true;
  if (group.empty()) return false;
  if (json_string(dataset, "ownerGroup") == group) return true;
  const std::vector<std::string> access = json_strings(dataset, "accessGroups");
  return std::find(access.begin(), access.end(), group) != access.end();
}

// The groups of an automatic entry about `datasets` in `proposal`'s logbook: those of the
// proposal's groups that read every one of the datasets, since a proposal's reader is not
// always a reader of its datasets and the entry names them. The proposal's ownerGroup owns it
// when it is among them, else the first; when none is, ownerGroup "" (no group: admins only).
// `only`, when given, limits the groups further.
void set_automatic_entry_groups(json::object& entry, const json::object& proposal, const std::vector<json::object>& datasets,
                                const std::vector<std::string>* only = nullptr) {
  std::vector<std::string> groups{json_string(proposal, "ownerGroup")};
  for (auto& g : json_strings(proposal, "accessGroups")) groups.push_back(std::move(g));
  std::vector<std::string> readers;
  for (const auto& g : groups)
    if (!g.empty() && std::find(readers.begin(), readers.end(), g) == readers.end() &&
        (!only || std::find(only->begin(), only->end(), g) != only->end()) &&
        std::all_of(datasets.begin(), datasets.end(), [&](const json::object& d) { return group_reads(d, g); }))
      readers.push_back(g);
  entry["ownerGroup"] = readers.empty() ? std::string() : readers.front();
  entry["accessGroups"] = readers.size() < 2 ? json::array() : json::array(readers.begin() + 1, readers.end());
}

bool is_automatic(const json::object& entry) {
  const std::vector<std::string> tags = json_strings(entry, "tags");
  return json_string(entry, "author") == "openem" && std::find(tags.begin(), tags.end(), kAutomaticTag) != tags.end();
}

// Gives an automatic entry the groups its proposal and its datasets allow now; true when they
// changed. A dataset deleted since (or deleted and made again under its pid: newer than the
// entry) can no longer say who read it: the entry then keeps at most the groups it had.
bool refresh_automatic_entry(CatalogStore& store, json::object& entry, const json::object& proposal) {
  std::vector<json::object> datasets;
  bool all_there = true;
  const std::string written = json_string(entry, "createdAt");
  for (const auto& pid : json_strings(entry, "datasetIds")) {
    auto d = store.get(schemas::datasets(), pid);
    if (d && json_string(*d, "createdAt") <= written) datasets.push_back(std::move(*d));
    else all_there = false;
  }
  std::vector<std::string> had = json_strings(entry, "accessGroups");
  had.push_back(json_string(entry, "ownerGroup"));
  const json::value owner = entry["ownerGroup"], access = entry["accessGroups"];
  set_automatic_entry_groups(entry, proposal, datasets, all_there ? nullptr : &had);
  return entry["ownerGroup"] != owner || entry["accessGroups"] != access;
}

}  // namespace

json::object new_logbook_entry(const json::object& body, const json::object& proposal, const std::string& author) {
  json::object entry = entry_of(proposal, author);
  apply(entry, body, /*creating=*/true);
  return entry;
}

void change_logbook_entry(json::object& entry, const json::object& changes) {
  const bool automatic = is_automatic(entry);
  apply(entry, changes, /*creating=*/false);
  // An admin's edit of openem's entry keeps it openem's: its groups still follow its datasets.
  if (automatic && !is_automatic(entry)) entry["tags"].as_array().insert(entry["tags"].as_array().begin(), kAutomaticTag);
  entry["updatedAt"] = now_iso();
}

void check_entry_attachments(CatalogStore& store, const json::object& entry) {
  const std::string proposal = json_string(entry, "proposalId");
  for (const auto& aid : json_strings(entry, "attachmentIds")) {
    auto attachment = store.get(schemas::attachments(), aid);
    // Only the logbook's own attachments: naming another attachment of the proposal would let a
    // member change its groups (follow_proposal_access) without the right to write it.
    if (!attachment || json_string(*attachment, "proposalId") != proposal ||
        json_string(*attachment, "logbookEntryId").empty())
      throw ApiError::bad_request("attachmentIds: " + aid + " is not a logbook attachment of proposal " + proposal +
                                  " (POST /api/v3/logbook-entries/{id}/attachments adds one)");
  }
}

void check_entry_file(std::string_view url) {
  // data:<type>/<subtype>[;<parameter>]*,<data> — the header is short; the data may be megabytes.
  const auto bad = [] {
    return ApiError::bad_request("thumbnail must be a data: URL with a media type (data:image/png;base64,...)");
  };
  if (url.substr(0, 5) != "data:") throw bad();
  const std::size_t comma = url.find(',');
  if (comma == std::string_view::npos || comma > 256) throw bad();
  const std::string_view header = url.substr(5, comma - 5);
  const std::string_view media = header.substr(0, header.find(';'));
  const std::size_t slash = media.find('/');
  const auto token = [](std::string_view t) {
    return !t.empty() && std::all_of(t.begin(), t.end(), [](unsigned char c) {
      return std::isalnum(c) || c == '.' || c == '+' || c == '-' || c == '=' || c == '_';
    });
  };
  if (slash == std::string_view::npos || !token(media.substr(0, slash)) || !token(media.substr(slash + 1))) throw bad();
  for (std::size_t at = media.size(); at < header.size();) {  // each ;parameter
    const std::size_t next = std::min(header.find(';', at + 1), header.size());
    if (!token(header.substr(at + 1, next - at - 1))) throw bad();
    at = next;
  }
  std::string type(media);
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  // Types a browser would run or render as a document are no entry's file.
  for (const char* active : {"text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml",
                             "text/javascript", "application/javascript", "application/ecmascript", "text/ecmascript"})
    if (type == active) throw ApiError::bad_request("thumbnail: " + type + " files cannot be attached to a logbook entry");
}

bool member_of_proposal(const std::vector<std::string>& groups, const json::object& proposal) {
  std::vector<std::string> members = json_strings(proposal, "accessGroups");
  members.push_back(json_string(proposal, "ownerGroup"));
  return std::any_of(members.begin(), members.end(), [&](const std::string& g) {
    return !g.empty() && std::find(groups.begin(), groups.end(), g) != groups.end();
  });
}

void follow_proposal_access(CatalogStore& store, const json::object& proposal) {
  const auto& entries = schemas::logbook_entries();
  QueryPlan plan;
  plan.conditions = {field_is(entries, "proposalId", json_string(proposal, "proposalId"))};
  const json::value owner = proposal.contains("ownerGroup") ? proposal.at("ownerGroup") : json::value("");
  const json::value access = proposal.contains("accessGroups") ? proposal.at("accessGroups") : json::value(json::array());
  for (auto& entry : store.find(entries, plan)) {
    if (is_automatic(entry)) {
      if (refresh_automatic_entry(store, entry, proposal)) store.replace(entries, entry);
      continue;
    }
    if (entry["ownerGroup"] == owner && entry["accessGroups"] == access) continue;
    entry["ownerGroup"] = owner;
    entry["accessGroups"] = access;
    store.replace(entries, entry);
  }
  // The logbook's images and files too (one query, by the indexed proposalId): made with the
  // proposal's groups, they keep following them. The proposal's other attachments do not.
  QueryPlan files;
  files.conditions = {field_is(schemas::attachments(), "proposalId", json_string(proposal, "proposalId"))};
  for (auto& attachment : store.find(schemas::attachments(), files)) {
    if (json_string(attachment, "logbookEntryId").empty()) continue;
    if (attachment["ownerGroup"] == owner && attachment["accessGroups"] == access) continue;
    attachment["ownerGroup"] = owner;
    attachment["accessGroups"] = access;
    store.replace(schemas::attachments(), attachment);
  }
}

void add_automatic_entries(CatalogStore& store, std::span<const json::object> datasets, const std::string& text,
                           const std::vector<std::string>& tags) {
  std::map<std::string, std::vector<std::string>> by_proposal;  // proposal → its datasets among them
  for (const auto& dataset : datasets) {
    std::vector<std::string> proposals = json_strings(dataset, "proposalIds");
    if (std::string one = json_string(dataset, "proposalId"); !one.empty() &&
        std::find(proposals.begin(), proposals.end(), one) == proposals.end())
      proposals.push_back(one);
    for (const auto& id : proposals) by_proposal[id].push_back(json_string(dataset, "pid"));
  }
  for (const auto& [proposal_id, pids] : by_proposal) {
    auto proposal = store.get(schemas::proposals(), proposal_id);
    if (!proposal) continue;
    json::object entry = entry_of(*proposal, "openem");
    std::vector<json::object> named;
    for (const auto& dataset : datasets)
      if (std::find(pids.begin(), pids.end(), json_string(dataset, "pid")) != pids.end()) named.push_back(dataset);
    set_automatic_entry_groups(entry, *proposal, named);
    entry["text"] = text;
    json::array all_tags{kAutomaticTag};
    for (const auto& t : tags) all_tags.emplace_back(t);
    entry["tags"] = std::move(all_tags);
    entry["datasetIds"] = json::array(pids.begin(), pids.end());
    store.insert(schemas::logbook_entries(), entry);
  }
}

namespace {

// Gives the automatic entries matching `conditions` (besides the tag) the groups they may have
// now, reading each proposal once.
void refresh_automatic_entries(CatalogStore& store, std::vector<Condition> conditions) {
  conditions.push_back(field_is(schemas::logbook_entries(), "tags", std::string(kAutomaticTag)));
  QueryPlan plan;
  plan.conditions = std::move(conditions);
  std::map<std::string, std::optional<json::object>> proposals;
  for (auto& entry : store.find(schemas::logbook_entries(), plan)) {
    if (!is_automatic(entry)) continue;
    const std::string id = json_string(entry, "proposalId");
    auto [at, fresh] = proposals.try_emplace(id);
    if (fresh) at->second = store.get(schemas::proposals(), id);
    if (at->second && refresh_automatic_entry(store, entry, *at->second)) store.replace(schemas::logbook_entries(), entry);
  }
}

}  // namespace

void follow_dataset_access(CatalogStore& store, const json::object& dataset) {
  refresh_automatic_entries(store, {field_is(schemas::logbook_entries(), "datasetIds", json_string(dataset, "pid"))});
}

void refresh_automatic_entry_groups_once(CatalogStore& store) {
  constexpr std::string_view kDone = "logbook.automatic_entry_groups";  // set once the pass ran
  if (store.setting(kDone)) return;
  store.transaction([&] {
    if (store.setting(kDone)) return;  // another process ran it meanwhile
    refresh_automatic_entries(store, {});
    store.set_setting(kDone, "1");
  });
}

void add_automatic_entries_by_pid(CatalogStore& store, const std::vector<std::string>& dataset_pids,
                                  const std::string& text, const std::vector<std::string>& tags) {
  std::vector<json::object> datasets;
  for (const auto& pid : dataset_pids)
    if (auto dataset = store.get(schemas::datasets(), pid)) datasets.push_back(std::move(*dataset));
  add_automatic_entries(store, datasets, text, tags);
}

void add_job_entry(CatalogStore& store, const json::object& job, const std::string& what_happened) {
  std::vector<std::string> pids;
  const json::value* params = job.if_contains("jobParams");
  const json::value* list = params && params->is_object() ? params->get_object().if_contains("datasetList") : nullptr;
  if (list && list->is_array())
    for (const auto& d : list->get_array())
      if (d.is_object()) pids.push_back(json_string(d.get_object(), "pid"));
  if (pids.empty()) return;
  const std::string type = json_string(job, "type");
  add_automatic_entries_by_pid(store, pids, "**" + type + " job** `" + json_string(job, "id") + "` " + what_happened,
                               {"job", type});
}

}  // namespace openem

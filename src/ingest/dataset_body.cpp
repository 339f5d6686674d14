#include "ingest/dataset_body.h"

#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <limits>
#include <stdexcept>

#include "core/time.h"

namespace openem::ingest {
namespace json = boost::json;

std::pair<std::string, std::string> session_time_range(const ScanResult& scan, const extract::ExtractResult* ex) {
  std::optional<Millis> first, last;
  auto widen = [&](Millis t) {
    if (!first || t < *first) first = t;
    if (!last || t > *last) last = t;
  };
  if (ex != nullptr) {
    auto ends_with = [](const std::string& s, std::string_view suffix) {
      return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    for (const auto& [key, value] : ex->flat)
      if (ends_with(key, "DateTime_start") || ends_with(key, "DateTime_end") || key == "DateTime")
        if (auto t = parse_iso(value)) widen(*t);
    if (!first)
      if (auto* acq = ex->oscem.if_contains("acquisition"); acq && acq->is_object())
        if (auto* dt = acq->get_object().if_contains("date_time"); dt && dt->is_string())
          if (auto t = parse_iso(dt->get_string())) widen(*t);
  }
  if (!first) {
    for (const auto& f : scan.files) widen(f.mtime_ns / 1000000);
  }
  if (!first) widen(now_millis());
  return {iso_utc(*first), iso_utc(*last)};
}

json::object dataset_body(const ScanResult& scan, const extract::ExtractResult* ex, const DatasetFields& in,
                          const Identity& id) {
  std::string owner_group = in.owner_group;
  if (owner_group.empty() && !id.access_groups.empty()) owner_group = id.access_groups.front();
  if (owner_group.empty())
    throw std::invalid_argument("no owner group: pass --owner-group (the account belongs to no group)");
  std::string email = !in.contact_email.empty() ? in.contact_email : id.email;
  if (email.empty()) throw std::invalid_argument("no contact e-mail: pass --contact-email (the account has none)");
  std::string owner = !in.owner.empty() ? in.owner : !id.display_name.empty() ? id.display_name : id.username;
  if (owner.empty()) owner = owner_group;
  std::string name = !in.dataset_name.empty() ? in.dataset_name : scan.root.filename().string();

  std::string location = in.creation_location;
  std::string software;
  if (ex != nullptr) {
    if (auto* inst = ex->oscem.if_contains("instrument"); inst && inst->is_object())
      if (auto* m = inst->get_object().if_contains("microscope"); m && m->is_object())
        if (auto* model = m->get_object().if_contains("model"); model && model->is_string() && location.empty())
          location = model->get_string();
    if (auto* acq = ex->oscem.if_contains("acquisition"); acq && acq->is_object())
      if (auto* s = acq->get_object().if_contains("microscope_software"); s && s->is_string()) software = s->get_string();
  }
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  if (location.empty()) location = host;

  auto [start, end] = session_time_range(scan, ex);
  json::object b;
  b["type"] = "raw";
  b["datasetName"] = name;
  b["description"] = !in.description.empty() ? in.description : "EM session " + name;
  b["sourceFolder"] = scan.root.string();
  b["sourceFolderHost"] = host;
  b["owner"] = owner;
  b["ownerGroup"] = owner_group;
  b["contactEmail"] = email;
  if (!id.email.empty()) b["ownerEmail"] = id.email;
  json::array groups;
  for (const auto& g : in.access_groups) groups.emplace_back(g);
  b["accessGroups"] = std::move(groups);
  if (!in.proposal_id.empty()) b["proposalId"] = in.proposal_id;
  b["principalInvestigator"] = !in.principal_investigator.empty() ? in.principal_investigator : owner;
  b["creationLocation"] = location;
  b["creationTime"] = start;
  b["startTime"] = start;
  b["endTime"] = end;
  if (!software.empty()) b["dataFormat"] = software;
  b["size"] = scan.total_bytes;
  b["numberOfFiles"] = scan.files.size();
  json::array keywords;
  for (const auto& k : in.keywords) keywords.emplace_back(k);
  if (ex != nullptr) {
    keywords.emplace_back("OSC-EM");
    keywords.emplace_back(extract::technique_name(ex->technique));
  }
  b["keywords"] = std::move(keywords);
  b["scientificMetadata"] = ex != nullptr ? ex->oscem : json::object();
  return b;
}

}  // namespace openem::ingest

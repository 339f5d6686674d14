#include "api/attachments/attachment_documents.h"

#include "api/handler_util.h"
#include "core/error.h"
#include "core/ids.h"

namespace openem {
namespace json = boost::json;

const DtoSpec& v3_attachment_spec() {
  using F = FieldType;
  static const DtoSpec s{{"thumbnail", F::String},      {"caption", F::String},       {"ownerGroup", F::String},
                         {"accessGroups", F::StringArray}, {"isPublished", F::Boolean}, {"instrumentGroup", F::String},
                         {"relationships", F::ObjectArray}, {"aid", F::String},       {"id", F::String},
                         {"datasetId", F::String},      {"proposalId", F::String},    {"sampleId", F::String}};
  return s;
}

namespace {

const DtoSpec& v4_spec(bool creating) {
  using F = FieldType;
  static const DtoSpec update{{"ownerGroup", F::NonEmptyString, true}, {"accessGroups", F::StringArray},
                              {"instrumentGroup", F::String},         {"thumbnail", F::String},
                              {"caption", F::String, true},           {"relationships", F::ObjectArray},
                              {"isPublished", F::Boolean, true}};
  static const DtoSpec create = [] {
    DtoSpec s = update;
    s.push_back({"aid", F::String});
    return s;
  }();
  return creating ? create : update;
}

void check_relationships(const json::value& v, std::vector<std::string>& out) {
  if (!v.is_array()) return;  // the DTO check says so
  const auto& rels = v.get_array();
  for (std::size_t i = 0; i < rels.size(); ++i) {
    const std::string at = "relationships." + std::to_string(i) + ".";
    if (!rels[i].is_object()) {
      out.push_back(at + "nested property relationships must be either object or array");
      continue;
    }
    const auto& r = rels[i].get_object();
    for (const auto& [k, _] : r)
      if (k != "targetId" && k != "targetType" && k != "relationType")
        out.push_back(at + "property " + std::string(k) + " should not exist");
    if (!r.contains("targetId") || !r.at("targetId").is_string()) out.push_back(at + "targetId must be a string");
    const json::value* type = r.if_contains("targetType");
    if (!type || !type->is_string() || !(*type == "dataset" || *type == "proposal" || *type == "sample" ||
                                         *type == "published_data"))
      out.push_back(at + "targetType must be one of the following values: dataset, proposal, sample, published_data");
    if (auto* rt = r.if_contains("relationType"); rt && !rt->is_string()) out.push_back(at + "relationType must be a string");
  }
}

}  // namespace

std::vector<std::string> validate_v4_attachment(const json::object& body, bool partial, bool creating) {
  auto out = validate_dto(body, v4_spec(creating), partial, server_managed_fields());
  if (auto* rels = body.if_contains("relationships")) check_relationships(*rels, out);
  return out;
}

void check_attachment_owner_group(App& app, const Principal& p, const json::object& parent_doc,
                                  const std::string& owner_group, bool privileged) {
  if (app.is_admin(p) || privileged) return;
  if (owner_group != str_field(parent_doc, "ownerGroup") && !p.in_group(owner_group))
    throw ApiError::forbidden("Unauthorized to create attachments for group " + owner_group);
}

json::object new_attachment(App& app, const AttachmentParent& parent, const Principal& p, const json::object& parent_doc,
                            json::object body, bool privileged) {
  for (const auto& f : server_managed_fields()) body.erase(f);
  const std::string parent_id = str_field(parent_doc, parent.schema.id_field);
  std::string relation_type = "is attached to";
  if (auto* rels = body.if_contains("relationships"); rels && rels->is_array() && !rels->get_array().empty())
    if (auto* r = rels->get_array()[0].if_object(); r && r->contains("relationType"))
      relation_type = str_field(*r, "relationType");
  std::string aid = str_field(body, "aid");
  if (aid.empty()) aid = uuid_v4();
  body["aid"] = aid;
  body["id"] = aid;
  body["_id"] = aid;
  body[parent.id_field] = parent_id;
  for (const char* k : {"ownerGroup", "accessGroups", "isPublished"})
    if (!body.contains(k) && parent_doc.contains(k)) body[k] = parent_doc.at(k);
  check_attachment_owner_group(app, p, parent_doc, str_field(body, "ownerGroup"), privileged);
  if (!body.contains("accessGroups")) body["accessGroups"] = json::array();
  if (!body.contains("isPublished")) body["isPublished"] = false;
  body["relationships"] = json::array{
      json::object{{"targetId", parent_id}, {"targetType", parent.target_type}, {"relationType", relation_type}}};
  stamp(body, p, true);
  app.store().insert(schemas::attachments(), body);
  return body;
}

json::object v4_attachment_view(json::object doc) {
  for (const char* k : {"id", "datasetId", "proposalId", "sampleId"}) doc.erase(k);
  return doc;
}

}  // namespace openem

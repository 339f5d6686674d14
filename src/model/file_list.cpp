#include "model/file_list.h"

#include <boost/json.hpp>

#include "core/relative_path.h"
#include "core/time.h"
#include "model/dto.h"

namespace openem {
namespace json = boost::json;
namespace {

using F = FieldType;

const DtoSpec& block_spec(bool archive) {
  static const DtoSpec orig{{"datasetId", F::NonEmptyString, true},
                            {"size", F::Integer, true},
                            {"chkAlg", F::String},
                            {"dataFileList", F::ObjectArray, true},
                            {"ownerGroup", F::String},
                            {"accessGroups", F::StringArray},
                            {"instrumentGroup", F::String},
                            {"isPublished", F::Boolean},
                            {"id", F::String}};
  static const DtoSpec arch = [] {
    DtoSpec s = orig;
    s.insert(s.end(), {{"archiveId", F::NonEmptyString, true}, {"packedSize", F::Integer}, {"version", F::String}});
    return s;
  }();
  return archive ? arch : orig;
}

const DtoSpec& file_spec() {
  static const DtoSpec s{{"path", F::NonEmptyString, true},
                         {"size", F::Integer, true},
                         {"time", F::Date, true},
                         {"chk", F::String},
                         {"uid", F::String},
                         {"gid", F::String},
                         {"perm", F::String},
                         {"type", F::String}};
  return s;
}

}  // namespace

std::vector<std::string> validate_file_block(const json::object& body, bool partial, bool archive) {
  auto errors = validate_dto(body, block_spec(archive), partial, server_managed_fields());
  auto* list = body.if_contains("dataFileList");
  if (list && list->is_array()) {
    if (list->get_array().empty() && !partial) errors.push_back("dataFileList should not be empty");
    size_t i = 0;
    for (const auto& f : list->get_array()) {
      if (f.is_object()) {
        for (auto& e : validate_dto(f.get_object(), file_spec(), false))
          errors.push_back("dataFileList." + std::to_string(i) + "." + e);
        // The upload rule (core/relative_path.h): a path that could never be uploaded or
        // downloaded is refused here too.
        if (auto* p = f.get_object().if_contains("path"); p && p->is_string() && !p->get_string().empty())
          if (auto why = relative_path_problem(p->get_string()))
            errors.push_back("dataFileList." + std::to_string(i) + ".path '" + printable_excerpt(p->get_string()) +
                             "' is not a valid file path: " + *why);
      }
      if (errors.size() > 50) break;  // enough to fix the first problems
      ++i;
    }
  }
  return errors;
}

void normalize_file_block(json::object& block) {
  auto* list = block.if_contains("dataFileList");
  if (!list || !list->is_array()) return;
  for (auto& f : list->as_array())
    if (f.is_object())
      if (auto* t = f.as_object().if_contains("time"); t && t->is_string())
        if (auto iso = normalize_iso(t->get_string())) *t = json::string(*iso);
}

}  // namespace openem

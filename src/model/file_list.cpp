#include "model/file_list.h"

#include <boost/json.hpp>

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

// A path with a ".." segment or a NUL could name a file outside the dataset.
bool unsafe_path(std::string_view p) {
  if (p.find('\0') != std::string_view::npos) return true;
  size_t pos = 0;
  while (pos <= p.size()) {
    size_t slash = p.find_first_of("/\\", pos);
    if (slash == std::string_view::npos) slash = p.size();
    if (p.substr(pos, slash - pos) == "..") return true;
    pos = slash + 1;
  }
  return false;
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
        if (auto* p = f.get_object().if_contains("path"); p && p->is_string() && unsafe_path(p->get_string()))
          errors.push_back("dataFileList." + std::to_string(i) + ".path must not contain '..' segments");
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

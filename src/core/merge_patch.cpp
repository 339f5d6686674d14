#include "core/merge_patch.h"

namespace openem {

void apply_merge_patch(boost::json::value& target, const boost::json::value& patch) {
  if (!patch.is_object()) {
    target = patch;
    return;
  }
  if (!target.is_object()) target = boost::json::object();
  auto& out = target.as_object();
  for (const auto& [k, v] : patch.get_object()) {
    if (v.is_null()) out.erase(k);
    else apply_merge_patch(out[k], v);
  }
}

bool is_merge_patch_content_type(std::string_view content_type) {
  return content_type.find("merge-patch") != std::string_view::npos;
}

}  // namespace openem

#pragma once
// RFC 7386 JSON merge patch: objects merge key by key, null removes a key, anything else
// (arrays included) replaces. Used where upstream SciCat applies `json-merge-patch`
// (v4 PATCH with Content-Type application/merge-patch+json, job results).
#include <boost/json.hpp>

namespace openem {

void apply_merge_patch(boost::json::value& target, const boost::json::value& patch);

// Whether a request's Content-Type asks for a merge patch (application/merge-patch+json).
bool is_merge_patch_content_type(std::string_view content_type);

}  // namespace openem

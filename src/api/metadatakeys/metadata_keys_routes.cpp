// GET /api/v4/metadatakeys (upstream src/metadata-keys/metadatakeys.v4.controller.ts and
// metadatakeys.service.ts): one document per (dataset, scientificMetadata key) with the
// key's human_name, the dataset's groups and isPublished, filtered by {where, fields, limits}.
// The frontend's condition editor offers these keys. The datasets are those the caller can
// read (the dataset access rule in SQL): metadata_key_scan.h.
#include <boost/json.hpp>

#include "api/app.h"
#include "api/dataset_service.h"
#include "api/metadatakeys/metadata_key_filter.h"
#include "api/metadatakeys/metadata_key_scan.h"
#include "api/metadatakeys/metadata_keys_routes.h"
#include "query/filter.h"

namespace openem {
namespace json = boost::json;

void register_metadata_keys_routes(Router& r, App& app) {
  r.add("GET", "/api/v4/metadatakeys", [&app](HttpRequest& req) {
    Principal p = app.authenticate(req);
    ListFilter f = parse_filter(req.query_param("filter").value_or(""));
    MetadataKeyFilter where(f.where);  // 400 for a bad filter before any dataset is read
    auto access = dataset_access(app);
    auto page = [&](std::int64_t skip, std::int64_t limit) {
      ListFilter scan;  // the store's order (insertion): a dataset added meanwhile comes last
      scan.fields = {"pid", "ownerGroup", "accessGroups", "isPublished", "scientificMetadata"};
      scan.skip = skip;
      scan.limit = limit;
      return access.list(p, scan);
    };
    json::array out;
    for (auto& doc : collect_metadata_keys(page, where, f.skip, metadata_keys_limit(f)))
      out.push_back(json::value(project(std::move(doc.as_object()), f)));
    return HttpResponse::json(200, out);
  });
}

}  // namespace openem

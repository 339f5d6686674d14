#pragma once
// A JSON array response written one document at a time: the ids are found when the request
// is handled (with the caller's access rule), the documents are read and serialised while the
// response goes out, so the server holds one document of the page at a time, whatever their
// sizes (issue #20: a page of large jobs once took 1.3 GB). A document removed meanwhile is
// left out. Thread-compatible: one stream per response.
#include <boost/json.hpp>

#include <functional>
#include <string>
#include <vector>

#include "api/app.h"
#include "http/message.h"

namespace openem {

using DocumentShape = std::function<boost::json::value(boost::json::object)>;

HttpResponse streamed_documents(App& app, const CollectionSchema& schema, std::vector<std::string> ids,
                                DocumentShape shape);

}  // namespace openem

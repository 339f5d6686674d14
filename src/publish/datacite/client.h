#pragma once
// HttpTransport: sends DataCite outbox rows (outbox.h) over HTTP with libcurl — the REST API's
// `PUT <REGISTER_DOI_URI>/<doi>` with a JSON:API document, or the MDS API's
// `PUT <REGISTER_METADATA_URI>/<doi>` (kernel-4 XML) then `PUT <mds doi URI>/<doi>`
// (`doi=…\nurl=…`), and MDS's `DELETE <metadata>/<doi>` to hide one — all with HTTP Basic
// DOI_USERNAME:DOI_PASSWORD. Each PUT carries the whole state, so sending a row twice changes
// nothing. One instance per thread (it owns a curl handle); not thread-safe.
#include <memory>

#include "publish/datacite/outbox.h"

namespace openem::datacite {

std::unique_ptr<Transport> http_transport(const Endpoints& endpoints);

// A DataCite answer as a delivery result: 2xx done; 408, 429 and 5xx worth a retry; any other
// 4xx failed (a retry would get the same answer). `what` names the request in the error.
DeliveryResult classify(long status, const std::string& body, const std::string& what);

}  // namespace openem::datacite

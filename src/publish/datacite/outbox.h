#pragma once
// The DataCite outbox: every change of a published-data record that DataCite must learn — a
// registration, an amendment, a removal — becomes one row of the catalog's datacite_outbox
// collection, written in the same transaction as the change itself, so a change is never lost
// and never sent without having happened. A row carries the whole state to send (DataCite's
// PUTs replace what they had, so sending a row again is harmless); a newer row of the same DOI
// supersedes a row still waiting, and a row once done is never sent again. Delivery claims a
// row in a transaction (state "sending", a lease), sends it outside, and records the outcome:
// done; a 4xx that no retry can fix → failed with the error; anything else (5xx, 408, 429,
// timeouts, refused connections) → pending again after an exponential backoff. A process that
// dies while sending leaves a lease that runs out, and the row is sent again. The record's
// `registration` object mirrors the state of its latest row. Functions of a CatalogStore;
// thread-safe as the store is.
#include <boost/json.hpp>

#include <memory>
#include <optional>
#include <string>

#include "core/config.h"
#include "core/time.h"
#include "store/catalog_store.h"

namespace openem::datacite {

enum class Protocol { Rest, Mds };  // DataCite's REST API (JSON:API) or its MDS API (XML)
const char* protocol_name(Protocol p);

struct OutboxChange {
  std::string change;       // what happened: "register", "update", "hide"
  Protocol protocol = Protocol::Rest;
  boost::json::object rest_document;  // REST: the JSON:API document {data:{type:"dois", attributes:{event,...}}}
  std::string xml;                    // MDS: kernel-4 XML; "" for "hide" (MDS inactivates the DOI)
  std::string landing_url;            // MDS: the url= of the DOI
};

// Where DataCite is and how long to wait for it (Config: REGISTER_DOI_URI, REGISTER_METADATA_URI,
// REGISTER_DOI_URI_V3, DOI_USERNAME, DOI_PASSWORD, OPENEM_DATACITE_*).
struct Endpoints {
  std::string rest_dois;     // ".../dois"
  std::string mds_metadata;  // ".../metadata"
  std::string mds_doi;       // ".../doi"
  std::string username, password;
  int timeout_seconds = 30;
  int retry_seconds = 30;
  bool configured(Protocol p) const { return p == Protocol::Rest ? !rest_dois.empty() : !mds_metadata.empty() && !mds_doi.empty(); }
};
Endpoints endpoints_from(const Config& c);

// Adds a row for `record` (its "doi"), supersedes the DOI's rows still pending, and sets
// record["registration"]; the caller stores the record in the same transaction. Returns the
// row's id.
std::string queue_change(CatalogStore& store, boost::json::object& record, const OutboxChange& change,
                         const Endpoints& endpoints, Millis now);

// For a record that goes away: whether DataCite has ever received one of its changes (then it
// must be hidden there), and the cancelling of its rows still waiting.
bool ever_sent(CatalogStore& store, const std::string& doi);
void cancel_pending(CatalogStore& store, const std::string& doi, Millis now);

struct DeliveryResult {
  enum class Kind { Done, Retry, Failed } kind = Kind::Retry;
  std::string error;  // "" when done
};

// Sends one row; implementations speak HTTP (client.h), tests inject faults.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual DeliveryResult send(const boost::json::object& row) = 0;
};

// Delivers row `id` now if it may be sent (pending, or its lease ran out; with `even_if_waiting`
// also before its next attempt is due) and no other row of its DOI is being sent. nullopt when
// it was not sent.
std::optional<DeliveryResult> deliver_row(CatalogStore& store, Transport& transport, const Endpoints& endpoints,
                                          const std::string& id, Millis now, bool even_if_waiting = false);
// Delivers every due row whose protocol is configured, oldest first, at most `max_rows`.
// Returns how many were sent (whatever their outcome).
int deliver_due(CatalogStore& store, Transport& transport, const Endpoints& endpoints, Millis now, int max_rows = 100);

// The wait after the n-th failed attempt: retry_seconds × 2^(n-1), at most six hours.
Millis backoff_after(int attempts, int retry_seconds);

}  // namespace openem::datacite

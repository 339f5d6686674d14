#pragma once
// PublishedDataService: what /api/v3/publisheddata and /api/v4/publisheddata share — the read
// rule (public, registered and amended records for everyone, private ones for their creator,
// everything for admins), the state machine (publish/published_data/status.h), the datasets of
// a record (each must exist and be readable by the caller — an unreadable one is reported
// exactly like a missing one; at most OPENEM_PUBLISHED_DATA_MAX_PIDS), making them public, and
// the DataCite changes queued in the transaction of each status change (publish/datacite/
// outbox.h) and tried at once. Records are stored in the v4 shape; the v3 routes map bodies and
// answers (publish/published_data/record.h). One instance per request; thread-safe as the
// store is.
#include <boost/json.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/app.h"
#include "publish/datacite/outbox.h"
#include "publish/datacite_metadata.h"
#include "publish/published_data/metadata_schema.h"
#include "publish/published_data/status.h"
#include "query/filter.h"
#include "query/condition.h"

namespace openem {

// The outcome of a status change that queued a DataCite change.
struct PublicationResult {
  boost::json::object record;
  std::optional<datacite::DeliveryResult> delivery;  // the immediate attempt, when DataCite is configured
};

class PublishedDataService {
 public:
  PublishedDataService(App& app, std::shared_ptr<const PublishedDataConfig> config, std::string base_url);

  // Reads. `where` and the filter's fields are in stored (v4) names.
  boost::json::object get_visible(const Principal& p, const std::string& doi) const;
  std::vector<boost::json::object> list(const Principal& p, const ListFilter& f) const;
  std::int64_t count(const Principal& p, const boost::json::value& where) const;
  // A record everyone may read (the /doi/ landing page), or nullopt.
  std::optional<boost::json::object> get_public(const std::string& doi) const;

  // Writes. `apply` sets the body's fields on the stored record.
  using Apply = std::function<void(boost::json::object& record)>;
  boost::json::object create(const Principal& p, const std::string& requested_doi, const Apply& apply);
  boost::json::object update(const Principal& p, const std::string& doi, const Apply& apply, PublishedApi api);
  boost::json::object remove(const Principal& p, const std::string& doi, PublishedApi api);
  boost::json::object publish(const Principal& p, const std::string& doi);
  PublicationResult register_doi(const Principal& p, const std::string& doi, PublishedApi api);
  boost::json::object amend(const Principal& p, const std::string& doi);
  // Updates the record; an amended one is validated, sent to DataCite and registered again.
  PublicationResult resync(const Principal& p, const std::string& doi, const Apply& apply, PublishedApi api);

  // Prefill for a new record from one dataset the caller may read (and its proposal, sample,
  // instrument, first attachment): v3 names.
  boost::json::object form_populate(const Principal& p, const std::string& pid) const;

  // The public datasets of a record, for its landing page, and the record's DataCite attributes
  // built from them.
  std::vector<boost::json::object> public_datasets(const boost::json::object& record) const;
  boost::json::object public_attributes(const boost::json::object& record,
                                        const std::vector<boost::json::object>& public_datasets) const;
  std::string landing_url(const std::string& doi) const;
  const std::string& base_url() const { return base_url_; }
  const PublishedDataConfig& config() const { return *config_; }

 private:
  PublishedActor actor_for(const Principal& p, const boost::json::object& record) const;
  boost::json::value read_rule(const Principal& p) const;  // null: reads everything
  Condition read_condition(const Principal& p) const;
  boost::json::object load_for(const Principal& p, const std::string& doi, PublishedAction action, PublishedApi api) const;
  std::vector<boost::json::object> readable_datasets(const Principal& p, const boost::json::object& record) const;
  std::vector<boost::json::object> publishable_datasets(const Principal& p, const boost::json::object& record) const;
  void check_metadata(const boost::json::object& record) const;
  DataCiteContext context_for(const boost::json::object& record, const std::vector<boost::json::object>& datasets) const;
  datacite::OutboxChange change_for(const boost::json::object& record, const std::vector<boost::json::object>& datasets,
                                    const std::string& what, datacite::Protocol protocol) const;
  datacite::Protocol protocol_for(PublishedApi api, const boost::json::object& record) const;
  PublicationResult deliver_now(boost::json::object record, const std::string& row_id);

  App& app_;
  std::shared_ptr<const PublishedDataConfig> config_;
  std::string base_url_;
  datacite::Endpoints endpoints_;
};

// The catalog's public address for links: OPENEM_PUBLIC_URL (or PUBLIC_URL_PREFIX's), else the
// request's Host.
std::string public_base_url(const App& app, const HttpRequest& req);

}  // namespace openem

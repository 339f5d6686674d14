#include "publish/datacite/outbox.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/backoff.h"
#include "core/ids.h"
#include "core/json_fields.h"

namespace openem::datacite {
namespace json = boost::json;
namespace {

const CollectionSchema& rows() { return schemas::datacite_outbox(); }

// Long enough for one delivery (two requests for MDS) and a margin; after it another process
// may take the row over.
Millis lease_of(const Endpoints& e) { return (2 * static_cast<Millis>(e.timeout_seconds) + 30) * 1000; }

// The record's view of its latest row.
json::object registration_of(const json::object& row, const Endpoints& e) {
  json::object r{{"state", json_string(row, "state")},
                 {"change", json_string(row, "change")},
                 {"protocol", json_string(row, "protocol")},
                 {"attempts", json_int(row, "attempts")},
                 {"lastError", row.contains("lastError") ? row.at("lastError") : json::value()},
                 {"queuedAt", json_string(row, "createdAt")},
                 {"outboxId", json_string(row, "id")}};
  std::string state = json_string(row, "state");
  if (state == "pending") r["nextAttemptAt"] = json_string(row, "nextAttemptAt");
  if (state == "done") r["sentAt"] = json_string(row, "sentAt");
  if (state == "pending" && !e.configured(json_string(row, "protocol") == "mds" ? Protocol::Mds : Protocol::Rest))
    r["waitingFor"] = "DataCite is not configured; the change is sent once it is";
  return r;
}

// Mirrors the row into its record when the record still exists and this is its latest row.
void mirror_into_record(CatalogStore& store, const json::object& row, const Endpoints& e) {
  auto record = store.get(schemas::published_data(), json_string(row, "doi"));
  if (!record) return;
  auto* reg = record->if_contains("registration");
  if (reg && reg->is_object() && json_string(reg->get_object(), "outboxId") != json_string(row, "id")) return;
  (*record)["registration"] = registration_of(row, e);
  store.replace(schemas::published_data(), *record);
}

std::vector<json::object> rows_where(CatalogStore& store, Condition cond, int limit) {
  QueryPlan plan;
  plan.conditions.push_back(std::move(cond));
  plan.order.push_back(sort_by(rows(), "createdAt"));
  plan.limit = limit;
  return store.find(rows(), plan);
}

}  // namespace

const char* protocol_name(Protocol p) { return p == Protocol::Rest ? "rest" : "mds"; }

Endpoints endpoints_from(const Config& c) {
  Endpoints e;
  std::string rest = c.register_doi_uri;
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  // Upstream's REGISTER_DOI_URI is DataCite's ".../dois"; its root is accepted too.
  if (!rest.empty() && (rest.size() < 5 || rest.compare(rest.size() - 5, 5, "/dois") != 0)) rest += "/dois";
  e.rest_dois = rest;
  e.mds_metadata = c.register_metadata_uri;
  while (!e.mds_metadata.empty() && e.mds_metadata.back() == '/') e.mds_metadata.pop_back();
  e.mds_doi = c.register_doi_uri_v3;
  while (!e.mds_doi.empty() && e.mds_doi.back() == '/') e.mds_doi.pop_back();
  const std::string metadata = "/metadata";
  if (e.mds_doi.empty() && e.mds_metadata.size() > metadata.size() &&
      e.mds_metadata.compare(e.mds_metadata.size() - metadata.size(), metadata.size(), metadata) == 0)
    e.mds_doi = e.mds_metadata.substr(0, e.mds_metadata.size() - metadata.size()) + "/doi";
  e.username = c.doi_username;
  e.password = c.doi_password;
  e.timeout_seconds = c.datacite_timeout_seconds;
  e.retry_seconds = c.datacite_retry_seconds;
  return e;
}

Millis backoff_after(int attempts, int retry_seconds) {
  return doubling_backoff(attempts, static_cast<Millis>(std::max(1, retry_seconds)) * 1000, 6LL * 3600 * 1000);
}

bool ever_sent(CatalogStore& store, const std::string& doi) {
  return !rows_where(store, all_of({field_is(rows(), "doi", doi), field_is(rows(), "state", std::string("done"))}), 1).empty();
}

void cancel_pending(CatalogStore& store, const std::string& doi, Millis now) {
  store.transaction([&] {
    for (auto& old : rows_where(store, all_of({field_is(rows(), "doi", doi), field_is(rows(), "state", std::string("pending"))}), 1000)) {
      old["state"] = "superseded";
      old["updatedAt"] = iso_utc(now);
      store.replace(rows(), old);
    }
  });
}

std::string queue_change(CatalogStore& store, json::object& record, const OutboxChange& change, const Endpoints& e,
                         Millis now) {
  const std::string doi = json_string(record, "doi");
  const std::string when = iso_utc(now);
  std::string id;
  store.transaction([&] {
    // A waiting row of this DOI carries an older state: the new row has everything it had.
    cancel_pending(store, doi, now);
    // Sortable by time, unique by the random part.
    id = when + "-" + random_hex(6);
    json::object row{{"id", id},
                     {"doi", doi},
                     {"change", change.change},
                     {"protocol", protocol_name(change.protocol)},
                     {"state", "pending"},
                     {"attempts", 0},
                     {"lastError", nullptr},
                     {"nextAttemptAt", when},
                     {"createdAt", when},
                     {"updatedAt", when}};
    if (change.protocol == Protocol::Rest) row["document"] = change.rest_document;
    else {
      row["xml"] = change.xml;
      row["url"] = change.landing_url;
    }
    store.insert(rows(), row);
    record["registration"] = registration_of(row, e);
  });
  spdlog::info("event=datacite_queued doi={} change={} protocol={} row={}", doi, change.change,
               protocol_name(change.protocol), id);
  return id;
}

std::optional<DeliveryResult> deliver_row(CatalogStore& store, Transport& transport, const Endpoints& e,
                                          const std::string& id, Millis now, bool even_if_waiting) {
  json::object claimed;
  const std::string when = iso_utc(now);
  store.transaction([&] {
    auto row = store.get(rows(), id);
    if (!row) return;
    std::string state = json_string(*row, "state");
    bool due = json_string(*row, "nextAttemptAt") <= when;
    if (!(state == "pending" && (due || even_if_waiting)) && !(state == "sending" && due)) return;
    if (!e.configured(json_string(*row, "protocol") == "mds" ? Protocol::Mds : Protocol::Rest)) return;
    // One delivery per DOI at a time, so an older state never lands after a newer one.
    auto in_flight = rows_where(store,
                                 all_of({field_is(rows(), "doi", json_string(*row, "doi")),
                                         field_is(rows(), "state", std::string("sending")),
                                         field_compare(rows(), "nextAttemptAt", Comparison::Gt, when),
                                         negation(field_is(rows(), "id", id))}),
                                 1);
    if (!in_flight.empty()) return;
    (*row)["state"] = "sending";
    (*row)["attempts"] = json_int(*row, "attempts") + 1;
    (*row)["nextAttemptAt"] = iso_utc(now + lease_of(e));  // the lease: past it, the row is due again
    (*row)["updatedAt"] = when;
    store.replace(rows(), *row);
    mirror_into_record(store, *row, e);
    claimed = std::move(*row);
  });
  if (claimed.empty()) return std::nullopt;

  DeliveryResult result;
  try {
    result = transport.send(claimed);
  } catch (const std::exception& ex) {
    result = {DeliveryResult::Kind::Retry, ex.what()};
  }
  const Millis after = now;  // the caller's clock (the test clock in tests); a send takes seconds at most
  store.transaction([&] {
    auto row = store.get(rows(), id);
    // Taken over by another process after our lease ran out: its outcome counts.
    if (!row || json_string(*row, "state") != "sending" || json_int(*row, "attempts") != json_int(claimed, "attempts")) return;
    (*row)["updatedAt"] = iso_utc(after);
    switch (result.kind) {
      case DeliveryResult::Kind::Done:
        (*row)["state"] = "done";
        (*row)["sentAt"] = iso_utc(after);
        (*row)["lastError"] = nullptr;
        break;
      case DeliveryResult::Kind::Failed:
        (*row)["state"] = "failed";
        (*row)["lastError"] = result.error;
        break;
      case DeliveryResult::Kind::Retry:
        (*row)["state"] = "pending";
        (*row)["lastError"] = result.error;
        (*row)["nextAttemptAt"] = iso_utc(after + backoff_after(static_cast<int>(json_int(*row, "attempts")), e.retry_seconds));
        break;
    }
    store.replace(rows(), *row);
    mirror_into_record(store, *row, e);
  });
  if (result.kind == DeliveryResult::Kind::Done)
    spdlog::info("event=datacite_sent doi={} change={} attempts={}", json_string(claimed, "doi"), json_string(claimed, "change"),
                 json_int(claimed, "attempts"));
  else
    spdlog::warn("event=datacite_failed doi={} change={} attempts={} retry={} error=\"{}\"", json_string(claimed, "doi"),
                 json_string(claimed, "change"), json_int(claimed, "attempts"), result.kind == DeliveryResult::Kind::Retry,
                 result.error);
  return result;
}

int deliver_due(CatalogStore& store, Transport& transport, const Endpoints& e, Millis now, int max_rows) {
  if (!e.configured(Protocol::Rest) && !e.configured(Protocol::Mds)) return 0;
  int sent = 0;
  auto due = rows_where(store,
                        all_of({field_one_of(rows(), "state", {std::string("pending"), std::string("sending")}),
                                field_compare(rows(), "nextAttemptAt", Comparison::Lte, iso_utc(now))}),
                        max_rows);
  for (const auto& row : due)
    if (deliver_row(store, transport, e, json_string(row, "id"), now)) ++sent;
  return sent;
}

}  // namespace openem::datacite

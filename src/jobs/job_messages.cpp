#include "jobs/job_messages.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/backoff.h"
#include "core/ids.h"
#include "core/json_fields.h"
#include "core/time.h"

namespace openem {
namespace json = boost::json;
namespace {

const CollectionSchema& rows() { return schemas::job_messages(); }

// Claims row `id` when it is due; the claimed row, with this claim's token.
std::optional<json::object> claim(CatalogStore& store, const std::string& id, const std::string& token,
                                  const JobMessageOptions& o) {
  std::optional<json::object> claimed;
  store.transaction([&] {
    auto row = store.get(rows(), id);
    if (!row) return;
    const Millis now = now_millis();
    if (auto due = parse_iso(json_string(*row, "nextAttemptAt")); due && *due > now) return;
    (*row)["nextAttemptAt"] = iso_utc(now + o.lease_seconds * 1000LL);
    (*row)["leaseToken"] = token;
    store.replace(rows(), *row);
    claimed = std::move(*row);
  });
  return claimed;
}

}  // namespace

void queue_job_messages(CatalogStore& store, const std::vector<JobAction>& actions, const json::object& job,
                        std::string_view phase) {
  const std::string body = json::serialize(job);
  for (const auto& a : actions) {
    if (a.type != "rabbitmq") continue;
    const Millis now = now_millis();
    store.insert(rows(), json::object{{"id", uuid_v4()},
                                      {"jobId", job.at("id")},
                                      {"phase", phase},
                                      {"exchange", json_string(a.spec, "exchange")},
                                      {"queue", json_string(a.spec, "queue")},
                                      {"key", json_string(a.spec, "key")},
                                      {"body", body},
                                      {"attempts", 0},
                                      {"createdAt", iso_utc(now)},
                                      {"nextAttemptAt", iso_utc(now)},
                                      {"lastError", nullptr}});
  }
}

int deliver_job_messages(CatalogStore& store, AmqpPublisher& publisher, const JobMessageOptions& o) {
  QueryPlan plan;
  plan.conditions = {field_compare(rows(), "nextAttemptAt", Comparison::Lte, iso_utc(now_millis()))};
  plan.order = {sort_by(rows(), "createdAt")};
  plan.limit = o.max_rows;
  int published = 0;
  for (const auto& id : store.find_ids(rows(), plan)) {
    const std::string token = uuid_v4();
    auto row = claim(store, id, token, o);
    if (!row) continue;  // another process has it
    AmqpMessage message;
    message.body = json_string(*row, "body");
    message.message_id = id;
    message.type = "job." + json_string(*row, "phase");
    message.timestamp = now_millis() / 1000;
    const std::string error =
        publisher.publish({json_string(*row, "exchange"), json_string(*row, "queue"), json_string(*row, "key")}, message);
    store.transaction([&] {
      auto now_row = store.get(rows(), id);
      if (!now_row || json_string(*now_row, "leaseToken") != token) return;  // taken over meanwhile
      if (error.empty()) {
        store.remove(rows(), id);
        return;
      }
      const std::int64_t failures = json_int(*now_row, "attempts") + 1;
      const std::int64_t backoff = doubling_backoff(failures, o.retry_seconds, o.max_backoff_seconds);
      (*now_row)["attempts"] = failures;
      (*now_row)["lastError"] = error;
      (*now_row)["nextAttemptAt"] = iso_utc(now_millis() + backoff * 1000);
      now_row->erase("leaseToken");
      store.replace(rows(), *now_row);
      spdlog::warn("event=job_message_failed job={} attempt={} retry_in_s={} error=\"{}\"", json_string(*now_row, "jobId"),
                   failures, backoff, error);
    });
    if (!error.empty()) break;  // later messages wait behind it: consumers see jobs in order
    spdlog::info("event=job_message_published job={} exchange={} queue={}", json_string(*row, "jobId"),
                 json_string(*row, "exchange"), json_string(*row, "queue"));
    ++published;
  }
  return published;
}

}  // namespace openem

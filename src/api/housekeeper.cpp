#include "api/housekeeper.h"

#include <spdlog/spdlog.h>

#include <memory>
#include <utility>

#include "api/events/webhooks.h"
#include "api/handler_util.h"
#include "jobs/job_messages.h"
#include "core/acting_user.h"
#include "core/time.h"
#include "publish/datacite/client.h"
#include "publish/embargo.h"

namespace openem {

void Housekeeper::add(std::string name, std::chrono::milliseconds every, std::function<void()> chore, FirstRun first) {
  chores_.push_back({std::move(name), every, std::move(chore), first, {}});
}

void Housekeeper::run_one(Chore& c, Clock::time_point now) {
  c.next = now + c.every;
  try {
    // The chore's writes are the server's own: the change history names the chore
    // ("system:release_embargoes"), before serving as on the housekeeper's thread.
    acting_user::Scope as(std::string(acting_user::kSystemUser) + ":" + c.name);
    c.run();
  } catch (const std::exception& e) {
    spdlog::error("event=chore_failed chore={} error=\"{}\"", c.name, e.what());
  }
}

int Housekeeper::run_due(Clock::time_point now) {
  int ran = 0;
  for (auto& c : chores_)
    if (now >= c.next) {
      run_one(c, now);
      ++ran;
    }
  return ran;
}

int Housekeeper::run_before_serving(Clock::time_point now) {
  int ran = 0;
  for (auto& c : chores_)
    if (c.first == FirstRun::BeforeServing && now >= c.next) {
      run_one(c, now);
      ++ran;
    }
  return ran;
}

void Housekeeper::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      run_due();
      lock.lock();
      auto wake = Clock::time_point::max();
      for (const auto& c : chores_) wake = std::min(wake, c.next);
      cv_.wait_until(lock, wake, [this] { return stopping_; });
    }
  });
}

void Housekeeper::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int expire_anonymous_jobs(App& app) {
  std::string cutoff = iso_utc(now_millis() - static_cast<Millis>(app.config().anonymous_job_ttl_hours) * 3600 * 1000);
  QueryPlan plan;
  plan.conditions.push_back(field_missing(schemas::jobs(), "ownerUser"));
  plan.conditions.push_back(field_compare(schemas::jobs(), "createdAt", Comparison::Lt, cutoff));
  plan.limit = 1000;
  int removed = 0;
  for (const auto& job : app.store().find(schemas::jobs(), plan)) {
    if (str_field(job, "createdBy") != "anonymous") continue;  // e.g. made by an archive system for nobody
    if (app.store().remove(schemas::jobs(), str_field(job, "id"))) ++removed;
  }
  if (removed) spdlog::info("event=anonymous_jobs_expired count={}", removed);
  return removed;
}

void add_catalog_chores(Housekeeper& h, App& app) {
  h.add("expire_anonymous_jobs", std::chrono::minutes(10), [&app] { expire_anonymous_jobs(app); },
        Housekeeper::FirstRun::BeforeServing);
  // Embargoes end within OPENEM_EMBARGO_CHECK_SECONDS of their time (and at start, for those
  // that ended while the server was down).
  // The run before serving has a budget: a catalog that was down long, or is new from a
  // migration, may have hundreds of thousands due (minutes of writes), and a server that does
  // not answer meanwhile is worse than datasets that open a little later in the background.
  if (app.config().embargo_release) {
    EmbargoOptions o;
    o.default_license = app.config().default_license;
    auto first = std::make_shared<bool>(true);
    h.add("release_embargoes", std::chrono::seconds(std::max(1, app.config().embargo_check_seconds)),
          [&app, o, first] {
            EmbargoOptions run = o;
            if (std::exchange(*first, false)) run.budget = kEmbargoBudgetBeforeServing;
            release_due_embargoes(app.store(), run, now_millis());
          },
          Housekeeper::FirstRun::BeforeServing);
  }
  // DataCite changes waiting in the outbox (publish/datacite/outbox.h): at start — what a
  // stopped process left — and every OPENEM_DATACITE_POLL_SECONDS. In the background: DataCite
  // may be slow or down, and nothing the API answers waits for it.
  auto endpoints = datacite::endpoints_from(app.config());
  h.add("deliver_datacite_changes", std::chrono::seconds(app.config().datacite_poll_seconds), [&app, endpoints] {
    auto transport = datacite::http_transport(endpoints);
    datacite::deliver_due(app.store(), *transport, endpoints, now_millis());
  });
}

void add_event_chores(Housekeeper& h, App& app) {
  auto ids = std::make_shared<EventIds>(app.jwt_secret());
  auto sender = std::shared_ptr<WebhookSender>(http_webhook_sender(app.config().webhook_timeout_seconds));
  const WebhookDeliveryOptions options = webhook_delivery_options(app.config());
  h.add("deliver_webhooks", std::chrono::milliseconds(app.config().webhook_poll_ms),
        [&app, ids, sender, options] { deliver_webhooks(app, *sender, *ids, options); });
  // Messages of the rabbitmq job action (jobs/job_messages.h), also those a stopped process
  // left: only with RabbitMQ configured (a job configuration with the action needs it).
  const Config& c = app.config();
  if (!c.rabbitmq_enabled) return;
  auto publisher = std::make_shared<AmqpPublisher>(
      AmqpBroker{c.rabbitmq_hostname, c.rabbitmq_port, c.rabbitmq_vhost, c.rabbitmq_username, c.rabbitmq_password},
      std::chrono::seconds(c.webhook_timeout_seconds));
  JobMessageOptions job_options;
  job_options.retry_seconds = c.webhook_retry_seconds;
  job_options.lease_seconds = c.webhook_timeout_seconds + 30;
  h.add("publish_job_messages", std::chrono::milliseconds(c.webhook_poll_ms),
        [&app, publisher, job_options] { deliver_job_messages(app.store(), *publisher, job_options); });
}

}  // namespace openem

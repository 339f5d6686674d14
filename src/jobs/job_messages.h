#pragma once
// The `rabbitmq` job action (SciCat's RabbitMQJobAction: the job's JSON published to an
// exchange/queue with a routing key, so archive systems built for SciCat receive their jobs
// unchanged), made durable: the message is a row of the catalog's job_messages collection,
// written in the transaction that stores the job (queue_job_messages), and published by a
// background chore (deliver_job_messages) through an AmqpPublisher that waits for the broker's
// confirm. So a job whose message the broker has not confirmed keeps it: RabbitMQ down, or the
// process killed, the message goes out later — at least once, in the order the jobs changed
// (a failure holds back the messages after it), with the row's id as AMQP message-id for
// consumers that de-duplicate. Processes of a deployment share the rows: each claims one for
// a lease before it publishes. Functions of a CatalogStore; thread-safe as the store is.
#include <boost/json/object.hpp>

#include <string_view>
#include <vector>

#include "jobs/amqp_publisher.h"
#include "jobs/job_config.h"
#include "store/catalog_store.h"

namespace openem {

// Adds one row per `rabbitmq` action of `actions` for `job` (its JSON as it is now); call it
// inside the job's transaction. `phase`: "create" or "update".
void queue_job_messages(CatalogStore& store, const std::vector<JobAction>& actions, const boost::json::object& job,
                        std::string_view phase);

struct JobMessageOptions {
  int retry_seconds = 10;  // the first backoff; doubles up to max_backoff_seconds
  int max_backoff_seconds = 3600;
  int lease_seconds = 60;
  int max_rows = 100;
};

// Publishes due rows, oldest first, until one fails. Returns how many were published.
int deliver_job_messages(CatalogStore& store, AmqpPublisher& publisher, const JobMessageOptions& options);

}  // namespace openem

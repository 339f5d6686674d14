#pragma once
// AmqpPublisher: publishes messages to a RabbitMQ broker over AMQP 0-9-1 (librabbitmq), the
// way SciCat's RabbitMQService does for its `rabbitmq` job action: a durable queue, a durable
// topic exchange, the queue bound to the exchange with the routing key, and a persistent
// message. Beyond upstream, every publish waits for the broker's confirm (publisher
// confirms), so "published" means the broker has taken the message: callers that keep an
// outbox move on only then. One connection, opened on first use and again after any error;
// thread-safe (publishes are serialised).
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace openem {

struct AmqpBroker {
  std::string host = "127.0.0.1";
  int port = 5672;
  std::string vhost = "/";
  std::string username = "guest", password = "guest";
};

// Where a message goes. An empty queue: only the exchange is declared (its bindings are the
// consumers' business); an empty exchange: the default exchange, to the queue named by key.
struct AmqpDestination {
  std::string exchange, queue, routing_key;
};

struct AmqpMessage {
  std::string body;
  std::string content_type = "application/json";
  std::string message_id;  // "" for none
  std::string type;        // "" for none
  std::int64_t timestamp = 0;  // seconds since 1970; 0 for none
};

// `amqp://user:password@host:port/vhost?exchange=...&queue=...&key=...` (the vhost and the
// user info percent-encoded; no path is vhost "/"). nullopt, with `error` set, for anything
// else.
struct AmqpUrl {
  AmqpBroker broker;
  AmqpDestination destination;
};
std::optional<AmqpUrl> parse_amqp_url(std::string_view url, std::string* error);

class AmqpPublisher {
 public:
  AmqpPublisher(AmqpBroker broker, std::chrono::seconds timeout);
  ~AmqpPublisher();
  AmqpPublisher(const AmqpPublisher&) = delete;
  AmqpPublisher& operator=(const AmqpPublisher&) = delete;

  // "" once the broker confirmed the message; otherwise why not (connection refused, login
  // refused, a declaration the broker rejected, a nack, a timeout). After an error the next
  // publish connects again.
  std::string publish(const AmqpDestination& to, const AmqpMessage& message);

 private:
  struct Connection;
  std::string connect();
  void disconnect();
  std::string declare(const AmqpDestination& to);

  const AmqpBroker broker_;
  const std::chrono::seconds timeout_;
  std::mutex mu_;
  std::unique_ptr<Connection> connection_;
  std::set<std::string> declared_;  // destinations declared on this connection
  std::uint64_t next_delivery_tag_ = 1;
};

}  // namespace openem

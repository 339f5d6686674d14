// AmqpPublisher without a broker (tests/events/rabbitmq_test.mjs has the real one): amqp://
// URLs as webhooks give them, and a broker that is not there is a clear error, not a hang.
#include "jobs/amqp_publisher.h"

#include <gtest/gtest.h>

#include <chrono>

namespace openem {
namespace {

TEST(AmqpUrlTest, BrokerVhostAndDestination) {
  std::string why;
  auto u = parse_amqp_url("amqp://bob:s%40cret@mq.example:5673/facility?exchange=openem.events&queue=q1&key=dataset.*", &why);
  ASSERT_TRUE(u) << why;
  EXPECT_EQ(u->broker.host, "mq.example");
  EXPECT_EQ(u->broker.port, 5673);
  EXPECT_EQ(u->broker.username, "bob");
  EXPECT_EQ(u->broker.password, "s@cret");
  EXPECT_EQ(u->broker.vhost, "facility");
  EXPECT_EQ(u->destination.exchange, "openem.events");
  EXPECT_EQ(u->destination.queue, "q1");
  EXPECT_EQ(u->destination.routing_key, "dataset.*");
  auto d = parse_amqp_url("amqp://127.0.0.1?exchange=x", &why);
  ASSERT_TRUE(d) << why;
  EXPECT_EQ(d->broker.port, 5672);
  EXPECT_EQ(d->broker.vhost, "/");
  EXPECT_EQ(d->broker.username, "guest");
  EXPECT_EQ(parse_amqp_url("amqp://h/%2Fother?queue=q", &why)->broker.vhost, "/other");
}

TEST(AmqpUrlTest, RefusesWhatIsNotOne) {
  for (const char* bad : {"http://h/?exchange=x", "amqp://h", "amqp:///?exchange=x", "amqp://h:0/?exchange=x",
                          "amqp://h:99999/?exchange=x", "amqp://h/?exchange=x&durable=no", "not a url"}) {
    std::string why;
    EXPECT_FALSE(parse_amqp_url(bad, &why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
}

TEST(AmqpPublisherTest, ABrokerThatIsNotThereIsAClearErrorWithinTheTimeout) {
  AmqpPublisher publisher(AmqpBroker{"127.0.0.1", 9, "/", "guest", "guest"}, std::chrono::seconds(2));
  const auto start = std::chrono::steady_clock::now();
  std::string error = publisher.publish({"x", "q", "k"}, AmqpMessage{"{}"});
  EXPECT_NE(error.find("cannot connect to RabbitMQ at 127.0.0.1:9"), std::string::npos) << error;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_FALSE(publisher.publish({"x", "q", "k"}, AmqpMessage{"{}"}).empty());  // and again, no crash
}

}  // namespace
}  // namespace openem

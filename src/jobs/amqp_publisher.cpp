#include "jobs/amqp_publisher.h"

#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <sys/time.h>

#include <charconv>

namespace openem {
namespace {

amqp_bytes_t bytes(const std::string& s) { return amqp_bytes_t{s.size(), const_cast<char*>(s.data())}; }

std::string text(amqp_bytes_t b) { return std::string(static_cast<const char*>(b.bytes), b.len); }

timeval timeval_of(std::chrono::milliseconds d) {
  if (d.count() < 0) d = std::chrono::milliseconds(0);
  return timeval{static_cast<time_t>(d.count() / 1000), static_cast<suseconds_t>((d.count() % 1000) * 1000)};
}

// "" for a normal reply, else what went wrong, in words.
std::string rpc_error(const amqp_rpc_reply_t& r, const std::string& what) {
  switch (r.reply_type) {
    case AMQP_RESPONSE_NORMAL: return "";
    case AMQP_RESPONSE_NONE: return what + ": no reply from the broker";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION: return what + ": " + amqp_error_string2(r.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD)
        return what + ": the broker closed the connection: " +
               text(static_cast<amqp_connection_close_t*>(r.reply.decoded)->reply_text);
      if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD)
        return what + ": the broker closed the channel: " +
               text(static_cast<amqp_channel_close_t*>(r.reply.decoded)->reply_text);
      return what + ": the broker refused";
  }
  return what + ": unknown reply";
}

}  // namespace

struct AmqpPublisher::Connection {
  amqp_connection_state_t state = amqp_new_connection();
  ~Connection() { amqp_destroy_connection(state); }  // without a close handshake: it may be broken
};

std::optional<AmqpUrl> parse_amqp_url(std::string_view text_url, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<AmqpUrl> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  auto parsed = boost::urls::parse_uri(text_url);
  if (!parsed) return fail("not a URL");
  const boost::urls::url_view u = *parsed;
  if (u.scheme() != "amqp") return fail("the scheme must be amqp://");
  if (u.encoded_host().empty()) return fail("the URL names no host");
  AmqpUrl out;
  out.broker.host = u.host();
  if (u.has_port()) {
    int port = 0;
    const auto p = u.port();
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
    if (ec != std::errc() || end != p.data() + p.size() || port < 1 || port > 65535) return fail("bad port");
    out.broker.port = port;
  }
  if (u.has_userinfo()) {
    out.broker.username = u.user();
    out.broker.password = u.password();
  }
  std::string path = u.path();
  if (path.size() > 1) out.broker.vhost = path.substr(1);
  for (const auto& param : u.params()) {
    if (param.key == "exchange") out.destination.exchange = param.value;
    else if (param.key == "queue") out.destination.queue = param.value;
    else if (param.key == "key") out.destination.routing_key = param.value;
    else return fail("unknown parameter " + std::string(param.key) + " (exchange, queue, key)");
  }
  if (out.destination.exchange.empty() && out.destination.queue.empty())
    return fail("name an exchange (?exchange=) or a queue (?queue=)");
  return out;
}

AmqpPublisher::AmqpPublisher(AmqpBroker broker, std::chrono::seconds timeout)
    : broker_(std::move(broker)), timeout_(timeout) {}

AmqpPublisher::~AmqpPublisher() = default;

void AmqpPublisher::disconnect() {
  connection_.reset();
  declared_.clear();
}

std::string AmqpPublisher::connect() {
  auto c = std::make_unique<Connection>();
  if (!c->state) return "cannot allocate an AMQP connection";
  amqp_socket_t* socket = amqp_tcp_socket_new(c->state);
  if (!socket) return "cannot make a TCP socket";
  timeval tv = timeval_of(timeout_);
  amqp_set_handshake_timeout(c->state, &tv);
  amqp_set_rpc_timeout(c->state, &tv);
  const std::string where = broker_.host + ":" + std::to_string(broker_.port);
  if (int status = amqp_socket_open_noblock(socket, broker_.host.c_str(), broker_.port, &tv); status != AMQP_STATUS_OK)
    return "cannot connect to RabbitMQ at " + where + ": " + amqp_error_string2(status);
  std::string e = rpc_error(amqp_login(c->state, broker_.vhost.c_str(), 0, 131072, 0, AMQP_SASL_METHOD_PLAIN,
                                       broker_.username.c_str(), broker_.password.c_str()),
                            "login to RabbitMQ at " + where);
  if (!e.empty()) return e;
  amqp_channel_open(c->state, 1);
  if (e = rpc_error(amqp_get_rpc_reply(c->state), "opening a channel"); !e.empty()) return e;
  amqp_confirm_select(c->state, 1);
  if (e = rpc_error(amqp_get_rpc_reply(c->state), "turning on publisher confirms"); !e.empty()) return e;
  connection_ = std::move(c);
  declared_.clear();
  next_delivery_tag_ = 1;
  return "";
}

std::string AmqpPublisher::declare(const AmqpDestination& to) {
  const std::string key = to.exchange + '\n' + to.queue + '\n' + to.routing_key;
  if (declared_.count(key)) return "";
  amqp_connection_state_t s = connection_->state;
  if (!to.exchange.empty()) {
    amqp_exchange_declare(s, 1, bytes(to.exchange), amqp_cstring_bytes("topic"), 0, 1, 0, 0, amqp_empty_table);
    if (auto e = rpc_error(amqp_get_rpc_reply(s), "declaring exchange " + to.exchange); !e.empty()) return e;
  }
  if (!to.queue.empty()) {
    amqp_queue_declare(s, 1, bytes(to.queue), 0, 1, 0, 0, amqp_empty_table);
    if (auto e = rpc_error(amqp_get_rpc_reply(s), "declaring queue " + to.queue); !e.empty()) return e;
    if (!to.exchange.empty()) {
      amqp_queue_bind(s, 1, bytes(to.queue), bytes(to.exchange), bytes(to.routing_key), amqp_empty_table);
      if (auto e = rpc_error(amqp_get_rpc_reply(s), "binding queue " + to.queue); !e.empty()) return e;
    }
  }
  declared_.insert(key);
  return "";
}

std::string AmqpPublisher::publish(const AmqpDestination& to, const AmqpMessage& message) {
  std::lock_guard lock(mu_);
  auto failed = [&](std::string why) {
    disconnect();
    return why;
  };
  if (!connection_)
    if (auto e = connect(); !e.empty()) return failed(e);
  if (auto e = declare(to); !e.empty()) return failed(e);
  amqp_connection_state_t s = connection_->state;
  amqp_basic_properties_t props{};
  props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG;
  props.content_type = bytes(message.content_type);
  props.delivery_mode = 2;  // persistent
  if (!message.message_id.empty()) {
    props._flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
    props.message_id = bytes(message.message_id);
  }
  if (!message.type.empty()) {
    props._flags |= AMQP_BASIC_TYPE_FLAG;
    props.type = bytes(message.type);
  }
  if (message.timestamp > 0) {
    props._flags |= AMQP_BASIC_TIMESTAMP_FLAG;
    props.timestamp = static_cast<uint64_t>(message.timestamp);
  }
  // The default exchange routes by queue name.
  const std::string& routing_key = to.exchange.empty() ? to.queue : to.routing_key;
  if (int status = amqp_basic_publish(s, 1, bytes(to.exchange), bytes(routing_key), 0, 0, &props, bytes(message.body));
      status != AMQP_STATUS_OK)
    return failed(std::string("publishing: ") + amqp_error_string2(status));
  const std::uint64_t tag = next_delivery_tag_++;
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  for (;;) {
    timeval tv = timeval_of(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
    amqp_frame_t frame;
    const int status = amqp_simple_wait_frame_noblock(s, &frame, &tv);
    if (status == AMQP_STATUS_TIMEOUT) return failed("RabbitMQ did not confirm the message in time");
    if (status != AMQP_STATUS_OK) return failed(std::string("waiting for the confirm: ") + amqp_error_string2(status));
    if (frame.frame_type != AMQP_FRAME_METHOD) continue;
    switch (frame.payload.method.id) {
      case AMQP_BASIC_ACK_METHOD: {
        const auto* ack = static_cast<amqp_basic_ack_t*>(frame.payload.method.decoded);
        if (ack->delivery_tag < tag) continue;  // an earlier message's (one publish at a time: none)
        amqp_maybe_release_buffers(s);
        return "";
      }
      case AMQP_BASIC_NACK_METHOD: return failed("RabbitMQ refused the message (nack)");
      case AMQP_CHANNEL_CLOSE_METHOD:
        return failed("the broker closed the channel: " +
                      text(static_cast<amqp_channel_close_t*>(frame.payload.method.decoded)->reply_text));
      case AMQP_CONNECTION_CLOSE_METHOD:
        return failed("the broker closed the connection: " +
                      text(static_cast<amqp_connection_close_t*>(frame.payload.method.decoded)->reply_text));
      default: continue;
    }
  }
}

}  // namespace openem

#include "http/server.h"

#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <strings.h>

#include <chrono>
#include <thread>

#include "core/acting_user.h"
#include "core/error.h"
#include "core/request_scope.h"
#include "http/framing.h"

namespace openem {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

namespace {

// The response for the exception being handled: an HttpResponseError's response, an
// ApiError's own status and message(s) in SciCat's error body, what the router's error
// translator makes of another exception, anything else a logged 500.
HttpResponse current_exception_response(const Router& router, const Route* route) {
  try {
    throw;
  } catch (const HttpResponseError& e) {
    return e.response();
  } catch (const ApiError& e) {
    HttpResponse res;
    if (!e.message_is_array()) {
      res = HttpResponse::error(e.status(), e.messages().front());
    } else {
      boost::json::array msgs;
      for (const auto& m : e.messages()) msgs.emplace_back(m);
      res = HttpResponse::json(e.status(), boost::json::object{{"statusCode", e.status()},
                                                               {"message", std::move(msgs)},
                                                               {"error", status_reason(e.status())}});
    }
    res.headers.insert(res.headers.end(), e.headers().begin(), e.headers().end());
    return res;
  } catch (const std::exception& e) {
    if (auto translated = router.translate_error(e)) return std::move(*translated);
    spdlog::error("event=handler_error route=\"{}\" error=\"{}\"", route ? route->pattern : "", e.what());
    return HttpResponse::error(500, "Internal server error");
  }
}

// Streamed request bodies are read from the socket in pieces of up to this size.
constexpr std::size_t kBodyPieceBytes = 1 << 20;

}  // namespace

HttpResponse dispatch(const Router& router, HttpRequest& req, const Route** matched) {
  *matched = nullptr;
  RequestScope scope;  // shared state read once per request (core/request_scope.h)
  try {
    bool wrong_method = false;
    const Route* r = router.match(req.method, req, wrong_method);
    if (!r) {
      if (req.method == "OPTIONS") {  // CORS preflight: permissive, as upstream's enableCors()
        HttpResponse res = HttpResponse::text(204, "");
        res.headers.push_back({"Access-Control-Allow-Methods", "GET,HEAD,PUT,PATCH,POST,DELETE"});
        res.headers.push_back({"Access-Control-Allow-Headers", req.header("access-control-request-headers").value_or("*")});
        return res;
      }
      std::string msg = "Cannot " + req.method + " " + req.target.substr(0, req.target.find('?'));
      return HttpResponse::error(404, msg);
    }
    *matched = r;
    // The request's writes are its caller's (core/acting_user.h): authentication names them,
    // and this scope forgets the name when the request ends, before the thread serves another.
    acting_user::Scope acting("");
    return r->handler(req);
  } catch (...) {
    return current_exception_response(router, *matched);
  }
}

struct HttpServer::Impl {
  ServerOptions options;
  const Router& router;
  Metrics& metrics;
  RequestObserver observer;
  net::io_context ioc;
  // After ioc: destroyed before it, so no handler completes into a destroyed io_context.
  net::thread_pool handler_pool;
  // The acceptor and the drain run on one strand: closing an acceptor while another thread
  // starts its next accept is a data race.
  net::strand<net::io_context::executor_type> accept_strand{net::make_strand(ioc)};
  tcp::acceptor acceptor{accept_strand};
  std::atomic<int> in_flight{0};
  std::atomic<bool> draining{false};

  Impl(ServerOptions o, const Router& r, Metrics& m, RequestObserver obs)
      : options(std::move(o)),
        router(r),
        metrics(m),
        observer(std::move(obs)),
        ioc(static_cast<int>(std::max(1u, options.io_threads))),
        handler_pool(std::max(1u, options.threads)) {}

  // Runs fn on a handler thread; the connection's coroutine resumes on its own I/O strand
  // with the result (or fn's exception).
  template <class Fn>
  net::awaitable<std::invoke_result_t<Fn&>> on_handler_thread(Fn fn) {
    using Result = std::invoke_result_t<Fn&>;
    co_return co_await net::co_spawn(
        handler_pool, [&fn]() -> net::awaitable<Result> { co_return fn(); }, net::use_awaitable);
  }

  // The request as handlers see it, from the header alone (the body comes later, if at all).
  // Throws ApiError 400 for a malformed target or a repeated singleton header (two
  // Authorization headers: a proxy may have checked the one the server would not use).
  static HttpRequest header_request(const http::request<http::empty_body>& msg, const tcp::endpoint& remote) {
    HttpRequest req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    for (const auto& f : msg) {
      std::string name(f.name_string());
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      auto [it, added] = req.headers.try_emplace(name, f.value());
      if (added) continue;
      if (is_singleton_header(name))
        throw ApiError::bad_request("The request has more than one " + std::string(f.name_string()) + " header");
      it->second = std::string(f.value());  // as before: the last one wins
    }
    req.remote = remote.address().to_string();
    parse_target(req.target, req);
    return req;
  }

  template <class Body>
  void set_headers(http::response<Body>& msg, const HttpResponse& res, bool keep_alive) {
    msg.set(http::field::server, "openem");
    msg.set(http::field::content_type, res.content_type);
    msg.set(http::field::access_control_allow_origin, "*");
    for (auto& [k, v] : res.headers) msg.set(k, v);
    if (http::int_to_status(res.status) == http::status::unknown) msg.reason(status_reason(res.status));  // tus 460
    msg.keep_alive(keep_alive && !draining.load());
  }

  http::response<http::string_body> to_message(HttpResponse&& res, unsigned version, bool keep_alive, bool head) {
    http::response<http::string_body> msg{static_cast<http::status>(res.status), version};
    set_headers(msg, res, keep_alive);
    if (head && res.stream) {
      if (res.stream->length >= 0) msg.content_length(res.stream->length);
    } else if (head) {
      msg.content_length(res.body.size());
    } else {
      msg.body() = std::move(res.body);
      msg.prepare_payload();
    }
    return msg;
  }

  // Writes a response whose body comes from res.stream, piece by piece (constant memory):
  // Content-Length when the length is known, chunked otherwise. Returns whether the
  // connection can carry another request.
  net::awaitable<bool> write_streamed(beast::tcp_stream& stream, HttpResponse& res, unsigned version, bool keep_alive) {
    http::response<http::buffer_body> msg{static_cast<http::status>(res.status), version};
    set_headers(msg, res, keep_alive);
    if (res.stream->length >= 0) msg.content_length(res.stream->length);
    else msg.chunked(true);
    msg.body().data = nullptr;
    msg.body().more = true;
    http::response_serializer<http::buffer_body> sr{msg};
    stream.expires_after(std::chrono::seconds(options.idle_timeout_seconds));
    auto [hec, hn] = co_await http::async_write_header(stream, sr, kTuple);
    if (hec) co_return false;
    std::string piece;
    for (bool more = true; more;) {
      piece.clear();
      try {
        more = co_await on_handler_thread([&] { return res.stream->next(piece); });
      } catch (const std::exception& e) {
        spdlog::error("event=stream_error error=\"{}\"", e.what());
        co_return false;  // the caller closes the connection: a visibly truncated body
      }
      if (piece.empty() && more) {
        if (res.stream->idle_wait.count() > 0) {
          net::steady_timer idle(stream.get_executor());
          do {
            if (draining.load()) co_return false;  // an endless stream ends with the server
            idle.expires_after(res.stream->idle_wait);
            co_await idle.async_wait(kTuple);
          } while (res.stream->ready && !res.stream->ready());
        }
        continue;
      }
      msg.body().data = piece.empty() ? nullptr : piece.data();
      msg.body().size = piece.size();
      msg.body().more = more;
      stream.expires_after(std::chrono::seconds(options.idle_timeout_seconds));
      auto [wec, wn] = co_await http::async_write(stream, sr, kTuple);
      if (wec == http::error::need_buffer) wec = {};  // buffer consumed, more to come
      if (wec) co_return false;
    }
    co_return !msg.need_eof();
  }

  // A client that sent "Expect: 100-continue" waits for this before it sends the body (curl
  // would wait a second, then send anyway). Only called once the body is wanted: a request
  // refused on its header gets its final answer instead. False when the connection is gone.
  net::awaitable<bool> continue_if_expected(beast::tcp_stream& stream, const HttpRequest& req) {
    auto expect = req.header("expect");
    if (!expect || strcasecmp(expect->c_str(), "100-continue") != 0) co_return true;
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    stream.expires_after(std::chrono::seconds(options.idle_timeout_seconds));
    auto [ec, n] = co_await net::async_write(stream, net::buffer(kContinue.data(), kContinue.size()), kTuple);
    co_return !ec;
  }

  // Feeds a request body of `length` bytes to a streaming route's sink as it arrives: first
  // what came in with the header, then reads of up to kBodyPieceBytes. `lost` is set when the
  // connection ended mid-body (nothing can be answered then); `close` when the body was not
  // read to its end, so the connection cannot carry another request.
  net::awaitable<HttpResponse> receive_streamed(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                                std::unique_ptr<char[]>& piece, std::uint64_t length,
                                                const Route& route, HttpRequest& req, bool& lost, bool& close) {
    BodyStart start;
    try {
      start = co_await on_handler_thread([&] {
        acting_user::Scope acting("");  // as in dispatch()
        RequestScope scope;
        return route.body_handler(req);
      });
    } catch (...) {
      start.sink.reset();
      start.response = current_exception_response(router, &route);
    }
    if (!start.sink) {
      if (buffer.size() >= length) buffer.consume(length);  // the whole (small) body is here: skip it
      else close = true;
      co_return std::move(start.response);
    }
    BodySink& sink = *start.sink;
    if (!co_await continue_if_expected(stream, req)) {
      sink.abort();
      lost = true;
      co_return HttpResponse::text(499, "");
    }
    std::uint64_t left = length;
    bool failed = false;
    HttpResponse failure;
    while (left > 0) {
      std::string_view bytes;
      if (buffer.size() > 0) {
        bytes = std::string_view(static_cast<const char*>(buffer.data().data()),
                                 static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), left)));
      } else {
        if (!piece) piece = std::make_unique_for_overwrite<char[]>(kBodyPieceBytes);
        stream.expires_after(std::chrono::seconds(options.idle_timeout_seconds));
        auto [ec, got] = co_await stream.async_read_some(
            net::buffer(piece.get(), static_cast<std::size_t>(std::min<std::uint64_t>(left, kBodyPieceBytes))), kTuple);
        if (ec) {
          sink.abort();
          lost = true;
          co_return HttpResponse::text(499, "");  // never sent: for the log and metrics ("client closed")
        }
        bytes = std::string_view(piece.get(), got);
      }
      try {
        co_await on_handler_thread([&] { sink.write(bytes); });
      } catch (...) {
        failed = true;
        failure = current_exception_response(router, &route);
      }
      if (failed) {
        sink.abort();
        close = true;
        co_return failure;
      }
      if (buffer.size() > 0) buffer.consume(bytes.size());
      left -= bytes.size();
    }
    try {
      co_return co_await on_handler_thread([&] { return sink.finish(); });
    } catch (...) {
      failure = current_exception_response(router, &route);
    }
    co_return failure;
  }

  // Transfer-Encoding rules (framing.h): Beast reads a body framed by a final "chunked" or by
  // Content-Length and otherwise takes it as empty, so "xchunked" or "chunked, identity"
  // would leave the body to be parsed as the next request.
  static std::optional<FramingProblem> framing_problem(const http::request<http::empty_body>& msg) {
    std::vector<std::string_view> te;
    auto [b, e] = msg.equal_range(http::field::transfer_encoding);
    for (auto it = b; it != e; ++it) te.push_back(it->value());
    return check_transfer_framing(te, msg.count(http::field::content_length) > 0, msg.version() % 10);
  }

  // After an early answer (413 by Content-Length, 404 for a PATCH of an unknown upload, 400)
  // the client may still be sending the body it announced. Closing now would make the kernel
  // answer its next bytes with a reset, and a client that sends everything before it reads
  // (Python's urllib) would see a broken pipe instead of the answer. So, like nginx's
  // lingering close: stop sending (the FIN follows the answer), then read and discard until
  // the client closes, stays silent for linger_idle_seconds, or linger_seconds have passed.
  // Bounded in time, never in memory (one reused buffer).
  net::awaitable<void> linger(beast::tcp_stream& stream, std::unique_ptr<char[]>& piece) {
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    if (!piece) piece = std::make_unique_for_overwrite<char[]>(kBodyPieceBytes);
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(options.linger_seconds);
    for (;;) {
      auto left = until - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) break;
      stream.expires_after(std::min<std::chrono::steady_clock::duration>(left, std::chrono::seconds(options.linger_idle_seconds)));
      auto [ec, n] = co_await stream.async_read_some(net::buffer(piece.get(), kBodyPieceBytes), kTuple);
      if (ec) break;
    }
  }

  // Reads one request and answers it through the router. A streaming route with a declared
  // Content-Length gets its body piece by piece (receive_streamed); every other request is
  // read whole, up to max_body_bytes (413 beyond).
  net::awaitable<HttpResponse> receive(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                       std::unique_ptr<char[]>& piece, http::request_parser<http::empty_body>& head,
                                       const tcp::endpoint& remote, HttpRequest& req, const Route*& route, bool& lost, bool& close) {
    if (auto problem = framing_problem(head.get())) {
      close = true;
      co_return HttpResponse::error(problem->status, problem->message);
    }
    try {
      req = header_request(head.get(), remote);
    } catch (...) {
      close = true;
      co_return current_exception_response(router, nullptr);
    }
    bool wrong_method = false;
    const Route* candidate = router.match(req.method, req, wrong_method);
    boost::optional<std::uint64_t> length = head.content_length();
    if (candidate && candidate->body_handler && length) {
      route = candidate;
      co_return co_await receive_streamed(stream, buffer, piece, *length, *candidate, req, lost, close);
    }
    if (length && *length > options.max_body_bytes) {
      close = true;
      co_return HttpResponse::error(413, "Request body is larger than " + std::to_string(options.max_body_bytes) + " bytes");
    }
    if (!co_await continue_if_expected(stream, req)) {
      lost = true;
      co_return HttpResponse::text(499, "");
    }
    http::request_parser<http::string_body> parser{std::move(head)};
    parser.body_limit(options.max_body_bytes);
    stream.expires_after(std::chrono::seconds(options.idle_timeout_seconds));
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, kTuple);
    if (ec) {
      close = true;
      if (ec == http::error::body_limit)
        co_return HttpResponse::error(413, "Request body is larger than " + std::to_string(options.max_body_bytes) + " bytes");
      co_return HttpResponse::error(400, "Malformed HTTP request: " + ec.message());
    }
    req.body = std::move(parser.get().body());
    // Unmatched requests (404, CORS preflight) and inline routes answer here; every other
    // handler may block, so it runs on a handler thread.
    if (!candidate || candidate->on_io_thread) co_return dispatch(router, req, &route);
    co_return co_await on_handler_thread([&] { return dispatch(router, req, &route); });
  }

  net::awaitable<void> session(beast::tcp_stream stream) {
    beast::flat_buffer buffer;
    std::unique_ptr<char[]> piece;  // for streamed request bodies, allocated on first use
    boost::system::error_code ignored;
    tcp::endpoint remote = stream.socket().remote_endpoint(ignored);
    for (;;) {
      http::request_parser<http::empty_body> head;
      head.header_limit(64 * 1024);
      head.body_limit(boost::none);  // the limit depends on the route: see receive()
      stream.expires_after(std::chrono::seconds(options.idle_timeout_seconds));
      auto [ec, n] = co_await http::async_read_header(stream, buffer, head, kTuple);
      if (ec == http::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
          ec == net::error::operation_aborted || ec == net::error::connection_reset)
        break;
      auto started = std::chrono::steady_clock::now();
      const Route* route = nullptr;
      HttpResponse res;
      unsigned version = 11;
      bool keep_alive = false, is_head = false, lost = false, close = false;
      HttpRequest req;
      if (ec) {
        res = HttpResponse::error(400, "Malformed HTTP request: " + ec.message());
        close = true;
      } else {
        version = head.get().version();
        keep_alive = head.get().keep_alive();
        is_head = head.get().method() == http::verb::head;
        ++in_flight;
        res = co_await receive(stream, buffer, piece, head, remote, req, route, lost, close);
        --in_flight;
      }
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      metrics.observe(route ? static_cast<int>(route->index) : -1, res.status, seconds);
      if (observer) observer(req, route, res.status, seconds);
      if (lost) break;
      if (res.stream && !is_head && !close) {
        ++in_flight;  // a drain waits for a download in progress (up to its timeout)
        bool reusable = co_await write_streamed(stream, res, version, keep_alive);
        --in_flight;
        if (!reusable) break;
        continue;
      }
      auto out = to_message(std::move(res), version, keep_alive && !close, is_head);
      bool need_eof = out.need_eof();
      stream.expires_after(std::chrono::seconds(options.idle_timeout_seconds));
      auto [wec, wn] = co_await http::async_write(stream, out, kTuple);
      if (wec) break;
      if (close) {  // the request's body may not have been read: see linger()
        co_await linger(stream, piece);
        break;
      }
      if (need_eof) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  net::awaitable<void> accept_loop() {
    for (;;) {
      // Each connection gets its own strand, so that Beast's timeout handler never runs
      // concurrently with the session's own completion handlers on another thread.
      auto [ec, socket] = co_await acceptor.async_accept(net::make_strand(ioc), kTuple);
      if (ec) {
        if (!acceptor.is_open()) co_return;
        continue;  // e.g. EMFILE: keep serving the connections we have
      }
      socket.set_option(tcp::no_delay(true), ec);
      auto executor = socket.get_executor();
      net::co_spawn(executor, session(beast::tcp_stream(std::move(socket))), net::detached);
    }
  }

  void begin_drain() {
    if (draining.exchange(true)) return;
    spdlog::info("event=drain_started in_flight={}", in_flight.load());
    boost::system::error_code ec;
    acceptor.close(ec);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options.drain_timeout_seconds);
    auto timer = std::make_shared<net::steady_timer>(ioc);
    wait_drain(timer, deadline);
  }

  void wait_drain(std::shared_ptr<net::steady_timer> timer, std::chrono::steady_clock::time_point deadline) {
    if (in_flight.load() == 0 || std::chrono::steady_clock::now() > deadline) {
      ioc.stop();
      return;
    }
    timer->expires_after(std::chrono::milliseconds(20));
    timer->async_wait([this, timer, deadline](const boost::system::error_code&) { wait_drain(timer, deadline); });
  }
};

HttpServer::HttpServer(ServerOptions options, const Router& router, Metrics& metrics, RequestObserver observer)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics, std::move(observer))) {}

HttpServer::~HttpServer() = default;

void HttpServer::listen() {
  auto& a = impl_->acceptor;
  boost::system::error_code ec;
  auto address = net::ip::make_address(impl_->options.host, ec);
  if (ec) throw std::runtime_error("invalid listen address '" + impl_->options.host + "'");
  tcp::endpoint ep{address, impl_->options.port};
  a.open(ep.protocol());
  a.set_option(net::socket_base::reuse_address(true));
  a.bind(ep, ec);
  if (ec) throw std::runtime_error("cannot listen on " + impl_->options.host + ":" + std::to_string(impl_->options.port) +
                                   ": " + ec.message());
  a.listen(net::socket_base::max_listen_connections);
}

unsigned short HttpServer::bound_port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::run(bool handle_signals) {
  auto& ioc = impl_->ioc;
  net::signal_set signals(ioc);
  if (handle_signals) {
    signals.add(SIGINT);
    signals.add(SIGTERM);
    signals.async_wait([this](const boost::system::error_code& ec, int) {
      if (!ec) net::post(impl_->accept_strand, [this] { impl_->begin_drain(); });
    });
  }
  net::co_spawn(impl_->accept_strand, impl_->accept_loop(), net::detached);
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < impl_->options.io_threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : threads) t.join();
  impl_->handler_pool.join();  // a handler still running past the drain timeout finishes
}

void HttpServer::stop() {
  net::post(impl_->accept_strand, [this] { impl_->begin_drain(); });
}

}  // namespace openem

#pragma once
// HttpServer: the HTTP/1.1 front door (Boost.Beast, one coroutine per connection). Reads a
// request with explicit header/body limits and timeouts, dispatches it through the Router
// and writes the response. Two kinds of threads: the I/O threads accept, read and write and
// never block; handlers — which block on SQLite, files and hashing — run on a pool of handler
// threads (more than cores, so that blocked handlers keep the cores busy), and so do the
// pieces of streamed bodies (a sink's writes, a download's reads). A slow request therefore
// never stops other connections from being read and answered by inline routes
// (Router::add_inline), and queues only behind other handlers. stop() drains: no new
// connections, in-flight requests finish. run() blocks; stop() may be called from any thread
// or a signal handler.
#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "http/metrics.h"
#include "http/router.h"

namespace openem {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 3000;  // 0: any free port (see bound_port)
  unsigned threads = 4;     // handler threads
  unsigned io_threads = 2;  // I/O threads
  std::size_t max_body_bytes = 16 * 1024 * 1024;
  int idle_timeout_seconds = 60;
  int drain_timeout_seconds = 30;
  // A connection closed after an early answer keeps reading (and discarding) what the client
  // still sends for up to linger_seconds, or until it is silent for linger_idle_seconds.
  int linger_seconds = 10;
  int linger_idle_seconds = 2;
};

// Called for every request after dispatch, for the access log.
using RequestObserver = std::function<void(const HttpRequest&, const Route*, int status, double seconds)>;

class HttpServer {
 public:
  HttpServer(ServerOptions options, const Router& router, Metrics& metrics, RequestObserver observer = {});
  ~HttpServer();
  // Binds and listens; throws std::runtime_error if the address cannot be bound.
  void listen();
  unsigned short bound_port() const;
  // Serves until stop() (or SIGTERM/SIGINT when handle_signals) and the drain has finished.
  void run(bool handle_signals);
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs the router on one request (also used by tests without sockets): matching, error
// contract, 404/405 bodies.
HttpResponse dispatch(const Router& router, HttpRequest& req, const Route** matched);

}  // namespace openem

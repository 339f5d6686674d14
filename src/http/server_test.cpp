#include "http/server.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>

namespace openem {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// One GET on a new connection; the raw response, or "" on a timeout.
std::string get(unsigned short port, const std::string& target) {
  net::io_context io;
  tcp::socket s(io);
  s.connect({net::ip::make_address("127.0.0.1"), port});
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  net::write(s, net::buffer(req));
  std::string out;
  boost::system::error_code ec;
  net::read(s, net::dynamic_buffer(out), ec);
  return out;
}

// A handler that blocks until released, as a slow query or a long hash would.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  int waiting = 0;
  void wait() {
    std::unique_lock lock(mu);
    ++waiting;
    cv.notify_all();
    cv.wait(lock, [&] { return open; });
  }
  void wait_for_waiters(int n) {
    std::unique_lock lock(mu);
    cv.wait_for(lock, std::chrono::seconds(10), [&] { return waiting >= n; });
  }
  void release() {
    std::lock_guard lock(mu);
    open = true;
    cv.notify_all();
  }
};

class ServerThreads : public ::testing::Test {
 protected:
  void start(unsigned handler_threads, unsigned io_threads) {
    router_.add("GET", "/slow", [this](HttpRequest&) {
      gate_.wait();
      return HttpResponse::text(200, "slow");
    });
    router_.add_inline("GET", "/ping", [](HttpRequest&) { return HttpResponse::text(200, "pong"); });
    router_.add("GET", "/fast", [](HttpRequest&) { return HttpResponse::text(200, "fast"); });
    // A waiting stream (as /api/v3/events): one piece, then nothing until `stream_ready_`.
    router_.add("GET", "/stream", [this](HttpRequest&) {
      HttpResponse res = HttpResponse::text(200, "");
      res.stream = std::make_shared<BodyStream>();
      res.stream->idle_wait = std::chrono::milliseconds(5);
      res.stream->next = [this](std::string& piece) {
        const int call = ++stream_next_calls_;
        if (call == 1) piece = "first;";
        if (!stream_ready_.load()) return true;
        piece = "last";
        return false;
      };
      res.stream->ready = [this] { return stream_ready_.load(); };
      return res;
    });
    metrics_ = std::make_unique<Metrics>(std::vector<std::string>{"slow", "ping", "fast", "stream"});
    ServerOptions o;
    o.port = 0;
    o.threads = handler_threads;
    o.io_threads = io_threads;
    server_ = std::make_unique<HttpServer>(o, router_, *metrics_);
    server_->listen();
    port_ = server_->bound_port();
    runner_ = std::thread([this] { server_->run(false); });
  }
  void TearDown() override {
    gate_.release();
    if (server_) server_->stop();
    if (runner_.joinable()) runner_.join();
  }

  Router router_;
  Gate gate_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<HttpServer> server_;
  std::thread runner_;
  unsigned short port_ = 0;
  std::atomic<int> stream_next_calls_{0};
  std::atomic<bool> stream_ready_{false};
};

// Before, handlers ran on the I/O threads: two blocked handlers on two threads stopped the
// server from answering anything, a liveness probe included.
TEST_F(ServerThreads, BlockedHandlersDoNotStopInlineRoutesOrUnmatchedRequests) {
  start(/*handler_threads=*/2, /*io_threads=*/2);
  auto slow1 = std::async(std::launch::async, [&] { return get(port_, "/slow"); });
  auto slow2 = std::async(std::launch::async, [&] { return get(port_, "/slow"); });
  gate_.wait_for_waiters(2);
  ASSERT_EQ(gate_.waiting, 2);

  auto ping = std::async(std::launch::async, [&] { return get(port_, "/ping"); });
  ASSERT_EQ(ping.wait_for(std::chrono::seconds(5)), std::future_status::ready) << "/ping waited for blocked handlers";
  EXPECT_NE(ping.get().find("pong"), std::string::npos);
  auto missing = std::async(std::launch::async, [&] { return get(port_, "/nothing-here"); });
  ASSERT_EQ(missing.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_NE(missing.get().find("404"), std::string::npos);

  // A handler route queues behind the blocked ones, and is answered once they finish.
  auto fast = std::async(std::launch::async, [&] { return get(port_, "/fast"); });
  EXPECT_EQ(fast.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  gate_.release();
  EXPECT_NE(fast.get().find("fast"), std::string::npos);
  EXPECT_NE(slow1.get().find("slow"), std::string::npos);
  EXPECT_NE(slow2.get().find("slow"), std::string::npos);
}

TEST_F(ServerThreads, HandlersRunOffTheIoThreadsEvenWithOneIoThread) {
  start(/*handler_threads=*/3, /*io_threads=*/1);
  auto slow = std::async(std::launch::async, [&] { return get(port_, "/slow"); });
  gate_.wait_for_waiters(1);
  // With one I/O thread running the handler, this would wait for the gate.
  auto fast = std::async(std::launch::async, [&] { return get(port_, "/fast"); });
  ASSERT_EQ(fast.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_NE(fast.get().find("fast"), std::string::npos);
  gate_.release();
  EXPECT_NE(slow.get().find("slow"), std::string::npos);
}

// An idle event stream used to hop to a handler thread at every wait only to find nothing to
// send; with `ready` saying no, it waits on its timer alone.
TEST_F(ServerThreads, AWaitingStreamIsNotCalledUntilItSaysItIsReady) {
  start(/*handler_threads=*/2, /*io_threads=*/1);
  auto body = std::async(std::launch::async, [&] { return get(port_, "/stream"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // about 60 waits of 5 ms
  EXPECT_LE(stream_next_calls_.load(), 2) << "next() was called while ready() said there was nothing to do";
  stream_ready_ = true;
  ASSERT_EQ(body.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  const std::string response = body.get();
  EXPECT_NE(response.find("first;"), std::string::npos);
  EXPECT_NE(response.find("last"), std::string::npos);
}

}  // namespace
}  // namespace openem

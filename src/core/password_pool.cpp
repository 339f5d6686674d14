#include "core/password_pool.h"

#include <openssl/crypto.h>

#include <future>
#include <memory>

#include "core/password.h"

namespace openem {

PasswordPool::PasswordPool(unsigned workers, unsigned max_pending)
    : max_pending_(std::max(max_pending, std::max(workers, 1u))) {
  for (unsigned i = 0; i < std::max(workers, 1u); ++i) threads_.emplace_back([this] { work(); });
}

PasswordPool::~PasswordPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

unsigned PasswordPool::pending() {
  std::lock_guard lock(mu_);
  return pending_;
}

bool PasswordPool::submit(Job job) {
  {
    std::lock_guard lock(mu_);
    if (pending_ >= max_pending_ || stopping_) return false;
    ++pending_;
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

void PasswordPool::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    std::function<void()> hand_over = job();  // never throws
    {
      std::lock_guard lock(mu_);
      --pending_;
    }
    hand_over();
  }
}

namespace {
// A password copy that is wiped when the job is done.
struct Secret {
  std::string text;
  explicit Secret(std::string_view s) : text(s) {}
  ~Secret() { OPENSSL_cleanse(text.data(), text.size()); }
};
}  // namespace

std::optional<bool> PasswordPool::verify(std::string_view password, std::string_view encoded) {
  auto result = std::make_shared<std::promise<bool>>();
  auto done = result->get_future();
  auto secret = std::make_shared<Secret>(password);
  if (!submit([result, secret, encoded = std::string(encoded)]() -> std::function<void()> {
        bool ok = verify_password(secret->text, encoded);
        return [result, ok] { result->set_value(ok); };
      }))
    return std::nullopt;
  return done.get();
}

std::optional<std::string> PasswordPool::hash(std::string_view password) {
  auto result = std::make_shared<std::promise<std::string>>();
  auto done = result->get_future();
  auto secret = std::make_shared<Secret>(password);
  if (!submit([result, secret]() -> std::function<void()> {
        try {
          auto hashed = std::make_shared<std::string>(hash_password(secret->text));
          return [result, hashed] { result->set_value(std::move(*hashed)); };
        } catch (...) {
          return [result, e = std::current_exception()] { result->set_exception(e); };
        }
      }))
    return std::nullopt;
  return done.get();
}

}  // namespace openem

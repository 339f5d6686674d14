#include "store/postgres/pg_pool.h"

namespace openem {

PgPool::Lease PgPool::acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !idle_.empty() || open_ < max_size_; });
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(c));
  }
  ++open_;
  lock.unlock();
  try {
    return Lease(*this, std::make_unique<PgConnection>(conninfo_));
  } catch (...) {
    std::lock_guard relock(mu_);
    --open_;
    cv_.notify_one();
    throw;
  }
}

void PgPool::release(std::unique_ptr<PgConnection> c) {
  std::lock_guard lock(mu_);
  if (c->idle()) idle_.push_back(std::move(c));
  else --open_;
  cv_.notify_one();
}

}  // namespace openem

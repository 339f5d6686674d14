#pragma once
// Housekeeper: the catalog's periodic chores inside `openem serve`, on one background thread —
// each chore at its own interval, the first run at start. Chores that change what the API
// answers (expired jobs, ended embargoes) have their first run before the server answers
// anything (run_before_serving), so the first request after a start already sees their effect. A chore's exception is logged and
// the chore runs again at its next turn. start()/stop() from one thread; run_due() is for
// tests and may be called from any thread while the housekeeper is stopped.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/app.h"

namespace openem {

class Housekeeper {
 public:
  using Clock = std::chrono::steady_clock;

  ~Housekeeper() { stop(); }
  enum class FirstRun { InBackground, BeforeServing };
  void add(std::string name, std::chrono::milliseconds every, std::function<void()> chore,
           FirstRun first = FirstRun::InBackground);
  // Runs the due chores marked BeforeServing, on the calling thread; returns how many ran.
  int run_before_serving(Clock::time_point now = Clock::now());
  void start();
  void stop();
  // Runs every chore whose turn has come; returns how many ran.
  int run_due(Clock::time_point now = Clock::now());

 private:
  struct Chore {
    std::string name;
    std::chrono::milliseconds every;
    std::function<void()> run;
    FirstRun first;
    Clock::time_point next{};
  };
  static void run_one(Chore& c, Clock::time_point now);
  std::vector<Chore> chores_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

// Removes jobs created anonymously more than OPENEM_ANONYMOUS_JOB_TTL_HOURS ago (issue #20:
// they are never finished by anyone and would fill the catalog). Returns how many went.
int expire_anonymous_jobs(App& app);

// How long the embargo release before serving may take; what remains due opens in the
// background at the housekeeper's next turn.
inline constexpr std::chrono::seconds kEmbargoBudgetBeforeServing{20};

// The chores `openem serve` runs.
void add_catalog_chores(Housekeeper& h, App& app);
// Webhook deliveries (api/events/webhooks.h), every OPENEM_WEBHOOK_POLL_MS.
void add_event_chores(Housekeeper& h, App& app);

}  // namespace openem

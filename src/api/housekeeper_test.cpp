// The housekeeper's schedule: chores that change what the API answers run before the server
// serves (a restart's first request already sees expired jobs gone — the race that made
// api/jobs/anonymous-limits fail under load), the others only on the background thread.
#include "api/housekeeper.h"

#include <gtest/gtest.h>

namespace openem {
namespace {

TEST(Housekeeper, BeforeServingChoresRunOnTheCallerAndKeepTheirSchedule) {
  Housekeeper h;
  int state = 0, network = 0;
  h.add("state", std::chrono::minutes(10), [&] { ++state; }, Housekeeper::FirstRun::BeforeServing);
  h.add("network", std::chrono::minutes(10), [&] { ++network; });
  const auto t0 = Housekeeper::Clock::now();
  EXPECT_EQ(h.run_before_serving(t0), 1);
  EXPECT_EQ(state, 1);    // done when the call returns: before any request is answered
  EXPECT_EQ(network, 0);  // left to the background thread
  // The background's first round then runs only what has not run yet.
  EXPECT_EQ(h.run_due(t0 + std::chrono::seconds(1)), 1);
  EXPECT_EQ(std::make_pair(state, network), std::make_pair(1, 1));
  EXPECT_EQ(h.run_due(t0 + std::chrono::seconds(1) + std::chrono::minutes(10)), 2);
  EXPECT_EQ(std::make_pair(state, network), std::make_pair(2, 2));
}

TEST(Housekeeper, AFailingChoreIsLoggedAndRunsAgainAtItsNextTurn) {
  Housekeeper h;
  int runs = 0;
  h.add("fails", std::chrono::seconds(5), [&] { ++runs; throw std::runtime_error("boom"); },
        Housekeeper::FirstRun::BeforeServing);
  const auto t0 = Housekeeper::Clock::now();
  EXPECT_EQ(h.run_before_serving(t0), 1);
  EXPECT_EQ(h.run_due(t0 + std::chrono::seconds(1)), 0);
  EXPECT_EQ(h.run_due(t0 + std::chrono::seconds(5)), 1);
  EXPECT_EQ(runs, 2);
}

}  // namespace
}  // namespace openem

// CostLimiter (runtime/net/cost_limiter.h): pacing by a cost budget that
// responses announce in their body (Shopify GraphQL's throttleStatus). The
// waits are exact milliseconds; a simulated bucket shows that paced
// requests are never refused and leave only their own cost idle.
#include "runtime/net/cost_limiter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "tests/support/fake_clock.h"

namespace cartsync {
namespace {

constexpr int64_t kT0 = 1'795'000'000'000;

TEST(CostLimiterTest, NothingKnownNoWait) {
  CostLimiter l;
  EXPECT_FALSE(l.known());
  EXPECT_EQ(l.DelayBeforeMs(1000, kT0), 0);
  EXPECT_EQ(l.AvailableAt(kT0), -1);
}

TEST(CostLimiterTest, EnoughPointsGoAtOnce) {
  CostLimiter l;
  l.Observe({2000, 1500, 100}, kT0);
  EXPECT_EQ(l.DelayBeforeMs(903, kT0), 0);
  EXPECT_DOUBLE_EQ(l.AvailableAt(kT0), 597);  // the grant is counted
}

TEST(CostLimiterTest, WaitsForTheMissingPointsAtTheRestoreRate) {
  CostLimiter l;
  l.Observe({2000, 100, 100}, kT0);
  EXPECT_EQ(l.DelayBeforeMs(234, kT0), 1340);  // (234 - 100) / 100 per s
  // The next caller queues behind the first: 234 more points, 2.34 s later.
  EXPECT_EQ(l.DelayBeforeMs(234, kT0), 1340 + 2340);
}

TEST(CostLimiterTest, TheBucketRefillsWhileNobodyAsks) {
  CostLimiter l;
  l.Observe({1000, 0, 50}, kT0);
  EXPECT_DOUBLE_EQ(l.AvailableAt(kT0 + 4'000), 200);
  EXPECT_DOUBLE_EQ(l.AvailableAt(kT0 + 60'000), 1000);  // never above the size
  EXPECT_EQ(l.DelayBeforeMs(300, kT0 + 4'000), 2000);
}

TEST(CostLimiterTest, ACostAboveTheBucketWaitsForAFullBucket) {
  CostLimiter l;
  l.Observe({1000, 0, 50}, kT0);
  EXPECT_EQ(l.DelayBeforeMs(5000, kT0), 20'000);
}

TEST(CostLimiterTest, AnObservationReplacesTheModel) {
  CostLimiter l;
  l.Observe({2000, 100, 100}, kT0);
  l.DelayBeforeMs(1000, kT0);
  l.Observe({2000, 1800, 100}, kT0 + 10);  // the server refunded most of it
  EXPECT_EQ(l.DelayBeforeMs(1000, kT0 + 10), 0);
}

TEST(CostLimiterTest, BudgetsWithoutASizeOrRateAreIgnored) {
  CostLimiter l;
  l.Observe({0, 0, 100}, kT0);
  l.Observe({1000, 0, 0}, kT0);
  EXPECT_FALSE(l.known());
}

TEST(CostLimiterTest, ThrottledWaitIsTheMissingCostOverTheRate) {
  CostLimiter l;
  EXPECT_EQ(l.ThrottledWaitMs(903, {2000, 400, 100}, kT0), 5030);
  EXPECT_EQ(l.ThrottledWaitMs(100, {2000, 400, 100}, kT0), 100);  // at least the minimum
  EXPECT_TRUE(l.known());
}

// A leaky bucket like Shopify's (admit when requested <= available, charge
// requested, refund requested - actual) driven by a paced client on a fake
// clock: no request is ever refused, and over a minute the client spends
// all but its largest requested cost of what the bucket offered.
TEST(CostLimiterTest, PacedRequestsAreNeverThrottledAndUseTheBudget) {
  FakeClock clock(kT0);
  const double size = 1000, rate = 50;
  double level = size;
  int64_t seen = kT0;
  auto refill = [&] {
    level = std::min(size, level + rate * static_cast<double>(clock.NowMs() - seen) / 1000.0);
    seen = clock.NowMs();
  };
  CostLimiter l;
  const struct { double requested, actual; } kCycle[] = {{241, 12}, {234, 25}, {12, 12}};
  int throttled = 0;
  double spent = 0;
  for (int i = 0; clock.NowMs() - kT0 < 60'000; ++i) {
    const auto& q = kCycle[i % 3];
    clock.SleepMs(l.DelayBeforeMs(q.requested, clock.NowMs()));
    refill();
    if (q.requested > level + 1e-9) {
      ++throttled;
      continue;
    }
    level -= q.requested;
    level += q.requested - q.actual;
    spent += q.actual;
    clock.Advance(5);  // the round trip
    refill();
    l.Observe({size, level, rate}, clock.NowMs());
  }
  EXPECT_EQ(throttled, 0);
  const double offered = size + rate * static_cast<double>(clock.NowMs() - kT0) / 1000.0;
  EXPECT_GE(spent, offered - 241 - 3) << "spent " << spent << " of " << offered;
}

}  // namespace
}  // namespace cartsync

// Many carts in one run (issue 15): carts waiting out a rate limit park as
// fibers instead of holding a thread each, and the carts of one WMS read its
// shipment list once per run (shipment_feed.h), each still getting exactly
// its own shipments. No timed assertions: parking is shown by every cart
// being in its wait at once on fewer threads than carts (impossible when a
// wait holds its thread), and by virtual time.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/fiber/all.hpp>
#include <chrono>
#include <set>
#include <sstream>
#include <thread>

#include "compiler/compiler.h"
#include "compiler/planner.h"
#include "runtime/runner.h"
#include "runtime/shipment_feed.h"
#include "runtime/state/sqlite_state_store.h"
#include "tests/support/cart_builder.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_environment.h"
#include "tests/support/temp_dir.h"

namespace cartsync {
namespace {

constexpr int64_t kStart = 1'795'000'000'000;  // 2026-11-18

/// Virtual time whose SleepMs parks the calling fiber until `expected`
/// sleepers are all asleep, then wakes them at the latest wake-up time: a
/// run whose carts all wait at once takes one wait of virtual time. A
/// sleeper left waiting (its thread held by another sleeper) gives up after
/// a real bound and is counted in `timeouts`.
class BarrierClock : public Clock {
 public:
  explicit BarrierClock(int expected) : expected_(expected) {}
  int64_t NowMs() override { return now_.load(); }
  void SleepMs(int64_t ms) override {
    std::unique_lock<boost::fibers::mutex> lock(mu_);
    wake_ = std::max(wake_, now_.load() + ms);
    threads_.insert(std::this_thread::get_id());
    max_asleep_ = std::max(max_asleep_, ++asleep_);
    if (++arrived_ >= expected_) {
      now_ = std::max(now_.load(), wake_);
      all_.notify_all();
    }
    if (!all_.wait_for(lock, std::chrono::seconds(3), [&] { return arrived_ >= expected_; }))
      ++timeouts_;
    --asleep_;
  }
  int max_asleep() {
    std::lock_guard<boost::fibers::mutex> lock(mu_);
    return max_asleep_;
  }
  int timeouts() {
    std::lock_guard<boost::fibers::mutex> lock(mu_);
    return timeouts_;
  }
  size_t threads() {
    std::lock_guard<boost::fibers::mutex> lock(mu_);
    return threads_.size();
  }

 private:
  const int expected_;
  std::atomic<int64_t> now_{kStart};
  boost::fibers::mutex mu_;
  boost::fibers::condition_variable all_;
  int64_t wake_ = 0;
  int arrived_ = 0, asleep_ = 0, max_asleep_ = 0, timeouts_ = 0;
  std::set<std::thread::id> threads_;
};

/// A FakeCart whose order fetch first waits out a rate limit on the clock
/// (as HttpClient does on a 429 or Shopify's bucket).
class RateLimitedCart : public FakeCart {
 public:
  RateLimitedCart(FakeCartState& s, Clock& clock) : FakeCart(s), clock_(clock) {}
  Status FetchOrders(const OrderWindow& w,
                     const std::function<Status(std::vector<CartOrder>&&)>& sink) override {
    clock_.SleepMs(1000);
    return FakeCart::FetchOrders(w, sink);
  }

 private:
  Clock& clock_;
};

class RateLimitedEnvironment : public FakeEnvironment {
 public:
  explicit RateLimitedEnvironment(Clock& clock) : clock_(clock) {}
  Result<std::unique_ptr<CartConnector>> Connector(const CartConfig& cart) override {
    return std::unique_ptr<CartConnector>(new RateLimitedCart(carts[cart.id], clock_));
  }

 private:
  Clock& clock_;
};

CartToml Cart(const std::string& id) {
  return CartToml()
      .Id(id)
      .Client(id)
      .Platform("shopify")
      .Api("store_url", "https://" + id + ".myshopify.com")
      .ApiSecret("access_token", "env:ACME_TOKEN")
      .Every(Service::OrderDownload, "15m")
      .Every(Service::ShipmentUpload, "30m")
      .EarliestOrderDate("2026-01-01")
      .ShipMethod("Standard", "UPS/GROUND");
}

CartOrder Order(const std::string& id) {
  CartOrder o;
  o.id = id;
  o.order_number = "#" + id;
  o.placed_at = o.updated_at = "2026-11-17T10:00:00Z";
  o.ship_code = "Standard";
  o.ship_to.name = "Ann";
  o.ship_to.country = "US";
  o.lines.push_back({"L" + id, "TS-RED-M", 1, "19.99"});
  return o;
}

std::string CartId(int i) { return "cart-" + std::to_string(i); }

class RunnerScaleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteStateStore::Open(dir_.path() + "/state.db");
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store.value());
  }

  void Compile(int carts) {
    CompileOptions o;
    o.today = {2026, 11, 27};
    std::vector<std::pair<std::string, std::string>> files;
    for (int i = 0; i < carts; ++i)
      files.emplace_back("carts.d/" + CartId(i) + ".toml", Cart(CartId(i)).Text());
    Compilation c;
    CompileTexts(ProjectToml().Text(), files, o, c);
    ASSERT_FALSE(c.diags.has_errors());
    plan_ = BuildPlan(c);
  }

  RunReport Run(RunEnvironment& env, Clock& clock, RunOptions options) {
    RunLog log(log_, LogFormat::Text, clock);
    options.owner = "test-run";
    return Runner(plan_, *store_, env, clock, log, options).Run();
  }

  TempDir dir_;
  std::unique_ptr<SqliteStateStore> store_;
  Plan plan_;
  std::ostringstream log_;
};

TEST_F(RunnerScaleTest, CartsWaitingOutARateLimitParkWithoutHoldingAThread) {
  constexpr int kCarts = 24;
  Compile(kCarts);
  BarrierClock clock(kCarts);
  RateLimitedEnvironment env(clock);
  for (int i = 0; i < kCarts; ++i) env.carts[CartId(i)].orders = {Order("1")};
  RunOptions options;
  options.concurrency = 2;
  options.services = {Service::OrderDownload};
  RunReport r = Run(env, clock, options);
  EXPECT_TRUE(r.ok());
  // Every cart was in its wait at once, on at most 2 threads: a wait that
  // held its thread would have let at most 2 in (and the rest time out).
  EXPECT_EQ(clock.max_asleep(), kCarts);
  EXPECT_EQ(clock.timeouts(), 0);
  EXPECT_LE(clock.threads(), 2u);
  // So the run took one wait of virtual time, not kCarts / 2 of them.
  EXPECT_EQ(r.finished_ms - r.started_ms, 1000);
  EXPECT_EQ(env.wms.pushes, kCarts);
}

TEST_F(RunnerScaleTest, MaxCartsInFlightBoundsTheCartsUnderWay) {
  constexpr int kCarts = 6;
  Compile(kCarts);
  // 3 carts in flight: the first 3 sleep together; never more than 3 asleep.
  BarrierClock clock(3);
  RateLimitedEnvironment env(clock);
  for (int i = 0; i < kCarts; ++i) env.carts[CartId(i)].orders = {Order("1")};
  RunOptions options;
  options.concurrency = 1;
  options.max_carts_in_flight = 3;
  options.services = {Service::OrderDownload};
  RunReport r = Run(env, clock, options);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(clock.max_asleep(), 3);
  EXPECT_EQ(clock.timeouts(), 0);
  EXPECT_EQ(clock.threads(), 1u);
  EXPECT_EQ(env.wms.pushes, kCarts);
}

TEST(SystemClockTest, SleepParksOnlyTheCallingFiber) {
  // Two fibers on one thread: while the first sleeps, the second runs. A
  // sleep that held the thread would let the second run only afterwards.
  SystemClock clock;
  bool second_ran = false, seen_while_asleep = false;
  std::thread t([&] {
    boost::fibers::fiber sleeper([&] {
      clock.SleepMs(20);
      seen_while_asleep = second_ran;
    });
    boost::fibers::fiber other([&] { second_ran = true; });
    sleeper.join();
    other.join();
  });
  t.join();
  EXPECT_TRUE(second_ran);
  EXPECT_TRUE(seen_while_asleep);
}

TEST(SystemClockTest, YieldTakesTurnsWithTheThreadsOtherFibers) {
  // Two fibers of three steps each on one thread: yielding after every step
  // interleaves them; without it each would run its steps in one go.
  SystemClock clock;
  std::string order;
  std::thread t([&] {
    auto steps = [&](char name) {
      return [&clock, &order, name] {
        for (int i = 0; i < 3; ++i) {
          order += name;
          clock.Yield();
        }
      };
    };
    boost::fibers::fiber a(steps('a'));
    boost::fibers::fiber b(steps('b'));
    a.join();
    b.join();
  });
  t.join();
  EXPECT_EQ(order, "ababab");
  clock.Yield();  // outside a fiber: returns
}

// ---- the shared shipment feed -------------------------------------------------------

class SharedFeedTest : public RunnerScaleTest {
 protected:
  static constexpr int kCarts = 10;
  void SetUp() override {
    RunnerScaleTest::SetUp();
    Compile(kCarts);
    for (int i = 0; i < kCarts; ++i) env_.carts[CartId(i)].orders = {Order("1"), Order("2")};
    RunOptions download;
    download.services = {Service::OrderDownload};
    ASSERT_TRUE(Run(env_, clock_, download).ok());
    // The WMS ships every order, interleaving the carts: each page (two
    // shipments) holds two carts' shipments.
    for (const char* id : {"1", "2"})
      for (int i = 0; i < kCarts; ++i) env_.wms.shipments.push_back(Tracking(CartId(i) + ":" + id));
  }
  static Shipment Tracking(const std::string& order_key) {
    return {order_key, "UPS", "GROUND", "1Z-" + order_key, "2026-11-21T10:00:00Z", {}};
  }
  RunReport Ship() {
    RunOptions ship;
    ship.services = {Service::ShipmentUpload};
    ship.concurrency = 3;
    return Run(env_, clock_, ship);
  }
  /// The tracking numbers cart `i` received, sorted.
  std::vector<std::string> Uploaded(int i) {
    std::vector<std::string> out;
    for (const TrackingUpload& up : env_.carts[CartId(i)].uploads)
      out.push_back(up.shipment.tracking_number);
    std::sort(out.begin(), out.end());
    return out;
  }

  FakeEnvironment env_;
  FakeClock clock_{kStart};
};

TEST_F(SharedFeedTest, CartsOfOneWmsReadItsShipmentListOncePerRun) {
  env_.wms.shipment_pulls = 0;
  RunReport r = Ship();
  EXPECT_TRUE(r.ok());
  // 20 shipments, 2 a page: 10 pages and the empty one after them — read
  // once for the 10 carts, not 11 pages per cart.
  EXPECT_EQ(env_.wms.shipment_pulls, 11);
  for (int i = 0; i < kCarts; ++i) {
    const std::string c = CartId(i);
    EXPECT_EQ(Uploaded(i), (std::vector<std::string>{"1Z-" + c + ":1", "1Z-" + c + ":2"})) << c;
  }
  // The next run starts where this one ended, for every cart: one read.
  env_.wms.shipment_pulls = 0;
  EXPECT_TRUE(Ship().ok());
  EXPECT_EQ(env_.wms.shipment_pulls, 1);
  for (int i = 0; i < kCarts; ++i) EXPECT_EQ(env_.carts[CartId(i)].uploads.size(), 2u);
}

TEST_F(SharedFeedTest, AShipmentArrivingDuringTheRunIsNotSkipped) {
  // Two carts walk the feed in one run; between them the WMS ships a late
  // order. The second cart reads the pages the first one fetched (kept for
  // the run) and so ends where the first did, before the late shipment: it
  // is read by the next run, not lost.
  ShipmentFeed feed;
  FakeWms wms(env_.wms);
  auto walk = [&](const std::string& cart, std::string since, int& mine) {
    for (int page = 0; page < 100; ++page) {
      auto p = feed.Pull(wms, cart, since);
      EXPECT_TRUE(p.ok());
      if (!p.ok()) return since;
      mine += static_cast<int>(p->shipments.size());
      for (const Shipment& s : p->shipments) EXPECT_EQ(s.order_key.rfind(cart + ":", 0), 0u);
      if (p->listed == 0 || p->next == since) break;
      since = p->next;
    }
    return since;
  };
  int first = 0, second = 0;
  const std::string first_end = walk(CartId(0), "", first);
  env_.wms.shipments.push_back(Tracking(CartId(1) + ":late"));
  const std::string second_end = walk(CartId(1), "", second);
  EXPECT_EQ(first, 2);
  EXPECT_EQ(second, 2) << "the kept pages end before the late shipment";
  EXPECT_EQ(first_end, second_end);
  EXPECT_EQ(feed.fetches(), 11) << "the second cart fetched nothing";
  ShipmentFeed next_run;
  auto late = next_run.Pull(wms, CartId(1), second_end);
  ASSERT_TRUE(late.ok());
  ASSERT_EQ(late->shipments.size(), 1u);
  EXPECT_EQ(late->shipments[0].order_key, CartId(1) + ":late");

  // Through the runner: the late shipment reaches its cart on the next run.
  ASSERT_TRUE(Ship().ok());
  env_.carts[CartId(1)].orders.push_back(Order("3"));
  RunOptions download;
  download.services = {Service::OrderDownload};
  ASSERT_TRUE(Run(env_, clock_, download).ok());
  env_.wms.shipments.push_back(Tracking(CartId(1) + ":3"));
  ASSERT_TRUE(Ship().ok());
  EXPECT_EQ(Uploaded(1), (std::vector<std::string>{"1Z-cart-1:1", "1Z-cart-1:2", "1Z-cart-1:3"}));
  EXPECT_EQ(Uploaded(0), (std::vector<std::string>{"1Z-cart-0:1", "1Z-cart-0:2"}));
}

TEST_F(SharedFeedTest, AFailedPageIsNotKeptAndTheCartTriesAgain) {
  // A WMS answering an error once: the cart that asked fails; the next one
  // fetches the page again and gets it.
  class FlakyWms : public FakeWms {
   public:
    using FakeWms::FakeWms;
    Result<ShipmentPage> PullShipments(const std::string& since) override {
      if (fail_once_) {
        fail_once_ = false;
        return Status::Transient("HTTP 503");
      }
      return FakeWms::PullShipments(since);
    }
    bool fail_once_ = true;
  };
  ShipmentFeed feed;
  FlakyWms wms(env_.wms);
  EXPECT_FALSE(feed.Pull(wms, CartId(0), "").ok());
  auto again = feed.Pull(wms, CartId(0), "");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->shipments.size(), 1u);
  EXPECT_EQ(again->listed, 2u);
  EXPECT_EQ(feed.fetches(), 2);
}

}  // namespace
}  // namespace cartsync

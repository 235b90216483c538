// The state store contract, continued (state_store_contract.h): claiming
// carts (LeaseStore::ClaimCart, ExtendLease) — a lease judged on the store's
// lease clock, the --due re-check made in the claim's own transaction, a lost
// claim, and many runners splitting carts. These TEST_Ps join the
// StateStoreContract suite, so every engine's instantiation (Sqlite,
// Postgres) runs them. The lease clock is real time here: PostgreSQL's is the
// server's clock, SQLite's the caller's (`now_ms`), and they agree only when
// the caller passes the real time.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <latch>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/runtime/state/state_store_contract.h"

namespace cartsync::state_test {
namespace {

int64_t RealNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

LeaseClaim ClaimBy(const std::string& cart, const std::string& owner, int64_t lease_ms,
                   std::vector<SeenStep> due = {}) {
  return LeaseClaim{.me = {cart, owner, "host-" + owner, 100, 0, ""},
                    .lease_ms = lease_ms,
                    .now_ms = RealNowMs(),
                    .due = std::move(due)};
}

// A run that processed `cart`'s step `step` successfully, finishing at `at`.
void RecordSuccess(StateStore& store, const std::string& cart, const std::string& step, int64_t at,
                   bool ok = true) {
  auto run = store.BeginRun({0, at - 10, 0, "running", "h", 1, ""});
  ASSERT_TRUE(run.ok()) << run.status().message();
  ASSERT_TRUE(
      store.RecordStepRun({run.value(), step, cart, "order_download", at - 5, at, ok, "", ""})
          .ok());
}

TEST_P(StateStoreContract, ClaimTakesAFreeCartAndReportsTheHolder) {
  auto other = CanReopen() ? Reopen() : nullptr;
  StateStore& b = other ? *other : *store_;
  ClaimResult got;
  const int64_t before = RealNowMs();
  ASSERT_TRUE(store_->ClaimCart(ClaimBy("acme", "run-a", 60'000), &got).ok());
  EXPECT_TRUE(got.claimed);
  EXPECT_TRUE(got.stale.empty());
  // The expiry is on the lease clock: about now + 60 s (PostgreSQL: the
  // server's clock, on this same host).
  EXPECT_GE(got.expires_ms, before + 60'000 - 5'000);
  EXPECT_LE(got.expires_ms, RealNowMs() + 60'000 + 5'000);

  ClaimResult lost;
  Status locked = b.ClaimCart(ClaimBy("acme", "run-b", 60'000), &lost);
  EXPECT_EQ(locked.code(), StatusCode::Locked) << locked.message();
  EXPECT_FALSE(lost.claimed);
  EXPECT_EQ(lost.holder.owner, "run-a");
  EXPECT_NE(locked.message().find("locked by run run-a"), std::string::npos) << locked.message();

  // The holder claims again (extends); another cart is free.
  ASSERT_TRUE(store_->ClaimCart(ClaimBy("acme", "run-a", 60'000), &got).ok());
  EXPECT_TRUE(got.claimed);
  ASSERT_TRUE(b.ClaimCart(ClaimBy("zeta", "run-b", 60'000), &got).ok());
  EXPECT_TRUE(got.claimed);
  auto leases = store_->Leases().value();
  ASSERT_EQ(leases.size(), 2u);
  EXPECT_EQ(leases[0].owner, "run-a");
  EXPECT_EQ(leases[1].owner, "run-b");
  EXPECT_EQ(store_->ClaimCart(ClaimBy("", "run-a", 60'000), &got).code(), StatusCode::Permanent);
  EXPECT_EQ(store_->ClaimCart(ClaimBy("acme", "run-a", 0), &got).code(), StatusCode::Permanent);
}

TEST_P(StateStoreContract, AnExpiredClaimIsTakenAndTheLoserCannotExtend) {
  auto other = CanReopen() ? Reopen() : nullptr;
  StateStore& b = other ? *other : *store_;
  ClaimResult got;
  ASSERT_TRUE(store_->ClaimCart(ClaimBy("acme", "run-a", 300), &got).ok());
  ASSERT_TRUE(got.claimed);
  ASSERT_TRUE(store_->ExtendLease("acme", "run-a", 300, RealNowMs()).ok());
  EXPECT_EQ(b.ClaimCart(ClaimBy("acme", "run-b", 60'000), &got).code(), StatusCode::Locked);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  ASSERT_TRUE(b.ClaimCart(ClaimBy("acme", "run-b", 60'000), &got).ok());
  EXPECT_TRUE(got.claimed) << "expired on the lease clock: free";

  Status lost = store_->ExtendLease("acme", "run-a", 60'000, RealNowMs());
  EXPECT_EQ(lost.code(), StatusCode::Locked) << lost.message();
  EXPECT_NE(lost.message().find("run-a no longer holds the lease"), std::string::npos)
      << lost.message();
  EXPECT_EQ(store_->ReleaseLease("acme", "run-a").code(), StatusCode::Locked);
  EXPECT_EQ(store_->Leases().value().at(0).owner, "run-b");
  // A taken-over lease is not given back by the old holder's claim either.
  EXPECT_EQ(store_->ClaimCart(ClaimBy("acme", "run-a", 60'000), &got).code(), StatusCode::Locked);
  ASSERT_TRUE(b.ReleaseLease("acme", "run-b").ok());
  EXPECT_TRUE(store_->Leases().value().empty());
}

TEST_P(StateStoreContract, ClaimTakesOverOnlyFromTheNamedOwner) {
  ClaimResult got;
  ASSERT_TRUE(store_->ClaimCart(ClaimBy("acme", "run-dead", 60'000), &got).ok());
  LeaseClaim me = ClaimBy("acme", "run-me", 60'000);
  me.take_over_from = "run-other";
  EXPECT_EQ(store_->ClaimCart(me, &got).code(), StatusCode::Locked);
  EXPECT_EQ(got.holder.owner, "run-dead");
  me.take_over_from = "run-dead";
  ASSERT_TRUE(store_->ClaimCart(me, &got).ok());
  EXPECT_TRUE(got.claimed);
  EXPECT_EQ(store_->Leases().value().at(0).owner, "run-me");
}

TEST_P(StateStoreContract, ClaimReChecksDueAgainstTheRunRecords) {
  auto other = CanReopen() ? Reopen() : nullptr;
  StateStore& a = *store_;
  StateStore& b = other ? *other : *store_;
  const std::string dl = "acme.order_download", up = "acme.shipment_upload";
  RecordSuccess(a, "acme", up, kNow);
  // Runner B judged both steps due: order_download never ran, shipment_upload
  // last succeeded at kNow. Runner A then runs order_download and releases.
  const std::vector<SeenStep> b_saw = {{dl, std::nullopt}, {up, kNow}};
  ClaimResult got;
  ASSERT_TRUE(a.ClaimCart(ClaimBy("acme", "run-a", 60'000, {{dl, std::nullopt}}), &got).ok());
  ASSERT_TRUE(got.claimed);
  RecordSuccess(a, "acme", dl, kNow + 1000);
  ASSERT_TRUE(a.ReleaseLease("acme", "run-a").ok());

  // B's claim: order_download is stale, shipment_upload is still due.
  ASSERT_TRUE(b.ClaimCart(ClaimBy("acme", "run-b", 60'000, b_saw), &got).ok());
  EXPECT_TRUE(got.claimed);
  EXPECT_EQ(got.stale, std::vector<std::string>{dl});
  RecordSuccess(b, "acme", up, kNow + 2000);
  ASSERT_TRUE(b.ReleaseLease("acme", "run-b").ok());

  // A third runner that saw the same as B: everything was done since, so the
  // claim takes nothing and changes nothing.
  StateStore& c = a;
  ASSERT_TRUE(c.ClaimCart(ClaimBy("acme", "run-c", 60'000, b_saw), &got).ok());
  EXPECT_FALSE(got.claimed);
  EXPECT_EQ(got.stale.size(), 2u);
  EXPECT_TRUE(c.Leases().value().empty()) << "a claim with nothing left to do takes no lease";
  // One that saw the latest successes claims with nothing stale.
  ASSERT_TRUE(
      c.ClaimCart(ClaimBy("acme", "run-c", 60'000, {{dl, kNow + 1000}, {up, kNow + 2000}}), &got)
          .ok());
  EXPECT_TRUE(got.claimed);
  EXPECT_TRUE(got.stale.empty());
}

TEST_P(StateStoreContract, AFailedStepRunDoesNotMakeTheStepStale) {
  const std::string dl = "acme.order_download";
  RecordSuccess(*store_, "acme", dl, kNow);
  RecordSuccess(*store_, "acme", dl, kNow + 5000, /*ok=*/false);
  ClaimResult got;
  ASSERT_TRUE(store_->ClaimCart(ClaimBy("acme", "run-a", 60'000, {{dl, kNow}}), &got).ok());
  EXPECT_TRUE(got.claimed);
  EXPECT_TRUE(got.stale.empty()) << "a failed step is retried by the next run that finds it due";
}

// N runners (store objects) walking the same carts at once, each judging
// every cart due before any claim: each cart is claimed by exactly one, and
// a runner that comes to a cart another has finished finds it stale.
TEST_P(StateStoreContract, RunnersClaimingTogetherSplitTheCartsExactlyOnce) {
  if (!CanReopen()) GTEST_SKIP() << "needs a second connection";
  constexpr int kRunners = 4, kCarts = 16;
  std::vector<std::unique_ptr<StateStore>> stores;
  for (int i = 0; i < kRunners; ++i) {
    stores.push_back(Reopen());
    ASSERT_NE(stores.back(), nullptr);
  }
  std::latch start(kRunners);
  std::atomic<int> errors{0}, locked{0}, stale{0};
  std::vector<std::vector<int>> claimed(kRunners);
  std::vector<std::thread> threads;
  for (int r = 0; r < kRunners; ++r) {
    threads.emplace_back([&, r] {
      StateStore& s = *stores[r];
      const std::string owner = "run-" + std::to_string(r);
      auto run = s.BeginRun({0, kNow, 0, "running", owner, r, ""});
      if (!run.ok()) {
        ++errors;
        return;
      }
      start.arrive_and_wait();
      for (int k = 0; k < kCarts; ++k) {
        // Runners start at different carts, as their pools would drift apart.
        const int cart = (k + r * 3) % kCarts;
        const std::string id = "cart-" + std::to_string(cart);
        const std::string step = id + ".order_download";
        ClaimResult got;
        Status st = s.ClaimCart(ClaimBy(id, owner, 60'000, {{step, std::nullopt}}), &got);
        if (st.code() == StatusCode::Locked) {
          ++locked;
          continue;
        }
        if (!st.ok()) {
          ++errors;
          continue;
        }
        if (!got.claimed) {
          ++stale;
          continue;
        }
        claimed[r].push_back(cart);
        std::this_thread::sleep_for(std::chrono::milliseconds(2));  // "processing"
        const int64_t at = kNow + 1000 + cart;
        if (!s.RecordStepRun({run.value(), step, id, "order_download", at - 1, at, true, "", ""})
                 .ok() ||
            !s.ReleaseLease(id, owner).ok())
          ++errors;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  std::map<int, int> times;
  for (const auto& list : claimed)
    for (int cart : list) ++times[cart];
  EXPECT_EQ(times.size(), static_cast<size_t>(kCarts)) << "every cart claimed";
  for (const auto& [cart, n] : times) EXPECT_EQ(n, 1) << "cart-" << cart << " claimed " << n << "x";
  EXPECT_EQ(locked.load() + stale.load(), kCarts * (kRunners - 1));
  EXPECT_TRUE(store_->Leases().value().empty());
}

}  // namespace
}  // namespace cartsync::state_test

// The state store contract, continued (state_store_contract.h): fencing. A
// store object that acquired or claimed a cart's lease and lost it (taken
// over after expiry or as a dead owner's, or force-unlocked) cannot write that
// cart's records afterwards: every cart-scoped write checks the lease in its
// own transaction, is refused Locked and records nothing. A store object that
// holds no lease for a cart (`cartsync state`) writes unfenced; run history
// is never fenced. These TEST_Ps join the StateStoreContract suite, so every
// engine's instantiation (Sqlite, Postgres) runs them. PostgreSQL's
// generation numbers are tested in postgres_state_store_test.cc.
#include <chrono>
#include <string>
#include <vector>

#include "tests/runtime/state/state_store_contract.h"

namespace cartsync::state_test {
namespace {

LeaseInfo Lease(const std::string& cart, const std::string& owner, int64_t expires_ms) {
  return {cart, owner, "host-" + owner, 100, expires_ms, ""};
}

bool Mentions(const Status& st, const std::string& text) {
  return st.message().find(text) != std::string::npos;
}

TEST_P(StateStoreContract, WritesUnderALostLeaseAreRefused) {
  StateStore& a = *store_;
  CARTSYNC_SECOND_STORE(b);
  ASSERT_TRUE(a.AcquireLease(Lease("acme", "run-a", kNow + 1000), kNow, nullptr).ok());
  ASSERT_TRUE(
      a.RecordDownloaded("acme", {MakeOrder("acme", "1"), MakeOrder("acme", "2")}, "orders", "c1")
          .ok());
  auto intent = a.BeginSend("acme:1", "{}", kNow + 1);
  ASSERT_TRUE(intent.ok()) << intent.status().message();
  // acme:2 is sent and shipped, with an upload begun.
  auto sent = a.BeginSend("acme:2", "{}", kNow + 1);
  ASSERT_TRUE(sent.ok()) << sent.status().message();
  ASSERT_TRUE(a.CompleteSend(sent.value(), "acme:2", "W2", kNow + 2, true).ok());
  ASSERT_TRUE(
      a.RecordShipments("acme", {MakeShipment("acme:2", "T2")}, "shipments", "s1").status().ok());
  auto upload = a.BeginUpload("acme:2", "T2", kNow + 3);
  ASSERT_TRUE(upload.ok()) << upload.status().message();

  // run-a stalls past its lease; run-b takes the cart.
  ASSERT_TRUE(b.AcquireLease(Lease("acme", "run-b", kNow + 90'000), kNow + 1000, nullptr).ok());

  Status late = a.RecordDownloaded("acme", {MakeOrder("acme", "3")}, "orders", "c2").status();
  EXPECT_EQ(late.code(), StatusCode::Locked);
  EXPECT_TRUE(Mentions(late, "RecordDownloaded: this run no longer holds the lease of cart acme"))
      << late.message();
  EXPECT_TRUE(Mentions(late, "locked by run run-b on host-run-b")) << late.message();
  Status finish = a.CompleteSend(intent.value(), "acme:1", "W1", kNow + 2);
  EXPECT_EQ(finish.code(), StatusCode::Locked) << finish.message();
  EXPECT_TRUE(Mentions(finish, "no longer holds the lease of cart acme")) << finish.message();
  EXPECT_EQ(a.FailSend(intent.value(), "acme:1", "500", kNow + 2).code(), StatusCode::Locked);
  EXPECT_EQ(a.FinishAndBeginSends({{intent.value(), "acme:1", SendFinish::Kind::Sent, "W1"}}, {},
                                  kNow + 2)
                .status()
                .code(),
            StatusCode::Locked);
  EXPECT_EQ(a.UpdateOrder("acme:1", OrderStatus::Held, "x", "", false, kNow).code(),
            StatusCode::Locked);
  EXPECT_EQ(a.ResetForResend("acme:2", kNow).code(), StatusCode::Locked);
  EXPECT_EQ(a.FinishAck("acme:2", kNow).code(), StatusCode::Locked);
  Status begin = a.BeginSend("acme:1", "{}", kNow).status();
  EXPECT_EQ(begin.code(), StatusCode::Locked)
      << "the lost lease is heard before the unfinished push: " << begin.message();
  EXPECT_EQ(a.RecordPushedInventory("acme", {{"A", 1}}, kNow).code(), StatusCode::Locked);
  EXPECT_EQ(a.RecordShipments("acme", {}, "shipments", "s2").status().code(), StatusCode::Locked);
  EXPECT_EQ(a.DropIntent(intent.value()).code(), StatusCode::Locked);
  EXPECT_EQ(a.CompleteUpload(upload.value(), "acme:2", "T2", kNow + 4).code(), StatusCode::Locked);
  EXPECT_EQ(a.FailUpload(upload.value(), "acme:2", "T2", "500", kNow + 4).code(),
            StatusCode::Locked);
  EXPECT_EQ(a.RequeueUploads("acme:2", kNow + 4).status().code(), StatusCode::Locked);

  // Nothing of it was recorded.
  EXPECT_EQ(b.GetOrder("acme:3").value(), std::nullopt);
  EXPECT_EQ(b.GetCursor("acme", "orders").value(), "c1");
  EXPECT_EQ(b.GetCursor("acme", "shipments").value(), "s1");
  auto one = b.GetOrder("acme:1").value();
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->status, OrderStatus::New);
  EXPECT_EQ(one->attempts, 0);
  auto two = b.GetOrder("acme:2").value();
  ASSERT_TRUE(two.has_value());
  EXPECT_EQ(two->status, OrderStatus::Shipped);
  EXPECT_TRUE(two->ack_pending);
  EXPECT_EQ(b.PendingIntents("acme").value().size(), 2u);
  EXPECT_EQ(b.PendingShipments("acme").value().size(), 1u);
  EXPECT_TRUE(b.PushedInventory("acme").value().empty());

  // The new holder settles the intents; run history stays writable for run-a.
  EXPECT_TRUE(b.CompleteSend(intent.value(), "acme:1", "W1", kNow + 3).ok());
  EXPECT_TRUE(b.CompleteUpload(upload.value(), "acme:2", "T2", kNow + 4).ok());
  auto run = a.BeginRun({0, kNow, 0, "running", "host-a", 1, ""});
  ASSERT_TRUE(run.ok()) << run.status().message();
  EXPECT_TRUE(a.RecordStepRun({run.value(), "acme.order_download", "acme", "order_download", kNow,
                               kNow + 1, false, "lost the lease", "{}"})
                  .ok());
  EXPECT_TRUE(a.FinishRun(run.value(), "failed", kNow + 2, "{}").ok());
  // Another cart is not affected, and releasing a lost lease changes nothing.
  EXPECT_TRUE(a.RecordDownloaded("zeta", {MakeOrder("zeta", "1")}, "orders", "").ok());
  EXPECT_EQ(a.ReleaseLease("acme", "run-a").code(), StatusCode::Locked);
  EXPECT_EQ(a.RecordDownloaded("acme", {MakeOrder("acme", "4")}, "orders", "").status().code(),
            StatusCode::Locked)
      << "a lost lease stays lost for the store object";
  // The new holder writes as usual.
  EXPECT_TRUE(b.RecordDownloaded("acme", {MakeOrder("acme", "4")}, "orders", "c3").ok());
}

TEST_P(StateStoreContract, WritesAfterForceUnlockAreRefusedUntilReacquired) {
  StateStore& runner = *store_;
  CARTSYNC_SECOND_STORE(cli);
  ASSERT_TRUE(runner.AcquireLease(Lease("acme", "run-a", kNow + 60'000), kNow, nullptr).ok());
  ASSERT_TRUE(runner.RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "").ok());
  ASSERT_TRUE(cli.ForceUnlock("acme").ok());
  Status st = runner.UpdateOrder("acme:1", OrderStatus::Held, "x", "", false, kNow);
  EXPECT_EQ(st.code(), StatusCode::Locked);
  EXPECT_TRUE(Mentions(st, "UpdateOrder: this run no longer holds the lease of cart acme"))
      << st.message();
  EXPECT_TRUE(Mentions(st, "; it was released or force-unlocked")) << st.message();
  EXPECT_EQ(cli.GetOrder("acme:1").value()->status, OrderStatus::New);
  // A store that holds no lease (`cartsync state`) writes unfenced.
  EXPECT_TRUE(cli.UpdateOrder("acme:1", OrderStatus::Held, "by hand", "", false, kNow).ok());
  EXPECT_TRUE(cli.RecordDownloaded("acme", {MakeOrder("acme", "2")}, "orders", "").ok());
  ASSERT_TRUE(runner.AcquireLease(Lease("acme", "run-a2", kNow + 60'000), kNow, nullptr).ok());
  EXPECT_TRUE(runner.ResetForResend("acme:1", kNow + 5).ok());
  EXPECT_EQ(cli.GetOrder("acme:1").value()->status, OrderStatus::New);
}

TEST_P(StateStoreContract, WritesUnderATakenOverClaimAreRefused) {
  StateStore& a = *store_;
  CARTSYNC_SECOND_STORE(b);
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  auto claim = [&](const std::string& owner, const std::string& take_over_from) {
    return LeaseClaim{.me = Lease("acme", owner, 0),
                      .lease_ms = 60'000,
                      .now_ms = now,
                      .take_over_from = take_over_from};
  };
  ClaimResult got;
  ASSERT_TRUE(a.ClaimCart(claim("run-a", ""), &got).ok());
  ASSERT_TRUE(got.claimed);
  ASSERT_TRUE(a.RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "c1").ok());
  auto intent = a.BeginSend("acme:1", "{}", kNow + 1);
  ASSERT_TRUE(intent.ok()) << intent.status().message();
  // run-b finds run-a's process gone and takes the live lease over.
  ASSERT_TRUE(b.ClaimCart(claim("run-b", "run-a"), &got).ok());
  ASSERT_TRUE(got.claimed);

  Status late = a.CompleteSend(intent.value(), "acme:1", "W1", kNow + 2);
  EXPECT_EQ(late.code(), StatusCode::Locked) << late.message();
  EXPECT_TRUE(Mentions(late, "no longer holds the lease of cart acme")) << late.message();
  EXPECT_TRUE(Mentions(late, "locked by run run-b")) << late.message();
  EXPECT_EQ(a.RecordDownloaded("acme", {MakeOrder("acme", "2")}, "orders", "c2").status().code(),
            StatusCode::Locked);
  EXPECT_EQ(a.ExtendLease("acme", "run-a", 60'000, now).code(), StatusCode::Locked);
  EXPECT_EQ(b.GetOrder("acme:2").value(), std::nullopt);
  EXPECT_EQ(b.GetOrder("acme:1").value()->status, OrderStatus::New);
  EXPECT_EQ(b.PendingIntents("acme").value().size(), 1u) << "left for the new holder";
  EXPECT_TRUE(b.CompleteSend(intent.value(), "acme:1", "W1", kNow + 3).ok());
  EXPECT_EQ(b.GetOrder("acme:1").value()->status, OrderStatus::Sent);
}

TEST_P(StateStoreContract, ABatchOverSeveralCartsIsRefusedWholeWhenOneLeaseIsLost) {
  StateStore& a = *store_;
  CARTSYNC_SECOND_STORE(b);
  for (const char* cart : {"acme", "zeta"}) {
    ASSERT_TRUE(a.AcquireLease(Lease(cart, "run-a", kNow + 1000), kNow, nullptr).ok());
    ASSERT_TRUE(
        a.RecordDownloaded(cart, {MakeOrder(cart, "1"), MakeOrder(cart, "2")}, "orders", "").ok());
  }
  // "free" is a cart this store holds no lease of: its orders are unfenced.
  ASSERT_TRUE(a.RecordDownloaded("free", {MakeOrder("free", "1")}, "orders", "").ok());
  auto ids = a.BeginSends({{"acme:1", "{}"}, {"zeta:1", "{}"}, {"free:1", "{}"}}, kNow + 1);
  ASSERT_TRUE(ids.ok()) << ids.status().message();
  ASSERT_EQ(ids.value().size(), 3u);

  ASSERT_TRUE(b.AcquireLease(Lease("zeta", "run-b", kNow + 90'000), kNow + 1000, nullptr).ok());
  Status st = a.FinishSends({{ids.value()[0], "acme:1", SendFinish::Kind::Sent, "W1"},
                             {ids.value()[1], "zeta:1", SendFinish::Kind::Sent, "W2"},
                             {ids.value()[2], "free:1", SendFinish::Kind::Sent, "W3"}},
                            kNow + 2);
  EXPECT_EQ(st.code(), StatusCode::Locked) << st.message();
  EXPECT_TRUE(Mentions(st, "no longer holds the lease of cart zeta")) << st.message();
  auto begun = a.BeginSends({{"acme:2", "{}"}, {"zeta:2", "{}"}}, kNow + 2);
  EXPECT_EQ(begun.status().code(), StatusCode::Locked) << begun.status().message();
  auto both = a.FinishAndBeginSends({{ids.value()[0], "acme:1", SendFinish::Kind::Sent, "W1"}},
                                    {{"zeta:2", "{}"}}, kNow + 2);
  EXPECT_EQ(both.status().code(), StatusCode::Locked) << both.status().message();
  // Nothing of the batches was recorded.
  for (const char* key : {"acme:1", "zeta:1", "free:1", "acme:2", "zeta:2"})
    EXPECT_EQ(b.GetOrder(key).value()->status, OrderStatus::New) << key;
  EXPECT_EQ(b.PendingIntents("").value().size(), 3u);

  // Without the lost cart, the batches go through.
  auto rest = a.FinishAndBeginSends({{ids.value()[0], "acme:1", SendFinish::Kind::Sent, "W1"},
                                     {ids.value()[2], "free:1", SendFinish::Kind::Sent, "W3"}},
                                    {{"acme:2", "{}"}}, kNow + 3);
  ASSERT_TRUE(rest.ok()) << rest.status().message();
  EXPECT_EQ(b.GetOrder("acme:1").value()->status, OrderStatus::Sent);
  EXPECT_EQ(b.GetOrder("free:1").value()->status, OrderStatus::Sent);
  EXPECT_TRUE(b.CompleteSend(ids.value()[1], "zeta:1", "W2", kNow + 4).ok())
      << "the new holder finishes what the old one began";
}

TEST_P(StateStoreContract, ReleasingALeaseEndsTheStoresFencingOfTheCart) {
  StateStore& a = *store_;
  CARTSYNC_SECOND_STORE(b);
  ASSERT_TRUE(a.AcquireLease(Lease("acme", "run-a", kNow + 1000), kNow, nullptr).ok());
  ASSERT_TRUE(a.RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "").ok());
  ASSERT_TRUE(a.ReleaseLease("acme", "run-a").ok());
  ASSERT_TRUE(b.AcquireLease(Lease("acme", "run-b", kNow + 1000), kNow, nullptr).ok());
  // Holding no lease of the cart any more, `a` writes unfenced (as a
  // `cartsync state` command would).
  EXPECT_TRUE(a.UpdateOrder("acme:1", OrderStatus::Held, "by hand", "", false, kNow + 1).ok());
  EXPECT_EQ(b.GetOrder("acme:1").value()->status, OrderStatus::Held);
  // Renewing its own lease keeps b's writes going.
  ASSERT_TRUE(b.RenewLease("acme", "run-b", kNow + 5000).ok());
  EXPECT_TRUE(b.ResetForResend("acme:1", kNow + 2).ok());
}

}  // namespace
}  // namespace cartsync::state_test

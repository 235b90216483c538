// The state store contract (state_store_contract.h): every role's methods
// through the StateStore interface only — each method's effect, the
// one-transaction-per-call promise (a failing batch leaves nothing behind),
// the intent guards, leases across store objects, concurrent writers and
// records that survive a crash or a reopen. Nothing here knows the engine.
#include "tests/runtime/state/state_store_contract.h"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <optional>
#include <thread>
#include <utility>

namespace cartsync::state_test {

OrderRecord MakeOrder(const std::string& cart, const std::string& id, int64_t seen) {
  OrderRecord o;
  o.order_key = cart + ":" + id;
  o.cart_id = cart;
  o.order_id = id;
  o.order_number = "#" + id;
  o.cart_order_json = R"({"id":")" + id + R"("})";
  o.placed_at = "2026-11-20T10:00:00Z";
  o.first_seen_ms = o.updated_ms = seen;
  return o;
}

ShipmentRecord MakeShipment(const std::string& order_key, const std::string& tracking, int64_t at) {
  ShipmentRecord s;
  s.order_key = order_key;
  s.tracking_number = tracking;
  s.shipment_json = R"({"tracking_number":")" + tracking + R"("})";
  s.received_ms = s.updated_ms = at;
  return s;
}

void StateStoreContract::SetUp() {
  ASSERT_TRUE(GetParam().create) << GetParam().name << ": the factory has no create";
  store_ = GetParam().create();
  if (IsSkipped()) return;  // the engine is not available here (create said why)
  ASSERT_NE(store_, nullptr) << GetParam().name << ": no store";
}

std::unique_ptr<StateStore> StateStoreContract::Reopen() {
  std::unique_ptr<StateStore> store = GetParam().reopen();
  EXPECT_NE(store, nullptr) << GetParam().name << ": reopening failed";
  return store;
}

void StateStoreContract::DownloadAndSend(const std::string& cart,
                                         const std::vector<std::string>& ids, int64_t sent_at) {
  std::vector<OrderRecord> orders;
  for (const auto& id : ids) orders.push_back(MakeOrder(cart, id));
  ASSERT_TRUE(store_->RecordDownloaded(cart, orders, "orders", "").ok());
  for (const auto& id : ids) {
    auto intent =
        store_->BeginSend(cart + ":" + id, R"({"order_key":")" + cart + ":" + id + "\"}", sent_at);
    ASSERT_TRUE(intent.ok()) << intent.status().message();
    ASSERT_TRUE(store_->CompleteSend(intent.value(), cart + ":" + id, "W-" + id, sent_at).ok());
  }
}

OrderRecord StateStoreContract::Get(const std::string& key) {
  auto r = store_->GetOrder(key);
  EXPECT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r.ok() && r.value().has_value()) << key << " missing";
  return r.ok() && r.value() ? *r.value() : OrderRecord{};
}

namespace {

// --- orders ---------------------------------------------------------------------

TEST_P(StateStoreContract, RecordDownloadedInsertsAsNewAndSetsCursor) {
  OrderRecord o = MakeOrder("acme", "1", kNow);
  o.status = OrderStatus::Sent;  // ignored: downloads start as New
  o.reason = "ignored";
  auto n = store_->RecordDownloaded("acme", {o, MakeOrder("acme", "2", kNow + 1)}, "orders", "c1");
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(n.value(), 2);

  OrderRecord got = Get("acme:1");
  EXPECT_EQ(got.order_key, "acme:1");
  EXPECT_EQ(got.cart_id, "acme");
  EXPECT_EQ(got.order_id, "1");
  EXPECT_EQ(got.order_number, "#1");
  EXPECT_EQ(got.status, OrderStatus::New);
  EXPECT_EQ(got.reason, "");
  EXPECT_EQ(got.cart_order_json, R"({"id":"1"})");
  EXPECT_EQ(got.placed_at, "2026-11-20T10:00:00Z");
  EXPECT_EQ(got.first_seen_ms, kNow);
  EXPECT_EQ(got.updated_ms, kNow);
  EXPECT_EQ(got.sent_ms, 0);
  EXPECT_EQ(got.attempts, 0);
  EXPECT_EQ(store_->GetCursor("acme", "orders").value(), "c1");
  EXPECT_EQ(store_->GetCursor("acme", "shipments").value(), std::nullopt);
  EXPECT_EQ(store_->GetCursor("other", "orders").value(), std::nullopt);
  EXPECT_EQ(store_->GetOrder("acme:404").value(), std::nullopt);
}

// The runner reads waiting orders a page at a time (memory stays flat):
// the keyset cursor must visit every order once, in first-seen order.
TEST_P(StateStoreContract, ListOrdersPagesWithAKeysetCursor) {
  ASSERT_TRUE(
      store_
          ->RecordDownloaded("acme",
                             {MakeOrder("acme", "1", kNow + 3), MakeOrder("acme", "2", kNow + 1),
                              MakeOrder("acme", "3", kNow + 1), MakeOrder("acme", "4", kNow)},
                             "orders", "")
          .ok());
  OrderQuery q{std::string("acme"), std::nullopt, 2, std::nullopt};
  std::vector<std::string> seen;
  for (int guard = 0; guard < 10; ++guard) {
    auto page = store_->ListOrders(q).value();
    for (const auto& o : page) seen.push_back(o.order_key);
    if (page.size() < 2) break;
    q.after = std::make_pair(page.back().first_seen_ms, page.back().order_key);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"acme:4", "acme:2", "acme:3", "acme:1"}));
}

TEST_P(StateStoreContract, RecordDownloadedDedupesOverlappingWindows) {
  ASSERT_EQ(store_
                ->RecordDownloaded("acme", {MakeOrder("acme", "1"), MakeOrder("acme", "2")},
                                   "orders", "c1")
                .value(),
            2);
  ASSERT_TRUE(
      store_->UpdateOrder("acme:2", OrderStatus::Held, "unmapped ship code X", "", false, kNow + 5)
          .ok());
  // The next window overlaps: 2 again (with different contents), 3 new, and 3 twice.
  OrderRecord again = MakeOrder("acme", "2", kNow + 100);
  again.cart_order_json = R"({"id":"2","changed":true})";
  auto n = store_->RecordDownloaded("acme", {again, MakeOrder("acme", "3"), MakeOrder("acme", "3")},
                                    "orders", "c2");
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(n.value(), 1);
  OrderRecord two = Get("acme:2");
  EXPECT_EQ(two.status, OrderStatus::Held) << "a known order is left alone";
  EXPECT_EQ(two.cart_order_json, R"({"id":"2"})");
  EXPECT_EQ(two.first_seen_ms, kNow);
  EXPECT_EQ(store_->ListOrders({}).value().size(), 3u);
  EXPECT_EQ(store_->GetCursor("acme", "orders").value(), "c2");
}

TEST_P(StateStoreContract, EmptyCursorLeavesCursorAlone) {
  ASSERT_TRUE(store_->RecordDownloaded("acme", {}, "orders", "c1").ok());
  ASSERT_TRUE(store_->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "").ok());
  EXPECT_EQ(store_->GetCursor("acme", "orders").value(), "c1");
  EXPECT_TRUE(Get("acme:1").order_key == "acme:1");
}

TEST_P(StateStoreContract, RecordDownloadedIsAllOrNothingOnAFailingRow) {
  ASSERT_TRUE(store_->RecordDownloaded("acme", {MakeOrder("acme", "0")}, "orders", "c0").ok());
  OrderRecord bad = MakeOrder("acme", "");
  bad.order_key = "";  // refused (an order needs a key), after "1" went in
  auto n = store_->RecordDownloaded("acme", {MakeOrder("acme", "1"), bad, MakeOrder("acme", "2")},
                                    "orders", "c1");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), StatusCode::Permanent);
  EXPECT_NE(n.status().message().find("RecordDownloaded"), std::string::npos)
      << n.status().message();
  EXPECT_EQ(store_->GetOrder("acme:1").value(), std::nullopt)
      << "the first insert was not rolled back";
  EXPECT_EQ(store_->GetOrder("acme:2").value(), std::nullopt);
  EXPECT_EQ(store_->GetCursor("acme", "orders").value(), "c0") << "the cursor moved";
  // The store is usable afterwards (no transaction left open).
  EXPECT_EQ(store_->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "c1").value(), 1);
}

TEST_P(StateStoreContract, RecordDownloadedRejectsAnotherCartsOrder) {
  auto n = store_->RecordDownloaded("acme", {MakeOrder("acme", "1"), MakeOrder("zeta", "1")},
                                    "orders", "c1");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), StatusCode::Permanent);
  EXPECT_TRUE(store_->ListOrders({}).value().empty());
}

TEST_P(StateStoreContract, ListOrdersFiltersAndLimits) {
  ASSERT_TRUE(
      store_
          ->RecordDownloaded("acme",
                             {MakeOrder("acme", "1", kNow + 3), MakeOrder("acme", "2", kNow + 1),
                              MakeOrder("acme", "3", kNow + 2)},
                             "orders", "")
          .ok());
  ASSERT_TRUE(store_->RecordDownloaded("zeta", {MakeOrder("zeta", "1", kNow)}, "orders", "").ok());
  ASSERT_TRUE(store_->UpdateOrder("acme:3", OrderStatus::Held, "why", "", false, kNow).ok());
  ASSERT_TRUE(store_->UpdateOrder("zeta:1", OrderStatus::Held, "why", "", false, kNow).ok());

  auto keys = [](const std::vector<OrderRecord>& v) {
    std::vector<std::string> out;
    for (const auto& o : v) out.push_back(o.order_key);
    return out;
  };
  EXPECT_EQ(keys(store_->ListOrders({}).value()),
            (std::vector<std::string>{"zeta:1", "acme:2", "acme:3", "acme:1"}));
  EXPECT_EQ(
      keys(store_->ListOrders({std::string("acme"), std::nullopt, 1000, std::nullopt}).value()),
      (std::vector<std::string>{"acme:2", "acme:3", "acme:1"}));
  EXPECT_EQ(keys(store_->ListOrders({std::nullopt, OrderStatus::Held, 1000, std::nullopt}).value()),
            (std::vector<std::string>{"zeta:1", "acme:3"}));
  EXPECT_EQ(
      keys(
          store_->ListOrders({std::string("acme"), OrderStatus::Held, 1000, std::nullopt}).value()),
      (std::vector<std::string>{"acme:3"}));
  EXPECT_EQ(
      keys(store_->ListOrders({std::string("acme"), OrderStatus::New, 1, std::nullopt}).value()),
      (std::vector<std::string>{"acme:2"}));
  EXPECT_EQ(store_->ListOrders({std::nullopt, std::nullopt, 0, std::nullopt}).value().size(), 4u)
      << "limit 0 means all";
}

TEST_P(StateStoreContract, UpdateOrderSetsStatusReasonDocumentAndAttempts) {
  ASSERT_TRUE(store_->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "").ok());
  ASSERT_TRUE(store_
                  ->UpdateOrder("acme:1", OrderStatus::Held, "unmapped ship code \"Pigeon\"",
                                R"({"prepared":true})", true, kNow + 10)
                  .ok());
  OrderRecord o = Get("acme:1");
  EXPECT_EQ(o.status, OrderStatus::Held);
  EXPECT_EQ(o.reason, "unmapped ship code \"Pigeon\"");
  EXPECT_EQ(o.wms_order_json, R"({"prepared":true})");
  EXPECT_EQ(o.attempts, 1);
  EXPECT_EQ(o.updated_ms, kNow + 10);
  EXPECT_EQ(o.first_seen_ms, kNow);

  ASSERT_TRUE(
      store_->UpdateOrder("acme:1", OrderStatus::Skipped, "status cancelled", "", false, kNow + 20)
          .ok());
  o = Get("acme:1");
  EXPECT_EQ(o.status, OrderStatus::Skipped);
  EXPECT_EQ(o.attempts, 1);

  Status missing = store_->UpdateOrder("acme:404", OrderStatus::Held, "", "", false, kNow);
  EXPECT_EQ(missing.code(), StatusCode::NotFound);
  EXPECT_NE(missing.message().find("UpdateOrder"), std::string::npos);
}

TEST_P(StateStoreContract, ResetForResendStartsAFreshRetryWindow) {
  ASSERT_TRUE(store_->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "").ok());
  ASSERT_TRUE(
      store_
          ->UpdateOrder("acme:1", OrderStatus::Held, "retry window exhausted", "{}", true, kNow + 1)
          .ok());
  ASSERT_TRUE(store_->ResetForResend("acme:1", kNow + 99).ok());
  OrderRecord o = Get("acme:1");
  EXPECT_EQ(o.status, OrderStatus::New);
  EXPECT_EQ(o.reason, "");
  EXPECT_EQ(o.attempts, 0);
  EXPECT_EQ(o.first_seen_ms, kNow + 99);
  EXPECT_EQ(o.updated_ms, kNow + 99);
  EXPECT_EQ(store_->ResetForResend("acme:404", kNow).code(), StatusCode::NotFound);
}

// --- the send lifecycle ---------------------------------------------------------

// Cancellations (runtime/order_cancel.h) note a sent order's cancel intent and
// a too-late cancel in its reason: the reference and send time stay, and a
// canceled order leaves the orders sent since (inventory).
TEST_P(StateStoreContract, UpdateOrderOfASentOrderKeepsItsReference) {
  ASSERT_TRUE(store_->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "").ok());
  auto intent = store_->BeginSend("acme:1", R"({"order_key":"acme:1"})", kNow + 1);
  ASSERT_TRUE(intent.ok()) << intent.status().message();
  ASSERT_TRUE(store_->CompleteSend(intent.value(), "acme:1", "W-1", kNow + 2).ok());
  ASSERT_TRUE(store_
                  ->UpdateOrder("acme:1", OrderStatus::Sent,
                                "cancel requested: canceled at the cart", "", false, kNow + 3)
                  .ok());
  OrderRecord o = Get("acme:1");
  EXPECT_EQ(o.status, OrderStatus::Sent);
  EXPECT_EQ(o.reason, "cancel requested: canceled at the cart");
  EXPECT_EQ(o.wms_ref, "W-1");
  EXPECT_EQ(o.sent_ms, kNow + 2);
  EXPECT_EQ(o.wms_order_json, R"({"order_key":"acme:1"})");
  ASSERT_TRUE(store_
                  ->UpdateOrder("acme:1", OrderStatus::Canceled, "canceled at the cart", "", false,
                                kNow + 4)
                  .ok());
  o = Get("acme:1");
  EXPECT_EQ(o.status, OrderStatus::Canceled);
  EXPECT_EQ(o.wms_ref, "W-1");
  OrderQuery q;
  q.cart_id = "acme";
  q.status = OrderStatus::Sent;
  EXPECT_TRUE(store_->ListOrders(q).value().empty());
}

TEST_P(StateStoreContract, SendLifecycleNewToConfirmed) {
  ASSERT_TRUE(store_->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "").ok());

  auto intent = store_->BeginSend("acme:1", R"({"order_key":"acme:1"})", kNow + 1);
  ASSERT_TRUE(intent.ok()) << intent.status().message();
  EXPECT_GT(intent.value(), 0);
  auto pending = store_->PendingIntents("acme").value();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].id, intent.value());
  EXPECT_EQ(pending[0].kind, IntentKind::PushOrder);
  EXPECT_EQ(pending[0].cart_id, "acme");
  EXPECT_EQ(pending[0].order_key, "acme:1");
  EXPECT_EQ(pending[0].tracking_number, "");
  EXPECT_EQ(pending[0].created_ms, kNow + 1);
  EXPECT_EQ(pending[0].doc, R"({"order_key":"acme:1"})");
  EXPECT_EQ(Get("acme:1").status, OrderStatus::New);

  ASSERT_TRUE(store_->CompleteSend(intent.value(), "acme:1", "WMS-77", kNow + 2).ok());
  OrderRecord o = Get("acme:1");
  EXPECT_EQ(o.wms_order_json, R"({"order_key":"acme:1"})");
  EXPECT_EQ(o.status, OrderStatus::Sent);
  EXPECT_EQ(o.wms_ref, "WMS-77");
  EXPECT_EQ(o.sent_ms, kNow + 2);
  EXPECT_TRUE(store_->PendingIntents("acme").value().empty());

  auto n = store_->RecordShipments("acme", {MakeShipment("acme:1", "1Z001", kNow + 3)}, "shipments",
                                   "s1");
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(n.value(), 1);
  EXPECT_EQ(Get("acme:1").status, OrderStatus::Shipped);
  EXPECT_EQ(store_->GetCursor("acme", "shipments").value(), "s1");
  auto ships = store_->PendingShipments("acme").value();
  ASSERT_EQ(ships.size(), 1u);
  EXPECT_EQ(ships[0].order_key, "acme:1");
  EXPECT_EQ(ships[0].tracking_number, "1Z001");
  EXPECT_EQ(ships[0].cart_id, "acme");
  EXPECT_EQ(ships[0].state, ShipmentState::Pending);
  EXPECT_EQ(ships[0].shipment_json, R"({"tracking_number":"1Z001"})");
  EXPECT_EQ(ships[0].received_ms, kNow + 3);

  auto up = store_->BeginUpload("acme:1", "1Z001", kNow + 4);
  ASSERT_TRUE(up.ok()) << up.status().message();
  pending = store_->PendingIntents("acme").value();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].kind, IntentKind::UploadTracking);
  EXPECT_EQ(pending[0].tracking_number, "1Z001");
  EXPECT_GT(up.value(), intent.value()) << "intent ids are never reused";

  ASSERT_TRUE(store_->CompleteUpload(up.value(), "acme:1", "1Z001", kNow + 5).ok());
  EXPECT_EQ(Get("acme:1").status, OrderStatus::Confirmed);
  EXPECT_TRUE(store_->PendingShipments("acme").value().empty());
  EXPECT_TRUE(store_->PendingIntents("acme").value().empty());
}

TEST_P(StateStoreContract, FailSendKeepsOrderNewAndCountsAttempt) {
  ASSERT_TRUE(store_->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "").ok());
  auto intent = store_->BeginSend("acme:1", "{}", kNow + 1);
  ASSERT_TRUE(intent.ok());
  ASSERT_TRUE(store_->FailSend(intent.value(), "acme:1", "WMS returned 503", kNow + 2).ok());
  OrderRecord o = Get("acme:1");
  EXPECT_EQ(o.status, OrderStatus::New);
  EXPECT_EQ(o.reason, "WMS returned 503");
  EXPECT_EQ(o.attempts, 1);
  EXPECT_EQ(o.updated_ms, kNow + 2);
  EXPECT_TRUE(store_->PendingIntents("acme").value().empty());

  // The next run tries again; a second failure counts again; success clears the reason.
  auto again = store_->BeginSend("acme:1", "{}", kNow + 3);
  ASSERT_TRUE(again.ok()) << again.status().message();
  ASSERT_TRUE(store_->FailSend(again.value(), "acme:1", "timeout", kNow + 4).ok());
  EXPECT_EQ(Get("acme:1").attempts, 2);
  auto third = store_->BeginSend("acme:1", "{}", kNow + 5);
  ASSERT_TRUE(store_->CompleteSend(third.value(), "acme:1", "W1", kNow + 6).ok());
  EXPECT_EQ(Get("acme:1").reason, "");
  EXPECT_EQ(Get("acme:1").attempts, 2);
}

TEST_P(StateStoreContract, BeginSendsRecordsAllOrNothing) {
  ASSERT_TRUE(store_
                  ->RecordDownloaded(
                      "acme",
                      {MakeOrder("acme", "1"), MakeOrder("acme", "2"), MakeOrder("acme", "3")},
                      "orders", "")
                  .ok());
  auto unknown = store_->BeginSends({{"acme:1", "{}"}, {"acme:404", "{}"}, {"acme:2", "{}"}}, kNow);
  EXPECT_EQ(unknown.status().code(), StatusCode::NotFound);
  auto twice = store_->BeginSends({{"acme:1", "{}"}, {"acme:1", "{}"}}, kNow);
  EXPECT_EQ(twice.status().code(), StatusCode::Permanent);
  auto none = store_->PendingIntents("acme");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none.value().empty()) << "a failed batch left intents behind";
  // An unfinished push in the middle of a batch is named, and the orders
  // around it get no intent either.
  auto open = store_->BeginSend("acme:2", "{}", kNow);
  ASSERT_TRUE(open.ok()) << open.status().message();
  auto busy = store_->BeginSends({{"acme:1", "{}"}, {"acme:2", "{}"}, {"acme:3", "{}"}}, kNow);
  EXPECT_EQ(busy.status().code(), StatusCode::Permanent);
  EXPECT_NE(busy.status().message().find("order acme:2 has an unfinished push (intent " +
                                         std::to_string(open.value()) + ")"),
            std::string::npos)
      << busy.status().message();
  auto only = store_->PendingIntents("acme");
  ASSERT_TRUE(only.ok());
  ASSERT_EQ(only.value().size(), 1u) << "a failed batch left intents behind";
  ASSERT_TRUE(store_->DropIntent(open.value()).ok());

  auto ids =
      store_->BeginSends({{"acme:1", R"({"n":1})"}, {"acme:2", "{}"}, {"acme:3", "{}"}}, kNow + 1);
  ASSERT_TRUE(ids.ok()) << ids.status().message();
  ASSERT_EQ(ids.value().size(), 3u);
  auto pending = store_->PendingIntents("acme");
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending.value().size(), 3u);
  EXPECT_EQ(pending.value()[0].id, ids.value()[0]);
  EXPECT_EQ(pending.value()[0].order_key, "acme:1");

  using Kind = SendFinish::Kind;
  ASSERT_TRUE(
      store_
          ->FinishSends({{ids.value()[0], "acme:1", Kind::Sent, "W1"},
                         {ids.value()[1], "acme:2", Kind::Failed, "HTTP 503"},
                         {ids.value()[2], "acme:3", Kind::Rejected, "WMS rejected the order: 422"}},
                        kNow + 2)
          .ok());
  OrderRecord o1 = Get("acme:1"), o2 = Get("acme:2"), o3 = Get("acme:3");
  EXPECT_EQ(o1.status, OrderStatus::Sent);
  EXPECT_EQ(o1.wms_ref, "W1");
  EXPECT_EQ(o1.wms_order_json, R"({"n":1})");
  EXPECT_EQ(o2.status, OrderStatus::New);
  EXPECT_EQ(o2.attempts, 1);
  EXPECT_EQ(o2.reason, "HTTP 503");
  EXPECT_EQ(o3.status, OrderStatus::Held);
  EXPECT_EQ(o3.reason, "WMS rejected the order: 422");
  auto after = store_->PendingIntents("acme");
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after.value().empty());
}

TEST_P(StateStoreContract, FinishSendsIsOneTransaction) {
  ASSERT_TRUE(
      store_
          ->RecordDownloaded("acme", {MakeOrder("acme", "1"), MakeOrder("acme", "2")}, "orders", "")
          .ok());
  auto ids = store_->BeginSends({{"acme:1", "{}"}, {"acme:2", "{}"}}, kNow);
  ASSERT_TRUE(ids.ok());
  // The second names the wrong order: nothing of the batch is recorded.
  Status st = store_->FinishSends({{ids.value()[0], "acme:1", SendFinish::Kind::Sent, "W1"},
                                   {ids.value()[1], "acme:1", SendFinish::Kind::Sent, "W2"}},
                                  kNow + 1);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_EQ(Get("acme:1").status, OrderStatus::New);
  auto pending = store_->PendingIntents("acme");
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending.value().size(), 2u);
}

TEST_P(StateStoreContract, FinishAndBeginSendsIsOneTransaction) {
  ASSERT_TRUE(store_
                  ->RecordDownloaded(
                      "acme",
                      {MakeOrder("acme", "1"), MakeOrder("acme", "2"), MakeOrder("acme", "3")},
                      "orders", "")
                  .ok());
  using Kind = SendFinish::Kind;
  auto first = store_->FinishAndBeginSends({}, {{"acme:1", R"({"n":1})"}}, kNow);
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_EQ(first.value().size(), 1u);
  // The next batch names an unknown order: the first batch's result is not
  // recorded either, and its intent stays open.
  auto failed = store_->FinishAndBeginSends({{first.value()[0], "acme:1", Kind::Sent, "W1"}},
                                            {{"acme:2", "{}"}, {"acme:404", "{}"}}, kNow + 1);
  EXPECT_EQ(failed.status().code(), StatusCode::NotFound);
  EXPECT_EQ(Get("acme:1").status, OrderStatus::New);
  ASSERT_EQ(store_->PendingIntents("acme").value().size(), 1u);

  auto next = store_->FinishAndBeginSends({{first.value()[0], "acme:1", Kind::Sent, "W1"}},
                                          {{"acme:2", R"({"n":2})"}, {"acme:3", "{}"}}, kNow + 2);
  ASSERT_TRUE(next.ok()) << next.status().message();
  ASSERT_EQ(next.value().size(), 2u);
  OrderRecord o1 = Get("acme:1");
  EXPECT_EQ(o1.status, OrderStatus::Sent);
  EXPECT_EQ(o1.wms_ref, "W1");
  EXPECT_EQ(o1.wms_order_json, R"({"n":1})");
  auto open = store_->PendingIntents("acme");
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open.value().size(), 2u);
  EXPECT_EQ(open.value()[0].id, next.value()[0]);
  EXPECT_EQ(open.value()[0].order_key, "acme:2");
  EXPECT_EQ(open.value()[1].order_key, "acme:3");

  ASSERT_TRUE(store_
                  ->FinishAndBeginSends({{next.value()[0], "acme:2", Kind::Failed, "HTTP 503"},
                                         {next.value()[1], "acme:3", Kind::Sent, "W3", true}},
                                        {}, kNow + 3)
                  .ok());
  OrderRecord o2 = Get("acme:2"), o3 = Get("acme:3");
  EXPECT_EQ(o2.status, OrderStatus::New);
  EXPECT_EQ(o2.attempts, 1);
  EXPECT_EQ(o2.wms_order_json, R"({"n":2})");
  EXPECT_EQ(o3.status, OrderStatus::Sent);
  EXPECT_TRUE(o3.ack_pending);
  EXPECT_TRUE(store_->PendingIntents("acme").value().empty());
}

TEST_P(StateStoreContract, BeginSendGuards) {
  EXPECT_EQ(store_->BeginSend("acme:404", "{}", kNow).status().code(), StatusCode::NotFound);
  EXPECT_TRUE(store_->PendingIntents("").value().empty());

  ASSERT_TRUE(store_->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "").ok());
  auto first = store_->BeginSend("acme:1", "{}", kNow);
  ASSERT_TRUE(first.ok());
  auto second = store_->BeginSend("acme:1", "{}", kNow);
  ASSERT_FALSE(second.ok()) << "a second push while one is unreconciled could duplicate the order";
  EXPECT_EQ(second.status().code(), StatusCode::Permanent);
  EXPECT_NE(second.status().message().find("reconcile"), std::string::npos);
  EXPECT_EQ(store_->PendingIntents("acme").value().size(), 1u);
}

TEST_P(StateStoreContract, CompleteSendChecksTheIntentAndNeverDowngrades) {
  ASSERT_TRUE(
      store_
          ->RecordDownloaded("acme", {MakeOrder("acme", "1"), MakeOrder("acme", "2")}, "orders", "")
          .ok());
  auto i1 = store_->BeginSend("acme:1", "{}", kNow);
  ASSERT_TRUE(i1.ok());
  Status wrong = store_->CompleteSend(i1.value(), "acme:2", "W", kNow);
  EXPECT_EQ(wrong.code(), StatusCode::Permanent) << wrong.message();
  EXPECT_EQ(Get("acme:2").status, OrderStatus::New);
  EXPECT_EQ(store_->PendingIntents("acme").value().size(), 1u);

  EXPECT_EQ(store_->CompleteSend(0, "acme:404", "W", kNow).code(), StatusCode::NotFound);

  // A late reconciliation of an order that already shipped keeps it shipped.
  ASSERT_TRUE(store_->CompleteSend(i1.value(), "acme:1", "W1", kNow + 1).ok());
  ASSERT_TRUE(
      store_->RecordShipments("acme", {MakeShipment("acme:1", "T1")}, "shipments", "").ok());
  ASSERT_TRUE(store_->CompleteSend(0, "acme:1", "W1", kNow + 50).ok());
  OrderRecord o = Get("acme:1");
  EXPECT_EQ(o.status, OrderStatus::Shipped);
  EXPECT_EQ(o.sent_ms, kNow + 1);
}

TEST_P(StateStoreContract, CartAcknowledgementPendingUntilFinished) {
  StateStore& s = *store_;
  ASSERT_TRUE(s.RecordDownloaded("c1",
                                 {MakeOrder("c1", "1", kNow), MakeOrder("c1", "2", kNow + 1),
                                  MakeOrder("c1", "3", kNow + 2)},
                                 "orders", "")
                  .ok());
  ASSERT_TRUE(s.RecordDownloaded("c2", {MakeOrder("c2", "9", kNow)}, "orders", "").ok());
  auto ids = s.BeginSends({{"c1:1", "{}"}, {"c1:2", "{}"}, {"c1:3", "{}"}, {"c2:9", "{}"}}, 40);
  ASSERT_TRUE(ids.ok()) << ids.status().message();
  ASSERT_TRUE(s.FinishSends({{ids.value()[0], "c1:1", SendFinish::Kind::Sent, "W1", true},
                             {ids.value()[1], "c1:2", SendFinish::Kind::Sent, "W2", false},
                             {ids.value()[2], "c1:3", SendFinish::Kind::Failed, "down", true},
                             {ids.value()[3], "c2:9", SendFinish::Kind::Sent, "W9", true}},
                            50)
                  .ok());
  auto pending = s.PendingAcks("c1", 10);
  ASSERT_TRUE(pending.ok()) << pending.status().message();
  ASSERT_EQ(pending.value().size(), 1u) << "only a Sent result with cart_ack makes it pending";
  EXPECT_EQ(pending.value()[0].order_key, "c1:1");
  EXPECT_TRUE(pending.value()[0].ack_pending);
  EXPECT_EQ(pending.value()[0].status, OrderStatus::Sent);
  EXPECT_FALSE(Get("c1:2").ack_pending);
  ASSERT_TRUE(s.FinishAck("c1:1", 60).ok());
  EXPECT_TRUE(s.PendingAcks("c1", 10).value().empty());
  EXPECT_FALSE(Get("c1:1").ack_pending);
  EXPECT_TRUE(s.FinishAck("c1:1", 61).ok()) << "finishing twice is a no-op";
  EXPECT_EQ(s.FinishAck("c1:404", 62).code(), StatusCode::NotFound);
  ASSERT_EQ(s.PendingAcks("c2", 10).value().size(), 1u) << "per cart";
  // A late reconciliation (no intent) also records the pending acknowledgement.
  ASSERT_TRUE(s.CompleteSend(0, "c1:3", "W3", 70, true).ok());
  ASSERT_EQ(s.PendingAcks("c1", 1).value().size(), 1u);
  EXPECT_EQ(s.PendingAcks("c1", 1).value()[0].order_key, "c1:3");
}

TEST_P(StateStoreContract, DropIntent) {
  ASSERT_TRUE(store_->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "").ok());
  auto i = store_->BeginSend("acme:1", "{}", kNow);
  ASSERT_TRUE(i.ok());
  ASSERT_TRUE(store_->DropIntent(i.value()).ok());
  EXPECT_TRUE(store_->PendingIntents("acme").value().empty());
  EXPECT_EQ(Get("acme:1").status, OrderStatus::New);
  EXPECT_EQ(store_->DropIntent(i.value()).code(), StatusCode::NotFound);
}

TEST_P(StateStoreContract, PendingIntentsPerCartAndAll) {
  ASSERT_TRUE(store_->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "").ok());
  ASSERT_TRUE(store_->RecordDownloaded("zeta", {MakeOrder("zeta", "1")}, "orders", "").ok());
  ASSERT_TRUE(store_->BeginSend("acme:1", "{}", kNow).ok());
  ASSERT_TRUE(store_->BeginSend("zeta:1", "{}", kNow).ok());
  EXPECT_EQ(store_->PendingIntents("acme").value().size(), 1u);
  EXPECT_EQ(store_->PendingIntents("zeta").value().size(), 1u);
  EXPECT_EQ(store_->PendingIntents("").value().size(), 2u);
  EXPECT_TRUE(store_->PendingIntents("nobody").value().empty());
}

TEST_P(StateStoreContract, IntentSurvivesACrashBetweenBeginAndComplete) {
  if (!CanReopen()) GTEST_SKIP() << "the factory cannot reopen a store";
  ASSERT_TRUE(store_->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "").ok());
  store_.reset();
  // The child records the intent, "pushes", and dies before CompleteSend:
  // no destructor, no close, no checkpoint.
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto child = GetParam().reopen();
    if (child == nullptr) _exit(2);
    auto intent = child->BeginSend("acme:1", R"({"doc":1})", kNow + 1);
    _exit(intent.ok() ? 0 : 3);
  }
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFEXITED(wstatus));
  ASSERT_EQ(WEXITSTATUS(wstatus), 0);

  store_ = Reopen();
  ASSERT_NE(store_, nullptr);
  auto pending = store_->PendingIntents("acme");
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending.value().size(), 1u);
  EXPECT_EQ(pending.value()[0].order_key, "acme:1");
  EXPECT_EQ(pending.value()[0].kind, IntentKind::PushOrder);
  EXPECT_EQ(pending.value()[0].doc, R"({"doc":1})");
  EXPECT_EQ(Get("acme:1").status, OrderStatus::New);
  // Reconciliation finds it in the WMS and completes it, with the document.
  ASSERT_TRUE(store_->CompleteSend(pending.value()[0].id, "acme:1", "W1", kNow + 9).ok());
  EXPECT_EQ(Get("acme:1").status, OrderStatus::Sent);
  EXPECT_EQ(Get("acme:1").wms_order_json, R"({"doc":1})");
}

TEST_P(StateStoreContract, SentSinceFiltersCartsTimeAndStatus) {
  DownloadAndSend("acme", {"1", "2"}, kNow + 10);
  DownloadAndSend("acme", {"3"}, kNow + 20);
  DownloadAndSend("zeta", {"1"}, kNow + 30);
  DownloadAndSend("omega", {"1"}, kNow + 30);
  ASSERT_TRUE(
      store_->RecordDownloaded("acme", {MakeOrder("acme", "4")}, "orders", "").ok());  // New
  // Shipped and confirmed still count; canceled does not.
  ASSERT_TRUE(
      store_->RecordShipments("acme", {MakeShipment("acme:3", "T3")}, "shipments", "").ok());
  ASSERT_TRUE(
      store_->UpdateOrder("acme:2", OrderStatus::Canceled, "canceled in cart", "", false, kNow + 40)
          .ok());

  auto docs = store_->SentSince({"acme", "zeta"}, kNow + 10);
  ASSERT_TRUE(docs.ok()) << docs.status().message();
  EXPECT_EQ(docs.value(),
            (std::vector<std::string>{R"({"order_key":"acme:1"})", R"({"order_key":"acme:3"})",
                                      R"({"order_key":"zeta:1"})"}));
  EXPECT_EQ(store_->SentSince({"acme", "zeta"}, kNow + 11).value().size(), 2u);
  EXPECT_TRUE(store_->SentSince({}, 0).value().empty());
  EXPECT_TRUE(store_->SentSince({"acme"}, kNow + 31).value().empty());
}

// --- shipments ------------------------------------------------------------------

TEST_P(StateStoreContract, RecordShipmentsDedupesAndSkipsUnknownOrders) {
  DownloadAndSend("acme", {"1", "2"}, kNow);
  ASSERT_TRUE(
      store_->RecordDownloaded("acme", {MakeOrder("acme", "3")}, "orders", "").ok());  // New
  ASSERT_TRUE(store_->RecordDownloaded("zeta", {MakeOrder("zeta", "9")}, "orders", "").ok());
  auto n = store_->RecordShipments(
      "acme",
      {MakeShipment("acme:1", "T1"), MakeShipment("acme:1", "T1b"), MakeShipment("acme:404", "TX"),
       MakeShipment("zeta:9", "TZ"), MakeShipment("acme:3", "T3")},
      "shipments", "s1");
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(n.value(), 3) << "two parcels of acme:1 and one of acme:3; unknown/foreign skipped";
  EXPECT_EQ(Get("acme:1").status, OrderStatus::Shipped);
  EXPECT_EQ(Get("acme:2").status, OrderStatus::Sent);
  EXPECT_EQ(Get("acme:3").status, OrderStatus::New) << "only sent orders become shipped";
  EXPECT_EQ(Get("zeta:9").status, OrderStatus::New);

  // Overlap: T1 again plus a new one.
  n = store_->RecordShipments("acme", {MakeShipment("acme:1", "T1"), MakeShipment("acme:2", "T2")},
                              "shipments", "");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n.value(), 1);
  EXPECT_EQ(Get("acme:2").status, OrderStatus::Shipped);
  EXPECT_EQ(store_->GetCursor("acme", "shipments").value(), "s1");
  EXPECT_EQ(store_->PendingShipments("acme").value().size(), 4u);
  EXPECT_TRUE(store_->PendingShipments("zeta").value().empty());
}

TEST_P(StateStoreContract, SecondParcelDoesNotDowngradeConfirmed) {
  DownloadAndSend("acme", {"1"}, kNow);
  ASSERT_TRUE(
      store_->RecordShipments("acme", {MakeShipment("acme:1", "T1")}, "shipments", "").ok());
  auto up = store_->BeginUpload("acme:1", "T1", kNow);
  ASSERT_TRUE(store_->CompleteUpload(up.value(), "acme:1", "T1", kNow).ok());
  ASSERT_EQ(Get("acme:1").status, OrderStatus::Confirmed);
  ASSERT_EQ(
      store_->RecordShipments("acme", {MakeShipment("acme:1", "T2")}, "shipments", "").value(), 1);
  EXPECT_EQ(Get("acme:1").status, OrderStatus::Confirmed);
  EXPECT_EQ(store_->PendingShipments("acme").value().size(), 1u);
}

TEST_P(StateStoreContract, RecordShipmentsIsAllOrNothing) {
  DownloadAndSend("acme", {"1", "2"}, kNow);
  auto n = store_->RecordShipments(
      "acme", {MakeShipment("acme:1", "T1"), MakeShipment("acme:2", "")}, "shipments", "s1");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), StatusCode::Permanent);
  EXPECT_TRUE(store_->PendingShipments("acme").value().empty());
  EXPECT_EQ(Get("acme:1").status, OrderStatus::Sent) << "the status change was not rolled back";
  EXPECT_EQ(store_->GetCursor("acme", "shipments").value(), std::nullopt);
}

TEST_P(StateStoreContract, FailUploadCountsAndKeepsPending) {
  DownloadAndSend("acme", {"1"}, kNow);
  ASSERT_TRUE(
      store_->RecordShipments("acme", {MakeShipment("acme:1", "T1")}, "shipments", "").ok());
  auto up = store_->BeginUpload("acme:1", "T1", kNow + 1);
  ASSERT_TRUE(up.ok());
  auto dup = store_->BeginUpload("acme:1", "T1", kNow + 1);
  EXPECT_EQ(dup.status().code(), StatusCode::Permanent);
  ASSERT_TRUE(store_->FailUpload(up.value(), "acme:1", "T1", "cart said 422", kNow + 2).ok());
  auto ships = store_->PendingShipments("acme").value();
  ASSERT_EQ(ships.size(), 1u);
  EXPECT_EQ(ships[0].attempts, 1);
  EXPECT_EQ(ships[0].error, "cart said 422");
  EXPECT_EQ(ships[0].updated_ms, kNow + 2);
  EXPECT_EQ(Get("acme:1").status, OrderStatus::Shipped);
  EXPECT_TRUE(store_->PendingIntents("acme").value().empty());

  EXPECT_EQ(store_->BeginUpload("acme:1", "NOPE", kNow).status().code(), StatusCode::NotFound);
  EXPECT_EQ(store_->FailUpload(0, "acme:1", "NOPE", "x", kNow).code(), StatusCode::NotFound);
  EXPECT_EQ(store_->CompleteUpload(0, "acme:1", "NOPE", kNow).code(), StatusCode::NotFound);
  // An upload intent id cannot complete a push.
  auto up2 = store_->BeginUpload("acme:1", "T1", kNow + 3);
  EXPECT_EQ(store_->CompleteSend(up2.value(), "acme:1", "W", kNow).code(), StatusCode::Permanent);
}

TEST_P(StateStoreContract, FinishAndBeginUploadRecordsOneAndBeginsTheNextAtomically) {
  DownloadAndSend("acme", {"1", "2", "3"}, kNow);
  ASSERT_TRUE(store_
                  ->RecordShipments("acme",
                                    {MakeShipment("acme:1", "T1"), MakeShipment("acme:2", "T2"),
                                     MakeShipment("acme:3", "T3")},
                                    "shipments", "")
                  .ok());
  auto first = store_->FinishAndBeginUpload({}, "acme:1", "T1", kNow + 1);
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_GT(first.value(), 0);

  // Uploaded 1, begin 2: one call.
  auto second = store_->FinishAndBeginUpload({first.value(), "acme:1", "T1", true, ""}, "acme:2",
                                             "T2", kNow + 2);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_GT(second.value(), first.value());
  EXPECT_EQ(Get("acme:1").status, OrderStatus::Confirmed);
  auto pending = store_->PendingIntents("acme").value();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].id, second.value());
  EXPECT_EQ(pending[0].tracking_number, "T2");

  // Failed 2, and the begin of an unknown shipment: NotFound, and the
  // failure is not recorded either (one transaction).
  auto refused = store_->FinishAndBeginUpload({second.value(), "acme:2", "T2", false, "cart 422"},
                                              "acme:3", "NOPE", kNow + 3);
  EXPECT_EQ(refused.status().code(), StatusCode::NotFound);
  auto ships = store_->PendingShipments("acme").value();
  ASSERT_EQ(ships.size(), 2u);
  EXPECT_EQ(ships[0].order_key, "acme:2");
  EXPECT_EQ(ships[0].attempts, 0);
  EXPECT_EQ(store_->PendingIntents("acme").value().size(), 1u);

  // Failed 2 alone (the last of a step): recorded; no intent begun.
  auto last = store_->FinishAndBeginUpload({second.value(), "acme:2", "T2", false, "cart 422"}, "",
                                           "", kNow + 4);
  ASSERT_TRUE(last.ok()) << last.status().message();
  EXPECT_EQ(last.value(), 0);
  ships = store_->PendingShipments("acme").value();
  ASSERT_EQ(ships.size(), 2u);
  EXPECT_EQ(ships[0].attempts, 1);
  EXPECT_EQ(ships[0].error, "cart 422");
  EXPECT_EQ(Get("acme:2").status, OrderStatus::Shipped);
  EXPECT_TRUE(store_->PendingIntents("acme").value().empty());
}

// --- inventory ------------------------------------------------------------------

TEST_P(StateStoreContract, PushedInventoryUpserts) {
  EXPECT_TRUE(store_->PushedInventory("acme").value().empty());
  ASSERT_TRUE(store_->RecordPushedInventory("acme", {{"A", 5}, {"B", 0}}, kNow).ok());
  ASSERT_TRUE(store_->RecordPushedInventory("zeta", {{"A", 9}}, kNow).ok());
  ASSERT_TRUE(store_->RecordPushedInventory("acme", {{"B", 7}, {"C", 1}}, kNow + 1).ok());
  EXPECT_EQ(store_->PushedInventory("acme").value(),
            (std::map<std::string, int64_t>{{"A", 5}, {"B", 7}, {"C", 1}}));
  EXPECT_EQ(store_->PushedInventory("zeta").value(), (std::map<std::string, int64_t>{{"A", 9}}));
}

// --- runs -----------------------------------------------------------------------

TEST_P(StateStoreContract, RunsAndStepRuns) {
  RunRecord run;
  run.started_ms = kNow;
  run.host = "box";
  run.pid = 42;
  auto r1 = store_->BeginRun(run);
  ASSERT_TRUE(r1.ok()) << r1.status().message();
  run.started_ms = kNow + 1000;
  auto r2 = store_->BeginRun(run);
  ASSERT_TRUE(r2.ok());

  EXPECT_EQ(store_->LastSuccessMs("acme.order_download").value(), std::nullopt);
  StepRunRecord s{
      r1.value(), "acme.order_download", "acme", "order_download", kNow, kNow + 10, true,
      "",         R"({"downloaded":3})"};
  ASSERT_TRUE(store_->RecordStepRun(s).ok());
  s.finished_ms = kNow + 20;
  s.ok = false;
  s.error = "cart returned 500";
  ASSERT_TRUE(store_->RecordStepRun(s).ok());
  s.run_id = r2.value();
  s.finished_ms = kNow + 1010;
  s.ok = true;
  s.error = "";
  ASSERT_TRUE(store_->RecordStepRun(s).ok());
  s.finished_ms = kNow + 5000;
  s.ok = false;
  ASSERT_TRUE(store_->RecordStepRun(s).ok());
  EXPECT_EQ(store_->LastSuccessMs("acme.order_download").value(), kNow + 1010);
  EXPECT_EQ(store_->LastSuccessMs("acme.inventory_upload").value(), std::nullopt);

  ASSERT_TRUE(store_->FinishRun(r1.value(), "failed", kNow + 30, R"({"errors":1})").ok());
  EXPECT_EQ(store_->FinishRun(9999, "ok", kNow, "").code(), StatusCode::NotFound);

  auto runs = store_->Runs(10).value();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].id, r2.value()) << "newest first";
  EXPECT_EQ(runs[0].status, "running");
  EXPECT_EQ(runs[1].id, r1.value());
  EXPECT_EQ(runs[1].status, "failed");
  EXPECT_EQ(runs[1].finished_ms, kNow + 30);
  EXPECT_EQ(runs[1].summary_json, R"({"errors":1})");
  EXPECT_EQ(runs[1].host, "box");
  EXPECT_EQ(runs[1].pid, 42);
  EXPECT_EQ(store_->Runs(1).value().size(), 1u);

  auto steps = store_->StepRuns(r1.value()).value();
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].step_id, "acme.order_download");
  EXPECT_EQ(steps[0].cart_id, "acme");
  EXPECT_EQ(steps[0].service, "order_download");
  EXPECT_TRUE(steps[0].ok);
  EXPECT_EQ(steps[0].counts_json, R"({"downloaded":3})");
  EXPECT_FALSE(steps[1].ok);
  EXPECT_EQ(steps[1].error, "cart returned 500");
  EXPECT_EQ(store_->StepRuns(r2.value()).value().size(), 2u);

  s.run_id = 9999;  // no such run
  EXPECT_EQ(store_->RecordStepRun(s).code(), StatusCode::Permanent);
}

// --- leases ---------------------------------------------------------------------

TEST_P(StateStoreContract, LeaseTakeOverOnlyFromTheNamedOwner) {
  LeaseInfo dead{"acme", "run-dead", "host-a", 100, kNow + 60'000, "1:100:7"};
  LeaseInfo me{"acme", "run-me", "host-a", 200, kNow + 60'000, "1:200:9"};
  ASSERT_TRUE(store_->AcquireLease(dead, kNow, nullptr).ok());
  LeaseInfo holder;
  EXPECT_EQ(store_->AcquireLease(me, kNow + 1, &holder).code(), StatusCode::Locked);
  EXPECT_EQ(holder.process, "1:100:7");
  // Naming someone else (another run took over first) takes nothing.
  EXPECT_EQ(store_->AcquireLease(me, kNow + 1, &holder, "run-other").code(), StatusCode::Locked);
  ASSERT_TRUE(store_->AcquireLease(me, kNow + 1, &holder, "run-dead").ok());
  auto leases = store_->Leases().value();
  ASSERT_EQ(leases.size(), 1u);
  EXPECT_EQ(leases[0].owner, "run-me");
  EXPECT_EQ(leases[0].process, "1:200:9");
  // A third run that also saw run-dead as the holder loses the race.
  LeaseInfo late{"acme", "run-late", "host-a", 300, kNow + 60'000, "1:300:9"};
  EXPECT_EQ(store_->AcquireLease(late, kNow + 2, &holder, "run-dead").code(), StatusCode::Locked);
  EXPECT_EQ(holder.owner, "run-me");
}

TEST_P(StateStoreContract, LeasesAcrossTwoStoreObjects) {
  CARTSYNC_SECOND_STORE(other);
  LeaseInfo a{"acme", "run-a", "host-a", 100, kNow + 60'000, ""};
  LeaseInfo b{"acme", "run-b", "host-b", 200, kNow + 60'000, ""};
  LeaseInfo holder;
  ASSERT_TRUE(store_->AcquireLease(a, kNow, &holder).ok());

  Status locked = other.AcquireLease(b, kNow + 1000, &holder);
  ASSERT_EQ(locked.code(), StatusCode::Locked);
  EXPECT_EQ(holder.cart_id, "acme");
  EXPECT_EQ(holder.owner, "run-a");
  EXPECT_EQ(holder.host, "host-a");
  EXPECT_EQ(holder.pid, 100);
  EXPECT_EQ(holder.expires_ms, kNow + 60'000);
  EXPECT_EQ(locked.message(),
            "cart acme is locked by run run-a on host-a pid 100 until 2026-11-18T11:07:40Z");
  EXPECT_EQ(other.AcquireLease(b, kNow + 1000, nullptr).code(), StatusCode::Locked);

  // The holder may take it again (and extend it); renewing works too.
  a.expires_ms = kNow + 90'000;
  ASSERT_TRUE(store_->AcquireLease(a, kNow + 2000, nullptr).ok());
  ASSERT_TRUE(store_->RenewLease("acme", "run-a", kNow + 120'000).ok());
  EXPECT_EQ(other.RenewLease("acme", "run-b", kNow + 999'999).code(), StatusCode::Locked);
  EXPECT_EQ(other.ReleaseLease("acme", "run-b").code(), StatusCode::Locked);
  auto leases = other.Leases().value();
  ASSERT_EQ(leases.size(), 1u);
  EXPECT_EQ(leases[0].owner, "run-a");
  EXPECT_EQ(leases[0].expires_ms, kNow + 120'000);

  // Still held one ms before expiry; free at expiry.
  EXPECT_EQ(other.AcquireLease(b, kNow + 119'999, nullptr).code(), StatusCode::Locked);
  b.expires_ms = kNow + 200'000;
  ASSERT_TRUE(other.AcquireLease(b, kNow + 120'000, nullptr).ok());
  Status lost = store_->RenewLease("acme", "run-a", kNow + 300'000);
  EXPECT_EQ(lost.code(), StatusCode::Locked);
  EXPECT_NE(lost.message().find("run-b"), std::string::npos) << lost.message();
  EXPECT_EQ(store_->ReleaseLease("acme", "run-a").code(), StatusCode::Locked)
      << "releasing must not drop another run's lease";
  EXPECT_EQ(store_->Leases().value()[0].owner, "run-b");

  ASSERT_TRUE(other.ReleaseLease("acme", "run-b").ok());
  EXPECT_TRUE(other.ReleaseLease("acme", "run-b").ok()) << "releasing twice is harmless";
  EXPECT_TRUE(store_->Leases().value().empty());
}

TEST_P(StateStoreContract, ForceUnlock) {
  if (!CanReopen()) GTEST_SKIP() << "the factory cannot reopen a store";
  EXPECT_EQ(store_->ForceUnlock("acme").code(), StatusCode::NotFound);
  LeaseInfo a{"acme", "run-a", "host-a", 100, kNow + 60'000, ""};
  LeaseInfo z{"zeta", "run-a", "host-a", 100, kNow + 60'000, ""};
  ASSERT_TRUE(store_->AcquireLease(a, kNow, nullptr).ok());
  ASSERT_TRUE(store_->AcquireLease(z, kNow, nullptr).ok());
  auto other = Reopen();
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(other->ForceUnlock("acme").ok());
  auto leases = store_->Leases().value();
  ASSERT_EQ(leases.size(), 1u);
  EXPECT_EQ(leases[0].cart_id, "zeta");
  LeaseInfo b{"acme", "run-b", "host-b", 200, kNow + 60'000, ""};
  EXPECT_TRUE(other->AcquireLease(b, kNow + 1, nullptr).ok());
  EXPECT_EQ(store_->RenewLease("acme", "run-a", kNow + 1).code(), StatusCode::Locked);
}

TEST_P(StateStoreContract, LostLeaseAfterForceUnlockIsReported) {
  LeaseInfo a{"acme", "run-a", "host-a", 100, kNow + 60'000, ""};
  ASSERT_TRUE(store_->AcquireLease(a, kNow, nullptr).ok());
  ASSERT_TRUE(store_->ForceUnlock("acme").ok());
  Status st = store_->RenewLease("acme", "run-a", kNow + 1);
  EXPECT_EQ(st.code(), StatusCode::Locked);
  EXPECT_TRUE(store_->ReleaseLease("acme", "run-a").ok());
}

// --- concurrency ----------------------------------------------------------------

TEST_P(StateStoreContract, ConcurrentWritersThroughTwoConnectionsAndSharedObjects) {
  CARTSYNC_SECOND_STORE(second);
  constexpr int kThreads = 4, kBatches = 15, kPerBatch = 4;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    // Threads 0,2 share store_; 1,3 share `second`: both the objects' own
    // serialization and the engine's locking between connections.
    StateStore* s = (t % 2 == 0) ? store_.get() : &second;
    threads.emplace_back([s, t, &failures] {
      std::string cart = "cart" + std::to_string(t);
      for (int b = 0; b < kBatches; ++b) {
        std::vector<OrderRecord> orders;
        for (int i = 0; i < kPerBatch; ++i) {
          orders.push_back(MakeOrder(cart, std::to_string(b * kPerBatch + i)));
        }
        // Overlap with the previous batch, as real download windows do.
        if (b > 0) orders.push_back(MakeOrder(cart, std::to_string(b * kPerBatch - 1)));
        auto n = s->RecordDownloaded(cart, orders, "orders", "c" + std::to_string(b));
        if (!n.ok() || n.value() != kPerBatch) ++failures;
        for (int i = 0; i < kPerBatch; ++i) {
          std::string key = cart + ":" + std::to_string(b * kPerBatch + i);
          auto intent = s->BeginSend(key, "{}", kNow);
          if (!intent.ok() || !s->CompleteSend(intent.value(), key, "W", kNow + b).ok()) ++failures;
        }
        if (!s->RecordPushedInventory(cart, {{"SKU", b}}, kNow).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  for (int t = 0; t < kThreads; ++t) {
    std::string cart = "cart" + std::to_string(t);
    auto orders = store_->ListOrders({cart, OrderStatus::Sent, 0, std::nullopt});
    ASSERT_TRUE(orders.ok());
    EXPECT_EQ(orders.value().size(), static_cast<size_t>(kBatches * kPerBatch)) << cart;
    EXPECT_EQ(second.GetCursor(cart, "orders").value(), "c" + std::to_string(kBatches - 1));
    EXPECT_EQ(store_->PushedInventory(cart).value().at("SKU"), kBatches - 1);
  }
  EXPECT_TRUE(store_->PendingIntents("").value().empty());
  if (GetParam().check_consistency) {
    EXPECT_EQ(GetParam().check_consistency(), "");
  }
}
// --- persistence ----------------------------------------------------------------

// What one run records, the next run (another store object) finds: every
// role's records, unfinished intents included.
TEST_P(StateStoreContract, RecordsSurviveReopening) {
  if (!CanReopen()) GTEST_SKIP() << "the factory cannot reopen a store";
  DownloadAndSend("acme", {"1"}, kNow + 1);
  ASSERT_TRUE(store_->RecordDownloaded("acme", {MakeOrder("acme", "2")}, "orders", "c1").ok());
  ASSERT_TRUE(
      store_->RecordShipments("acme", {MakeShipment("acme:1", "T1")}, "shipments", "s1").ok());
  auto push = store_->BeginSend("acme:2", R"({"n":2})", kNow + 2);
  ASSERT_TRUE(push.ok()) << push.status().message();
  ASSERT_TRUE(store_->RecordPushedInventory("acme", {{"A", 5}}, kNow).ok());
  ASSERT_TRUE(
      store_
          ->AcquireLease({"acme", "run-a", "host-a", 100, kNow + 60'000, "1:100:7"}, kNow, nullptr)
          .ok());
  auto run = store_->BeginRun({0, kNow, 0, "running", "host-a", 100, ""});
  ASSERT_TRUE(run.ok()) << run.status().message();
  ASSERT_TRUE(store_
                  ->RecordStepRun({run.value(), "acme.order_download", "acme", "order_download",
                                   kNow, kNow + 5, true, "", "{}"})
                  .ok());
  store_.reset();

  store_ = Reopen();
  ASSERT_NE(store_, nullptr);
  OrderRecord one = Get("acme:1");
  EXPECT_EQ(one.status, OrderStatus::Shipped);
  EXPECT_EQ(one.wms_ref, "W-1");
  EXPECT_EQ(one.sent_ms, kNow + 1);
  EXPECT_EQ(Get("acme:2").status, OrderStatus::New);
  EXPECT_EQ(store_->GetCursor("acme", "orders").value(), "c1");
  EXPECT_EQ(store_->GetCursor("acme", "shipments").value(), "s1");
  auto intents = store_->PendingIntents("acme").value();
  ASSERT_EQ(intents.size(), 1u);
  EXPECT_EQ(intents[0].id, push.value());
  EXPECT_EQ(intents[0].doc, R"({"n":2})");
  auto ships = store_->PendingShipments("acme").value();
  ASSERT_EQ(ships.size(), 1u);
  EXPECT_EQ(ships[0].tracking_number, "T1");
  EXPECT_EQ(store_->PushedInventory("acme").value(), (std::map<std::string, int64_t>{{"A", 5}}));
  EXPECT_EQ(store_->SentSince({"acme"}, 0).value(),
            (std::vector<std::string>{R"({"order_key":"acme:1"})"}));
  auto leases = store_->Leases().value();
  ASSERT_EQ(leases.size(), 1u);
  EXPECT_EQ(leases[0].owner, "run-a");
  EXPECT_EQ(leases[0].process, "1:100:7");
  EXPECT_EQ(store_->LastSuccessMs("acme.order_download").value(), kNow + 5);
  auto runs = store_->Runs(0).value();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].id, run.value());
  EXPECT_EQ(store_->StepRuns(run.value()).value().size(), 1u);
}

}  // namespace
}  // namespace cartsync::state_test

// The runner against fakes of the cart and the WMS, with a real SQLite
// state store in a temp dir and a fake clock: every rule of the runtime
// issue, each with a test that fails without it.
#include "runtime/runner.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <sstream>

#include "compiler/compiler.h"
#include "compiler/planner.h"
#include "model/plan.h"
#include "runtime/report.h"
#include "runtime/state/sqlite_state_store.h"
#include "tests/support/cart_builder.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_environment.h"
#include "tests/support/temp_dir.h"

namespace cartsync {
namespace {

// The cart most tests run: Shopify, all three services, two ship methods, a
// blacklist, a country filter and one carrier code.
CartToml AcmeCart() {
  return CartToml()
      .Id("acme")
      .Client("acme-apparel")
      .Platform("shopify")
      .Api("store_url", "https://acme.myshopify.com")
      .ApiSecret("access_token", "env:ACME_TOKEN")
      .Every(Service::OrderDownload, "15m")
      .Every(Service::ShipmentUpload, "30m")
      .Every(Service::InventoryUpload, "1h")
      .EarliestOrderDate("2026-01-01")
      .RejectUnmappedShipCodes()
      .MinimumInventoryLevel(2)
      .ShipMethod("Standard", "UPS/GROUND")
      .ShipMethod("Express*", "FEDEX/FEDEX_2_DAY")
      .Items("blacklist", {"GIFT-*"})
      .OrderFilter("ship_to.country", {"US", "CA"})
      .CarrierCode("UPS", "ups");
}

CartOrder MakeOrder(const std::string& id, const std::string& ship_code,
                    const std::string& country = "US", const std::string& sku = "TS-RED-M",
                    const std::string& placed = "2026-11-20T10:00:00Z") {
  CartOrder o;
  o.id = id;
  o.order_number = "#" + id;
  o.placed_at = placed;
  o.updated_at = placed;
  o.ship_code = ship_code;
  o.ship_to.name = "Ann";
  o.ship_to.country = country;
  o.lines.push_back({"L" + id, sku, 2, "19.99"});
  return o;
}

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteStateStore::Open(dir_.path() + "/state.db");
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store.value());
    Recompile(AcmeCart());
  }
  void TearDown() override { store_.reset(); }

  void Recompile(const CartToml& cart) {
    CompileOptions o;
    o.today = {2026, 11, 27};
    Compilation c;
    CompileTexts(ProjectToml().Text(), {{"carts.d/acme.toml", cart.Text()}}, o, c);
    ASSERT_FALSE(c.diags.has_errors());
    plan_ = BuildPlan(c);
  }

  void SetZone(const std::string& zone) {
    for (PlanCart& cart : plan_.carts)
      for (PlanStep& step : cart.steps)
        if (step.every.kind == Schedule::Kind::Daily) step.every.tz = zone;
  }

  RunReport Run(RunOptions options = {}) {
    RunLog log(log_, LogFormat::Text, clock_);
    if (options.owner.empty()) options.owner = "test-run";
    return Runner(plan_, *store_, env_, clock_, log, options).Run();
  }

  const StepOutcome& Step(const RunReport& r, const std::string& id) {
    for (const StepOutcome& s : r.steps)
      if (s.step_id == id) return s;
    ADD_FAILURE() << "no step " << id;
    return r.steps.front();
  }

  OrderRecord Order(const std::string& id) {
    auto r = store_->GetOrder("acme:" + id);
    EXPECT_TRUE(r.ok() && r.value()) << "order " << id;
    return r.ok() && r.value() ? *r.value() : OrderRecord{};
  }

  FakeCartState& cart() { return env_.carts["acme"]; }

  TempDir dir_;
  std::unique_ptr<SqliteStateStore> store_;
  Plan plan_;
  FakeEnvironment env_;
  FakeClock clock_{1'795'000'000'000};  // 2026-11-18
  std::ostringstream log_;
};

TEST_F(RunnerTest, SendsHoldsAndSkipsWithReasons) {
  cart().orders = {MakeOrder("1", "Standard"), MakeOrder("2", "Next Day"),
                   MakeOrder("3", "Standard", "DE"), MakeOrder("4", "Express Saver"),
                   MakeOrder("5", "Standard", "US", "GIFT-CARD")};
  RunReport r = Run();
  const StepCounts& c = Step(r, "acme/order_download").counts;
  EXPECT_EQ(c.downloaded, 5);
  EXPECT_EQ(c.sent, 2);
  EXPECT_EQ(c.held, 1);
  EXPECT_EQ(c.skipped, 2);
  EXPECT_EQ(env_.wms.pushes, 2);
  EXPECT_EQ(env_.wms.orders["acme:1"].ship_method.carrier, "UPS");
  EXPECT_EQ(env_.wms.orders["acme:4"].ship_method.service, "FEDEX_2_DAY");
  EXPECT_EQ(Order("1").status, OrderStatus::Sent);
  EXPECT_EQ(Order("1").wms_ref, "WMS-acme:1");
  EXPECT_EQ(Order("2").status, OrderStatus::Held);
  EXPECT_EQ(Order("2").reason, "ship code \"Next Day\" is not mapped in [ship_methods]");
  EXPECT_EQ(Order("3").reason,
            "order filter: ship_to.country \"DE\" matches none of \"US\", \"CA\"");
  EXPECT_EQ(Order("5").reason, "every item is excluded by [items]");
  EXPECT_TRUE(r.ok());
}

TEST_F(RunnerTest, OrderWithoutShipCodeIsHeldSayingSo) {
  cart().orders = {MakeOrder("1", "")};
  Run();
  EXPECT_EQ(Order("1").status, OrderStatus::Held);
  EXPECT_EQ(Order("1").reason,
            "the order has no ship code, and [ship_methods] has no \"*\" to map it");
}

TEST_F(RunnerTest, OldOrderUpdatedLaterIsSkippedByEarliestDate) {
  cart().orders = {MakeOrder("1", "Standard")};
  Run();
  // A later pull goes by update time, so an old order edited today comes back.
  CartOrder old = MakeOrder("6", "Standard", "US", "TS", "2025-12-31T23:00:00Z");
  old.updated_at = "2026-11-21T09:00:00Z";
  cart().orders.push_back(old);
  Run();
  EXPECT_EQ(Order("6").status, OrderStatus::Skipped);
  EXPECT_EQ(Order("6").reason,
            "placed 2025-12-31T23:00:00Z, before earliest_order_date 2026-01-01 (00:00 UTC)");
  EXPECT_EQ(env_.wms.pushes, 1);
}

TEST_F(RunnerTest, RerunIsANoOp) {
  cart().orders = {MakeOrder("1", "Standard"), MakeOrder("2", "Standard")};
  Run();
  clock_.Advance(60'000);
  RunReport again = Run();
  EXPECT_EQ(env_.wms.pushes, 2);
  EXPECT_EQ(Step(again, "acme/order_download").counts.downloaded, 0);
  EXPECT_EQ(Step(again, "acme/order_download").counts.sent, 0);
}

TEST_F(RunnerTest, FirstPullReachesBackToEarliestDateLaterPullsSlideWithOverlap) {
  cart().orders = {MakeOrder("1", "Standard", "US", "TS", "2026-11-20T10:00:00Z")};
  Run();
  Run();
  ASSERT_EQ(cart().windows.size(), 2u);
  int64_t earliest = 0, cursor = 0;
  ParseTimestamp("2026-01-01T00:00:00Z", earliest);
  ParseTimestamp("2026-11-20T10:00:00Z", cursor);
  EXPECT_EQ(cart().windows[0].created_after, earliest);
  EXPECT_FALSE(cart().windows[0].updated_after.has_value());
  EXPECT_EQ(cart().windows[1].updated_after, cursor - 600);
  EXPECT_EQ(cart().windows[1].statuses.at("financial_status"),
            (std::vector<std::string>{"paid", "partially_refunded"}));
}

TEST_F(RunnerTest, HeldOrderReleasedWhenConfigMapsItsCode) {
  cart().orders = {MakeOrder("2", "Next Day")};
  Run();
  EXPECT_EQ(Order("2").status, OrderStatus::Held);
  Recompile(AcmeCart().ShipMethod("Next Day", "UPS/NEXT_DAY_AIR"));
  RunReport r = Run();
  EXPECT_EQ(Step(r, "acme/order_download").counts.released, 1);
  EXPECT_EQ(Order("2").status, OrderStatus::Sent);
  EXPECT_EQ(env_.wms.orders["acme:2"].ship_method.service, "NEXT_DAY_AIR");
}

// Downloaded orders are recorded in groups (order_download.cc): the orders
// of the pages read before a failing page are kept, the cursor stays, and
// the next run reads them again without sending any twice.
TEST_F(RunnerTest, OrdersReadBeforeAFailingPageAreKeptAndTheCursorStays) {
  cart().orders = {MakeOrder("1", "Standard"), MakeOrder("2", "Standard"),
                   MakeOrder("3", "Standard"), MakeOrder("4", "Standard"),
                   MakeOrder("5", "Standard")};
  cart().fail_fetch = Status::Transient("HTTP 502 on page 3");
  cart().fail_fetch_after_pages = 2;
  RunReport r = Run();
  EXPECT_FALSE(r.ok());
  const StepOutcome& step = Step(r, "acme/order_download");
  EXPECT_NE(step.error.find("downloading orders: HTTP 502 on page 3"), std::string::npos)
      << step.error;
  EXPECT_EQ(step.counts.downloaded, 4);
  EXPECT_EQ(env_.wms.pushes, 0);  // nothing is sent after a failed download
  for (const char* id : {"1", "2", "3", "4"}) EXPECT_EQ(Order(id).status, OrderStatus::New);
  auto fifth = store_->GetOrder("acme:5");
  ASSERT_TRUE(fifth.ok());
  EXPECT_FALSE(fifth.value().has_value());
  auto cursor = store_->GetCursor("acme", "orders");
  ASSERT_TRUE(cursor.ok());
  EXPECT_FALSE(cursor.value().has_value());

  cart().fail_fetch = Status::Ok();
  clock_.Advance(60'000);
  RunReport again = Run();
  EXPECT_TRUE(again.ok());
  EXPECT_EQ(Step(again, "acme/order_download").counts.downloaded, 1);
  EXPECT_EQ(env_.wms.pushes, 5);
  for (const char* id : {"1", "2", "3", "4", "5"}) EXPECT_EQ(Order(id).status, OrderStatus::Sent);
}

TEST_F(RunnerTest, TransientWmsFailureKeepsOrderNewAndRetriesNextRun) {
  cart().orders = {MakeOrder("1", "Standard")};
  env_.wms.fail_push = Status::Transient("HTTP 503 after 5 attempts");
  RunReport r = Run();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(Step(r, "acme/order_download").state, StepOutcome::State::Failed);
  EXPECT_EQ(Order("1").status, OrderStatus::New);
  EXPECT_EQ(Order("1").attempts, 1);
  auto intents = store_->PendingIntents("acme");
  ASSERT_TRUE(intents.ok());
  EXPECT_TRUE(intents.value().empty());
  env_.wms.fail_push = Status::Ok();
  RunReport again = Run();
  EXPECT_TRUE(again.ok());
  EXPECT_EQ(Order("1").status, OrderStatus::Sent);
  EXPECT_EQ(env_.wms.pushes, 1);
}

// Orders go out in batches (intents in one transaction, results in
// another) over several WMS connections at once: across batch boundaries and
// with some pushes failing, every order reaches the WMS exactly once.
TEST_F(RunnerTest, BatchedParallelSendsDeliverEachOrderOnce) {
  for (int i = 1; i <= 250; ++i) cart().orders.push_back(MakeOrder(std::to_string(i), "Standard"));
  env_.wms.push_delay_ms = 2;
  env_.wms.fail_push = Status::Transient("HTTP 503");
  env_.wms.fail_push_times = 7;
  RunReport r = Run();
  const StepCounts& c = Step(r, "acme/order_download").counts;
  EXPECT_EQ(c.sent, 243);
  EXPECT_EQ(c.send_failed, 7);
  EXPECT_FALSE(r.ok());
  EXPECT_GT(env_.wms.max_in_flight, 1) << "pushes went out one at a time";
  EXPECT_LE(env_.wms.max_in_flight, RunOptions{}.wms_connections);
  auto intents = store_->PendingIntents("acme");
  ASSERT_TRUE(intents.ok());
  EXPECT_TRUE(intents.value().empty());

  RunReport again = Run();
  EXPECT_TRUE(again.ok());
  EXPECT_EQ(Step(again, "acme/order_download").counts.sent, 7);
  EXPECT_EQ(env_.wms.pushes, 250);
  EXPECT_EQ(env_.wms.orders.size(), 250u);
  for (int i = 1; i <= 250; ++i) EXPECT_EQ(Order(std::to_string(i)).status, OrderStatus::Sent) << i;
}

// A send that failed in a way that leaves open whether the WMS took the
// order (a timeout) is looked up before it goes again.
TEST_F(RunnerTest, RetryAsksTheWmsBeforeSendingAgain) {
  cart().orders = {MakeOrder("1", "Standard")};
  env_.wms.fail_push = Status::Transient("timed out");
  Run();
  ASSERT_EQ(Order("1").attempts, 1);
  // The WMS did take it; only the answer was lost.
  env_.wms.orders["acme:1"] = WmsOrder{};
  env_.wms.fail_push = Status::Ok();
  RunReport r = Run();
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(env_.wms.pushes, 0) << "sent again although the WMS had it";
  EXPECT_EQ(Order("1").status, OrderStatus::Sent);
  EXPECT_EQ(Order("1").wms_ref, "WMS-acme:1");
}

TEST_F(RunnerTest, RetryWindowExhaustedAfterFifteenDays) {
  cart().orders = {MakeOrder("1", "Standard")};
  env_.wms.fail_push = Status::Transient("down");
  Run();
  clock_.Advance(14LL * 24 * 3600 * 1000);
  Run();
  EXPECT_EQ(Order("1").status, OrderStatus::New);
  clock_.Advance(2LL * 24 * 3600 * 1000);
  Run();
  EXPECT_EQ(Order("1").status, OrderStatus::Held);
  EXPECT_EQ(Order("1").reason, "retry window exhausted");
  env_.wms.fail_push = Status::Ok();
  Run();
  EXPECT_EQ(Order("1").status, OrderStatus::Held) << "only a person releases it";
  EXPECT_EQ(env_.wms.pushes, 0);
}

TEST_F(RunnerTest, PermanentWmsRejectionHoldsWithReason) {
  cart().orders = {MakeOrder("1", "Standard")};
  env_.wms.fail_push = Status::Permanent("HTTP 422: ship_to.postal_code is required");
  Run();
  EXPECT_EQ(Order("1").status, OrderStatus::Held);
  EXPECT_EQ(Order("1").reason, "WMS rejected the order: HTTP 422: ship_to.postal_code is required");
}

TEST_F(RunnerTest, CrashAfterPushIsReconciledWithoutResending) {
  cart().orders = {MakeOrder("1", "Standard")};
  // A previous run recorded the intent and pushed, then died before recording the result.
  ASSERT_TRUE(store_
                  ->RecordDownloaded("acme", {[] {
                                       OrderRecord r;
                                       r.order_key = "acme:1";
                                       r.cart_id = "acme";
                                       r.order_id = "1";
                                       r.order_number = "#1";
                                       r.cart_order_json = ToJson(MakeOrder("1", "Standard"));
                                       return r;
                                     }()},
                                     "orders", "")
                  .ok());
  auto intent = store_->BeginSend("acme:1", "{}", clock_.NowMs());
  ASSERT_TRUE(intent.ok());
  env_.wms.orders["acme:1"] = WmsOrder{};
  env_.wms.pushes = 1;
  RunReport r = Run();
  EXPECT_EQ(Step(r, "acme/order_download").counts.reconciled, 1);
  EXPECT_EQ(env_.wms.pushes, 1) << "the WMS already had it";
  EXPECT_EQ(Order("1").status, OrderStatus::Sent);
}

TEST_F(RunnerTest, CrashBeforePushIsReconciledBySendingOnce) {
  cart().orders = {MakeOrder("1", "Standard")};
  Run({.services = {Service::ShipmentUpload}});  // nothing downloaded yet
  ASSERT_TRUE(store_
                  ->RecordDownloaded("acme", {[] {
                                       OrderRecord r;
                                       r.order_key = "acme:1";
                                       r.cart_id = "acme";
                                       r.order_id = "1";
                                       r.order_number = "#1";
                                       r.cart_order_json = ToJson(MakeOrder("1", "Standard"));
                                       return r;
                                     }()},
                                     "orders", "")
                  .ok());
  ASSERT_TRUE(store_->BeginSend("acme:1", "{}", clock_.NowMs()).ok());
  Run();
  EXPECT_EQ(env_.wms.pushes, 1);
  EXPECT_EQ(Order("1").status, OrderStatus::Sent);
}

// A stored order as a previous run left it (downloaded, not yet sent).
void StoreOrder(StateStore& store, const CartOrder& o) {
  OrderRecord r;
  r.order_key = "acme:" + o.id;
  r.cart_id = "acme";
  r.order_id = o.id;
  r.order_number = o.order_number;
  r.cart_order_json = ToJson(o);
  ASSERT_TRUE(store.RecordDownloaded("acme", {r}, "orders", "").ok());
}

TEST_F(RunnerTest, CartThatAcknowledgesHearsOfEachSentOrderOnce) {
  cart().acknowledges = true;
  cart().orders = {MakeOrder("1", "Standard"), MakeOrder("2", "Express Saver"),
                   MakeOrder("3", "Pigeon")};
  RunReport r = Run();
  const StepCounts& c = Step(r, "acme/order_download").counts;
  EXPECT_EQ(c.sent, 2);
  EXPECT_EQ(c.acknowledged, 2);
  EXPECT_EQ(cart().ack_calls, (std::map<std::string, int>{{"1", 1}, {"2", 1}}))
      << "held order 3 is not acknowledged";
  EXPECT_FALSE(Order("1").ack_pending);
  Run();
  EXPECT_EQ(cart().ack_calls, (std::map<std::string, int>{{"1", 1}, {"2", 1}})) << "rerun";
}

TEST_F(RunnerTest, CartThatDoesNotAcknowledgeIsNeverAsked) {
  cart().orders = {MakeOrder("1", "Standard")};
  Run();
  EXPECT_TRUE(cart().ack_calls.empty());
  EXPECT_FALSE(Order("1").ack_pending);
}

TEST_F(RunnerTest, FailedAcknowledgementStaysPendingAndIsRetriedWithoutResending) {
  cart().acknowledges = true;
  cart().fail_ack = Status::Transient("walmart: HTTP 503 on POST /v3/orders/1/acknowledge");
  cart().orders = {MakeOrder("1", "Standard"), MakeOrder("2", "Standard")};
  RunReport r = Run();
  const StepOutcome& s = Step(r, "acme/order_download");
  EXPECT_EQ(s.state, StepOutcome::State::Failed);
  EXPECT_NE(s.error.find("2 orders sent but not acknowledged"), std::string::npos) << s.error;
  EXPECT_EQ(s.counts.sent, 2);
  EXPECT_EQ(s.counts.ack_failed, 2);
  EXPECT_EQ(Order("1").status, OrderStatus::Sent);
  EXPECT_TRUE(Order("1").ack_pending);
  cart().fail_ack = Status::Ok();
  r = Run();
  EXPECT_EQ(Step(r, "acme/order_download").state, StepOutcome::State::Ok);
  EXPECT_EQ(Step(r, "acme/order_download").counts.acknowledged, 2);
  EXPECT_EQ(env_.wms.pushes, 2) << "the orders are not sent again";
  EXPECT_EQ(cart().acknowledged, (std::set<std::string>{"1", "2"}));
  EXPECT_FALSE(Order("2").ack_pending);
}

TEST_F(RunnerTest, CrashBetweenSendAndAcknowledgementEndsAcknowledgedOnce) {
  cart().acknowledges = true;
  // A run recorded the send (acknowledgement pending) and died before the call.
  StoreOrder(*store_, MakeOrder("1", "Standard"));
  auto intent = store_->BeginSend("acme:1", "{}", clock_.NowMs());
  ASSERT_TRUE(intent.ok());
  ASSERT_TRUE(store_->CompleteSend(intent.value(), "acme:1", "W1", clock_.NowMs(), true).ok());
  env_.wms.orders["acme:1"] = WmsOrder{};
  env_.wms.pushes = 1;
  RunReport r = Run();
  EXPECT_EQ(Step(r, "acme/order_download").counts.acknowledged, 1);
  EXPECT_EQ(cart().ack_calls["1"], 1);
  EXPECT_EQ(env_.wms.pushes, 1);
  EXPECT_FALSE(Order("1").ack_pending);
}

TEST_F(RunnerTest, CrashAfterPushBeforeResultIsReconciledAndAcknowledged) {
  cart().acknowledges = true;
  StoreOrder(*store_, MakeOrder("1", "Standard"));
  ASSERT_TRUE(store_->BeginSend("acme:1", "{}", clock_.NowMs()).ok());
  env_.wms.orders["acme:1"] = WmsOrder{};
  env_.wms.pushes = 1;
  RunReport r = Run();
  EXPECT_EQ(Step(r, "acme/order_download").counts.reconciled, 1);
  EXPECT_EQ(cart().ack_calls["1"], 1);
  EXPECT_EQ(env_.wms.pushes, 1);
  EXPECT_EQ(Order("1").status, OrderStatus::Sent);
  EXPECT_FALSE(Order("1").ack_pending);
}

TEST_F(RunnerTest, DryRunAcknowledgesNothing) {
  cart().acknowledges = true;
  StoreOrder(*store_, MakeOrder("1", "Standard"));
  auto intent = store_->BeginSend("acme:1", "{}", clock_.NowMs());
  ASSERT_TRUE(intent.ok());
  ASSERT_TRUE(store_->CompleteSend(intent.value(), "acme:1", "W1", clock_.NowMs(), true).ok());
  Run({.dry_run = true});
  EXPECT_TRUE(cart().ack_calls.empty());
  EXPECT_TRUE(Order("1").ack_pending);
}

TEST_F(RunnerTest, ShipmentsUploadedOnceWithMappedCarrier) {
  cart().orders = {MakeOrder("1", "Standard"), MakeOrder("2", "Standard")};
  Run();
  env_.wms.shipments = {{"acme:1", "UPS", "GROUND", "1Z001", "2026-11-21T10:00:00Z", {}},
                        {"other-cart:9", "UPS", "GROUND", "1Z999", "2026-11-21T10:00:00Z", {}},
                        {"acme:2", "FEDEX", "FEDEX_2_DAY", "7890", "2026-11-21T11:00:00Z", {}}};
  RunReport r = Run();
  EXPECT_EQ(Step(r, "acme/shipment_upload").counts.tracking_uploaded, 2);
  ASSERT_EQ(cart().uploads.size(), 2u);
  EXPECT_EQ(cart().uploads[0].carrier_code, "ups");
  EXPECT_EQ(cart().uploads[1].carrier_code, "FEDEX") << "unmapped carriers pass through";
  EXPECT_EQ(Order("1").status, OrderStatus::Confirmed);
  Run();
  EXPECT_EQ(cart().uploads.size(), 2u) << "rerun uploads nothing";
}

TEST_F(RunnerTest, TrackingUploadInterruptedIsReconciledFromTheCart) {
  cart().orders = {MakeOrder("1", "Standard")};
  Run();
  env_.wms.shipments = {{"acme:1", "UPS", "GROUND", "1Z001", "2026-11-21T10:00:00Z", {}}};
  cart().fail_upload = Status::Transient("timeout");
  RunReport failed = Run();
  EXPECT_EQ(Step(failed, "acme/shipment_upload").state, StepOutcome::State::Failed);
  // The cart got it after all (the timeout hid a success), and a crash left an intent.
  cart().tracking["1"].push_back("1Z001");
  ASSERT_TRUE(store_->BeginUpload("acme:1", "1Z001", clock_.NowMs()).ok());
  cart().fail_upload = Status::Ok();
  Run();
  EXPECT_TRUE(cart().uploads.empty()) << "no second post";
  EXPECT_EQ(Order("1").status, OrderStatus::Confirmed);
}

TEST_F(RunnerTest, InventoryPushesOnlyChangesAboveMinimumAndFiltered) {
  env_.wms.inventory = {{"TS-RED-M", "east", 10, 12},
                        {"TS-RED-M", "west", 5, 5},
                        {"TS-BLU-S", "east", 1, 1},
                        {"GIFT-CARD", "east", 100, 100}};
  RunReport r = Run();
  const StepCounts& c = Step(r, "acme/inventory_upload").counts;
  EXPECT_EQ(c.skus_pushed, 2);
  EXPECT_EQ(c.skus_filtered, 1);
  EXPECT_EQ(cart().stock["TS-RED-M"], 15);
  EXPECT_EQ(cart().stock["TS-BLU-S"], 0) << "below minimum_inventory_level";
  cart().pushes.clear();
  Run();
  EXPECT_TRUE(cart().pushes.empty());
  env_.wms.inventory[0].available = 7;
  Run();
  ASSERT_EQ(cart().pushes.size(), 1u);
  EXPECT_EQ(cart().pushes[0].quantity, 12);
}

TEST_F(RunnerTest, InventorySubtractsOrdersSentAfterSnapshot) {
  cart().orders = {MakeOrder("1", "Standard")};  // 2 x TS-RED-M
  env_.wms.inventory = {{"TS-RED-M", "east", 10, 10}};
  env_.wms.as_of = clock_.NowSeconds() - 60;
  Run();
  EXPECT_EQ(cart().stock["TS-RED-M"], 8);
}

TEST_F(RunnerTest, DryRunWritesNothingAnywhere) {
  cart().orders = {MakeOrder("1", "Standard"), MakeOrder("2", "Next Day")};
  env_.wms.inventory = {{"TS-RED-M", "east", 10, 10}};
  RunReport r = Run({.dry_run = true});
  EXPECT_EQ(env_.wms.pushes, 0);
  EXPECT_TRUE(cart().pushes.empty());
  auto orders = store_->ListOrders({});
  ASSERT_TRUE(orders.ok());
  EXPECT_TRUE(orders.value().empty());
  auto runs = store_->Runs(10);
  EXPECT_TRUE(runs.value().empty());
  const StepOutcome& s = Step(r, "acme/order_download");
  ASSERT_EQ(s.preview.size(), 2u);
  EXPECT_EQ(s.preview[0], "would send #1 (acme:1) as UPS/GROUND");
  EXPECT_EQ(s.preview[1],
            "would hold #2 (acme:2): ship code \"Next Day\" is not mapped in [ship_methods]");
  EXPECT_EQ(Step(r, "acme/inventory_upload").preview,
            (std::vector<std::string>{"would set TS-RED-M to 10"}));
}

TEST_F(RunnerTest, LockedCartIsReportedAndUntouched) {
  cart().orders = {MakeOrder("1", "Standard")};
  LeaseInfo other{"acme", "other-run", "host2", 42, clock_.NowMs() + 60'000};
  ASSERT_TRUE(store_->AcquireLease(other, clock_.NowMs(), nullptr).ok());
  RunReport r = Run();
  EXPECT_EQ(Step(r, "acme/order_download").state, StepOutcome::State::Locked);
  EXPECT_NE(Step(r, "acme/order_download").error.find("host2"), std::string::npos);
  EXPECT_EQ(env_.wms.pushes, 0);
  EXPECT_TRUE(r.ok()) << "a locked cart is not a failure";
  clock_.Advance(61'000);  // the other run's lease expired (it crashed)
  Run();
  EXPECT_EQ(env_.wms.pushes, 1);
}

// A run killed on this host leaves its lease behind; the next run takes it
// over at once (and reconciles) when the holder's process is gone — and
// never when it still runs or lives on another host.
TEST_F(RunnerTest, LeaseOfADeadRunOnThisHostIsTakenOver) {
  cart().orders = {MakeOrder("1", "Standard")};
  char host[256] = {0};
  ASSERT_EQ(::gethostname(host, sizeof host - 1), 0);
  LeaseInfo crashed{
      "acme", "crashed-run", host, 4242, clock_.NowMs() + 15 * 60'000, "4026531836:4242:777"};
  ASSERT_TRUE(store_->AcquireLease(crashed, clock_.NowMs(), nullptr).ok());

  RunReport alive = Run();  // the holder still runs
  EXPECT_EQ(Step(alive, "acme/order_download").state, StepOutcome::State::Locked);
  EXPECT_EQ(env_.wms.pushes, 0);

  LeaseInfo remote = crashed;
  remote.owner = "remote-run";
  remote.host = std::string(host) + "-elsewhere";
  ASSERT_TRUE(store_->ForceUnlock("acme").ok());
  ASSERT_TRUE(store_->AcquireLease(remote, clock_.NowMs(), nullptr).ok());
  env_.processes.gone.insert(crashed.process);
  RunReport other_host = Run();  // same identity, but on another host: cannot tell
  EXPECT_EQ(Step(other_host, "acme/order_download").state, StepOutcome::State::Locked);

  ASSERT_TRUE(store_->ForceUnlock("acme").ok());
  ASSERT_TRUE(store_->AcquireLease(crashed, clock_.NowMs(), nullptr).ok());
  RunReport r = Run();
  EXPECT_EQ(Step(r, "acme/order_download").state, StepOutcome::State::Ok);
  EXPECT_EQ(env_.wms.pushes, 1);
  EXPECT_NE(log_.str().find("taking over the lease of run crashed-run"), std::string::npos)
      << log_.str();
  auto leases = store_->Leases();
  ASSERT_TRUE(leases.ok());
  EXPECT_TRUE(leases.value().empty()) << "the taken-over lease is released at the end";
}

TEST_F(RunnerTest, DueRunsOnlyStepsWhoseScheduleCameRound) {
  Run();
  RunReport soon = Run({.due = true});
  EXPECT_EQ(Step(soon, "acme/order_download").state, StepOutcome::State::NotDue);
  clock_.Advance(16 * 60 * 1000);
  RunReport later = Run({.due = true});
  EXPECT_EQ(Step(later, "acme/order_download").state, StepOutcome::State::Ok);
  EXPECT_EQ(Step(later, "acme/inventory_upload").state, StepOutcome::State::NotDue);
}

// `daily at HH:MM ZONE` comes round at HH:MM on the zone's wall clock, not
// in UTC; an unknown zone fails the step, saying why, instead of guessing.
TEST_F(RunnerTest, DueEvaluatesDailySchedulesInTheirZone) {
  // The fake environment's zones are not in the system tz database that `check` consults:
  // compile with a real zone, then point the plan at the fake one.
  Recompile(AcmeCart().Every(Service::OrderDownload, "daily at 02:30 Etc/UTC"));
  SetZone("Test/Plus2");
  clock_.Advance(42'800'000);  // 2026-11-18T23:00Z = 01:00 on 11-19 at UTC+2
  ASSERT_EQ(Step(Run({.services = {Service::OrderDownload}}), "acme/order_download").state,
            StepOutcome::State::Ok);
  clock_.Advance(80 * 60 * 1000);  // 00:20Z = 02:20 local: not yet
  EXPECT_EQ(Step(Run({.due = true}), "acme/order_download").state, StepOutcome::State::NotDue);
  clock_.Advance(10 * 60 * 1000);  // 00:30Z = 02:30 local (UTC would wait for 02:30Z)
  EXPECT_EQ(Step(Run({.due = true}), "acme/order_download").state, StepOutcome::State::Ok);

  // `check` refuses an unknown zone now; a plan compiled where tzdata knew a zone can
  // still reach a host whose tzdata does not, so the runtime keeps its own error.
  Recompile(AcmeCart().Every(Service::OrderDownload, "daily at 02:30 Europe/Berlin"));
  SetZone("Mars/Olympus");
  clock_.Advance(25LL * 3600 * 1000);
  RunReport r = Run({.due = true});
  EXPECT_EQ(Step(r, "acme/order_download").state, StepOutcome::State::Failed);
  EXPECT_EQ(Step(r, "acme/order_download").error,
            "schedule \"daily at 02:30 Mars/Olympus\": unknown time zone \"Mars/Olympus\"");
  EXPECT_FALSE(r.ok());
}

TEST_F(RunnerTest, DueStepWhoseLastSuccessCannotBeReadFailsAndDoesNotRun) {
  cart().orders = {MakeOrder("1", "Standard")};
  ASSERT_TRUE(Run().ok());
  cart().orders.push_back(MakeOrder("2", "Standard"));
  // The run history unreadable: --due cannot tell, so nothing runs blindly.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() + "/state.db").c_str(), &db), SQLITE_OK);
  EXPECT_EQ(
      sqlite3_exec(db, "ALTER TABLE step_runs RENAME TO step_runs_gone", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  RunReport r = Run({.due = true});
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(Step(r, "acme/order_download").state, StepOutcome::State::Failed);
  EXPECT_NE(Step(r, "acme/order_download").error.find("cannot tell whether the step is due: "),
            std::string::npos)
      << Step(r, "acme/order_download").error;
  EXPECT_EQ(env_.wms.pushes, 1);  // order 2 waits for a run that can tell
}

TEST_F(RunnerTest, FailingCartDoesNotStopOthers) {
  CompileOptions o;
  o.today = {2026, 11, 27};
  Compilation c;
  CompileTexts(ProjectToml().Text(),
               {{"carts.d/acme.toml", AcmeCart().Text()},
                {"carts.d/beta.toml", AcmeCart().Id("beta").Text()}},
               o, c);
  ASSERT_FALSE(c.diags.has_errors());
  plan_ = BuildPlan(c);
  env_.broken_carts = {"acme"};
  env_.carts["beta"].orders = {MakeOrder("1", "Standard")};
  RunReport r = Run();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(Step(r, "acme/order_download").state, StepOutcome::State::Failed);
  EXPECT_EQ(Step(r, "beta/order_download").state, StepOutcome::State::Ok);
  EXPECT_EQ(env_.wms.pushes, 1);
}

TEST_F(RunnerTest, ReportsAndMetrics) {
  cart().orders = {MakeOrder("1", "Standard")};
  RunReport r = Run();
  std::ostringstream table;
  RenderSummaryTable(r, table);
  EXPECT_NE(table.str().find("acme/order_download    ok     1           1     0     0"),
            std::string::npos)
      << table.str();
  std::string json = ReportJson(r);
  EXPECT_NE(json.find("\"sent\": 1"), std::string::npos);
  auto last = store_->LastSuccessMs("acme/order_download");
  ASSERT_TRUE(last.ok() && last.value());
  std::string metrics = MetricsText(r, {{"acme/order_download", *last.value()}});
  EXPECT_NE(
      metrics.find(
          "cartsync_last_success_timestamp_seconds{cart=\"acme\",service=\"order_download\"} " +
          std::to_string(*last.value() / 1000)),
      std::string::npos)
      << metrics;
  // Without a recorded success there is no timestamp to report.
  EXPECT_EQ(MetricsText(r, {}).find("cartsync_last_success_timestamp_seconds{"), std::string::npos);
}

}  // namespace
}  // namespace cartsync

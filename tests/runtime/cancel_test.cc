// Cancellations (runtime/order_cancel.h): the runner against fakes of the
// cart and the WMS, a real SQLite state store and a fake clock. An order
// canceled at the cart before it was sent is never sent; after it was sent
// it is canceled at the WMS; too late is noted, reported and never retried;
// a failed cancel is retried next run; canceled orders get no tracking.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <sstream>

#include "compiler/compiler.h"
#include "compiler/planner.h"
#include "runtime/order_cancel.h"
#include "runtime/report.h"
#include "runtime/runner.h"
#include "runtime/state/sqlite_state_store.h"
#include "tests/support/cart_builder.h"
#include "tests/support/store_runner.h"

namespace cartsync {
namespace {

CartOrder Order(const std::string& id, const std::string& updated = "2026-11-17T10:00:00Z") {
  CartOrder o;
  o.id = id;
  o.order_number = "#" + id;
  o.placed_at = "2026-11-17T10:00:00Z";
  o.updated_at = updated;
  o.ship_code = "Standard";
  o.ship_to.name = "Ada";
  o.ship_to.country = "US";
  o.lines.push_back({"L" + id, "TS-RED-M", 2, "19.99"});
  return o;
}

class CancelTest : public StoreRunnerTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StoreRunnerTest::SetUp());
    CompilePlan(ProjectToml().Text(), AcmeRunnerCart());
  }

  /// A run a minute after the last.
  RunReport Run() {
    clock_.Advance(60'000);
    return StoreRunnerTest::Run();
  }

  // Cancels order `id` at the fake cart, modified at `updated`.
  void CancelAtCart(const std::string& id, const std::string& updated) {
    for (CartOrder& o : env_.carts["acme"].orders)
      if (o.id == id) {
        o.canceled = true;
        o.updated_at = updated;
      }
  }

  static const StepOutcome& Download(const RunReport& r) {
    for (const StepOutcome& s : r.steps)
      if (s.service == Service::OrderDownload) return s;
    ADD_FAILURE() << "no order_download step";
    return r.steps.front();
  }
};

TEST_F(CancelTest, CanceledBeforeSendIsNeverSent) {
  CartOrder o = Order("1");
  o.canceled = true;
  env_.carts["acme"].orders = {o, Order("2")};
  RunReport r = Run();
  EXPECT_EQ(Get("1").status, OrderStatus::Canceled);
  EXPECT_NE(Get("1").reason.find("canceled at the cart"), std::string::npos) << Get("1").reason;
  EXPECT_EQ(Get("2").status, OrderStatus::Sent);
  EXPECT_EQ(env_.wms.orders.count("acme:1"), 0u);
  EXPECT_EQ(Download(r).counts.canceled, 1);
  EXPECT_TRUE(env_.wms.cancels.empty()) << "nothing to cancel at the WMS";
}

TEST_F(CancelTest, HeldOrderCanceledAtCartIsCanceled) {
  CartOrder o = Order("1");
  o.ship_code = "Unmapped";
  env_.carts["acme"].orders = {o};
  Run();
  ASSERT_EQ(Get("1").status, OrderStatus::Held);
  CancelAtCart("1", "2026-11-18T10:00:00Z");
  RunReport r = Run();
  EXPECT_EQ(Get("1").status, OrderStatus::Canceled);
  EXPECT_EQ(Download(r).counts.canceled, 1);
  EXPECT_EQ(env_.wms.pushes, 0);
}

TEST_F(CancelTest, CanceledAfterSendIsCanceledAtWmsOnce) {
  env_.carts["acme"].orders = {Order("1")};
  Run();
  ASSERT_EQ(Get("1").status, OrderStatus::Sent);
  CancelAtCart("1", "2026-11-18T10:00:00Z");
  RunReport r = Run();
  EXPECT_EQ(Get("1").status, OrderStatus::Canceled);
  EXPECT_EQ(Get("1").wms_ref, "WMS-acme:1") << "the reference stays";
  EXPECT_EQ(env_.wms.status["acme:1"], "canceled");
  EXPECT_EQ(env_.wms.cancels.size(), 1u);
  EXPECT_EQ(Download(r).counts.canceled, 1);
  EXPECT_EQ(Download(r).state, StepOutcome::State::Ok) << Download(r).error;
  // The cart repeats it (overlapping windows): nothing more happens.
  r = Run();
  EXPECT_EQ(env_.wms.cancels.size(), 1u);
  EXPECT_EQ(Download(r).counts.canceled, 0);
  rapidjson::Document doc;
  doc.Parse(ReportJson(r).c_str());
  ASSERT_FALSE(doc.HasParseError());
  for (const auto& s : doc["steps"].GetArray()) {
    if (std::string(s["service"].GetString()) == "order_download") {
      EXPECT_EQ(s["counts"]["canceled"].GetInt(), 0);
    }
  }
}

TEST_F(CancelTest, TooLateIsNotedReportedAndNeverRetried) {
  env_.carts["acme"].orders = {Order("1")};
  Run();
  env_.wms.status["acme:1"] = "shipped";  // the WMS shipped it, we have not heard yet
  CancelAtCart("1", "2026-11-18T10:00:00Z");
  RunReport r = Run();
  const OrderRecord o = Get("1");
  EXPECT_EQ(o.status, OrderStatus::Sent) << "the state stays";
  EXPECT_EQ(o.reason.rfind(kCancelTooLate, 0), 0u) << o.reason;
  EXPECT_EQ(Download(r).counts.cancel_too_late, 1);
  ASSERT_EQ(Download(r).counts.events.size(), 1u);
  EXPECT_EQ(Download(r).counts.events[0].kind, "cancel_too_late");
  EXPECT_EQ(Download(r).counts.events[0].order_key, "acme:1");
  // In the JSON report, for the alerts.
  rapidjson::Document doc;
  doc.Parse(ReportJson(r).c_str());
  ASSERT_FALSE(doc.HasParseError());
  bool found = false;
  for (const auto& s : doc["steps"].GetArray())
    if (s.HasMember("events"))
      for (const auto& e : s["events"].GetArray())
        found = found || (std::string(e["event"].GetString()) == "cancel_too_late" &&
                          std::string(e["order_key"].GetString()) == "acme:1");
  EXPECT_TRUE(found) << ReportJson(r);
  EXPECT_NE(log_.str().find("cancel_too_late: #1 (acme:1)"), std::string::npos) << log_.str();
  // Never retried, never alerted twice.
  r = Run();
  EXPECT_EQ(env_.wms.cancels.size(), 1u);
  EXPECT_EQ(Download(r).counts.cancel_too_late, 0);
  EXPECT_TRUE(Download(r).counts.events.empty());
}

TEST_F(CancelTest, TransientCancelFailureIsRetriedNextRun) {
  env_.carts["acme"].orders = {Order("1")};
  Run();
  CancelAtCart("1", "2026-11-18T10:00:00Z");
  env_.wms.fail_cancel = Status::Transient("WMS down");
  env_.wms.fail_cancel_times = 1;
  RunReport r = Run();
  EXPECT_EQ(Download(r).state, StepOutcome::State::Failed);
  EXPECT_EQ(Download(r).counts.cancel_failed, 1);
  EXPECT_NE(Download(r).error.find("WMS down"), std::string::npos) << Download(r).error;
  EXPECT_EQ(Get("1").status, OrderStatus::Sent);
  EXPECT_EQ(Get("1").reason.rfind(kCancelRequested, 0), 0u) << "the intent is recorded";
  // The cart no longer reports it (the cursor moved on): the intent does.
  for (CartOrder& o : env_.carts["acme"].orders) o.updated_at = "2026-11-01T00:00:00Z";
  r = Run();
  EXPECT_EQ(Get("1").status, OrderStatus::Canceled);
  EXPECT_EQ(Download(r).counts.canceled, 1);
  EXPECT_EQ(env_.wms.cancels.size(), 1u);
}

TEST_F(CancelTest, CanceledOrderGetsNoTracking) {
  env_.carts["acme"].orders = {Order("1")};
  Run();
  CancelAtCart("1", "2026-11-18T10:00:00Z");
  Run();
  ASSERT_EQ(Get("1").status, OrderStatus::Canceled);
  // A WMS that ships it anyway: recorded, never uploaded to the cart.
  Shipment s;
  s.order_key = "acme:1";
  s.carrier = "UPS";
  s.tracking_number = "1Z999";
  s.shipped_at = "2026-11-18T12:00:00Z";
  env_.wms.shipments.push_back(s);
  RunReport r = Run();
  EXPECT_TRUE(env_.carts["acme"].uploads.empty());
  EXPECT_EQ(Get("1").status, OrderStatus::Canceled);
}

TEST_F(CancelTest, CancelStoredOrderByHand) {
  env_.carts["acme"].orders = {Order("1")};
  Run();
  FakeWms wms(env_.wms);
  // Sent: canceled at the WMS.
  auto r = CancelStoredOrder(*store_, wms, Get("1"), "canceled by hand", clock_.NowMs());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->kind, CancelResult::Kind::AtWms);
  EXPECT_EQ(Get("1").status, OrderStatus::Canceled);
  // Again: already.
  r = CancelStoredOrder(*store_, wms, Get("1"), "canceled by hand", clock_.NowMs());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, CancelResult::Kind::Already);
  EXPECT_EQ(env_.wms.cancels.size(), 1u);
}

TEST_F(CancelTest, HeldOrderCanceledByHandIsNeverSent) {
  CartOrder o = Order("1");
  o.ship_code = "Unmapped";
  env_.carts["acme"].orders = {o};
  Run();
  ASSERT_EQ(Get("1").status, OrderStatus::Held);
  FakeWms wms(env_.wms);
  auto r = CancelStoredOrder(*store_, wms, Get("1"), "canceled by hand", clock_.NowMs());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->kind, CancelResult::Kind::NotSent);
  EXPECT_EQ(Get("1").status, OrderStatus::Canceled);
  EXPECT_EQ(Get("1").reason, "canceled by hand; never sent");
  EXPECT_TRUE(env_.wms.cancels.empty());
  // Mapping the code later does not release it: canceled stays canceled.
  env_.carts["acme"].orders[0].ship_code = "Standard";
  env_.carts["acme"].orders[0].updated_at = "2026-11-18T11:00:00Z";
  Run();
  EXPECT_EQ(Get("1").status, OrderStatus::Canceled);
  EXPECT_EQ(env_.wms.pushes, 0);
}

TEST_F(CancelTest, NewOrderWithUnknownSendOutcomeIsLookedUpFirst) {
  env_.carts["acme"].orders = {Order("1")};
  env_.wms.fail_push = Status::Transient("timeout");
  Run();
  ASSERT_EQ(Get("1").status, OrderStatus::New);
  ASSERT_GT(Get("1").attempts, 0);
  // The WMS had taken it after all.
  env_.wms.orders["acme:1"] = WmsOrder{};
  env_.wms.fail_push = Status::Ok();
  FakeWms wms(env_.wms);
  auto r = CancelStoredOrder(*store_, wms, Get("1"), "canceled by hand", clock_.NowMs());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->kind, CancelResult::Kind::AtWms);
  EXPECT_EQ(env_.wms.cancels, std::vector<std::string>{"acme:1"});
  EXPECT_EQ(Get("1").status, OrderStatus::Canceled);
  EXPECT_EQ(Get("1").wms_ref, "WMS-acme:1");
}

TEST_F(CancelTest, ShippedOrderIsRefusedWithoutAskingTheWms) {
  env_.carts["acme"].orders = {Order("1")};
  Run();
  Shipment s;
  s.order_key = "acme:1";
  s.carrier = "UPS";
  s.tracking_number = "1Z1";
  s.shipped_at = "2026-11-18T12:00:00Z";
  env_.wms.shipments.push_back(s);
  Run();
  ASSERT_EQ(Get("1").status, OrderStatus::Confirmed);
  FakeWms wms(env_.wms);
  auto r = CancelStoredOrder(*store_, wms, Get("1"), "canceled by hand", clock_.NowMs());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->kind, CancelResult::Kind::Refused);
  EXPECT_TRUE(env_.wms.cancels.empty());
  // Canceled at the cart after it shipped: noted too late once.
  CancelAtCart("1", "2026-11-19T10:00:00Z");
  RunReport rep = Run();
  EXPECT_EQ(Download(rep).counts.cancel_too_late, 1);
  EXPECT_EQ(Get("1").status, OrderStatus::Confirmed);
  rep = Run();
  EXPECT_EQ(Download(rep).counts.cancel_too_late, 0);
}

TEST_F(CancelTest, CanceledFlagRoundTripsThroughTheStoredDocument) {
  CartOrder o = Order("1");
  o.canceled = true;
  CartOrder back;
  std::string error;
  ASSERT_TRUE(FromJson(ToJson(o), back, error)) << error;
  EXPECT_TRUE(back.canceled);
  ASSERT_TRUE(FromJson(ToJson(Order("2")), back, error)) << error;
  EXPECT_FALSE(back.canceled);
  EXPECT_EQ(ToJson(Order("2")).find("canceled"), std::string::npos) << "unchanged when not";
}

}  // namespace
}  // namespace cartsync

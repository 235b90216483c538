// The state store contract, continued (state_store_contract.h): [[notify]]
// alerts (AlertStore: recorded once per target, subject and reason; pending
// until delivered; forgotten when a failure streak ends) and every shipment
// of an order (ShipmentStore::ShipmentsOf, for partial shipments). These
// TEST_Ps join the StateStoreContract suite, so every engine's instantiation
// (Sqlite, Postgres) runs them.
#include <string>
#include <vector>

#include "tests/runtime/state/state_store_contract.h"

namespace cartsync::state_test {
namespace {

AlertRecord Alert(const std::string& target, const std::string& subject,
                  const std::string& reason) {
  AlertRecord a;
  a.target = target;
  a.subject = subject;
  a.reason = reason;
  a.event = reason.rfind("held:", 0) == 0 ? "held" : reason;
  a.cart_id = "acme";
  a.order_number = "#1";
  a.detail = "ship code \"Teleport\" is not mapped in [ship_methods]";
  return a;
}

TEST_P(StateStoreContract, AlertsAreRecordedOncePerTargetSubjectAndReason) {
  const std::string held = "held:ship code \"Teleport\" is not mapped";
  auto n = store_->RecordAlerts({Alert("env:HOOK|slack", "acme:1", held),
                                 Alert("env:HOOK|slack", "acme:1", held),  // twice in one call
                                 Alert("env:OPS|json", "acme:1", held),
                                 Alert("env:HOOK|slack", "acme/order_download", "step_failed")},
                                kNow);
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(n.value(), 3);
  // A rerun records nothing new; another reason of the same order is new.
  EXPECT_EQ(store_->RecordAlerts({Alert("env:HOOK|slack", "acme:1", held)}, kNow + 1).value(), 0);
  EXPECT_EQ(
      store_->RecordAlerts({Alert("env:HOOK|slack", "acme:1", "held:another")}, kNow + 2).value(),
      1);
  auto pending = store_->PendingAlerts(100);
  ASSERT_TRUE(pending.ok()) << pending.status().message();
  ASSERT_EQ(pending.value().size(), 4u);
  const AlertRecord& first = pending.value().front();
  EXPECT_EQ(first.created_ms, kNow);
  EXPECT_EQ(first.delivered_ms, 0);
  EXPECT_EQ(first.cart_id, "acme");
  EXPECT_EQ(first.order_number, "#1");
  EXPECT_EQ(pending.value().back().reason, "held:another");  // oldest first
  EXPECT_EQ(store_->PendingAlerts(2).value().size(), 2u);
}

TEST_P(StateStoreContract, AFailedAlertStaysPendingADeliveredOneIsDone) {
  ASSERT_TRUE(store_
                  ->RecordAlerts({Alert("env:HOOK|slack", "acme:1", "retry_exhausted"),
                                  Alert("env:HOOK|slack", "acme:2", "retry_exhausted")},
                                 kNow)
                  .ok());
  ASSERT_TRUE(store_
                  ->FinishAlert("env:HOOK|slack", "acme:1", "retry_exhausted", false,
                                "webhook answered HTTP 500", kNow + 1)
                  .ok());
  ASSERT_TRUE(
      store_->FinishAlert("env:HOOK|slack", "acme:2", "retry_exhausted", true, "", kNow + 1).ok());
  auto pending = store_->PendingAlerts(10).value();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].subject, "acme:1");
  EXPECT_EQ(pending[0].attempts, 1);
  EXPECT_EQ(pending[0].error, "webhook answered HTTP 500");
  ASSERT_TRUE(
      store_->FinishAlert("env:HOOK|slack", "acme:1", "retry_exhausted", true, "", kNow + 2).ok());
  EXPECT_TRUE(store_->PendingAlerts(10).value().empty());
  // Delivered alerts still deduplicate.
  EXPECT_EQ(store_->RecordAlerts({Alert("env:HOOK|slack", "acme:1", "retry_exhausted")}, kNow + 3)
                .value(),
            0);
  EXPECT_EQ(
      store_->FinishAlert("env:HOOK|slack", "acme:9", "retry_exhausted", true, "", kNow).code(),
      StatusCode::NotFound);
}

TEST_P(StateStoreContract, ForgettingAlertsEndsAFailureStreak) {
  ASSERT_TRUE(store_
                  ->RecordAlerts({Alert("env:A|slack", "acme/order_download", "step_failed"),
                                  Alert("env:B|json", "acme/order_download", "step_failed"),
                                  Alert("env:A|slack", "acme/shipment_upload", "step_failed")},
                                 kNow)
                  .ok());
  ASSERT_TRUE(
      store_->FinishAlert("env:A|slack", "acme/order_download", "step_failed", true, "", kNow)
          .ok());
  auto forgot = store_->ForgetAlerts("acme/order_download", "step_failed");
  ASSERT_TRUE(forgot.ok()) << forgot.status().message();
  EXPECT_EQ(forgot.value(), 2);  // delivered or not, every target
  EXPECT_EQ(
      store_->RecordAlerts({Alert("env:A|slack", "acme/order_download", "step_failed")}, kNow + 1)
          .value(),
      1);  // the next failure alerts again
  EXPECT_EQ(store_->PendingAlerts(10).value().size(), 2u);
  EXPECT_EQ(store_->ForgetAlerts("acme/nothing", "step_failed").value(), 0);
}

TEST_P(StateStoreContract, ShipmentsOfListsEveryShipmentOfTheOrder) {
  ASSERT_TRUE(
      store_
          ->RecordDownloaded("acme", {MakeOrder("acme", "1"), MakeOrder("acme", "2")}, "orders", "")
          .ok());
  ASSERT_TRUE(store_
                  ->RecordShipments("acme",
                                    {MakeShipment("acme:1", "1Z002", kNow + 2),
                                     MakeShipment("acme:1", "1Z001", kNow + 1),
                                     MakeShipment("acme:2", "1Z003", kNow + 1)},
                                    "shipments", "s1")
                  .ok());
  auto up = store_->BeginUpload("acme:1", "1Z001", kNow + 3);
  ASSERT_TRUE(up.ok()) << up.status().message();
  ASSERT_TRUE(store_->CompleteUpload(up.value(), "acme:1", "1Z001", kNow + 4).ok());
  auto all = store_->ShipmentsOf("acme:1");
  ASSERT_TRUE(all.ok()) << all.status().message();
  ASSERT_EQ(all.value().size(), 2u);
  EXPECT_EQ(all.value()[0].tracking_number, "1Z001");
  EXPECT_EQ(all.value()[0].state, ShipmentState::Uploaded);
  EXPECT_EQ(all.value()[1].tracking_number, "1Z002");
  EXPECT_EQ(all.value()[1].state, ShipmentState::Pending);
  EXPECT_TRUE(store_->ShipmentsOf("acme:404").value().empty());
}

}  // namespace
}  // namespace cartsync::state_test

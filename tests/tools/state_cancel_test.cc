// `cartsync state cancel ORDER_KEY`, in-process against a real SQLite store
// inside a real project directory whose WMS is a `directory` exchange: an
// order not sent yet is canceled and never sent; a sent one is canceled at
// the WMS (outbox/cancel/NAME.json); a shipped one is refused; exit codes of
// cli.md (0 done, 1 refused or failed, 2 usage).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "runtime/documents.h"
#include "runtime/state/sqlite_state_store.h"
#include "tests/support/cart_builder.h"
#include "tests/support/state_project.h"
#include "tools/cartsync/cli.h"

namespace cartsync {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kThen = 1'795'000'000'000;  // 2026-11-18

std::string CartOrderJson(const std::string& id) {
  CartOrder o;
  o.id = id;
  o.order_number = "#" + id;
  o.placed_at = o.updated_at = "2026-11-17T10:00:00Z";
  o.ship_code = "Standard";
  o.ship_to.name = "Ada";
  o.ship_to.country = "US";
  o.lines.push_back({"L" + id, "TS-RED-M", 1, "19.99"});
  return ToJson(o);
}

class StateCancelTest : public StateProjectTest {
 protected:
  void SetUp() override {
    ::setenv("ACME_TOKEN", "not-used", 1);
    fs::create_directories(dir_ / "carts.d");
    fs::create_directories(dir_ / "exchange" / "outbox");
    std::ofstream(dir_ / "cartsync.toml")
        << "[state]\nurl = \"sqlite:state.db\"\n\n[wms.main]\nsystem = \"directory\"\n"
        << "path = \"exchange\"\nwarehouses = [\"east\"]\ncarriers = [\"UPS\"]\n";
    std::ofstream(dir_ / "carts.d" / "acme.toml")
        << AcmeShopifyCart().ShipMethod("*", "UPS/GROUND").Text();
    auto opened = SqliteStateStore::Open((dir_ / "state.db").string());
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    std::unique_ptr<SqliteStateStore> store = std::move(opened.value());
    std::vector<OrderRecord> orders;
    for (const char* id : {"1", "2", "3", "4"})
      orders.push_back(AcmeOrder(id, CartOrderJson(id), kThen));
    ASSERT_TRUE(store->RecordDownloaded("acme", orders, "orders", "").ok());
    // 1: new; 2: held; 3: sent (its file in the outbox); 4: shipped.
    ASSERT_TRUE(
        store->UpdateOrder("acme:2", OrderStatus::Held, "ship code", "", false, kThen).ok());
    for (const char* key : {"acme:3", "acme:4"}) {
      auto intent = store->BeginSend(key, R"({"order_key":"x"})", kThen);
      ASSERT_TRUE(intent.ok());
      ASSERT_TRUE(store->CompleteSend(intent.value(), key, key, kThen).ok());
    }
    std::ofstream(dir_ / "exchange" / "outbox" / "acme_3A3.json") << "{}\n";
    ShipmentRecord s;
    s.order_key = "acme:4";
    s.tracking_number = "1Z4";
    s.shipment_json = R"({"order_key":"acme:4","carrier":"UPS","tracking_number":"1Z4"})";
    s.received_ms = s.updated_ms = kThen;
    ASSERT_TRUE(store->RecordShipments("acme", {s}, "shipments", "").ok());
  }
};

TEST_F(StateCancelTest, NewAndHeldOrdersAreNeverSent) {
  std::string out, err;
  for (const char* key : {"acme:1", "acme:2"}) {
    ASSERT_EQ(State({"cancel", key}, out, err), 0) << err;
    EXPECT_EQ(out, std::string(key) + " canceled: it was never sent to the WMS and will not be\n");
    EXPECT_EQ(Get(key).status, OrderStatus::Canceled);
    EXPECT_EQ(Get(key).reason, "canceled by hand (cartsync state cancel); never sent");
  }
  EXPECT_FALSE(fs::exists(dir_ / "exchange" / "outbox" / "cancel"));
  // Again: canceled already, exit 0.
  ASSERT_EQ(State({"cancel", "acme:1"}, out, err), 0) << err;
  EXPECT_NE(out.find("canceled already"), std::string::npos) << out;
}

TEST_F(StateCancelTest, SentOrderIsCanceledAtTheWms) {
  std::string out, err;
  ASSERT_EQ(State({"cancel", "acme:3"}, out, err), 0) << err;
  EXPECT_EQ(out, "#3 (acme:3) canceled at the WMS\n");
  EXPECT_TRUE(fs::exists(dir_ / "exchange" / "outbox" / "cancel" / "acme_3A3.json"));
  EXPECT_EQ(Get("acme:3").status, OrderStatus::Canceled);
  EXPECT_EQ(Get("acme:3").wms_ref, "acme:3");
}

TEST_F(StateCancelTest, ShippedOrderIsRefused) {
  std::string out, err;
  EXPECT_EQ(State({"cancel", "acme:4"}, out, err), 1);
  EXPECT_EQ(err,
            "cartsync state: #4 (acme:4) is shipped: the WMS shipped it, too late to cancel\n");
  EXPECT_EQ(Get("acme:4").status, OrderStatus::Shipped);
  EXPECT_FALSE(fs::exists(dir_ / "exchange" / "outbox" / "cancel"));
}

TEST_F(StateCancelTest, UnknownOrderAndUsage) {
  std::string out, err;
  EXPECT_EQ(State({"cancel", "acme:99"}, out, err), 1);
  EXPECT_NE(err.find("no order \"acme:99\""), std::string::npos) << err;
  EXPECT_EQ(State({"cancel"}, out, err), 2);
  EXPECT_NE(err.find("cancel needs an argument"), std::string::npos) << err;
  EXPECT_EQ(State({"cancel", "acme:1", "acme:2"}, out, err), 2);
}

TEST_F(StateCancelTest, SentOrderWithoutAReachableWmsKeepsTheCancelForTheNextRun) {
  fs::remove_all(dir_ / "exchange");  // the share is not mounted
  std::string out, err;
  EXPECT_EQ(State({"cancel", "acme:3"}, out, err), 1);
  EXPECT_NE(err.find("the next run tries again"), std::string::npos) << err;
  EXPECT_EQ(Get("acme:3").status, OrderStatus::Sent);
  EXPECT_EQ(Get("acme:3").reason.rfind("cancel requested: ", 0), 0u) << Get("acme:3").reason;
}

}  // namespace
}  // namespace cartsync

// `cartsync state resend` (sent orders, --tracking, a filter that would skip
// the order again) and `cartsync state purge`, in-process against a real
// SQLite store inside a real project directory.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "runtime/documents.h"
#include "runtime/state/sqlite_state_store.h"
#include "tests/support/cart_builder.h"
#include "tests/support/state_project.h"
#include "tools/cartsync/cli.h"

namespace cartsync {
namespace {

namespace fs = std::filesystem;

constexpr const char* kName = "Katherine Coleman Johnson";
constexpr const char* kStreet = "4 Langley Research Road";
constexpr int64_t kThen = 1'795'000'000'000;  // 2026-11-18: long before "now"

CartToml Cart(const std::vector<std::string>& countries) {
  return AcmeShopifyCart()
      .Every(Service::ShipmentUpload, "30m")
      .ShipMethod("*", "UPS/GROUND")
      .OrderFilter("ship_to.country", countries);
}

std::string CartOrderJson(const std::string& id, const std::string& country) {
  CartOrder o;
  o.id = id;
  o.order_number = "#" + id;
  o.placed_at = o.updated_at = "2026-11-17T10:00:00Z";
  o.ship_code = "Standard";
  o.ship_to.name = std::string(kName) + " " + id;  // one name per order
  o.ship_to.address1 = kStreet;
  o.ship_to.city = "Hampton";
  o.ship_to.country = country;
  o.lines.push_back({"L" + id, "TS-RED-M", 1, "19.99"});
  return ToJson(o);
}

class StateResendPurgeTest : public StateProjectTest {
 protected:
  void SetUp() override {
    WriteProject({"US"});
    auto opened = SqliteStateStore::Open((dir_ / "state.db").string());
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    std::unique_ptr<SqliteStateStore> store = std::move(opened.value());
    std::vector<OrderRecord> orders;
    for (auto [id, country] : {std::pair{"1", "US"}, {"2", "DE"}, {"3", "US"}, {"4", "US"}})
      orders.push_back(AcmeOrder(id, CartOrderJson(id, country), kThen));
    ASSERT_TRUE(store->RecordDownloaded("acme", orders, "orders", "").ok());
    // 1: sent; 2: skipped by the country filter; 3: shipped and confirmed; 4: new.
    for (const char* key : {"acme:1", "acme:3"}) {
      auto intent = store->BeginSend(key, R"({"order_key":"x"})", kThen);
      ASSERT_TRUE(intent.ok());
      ASSERT_TRUE(store->CompleteSend(intent.value(), key, "W-1", kThen).ok());
    }
    ASSERT_TRUE(store
                    ->UpdateOrder("acme:2", OrderStatus::Skipped,
                                  "order filter: ship_to.country \"DE\" matches none of \"US\"", "",
                                  false, kThen)
                    .ok());
    ShipmentRecord s;
    s.order_key = "acme:3";
    s.tracking_number = "1Z999";
    s.shipment_json = R"({"order_key":"acme:3","carrier":"UPS","tracking_number":"1Z999"})";
    s.received_ms = s.updated_ms = kThen;
    ASSERT_TRUE(store->RecordShipments("acme", {s}, "shipments", "").ok());
    auto up = store->BeginUpload("acme:3", "1Z999", kThen);
    ASSERT_TRUE(up.ok());
    ASSERT_TRUE(store->CompleteUpload(up.value(), "acme:3", "1Z999", kThen).ok());
  }

  void WriteProject(const std::vector<std::string>& countries) {
    fs::create_directories(dir_ / "carts.d");
    std::ofstream(dir_ / "cartsync.toml") << "[state]\nurl = \"sqlite:state.db\"\n\n"
                                          << ProjectToml().Text();
    std::ofstream(dir_ / "carts.d" / "acme.toml") << Cart(countries).Text();
  }
};

TEST_F(StateResendPurgeTest, ResendOfASentOrderPutsItBackToBeSent) {
  std::string out, err;
  ASSERT_EQ(State({"resend", "acme:1"}, out, err), 0) << err;
  EXPECT_NE(out.find("acme:1 will be sent on the next run of cart acme"), std::string::npos) << out;
  EXPECT_NE(out.find("with the same order_key (WMS W-1)"), std::string::npos) << out;
  EXPECT_EQ(Get("acme:1").status, OrderStatus::New);
  EXPECT_EQ(Get("acme:1").wms_ref, "W-1");
  // New and shipped orders are not resent, and say what to do instead.
  EXPECT_EQ(State({"resend", "acme:4"}, out, err), 1);
  EXPECT_NE(err.find("is new: the next run of its cart sends it already"), std::string::npos)
      << err;
  EXPECT_EQ(State({"resend", "acme:3"}, out, err), 1);
  EXPECT_NE(err.find("--tracking uploads its tracking"), std::string::npos) << err;
}

TEST_F(StateResendPurgeTest, ResendSaysPlainlyWhenTheFiltersWouldSkipItAgain) {
  std::string out, err;
  EXPECT_EQ(State({"resend", "acme:2"}, out, err), 1);
  EXPECT_NE(err.find("acme:2 not resent: the current configuration of cart acme would skip it "
                     "again on the next run: order filter: ship_to.country \"DE\""),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("carts.d/acme.toml"), std::string::npos) << err;
  EXPECT_EQ(Get("acme:2").status, OrderStatus::Skipped) << "nothing changed";
  // Once the filter lets it through, it is resent.
  WriteProject({"US", "DE"});
  ASSERT_EQ(State({"resend", "acme:2"}, out, err), 0) << err;
  EXPECT_EQ(Get("acme:2").status, OrderStatus::New);
  // Without a project to check against, it says that it could not check.
  std::ostringstream o, e;
  ASSERT_EQ(
      RunCli({"state", "resend", "acme:1", "--state", "sqlite:" + (dir_ / "state.db").string(),
              "--project", (dir_ / "nowhere").string()},
             o, e, CliEnv{}),
      0)
      << e.str();
  EXPECT_NE(o.str().find("unless its cart's filters skip it again (not checked: no cartsync.toml"),
            std::string::npos)
      << o.str();
}

TEST_F(StateResendPurgeTest, ResendTrackingRequeuesTheUpload) {
  std::string out, err;
  ASSERT_EQ(State({"resend", "acme:3", "--tracking"}, out, err), 0) << err;
  EXPECT_EQ(out,
            "tracking 1Z999 of acme:3 will be uploaded to the cart again on the next shipment "
            "upload of cart acme\n");
  EXPECT_EQ(Get("acme:3").status, OrderStatus::Shipped);
  auto store = SqliteStateStore::Open((dir_ / "state.db").string());
  ASSERT_TRUE(store.ok());
  auto pending = store.value()->PendingShipments("acme");
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending.value().size(), 1u);
  EXPECT_EQ(pending.value()[0].tracking_number, "1Z999");
  // An order the WMS never shipped has no tracking to resend.
  EXPECT_EQ(State({"resend", "acme:1", "--tracking"}, out, err), 1);
  EXPECT_NE(err.find("has no tracking to resend"), std::string::npos) << err;
}

TEST_F(StateResendPurgeTest, PurgeErasesPersonalDataAndLeavesNoneInTheFile) {
  std::string out, err;
  EXPECT_EQ(State({"purge", "--older-than", "60x"}, out, err), 2);
  EXPECT_NE(err.find("--older-than \"60x\" is not a duration"), std::string::npos) << err;
  ASSERT_EQ(State({"purge", "--older-than", "1d"}, out, err), 0) << err;
  // Sent, skipped and confirmed orders; the new one keeps its address.
  EXPECT_NE(out.find("erased the personal data of 3 orders past sending"), std::string::npos)
      << out;
  ASSERT_EQ(State({"purge", "--format", "json"}, out, err), 0) << err;
  rapidjson::Document d;
  d.Parse(out.c_str());
  ASSERT_FALSE(d.HasParseError()) << out;
  EXPECT_EQ(d["pii_erased"].GetInt(), 0) << "nothing left";
  for (const char* key : {"acme:1", "acme:2", "acme:3"}) {
    const OrderRecord o = Get(key);
    EXPECT_EQ(o.cart_order_json.find(kName), std::string::npos) << key;
    EXPECT_EQ(o.cart_order_json.find(kStreet), std::string::npos) << key;
    EXPECT_NE(o.pii_erased_ms, 0) << key;
  }
  EXPECT_NE(Get("acme:4").cart_order_json.find(kName), std::string::npos);
  ASSERT_EQ(State({"show", "acme:1"}, out, err), 0);
  EXPECT_NE(out.find("pii       erased "), std::string::npos) << out;
  // An erased order cannot be resent (its address is gone), its tracking can.
  EXPECT_EQ(State({"resend", "acme:1"}, out, err), 1);
  EXPECT_NE(err.find("its personal data (the address the WMS needs) was erased"), std::string::npos)
      << err;
  EXPECT_EQ(State({"resend", "acme:3", "--tracking"}, out, err), 0) << err;
  // The bytes of the file (and of its WAL) hold nothing of the erased
  // orders' names (secure_delete, and the checkpoint after erasing), while
  // the new order's name is still there.
  std::string bytes;
  for (const char* file : {"state.db", "state.db-wal"}) {
    std::ifstream in(dir_ / file, std::ios::binary);
    bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_GT(bytes.size(), 4096u);
  for (const char* id : {"1", "2", "3"})
    EXPECT_EQ(bytes.find(std::string(kName) + " " + id), std::string::npos) << "acme:" << id;
  EXPECT_NE(bytes.find(std::string(kName) + " 4"), std::string::npos);
}

}  // namespace
}  // namespace cartsync

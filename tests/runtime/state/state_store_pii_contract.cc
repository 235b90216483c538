// The state store contract, continued (state_store_contract.h): PII
// retention (OrderStore::ErasePii), resending a sent order
// (OrderStore::ResetForResend) and its tracking (ShipmentStore::
// RequeueUploads). These TEST_Ps join the StateStoreContract suite, so every
// engine's instantiation (Sqlite, Postgres) runs them.
#include <rapidjson/document.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "runtime/state/pii.h"
#include "runtime/state/sqlite_state_store.h"
#include "tests/runtime/state/state_store_contract.h"
#include "tests/support/temp_dir.h"

namespace cartsync::state_test {
namespace {

constexpr const char* kName = "Ada Lovelace";
constexpr const char* kStreet = "12 St James's Square";
constexpr const char* kEmail = "ada@example.org";

std::string CartDoc(const std::string& id) {
  return R"({"id":")" + id + R"(","order_number":"#)" + id +
         R"(","placed_at":"2026-11-20T10:00:00Z","updated_at":"2026-11-20T10:00:00Z",)"
         R"("status":"open","ship_code":"Standard","ship_to":{"name":")" +
         kName + R"(","company":"Analytical Engines","address1":")" + kStreet +
         R"(","address2":"","city":"London","region":"LND","postal_code":"SW1Y 4JH",)"
         R"("country":"GB","phone":"+44 20 7946 0000","email":")" +
         kEmail +
         R"("},"lines":[{"line_key":"L1","sku":"TS-RED-M","quantity":2,)"
         R"("unit_price":"19.99"}]})";
}

std::string WmsDoc(const std::string& key) {
  return R"({"order_key":")" + key + R"(","ship_to":{"name":")" + kName + R"(","address1":")" +
         kStreet + R"(","city":"London","country":"GB","email":")" + kEmail +
         R"("},"lines":[{"line_key":"L1","sku":"TS-RED-M","quantity":2,"unit_price":"19.99"}]})";
}

// An order of cart acme with personal data in both documents, sent at `at`.
class PiiOrders {
 public:
  explicit PiiOrders(StateStore& store) : store_(store) {}
  void Download(const std::string& id, int64_t at) {
    OrderRecord o = MakeOrder("acme", id, at);
    o.cart_order_json = CartDoc(id);
    ASSERT_TRUE(store_.RecordDownloaded("acme", {o}, "orders", "").ok());
  }
  void Send(const std::string& id, int64_t at) {
    Download(id, at);
    auto intent = store_.BeginSend("acme:" + id, WmsDoc("acme:" + id), at);
    ASSERT_TRUE(intent.ok()) << intent.status().message();
    ASSERT_TRUE(store_.CompleteSend(intent.value(), "acme:" + id, "W-" + id, at).ok());
  }

 private:
  StateStore& store_;
};

bool Holds(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

void ExpectErased(const OrderRecord& o) {
  for (const std::string* doc : {&o.cart_order_json, &o.wms_order_json}) {
    if (doc->empty()) continue;  // never prepared (a skipped order)
    EXPECT_FALSE(Holds(*doc, kName)) << *doc;
    EXPECT_FALSE(Holds(*doc, kStreet)) << *doc;
    EXPECT_FALSE(Holds(*doc, kEmail)) << *doc;
    EXPECT_FALSE(Holds(*doc, "London")) << *doc;
    rapidjson::Document d;
    d.Parse(doc->c_str());
    ASSERT_FALSE(d.HasParseError()) << *doc;
    // What is not personal stays: the country, the lines, the key or id.
    EXPECT_STREQ(d["ship_to"]["country"].GetString(), "GB");
    EXPECT_EQ(d["lines"][0]["quantity"].GetInt(), 2);
    EXPECT_STREQ(d["lines"][0]["unit_price"].GetString(), "19.99");
  }
}

void ExpectKept(const OrderRecord& o) {
  EXPECT_EQ(o.pii_erased_ms, 0) << o.order_key;
  EXPECT_TRUE(Holds(o.cart_order_json, kName)) << o.order_key;
  EXPECT_TRUE(Holds(o.cart_order_json, kEmail)) << o.order_key;
}

TEST_P(StateStoreContract, ErasePiiOnlyOfOrdersPastSendingAndOlderThanTheCutoff) {
  PiiOrders orders(*store_);
  orders.Send("1", kNow);      // sent: erased
  orders.Download("2", kNow);  // new: the WMS still needs the address
  orders.Download("3", kNow);
  ASSERT_TRUE(store_
                  ->UpdateOrder("acme:3", OrderStatus::Held, "ship code \"X\" is not mapped", "",
                                false, kNow)
                  .ok());
  orders.Download("4", kNow);  // skipped, with a reason that quotes the e-mail
  ASSERT_TRUE(store_
                  ->UpdateOrder("acme:4", OrderStatus::Skipped,
                                std::string("order filter: ship_to.email \"") + kEmail +
                                    "\" matches restricted \"*@example.org\"",
                                "", false, kNow)
                  .ok());
  orders.Send("5", kNow + 10'000);  // changed after the cutoff: kept
  orders.Send("6", kNow);           // sent, but a push of it is under way: kept
  ASSERT_TRUE(store_->BeginSend("acme:6", WmsDoc("acme:6"), kNow).ok());

  auto erased = store_->ErasePii(kNow + 1, 100, kNow + 50'000);
  ASSERT_TRUE(erased.ok()) << erased.status().message();
  EXPECT_EQ(erased.value(), 2);
  for (const char* key : {"acme:1", "acme:4"}) {
    OrderRecord o = Get(key);
    SCOPED_TRACE(key);
    EXPECT_EQ(o.pii_erased_ms, kNow + 50'000);
    EXPECT_EQ(o.updated_ms, kNow) << "erasing is not a change of the order's lifecycle";
    EXPECT_EQ(o.order_number, key == std::string("acme:1") ? "#1" : "#4");
    ExpectErased(o);
  }
  EXPECT_EQ(Get("acme:1").status, OrderStatus::Sent);
  EXPECT_EQ(Get("acme:1").wms_ref, "W-1");
  const OrderRecord skipped = Get("acme:4");
  EXPECT_EQ(skipped.status, OrderStatus::Skipped);
  EXPECT_FALSE(Holds(skipped.reason, kEmail)) << skipped.reason;
  EXPECT_TRUE(Holds(skipped.reason, "order filter: ship_to.email \"[erased]\"")) << skipped.reason;
  for (const char* key : {"acme:2", "acme:3", "acme:5", "acme:6"}) ExpectKept(Get(key));

  // Idempotent: nothing is left to erase.
  erased = store_->ErasePii(kNow + 1, 100, kNow + 60'000);
  ASSERT_TRUE(erased.ok());
  EXPECT_EQ(erased.value(), 0);
  EXPECT_EQ(Get("acme:1").pii_erased_ms, kNow + 50'000);
  EXPECT_EQ(store_->ErasePii(kNow, 0, kNow).status().code(), StatusCode::Permanent);
}

TEST_P(StateStoreContract, ErasePiiWorksInBoundedBatchesAndIsKept) {
  PiiOrders orders(*store_);
  for (const char* id : {"1", "2", "3", "4", "5"}) orders.Send(id, kNow);
  auto first = store_->ErasePii(kNow + 1, 2, kNow + 5);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first.value(), 2);
  auto rest = ErasePiiBefore(*store_, kNow + 1, kNow + 5, /*batch=*/2);
  ASSERT_TRUE(rest.ok()) << rest.status().message();
  EXPECT_EQ(rest.value(), 3);
  for (const char* key : {"acme:1", "acme:2", "acme:3", "acme:4", "acme:5"}) {
    SCOPED_TRACE(key);
    ExpectErased(Get(key));
  }
  if (!CanReopen()) return;
  std::unique_ptr<StateStore> again = Reopen();
  ASSERT_NE(again, nullptr);
  auto o = again->GetOrder("acme:3");
  ASSERT_TRUE(o.ok() && o.value());
  EXPECT_EQ(o.value()->pii_erased_ms, kNow + 5);
  ExpectErased(*o.value());
}

TEST_P(StateStoreContract, ResendOfASentOrderSendsItAgain) {
  DownloadAndSend("acme", {"1"}, kNow);
  ASSERT_TRUE(store_->ResetForResend("acme:1", kNow + 7).ok());
  OrderRecord o = Get("acme:1");
  EXPECT_EQ(o.status, OrderStatus::New);
  EXPECT_EQ(o.wms_ref, "W-1") << "the earlier send stays as history";
  EXPECT_TRUE(store_->SentSince({"acme"}, 0).value().empty());
  auto intent = store_->BeginSend("acme:1", R"({"order_key":"acme:1"})", kNow + 8);
  ASSERT_TRUE(intent.ok()) << intent.status().message();
  ASSERT_TRUE(store_->CompleteSend(intent.value(), "acme:1", "W-1", kNow + 8).ok());
  o = Get("acme:1");
  EXPECT_EQ(o.status, OrderStatus::Sent);
  EXPECT_EQ(o.sent_ms, kNow + 8);
}

TEST_P(StateStoreContract, RequeueUploadsPutsTrackingBackToPending) {
  DownloadAndSend("acme", {"1", "2"}, kNow);
  ASSERT_TRUE(store_
                  ->RecordShipments("acme",
                                    {MakeShipment("acme:1", "T2"), MakeShipment("acme:1", "T1")},
                                    "shipments", "")
                  .ok());
  for (const char* t : {"T1", "T2"}) {
    auto up = store_->BeginUpload("acme:1", t, kNow);
    ASSERT_TRUE(up.ok());
    ASSERT_TRUE(store_->CompleteUpload(up.value(), "acme:1", t, kNow).ok());
  }
  ASSERT_EQ(Get("acme:1").status, OrderStatus::Confirmed);
  ASSERT_TRUE(store_->PendingShipments("acme").value().empty());

  auto requeued = store_->RequeueUploads("acme:1", kNow + 3);
  ASSERT_TRUE(requeued.ok()) << requeued.status().message();
  EXPECT_EQ(requeued.value(), (std::vector<std::string>{"T1", "T2"}));
  EXPECT_EQ(Get("acme:1").status, OrderStatus::Shipped);
  auto pending = store_->PendingShipments("acme");
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending.value().size(), 2u);
  for (const ShipmentRecord& s : pending.value()) {
    EXPECT_EQ(s.state, ShipmentState::Pending);
    EXPECT_EQ(s.attempts, 0);
    EXPECT_TRUE(s.error.empty());
  }
  // The upload completes again as the first time did.
  auto up = store_->BeginUpload("acme:1", "T1", kNow + 4);
  ASSERT_TRUE(up.ok());
  ASSERT_TRUE(store_->CompleteUpload(up.value(), "acme:1", "T1", kNow + 4).ok());
  EXPECT_EQ(Get("acme:1").status, OrderStatus::Confirmed);

  // A sent order without shipments: nothing to requeue, status unchanged.
  requeued = store_->RequeueUploads("acme:2", kNow + 5);
  ASSERT_TRUE(requeued.ok());
  EXPECT_TRUE(requeued.value().empty());
  EXPECT_EQ(Get("acme:2").status, OrderStatus::Sent);
  EXPECT_EQ(store_->RequeueUploads("acme:404", kNow).status().code(), StatusCode::NotFound);
}

// SQLite's v5 step on a v4 database: the orders stay, none is erased yet.
TEST(SqlitePiiMigration, V4DatabaseGainsPiiErasedKeepingOrders) {
  TempDir dir;
  const std::string path = dir.path() + "/state.db";
  {
    auto store = SqliteStateStore::Open(path);
    ASSERT_TRUE(store.ok());
    OrderRecord o = MakeOrder("acme", "1");
    o.cart_order_json = CartDoc("1");
    ASSERT_TRUE(store.value()->RecordDownloaded("acme", {o}, "orders", "").ok());
  }
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    for (const char* sql :
         {"DROP TABLE alerts", "DROP INDEX orders_pii_kept",
          "ALTER TABLE orders DROP COLUMN pii_erased_ms", "PRAGMA user_version = 4"})
      EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sql;
    sqlite3_close(db);
  }
  auto store = SqliteStateStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ(store.value()->SchemaVersion().value(), kSqliteSchemaVersion);  // v5 (PII) on ran
  auto o = store.value()->GetOrder("acme:1");
  ASSERT_TRUE(o.ok() && o.value());
  EXPECT_EQ(o.value()->pii_erased_ms, 0);
  ExpectKept(*o.value());
}

}  // namespace
}  // namespace cartsync::state_test

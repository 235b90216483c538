// The SQLite state store against real files: every method's effect, the
// one-transaction-per-call promise (a failing batch leaves nothing behind),
// crash survival of intents, leases across store objects, concurrent writers,
// schema migration and the error policy (busy -> Transient).
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "runtime/state/sqlite_state_store.h"

namespace cartsync {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kNow = 1'795'000'000'000;

std::string FreshPath(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::path dir = fs::path(::testing::TempDir()) / "cartsync_state_test" /
                 (std::string(info->test_suite_name()) + "." + info->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return (dir / name).string();
}

std::unique_ptr<SqliteStateStore> OpenOrDie(const std::string& path,
                                            SqliteStateStore::Options options = {}) {
  auto r = SqliteStateStore::Open(path, options);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r.value()) : nullptr;
}

OrderRecord Order(const std::string& cart, const std::string& id, int64_t seen = kNow) {
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

ShipmentRecord Shipment(const std::string& order_key, const std::string& tracking,
                        int64_t at = kNow) {
  ShipmentRecord s;
  s.order_key = order_key;
  s.tracking_number = tracking;
  s.shipment_json = R"({"tracking_number":")" + tracking + R"("})";
  s.received_ms = s.updated_ms = at;
  return s;
}

/// A raw connection for what the store's interface does not show.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
  }
  ~RawDb() { sqlite3_close(db_); }
  int Exec(const std::string& sql) {
    return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  }
  std::string Scalar(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    std::string out = "<error>";
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
      int rc = sqlite3_step(st);
      if (rc == SQLITE_ROW) {
        const unsigned char* t = sqlite3_column_text(st, 0);
        out = t ? reinterpret_cast<const char*>(t) : "<null>";
      } else if (rc == SQLITE_DONE) {
        out = "<none>";
      }
    }
    sqlite3_finalize(st);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = FreshPath("state.db");
    store_ = OpenOrDie(path_);
    ASSERT_NE(store_, nullptr);
  }
  /// Downloads orders and sends them: they end up Sent at `sent_at`.
  void DownloadAndSend(const std::string& cart, const std::vector<std::string>& ids,
                       int64_t sent_at) {
    std::vector<OrderRecord> orders;
    for (const auto& id : ids) orders.push_back(Order(cart, id));
    ASSERT_TRUE(store_->RecordDownloaded(cart, orders, "orders", "").ok());
    for (const auto& id : ids) {
      auto intent = store_->BeginSend(cart + ":" + id,
                                      R"({"order_key":")" + cart + ":" + id + "\"}", sent_at);
      ASSERT_TRUE(intent.ok()) << intent.status().message();
      ASSERT_TRUE(store_->CompleteSend(intent.value(), cart + ":" + id, "W-" + id, sent_at).ok());
    }
  }
  OrderRecord Get(const std::string& key) {
    auto r = store_->GetOrder(key);
    EXPECT_TRUE(r.ok()) << r.status().message();
    EXPECT_TRUE(r.ok() && r.value().has_value()) << key << " missing";
    return r.ok() && r.value() ? *r.value() : OrderRecord{};
  }

  std::string path_;
  std::unique_ptr<SqliteStateStore> store_;
};

// --- names ------------------------------------------------------------------

TEST(OrderStatusNames, RoundTrip) {
  const std::pair<OrderStatus, const char*> all[] = {{OrderStatus::New, "new"},
                                                     {OrderStatus::Held, "held"},
                                                     {OrderStatus::Sent, "sent"},
                                                     {OrderStatus::Shipped, "shipped"},
                                                     {OrderStatus::Confirmed, "confirmed"},
                                                     {OrderStatus::Skipped, "skipped"},
                                                     {OrderStatus::Canceled, "canceled"}};
  for (auto [status, name] : all) {
    EXPECT_EQ(OrderStatusName(status), name);
    EXPECT_EQ(ParseOrderStatus(name), status);
  }
  EXPECT_EQ(ParseOrderStatus("cancelled"), std::nullopt);
  EXPECT_EQ(ParseOrderStatus("NEW"), std::nullopt);
  EXPECT_EQ(ParseOrderStatus(""), std::nullopt);
}

// --- open, schema, migrations -------------------------------------------------

TEST(SqliteOpen, MemoryStoreWorks) {
  auto store = OpenOrDie(":memory:");
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->SchemaVersion().value(), kSqliteSchemaVersion);
  auto n = store->RecordDownloaded("acme", {Order("acme", "1")}, "orders", "c1");
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(n.value(), 1);
}

TEST(SqliteOpen, NewFileIsMigratedAndInWalMode) {
  std::string path = FreshPath("state.db");
  {
    auto store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->SchemaVersion().value(), kSqliteSchemaVersion);
  }
  RawDb raw(path);
  EXPECT_EQ(raw.Scalar("PRAGMA user_version"), std::to_string(kSqliteSchemaVersion));
  EXPECT_EQ(raw.Scalar("PRAGMA journal_mode"), "wal");
  for (const char* table : {"orders", "intents", "shipments", "cursors", "inventory_pushed", "runs",
                            "step_runs", "leases"}) {
    EXPECT_EQ(raw.Scalar(std::string("SELECT count(*) FROM sqlite_master WHERE type='table' AND "
                                     "name='") +
                         table + "'"),
              "1")
        << table;
  }
  EXPECT_EQ(raw.Scalar("SELECT count(*) FROM sqlite_master WHERE name='orders_cart_status'"), "1");
  EXPECT_EQ(raw.Scalar("SELECT count(*) FROM sqlite_master WHERE name='orders_cart_sent'"), "1");
}

TEST(SqliteOpen, ReopenIsANoOpAndKeepsData) {
  std::string path = FreshPath("state.db");
  {
    auto store = OpenOrDie(path);
    ASSERT_TRUE(store->RecordDownloaded("acme", {Order("acme", "1")}, "orders", "c1").ok());
  }
  RawDb raw(path);
  std::string schema_before = raw.Scalar("SELECT group_concat(sql, ';') FROM sqlite_master");
  for (int i = 0; i < 2; ++i) {
    auto store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->SchemaVersion().value(), kSqliteSchemaVersion);
    auto o = store->GetOrder("acme:1");
    ASSERT_TRUE(o.ok() && o.value().has_value());
    EXPECT_EQ(store->GetCursor("acme", "orders").value(), "c1");
  }
  EXPECT_EQ(raw.Scalar("SELECT group_concat(sql, ';') FROM sqlite_master"), schema_before);
}

TEST(SqliteOpen, EmptyV0FileMigrates) {
  std::string path = FreshPath("state.db");
  { std::ofstream(path).flush(); }  // zero bytes: a v0 database
  ASSERT_EQ(fs::file_size(path), 0u);
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->SchemaVersion().value(), kSqliteSchemaVersion);
  EXPECT_TRUE(store->RecordDownloaded("acme", {Order("acme", "1")}, "orders", "").ok());
}

TEST(SqliteOpen, V0DatabaseWithForeignTablesMigrates) {
  std::string path = FreshPath("state.db");
  {
    RawDb raw(path);
    ASSERT_EQ(raw.Exec("CREATE TABLE unrelated (x INTEGER)"), SQLITE_OK);
    ASSERT_EQ(raw.Scalar("PRAGMA user_version"), "0");
  }
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->SchemaVersion().value(), kSqliteSchemaVersion);
}

TEST(SqliteOpen, V1DatabaseGainsLeaseProcessKeepingLeases) {
  std::string path = FreshPath("state.db");
  {
    auto store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->AcquireLease({"acme", "run-a", "h", 1, kNow + 1000, "x"}, kNow, nullptr).ok());
  }
  {
    RawDb raw(path);  // back to the v1 layout
    ASSERT_EQ(raw.Exec("ALTER TABLE leases DROP COLUMN process"), SQLITE_OK);
    ASSERT_EQ(raw.Exec("ALTER TABLE intents DROP COLUMN doc"), SQLITE_OK);
    ASSERT_EQ(raw.Exec("PRAGMA user_version = 1"), SQLITE_OK);
  }
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->SchemaVersion().value(), kSqliteSchemaVersion);
  auto leases = store->Leases().value();
  ASSERT_EQ(leases.size(), 1u);
  EXPECT_EQ(leases[0].owner, "run-a");
  EXPECT_EQ(leases[0].process, "");
}

TEST(SqliteOpen, NewerSchemaIsRefused) {
  std::string path = FreshPath("state.db");
  { ASSERT_NE(OpenOrDie(path), nullptr); }
  {
    RawDb raw(path);
    ASSERT_EQ(raw.Exec("PRAGMA user_version = 99"), SQLITE_OK);
  }
  auto r = SqliteStateStore::Open(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::Permanent);
  EXPECT_EQ(r.status().message(), "state database schema v99 is newer than this cartsync (v" +
                                      std::to_string(kSqliteSchemaVersion) + ")");
}

TEST(SqliteOpen, NotADatabaseIsPermanent) {
  std::string path = FreshPath("state.db");
  {
    std::ofstream out(path);
    out << "this is not an SQLite file, just some text that is long enough to have a header";
  }
  auto r = SqliteStateStore::Open(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::Permanent);
  EXPECT_NE(r.status().message().find("not a database"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find(path), std::string::npos) << r.status().message();
}

TEST(SqliteOpen, MissingDirectoryIsPermanent) {
  std::string path = FreshPath("state.db");
  auto r = SqliteStateStore::Open((fs::path(path).parent_path() / "no" / "such" / "x.db").string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::Permanent);
  EXPECT_NE(r.status().message().find("cannot open state database"), std::string::npos)
      << r.status().message();
}

TEST(OpenStateStoreUrl, SqliteRelativeToBaseDirCreatesDirectories) {
  fs::path base = fs::path(FreshPath("x")).parent_path();
  auto r = OpenStateStore("sqlite:.cartsync/deep/state.db", base.string());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(fs::exists(base / ".cartsync" / "deep" / "state.db"));
  EXPECT_TRUE(r.value()->RecordDownloaded("acme", {Order("acme", "1")}, "orders", "").ok());
}

TEST(OpenStateStoreUrl, AbsolutePathIgnoresBaseDir) {
  fs::path dir = fs::path(FreshPath("x")).parent_path();
  auto r = OpenStateStore("sqlite:" + (dir / "abs" / "s.db").string(), "/nonexistent-base");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(fs::exists(dir / "abs" / "s.db"));
}

TEST(OpenStateStoreUrl, MemoryAndErrors) {
  auto mem = OpenStateStore("sqlite::memory:", "/nonexistent-base");
  ASSERT_TRUE(mem.ok()) << mem.status().message();

  auto pg = OpenStateStore("postgres://cartsync:hunter2@db.example.com/state", ".");
  ASSERT_FALSE(pg.ok());
  EXPECT_EQ(pg.status().code(), StatusCode::Permanent);
  EXPECT_EQ(pg.status().message(), "PostgreSQL state store is not available in this build");

  auto other = OpenStateStore("mysql://user:hunter2@db/x", ".");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::Permanent);
  EXPECT_EQ(other.status().message().find("hunter2"), std::string::npos)
      << "the URL's password leaked: " << other.status().message();
  EXPECT_NE(other.status().message().find("mysql"), std::string::npos);

  EXPECT_FALSE(OpenStateStore("sqlite:", ".").ok());
}

// --- orders -------------------------------------------------------------------

TEST_F(StateStoreTest, RecordDownloadedInsertsAsNewAndSetsCursor) {
  OrderRecord o = Order("acme", "1", kNow);
  o.status = OrderStatus::Sent;  // ignored: downloads start as New
  o.reason = "ignored";
  auto n = store_->RecordDownloaded("acme", {o, Order("acme", "2", kNow + 1)}, "orders", "c1");
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
TEST_F(StateStoreTest, ListOrdersPagesWithAKeysetCursor) {
  ASSERT_TRUE(store_->RecordDownloaded("acme", {Order("acme", "1", kNow + 3), Order("acme", "2", kNow + 1),
                                                Order("acme", "3", kNow + 1), Order("acme", "4", kNow)},
                                       "orders", "").ok());
  OrderQuery q{std::string("acme"), std::nullopt, 2};
  std::vector<std::string> seen;
  for (int guard = 0; guard < 10; ++guard) {
    auto page = store_->ListOrders(q).value();
    for (const auto& o : page) seen.push_back(o.order_key);
    if (page.size() < 2) break;
    q.after = std::make_pair(page.back().first_seen_ms, page.back().order_key);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"acme:4", "acme:2", "acme:3", "acme:1"}));
}

TEST_F(StateStoreTest, RecordDownloadedDedupesOverlappingWindows) {
  ASSERT_EQ(
      store_->RecordDownloaded("acme", {Order("acme", "1"), Order("acme", "2")}, "orders", "c1")
          .value(),
      2);
  ASSERT_TRUE(
      store_->UpdateOrder("acme:2", OrderStatus::Held, "unmapped ship code X", "", false, kNow + 5)
          .ok());
  // The next window overlaps: 2 again (with different contents), 3 new, and 3 twice.
  OrderRecord again = Order("acme", "2", kNow + 100);
  again.cart_order_json = R"({"id":"2","changed":true})";
  auto n = store_->RecordDownloaded("acme", {again, Order("acme", "3"), Order("acme", "3")},
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

TEST_F(StateStoreTest, EmptyCursorLeavesCursorAlone) {
  ASSERT_TRUE(store_->RecordDownloaded("acme", {}, "orders", "c1").ok());
  ASSERT_TRUE(store_->RecordDownloaded("acme", {Order("acme", "1")}, "orders", "").ok());
  EXPECT_EQ(store_->GetCursor("acme", "orders").value(), "c1");
  EXPECT_TRUE(Get("acme:1").order_key == "acme:1");
}

TEST_F(StateStoreTest, RecordDownloadedIsAllOrNothingOnAFailingRow) {
  ASSERT_TRUE(store_->RecordDownloaded("acme", {Order("acme", "0")}, "orders", "c0").ok());
  OrderRecord bad = Order("acme", "");
  bad.order_key = "";  // violates CHECK (length(order_key) > 0) after "1" went in
  auto n = store_->RecordDownloaded("acme", {Order("acme", "1"), bad, Order("acme", "2")}, "orders",
                                    "c1");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), StatusCode::Permanent);
  EXPECT_NE(n.status().message().find("RecordDownloaded"), std::string::npos)
      << n.status().message();
  EXPECT_EQ(store_->GetOrder("acme:1").value(), std::nullopt)
      << "the first insert was not rolled back";
  EXPECT_EQ(store_->GetOrder("acme:2").value(), std::nullopt);
  EXPECT_EQ(store_->GetCursor("acme", "orders").value(), "c0") << "the cursor moved";
  // The store is usable afterwards (no transaction left open).
  EXPECT_EQ(store_->RecordDownloaded("acme", {Order("acme", "1")}, "orders", "c1").value(), 1);
}

TEST_F(StateStoreTest, RecordDownloadedRollsBackOrdersWhenTheCursorFails) {
  RawDb raw(path_);
  ASSERT_EQ(raw.Exec("CREATE TRIGGER fail_cursor BEFORE INSERT ON cursors "
                     "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"),
            SQLITE_OK);
  auto n =
      store_->RecordDownloaded("acme", {Order("acme", "1"), Order("acme", "2")}, "orders", "c1");
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.status().message().find("injected failure"), std::string::npos)
      << n.status().message();
  EXPECT_TRUE(store_->ListOrders({}).value().empty()) << "orders stayed without their cursor";
  EXPECT_EQ(store_->GetCursor("acme", "orders").value(), std::nullopt);

  ASSERT_EQ(raw.Exec("DROP TRIGGER fail_cursor"), SQLITE_OK);
  EXPECT_EQ(
      store_->RecordDownloaded("acme", {Order("acme", "1"), Order("acme", "2")}, "orders", "c1")
          .value(),
      2);
}

TEST_F(StateStoreTest, RecordDownloadedRejectsAnotherCartsOrder) {
  auto n =
      store_->RecordDownloaded("acme", {Order("acme", "1"), Order("zeta", "1")}, "orders", "c1");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), StatusCode::Permanent);
  EXPECT_TRUE(store_->ListOrders({}).value().empty());
}

TEST_F(StateStoreTest, ListOrdersFiltersAndLimits) {
  ASSERT_TRUE(store_
                  ->RecordDownloaded("acme",
                                     {Order("acme", "1", kNow + 3), Order("acme", "2", kNow + 1),
                                      Order("acme", "3", kNow + 2)},
                                     "orders", "")
                  .ok());
  ASSERT_TRUE(store_->RecordDownloaded("zeta", {Order("zeta", "1", kNow)}, "orders", "").ok());
  ASSERT_TRUE(store_->UpdateOrder("acme:3", OrderStatus::Held, "why", "", false, kNow).ok());
  ASSERT_TRUE(store_->UpdateOrder("zeta:1", OrderStatus::Held, "why", "", false, kNow).ok());

  auto keys = [](const std::vector<OrderRecord>& v) {
    std::vector<std::string> out;
    for (const auto& o : v) out.push_back(o.order_key);
    return out;
  };
  EXPECT_EQ(keys(store_->ListOrders({}).value()),
            (std::vector<std::string>{"zeta:1", "acme:2", "acme:3", "acme:1"}));
  EXPECT_EQ(keys(store_->ListOrders({std::string("acme"), std::nullopt, 1000}).value()),
            (std::vector<std::string>{"acme:2", "acme:3", "acme:1"}));
  EXPECT_EQ(keys(store_->ListOrders({std::nullopt, OrderStatus::Held, 1000}).value()),
            (std::vector<std::string>{"zeta:1", "acme:3"}));
  EXPECT_EQ(keys(store_->ListOrders({std::string("acme"), OrderStatus::Held, 1000}).value()),
            (std::vector<std::string>{"acme:3"}));
  EXPECT_EQ(keys(store_->ListOrders({std::string("acme"), OrderStatus::New, 1}).value()),
            (std::vector<std::string>{"acme:2"}));
  EXPECT_EQ(store_->ListOrders({std::nullopt, std::nullopt, 0}).value().size(), 4u)
      << "limit 0 means all";
}

TEST_F(StateStoreTest, UpdateOrderSetsStatusReasonDocumentAndAttempts) {
  ASSERT_TRUE(store_->RecordDownloaded("acme", {Order("acme", "1")}, "orders", "").ok());
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

TEST_F(StateStoreTest, ResetForResendStartsAFreshRetryWindow) {
  ASSERT_TRUE(store_->RecordDownloaded("acme", {Order("acme", "1")}, "orders", "").ok());
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

TEST_F(StateStoreTest, SendLifecycleNewToConfirmed) {
  ASSERT_TRUE(store_->RecordDownloaded("acme", {Order("acme", "1")}, "orders", "").ok());

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

  auto n =
      store_->RecordShipments("acme", {Shipment("acme:1", "1Z001", kNow + 3)}, "shipments", "s1");
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
  RawDb raw(path_);
  EXPECT_EQ(raw.Scalar("SELECT state FROM shipments WHERE tracking_number = '1Z001'"), "uploaded");
}

TEST_F(StateStoreTest, FailSendKeepsOrderNewAndCountsAttempt) {
  ASSERT_TRUE(store_->RecordDownloaded("acme", {Order("acme", "1")}, "orders", "").ok());
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

TEST_F(StateStoreTest, BeginSendsRecordsAllOrNothing) {
  ASSERT_TRUE(store_->RecordDownloaded("acme", {Order("acme", "1"), Order("acme", "2"), Order("acme", "3")},
                                       "orders", "").ok());
  auto unknown = store_->BeginSends({{"acme:1", "{}"}, {"acme:404", "{}"}, {"acme:2", "{}"}}, kNow);
  EXPECT_EQ(unknown.status().code(), StatusCode::NotFound);
  auto twice = store_->BeginSends({{"acme:1", "{}"}, {"acme:1", "{}"}}, kNow);
  EXPECT_EQ(twice.status().code(), StatusCode::Permanent);
  auto none = store_->PendingIntents("acme");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none.value().empty()) << "a failed batch left intents behind";

  auto ids = store_->BeginSends({{"acme:1", R"({"n":1})"}, {"acme:2", "{}"}, {"acme:3", "{}"}}, kNow + 1);
  ASSERT_TRUE(ids.ok()) << ids.status().message();
  ASSERT_EQ(ids.value().size(), 3u);
  auto pending = store_->PendingIntents("acme");
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending.value().size(), 3u);
  EXPECT_EQ(pending.value()[0].id, ids.value()[0]);
  EXPECT_EQ(pending.value()[0].order_key, "acme:1");

  using Kind = SendFinish::Kind;
  ASSERT_TRUE(store_->FinishSends({{ids.value()[0], "acme:1", Kind::Sent, "W1"},
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

TEST_F(StateStoreTest, FinishSendsIsOneTransaction) {
  ASSERT_TRUE(store_->RecordDownloaded("acme", {Order("acme", "1"), Order("acme", "2")}, "orders", "").ok());
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

TEST_F(StateStoreTest, BeginSendGuards) {
  EXPECT_EQ(store_->BeginSend("acme:404", "{}", kNow).status().code(), StatusCode::NotFound);
  EXPECT_TRUE(store_->PendingIntents("").value().empty());

  ASSERT_TRUE(store_->RecordDownloaded("acme", {Order("acme", "1")}, "orders", "").ok());
  auto first = store_->BeginSend("acme:1", "{}", kNow);
  ASSERT_TRUE(first.ok());
  auto second = store_->BeginSend("acme:1", "{}", kNow);
  ASSERT_FALSE(second.ok()) << "a second push while one is unreconciled could duplicate the order";
  EXPECT_EQ(second.status().code(), StatusCode::Permanent);
  EXPECT_NE(second.status().message().find("reconcile"), std::string::npos);
  EXPECT_EQ(store_->PendingIntents("acme").value().size(), 1u);
}

TEST_F(StateStoreTest, CompleteSendChecksTheIntentAndNeverDowngrades) {
  ASSERT_TRUE(
      store_->RecordDownloaded("acme", {Order("acme", "1"), Order("acme", "2")}, "orders", "")
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
  ASSERT_TRUE(store_->RecordShipments("acme", {Shipment("acme:1", "T1")}, "shipments", "").ok());
  ASSERT_TRUE(store_->CompleteSend(0, "acme:1", "W1", kNow + 50).ok());
  OrderRecord o = Get("acme:1");
  EXPECT_EQ(o.status, OrderStatus::Shipped);
  EXPECT_EQ(o.sent_ms, kNow + 1);
}

TEST_F(StateStoreTest, DropIntent) {
  ASSERT_TRUE(store_->RecordDownloaded("acme", {Order("acme", "1")}, "orders", "").ok());
  auto i = store_->BeginSend("acme:1", "{}", kNow);
  ASSERT_TRUE(i.ok());
  ASSERT_TRUE(store_->DropIntent(i.value()).ok());
  EXPECT_TRUE(store_->PendingIntents("acme").value().empty());
  EXPECT_EQ(Get("acme:1").status, OrderStatus::New);
  EXPECT_EQ(store_->DropIntent(i.value()).code(), StatusCode::NotFound);
}

TEST_F(StateStoreTest, PendingIntentsPerCartAndAll) {
  ASSERT_TRUE(store_->RecordDownloaded("acme", {Order("acme", "1")}, "orders", "").ok());
  ASSERT_TRUE(store_->RecordDownloaded("zeta", {Order("zeta", "1")}, "orders", "").ok());
  ASSERT_TRUE(store_->BeginSend("acme:1", "{}", kNow).ok());
  ASSERT_TRUE(store_->BeginSend("zeta:1", "{}", kNow).ok());
  EXPECT_EQ(store_->PendingIntents("acme").value().size(), 1u);
  EXPECT_EQ(store_->PendingIntents("zeta").value().size(), 1u);
  EXPECT_EQ(store_->PendingIntents("").value().size(), 2u);
  EXPECT_TRUE(store_->PendingIntents("nobody").value().empty());
}

TEST_F(StateStoreTest, IntentSurvivesACrashBetweenBeginAndComplete) {
  ASSERT_TRUE(store_->RecordDownloaded("acme", {Order("acme", "1")}, "orders", "").ok());
  store_.reset();
  // The child records the intent, "pushes", and dies before CompleteSend:
  // no destructor, no close, no checkpoint.
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto child = SqliteStateStore::Open(path_);
    if (!child.ok()) _exit(2);
    auto intent = child.value()->BeginSend("acme:1", R"({"doc":1})", kNow + 1);
    _exit(intent.ok() ? 0 : 3);
  }
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFEXITED(wstatus));
  ASSERT_EQ(WEXITSTATUS(wstatus), 0);

  store_ = OpenOrDie(path_);
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

TEST_F(StateStoreTest, SentSinceFiltersCartsTimeAndStatus) {
  DownloadAndSend("acme", {"1", "2"}, kNow + 10);
  DownloadAndSend("acme", {"3"}, kNow + 20);
  DownloadAndSend("zeta", {"1"}, kNow + 30);
  DownloadAndSend("omega", {"1"}, kNow + 30);
  ASSERT_TRUE(store_->RecordDownloaded("acme", {Order("acme", "4")}, "orders", "").ok());  // New
  // Shipped and confirmed still count; canceled does not.
  ASSERT_TRUE(store_->RecordShipments("acme", {Shipment("acme:3", "T3")}, "shipments", "").ok());
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

TEST_F(StateStoreTest, RecordShipmentsDedupesAndSkipsUnknownOrders) {
  DownloadAndSend("acme", {"1", "2"}, kNow);
  ASSERT_TRUE(store_->RecordDownloaded("acme", {Order("acme", "3")}, "orders", "").ok());  // New
  ASSERT_TRUE(store_->RecordDownloaded("zeta", {Order("zeta", "9")}, "orders", "").ok());
  auto n = store_->RecordShipments(
      "acme",
      {Shipment("acme:1", "T1"), Shipment("acme:1", "T1b"), Shipment("acme:404", "TX"),
       Shipment("zeta:9", "TZ"), Shipment("acme:3", "T3")},
      "shipments", "s1");
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(n.value(), 3) << "two parcels of acme:1 and one of acme:3; unknown/foreign skipped";
  EXPECT_EQ(Get("acme:1").status, OrderStatus::Shipped);
  EXPECT_EQ(Get("acme:2").status, OrderStatus::Sent);
  EXPECT_EQ(Get("acme:3").status, OrderStatus::New) << "only sent orders become shipped";
  EXPECT_EQ(Get("zeta:9").status, OrderStatus::New);

  // Overlap: T1 again plus a new one.
  n = store_->RecordShipments("acme", {Shipment("acme:1", "T1"), Shipment("acme:2", "T2")},
                              "shipments", "");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n.value(), 1);
  EXPECT_EQ(Get("acme:2").status, OrderStatus::Shipped);
  EXPECT_EQ(store_->GetCursor("acme", "shipments").value(), "s1");
  EXPECT_EQ(store_->PendingShipments("acme").value().size(), 4u);
  EXPECT_TRUE(store_->PendingShipments("zeta").value().empty());
}

TEST_F(StateStoreTest, SecondParcelDoesNotDowngradeConfirmed) {
  DownloadAndSend("acme", {"1"}, kNow);
  ASSERT_TRUE(store_->RecordShipments("acme", {Shipment("acme:1", "T1")}, "shipments", "").ok());
  auto up = store_->BeginUpload("acme:1", "T1", kNow);
  ASSERT_TRUE(store_->CompleteUpload(up.value(), "acme:1", "T1", kNow).ok());
  ASSERT_EQ(Get("acme:1").status, OrderStatus::Confirmed);
  ASSERT_EQ(store_->RecordShipments("acme", {Shipment("acme:1", "T2")}, "shipments", "").value(),
            1);
  EXPECT_EQ(Get("acme:1").status, OrderStatus::Confirmed);
  EXPECT_EQ(store_->PendingShipments("acme").value().size(), 1u);
}

TEST_F(StateStoreTest, RecordShipmentsIsAllOrNothing) {
  DownloadAndSend("acme", {"1", "2"}, kNow);
  auto n = store_->RecordShipments("acme", {Shipment("acme:1", "T1"), Shipment("acme:2", "")},
                                   "shipments", "s1");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), StatusCode::Permanent);
  EXPECT_TRUE(store_->PendingShipments("acme").value().empty());
  EXPECT_EQ(Get("acme:1").status, OrderStatus::Sent) << "the status change was not rolled back";
  EXPECT_EQ(store_->GetCursor("acme", "shipments").value(), std::nullopt);
}

TEST_F(StateStoreTest, FailUploadCountsAndKeepsPending) {
  DownloadAndSend("acme", {"1"}, kNow);
  ASSERT_TRUE(store_->RecordShipments("acme", {Shipment("acme:1", "T1")}, "shipments", "").ok());
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

// --- inventory ------------------------------------------------------------------

TEST_F(StateStoreTest, PushedInventoryUpserts) {
  EXPECT_TRUE(store_->PushedInventory("acme").value().empty());
  ASSERT_TRUE(store_->RecordPushedInventory("acme", {{"A", 5}, {"B", 0}}, kNow).ok());
  ASSERT_TRUE(store_->RecordPushedInventory("zeta", {{"A", 9}}, kNow).ok());
  ASSERT_TRUE(store_->RecordPushedInventory("acme", {{"B", 7}, {"C", 1}}, kNow + 1).ok());
  EXPECT_EQ(store_->PushedInventory("acme").value(),
            (std::map<std::string, int64_t>{{"A", 5}, {"B", 7}, {"C", 1}}));
  EXPECT_EQ(store_->PushedInventory("zeta").value(), (std::map<std::string, int64_t>{{"A", 9}}));
}

// --- runs -----------------------------------------------------------------------

TEST_F(StateStoreTest, RunsAndStepRuns) {
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

// --- leases -----------------------------------------------------------------------

TEST_F(StateStoreTest, LeaseTakeOverOnlyFromTheNamedOwner) {
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

TEST_F(StateStoreTest, LeasesAcrossTwoStoreObjects) {
  auto other = OpenOrDie(path_);
  ASSERT_NE(other, nullptr);
  LeaseInfo a{"acme", "run-a", "host-a", 100, kNow + 60'000};
  LeaseInfo b{"acme", "run-b", "host-b", 200, kNow + 60'000};
  LeaseInfo holder;
  ASSERT_TRUE(store_->AcquireLease(a, kNow, &holder).ok());

  Status locked = other->AcquireLease(b, kNow + 1000, &holder);
  ASSERT_EQ(locked.code(), StatusCode::Locked);
  EXPECT_EQ(holder.cart_id, "acme");
  EXPECT_EQ(holder.owner, "run-a");
  EXPECT_EQ(holder.host, "host-a");
  EXPECT_EQ(holder.pid, 100);
  EXPECT_EQ(holder.expires_ms, kNow + 60'000);
  EXPECT_EQ(locked.message(),
            "cart acme is locked by run run-a on host-a pid 100 until 2026-11-18T11:07:40Z");
  EXPECT_EQ(other->AcquireLease(b, kNow + 1000, nullptr).code(), StatusCode::Locked);

  // The holder may take it again (and extend it); renewing works too.
  a.expires_ms = kNow + 90'000;
  ASSERT_TRUE(store_->AcquireLease(a, kNow + 2000, nullptr).ok());
  ASSERT_TRUE(store_->RenewLease("acme", "run-a", kNow + 120'000).ok());
  EXPECT_EQ(other->RenewLease("acme", "run-b", kNow + 999'999).code(), StatusCode::Locked);
  EXPECT_EQ(other->ReleaseLease("acme", "run-b").code(), StatusCode::Locked);
  auto leases = other->Leases().value();
  ASSERT_EQ(leases.size(), 1u);
  EXPECT_EQ(leases[0].owner, "run-a");
  EXPECT_EQ(leases[0].expires_ms, kNow + 120'000);

  // Still held one ms before expiry; free at expiry.
  EXPECT_EQ(other->AcquireLease(b, kNow + 119'999, nullptr).code(), StatusCode::Locked);
  b.expires_ms = kNow + 200'000;
  ASSERT_TRUE(other->AcquireLease(b, kNow + 120'000, nullptr).ok());
  Status lost = store_->RenewLease("acme", "run-a", kNow + 300'000);
  EXPECT_EQ(lost.code(), StatusCode::Locked);
  EXPECT_NE(lost.message().find("run-b"), std::string::npos) << lost.message();
  EXPECT_EQ(store_->ReleaseLease("acme", "run-a").code(), StatusCode::Locked)
      << "releasing must not drop another run's lease";
  EXPECT_EQ(store_->Leases().value()[0].owner, "run-b");

  ASSERT_TRUE(other->ReleaseLease("acme", "run-b").ok());
  EXPECT_TRUE(other->ReleaseLease("acme", "run-b").ok()) << "releasing twice is harmless";
  EXPECT_TRUE(store_->Leases().value().empty());
}

TEST_F(StateStoreTest, ForceUnlock) {
  EXPECT_EQ(store_->ForceUnlock("acme").code(), StatusCode::NotFound);
  LeaseInfo a{"acme", "run-a", "host-a", 100, kNow + 60'000};
  LeaseInfo z{"zeta", "run-a", "host-a", 100, kNow + 60'000};
  ASSERT_TRUE(store_->AcquireLease(a, kNow, nullptr).ok());
  ASSERT_TRUE(store_->AcquireLease(z, kNow, nullptr).ok());
  auto other = OpenOrDie(path_);
  ASSERT_TRUE(other->ForceUnlock("acme").ok());
  auto leases = store_->Leases().value();
  ASSERT_EQ(leases.size(), 1u);
  EXPECT_EQ(leases[0].cart_id, "zeta");
  LeaseInfo b{"acme", "run-b", "host-b", 200, kNow + 60'000};
  EXPECT_TRUE(other->AcquireLease(b, kNow + 1, nullptr).ok());
  EXPECT_EQ(store_->RenewLease("acme", "run-a", kNow + 1).code(), StatusCode::Locked);
}

TEST_F(StateStoreTest, LostLeaseAfterForceUnlockIsReported) {
  LeaseInfo a{"acme", "run-a", "host-a", 100, kNow + 60'000};
  ASSERT_TRUE(store_->AcquireLease(a, kNow, nullptr).ok());
  ASSERT_TRUE(store_->ForceUnlock("acme").ok());
  Status st = store_->RenewLease("acme", "run-a", kNow + 1);
  EXPECT_EQ(st.code(), StatusCode::Locked);
  EXPECT_TRUE(store_->ReleaseLease("acme", "run-a").ok());
}

// --- concurrency and busy handling --------------------------------------------------

TEST_F(StateStoreTest, ConcurrentWritersThroughTwoConnectionsAndSharedObjects) {
  auto second = OpenOrDie(path_);
  ASSERT_NE(second, nullptr);
  constexpr int kThreads = 4, kBatches = 15, kPerBatch = 4;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    // Threads 0,2 share store_; 1,3 share `second`: both mutex and file locks.
    SqliteStateStore* s = (t % 2 == 0) ? store_.get() : second.get();
    threads.emplace_back([s, t, &failures] {
      std::string cart = "cart" + std::to_string(t);
      for (int b = 0; b < kBatches; ++b) {
        std::vector<OrderRecord> orders;
        for (int i = 0; i < kPerBatch; ++i) {
          orders.push_back(Order(cart, std::to_string(b * kPerBatch + i)));
        }
        // Overlap with the previous batch, as real download windows do.
        if (b > 0) orders.push_back(Order(cart, std::to_string(b * kPerBatch - 1)));
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
    auto orders = store_->ListOrders({cart, OrderStatus::Sent, 0});
    ASSERT_TRUE(orders.ok());
    EXPECT_EQ(orders.value().size(), static_cast<size_t>(kBatches * kPerBatch)) << cart;
    EXPECT_EQ(second->GetCursor(cart, "orders").value(), "c" + std::to_string(kBatches - 1));
    EXPECT_EQ(store_->PushedInventory(cart).value().at("SKU"), kBatches - 1);
  }
  EXPECT_TRUE(store_->PendingIntents("").value().empty());
  RawDb raw(path_);
  EXPECT_EQ(raw.Scalar("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(raw.Scalar("PRAGMA foreign_key_check"), "<none>");
}

TEST_F(StateStoreTest, BusyDatabaseIsTransientAndReadsStillWork) {
  ASSERT_TRUE(store_->RecordDownloaded("acme", {Order("acme", "1")}, "orders", "c1").ok());
  SqliteStateStore::Options quick;
  quick.busy_timeout_ms = 50;
  auto impatient = OpenOrDie(path_, quick);
  ASSERT_NE(impatient, nullptr);

  RawDb blocker(path_);
  ASSERT_EQ(blocker.Exec("BEGIN IMMEDIATE"), SQLITE_OK);
  auto n = impatient->RecordDownloaded("acme", {Order("acme", "2")}, "orders", "c2");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), StatusCode::Transient);
  EXPECT_TRUE(n.status().transient());
  EXPECT_NE(n.status().message().find("busy"), std::string::npos) << n.status().message();
  EXPECT_NE(n.status().message().find("RecordDownloaded"), std::string::npos)
      << n.status().message();
  LeaseInfo a{"acme", "run-a", "h", 1, kNow + 1};
  EXPECT_EQ(impatient->AcquireLease(a, kNow, nullptr).code(), StatusCode::Transient);

  // WAL: readers are not blocked by the writer.
  auto o = impatient->GetOrder("acme:1");
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_TRUE(o.value().has_value());
  EXPECT_EQ(impatient->GetCursor("acme", "orders").value(), "c1");

  ASSERT_EQ(blocker.Exec("COMMIT"), SQLITE_OK);
  EXPECT_EQ(impatient->RecordDownloaded("acme", {Order("acme", "2")}, "orders", "c2").value(), 1);
}

TEST_F(StateStoreTest, DefaultBusyTimeoutWaitsForAShortLock) {
  RawDb blocker(path_);
  ASSERT_EQ(blocker.Exec("BEGIN IMMEDIATE"), SQLITE_OK);
  std::thread release([&blocker] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    blocker.Exec("COMMIT");
  });
  auto n = store_->RecordDownloaded("acme", {Order("acme", "1")}, "orders", "");
  release.join();
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(n.value(), 1);
}

TEST(SqliteStatusMapping, ErrorClasses) {
  Status busy = SqliteStatus(SQLITE_BUSY, "RecordShipments", "database is locked");
  EXPECT_EQ(busy.code(), StatusCode::Transient);
  EXPECT_NE(busy.message().find("RecordShipments"), std::string::npos);
  EXPECT_EQ(SqliteStatus(SQLITE_LOCKED, "X", "d").code(), StatusCode::Transient);
  EXPECT_EQ(SqliteStatus(SQLITE_BUSY_SNAPSHOT, "X", "d").code(), StatusCode::Transient);

  Status full = SqliteStatus(SQLITE_FULL, "CompleteSend", "database or disk is full");
  EXPECT_EQ(full.code(), StatusCode::Permanent);
  EXPECT_EQ(full.message(),
            "state database write failed: disk full (CompleteSend: database or disk is full)");
  Status io = SqliteStatus(SQLITE_IOERR_FSYNC, "BeginSend", "disk I/O error");
  EXPECT_EQ(io.code(), StatusCode::Permanent);
  EXPECT_EQ(io.message().rfind("state database write failed: I/O error (BeginSend", 0), 0u)
      << io.message();
  EXPECT_EQ(SqliteStatus(SQLITE_READONLY, "X", "d").code(), StatusCode::Permanent);
  EXPECT_EQ(SqliteStatus(SQLITE_CORRUPT, "X", "d").code(), StatusCode::Permanent);
  EXPECT_EQ(SqliteStatus(SQLITE_CONSTRAINT_CHECK, "X", "d").code(), StatusCode::Permanent);
  EXPECT_TRUE(SqliteStatus(SQLITE_OK, "X", "").ok());
}

}  // namespace
}  // namespace cartsync

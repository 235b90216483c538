// The SQLite state store: the store contract (state_store_contract.h) on
// real files, plus what only SQLite has — opening and creating files, schema
// migrations from older versions, the OpenStateStore URL rules, WAL and the
// busy timeout (busy -> Transient), failures injected with triggers, and the
// mapping of SQLite errors to Status.
#include "runtime/state/sqlite_state_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/runtime/state/state_store_contract.h"

namespace cartsync::state_test {
namespace {

namespace fs = std::filesystem;

/// A new, empty directory for the running test; `name` in it.
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

// --- the contract -------------------------------------------------------------

/// The database file of the running contract test. Derived from the test's
/// name, so `reopen` (in the test's process or a forked child) finds what
/// `create` made without sharing state.
std::string ContractPath() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "." + info->name();
  std::replace(name.begin(), name.end(), '/', '_');  // "Sqlite/StateStoreContract.X/Sqlite"
  return (fs::path(::testing::TempDir()) / "cartsync_state_test" / name / "state.db").string();
}

StateStoreFactory SqliteFiles() {
  StateStoreFactory f;
  f.name = "Sqlite";
  f.create = []() -> std::unique_ptr<StateStore> {
    fs::path path = ContractPath();
    fs::remove_all(path.parent_path());
    fs::create_directories(path.parent_path());
    return OpenOrDie(path.string());
  };
  f.reopen = []() -> std::unique_ptr<StateStore> { return OpenOrDie(ContractPath()); };
  f.check_consistency = []() -> std::string {
    RawDb raw(ContractPath());
    if (std::string r = raw.Scalar("PRAGMA integrity_check"); r != "ok")
      return "integrity_check: " + r;
    if (std::string r = raw.Scalar("PRAGMA foreign_key_check"); r != "<none>")
      return "foreign_key_check: " + r;
    return "";
  };
  return f;
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StateStoreContract, ::testing::Values(SqliteFiles()),
                         StateStoreFactoryName);

/// A store on a fresh file, for the SQLite-only cases that also reach the
/// file with a raw connection.
class SqliteStateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = FreshPath("state.db");
    store_ = OpenOrDie(path_);
    ASSERT_NE(store_, nullptr);
  }

  std::string path_;
  std::unique_ptr<SqliteStateStore> store_;
};

// --- names ----------------------------------------------------------------------

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

// --- open, schema, migrations ---------------------------------------------------

TEST(SqliteOpen, MemoryStoreWorks) {
  auto store = OpenOrDie(":memory:");
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->SchemaVersion().value(), kSqliteSchemaVersion);
  auto n = store->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "c1");
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
    ASSERT_TRUE(store->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "c1").ok());
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
  EXPECT_TRUE(store->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "").ok());
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
    ASSERT_TRUE(
        store->AcquireLease({"acme", "run-a", "h", 1, kNow + 1000, "x"}, kNow, nullptr).ok());
  }
  {
    RawDb raw(path);  // back to the v1 layout
    ASSERT_EQ(raw.Exec("DROP TABLE alerts"), SQLITE_OK);
    ASSERT_EQ(raw.Exec("ALTER TABLE leases DROP COLUMN process"), SQLITE_OK);
    ASSERT_EQ(raw.Exec("ALTER TABLE intents DROP COLUMN doc"), SQLITE_OK);
    ASSERT_EQ(raw.Exec("DROP INDEX orders_pii_kept"), SQLITE_OK);
    ASSERT_EQ(raw.Exec("ALTER TABLE orders DROP COLUMN pii_erased_ms"), SQLITE_OK);
    ASSERT_EQ(raw.Exec("DROP INDEX orders_ack_pending"), SQLITE_OK);
    ASSERT_EQ(raw.Exec("ALTER TABLE orders DROP COLUMN ack_pending"), SQLITE_OK);
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

TEST(SqliteOpen, V6StatusCheckBecomesEqualitiesAndStillRefusesOtherValues) {
  std::string path = FreshPath("state.db");
  {
    auto store = OpenOrDie(path);
    ASSERT_TRUE(store->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "").ok());
  }
  const char* in_list = R"(CHECK (status IN
                    ('new','held','sent','shipped','confirmed','skipped','canceled')))";
  const char* equalities =
      R"(CHECK (status = 'new' OR status = 'held' OR status = 'sent' OR status = 'shipped'
                    OR status = 'confirmed' OR status = 'skipped' OR status = 'canceled'))";
  auto quoted = [](std::string s) {
    for (size_t at = 0; (at = s.find('\'', at)) != std::string::npos; at += 2) s.insert(at, "'");
    return "'" + s + "'";
  };
  const std::string where = "FROM sqlite_schema WHERE type = 'table' AND name = 'orders'";
  {
    RawDb raw(path);  // back to v6: the CHECK as v1 created it
    ASSERT_NE(raw.Scalar("SELECT instr(sql, " + quoted(equalities) + ") " + where), "0");
    ASSERT_EQ(raw.Exec("PRAGMA writable_schema = ON"), SQLITE_OK);
    ASSERT_EQ(raw.Exec("UPDATE sqlite_schema SET sql = replace(sql, " + quoted(equalities) + ", " +
                       quoted(in_list) + ") WHERE type = 'table' AND name = 'orders'"),
              SQLITE_OK);
    ASSERT_EQ(raw.Exec("PRAGMA writable_schema = OFF"), SQLITE_OK);
    ASSERT_EQ(raw.Exec("PRAGMA user_version = 6"), SQLITE_OK);
  }
  {
    RawDb raw(path);
    ASSERT_NE(raw.Scalar("SELECT instr(sql, " + quoted(in_list) + ") " + where), "0");
    EXPECT_EQ(raw.Scalar("PRAGMA integrity_check"), "ok");
  }
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->SchemaVersion().value(), kSqliteSchemaVersion);
  auto o = store->GetOrder("acme:1");
  ASSERT_TRUE(o.ok() && o.value().has_value());
  RawDb raw(path);
  EXPECT_EQ(raw.Scalar("SELECT instr(sql, 'status IN') " + where), "0");
  EXPECT_NE(raw.Scalar("SELECT instr(sql, " + quoted(equalities) + ") " + where), "0");
  EXPECT_EQ(raw.Scalar("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(raw.Exec("UPDATE orders SET status = 'bogus'"), SQLITE_CONSTRAINT);
  EXPECT_EQ(raw.Exec("UPDATE orders SET status = 'held'"), SQLITE_OK);
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
  EXPECT_TRUE(r.value()->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "").ok());
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

  // postgres:// goes to the PostgreSQL store (postgres_state_store_test.cc);
  // nothing listens on port 1 here.
  auto pg = OpenStateStore("postgres://cartsync:hunter2@127.0.0.1:1/state", ".");
  ASSERT_FALSE(pg.ok());
  EXPECT_EQ(pg.status().message().find("hunter2"), std::string::npos) << pg.status().message();

  auto other = OpenStateStore("mysql://user:hunter2@db/x", ".");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::Permanent);
  EXPECT_EQ(other.status().message().find("hunter2"), std::string::npos)
      << "the URL's password leaked: " << other.status().message();
  EXPECT_NE(other.status().message().find("mysql"), std::string::npos);

  EXPECT_FALSE(OpenStateStore("sqlite:", ".").ok());
}

// --- what the interface does not show -------------------------------------------

TEST_F(SqliteStateStoreTest, RecordDownloadedRollsBackOrdersWhenTheCursorFails) {
  RawDb raw(path_);
  ASSERT_EQ(raw.Exec("CREATE TRIGGER fail_cursor BEFORE INSERT ON cursors "
                     "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"),
            SQLITE_OK);
  auto n = store_->RecordDownloaded("acme", {MakeOrder("acme", "1"), MakeOrder("acme", "2")},
                                    "orders", "c1");
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.status().message().find("injected failure"), std::string::npos)
      << n.status().message();
  EXPECT_TRUE(store_->ListOrders({}).value().empty()) << "orders stayed without their cursor";
  EXPECT_EQ(store_->GetCursor("acme", "orders").value(), std::nullopt);

  ASSERT_EQ(raw.Exec("DROP TRIGGER fail_cursor"), SQLITE_OK);
  EXPECT_EQ(store_
                ->RecordDownloaded("acme", {MakeOrder("acme", "1"), MakeOrder("acme", "2")},
                                   "orders", "c1")
                .value(),
            2);
}

// An uploaded shipment stays in the file (history), marked uploaded; the
// interface shows only that it is no longer pending.
TEST_F(SqliteStateStoreTest, CompleteUploadKeepsTheShipmentAsUploaded) {
  ASSERT_TRUE(store_->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "").ok());
  auto intent = store_->BeginSend("acme:1", "{}", kNow);
  ASSERT_TRUE(intent.ok()) << intent.status().message();
  ASSERT_TRUE(store_->CompleteSend(intent.value(), "acme:1", "W1", kNow).ok());
  ASSERT_TRUE(
      store_->RecordShipments("acme", {MakeShipment("acme:1", "1Z001")}, "shipments", "").ok());
  auto up = store_->BeginUpload("acme:1", "1Z001", kNow + 1);
  ASSERT_TRUE(up.ok()) << up.status().message();
  ASSERT_TRUE(store_->CompleteUpload(up.value(), "acme:1", "1Z001", kNow + 2).ok());
  EXPECT_TRUE(store_->PendingShipments("acme").value().empty());
  RawDb raw(path_);
  EXPECT_EQ(raw.Scalar("SELECT state FROM shipments WHERE tracking_number = '1Z001'"), "uploaded");
}

// --- busy handling --------------------------------------------------------------

TEST_F(SqliteStateStoreTest, BusyDatabaseIsTransientAndReadsStillWork) {
  ASSERT_TRUE(store_->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "c1").ok());
  SqliteStateStore::Options quick;
  quick.busy_timeout_ms = 50;
  auto impatient = OpenOrDie(path_, quick);
  ASSERT_NE(impatient, nullptr);

  RawDb blocker(path_);
  ASSERT_EQ(blocker.Exec("BEGIN IMMEDIATE"), SQLITE_OK);
  auto n = impatient->RecordDownloaded("acme", {MakeOrder("acme", "2")}, "orders", "c2");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), StatusCode::Transient);
  EXPECT_TRUE(n.status().transient());
  EXPECT_NE(n.status().message().find("busy"), std::string::npos) << n.status().message();
  EXPECT_NE(n.status().message().find("RecordDownloaded"), std::string::npos)
      << n.status().message();
  LeaseInfo a{"acme", "run-a", "h", 1, kNow + 1, ""};
  EXPECT_EQ(impatient->AcquireLease(a, kNow, nullptr).code(), StatusCode::Transient);

  // WAL: readers are not blocked by the writer.
  auto o = impatient->GetOrder("acme:1");
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_TRUE(o.value().has_value());
  EXPECT_EQ(impatient->GetCursor("acme", "orders").value(), "c1");

  ASSERT_EQ(blocker.Exec("COMMIT"), SQLITE_OK);
  EXPECT_EQ(impatient->RecordDownloaded("acme", {MakeOrder("acme", "2")}, "orders", "c2").value(),
            1);
}

TEST_F(SqliteStateStoreTest, DefaultBusyTimeoutWaitsForAShortLock) {
  RawDb blocker(path_);
  ASSERT_EQ(blocker.Exec("BEGIN IMMEDIATE"), SQLITE_OK);
  std::thread release([&blocker] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    blocker.Exec("COMMIT");
  });
  auto n = store_->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "");
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
}  // namespace cartsync::state_test

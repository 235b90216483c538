// The PostgreSQL state store: the store contract (state_store_contract.h) on
// a real server, plus what only PostgreSQL has — migrations and the refusal
// of a newer schema, connection errors without the password, leases raced
// for by two connections, fencing tokens, concurrent writers on the same
// rows, and a connection the server dropped.
//
// The server is CARTSYNC_TEST_PG_URL (tools/test.sh starts one with
// tests/state/postgres_server.sh; its password comes from PGPASSFILE). Each
// test gets a schema of its own (options=-csearch_path in the URL). Without
// the variable the tests that need a server are skipped; the others (URL
// redaction, error mapping, an unreachable server) always run.
#include "runtime/state/postgres_state_store.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <latch>
#include <set>
#include <thread>

#include "tests/runtime/state/state_store_contract.h"

namespace cartsync::state_test {
namespace {

// --- the server and a schema per test -------------------------------------------

/// The server the tests use; "" when none is given.
std::string ServerUrl() {
  const char* url = std::getenv("CARTSYNC_TEST_PG_URL");
  return url != nullptr ? url : "";
}

constexpr const char* kNoServer =
    "CARTSYNC_TEST_PG_URL is not set: no PostgreSQL server to test against "
    "(tools/test.sh starts one with tests/state/postgres_server.sh)";

/// `url` with its tables in `schema`.
std::string UrlWithSchema(const std::string& url, const std::string& schema) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
         schema;
}

/// A plain libpq connection, for what the store's interface does not show.
class RawPg {
 public:
  explicit RawPg(const std::string& url) : pg_(PQconnectdb(url.c_str())) {
    EXPECT_EQ(PQstatus(pg_), CONNECTION_OK) << PQerrorMessage(pg_);
    PQsetNoticeProcessor(
        pg_, [](void*, const char*) {}, nullptr);
  }
  ~RawPg() { PQfinish(pg_); }
  RawPg(const RawPg&) = delete;
  RawPg& operator=(const RawPg&) = delete;

  /// Runs `sql`; a test failure (and false) when it fails.
  bool Exec(const std::string& sql) {
    PGresult* r = PQexec(pg_, sql.c_str());
    const ExecStatusType st = PQresultStatus(r);
    const bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    EXPECT_TRUE(ok) << sql << ": " << PQresultErrorMessage(r);
    PQclear(r);
    return ok;
  }
  /// The first column of the first row: "<none>" without rows, "<null>".
  std::string Scalar(const std::string& sql) {
    PGresult* r = PQexec(pg_, sql.c_str());
    std::string out;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
      out = std::string("<error: ") + PQresultErrorMessage(r) + ">";
    } else if (PQntuples(r) == 0) {
      out = "<none>";
    } else if (PQgetisnull(r, 0, 0)) {
      out = "<null>";
    } else {
      out = PQgetvalue(r, 0, 0);
    }
    PQclear(r);
    return out;
  }

 private:
  PGconn* pg_;
};

/// The schema of the running test (kept for a forked child's `reopen`, and
/// to drop it when the next test starts).
std::string& CurrentSchema() {
  static std::string schema;
  return schema;
}

/// Drops the last test's schema and makes a new, empty one for the running
/// test: "cs_<pid>_<hash of the test's name>" (a name PostgreSQL takes as is;
/// the pid keeps two suites on one server apart).
std::string FreshSchema() {
  RawPg admin(ServerUrl());
  if (!CurrentSchema().empty()) admin.Exec("DROP SCHEMA IF EXISTS " + CurrentSchema() + " CASCADE");
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const size_t hash =
      std::hash<std::string>{}(std::string(info->test_suite_name()) + "." + info->name());
  char name[64];
  std::snprintf(name, sizeof name, "cs_%d_%016zx", static_cast<int>(getpid()), hash);
  CurrentSchema() = name;
  admin.Exec(std::string("DROP SCHEMA IF EXISTS ") + name + " CASCADE");
  admin.Exec(std::string("CREATE SCHEMA ") + name);
  return name;
}

/// Drops the last test's schema when the suite ends.
class DropLastSchema : public ::testing::Environment {
 public:
  void TearDown() override {
    if (ServerUrl().empty() || CurrentSchema().empty()) return;
    RawPg admin(ServerUrl());
    admin.Exec("DROP SCHEMA IF EXISTS " + CurrentSchema() + " CASCADE");
    CurrentSchema().clear();
  }
};
[[maybe_unused]] ::testing::Environment* const kDropLastSchema =
    ::testing::AddGlobalTestEnvironment(new DropLastSchema);

std::unique_ptr<PostgresStateStore> OpenOrFail(const std::string& url,
                                               const PostgresStateStore::Options& options = {}) {
  auto r = PostgresStateStore::Open(url, options);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r.value()) : nullptr;
}

// --- the contract -------------------------------------------------------------------

void SkipWithoutServer() { GTEST_SKIP() << kNoServer; }

StateStoreFactory PostgresServer() {
  StateStoreFactory f;
  f.name = "Postgres";
  f.create = []() -> std::unique_ptr<StateStore> {
    if (ServerUrl().empty()) {
      SkipWithoutServer();
      return nullptr;
    }
    return OpenOrFail(UrlWithSchema(ServerUrl(), FreshSchema()));
  };
  f.reopen = []() -> std::unique_ptr<StateStore> {
    return OpenOrFail(UrlWithSchema(ServerUrl(), CurrentSchema()));
  };
  f.check_consistency = []() -> std::string {
    RawPg raw(UrlWithSchema(ServerUrl(), CurrentSchema()));
    const std::pair<const char*, const char*> checks[] = {
        {"intents without their order",
         "SELECT count(*) FROM intents i WHERE NOT EXISTS "
         "(SELECT 1 FROM orders o WHERE o.order_key = i.order_key)"},
        {"intents of another cart than their order",
         "SELECT count(*) FROM intents i JOIN orders o USING (order_key) "
         "WHERE o.cart_id <> i.cart_id"},
        {"shipments without their order",
         "SELECT count(*) FROM shipments s WHERE NOT EXISTS "
         "(SELECT 1 FROM orders o WHERE o.order_key = s.order_key)"},
        {"sent orders without a WMS reference or send time",
         "SELECT count(*) FROM orders WHERE status IN ('sent','shipped','confirmed') "
         "AND (wms_ref = '' OR sent_ms = 0)"},
        {"orders pushed twice at once",
         "SELECT count(*) FROM (SELECT order_key FROM intents WHERE kind = 'push_order' "
         "GROUP BY order_key HAVING count(*) > 1) d"},
    };
    for (const auto& [what, sql] : checks) {
      if (std::string n = raw.Scalar(sql); n != "0") return std::string(what) + ": " + n;
    }
    return "";
  };
  return f;
}

INSTANTIATE_TEST_SUITE_P(Postgres, StateStoreContract, ::testing::Values(PostgresServer()),
                         StateStoreFactoryName);

/// A store on a fresh schema of the test server, for the PostgreSQL-only
/// cases; skipped without a server.
class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (ServerUrl().empty()) GTEST_SKIP() << kNoServer;
    schema_ = FreshSchema();
    url_ = UrlWithSchema(ServerUrl(), schema_);
  }
  std::unique_ptr<PostgresStateStore> Open(const PostgresStateStore::Options& options = {}) {
    return OpenOrFail(url_, options);
  }

  std::string schema_, url_;
};

// --- URLs, error mapping and versions (no server needed) ------------------------------

TEST(PostgresUrl, RedactsPasswords) {
  EXPECT_EQ(RedactPostgresUrl("postgres://me:pa55@db:5432/x"), "postgres://me:****@db:5432/x");
  EXPECT_EQ(RedactPostgresUrl("postgresql://me:p%40ss@db/x?sslmode=verify-full"),
            "postgresql://me:****@db/x?sslmode=verify-full");
  EXPECT_EQ(RedactPostgresUrl("postgres://me@db/x?password=hunter2&sslmode=require"),
            "postgres://me@db/x?password=****&sslmode=require");
  EXPECT_EQ(RedactPostgresUrl("postgres://me:a@b@db/x?PASSWORD=hunter2"),
            "postgres://me:****@db/x?PASSWORD=****");
  EXPECT_EQ(RedactPostgresUrl("postgres://db.internal:5432/cartsync?sslmode=verify-full"),
            "postgres://db.internal:5432/cartsync?sslmode=verify-full")
      << "a URL without a password is left alone";
  EXPECT_EQ(RedactPostgresUrl("postgres://h1:5432,h2:5433/x"), "postgres://h1:5432,h2:5433/x");
  EXPECT_EQ(RedactPostgresUrl("postgres://me@db/x?q=a@b:c"), "postgres://me@db/x?q=a@b:c");
}

TEST(PostgresStatusMapping, ErrorClasses) {
  Status conflict = PostgresStatus("40001", "BeginSend", "could not serialize access");
  EXPECT_EQ(conflict.code(), StatusCode::Transient);
  EXPECT_NE(conflict.message().find("busy"), std::string::npos);
  EXPECT_NE(conflict.message().find("BeginSend"), std::string::npos);
  for (const char* transient : {"40P01", "55P03", "57014", "08006", "57P01", "53300", ""}) {
    EXPECT_EQ(PostgresStatus(transient, "X", "d").code(), StatusCode::Transient) << transient;
  }
  EXPECT_EQ(PostgresStatus("53100", "CompleteSend", "could not extend file").message(),
            "state database write failed: disk full (CompleteSend: could not extend file)");
  EXPECT_EQ(PostgresStatus("23514", "RecordDownloaded", "violates check constraint").message(),
            "state database rejected the change (RecordDownloaded: violates check constraint)");
  for (const char* permanent : {"23503", "22021", "25006", "28P01", "42501", "XX001", "42P01"}) {
    EXPECT_EQ(PostgresStatus(permanent, "X", "d").code(), StatusCode::Permanent) << permanent;
  }
}

TEST(PostgresServerVersion, TwelveOrNewer) {
  EXPECT_TRUE(CheckPostgresServerVersion(120000).ok());
  EXPECT_TRUE(CheckPostgresServerVersion(150004).ok());
  Status old = CheckPostgresServerVersion(110012);
  EXPECT_EQ(old.code(), StatusCode::Permanent);
  EXPECT_EQ(old.message(),
            "the PostgreSQL state database runs PostgreSQL 11.12; cartsync needs PostgreSQL 12 "
            "or newer");
  EXPECT_EQ(CheckPostgresServerVersion(90624).message(),
            "the PostgreSQL state database runs PostgreSQL 9.6.24; cartsync needs PostgreSQL 12 "
            "or newer");
}

/// A TCP port on 127.0.0.1 that nothing listens on (bound, then let go).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return 1;
  }
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(PostgresOpen, UnreachableServerIsTransientAndShowsNoPassword) {
  const std::string port = std::to_string(FreePort());
  for (const std::string& url :
       {"postgres://cartsync:hunter2@127.0.0.1:" + port + "/state",
        "postgresql://cartsync@127.0.0.1:" + port + "/state?password=hunter2&connect_timeout=5"}) {
    auto r = OpenStateStore(url, ".");
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.status().code(), StatusCode::Transient) << r.status().message();
    const std::string& m = r.status().message();
    EXPECT_EQ(m.find("hunter2"), std::string::npos) << "the password leaked: " << m;
    EXPECT_EQ(m.rfind("cannot connect to the PostgreSQL state database postgres", 0), 0u) << m;
    EXPECT_NE(m.find("127.0.0.1:" + port + "/state"), std::string::npos) << m;
    EXPECT_NE(m.find("****"), std::string::npos) << m;
    EXPECT_NE(m.find("Connection refused"), std::string::npos) << m;
  }
}

TEST(PostgresOpen, InvalidUrlIsPermanentAndShowsNoPassword) {
  auto r = OpenStateStore("postgres://cartsync:hunter2@127.0.0.1:1/state?no_such_option=1", ".");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::Permanent);
  EXPECT_EQ(r.status().message().find("hunter2"), std::string::npos) << r.status().message();
  EXPECT_EQ(r.status().message(),
            "invalid PostgreSQL state url postgres://cartsync:****@127.0.0.1:1/"
            "state?no_such_option=1: invalid URI query parameter: \"no_such_option\"");

  // libpq quotes the whole URL, or the bad part of it, in some messages.
  auto quoted = OpenStateStore("postgres://cartsync:hunter2@[::1/state", ".");
  ASSERT_FALSE(quoted.ok());
  EXPECT_EQ(quoted.status().message(),
            "invalid PostgreSQL state url postgres://cartsync:****@[::1/state: end of string "
            "reached when looking for matching \"]\" in IPv6 host address in URI: "
            "\"postgres://cartsync:****@[::1/state\"");
  auto token = OpenStateStore("postgres://cartsync:p%zz@db/state", ".");
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().message(),
            "invalid PostgreSQL state url postgres://cartsync:****@db/state: invalid "
            "percent-encoded token: \"****\"");
  auto short_one = OpenStateStore("postgres://cartsync:p%z@db/state", ".");
  ASSERT_FALSE(short_one.ok());
  EXPECT_EQ(short_one.status().message(),
            "invalid PostgreSQL state url postgres://cartsync:****@db/state: (libpq's message is "
            "withheld: it quotes the password)")
      << "a password too short to replace safely";
}

// --- opening, migrations -------------------------------------------------------------

TEST_F(PostgresStoreTest, EmptyDatabaseMigrates) {
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->SchemaVersion().value(), kPostgresSchemaVersion);
    ASSERT_TRUE(store->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "c1").ok());
  }
  RawPg raw(url_);
  EXPECT_EQ(raw.Scalar("SELECT version FROM schema_version"),
            std::to_string(kPostgresSchemaVersion));
  for (const char* table : {"orders", "intents", "shipments", "cursors", "inventory_pushed", "runs",
                            "step_runs", "leases", "schema_version"}) {
    EXPECT_EQ(raw.Scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" +
                         schema_ + "' AND table_name = '" + table + "'"),
              "1")
        << table;
  }
  EXPECT_EQ(raw.Scalar("SELECT to_regclass('lease_generation') IS NOT NULL"), "t");
  const std::string tables_before = raw.Scalar(
      "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM "
      "information_schema.tables WHERE table_schema = '" +
      schema_ + "'");
  // Reopening is a no-op and keeps the data.
  for (int i = 0; i < 2; ++i) {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->SchemaVersion().value(), kPostgresSchemaVersion);
    EXPECT_EQ(store->GetCursor("acme", "orders").value(), "c1");
  }
  EXPECT_EQ(raw.Scalar("SELECT string_agg(table_name, ',' ORDER BY table_name) FROM "
                       "information_schema.tables WHERE table_schema = '" +
                       schema_ + "'"),
            tables_before);
}

TEST_F(PostgresStoreTest, ForeignTablesDoNotStopTheMigration) {
  {
    RawPg raw(url_);
    ASSERT_TRUE(raw.Exec("CREATE TABLE unrelated (x integer)"));
  }
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->SchemaVersion().value(), kPostgresSchemaVersion);
}

TEST_F(PostgresStoreTest, NewerSchemaIsRefused) {
  { ASSERT_NE(Open(), nullptr); }
  {
    RawPg raw(url_);
    ASSERT_TRUE(raw.Exec("UPDATE schema_version SET version = 99"));
  }
  auto r = PostgresStateStore::Open(url_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::Permanent);
  EXPECT_EQ(r.status().message(), "state database schema v99 is newer than this cartsync (v" +
                                      std::to_string(kPostgresSchemaVersion) + ")");
}

TEST_F(PostgresStoreTest, InspectingNeverCreates) {
  auto missing = OpenStateStore(url_, ".", /*create=*/false);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::NotFound) << missing.status().message();
  EXPECT_NE(missing.status().message().find("no cartsync state"), std::string::npos);
  {
    RawPg raw(url_);
    EXPECT_EQ(raw.Scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" +
                         schema_ + "'"),
              "0");
  }
  ASSERT_TRUE(OpenStateStore(url_, ".", /*create=*/true).ok());
  auto inspect = OpenStateStore(url_, ".", /*create=*/false);
  EXPECT_TRUE(inspect.ok()) << inspect.status().message();
}

TEST_F(PostgresStoreTest, RunnersOpeningTogetherMigrateOnce) {
  constexpr int kStores = 4;
  std::latch start(kStores);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kStores; ++i) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      auto r = PostgresStateStore::Open(url_);
      if (!r.ok()) {
        ADD_FAILURE() << r.status().message();
        ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  RawPg raw(url_);
  EXPECT_EQ(raw.Scalar("SELECT count(*) FROM schema_version"), "1");
}

TEST_F(PostgresStoreTest, BothSchemesOpenTheStore) {
  const std::string rest = url_.substr(url_.find("://"));
  for (const std::string scheme : {"postgres", "postgresql"}) {
    auto r = OpenStateStore(scheme + rest, "/nonexistent-base");
    ASSERT_TRUE(r.ok()) << scheme << ": " << r.status().message();
    EXPECT_TRUE(
        r.value()->RecordDownloaded("acme", {MakeOrder("acme", scheme)}, "orders", "").ok());
  }
}

TEST_F(PostgresStoreTest, WrongPasswordIsPermanentAndNotShown) {
  // The server's URL with a password of ours in it (it overrides PGPASSFILE).
  const size_t authority = url_.find("://") + 3;
  const size_t at = url_.find('@', authority);
  if (at == std::string::npos || url_.find_first_of("/?", authority) < at) {
    GTEST_SKIP() << "the server URL names no user";
  }
  std::string user = url_.substr(authority, at - authority);
  user = user.substr(0, user.find(':'));
  const std::string url =
      url_.substr(0, authority) + user + ":not-the-password-42" + url_.substr(at);
  auto r = PostgresStateStore::Open(url);
  if (r.ok()) GTEST_SKIP() << "the test server does not ask for a password";
  EXPECT_EQ(r.status().code(), StatusCode::Permanent) << r.status().message();
  EXPECT_EQ(r.status().message().find("not-the-password-42"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("authentication failed"), std::string::npos)
      << r.status().message();
}

// --- the connection -----------------------------------------------------------------------

TEST_F(PostgresStoreTest, ADroppedConnectionIsReopenedOnTheNextCall) {
  auto store = OpenOrFail(url_ + "&application_name=cartsync-victim");
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "c1").ok());
  {
    RawPg admin(ServerUrl());
    EXPECT_EQ(admin.Scalar("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                           "WHERE application_name = 'cartsync-victim'"),
              "1");
  }
  // The server closed the session (and its prepared statements): the next
  // call reconnects before its transaction and prepares again.
  auto o = store->GetOrder("acme:1");
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_TRUE(o.value().has_value());
  EXPECT_EQ(store->RecordDownloaded("acme", {MakeOrder("acme", "2")}, "orders", "c2").value(), 1);
}

TEST_F(PostgresStoreTest, ALockedRowIsBusyAfterTheLockTimeoutAndReadsStillWork) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(
      store->AcquireLease({"acme", "run-a", "host-a", 1, kNow + 60'000, ""}, kNow, nullptr).ok());
  ASSERT_TRUE(store->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "c1").ok());
  PostgresStateStore::Options quick;
  quick.lock_timeout_ms = 100;
  auto impatient = Open(quick);
  ASSERT_NE(impatient, nullptr);

  RawPg blocker(url_);
  ASSERT_TRUE(blocker.Exec("BEGIN"));
  ASSERT_TRUE(blocker.Exec("SELECT 1 FROM leases WHERE cart_id = 'acme' FOR UPDATE"));
  ASSERT_TRUE(blocker.Exec("SELECT 1 FROM orders WHERE order_key = 'acme:1' FOR UPDATE"));
  Status renew = impatient->RenewLease("acme", "run-a", kNow + 90'000);
  EXPECT_EQ(renew.code(), StatusCode::Transient) << renew.message();
  EXPECT_NE(renew.message().find("busy"), std::string::npos) << renew.message();
  EXPECT_NE(renew.message().find("RenewLease"), std::string::npos) << renew.message();
  EXPECT_EQ(impatient->UpdateOrder("acme:1", OrderStatus::Held, "x", "", false, kNow).code(),
            StatusCode::Transient);
  // Readers are not blocked by the writer.
  auto o = impatient->GetOrder("acme:1");
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o.value()->status, OrderStatus::New);
  EXPECT_EQ(impatient->Leases().value().size(), 1u);

  ASSERT_TRUE(blocker.Exec("COMMIT"));
  EXPECT_TRUE(impatient->RenewLease("acme", "run-a", kNow + 90'000).ok());
}

// Carts on several worker threads write in parallel, each call on a
// connection of its own: one waiting on a row lock holds up nobody else.
TEST_F(PostgresStoreTest, ACallWaitingOnALockDoesNotHoldUpAnotherCartsCalls) {
  PostgresStateStore::Options patient;
  patient.lock_timeout_ms = 60'000;  // the blocker, not the timeout, ends the wait
  auto store = Open(patient);
  ASSERT_NE(store, nullptr);
  for (const char* cart : {"acme", "bolt"}) {
    ASSERT_TRUE(
        store->AcquireLease({cart, "run-a", "host-a", 1, kNow + 600'000, ""}, kNow, nullptr).ok());
  }
  RawPg blocker(url_), admin(url_);
  ASSERT_TRUE(blocker.Exec("BEGIN"));
  ASSERT_TRUE(blocker.Exec("SELECT 1 FROM leases WHERE cart_id = 'acme' FOR UPDATE"));
  // acme's write fences on its lease row (FOR SHARE) and waits for the blocker.
  std::atomic<bool> acme_done{false};
  Status acme_status;
  std::thread acme([&] {
    auto n = store->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "c1");
    acme_status = n.status();
    acme_done = true;
  });
  bool waiting = false;
  for (int i = 0; i < 500 && !waiting; ++i) {  // up to 10 s for acme's call to reach the lock
    waiting = admin.Scalar(
                  "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                  "AND query LIKE '%FROM leases%'") != "0";
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(waiting) << "acme's call never waited on the lease row";
  // bolt's write goes through meanwhile, on another connection.
  auto bolt = store->RecordDownloaded("bolt", {MakeOrder("bolt", "1")}, "orders", "c1");
  const bool acme_still_waiting = !acme_done;
  ASSERT_TRUE(blocker.Exec("COMMIT"));
  acme.join();
  ASSERT_TRUE(bolt.ok()) << bolt.status().message();
  EXPECT_EQ(bolt.value(), 1);
  EXPECT_TRUE(acme_still_waiting) << "bolt's call waited for acme's";
  EXPECT_TRUE(acme_status.ok()) << acme_status.message();
  EXPECT_EQ(store->GetOrder("acme:1").value()->status, OrderStatus::New);
}

TEST_F(PostgresStoreTest, ATextWithANulByteIsPermanent) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  OrderRecord o = MakeOrder("acme", "1");
  o.cart_order_json = std::string("{\"a\":\"x\0y\"}", 11);
  auto n = store->RecordDownloaded("acme", {o}, "orders", "c1");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), StatusCode::Permanent);
  EXPECT_NE(n.status().message().find("NUL"), std::string::npos) << n.status().message();
  EXPECT_EQ(store->GetOrder("acme:1").value(), std::nullopt);
}

// --- leases: two runners, one cart --------------------------------------------------------

TEST_F(PostgresStoreTest, TwoStoresRacingForOneLeaseExactlyOneWins) {
  auto a = Open(), b = Open();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  constexpr int kRounds = 40;
  for (int round = 0; round < kRounds; ++round) {
    const std::string cart = "race-" + std::to_string(round);
    // Rounds alternate: a free cart, an expired lease, and a dead owner both
    // runners try to take over.
    const int kind = round % 3;
    std::string dead;
    if (kind == 1) {
      ASSERT_TRUE(
          a->AcquireLease({cart, "run-old", "h0", 1, kNow - 1, ""}, kNow - 10, nullptr).ok());
    } else if (kind == 2) {
      dead = "run-dead";
      ASSERT_TRUE(a->AcquireLease({cart, dead, "h0", 1, kNow + 60'000, ""}, kNow, nullptr).ok());
    }
    std::latch start(2);
    Status got[2];
    LeaseInfo holder[2];
    PostgresStateStore* stores[2] = {a.get(), b.get()};
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i) {
      threads.emplace_back([&, i] {
        LeaseInfo me{
            cart, "run-" + std::to_string(i), "host-" + std::to_string(i), 100 + i, kNow + 60'000,
            ""};
        start.arrive_and_wait();
        got[i] = stores[i]->AcquireLease(me, kNow, &holder[i], dead);
      });
    }
    for (auto& t : threads) t.join();
    const int winners = (got[0].ok() ? 1 : 0) + (got[1].ok() ? 1 : 0);
    ASSERT_EQ(winners, 1) << "round " << round << ": " << got[0].message() << " / "
                          << got[1].message();
    const int loser = got[0].ok() ? 1 : 0;
    EXPECT_EQ(got[loser].code(), StatusCode::Locked) << got[loser].message();
    EXPECT_EQ(holder[loser].owner, "run-" + std::to_string(1 - loser)) << "round " << round;
    auto leases = a->Leases().value();
    auto it = std::find_if(leases.begin(), leases.end(),
                           [&](const LeaseInfo& l) { return l.cart_id == cart; });
    ASSERT_NE(it, leases.end());
    EXPECT_EQ(it->owner, "run-" + std::to_string(1 - loser));
  }
}

TEST_F(PostgresStoreTest, EveryAcquisitionTakesANewGeneration) {
  auto a = Open(), b = Open();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->LeaseGeneration("acme").value(), std::nullopt);
  LeaseInfo ra{"acme", "run-a", "host-a", 1, kNow + 1000, ""};
  ASSERT_TRUE(a->AcquireLease(ra, kNow, nullptr).ok());
  const int64_t g1 = a->LeaseGeneration("acme").value().value();
  EXPECT_EQ(a->HeldLeaseGeneration("acme"), g1);
  EXPECT_EQ(b->HeldLeaseGeneration("acme"), std::nullopt);

  ASSERT_TRUE(a->RenewLease("acme", "run-a", kNow + 2000).ok());
  EXPECT_EQ(a->LeaseGeneration("acme").value(), g1) << "renewing keeps the generation";
  ASSERT_TRUE(a->AcquireLease(ra, kNow + 10, nullptr).ok());
  const int64_t g2 = a->LeaseGeneration("acme").value().value();
  EXPECT_GT(g2, g1);
  EXPECT_EQ(a->HeldLeaseGeneration("acme"), g2);

  ASSERT_TRUE(a->ReleaseLease("acme", "run-a").ok());
  EXPECT_EQ(a->HeldLeaseGeneration("acme"), std::nullopt);
  ASSERT_TRUE(b->AcquireLease({"acme", "run-b", "host-b", 2, kNow + 1000, ""}, kNow, nullptr).ok());
  const int64_t g3 = b->LeaseGeneration("acme").value().value();
  EXPECT_GT(g3, g2) << "a deleted lease never gives an old generation again";
  EXPECT_EQ(b->HeldLeaseGeneration("acme"), g3);
}

// --- fencing --------------------------------------------------------------------------------

// The fencing itself is the contract's (state_store_fencing_contract.cc:
// WritesUnderALostLeaseAreRefused, WritesAfterForceUnlockAreRefusedUntilReacquired…);
// here only what is PostgreSQL's own: the token is the lease's generation.
TEST_F(PostgresStoreTest, ARefusedWriteNamesTheGenerationItHeld) {
  auto a = Open(), b = Open();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ASSERT_TRUE(a->AcquireLease({"acme", "run-a", "host-a", 1, kNow + 1000, ""}, kNow, nullptr).ok());
  const std::optional<int64_t> g1 = a->HeldLeaseGeneration("acme");
  ASSERT_TRUE(g1.has_value());
  ASSERT_TRUE(
      b->AcquireLease({"acme", "run-b", "host-b", 2, kNow + 90'000, ""}, kNow + 1000, nullptr)
          .ok());
  EXPECT_GT(b->LeaseGeneration("acme").value().value(), *g1);
  Status late = a->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "c1").status();
  EXPECT_EQ(late.code(), StatusCode::Locked);
  EXPECT_NE(late.message().find("RecordDownloaded: this run no longer holds the lease of cart acme "
                                "(generation " +
                                std::to_string(*g1) + "); cart acme is locked by run run-b"),
            std::string::npos)
      << late.message();
  // A lost lease stays lost: the object keeps the token it had.
  EXPECT_EQ(a->ReleaseLease("acme", "run-a").code(), StatusCode::Locked);
  EXPECT_EQ(a->HeldLeaseGeneration("acme"), g1);
  ASSERT_TRUE(b->ForceUnlock("acme").ok());
  EXPECT_TRUE(b->HeldLeaseGeneration("acme").has_value())
      << "force-unlocking keeps the token, so the holder's writes are refused";
  ASSERT_TRUE(
      a->AcquireLease({"acme", "run-a2", "host-a", 1, kNow + 60'000, ""}, kNow, nullptr).ok());
  EXPECT_GT(a->HeldLeaseGeneration("acme").value(), *g1) << "reacquiring takes a new token";
  EXPECT_TRUE(a->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "c1").ok());
}

// --- claiming: the server's clock, skipping locked rows, fencing ---------------------------

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

LeaseClaim PgClaim(const std::string& cart, const std::string& owner, int64_t lease_ms,
                   int64_t caller_now) {
  return LeaseClaim{
      .me = {cart, owner, "host-" + owner, 7, 0, ""}, .lease_ms = lease_ms, .now_ms = caller_now};
}

TEST_F(PostgresStoreTest, ClaimsUseTheServersClockNotTheRunners) {
  auto a = Open(), b = Open();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  const int64_t server_now = std::stoll(
      RawPg(url_).Scalar("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint"));
  ClaimResult got;
  // A runner whose clock is an hour behind still gets a lease that expires
  // 60 s from the server's now.
  ASSERT_TRUE(a->ClaimCart(PgClaim("acme", "run-a", 60'000, WallMs() - 3'600'000), &got).ok());
  ASSERT_TRUE(got.claimed);
  EXPECT_GE(got.expires_ms, server_now + 60'000 - 1000);
  EXPECT_LE(got.expires_ms, server_now + 60'000 + 10'000);
  // A runner whose clock is an hour ahead cannot judge that live lease expired.
  Status st = b->ClaimCart(PgClaim("acme", "run-b", 60'000, WallMs() + 3'600'000), &got);
  EXPECT_EQ(st.code(), StatusCode::Locked) << st.message();
  EXPECT_EQ(got.holder.owner, "run-a");
  // Extending is on the server's clock too, whatever the runner passes.
  ASSERT_TRUE(a->ExtendLease("acme", "run-a", 120'000, 0).ok());
  const int64_t expires = a->Leases().value().at(0).expires_ms;
  EXPECT_GE(expires, server_now + 120'000 - 1000);
  EXPECT_LE(expires, server_now + 120'000 + 10'000);
}

TEST_F(PostgresStoreTest, AClaimSkipsARowAnotherTransactionHoldsInsteadOfWaiting) {
  auto holder = Open(), claimer = Open();
  ASSERT_NE(holder, nullptr);
  ASSERT_NE(claimer, nullptr);
  ClaimResult got;
  // An expired lease (so only the row lock can stop the claim), held FOR
  // SHARE as a fenced write of its holder holds it.
  ASSERT_TRUE(holder->ClaimCart(PgClaim("acme", "run-a", 1, WallMs()), &got).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  RawPg writer(url_);
  ASSERT_TRUE(writer.Exec("BEGIN"));
  ASSERT_TRUE(writer.Exec("SELECT 1 FROM leases WHERE cart_id = 'acme' FOR SHARE"));
  const auto t0 = std::chrono::steady_clock::now();
  Status st = claimer->ClaimCart(PgClaim("acme", "run-b", 60'000, WallMs()), &got);
  const auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(st.code(), StatusCode::Locked) << st.message();
  EXPECT_NE(st.message().find("using its lease right now"), std::string::npos) << st.message();
  EXPECT_LT(waited, std::chrono::milliseconds(1000))
      << "skipped, not waited for (lock timeout 5 s)";
  // A free cart next to it is not held up either.
  ASSERT_TRUE(claimer->ClaimCart(PgClaim("zeta", "run-b", 60'000, WallMs()), &got).ok());
  EXPECT_TRUE(got.claimed);
  ASSERT_TRUE(writer.Exec("COMMIT"));
  ASSERT_TRUE(claimer->ClaimCart(PgClaim("acme", "run-b", 60'000, WallMs()), &got).ok());
  EXPECT_TRUE(got.claimed) << "expired, and no longer locked";
}

TEST_F(PostgresStoreTest, WritesUnderAnExpiredAndReclaimedClaimAreRefused) {
  auto a = Open(), b = Open();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ClaimResult got;
  ASSERT_TRUE(a->ClaimCart(PgClaim("acme", "run-a", 300, WallMs()), &got).ok());
  const std::optional<int64_t> g1 = a->HeldLeaseGeneration("acme");
  ASSERT_TRUE(g1.has_value());
  EXPECT_EQ(a->LeaseGeneration("acme").value(), g1);
  ASSERT_TRUE(a->RecordDownloaded("acme", {MakeOrder("acme", "1")}, "orders", "c1").ok());
  auto intent = a->BeginSend("acme:1", "{}", kNow + 1);
  ASSERT_TRUE(intent.ok()) << intent.status().message();
  // run-a pauses past its lease (on the server's clock); run-b claims the cart.
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  ASSERT_TRUE(b->ClaimCart(PgClaim("acme", "run-b", 60'000, WallMs()), &got).ok());
  ASSERT_TRUE(got.claimed);
  EXPECT_GT(b->HeldLeaseGeneration("acme").value(), *g1);

  Status late = a->CompleteSend(intent.value(), "acme:1", "W1", kNow + 2);
  EXPECT_EQ(late.code(), StatusCode::Locked) << late.message();
  EXPECT_NE(late.message().find("no longer holds the lease of cart acme"), std::string::npos)
      << late.message();
  EXPECT_EQ(a->RecordDownloaded("acme", {MakeOrder("acme", "2")}, "orders", "c2").status().code(),
            StatusCode::Locked);
  EXPECT_EQ(a->ExtendLease("acme", "run-a", 60'000, WallMs()).code(), StatusCode::Locked);
  EXPECT_EQ(b->GetOrder("acme:2").value(), std::nullopt);
  EXPECT_EQ(b->GetOrder("acme:1").value()->status, OrderStatus::New);
  EXPECT_EQ(b->PendingIntents("acme").value().size(), 1u) << "left for the new holder";
  EXPECT_TRUE(b->CompleteSend(intent.value(), "acme:1", "W1", kNow + 3).ok());
}

// --- concurrent writers on the same rows ----------------------------------------------------

TEST_F(PostgresStoreTest, ConcurrentWritersOnTheSameOrdersStayConsistent) {
  constexpr int kStores = 4, kOrders = 30;
  std::vector<std::unique_ptr<PostgresStateStore>> stores;
  for (int i = 0; i < kStores; ++i) {
    stores.push_back(Open());
    ASSERT_NE(stores.back(), nullptr);
  }
  std::latch start(kStores);
  std::atomic<int> inserted{0}, begun{0}, refused{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kStores; ++t) {
    threads.emplace_back([&, t] {
      StateStore* s = stores[t].get();
      start.arrive_and_wait();
      // Every store downloads the same overlapping windows of one cart...
      for (int w = 0; w < kOrders; w += 5) {
        std::vector<OrderRecord> window;
        for (int i = w; i < std::min(kOrders, w + 10); ++i) {
          window.push_back(MakeOrder("acme", std::to_string(i)));
        }
        auto n = s->RecordDownloaded("acme", window, "orders", "w" + std::to_string(w));
        if (n.ok()) {
          inserted += n.value();
        } else {
          ADD_FAILURE() << n.status().message();
          ++errors;
        }
      }
      // ...and tries to push every order: at most one push of an order is
      // open at a time (the others are refused until it is finished).
      for (int i = 0; i < kOrders; ++i) {
        const std::string key = "acme:" + std::to_string(i);
        auto id = s->BeginSend(key, "{\"by\":" + std::to_string(t) + "}", kNow);
        if (id.ok()) {
          ++begun;
          if (!s->CompleteSend(id.value(), key, "W-" + std::to_string(t), kNow + t).ok()) ++errors;
        } else if (id.status().code() == StatusCode::Permanent &&
                   id.status().message().find("unfinished push") != std::string::npos) {
          ++refused;
        } else if (id.status().code() != StatusCode::Permanent) {
          ADD_FAILURE() << id.status().message();
          ++errors;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(inserted.load(), kOrders) << "each order inserted once, whoever downloaded it";
  EXPECT_GE(begun.load(), kOrders) << "every order was pushed";
  auto orders = stores[0]->ListOrders({std::string("acme"), OrderStatus::Sent, 0, std::nullopt});
  ASSERT_TRUE(orders.ok());
  EXPECT_EQ(orders.value().size(), static_cast<size_t>(kOrders));
  EXPECT_TRUE(stores[0]->PendingIntents("").value().empty());
  EXPECT_EQ(PostgresServer().check_consistency(), "");
}

}  // namespace
}  // namespace cartsync::state_test

// `cartsync state …` in-process against a real SQLite store in a temp dir.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <sstream>

#include "runtime/state/sqlite_state_store.h"
#include "tests/support/temp_dir.h"
#include "tools/cartsync/cli.h"

namespace cartsync {
namespace {

namespace fs = std::filesystem;

class StateCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = "sqlite:" + (dir_ / "state.db").string();
    auto store = OpenStateStore(url_, dir_.path());
    ASSERT_TRUE(store.ok()) << store.status().message();
    std::vector<OrderRecord> orders;
    for (const char* id : {"1", "2", "3"}) {
      OrderRecord r;
      r.order_key = std::string("acme:") + id;
      r.cart_id = "acme";
      r.order_id = id;
      r.order_number = std::string("#") + id;
      r.cart_order_json = "{}";
      r.first_seen_ms = r.updated_ms = 1'795'000'000'000;
      orders.push_back(r);
    }
    ASSERT_TRUE(
        store.value()->RecordDownloaded("acme", orders, "orders", "2026-11-20T00:00:00Z").ok());
    ASSERT_TRUE(store.value()
                    ->UpdateOrder("acme:2", OrderStatus::Held,
                                  "ship code \"Next Day\" is not mapped in [ship_methods]", "",
                                  false, 1'795'000'000'000)
                    .ok());
    ASSERT_TRUE(store.value()
                    ->UpdateOrder("acme:3", OrderStatus::Skipped, "order filter: no", "", false,
                                  1'795'000'000'000)
                    .ok());
    LeaseInfo lease{"acme", "run-1", "host1", 7, 4'000'000'000'000};
    ASSERT_TRUE(store.value()->AcquireLease(lease, 1'795'000'000'000, nullptr).ok());
  }

  int State(std::vector<std::string> args, std::string& out, std::string& err) {
    args.insert(args.begin(), "state");
    args.push_back("--state");
    args.push_back(url_);
    std::ostringstream o, e;
    int code = RunCli(args, o, e, CliEnv{});
    out = o.str();
    err = e.str();
    return code;
  }

  TempDir dir_;
  std::string url_;
};

TEST_F(StateCommandTest, HeldOrdersWithReasons) {
  std::string out, err;
  ASSERT_EQ(State({"orders", "--status", "held"}, out, err), 0) << err;
  EXPECT_EQ(out, "acme:2  #2  held  — ship code \"Next Day\" is not mapped in [ship_methods]\n");
}

TEST_F(StateCommandTest, OrdersAsJson) {
  std::string out, err;
  ASSERT_EQ(State({"orders", "--cart", "acme", "--format", "json"}, out, err), 0) << err;
  rapidjson::Document d;
  d.Parse(out.c_str());
  ASSERT_FALSE(d.HasParseError()) << out;
  ASSERT_EQ(d["orders"].Size(), 3u);
}

TEST_F(StateCommandTest, ShowAndResend) {
  std::string out, err;
  ASSERT_EQ(State({"show", "acme:3"}, out, err), 0) << err;
  EXPECT_NE(out.find("status    skipped: order filter: no"), std::string::npos) << out;
  ASSERT_EQ(State({"resend", "acme:3"}, out, err), 0) << err;
  ASSERT_EQ(State({"show", "acme:3", "--format", "json"}, out, err), 0);
  EXPECT_NE(out.find("\"status\": \"new\""), std::string::npos) << out;
  // A new order is not "resent": it is already on its way.
  EXPECT_EQ(State({"resend", "acme:1"}, out, err), 1);
  EXPECT_NE(err.find("only held, skipped, canceled or sent"), std::string::npos) << err;
  EXPECT_EQ(State({"show", "acme:99"}, out, err), 1);
}

TEST_F(StateCommandTest, UnlockDropsTheLease) {
  std::string out, err;
  ASSERT_EQ(State({"unlock", "acme"}, out, err), 0) << err;
  EXPECT_EQ(out, "unlocked cart acme\n");
  ASSERT_EQ(State({"unlock", "acme"}, out, err), 0);
  EXPECT_EQ(out, "cart acme was not locked\n");
}

TEST_F(StateCommandTest, RunsAndUsageErrors) {
  std::string out, err;
  ASSERT_EQ(State({"runs"}, out, err), 0) << err;
  EXPECT_EQ(out, "no runs recorded\n");
  EXPECT_EQ(State({"orders", "--status", "lost"}, out, err), 1);
  // Usage errors exit 2, as for every command.
  EXPECT_EQ(State({"frobnicate"}, out, err), 2);
  EXPECT_EQ(State({"show"}, out, err), 2);
  // A stray project path is refused, not silently ignored.
  EXPECT_EQ(State({"runs", "myproject"}, out, err), 2);
  EXPECT_NE(
      err.find("unexpected argument \"myproject\" (a project directory goes in --project DIR)"),
      std::string::npos)
      << err;
  EXPECT_EQ(State({"show", "acme:1", "extra"}, out, err), 2);
}

// Inspecting a project that never ran says so and creates nothing.
TEST_F(StateCommandTest, MissingDatabaseIsNotCreated) {
  const fs::path missing = dir_ / "nothing-ran" / "state.db";
  std::ostringstream o, e;
  int code = RunCli({"state", "orders", "--state", "sqlite:" + missing.string()}, o, e, CliEnv{});
  EXPECT_EQ(code, 1);
  EXPECT_NE(e.str().find("no state database at " + missing.string()), std::string::npos) << e.str();
  EXPECT_FALSE(fs::exists(missing.parent_path()));
}

}  // namespace
}  // namespace cartsync

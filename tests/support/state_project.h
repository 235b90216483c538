// For the tests of `cartsync state ...`: a project directory (dir_) whose
// store is SQLite at dir_/state.db, the command run in-process (RunCli) with
// --project dir_ on 2026-11-27, and what the store then says of an order.
// The test writes cartsync.toml, carts.d/ (AcmeShopifyCart and what it
// adds) and the store's content itself.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "runtime/state/sqlite_state_store.h"
#include "tests/support/acme_cart.h"
#include "tests/support/temp_dir.h"
#include "tools/cartsync/cli.h"

namespace cartsync {

class StateProjectTest : public ::testing::Test {
 protected:
  /// `cartsync state ARGS --project DIR`: its exit code, stdout and stderr.
  int State(std::vector<std::string> args, std::string& out, std::string& err) {
    args.insert(args.begin(), "state");
    args.push_back("--project");
    args.push_back(dir_.path());
    std::ostringstream o, e;
    CliEnv env;
    env.today = Date{2026, 11, 27};
    int code = RunCli(args, o, e, env);
    out = o.str();
    err = e.str();
    return code;
  }

  /// The order `key` as the store has it now (a failure when it has none).
  OrderRecord Get(const std::string& key) {
    auto store = SqliteStateStore::Open((dir_ / "state.db").string());
    EXPECT_TRUE(store.ok());
    auto o = store.value()->GetOrder(key);
    EXPECT_TRUE(o.ok() && o.value()) << key;
    return o.ok() && o.value() ? *o.value() : OrderRecord{};
  }

  /// Order "acme:ID" (number "#ID") of cart acme, downloaded at `ms` with
  /// `cart_order_json` as its cart document: for RecordDownloaded.
  static OrderRecord AcmeOrder(const std::string& id, std::string cart_order_json, int64_t ms) {
    OrderRecord r;
    r.order_key = "acme:" + id;
    r.cart_id = "acme";
    r.order_id = id;
    r.order_number = "#" + id;
    r.cart_order_json = std::move(cart_order_json);
    r.first_seen_ms = r.updated_ms = ms;
    return r;
  }

  TempDir dir_;
};

}  // namespace cartsync

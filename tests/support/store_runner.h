// For the tests of the runner against fakes of the cart and the WMS (env_),
// a real SQLite state store in a temp dir (store_) and a fake clock at
// 2026-11-18 (clock_): the cart "acme" most of them use, the plan compiled
// from a project (CompilePlan), a run, and what the store says of an order.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <utility>

#include "compiler/compiler.h"
#include "compiler/planner.h"
#include "runtime/runner.h"
#include "runtime/state/sqlite_state_store.h"
#include "tests/support/acme_cart.h"
#include "tests/support/cart_builder.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_environment.h"
#include "tests/support/temp_dir.h"

namespace cartsync {

/// AcmeShopifyCart with shipments every 30m too; "Standard" ships UPS/GROUND
/// and an order with any other ship code is held.
inline CartToml AcmeRunnerCart() {
  return AcmeShopifyCart()
      .Every(Service::ShipmentUpload, "30m")
      .RejectUnmappedShipCodes()
      .ShipMethod("Standard", "UPS/GROUND");
}

class StoreRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteStateStore::Open(dir_.path() + "/state.db");
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store.value());
  }
  void TearDown() override { store_.reset(); }

  /// plan_ from `project` (cartsync.toml) and `cart` (carts.d/acme.toml),
  /// compiled on 2026-11-27; a failure when the project has errors.
  void CompilePlan(const std::string& project, const CartToml& cart) {
    CompileOptions o;
    o.today = {2026, 11, 27};
    Compilation c;
    CompileTexts(project, {{"carts.d/acme.toml", cart.Text()}}, o, c);
    ASSERT_FALSE(c.diags.has_errors())
        << (c.diags.diagnostics().empty() ? "" : c.diags.diagnostics().front().message);
    plan_ = BuildPlan(c);
  }

  /// One run of plan_ now (the clock is not moved), as owner "test-run".
  RunReport Run(RunOptions options = {}) {
    RunLog log(log_, LogFormat::Text, clock_);
    options.owner = "test-run";
    return Runner(plan_, *store_, env_, clock_, log, options).Run();
  }

  /// Order "acme:ID" as the store has it (a failure when it has none).
  OrderRecord Get(const std::string& id) {
    auto r = store_->GetOrder("acme:" + id);
    EXPECT_TRUE(r.ok() && r.value()) << "order " << id;
    return r.ok() && r.value() ? *r.value() : OrderRecord{};
  }

  TempDir dir_;
  std::unique_ptr<SqliteStateStore> store_;
  Plan plan_;
  FakeEnvironment env_;
  FakeClock clock_{1'795'000'000'000};  // 2026-11-18
  std::ostringstream log_;
};

}  // namespace cartsync

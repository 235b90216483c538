// End to end: one WMS holding two clients' stock (issue 12, "Inventory per
// client"). A WooCommerce cart of client "bb" runs `cartsync run` in-process
// (RunCli: compiler, libcurl over loopback, SQLite) against the simulator,
// whose WMS also stocks client "cc" (a BigCommerce store) and one bb SKU the
// WooCommerce store does not sell. Expectations come from the simulator's own
// GET /wms/inventory, not from runtime code.
#include <gtest/gtest.h>
#include <httplib.h>
#include <rapidjson/document.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "tests/support/temp_dir.h"
#include "tools/cartsync/cli.h"
#include "tools/simulator/simulator.h"

namespace cartsync {
namespace {

namespace fs = std::filesystem;

constexpr char kWmsToken[] = "client-e2e-wms-token";
constexpr char kExtraSku[] = "BB-ONLY-IN-WMS-XL";

rapidjson::Document Parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  EXPECT_FALSE(d.HasParseError()) << text.substr(0, 300);
  return d;
}

class ClientInventoryE2e : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    ::setenv("CI_E2E_WMS_TOKEN", kWmsToken, 1);
    ::setenv("CI_E2E_WOO_KEY", "ck_ci_key", 1);
    ::setenv("CI_E2E_WOO_SECRET", "cs_ci_secret", 1);
    sim::SimOptions options;
    options.wms.token = kWmsToken;
    options.wms.ignore_client = GetParam();  // true: the WMS answers every client's records
    sim_ = std::make_unique<sim::Simulator>(options);
    sim::StoreSeed woo;
    woo.platform = "woocommerce";
    woo.name = "bbwoo";
    woo.orders = 5;
    woo.seed = 11;
    woo.consumer_key = "ck_ci_key";
    woo.consumer_secret = "cs_ci_secret";
    woo.sku_prefixes = {"BB"};
    woo.wms_client = "bb";
    sim::StoreSeed bc;
    bc.platform = "bigcommerce";
    bc.name = "ccbc";
    bc.orders = 5;
    bc.seed = 12;
    bc.sku_prefixes = {"CC"};
    bc.wms_client = "cc";
    std::string error;
    ASSERT_TRUE(sim_->SeedStore(woo, &error)) << error;
    ASSERT_TRUE(sim_->SeedStore(bc, &error)) << error;
    ASSERT_TRUE(sim_->Start(&error)) << error;
    // A bb SKU the WooCommerce store does not sell (another catalog of bb's).
    httplib::Client c("127.0.0.1", sim_->port());
    auto r = c.Post("/_sim/stock",
                    std::string(R"({"sku":")") + kExtraSku +
                        R"(","warehouse":"east","available":8,"on_hand":8,"client":"bb"})",
                    "application/json");
    ASSERT_TRUE(r && r->status == 200);
    WriteProject();
  }

  void TearDown() override {
    if (sim_) sim_->Stop();
    if (HasFailure()) tmp_.Keep();
  }

  void WriteProject() {
    fs::create_directories(dir_ / "carts.d");
    std::ofstream(dir_ / "cartsync.toml")
        << "[state]\nurl = \"sqlite:.cartsync/state.db\"\n\n"
        << "[wms.main]\nsystem = \"http\"\nurl = \"" << sim_->wms_url() << "\"\n"
        << "token = { secret = \"env:CI_E2E_WMS_TOKEN\" }\n"
        << "warehouses = [\"east\", \"west\"]\ncarriers = [\"UPS\", \"USPS\"]\n";
    std::ofstream(dir_ / "carts.d" / "bb-woo.toml")
        << "[cart]\nid = \"bb-woo\"\nclient = \"bb\"\nplatform = \"woocommerce\"\nwms = "
           "\"main\"\n\n"
        << "[api]\nstore_url = \"https://bb.example\"\n"
        << "consumer_key = { secret = \"env:CI_E2E_WOO_KEY\" }\n"
        << "consumer_secret = { secret = \"env:CI_E2E_WOO_SECRET\" }\n"
        << "base_url = \"" << sim_->store_url("woocommerce", "bbwoo") << "\"\n\n"
        << "[services.order_download]\nenabled = false\nevery = \"15m\"\n\n"
        << "[services.shipment_upload]\nenabled = false\nevery = \"30m\"\n\n"
        << "[services.inventory_upload]\nenabled = true\nevery = \"hourly\"\n\n"
        << "[order_load]\nearliest_order_date = 2026-11-05\nsync_inventory_with = \"all\"\n"
        << "sync_inventory_alias = \"master_sku\"\nminimum_inventory_level = 0\n\n"
        << "[ship_methods]\n\"*\" = \"UPS/GROUND\"\n";
  }

  /// WMS SKU -> available (all warehouses) per client, as the WMS serves
  /// `path` (every client's records without ?client=).
  std::map<std::string, std::map<std::string, int64_t>> WmsStock(
      const std::string& path = "/wms/inventory") {
    httplib::Client c("127.0.0.1", sim_->port());
    auto r = c.Get(path.c_str(), {{"Authorization", std::string("Bearer ") + kWmsToken}});
    EXPECT_TRUE(r && r->status == 200);
    std::map<std::string, std::map<std::string, int64_t>> out;
    rapidjson::Document d = Parse(r ? r->body : "{}");
    if (!d.IsObject() || !d.HasMember("inventory")) return out;
    for (const auto& rec : d["inventory"].GetArray()) {
      std::string client = rec.HasMember("client") ? rec["client"].GetString() : "";
      out[client][rec["sku"].GetString()] += rec["available"].GetInt64();
    }
    return out;
  }

  int Run(const fs::path& report, std::string* err) {
    std::ostringstream out, errs;
    CliEnv env;
    env.today = Date{2026, 11, 27};
    int code = RunCli({"run", dir_.string(), "--report", report.string()}, out, errs, env);
    *err = out.str() + errs.str();
    return code;
  }

  TempDir tmp_;
  fs::path dir_ = fs::path(tmp_.path()) / "project";
  std::unique_ptr<sim::Simulator> sim_;
};

TEST_P(ClientInventoryE2e, CartGetsOnlyItsClientsStockAndSkipsWhatItDoesNotSell) {
  auto stock = WmsStock();
  ASSERT_FALSE(stock["bb"].empty());
  ASSERT_FALSE(stock["cc"].empty()) << "the other client is in the same WMS";
  ASSERT_TRUE(stock["bb"].count(kExtraSku));
  // What the simulated WMS answers when asked for one client.
  auto asked = WmsStock("/wms/inventory?client=bb");
  EXPECT_EQ(asked.count("cc"), GetParam() ? 1u : 0u);
  EXPECT_EQ(asked["bb"], stock["bb"]);

  std::string output;
  const fs::path report = dir_ / "report.json";
  ASSERT_EQ(Run(report, &output), 0) << output;

  std::ifstream in(report);
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document d = Parse(text.str());
  ASSERT_TRUE(d.IsObject() && d.HasMember("steps")) << text.str();
  bool found = false;
  for (const auto& s : d["steps"].GetArray()) {
    if (std::string(s["step"].GetString()) != "bb-woo/inventory_upload") continue;
    found = true;
    EXPECT_STREQ(s["state"].GetString(), "ok");
    EXPECT_EQ(s["counts"]["skus_not_in_cart"].GetInt(), 1) << text.str();
    EXPECT_EQ(s["counts"]["skus_failed"].GetInt(), 0);
    EXPECT_EQ(s["counts"]["skus_pushed"].GetInt(), static_cast<int>(stock["bb"].size()) - 1);
  }
  EXPECT_TRUE(found) << text.str();

  // What the store was told: every bb SKU it sells, at the WMS's quantity;
  // nothing of client cc, and nothing it was never asked to look up.
  std::map<std::string, int64_t> set;
  for (const sim::InventorySetRecord& r : sim_->InventorySets())
    if (r.store == "bbwoo") set[r.sku] = r.value;
  std::map<std::string, int64_t> expected = stock["bb"];
  expected.erase(kExtraSku);
  // (A cc SKU pushed to bb's store would have come back "not found": the
  // count of 1 above is the extra bb SKU alone.)
  EXPECT_EQ(set, expected);
}

INSTANTIATE_TEST_SUITE_P(Wms, ClientInventoryE2e, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? std::string("IgnoresClientParameter")
                                          : std::string("AnswersPerClient");
                         });

// BigCommerce products whose stock is tracked by product take product_id in
// the adjustment (the simulator refuses sku for them, as BigCommerce does).
TEST(BigCommerceInventoryE2e, ProductsTrackedByProductGetTheirStock) {
  ::setenv("CI_E2E_WMS_TOKEN", kWmsToken, 1);
  ::setenv("CI_E2E_BC_TOKEN", "ci-bc-token", 1);
  sim::SimOptions options;
  options.wms.token = kWmsToken;
  options.faults.bigcommerce_quota = 1'000'000;
  sim::Simulator sim(options);
  sim::StoreSeed bc;
  bc.platform = "bigcommerce";
  bc.name = "trackbc";
  bc.orders = 3;
  bc.seed = 13;
  bc.token = "ci-bc-token";
  bc.product_tracking_percent = 50;
  std::string error;
  ASSERT_TRUE(sim.SeedStore(bc, &error)) << error;
  ASSERT_TRUE(sim.Start(&error)) << error;
  TempDir tmp;
  const fs::path dir = fs::path(tmp.path()) / "project";
  fs::create_directories(dir / "carts.d");
  std::ofstream(dir / "cartsync.toml")
      << "[state]\nurl = \"sqlite:.cartsync/state.db\"\n\n"
      << "[wms.main]\nsystem = \"http\"\nurl = \"" << sim.wms_url() << "\"\n"
      << "token = { secret = \"env:CI_E2E_WMS_TOKEN\" }\n"
      << "warehouses = [\"east\", \"west\"]\ncarriers = [\"UPS\"]\n";
  std::ofstream(dir / "carts.d" / "track-bc.toml")
      << "[cart]\nid = \"track-bc\"\nclient = \"cedar\"\nplatform = \"bigcommerce\"\n"
      << "wms = \"main\"\n\n[api]\nstore_hash = \"trackbc\"\n"
      << "access_token = { secret = \"env:CI_E2E_BC_TOKEN\" }\n"
      << "base_url = \"" << sim.store_url("bigcommerce", "trackbc") << "\"\n\n"
      << "[services.order_download]\nenabled = false\nevery = \"15m\"\n\n"
      << "[services.inventory_upload]\nenabled = true\nevery = \"hourly\"\n\n"
      << "[order_load]\nearliest_order_date = 2026-11-05\nsync_inventory_with = \"all\"\n\n"
      << "[ship_methods]\n\"*\" = \"UPS/GROUND\"\n";
  std::ostringstream out, errs;
  CliEnv env;
  env.today = Date{2026, 11, 27};
  ASSERT_EQ(RunCli({"run", dir.string()}, out, errs, env), 0) << out.str() << errs.str();

  httplib::Client c("127.0.0.1", sim.port());
  auto r = c.Get("/wms/inventory", {{"Authorization", std::string("Bearer ") + kWmsToken}});
  ASSERT_TRUE(r && r->status == 200);
  rapidjson::Document d = Parse(r->body);
  std::map<std::string, int64_t> expected;
  for (const auto& rec : d["inventory"].GetArray())
    expected[rec["sku"].GetString()] += rec["available"].GetInt64();
  std::map<std::string, int64_t> set;
  for (const sim::InventorySetRecord& s : sim.InventorySets()) {
    EXPECT_TRUE(s.known) << s.sku;
    set[s.sku] = s.value;
  }
  EXPECT_EQ(set, expected);
  sim.Stop();
}

}  // namespace
}  // namespace cartsync

// End to end: no order lost to shifting pages (issue 12). WooCommerce and
// BigCommerce list orders by page; the simulator's "shift_rate" fault has the
// merchant complete or edit open orders before every order-list request is
// answered, so offset pages would slide under the connector. Over several
// random seeds, `cartsync run` (in-process, libcurl over loopback, SQLite)
// must download every order that is still open at the end, and the WMS must
// have received none twice. Expectations come from the simulator's orders
// and WMS records, not from runtime code.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
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

constexpr char kWmsToken[] = "shift-e2e-wms-token";

struct Platform {
  std::string platform, store, open_status, api_toml, statuses_toml;
  int orders;
};

Platform For(const std::string& name) {
  if (name == "woocommerce")
    return {"woocommerce",
            "shiftwoo",
            "processing",
            "store_url = \"https://shift.example\"\n"
            "consumer_key = { secret = \"env:SHIFT_WOO_KEY\" }\n"
            "consumer_secret = { secret = \"env:SHIFT_WOO_SECRET\" }\n",
            "status = [\"processing\"]\n",
            330};         // 100 a page
  if (name == "magento")  // keyset paging: entity_id > the last seen, 100 a page
    return {"magento",
            "shiftmag",
            "processing",
            "store_url = \"https://shift-mag.example\"\n"
            "access_token = { secret = \"env:SHIFT_MAGENTO_TOKEN\" }\n",
            "status = [\"processing\"]\n",
            330};
  return {"bigcommerce",
          "shiftbc",
          "Awaiting Fulfillment",
          "store_hash = \"shiftbc\"\naccess_token = { secret = \"env:SHIFT_BC_TOKEN\" }\n",
          "status = [\"Awaiting Fulfillment\"]\n",
          640};  // 250 a page
}

class ShiftingPages : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ::setenv("SHIFT_WMS_TOKEN", kWmsToken, 1);
    ::setenv("SHIFT_WOO_KEY", "ck_shift", 1);
    ::setenv("SHIFT_WOO_SECRET", "cs_shift", 1);
    ::setenv("SHIFT_BC_TOKEN", "shift-bc-token", 1);
    ::setenv("SHIFT_MAGENTO_TOKEN", "shift-bc-token", 1);  // the store's seed token
  }

  int Cli(std::vector<std::string> args, std::string* output) {
    std::ostringstream out, err;
    CliEnv env;
    env.today = Date{2026, 11, 27};
    int code = RunCli(args, out, err, env);
    *output = out.str() + err.str();
    return code;
  }

  /// Downloaded order ids (any state) per `cartsync state orders`.
  std::set<std::string> Downloaded(const fs::path& dir, const std::string& cart_id) {
    std::string out;
    EXPECT_EQ(
        Cli({"state", "orders", "--project", dir.string(), "--format", "json", "--limit", "100000"},
            &out),
        0)
        << out;
    std::set<std::string> ids;
    rapidjson::Document d;
    d.Parse(out.c_str());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("orders")) {
      ADD_FAILURE() << out.substr(0, 300);
      return ids;
    }
    const std::string prefix = cart_id + ":";
    for (const auto& o : d["orders"].GetArray()) {
      std::string key = o["order_key"].GetString();
      if (key.rfind(prefix, 0) == 0) ids.insert(key.substr(prefix.size()));
    }
    return ids;
  }
};

TEST_P(ShiftingPages, NoOrderLostAndNoneSentTwiceWhileOrdersShift) {
  const Platform p = For(GetParam());
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    sim::SimOptions options;
    options.seed = seed;
    options.wms.token = kWmsToken;
    options.faults.bigcommerce_quota = 1'000'000;
    options.faults.shift_rate = 1.0;  // before every order-list request
    options.faults.shift_orders = 7;
    sim::Simulator sim(options);
    sim::StoreSeed s;
    s.platform = p.platform;
    s.name = p.store;
    s.orders = p.orders;
    s.seed = 100 + seed;
    s.start_date = "2026-11-01T00:00:00Z";
    s.span_hours = 14 * 24;
    s.token = "shift-bc-token";
    s.consumer_key = "ck_shift";
    s.consumer_secret = "cs_shift";
    s.statuses = {{p.open_status, 1}};
    std::string error;
    ASSERT_TRUE(sim.SeedStore(s, &error)) << error;
    ASSERT_TRUE(sim.Start(&error)) << error;

    TempDir tmp;
    const fs::path dir = fs::path(tmp.path()) / "project";
    fs::create_directories(dir / "carts.d");
    std::ofstream(dir / "cartsync.toml")
        << "[state]\nurl = \"sqlite:.cartsync/state.db\"\n\n"
        << "[wms.main]\nsystem = \"http\"\nurl = \"" << sim.wms_url() << "\"\n"
        << "token = { secret = \"env:SHIFT_WMS_TOKEN\" }\n"
        << "warehouses = [\"east\", \"west\"]\ncarriers = [\"UPS\"]\n";
    const std::string cart_id = "shift-" + p.platform;
    std::ofstream(dir / "carts.d" / (cart_id + ".toml"))
        << "[cart]\nid = \"" << cart_id << "\"\nclient = \"shift\"\nplatform = \"" << p.platform
        << "\"\nwms = \"main\"\n\n[api]\n"
        << p.api_toml << "base_url = \"" << sim.store_url(p.platform, p.store) << "\"\n\n"
        << "[services.order_download]\nenabled = true\nevery = \"15m\"\n\n"
        << "[statuses]\n"
        << p.statuses_toml << "\n"
        << "[order_load]\nearliest_order_date = 2026-11-01\n\n"
        << "[ship_methods]\n\"*\" = \"UPS/GROUND\"\n";

    // Two runs: the first download (created after), then a later one
    // (updated after), the merchant busy during both.
    for (int run = 0; run < 2; ++run) {
      std::string out;
      ASSERT_EQ(Cli({"run", dir.string()}, &out), 0) << out;
    }

    std::set<std::string> still_open;
    int left = 0;
    for (const sim::OrderSummary& o : sim.Orders(p.platform, p.store)) {
      if (o.status == p.open_status)
        still_open.insert(o.id);
      else
        ++left;
    }
    ASSERT_GT(left, 0) << "the fault shifted nothing";
    ASSERT_GT(still_open.size(), 0u);
    std::set<std::string> downloaded = Downloaded(dir, cart_id);
    for (const std::string& id : still_open)
      EXPECT_TRUE(downloaded.count(id)) << "order " << id << " is open and was never downloaded";
    for (const sim::WmsOrderRecord& w : sim.WmsOrders())
      EXPECT_EQ(w.deliveries, 1) << w.order_key << " sent " << w.deliveries << " times";
    EXPECT_GE(sim.WmsOrders().size(), still_open.size());
    sim.Stop();
    if (HasFailure()) {
      tmp.Keep();
      break;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Platforms, ShiftingPages,
                         ::testing::Values("woocommerce", "bigcommerce", "magento"));

}  // namespace
}  // namespace cartsync

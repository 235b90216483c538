// End to end (issue 12, "Money and time"): `cartsync run` in-process against
// the simulator over HTTP. Shopify (JPY), WooCommerce (KWD: WooCommerce's
// default 2-decimal `dp` would lose a fils) and BigCommerce (JPY) stores in
// America/Los_Angeles, each with an order placed 2026-01-01 before 08:00Z
// (still December 31 there) and one after. earliest_order_date = 2026-01-01
// sends only the second, and the WMS receives currency and minor-unit
// prices. Expectations come from the simulator's own cart APIs, not from
// runtime code.
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
#include <vector>

#include "tests/support/temp_dir.h"
#include "tools/cartsync/cli.h"
#include "tools/simulator/simulator.h"

namespace cartsync {
namespace {

namespace fs = std::filesystem;

constexpr char kWmsToken[] = "money-e2e-wms-token";
// 00:00 2026-01-01 in Los Angeles (PST, UTC-8).
constexpr char kLocalMidnightUtc[] = "2026-01-01T08:00:00Z";

rapidjson::Document Parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  EXPECT_FALSE(d.HasParseError()) << text.substr(0, 300);
  return d;
}

std::string Str(const rapidjson::Value& v, const char* key) {
  return v.IsObject() && v.HasMember(key) && v[key].IsString() ? v[key].GetString() : "<none>";
}

/// Two orders: the first 05:00-07:00Z, the second 08:00-10:00Z on 2026-01-01
/// (start 03:00Z, 9 hours, steps of 3 hours with at most an hour of jitter).
sim::StoreSeed Seed(const std::string& platform, const std::string& name,
                    const std::string& currency, const std::string& status) {
  sim::StoreSeed s;
  s.platform = platform;
  s.name = name;
  s.orders = 2;
  s.seed = 21;
  s.start_date = "2026-01-01T03:00:00Z";
  s.span_hours = 9;
  s.statuses = {{status, 1}};
  s.no_shipping_percent = 0;
  s.time_zone = "America/Los_Angeles";
  s.currency = currency;
  s.token = name + "-token";
  s.consumer_key = "ck_" + name;
  s.consumer_secret = "cs_" + name;
  s.wms_alias_type = "";
  s.extra_skus = std::vector<std::string>{};
  return s;
}

class MoneyTimeZoneE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("MT_E2E_WMS_TOKEN", kWmsToken, 1);
    ::setenv("MT_E2E_SHOP_TOKEN", "mtshop-token", 1);
    ::setenv("MT_E2E_WOO_KEY", "ck_mtwoo", 1);
    ::setenv("MT_E2E_WOO_SECRET", "cs_mtwoo", 1);
    ::setenv("MT_E2E_BC_TOKEN", "mtbc-token", 1);
    sim::SimOptions options;
    options.wms.token = kWmsToken;
    options.faults.bigcommerce_quota = 1'000'000;
    sim_ = std::make_unique<sim::Simulator>(options);
    std::string error;
    for (const sim::StoreSeed& s : {Seed("shopify", "mtshop", "JPY", "open/paid/unfulfilled"),
                                    Seed("woocommerce", "mtwoo", "KWD", "processing"),
                                    Seed("bigcommerce", "mtbc", "JPY", "Awaiting Fulfillment")})
      ASSERT_TRUE(sim_->SeedStore(s, &error)) << error;
    ASSERT_TRUE(sim_->Start(&error)) << error;
    WriteProject();
  }

  void TearDown() override {
    if (sim_) sim_->Stop();
    if (HasFailure()) tmp_.Keep();
  }

  void Cart(const std::string& id, const std::string& platform, const std::string& store,
            const std::string& api, const std::string& statuses) {
    std::ofstream(dir_ / "carts.d" / (id + ".toml"))
        << "[cart]\nid = \"" << id << "\"\nclient = \"mt\"\nplatform = \"" << platform
        << "\"\nwms = \"main\"\n\n[api]\n"
        << api << "base_url = \"" << sim_->store_url(platform, store) << "\"\n\n"
        << "[services.order_download]\nenabled = true\nevery = \"15m\"\n\n"
        << "[order_load]\nearliest_order_date = 2026-01-01\n\n"
        << "[statuses]\n"
        << statuses << "\n[ship_methods]\n\"*\" = \"UPS/GROUND\"\n";
  }

  void WriteProject() {
    fs::create_directories(dir_ / "carts.d");
    std::ofstream(dir_ / "cartsync.toml")
        << "[state]\nurl = \"sqlite:.cartsync/state.db\"\n\n"
        << "[wms.main]\nsystem = \"http\"\nurl = \"" << sim_->wms_url() << "\"\n"
        << "token = { secret = \"env:MT_E2E_WMS_TOKEN\" }\n"
        << "warehouses = [\"east\", \"west\"]\ncarriers = [\"UPS\"]\n";
    Cart("mt-shop", "shopify", "mtshop",
         "store_url = \"https://mtshop.myshopify.com\"\n"
         "access_token = { secret = \"env:MT_E2E_SHOP_TOKEN\" }\n",
         "status = [\"open\"]\nfinancial_status = [\"paid\"]\n"
         "fulfillment_status = [\"unfulfilled\"]\n");
    Cart("mt-woo", "woocommerce", "mtwoo",
         "store_url = \"https://mtwoo.example\"\n"
         "consumer_key = { secret = \"env:MT_E2E_WOO_KEY\" }\n"
         "consumer_secret = { secret = \"env:MT_E2E_WOO_SECRET\" }\n",
         "status = [\"processing\"]\n");
    Cart("mt-bc", "bigcommerce", "mtbc",
         "store_hash = \"mtbc\"\naccess_token = { secret = \"env:MT_E2E_BC_TOKEN\" }\n",
         "status = [\"Awaiting Fulfillment\"]\n");
  }

  /// GET on the simulator's store API, as the platform answers it.
  rapidjson::Document StoreGet(const std::string& platform, const std::string& store,
                               const std::string& path, const httplib::Headers& headers = {}) {
    const std::string base = sim_->store_url(platform, store);
    const std::string prefix = base.substr(base.find('/', std::string("http://").size()));
    httplib::Client c("127.0.0.1", sim_->port());
    auto r = c.Get((prefix + path).c_str(), headers);
    EXPECT_TRUE(r && r->status == 200) << path << (r ? " " + r->body.substr(0, 200) : "");
    return Parse(r ? r->body : "null");
  }

  TempDir tmp_;
  fs::path dir_ = fs::path(tmp_.path()) / "project";
  std::unique_ptr<sim::Simulator> sim_;
};

TEST_F(MoneyTimeZoneE2e, StoreZoneCutsTheDayAndTheWmsGetsMinorUnits) {
  std::ostringstream out, errs;
  CliEnv env;
  env.today = Date{2026, 1, 5};
  ASSERT_EQ(RunCli({"run", dir_.string()}, out, errs, env), 0) << out.str() << errs.str();

  // The simulator's orders, by cart: which were placed before 00:00 in
  // Los Angeles (08:00Z) though on 2026-01-01 in UTC.
  const std::map<std::string, std::pair<std::string, std::string>> stores = {
      {"mt-shop", {"shopify", "mtshop"}},
      {"mt-woo", {"woocommerce", "mtwoo"}},
      {"mt-bc", {"bigcommerce", "mtbc"}}};
  std::map<std::string, std::set<std::string>> expected;  // cart -> order keys
  int before = 0;
  for (const auto& [cart, store] : stores) {
    for (const sim::OrderSummary& o : sim_->Orders(store.first, store.second)) {
      ASSERT_EQ(o.created_at.substr(0, 10), "2026-01-01") << cart;  // the same UTC day
      if (o.created_at < kLocalMidnightUtc)
        ++before;
      else
        expected[cart].insert(cart + ":" + o.id);
    }
  }
  ASSERT_GE(before, 1) << "the seeds no longer straddle local midnight";

  std::map<std::string, std::vector<rapidjson::Document>> sent;  // cart -> WMS documents
  for (sim::WmsOrderRecord& r : sim_->WmsOrders()) {
    const std::string cart = r.order_key.substr(0, r.order_key.find(':'));
    sent[cart].push_back(Parse(r.first_body));
  }
  for (const char* cart : {"mt-shop", "mt-woo", "mt-bc"}) {
    std::set<std::string> keys;
    for (const rapidjson::Document& d : sent[cart]) keys.insert(Str(d, "order_key"));
    EXPECT_EQ(keys, expected[cart]) << cart << ": only orders placed after 00:00 in "
                                    << "America/Los_Angeles are sent\n"
                                    << out.str();
    ASSERT_FALSE(sent[cart].empty()) << cart;
    const rapidjson::Value& d = sent[cart][0];
    EXPECT_GE(Str(d, "placed_at"), std::string(kLocalMidnightUtc)) << cart;
    const std::string currency = Str(d, "currency");
    EXPECT_EQ(currency, std::string(cart) == "mt-woo" ? "KWD" : "JPY") << cart;
    const size_t decimals = currency == "KWD" ? 3 : 0;
    int64_t subtotal = 0;
    ASSERT_TRUE(d["lines"].IsArray() && d["lines"].Size() > 0) << cart;
    for (const auto& l : d["lines"].GetArray()) {
      const std::string list = Str(l, "unit_list_price"), unit = Str(l, "unit_price");
      ASSERT_FALSE(list.empty()) << cart;
      // unit_price is the same amount in major units with the currency's decimals.
      const size_t point = unit.find('.');
      EXPECT_EQ(point == std::string::npos ? 0 : unit.size() - point - 1, decimals)
          << cart << " " << unit;
      std::string digits = unit;
      if (point != std::string::npos) digits.erase(point, 1);
      EXPECT_EQ(std::stoll(digits), std::stoll(list)) << cart;
      EXPECT_EQ(Str(l, "discount"), "0") << cart;
      EXPECT_EQ(Str(l, "tax"), "0") << cart;
      subtotal += std::stoll(list) * l["quantity"].GetInt64();
    }
    const rapidjson::Value& t = d["totals"];
    EXPECT_EQ(Str(t, "subtotal"), std::to_string(subtotal)) << cart;
    EXPECT_EQ(std::stoll(Str(t, "total")), subtotal + std::stoll(Str(t, "shipping"))) << cart;
  }

  // WooCommerce: the WMS's amounts are the cart's to the fils, as dp=6
  // gives them, where the default dp=2 rounds a fils away.
  ASSERT_FALSE(sent["mt-woo"].empty());
  const std::string key = sent["mt-woo"][0]["order_key"].GetString();
  const std::string id = key.substr(key.find(':') + 1);
  const httplib::Headers auth = {{"Authorization", "Basic Y2tfbXR3b286Y3NfbXR3b28="}};
  rapidjson::Document exact =
      StoreGet("woocommerce", "mtwoo", "/wp-json/wc/v3/orders?include=" + id + "&dp=6", auth);
  rapidjson::Document rounded =
      StoreGet("woocommerce", "mtwoo", "/wp-json/wc/v3/orders?include=" + id, auth);
  ASSERT_TRUE(exact.IsArray() && exact.Size() == 1 && rounded.IsArray() && rounded.Size() == 1);
  // "12.345000" -> 12345 fils (the last three of six decimals are zeros).
  const auto fils = [](const std::string& text) {
    const size_t point = text.find('.');
    std::string frac = point == std::string::npos ? "" : text.substr(point + 1);
    frac = (frac + "000").substr(0, 3);
    return std::stoll(text.substr(0, point)) * 1000 + std::stoll(frac);
  };
  const std::string total = Str(exact[0], "total");
  EXPECT_EQ(Str(sent["mt-woo"][0]["totals"], "total"), std::to_string(fils(total))) << total;
  const std::string two = Str(rounded[0], "total");
  EXPECT_EQ(two.size() - two.find('.') - 1, 2u) << two;  // what dp=2 would have given
  if (fils(total) % 10 != 0) {
    EXPECT_NE(fils(two), fils(total)) << two << " " << total;
  }
}

}  // namespace
}  // namespace cartsync

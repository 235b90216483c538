// End to end (issue 15, "thousands of carts in one run"): several WooCommerce
// carts sharing one http WMS, `cartsync run` in-process (RunCli: compiler,
// libcurl over loopback, SQLite) against the simulator. The carts' shipment
// uploads read the WMS's shipment list once per run (runtime/shipment_feed.h),
// counted by the simulator over HTTP (GET /_sim/records), and every cart still
// gets exactly its own shipments, once — also one shipped while the carts are
// mid-run is not skipped but uploaded by the next run.
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

constexpr char kWmsToken[] = "many-e2e-wms-token";
constexpr int kCarts = 6, kOrders = 8, kPage = 5;

std::string Store(int i) { return "many" + std::to_string(i); }
std::string CartId(int i) { return "many-" + std::to_string(i); }

class ManyCartsE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("MANY_E2E_WMS_TOKEN", kWmsToken, 1);
    ::setenv("MANY_E2E_WOO_KEY", "ck_many", 1);
    ::setenv("MANY_E2E_WOO_SECRET", "cs_many", 1);
    sim::SimOptions options;
    options.wms.token = kWmsToken;
    options.wms.shipments_page = kPage;
    sim_ = std::make_unique<sim::Simulator>(options);
    std::string error;
    for (int i = 0; i < kCarts; ++i) {
      sim::StoreSeed woo;
      woo.platform = "woocommerce";
      woo.name = Store(i);
      woo.orders = kOrders;
      woo.seed = 11 + i;
      woo.start_date = "2026-11-06T00:00:00Z";
      woo.span_hours = 8 * 24;
      woo.statuses = {{"processing", 1}};
      woo.no_shipping_percent = 0;
      woo.consumer_key = "ck_many";
      woo.consumer_secret = "cs_many";
      ASSERT_TRUE(sim_->SeedStore(woo, &error)) << error;
    }
    ASSERT_TRUE(sim_->Start(&error)) << error;
    fs::create_directories(dir_ / "carts.d");
    std::ofstream(dir_ / "cartsync.toml")
        << "[state]\nurl = \"sqlite:.cartsync/state.db\"\n\n"
        << "[wms.main]\nsystem = \"http\"\nurl = \"" << sim_->wms_url() << "\"\n"
        << "token = { secret = \"env:MANY_E2E_WMS_TOKEN\" }\n"
        << "warehouses = [\"east\", \"west\"]\ncarriers = [\"UPS\", \"USPS\", \"FEDEX\", "
           "\"DHL\"]\n";
    for (int i = 0; i < kCarts; ++i)
      std::ofstream(dir_ / "carts.d" / (CartId(i) + ".toml"))
          << "[cart]\nid = \"" << CartId(i) << "\"\nclient = \"" << CartId(i)
          << "\"\nplatform = \"woocommerce\"\n\n"
          << "[api]\nstore_url = \"https://" << Store(i) << ".example\"\n"
          << "consumer_key = { secret = \"env:MANY_E2E_WOO_KEY\" }\n"
          << "consumer_secret = { secret = \"env:MANY_E2E_WOO_SECRET\" }\n"
          << "base_url = \"" << sim_->store_url("woocommerce", Store(i)) << "\"\n\n"
          << "[services.order_download]\nenabled = true\nevery = \"15m\"\n\n"
          << "[services.shipment_upload]\nenabled = true\nevery = \"30m\"\n\n"
          << "[statuses]\nstatus = [\"processing\"]\n\n"
          << "[order_load]\nearliest_order_date = 2026-11-05\n\n"
          << "[ship_methods]\n\"*\" = \"UPS/GROUND\"\n";
  }

  void TearDown() override {
    if (sim_) sim_->Stop();
    if (HasFailure()) tmp_.Keep();
  }

  void Run(const std::string& service) {
    std::ostringstream o, e;
    CliEnv env;
    env.today = Date{2026, 11, 27};
    int code =
        RunCli({"run", dir_.string(), "--service", service, "--concurrency", "2"}, o, e, env);
    EXPECT_EQ(code, 0) << o.str() << e.str();
  }

  /// GET /_sim/records over HTTP: requests["wms GET /shipments"].
  uint64_t ShipmentRequests() {
    httplib::Client c("127.0.0.1", sim_->port());
    auto r = c.Get("/_sim/records");
    EXPECT_TRUE(r && r->status == 200);
    if (!r) return 0;
    rapidjson::Document d;
    d.Parse(r->body.c_str(), r->body.size());
    if (!d.IsObject() || !d.HasMember("requests") || !d["requests"].HasMember("wms GET /shipments"))
      return 0;
    return d["requests"]["wms GET /shipments"].GetUint64();
  }

  /// POST /_sim/ship over HTTP (`body` "" = every received order).
  void Ship(const std::string& body = "") {
    httplib::Client c("127.0.0.1", sim_->port());
    auto r = c.Post("/_sim/ship", body.empty() ? "{}" : body, "application/json");
    ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
  }

  /// Per cart: the tracking numbers the WMS issued for its orders.
  std::map<std::string, std::multiset<std::string>> Issued() {
    std::map<std::string, std::multiset<std::string>> out;
    for (const sim::IssuedShipment& s : sim_->Records().shipments)
      out[s.order_key.substr(0, s.order_key.find(':'))].insert(s.tracking_number);
    return out;
  }

  /// Per cart: the tracking numbers posted to its store.
  std::map<std::string, std::multiset<std::string>> Posted() {
    std::map<std::string, std::multiset<std::string>> out;
    for (const sim::TrackingRecord& t : sim_->TrackingPosts())
      if (!t.tracking_number.empty())
        out["many-" + t.store.substr(std::string("many").size())].insert(t.tracking_number);
    return out;
  }

  TempDir tmp_;
  fs::path dir_ = fs::path(tmp_.path()) / "project";
  std::unique_ptr<sim::Simulator> sim_;
};

TEST_F(ManyCartsE2e, CartsReadTheWmsShipmentsOncePerRunAndEachGetsExactlyItsOwn) {
  Run("order_download");
  const size_t received = sim_->WmsOrders().size();
  ASSERT_GE(received, static_cast<size_t>(kCarts * kOrders / 2)) << "orders reached the WMS";
  Ship();
  const size_t shipped = sim_->Records().shipments.size();
  ASSERT_EQ(shipped, received);

  const uint64_t before = ShipmentRequests();
  Run("shipment_upload");
  // One read of the list: its pages and the empty one after them — not one
  // read per cart (kCarts times as many).
  const uint64_t pages = (shipped + kPage - 1) / kPage + 1;
  EXPECT_EQ(ShipmentRequests() - before, pages);
  EXPECT_EQ(Posted(), Issued()) << "each cart got exactly its shipments, once";

  // The next run starts where this one ended, for every cart: one request
  // (nothing after the cursor), and nothing is posted again.
  const uint64_t second = ShipmentRequests();
  Run("shipment_upload");
  EXPECT_EQ(ShipmentRequests() - second, 1u);
  EXPECT_EQ(Posted(), Issued());
}

TEST_F(ManyCartsE2e, AShipmentArrivingBetweenRunsIsReadByTheNextRunOnly) {
  Run("order_download");
  const std::vector<sim::WmsOrderRecord> orders = sim_->WmsOrders();
  ASSERT_GE(orders.size(), 2u);
  // All but the last order ship now; the last one after the first upload run.
  Ship("{\"count\": " + std::to_string(orders.size() - 1) + "}");
  Run("shipment_upload");
  EXPECT_EQ(Posted(), Issued());
  const uint64_t before = ShipmentRequests();
  Ship("{\"order_key\": \"" + orders.back().order_key + "\"}");
  Run("shipment_upload");
  // Every cart's cursor ended at the same place: the next run reads one page
  // (the late shipment) and one more (nothing after it), for all the carts.
  EXPECT_EQ(ShipmentRequests() - before, 2u);
  EXPECT_EQ(Posted(), Issued()) << "the late shipment reached its cart, once";
}

}  // namespace
}  // namespace cartsync

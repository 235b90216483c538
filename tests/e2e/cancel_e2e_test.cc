// End to end (issue 12, "Cancellations"): WooCommerce and Shopify carts
// against the simulator over HTTP, `cartsync run` and `cartsync state`
// in-process (RunCli: compiler, libcurl over loopback, SQLite). Orders are
// canceled at the cart through the simulator's control API
// (POST /_sim/cancel), the WMS is the simulator's http WMS. What counts is
// what the simulator recorded: an order canceled before it was sent never
// reaches the WMS; one canceled after it was sent is canceled there exactly
// once; one the WMS shipped answers 409, is noted (cancel_too_late), in the
// report, and never asked again; `state cancel` does the same by hand.
#include <gtest/gtest.h>
#include <httplib.h>
#include <rapidjson/document.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"
#include "tools/cartsync/cli.h"
#include "tools/simulator/simulator.h"

namespace cartsync {
namespace {

namespace fs = std::filesystem;

constexpr char kWmsToken[] = "cancel-e2e-wms-token";

rapidjson::Document Parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  EXPECT_FALSE(d.HasParseError()) << text.substr(0, 300);
  return d;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class CancelE2e : public ::testing::TestWithParam<std::string> {
 protected:
  std::string Platform() const { return GetParam(); }
  std::string Store() const { return Platform() == "shopify" ? "cxshop" : "cxwoo"; }
  std::string CartId() const { return Platform() == "shopify" ? "cx-shop" : "cx-woo"; }

  void SetUp() override {
    ::setenv("CX_E2E_WMS_TOKEN", kWmsToken, 1);
    ::setenv("CX_E2E_SECRET", "cx-secret", 1);
    sim::SimOptions options;
    options.wms.token = kWmsToken;
    sim_ = std::make_unique<sim::Simulator>(options);
    sim::StoreSeed seed;
    seed.platform = Platform();
    seed.name = Store();
    seed.orders = 6;
    seed.seed = 11;
    seed.start_date = "2026-11-10T00:00:00Z";
    seed.span_hours = 48;
    seed.no_shipping_percent = 0;
    seed.wms_alias_type = "";  // the store sells WMS SKUs
    seed.extra_skus = std::vector<std::string>{};
    seed.statuses = {{Platform() == "shopify" ? "open/paid/unfulfilled" : "processing", 1}};
    seed.token = "cx-secret";
    seed.consumer_key = "ck_cx";
    seed.consumer_secret = "cx-secret";
    std::string error;
    ASSERT_TRUE(sim_->SeedStore(seed, &error)) << error;
    ASSERT_TRUE(sim_->Start(&error)) << error;
    ::setenv("CX_E2E_KEY", "ck_cx", 1);
    fs::create_directories(dir_ / "carts.d");
    std::ofstream(dir_ / "cartsync.toml")
        << "[state]\nurl = \"sqlite:.cartsync/state.db\"\n\n"
        << "[wms.main]\nsystem = \"http\"\nurl = \"" << sim_->wms_url() << "\"\n"
        << "token = { secret = \"env:CX_E2E_WMS_TOKEN\" }\n"
        << "warehouses = [\"east\", \"west\"]\ncarriers = [\"UPS\", \"USPS\"]\n";
    std::ofstream cart(dir_ / "carts.d" / (CartId() + ".toml"));
    cart << "[cart]\nid = \"" << CartId() << "\"\nclient = \"cx\"\nplatform = \"" << Platform()
         << "\"\n\n[api]\n";
    if (Platform() == "shopify") {
      cart << "store_url = \"https://cxshop.myshopify.com\"\n"
           << "access_token = { secret = \"env:CX_E2E_SECRET\" }\n";
    } else {
      cart << "store_url = \"https://cx.example\"\n"
           << "consumer_key = { secret = \"env:CX_E2E_KEY\" }\n"
           << "consumer_secret = { secret = \"env:CX_E2E_SECRET\" }\n";
    }
    cart << "base_url = \"" << sim_->store_url(Platform(), Store()) << "\"\n\n"
         << "[services.order_download]\nenabled = true\nevery = \"15m\"\n\n"
         << "[services.shipment_upload]\nenabled = true\nevery = \"30m\"\n\n"
         << "[statuses]\nstatus = [\"" << (Platform() == "shopify" ? "open" : "processing")
         << "\"]\n";
    if (Platform() == "shopify")
      cart << "financial_status = [\"paid\"]\nfulfillment_status = [\"unfulfilled\"]\n";
    cart << "\n[order_load]\nearliest_order_date = 2026-11-05\n\n"
         << "[ship_methods]\n\"*\" = \"UPS/GROUND\"\n";
  }

  void TearDown() override {
    if (sim_) sim_->Stop();
    if (HasFailure()) tmp_.Keep();
  }

  int Cli(std::vector<std::string> args, std::string* out, std::string* err = nullptr) {
    std::ostringstream o, e;
    CliEnv env;
    env.today = Date{2026, 11, 27};
    int code = RunCli(args, o, e, env);
    *out = o.str();
    if (err)
      *err = e.str();
    else
      *out += e.str();
    return code;
  }
  // One run; its JSON report.
  rapidjson::Document Run(int want = 0) {
    std::string out;
    const fs::path report = dir_ / "report.json";
    int code = Cli({"run", dir_.string(), "--report", report.string()}, &out);
    EXPECT_EQ(code, want) << out;
    return Parse(ReadFile(report));
  }
  int State(std::vector<std::string> args, std::string* out, std::string* err) {
    args.insert(args.begin(), "state");
    args.push_back("--project");
    args.push_back(dir_.string());
    return Cli(args, out, err);
  }
  // The stored order: {"status", "reason", …} of `state show --format json`.
  rapidjson::Document Show(const std::string& key) {
    std::string out, err;
    EXPECT_EQ(State({"show", key, "--format", "json"}, &out, &err), 0) << err;
    return Parse(out);
  }
  std::string StatusOf(const std::string& key) {
    rapidjson::Document d = Show(key);
    return d.IsObject() && d.HasMember("status") ? d["status"].GetString() : "";
  }
  std::string ReasonOf(const std::string& key) {
    rapidjson::Document d = Show(key);
    return d.IsObject() && d.HasMember("reason") ? d["reason"].GetString() : "";
  }
  const sim::WmsOrderRecord* AtWms(const std::string& key) {
    wms_ = sim_->WmsOrders();
    for (const sim::WmsOrderRecord& w : wms_)
      if (w.order_key == key) return &w;
    return nullptr;
  }
  // Cancels at the cart over HTTP, as a test control.
  void CancelAtCart(const std::string& order_id) {
    httplib::Client c(sim_->base_url());
    std::string body = "{\"platform\":\"" + Platform() + "\",\"store\":\"" + Store() +
                       "\",\"id\":\"" + order_id + "\"}";
    auto r = c.Post("/_sim/cancel", body, "application/json");
    ASSERT_TRUE(r) << "no answer";
    ASSERT_EQ(r->status, 200) << r->body;
  }
  std::string Key(const std::string& order_id) { return CartId() + ":" + order_id; }
  // The order_download step's counts and events in a report.
  static const rapidjson::Value* DownloadStep(const rapidjson::Document& report) {
    if (!report.IsObject() || !report.HasMember("steps")) return nullptr;
    for (const auto& s : report["steps"].GetArray())
      if (std::string(s["service"].GetString()) == "order_download") return &s;
    return nullptr;
  }
  static int Count(const rapidjson::Document& report, const char* name) {
    const rapidjson::Value* s = DownloadStep(report);
    return s ? (*s)["counts"][name].GetInt() : -1;
  }

  TempDir tmp_;
  fs::path dir_ = fs::path(tmp_.path());
  std::unique_ptr<sim::Simulator> sim_;
  std::vector<sim::WmsOrderRecord> wms_;
};

TEST_P(CancelE2e, CanceledBeforeAfterAndTooLate) {
  Run();
  std::vector<sim::OrderSummary> orders = sim_->Orders(Platform(), Store());
  ASSERT_GE(orders.size(), 3u);
  const std::string sent_a = orders[0].id, sent_b = orders[1].id;
  ASSERT_NE(AtWms(Key(sent_a)), nullptr) << "sent on the first run";
  ASSERT_NE(AtWms(Key(sent_b)), nullptr);

  // A new order, canceled at the cart before any run saw it sent.
  std::vector<std::string> added = sim_->AddOrders(Platform(), Store(), 2);
  ASSERT_EQ(added.size(), 2u);
  CancelAtCart(added[0]);
  // A sent order canceled at the cart; another the WMS shipped first.
  CancelAtCart(sent_a);
  ASSERT_FALSE(sim_->ShipOrder(Key(sent_b)).empty());
  CancelAtCart(sent_b);

  rapidjson::Document report = Run();
  // Never sent: not at the WMS, canceled here.
  EXPECT_EQ(AtWms(Key(added[0])), nullptr);
  EXPECT_EQ(StatusOf(Key(added[0])), "canceled");
  EXPECT_NE(AtWms(Key(added[1])), nullptr) << "the other new order is sent";
  // Sent, then canceled: canceled at the WMS, once.
  const sim::WmsOrderRecord* a = AtWms(Key(sent_a));
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->canceled);
  EXPECT_EQ(a->cancel_requests, 1);
  EXPECT_EQ(StatusOf(Key(sent_a)), "canceled");
  // Shipped first: 409, noted, reported; the tracking is not uploaded.
  const sim::WmsOrderRecord* b = AtWms(Key(sent_b));
  ASSERT_NE(b, nullptr);
  EXPECT_FALSE(b->canceled);
  EXPECT_EQ(b->cancel_requests, 1);
  EXPECT_EQ(ReasonOf(Key(sent_b)).rfind("cancel_too_late: ", 0), 0u) << ReasonOf(Key(sent_b));
  EXPECT_TRUE(sim_->TrackingFor(Platform(), Store(), sent_b).empty());
  EXPECT_EQ(Count(report, "canceled"), 2);
  EXPECT_EQ(Count(report, "cancel_too_late"), 1);
  const rapidjson::Value* step = DownloadStep(report);
  ASSERT_NE(step, nullptr);
  ASSERT_TRUE(step->HasMember("events"));
  ASSERT_EQ((*step)["events"].Size(), 1u);
  EXPECT_STREQ((*step)["events"][0]["event"].GetString(), "cancel_too_late");
  EXPECT_EQ(std::string((*step)["events"][0]["order_key"].GetString()), Key(sent_b));

  // The next run: nothing asked again, nothing reported again.
  report = Run();
  EXPECT_EQ(AtWms(Key(sent_a))->cancel_requests, 1);
  EXPECT_EQ(AtWms(Key(sent_b))->cancel_requests, 1);
  EXPECT_EQ(AtWms(Key(added[0])), nullptr);
  EXPECT_EQ(Count(report, "cancel_too_late"), 0);
  EXPECT_EQ(Count(report, "canceled"), 0);
}

TEST_P(CancelE2e, StateCancelByHand) {
  Run();
  std::vector<sim::OrderSummary> orders = sim_->Orders(Platform(), Store());
  ASSERT_GE(orders.size(), 2u);
  std::string out, err;
  // Sent, not shipped: canceled at the WMS through the project's transport.
  EXPECT_EQ(State({"cancel", Key(orders[0].id)}, &out, &err), 0) << err;
  EXPECT_NE(out.find("canceled at the WMS"), std::string::npos) << out;
  EXPECT_TRUE(AtWms(Key(orders[0].id))->canceled);
  EXPECT_EQ(StatusOf(Key(orders[0].id)), "canceled");
  // Again: canceled already, exit 0, the WMS not asked again.
  EXPECT_EQ(State({"cancel", Key(orders[0].id)}, &out, &err), 0) << err;
  EXPECT_NE(out.find("canceled already"), std::string::npos) << out;
  EXPECT_EQ(AtWms(Key(orders[0].id))->cancel_requests, 1);
  // Shipped and confirmed: refused plainly.
  ASSERT_FALSE(sim_->ShipOrder(Key(orders[1].id)).empty());
  Run();
  ASSERT_EQ(StatusOf(Key(orders[1].id)), "confirmed");
  EXPECT_EQ(State({"cancel", Key(orders[1].id)}, &out, &err), 1);
  EXPECT_NE(err.find("too late to cancel"), std::string::npos) << err;
  EXPECT_EQ(AtWms(Key(orders[1].id))->cancel_requests, 0);
  // Unknown keys and usage.
  EXPECT_EQ(State({"cancel", CartId() + ":999999"}, &out, &err), 1);
  EXPECT_NE(err.find("no order"), std::string::npos) << err;
  EXPECT_EQ(State({"cancel"}, &out, &err), 2) << "usage: the key is required";
}

INSTANTIATE_TEST_SUITE_P(Carts, CancelE2e, ::testing::Values("woocommerce", "shopify"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace cartsync

// End to end (issue 12, "Resend" and "PII retention"): a WooCommerce cart
// against the simulator over HTTP, `cartsync run` and `cartsync state`
// in-process (RunCli: compiler, libcurl over loopback, SQLite). What counts
// is what the simulator recorded: the tracking a `state resend --tracking`
// re-queued reaches the store's order again (the merchant had reopened it;
// the upload completes it again, without a second copy of the number),
// a resent sent order is
// delivered to the WMS again under the same order_key (one WMS order), and
// after `state purge` the state file holds none of the erased names and
// addresses.
#include <gtest/gtest.h>
#include <httplib.h>
#include <rapidjson/document.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"
#include "tools/cartsync/cli.h"
#include "tools/simulator/simulator.h"

namespace cartsync {
namespace {

namespace fs = std::filesystem;

constexpr char kWmsToken[] = "resend-e2e-wms-token";

rapidjson::Document Parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  EXPECT_FALSE(d.HasParseError()) << text.substr(0, 300);
  return d;
}

class ResendPurgeE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("RP_E2E_WMS_TOKEN", kWmsToken, 1);
    ::setenv("RP_E2E_WOO_KEY", "ck_rp_key", 1);
    ::setenv("RP_E2E_WOO_SECRET", "cs_rp_secret", 1);
    sim::SimOptions options;
    options.wms.token = kWmsToken;
    sim_ = std::make_unique<sim::Simulator>(options);
    sim::StoreSeed woo;
    woo.platform = "woocommerce";
    woo.name = "rpwoo";
    woo.orders = 12;
    woo.seed = 7;
    woo.start_date = "2026-11-01T00:00:00Z";
    woo.span_hours = 14 * 24;
    woo.consumer_key = "ck_rp_key";
    woo.consumer_secret = "cs_rp_secret";
    std::string error;
    ASSERT_TRUE(sim_->SeedStore(woo, &error)) << error;
    ASSERT_TRUE(sim_->Start(&error)) << error;
    fs::create_directories(dir_ / "carts.d");
    std::ofstream(dir_ / "cartsync.toml")
        << "[state]\nurl = \"sqlite:.cartsync/state.db\"\nretain_pii = \"60d\"\n\n"
        << "[wms.main]\nsystem = \"http\"\nurl = \"" << sim_->wms_url() << "\"\n"
        << "token = { secret = \"env:RP_E2E_WMS_TOKEN\" }\n"
        << "warehouses = [\"east\", \"west\"]\ncarriers = [\"UPS\", \"USPS\"]\n";
    std::ofstream(dir_ / "carts.d" / "rp-woo.toml")
        << "[cart]\nid = \"rp-woo\"\nclient = \"bluebird\"\nplatform = \"woocommerce\"\n\n"
        << "[api]\nstore_url = \"https://rp.example\"\n"
        << "consumer_key = { secret = \"env:RP_E2E_WOO_KEY\" }\n"
        << "consumer_secret = { secret = \"env:RP_E2E_WOO_SECRET\" }\n"
        << "base_url = \"" << sim_->store_url("woocommerce", "rpwoo") << "\"\n\n"
        << "[services.order_download]\nenabled = true\nevery = \"15m\"\n\n"
        << "[services.shipment_upload]\nenabled = true\nevery = \"30m\"\n\n"
        << "[statuses]\nstatus = [\"processing\", \"on-hold\"]\n\n"
        << "[order_load]\nearliest_order_date = 2026-11-05\n\n"
        << "[ship_methods]\n\"*\" = \"UPS/GROUND\"\n";
  }

  void TearDown() override {
    if (sim_) sim_->Stop();
    if (HasFailure()) tmp_.Keep();
  }

  int Cli(std::vector<std::string> args, std::string* out, std::string* err = nullptr) {
    std::ostringstream o, e;
    CliEnv env;
    env.today = Date{2026, 11, 27};  // the seed's dates are fixed
    int code = RunCli(args, o, e, env);
    *out = o.str();
    if (err)
      *err = e.str();
    else
      *out += e.str();
    return code;
  }
  int Run() {
    std::string out;
    int code = Cli({"run", dir_.string()}, &out);
    EXPECT_EQ(code, 0) << out;
    return code;
  }
  int State(std::vector<std::string> args, std::string* out, std::string* err) {
    args.insert(args.begin(), "state");
    args.push_back("--project");
    args.push_back(dir_.string());
    return Cli(args, out, err);
  }
  /// order_key -> the order's JSON (state orders --format json).
  std::vector<std::string> Keys(const std::string& status) {
    std::string out, err;
    EXPECT_EQ(State({"orders", "--status", status, "--format", "json"}, &out, &err), 0) << err;
    std::vector<std::string> keys;
    rapidjson::Document d = Parse(out);
    if (!d.IsObject() || !d.HasMember("orders")) return keys;
    for (const auto& o : d["orders"].GetArray()) keys.push_back(o["order_key"].GetString());
    return keys;
  }
  /// The stored cart document's ship_to field `field` of `key`.
  std::string ShipTo(const std::string& key, const char* field) {
    std::string out, err;
    EXPECT_EQ(State({"show", key, "--format", "json"}, &out, &err), 0) << err;
    rapidjson::Document d = Parse(out);
    if (!d.IsObject() || !d.HasMember("cart_order")) return "";
    rapidjson::Document cart = Parse(d["cart_order"].GetString());
    if (!cart.IsObject() || !cart.HasMember("ship_to")) return "";
    return cart["ship_to"][field].GetString();
  }
  static std::string OrderId(const std::string& key) { return key.substr(key.find(':') + 1); }
  /// The order's status at the cart, as the simulator holds it.
  std::string CartStatus(const std::string& key) {
    for (const sim::OrderSummary& o : sim_->Orders("woocommerce", "rpwoo"))
      if (o.id == OrderId(key)) return o.status;
    return "";
  }
  /// The merchant sets the order back to processing (WooCommerce REST API).
  bool Reopen(const std::string& key) {
    httplib::Client c("127.0.0.1", sim_->port());
    c.set_basic_auth("ck_rp_key", "cs_rp_secret");
    const std::string base =
        sim_->store_url("woocommerce", "rpwoo").substr(sim_->base_url().size());
    auto r = c.Put(base + "/wp-json/wc/v3/orders/" + OrderId(key), R"({"status":"processing"})",
                   "application/json");
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no answer");
    return r && r->status == 200 && CartStatus(key) == "processing";
  }

  TempDir tmp_;
  fs::path dir_ = fs::path(tmp_.path()) / "project";
  std::unique_ptr<sim::Simulator> sim_;
};

TEST_F(ResendPurgeE2e, ResendTrackingReachesTheCartAgainAndPurgeLeavesNoPii) {
  ASSERT_EQ(Run(), 0);
  std::vector<std::string> sent = Keys("sent");
  ASSERT_GE(sent.size(), 2u) << "the seed should send several orders";
  const std::string shipped = sent[0], resent = sent[1];

  // The WMS ships one order; the next run uploads its tracking once.
  const std::string tracking = sim_->ShipOrder(shipped);
  ASSERT_FALSE(tracking.empty());
  ASSERT_EQ(Run(), 0);
  ASSERT_EQ(sim_->TrackingFor("woocommerce", "rpwoo", OrderId(shipped)).size(), 1u);
  ASSERT_EQ(Keys("confirmed"), std::vector<std::string>{shipped});

  // The merchant reopens the order at the cart (its tracking stays there):
  // a run alone changes nothing, the tracking was uploaded.
  ASSERT_TRUE(Reopen(shipped));
  ASSERT_EQ(Run(), 0);
  ASSERT_EQ(CartStatus(shipped), "processing");

  // resend --tracking: the next run uploads the same tracking again.
  std::string out, err;
  ASSERT_EQ(State({"resend", shipped, "--tracking"}, &out, &err), 0) << err;
  EXPECT_NE(out.find("tracking " + tracking + " of " + shipped), std::string::npos) << out;
  // A sent order goes back to be sent, under the same order_key.
  ASSERT_EQ(State({"resend", resent}, &out, &err), 0) << err;
  EXPECT_NE(out.find("with the same order_key"), std::string::npos) << out;
  ASSERT_EQ(Run(), 0);
  // The cart was told again: the order is completed at the cart, with its
  // tracking once (the connector finds the number already there and does
  // not add it twice).
  EXPECT_EQ(CartStatus(shipped), "completed") << "the tracking upload reached the cart again";
  auto posts = sim_->TrackingFor("woocommerce", "rpwoo", OrderId(shipped));
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].tracking_number, tracking);
  int completions = 0;
  for (const sim::StatusChangeRecord& c : sim_->Records().status_changes)
    completions += c.order_id == OrderId(shipped) && c.to == "completed";
  EXPECT_EQ(completions, 2) << "completed by the first upload and by the resent one";
  EXPECT_EQ(Keys("confirmed"), std::vector<std::string>{shipped});
  int records = 0;
  for (const sim::WmsOrderRecord& w : sim_->WmsOrders()) {
    if (w.order_key != resent) continue;
    ++records;
    EXPECT_EQ(w.deliveries, 2) << "delivered again";
  }
  EXPECT_EQ(records, 1) << "one WMS order: the order_key is the idempotency key";
  const std::vector<std::string> after = Keys("sent");
  EXPECT_NE(std::find(after.begin(), after.end(), resent), after.end());

  // state purge: every order here is past sending; the names and streets
  // the state file held are gone from it.
  std::set<std::string> pii;
  for (const char* status : {"sent", "confirmed", "skipped"})
    for (const std::string& key : Keys(status))
      for (const char* field : {"name", "address1"})
        if (std::string v = ShipTo(key, field); v.size() >= 6) pii.insert(v);
  ASSERT_FALSE(pii.empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_EQ(State({"purge", "--older-than", "1s"}, &out, &err), 0) << err;
  EXPECT_NE(out.find("erased the personal data of "), std::string::npos) << out;
  EXPECT_EQ(out.find("erased the personal data of 0 "), std::string::npos) << out;
  EXPECT_TRUE(Keys("new").empty() && Keys("held").empty()) << "nothing kept its address";
  std::string bytes;
  for (const char* file : {"state.db", "state.db-wal"}) {
    std::ifstream in(dir_ / ".cartsync" / file, std::ios::binary);
    bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_GT(bytes.size(), 4096u);
  for (const std::string& v : pii) EXPECT_EQ(bytes.find(v), std::string::npos) << v;
  // Tracking can still be resent after the purge; the order cannot.
  EXPECT_EQ(State({"resend", resent}, &out, &err), 1);
  EXPECT_NE(err.find("was erased"), std::string::npos) << err;
  ASSERT_TRUE(Reopen(shipped));
  ASSERT_EQ(State({"resend", shipped, "--tracking"}, &out, &err), 0) << err;
  ASSERT_EQ(Run(), 0);
  EXPECT_EQ(CartStatus(shipped), "completed");
}

}  // namespace
}  // namespace cartsync

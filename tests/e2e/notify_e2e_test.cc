// End to end (issue 12, "Alerts"): a WooCommerce cart against the simulator
// over HTTP, `cartsync run` in-process (RunCli: compiler, libcurl over
// loopback, SQLite), and a [[notify]] webhook on a local receiver
// (tests/support/webhook_receiver.h). Orders with an unmapped ship code are
// held: each is alerted once; a webhook answering 500 leaves the run's exit
// status as it was and the alerts pending, delivered by the next run; a rerun
// alerts nothing; the webhook URL is in no output, report or state file.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"
#include "tests/support/webhook_receiver.h"
#include "tools/cartsync/cli.h"
#include "tools/simulator/simulator.h"

namespace cartsync {
namespace {

namespace fs = std::filesystem;

constexpr char kWmsToken[] = "notify-e2e-wms-token";
constexpr char kHookPath[] = "T0NOTIFY/B0E2E/s3cretHookPathXYZ";  // what must never leak

rapidjson::Document Parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  EXPECT_FALSE(d.HasParseError()) << text.substr(0, 300);
  return d;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class NotifyE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GT(receiver_.port(), 0);
    ::setenv("NOTIFY_E2E_WMS_TOKEN", kWmsToken, 1);
    ::setenv("NOTIFY_E2E_WOO_KEY", "ck_notify_key", 1);
    ::setenv("NOTIFY_E2E_WOO_SECRET", "cs_notify_secret", 1);
    ::setenv("NOTIFY_E2E_HOOK", receiver_.Url(kHookPath).c_str(), 1);
    sim::SimOptions options;
    options.wms.token = kWmsToken;
    sim_ = std::make_unique<sim::Simulator>(options);
    sim::StoreSeed woo;
    woo.platform = "woocommerce";
    woo.name = "ntwoo";
    woo.orders = 16;
    woo.seed = 11;
    woo.start_date = "2026-11-01T00:00:00Z";
    woo.span_hours = 14 * 24;
    woo.consumer_key = "ck_notify_key";
    woo.consumer_secret = "cs_notify_secret";
    woo.ship_codes = {"Flat rate", "Teleport"};
    woo.no_shipping_percent = 0;
    woo.statuses = {{"processing", 1}};
    std::string error;
    ASSERT_TRUE(sim_->SeedStore(woo, &error)) << error;
    ASSERT_TRUE(sim_->Start(&error)) << error;
    fs::create_directories(dir_ / "carts.d");
    std::ofstream(dir_ / "cartsync.toml")
        << "[state]\nurl = \"sqlite:.cartsync/state.db\"\n\n"
        << "[wms.main]\nsystem = \"http\"\nurl = \"" << sim_->wms_url() << "\"\n"
        << "token = { secret = \"env:NOTIFY_E2E_WMS_TOKEN\" }\n"
        << "warehouses = [\"east\", \"west\"]\ncarriers = [\"UPS\", \"USPS\"]\n\n"
        << "[[notify]]\nurl = { secret = \"env:NOTIFY_E2E_HOOK\" }\nformat = \"slack\"\n"
        << "events = [\"held\", \"step_failed\"]\n";
    std::ofstream(dir_ / "carts.d" / "nt-woo.toml")
        << "[cart]\nid = \"nt-woo\"\nclient = \"bluebird\"\nplatform = \"woocommerce\"\n\n"
        << "[api]\nstore_url = \"https://nt.example\"\n"
        << "consumer_key = { secret = \"env:NOTIFY_E2E_WOO_KEY\" }\n"
        << "consumer_secret = { secret = \"env:NOTIFY_E2E_WOO_SECRET\" }\n"
        << "base_url = \"" << sim_->store_url("woocommerce", "ntwoo") << "\"\n\n"
        << "[services.order_download]\nenabled = true\nevery = \"15m\"\n\n"
        << "[statuses]\nstatus = [\"processing\"]\n\n"
        << "[order_load]\nearliest_order_date = 2026-11-01\n"
        << "reject_unmapped_ship_codes = true\n\n"
        << "[ship_methods]\n\"Flat rate\" = \"UPS/GROUND\"\n";
  }

  void TearDown() override {
    if (sim_) sim_->Stop();
    if (HasFailure()) tmp_.Keep();
  }

  /// `cartsync run` with --report; the exit code, all output in *out.
  int Run(std::string* out, const std::string& report) {
    std::ostringstream o, e;
    CliEnv env;
    env.today = Date{2026, 11, 27};
    int code = RunCli({"run", dir_.string(), "--report", (dir_ / report).string()}, o, e, env);
    *out = o.str() + e.str();
    return code;
  }
  /// Order keys and numbers of the held orders (state orders --format json).
  std::set<std::string> HeldNumbers() {
    std::ostringstream o, e;
    CliEnv env;
    env.today = Date{2026, 11, 27};
    EXPECT_EQ(RunCli({"state", "orders", "--status", "held", "--format", "json", "--project",
                      dir_.string()},
                     o, e, env),
              0)
        << e.str();
    std::set<std::string> numbers;
    rapidjson::Document d = Parse(o.str());
    if (!d.IsObject() || !d.HasMember("orders")) return numbers;
    for (const auto& order : d["orders"].GetArray()) {
      EXPECT_NE(std::string(order["reason"].GetString()).find("Teleport"), std::string::npos);
      numbers.insert(order["order_number"].GetString());
    }
    return numbers;
  }

  TempDir tmp_;
  fs::path dir_ = fs::path(tmp_.path()) / "project";
  WebhookReceiver receiver_;
  std::unique_ptr<sim::Simulator> sim_;
};

TEST_F(NotifyE2e, HeldOrdersAlertOnceAFailingWebhookIsRetriedNextRun) {
  // 1. The webhook is down: the run exits as it would without [[notify]],
  //    the alerts wait, and the failure is in the report.
  receiver_.AnswerWith(500);
  std::string out1;
  ASSERT_EQ(Run(&out1, "run1.json"), 0) << out1;
  const std::set<std::string> held = HeldNumbers();
  ASSERT_FALSE(held.empty()) << "the seed holds no order for ship code Teleport";
  EXPECT_EQ(receiver_.Bodies().size(), 1u) << "the first failure stops this run's deliveries";
  rapidjson::Document report1 = Parse(ReadFile(dir_ / "run1.json"));
  ASSERT_TRUE(report1.IsObject() && report1.HasMember("notify")) << ReadFile(dir_ / "run1.json");
  EXPECT_TRUE(report1["ok"].GetBool());
  EXPECT_EQ(report1["notify"]["sent"].GetInt(), 0);
  EXPECT_EQ(report1["notify"]["pending"].GetInt(), static_cast<int>(held.size()));
  ASSERT_GE(report1["notify"]["errors"].Size(), 1u);
  EXPECT_NE(std::string(report1["notify"]["errors"][0].GetString()).find("HTTP 500"),
            std::string::npos);

  // 2. The webhook is back: every held order is alerted, once.
  receiver_.AnswerWith(200);
  std::string out2;
  ASSERT_EQ(Run(&out2, "run2.json"), 0) << out2;
  std::vector<std::string> bodies = receiver_.Bodies();
  ASSERT_EQ(bodies.size(), 1 + held.size());
  std::set<std::string> alerted;
  for (size_t i = 1; i < bodies.size(); ++i) {
    rapidjson::Document d = Parse(bodies[i]);
    ASSERT_TRUE(d.IsObject() && d.HasMember("text")) << bodies[i];
    const std::string text = d["text"].GetString();
    EXPECT_NE(text.find("nt-woo"), std::string::npos) << text;
    EXPECT_NE(text.find("Teleport"), std::string::npos) << text;
    for (const std::string& n : held)
      if (text.find("order " + n + " ") != std::string::npos) alerted.insert(n);
  }
  EXPECT_EQ(alerted, held) << "one alert per held order";
  rapidjson::Document report2 = Parse(ReadFile(dir_ / "run2.json"));
  ASSERT_TRUE(report2.HasMember("notify"));
  EXPECT_EQ(report2["notify"]["sent"].GetInt(), static_cast<int>(held.size()));
  EXPECT_EQ(report2["notify"]["pending"].GetInt(), 0);

  // 3. A rerun alerts nothing again.
  std::string out3;
  ASSERT_EQ(Run(&out3, "run3.json"), 0) << out3;
  EXPECT_EQ(receiver_.Bodies().size(), bodies.size());

  // The webhook URL's secret path is nowhere: output, logs, reports, state.
  std::string everything = out1 + out2 + out3;
  for (const char* f : {"run1.json", "run2.json", "run3.json"}) everything += ReadFile(dir_ / f);
  for (const char* f : {"state.db", "state.db-wal"}) everything += ReadFile(dir_ / ".cartsync" / f);
  EXPECT_EQ(everything.find("s3cretHookPathXYZ"), std::string::npos);
  EXPECT_EQ(everything.find(receiver_.Url(kHookPath)), std::string::npos);
}

}  // namespace
}  // namespace cartsync

// PII retention on every run ([state].retain_pii, runtime/state/pii.h): the
// runner against fakes of the cart and the WMS, a real SQLite state store
// and a fake clock; the [state].retain_pii check of the compiler and its
// place in the plan.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <iterator>
#include <sstream>

#include "compiler/compiler.h"
#include "compiler/planner.h"
#include "model/plan_json.h"
#include "runtime/report.h"
#include "runtime/runner.h"
#include "runtime/state/sqlite_state_store.h"
#include "tests/support/cart_builder.h"
#include "tests/support/store_runner.h"

namespace cartsync {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;
constexpr const char* kName = "Grace Brewster Hopper";
constexpr const char* kStreet = "1 Navy Yard Place";
constexpr const char* kEmail = "grace.hopper@example.org";

CartToml Cart() { return AcmeRunnerCart().OrderFilter("ship_to.country", {"US", "CA"}); }

CartOrder Order(const std::string& id, const std::string& ship_code,
                const std::string& country = "US") {
  CartOrder o;
  o.id = id;
  o.order_number = "#" + id;
  o.placed_at = o.updated_at = "2026-11-17T10:00:00Z";
  o.ship_code = ship_code;
  o.ship_to.name = kName;
  o.ship_to.address1 = kStreet;
  o.ship_to.city = "Arlington";
  o.ship_to.postal_code = "22201";
  o.ship_to.phone = "+1 555 0100";
  o.ship_to.email = kEmail;
  o.ship_to.country = country;
  o.lines.push_back({"L" + id, "TS-RED-M", 2, "19.99"});
  return o;
}

bool HasPii(const OrderRecord& o) {
  for (const std::string* doc : {&o.cart_order_json, &o.wms_order_json})
    for (const char* v : {kName, kStreet, kEmail})
      if (doc->find(v) != std::string::npos) return true;
  return false;
}

class PiiRetentionTest : public StoreRunnerTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StoreRunnerTest::SetUp());
    Compile("");
  }

  // The project with `state` as its [state] table's body ("" for none).
  void Compile(const std::string& state) {
    std::string project = ProjectToml().Text();
    if (!state.empty()) project += "\n[state]\n" + state + "\n";
    CompilePlan(project, Cart());
  }
};

TEST_F(PiiRetentionTest, RunErasesOrdersPastSendingAfterSixtyDaysByDefault) {
  env_.carts["acme"].orders = {Order("1", "Standard"), Order("2", "Next Day"),
                               Order("3", "Standard", "DE")};
  RunReport r = Run();
  ASSERT_EQ(Get("1").status, OrderStatus::Sent);
  ASSERT_EQ(Get("2").status, OrderStatus::Held);
  ASSERT_EQ(Get("3").status, OrderStatus::Skipped);
  EXPECT_EQ(r.pii_erased, 0);

  clock_.Advance(59 * kDayMs);
  r = Run();
  EXPECT_EQ(r.pii_erased, 0) << "younger than 60 days";
  for (const char* id : {"1", "2", "3"}) EXPECT_TRUE(HasPii(Get(id))) << id;

  clock_.Advance(2 * kDayMs);
  r = Run();
  EXPECT_EQ(r.pii_erased, 2);
  EXPECT_TRUE(r.pii_error.empty()) << r.pii_error;
  for (const char* id : {"1", "3"}) {
    const OrderRecord o = Get(id);
    EXPECT_FALSE(HasPii(o)) << id << ": " << o.cart_order_json << " " << o.wms_order_json;
    EXPECT_EQ(o.pii_erased_ms, clock_.NowMs());
  }
  EXPECT_EQ(Get("1").status, OrderStatus::Sent);
  EXPECT_EQ(Get("1").wms_ref, "WMS-acme:1");
  EXPECT_TRUE(HasPii(Get("2"))) << "a held order may still be sent: the WMS needs its address";

  // The report says so, in JSON and in the table.
  rapidjson::Document d;
  d.Parse(ReportJson(r).c_str());
  ASSERT_FALSE(d.HasParseError());
  EXPECT_EQ(d["pii_erased"].GetInt(), 2);
  std::ostringstream table;
  RenderSummaryTable(r, table);
  EXPECT_NE(table.str().find("personal data erased from 2 orders"), std::string::npos)
      << table.str();

  // The next run has nothing left to erase, and shipments still work on
  // an erased order.
  env_.wms.shipments = {{"acme:1", "UPS", "GROUND", "1Z001", "2026-11-21T10:00:00Z", {}}};
  r = Run();
  EXPECT_EQ(r.pii_erased, 0);
  EXPECT_EQ(Get("1").status, OrderStatus::Confirmed);
  ASSERT_EQ(env_.carts["acme"].uploads.size(), 1u);
  EXPECT_FALSE(HasPii(Get("1")));
}

TEST_F(PiiRetentionTest, ProjectRetentionAndDryRun) {
  Compile("retain_pii = \"7d\"");
  ASSERT_EQ(plan_.retain_pii_s, 7 * 24 * 3600);
  env_.carts["acme"].orders = {Order("1", "Standard")};
  Run();
  clock_.Advance(8 * kDayMs);
  RunReport dry = Run({.dry_run = true});
  EXPECT_EQ(dry.pii_erased, 0) << "a dry run writes nothing";
  EXPECT_TRUE(HasPii(Get("1")));
  EXPECT_EQ(Run().pii_erased, 1);
  EXPECT_FALSE(HasPii(Get("1")));
}

TEST_F(PiiRetentionTest, NoPiiLeftInTheDatabaseFileAfterErasing) {
  env_.carts["acme"].orders = {Order("1", "Standard"), Order("3", "Standard", "DE")};
  Run();
  clock_.Advance(61 * kDayMs);
  ASSERT_EQ(Run().pii_erased, 2);
  store_.reset();  // close: whatever is on disk is what is left
  for (const std::string file : {"/state.db", "/state.db-wal"}) {
    std::ifstream in(dir_.path() + file, std::ios::binary);
    if (!in) continue;  // no WAL file left: nothing in it
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const char* v : {kName, kStreet, kEmail})
      EXPECT_EQ(bytes.find(v), std::string::npos) << v << " still in " << file;
  }
}

TEST_F(PiiRetentionTest, RetainPiiIsCheckedAndKeptInThePlan) {
  auto compile = [](const std::string& value, Compilation& c) {
    CompileOptions o;
    o.today = {2026, 11, 27};
    CompileTexts(ProjectToml().Text() + "\n[state]\nretain_pii = " + value + "\n",
                 {{"carts.d/acme.toml", Cart().Text()}}, o, c);
  };
  for (const char* bad : {"\"60x\"", "\"12h\"", "\"hourly\"", "60"}) {
    Compilation c;
    compile(bad, c);
    ASSERT_TRUE(c.diags.has_errors()) << bad;
    bool named = false;
    for (const Diagnostic& d : c.diags.diagnostics())
      named |= d.message.find("state.retain_pii") != std::string::npos;
    EXPECT_TRUE(named) << bad;
  }
  Compilation c;
  compile("\"90d\"", c);
  ASSERT_FALSE(c.diags.has_errors());
  Plan plan = BuildPlan(c);
  ASSERT_EQ(plan.retain_pii_s, 90 * 24 * 3600);
  const std::string json = PlanToJson(plan);
  EXPECT_NE(json.find("\"retain_pii_seconds\": 7776000"), std::string::npos) << json;
  Plan back;
  std::string error;
  ASSERT_TRUE(PlanFromJson(json, back, error)) << error;
  EXPECT_EQ(back.retain_pii_s, 90 * 24 * 3600);
  // Unset: the plan does not name it (plans stay byte-identical).
  EXPECT_EQ(PlanToJson(plan_).find("retain_pii"), std::string::npos);
}

}  // namespace
}  // namespace cartsync

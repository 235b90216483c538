#include <gtest/gtest.h>

#include "base/atomic_file.h"
include "compiler/compiler.h"
#include "compiler/planner.h"
#include "model/plan.h"
#include "model/plan_json.h"

namespace cartsync {
namespace {

const char* kProject = R"([state]
url = "sqlite:.cartsync/state.db"
[wms.main]
system = "http"
url = "https://wms.example.com/api"
token = { secret = "env:WMS_TOKEN" }
warehouses = ["east", "west"]
carriers = ["UPS", "FEDEX", "USPS"]
)";

const char* kCart = R"([cart]
id = "acme"
client = "acme-apparel"
platform = "shopify"

[api]
store_url = "https://acme.myshopify.com"
access_token = { secret = "env:ACME_TOKEN" }

[services.order_download]
enabled = true
every = "15m"

[services.shipment_upload]
enabled = true
every = "30m"

[services.inventory_upload]
enabled = false
every = "1h"

[order_load]
earliest_order_date = 2026-01-01
reject_unmapped_ship_codes = true

[ship_methods]
"*" = "USPS/PRIORITY"
"UPS*" = "UPS/GROUND"
"UPS Next*" = "UPS/NEXT_DAY_AIR"
"Express 2-Day" = "FEDEX/FEDEX_2_DAY"
"Standard" = "UPS/GROUND"
)";

Compilation CompileOne(const std::string& cart) {
  CompileOptions o;
  o.today = {2026, 11, 27};
  Compilation c;
  CompileTexts(kProject, {{"carts.d/acme.toml", cart}}, o, c);
  return c;
}

TEST(Plan, OnlyEnabledServicesBecomeStepsInOrder) {
  Compilation c = CompileOne(kCart);
  ASSERT_FALSE(c.diags.has_errors());
  Plan p = BuildPlan(c);
  ASSERT_EQ(p.carts.size(), 1u);
  ASSERT_EQ(p.carts[0].steps.size(), 2u);
  EXPECT_EQ(p.carts[0].steps[0].id, "acme/order_download");
  EXPECT_EQ(p.carts[0].steps[0].every.MinPeriodSeconds(), 900);
  EXPECT_EQ(p.carts[0].steps[1].id, "acme/shipment_upload");
}

TEST(Plan, ShipMethodsInPriorityOrder) {
  Plan p = BuildPlan(CompileOne(kCart));
  const auto& m = p.carts[0].config.ship_methods;
  ASSERT_EQ(m.size(), 5u);
  std::vector<std::string> codes;
  for (const auto& x : m) codes.push_back(x.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"Express 2-Day", "Standard", "UPS Next*", "UPS*", "*"}));
  EXPECT_EQ(m[4].match, ShipMatch::Default);
  EXPECT_EQ(m[2].match, ShipMatch::Glob);
}

TEST(Plan, JsonHasContractShapeAndNoSecretValues) {
  std::string json = PlanToJson(BuildPlan(CompileOne(kCart)));
  EXPECT_EQ(json.rfind("{\n  \"format_version\": 1,\n  \"sources\": [", 0), 0u) << json;
  EXPECT_NE(json.find("\"access_token\": {\n          \"secret\": \"env:ACME_TOKEN\"\n        }"),
            std::string::npos) << json;
  EXPECT_NE(json.find("\"every\": {\n            \"text\": \"15m\",\n            \"seconds\": 900\n"),
            std::string::npos) << json;
  EXPECT_NE(json.find("\"url\": \"sqlite:.cartsync/state.db\""), std::string::npos);
  // Descriptor defaults are filled in, so the plan is complete on its own.
  EXPECT_NE(json.find("\"api_version\": \"2024-10\""), std::string::npos);
  EXPECT_NE(json.find("\"status\": [\n              \"open\"\n            ]"), std::string::npos) << json;
}

TEST(Plan, DeterministicAndRoundTrips) {
  std::string a = PlanToJson(BuildPlan(CompileOne(kCart)));
  std::string b = PlanToJson(BuildPlan(CompileOne(kCart)));
  EXPECT_EQ(a, b);
  Plan back;
  std::string error;
  ASSERT_TRUE(PlanFromJson(a, back, error)) << error;
  EXPECT_EQ(PlanToJson(back), a);
}

TEST(Plan, SourceHashChangesWithContent) {
  std::string a = PlanToJson(BuildPlan(CompileOne(kCart)));
  std::string b = PlanToJson(BuildPlan(CompileOne(std::string(kCart) + "# a comment\n")));
  EXPECT_NE(a, b);
}

TEST(PlanJson, ReadErrorsNameThePath) {
  Plan p;
  std::string error;
  EXPECT_FALSE(PlanFromJson("{", p, error));
  EXPECT_NE(error.find("not valid JSON at byte"), std::string::npos) << error;
  EXPECT_FALSE(PlanFromJson(R"({"format_version": 1, "sources": [], "carts": [{"id": 3}]})", p, error));
  EXPECT_NE(error.find("$.carts[0].id must be a string"), std::string::npos) << error;
  EXPECT_FALSE(PlanFromJson(R"({"format_version": 2})", p, error));
  EXPECT_NE(error.find("format_version 2 is not supported"), std::string::npos) << error;
}

TEST(AtomicFile, ReplacesWholeFileOrNothing) {
  std::string path = ::testing::TempDir() + "/cartsync-atomic-test.json";
  std::string error;
  ASSERT_TRUE(WriteFileAtomic(path, "first", error)) << error;
  ASSERT_TRUE(WriteFileAtomic(path, "second", error)) << error;
  std::string text;
  ASSERT_TRUE(ReadFileBytes(path, text, error));
  EXPECT_EQ(text, "second");
  EXPECT_FALSE(WriteFileAtomic(::testing::TempDir() + "/missing-dir/x.json", "x", error));
  EXPECT_NE(error.find("cannot create"), std::string::npos);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace cartsync

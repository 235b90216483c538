#include "model/plan.h"

#include <gtest/gtest.h>

#include "base/atomic_file.h"
#include "compiler/compiler.h"
#include "compiler/planner.h"
#include "model/plan_json.h"
#include "tests/support/cart_builder.h"
#include "tests/support/temp_dir.h"

namespace cartsync {
namespace {

// A Shopify cart with two of its three services enabled and ship methods
// of every kind (catch-all, globs, exact codes).
std::string AcmeCart() {
  return CartToml()
      .Id("acme")
      .Client("acme-apparel")
      .Platform("shopify")
      .Api("store_url", "https://acme.myshopify.com")
      .ApiSecret("access_token", "env:ACME_TOKEN")
      .Every(Service::OrderDownload, "15m")
      .Every(Service::ShipmentUpload, "30m")
      .Disabled(Service::InventoryUpload, "1h")
      .EarliestOrderDate("2026-01-01")
      .RejectUnmappedShipCodes()
      .ShipMethod("*", "USPS/PRIORITY")
      .ShipMethod("UPS*", "UPS/GROUND")
      .ShipMethod("UPS Next*", "UPS/NEXT_DAY_AIR")
      .ShipMethod("Express 2-Day", "FEDEX/FEDEX_2_DAY")
      .ShipMethod("Standard", "UPS/GROUND")
      .Text();
}

Compilation CompileOne(const std::string& cart) {
  CompileOptions o;
  o.today = {2026, 11, 27};
  Compilation c;
  CompileTexts(ProjectToml().StateUrl("sqlite:.cartsync/state.db").WmsToken("env:WMS_TOKEN").Text(),
               {{"carts.d/acme.toml", cart}}, o, c);
  return c;
}

TEST(Plan, OnlyEnabledServicesBecomeStepsInOrder) {
  Compilation c = CompileOne(AcmeCart());
  ASSERT_FALSE(c.diags.has_errors());
  Plan p = BuildPlan(c);
  ASSERT_EQ(p.carts.size(), 1u);
  ASSERT_EQ(p.carts[0].steps.size(), 2u);
  EXPECT_EQ(p.carts[0].steps[0].id, "acme/order_download");
  EXPECT_EQ(p.carts[0].steps[0].every.MinPeriodSeconds(), 900);
  EXPECT_EQ(p.carts[0].steps[1].id, "acme/shipment_upload");
}

TEST(Plan, ShipMethodsInPriorityOrder) {
  Plan p = BuildPlan(CompileOne(AcmeCart()));
  const auto& m = p.carts[0].config.ship_methods;
  ASSERT_EQ(m.size(), 5u);
  std::vector<std::string> codes;
  for (const auto& x : m) codes.push_back(x.code);
  EXPECT_EQ(codes,
            (std::vector<std::string>{"Express 2-Day", "Standard", "UPS Next*", "UPS*", "*"}));
  EXPECT_EQ(m[4].match, ShipMatch::Default);
  EXPECT_EQ(m[2].match, ShipMatch::Glob);
}

TEST(Plan, JsonHasContractShapeAndNoSecretValues) {
  std::string json = PlanToJson(BuildPlan(CompileOne(AcmeCart())));
  EXPECT_EQ(json.rfind("{\n  \"format_version\": 1,\n  \"sources\": [", 0), 0u) << json;
  EXPECT_NE(json.find("\"access_token\": {\n          \"secret\": \"env:ACME_TOKEN\"\n        }"),
            std::string::npos)
      << json;
  EXPECT_NE(
      json.find("\"every\": {\n            \"text\": \"15m\",\n            \"seconds\": 900\n"),
      std::string::npos)
      << json;
  EXPECT_NE(json.find("\"url\": \"sqlite:.cartsync/state.db\""), std::string::npos);
  // Descriptor defaults are filled in, so the plan is complete on its own.
  EXPECT_NE(json.find("\"api_version\": \"2026-10\""), std::string::npos);
  EXPECT_NE(json.find("\"status\": [\n              \"open\"\n            ]"), std::string::npos)
      << json;
}

TEST(Plan, DeterministicAndRoundTrips) {
  std::string a = PlanToJson(BuildPlan(CompileOne(AcmeCart())));
  std::string b = PlanToJson(BuildPlan(CompileOne(AcmeCart())));
  EXPECT_EQ(a, b);
  Plan back;
  std::string error;
  ASSERT_TRUE(PlanFromJson(a, back, error)) << error;
  EXPECT_EQ(PlanToJson(back), a);
}

TEST(Plan, SourceHashChangesWithContent) {
  std::string a = PlanToJson(BuildPlan(CompileOne(AcmeCart())));
  std::string b = PlanToJson(BuildPlan(CompileOne(AcmeCart() + "# a comment\n")));
  EXPECT_NE(a, b);
}

TEST(PlanJson, ReadErrorsNameThePath) {
  Plan p;
  std::string error;
  EXPECT_FALSE(PlanFromJson("{", p, error));
  EXPECT_NE(error.find("not valid JSON at byte"), std::string::npos) << error;
  EXPECT_FALSE(
      PlanFromJson(R"({"format_version": 1, "sources": [], "carts": [{"id": 3}]})", p, error));
  EXPECT_NE(error.find("$.carts[0].id must be a string"), std::string::npos) << error;
  EXPECT_FALSE(PlanFromJson(R"({"format_version": 2})", p, error));
  EXPECT_NE(error.find("format_version 2 is not supported"), std::string::npos) << error;
}

TEST(PlanJson, AValueThatIsNotAnObjectIsRefusedBeforeAnyLookup) {
  // json_fuzzer: "7" or "[…]" read members of a non-object (UBSan in RapidJSON's
  // FindMember under the sanitized suite).
  for (const char* json : {"7", "[]", R"(["notify"])", R"("plan")", "null", "true"}) {
    Plan p;
    std::string error;
    EXPECT_FALSE(PlanFromJson(json, p, error)) << json;
    EXPECT_EQ(error, "a plan is a JSON object ($ is not)") << json;
  }
}

TEST(AtomicFile, ReplacesWholeFileOrNothing) {
  TempDir dir;
  std::string path = dir.path() + "/plan.json";
  std::string error;
  ASSERT_TRUE(WriteFileAtomic(path, "first", error)) << error;
  ASSERT_TRUE(WriteFileAtomic(path, "second", error)) << error;
  std::string text;
  ASSERT_TRUE(ReadFileBytes(path, text, error));
  EXPECT_EQ(text, "second");
  EXPECT_FALSE(WriteFileAtomic(dir.path() + "/missing-dir/x.json", "x", error));
  EXPECT_NE(error.find("cannot create"), std::string::npos);
}

}  // namespace
}  // namespace cartsync

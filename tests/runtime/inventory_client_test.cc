// Inventory per WMS client (issue 12, wms-contract.md "Additions (second
// wave)"): each transport asks for the cart's client and drops other
// clients' records itself; the inventory step skips and counts a WMS SKU the
// cart does not sell instead of failing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/compiler.h"
#include "compiler/planner.h"
#include "runtime/inventory.h"
#include "runtime/net/http_client.h"
#include "runtime/report.h"
#include "runtime/runner.h"
#include "runtime/state/sqlite_state_store.h"
#include "runtime/wms/wms_client.h"
#include "tests/support/cart_builder.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_environment.h"
#include "tests/support/fake_secrets.h"
#include "tests/support/scripted_transport.h"
#include "tests/support/temp_dir.h"

#ifndef FAKE_WMS_COMMAND
#error "FAKE_WMS_COMMAND must be the path of the fake_wms_command program"
#endif

namespace cartsync {
namespace {

namespace fs = std::filesystem;

FieldValue Text(const std::string& t) {
  FieldValue v;
  v.type = FieldType::String;
  v.text = t;
  return v;
}

WmsConfig Config(const std::string& system, FieldValues fields) {
  WmsConfig c;
  c.name = "main";
  c.system = system;
  c.fields = std::move(fields);
  return c;
}

std::vector<std::string> Skus(const std::vector<InventoryRecord>& records) {
  std::vector<std::string> out;
  for (const InventoryRecord& r : records) out.push_back(r.sku + "@" + r.client);
  return out;
}

// ---- the filter ------------------------------------------------------------

TEST(KeepClient, DropsOtherClientsAndKeepsRecordsThatNameNone) {
  std::vector<InventoryRecord> records = {
      {"A", "east", 1, 1, "bb"}, {"B", "east", 1, 1, "acme"}, {"C", "east", 1, 1, ""}};
  KeepClient("bb", records);
  EXPECT_EQ(Skus(records), (std::vector<std::string>{"A@bb", "C@"}));
  std::vector<AliasRecord> aliases = {{"A", {{"upc", "1"}}, "bb"}, {"B", {{"upc", "2"}}, "acme"}};
  KeepClient("bb", aliases);
  ASSERT_EQ(aliases.size(), 1u);
  EXPECT_EQ(aliases[0].sku, "A");
}

TEST(KeepClient, NoClientKeepsEverything) {
  std::vector<InventoryRecord> records = {{"A", "east", 1, 1, "bb"}, {"B", "east", 1, 1, "acme"}};
  KeepClient("", records);
  EXPECT_EQ(records.size(), 2u);
}

TEST(KeepClient, ReadsTheClientFieldOfTheDocuments) {
  InventoryRecord r;
  std::string error;
  ASSERT_TRUE(FromJson(R"({"sku":"A","warehouse":"east","available":1,"on_hand":2,"client":"bb"})",
                       r, error))
      << error;
  EXPECT_EQ(r.client, "bb");
  EXPECT_FALSE(
      FromJson(R"({"sku":"A","warehouse":"east","available":1,"on_hand":2,"client":7})", r, error));
  EXPECT_NE(error.find("client"), std::string::npos) << error;
  AliasRecord a;
  ASSERT_TRUE(FromJson(R"({"sku":"A","client":"bb","aliases":{"upc":"1"}})", a, error)) << error;
  EXPECT_EQ(a.client, "bb");
}

TEST(SkuNotInCart, IsTheConnectorsTypedFlagNotItsWording) {
  EXPECT_TRUE(IsSkuNotInCart({"X", "Magento has no product with this SKU", true}));
  EXPECT_FALSE(IsSkuNotInCart({"X", "SKU not found in WooCommerce"}))
      << "wording alone is not the flag";
  EXPECT_FALSE(IsSkuNotInCart({"X", "WooCommerce rejected the stock update: invalid"}));
}

// ---- the three transports ----------------------------------------------------

class ClientHttpWms : public ::testing::Test {
 protected:
  ClientHttpWms() : http_(transport_, clock_) {}
  void TearDown() override { transport_.ExpectScriptDone(); }
  std::unique_ptr<WmsClient> Make() {
    WmsDeps deps;
    deps.http = &http_;
    deps.secrets = &secrets_;
    deps.clock = &clock_;
    auto client = MakeWmsClient(Config("http", {{"url", Text("https://wms.test/api")}}), deps);
    EXPECT_TRUE(client.ok()) << client.status().message();
    return client.ok() ? std::move(client.value()) : nullptr;
  }
  ScriptedTransport transport_;
  FakeClock clock_;
  HttpClient http_;
  FakeSecretResolver secrets_;
};

TEST_F(ClientHttpWms, AsksForTheClientAndDropsWhatAWmsIgnoringItSends) {
  // A WMS that ignores ?client= answers with every client's records.
  transport_.Expect(
      "GET", "/inventory?client=blue%20bird", 200,
      R"({"inventory":[)"
      R"({"sku":"BB-1","warehouse":"east","available":3,"on_hand":3,"client":"blue bird"},)"
      R"({"sku":"AC-1","warehouse":"east","available":9,"on_hand":9,"client":"acme"},)"
      R"({"sku":"ANY","warehouse":"east","available":1,"on_hand":1}]})");
  transport_.Expect("GET", "/aliases?client=blue%20bird", 200,
                    R"({"aliases":[{"sku":"BB-1","client":"blue bird","aliases":{"upc":"1"}},)"
                    R"({"sku":"AC-1","client":"acme","aliases":{"upc":"2"}}]})");
  auto wms = Make();
  auto inventory = wms->PullInventory("blue bird");
  ASSERT_TRUE(inventory.ok()) << inventory.status().message();
  EXPECT_EQ(Skus(inventory->records), (std::vector<std::string>{"BB-1@blue bird", "ANY@"}));
  auto aliases = wms->PullAliases("blue bird");
  ASSERT_TRUE(aliases.ok()) << aliases.status().message();
  ASSERT_EQ(aliases->size(), 1u);
  EXPECT_EQ(aliases.value()[0].sku, "BB-1");
  ASSERT_EQ(transport_.requests.size(), 2u);
  EXPECT_EQ(transport_.requests[0].url, "https://wms.test/api/inventory?client=blue%20bird");
}

TEST_F(ClientHttpWms, NoClientSendsNoParameter) {
  transport_.Expect("GET", "/inventory", 200, R"({"inventory":[]})");
  auto wms = Make();
  ASSERT_TRUE(wms->PullInventory("").ok());
  ASSERT_EQ(transport_.requests.size(), 1u);
  EXPECT_EQ(transport_.requests[0].url, "https://wms.test/api/inventory");
}

TEST(ClientCommandWms, SendsTheClientAndDropsOtherClients) {
  FieldValue argv;
  argv.type = FieldType::StringArray;
  argv.list = {FAKE_WMS_COMMAND, "normal"};
  auto wms = MakeWmsClient(Config("command", {{"command", argv}}), WmsDeps{});
  ASSERT_TRUE(wms.ok()) << wms.status().message();
  auto inventory = wms.value()->PullInventory("bb");
  ASSERT_TRUE(inventory.ok()) << inventory.status().message();
  // The fake tags its records with the client it was asked for and adds one
  // of another client.
  EXPECT_EQ(Skus(inventory->records), (std::vector<std::string>{"TS-RED-M@bb", "TS-RED-M@bb"}));
  auto all = wms.value()->PullInventory("");
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_EQ(Skus(all->records), (std::vector<std::string>{"TS-RED-M@", "TS-RED-M@"}));
}

TEST(ClientDirectoryWms, FiltersRecordsByTheirClientField) {
  TempDir dir;
  fs::create_directories(dir / "x" / "inbox");
  std::ofstream(dir / "x" / "inbox" / "inventory.json")
      << R"({"inventory":[{"sku":"BB-1","warehouse":"east","available":3,"on_hand":3,"client":"bb"},)"
         R"({"sku":"AC-1","warehouse":"east","available":9,"on_hand":9,"client":"acme"}]})";
  std::ofstream(dir / "x" / "inbox" / "aliases.json")
      << R"({"aliases":[{"sku":"BB-1","client":"bb","aliases":{"upc":"1"}},)"
         R"({"sku":"AC-1","client":"acme","aliases":{"upc":"2"}}]})";
  WmsDeps deps;
  deps.base_dir = dir.path();
  auto wms = MakeWmsClient(Config("directory", {{"path", Text("x")}}), deps);
  ASSERT_TRUE(wms.ok()) << wms.status().message();
  auto inventory = wms.value()->PullInventory("acme");
  ASSERT_TRUE(inventory.ok()) << inventory.status().message();
  EXPECT_EQ(Skus(inventory->records), (std::vector<std::string>{"AC-1@acme"}));
  auto aliases = wms.value()->PullAliases("bb");
  ASSERT_TRUE(aliases.ok()) << aliases.status().message();
  ASSERT_EQ(aliases->size(), 1u);
  EXPECT_EQ(aliases.value()[0].sku, "BB-1");
}

// ---- the inventory step --------------------------------------------------------

class ClientInventoryRun : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteStateStore::Open(dir_.path() + "/state.db");
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store.value());
    CompileOptions o;
    o.today = {2026, 11, 27};
    Compilation c;
    CartToml cart = CartToml()
                        .Id("bb-woo")
                        .Client("bb")
                        .Platform("woocommerce")
                        .Api("store_url", "https://bb.example")
                        .ApiSecret("consumer_key", "env:BB_KEY")
                        .ApiSecret("consumer_secret", "env:BB_SECRET")
                        .Every(Service::OrderDownload, "15m")
                        .Disabled(Service::ShipmentUpload, "30m")
                        .Every(Service::InventoryUpload, "1h")
                        .EarliestOrderDate("2026-01-01")
                        .SyncInventoryAlias("upc")
                        .ShipMethod("*", "UPS/GROUND");
    CompileTexts(ProjectToml().AliasTypes({"upc"}).Text(), {{"carts.d/bb.toml", cart.Text()}}, o,
                 c);
    ASSERT_FALSE(c.diags.has_errors());
    plan_ = BuildPlan(c);
  }

  RunReport Run() {
    RunLog log(log_, LogFormat::Text, clock_);
    RunOptions options;
    options.owner = "test-run";
    return Runner(plan_, *store_, env_, clock_, log, options).Run();
  }

  const StepOutcome& Inventory(const RunReport& r) {
    for (const StepOutcome& s : r.steps)
      if (s.step_id == "bb-woo/inventory_upload") return s;
    ADD_FAILURE() << "no inventory step";
    return r.steps.front();
  }

  FakeCartState& cart() { return env_.carts["bb-woo"]; }

  TempDir dir_;
  std::unique_ptr<SqliteStateStore> store_;
  Plan plan_;
  FakeEnvironment env_;
  FakeClock clock_{1'795'000'000'000};
  std::ostringstream log_;
};

TEST_F(ClientInventoryRun, OnlyTheCartsClientCountsEvenWhenTheWmsSendsEveryone) {
  // Both clients stock a WMS SKU "TEE": bb's 4 must not become 4 + 50.
  env_.wms.inventory = {{"TEE", "east", 4, 4, "bb"}, {"TEE", "east", 50, 50, "acme"}};
  env_.wms.aliases = {{"TEE", {{"upc", "BB-TEE"}}, "bb"}, {"TEE", {{"upc", "AC-TEE"}}, "acme"}};
  RunReport r = Run();
  const StepOutcome& s = Inventory(r);
  EXPECT_EQ(s.state, StepOutcome::State::Ok) << s.error;
  EXPECT_EQ(env_.wms.inventory_clients, (std::vector<std::string>{"bb"}));
  EXPECT_EQ(env_.wms.alias_clients, (std::vector<std::string>{"bb"}));
  EXPECT_EQ(cart().stock, (std::map<std::string, int64_t>{{"BB-TEE", 4}}));
}

TEST_F(ClientInventoryRun, SkuTheCartDoesNotSellIsSkippedAndCountedNotAFailure) {
  env_.wms.inventory = {
      {"TEE", "east", 4, 4, "bb"}, {"MUG", "east", 7, 7, "bb"}, {"CAP", "east", 2, 2, "bb"}};
  env_.wms.aliases = {{"TEE", {{"upc", "BB-TEE"}}, "bb"},
                      {"MUG", {{"upc", "BB-MUG"}}, "bb"},
                      {"CAP", {{"upc", "BB-CAP"}}, "bb"}};
  cart().not_sold_skus = {"BB-MUG", "BB-CAP"};
  RunReport r = Run();
  const StepOutcome& s = Inventory(r);
  EXPECT_EQ(s.state, StepOutcome::State::Ok) << s.error;
  EXPECT_EQ(s.counts.skus_pushed, 1);
  EXPECT_EQ(s.counts.skus_not_in_cart, 2);
  EXPECT_EQ(s.counts.skus_failed, 0);
  EXPECT_TRUE(r.ok());
  EXPECT_NE(ReportJson(r).find("\"skus_not_in_cart\": 2"), std::string::npos) << ReportJson(r);
  std::ostringstream table;
  RenderSummaryTable(r, table);
  EXPECT_NE(table.str().find("1 (2 not in cart)"), std::string::npos) << table.str();
  EXPECT_NE(log_.str().find("2 WMS SKUs skipped: not sold by this cart (BB-CAP, BB-MUG)"),
            std::string::npos)
      << log_.str();
}

TEST_F(ClientInventoryRun, SkuTheCartSellsAndRefusesStillFailsTheStep) {
  env_.wms.inventory = {{"TEE", "east", 4, 4, "bb"}, {"MUG", "east", 7, 7, "bb"}};
  env_.wms.aliases = {{"TEE", {{"upc", "BB-TEE"}}, "bb"}, {"MUG", {{"upc", "BB-MUG"}}, "bb"}};
  cart().not_sold_skus = {"BB-MUG"};
  cart().reject_skus = {"BB-TEE"};
  RunReport r = Run();
  const StepOutcome& s = Inventory(r);
  EXPECT_EQ(s.state, StepOutcome::State::Failed);
  EXPECT_EQ(s.counts.skus_failed, 1);
  EXPECT_EQ(s.counts.skus_not_in_cart, 1);
  EXPECT_NE(s.error.find("1 SKUs rejected by the cart; first: BB-TEE"), std::string::npos)
      << s.error;
}

}  // namespace
}  // namespace cartsync

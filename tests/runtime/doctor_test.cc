// The doctor's comparisons as plain functions, and RunDoctor over fakes: what
// it finds, what it suggests, and that it writes nothing (FakeCart and
// FakeWms record every write).
#include "runtime/doctor.h"

#include <gtest/gtest.h>

#include <sstream>

#include "tests/support/fake_clock.h"
#include "tests/support/fake_environment.h"

namespace cartsync {
namespace {

CartConfig Cart() {
  CartConfig c;
  c.id = "acme";
  c.client = "acme";
  c.platform = "shopify";
  c.wms = "main";
  c.source = "carts.d/acme.toml";
  c.ship_methods = {{ShipMatch::Exact, "Standard", {"UPS", "GROUND"}},
                    {ShipMatch::Glob, "Express*", {"FEDEX", "FEDEX_2_DAY"}}};
  return c;
}

TEST(DoctorShipCodes, ExactAndGlobEntriesCoverCodesTheRestAreNamedWithAFix) {
  CartConfig cart = Cart();
  cart.reject_unmapped_ship_codes = true;
  std::map<std::string, SeenOn> codes = {{"Standard", {4, "#1"}},
                                         {"Express Saver", {2, "#2"}},
                                         {"UPS Ground", {3, "#7"}},
                                         {"", {1, "#9"}}};
  auto found = ShipCodeFindings(cart, codes, {"UPS", "FEDEX"});
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].subject, "");
  EXPECT_EQ(found[0].fix,
            "add `\"*\" = \"CARRIER/SERVICE\"` to [ship_methods] in carts.d/acme.toml");
  EXPECT_EQ(found[1].subject, "UPS Ground");
  EXPECT_EQ(found[1].severity, FindingSeverity::Error);
  EXPECT_EQ(found[1].orders, 3);
  EXPECT_EQ(found[1].message,
            "ship code \"UPS Ground\" on 3 orders (e.g. #7) is not mapped in [ship_methods]; "
            "such orders would be held");
  EXPECT_EQ(found[1].fix,
            "add `\"UPS Ground\" = \"UPS/SERVICE\"` to [ship_methods] in carts.d/acme.toml");
}

TEST(DoctorShipCodes, WithoutRejectUnmappedAnUnmappedCodeIsAWarning) {
  auto found = ShipCodeFindings(Cart(), {{"Pickup", {1, "#3"}}}, {});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, FindingSeverity::Warning);
  EXPECT_NE(found[0].message.find("empty carrier and service"), std::string::npos);
}

TEST(DoctorShipCodes, ADefaultEntryCoversEverything) {
  CartConfig cart = Cart();
  cart.reject_unmapped_ship_codes = true;
  cart.ship_methods.push_back({ShipMatch::Default, "*", {"USPS", "GROUND"}});
  EXPECT_TRUE(ShipCodeFindings(cart, {{"Anything", {1, "#1"}}, {"", {1, "#2"}}}, {}).empty());
}

TEST(DoctorShipCodes, QuotesAndControlsInACodeAreEscapedInTheFix) {
  CartConfig cart = Cart();
  auto found = ShipCodeFindings(cart, {{"A \"B\"\x1b[2J", {1, "#1"}}}, {});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].fix.find('\x1b'), std::string::npos);
  EXPECT_NE(found[0].fix.find("\"A \\\"B\\\"\\u001B[2J\""), std::string::npos) << found[0].fix;
}

TEST(DoctorSkus, OrderedSkusUnknownToTheWmsAreErrorsFilteredOnesAreNot) {
  CartConfig cart = Cart();
  cart.items.filter = ItemFilter::Blacklist;
  cart.items.skus = {"GIFT-*"};
  WmsCatalog wms = WmsCatalog::Build({{"TS-M", "east", 3, 3, "acme"}}, {});
  auto found = OrderedSkuFindings(
      cart, {{"TS-M", {2, "#1"}}, {"GIFT-CARD", {1, "#2"}}, {"NOPE", {1, "#3"}}}, wms);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].subject, "NOPE");
  EXPECT_EQ(found[0].severity, FindingSeverity::Error);
  EXPECT_NE(found[0].message.find("unknown to the WMS for client \"acme\""), std::string::npos);
}

TEST(DoctorSkus, TranslatedItemCodesAreLookedUpAsAliases) {
  CartConfig cart = Cart();
  cart.items.translate_item_code = "shopify_sku";
  WmsCatalog wms = WmsCatalog::Build({}, {{"TS-RED-M", {{"shopify_sku", "RED-TS-M"}}, "acme"}});
  auto found = OrderedSkuFindings(
      cart, {{"RED-TS-M", {1, "#1"}}, {"TS-RED-M", {1, "#2"}}, {"BLUE-TS-M", {1, "#3"}}}, wms);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].subject, "BLUE-TS-M");
  EXPECT_NE(found[0].message.find("alias shopify_sku"), std::string::npos);
}

TEST(DoctorSkus, CatalogSkusWithoutStockAreWarningsThroughTheInventoryAlias) {
  CartConfig cart = Cart();
  WmsCatalog wms = WmsCatalog::Build({{"A", "east", 1, 1, ""}}, {});
  auto found = CatalogSkuFindings(cart, {"A", "B", "B", ""}, wms);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].subject, "B");
  EXPECT_EQ(found[0].severity, FindingSeverity::Warning);

  cart.sync_inventory_alias = "shopify_sku";
  WmsCatalog aliased =
      WmsCatalog::Build({{"A", "east", 1, 1, ""}}, {{"A", {{"shopify_sku", "X"}}, ""}});
  found = CatalogSkuFindings(cart, {"X", "A"}, aliased, /*max_listed=*/0);
  ASSERT_EQ(found.size(), 1u);  // "A" is no alias: only counted
  EXPECT_EQ(found[0].message, "and 1 more catalog SKUs unknown to the WMS");
}

// ---- RunDoctor over fakes -----------------------------------------------------------

/// A FakeCart that also answers the doctor's questions.
struct DoctorAnswers {
  Result<AccessCheck> access = AccessCheck{};
  Result<LocationCheck> location = LocationCheck{};
  Result<CatalogSkus> catalog = CatalogSkus{};
};

class DoctorCartFake : public FakeCart {
 public:
  DoctorCartFake(FakeCartState& s, DoctorAnswers& a) : FakeCart(s), a_(a) {}
  Result<AccessCheck> CheckAccess(const std::vector<Service>&) override { return a_.access; }
  Result<LocationCheck> InventoryLocation() override { return a_.location; }
  Result<CatalogSkus> CartSkus(int) override { return a_.catalog; }

 private:
  DoctorAnswers& a_;
};

class DoctorEnvironment : public FakeEnvironment {
 public:
  DoctorAnswers answers;
  Result<std::unique_ptr<CartConnector>> Connector(const CartConfig& cart) override {
    return std::unique_ptr<CartConnector>(new DoctorCartFake(carts[cart.id], answers));
  }
  Status wms_fails;  ///< Wms() fails with it when not ok
  Result<std::unique_ptr<WmsClient>> Wms(const WmsConfig& config,
                                         const std::string& cart) override {
    if (!wms_fails.ok()) return wms_fails;
    return FakeEnvironment::Wms(config, cart);
  }
};

CartOrder Order(std::string id, std::string ship_code, std::string sku, std::string updated) {
  CartOrder o;
  o.id = id;
  o.order_number = "#" + id;
  o.placed_at = updated;
  o.updated_at = updated;
  o.ship_code = std::move(ship_code);
  OrderLine l;
  l.line_key = "1";
  l.sku = std::move(sku);
  l.quantity = 1;
  o.lines.push_back(l);
  return o;
}

class DoctorRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CartConfig cart = Cart();
    cart.reject_unmapped_ship_codes = true;
    plan_.carts.push_back({cart, {}});
    plan_.wms["main"] = WmsConfig{"main", "http", {}, {"east"}, {"UPS", "FEDEX"}, {}, {}};
    env_.wms.inventory = {{"TS-M", "east", 3, 3, "acme"}, {"OTHER", "east", 3, 3, "bb"}};
    // FakeClock's now is 2026-11-18T11:06:40Z: 30 days back is 2026-10-19.
    auto& orders = env_.carts["acme"].orders;
    orders.push_back(Order("1", "Standard", "TS-M", "2026-11-10T00:00:00Z"));
    orders.push_back(Order("2", "UPS Ground", "TS-M", "2026-11-11T00:00:00Z"));
    orders.push_back(Order("3", "UPS Ground", "OTHER", "2026-11-12T00:00:00Z"));
    orders.push_back(Order("4", "Very Old", "TS-M", "2026-09-01T00:00:00Z"));
  }

  DoctorReport Run(DoctorOptions options = {}) { return RunDoctor(plan_, env_, clock_, options); }

  void ExpectNothingWritten() {
    const FakeCartState& cart = env_.carts["acme"];
    EXPECT_TRUE(cart.uploads.empty());
    EXPECT_TRUE(cart.pushes.empty());
    EXPECT_TRUE(cart.acknowledged.empty());
    EXPECT_EQ(env_.wms.pushes, 0);
    EXPECT_TRUE(env_.wms.orders.empty());
    EXPECT_TRUE(env_.wms.cancels.empty());
  }

  Plan plan_;
  DoctorEnvironment env_;
  FakeClock clock_;
};

TEST_F(DoctorRunTest, FindsUnmappedCodesAndOtherClientsSkusSinceTheWindowAndWritesNothing) {
  DoctorReport r = Run();
  ASSERT_EQ(r.carts.size(), 1u);
  const DoctorCart& c = r.carts[0];
  EXPECT_EQ(c.orders_seen, 3);  // "Very Old" is before --since
  ASSERT_EQ(env_.carts["acme"].windows.size(), 1u);
  EXPECT_EQ(*env_.carts["acme"].windows[0].updated_after, 1'795'000'000 - 30 * 86400);
  std::vector<std::string> subjects;
  for (const DoctorFinding& f : c.findings)
    if (f.severity == FindingSeverity::Error) subjects.push_back(f.check + ":" + f.subject);
  // OTHER belongs to client bb: unknown for acme.
  EXPECT_EQ(subjects, (std::vector<std::string>{"ship_codes:UPS Ground", "order_skus:OTHER"}));
  EXPECT_TRUE(r.HasErrors());
  EXPECT_EQ(env_.wms.inventory_clients, std::vector<std::string>{"acme"});
  ExpectNothingWritten();

  std::ostringstream text;
  RenderDoctorText(r, text);
  EXPECT_NE(text.str().find("  error[ship_codes]: ship code \"UPS Ground\" on 2 orders (e.g. #2) "
                            "is not mapped in [ship_methods]; such orders would be held; fix: add "
                            "`\"UPS Ground\" = \"UPS/SERVICE\"` to [ship_methods] in "
                            "carts.d/acme.toml\n"),
            std::string::npos)
      << text.str();
  EXPECT_NE(text.str().find("doctor: 1 cart checked: 2 errors"), std::string::npos) << text.str();
}

TEST_F(DoctorRunTest, AllMappedAndKnownIsClean) {
  env_.carts["acme"].orders.erase(env_.carts["acme"].orders.begin() + 1,
                                  env_.carts["acme"].orders.begin() + 3);
  DoctorReport r = Run();
  EXPECT_FALSE(r.HasErrors());
  EXPECT_EQ(r.Count(FindingSeverity::Warning), 0);
  ExpectNothingWritten();
}

TEST_F(DoctorRunTest, ACredentialsFailureIsOneFindingAndStopsThatCart) {
  env_.answers.access = Status::Permanent("Shopify rejected the access token (HTTP 401)");
  DoctorReport r = Run();
  ASSERT_EQ(r.carts.size(), 1u);
  ASSERT_FALSE(r.carts[0].findings.empty());
  EXPECT_EQ(r.carts[0].findings[0].check, "credentials");
  EXPECT_EQ(r.carts[0].findings[0].severity, FindingSeverity::Error);
  EXPECT_TRUE(env_.carts["acme"].windows.empty()) << "no orders read after it";
  EXPECT_EQ(env_.wms.inventory_clients, std::vector<std::string>{"acme"}) << "the WMS still is";
}

TEST_F(DoctorRunTest, MissingScopesAndAnInactiveLocationAreErrors) {
  AccessCheck a;
  a.checked = true;
  a.missing = {"the Shopify app lacks the scope write_inventory, which inventory_upload needs"};
  env_.answers.access = a;
  plan_.carts[0].config.services[static_cast<size_t>(Service::InventoryUpload)].enabled = true;
  LocationCheck l;
  l.applies = true;
  l.problem = "location 7 is not active";
  env_.answers.location = l;
  DoctorReport r = Run();
  std::vector<std::string> checks;
  for (const DoctorFinding& f : r.carts[0].findings)
    if (f.severity == FindingSeverity::Error) checks.push_back(f.check);
  EXPECT_EQ(checks[0], "scopes");
  EXPECT_EQ(checks[1], "location");
}

TEST_F(DoctorRunTest, CatalogSkusAreComparedWhenListedAndANoteSaysWhenNot) {
  CatalogSkus listed;
  listed.listed = true;
  listed.skus = {"TS-M", "UNSTOCKED"};
  env_.answers.catalog = listed;
  DoctorReport r = Run();
  EXPECT_EQ(r.carts[0].catalog_skus, 2);
  bool warned = false;
  for (const DoctorFinding& f : r.carts[0].findings)
    warned |= f.check == "catalog_skus" && f.subject == "UNSTOCKED";
  EXPECT_TRUE(warned);

  env_.answers.catalog = CatalogSkus{};  // not listed
  r = Run();
  bool noted = false;
  for (const DoctorFinding& f : r.carts[0].findings)
    noted |= f.check == "catalog_skus" && f.severity == FindingSeverity::Note;
  EXPECT_TRUE(noted);
}

TEST_F(DoctorRunTest, StopsReadingAtMaxOrdersWithANote) {
  DoctorOptions o;
  o.max_orders = 1;
  DoctorReport r = Run(o);
  EXPECT_EQ(r.carts[0].orders_seen, 1);
  EXPECT_TRUE(r.carts[0].orders_capped);
  EXPECT_TRUE(r.carts[0].orders_read);
}

TEST_F(DoctorRunTest, OnlyTheCartsAskedFor) {
  DoctorOptions o;
  o.carts = {"nobody"};
  EXPECT_TRUE(Run(o).carts.empty());
  EXPECT_TRUE(env_.carts["acme"].windows.empty());
}

TEST_F(DoctorRunTest, AWmsFailureIsReportedUnderTheWmsAndSkusAreNotCompared) {
  env_.wms_fails = Status::Permanent("WMS rejected the token (HTTP 401)");
  DoctorReport r = Run();
  ASSERT_EQ(r.wms.size(), 1u);
  ASSERT_EQ(r.wms[0].findings.size(), 1u);
  EXPECT_EQ(r.wms[0].findings[0].check, "wms");
  EXPECT_EQ(r.wms[0].findings[0].message, "WMS rejected the token (HTTP 401)");
  for (const DoctorFinding& f : r.carts[0].findings) {
    if (f.check == "order_skus") {
      EXPECT_EQ(f.severity, FindingSeverity::Note) << f.message;
    }
  }
}

TEST_F(DoctorRunTest, JsonAndMarkdownCarryTheFindings) {
  DoctorReport r = Run();
  const std::string json = DoctorJson(r);
  EXPECT_NE(json.find("\"check\": \"ship_codes\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"subject\": \"UPS Ground\""), std::string::npos);
  EXPECT_NE(json.find("\"errors\": 2"), std::string::npos);
  std::ostringstream md;
  RenderDoctorMarkdown(r, md);
  EXPECT_EQ(md.str().rfind("## cartsync doctor\n", 0), 0u);
  EXPECT_NE(md.str().find("**error** (ship\\_codes)"), std::string::npos) << md.str();
}

}  // namespace
}  // namespace cartsync

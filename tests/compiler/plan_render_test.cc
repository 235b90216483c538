#include "compiler/plan_render.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/compiler.h"
#include "compiler/planner.h"
#include "model/grammar.h"
#include "model/plan_json.h"
#include "tests/support/cart_builder.h"

namespace cartsync {
namespace {

using Kind = PlanChange::Kind;

Schedule Every(std::string_view text) {
  auto r = ParseSchedule(text);
  EXPECT_TRUE(r) << text << ": " << r.error.message;
  return r ? *r.value : Schedule{};
}

FieldValue Plain(std::string text) {
  FieldValue v;
  v.type = FieldType::Url;
  v.text = std::move(text);
  return v;
}

FieldValue Secret(std::string env_name) {
  FieldValue v;
  v.type = FieldType::Secret;
  v.secret = SecretRef{SecretRef::Kind::Env, std::move(env_name)};
  return v;
}

// Adds the step the way BuildPlan does (services in execution order).
void Enable(PlanCart& cart, Service s, std::string_view every) {
  cart.config.services[static_cast<size_t>(s)] = {true, Every(every)};
  cart.steps.push_back({cart.config.id + "/" + std::string(ServiceName(s)), s, Every(every)});
  std::sort(cart.steps.begin(), cart.steps.end(),
            [](const PlanStep& a, const PlanStep& b) { return a.service < b.service; });
}

void Disable(PlanCart& cart, Service s) {
  cart.config.services[static_cast<size_t>(s)] = {};
  std::erase_if(cart.steps, [s](const PlanStep& step) { return step.service == s; });
}

PlanCart AcmeCart() {
  PlanCart cart;
  CartConfig& c = cart.config;
  c.id = "acme-shopify";
  c.client = "acme-apparel";
  c.platform = "shopify";
  c.name = "ACME Apparel";
  c.wms = "main";
  c.source = "carts.d/acme.toml";
  c.api["store_url"] = Plain("https://acme.myshopify.com");
  c.api["access_token"] = Secret("ACME_SHOPIFY_TOKEN");
  c.statuses = {{"financial_status", {"paid"}}, {"status", {"open"}}};
  c.reject_unmapped_ship_codes = true;
  c.earliest_order_date = Date{2026, 1, 1};
  c.sync_inventory_with = "east";
  c.sync_inventory_alias = "upc";
  c.minimum_inventory_level = 3;
  c.ship_methods = {{ShipMatch::Exact, "Express", {"FEDEX", "2DAY"}},
                    {ShipMatch::Exact, "Standard", {"UPS", "GROUND"}},
                    {ShipMatch::Glob, "UPS*", {"UPS", "GROUND"}}};
  c.items = {"master_sku", ItemFilter::Blacklist, FilterLevel::Order, {"GIFT-CARD"}};
  c.order_filters = {{"ship_to.country", FilterMatch::Exact, {"US", "CA"}, FilterMode::Required}};
  c.carrier_codes = {{"FDXG", "fedex"}};
  Enable(cart, Service::OrderDownload, "15m");
  Enable(cart, Service::ShipmentUpload, "30m");
  Enable(cart, Service::InventoryUpload, "hourly");
  return cart;
}

// Only shipment_upload runs; its other settings are configured but not planned.
PlanCart ZenCart() {
  PlanCart cart;
  CartConfig& c = cart.config;
  c.id = "zen-woo";
  c.client = "zen";
  c.platform = "woocommerce";
  c.wms = "main";
  c.source = "carts.d/zen.toml";
  c.api["consumer_key"] = Secret("ZEN_KEY");
  c.ship_methods = {{ShipMatch::Default, "*", {"USPS", "PRIORITY"}}};
  Enable(cart, Service::ShipmentUpload, "1h");
  return cart;
}

Plan SmallPlan() {
  Plan p;
  p.sources = {{"carts.d/acme.toml", std::string(64, 'a')}};
  p.state_url = "sqlite:.cartsync/state.db";
  WmsConfig w;
  w.name = "main";
  w.system = "http";
  w.fields["url"] = Plain("https://wms.example.com/api");
  w.fields["token"] = Secret("WMS_TOKEN");
  w.warehouses = {"east", "west"};
  w.carriers = {"UPS", "FEDEX", "USPS"};
  w.alias_types = {"upc"};
  p.wms["main"] = w;
  p.carts = {AcmeCart(), ZenCart()};
  return p;
}

PlanCart& CartOf(Plan& p, std::string_view id) {
  auto it = std::find_if(p.carts.begin(), p.carts.end(),
                         [&](const PlanCart& c) { return c.config.id == id; });
  EXPECT_NE(it, p.carts.end()) << id;
  return *it;
}
CartConfig& Acme(Plan& p) { return CartOf(p, "acme-shopify").config; }

template <class Fn>
std::string Render(Fn fn) {
  std::ostringstream out;
  fn(out);
  return out.str();
}
std::string Preview(const Plan& p) {
  return Render([&](std::ostream& o) { RenderPlanText(p, o); });
}
std::string Markdown(const Plan& p) {
  return Render([&](std::ostream& o) { RenderPlanMarkdown(p, o); });
}
std::string DiffText(const std::vector<PlanChange>& c) {
  return Render([&](std::ostream& o) { RenderDiffText(c, o); });
}
std::string DiffMarkdown(const std::vector<PlanChange>& c) {
  return Render([&](std::ostream& o) { RenderDiffMarkdown(c, o); });
}
std::string DiffJson(const std::vector<PlanChange>& c) {
  return Render([&](std::ostream& o) { RenderDiffJson(c, o); });
}

Plan RoundTrip(const Plan& p) {
  Plan back;
  std::string error;
  EXPECT_TRUE(PlanFromJson(PlanToJson(p), back, error)) << error;
  return back;
}

// ---------------------------------------------------------------------------
// Preview

TEST(PlanRenderText, SmallPlan) {
  EXPECT_EQ(Preview(SmallPlan()),
            R"(Plan: 2 carts, 4 steps, 1 WMS connection

cart acme-shopify: ACME Apparel
  client: acme-apparel, platform: shopify, wms: main (http)
  api:
    access_token = env:ACME_SHOPIFY_TOKEN (secret)
    store_url = https://acme.myshopify.com
  order_download    every 15m
    statuses:            financial_status: paid
                         status: open
    earliest order date: 2026-01-01
    order filters:       ship_to.country must equal one of "US", "CA"
    items:               all SKUs except "GIFT-CARD"; an order with a filtered line is refused
    item codes sent as:  master_sku (as-is)
    ship methods:
      "Express"   -> FEDEX/2DAY
      "Standard"  -> UPS/GROUND
      "UPS*"      -> UPS/GROUND  (glob)
      other codes -> held until mapped
  shipment_upload   every 30m
    carrier codes:       "FDXG" -> "fedex"
                         others passed through unchanged
  inventory_upload  hourly
    stock:               available quantity from warehouse east
    sku alias:           upc
    minimum level:       3
    items:               all SKUs except "GIFT-CARD"

cart zen-woo
  client: zen, platform: woocommerce, wms: main (http)
  api:
    consumer_key = env:ZEN_KEY (secret)
  order_download    off
  shipment_upload   every 1h
    carrier codes:       all passed through unchanged
  inventory_upload  off

wms main (http)
  token = env:WMS_TOKEN (secret)
  url = https://wms.example.com/api
  warehouses = east, west
  carriers = UPS, FEDEX, USPS
  alias_types = upc

state: sqlite:.cartsync/state.db
)");
}

TEST(PlanRenderText, CatchAllAndPassThrough) {
  Plan p = SmallPlan();
  CartConfig& c = Acme(p);
  c.reject_unmapped_ship_codes = false;
  std::string text = Preview(p);
  EXPECT_NE(text.find("      other codes -> passed through unmapped\n"), std::string::npos) << text;

  c.ship_methods.push_back({ShipMatch::Default, "*", {"USPS", "PRIORITY"}});
  c.inventory_quantity = InventoryQuantity::OnHand;
  c.sync_inventory_with = "all";
  text = Preview(p);
  EXPECT_NE(text.find("      \"*\"        -> USPS/PRIORITY  (catch-all)\n"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("other codes"), std::string::npos) << "a catch-all leaves nothing unmapped";
  EXPECT_NE(text.find("stock:               on-hand quantity from all warehouses\n"),
            std::string::npos);
}

TEST(PlanRenderMarkdown, SmallPlan) {
  EXPECT_EQ(Markdown(SmallPlan()),
            R"(## Plan: 2 carts, 4 steps, 1 WMS connection

| cart | platform | order download | shipment upload | inventory upload |
| --- | --- | --- | --- | --- |
| `acme-shopify` | shopify | every 15m | every 30m | hourly |
| `zen-woo` | woocommerce | off | every 1h | off |

### acme-shopify

ACME Apparel · client `acme-apparel` · platform `shopify` · WMS main (http)

- **api**: access_token = env:ACME_SHOPIFY_TOKEN (secret); store_url = https://acme.myshopify.com
- **order_download**: every 15m
  - statuses: financial_status: paid; status: open
  - earliest order date: 2026-01-01
  - order filters: ship_to.country must equal one of "US", "CA"
  - items: all SKUs except "GIFT-CARD"; an order with a filtered line is refused
  - item codes sent as: master_sku (as-is)
- **shipment_upload**: every 30m
  - carrier codes: "FDXG" -> "fedex"; others passed through unchanged
- **inventory_upload**: hourly
  - stock: available quantity from warehouse east
  - sku alias: upc
  - minimum level: 3
  - items: all SKUs except "GIFT-CARD"

Ship methods (first match wins):

| ship code | match | WMS carrier/service |
| --- | --- | --- |
| `Express` | exact | `FEDEX/2DAY` |
| `Standard` | exact | `UPS/GROUND` |
| `UPS*` | glob | `UPS/GROUND` |
| *other codes* | | held until mapped |

### zen-woo

client `zen` · platform `woocommerce` · WMS main (http)

- **api**: consumer_key = env:ZEN_KEY (secret)
- **order_download**: off
- **shipment_upload**: every 1h
  - carrier codes: all passed through unchanged
- **inventory_upload**: off

### WMS connections

- **main**: system = http; token = env:WMS_TOKEN (secret); url = https://wms.example.com/api; warehouses = east, west; carriers = UPS, FEDEX, USPS; alias_types = upc

State store: `sqlite:.cartsync/state.db`
)");
}

TEST(PlanRenderMarkdown, EscapesMarkupInCodesAndValues) {
  Plan p = SmallPlan();
  CartConfig& c = Acme(p);
  c.ship_methods = {{ShipMatch::Exact, "A|B `x`", {"UPS", "GROUND"}}};
  c.items.skus = {"*_SALE_*"};
  std::string md = Markdown(p);
  // The pipe must not split the table row; the backticks must not end the code span.
  EXPECT_NE(md.find("| `` A\\|B `x` `` | exact | `UPS/GROUND` |\n"), std::string::npos) << md;
  EXPECT_NE(md.find("all SKUs except \"\\*\\_SALE\\_\\*\""), std::string::npos) << md;
}

TEST(PlanRender, SecretValuesNeverAppear) {
  // Even with the variables set, a preview shows the reference, never the value.
  ::setenv("ACME_SHOPIFY_TOKEN", "shpat_0123456789abcdef_live", 1);
  ::setenv("ACME_TOKEN_V2", "shpat_fedcba9876543210_live", 1);
  Plan before = SmallPlan(), after = SmallPlan();
  Acme(after).api["access_token"] = Secret("ACME_TOKEN_V2");
  std::vector<PlanChange> changes = DiffPlans(before, after);
  std::vector<std::string> outputs = {Preview(before), Markdown(before), DiffText(changes),
                                      DiffMarkdown(changes), DiffJson(changes)};
  for (const std::string& out : outputs) {
    EXPECT_EQ(out.find("shpat_"), std::string::npos) << out;
    EXPECT_TRUE(out.find("env:ACME_SHOPIFY_TOKEN") != std::string::npos ||
                out.find("env:ACME_TOKEN_V2") != std::string::npos)
        << out;
  }
  ::unsetenv("ACME_SHOPIFY_TOKEN");
  ::unsetenv("ACME_TOKEN_V2");
}

// ---------------------------------------------------------------------------
// Diff

TEST(DiffPlans, IdenticalPlansHaveNoChanges) {
  EXPECT_TRUE(DiffPlans(SmallPlan(), SmallPlan()).empty());
  EXPECT_TRUE(DiffPlans(Plan{}, Plan{}).empty());
  EXPECT_EQ(DiffText({}), "No changes.\n");
  EXPECT_EQ(DiffMarkdown({}), "No changes.\n");
  EXPECT_EQ(DiffJson({}), "{\n  \"changes\": [],\n  \"count\": 0\n}\n");
}

TEST(DiffPlans, IgnoresSourcesAndCartSourcePaths) {
  Plan before = SmallPlan(), after = SmallPlan();
  after.sources = {{"carts.d/acme-renamed.toml", std::string(64, 'b')}};
  Acme(after).source = "carts.d/acme-renamed.toml";
  EXPECT_TRUE(DiffPlans(before, after).empty());
}

TEST(DiffPlans, JsonRoundTripOfHandBuiltPlanIsUnchanged) {
  Plan p = SmallPlan();
  EXPECT_TRUE(DiffPlans(p, RoundTrip(p)).empty()) << DiffText(DiffPlans(p, RoundTrip(p)));
  EXPECT_TRUE(DiffPlans(RoundTrip(p), p).empty());
}

TEST(DiffPlans, JsonRoundTripOfCompiledPlanIsUnchanged) {
  const std::string project = ProjectToml()
                                  .StateUrl("sqlite:.cartsync/state.db")
                                  .WmsToken("env:WMS_TOKEN")
                                  .AliasTypes({"upc"})
                                  .Text();
  const std::string cart = CartToml()
                               .Id("acme-shopify")
                               .Client("acme-apparel")
                               .Platform("shopify")
                               .Api("store_url", "https://acme.myshopify.com")
                               .ApiSecret("access_token", "env:ACME_SHOPIFY_TOKEN")
                               .Every(Service::OrderDownload, "15m")
                               .Every(Service::ShipmentUpload, "30m")
                               .Every(Service::InventoryUpload, "hourly")
                               .RejectUnmappedShipCodes()
                               .EarliestOrderDate("2026-01-01")
                               .SyncInventoryWith("east")
                               .SyncInventoryAlias("upc")
                               .ShipMethod("Standard", "UPS/GROUND")
                               .ShipMethod("UPS*", "UPS/GROUND_SAVER")
                               .ShipMethod("*", "USPS/PRIORITY")
                               .Items("blacklist", {"GIFT-CARD"})
                               .OrderFilter("ship_to.country", {"US"})
                               .CarrierCode("FDXG", "fedex")
                               .Text();
  CompileOptions options;
  options.today = {2026, 6, 1};
  Compilation compilation;
  CompileTexts(project, {{"carts.d/acme.toml", cart}}, options, compilation);
  ASSERT_EQ(compilation.diags.errors(), 0);
  ASSERT_EQ(compilation.carts.size(), 1u);
  Plan p = BuildPlan(compilation);
  EXPECT_TRUE(DiffPlans(p, RoundTrip(p)).empty()) << DiffText(DiffPlans(p, RoundTrip(p)));
  // The round-tripped plan also previews identically.
  EXPECT_EQ(Preview(RoundTrip(p)), Preview(p));
  EXPECT_EQ(Markdown(RoundTrip(p)), Markdown(p));
}

struct KindCase {
  std::string name;
  std::function<void(Plan&)> mutate;
  PlanChange expected;
};

std::vector<KindCase> KindCases() {
  const std::string acme = "acme-shopify";
  return {
      {"cart added",
       [](Plan& p) {
         PlanCart cart;
         cart.config.id = "new-cart";
         cart.config.platform = "ebay";
         p.carts.push_back(cart);
       },
       {Kind::CartAdded, "new-cart", "", "", "ebay; no services"}},
      {"cart removed",
       [](Plan& p) { p.carts.pop_back(); },
       {Kind::CartRemoved, "zen-woo", "", "woocommerce; shipment_upload every 1h", ""}},
      {"service enabled",
       [](Plan& p) { Enable(CartOf(p, "zen-woo"), Service::InventoryUpload, "2h"); },
       {Kind::ServiceEnabled, "zen-woo", "inventory_upload", "", "every 2h"}},
      {"service disabled",
       [=](Plan& p) { Disable(CartOf(p, acme), Service::InventoryUpload); },
       {Kind::ServiceDisabled, acme, "inventory_upload", "hourly", ""}},
      {"schedule changed",
       [=](Plan& p) {
         Disable(CartOf(p, acme), Service::OrderDownload);
         Enable(CartOf(p, acme), Service::OrderDownload, "30m");
       },
       {Kind::ScheduleChanged, acme, "order_download", "every 15m", "every 30m"}},
      {"statuses changed",
       [=](Plan& p) {
         Acme(p).statuses["financial_status"] = {"paid", "partially_refunded"};
       },
       {Kind::StatusesChanged, acme, "statuses.financial_status", "paid",
        "paid, partially_refunded"}},
      {"ship method added",
       [=](Plan& p) {
         Acme(p).ship_methods.push_back({ShipMatch::Default, "*", {"USPS", "PRIORITY"}});
       },
       {Kind::ShipMethodsChanged, acme, "ship_methods[\"*\"]", "", "USPS/PRIORITY"}},
      {"ship method removed",
       [=](Plan& p) { Acme(p).ship_methods.erase(Acme(p).ship_methods.begin()); },
       {Kind::ShipMethodsChanged, acme, "ship_methods[\"Express\"]", "FEDEX/2DAY", ""}},
      {"ship method retargeted",
       [=](Plan& p) {
         Acme(p).ship_methods[1].target = {"USPS", "GROUND"};
       },
       {Kind::ShipMethodsChanged, acme, "ship_methods[\"Standard\"]", "UPS/GROUND", "USPS/GROUND"}},
      {"reject unmapped",
       [=](Plan& p) { Acme(p).reject_unmapped_ship_codes = false; },
       {Kind::ShipMethodsChanged, acme, "reject_unmapped_ship_codes", "true", "false"}},
      {"sync_inventory_with",
       [=](Plan& p) { Acme(p).sync_inventory_with = "all"; },
       {Kind::InventoryRulesChanged, acme, "sync_inventory_with", "east", "all"}},
      {"sync_inventory_alias",
       [=](Plan& p) { Acme(p).sync_inventory_alias = "master_sku"; },
       {Kind::InventoryRulesChanged, acme, "sync_inventory_alias", "upc", "master_sku"}},
      {"minimum level",
       [=](Plan& p) { Acme(p).minimum_inventory_level = 0; },
       {Kind::InventoryRulesChanged, acme, "minimum_inventory_level", "3", "0"}},
      {"item filter",
       [=](Plan& p) { Acme(p).items.filter = ItemFilter::Whitelist; },
       {Kind::FiltersChanged, acme, "items.filter", "blacklist", "whitelist"}},
      {"item skus",
       [=](Plan& p) { Acme(p).items.skus.push_back("SAMPLE-*"); },
       {Kind::FiltersChanged, acme, "items.skus", "\"GIFT-CARD\"", "\"GIFT-CARD\", \"SAMPLE-*\""}},
      {"item filter level",
       [=](Plan& p) { Acme(p).items.level = FilterLevel::Item; },
       {Kind::FiltersChanged, acme, "items.filter_level", "order", "item"}},
      {"order filter",
       [=](Plan& p) { Acme(p).order_filters[0].mode = FilterMode::Restricted; },
       {Kind::FiltersChanged, acme, "order_filters[\"ship_to.country\"]",
        "ship_to.country must equal one of \"US\", \"CA\"",
        "ship_to.country must not equal any of \"US\", \"CA\""}},
      {"earliest order date",
       [=](Plan& p) {
         Acme(p).earliest_order_date = Date{2026, 2, 1};
       },
       {Kind::FiltersChanged, acme, "earliest_order_date", "2026-01-01", "2026-02-01"}},
      {"carrier code",
       [=](Plan& p) { Acme(p).carrier_codes["FDXG"] = "FedEx Ground"; },
       {Kind::CarrierCodesChanged, acme, "carrier_codes[\"FDXG\"]", "\"fedex\"",
        "\"FedEx Ground\""}},
      {"api secret ref",
       [=](Plan& p) { Acme(p).api["access_token"] = Secret("ACME_TOKEN_V2"); },
       {Kind::ApiChanged, acme, "api.access_token", "env:ACME_SHOPIFY_TOKEN (secret)",
        "env:ACME_TOKEN_V2 (secret)"}},
      {"api field added",
       [=](Plan& p) { Acme(p).api["api_version"] = Plain("2025-10"); },
       {Kind::ApiChanged, acme, "api.api_version", "", "2025-10"}},
      {"wms url",
       [](Plan& p) { p.wms["main"].fields["url"] = Plain("https://wms2.example.com"); },
       {Kind::WmsChanged, "", "wms.main.url", "https://wms.example.com/api",
        "https://wms2.example.com"}},
      {"wms system",
       [](Plan& p) { p.wms["main"].system = "directory"; },
       {Kind::WmsChanged, "", "wms.main.system", "http", "directory"}},
      {"wms warehouses",
       [](Plan& p) { p.wms["main"].warehouses.push_back("north"); },
       {Kind::WmsChanged, "", "wms.main.warehouses", "east, west", "east, west, north"}},
      {"wms added",
       [](Plan& p) {
         WmsConfig w;
         w.system = "directory";
         w.fields["path"] = Plain("/srv/wms");
         p.wms["backup"] = w;
       },
       {Kind::WmsChanged, "", "wms.backup", "",
        "system = directory; path = /srv/wms; warehouses = (none); carriers = (none); "
        "alias_types = (none)"}},
      {"cart wms",
       [=](Plan& p) { Acme(p).wms = "backup"; },
       {Kind::WmsChanged, acme, "wms", "main", "backup"}},
      {"state url",
       [](Plan& p) { p.state_url = "postgres://db/cartsync"; },
       {Kind::Other, "", "state.url", "sqlite:.cartsync/state.db", "postgres://db/cartsync"}},
      {"client",
       [=](Plan& p) { Acme(p).client = "acme"; },
       {Kind::Other, acme, "client", "acme-apparel", "acme"}},
  };
}

TEST(DiffPlans, DetectsEachKindOfChange) {
  for (const KindCase& c : KindCases()) {
    SCOPED_TRACE(c.name);
    Plan before = SmallPlan(), after = SmallPlan();
    c.mutate(after);
    std::vector<PlanChange> changes = DiffPlans(before, after);
    ASSERT_EQ(changes.size(), 1u) << DiffText(changes);
    EXPECT_EQ(changes[0], c.expected) << DiffText(changes);
  }
}

TEST(DiffPlans, SettingsOfServicesNotRunningAreNotPartOfThePlan) {
  Plan before = SmallPlan(), after = SmallPlan();
  // zen-woo does not download orders: its ship map is not planned, so editing it changes nothing.
  CartOf(after, "zen-woo").config.ship_methods.clear();
  CartOf(after, "zen-woo").config.statuses["status"] = {"processing"};
  EXPECT_TRUE(DiffPlans(before, after).empty());
  // Turning the service on is one change; its settings come with it, not item by item.
  Enable(CartOf(after, "zen-woo"), Service::OrderDownload, "15m");
  std::vector<PlanChange> changes = DiffPlans(before, after);
  ASSERT_EQ(changes.size(), 1u) << DiffText(changes);
  EXPECT_EQ(changes[0].kind, Kind::ServiceEnabled);
}

TEST(DiffPlans, SortedByCartThenKindThenSubject) {
  Plan before = SmallPlan(), after = SmallPlan();
  CartConfig& c = Acme(after);
  c.ship_methods[1].target = {"USPS", "GROUND"};
  c.ship_methods[0].target = {"UPS", "NEXT_DAY"};
  c.statuses["status"] = {"open", "closed"};
  c.client = "acme";
  after.state_url = "postgres://db/cartsync";
  Disable(CartOf(after, "zen-woo"), Service::ShipmentUpload);
  std::vector<PlanChange> changes = DiffPlans(before, after);
  std::vector<std::string> order;
  for (const PlanChange& ch : changes) order.push_back(ch.cart + " " + ch.subject);
  EXPECT_EQ(order, (std::vector<std::string>{
                       " state.url",
                       "acme-shopify statuses.status",
                       "acme-shopify ship_methods[\"Express\"]",
                       "acme-shopify ship_methods[\"Standard\"]",
                       "acme-shopify client",
                       "zen-woo shipment_upload",
                   }));
  // Cart order in the input does not matter.
  std::reverse(after.carts.begin(), after.carts.end());
  EXPECT_EQ(DiffPlans(before, after), changes);
}

std::vector<PlanChange> SampleChanges() {
  Plan before = SmallPlan(), after = SmallPlan();
  PlanCart& acme = CartOf(after, "acme-shopify");
  Disable(acme, Service::OrderDownload);
  Enable(acme, Service::OrderDownload, "30m");
  Disable(acme, Service::InventoryUpload);
  acme.config.ship_methods.erase(acme.config.ship_methods.begin());
  acme.config.ship_methods[0].target = {"USPS", "GROUND"};
  acme.config.ship_methods.push_back({ShipMatch::Default, "*", {"USPS", "PRIORITY"}});
  acme.config.api["access_token"] = Secret("ACME_TOKEN_V2");
  after.carts.pop_back();
  PlanCart added;
  added.config.id = "new-cart";
  added.config.platform = "ebay";
  Enable(added, Service::OrderDownload, "daily at 02:30");
  after.carts.push_back(added);
  after.state_url = "postgres://db/cartsync";
  return DiffPlans(before, after);
}

TEST(RenderDiff, Text) {
  EXPECT_EQ(DiffText(SampleChanges()),
            R"(~ state.url: sqlite:.cartsync/state.db -> postgres://db/cartsync
- acme-shopify/inventory_upload hourly
~ acme-shopify/order_download every 15m -> 30m
+ acme-shopify/ship_methods["*"] = USPS/PRIORITY
- acme-shopify/ship_methods["Express"] = FEDEX/2DAY
~ acme-shopify/ship_methods["Standard"]: UPS/GROUND -> USPS/GROUND
~ acme-shopify/api.access_token: env:ACME_SHOPIFY_TOKEN (secret) -> env:ACME_TOKEN_V2 (secret)
+ cart new-cart (ebay; order_download daily at 02:30)
- cart zen-woo (woocommerce; shipment_upload every 1h)

9 changes: 2 added, 4 changed, 3 removed.
)");
}

TEST(RenderDiff, Markdown) {
  std::vector<PlanChange> changes = SampleChanges();
  changes.resize(4);
  EXPECT_EQ(DiffMarkdown(changes),
            R"(**4 changes: 1 added, 2 changed, 1 removed**

| change | cart | setting | before | after |
| --- | --- | --- | --- | --- |
| changed | *(project)* | `state.url` | sqlite:.cartsync/state.db | postgres://db/cartsync |
| removed | `acme-shopify` | `inventory_upload` | hourly |  |
| changed | `acme-shopify` | `order_download` | every 15m | every 30m |
| added | `acme-shopify` | `ship_methods["*"]` |  | USPS/PRIORITY |
)");
}

TEST(RenderDiff, Json) {
  std::vector<PlanChange> changes = SampleChanges();
  std::string json = DiffJson(changes);
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  ASSERT_FALSE(doc.HasParseError()) << json;
  ASSERT_EQ(doc["count"].GetUint64(), changes.size());
  const auto& list = doc["changes"].GetArray();
  ASSERT_EQ(list.Size(), changes.size());
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    EXPECT_EQ(list[i]["kind"].GetString(), PlanChangeKindName(changes[i].kind));
    EXPECT_EQ(list[i]["cart"].GetString(), changes[i].cart);
    EXPECT_EQ(list[i]["subject"].GetString(), changes[i].subject);
    EXPECT_EQ(list[i]["before"].GetString(), changes[i].before);
    EXPECT_EQ(list[i]["after"].GetString(), changes[i].after);
  }
  EXPECT_TRUE(json.starts_with(R"({
  "changes": [
    {
      "kind": "other",
      "cart": "",
      "subject": "state.url",
      "before": "sqlite:.cartsync/state.db",
      "after": "postgres://db/cartsync"
    },
)")) << json;
}

TEST(RenderDiff, KindNames) {
  EXPECT_EQ(PlanChangeKindName(Kind::CartAdded), "cart_added");
  EXPECT_EQ(PlanChangeKindName(Kind::ServiceEnabled), "service_enabled");
  EXPECT_EQ(PlanChangeKindName(Kind::ShipMethodsChanged), "ship_methods_changed");
  EXPECT_EQ(PlanChangeKindName(Kind::InventoryRulesChanged), "inventory_rules_changed");
  EXPECT_EQ(PlanChangeKindName(Kind::Other), "other");
}

}  // namespace
}  // namespace cartsync

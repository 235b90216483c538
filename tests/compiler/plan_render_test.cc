#include "compiler/plan_render.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cstdio>
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
#include "tests/support/text_count.h"

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
            R"(## cartsync plan

**2 carts, 4 steps, 1 WMS connection** · services enabled: order_download 1, shipment_upload 2, inventory_upload 1

<details>
<summary><code>acme-shopify</code> · shopify · order_download every 15m, shipment_upload every 30m, inventory_upload hourly</summary>

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

</details>

<details>
<summary><code>zen-woo</code> · woocommerce · shipment_upload every 1h</summary>

client `zen` · platform `woocommerce` · WMS main (http)

- **api**: consumer_key = env:ZEN_KEY (secret)
- **order_download**: off
- **shipment_upload**: every 1h
  - carrier codes: all passed through unchanged
- **inventory_upload**: off

</details>

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
  EXPECT_EQ(DiffMarkdown({}), "## cartsync plan: changes\n\nNo changes.\n");
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
- acme-shopify/inventory_upload disabled (was hourly)
~ acme-shopify/order_download every 15m -> 30m
+ acme-shopify/ship_methods["*"] = USPS/PRIORITY
- acme-shopify/ship_methods["Express"] = FEDEX/2DAY
~ acme-shopify/ship_methods["Standard"]: UPS/GROUND -> USPS/GROUND
~ acme-shopify/api.access_token: env:ACME_SHOPIFY_TOKEN (secret) -> env:ACME_TOKEN_V2 (secret)
+ cart new-cart (ebay; order_download daily at 02:30)
- cart zen-woo (woocommerce; shipment_upload every 1h)

9 changes: 2 added, 4 changed, 2 removed, 0 enabled, 1 disabled.
)");
}

TEST(RenderDiff, Markdown) {
  std::vector<PlanChange> changes = SampleChanges();
  changes.resize(4);
  EXPECT_EQ(DiffMarkdown(changes),
            R"(## cartsync plan: changes

**Carts:** 0 added, 1 changed, 0 removed · **services:** 0 enabled, 1 disabled · 4 changes

<details open>
<summary><b>project</b>: 1 change (state store, WMS connections)</summary>

| change | setting | before | after |
| --- | --- | --- | --- |
| changed | `state.url` | sqlite:.cartsync/state.db | postgres://db/cartsync |

</details>

<details>
<summary><code>acme-shopify</code>: 3 changes: inventory_upload disabled, order_download every 15m -&gt; 30m, ship methods (1)</summary>

| change | setting | before | after |
| --- | --- | --- | --- |
| disabled | `inventory_upload` | hourly |  |
| changed | `order_download` | every 15m | every 30m |
| added | `ship_methods["*"]` |  | USPS/PRIORITY |

</details>
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

// ---------------------------------------------------------------------------
// Markdown for pull requests: title, summary, <details>, parts.

// Valid on its own: <details> opened and closed in order, never closed before it
// opens, an even number of code fences, and nothing after the last block that
// would continue a table.
::testing::AssertionResult StandsAlone(const std::string& part) {
  int depth = 0, fences = 0;
  size_t start = 0;
  while (start < part.size()) {
    size_t end = part.find('\n', start);
    if (end == std::string::npos) end = part.size();
    std::string_view line(part.data() + start, end - start);
    if (line.starts_with("<details")) ++depth;
    if (line.starts_with("</details>") && --depth < 0)
      return ::testing::AssertionFailure() << "</details> before <details>";
    if (line.starts_with("```")) ++fences;
    start = end + 1;
  }
  if (depth != 0) return ::testing::AssertionFailure() << depth << " <details> left open";
  if (fences % 2 != 0) return ::testing::AssertionFailure() << "a code fence left open";
  if (!part.starts_with("## ")) return ::testing::AssertionFailure() << "no title heading";
  if (!part.ends_with("\n")) return ::testing::AssertionFailure() << "no final newline";
  return ::testing::AssertionSuccess();
}

// `n` carts like acme-shopify, "cart-00000"…, with `ship_methods` ship codes each.
Plan ManyCarts(size_t n, size_t ship_methods = 3) {
  Plan p = SmallPlan();
  p.carts.clear();
  for (size_t i = 0; i < n; ++i) {
    PlanCart cart = AcmeCart();
    char id[32];
    std::snprintf(id, sizeof id, "cart-%05zu", i);
    cart.config.id = id;
    for (PlanStep& step : cart.steps)
      step.id = cart.config.id + "/" + std::string(ServiceName(step.service));
    cart.config.ship_methods.clear();
    for (size_t k = 0; k < ship_methods; ++k)
      cart.config.ship_methods.push_back(
          {ShipMatch::Exact, "Ship code " + std::to_string(k), {"UPS", "GROUND"}});
    p.carts.push_back(std::move(cart));
  }
  return p;
}

TEST(PlanRenderMarkdown, TitleSummaryAndOneDetailsBlockPerCart) {
  std::vector<std::string> parts = PlanMarkdownParts(SmallPlan(), MarkdownOptions{});
  ASSERT_EQ(parts.size(), 1u);
  const std::string& md = parts[0];
  EXPECT_TRUE(
      md.starts_with("## cartsync plan\n\n**2 carts, 4 steps, 1 WMS connection** · "
                     "services enabled: order_download 1, shipment_upload 2, "
                     "inventory_upload 1\n"))
      << md;
  EXPECT_TRUE(StandsAlone(md));
  EXPECT_EQ(Count(md, "<details>"), 2u);
  EXPECT_NE(md.find("<summary><code>acme-shopify</code> · shopify · order_download every 15m, "
                    "shipment_upload every 30m, inventory_upload hourly</summary>\n\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("<summary><code>zen-woo</code> · woocommerce · shipment_upload every "
                    "1h</summary>"),
            std::string::npos);
  MarkdownOptions titled;
  titled.title = "cartsync plan: changes since origin/main";
  EXPECT_TRUE(DiffMarkdownParts({}, titled)[0].starts_with(
      "## cartsync plan: changes since origin/main\n\nNo changes.\n"));
}

TEST(PlanRenderMarkdown, CartIdsAreHtmlEscapedInSummaries) {
  Plan p = SmallPlan();
  Acme(p).id = "a<b>&\"c";
  std::string md = PlanMarkdownParts(p, MarkdownOptions{})[0];
  EXPECT_NE(md.find("<summary><code>a&lt;b&gt;&amp;&quot;c</code>"), std::string::npos) << md;
  EXPECT_EQ(md.find("a<b>"), std::string::npos);
}

TEST(PlanRenderMarkdown, LongPlanSplitIntoPartsEachValidAndUnderTheCap) {
  Plan p = ManyCarts(300);
  std::string whole = PlanMarkdownParts(p, {"cartsync plan", 0})[0];
  ASSERT_GT(whole.size(), 100000u);
  MarkdownOptions o;
  o.max_bytes = 20000;
  std::vector<std::string> parts = PlanMarkdownParts(p, o);
  ASSERT_GT(parts.size(), 4u);
  size_t carts = 0;
  for (size_t k = 0; k < parts.size(); ++k) {
    SCOPED_TRACE("part " + std::to_string(k + 1));
    EXPECT_LE(parts[k].size(), o.max_bytes);
    EXPECT_TRUE(StandsAlone(parts[k]));
    EXPECT_TRUE(parts[k].starts_with("## cartsync plan (part " + std::to_string(k + 1) + " of " +
                                     std::to_string(parts.size()) + ")\n"));
    EXPECT_EQ(parts[k].find("not shown"), std::string::npos) << "nothing truncated";
    carts += Count(parts[k], "<details>");
  }
  EXPECT_EQ(carts, 300u) << "every cart in exactly one part";
  EXPECT_NE(parts[0].find("**300 carts, 900 steps"), std::string::npos) << "summary in part 1";
  EXPECT_EQ(parts[1].find("**300 carts"), std::string::npos);
  EXPECT_NE(parts.back().find("State store: `sqlite:.cartsync/state.db`"), std::string::npos);
  // The default cap is GitHub's comment size, less room for a marker.
  for (const std::string& part : PlanMarkdownParts(p, MarkdownOptions{}))
    EXPECT_LE(part.size(), kDefaultMarkdownMaxBytes);
}

TEST(PlanRenderMarkdown, CartLargerThanAPartIsTruncatedWithANote) {
  Plan p = ManyCarts(3, 2000);
  MarkdownOptions o;
  o.max_bytes = 8192;
  std::vector<std::string> parts = PlanMarkdownParts(p, o);
  ASSERT_GE(parts.size(), 3u);
  for (const std::string& part : parts) {
    EXPECT_LE(part.size(), o.max_bytes);
    EXPECT_TRUE(StandsAlone(part));
  }
  EXPECT_NE(parts[0].find("more lines ("), std::string::npos) << parts[0];
  EXPECT_NE(parts[0].find("not shown: this block alone is over the size of one part"),
            std::string::npos);
  // The note follows a blank line: it is not read as a row of the ship-method table.
  EXPECT_NE(parts[0].find("|\n\n*… "), std::string::npos);
}

TEST(PlanRenderMarkdown, WriteMarkdownPartsSeparatesPartsWithAComment) {
  std::ostringstream one, two;
  WriteMarkdownParts({"## a\n"}, one);
  EXPECT_EQ(one.str(), "## a\n");
  WriteMarkdownParts({"## a (part 1 of 2)\n", "## a (part 2 of 2)\n"}, two);
  EXPECT_EQ(two.str(),
            "<!-- cartsync plan part 1 of 2 -->\n## a (part 1 of 2)\n"
            "<!-- cartsync plan part 2 of 2 -->\n## a (part 2 of 2)\n");
}

TEST(RenderDiff, MarkdownPartsForManyChangedCarts) {
  Plan before = ManyCarts(500), after = ManyCarts(500);
  for (PlanCart& cart : after.carts) {
    cart.config.ship_methods[0].target = {"FEDEX", "2DAY"};
    cart.config.ship_methods.push_back({ShipMatch::Glob, "X*", {"UPS", "GROUND"}});
  }
  std::vector<PlanChange> changes = DiffPlans(before, after);
  ASSERT_EQ(changes.size(), 1000u);
  MarkdownOptions o;
  o.title = "cartsync plan: changes since main";
  o.max_bytes = 16384;
  std::vector<std::string> parts = DiffMarkdownParts(changes, o);
  ASSERT_GT(parts.size(), 3u);
  size_t rows = 0;
  for (const std::string& part : parts) {
    EXPECT_LE(part.size(), o.max_bytes);
    EXPECT_TRUE(StandsAlone(part));
    rows += Count(part, "| `ship_methods[");
  }
  EXPECT_EQ(rows, 1000u);
  EXPECT_TRUE(parts[0].find("**Carts:** 0 added, 500 changed, 0 removed · **services:** 0 "
                            "enabled, 0 disabled · 1000 changes\n") != std::string::npos)
      << parts[0].substr(0, 300);
  EXPECT_NE(parts[0].find("<summary><code>cart-00000</code>: 2 changes: ship methods "
                          "(2)</summary>"),
            std::string::npos);
}

TEST(RenderDiff, MarkdownSummaryCountsCartsAndServices) {
  std::string md = DiffMarkdown(SampleChanges());
  EXPECT_TRUE(StandsAlone(md));
  EXPECT_NE(md.find("**Carts:** 1 added, 1 changed, 1 removed · **services:** 0 enabled, 1 "
                    "disabled · 9 changes\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("<summary><code>new-cart</code>: added: ebay; order_download daily at "
                    "02:30</summary>"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("<summary><code>zen-woo</code>: removed: woocommerce; shipment_upload "
                    "every 1h</summary>"),
            std::string::npos);
  EXPECT_NE(md.find("<summary><code>acme-shopify</code>: 6 changes: inventory_upload disabled, "
                    "order_download every 15m -&gt; 30m, ship methods (3), api (1)</summary>"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("<details open>\n<summary><b>project</b>: 1 change (state store, WMS "
                    "connections)</summary>"),
            std::string::npos);
}

TEST(RenderDiff, DisabledServiceIsDisabledNotRemoved) {
  Plan before = SmallPlan(), after = SmallPlan();
  Disable(CartOf(after, "acme-shopify"), Service::InventoryUpload);
  Enable(CartOf(after, "zen-woo"), Service::InventoryUpload, "2h");
  std::vector<PlanChange> changes = DiffPlans(before, after);
  std::string md = DiffMarkdown(changes), text = DiffText(changes);
  EXPECT_NE(md.find("| disabled | `inventory_upload` | hourly |  |"), std::string::npos) << md;
  EXPECT_NE(md.find("| enabled | `inventory_upload` |  | every 2h |"), std::string::npos) << md;
  EXPECT_EQ(Count(md, "removed"), 1u) << md;  // "0 removed" in the summary line
  EXPECT_NE(text.find("- acme-shopify/inventory_upload disabled (was hourly)\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("+ zen-woo/inventory_upload enabled: every 2h\n"), std::string::npos);
  EXPECT_NE(text.find("2 changes: 0 added, 0 changed, 0 removed, 1 enabled, 1 disabled."),
            std::string::npos)
      << text;
}

TEST(DiffPlans, SchedulesCompareByMeaning) {
  auto same = [](std::string_view a, std::string_view b) {
    Plan before = SmallPlan(), after = SmallPlan();
    PlanCart& x = CartOf(before, "acme-shopify");
    PlanCart& y = CartOf(after, "acme-shopify");
    Disable(x, Service::InventoryUpload);
    Enable(x, Service::InventoryUpload, a);
    Disable(y, Service::InventoryUpload);
    Enable(y, Service::InventoryUpload, b);
    return DiffPlans(before, after).empty();
  };
  EXPECT_TRUE(same("hourly", "1h"));
  EXPECT_TRUE(same("1h", "60m"));
  EXPECT_TRUE(same("hourly", "cron: 0 * * * *"));
  EXPECT_TRUE(same("15m", "cron: */15 * * * *"));
  EXPECT_TRUE(same("1d", "daily at 00:00"));
  EXPECT_TRUE(same("daily at 02:30", "cron: 30 2 * * *"));
  EXPECT_TRUE(same("2h", "cron: 0 */2 * * *"));
  EXPECT_TRUE(same("cron: 0 0 * * 0", "cron: 0 0 * * 7"));
  EXPECT_FALSE(same("hourly", "30m"));
  EXPECT_FALSE(same("1h", "cron: 30 * * * *"));
  EXPECT_FALSE(same("1d", "daily at 00:00 Europe/Berlin"));
  EXPECT_FALSE(same("90s", "cron: * * * * *"));
  EXPECT_FALSE(same("cron: 0 0 * * 1", "cron: 0 0 * * *"));
  EXPECT_FALSE(same("2d", "1d"));
  // A real change still shows both as written.
  Plan before = SmallPlan(), after = SmallPlan();
  Disable(CartOf(after, "acme-shopify"), Service::InventoryUpload);
  Enable(CartOf(after, "acme-shopify"), Service::InventoryUpload, "30m");
  std::vector<PlanChange> changes = DiffPlans(before, after);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0], (PlanChange{Kind::ScheduleChanged, "acme-shopify", "inventory_upload",
                                    "hourly", "every 30m"}));
}

}  // namespace
}  // namespace cartsync

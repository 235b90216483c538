// earliest_order_date in the store's time zone (issue 12, "Money and time"):
// the tz database's midnight, DecideOrder's cut, and each connector's
// StoreTimeZone against a scripted transport (the platforms' own fields).
#include <gtest/gtest.h>

#include <string>

#include "runtime/carts/connectors.h"
#include "runtime/net/http_client.h"
#include "runtime/order_pipeline.h"
#include "runtime/time_zone.h"
#include "tests/support/connector_fixture.h"

namespace cartsync {
namespace {

constexpr int64_t kJan1Utc = 1767225600;  // 2026-01-01T00:00:00Z

TEST(StartOfDayTest, MidnightWhereTheStoreIs) {
  EXPECT_EQ(UtcStartOfDay(2026, 1, 1), kJan1Utc);
  EXPECT_EQ(UtcStartOfDay(1970, 1, 1), 0);
  EXPECT_EQ(UtcStartOfDay(2024, 3, 1) - UtcStartOfDay(2024, 2, 28), 2 * 86400);  // leap day
  auto zones = MakeSystemTimeZones();
  auto la = zones->StartOfDay("America/Los_Angeles", 2026, 1, 1);
  ASSERT_TRUE(la.ok()) << la.status().message();
  EXPECT_EQ(la.value(), kJan1Utc + 8 * 3600);  // PST
  auto summer = zones->StartOfDay("America/Los_Angeles", 2026, 7, 1);
  ASSERT_TRUE(summer.ok());
  EXPECT_EQ(summer.value(), UtcStartOfDay(2026, 7, 1) + 7 * 3600);  // PDT
  auto tokyo = zones->StartOfDay("Asia/Tokyo", 2026, 1, 1);
  ASSERT_TRUE(tokyo.ok());
  EXPECT_EQ(tokyo.value(), kJan1Utc - 9 * 3600);
  EXPECT_EQ(zones->StartOfDay("UTC", 2026, 1, 1).value(), kJan1Utc);
  EXPECT_FALSE(zones->StartOfDay("Mars/Olympus_Mons", 2026, 1, 1).ok());
  EXPECT_FALSE(zones->StartOfDay("../../etc/passwd", 2026, 1, 1).ok());
}

CartConfig Cart() {
  CartConfig cart;
  cart.id = "la-shop";
  cart.earliest_order_date = Date{2026, 1, 1};
  cart.ship_methods.push_back({ShipMatch::Default, "*", {"UPS", "GROUND"}});
  return cart;
}

CartOrder PlacedAt(const std::string& at) {
  CartOrder o;
  o.id = "1";
  o.placed_at = at;
  OrderLine l;
  l.sku = "TS";
  l.quantity = 1;
  o.lines.push_back(l);
  return o;
}

TEST(EarliestOrderTimeTest, AnOrderOfTheLocalDayBeforeIsSkipped) {
  const CartConfig cart = Cart();
  const EarliestOrderTime la{kJan1Utc + 8 * 3600, "America/Los_Angeles"};
  // 05:00Z is 21:00 on December 31 in Los Angeles.
  OrderDecision early = DecideOrder(PlacedAt("2026-01-01T05:00:00Z"), cart, AliasIndex{}, &la);
  EXPECT_EQ(early.verdict, Verdict::Skipped);
  EXPECT_EQ(early.reason,
            "placed 2026-01-01T05:00:00Z, before earliest_order_date 2026-01-01 (00:00 "
            "America/Los_Angeles)");
  OrderDecision late = DecideOrder(PlacedAt("2026-01-01T09:00:00Z"), cart, AliasIndex{}, &la);
  EXPECT_EQ(late.verdict, Verdict::Send) << late.reason;
  OrderDecision at = DecideOrder(PlacedAt("2026-01-01T08:00:00Z"), cart, AliasIndex{}, &la);
  EXPECT_EQ(at.verdict, Verdict::Send) << "00:00 local is on the day";
  // Without a zone: the date in UTC, as before.
  EXPECT_EQ(DecideOrder(PlacedAt("2026-01-01T05:00:00Z"), cart, AliasIndex{}).verdict,
            Verdict::Send);
  EXPECT_EQ(DecideOrder(PlacedAt("2025-12-31T23:00:00Z"), cart, AliasIndex{}).verdict,
            Verdict::Skipped);
}

class StoreTimeZoneTest : public ScriptedConnectorTest {
 protected:
  /// StoreTimeZone twice: the platform is asked once.
  StoreZone Zone(CartConnector& c) {
    auto z = c.StoreTimeZone();
    EXPECT_TRUE(z.ok()) << z.status().message();
    auto again = c.StoreTimeZone();
    EXPECT_TRUE(again.ok());
    return z.ok() ? z.value() : StoreZone{};
  }
};

TEST_F(StoreTimeZoneTest, ShopifyAsksShopIanaTimezone) {
  secrets.values["env:SHOP_TOKEN"] = "shpat_0123456789abcdef";
  cart.id = "s";
  cart.platform = "shopify";
  cart.api["store_url"] = Field(FieldType::Url, "https://acme.myshopify.com");
  cart.api["access_token"] = Secret("SHOP_TOKEN");
  transport.default_headers = {{"Content-Type", "application/json"}};
  transport.Expect(
      "POST", "/admin/api/2026-10/graphql.json", 200,
      R"({"data":{"shop":{"ianaTimezone":"America/Los_Angeles"}},"extensions":)"
      R"({"cost":{"requestedQueryCost":1,"actualQueryCost":1,"throttleStatus":)"
      R"({"maximumAvailable":2000.0,"currentlyAvailable":1999,"restoreRate":100.0}}}})");
  auto c = MakeShopifyCart(cart, ConnectorDeps{&http, &secrets});
  ASSERT_TRUE(c.ok()) << c.status().message();
  StoreZone z = Zone(*c.value());
  EXPECT_EQ(z.iana, "America/Los_Angeles");
  ASSERT_EQ(transport.requests.size(), 1u);
  EXPECT_NE(transport.requests[0].body.find("shop { ianaTimezone }"), std::string::npos);
}

TEST_F(StoreTimeZoneTest, WooCommerceReadsTheWordPressIndex) {
  SetUpWooCommerce("w");
  transport.Expect("GET", "https://shop.example.com/wp-json/", 200,
                   R"({"name":"Shop","gmt_offset":"-8","timezone_string":"America/Los_Angeles"})");
  auto c = MakeWooCommerceCart(cart, ConnectorDeps{&http, &secrets});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(Zone(*c.value()).iana, "America/Los_Angeles");
}

TEST_F(StoreTimeZoneTest, WooCommerceManualOffsetIsAFixedOffset) {
  SetUpWooCommerce("w");
  transport.Expect("GET", "/wp-json/", 200, R"({"gmt_offset":5.5,"timezone_string":""})");
  auto c = MakeWooCommerceCart(cart, ConnectorDeps{&http, &secrets});
  ASSERT_TRUE(c.ok()) << c.status().message();
  StoreZone z = Zone(*c.value());
  EXPECT_EQ(z.iana, "");
  EXPECT_EQ(z.utc_offset_s, 5 * 3600 + 1800);
}

TEST_F(StoreTimeZoneTest, BigCommerceReadsTheStoreInformation) {
  SetUpBigCommerce("b");
  transport.Expect("GET", "/stores/abc123/v2/store", 200,
                   R"({"id":"abc123","timezone":{"name":"America/Chicago","raw_offset":-21600,)"
                   R"("dst_offset":-18000,"dst_correction":true}})");
  auto c = MakeBigCommerceCart(cart, ConnectorDeps{&http, &secrets});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(Zone(*c.value()).iana, "America/Chicago");
}

TEST_F(StoreTimeZoneTest, MagentoTakesTheDefaultStoreViewsZone) {
  secrets.values["env:MAG"] = "mag-token-0123456789";
  cart.id = "m";
  cart.platform = "magento";
  cart.api["store_url"] = Field(FieldType::Url, "https://shop.example.com/");
  cart.api["access_token"] = Secret("MAG");
  cart.api["store_code"] = Field(FieldType::String, "default");
  cart.api["inventory_api"] = Field(FieldType::Enum, "msi");
  cart.api["source_code"] = Field(FieldType::String, "default");
  transport.Expect("GET", "/V1/store/storeConfigs", 200,
                   R"([{"id":2,"code":"fr","timezone":"Europe/Paris"},)"
                   R"({"id":1,"code":"default","timezone":"Europe/Berlin"}])");
  auto c = MakeMagentoCart(cart, ConnectorDeps{&http, &secrets});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(Zone(*c.value()).iana, "Europe/Berlin");
}

}  // namespace
}  // namespace cartsync

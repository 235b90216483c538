// The Shopify GraphQL connector against a scripted HttpTransport (each
// expected request: method + URL substring -> canned response), the real
// HttpClient and a FakeClock. Requests are POSTs of shopify_graphql.h's
// documents; the tests read their operationName and variables.
#include "runtime/carts/shopify_cart.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <set>
#include <string>
#include <vector>

#include "runtime/carts/connectors.h"
#include "runtime/carts/shopify_graphql.h"
#include "runtime/net/http_client.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_secrets.h"
#include "tests/support/scripted_transport.h"

namespace cartsync {
namespace {

namespace gql = shopify_graphql;
using namespace shopify_detail;

constexpr const char* kToken = "shpat_0123456789abcdefSECRET";
constexpr const char* kClientSecret = "shpss_CLIENT0123456789SECRET";
constexpr const char* kEndpoint = "https://acme.myshopify.com/admin/api/2026-10/graphql.json";
constexpr const char* kGraphql = "/admin/api/2026-10/graphql.json";

FieldValue Text(FieldType type, std::string text) {
  FieldValue f;
  f.type = type;
  f.text = std::move(text);
  return f;
}

FieldValue Secret(const char* name) {
  FieldValue f;
  f.type = FieldType::Secret;
  f.secret = SecretRef{SecretRef::Kind::Env, name};
  return f;
}

/// A GraphQL answer: `data` (JSON) with extensions.cost.
std::string Data(const std::string& data, double available = 1990, int requested = 10) {
  return R"({"data":)" + data + R"(,"extensions":{"cost":{"requestedQueryCost":)" +
         std::to_string(requested) +
         R"(,"actualQueryCost":5,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":)" +
         std::to_string(available) + R"(,"restoreRate":100.0}}}})";
}

std::string Errors(const std::string& message, const std::string& code, double available = 1990) {
  return R"({"errors":[{"message":")" + message + R"(","extensions":{"code":")" + code +
         R"("}}],"extensions":{"cost":{"requestedQueryCost":903,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":)" +
         std::to_string(available) + R"(,"restoreRate":100.0}}}})";
}

rapidjson::Document Body(const HttpRequest& r) {
  rapidjson::Document d;
  d.Parse(r.body.c_str(), r.body.size());
  return d;
}

std::string Op(const HttpRequest& r) {
  rapidjson::Document d = Body(r);
  return d.IsObject() && d.HasMember("operationName") ? d["operationName"].GetString() : "";
}

/// variables[name] as compact JSON.
std::string Var(const HttpRequest& r, const char* name) {
  rapidjson::Document d = Body(r);
  if (!d.IsObject() || !d.HasMember("variables") || !d["variables"].HasMember(name))
    return "<missing>";
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  d["variables"][name].Accept(w);
  return sb.GetString();
}

std::string LineItem(int id, const std::string& sku, int quantity, int current, int unfulfilled,
                     const std::string& price = "19.99") {
  return R"({"id":"gid://shopify/LineItem/)" + std::to_string(id) + R"(","sku":")" + sku +
         R"(","quantity":)" + std::to_string(quantity) + R"(,"currentQuantity":)" +
         std::to_string(current) + R"(,"unfulfilledQuantity":)" + std::to_string(unfulfilled) +
         R"(,"originalUnitPriceSet":{"shopMoney":{"amount":")" + price + R"("}}})";
}

std::string OrderNode(const std::string& id, const std::string& financial = "PAID",
                      const std::string& fulfillment = "UNFULFILLED", const std::string& lines = "",
                      bool more_lines = false) {
  return R"({"id":"gid://shopify/Order/)" + id + R"(","legacyResourceId":")" + id +
         R"(","name":"#)" + id +
         R"(","createdAt":"2026-11-20T10:00:00Z","updatedAt":"2026-11-20T10:30:00Z","closedAt":null,)"
         R"("cancelledAt":null,"email":"a@example.com","phone":null,"currencyCode":"USD",)"
         R"("displayFinancialStatus":")" +
         financial + R"(","displayFulfillmentStatus":")" + fulfillment +
         R"(","shippingLine":{"title":"Standard Shipping","code":"std"},"shippingAddress":null,)"
         R"("lineItems":{"pageInfo":{"hasNextPage":)" +
         (more_lines ? std::string(R"(true,"endCursor":"L1")")
                     : std::string(R"(false,"endCursor":null)")) +
         R"(},"nodes":[)" + lines + "]}}";
}

std::string OrdersPage(const std::string& nodes, bool next = false,
                       const std::string& cursor = "c1") {
  return R"({"orders":{"pageInfo":{"hasNextPage":)" + std::string(next ? "true" : "false") +
         R"(,"endCursor":)" + (next ? "\"" + cursor + "\"" : std::string("null")) +
         R"(},"nodes":[)" + nodes + "]}}";
}

class ShopifyCartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    transport.default_headers = {{"Content-Type", "application/json; charset=utf-8"},
                                 {"X-Request-Id", "req-1"}};
    secrets.values["env:SHOPIFY_TOKEN"] = kToken;
    secrets.values["env:SHOPIFY_SECRET"] = kClientSecret;
    cart.id = "acme-shopify";
    cart.platform = "shopify";
    cart.api["store_url"] = Text(FieldType::Url, "https://acme.myshopify.com");
    cart.api["api_version"] = Text(FieldType::Enum, "2026-10");
    cart.api["access_token"] = Secret("SHOPIFY_TOKEN");
  }
  void TearDown() override {
    transport.ExpectScriptDone();
    for (const HttpRequest& r : transport.requests) {
      EXPECT_EQ(r.url.find(kToken), std::string::npos) << r.url;
      if (r.url.find("graphql.json") == std::string::npos) continue;
      EXPECT_EQ(r.method, "POST");
      EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/json");
      EXPECT_FALSE(HeaderOf(r, "X-Shopify-Access-Token").empty());
      // Every query is one of the documents the conformance check validates.
      rapidjson::Document d = Body(r);
      ASSERT_TRUE(d.IsObject());
      bool known = false;
      for (const gql::Operation* op : gql::AllOperations())
        if (std::string(d["query"].GetString()) == op->document && Op(r) == op->name) known = true;
      EXPECT_TRUE(known) << r.body.substr(0, 200);
    }
  }

  void UseClientCredentials() {
    cart.api.erase("access_token");
    cart.api["client_id"] = Text(FieldType::String, "3c9f0d5e8a7b6c1d");
    cart.api["client_secret"] = Secret("SHOPIFY_SECRET");
  }

  std::unique_ptr<CartConnector> Make() {
    auto made = MakeShopifyCart(cart, {&http, &secrets});
    EXPECT_TRUE(made.ok()) << made.status().message();
    return made.ok() ? std::move(made.value()) : nullptr;
  }

  Status Fetch(CartConnector& c, const OrderWindow& w, std::vector<CartOrder>& out) {
    return c.FetchOrders(w, [&](std::vector<CartOrder>&& page) {
      for (CartOrder& o : page) out.push_back(std::move(o));
      return Status::Ok();
    });
  }

  static OrderWindow Recent() {
    OrderWindow w;
    w.statuses = {{"status", {"open"}},
                  {"financial_status", {"paid", "partially_refunded"}},
                  {"fulfillment_status", {"unfulfilled", "partial"}}};
    w.created_after = 1'794'000'000;  // 2026-11-06, 12 days before the fake clock
    return w;
  }

  FakeClock clock;
  ScriptedTransport transport;
  HttpClient http{transport, clock, RetryPolicy{3, 100, 1000, 5000}};
  FakeSecretResolver secrets;
  CartConfig cart;
};

// --- pure helpers -------------------------------------------------------------

TEST(ShopifySearchTest, OrdersSearchUsesOrGroupsAndTheWindow) {
  OrderWindow w;
  w.statuses = {{"status", {"open"}},
                {"financial_status", {"paid", "partially_refunded"}},
                {"fulfillment_status", {"unfulfilled", "partial"}}};
  w.created_after = 1'793'491'200;
  EXPECT_EQ(OrdersSearch(w),
            "status:open (financial_status:paid OR financial_status:partially_refunded) "
            "(fulfillment_status:unfulfilled OR fulfillment_status:partial) "
            "created_at:>='2026-11-01T00:00:00Z'");
  w.statuses = {
      {"status", {"any"}}, {"financial_status", {"unpaid"}}, {"fulfillment_status", {"fulfilled"}}};
  w.created_after.reset();
  w.updated_after = 1'793'491'200;
  EXPECT_EQ(OrdersSearch(w),
            "(financial_status:pending OR financial_status:authorized OR "
            "financial_status:partially_paid) "
            "fulfillment_status:fulfilled updated_at:>='2026-11-01T00:00:00Z'");
}

TEST(ShopifySearchTest, SkusAreQuotedAndEscaped) {
  EXPECT_EQ(SkuSearch({"TS-RED-M", "A B", "q\"x\\"}),
            R"(sku:"TS-RED-M" OR sku:"A B" OR sku:"q\"x\\")");
}

TEST(ShopifySearchTest, GidNumber) {
  EXPECT_EQ(GidNumber("gid://shopify/LineItem/123"), "123");
  EXPECT_EQ(GidNumber("gid://shopify/InventoryLevel/5?inventory_item_id=9"), "5");
  EXPECT_EQ(GidNumber("gid://shopify/LineItem/abc"), "");
}

TEST(ShopifySearchTest, IdempotencyKeyDependsOnEverythingSet) {
  std::vector<std::pair<std::string, int64_t>> q = {{"gid://shopify/InventoryItem/1", 5}};
  const std::string k = IdempotencyKey("acme", "gid://shopify/Location/9", "1795000000000", q);
  EXPECT_EQ(k.size(), 36u);
  EXPECT_EQ(k[8], '-');
  EXPECT_EQ(k, IdempotencyKey("acme", "gid://shopify/Location/9", "1795000000000", q));
  EXPECT_NE(k, IdempotencyKey("other", "gid://shopify/Location/9", "1795000000000", q));
  EXPECT_NE(k, IdempotencyKey("acme", "gid://shopify/Location/8", "1795000000000", q));
  EXPECT_NE(k, IdempotencyKey("acme", "gid://shopify/Location/9", "1795000000001", q));
  q[0].second = 6;
  EXPECT_NE(k, IdempotencyKey("acme", "gid://shopify/Location/9", "1795000000000", q));
}

TEST(ShopifyGraphqlDocumentsTest, NamedUniqueAndWithinTheCostLimit) {
  std::set<std::string> names;
  for (const gql::Operation* op : gql::AllOperations()) {
    EXPECT_TRUE(names.insert(op->name).second) << op->name;
    EXPECT_NE(std::string(op->document)
                  .find(std::string(op->mutation ? "mutation " : "query ") + op->name),
              std::string::npos)
        << op->name;
    EXPECT_LE(op->max_cost, 1000) << op->name;
  }
  EXPECT_NE(std::string(gql::kInventorySet.document).find("@idempotent(key: $idempotencyKey)"),
            std::string::npos);
}

// --- order download -------------------------------------------------------------

TEST_F(ShopifyCartTest, OrdersAreOneGraphqlQueryWithTheSearchAndEveryFieldIsNormalized) {
  std::string node =
      R"({"id":"gid://shopify/Order/450789469","legacyResourceId":"450789469","name":"#1001",)"
      R"("createdAt":"2026-11-20T12:00:00+02:00","updatedAt":"2026-11-21T08:15:00Z","closedAt":null,)"
      R"("cancelledAt":null,"email":"bob@example.com","phone":"+15550001",)"
      R"("currencyCode":"USD","taxesIncluded":false,)"
      R"("totalDiscountsSet":{"shopMoney":{"amount":"2.0"}},"totalTaxSet":{"shopMoney":{"amount":"3.25"}},)"
      R"("totalPriceSet":{"shopMoney":{"amount":"72.21"}},)"
      R"("displayFinancialStatus":"PARTIALLY_REFUNDED","displayFulfillmentStatus":"PARTIALLY_FULFILLED",)"
      R"J("shippingLine":{"title":"Express (2 business days)","code":"EXP",)J"
      R"("originalPriceSet":{"shopMoney":{"amount":"10.00"}}},)"
      R"("shippingAddress":{"name":null,"firstName":"Bob","lastName":"Norman","company":"Acme",)"
      R"("address1":"1 Main St","address2":null,"city":"Ottawa","province":"Ontario",)"
      R"("provinceCode":"ON","zip":"K2P 1L4","countryCodeV2":"CA","phone":null},)"
      R"("lineItems":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[)" +
      LineItem(11, "TS-RED-M", 3, 2, 2) + "," + LineItem(12, "GIFT-CARD", 1, 1, 0) + "," +
      LineItem(13, "HD-BLU-L", 4, 4, 1, "5.50") + "]}}";
  transport.Expect("POST", kGraphql, 200, Data(OrdersPage(node)));
  auto c = Make();
  std::vector<CartOrder> orders;
  ASSERT_TRUE(Fetch(*c, Recent(), orders).ok());
  const HttpRequest& r = transport.requests.at(0);
  EXPECT_EQ(r.url, kEndpoint);
  EXPECT_EQ(HeaderOf(r, "X-Shopify-Access-Token"), kToken);
  EXPECT_EQ(Op(r), "CartsyncOrders");
  EXPECT_EQ(
      Var(r, "query"),
      R"("status:open (financial_status:paid OR financial_status:partially_refunded) (fulfillment_status:unfulfilled OR fulfillment_status:partial) created_at:>='2026-11-06T21:20:00Z'")");
  EXPECT_EQ(Var(r, "after"), "null");
  ASSERT_EQ(orders.size(), 1u);
  const CartOrder& o = orders[0];
  EXPECT_EQ(o.id, "450789469");  // legacyResourceId: the REST id, so order keys do not change
  EXPECT_EQ(o.order_number, "#1001");
  EXPECT_EQ(o.placed_at, "2026-11-20T10:00:00Z");
  EXPECT_EQ(o.updated_at, "2026-11-21T08:15:00Z");
  EXPECT_EQ(o.status, "partially_refunded/partially_fulfilled");
  EXPECT_EQ(o.ship_code, "Express (2 business days)");
  EXPECT_EQ(o.ship_to.name, "Bob Norman");
  EXPECT_EQ(o.ship_to.company, "Acme");
  EXPECT_EQ(o.ship_to.address1, "1 Main St");
  EXPECT_EQ(o.ship_to.address2, "");
  EXPECT_EQ(o.ship_to.region, "ON");
  EXPECT_EQ(o.ship_to.postal_code, "K2P 1L4");
  EXPECT_EQ(o.ship_to.country, "CA");
  EXPECT_EQ(o.ship_to.phone, "+15550001");  // the order's, as the address has none
  EXPECT_EQ(o.ship_to.email, "bob@example.com");
  ASSERT_EQ(o.lines.size(), 2u);  // the gift card has nothing left to ship
  EXPECT_EQ(o.lines[0].line_key, "11");
  EXPECT_EQ(o.lines[0].sku, "TS-RED-M");
  EXPECT_EQ(o.lines[0].quantity, 2);  // 3 ordered, 1 refunded
  EXPECT_EQ(o.lines[0].unit_price, "19.99");
  EXPECT_EQ(o.lines[0].unit_list_price, "1999");
  EXPECT_EQ(o.lines[0].discount, "0");
  EXPECT_EQ(o.lines[1].line_key, "13");
  EXPECT_EQ(o.lines[1].quantity, 1);  // 3 of 4 shipped already
  EXPECT_EQ(o.lines[1].unit_price, "5.50");
  // Shop money; the subtotal counts every line as ordered (the gift card too).
  EXPECT_EQ(o.money.currency, "USD");
  EXPECT_FALSE(o.money.taxes_included);
  EXPECT_EQ(o.money.totals.subtotal, "10196");  // 3 x 19.99 + 1 x 19.99 + 4 x 5.50
  EXPECT_EQ(o.money.totals.shipping, "1000");
  EXPECT_EQ(o.money.totals.discount, "200");
  EXPECT_EQ(o.money.totals.tax, "325");
  EXPECT_EQ(o.money.totals.total, "7221");
}

TEST_F(ShopifyCartTest, CursorPagesAreFollowedAndARepeatedCursorStops) {
  transport.Expect("POST", kGraphql, 200, Data(OrdersPage(OrderNode("1"), true, "c1")));
  transport.Expect("POST", kGraphql, 200, Data(OrdersPage(OrderNode("2"), true, "c2")));
  transport.Expect("POST", kGraphql, 200, Data(OrdersPage(OrderNode("3"), true, "c2")));
  auto c = Make();
  std::vector<CartOrder> orders;
  Status st = Fetch(*c, Recent(), orders);
  EXPECT_TRUE(st.transient()) << st.message();
  EXPECT_EQ(st.message(),
            "Shopify CartsyncOrders: the cursor repeated a page; stopped (X-Request-Id req-1)");
  EXPECT_EQ(orders.size(), 3u);
  EXPECT_EQ(Var(transport.requests[1], "after"), "\"c1\"");
  EXPECT_EQ(Var(transport.requests[2], "after"), "\"c2\"");
  EXPECT_EQ(Var(transport.requests[1], "query"),
            Var(transport.requests[0], "query"));  // filters on every page
}

TEST_F(ShopifyCartTest, OrdersOutsideTheCartsStatusesAreDroppedAndDuplicatesKeptOnce) {
  transport.Expect("POST", kGraphql, 200,
                   Data(OrdersPage(OrderNode("1") + "," + OrderNode("2", "PENDING") + "," +
                                       OrderNode("3", "PAID", "FULFILLED"),
                                   true)));
  transport.Expect(
      "POST", kGraphql, 200,
      Data(OrdersPage(OrderNode("1") + "," + OrderNode("4", "PAID", "PARTIALLY_FULFILLED"))));
  auto c = Make();
  std::vector<CartOrder> orders;
  ASSERT_TRUE(Fetch(*c, Recent(), orders).ok());
  ASSERT_EQ(orders.size(), 2u);
  EXPECT_EQ(orders[0].id, "1");
  EXPECT_EQ(orders[1].id, "4");
}

TEST_F(ShopifyCartTest, MoreThanTenLinesAreReadWithTheLineItemsQuery) {
  transport.Expect(
      "POST", kGraphql, 200,
      Data(OrdersPage(OrderNode("7", "PAID", "UNFULFILLED", LineItem(1, "A", 1, 1, 1), true))));
  transport.Expect(
      "POST", kGraphql, 200,
      Data(R"({"order":{"lineItems":{"pageInfo":{"hasNextPage":true,"endCursor":"L2"},"nodes":[)" +
           LineItem(2, "B", 2, 2, 2) + "]}}}"));
  transport.Expect(
      "POST", kGraphql, 200,
      Data(R"({"order":{"lineItems":{"pageInfo":{"hasNextPage":false,"endCursor":"L3"},"nodes":[)" +
           LineItem(3, "C", 1, 0, 0) + "]}}}"));
  auto c = Make();
  std::vector<CartOrder> orders;
  ASSERT_TRUE(Fetch(*c, Recent(), orders).ok());
  ASSERT_EQ(orders.size(), 1u);
  ASSERT_EQ(orders[0].lines.size(), 2u);
  EXPECT_EQ(orders[0].lines[1].sku, "B");
  EXPECT_EQ(Op(transport.requests[1]), "CartsyncOrderLineItems");
  EXPECT_EQ(Var(transport.requests[1], "id"), "\"gid://shopify/Order/7\"");
  EXPECT_EQ(Var(transport.requests[1], "after"), "\"L1\"");
  EXPECT_EQ(Var(transport.requests[2], "after"), "\"L2\"");
}

TEST_F(ShopifyCartTest, AnOrderWithoutALegacyIdIsPermanent) {
  transport.Expect("POST", kGraphql, 200,
                   Data(OrdersPage(R"({"id":"gid://shopify/Order/1","name":"#1"})")));
  auto c = Make();
  std::vector<CartOrder> orders;
  Status st = Fetch(*c, Recent(), orders);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_EQ(
      st.message(),
      "Shopify CartsyncOrders: an order has no numeric legacyResourceId (X-Request-Id req-1)");
}

TEST_F(ShopifyCartTest, ReachingBackMoreThan60DaysNeedsReadAllOrders) {
  cart.earliest_order_date = Date{2026, 8, 1};
  transport.Expect(
      "POST", kGraphql, 200,
      Data(
          R"({"currentAppInstallation":{"accessScopes":[{"handle":"read_orders"},{"handle":"write_inventory"}]}})"));
  auto c = Make();
  std::vector<CartOrder> orders;
  Status st = Fetch(*c, Recent(), orders);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_EQ(Op(transport.requests[0]), "CartsyncAccessScopes");
  EXPECT_EQ(st.message(),
            "Shopify shows an app without the read_all_orders scope only the last 60 days of "
            "orders, and this "
            "download reaches back to 2026-08-01: grant the app read_all_orders (Dev Dashboard: "
            "the app's "
            "version scopes, then release and reinstall; a legacy custom app: its Admin API "
            "scopes) or set "
            "earliest_order_date within 60 days");
  // A second fetch asks no second time.
  st = Fetch(*c, Recent(), orders);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_EQ(transport.calls(), 1u);
}

TEST_F(ShopifyCartTest, WithReadAllOrdersTheOldWindowIsDownloaded) {
  OrderWindow w = Recent();
  w.created_after = 1'780'000'000;  // 2026-05-28
  transport.Expect(
      "POST", kGraphql, 200,
      Data(
          R"({"currentAppInstallation":{"accessScopes":[{"handle":"read_orders"},{"handle":"read_all_orders"}]}})"));
  transport.Expect("POST", kGraphql, 200, Data(OrdersPage(OrderNode("1"))));
  auto c = Make();
  std::vector<CartOrder> orders;
  ASSERT_TRUE(Fetch(*c, w, orders).ok());
  EXPECT_EQ(orders.size(), 1u);
}

TEST_F(ShopifyCartTest, ARecentWindowDoesNotAskForScopes) {
  cart.earliest_order_date = Date{2026, 11, 1};
  transport.Expect("POST", kGraphql, 200, Data(OrdersPage("")));
  auto c = Make();
  std::vector<CartOrder> orders;
  ASSERT_TRUE(Fetch(*c, Recent(), orders).ok());
  EXPECT_EQ(Op(transport.requests[0]), "CartsyncOrders");
}

// --- pacing and errors ------------------------------------------------------------

TEST_F(ShopifyCartTest, ThrottledIsSentAgainAfterTheComputedWait) {
  transport.Expect("POST", kGraphql, 200, Errors("Throttled", "THROTTLED", 100));
  transport.Expect("POST", kGraphql, 200, Data(OrdersPage(OrderNode("1"))));
  auto c = Make();
  std::vector<CartOrder> orders;
  ASSERT_TRUE(Fetch(*c, Recent(), orders).ok());
  ASSERT_EQ(clock.sleeps().size(), 1u);
  EXPECT_EQ(clock.sleeps()[0], 8030);  // (903 requested, as the answer says - 100) at 100 a second
}

TEST_F(ShopifyCartTest, TheNextQueryWaitsUntilTheBucketHoldsItsCost) {
  transport.Expect("POST", kGraphql, 200, Data(OrdersPage(OrderNode("1"), true), /*available=*/53));
  transport.Expect("POST", kGraphql, 200, Data(OrdersPage(OrderNode("2"))));
  auto c = Make();
  std::vector<CartOrder> orders;
  ASSERT_TRUE(Fetch(*c, Recent(), orders).ok());
  ASSERT_EQ(clock.sleeps().size(), 1u);
  EXPECT_EQ(clock.sleeps()[0], 8350);  // kOrders costs 888: (888 - 53) / 100 per s
}

TEST_F(ShopifyCartTest, MaxCostExceededAndAccessDeniedArePermanent) {
  transport.Expect("POST", kGraphql, 200, Errors("Query cost is 1200", "MAX_COST_EXCEEDED"));
  auto c = Make();
  std::vector<CartOrder> orders;
  Status st = Fetch(*c, Recent(), orders);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_EQ(st.message(),
            "Shopify CartsyncOrders: Shopify refused the query's cost: Query cost is 1200 "
            "(MAX_COST_EXCEEDED) "
            "(X-Request-Id req-1)");
  transport.Expect("POST", kGraphql, 200,
                   Errors("Access denied for orders field.", "ACCESS_DENIED"));
  st = Fetch(*c, Recent(), orders);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_NE(st.message().find(
                "access denied: Access denied for orders field. (ACCESS_DENIED); the app needs the "
                "scopes listed in the [api] help"),
            std::string::npos)
      << st.message();
}

TEST_F(ShopifyCartTest, AMaintenancePageIsTransientAnd401IsPermanentWithoutTheToken) {
  transport.Expect("POST", kGraphql, 200, "<html>down</html>", {{"Content-Type", "text/html"}});
  auto c = Make();
  std::vector<CartOrder> orders;
  Status st = Fetch(*c, Recent(), orders);
  EXPECT_TRUE(st.transient()) << st.message();
  transport.Expect(
      "POST", kGraphql, 401,
      std::string(R"({"errors":"[API] Invalid API key or access token )") + kToken + "\"}");
  st = Fetch(*c, Recent(), orders);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_EQ(st.message(),
            "Shopify rejected the access token (HTTP 401) on CartsyncOrders: [API] Invalid API key "
            "or access token "
            "REDACTED (X-Request-Id req-1)");
}

TEST_F(ShopifyCartTest, ClientCredentialsTokenIsGrantedOnceAndRefreshedAfterA401) {
  UseClientCredentials();
  transport.Expect("POST", "/admin/oauth/access_token", 200,
                   R"({"access_token":"shpat_granted1","scope":"read_orders","expires_in":86399})");
  transport.Expect("POST", kGraphql, 200, Data(OrdersPage(OrderNode("1"), true)));
  transport.Expect("POST", kGraphql, 401, R"({"errors":"[API] Invalid API key or access token"})");
  transport.Expect("POST", "/admin/oauth/access_token", 200,
                   R"({"access_token":"shpat_granted2","scope":"read_orders","expires_in":86399})");
  transport.Expect("POST", kGraphql, 200, Data(OrdersPage(OrderNode("2"))));
  auto c = Make();
  std::vector<CartOrder> orders;
  ASSERT_TRUE(Fetch(*c, Recent(), orders).ok());
  EXPECT_EQ(orders.size(), 2u);
  EXPECT_EQ(transport.requests[0].url, "https://acme.myshopify.com/admin/oauth/access_token");
  EXPECT_NE(transport.requests[0].body.find("client_id=3c9f0d5e8a7b6c1d"), std::string::npos);
  EXPECT_EQ(HeaderOf(transport.requests[1], "X-Shopify-Access-Token"), "shpat_granted1");
  EXPECT_EQ(HeaderOf(transport.requests[4], "X-Shopify-Access-Token"), "shpat_granted2");
}

TEST_F(ShopifyCartTest, ASecond401InARowIsPermanentAndNamesNoSecret) {
  UseClientCredentials();
  transport.Expect("POST", "/admin/oauth/access_token", 200,
                   R"({"access_token":"shpat_granted1","expires_in":86399})");
  transport.Expect("POST", kGraphql, 401, R"({"errors":"shpat_granted1 is not valid"})");
  transport.Expect("POST", "/admin/oauth/access_token", 200,
                   R"({"access_token":"shpat_granted2","expires_in":86399})");
  transport.Expect("POST", kGraphql, 401, R"({"errors":"shpat_granted2 is not valid"})");
  auto c = Make();
  std::vector<CartOrder> orders;
  Status st = Fetch(*c, Recent(), orders);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_EQ(st.message(),
            "Shopify rejected the access token (HTTP 401) on CartsyncOrders: REDACTED is not valid "
            "(X-Request-Id req-1)");
}

// --- tracking ----------------------------------------------------------------------

std::string Fulfillments(const std::string& list) {
  return R"({"order":{"fulfillments":[)" + list + "]}}";
}
std::string FulfillmentWith(const std::string& number,
                            const std::string& location = "gid://shopify/Location/1") {
  return R"({"location":{"id":")" + location + R"("},"trackingInfo":[{"number":")" + number +
         R"("}]})";
}

std::string FoNode(const std::string& id, const std::string& status, const std::string& location,
                   const std::string& lines) {
  return R"({"id":"gid://shopify/FulfillmentOrder/)" + id + R"(","status":")" + status +
         R"(","assignedLocation":{"location":{"id":"gid://shopify/Location/)" + location +
         R"("}},"lineItems":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[)" + lines +
         "]}}";
}
std::string FoLine(const std::string& id, int remaining, const std::string& line_item) {
  return R"({"id":"gid://shopify/FulfillmentOrderLineItem/)" + id + R"(","remainingQuantity":)" +
         std::to_string(remaining) + R"(,"lineItem":{"id":"gid://shopify/LineItem/)" + line_item +
         R"("}})";
}
std::string Fos(const std::string& nodes) {
  return R"({"order":{"fulfillmentOrders":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[)" +
         nodes + "]}}}";
}
// CartsyncOrderFulfilment's answer: the fulfillments list and one page of
// fulfillment orders (`next`: the cursor of a following page).
std::string Fulfilment(const std::string& fulfillments, const std::string& nodes,
                       const std::string& next = "") {
  return R"({"order":{"fulfillments":[)" + fulfillments +
         R"(],"fulfillmentOrders":{"pageInfo":{"hasNextPage":)" +
         (next.empty() ? std::string("false,\"endCursor\":null")
                       : "true,\"endCursor\":\"" + next + "\"") +
         R"(},"nodes":[)" + nodes + "]}}}";
}
const char kCreated[] =
    R"({"fulfillmentCreate":{"fulfillment":{"id":"gid://shopify/Fulfillment/9","status":"SUCCESS"},"userErrors":[]}})";

TrackingUpload Upload(std::vector<ShipmentLine> lines = {}) {
  TrackingUpload u;
  u.order_id = "450789469";
  u.carrier_code = "UPS";
  u.shipment.tracking_number = "1Z999AA10123456784";
  u.shipment.lines = std::move(lines);
  return u;
}

TEST_F(ShopifyCartTest, HasTrackingComparesNumbersAndAsksForTheLongListWhenTwentyCameBack) {
  transport.Expect("POST", kGraphql, 200,
                   Data(Fulfillments(FulfillmentWith(" 1z999aa10123456784 "))));
  auto c = Make();
  auto has = c->HasTracking("450789469", "1Z999AA10123456784");
  ASSERT_TRUE(has.ok());
  EXPECT_TRUE(has.value());
  EXPECT_EQ(Op(transport.requests[0]), "CartsyncOrderTracking");
  EXPECT_EQ(Var(transport.requests[0], "id"), "\"gid://shopify/Order/450789469\"");

  std::string twenty;
  for (int i = 0; i < 20; ++i)
    twenty += (i ? "," : "") + FulfillmentWith("OTHER" + std::to_string(i));
  transport.Expect("POST", kGraphql, 200, Data(Fulfillments(twenty)));
  transport.Expect("POST", kGraphql, 200,
                   Data(Fulfillments(twenty + "," + FulfillmentWith("1Z999AA10123456784"))));
  has = c->HasTracking("450789469", "1Z999AA10123456784");
  ASSERT_TRUE(has.ok());
  EXPECT_TRUE(has.value());
  EXPECT_EQ(Op(transport.requests[2]), "CartsyncOrderTrackingMore");

  transport.Expect("POST", kGraphql, 200, Data(R"({"order":null})"));
  has = c->HasTracking("450789469", "1Z999AA10123456784");
  ASSERT_TRUE(has.ok());
  EXPECT_FALSE(has.value());
  EXPECT_EQ(c->HasTracking("45x", "1Z").status().code(), StatusCode::Permanent);
}

TEST_F(ShopifyCartTest, OneFulfillmentPerAssignedLocation) {
  transport.Expect(
      "POST", kGraphql, 200,
      Data(Fulfilment("", FoNode("1", "OPEN", "100", FoLine("11", 2, "501")) + "," +
                              FoNode("2", "IN_PROGRESS", "200", FoLine("21", 1, "502")) + "," +
                              FoNode("3", "OPEN", "100", FoLine("31", 4, "503")) + "," +
                              FoNode("4", "CLOSED", "300", FoLine("41", 1, "504")))));
  transport.Expect("POST", kGraphql, 200, Data(kCreated));
  transport.Expect("POST", kGraphql, 200, Data(kCreated));
  auto c = Make();
  ASSERT_TRUE(c->UploadTracking(Upload()).ok());
  ASSERT_EQ(transport.calls(), 3u);  // one read, then one mutation per location
  EXPECT_EQ(Op(transport.requests[0]), "CartsyncOrderFulfilment");
  EXPECT_EQ(Var(transport.requests[0], "id"), "\"gid://shopify/Order/450789469\"");
  EXPECT_EQ(Op(transport.requests[1]), "CartsyncFulfillmentCreate");
  EXPECT_FALSE(transport.requests[1].idempotent);
  EXPECT_EQ(
      Var(transport.requests[1], "fulfillment"),
      R"({"lineItemsByFulfillmentOrder":[)"
      R"({"fulfillmentOrderId":"gid://shopify/FulfillmentOrder/1","fulfillmentOrderLineItems":[{"id":"gid://shopify/FulfillmentOrderLineItem/11","quantity":2}]},)"
      R"({"fulfillmentOrderId":"gid://shopify/FulfillmentOrder/3","fulfillmentOrderLineItems":[{"id":"gid://shopify/FulfillmentOrderLineItem/31","quantity":4}]}],)"
      R"("trackingInfo":{"company":"UPS","number":"1Z999AA10123456784"},"notifyCustomer":false})");
  EXPECT_EQ(
      Var(transport.requests[2], "fulfillment"),
      R"({"lineItemsByFulfillmentOrder":[)"
      R"({"fulfillmentOrderId":"gid://shopify/FulfillmentOrder/2","fulfillmentOrderLineItems":[{"id":"gid://shopify/FulfillmentOrderLineItem/21","quantity":1}]}],)"
      R"("trackingInfo":{"company":"UPS","number":"1Z999AA10123456784"},"notifyCustomer":false})");
}

TEST_F(ShopifyCartTest, ALocationThatCarriesTheNumberIsNotPostedAgain) {
  // A crash after the first location's fulfillment: only the second is posted.
  transport.Expect(
      "POST", kGraphql, 200,
      Data(Fulfilment(FulfillmentWith("1Z999AA10123456784", "gid://shopify/Location/100"),
                      FoNode("1", "CLOSED", "100", FoLine("11", 0, "501")) + "," +
                          FoNode("2", "OPEN", "200", FoLine("21", 1, "502")))));
  transport.Expect("POST", kGraphql, 200, Data(kCreated));
  auto c = Make();
  ASSERT_TRUE(c->FinishTracking(Upload()).ok());
  EXPECT_NE(Var(transport.requests[1], "fulfillment").find("FulfillmentOrder/2"),
            std::string::npos);

  // Everything carries it: nothing is posted.
  transport.Expect(
      "POST", kGraphql, 200,
      Data(Fulfilment(FulfillmentWith("1Z999AA10123456784", "gid://shopify/Location/100") + "," +
                          FulfillmentWith("1Z999AA10123456784", "gid://shopify/Location/200"),
                      FoNode("1", "CLOSED", "100", FoLine("11", 0, "501")) + "," +
                          FoNode("2", "CLOSED", "200", FoLine("21", 0, "502")))));
  ASSERT_TRUE(c->UploadTracking(Upload()).ok());
  EXPECT_EQ(transport.calls(), 3u);

  // On a fulfillment without a location: done after the one read.
  transport.Expect(
      "POST", kGraphql, 200,
      Data(Fulfilment(R"({"location":null,"trackingInfo":[{"number":"1Z999AA10123456784"}]})",
                      FoNode("1", "OPEN", "100", FoLine("11", 1, "501")))));
  ASSERT_TRUE(c->UploadTracking(Upload()).ok());
  EXPECT_EQ(transport.calls(), 4u);
}

TEST_F(ShopifyCartTest, FiveFulfillmentsOrMorePagesAreReadInFull) {
  // Five fulfillments may be the first of more: the full look (20) decides;
  // here it finds the number on location 100, so only location 200 is posted.
  std::string five;
  for (int i = 0; i < 5; ++i) five += (i ? "," : "") + FulfillmentWith("OTHER" + std::to_string(i));
  transport.Expect(
      "POST", kGraphql, 200,
      Data(Fulfilment(five, FoNode("1", "OPEN", "100", FoLine("11", 1, "501")), "fo-cursor-1")));
  transport.Expect(
      "POST", kGraphql, 200,
      Data(Fulfillments(five + "," +
                        FulfillmentWith("1Z999AA10123456784", "gid://shopify/Location/100"))));
  // The fulfillment orders' next page.
  transport.Expect("POST", kGraphql, 200,
                   Data(Fos(FoNode("2", "OPEN", "200", FoLine("21", 1, "502")))));
  transport.Expect("POST", kGraphql, 200, Data(kCreated));
  auto c = Make();
  ASSERT_TRUE(c->UploadTracking(Upload()).ok());
  ASSERT_EQ(transport.calls(), 4u);
  EXPECT_EQ(Op(transport.requests[1]), "CartsyncOrderTracking");
  EXPECT_EQ(Op(transport.requests[2]), "CartsyncFulfillmentOrders");
  EXPECT_EQ(Var(transport.requests[2], "after"), "\"fo-cursor-1\"");
  EXPECT_EQ(Op(transport.requests[3]), "CartsyncFulfillmentCreate");
  EXPECT_EQ(Var(transport.requests[3], "fulfillment").find("FulfillmentOrder/1\""),
            std::string::npos);
  EXPECT_NE(Var(transport.requests[3], "fulfillment").find("FulfillmentOrder/2\""),
            std::string::npos);

  // An order Shopify does not have is permanent, after the one read.
  transport.Expect("POST", kGraphql, 200, Data(R"({"order":null})"));
  Status st = c->UploadTracking(Upload());
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_EQ(st.message(), "Shopify order 450789469 does not exist (CartsyncOrderFulfilment)");
}

TEST_F(ShopifyCartTest, APartialShipmentTakesItsLinesOnly) {
  transport.Expect(
      "POST", kGraphql, 200,
      Data(Fulfilment(
          "", FoNode("1", "OPEN", "100", FoLine("11", 3, "501") + "," + FoLine("12", 2, "502")))));
  transport.Expect("POST", kGraphql, 200, Data(kCreated));
  auto c = Make();
  ASSERT_TRUE(c->UploadTracking(Upload({{"502", "HD-BLU-L", 1}})).ok());
  EXPECT_EQ(
      Var(transport.requests[1], "fulfillment"),
      R"({"lineItemsByFulfillmentOrder":[{"fulfillmentOrderId":"gid://shopify/FulfillmentOrder/1",)"
      R"("fulfillmentOrderLineItems":[{"id":"gid://shopify/FulfillmentOrderLineItem/12","quantity":1}]}],)"
      R"("trackingInfo":{"company":"UPS","number":"1Z999AA10123456784"},"notifyCustomer":false})");
}

TEST_F(ShopifyCartTest, NothingOpenIsPermanent) {
  transport.Expect("POST", kGraphql, 200,
                   Data(Fulfilment("", FoNode("1", "CLOSED", "100", FoLine("11", 0, "501")))));
  auto c = Make();
  Status st = c->UploadTracking(Upload({{"501", "X", 1}}));
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_EQ(st.message(),
            "Shopify order 450789469 has nothing open to fulfil for the shipment's lines (line "
            "items 501)");
}

TEST_F(ShopifyCartTest, ATimeoutOnTheMutationIsLookedUpAndNeverPostedTwice) {
  transport.Expect("POST", kGraphql, 200,
                   Data(Fulfilment("", FoNode("1", "OPEN", "100", FoLine("11", 1, "501")))));
  transport.ExpectFailure("POST", kGraphql, Status::Transient("timed out"));
  transport.Expect("POST", kGraphql, 200, Data(Fulfillments("")));  // the look: not there
  auto c = Make();
  Status st = c->UploadTracking(Upload());
  EXPECT_TRUE(st.transient());
  EXPECT_NE(st.message().find("not retried: the request is not idempotent"), std::string::npos)
      << st.message();
  EXPECT_NE(
      st.message().find("the tracking number is not on the order at location 100 (re-checked)"),
      std::string::npos)
      << st.message();

  // Next time the look finds it: done, no second fulfillment.
  transport.Expect("POST", kGraphql, 200,
                   Data(Fulfilment("", FoNode("1", "OPEN", "100", FoLine("11", 1, "501")))));
  transport.Expect("POST", kGraphql, 500, "{}");
  transport.Expect(
      "POST", kGraphql, 200,
      Data(Fulfillments(FulfillmentWith("1Z999AA10123456784", "gid://shopify/Location/100"))));
  EXPECT_TRUE(c->UploadTracking(Upload()).ok());
}

TEST_F(ShopifyCartTest, UserErrorsArePermanentWithShopifysMessage) {
  transport.Expect("POST", kGraphql, 200,
                   Data(Fulfilment("", FoNode("1", "OPEN", "100", FoLine("11", 1, "501")))));
  transport.Expect(
      "POST", kGraphql, 200,
      Data(
          R"({"fulfillmentCreate":{"fulfillment":null,"userErrors":[{"field":["fulfillment","lineItemsByFulfillmentOrder","0"],"message":"Invalid fulfillment order line item quantity requested."}]}})"));
  auto c = Make();
  Status st = c->UploadTracking(Upload());
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_EQ(st.message(),
            "Shopify fulfillmentCreate for order 450789469 at location 100: Invalid fulfillment "
            "order line item "
            "quantity requested. (fulfillment.lineItemsByFulfillmentOrder.0) (X-Request-Id req-1)");
}

// --- inventory -----------------------------------------------------------------------

const char kPrimary[] =
    R"({"location":{"id":"gid://shopify/Location/9","legacyResourceId":"9","name":"Main","isActive":true}})";

std::string Variants(const std::string& nodes) {
  return R"({"productVariants":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[)" +
         nodes + "]}}";
}
std::string Variant(const std::string& sku, const std::string& item) {
  return R"({"sku":")" + sku + R"(","inventoryItem":{"id":"gid://shopify/InventoryItem/)" + item +
         R"("}})";
}
const char kSet[] =
    R"({"inventorySetQuantities":{"inventoryAdjustmentGroup":{"id":"gid://shopify/InventoryAdjustmentGroup/1"},"userErrors":[]}})";

TEST_F(ShopifyCartTest, InventoryIsBatchedLookupsAndOneIdempotentSet) {
  transport.Expect("POST", kGraphql, 200, Data(kPrimary));
  transport.Expect("POST", kGraphql, 200,
                   Data(Variants(Variant("TS-RED-M", "1") + "," + Variant("TS-RED-MX", "5") + "," +
                                 Variant("DUP", "2") + "," + Variant("DUP", "3"))));
  transport.Expect("POST", kGraphql, 200, Data(kSet));
  auto c = Make();
  auto errors = c->PushInventory({{"TS-RED-M", 7}, {"NOPE", 1}, {"DUP", 2}});
  ASSERT_TRUE(errors.ok()) << errors.status().message();
  ASSERT_EQ(errors->size(), 2u);
  EXPECT_EQ(errors.value()[0].sku, "NOPE");
  EXPECT_EQ(errors.value()[0].message, "SKU not found in Shopify");
  EXPECT_TRUE(errors.value()[0].not_in_cart);
  EXPECT_FALSE(errors.value()[1].not_in_cart);
  EXPECT_EQ(errors.value()[1].sku, "DUP");
  EXPECT_EQ(Op(transport.requests[0]), "CartsyncLocation");
  EXPECT_EQ(Var(transport.requests[0], "id"), "null");  // the shop's primary location
  EXPECT_EQ(Var(transport.requests[1], "query"),
            R"("sku:\"TS-RED-M\" OR sku:\"NOPE\" OR sku:\"DUP\"")");
  const HttpRequest& set = transport.requests[2];
  EXPECT_EQ(Op(set), "CartsyncInventorySet");
  EXPECT_TRUE(set.idempotent);  // the @idempotent key makes a resend safe
  EXPECT_EQ(
      Var(set, "input"),
      R"({"name":"available","reason":"correction","quantities":[{"inventoryItemId":"gid://shopify/InventoryItem/1","locationId":"gid://shopify/Location/9","quantity":7,"changeFromQuantity":null}]})");
  EXPECT_EQ(
      Var(set, "idempotencyKey"),
      "\"" +
          IdempotencyKey("acme-shopify", "gid://shopify/Location/9", std::to_string(clock.NowMs()),
                         {{"gid://shopify/InventoryItem/1", 7}}) +
          "\"");

  // The SKUs are looked up once a run; the location too.
  transport.Expect("POST", kGraphql, 200, Data(kSet));
  errors = c->PushInventory({{"TS-RED-M", 8}});
  ASSERT_TRUE(errors.ok());
  EXPECT_TRUE(errors->empty());
  EXPECT_EQ(transport.calls(), 4u);
}

TEST_F(ShopifyCartTest, AResentSetReusesItsKey) {
  transport.Expect("POST", kGraphql, 200, Data(kPrimary));
  transport.Expect("POST", kGraphql, 200, Data(Variants(Variant("A", "1"))));
  transport.Expect("POST", kGraphql, 503, "{}");
  transport.Expect("POST", kGraphql, 200, Data(kSet));
  auto c = Make();
  auto errors = c->PushInventory({{"A", 3}});
  ASSERT_TRUE(errors.ok()) << errors.status().message();
  EXPECT_EQ(transport.requests[2].body, transport.requests[3].body);
}

TEST_F(ShopifyCartTest, RefusedItemsBecomePushErrorsAndTheRestIsSentAgain) {
  transport.Expect("POST", kGraphql, 200, Data(kPrimary));
  transport.Expect(
      "POST", kGraphql, 200,
      Data(Variants(Variant("A", "1") + "," + Variant("B", "2") + "," + Variant("C", "3"))));
  transport.Expect(
      "POST", kGraphql, 200,
      Data(
          R"({"inventorySetQuantities":{"inventoryAdjustmentGroup":null,"userErrors":[{"code":"NON_MUTABLE_INVENTORY_ITEM","field":["input","quantities","1","inventoryItemId"],"message":"The inventory item is not tracked."}]}})"));
  transport.Expect("POST", kGraphql, 200, Data(kSet));
  auto c = Make();
  auto errors = c->PushInventory({{"A", 1}, {"B", 2}, {"C", 3}});
  ASSERT_TRUE(errors.ok());
  ASSERT_EQ(errors->size(), 1u);
  EXPECT_EQ(errors.value()[0].sku, "B");
  EXPECT_EQ(errors.value()[0].message,
            "Shopify: The inventory item is not tracked. (NON_MUTABLE_INVENTORY_ITEM)");
  EXPECT_EQ(Var(transport.requests[3], "input").find("InventoryItem/2"), std::string::npos);
  EXPECT_NE(Var(transport.requests[3], "idempotencyKey"),
            Var(transport.requests[2], "idempotencyKey"));
}

TEST_F(ShopifyCartTest, LookupsGoFiftySkusAtATimeAndSetsTwoHundredFifty) {
  std::vector<InventoryPush> items;
  std::string first, second;
  for (int i = 0; i < 260; ++i) {
    std::string sku = "S" + std::to_string(i);
    items.push_back({sku, i});
    (i < 250 ? first : second) +=
        std::string(i % 250 ? "," : "") + Variant(sku, std::to_string(1000 + i));
  }
  transport.Expect("POST", kGraphql, 200, Data(kPrimary));
  for (int b = 0; b < 6; ++b) {
    std::string nodes;
    for (int i = b * 50; i < std::min(260, b * 50 + 50); ++i)
      nodes += std::string(i % 50 ? "," : "") +
               Variant("S" + std::to_string(i), std::to_string(1000 + i));
    transport.Expect("POST", kGraphql, 200, Data(Variants(nodes)));
  }
  transport.Expect("POST", kGraphql, 200, Data(kSet));
  transport.Expect("POST", kGraphql, 200, Data(kSet));
  auto c = Make();
  auto errors = c->PushInventory(items);
  ASSERT_TRUE(errors.ok()) << errors.status().message();
  EXPECT_TRUE(errors->empty());
  rapidjson::Document set = Body(transport.requests[7]);
  EXPECT_EQ(set["variables"]["input"]["quantities"].Size(), 250u);
}

TEST_F(ShopifyCartTest, AConfiguredLocationIsCheckedOnce) {
  FieldValue loc;
  loc.type = FieldType::Integer;
  loc.integer = 71234567890;
  cart.api["inventory_location_id"] = loc;
  transport.Expect("POST", kGraphql, 200, Data(R"({"location":null})"));
  auto c = Make();
  auto errors = c->PushInventory({{"A", 1}});
  EXPECT_EQ(errors.status().code(), StatusCode::Permanent);
  EXPECT_EQ(
      errors.status().message(),
      "Shopify has no location 71234567890 ([api].inventory_location_id; Settings > Locations)");
  EXPECT_EQ(Var(transport.requests[0], "id"), "\"gid://shopify/Location/71234567890\"");
}

// --- configuration -------------------------------------------------------------------

TEST_F(ShopifyCartTest, ConfigurationErrorsNameTheField) {
  auto made = [&] { return MakeShopifyCart(cart, {&http, &secrets}).status().message(); };
  cart.api["client_id"] = Text(FieldType::String, "x");
  EXPECT_EQ(made(),
            "cart acme-shopify (Shopify): set either client_id + client_secret or access_token, "
            "not both");
  cart.api.erase("access_token");
  EXPECT_EQ(made(),
            "cart acme-shopify (Shopify): [api].client_secret is not set (a { secret = \"…\" } "
            "reference)");
  cart.api.erase("client_id");
  EXPECT_EQ(made(),
            "cart acme-shopify (Shopify): no credentials: set client_id + client_secret, or "
            "access_token");
  cart.api["access_token"] = Secret("SHOPIFY_TOKEN");
  cart.api["base_url"] = Text(FieldType::Url, "http://shop.example.com");
  EXPECT_EQ(
      made(),
      "cart acme-shopify (Shopify): the Shopify address http://shop.example.com must be https:// "
      "(http:// only to 127.0.0.1, localhost or ::1)");
}

TEST_F(ShopifyCartTest, DefaultsTo2026_10AndABaseUrlReplacesTheShop) {
  cart.api.erase("api_version");
  cart.api["base_url"] = Text(FieldType::Url, "http://127.0.0.1:8123/shopify/acme/");
  transport.Expect("POST", "http://127.0.0.1:8123/shopify/acme/admin/api/2026-10/graphql.json", 200,
                   Data(OrdersPage("")));
  auto c = Make();
  std::vector<CartOrder> orders;
  EXPECT_TRUE(Fetch(*c, Recent(), orders).ok());
}

}  // namespace
}  // namespace cartsync

// Amazon SP-API connector against a scripted transport: the real HttpClient
// (retries, idempotency rules) over a fake that checks each request's method
// and URL and records everything sent. The stored Amazon models declare no
// security scheme, so Prism cannot check authentication: these tests pin
// the LWA exchange and the x-amz-access-token header on every SP-API call.
#include "runtime/carts/amazon_cart.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <zlib.h>

#include <map>
#include <string>
#include <vector>

#include "runtime/carts/connectors.h"
#include "runtime/clock.h"
#include "runtime/net/http_client.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_secrets.h"
#include "tests/support/scripted_transport.h"

namespace cartsync {
namespace {

constexpr char kClientSecret[] = "amzn1.oa2-cs.v1.s3cr3t_client_value";
constexpr char kRefreshToken[] = "Atzr|r3fr3sh_t0k3n_value_for_tests";
constexpr char kAccessToken[] = "Atza|acc3ss_t0k3n_value_one";
constexpr char kAccessToken2[] = "Atza|acc3ss_t0k3n_value_two";
constexpr char kBase[] = "https://sellingpartnerapi-na.amazon.com";
constexpr char kTokenUrl[] = "https://api.amazon.com/auth/o2/token";

FieldValue TextField(FieldType type, std::string text) {
  FieldValue v;
  v.type = type;
  v.text = std::move(text);
  return v;
}

FieldValue SecretField(std::string env) {
  FieldValue v;
  v.type = FieldType::Secret;
  v.secret = SecretRef{SecretRef::Kind::Env, std::move(env)};
  return v;
}

rapidjson::Document Json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.data(), text.size());
  return d;
}

bool Contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

std::string TokenAnswer(const char* token, int expires_in = 3600) {
  return std::string(R"({"access_token":")") + token +
         R"(","refresh_token":"Atzr|ignored","token_type":"bearer","expires_in":)" +
         std::to_string(expires_in) + "}";
}

// The searchOrders example of orders_2026-01-01.json, trimmed to what the
// connector reads plus a few fields it must ignore.
const char kOrderA[] = R"({
  "orderId": "123-4567890-1234567",
  "orderAliases": [{"aliasId": "SELLER-ORDER-2024-001", "aliasType": "SELLER_ORDER_ID"}],
  "createdTime": "2024-12-25T10:30:00Z",
  "lastUpdatedTime": "2024-12-25T16:45:00+02:00",
  "programs": ["PRIME"],
  "salesChannel": {"channelName": "AMAZON", "marketplaceId": "ATVPDKIKX0DER",
                   "marketplaceName": "Amazon.com"},
  "recipient": {"deliveryAddress": {"name": "John Smith", "companyName": "Smith Industries LLC",
    "addressLine1": "123 Main Street", "addressLine2": "Suite 456", "addressLine3": "Floor 2",
    "city": "Seattle", "districtOrCounty": "King County", "stateOrRegion": "WA",
    "postalCode": "98101", "countryCode": "US", "phone": "555-123-4567",
    "addressType": "COMMERCIAL"}},
  "fulfillment": {"fulfillmentStatus": "PARTIALLY_SHIPPED", "fulfilledBy": "MERCHANT",
                  "fulfillmentServiceLevel": "STANDARD"},
  "orderItems": [
    {"orderItemId": "12345678901234", "quantityOrdered": 2,
     "product": {"asin": "B08N5WRWNW", "sellerSku": "ECHO-DOT-4-CHARCOAL",
                 "price": {"unitPrice": {"amount": "49.99", "currencyCode": "USD"}}},
     "fulfillment": {"quantityFulfilled": 1, "quantityUnfulfilled": 1}},
    {"orderItemId": "12345678901235", "quantityOrdered": 1,
     "product": {"sellerSku": "DONE-ITEM",
                 "price": {"unitPrice": {"amount": "5.00", "currencyCode": "USD"}}},
     "fulfillment": {"quantityFulfilled": 1, "quantityUnfulfilled": 0}},
    {"orderItemId": "12345678901236", "quantityOrdered": 3,
     "product": {"sellerSku": "NO-FULFILLMENT-DATA"}}
  ]
})";

const char kOrderB[] = R"({
  "orderId": "902-1106328-1059050", "createdTime": "2024-12-26T08:00:00Z",
  "lastUpdatedTime": "2024-12-26T09:00:00Z",
  "salesChannel": {"channelName": "AMAZON"},
  "fulfillment": {"fulfillmentStatus": "UNSHIPPED"},
  "orderItems": [{"orderItemId": "79039765272157", "quantityOrdered": 1,
                  "product": {"sellerSku": "SKU-B"}}]
})";

std::string Page(const std::string& orders, const std::string& next = "") {
  return R"({"orders": [)" + orders + "]" +
         (next.empty() ? "" : R"(, "pagination": {"nextToken": ")" + next + R"("})") +
         R"(, "createdBefore": "2025-01-01T00:00:00Z"})";
}

// getOrder with FULFILLMENT,PACKAGES for the tracking check.
std::string OrderWithPackages(const std::string& packages) {
  return R"({"order": {"orderId": "902-1106328-1059050", "createdTime": "2024-12-26T08:00:00Z",
    "lastUpdatedTime": "2024-12-26T09:00:00Z", "salesChannel": {"channelName": "AMAZON"},
    "fulfillment": {"fulfillmentStatus": "PARTIALLY_SHIPPED"},
    "orderItems": [
      {"orderItemId": "79039765272157", "quantityOrdered": 3, "product": {"sellerSku": "SKU-B"},
       "fulfillment": {"quantityFulfilled": 1, "quantityUnfulfilled": 2}},
      {"orderItemId": "79039765272158", "quantityOrdered": 1, "product": {"sellerSku": "SKU-C"},
       "fulfillment": {"quantityFulfilled": 0, "quantityUnfulfilled": 1}}],
    "packages": [)" +
         packages + "]}}";
}

const char kOnePackage[] = R"({"packageReferenceId": "1", "carrier": "UPS",
  "trackingNumber": "1Z0001", "packageStatus": {"status": "IN_TRANSIT"},
  "packageItems": [{"orderItemId": "79039765272157", "quantity": 1}]})";

class AmazonCartTest : public ::testing::Test {
 protected:
  AmazonCartTest() {
    secrets.values["env:AMZ_SECRET"] = kClientSecret;
    secrets.values["env:AMZ_REFRESH"] = kRefreshToken;
    cart.id = "harbor-amazon";
    cart.platform = "amazon";
    cart.api["seller_id"] = TextField(FieldType::String, "A2HRBRGDS7QX4N");
    cart.api["marketplace_id"] = TextField(FieldType::String, "ATVPDKIKX0DER");
    cart.api["region"] = TextField(FieldType::Enum, "na");
    cart.api["client_id"] =
        TextField(FieldType::String, "amzn1.application-oa2-client.harborgoodsorders");
    cart.api["client_secret"] = SecretField("AMZ_SECRET");
    cart.api["refresh_token"] = SecretField("AMZ_REFRESH");
    cart.carrier_codes = {{"UPS", "UPS"}, {"FEDEX", "FedEx"}, {"LOCALVAN", "Other"}};
  }

  std::unique_ptr<CartConnector> Make() {
    auto made = MakeAmazonCart(cart, ConnectorDeps{&http, &secrets});
    EXPECT_TRUE(made.ok()) << made.status().message();
    return made.ok() ? std::move(made.value()) : nullptr;
  }

  void ExpectToken(const char* token = kAccessToken) {
    transport.Expect("POST", kTokenUrl, 200, TokenAnswer(token));
  }

  void TearDown() override {
    transport.ExpectScriptDone();
    for (const HttpRequest& r : transport.requests) {
      const std::string all = r.url + r.body;
      if (Contains(r.url, "/auth/o2/token")) {
        EXPECT_EQ(HeaderOf(r, "x-amz-access-token"), "");
        continue;
      }
      if (Contains(r.url, "presigned")) {  // document URLs: never our credentials
        EXPECT_EQ(HeaderOf(r, "x-amz-access-token"), "") << r.url;
      } else {
        EXPECT_TRUE(HeaderOf(r, "x-amz-access-token") == kAccessToken ||
                    HeaderOf(r, "x-amz-access-token") == kAccessToken2)
            << r.method << " " << r.url;
        EXPECT_EQ(HeaderOf(r, "Accept"), "application/json") << r.url;
        EXPECT_EQ(HeaderOf(r, "Authorization"), "") << r.url;
      }
      EXPECT_FALSE(Contains(all, kClientSecret)) << r.url;
      EXPECT_FALSE(Contains(all, kRefreshToken)) << r.url;
    }
  }

  Status Collect(CartConnector& c, const OrderWindow& w, std::vector<CartOrder>& out,
                 std::vector<size_t>* pages = nullptr) {
    return c.FetchOrders(w, [&](std::vector<CartOrder>&& page) {
      if (pages) pages->push_back(page.size());
      for (auto& o : page) out.push_back(std::move(o));
      return Status::Ok();
    });
  }

  TrackingUpload Upload(std::string order, std::string number, std::string carrier = "UPS") {
    TrackingUpload u;
    u.order_id = std::move(order);
    u.shipment.tracking_number = std::move(number);
    u.shipment.carrier = carrier;
    u.shipment.service = "GROUND";
    u.shipment.shipped_at = "2024-12-27T10:00:00-05:00";
    u.carrier_code = cart.carrier_codes.count(carrier) ? cart.carrier_codes[carrier] : carrier;
    return u;
  }

  FakeClock clock;
  ScriptedTransport transport;
  HttpClient http{transport, clock};
  FakeSecretResolver secrets;
  CartConfig cart;
};

// ---------------------------------------------------------------------------
// Pure helpers

TEST(AmazonHelpers, RegionEndpointsAndStatuses) {
  EXPECT_EQ(amazon::RegionEndpoint("na"), "https://sellingpartnerapi-na.amazon.com");
  EXPECT_EQ(amazon::RegionEndpoint("eu"), "https://sellingpartnerapi-eu.amazon.com");
  EXPECT_EQ(amazon::RegionEndpoint("fe"), "https://sellingpartnerapi-fe.amazon.com");
  EXPECT_EQ(amazon::RegionEndpoint("us"), "");
  EXPECT_TRUE(amazon::IsFulfillmentStatus("PARTIALLY_SHIPPED"));
  EXPECT_FALSE(amazon::IsFulfillmentStatus("PartiallyShipped"));
  EXPECT_FALSE(amazon::IsFulfillmentStatus("Canceled"));
}

TEST(AmazonHelpers, ErrorTextReadsErrorLists) {
  EXPECT_EQ(amazon::ErrorText(
                R"({"errors":[{"code":"InvalidInput","message":"Invalid Input","details":"x"}]})"),
            "InvalidInput: Invalid Input (x)");
  EXPECT_EQ(amazon::ErrorText("<html>oops</html>"), "<html>oops</html>");
}

TEST(AmazonHelpers, RateLimitHeader) {
  double rate = 0;
  EXPECT_TRUE(amazon::ParseRateLimit("0.0056", rate));
  EXPECT_DOUBLE_EQ(rate, 0.0056);
  EXPECT_TRUE(amazon::ParseRateLimit(" 2.0 ", rate));
  EXPECT_DOUBLE_EQ(rate, 2.0);
  EXPECT_FALSE(amazon::ParseRateLimit("", rate));
  EXPECT_FALSE(amazon::ParseRateLimit("0", rate));
  EXPECT_FALSE(amazon::ParseRateLimit("1e3", rate));
  EXPECT_FALSE(amazon::ParseRateLimit("-1", rate));
  EXPECT_FALSE(amazon::ParseRateLimit("1.2.3", rate));
}

TEST(AmazonHelpers, BucketsGrantTheBurstThenPaceAtTheRate) {
  amazon::OperationBuckets b;
  // confirmShipment: 2/s, burst 10.
  for (int i = 0; i < 10; ++i) EXPECT_EQ(b.DelayBeforeMs("confirmShipment", 1000), 0) << i;
  EXPECT_EQ(b.DelayBeforeMs("confirmShipment", 1000), 500);
  EXPECT_EQ(b.DelayBeforeMs("confirmShipment", 1500), 500);
  // searchOrders: 0.0056/s after a burst of 20 (about 179 s apart).
  for (int i = 0; i < 20; ++i) EXPECT_EQ(b.DelayBeforeMs("searchOrders", 0), 0);
  EXPECT_EQ(b.DelayBeforeMs("searchOrders", 0), 178'572);
  // The header replaces the rate.
  b.Observe("searchOrders", "1.0");
  EXPECT_DOUBLE_EQ(b.rate("searchOrders"), 1.0);
  b.Observe("searchOrders", "garbage");
  EXPECT_DOUBLE_EQ(b.rate("searchOrders"), 1.0);
  EXPECT_EQ(b.DelayBeforeMs("unknownOperation", 5), 0);
}

TEST(AmazonHelpers, ListingsFeedAndReport) {
  std::vector<amazon::StockItem> items = {{"A-1", 5}, {"B\"2", 0}};
  rapidjson::Document feed = Json(amazon::ListingsFeed("SELLER1", items));
  ASSERT_TRUE(feed.IsObject());
  EXPECT_STREQ(feed["header"]["sellerId"].GetString(), "SELLER1");
  EXPECT_STREQ(feed["header"]["version"].GetString(), "2.0");
  ASSERT_EQ(feed["messages"].Size(), 2u);
  const auto& m = feed["messages"][1];
  EXPECT_EQ(m["messageId"].GetInt(), 2);
  EXPECT_STREQ(m["sku"].GetString(), "B\"2");
  EXPECT_STREQ(m["operationType"].GetString(), "PATCH");
  EXPECT_STREQ(m["productType"].GetString(), "PRODUCT");
  EXPECT_STREQ(m["patches"][0]["path"].GetString(), "/attributes/fulfillment_availability");
  EXPECT_EQ(m["patches"][0]["value"][0]["quantity"].GetInt(), 0);
  EXPECT_STREQ(m["patches"][0]["value"][0]["fulfillment_channel_code"].GetString(), "DEFAULT");

  std::map<std::string, std::string> errors;
  EXPECT_TRUE(amazon::ReadProcessingReport(
      R"({"header":{"sellerId":"SELLER1","version":"2.0","feedId":"1"},
          "issues":[{"messageId":2,"code":"4000001","severity":"ERROR","message":"no listing"},
                    {"messageId":1,"code":"99","severity":"WARNING","message":"fine"}],
          "summary":{"errors":1,"warnings":1,"messagesProcessed":2,"messagesAccepted":1,
                     "messagesInvalid":1}})",
      items, errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors["B\"2"], "4000001: no listing");
  errors.clear();
  EXPECT_FALSE(amazon::ReadProcessingReport("not json", items, errors));
  EXPECT_FALSE(amazon::ReadProcessingReport(R"({"x":1})", items, errors));
}

// ---------------------------------------------------------------------------
// Construction

TEST_F(AmazonCartTest, ConfigurationErrorsNameTheField) {
  CartConfig c = cart;
  c.api.erase("refresh_token");
  auto made = MakeAmazonCart(c, ConnectorDeps{&http, &secrets});
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().message(),
            "cart \"harbor-amazon\" (Amazon): [api].refresh_token is not set (a { secret = "
            "\"…\" } reference)");
  c = cart;
  c.api["client_secret"] = TextField(FieldType::String, "amzn1.oa2-cs.v1.plain");  // a value
  made = MakeAmazonCart(c, ConnectorDeps{&http, &secrets});
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().message(),
            "cart \"harbor-amazon\" (Amazon): [api].client_secret is not set (a { secret = "
            "\"…\" } reference)");
  c = cart;
  c.api.erase("seller_id");
  made = MakeAmazonCart(c, ConnectorDeps{&http, &secrets});
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().message(), "cart \"harbor-amazon\" (Amazon): [api].seller_id is not set");
  c = cart;
  c.api["base_url"] = TextField(FieldType::Url, "http://example.com");
  made = MakeAmazonCart(c, ConnectorDeps{&http, &secrets});
  ASSERT_FALSE(made.ok());
  EXPECT_TRUE(Contains(made.status().message(), "base_url")) << made.status().message();
  c = cart;
  c.api["region"] = TextField(FieldType::Enum, "mars");
  EXPECT_FALSE(MakeAmazonCart(c, ConnectorDeps{&http, &secrets}).ok());
  c = cart;
  c.api["seller_id"] = TextField(FieldType::String, "a/b");
  EXPECT_FALSE(MakeAmazonCart(c, ConnectorDeps{&http, &secrets}).ok());
}

TEST_F(AmazonCartTest, BaseUrlServesTheTokenEndpointToo) {
  cart.api["base_url"] = TextField(FieldType::Url, "http://127.0.0.1:9/amazon/harbor/");
  transport.Expect("POST", "http://127.0.0.1:9/amazon/harbor/auth/o2/token", 200,
                   TokenAnswer(kAccessToken));
  transport.Expect("GET", "http://127.0.0.1:9/amazon/harbor/orders/2026-01-01/orders?", 200,
                   Page(""));
  auto c = Make();
  std::vector<CartOrder> out;
  OrderWindow w;
  w.created_after = 0;
  ASSERT_TRUE(Collect(*c, w, out).ok());
  EXPECT_TRUE(out.empty());
}

// ---------------------------------------------------------------------------
// Orders

TEST_F(AmazonCartTest, FetchNormalizesOrdersAndAsksForWhatItReads) {
  ExpectToken();
  transport.Expect("GET", "/orders/2026-01-01/orders?", 200,
                   Page(kOrderA, "2YgYW55IGNhcm5hbCBwbGVhc3VyZS4"),
                   {{"x-amzn-RateLimit-Limit", "0.0056"}});
  transport.Expect("GET", "paginationToken=2YgYW55IGNhcm5hbCBwbGVhc3VyZS4", 200,
                   Page(std::string(kOrderB) + "," + kOrderA));
  auto c = Make();
  OrderWindow w;
  w.statuses["order_status"] = {"UNSHIPPED", "PARTIALLY_SHIPPED"};
  w.created_after = 1'733'011'200;  // 2024-12-01T00:00:00Z
  std::vector<CartOrder> out;
  std::vector<size_t> pages;
  Status st = Collect(*c, w, out, &pages);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(pages, (std::vector<size_t>{1, 1}));  // the repeat dropped
  ASSERT_EQ(out.size(), 2u);

  const std::string& url = transport.requests[1].url;
  EXPECT_EQ(url, std::string(kBase) +
                     "/orders/2026-01-01/orders?marketplaceIds=ATVPDKIKX0DER"
                     "&fulfillmentStatuses=UNSHIPPED,PARTIALLY_SHIPPED&fulfilledBy=MERCHANT"
                     "&createdAfter=2024-12-01T00:00:00Z&maxResultsPerPage=100"
                     "&includedData=RECIPIENT,FULFILLMENT,PROCEEDS");
  EXPECT_EQ(transport.requests[2].url, url + "&paginationToken=2YgYW55IGNhcm5hbCBwbGVhc3VyZS4");
  EXPECT_EQ(transport.requests[1].method, "GET");
  EXPECT_EQ(transport.requests[1].body, "");

  const CartOrder& a = out[0];
  EXPECT_EQ(a.id, "123-4567890-1234567");
  EXPECT_EQ(a.order_number, "123-4567890-1234567");
  EXPECT_EQ(a.placed_at, "2024-12-25T10:30:00Z");
  EXPECT_EQ(a.updated_at, "2024-12-25T14:45:00Z");
  EXPECT_EQ(a.status, "PARTIALLY_SHIPPED");
  EXPECT_EQ(a.ship_code, "STANDARD");
  EXPECT_EQ(a.ship_to.name, "John Smith");
  EXPECT_EQ(a.ship_to.company, "Smith Industries LLC");
  EXPECT_EQ(a.ship_to.address1, "123 Main Street");
  EXPECT_EQ(a.ship_to.address2, "Suite 456, Floor 2");
  EXPECT_EQ(a.ship_to.city, "Seattle");
  EXPECT_EQ(a.ship_to.region, "WA");
  EXPECT_EQ(a.ship_to.postal_code, "98101");
  EXPECT_EQ(a.ship_to.country, "US");
  EXPECT_EQ(a.ship_to.phone, "555-123-4567");
  EXPECT_EQ(a.ship_to.email, "");
  ASSERT_EQ(a.lines.size(), 2u);  // the fully shipped line left out
  EXPECT_EQ(a.lines[0].line_key, "12345678901234");
  EXPECT_EQ(a.lines[0].sku, "ECHO-DOT-4-CHARCOAL");
  EXPECT_EQ(a.lines[0].quantity, 1);
  EXPECT_EQ(a.lines[0].unit_price, "49.99");
  EXPECT_EQ(a.lines[1].sku, "NO-FULFILLMENT-DATA");
  EXPECT_EQ(a.lines[1].quantity, 3);
  EXPECT_EQ(a.lines[1].unit_price, "");

  const CartOrder& b = out[1];
  EXPECT_EQ(b.id, "902-1106328-1059050");
  EXPECT_EQ(b.ship_code, "");
  EXPECT_EQ(b.ship_to.country, "");
  ASSERT_EQ(b.lines.size(), 1u);
}

TEST_F(AmazonCartTest, UpdatedAfterUsesLastUpdatedAfterOnly) {
  ExpectToken();
  transport.Expect("GET", "&lastUpdatedAfter=2026-11-18T11:00:00Z&", 200, Page(""));
  auto c = Make();
  OrderWindow w;
  w.statuses["order_status"] = {"UNSHIPPED"};
  w.updated_after = 1'795'000'000 - 400;
  std::vector<CartOrder> out;
  ASSERT_TRUE(Collect(*c, w, out).ok());
  EXPECT_FALSE(Contains(transport.requests[1].url, "createdAfter"));
  // Updated-after pulls also ask for CANCELLED: an order canceled at the cart
  // after it was downloaded must be seen (cancellations).
  EXPECT_TRUE(Contains(transport.requests[1].url, "fulfillmentStatuses=UNSHIPPED%2CCANCELLED&") ||
              Contains(transport.requests[1].url, "fulfillmentStatuses=UNSHIPPED,CANCELLED&"))
      << transport.requests[1].url;
}

TEST_F(AmazonCartTest, UnknownStatusAndRepeatedTokenAndBadOrders) {
  auto c = Make();
  OrderWindow w;
  w.statuses["order_status"] = {"Unshipped"};
  w.created_after = 0;
  std::vector<CartOrder> out;
  Status st = Collect(*c, w, out);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_TRUE(Contains(st.message(), "Unshipped")) << st.message();

  ExpectToken();
  transport.Expect("GET", "/orders/2026-01-01/orders?", 200, Page(kOrderB, "T1"));
  transport.Expect("GET", "paginationToken=T1", 200, Page("", "T1"));
  w.statuses["order_status"] = {"UNSHIPPED"};
  st = Collect(*c, w, out);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_TRUE(Contains(st.message(), "same nextToken")) << st.message();

  transport.Expect("GET", "/orders/2026-01-01/orders?", 200,
                   Page(R"({"orderId":"1-2-3","orderItems":[{"orderItemId":"9",
                          "quantityOrdered":"two"}]})"));
  st = Collect(*c, w, out);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_TRUE(Contains(st.message(), "1-2-3")) << st.message();
}

TEST_F(AmazonCartTest, ErrorBodiesBecomeMessagesAndTokensNeverShow) {
  ExpectToken();
  transport.Expect("GET", "/orders/2026-01-01/orders?", 400,
                   R"({"errors":[{"code":"InvalidInput","message":"Invalid Input",
                      "details":"token Atza|acc3ss_t0k3n_value_one is odd"}]})",
                   {{"x-amzn-RequestId", "req-1"}});
  auto c = Make();
  OrderWindow w;
  w.created_after = 0;
  std::vector<CartOrder> out;
  Status st = Collect(*c, w, out);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_TRUE(Contains(st.message(), "InvalidInput: Invalid Input")) << st.message();
  EXPECT_TRUE(Contains(st.message(), "searchOrders")) << st.message();
  EXPECT_TRUE(Contains(st.message(), "req-1")) << st.message();
  EXPECT_FALSE(Contains(st.message(), kAccessToken)) << st.message();
}

TEST_F(AmazonCartTest, A401GetsOneFreshTokenThenIsPermanent) {
  ExpectToken();
  transport.Expect("GET", "/orders/2026-01-01/orders?", 401, R"({"errors":[]})");
  ExpectToken(kAccessToken2);
  transport.Expect("GET", "/orders/2026-01-01/orders?", 200, Page(""));
  auto c = Make();
  OrderWindow w;
  w.created_after = 0;
  std::vector<CartOrder> out;
  ASSERT_TRUE(Collect(*c, w, out).ok());
  EXPECT_EQ(HeaderOf(transport.requests[3], "x-amz-access-token"), kAccessToken2);

  transport.Expect("GET", "/orders/2026-01-01/orders?", 401, "{}");
  ExpectToken();
  transport.Expect("GET", "/orders/2026-01-01/orders?", 401, "{}");
  Status st = Collect(*c, w, out);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_TRUE(Contains(st.message(), "rejected the access token (HTTP 401)")) << st.message();
}

TEST_F(AmazonCartTest, RefusedTokenExchangeIsPermanentAndScrubbed) {
  transport.Expect("POST", kTokenUrl, 400,
                   std::string(R"({"error_description":"The request has an invalid grant )") +
                       "parameter : refresh_token " + kRefreshToken +
                       R"(","error":"invalid_grant"})");
  auto c = Make();
  OrderWindow w;
  w.created_after = 0;
  std::vector<CartOrder> out;
  Status st = Collect(*c, w, out);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_TRUE(Contains(st.message(), "invalid_grant")) << st.message();
  EXPECT_FALSE(Contains(st.message(), kRefreshToken)) << st.message();
}

TEST_F(AmazonCartTest, RateLimitPacesOnTheClockAnd429Retries) {
  ExpectToken();
  transport.Expect("GET", "/orders/2026-01-01/orders?", 429,
                   R"({"errors":[{"code":"QuotaExceeded","message":"You exceeded your quota"}]})",
                   {{"Retry-After", "3"}});
  transport.Expect("GET", "/orders/2026-01-01/orders?", 200, Page(kOrderB, "N"),
                   {{"x-amzn-RateLimit-Limit", "0.5"}});
  transport.Expect("GET", "paginationToken=N", 200, Page(""));
  auto c = Make();
  OrderWindow w;
  w.created_after = 0;
  std::vector<CartOrder> out;
  ASSERT_TRUE(Collect(*c, w, out).ok());
  EXPECT_EQ(out.size(), 1u);
  EXPECT_GE(clock.slept_ms(), 3000);
}

// ---------------------------------------------------------------------------
// Tracking

TEST_F(AmazonCartTest, HasTrackingReadsThePackages) {
  ExpectToken();
  transport.Expect(
      "GET", "/orders/2026-01-01/orders/902-1106328-1059050?includedData=FULFILLMENT,PACKAGES", 200,
      OrderWithPackages(kOnePackage));
  transport.Expect("GET", "/orders/2026-01-01/orders/902-1106328-1059050?", 200,
                   OrderWithPackages(kOnePackage));
  auto c = Make();
  auto yes = c->HasTracking("902-1106328-1059050", "1Z0001");
  ASSERT_TRUE(yes.ok());
  EXPECT_TRUE(yes.value());
  auto no = c->HasTracking("902-1106328-1059050", "1Z000");
  ASSERT_TRUE(no.ok());
  EXPECT_FALSE(no.value());
  EXPECT_EQ(c->HasTracking("", "1").status().code(), StatusCode::Permanent);
}

TEST_F(AmazonCartTest, UploadConfirmsTheShipmentsLines) {
  ExpectToken();
  transport.Expect("GET", "/orders/2026-01-01/orders/902-1106328-1059050?", 200,
                   OrderWithPackages(kOnePackage));
  transport.Expect("POST", "/orders/v0/orders/902-1106328-1059050/shipmentConfirmation", 204, "");
  auto c = Make();
  TrackingUpload u = Upload("902-1106328-1059050", "1Z0002");
  u.shipment.lines = {{"79039765272157", "SKU-B", 5}, {"unknown-line", "X", 1}};
  Status st = c->UploadTracking(u);
  ASSERT_TRUE(st.ok()) << st.message();
  const HttpRequest& post = transport.requests[2];
  EXPECT_FALSE(post.idempotent);
  EXPECT_EQ(HeaderOf(post, "Content-Type"), "application/json");
  rapidjson::Document body = Json(post.body);
  ASSERT_TRUE(body.IsObject()) << post.body;
  EXPECT_STREQ(body["marketplaceId"].GetString(), "ATVPDKIKX0DER");
  const auto& p = body["packageDetail"];
  EXPECT_STREQ(p["packageReferenceId"].GetString(), "2");
  EXPECT_STREQ(p["carrierCode"].GetString(), "UPS");
  EXPECT_FALSE(p.HasMember("carrierName"));
  EXPECT_STREQ(p["shippingMethod"].GetString(), "GROUND");
  EXPECT_STREQ(p["trackingNumber"].GetString(), "1Z0002");
  EXPECT_STREQ(p["shipDate"].GetString(), "2024-12-27T15:00:00Z");
  ASSERT_EQ(p["orderItems"].Size(), 1u);
  EXPECT_STREQ(p["orderItems"][0]["orderItemId"].GetString(), "79039765272157");
  EXPECT_EQ(p["orderItems"][0]["quantity"].GetInt(), 2);  // capped at what is left
}

TEST_F(AmazonCartTest, UploadWithoutLinesShipsEverythingLeftAndOtherSendsTheName) {
  ExpectToken();
  transport.Expect("GET", "/orders/2026-01-01/orders/902-1106328-1059050?", 200,
                   OrderWithPackages(""));
  transport.Expect("POST", "/shipmentConfirmation", 204, "");
  auto c = Make();
  Status st = c->UploadTracking(Upload("902-1106328-1059050", "VAN-7", "LOCALVAN"));
  ASSERT_TRUE(st.ok()) << st.message();
  rapidjson::Document body = Json(transport.requests[2].body);
  const auto& p = body["packageDetail"];
  EXPECT_STREQ(p["packageReferenceId"].GetString(), "1");
  EXPECT_STREQ(p["carrierCode"].GetString(), "Other");
  EXPECT_STREQ(p["carrierName"].GetString(), "LOCALVAN");
  ASSERT_EQ(p["orderItems"].Size(), 2u);
  EXPECT_EQ(p["orderItems"][0]["quantity"].GetInt(), 2);
  EXPECT_EQ(p["orderItems"][1]["quantity"].GetInt(), 1);
}

TEST_F(AmazonCartTest, UploadFindingTheNumberPostsNothing) {
  ExpectToken();
  transport.Expect("GET", "/orders/2026-01-01/orders/902-1106328-1059050?", 200,
                   OrderWithPackages(kOnePackage));
  auto c = Make();
  EXPECT_TRUE(c->UploadTracking(Upload("902-1106328-1059050", "1Z0001")).ok());
  EXPECT_EQ(transport.calls(), 2u);
}

TEST_F(AmazonCartTest, UnknownCarrierIsAPermanentErrorForThatOrder) {
  auto c = Make();
  Status st = c->UploadTracking(Upload("902-1106328-1059050", "X1", "DHL"));
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_TRUE(Contains(st.message(), "\"DHL\"")) << st.message();
  EXPECT_TRUE(Contains(st.message(), "[carrier_codes]")) << st.message();
  EXPECT_EQ(transport.calls(), 0u);
}

TEST_F(AmazonCartTest, TimeoutOnTheConfirmationIsNotRetried) {
  ExpectToken();
  transport.Expect("GET", "/orders/2026-01-01/orders/902-1106328-1059050?", 200,
                   OrderWithPackages(""));
  transport.ExpectFailure("POST", "/shipmentConfirmation", Status::Transient("timed out"));
  auto c = Make();
  Status st = c->UploadTracking(Upload("902-1106328-1059050", "1Z9"));
  EXPECT_TRUE(st.transient());
  EXPECT_EQ(transport.calls(), 3u);
}

TEST_F(AmazonCartTest, A200ThatIsNotJsonIsNotDoneAnd400IsPermanent) {
  ExpectToken();
  transport.Expect("GET", "/orders/2026-01-01/orders/902-1106328-1059050?", 200,
                   OrderWithPackages(""));
  transport.Expect("POST", "/shipmentConfirmation", 200, "<html>maintenance</html>",
                   {{"Content-Type", "text/html"}});
  transport.Expect("GET", "/orders/2026-01-01/orders/902-1106328-1059050?", 200,
                   OrderWithPackages(""));
  transport.Expect("POST", "/shipmentConfirmation", 400,
                   R"({"errors":[{"code":"InvalidInput","message":"Invalid Input"}]})");
  auto c = Make();
  EXPECT_TRUE(c->UploadTracking(Upload("902-1106328-1059050", "1Z9")).transient());
  Status st = c->UploadTracking(Upload("902-1106328-1059050", "1Z9"));
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_TRUE(Contains(st.message(), "InvalidInput")) << st.message();
}

// ---------------------------------------------------------------------------
// Stock

TEST_F(AmazonCartTest, FewSkusArePatchedOneByOne) {
  ExpectToken();
  transport.Expect("PATCH",
                   "/listings/2021-08-01/items/A2HRBRGDS7QX4N/SKU%201?marketplaceIds=ATVPDKIKX0DER",
                   200, R"({"sku":"SKU 1","status":"ACCEPTED","submissionId":"s1","issues":[]})");
  transport.Expect("PATCH", "/items/A2HRBRGDS7QX4N/BAD?", 200,
                   R"({"sku":"BAD","status":"INVALID","submissionId":"s2","issues":[
                      {"code":"4000001","message":"SKU not found","severity":"ERROR",
                       "categories":[]}]})");
  transport.Expect("PATCH", "/items/A2HRBRGDS7QX4N/GONE?", 400,
                   R"({"errors":[{"code":"InvalidInput","message":"bad sku"}]})");
  auto c = Make();
  auto r = c->PushInventory({{"SKU 1", 7}, {"BAD", 1}, {"GONE", 2}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(r.value()[0].sku, "BAD");
  EXPECT_TRUE(Contains(r.value()[0].message, "SKU not found")) << r.value()[0].message;
  EXPECT_EQ(r.value()[1].sku, "GONE");
  EXPECT_TRUE(Contains(r.value()[1].message, "bad sku")) << r.value()[1].message;
  EXPECT_FALSE(r.value()[1].not_in_cart) << "a 400 is a refusal, not a missing listing";
  const HttpRequest& patch = transport.requests[1];
  EXPECT_TRUE(patch.idempotent);
  rapidjson::Document body = Json(patch.body);
  EXPECT_STREQ(body["productType"].GetString(), "PRODUCT");
  EXPECT_STREQ(body["patches"][0]["op"].GetString(), "merge");
  EXPECT_STREQ(body["patches"][0]["path"].GetString(), "/attributes/fulfillment_availability");
  EXPECT_EQ(body["patches"][0]["value"][0]["quantity"].GetInt(), 7);
}

std::string Gzip(const std::string& text) {
  z_stream z{};
  EXPECT_EQ(
      deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
      Z_OK);
  std::string out(text.size() + 128, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

TEST_F(AmazonCartTest, ManySkusGoAsOneListingsFeedWithPerSkuResults) {
  std::vector<InventoryPush> items;
  for (int i = 0; i < 12; ++i) items.push_back({"SKU-" + std::to_string(i), i});
  ExpectToken();
  transport.Expect("POST", "/feeds/2021-06-30/documents", 201,
                   R"({"feedDocumentId":"doc-in","url":"https://s3.example/presigned/in"})");
  transport.Expect("PUT", "https://s3.example/presigned/in", 200, "");
  transport.Expect("POST", "/feeds/2021-06-30/feeds", 202, R"({"feedId":"F1"})");
  transport.Expect("GET", "/feeds/2021-06-30/feeds/F1", 200,
                   R"({"feedId":"F1","feedType":"JSON_LISTINGS_FEED","createdTime":"x",
                       "processingStatus":"IN_QUEUE"})");
  transport.Expect("GET", "/feeds/2021-06-30/feeds/F1", 200,
                   R"({"feedId":"F1","feedType":"JSON_LISTINGS_FEED","createdTime":"x",
                       "processingStatus":"DONE","resultFeedDocumentId":"doc-out"})");
  transport.Expect("GET", "/feeds/2021-06-30/documents/doc-out", 200,
                   R"({"feedDocumentId":"doc-out","url":"https://s3.example/presigned/out",
                       "compressionAlgorithm":"GZIP"})");
  transport.Expect("GET", "https://s3.example/presigned/out", 200,
                   Gzip(R"({"header":{"sellerId":"A2HRBRGDS7QX4N","version":"2.0","feedId":"F1"},
                     "issues":[{"messageId":4,"code":"4000001","severity":"ERROR",
                                "message":"SKU-3 is not in the catalog"}],
                     "summary":{"errors":1,"warnings":0,"messagesProcessed":12,
                                "messagesAccepted":11,"messagesInvalid":1}})"));
  auto c = Make();
  auto r = c->PushInventory(items);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r.value()[0].sku, "SKU-3");
  EXPECT_TRUE(Contains(r.value()[0].message, "not in the catalog")) << r.value()[0].message;

  rapidjson::Document doc_spec = Json(transport.requests[1].body);
  EXPECT_STREQ(doc_spec["contentType"].GetString(), "application/json; charset=UTF-8");
  const HttpRequest& put = transport.requests[2];
  EXPECT_EQ(HeaderOf(put, "Content-Type"), "application/json; charset=UTF-8");
  rapidjson::Document feed_doc = Json(put.body);
  ASSERT_EQ(feed_doc["messages"].Size(), 12u);
  rapidjson::Document feed = Json(transport.requests[3].body);
  EXPECT_STREQ(feed["feedType"].GetString(), "JSON_LISTINGS_FEED");
  EXPECT_STREQ(feed["inputFeedDocumentId"].GetString(), "doc-in");
  EXPECT_STREQ(feed["marketplaceIds"][0].GetString(), "ATVPDKIKX0DER");
  EXPECT_EQ(clock.sleeps().size(), 1u);  // one wait between the two polls
}

TEST_F(AmazonCartTest, AFeedThatNeverFinishesIsTransientWithinTheBound) {
  std::vector<InventoryPush> items;
  for (int i = 0; i < 11; ++i) items.push_back({"S" + std::to_string(i), 1});
  ExpectToken();
  transport.Expect("POST", "/feeds/2021-06-30/documents", 201,
                   R"({"feedDocumentId":"d","url":"https://s3.example/presigned/in"})");
  transport.Expect("PUT", "https://s3.example/presigned/in", 200, "");
  transport.Expect("POST", "/feeds/2021-06-30/feeds", 202, R"({"feedId":"F2"})");
  transport.handler = [](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (r.method == "GET" && Contains(r.url, "/feeds/2021-06-30/feeds/F2"))
      return Answer(200, R"({"feedId":"F2","feedType":"JSON_LISTINGS_FEED","createdTime":"x",
                             "processingStatus":"IN_PROGRESS"})");
    return std::nullopt;
  };
  auto c = Make();
  const int64_t start = clock.NowMs();
  auto r = c->PushInventory(items);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().transient());
  EXPECT_TRUE(Contains(r.status().message(), "F2")) << r.status().message();
  EXPECT_LE(clock.NowMs() - start, 31 * 60'000);
  EXPECT_LT(transport.calls(), 60u);
}

TEST_F(AmazonCartTest, APresignedUrlMustBeHttpsOrLoopback) {
  std::vector<InventoryPush> items;
  for (int i = 0; i < 11; ++i) items.push_back({"S" + std::to_string(i), 1});
  ExpectToken();
  transport.Expect("POST", "/feeds/2021-06-30/documents", 201,
                   R"({"feedDocumentId":"d","url":"http://10.0.0.1/presigned/in"})");
  auto c = Make();
  auto r = c->PushInventory(items);
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace cartsync

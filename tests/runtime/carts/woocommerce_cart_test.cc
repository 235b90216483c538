// WooCommerce connector against a scripted transport: the real HttpClient
// (retries, idempotency rules) over a fake that checks each request's method
// and URL, answers from a script, and records everything sent.
#include "runtime/carts/woocommerce_cart.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <optional>
#include <set>
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

constexpr char kKey[] = "ck_0123456789abcdef";
constexpr char kSecret[] = "cs_fedcba9876543210";
// base64("ck_0123456789abcdef:cs_fedcba9876543210")
constexpr char kBasic[] = "Basic Y2tfMDEyMzQ1Njc4OWFiY2RlZjpjc19mZWRjYmE5ODc2NTQzMjEw";

FieldValue Text(FieldType type, std::string text) {
  FieldValue v;
  v.type = type;
  v.text = std::move(text);
  return v;
}

FieldValue Secret(std::string env) {
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

class WooCommerceCartTest : public ::testing::Test {
 protected:
  WooCommerceCartTest() {
    secrets.values["env:WOO_KEY"] = kKey;
    secrets.values["env:WOO_SECRET"] = kSecret;
    cart.id = "acme-woo";
    cart.platform = "woocommerce";
    cart.api["store_url"] = Text(FieldType::Url, "https://shop.example.com/");
    cart.api["consumer_key"] = Secret("WOO_KEY");
    cart.api["consumer_secret"] = Secret("WOO_SECRET");
    cart.api["tracking"] = Text(FieldType::Enum, "shipment_tracking");
  }

  std::unique_ptr<CartConnector> Make() {
    auto made = MakeWooCommerceCart(cart, ConnectorDeps{&http, &secrets});
    EXPECT_TRUE(made.ok()) << made.status().message();
    return made.ok() ? std::move(made.value()) : nullptr;
  }

  void TearDown() override { transport.ExpectScriptDone(); }

  FakeClock clock;
  ScriptedTransport transport;
  HttpClient http{transport, clock};
  FakeSecretResolver secrets;
  CartConfig cart;
};

const char kOrder1001[] = R"({
  "id": 727, "number": "1001", "status": "processing", "currency": "USD",
  "date_created": "2026-11-20T05:00:00", "date_created_gmt": "2026-11-20T10:00:00",
  "date_modified": "2026-11-20T06:30:00", "date_modified_gmt": "2026-11-20T11:30:00",
  "billing": {"first_name": "Jane", "last_name": "Doe", "email": "jane@example.com", "phone": "555-0100",
              "address_1": "1 Billing Rd", "city": "Austin", "country": "US"},
  "shipping": {"first_name": "Trish", "last_name": "Smith", "company": "Acme Pty Ltd",
               "address_1": "666 Sussex St", "address_2": "Unit 4", "city": "Sydney", "state": "NSW",
               "postcode": "2000", "country": "AU", "phone": ""},
  "shipping_lines": [{"id": 9, "method_title": "Flat rate", "method_id": "flat_rate"}],
  "line_items": [
    {"id": 315, "sku": "TS-RED-M", "quantity": 2, "price": 19.99, "subtotal": "39.980000",
     "total": "35.980000", "total_tax": "2.880000"},
    {"id": 316, "sku": "MUG", "quantity": 3, "price": 16.363636, "subtotal": "49.090000",
     "total": "49.090000", "total_tax": "0.000000"},
    {"id": 317, "sku": "POSTER", "quantity": 1, "price": 20},
    {"id": 318, "sku": "", "quantity": 1, "price": "5.5", "subtotal": "5.5"}
  ]})";

const char kOrder1002[] = R"({
  "id": 728, "number": "1002", "status": "on-hold", "currency": "USD",
  "date_created_gmt": "2026-11-21T08:00:00", "date_modified_gmt": "2026-11-21T09:00:00",
  "billing": {"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com", "phone": "555-0199",
              "address_1": "9 Bill St", "city": "Leeds", "postcode": "LS1", "country": "GB"},
  "shipping": {"first_name": "", "last_name": "", "address_1": "", "city": "", "country": ""},
  "shipping_lines": [],
  "line_items": [{"id": 400, "sku": "SKU-A", "quantity": 1, "price": 1.005,
                  "subtotal": "1.005000"}]})";

TEST_F(WooCommerceCartTest, FetchOrdersPagesWithFiltersAndBasicAuth) {
  transport.Expect("GET", "/wp-json/wc/v3/orders?", 200,
                   std::string("[") + kOrder1001 + "," + kOrder1002 + "]",
                   {{"X-WP-Total", "3"}, {"X-WP-TotalPages", "2"}});
  // The next window starts at the newest creation time seen (1002's), page 1;
  // 1002 comes again and is dropped as seen.
  transport.Expect(
      "GET", "after=2026-11-21T07%3A59%3A59Z&per_page=100&page=1&", 200,
      std::string("[") + kOrder1002 +
          R"(,{"id": 729, "number": "1003", "date_created_gmt": "2026-11-22T08:00:00",)"
          R"( "line_items": []}])",
      {{"X-WP-Total", "2"}, {"X-WP-TotalPages", "1"}});
  auto cart_api = Make();
  OrderWindow window;
  window.statuses["status"] = {"processing", "on-hold"};
  int64_t after = 0;
  ASSERT_TRUE(ParseTimestamp("2026-11-20T00:00:00Z", after));
  window.created_after = after;
  std::vector<size_t> pages;
  std::vector<CartOrder> all;
  Status st = cart_api->FetchOrders(window, [&](std::vector<CartOrder>&& page) {
    pages.push_back(page.size());
    for (auto& o : page) all.push_back(std::move(o));
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(pages, (std::vector<size_t>{2, 1}));
  ASSERT_EQ(transport.requests.size(), 2u);
  const std::string& url = transport.requests[0].url;
  EXPECT_EQ(url.rfind("https://shop.example.com/wp-json/wc/v3/orders?", 0), 0u) << url;
  EXPECT_NE(url.find("status=processing,on-hold"), std::string::npos) << url;
  // `after` is exclusive: one second before the inclusive window start.
  EXPECT_NE(url.find("after=2026-11-19T23%3A59%3A59Z"), std::string::npos) << url;
  EXPECT_NE(url.find("dates_are_gmt=true"), std::string::npos) << url;
  EXPECT_EQ(url.find("modified_after"), std::string::npos) << url;
  EXPECT_NE(url.find("per_page=100"), std::string::npos) << url;
  EXPECT_NE(url.find("page=1&orderby=date&order=asc&dp=6"), std::string::npos) << url;
  for (const HttpRequest& r : transport.requests) {
    EXPECT_EQ(r.method, "GET");
    EXPECT_EQ(HeaderOf(r, "Authorization"), kBasic);
    EXPECT_EQ(HeaderOf(r, "Accept"), "application/json");
    EXPECT_EQ(r.url.find(kKey), std::string::npos) << "credentials never go in the URL";
  }
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2].id, "729");
}

TEST_F(WooCommerceCartTest, UpdatedAfterUsesModifiedAfter) {
  transport.Expect("GET", "modified_after=2026-11-20T09%3A59%3A59Z", 200, "[]",
                   {{"X-WP-TotalPages", "0"}});
  auto cart_api = Make();
  OrderWindow window;
  window.statuses["status"] = {"processing"};
  int64_t t = 0;
  ASSERT_TRUE(ParseTimestamp("2026-11-20T10:00:00Z", t));
  window.updated_after = t;
  int calls = 0;
  Status st = cart_api->FetchOrders(window, [&](std::vector<CartOrder>&&) {
    ++calls;
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(calls, 0);
  ASSERT_EQ(transport.requests.size(), 1u);
  EXPECT_EQ(transport.requests[0].url.find("?after="), std::string::npos);
  EXPECT_EQ(transport.requests[0].url.find("&after="), std::string::npos);
}

TEST_F(WooCommerceCartTest, NormalizesEveryField) {
  transport.Expect("GET", "orders?", 200, std::string("[") + kOrder1001 + "," + kOrder1002 + "]",
                   {{"X-WP-TotalPages", "1"}});
  auto cart_api = Make();
  std::vector<CartOrder> all;
  Status st = cart_api->FetchOrders(OrderWindow{}, [&](std::vector<CartOrder>&& page) {
    for (auto& o : page) all.push_back(std::move(o));
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(all.size(), 2u);
  const CartOrder& o = all[0];
  EXPECT_EQ(o.id, "727");
  EXPECT_EQ(o.order_number, "1001");
  EXPECT_EQ(o.placed_at, "2026-11-20T10:00:00Z");  // the _gmt field, not the local one
  EXPECT_EQ(o.updated_at, "2026-11-20T11:30:00Z");
  EXPECT_EQ(o.status, "processing");
  EXPECT_EQ(o.ship_code, "Flat rate");
  EXPECT_EQ(o.ship_to.name, "Trish Smith");
  EXPECT_EQ(o.ship_to.company, "Acme Pty Ltd");
  EXPECT_EQ(o.ship_to.address1, "666 Sussex St");
  EXPECT_EQ(o.ship_to.address2, "Unit 4");
  EXPECT_EQ(o.ship_to.city, "Sydney");
  EXPECT_EQ(o.ship_to.region, "NSW");
  EXPECT_EQ(o.ship_to.postal_code, "2000");
  EXPECT_EQ(o.ship_to.country, "AU");
  EXPECT_EQ(o.ship_to.phone, "555-0100");  // shipping.phone empty: billing.phone
  EXPECT_EQ(o.ship_to.email, "jane@example.com");
  ASSERT_EQ(o.lines.size(), 4u);
  EXPECT_EQ(o.lines[0].line_key, "315");
  EXPECT_EQ(o.lines[0].sku, "TS-RED-M");
  EXPECT_EQ(o.lines[0].quantity, 2);
  // Money from the line's strings (subtotal / quantity), never the float
  // `price`: minor units of the order's currency, unit_price in major units.
  EXPECT_EQ(o.money.currency, "USD");
  EXPECT_EQ(o.lines[0].unit_price, "19.99");
  EXPECT_EQ(o.lines[0].unit_list_price, "1999");
  EXPECT_EQ(o.lines[0].discount, "400");  // subtotal - total
  EXPECT_EQ(o.lines[0].unit_discount, "200");
  EXPECT_EQ(o.lines[0].tax, "288");
  EXPECT_EQ(o.lines[1].unit_price, "16.36");  // 49.09 / 3
  EXPECT_EQ(o.lines[2].unit_price, "");       // no subtotal: not given
  EXPECT_EQ(o.lines[3].unit_price, "5.50");
  EXPECT_EQ(o.lines[3].sku, "");

  const CartOrder& p = all[1];
  EXPECT_EQ(p.ship_code, "");  // no shipping line
  // No shipping address at all: the billing address stands in.
  EXPECT_EQ(p.ship_to.name, "Ann Lee");
  EXPECT_EQ(p.ship_to.address1, "9 Bill St");
  EXPECT_EQ(p.ship_to.country, "GB");
  EXPECT_EQ(p.ship_to.phone, "555-0199");
  EXPECT_EQ(p.lines[0].unit_price, "1.01");  // 1.005 rounds half away, no binary noise
}

TEST_F(WooCommerceCartTest, StopsOnShortPageWithoutTotalPagesHeader) {
  transport.Expect("GET", "page=1&", 200, R"([{"id": 1, "line_items": []}])");
  auto cart_api = Make();
  int orders = 0;
  Status st = cart_api->FetchOrders(OrderWindow{}, [&](std::vector<CartOrder>&& page) {
    orders += static_cast<int>(page.size());
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(orders, 1);
}

TEST_F(WooCommerceCartTest, SinkErrorStopsPaging) {
  transport.Expect("GET", "page=1&", 200, R"([{"id": 1}])", {{"X-WP-TotalPages", "5"}});
  auto cart_api = Make();
  Status st = cart_api->FetchOrders(OrderWindow{}, [&](std::vector<CartOrder>&&) {
    return Status::Transient("state store busy");
  });
  EXPECT_TRUE(st.transient());
  EXPECT_EQ(st.message(), "state store busy");
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST_F(WooCommerceCartTest, FormatPriceHasNoFloatNoise) {
  EXPECT_EQ(woocommerce::FormatPrice(19.99), "19.99");
  EXPECT_EQ(woocommerce::FormatPrice(0.1 + 0.2), "0.30");
  EXPECT_EQ(woocommerce::FormatPrice(20), "20.00");
  EXPECT_EQ(woocommerce::FormatPrice(1.005), "1.01");
  EXPECT_EQ(woocommerce::FormatPrice(0.125), "0.13");
  EXPECT_EQ(woocommerce::FormatPrice(9.999), "10.00");
  EXPECT_EQ(woocommerce::FormatPrice(-2.5), "-2.50");
  EXPECT_EQ(woocommerce::FormatPrice(0), "0.00");
  EXPECT_EQ(woocommerce::FormatPrice(1234567.891), "1234567.89");
  EXPECT_EQ(woocommerce::GmtToIso("2017-03-22T16:28:02"), "2017-03-22T16:28:02Z");
  EXPECT_EQ(woocommerce::GmtToIso(""), "");
  EXPECT_EQ(woocommerce::GmtToIso("yesterday"), "");
  EXPECT_TRUE(woocommerce::ContainsToken("Shipped via ups, tracking 1Z999", "1Z999"));
  EXPECT_FALSE(woocommerce::ContainsToken("Shipped via ups, tracking 1Z9990", "1Z999"));
}

TrackingUpload Upload(std::string order_id = "727", std::string number = "1Z999AA10123456784") {
  TrackingUpload u;
  u.order_id = std::move(order_id);
  u.carrier_code = "ups";
  u.shipment.order_key = "acme-woo:" + u.order_id;
  u.shipment.carrier = "UPS";
  u.shipment.tracking_number = std::move(number);
  u.shipment.shipped_at = "2026-11-20T23:30:00Z";
  return u;
}

TEST_F(WooCommerceCartTest, HasTrackingReadsShipmentTrackings) {
  transport.Expect("GET", "/wp-json/wc-shipment-tracking/v3/orders/727/shipment-trackings", 200,
                   R"([{"tracking_id": "a1", "tracking_number": "1Z999AA10123456784"}])");
  transport.Expect("GET", "/wp-json/wc-shipment-tracking/v3/orders/727/shipment-trackings", 200,
                   R"([{"tracking_id": "a1", "tracking_number": "1Z999AA10123456784"}])");
  auto cart_api = Make();
  auto yes = cart_api->HasTracking("727", "1Z999AA10123456784");
  ASSERT_TRUE(yes.ok()) << yes.status().message();
  EXPECT_TRUE(yes.value());
  auto no = cart_api->HasTracking("727", "1Z999");
  ASSERT_TRUE(no.ok());
  EXPECT_FALSE(no.value());
}

// GET …/shipment-trackings/providers: the store's providers by country.
const char kProviders[] =
    R"({"United States": {"Fedex": "https://www.fedex.com/t?%1$s", "UPS": "https://www.ups.com/t?%1$s",)"
    R"( "USPS": "https://tools.usps.com/t?%1$s"}, "Australia": {"Australia Post": "https://auspost.com.au/t?%1$s"}})";

TEST_F(WooCommerceCartTest, UploadPostsTrackingThenCompletes) {
  transport.Expect("GET", "/wc-shipment-tracking/v3/orders/727/shipment-trackings", 200, "[]");
  transport.Expect("GET", "/wc-shipment-tracking/v3/orders/727/shipment-trackings/providers", 200,
                   kProviders);
  transport.Expect("POST", "/wc-shipment-tracking/v3/orders/727/shipment-trackings", 201,
                   R"({"tracking_id": "b2", "tracking_number": "1Z999AA10123456784"})");
  transport.Expect("PUT", "/wp-json/wc/v3/orders/727", 200,
                   R"({"id": 727, "status": "completed"})");
  auto cart_api = Make();
  Status st = cart_api->UploadTracking(Upload());
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(transport.requests.size(), 4u);
  const HttpRequest& post = transport.requests[2];
  EXPECT_FALSE(post.idempotent) << "a POST of tracking must not be retried blindly";
  EXPECT_EQ(HeaderOf(post, "Content-Type"), "application/json");
  auto body = Json(post.body);
  ASSERT_TRUE(body.IsObject()) << post.body;
  EXPECT_STREQ(body["tracking_provider"].GetString(), "ups");  // the store's "UPS" (same slug)
  EXPECT_FALSE(body.HasMember("custom_tracking_provider"));
  EXPECT_STREQ(body["tracking_number"].GetString(), "1Z999AA10123456784");
  EXPECT_STREQ(body["date_shipped"].GetString(), "2026-11-20");
  auto put = Json(transport.requests[3].body);
  EXPECT_STREQ(put["status"].GetString(), "completed");
}

TEST_F(WooCommerceCartTest, UploadChecksFirstAndNeverPostsADuplicate) {
  transport.Expect("GET", "/orders/727/shipment-trackings", 200,
                   R"([{"tracking_number": "1Z999AA10123456784"}])");
  transport.Expect("PUT", "/wp-json/wc/v3/orders/727", 200, R"({"id": 727})");
  auto cart_api = Make();
  Status st = cart_api->UploadTracking(Upload());
  ASSERT_TRUE(st.ok()) << st.message();
  for (const HttpRequest& r : transport.requests) EXPECT_NE(r.method, "POST") << r.url;
}

TEST_F(WooCommerceCartTest, TimeoutOnPostIsNotRetried) {
  transport.Expect("GET", "/orders/727/shipment-trackings", 200, "[]");
  transport.Expect("GET", "/orders/727/shipment-trackings/providers", 200, kProviders);
  transport.ExpectFailure("POST", "/orders/727/shipment-trackings",
                          Status::Transient("Operation timed out after 60000 milliseconds"));
  auto cart_api = Make();
  Status st = cart_api->UploadTracking(Upload());
  EXPECT_TRUE(st.transient()) << st.message();
  EXPECT_EQ(transport.requests.size(), 3u);  // one POST attempt; the caller re-checks first
}

TEST_F(WooCommerceCartTest, WithoutTheExtensionFallsBackToAnOrderNote) {
  const char kNoRoute[] =
      R"({"code": "rest_no_route", "message": "No route was found matching the URL and request method.", "data": {"status": 404}})";
  transport.Expect("GET", "/orders/727/shipment-trackings", 404, kNoRoute);
  transport.Expect(
      "GET", "/wp-json/wc/v3/orders/727/notes", 200,
      R"([{"id": 1, "note": "Order status changed from Pending payment to Processing."}])");
  transport.Expect("POST", "/wp-json/wc/v3/orders/727/notes", 201, R"({"id": 2})");
  transport.Expect("PUT", "/wp-json/wc/v3/orders/727", 200, R"({"id": 727})");
  // The connector remembers: the next check goes to the notes directly.
  transport.Expect("GET", "/wp-json/wc/v3/orders/727/notes", 200,
                   R"([{"id": 2, "note": "Shipped via ups, tracking 1Z999AA10123456784"}])");
  auto cart_api = Make();
  Status st = cart_api->UploadTracking(Upload());
  ASSERT_TRUE(st.ok()) << st.message();
  auto note = Json(transport.requests[2].body);
  ASSERT_TRUE(note.IsObject());
  EXPECT_STREQ(note["note"].GetString(), "Shipped via ups, tracking 1Z999AA10123456784");
  EXPECT_FALSE(note["customer_note"].GetBool());
  EXPECT_FALSE(transport.requests[2].idempotent);
  auto has = cart_api->HasTracking("727", "1Z999AA10123456784");
  ASSERT_TRUE(has.ok()) << has.status().message();
  EXPECT_TRUE(has.value());
}

TEST_F(WooCommerceCartTest, PostAnswering404NoRouteFallsBackToANote) {
  transport.Expect("GET", "/orders/727/shipment-trackings", 200, "[]");
  transport.Expect("GET", "/orders/727/shipment-trackings/providers", 404,
                   R"({"code": "rest_no_route", "message": "No route", "data": {"status": 404}})");
  transport.Expect("POST", "/orders/727/shipment-trackings", 404,
                   R"({"code": "rest_no_route", "message": "No route", "data": {"status": 404}})");
  transport.Expect("POST", "/wp-json/wc/v3/orders/727/notes", 201, R"({"id": 3})");
  transport.Expect("PUT", "/wp-json/wc/v3/orders/727", 200, R"({"id": 727})");
  auto cart_api = Make();
  Status st = cart_api->UploadTracking(Upload());
  ASSERT_TRUE(st.ok()) << st.message();
}

TEST_F(WooCommerceCartTest, AnUnknownProviderGoesAsCustomAndTheListIsReadOnce) {
  transport.Expect("GET", "/orders/727/shipment-trackings", 200, "[]");
  transport.Expect("GET", "/orders/727/shipment-trackings/providers", 200, kProviders);
  transport.Expect("POST", "/orders/727/shipment-trackings", 201, R"({"tracking_id": "c3"})");
  transport.Expect("PUT", "/wp-json/wc/v3/orders/727", 200, R"({"id": 727})");
  transport.Expect("GET", "/orders/728/shipment-trackings", 200, "[]");
  transport.Expect("POST", "/orders/728/shipment-trackings", 201, R"({"tracking_id": "c4"})");
  transport.Expect("PUT", "/wp-json/wc/v3/orders/728", 200, R"({"id": 728})");
  auto cart_api = Make();
  TrackingUpload lasership = Upload();
  lasership.carrier_code = "LaserShip";
  ASSERT_TRUE(cart_api->UploadTracking(lasership).ok());
  auto body = Json(transport.requests[2].body);
  ASSERT_TRUE(body.IsObject());
  EXPECT_FALSE(body.HasMember("tracking_provider"));
  EXPECT_STREQ(body["custom_tracking_provider"].GetString(), "LaserShip");
  EXPECT_FALSE(body.HasMember("custom_tracking_link"));  // no known page: left out
  TrackingUpload fedex = Upload("728", "7712345");
  fedex.carrier_code = "FEDEX";
  ASSERT_TRUE(cart_api->UploadTracking(fedex).ok());
  auto known = Json(transport.requests[5].body);
  EXPECT_STREQ(known["tracking_provider"].GetString(), "FEDEX");  // the store's "Fedex"
}

TEST_F(WooCommerceCartTest, APartialShipmentDoesNotCompleteTheOrder) {
  transport.Expect("GET", "/orders/727/shipment-trackings", 200, "[]");
  transport.Expect("GET", "/orders/727/shipment-trackings/providers", 200, kProviders);
  transport.Expect("POST", "/orders/727/shipment-trackings", 201, R"({"tracking_id": "p1"})");
  auto cart_api = Make();
  TrackingUpload part = Upload();
  part.completes_order = false;
  ASSERT_TRUE(cart_api->UploadTracking(part).ok());
  for (const HttpRequest& r : transport.requests) EXPECT_NE(r.method, "PUT") << r.url;
}

TEST_F(WooCommerceCartTest, StrippedAuthorizationFallsBackToQueryCredentials) {
  const char kMissing[] =
      R"({"code": "woocommerce_rest_authentication_error", "message": "Consumer key is missing.", "data": {"status": 401}})";
  transport.Expect("GET", "/orders/727/shipment-trackings", 401, kMissing);
  transport.Expect("GET",
                   "/orders/727/shipment-trackings?consumer_key=ck_0123456789abcdef"
                   "&consumer_secret=cs_fedcba9876543210",
                   200, "[]");
  transport.Expect("GET", "/orders/728/shipment-trackings?consumer_key=", 200, "[]");
  auto cart_api = Make();
  auto has = cart_api->HasTracking("727", "1Z9");
  ASSERT_TRUE(has.ok()) << has.status().message();
  EXPECT_EQ(HeaderOf(transport.requests[0], "Authorization"), kBasic);
  EXPECT_EQ(HeaderOf(transport.requests[1], "Authorization"), "");
  // Remembered for the run: no Basic attempt first any more.
  ASSERT_TRUE(cart_api->HasTracking("728", "1Z9").ok());
  EXPECT_EQ(transport.requests.size(), 3u);
  EXPECT_EQ(HeaderOf(transport.requests[2], "Authorization"), "");
  EXPECT_TRUE(woocommerce::QueryAuthNeeded(401, kMissing));
  EXPECT_FALSE(woocommerce::QueryAuthNeeded(
      401,
      R"({"code": "woocommerce_rest_authentication_error", "message": "Consumer key is invalid."})"));
}

TEST_F(WooCommerceCartTest, OrderNoteModeMatchesTheNumberInANote) {
  cart.api["tracking"] = Text(FieldType::Enum, "order_note");
  transport.Expect(
      "GET", "/wp-json/wc/v3/orders/727/notes", 200,
      R"([{"id": 5, "note": "Shipped via fedex, tracking 7712 3456 / 1Z999AA10123456784."}])");
  transport.Expect("PUT", "/wp-json/wc/v3/orders/727", 200, R"({"id": 727})");
  auto cart_api = Make();
  Status st = cart_api->UploadTracking(Upload());
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(transport.requests.size(), 2u);
}

// ---------------------------------------------------------------------------
// Inventory

std::string SkuOf(const std::string& url) {
  size_t p = url.find("sku=");
  if (p == std::string::npos) return "";
  std::string sku = url.substr(p + 4);
  return sku.substr(0, sku.find('&'));
}

TEST_F(WooCommerceCartTest, PushesStockInBatchesOfAHundred) {
  transport.handler = [](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (r.method == "GET" && r.url.find("/wp-json/wc/v3/products?sku=") != std::string::npos) {
      const std::string sku = SkuOf(r.url);
      const std::string id = std::to_string(1000 + std::stoi(sku.substr(4)));
      return Answer(200, R"([{"id": )" + id + R"(, "sku": ")" + sku +
                             R"(", "type": "simple", "manage_stock": true, "stock_quantity": 1}])");
    }
    if (r.method == "POST" && r.url.find("/wp-json/wc/v3/products/batch") != std::string::npos) {
      return Answer(200, R"({"update": []})");
    }
    return std::nullopt;
  };
  auto cart_api = Make();
  std::vector<InventoryPush> items;
  for (int i = 0; i < 250; ++i) items.push_back({"SKU-" + std::to_string(i), i});
  auto errors = cart_api->PushInventory(items);
  ASSERT_TRUE(errors.ok()) << errors.status().message();
  EXPECT_TRUE(errors.value().empty());
  std::vector<size_t> batch_sizes;
  for (const HttpRequest& r : transport.requests) {
    if (r.method != "POST") continue;
    auto body = Json(r.body);
    ASSERT_TRUE(body.IsObject() && body["update"].IsArray()) << r.body;
    batch_sizes.push_back(body["update"].Size());
    EXPECT_TRUE(r.idempotent);
  }
  EXPECT_EQ(batch_sizes, (std::vector<size_t>{100, 100, 50}));
  // The last item: id 1249, quantity 249.
  auto last = Json(transport.requests.back().body);
  const auto& item = last["update"][49];
  EXPECT_EQ(item["id"].GetInt64(), 1249);
  EXPECT_EQ(item["stock_quantity"].GetInt64(), 249);
}

TEST_F(WooCommerceCartTest, PushInventoryVariationsUnmanagedUnknownAndPerItemErrors) {
  // SHIRT-RED-M: the store answers with the variable parent; the variation
  // is looked up under it and updated through the variations batch.
  transport.Expect("GET", "products?sku=SHIRT-RED-M", 200,
                   R"([{"id": 10, "sku": "SHIRT", "type": "variable", "manage_stock": false}])");
  transport.Expect("GET", "products/10/variations?sku=SHIRT-RED-M", 200,
                   R"([{"id": 11, "sku": "SHIRT-RED-M", "manage_stock": true}])");
  transport.Expect("GET", "products?sku=GIFT-CARD", 200,
                   R"([{"id": 20, "sku": "GIFT-CARD", "type": "simple", "manage_stock": false}])");
  transport.Expect("GET", "products?sku=NOPE", 200, "[]");
  transport.Expect("GET", "products?sku=MUG", 200,
                   R"([{"id": 30, "sku": "MUG", "type": "simple", "manage_stock": true}])");
  transport.Expect("GET", "products?sku=CAP%20BLUE", 200,
                   R"([{"id": 40, "sku": "cap blue", "type": "simple", "manage_stock": true}])");
  transport.Expect(
      "GET", "products?sku=HAT-V", 200,
      R"([{"id": 51, "sku": "HAT-V", "type": "variation", "parent_id": 50, "manage_stock": true}])");
  transport.Expect("POST", "/wp-json/wc/v3/products/batch", 200,
                   R"({"update": [{"id": 30, "stock_quantity": 4},
                                  {"id": 40, "error": {"code": "woocommerce_rest_product_invalid_id", "message": "Invalid ID.", "data": {"status": 400}}}]})");
  transport.Expect("POST", "/wp-json/wc/v3/products/10/variations/batch", 200,
                   R"({"update": [{"id": 11, "stock_quantity": 7}]})");
  transport.Expect("POST", "/wp-json/wc/v3/products/50/variations/batch", 200,
                   R"({"update": [{"id": 51, "stock_quantity": 2}]})");
  auto cart_api = Make();
  auto errors = cart_api->PushInventory({{"SHIRT-RED-M", 7},
                                         {"GIFT-CARD", 1},
                                         {"NOPE", 3},
                                         {"MUG", 4},
                                         {"CAP BLUE", 5},
                                         {"HAT-V", 2}});
  ASSERT_TRUE(errors.ok()) << errors.status().message();
  std::map<std::string, std::string> by_sku;
  for (const PushError& e : errors.value()) {
    by_sku[e.sku] = e.message;
    EXPECT_EQ(e.not_in_cart, e.sku == "NOPE") << e.sku;
  }
  EXPECT_EQ(by_sku.size(), 3u);
  EXPECT_EQ(by_sku["GIFT-CARD"], "stock not managed");
  EXPECT_EQ(by_sku["NOPE"], "SKU not found in WooCommerce");
  EXPECT_NE(by_sku["CAP BLUE"].find("Invalid ID."), std::string::npos) << by_sku["CAP BLUE"];
  EXPECT_NE(by_sku["CAP BLUE"].find("woocommerce_rest_product_invalid_id"), std::string::npos);
  auto variation = Json(transport.requests[8].body);
  EXPECT_EQ(variation["update"][0]["id"].GetInt64(), 11);
  EXPECT_EQ(variation["update"][0]["stock_quantity"].GetInt64(), 7);
}

TEST_F(WooCommerceCartTest, ResolvedSkusAreCachedForTheConnectorsLife) {
  transport.Expect("GET", "products?sku=MUG", 200,
                   R"([{"id": 30, "sku": "MUG", "type": "simple", "manage_stock": true}])");
  transport.Expect("POST", "products/batch", 200, R"({"update": [{"id": 30}]})");
  transport.Expect("POST", "products/batch", 200, R"({"update": [{"id": 30}]})");
  auto cart_api = Make();
  ASSERT_TRUE(cart_api->PushInventory({{"MUG", 1}}).ok());
  ASSERT_TRUE(cart_api->PushInventory({{"MUG", 2}}).ok());
}

TEST_F(WooCommerceCartTest, RejectedKeysArePermanentAndNeverQuoted) {
  // A server that echoes what it was sent must not get it into a message.
  transport.Expect(
      "GET", "orders?", 401,
      std::string(
          R"({"code": "woocommerce_rest_authentication_error", "message": "Consumer key )") +
          kKey + " with secret " + kSecret + R"( is invalid.", "data": {"status": 401}})");
  auto cart_api = Make();
  Status st =
      cart_api->FetchOrders(OrderWindow{}, [](std::vector<CartOrder>&&) { return Status::Ok(); });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_NE(st.message().find("WooCommerce rejected the API keys (HTTP 401)"), std::string::npos)
      << st.message();
  EXPECT_EQ(st.message().find(kKey), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find(kSecret), std::string::npos) << st.message();
  EXPECT_EQ(transport.requests.size(), 1u) << "a 401 is not retried";
}

TEST_F(WooCommerceCartTest, ErrorBodiesBecomeMessages) {
  transport.Expect(
      "PUT", "/wp-json/wc/v3/orders/727", 400,
      R"({"code": "woocommerce_rest_shop_order_invalid_status", "message": "Invalid order status.", "data": {"status": 400}})");
  cart.api["tracking"] = Text(FieldType::Enum, "order_note");
  transport.script.push_front(
      {"GET", "/orders/727/notes", Answer(200, R"([{"note": "1Z999AA10123456784"}])")});
  auto cart_api = Make();
  Status st = cart_api->UploadTracking(Upload());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_NE(st.message().find("HTTP 400"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("Invalid order status."), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("woocommerce_rest_shop_order_invalid_status"), std::string::npos);
}

TEST_F(WooCommerceCartTest, ServerErrorsAreRetriedThenTransient) {
  for (int i = 0; i < 5; ++i) transport.Expect("GET", "orders?", 503, "<html>busy</html>");
  auto cart_api = Make();
  Status st =
      cart_api->FetchOrders(OrderWindow{}, [](std::vector<CartOrder>&&) { return Status::Ok(); });
  EXPECT_TRUE(st.transient()) << st.message();
  EXPECT_EQ(st.message().find(kKey), std::string::npos);
}

TEST_F(WooCommerceCartTest, BaseUrlOverrideAndUrlRules) {
  cart.api["base_url"] = Text(FieldType::Url, "http://127.0.0.1:8089/shop");
  transport.Expect("GET", "http://127.0.0.1:8089/shop/wp-json/wc/v3/orders?", 200, "[]");
  auto cart_api = Make();
  ASSERT_TRUE(
      cart_api->FetchOrders(OrderWindow{}, [](std::vector<CartOrder>&&) { return Status::Ok(); })
          .ok());

  CartConfig insecure = cart;
  insecure.api["base_url"] = Text(FieldType::Url, "http://shop.example.com");
  auto made = MakeWooCommerceCart(insecure, ConnectorDeps{&http, &secrets});
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.status().message().find("https://"), std::string::npos) << made.status().message();

  CartConfig no_key = cart;
  no_key.api.erase("consumer_key");
  EXPECT_FALSE(MakeWooCommerceCart(no_key, ConnectorDeps{&http, &secrets}).ok());

  secrets.values.erase("env:WOO_SECRET");
  auto fresh = Make();
  Status st =
      fresh->FetchOrders(OrderWindow{}, [](std::vector<CartOrder>&&) { return Status::Ok(); });
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_NE(st.message().find("env:WOO_SECRET"), std::string::npos) << st.message();
}

// Offset pages lose orders: one that leaves the status filter between two
// requests shifts the rest back by one. The store below serves `page` and
// `after` alike; anchored windows must download every order that stays
// eligible, once.
TEST_F(WooCommerceCartTest, OrderLeavingTheFilterMidFetchSkipsNoOtherOrder) {
  struct StoreOrder {
    int64_t id, created;
  };
  std::vector<StoreOrder> open;
  const int64_t t0 = 1'795'000'000;
  for (int64_t i = 0; i < 350; ++i) open.push_back({1000 + i, t0 + i / 3});  // 3 per second
  int list_calls = 0;
  auto param = [](const std::string& url, const std::string& name) -> std::string {
    size_t at = url.find("&" + name + "=");
    if (at == std::string::npos) at = url.find("?" + name + "=");
    if (at == std::string::npos) return "";
    size_t from = at + name.size() + 2;
    return url.substr(from, url.find('&', from) - from);
  };
  transport.handler = [&](const HttpRequest& r) -> std::optional<HttpResponse> {
    const std::string& u = r.url;
    if (u.find("/wp-json/wc/v3/orders?") == std::string::npos) return std::nullopt;
    if (list_calls++ > 0) open.erase(open.begin() + 1);  // completed by the merchant
    int64_t after = 0;
    std::string a = param(u, "after");
    if (!a.empty()) {
      for (std::string::size_type p; (p = a.find("%3A")) != std::string::npos;)
        a.replace(p, 3, ":");
      EXPECT_TRUE(ParseTimestamp(a, after)) << a;
    }
    const int64_t page = std::stoll(param(u, "page"));
    std::vector<StoreOrder> match;
    for (const StoreOrder& o : open)
      if (a.empty() || o.created > after) match.push_back(o);
    const size_t from = static_cast<size_t>((page - 1) * 100);
    std::string body = "[";
    for (size_t i = from; i < match.size() && i < from + 100; ++i) {
      if (i > from) body += ",";
      body += R"({"id": )" + std::to_string(match[i].id) + R"(, "date_created_gmt": ")" +
              FormatIsoUtc(match[i].created).substr(0, 19) + R"(", "line_items": []})";
    }
    const int64_t total = static_cast<int64_t>(match.size());
    return Answer(200, body + "]",
                  {{"X-WP-Total", std::to_string(total)},
                   {"X-WP-TotalPages", std::to_string((total + 99) / 100)}});
  };
  auto cart_api = Make();
  std::set<std::string> got;
  Status st = cart_api->FetchOrders(OrderWindow{}, [&](std::vector<CartOrder>&& page) {
    for (const CartOrder& o : page) EXPECT_TRUE(got.insert(o.id).second) << "twice: " << o.id;
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  for (const StoreOrder& o : open)
    EXPECT_TRUE(got.count(std::to_string(o.id))) << "lost order " << o.id;
  EXPECT_GE(list_calls, 4);
  EXPECT_LE(list_calls, 6);
}

TEST_F(WooCommerceCartTest, AFullPageWithinOneSecondReadsTheNextPageOfThatSecond) {
  std::string same_second = "[";
  for (int i = 0; i < 100; ++i)
    same_second += std::string(i ? "," : "") + R"({"id": )" + std::to_string(i + 1) +
                   R"(, "date_created_gmt": "2026-11-20T10:00:00", "line_items": []})";
  same_second += "]";
  transport.Expect("GET", "dates_are_gmt=true&per_page=100&page=1&", 200, same_second,
                   {{"X-WP-TotalPages", "2"}});
  // The anchor moved to 10:00:00: page 1 of that window is the same 100.
  transport.Expect("GET", "after=2026-11-20T09%3A59%3A59Z&per_page=100&page=1&", 200, same_second,
                   {{"X-WP-TotalPages", "2"}});
  transport.Expect("GET", "after=2026-11-20T09%3A59%3A59Z&per_page=100&page=2&", 200,
                   R"([{"id": 101, "date_created_gmt": "2026-11-20T10:00:00", "line_items": []}])",
                   {{"X-WP-TotalPages", "2"}});
  auto cart_api = Make();
  std::vector<size_t> pages;
  Status st = cart_api->FetchOrders(OrderWindow{}, [&](std::vector<CartOrder>&& page) {
    pages.push_back(page.size());
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(pages, (std::vector<size_t>{100, 1}));
}

}  // namespace
}  // namespace cartsync

// Walmart connector against a scripted transport: the real HttpClient
// (retries, idempotency rules) over a fake that checks each request's method
// and URL, answers from a script and records everything sent — so every
// request's headers (WM_SEC.ACCESS_TOKEN, WM_SVC.NAME, a fresh
// WM_QOS.CORRELATION_ID) can be checked. The answers are shaped after the
// examples of shared/openapi/walmart/*.json.
#include "runtime/carts/walmart_cart.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <set>
#include <string>
#include <vector>

#include "runtime/carts/connectors.h"
#include "runtime/net/http_client.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_secrets.h"
#include "tests/support/scripted_transport.h"

namespace cartsync {
namespace {

constexpr char kSecret[] = "wm_cl13nt_s3cr3t_value";
// base64("wm-client-1:wm_cl13nt_s3cr3t_value")
constexpr char kBasic[] = "Basic d20tY2xpZW50LTE6d21fY2wxM250X3MzY3IzdF92YWx1ZQ==";
constexpr char kToken[] = "eyJraWQiOiJ3bS10b2tlbi0x.access.token";
constexpr char kTokenAnswer[] =
    R"({"access_token":"eyJraWQiOiJ3bS10b2tlbi0x.access.token","token_type":"Bearer","expires_in":900})";

FieldValue TextField(std::string text) {
  FieldValue v;
  v.type = FieldType::String;
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

/// One order as getAllOrders / getAnOrder show it; `lines` is the JSON of
/// orderLines.orderLine's entries.
std::string OrderJson(const std::string& id, const std::string& lines,
                      const std::string& method = "Value") {
  return R"({"purchaseOrderId":")" + id + R"(","customerOrderId":"5281956426648",)" +
         R"("customerEmailId":"3A31739D@relay.walmart.com","orderDate":1568466571000,)" +
         R"("shippingInfo":{"phone":"3155598681","estimatedDeliveryDate":1569438000000,)" +
         R"("estimatedShipDate":1568700000000,"methodCode":")" + method + R"(",)" +
         R"("postalAddress":{"name":"Kathryn Cole","address1":"3258BWarners rd",)" +
         R"("address2":"Garage","city":"Warners","state":"NY","postalCode":"13164",)" +
         R"("country":"USA","addressType":"RESIDENTIAL"}},)" + R"("orderLines":{"orderLine":[)" +
         lines + "]}}";
}

/// One order line: `statuses` the orderLineStatus entries.
std::string LineJson(const std::string& number, const std::string& sku, int ordered,
                     const std::string& statuses, double price = 10,
                     int64_t status_date = 1568466647000) {
  return R"({"lineNumber":")" + number + R"(","item":{"productName":"Laundry Bag","sku":")" + sku +
         R"("},"charges":{"charge":[{"chargeType":"PRODUCT","chargeName":"ItemPrice",)" +
         R"("chargeAmount":{"currency":"USD","amount":)" + std::to_string(price) +
         R"(},"tax":{"taxName":"Tax1","taxAmount":{"currency":"USD","amount":0.8}}}]},)" +
         R"("orderLineQuantity":{"unitOfMeasurement":"EACH","amount":")" + std::to_string(ordered) +
         R"("},"statusDate":)" + std::to_string(status_date) +
         R"(,"orderLineStatuses":{"orderLineStatus":[)" + statuses + "]}}";
}

std::string StatusJson(const std::string& status, int amount, const std::string& tracking = "") {
  std::string s = R"({"status":")" + status +
                  R"(","statusQuantity":{"unitOfMeasurement":"EACH","amount":")" +
                  std::to_string(amount) + R"("})";
  if (!tracking.empty())
    s += R"(,"trackingInfo":{"shipDateTime":1580821866000,"carrierName":{"carrier":"UPS"},)"
         R"("methodCode":"Standard","trackingNumber":")" +
         tracking + R"("})";
  return s + "}";
}

std::string ListJson(const std::vector<std::string>& orders, const std::string& cursor = "") {
  std::string joined;
  for (const std::string& o : orders) joined += (joined.empty() ? "" : ",") + o;
  return R"({"list":{"meta":{"totalCount":)" + std::to_string(orders.size()) + R"(,"limit":200)" +
         (cursor.empty() ? "" : R"(,"nextCursor":")" + cursor + "\"") +
         R"(},"elements":{"order":[)" + joined + "]}}}";
}

std::string OneOrder(const std::string& order) { return R"({"order":)" + order + "}"; }

class WalmartCartTest : public ::testing::Test {
 protected:
  WalmartCartTest() {
    secrets.values["env:WM_SECRET"] = kSecret;
    cart.id = "summit-walmart";
    cart.platform = "walmart";
    cart.api["client_id"] = TextField("wm-client-1");
    cart.api["client_secret"] = SecretField("WM_SECRET");
  }

  std::unique_ptr<CartConnector> Make() {
    auto made = MakeWalmartCart(cart, ConnectorDeps{&http, &secrets});
    EXPECT_TRUE(made.ok()) << made.status().message();
    return made.ok() ? std::move(made.value()) : nullptr;
  }

  void ExpectToken() { transport.Expect("POST", "/v3/token", 200, kTokenAnswer); }

  void TearDown() override {
    transport.ExpectScriptDone();
    std::set<std::string> correlation_ids;
    const HttpRequest* previous = nullptr;
    for (const HttpRequest& r : transport.requests) {
      SCOPED_TRACE(r.method + " " + r.url);
      // HttpClient's own retry (429) sends the same request again.
      const bool retry =
          previous != nullptr && previous->url == r.url &&
          HeaderOf(*previous, "WM_QOS.CORRELATION_ID") == HeaderOf(r, "WM_QOS.CORRELATION_ID");
      previous = &r;
      EXPECT_FALSE(Contains(r.url, kSecret));
      EXPECT_FALSE(Contains(r.url, kToken));
      EXPECT_EQ(HeaderOf(r, "WM_SVC.NAME"), "Walmart Marketplace");
      EXPECT_EQ(HeaderOf(r, "Accept"), "application/json");
      const std::string id = HeaderOf(r, "WM_QOS.CORRELATION_ID");
      EXPECT_EQ(id.size(), 36u);
      EXPECT_TRUE(correlation_ids.insert(id).second || retry) << "correlation id reused: " << id;
      if (Contains(r.url, "/v3/token")) {
        EXPECT_EQ(HeaderOf(r, "Authorization"), kBasic);
        EXPECT_EQ(r.body, "grant_type=client_credentials");
        EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/x-www-form-urlencoded");
        EXPECT_EQ(HeaderOf(r, "WM_SEC.ACCESS_TOKEN"), "");
      } else {
        EXPECT_EQ(HeaderOf(r, "WM_SEC.ACCESS_TOKEN"), kToken);
        EXPECT_EQ(HeaderOf(r, "Authorization"), "");
        EXPECT_FALSE(Contains(r.body, kSecret));
      }
    }
  }

  FakeClock clock;
  ScriptedTransport transport;
  HttpClient http{transport, clock};
  FakeSecretResolver secrets;
  CartConfig cart;
};

// --- pure helpers -----------------------------------------------------------

TEST(WalmartHelpers, DatesCountriesCarriersAndUuids) {
  EXPECT_EQ(walmart::DateText("1568466571000"), "2019-09-14T13:09:31Z");
  EXPECT_EQ(walmart::DateText("2019-09-14T15:09:31+02:00"), "2019-09-14T13:09:31Z");
  EXPECT_EQ(walmart::DateText("soon"), "");
  EXPECT_EQ(walmart::CountryCode("USA"), "US");
  EXPECT_EQ(walmart::CountryCode("us"), "US");
  EXPECT_EQ(walmart::CountryCode("Narnia"), "Narnia");
  EXPECT_EQ(walmart::KnownCarrier("fedex"), "FedEx");
  EXPECT_EQ(walmart::KnownCarrier(" UPS "), "UPS");
  EXPECT_EQ(walmart::KnownCarrier("Acme Couriers"), "");
  EXPECT_EQ(walmart::FormatUuid(0, 0), "00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(walmart::FormatUuid(~0ull, ~0ull), "ffffffff-ffff-4fff-bfff-ffffffffffff");
  EXPECT_EQ(
      walmart::ErrorText(
          R"({"errors":{"error":[{"code":"UNAUTHORIZED.GMP_GATEWAY_API","field":"UNAUTHORIZED","description":"Unauthorized","info":"Unauthorized token"}]}})"),
      "UNAUTHORIZED.GMP_GATEWAY_API (UNAUTHORIZED): Unauthorized");
  EXPECT_EQ(walmart::ErrorText(R"({"errors":[{"code":"CONTENT_NOT_FOUND.GMP_ORDER_API"}]})"),
            "CONTENT_NOT_FOUND.GMP_ORDER_API");
  EXPECT_EQ(walmart::ErrorText("<html>down</html>"), "<html>down</html>");
}

// --- configuration ----------------------------------------------------------

TEST_F(WalmartCartTest, ConfigurationErrorsNameTheField) {
  CartConfig bad = cart;
  bad.api.erase("client_id");
  auto made = MakeWalmartCart(bad, ConnectorDeps{&http, &secrets});
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().message(),
            "cart \"summit-walmart\" (Walmart): [api].client_id is not set");
  bad = cart;
  bad.api.erase("client_secret");
  made = MakeWalmartCart(bad, ConnectorDeps{&http, &secrets});
  ASSERT_FALSE(made.ok());
  EXPECT_TRUE(Contains(made.status().message(), "[api].client_secret is not set"));
  bad = cart;
  bad.api["base_url"] = TextField("http://walmart.example.com");
  made = MakeWalmartCart(bad, ConnectorDeps{&http, &secrets});
  ASSERT_FALSE(made.ok());
  EXPECT_TRUE(Contains(made.status().message(), "Walmart [api].base_url"));
  EXPECT_TRUE(MakeCartConnector(cart, ConnectorDeps{&http, &secrets}).ok());
}

TEST_F(WalmartCartTest, AcknowledgesOrders) {
  auto c = Make();
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->AcknowledgesOrders());
}

// --- orders -----------------------------------------------------------------

TEST_F(WalmartCartTest, FetchNormalizesOrdersAndFollowsTheCursor) {
  cart.api["channel_type"] = TextField("0f3e4dd4-0514-4346-b39d-af0e00ea066d");
  ExpectToken();
  const std::string first =
      OrderJson("1796277083022",
                LineJson("4", "test1", 1, StatusJson("Created", 1)) + "," +
                    LineJson("5", "TEST-02", 3,
                             StatusJson("Acknowledged", 2) + "," + StatusJson("Shipped", 1, "1Z1"),
                             30, 1568527247000) +
                    "," + LineJson("6", "GONE", 1, StatusJson("Cancelled", 1)));
  transport.Expect(
      "GET", "/v3/orders?status=Created&createdStartDate=2026-05-01T00%3A00%3A00Z&limit=200", 200,
      ListJson({first}, "?limit=200&hasMoreElements=true&soIndex=1&poIndex=1&sellerId=8"));
  transport.Expect(
      "GET", "/v3/orders?limit=200&hasMoreElements=true&soIndex=1&poIndex=1&sellerId=8", 200,
      ListJson({OrderJson("P2", LineJson("1", "B", 1, StatusJson("Created", 1)), "Express")}));
  auto c = Make();
  ASSERT_NE(c, nullptr);
  OrderWindow window;
  window.statuses["status"] = {"Created"};
  window.created_after = 1777593600;  // 2026-05-01
  std::vector<CartOrder> orders;
  int pages = 0;
  Status st = c->FetchOrders(window, [&](std::vector<CartOrder>&& page) {
    ++pages;
    for (CartOrder& o : page) orders.push_back(std::move(o));
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(pages, 2);
  ASSERT_EQ(orders.size(), 2u);
  const CartOrder& o = orders[0];
  EXPECT_EQ(o.id, "1796277083022");
  EXPECT_EQ(o.order_number, "5281956426648");
  EXPECT_EQ(o.placed_at, "2019-09-14T13:09:31Z");
  EXPECT_EQ(o.updated_at, "2019-09-15T06:00:47Z");  // the newest statusDate
  EXPECT_EQ(o.status, "Created/Acknowledged/Shipped/Cancelled");
  EXPECT_EQ(o.ship_code, "Value");
  EXPECT_EQ(o.ship_to.name, "Kathryn Cole");
  EXPECT_EQ(o.ship_to.address2, "Garage");
  EXPECT_EQ(o.ship_to.region, "NY");
  EXPECT_EQ(o.ship_to.country, "US");
  EXPECT_EQ(o.ship_to.phone, "3155598681");
  EXPECT_EQ(o.ship_to.email, "3A31739D@relay.walmart.com");
  ASSERT_EQ(o.lines.size(), 2u);  // the cancelled line has nothing to ship
  EXPECT_EQ(o.lines[0].line_key, "4");
  EXPECT_EQ(o.lines[0].sku, "test1");
  EXPECT_EQ(o.lines[0].quantity, 1);
  EXPECT_EQ(o.lines[0].unit_price, "10.00");
  EXPECT_EQ(o.lines[1].quantity, 2);  // 3 ordered, 1 shipped
  EXPECT_EQ(o.lines[1].unit_price, "10.00");
  EXPECT_EQ(orders[1].ship_code, "Express");
  for (const HttpRequest& r : transport.requests)
    EXPECT_EQ(HeaderOf(r, "WM_CONSUMER.CHANNEL.TYPE"), "0f3e4dd4-0514-4346-b39d-af0e00ea066d");
}

TEST_F(WalmartCartTest, UpdatedWindowUsesLastModifiedAndOneSeriesPerStatus) {
  ExpectToken();
  const std::string both =
      OrderJson("P1", LineJson("1", "A", 1, StatusJson("Created", 1)) + "," +
                          LineJson("2", "B", 1, StatusJson("Acknowledged", 1)));
  transport.Expect("GET",
                   "/v3/orders?status=Created&createdStartDate=2026-05-20T00%3A00%3A00Z"
                   "&lastModifiedStartDate=2026-11-16T00%3A00%3A00Z&limit=200",
                   200, ListJson({both}));
  transport.Expect("GET", "/v3/orders?status=Acknowledged&createdStartDate=", 200,
                   ListJson({both}));
  // Updated-after pulls add a Cancelled series for cancellations.
  transport.Expect("GET", "/v3/orders?status=Cancelled&createdStartDate=", 200, ListJson({}));
  auto c = Make();
  ASSERT_NE(c, nullptr);
  OrderWindow window;
  window.statuses["status"] = {"Created", "Acknowledged"};
  window.updated_after = 1794787200;  // 2026-11-16
  size_t count = 0;
  Status st = c->FetchOrders(window, [&](std::vector<CartOrder>&& page) {
    count += page.size();
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(count, 1u);  // the duplicate from the second series is dropped
}

TEST_F(WalmartCartTest, NoOrdersIs404AndEndsTheSeries) {
  ExpectToken();
  transport.Expect("GET", "/v3/orders?status=Created", 404,
                   R"({"errors":[{"code":"CONTENT_NOT_FOUND.GMP_ORDER_API","field":"data",)"
                   R"("description":"No orders found","info":"","severity":"INFO"}]})");
  auto c = Make();
  ASSERT_NE(c, nullptr);
  OrderWindow window;
  window.statuses["status"] = {"Created"};
  window.created_after = 1777593600;
  bool called = false;
  Status st = c->FetchOrders(window, [&](std::vector<CartOrder>&&) {
    called = true;
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_FALSE(called);
}

TEST_F(WalmartCartTest, RepeatedCursorIsAnErrorNotAnotherRequest) {
  ExpectToken();
  const std::string order = OrderJson("P1", LineJson("1", "A", 1, StatusJson("Created", 1)));
  transport.Expect("GET", "/v3/orders?status=Created", 200, ListJson({order}, "?c=1"));
  transport.Expect("GET", "/v3/orders?c=1", 200, ListJson({order}, "?c=1"));
  auto c = Make();
  ASSERT_NE(c, nullptr);
  OrderWindow window;
  window.statuses["status"] = {"Created"};
  window.created_after = 1777593600;
  Status st = c->FetchOrders(window, [](std::vector<CartOrder>&&) { return Status::Ok(); });
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(Contains(st.message(), "nextCursor repeats"));
}

TEST_F(WalmartCartTest, UnreadableOrderIsPermanentAndNamed) {
  ExpectToken();
  transport.Expect("GET", "/v3/orders", 200,
                   ListJson({OrderJson("P9", R"({"lineNumber":"1","item":{"sku":"A"},)"
                                             R"("orderLineQuantity":{"amount":"two"}})")}));
  auto c = Make();
  ASSERT_NE(c, nullptr);
  OrderWindow window;
  window.statuses["status"] = {"Created"};
  window.created_after = 1777593600;
  Status st = c->FetchOrders(window, [](std::vector<CartOrder>&&) { return Status::Ok(); });
  ASSERT_FALSE(st.ok());
  EXPECT_FALSE(st.transient());
  EXPECT_TRUE(Contains(st.message(), "Walmart order P9")) << st.message();
}

// --- authentication ---------------------------------------------------------

TEST_F(WalmartCartTest, TokenIsReusedThenRefreshedBeforeExpiry) {
  ExpectToken();
  const std::string order =
      OneOrder(OrderJson("P1", LineJson("1", "A", 1, StatusJson("Created", 1))));
  transport.Expect("GET", "/v3/orders/P1", 200, order);
  transport.Expect("GET", "/v3/orders/P1", 200, order);
  ExpectToken();
  transport.Expect("GET", "/v3/orders/P1", 200, order);
  auto c = Make();
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->HasTracking("P1", "X").ok());
  clock.Advance(5 * 60'000);
  EXPECT_TRUE(c->HasTracking("P1", "X").ok());
  clock.Advance(6 * 60'000);  // 11 minutes: within 5 minutes of the 15-minute expiry
  EXPECT_TRUE(c->HasTracking("P1", "X").ok());
}

TEST_F(WalmartCartTest, A401GetsOneFreshTokenThenIsPermanentWithoutTheToken) {
  ExpectToken();
  const std::string echo = std::string(R"({"errors":[{"code":"UNAUTHORIZED.GMP_GATEWAY_API",)") +
                           R"("description":"bad token )" + kToken + R"("}]})";
  transport.Expect("GET", "/v3/orders/P1", 401, echo);
  ExpectToken();
  transport.Expect("GET", "/v3/orders/P1", 401, echo);
  auto c = Make();
  ASSERT_NE(c, nullptr);
  auto r = c->HasTracking("P1", "X");
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(r.status().transient());
  EXPECT_TRUE(Contains(r.status().message(), "Walmart rejected the token (HTTP 401)"));
  EXPECT_FALSE(Contains(r.status().message(), kToken));
  EXPECT_TRUE(Contains(r.status().message(), "REDACTED"));
}

TEST_F(WalmartCartTest, RefusedGrantIsPermanentAndQuotesNoSecret) {
  transport.Expect(
      "POST", "/v3/token", 401,
      std::string(R"({"error":"invalid_client","error_description":"bad )") + kSecret + "\"}");
  auto c = Make();
  ASSERT_NE(c, nullptr);
  auto r = c->HasTracking("P1", "X");
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(r.status().transient());
  EXPECT_TRUE(Contains(r.status().message(), "Walmart token request"));
  EXPECT_FALSE(Contains(r.status().message(), kSecret));
}

// --- tracking ---------------------------------------------------------------

TEST_F(WalmartCartTest, HasTrackingReadsEveryLinesTrackingInfo) {
  ExpectToken();
  const std::string order =
      OneOrder(OrderJson("P1", LineJson("1", "A", 1, StatusJson("Shipped", 1, "1Z111")) + "," +
                                   LineJson("2", "B", 1, StatusJson("Shipped", 1, "1Z222"))));
  transport.Expect("GET", "/v3/orders/P1", 200, order);
  transport.Expect("GET", "/v3/orders/P1", 200, order);
  auto c = Make();
  ASSERT_NE(c, nullptr);
  auto yes = c->HasTracking("P1", "1Z222");
  ASSERT_TRUE(yes.ok());
  EXPECT_TRUE(yes.value());
  auto no = c->HasTracking("P1", "1Z2");
  ASSERT_TRUE(no.ok());
  EXPECT_FALSE(no.value());
  EXPECT_FALSE(c->HasTracking("", "1Z").ok());
}

TrackingUpload Upload(const std::string& order, const std::string& number,
                      const std::string& carrier = "UPS") {
  TrackingUpload u;
  u.order_id = order;
  u.carrier_code = carrier;
  u.shipment.tracking_number = number;
  u.shipment.shipped_at = "2026-11-18T10:00:00Z";
  return u;
}

TEST_F(WalmartCartTest, UploadPostsEveryOpenLine) {
  ExpectToken();
  transport.Expect("GET", "/v3/orders/P1", 200,
                   OneOrder(OrderJson("P1",
                                      LineJson("1", "A", 2, StatusJson("Acknowledged", 2)) + "," +
                                          LineJson("2", "B", 1, StatusJson("Cancelled", 1)),
                                      "Express")));
  transport.Expect("POST", "/v3/orders/P1/shipping", 200, OneOrder(OrderJson("P1", "")));
  auto c = Make();
  ASSERT_NE(c, nullptr);
  Status st = c->UploadTracking(Upload("P1", "1Z999", "ups"));
  ASSERT_TRUE(st.ok()) << st.message();
  const HttpRequest& post = transport.requests.back();
  EXPECT_EQ(HeaderOf(post, "Content-Type"), "application/json");
  EXPECT_FALSE(post.idempotent);
  auto body = Json(post.body);
  ASSERT_TRUE(body.IsObject()) << post.body;
  const auto& lines = body["orderShipment"]["orderLines"]["orderLine"];
  ASSERT_EQ(lines.Size(), 1u);
  EXPECT_STREQ(lines[0]["lineNumber"].GetString(), "1");
  EXPECT_STREQ(lines[0]["sellerOrderId"].GetString(), "5281956426648");
  const auto& s = lines[0]["orderLineStatuses"]["orderLineStatus"][0];
  EXPECT_STREQ(s["status"].GetString(), "Shipped");
  EXPECT_STREQ(s["statusQuantity"]["unitOfMeasurement"].GetString(), "EACH");
  EXPECT_STREQ(s["statusQuantity"]["amount"].GetString(), "2");
  EXPECT_EQ(s["trackingInfo"]["shipDateTime"].GetInt64(), 1794996000000);  // shipped_at
  EXPECT_STREQ(s["trackingInfo"]["carrierName"]["carrier"].GetString(), "UPS");
  EXPECT_FALSE(s["trackingInfo"]["carrierName"].HasMember("otherCarrier"));
  EXPECT_STREQ(s["trackingInfo"]["methodCode"].GetString(), "Express");
  EXPECT_STREQ(s["trackingInfo"]["trackingNumber"].GetString(), "1Z999");
}

TEST_F(WalmartCartTest, PartialShipmentAndAnUnknownCarrierAsOtherCarrier) {
  ExpectToken();
  transport.Expect(
      "GET", "/v3/orders/P1", 200,
      OneOrder(OrderJson("P1", LineJson("1", "A", 3, StatusJson("Acknowledged", 3)) + "," +
                                   LineJson("2", "B", 1, StatusJson("Created", 1)))));
  transport.Expect("POST", "/v3/orders/P1/shipping", 200, "{}");
  auto c = Make();
  ASSERT_NE(c, nullptr);
  TrackingUpload u = Upload("P1", "ACME-1", "Acme Couriers");
  u.shipment.lines = {{"1", "A", 2}, {"9", "Z", 1}};
  ASSERT_TRUE(c->UploadTracking(u).ok());
  auto body = Json(transport.requests.back().body);
  const auto& lines = body["orderShipment"]["orderLines"]["orderLine"];
  ASSERT_EQ(lines.Size(), 1u);
  const auto& s = lines[0]["orderLineStatuses"]["orderLineStatus"][0];
  EXPECT_STREQ(s["statusQuantity"]["amount"].GetString(), "2");
  EXPECT_STREQ(s["trackingInfo"]["carrierName"]["otherCarrier"].GetString(), "Acme Couriers");
  EXPECT_FALSE(s["trackingInfo"]["carrierName"].HasMember("carrier"));
}

TEST_F(WalmartCartTest, UploadFindingTheNumberPostsNothing) {
  ExpectToken();
  transport.Expect(
      "GET", "/v3/orders/P1", 200,
      OneOrder(OrderJson("P1", LineJson("1", "A", 1, StatusJson("Shipped", 1, "1Z999")))));
  auto c = Make();
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->UploadTracking(Upload("P1", "1Z999")).ok());
  EXPECT_EQ(transport.calls(), 2u);
}

TEST_F(WalmartCartTest, TimeoutOnTheShippingPostIsNotRetried) {
  ExpectToken();
  transport.Expect("GET", "/v3/orders/P1", 200,
                   OneOrder(OrderJson("P1", LineJson("1", "A", 1, StatusJson("Acknowledged", 1)))));
  transport.ExpectFailure("POST", "/v3/orders/P1/shipping", Status::Transient("timed out"));
  auto c = Make();
  ASSERT_NE(c, nullptr);
  Status st = c->UploadTracking(Upload("P1", "1Z999"));
  EXPECT_TRUE(st.transient());
}

TEST_F(WalmartCartTest, A2xxThatIsNotJsonIsNotDone) {
  ExpectToken();
  transport.Expect("GET", "/v3/orders/P1", 200,
                   OneOrder(OrderJson("P1", LineJson("1", "A", 1, StatusJson("Acknowledged", 1)))));
  transport.Expect("POST", "/v3/orders/P1/shipping", 200, "<html>maintenance</html>",
                   {{"Content-Type", "text/html"}});
  auto c = Make();
  ASSERT_NE(c, nullptr);
  Status st = c->UploadTracking(Upload("P1", "1Z999"));
  EXPECT_TRUE(st.transient());
  EXPECT_TRUE(Contains(st.message(), "not JSON"));
}

TEST_F(WalmartCartTest, RefusedShippingUpdateQuotesWalmartsError) {
  ExpectToken();
  transport.Expect("GET", "/v3/orders/P1", 200,
                   OneOrder(OrderJson("P1", LineJson("1", "A", 1, StatusJson("Acknowledged", 1)))));
  transport.Expect("POST", "/v3/orders/P1/shipping", 400,
                   R"({"errors":{"error":[{"code":"INVALID_REQUEST_CONTENT.GMP_ORDER_API",)"
                   R"("field":"data","description":"Unable to process this request."}]}})");
  auto c = Make();
  ASSERT_NE(c, nullptr);
  Status st = c->UploadTracking(Upload("P1", "1Z999"));
  ASSERT_FALSE(st.ok());
  EXPECT_FALSE(st.transient());
  EXPECT_EQ(st.message(),
            "Walmart answered HTTP 400 to POST /v3/orders/P1/shipping: "
            "INVALID_REQUEST_CONTENT.GMP_ORDER_API (data): Unable to process this request.");
}

// --- acknowledge ------------------------------------------------------------

CartOrder Downloaded(const std::string& id) {
  CartOrder o;
  o.id = id;
  return o;
}

TEST_F(WalmartCartTest, AcknowledgeLooksFirstThenPostsOnce) {
  ExpectToken();
  transport.Expect("GET", "/v3/orders/P1", 200,
                   OneOrder(OrderJson("P1", LineJson("1", "A", 1, StatusJson("Created", 1)))));
  transport.Expect("POST", "/v3/orders/P1/acknowledge", 200,
                   OneOrder(OrderJson("P1", LineJson("1", "A", 1, StatusJson("Acknowledged", 1)))));
  auto c = Make();
  ASSERT_NE(c, nullptr);
  Status st = c->AcknowledgeOrder(Downloaded("P1"));
  ASSERT_TRUE(st.ok()) << st.message();
  const HttpRequest& post = transport.requests.back();
  EXPECT_FALSE(post.idempotent);
  EXPECT_TRUE(post.body.empty());
}

TEST_F(WalmartCartTest, AcknowledgeDoesNothingWhenNoLineIsCreated) {
  ExpectToken();
  transport.Expect(
      "GET", "/v3/orders/P1", 200,
      OneOrder(OrderJson("P1", LineJson("1", "A", 1, StatusJson("Acknowledged", 1)) + "," +
                                   LineJson("2", "B", 1, StatusJson("Shipped", 1, "1Z")))));
  auto c = Make();
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->AcknowledgeOrder(Downloaded("P1")).ok());
  EXPECT_EQ(transport.calls(), 2u);  // the token and the look
}

TEST_F(WalmartCartTest, AcknowledgeTimeoutIsTransientAndNotRetried) {
  ExpectToken();
  transport.Expect("GET", "/v3/orders/P1", 200,
                   OneOrder(OrderJson("P1", LineJson("1", "A", 1, StatusJson("Created", 1)))));
  transport.ExpectFailure("POST", "/v3/orders/P1/acknowledge", Status::Transient("timed out"));
  auto c = Make();
  ASSERT_NE(c, nullptr);
  Status st = c->AcknowledgeOrder(Downloaded("P1"));
  EXPECT_TRUE(st.transient());
}

TEST_F(WalmartCartTest, AcknowledgeOfAnUnknownOrderIsNotFound) {
  ExpectToken();
  transport.Expect("GET", "/v3/orders/P404", 404,
                   R"({"errors":[{"code":"CONTENT_NOT_FOUND.GMP_ORDER_API"}]})");
  auto c = Make();
  ASSERT_NE(c, nullptr);
  Status st = c->AcknowledgeOrder(Downloaded("P404"));
  EXPECT_EQ(st.code(), StatusCode::NotFound);
  EXPECT_FALSE(c->AcknowledgeOrder(Downloaded("")).ok());
}

// --- inventory --------------------------------------------------------------

TEST_F(WalmartCartTest, FewSkusArePutOneByOneAtTheShipNode) {
  cart.api["ship_node"] = TextField("10000003527");
  ExpectToken();
  transport.Expect("PUT", "/v3/inventory?sku=A%201&shipNode=10000003527", 200,
                   R"({"sku":"A 1","quantity":{"unit":"EACH","amount":5}})");
  transport.Expect("PUT", "/v3/inventory?sku=NOPE&shipNode=10000003527", 404,
                   R"({"errors":[{"code":"CONTENT_NOT_FOUND.GMP_INVENTORY_API",)"
                   R"("description":"Requested content could not be found."}]})");
  transport.Expect("PUT", "/v3/inventory?sku=C&shipNode=10000003527", 200,
                   R"({"sku":"C","quantity":{"unit":"EACH","amount":0}})");
  auto c = Make();
  ASSERT_NE(c, nullptr);
  auto r = c->PushInventory({{"A 1", 5}, {"NOPE", 2}, {"C", -3}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ(r.value()[0].sku, "NOPE");
  EXPECT_TRUE(Contains(r.value()[0].message, "CONTENT_NOT_FOUND.GMP_INVENTORY_API"));
  EXPECT_TRUE(r.value()[0].not_in_cart);
  auto body = Json(transport.requests[1].body);
  EXPECT_STREQ(body["sku"].GetString(), "A 1");
  EXPECT_STREQ(body["quantity"]["unit"].GetString(), "EACH");
  EXPECT_EQ(body["quantity"]["amount"].GetInt64(), 5);
  EXPECT_EQ(Json(transport.requests[3].body)["quantity"]["amount"].GetInt64(), 0);
}

std::vector<InventoryPush> ManySkus(int n) {
  std::vector<InventoryPush> out;
  for (int i = 0; i < n; ++i) out.push_back({"SKU-" + std::to_string(i), i});
  return out;
}

std::string FeedStatus(const std::string& status, int received, int offset,
                       const std::vector<std::pair<std::string, std::string>>& items) {
  std::string details;
  for (const auto& [sku, state] : items) {
    details += (details.empty() ? "" : ",") + std::string(R"({"martId":0,"sku":")") + sku +
               R"(","index":0,"ingestionStatus":")" + state + "\"";
    if (state != "SUCCESS")
      details += R"(,"ingestionErrors":{"ingestionError":[{"type":"DATA_ERROR",)"
                 R"("code":"ERR_EXT_DATA_0801001","description":"SKU not found"}]})";
    details += "}";
  }
  return R"({"feedId":"F12@AU8","feedStatus":")" + status + R"(","itemsReceived":)" +
         std::to_string(received) + R"(,"itemsSucceeded":0,"itemsFailed":0,"offset":)" +
         std::to_string(offset) + R"(,"limit":50,"itemDetails":{"itemIngestionStatus":[)" +
         details + "]}}";
}

TEST_F(WalmartCartTest, ManySkusGoInOneFeedWithPerSkuResults) {
  ExpectToken();
  transport.Expect("POST", "/v3/feeds?feedType=inventory", 200, R"({"feedId":"F12@AU8"})");
  transport.Expect("GET", "/v3/feeds/F12%40AU8?includeDetails=true&offset=0&limit=50", 200,
                   FeedStatus("INPROGRESS", 60, 0, {}));
  std::vector<std::pair<std::string, std::string>> first, second;
  for (int i = 0; i < 50; ++i) first.push_back({"SKU-" + std::to_string(i), "SUCCESS"});
  first[7].second = "DATA_ERROR";
  for (int i = 50; i < 59; ++i) second.push_back({"SKU-" + std::to_string(i), "SUCCESS"});
  // SKU-59 is not reported at all.
  transport.Expect("GET", "/v3/feeds/F12%40AU8?includeDetails=true&offset=0&limit=50", 200,
                   FeedStatus("PROCESSED", 60, 0, first));
  transport.Expect("GET", "/v3/feeds/F12%40AU8?includeDetails=true&offset=50&limit=50", 200,
                   FeedStatus("PROCESSED", 60, 50, second));
  auto c = Make();
  ASSERT_NE(c, nullptr);
  auto r = c->PushInventory(ManySkus(60));
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(r.value()[0].sku, "SKU-7");
  EXPECT_TRUE(Contains(r.value()[0].message, "ERR_EXT_DATA_0801001: SKU not found"));
  EXPECT_EQ(r.value()[1].sku, "SKU-59");
  EXPECT_TRUE(Contains(r.value()[1].message, "not confirmed"));
  // The file: multipart, one part "file" holding the 1.4 inventory JSON.
  const HttpRequest& post = transport.requests[1];
  const std::string type = HeaderOf(post, "Content-Type");
  ASSERT_TRUE(Contains(type, "multipart/form-data; boundary=")) << type;
  const std::string boundary = type.substr(type.find("boundary=") + 9);
  EXPECT_TRUE(Contains(post.body, "--" + boundary + "\r\n"));
  EXPECT_TRUE(Contains(post.body, "name=\"file\""));
  EXPECT_TRUE(Contains(post.body, "\r\n--" + boundary + "--\r\n"));
  const size_t start = post.body.find("\r\n\r\n") + 4;
  const size_t end = post.body.find("\r\n--" + boundary + "--");
  auto file = Json(post.body.substr(start, end - start));
  ASSERT_TRUE(file.IsObject());
  EXPECT_STREQ(file["InventoryHeader"]["version"].GetString(), "1.4");
  ASSERT_EQ(file["Inventory"].Size(), 60u);
  EXPECT_STREQ(file["Inventory"][3]["sku"].GetString(), "SKU-3");
  EXPECT_EQ(file["Inventory"][3]["quantity"]["amount"].GetInt64(), 3);
  // Polling waited on the client's clock: 1 s, then 2 s.
  EXPECT_EQ(clock.slept_ms(), 3'000);
}

TEST_F(WalmartCartTest, AFeedThatNeverFinishesLeavesEverySkuUnconfirmedWithinTheBound) {
  ExpectToken();
  transport.Expect("POST", "/v3/feeds?feedType=inventory", 200, R"({"feedId":"F1"})");
  transport.handler = [](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (r.method == "GET" && Contains(r.url, "/v3/feeds/F1?"))
      return Answer(200, FeedStatus("INPROGRESS", 11, 0, {}));
    // The 15-minute token is renewed during the wait.
    if (r.method == "POST" && Contains(r.url, "/v3/token")) return Answer(200, kTokenAnswer);
    return std::nullopt;
  };
  auto c = Make();
  ASSERT_NE(c, nullptr);
  auto r = c->PushInventory(ManySkus(11));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->size(), 11u);
  EXPECT_TRUE(Contains(r.value()[0].message, "still INPROGRESS"));
  EXPECT_LE(clock.slept_ms(), 11 * 60'000);
  EXPECT_LT(transport.calls(), 40u);
}

TEST_F(WalmartCartTest, A401OnInventoryIsAStatusNotPerSkuErrors) {
  ExpectToken();
  transport.Expect("PUT", "/v3/inventory?sku=A", 401, "{}");
  ExpectToken();
  transport.Expect("PUT", "/v3/inventory?sku=A", 401, "{}");
  auto c = Make();
  ASSERT_NE(c, nullptr);
  auto r = c->PushInventory({{"A", 1}});
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(r.status().transient());
}

TEST_F(WalmartCartTest, RateLimitedRequestWaitsForRetryAfter) {
  ExpectToken();
  transport.Expect("PUT", "/v3/inventory?sku=A", 429, R"({"errors":[{"code":"TOO_MANY"}]})",
                   {{"Retry-After", "7"}});
  transport.Expect("PUT", "/v3/inventory?sku=A", 200, R"({"sku":"A"})");
  auto c = Make();
  ASSERT_NE(c, nullptr);
  auto r = c->PushInventory({{"A", 1}});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->empty());
  EXPECT_GE(clock.slept_ms(), 7'000);
}

}  // namespace
}  // namespace cartsync

// The Shopify connector against a scripted HttpTransport (each expected
// request: method + URL substring -> canned response), the real HttpClient
// and a FakeClock.
#include "runtime/carts/shopify_cart.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime/clock.h"
#include "runtime/carts/connectors.h"
#include "runtime/net/http_client.h"
#include "runtime/secrets.h"
#include "tests/runtime/scripted_transport.h"

namespace cartsync {
namespace {

constexpr const char* kToken = "shpat_0123456789abcdefSECRET";
constexpr const char* kBase = "https://acme.myshopify.com/admin/api/2024-10/";

HttpHeaders JsonHeaders(HttpHeaders more = {}) {
  HttpHeaders h = {{"Content-Type", "application/json; charset=utf-8"},
                   {"X-Shopify-Shop-Api-Call-Limit", "1/40"}};
  h.insert(h.end(), more.begin(), more.end());
  return h;
}

FieldValue Text(FieldType type, std::string text) {
  FieldValue f;
  f.type = type;
  f.text = std::move(text);
  return f;
}

class ShopifyCartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    transport.default_headers = JsonHeaders();
    secrets.values["env:SHOPIFY_TOKEN"] = kToken;
    cart.id = "acme-shopify";
    cart.platform = "shopify";
    cart.api["store_url"] = Text(FieldType::Url, "https://acme.myshopify.com");
    cart.api["api_version"] = Text(FieldType::String, "2024-10");
    FieldValue token;
    token.type = FieldType::Secret;
    token.secret = SecretRef{SecretRef::Kind::Env, "SHOPIFY_TOKEN"};
    cart.api["access_token"] = token;
  }
  void TearDown() override {
    transport.ExpectScriptDone();
  }

  std::unique_ptr<CartConnector> Make() {
    auto made = MakeShopifyCart(cart, {&http, &secrets});
    EXPECT_TRUE(made.ok()) << made.status().message();
    return made.ok() ? std::move(made.value()) : nullptr;
  }

  /// Every page FetchOrders hands over.
  Status Fetch(CartConnector& c, const OrderWindow& w, std::vector<std::vector<CartOrder>>& pages) {
    return c.FetchOrders(w, [&](std::vector<CartOrder>&& page) {
      pages.push_back(std::move(page));
      return Status::Ok();
    });
  }

  FakeClock clock;
  ScriptedTransport transport;
  HttpClient http{transport, clock, RetryPolicy{3, 100, 1000, 5000}};
  FakeSecretResolver secrets;
  CartConfig cart;
};

std::string OrderJson(const std::string& id, const std::string& financial = "paid") {
  return R"({"id":)" + id + R"(,"name":"#)" + id + R"(","email":"a@example.com",)" +
         R"("created_at":"2026-11-20T12:00:00+02:00","updated_at":"2026-11-20T12:30:00+02:00",)" +
         R"("closed_at":null,"cancelled_at":null,"financial_status":")" + financial +
         R"(","fulfillment_status":null,"line_items":[]})";
}

// --- order download ---------------------------------------------------------

TEST_F(ShopifyCartTest, FiltersGoOnTheFirstRequestOnlyAndLinkPagesAreFollowed) {
  auto c = Make();
  OrderWindow w;
  w.statuses = {{"status", {"open"}},
                {"financial_status", {"paid", "partially_refunded"}},
                {"fulfillment_status", {"unfulfilled", "partial"}}};
  w.created_after = 1'795'000'000;  // 2026-11-18T...Z
  const std::string next =
      "<https://acme.myshopify.com/admin/api/2024-10/"
      "orders.json?limit=250&fields=id,name&page_info=eyJsYXN0X2lkIjo0fQ>;"
      " rel=\"next\"";
  transport.Expect("GET", "orders.json?", 200,
                   R"({"orders":[)" + OrderJson("1001") + "," + OrderJson("1002") + "]}",
                   JsonHeaders({{"Link", next}, {"X-Request-Id", "req-1"}}));
  transport.Expect("GET", "page_info=eyJsYXN0X2lkIjo0fQ", 200,
                   R"({"orders":[)" + OrderJson("1003", "partially_refunded") + "]}",
                   JsonHeaders({{"Link",
                                 "<https://acme.myshopify.com/admin/api/2024-10/orders.json?"
                                 "limit=250&page_info=prev>; rel=\"previous\""}}));
  std::vector<std::vector<CartOrder>> pages;
  Status st = Fetch(*c, w, pages);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(pages.size(), 2u);
  ASSERT_EQ(pages[0].size(), 2u);
  EXPECT_EQ(pages[0][0].id, "1001");
  EXPECT_EQ(pages[0][1].id, "1002");
  ASSERT_EQ(pages[1].size(), 1u);
  EXPECT_EQ(pages[1][0].id, "1003");

  ASSERT_EQ(transport.requests.size(), 2u);
  const HttpRequest& first = transport.requests[0];
  EXPECT_EQ(first.method, "GET");
  EXPECT_EQ(first.url.rfind(std::string(kBase) + "orders.json?", 0), 0u) << first.url;
  EXPECT_NE(first.url.find("limit=250"), std::string::npos);
  EXPECT_NE(first.url.find("&status=open"), std::string::npos) << first.url;
  EXPECT_NE(first.url.find("&financial_status=paid,partially_refunded"), std::string::npos)
      << first.url;
  EXPECT_NE(first.url.find("&fulfillment_status=unfulfilled,partial"), std::string::npos)
      << first.url;
  EXPECT_NE(first.url.find("&created_at_min=" + FormatIsoUtc(1'795'000'000)), std::string::npos)
      << first.url;
  EXPECT_EQ(first.url.find("updated_at_min"), std::string::npos);
  EXPECT_NE(first.url.find("fields=id,"), std::string::npos);
  EXPECT_EQ(first.url.find("page_info"), std::string::npos);

  const HttpRequest& second = transport.requests[1];
  EXPECT_EQ(second.url.substr(0, second.url.find("&fields=")),
            std::string(kBase) + "orders.json?limit=250");
  EXPECT_NE(second.url.find("&page_info=eyJsYXN0X2lkIjo0fQ"), std::string::npos) << second.url;
  for (const char* filter : {"status=", "created_at_min", "updated_at_min"})
    EXPECT_EQ(second.url.find(filter), std::string::npos) << filter << " in " << second.url;

  for (const HttpRequest& r : transport.requests) {
    bool token = false, accept = false;
    for (const auto& [name, value] : r.headers) {
      if (name == "X-Shopify-Access-Token") token = value == kToken;
      if (name == "Accept") accept = value == "application/json";
    }
    EXPECT_TRUE(token);
    EXPECT_TRUE(accept);
  }
}

TEST_F(ShopifyCartTest, UpdatedAfterAndAnyAndFulfilledSpelling) {
  auto c = Make();
  OrderWindow w;
  w.statuses = {{"status", {"any"}}, {"fulfillment_status", {"fulfilled"}}};
  w.updated_after = 1'795'000'000;
  transport.Expect("GET", "orders.json", 200, R"({"orders":[]})");
  std::vector<std::vector<CartOrder>> pages;
  ASSERT_TRUE(Fetch(*c, w, pages).ok());
  EXPECT_TRUE(pages.empty());
  const std::string& url = transport.requests.at(0).url;
  EXPECT_NE(url.find("&status=any"), std::string::npos);
  EXPECT_NE(url.find("&fulfillment_status=shipped"), std::string::npos) << url;
  EXPECT_NE(url.find("&updated_at_min=" + FormatIsoUtc(1'795'000'000)), std::string::npos);
  EXPECT_EQ(url.find("created_at_min"), std::string::npos);
  EXPECT_EQ(url.find("&financial_status="), std::string::npos);
}

TEST_F(ShopifyCartTest, SeveralStatusValuesAreAlsoCheckedLocally) {
  // Shopify's REST filters take one value; when a list is ignored the answer
  // holds orders outside it, which must not reach the WMS.
  auto c = Make();
  OrderWindow w;
  w.statuses = {{"financial_status", {"paid", "partially_refunded"}},
                {"fulfillment_status", {"unfulfilled", "partial"}}};
  std::string fulfilled = OrderJson("4");
  fulfilled.replace(fulfilled.find("\"fulfillment_status\":null"), 25,
                    "\"fulfillment_status\":\"fulfilled\"");
  std::string partial = OrderJson("5", "partially_refunded");
  partial.replace(partial.find("\"fulfillment_status\":null"), 25,
                  "\"fulfillment_status\":\"partial\"");
  transport.Expect("GET", "orders.json", 200,
                   R"({"orders":[)" + OrderJson("1") + "," + OrderJson("2", "pending") + "," +
                       OrderJson("3", "partially_refunded") + "," + fulfilled + "," + partial +
                       "]}");
  std::vector<std::vector<CartOrder>> pages;
  ASSERT_TRUE(Fetch(*c, w, pages).ok());
  ASSERT_EQ(pages.size(), 1u);
  std::vector<std::string> ids;
  for (const CartOrder& o : pages[0]) ids.push_back(o.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "3", "5"}));
}

TEST_F(ShopifyCartTest, RepeatedPageInfoStops) {
  auto c = Make();
  const HttpHeaders loop =
      JsonHeaders({{"Link",
                    "<https://acme.myshopify.com/admin/api/2024-10/orders.json?"
                    "limit=250&page_info=same>; rel=\"next\""}});
  transport.Expect("GET", "orders.json?", 200, R"({"orders":[)" + OrderJson("1") + "]}", loop);
  transport.Expect("GET", "page_info=same", 200, R"({"orders":[)" + OrderJson("2") + "]}", loop);
  std::vector<std::vector<CartOrder>> pages;
  Status st = Fetch(*c, OrderWindow{}, pages);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("repeated"), std::string::npos) << st.message();
  EXPECT_EQ(pages.size(), 2u);
  EXPECT_EQ(transport.requests.size(), 2u);
}

TEST_F(ShopifyCartTest, SinkErrorStopsPaging) {
  auto c = Make();
  transport.Expect("GET", "orders.json?", 200, R"({"orders":[)" + OrderJson("1") + "]}",
                   JsonHeaders({{"Link", "<https://x/orders.json?page_info=p2>; rel=\"next\""}}));
  Status st = c->FetchOrders(
      OrderWindow{}, [](std::vector<CartOrder>&&) { return Status::Transient("disk full"); });
  EXPECT_TRUE(st.transient());
  EXPECT_EQ(st.message(), "disk full");
}

TEST_F(ShopifyCartTest, NormalizesEveryField) {
  auto c = Make();
  transport.Expect("GET", "orders.json", 200, R"({"orders":[{
      "id": 5842345967894, "name": "#1001", "email": "jane@example.com",
      "created_at": "2026-11-20T12:00:00+02:00", "updated_at": "2026-11-20T06:15:30-05:00",
      "closed_at": null, "cancelled_at": null,
      "financial_status": "paid", "fulfillment_status": null,
      "shipping_address": {"first_name": "Jane", "last_name": "Doe", "name": "Jane Doe", "company": "Acme",
        "address1": "1 Main St", "address2": "Suite 5", "city": "Springfield", "province": "Illinois",
        "province_code": "IL", "zip": "62701", "country": "United States", "country_code": "US",
        "phone": "+1 555 0100"},
      "shipping_lines": [{"title": "Standard", "code": "STD", "price": "5.00"}, {"title": "Other"}],
      "line_items": [
        {"id": 13531023049110, "sku": "TS-RED-M", "quantity": 2, "price": "19.99"},
        {"id": 13531023049111, "sku": null, "quantity": 3, "current_quantity": 1, "price": "10.00"},
        {"id": 13531023049112, "sku": "GONE", "quantity": 1, "current_quantity": 0, "price": "1.00"}]
    }, {
      "id": 7, "name": "#1002", "contact_email": "c@example.com",
      "created_at": "2026-11-20T00:30:00+02:00", "updated_at": "2026-11-20T00:30:00Z",
      "financial_status": "paid", "fulfillment_status": "partial",
      "shipping_lines": [], "line_items": []
    }]})");
  std::vector<std::vector<CartOrder>> pages;
  Status st = Fetch(*c, OrderWindow{}, pages);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(pages.size(), 1u);
  ASSERT_EQ(pages[0].size(), 2u);
  const CartOrder& o = pages[0][0];
  EXPECT_EQ(o.id, "5842345967894");
  EXPECT_EQ(o.order_number, "#1001");
  EXPECT_EQ(o.placed_at, "2026-11-20T10:00:00Z");
  EXPECT_EQ(o.updated_at, "2026-11-20T11:15:30Z");
  EXPECT_EQ(o.status, "paid/unfulfilled");
  EXPECT_EQ(o.ship_code, "Standard");
  EXPECT_EQ(o.ship_to.name, "Jane Doe");
  EXPECT_EQ(o.ship_to.company, "Acme");
  EXPECT_EQ(o.ship_to.address1, "1 Main St");
  EXPECT_EQ(o.ship_to.address2, "Suite 5");
  EXPECT_EQ(o.ship_to.city, "Springfield");
  EXPECT_EQ(o.ship_to.region, "IL");
  EXPECT_EQ(o.ship_to.postal_code, "62701");
  EXPECT_EQ(o.ship_to.country, "US");
  EXPECT_EQ(o.ship_to.phone, "+1 555 0100");
  EXPECT_EQ(o.ship_to.email, "jane@example.com");
  ASSERT_EQ(o.lines.size(), 2u);  // the line edited down to 0 is left out
  EXPECT_EQ(o.lines[0].line_key, "13531023049110");
  EXPECT_EQ(o.lines[0].sku, "TS-RED-M");
  EXPECT_EQ(o.lines[0].quantity, 2);
  EXPECT_EQ(o.lines[0].unit_price, "19.99");
  EXPECT_EQ(o.lines[1].sku, "");
  EXPECT_EQ(o.lines[1].quantity, 1);          // current_quantity: 2 of 3 removed by an edit
  EXPECT_EQ(o.lines[1].unit_price, "10.00");  // as given, not re-formatted

  const CartOrder& p = pages[0][1];
  EXPECT_EQ(p.id, "7");
  EXPECT_EQ(p.placed_at, "2026-11-19T22:30:00Z");  // the offset moves it to the previous day
  EXPECT_EQ(p.ship_code, "");                      // no shipping line
  EXPECT_EQ(p.status, "paid/partial");
  EXPECT_EQ(p.ship_to.email, "c@example.com");
  EXPECT_EQ(p.ship_to.address1, "");
}

TEST_F(ShopifyCartTest, UnreadableOrderIsAnError) {
  auto c = Make();
  transport.Expect(
      "GET", "orders.json", 200,
      R"({"orders":[{"id":9,"created_at":"yesterday","updated_at":"2026-11-20T00:30:00Z"}]})");
  std::vector<std::vector<CartOrder>> pages;
  Status st = Fetch(*c, OrderWindow{}, pages);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_NE(st.message().find("order 9: created_at"), std::string::npos) << st.message();
}

// --- tracking ---------------------------------------------------------------

TrackingUpload Upload(std::vector<ShipmentLine> lines = {}) {
  TrackingUpload up;
  up.order_id = "450789469";
  up.carrier_code = "UPS";
  up.shipment.tracking_number = "1Z999AA10123456784";
  up.shipment.carrier = "UPS";
  up.shipment.lines = std::move(lines);
  return up;
}

const char* kFulfillmentOrders = R"({"fulfillment_orders":[
  {"id": 1046000778, "status": "closed", "line_items": [
     {"id": 1025578640, "line_item_id": 466157049, "quantity": 1, "fulfillable_quantity": 1}]},
  {"id": 1046000779, "status": "open", "line_items": [
     {"id": 1025578641, "line_item_id": 466157050, "quantity": 3, "fulfillable_quantity": 3},
     {"id": 1025578642, "line_item_id": 466157051, "quantity": 1, "fulfillable_quantity": 1},
     {"id": 1025578643, "line_item_id": 466157052, "quantity": 2, "fulfillable_quantity": 0}]},
  {"id": 1046000780, "status": "in_progress", "line_items": [
     {"id": 1025578644, "line_item_id": 466157053, "quantity": 4, "fulfillable_quantity": 2}]}]})";

TEST_F(ShopifyCartTest, HasTrackingReadsBothTrackingFields) {
  auto c = Make();
  transport.Expect(
      "GET", "orders/450789469/fulfillments.json", 200,
      R"({"fulfillments":[{"id":1,"tracking_number":"AAA","tracking_numbers":["AAA","1z999aa10123456784"]}]})");
  transport.Expect(
      "GET", "orders/450789469/fulfillments.json", 200,
      R"({"fulfillments":[{"id":1,"tracking_number":"1Z999AA10123456784","tracking_numbers":[]}]})");
  transport.Expect(
      "GET", "orders/450789469/fulfillments.json", 200,
      R"({"fulfillments":[{"id":1,"tracking_number":null,"tracking_numbers":["OTHER"]}]})");
  transport.Expect("GET", "orders/450789469/fulfillments.json", 404, R"({"errors":"Not Found"})");
  for (bool expected : {true, true, false, false}) {
    auto has = c->HasTracking("450789469", "1Z999AA10123456784");
    ASSERT_TRUE(has.ok()) << has.status().message();
    EXPECT_EQ(has.value(), expected);
  }
  EXPECT_EQ(transport.requests.at(0).url,
            std::string(kBase) + "orders/450789469/fulfillments.json?limit=250");
  EXPECT_EQ(c->HasTracking("../shop", "X").status().code(), StatusCode::Permanent);
}

TEST_F(ShopifyCartTest, ExistingFulfillmentMeansNoPost) {
  auto c = Make();
  transport.Expect("GET", "orders/450789469/fulfillments.json", 200,
                   R"({"fulfillments":[{"id":1,"tracking_number":"1Z999AA10123456784"}]})");
  Status st = c->UploadTracking(Upload());
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST_F(ShopifyCartTest, PostsOnlyTheShipmentsLinesWithTheExactBody) {
  auto c = Make();
  transport.Expect("GET", "fulfillments.json", 200, R"({"fulfillments":[]})");
  transport.Expect("GET", "orders/450789469/fulfillment_orders.json", 200, kFulfillmentOrders);
  transport.Expect("POST", "fulfillments.json", 201,
                   R"({"fulfillment":{"id":255858046,"status":"success"}})");
  // 466157049 sits on a closed fulfillment order; 466157052 has nothing
  // fulfillable; 466157051 is not in the shipment.
  Status st = c->UploadTracking(Upload({{"466157050", "TS-RED-M", 2},
                                        {"466157049", "OLD", 1},
                                        {"466157052", "NONE", 1},
                                        {"466157053", "HAT", 5}}));
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(transport.requests.size(), 3u);
  const HttpRequest& post = transport.requests[2];
  EXPECT_EQ(post.url, std::string(kBase) + "fulfillments.json");
  EXPECT_FALSE(post.idempotent);
  EXPECT_EQ(
      post.body,
      R"({"fulfillment":{"line_items_by_fulfillment_order":[)"
      R"({"fulfillment_order_id":1046000779,"fulfillment_order_line_items":[{"id":1025578641,"quantity":2}]},)"
      R"({"fulfillment_order_id":1046000780,"fulfillment_order_line_items":[{"id":1025578644,"quantity":2}]}],)"
      R"("tracking_info":{"company":"UPS","number":"1Z999AA10123456784"},"notify_customer":false}})");
}

TEST_F(ShopifyCartTest, WithoutShipmentLinesEverythingFulfillableGoes) {
  auto c = Make();
  transport.Expect("GET", "fulfillments.json", 200, R"({"fulfillments":[]})");
  transport.Expect("GET", "fulfillment_orders.json", 200, kFulfillmentOrders);
  transport.Expect("POST", "fulfillments.json", 201, R"({"fulfillment":{"id":1}})");
  ASSERT_TRUE(c->UploadTracking(Upload()).ok());
  EXPECT_EQ(
      transport.requests.at(2).body,
      R"({"fulfillment":{"line_items_by_fulfillment_order":[)"
      R"({"fulfillment_order_id":1046000779,"fulfillment_order_line_items":[{"id":1025578641,"quantity":3},{"id":1025578642,"quantity":1}]},)"
      R"({"fulfillment_order_id":1046000780,"fulfillment_order_line_items":[{"id":1025578644,"quantity":2}]}],)"
      R"("tracking_info":{"company":"UPS","number":"1Z999AA10123456784"},"notify_customer":false}})");
}

TEST_F(ShopifyCartTest, NothingToFulfilIsPermanentWithoutPost) {
  auto c = Make();
  transport.Expect("GET", "fulfillments.json", 200, R"({"fulfillments":[]})");
  transport.Expect("GET", "fulfillment_orders.json", 200, kFulfillmentOrders);
  Status st = c->UploadTracking(Upload({{"999", "X", 1}}));
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_NE(st.message().find("nothing open to fulfil"), std::string::npos) << st.message();
}

TEST_F(ShopifyCartTest, TimeoutOnPostIsReCheckedBeforeFailing) {
  auto c = Make();
  transport.Expect("GET", "fulfillments.json", 200, R"({"fulfillments":[]})");
  transport.Expect("GET", "fulfillment_orders.json", 200, kFulfillmentOrders);
  transport.ExpectFailure("POST", "fulfillments.json", Status::Transient("Operation timed out"));
  transport.Expect("GET", "orders/450789469/fulfillments.json", 200,
                   R"({"fulfillments":[{"id":9,"tracking_numbers":["1Z999AA10123456784"]}]})");
  Status st = c->UploadTracking(Upload());
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(transport.requests.size(), 4u);  // the POST went out once
}

TEST_F(ShopifyCartTest, ServerErrorOnPostWithoutTrackingStaysTransient) {
  auto c = Make();
  transport.Expect("GET", "fulfillments.json", 200, R"({"fulfillments":[]})");
  transport.Expect("GET", "fulfillment_orders.json", 200, kFulfillmentOrders);
  transport.Expect("POST", "fulfillments.json", 503, "<html>busy</html>",
                   {{"Content-Type", "text/html"}});
  transport.Expect("GET", "orders/450789469/fulfillments.json", 200, R"({"fulfillments":[]})");
  Status st = c->UploadTracking(Upload());
  EXPECT_TRUE(st.transient()) << st.message();
  EXPECT_NE(st.message().find("re-checked"), std::string::npos) << st.message();
}

TEST_F(ShopifyCartTest, RejectedPostIsPermanentWithShopifysText) {
  auto c = Make();
  transport.Expect("GET", "fulfillments.json", 200, R"({"fulfillments":[]})");
  transport.Expect("GET", "fulfillment_orders.json", 200, kFulfillmentOrders);
  transport.Expect(
      "POST", "fulfillments.json", 422,
      R"({"errors":["Fulfillment order 1046000779 has an unfulfillable status= closed."]})",
      JsonHeaders({{"X-Request-Id", "abc-123"}}));
  Status st = c->UploadTracking(Upload());
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_NE(st.message().find("HTTP 422: Fulfillment order 1046000779 has an unfulfillable status"),
            std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("abc-123"), std::string::npos);
}

// --- inventory --------------------------------------------------------------

TEST_F(ShopifyCartTest, InventoryPagesProductsPicksALocationAndSetsLevels) {
  auto c = Make();
  transport.Expect(
      "GET", "locations.json", 200,
      R"({"locations":[{"id":111,"active":false},{"id":655441491,"active":true},{"id":333,"active":true}]})");
  transport.Expect("GET", "products.json?limit=250&fields=variants", 200,
                   R"({"products":[{"variants":[{"sku":"TS-RED-M","inventory_item_id":808950810},
                                                {"sku":"","inventory_item_id":1}]}]})",
                   JsonHeaders({{"Link",
                                 "<https://acme.myshopify.com/admin/api/2024-10/products.json?"
                                 "limit=250&fields=variants&page_info=p2>; rel=\"next\""}}));
  transport.Expect("GET", "products.json?limit=250&fields=variants&page_info=p2", 200,
                   R"({"products":[{"variants":[{"sku":"HAT","inventory_item_id":"39072856"}]}]})");
  transport.Expect("POST", "inventory_levels/set.json", 200,
                   R"({"inventory_level":{"available":14}})");
  transport.Expect("POST", "inventory_levels/set.json", 200,
                   R"({"inventory_level":{"available":0}})");
  auto errors = c->PushInventory({{"TS-RED-M", 14}, {"NOPE", 3}, {"HAT", 0}});
  ASSERT_TRUE(errors.ok()) << errors.status().message();
  ASSERT_EQ(errors->size(), 1u);
  EXPECT_EQ(errors->at(0).sku, "NOPE");
  EXPECT_EQ(errors->at(0).message, "SKU not found in Shopify");
  ASSERT_EQ(transport.requests.size(), 5u);
  EXPECT_EQ(transport.requests[3].url, std::string(kBase) + "inventory_levels/set.json");
  EXPECT_EQ(transport.requests[3].body,
            R"({"location_id":655441491,"inventory_item_id":808950810,"available":14})");
  EXPECT_EQ(transport.requests[4].body,
            R"({"location_id":655441491,"inventory_item_id":39072856,"available":0})");

  // Map and location are cached for the connector's lifetime.
  transport.Expect("POST", "inventory_levels/set.json", 200, R"({"inventory_level":{}})");
  auto again = c->PushInventory({{"HAT", 5}});
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  EXPECT_EQ(transport.requests.size(), 6u);
}

TEST_F(ShopifyCartTest, ConfiguredLocationAndPerItemErrors) {
  FieldValue location;
  location.type = FieldType::Integer;
  location.integer = 987654321;
  cart.api["inventory_location_id"] = location;
  auto c = Make();
  transport.Expect(
      "GET", "products.json", 200,
      R"({"products":[{"variants":[{"sku":"A","inventory_item_id":1},{"sku":"B","inventory_item_id":2}]}]})");
  transport.Expect("POST", "set.json", 422,
                   R"({"errors":["Inventory item does not have inventory tracking enabled"]})");
  transport.Expect("POST", "set.json", 200, R"({"inventory_level":{}})");
  auto errors = c->PushInventory({{"A", 1}, {"B", 2}});
  ASSERT_TRUE(errors.ok()) << errors.status().message();
  ASSERT_EQ(errors->size(), 1u);
  EXPECT_EQ(errors->at(0).sku, "A");
  EXPECT_NE(errors->at(0).message.find("Inventory item does not have inventory tracking enabled"),
            std::string::npos);
  EXPECT_EQ(transport.requests.at(2).body,
            R"({"location_id":987654321,"inventory_item_id":2,"available":2})");
}

TEST_F(ShopifyCartTest, TransientInventoryFailureStops) {
  auto c = Make();
  transport.Expect("GET", "locations.json", 200, R"({"locations":[{"id":1,"active":true}]})");
  transport.Expect(
      "GET", "products.json", 200,
      R"({"products":[{"variants":[{"sku":"A","inventory_item_id":1},{"sku":"B","inventory_item_id":2}]}]})");
  for (int i = 0; i < 3; ++i)
    transport.Expect("POST", "set.json", 502, "bad gateway", {{"Content-Type", "text/plain"}});
  auto errors = c->PushInventory({{"A", 1}, {"B", 2}});
  ASSERT_FALSE(errors.ok());
  EXPECT_TRUE(errors.status().transient());
  EXPECT_EQ(transport.requests.size(), 5u);  // B never sent
}

// --- errors -----------------------------------------------------------------

TEST(ShopifyErrorText, AllShapes) {
  using shopify_detail::ErrorText;
  EXPECT_EQ(ErrorText(R"({"errors":"Not Found"})"), "Not Found");
  EXPECT_EQ(ErrorText(R"({"errors":["a","b"]})"), "a; b");
  EXPECT_EQ(
      ErrorText(
          R"({"errors":{"base":["Cannot fulfil"],"line_items":["is invalid"],"quantity":{"0":["too big"]}}})"),
      "Cannot fulfil; line_items: is invalid; quantity.0: too big");
  EXPECT_EQ(
      ErrorText(R"({"error":"invalid_request","error_description":"The access token is invalid"})"),
      "invalid_request: The access token is invalid");
  EXPECT_EQ(ErrorText(R"({"error":"boom"})"), "boom");
  EXPECT_EQ(ErrorText("<html>nope</html>"), "");
  EXPECT_EQ(ErrorText(R"({"orders":[]})"), "");
}

TEST(ShopifyNextPageInfo, LinkHeaders) {
  using shopify_detail::NextPageInfo;
  EXPECT_EQ(NextPageInfo("<https://s/admin/api/2024-10/"
                         "orders.json?limit=250&fields=id,name&page_info=abc>; rel=\"next\""),
            "abc");
  EXPECT_EQ(NextPageInfo("<https://s/o.json?page_info=prev1>; rel=\"previous\", "
                         "<https://s/o.json?limit=3&page_info=n%3D2>; rel=\"next\""),
            "n=2");
  EXPECT_EQ(NextPageInfo("<https://s/o.json?page_info=prev1>; rel=\"previous\""), "");
  EXPECT_EQ(NextPageInfo("<https://s/o.json?page_info=x>; rel=next"), "x");
  EXPECT_EQ(NextPageInfo(""), "");
}

TEST_F(ShopifyCartTest, UnauthorizedNamesTheStatusNeverTheToken) {
  auto c = Make();
  transport.Expect(
      "GET", "orders.json", 401,
      std::string(
          R"({"errors":"[API] Invalid API key or access token (unrecognized login or wrong password): )") +
          kToken + "\"}",
      JsonHeaders({{"X-Request-Id", "rid-401"}}));
  std::vector<std::vector<CartOrder>> pages;
  Status st = Fetch(*c, OrderWindow{}, pages);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_EQ(st.message().rfind("Shopify rejected the access token (HTTP 401)", 0), 0u)
      << st.message();
  EXPECT_NE(st.message().find("rid-401"), std::string::npos);
  EXPECT_EQ(st.message().find(kToken), std::string::npos) << st.message();

  transport.Expect(
      "GET", "locations.json", 403,
      R"({"errors":"[API] This action requires merchant approval for read_locations scope."})");
  auto pushed = c->PushInventory({{"A", 1}});
  EXPECT_EQ(pushed.status().code(), StatusCode::Permanent);
  EXPECT_NE(pushed.status().message().find("Shopify rejected the access token (HTTP 403)"),
            std::string::npos);
  EXPECT_NE(pushed.status().message().find("read_locations scope"), std::string::npos);
}

TEST_F(ShopifyCartTest, MalformedAnswersAreTransient) {
  auto c = Make();
  transport.Expect("GET", "orders.json", 200, "<html><body>Bad gateway</body></html>",
                   {{"Content-Type", "text/html"}});
  transport.Expect("GET", "orders.json", 200, R"({"orders":[{"id":1,"name":"#1)");  // truncated
  transport.Expect("GET", "orders.json", 200, "", JsonHeaders());
  for (int i = 0; i < 3; ++i) {
    std::vector<std::vector<CartOrder>> pages;
    Status st = Fetch(*c, OrderWindow{}, pages);
    EXPECT_TRUE(st.transient()) << st.message();
    EXPECT_NE(st.message().find("malformed JSON from Shopify"), std::string::npos) << st.message();
    EXPECT_TRUE(pages.empty());
  }
}

TEST_F(ShopifyCartTest, SecretNeverInAnyStatus) {
  auto c = Make();
  const std::string echo = std::string(R"({"errors":"bad token )") + kToken + "\"}";
  transport.ExpectFailure(
      "GET", "orders.json",
      Status::Transient(std::string("connection reset while sending ") + kToken));
  transport.ExpectFailure("GET", "orders.json", Status::Transient("again " + std::string(kToken)));
  transport.ExpectFailure("GET", "orders.json", Status::Transient("third"));
  transport.Expect("GET", "orders.json", 400, echo);
  transport.Expect("GET", "orders.json", 200, "not json " + std::string(kToken),
                   {{"Content-Type", "text/plain; " + std::string(kToken)}});
  transport.Expect("GET", "fulfillments.json", 422, echo, JsonHeaders({{"X-Request-Id", kToken}}));
  transport.Expect("GET", "locations.json", 200, R"({"locations":[{"id":1,"active":true}]})");
  transport.Expect("GET", "products.json", 200,
                   R"({"products":[{"variants":[{"sku":"A","inventory_item_id":1}]}]})");
  transport.Expect("POST", "set.json", 422, echo);
  std::vector<std::string> messages;
  for (int i = 0; i < 3; ++i) {
    std::vector<std::vector<CartOrder>> pages;
    Status st = Fetch(*c, OrderWindow{}, pages);
    EXPECT_FALSE(st.ok());
    messages.push_back(st.message());
    if (i == 0) {
      EXPECT_TRUE(st.transient());
    }
  }
  messages.push_back(c->HasTracking("1", "X").status().message());
  auto pushed = c->PushInventory({{"A", 1}});
  ASSERT_TRUE(pushed.ok());
  ASSERT_EQ(pushed->size(), 1u);
  messages.push_back(pushed->at(0).message);
  for (const std::string& m : messages) {
    EXPECT_FALSE(m.empty());
    EXPECT_EQ(m.find(kToken), std::string::npos) << m;
  }
  EXPECT_NE(messages[1].find("bad token REDACTED"), std::string::npos) << messages[1];

  // A missing secret names the reference only.
  secrets.values.clear();
  Status missing = c->UploadTracking(Upload());
  EXPECT_EQ(missing.code(), StatusCode::Permanent);
  EXPECT_NE(missing.message().find("env:SHOPIFY_TOKEN"), std::string::npos) << missing.message();
}

// --- factory ----------------------------------------------------------------

TEST_F(ShopifyCartTest, BaseUrlOverrideAndLoopbackRule) {
  cart.api["base_url"] = Text(FieldType::Url, "http://127.0.0.1:8123/shopify/");
  cart.api.erase("api_version");  // default 2024-10
  auto c = Make();
  transport.Expect("GET", "orders.json", 200, R"({"orders":[]})");
  std::vector<std::vector<CartOrder>> pages;
  ASSERT_TRUE(Fetch(*c, OrderWindow{}, pages).ok());
  EXPECT_EQ(transport.requests.at(0).url.rfind(
                "http://127.0.0.1:8123/shopify/admin/api/2024-10/orders.json?", 0),
            0u)
      << transport.requests.at(0).url;

  cart.api["base_url"] = Text(FieldType::Url, "http://shop.example.com");
  auto plain = MakeShopifyCart(cart, {&http, &secrets});
  EXPECT_EQ(plain.status().code(), StatusCode::Permanent);
  cart.api["base_url"] = Text(FieldType::Url, "http://localhost:9/x");
  EXPECT_TRUE(MakeShopifyCart(cart, {&http, &secrets}).ok());
  cart.api.erase("access_token");
  EXPECT_EQ(MakeShopifyCart(cart, {&http, &secrets}).status().code(), StatusCode::Permanent);
}

}  // namespace
}  // namespace cartsync

// BigCommerce connector against a scripted transport: the real HttpClient
// (retries, idempotency rules) over a fake that checks each request's method
// and URL, answers from a script (then from a handler), and records
// everything sent — so every request's headers can be checked.
#include "runtime/carts/bigcommerce_cart.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "runtime/carts/connectors.h"
#include "runtime/clock.h"
#include "runtime/net/http_client.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_secrets.h"
#include "tests/support/scripted_transport.h"

namespace cartsync {
namespace {

constexpr char kToken[] = "bc_token_5up3r_s3cr3t_value";
constexpr char kStoreBase[] = "https://api.bigcommerce.com/stores/abc123";

FieldValue TextField(FieldType type, std::string text) {
  FieldValue v;
  v.type = type;
  v.text = std::move(text);
  return v;
}

FieldValue IntegerField(int64_t n) {
  FieldValue v;
  v.type = FieldType::Integer;
  v.integer = n;
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

class BigCommerceCartTest : public ::testing::Test {
 protected:
  BigCommerceCartTest() {
    secrets.values["env:BC_TOKEN"] = kToken;
    cart.id = "acme-bc";
    cart.platform = "bigcommerce";
    cart.api["store_hash"] = TextField(FieldType::String, "abc123");
    cart.api["access_token"] = SecretField("BC_TOKEN");
    cart.api["inventory_location_id"] = IntegerField(1);
  }

  std::unique_ptr<CartConnector> Make() {
    auto made = MakeBigCommerceCart(cart, ConnectorDeps{&http, &secrets});
    EXPECT_TRUE(made.ok()) << made.status().message();
    return made.ok() ? std::move(made.value()) : nullptr;
  }

  /// Every "Awaiting Fulfillment" order, through a fresh connector.
  void FetchAwaitingFulfillment(std::vector<CartOrder>& all) {
    auto cart_api = Make();
    ASSERT_NE(cart_api, nullptr);
    OrderWindow window;
    window.statuses["status"] = {"Awaiting Fulfillment"};
    Status st = cart_api->FetchOrders(window, [&](std::vector<CartOrder>&& page) {
      for (auto& o : page) all.push_back(std::move(o));
      return Status::Ok();
    });
    ASSERT_TRUE(st.ok()) << st.message();
  }

  void TearDown() override {
    transport.ExpectScriptDone();
    // The official spec marks these required on every operation we use.
    for (const HttpRequest& r : transport.requests) {
      EXPECT_EQ(HeaderOf(r, "X-Auth-Token"), kToken) << r.method << " " << r.url;
      EXPECT_EQ(HeaderOf(r, "Accept"), "application/json") << r.method << " " << r.url;
      EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/json") << r.method << " " << r.url;
      EXPECT_FALSE(Contains(r.url, kToken));
    }
  }

  FakeClock clock;
  ScriptedTransport transport;
  HttpClient http{transport, clock};
  FakeSecretResolver secrets;
  CartConfig cart;
};

Status Collect(CartConnector& c, const OrderWindow& w, std::vector<CartOrder>& out,
               std::vector<size_t>* pages = nullptr) {
  return c.FetchOrders(w, [&](std::vector<CartOrder>&& page) {
    if (pages) pages->push_back(page.size());
    for (auto& o : page) out.push_back(std::move(o));
    return Status::Ok();
  });
}

const char kOrder100[] = R"([{
  "id": 100, "customer_id": 20,
  "date_created": "Wed, 10 Jan 2018 21:05:30 +0000",
  "date_modified": "Thu, 20 Apr 2017 11:32:00 -0400",
  "status_id": 11, "status": "Awaiting Fulfillment", "default_currency_code": "USD",
  "billing_address": {"first_name": "Jane", "last_name": "Doe", "street_1": "455 Main Street",
                      "city": "Austin", "state": "Texas", "zip": "78751", "country": "United States",
                      "country_iso2": "US", "phone": "555-123-4567", "email": "janedoe@example.com"}
}])";

const char kProducts100[] = R"([
  {"id": 65, "order_id": 100, "product_id": 77, "order_address_id": 132, "sku": "S-ORAN",
   "base_price": "55.9900", "price_ex_tax": "55.9900", "price_inc_tax": "65.2300", "quantity": 2,
   "quantity_shipped": 0},
  {"id": 66, "order_id": 100, "product_id": 78, "order_address_id": 132, "sku": "MUG-1",
   "base_price": "10.0000", "price_inc_tax": "", "quantity": 1, "quantity_shipped": 0}
])";

const char kAddresses100[] = R"([
  {"id": 132, "order_id": 100, "first_name": "Trishy", "last_name": "Smith", "company": "Acme Pty Ltd",
   "street_1": "666 Sussex St", "street_2": "Level 2", "city": "San Antonio", "zip": "78251",
   "country": "United States", "country_iso2": "US", "state": "Texas", "email": "trish@example.com",
   "phone": "", "shipping_method": "Free Shipping"},
  {"id": 133, "order_id": 100, "first_name": "Other", "last_name": "Person", "street_1": "1 Elsewhere",
   "country_iso2": "US", "shipping_method": "Ground"}
])";

TEST_F(BigCommerceCartTest, StatusIdsFollowTheTable) {
  const char* names[] = {"Incomplete",
                         "Pending",
                         "Shipped",
                         "Partially Shipped",
                         "Refunded",
                         "Cancelled",
                         "Declined",
                         "Awaiting Payment",
                         "Awaiting Pickup",
                         "Awaiting Shipment",
                         "Completed",
                         "Awaiting Fulfillment",
                         "Manual Verification Required",
                         "Disputed",
                         "Partially Refunded"};
  for (int i = 0; i < 15; ++i) EXPECT_EQ(bigcommerce::StatusId(names[i]), i) << names[i];
  EXPECT_EQ(bigcommerce::StatusId("awaiting fulfillment"), -1);  // exact spelling only
  EXPECT_EQ(bigcommerce::StatusId("Open"), -1);
}

TEST_F(BigCommerceCartTest, DatesConvertBetweenRfc2822AndIso) {
  int64_t t = 0;
  ASSERT_TRUE(ParseTimestamp("2018-01-10T21:05:30Z", t));
  EXPECT_EQ(bigcommerce::FormatRfc2822(t), "Wed, 10 Jan 2018 21:05:30 +0000");
  EXPECT_EQ(bigcommerce::FormatRfc2822(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(bigcommerce::ToIsoUtc("Wed, 10 Jan 2018 21:05:30 +0000"), "2018-01-10T21:05:30Z");
  EXPECT_EQ(bigcommerce::ToIsoUtc("Thu, 20 Apr 2017 11:32:00 -0400"), "2017-04-20T15:32:00Z");
  EXPECT_EQ(bigcommerce::ToIsoUtc(""), "");
  EXPECT_EQ(bigcommerce::ToIsoUtc("soon"), "");
}

TEST_F(BigCommerceCartTest, NormalizesEveryField) {
  transport.Expect("GET", "/v2/orders?status_id=11&", 200, kOrder100);
  transport.Expect("GET", "/v2/orders/100/shipping_addresses", 200, kAddresses100);
  transport.Expect("GET", "/v2/orders/100/products?page=1&limit=250", 200, kProducts100);
  std::vector<CartOrder> all;
  ASSERT_NO_FATAL_FAILURE(FetchAwaitingFulfillment(all));
  ASSERT_EQ(all.size(), 1u);
  const CartOrder& o = all[0];
  EXPECT_EQ(o.id, "100");
  EXPECT_EQ(o.order_number, "100");
  EXPECT_EQ(o.placed_at, "2018-01-10T21:05:30Z");
  EXPECT_EQ(o.updated_at, "2017-04-20T15:32:00Z");  // -0400 converted to UTC
  EXPECT_EQ(o.status, "Awaiting Fulfillment");
  EXPECT_EQ(o.ship_code, "Free Shipping");  // the first shipping address's method
  EXPECT_EQ(o.ship_to.name, "Trishy Smith");
  EXPECT_EQ(o.ship_to.company, "Acme Pty Ltd");
  EXPECT_EQ(o.ship_to.address1, "666 Sussex St");
  EXPECT_EQ(o.ship_to.address2, "Level 2");
  EXPECT_EQ(o.ship_to.city, "San Antonio");
  EXPECT_EQ(o.ship_to.region, "Texas");
  EXPECT_EQ(o.ship_to.postal_code, "78251");
  EXPECT_EQ(o.ship_to.country, "US");          // the ISO code, not "United States"
  EXPECT_EQ(o.ship_to.phone, "555-123-4567");  // empty on the address: billing's
  EXPECT_EQ(o.ship_to.email, "trish@example.com");
  ASSERT_EQ(o.lines.size(), 2u);
  EXPECT_EQ(o.lines[0].line_key, "65");
  EXPECT_EQ(o.lines[0].sku, "S-ORAN");
  EXPECT_EQ(o.lines[0].quantity, 2);
  // Money: price_ex_tax (tax apart, in `tax`) in the transactional currency.
  EXPECT_EQ(o.money.currency, "USD");
  EXPECT_EQ(o.lines[0].unit_price, "55.99");
  EXPECT_EQ(o.lines[0].unit_list_price, "5599");
  EXPECT_EQ(o.lines[1].unit_price, "10.00");  // no price_ex_tax: base_price
}

TEST_F(BigCommerceCartTest, PagesEachStatusUntilShortOr204) {
  // status 11: a full page of 250, then 204; status 9: an empty array.
  int order_pages = 0;
  transport.handler = [&](const HttpRequest& r) -> std::optional<HttpResponse> {
    const std::string& u = r.url;
    if (Contains(u, "/v2/orders?")) {
      ++order_pages;
      if (Contains(u, "status_id=11&") && !Contains(u, "min_id=")) {
        std::string body = "[";
        for (int i = 0; i < 250; ++i) {
          if (i > 0) body += ",";
          body +=
              R"({"id": )" + std::to_string(1000 + i) +
              R"(, "date_created": "Wed, 10 Jan 2018 21:05:30 +0000", "date_modified": "Wed, 10 Jan 2018 21:05:30 +0000", "status": "Awaiting Fulfillment"})";
        }
        return Answer(200, body + "]");
      }
      // The next page starts after the last id seen (keyset, not offset).
      if (Contains(u, "status_id=11&") && Contains(u, "&min_id=1250&")) return Answer(204, "");
      if (Contains(u, "status_id=9&") && !Contains(u, "min_id=")) return Answer(200, "[]");
      return std::nullopt;
    }
    if (Contains(u, "/shipping_addresses")) return Answer(204, "");  // a digital order
    if (Contains(u, "/products?page=1&limit=250")) {
      return Answer(200, R"([{"id": 1, "sku": "A", "quantity": 1, "price_inc_tax": "1.0000"}])");
    }
    return std::nullopt;
  };
  auto cart_api = Make();
  OrderWindow window;
  window.statuses["status"] = {"Awaiting Fulfillment", "Awaiting Shipment"};
  int64_t t = 0;
  ASSERT_TRUE(ParseTimestamp("2018-01-10T21:05:30Z", t));
  window.created_after = t;
  std::vector<CartOrder> all;
  std::vector<size_t> pages;
  Status st = Collect(*cart_api, window, all, &pages);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(pages, (std::vector<size_t>{250}));
  EXPECT_EQ(order_pages, 3);
  ASSERT_EQ(all.size(), 250u);
  EXPECT_EQ(all[0].ship_code, "");  // no shipping address
  EXPECT_EQ(all[0].ship_to.name, "");
  const std::string& first = transport.requests[0].url;
  EXPECT_EQ(first.rfind(std::string(kStoreBase) + "/v2/orders?status_id=11&", 0), 0u) << first;
  EXPECT_TRUE(Contains(first, "min_date_created=Wed%2C%2010%20Jan%202018%2021%3A05%3A30%20%2B0000"))
      << first;
  EXPECT_FALSE(Contains(first, "min_date_modified"));
  EXPECT_TRUE(Contains(first, "&limit=250&sort=id&")) << first;
  EXPECT_FALSE(Contains(first, "page=")) << first;
}

TEST_F(BigCommerceCartTest, UpdatedAfterUsesMinDateModifiedAndUnknownStatusFails) {
  transport.Expect("GET", "/v2/orders?status_id=11&min_date_modified=Wed%2C%2010%20Jan%202018",
                   204);
  // Updated-after pulls add a status-5 (Cancelled) series for cancellations.
  transport.Expect("GET", "/v2/orders?status_id=5&min_date_modified=Wed%2C%2010%20Jan%202018", 204);
  auto cart_api = Make();
  OrderWindow window;
  window.statuses["status"] = {"Awaiting Fulfillment"};
  int64_t t = 0;
  ASSERT_TRUE(ParseTimestamp("2018-01-10T21:05:30Z", t));
  window.updated_after = t;
  std::vector<CartOrder> all;
  ASSERT_TRUE(Collect(*cart_api, window, all).ok());
  EXPECT_TRUE(all.empty());

  window.statuses["status"] = {"Awaiting Fulfilment"};
  Status st = Collect(*cart_api, window, all);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_TRUE(Contains(st.message(), "Awaiting Fulfilment")) << st.message();
  EXPECT_EQ(transport.requests.size(), 2u);  // the first pull's two series; none for the bad status
}

// One order's products and addresses, as /products and /shipping_addresses
// answer them and as consignments (include=consignments.line_items&
// consignment_structure=object) carry the same objects.
const char kP65[] = R"({"id": 65, "order_id": 100, "order_address_id": 132, "sku": "S-ORAN",
  "base_price": "55.9900", "price_inc_tax": "65.2300", "quantity": 2, "quantity_shipped": 0, "type": "physical"})";
const char kP66[] = R"({"id": 66, "order_id": 100, "order_address_id": 132, "sku": "MUG-1",
  "base_price": "10.0000", "price_inc_tax": "", "quantity": 1, "quantity_shipped": 0, "type": "physical"})";
const char kP67[] = R"({"id": 67, "order_id": 100, "order_address_id": 132, "sku": "DONE-1",
  "base_price": "3.0000", "price_inc_tax": "3.0000", "quantity": 3, "quantity_shipped": 3, "type": "physical"})";
const char kP68[] = R"({"id": 68, "order_id": 100, "order_address_id": 133, "sku": "PART-1",
  "base_price": "7.5000", "price_inc_tax": "8.0000", "quantity": "4", "quantity_shipped": 1, "type": "physical"})";
const char kP69[] = R"({"id": 69, "order_id": 100, "order_address_id": 0, "sku": "EBOOK",
  "base_price": "9.0000", "price_inc_tax": "9.0000", "quantity": 1, "quantity_shipped": 0, "type": "digital"})";
const char kA132[] =
    R"("id": 132, "first_name": "Trishy", "last_name": "Smith", "company": "Acme Pty Ltd",
  "street_1": "666 Sussex St", "street_2": "Level 2", "city": "San Antonio", "zip": "78251",
  "country": "United States", "country_iso2": "US", "state": "Texas", "email": "trish@example.com",
  "phone": "", "shipping_method": "Free Shipping")";
const char kA133[] =
    R"("id": 133, "first_name": "Other", "last_name": "Person", "street_1": "1 Elsewhere",
  "country_iso2": "US", "shipping_method": "Ground")";
const char kOrderHead[] = R"("id": 100, "customer_id": 20,
  "date_created": "Wed, 10 Jan 2018 21:05:30 +0000", "date_modified": "Thu, 20 Apr 2017 11:32:00 -0400",
  "status_id": 11, "status": "Awaiting Fulfillment", "default_currency_code": "USD",
  "billing_address": {"first_name": "Jane", "last_name": "Doe", "street_1": "455 Main Street",
                      "city": "Austin", "state": "Texas", "zip": "78751", "country": "United States",
                      "country_iso2": "US", "phone": "555-123-4567", "email": "janedoe@example.com"})";

std::string JoinJson(std::initializer_list<std::string> parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

/// The order with its consignments in the object structure; the shipping
/// consignments and their lines deliberately not in id order.
std::string OrderWithConsignments() {
  return std::string("[{") + kOrderHead + R"(, "consignments": {"pickups": [], "shipping": [)" +
         "{" + kA133 +
         R"(, "items_total": 4, "items_shipped": 1, "base_cost": 5.1, "line_items": [)" + kP68 +
         "]}, {" + kA132 + R"(, "items_total": 6, "items_shipped": 3, "line_items": [)" +
         JoinJson({kP66, kP65, kP67}) +
         R"(]}], "downloads": [{"recipient_email": "x@example.com", "line_items": [)" + kP69 +
         R"(]}], "email": {"gift_certificates": []}}}])";
}

void ExpectSameOrder(const CartOrder& a, const CartOrder& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.order_number, b.order_number);
  EXPECT_EQ(a.placed_at, b.placed_at);
  EXPECT_EQ(a.updated_at, b.updated_at);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.ship_code, b.ship_code);
  const Address &x = a.ship_to, &y = b.ship_to;
  EXPECT_EQ(std::tie(x.name, x.company, x.address1, x.address2, x.city, x.region, x.postal_code,
                     x.country, x.phone, x.email),
            std::tie(y.name, y.company, y.address1, y.address2, y.city, y.region, y.postal_code,
                     y.country, y.phone, y.email));
  ASSERT_EQ(a.lines.size(), b.lines.size());
  for (size_t i = 0; i < a.lines.size(); ++i) {
    EXPECT_EQ(a.lines[i].line_key, b.lines[i].line_key) << i;
    EXPECT_EQ(a.lines[i].sku, b.lines[i].sku) << i;
    EXPECT_EQ(a.lines[i].quantity, b.lines[i].quantity) << i;
    EXPECT_EQ(a.lines[i].unit_price, b.lines[i].unit_price) << i;
  }
}

TEST_F(BigCommerceCartTest, ConsignmentsOnTheListReplaceThePerOrderCalls) {
  transport.Expect("GET", "/v2/orders?status_id=11&", 200, OrderWithConsignments());
  std::vector<CartOrder> all;
  ASSERT_NO_FATAL_FAILURE(FetchAwaitingFulfillment(all));
  ASSERT_EQ(transport.requests.size(), 1u);  // no /shipping_addresses, no /products
  EXPECT_TRUE(Contains(transport.requests[0].url,
                       "&limit=250&sort=id&include=consignments.line_items"
                       "&consignment_structure=object"))
      << transport.requests[0].url;
  ASSERT_EQ(all.size(), 1u);
  const CartOrder& o = all[0];
  EXPECT_EQ(o.ship_code, "Free Shipping");  // the first shipping address (by id)'s method
  EXPECT_EQ(o.ship_to.name, "Trishy Smith");
  EXPECT_EQ(o.ship_to.country, "US");
  EXPECT_EQ(o.ship_to.phone, "555-123-4567");  // empty on the address: billing's
  ASSERT_EQ(o.lines.size(), 4u);               // 67 is shipped in full
  EXPECT_EQ(o.lines[0].line_key, "65");
  EXPECT_EQ(o.lines[0].unit_price, "55.99");
  EXPECT_EQ(o.lines[1].line_key, "66");
  EXPECT_EQ(o.lines[1].unit_price, "10.00");
  EXPECT_EQ(o.lines[2].line_key, "68");
  EXPECT_EQ(o.lines[2].quantity, 3);     // 4 ordered, 1 shipped
  EXPECT_EQ(o.lines[3].line_key, "69");  // a digital line, as /products lists it
  EXPECT_EQ(o.lines[3].sku, "EBOOK");

  // The same order without consignments: the per-order calls, the same result.
  transport.requests.clear();
  transport.Expect("GET", "/v2/orders?status_id=11&", 200, std::string("[{") + kOrderHead + "}]");
  transport.Expect("GET", "/v2/orders/100/shipping_addresses", 200,
                   std::string("[{") + kA132 + "}, {" + kA133 + "}]");
  transport.Expect("GET", "/v2/orders/100/products?page=1&limit=250", 200,
                   "[" + JoinJson({kP65, kP66, kP67, kP68, kP69}) + "]");
  std::vector<CartOrder> again;
  ASSERT_NO_FATAL_FAILURE(FetchAwaitingFulfillment(again));
  EXPECT_EQ(transport.requests.size(), 3u);
  ASSERT_EQ(again.size(), 1u);
  ExpectSameOrder(o, again[0]);
}

TEST_F(BigCommerceCartTest, OrdersWithoutUsableConsignmentsAreReadPerOrder) {
  // 101: the link an API without include answers; 102: line items as links;
  // 103: none at all; 104: usable; 105: the array structure; 106: a line
  // item without a quantity; 107: a digital order (no shipping consignment).
  const std::string link =
      R"({"url": "https://x/v2/orders/1/consignments", "resource": "/orders/1/consignments"})";
  auto order = [](int id, const std::string& consignments) {
    std::string o =
        R"({"id": )" + std::to_string(id) +
        R"(, "date_created": "Wed, 10 Jan 2018 21:05:30 +0000", "status": "Awaiting Fulfillment", "default_currency_code": "USD",
                    "billing_address": {"first_name": "Bill", "last_name": "Payer", "country_iso2": "CA"})";
    if (!consignments.empty()) o += R"(, "consignments": )" + consignments;
    return o + "}";
  };
  auto product = [](int order, int id) {
    return R"({"id": )" + std::to_string(id) + R"(, "order_id": )" + std::to_string(order) +
           R"(, "sku": "SKU-)" + std::to_string(id) +
           R"(", "quantity": 2, "quantity_shipped": 0, "price_ex_tax": "1.5000"})";
  };
  auto address = [](int id, const std::string& city) {
    return R"("id": )" + std::to_string(id) +
           R"(, "first_name": "Ann", "last_name": "Lee", "city": ")" + city +
           R"(", "country_iso2": "US", "shipping_method": "Ground")";
  };
  const std::string list =
      "[" +
      JoinJson(
          {order(101, link),
           order(
               102,
               R"({"shipping": [{)" + address(1, "Reno") +
                   R"(, "line_items": [{"url": "https://x", "resource": "/orders/102/products/1"}]}]})"),
           order(103, ""),
           order(104, R"({"pickups": [], "shipping": [{)" + address(4, "Boise") +
                          R"(, "line_items": [)" + product(104, 40) +
                          R"(]}], "downloads": [], "email": {"gift_certificates": []}})"),
           order(105, "[" + link + "]"),
           order(106, R"({"shipping": [{)" + address(6, "Troy") +
                          R"(, "line_items": [{"id": 60, "sku": "X"}]}]})"),
           order(107, R"({"shipping": [], "downloads": [{"line_items": [)" + product(107, 70) +
                          "]}]}")}) +
      "]";
  std::vector<std::string> per_order;
  transport.handler = [&](const HttpRequest& r) -> std::optional<HttpResponse> {
    const std::string& u = r.url;
    if (Contains(u, "/v2/orders?")) return Answer(200, list);
    const size_t at = u.find("/v2/orders/");
    if (at == std::string::npos) return std::nullopt;
    const std::string id = u.substr(at + 11, 3);
    per_order.push_back(u.substr(at + 11));
    if (Contains(u, "/shipping_addresses"))
      return Answer(200, "[{" + address(std::stoi(id), "City" + id) + "}]");
    if (Contains(u, "/products?page=1&limit=250"))
      return Answer(200, "[" + product(std::stoi(id), 1) + "]");
    return std::nullopt;
  };
  std::vector<CartOrder> all;
  ASSERT_NO_FATAL_FAILURE(FetchAwaitingFulfillment(all));
  EXPECT_EQ(per_order,
            (std::vector<std::string>{"101/shipping_addresses", "101/products?page=1&limit=250",
                                      "102/shipping_addresses", "102/products?page=1&limit=250",
                                      "103/shipping_addresses", "103/products?page=1&limit=250",
                                      "105/shipping_addresses", "105/products?page=1&limit=250",
                                      "106/shipping_addresses", "106/products?page=1&limit=250"}));
  ASSERT_EQ(all.size(), 7u);
  for (const CartOrder& o : all) {
    ASSERT_EQ(o.lines.size(), 1u) << o.id;
    EXPECT_EQ(o.lines[0].quantity, 2) << o.id;
    EXPECT_EQ(o.lines[0].unit_price, "1.50") << o.id;
  }
  EXPECT_EQ(all[0].ship_to.city, "City101");
  EXPECT_EQ(all[0].lines[0].line_key, "1");
  EXPECT_EQ(all[3].id, "104");
  EXPECT_EQ(all[3].ship_to.city, "Boise");
  EXPECT_EQ(all[3].ship_code, "Ground");
  EXPECT_EQ(all[3].lines[0].line_key, "40");
  EXPECT_EQ(all[3].lines[0].sku, "SKU-40");
  EXPECT_EQ(all[6].id, "107");  // no shipping consignment: the billing address, no method
  EXPECT_EQ(all[6].ship_to.name, "Bill Payer");
  EXPECT_EQ(all[6].ship_to.country, "CA");
  EXPECT_EQ(all[6].ship_code, "");
  EXPECT_EQ(all[6].lines[0].line_key, "70");
}

TrackingUpload Upload(std::vector<ShipmentLine> lines = {}) {
  TrackingUpload u;
  u.order_id = "100";
  u.carrier_code = "ups";
  u.shipment.order_key = "acme-bc:100";
  u.shipment.carrier = "UPS";
  u.shipment.tracking_number = "1Z999AA10123456784";
  u.shipment.lines = std::move(lines);
  return u;
}

TEST_F(BigCommerceCartTest, HasTrackingReadsShipments) {
  transport.Expect("GET", "/v2/orders/100/shipments?page=1&limit=250", 200,
                   R"([{"id": 6, "order_id": 100, "tracking_number": "EJ958083578US"},
                       {"id": 7, "order_id": 100, "tracking_number": "1Z999AA10123456784"}])");
  transport.Expect("GET", "/v2/orders/100/shipments", 204);
  auto cart_api = Make();
  auto yes = cart_api->HasTracking("100", "1Z999AA10123456784");
  ASSERT_TRUE(yes.ok()) << yes.status().message();
  EXPECT_TRUE(yes.value());
  auto no = cart_api->HasTracking("100", "1Z999AA10123456784");
  ASSERT_TRUE(no.ok()) << no.status().message();
  EXPECT_FALSE(no.value());
}

TEST_F(BigCommerceCartTest, UploadChecksFirstAndNeverPostsADuplicate) {
  transport.Expect("GET", "/v2/orders/100/shipments", 200,
                   R"([{"tracking_number": "1Z999AA10123456784"}])");
  auto cart_api = Make();
  Status st = cart_api->UploadTracking(Upload());
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST_F(BigCommerceCartTest, UploadPostsAShipmentForTheMatchedLines) {
  transport.Expect("GET", "/v2/orders/100/shipments", 204);
  transport.Expect("GET", "/v2/orders/100/shipping_addresses", 200, kAddresses100);
  transport.Expect("GET", "/v2/orders/100/products", 200, kProducts100);
  transport.Expect("POST", "/v2/orders/100/shipments", 201, R"({"id": 11, "order_id": 100})");
  auto cart_api = Make();
  Status st = cart_api->UploadTracking(Upload({{"65", "S-ORAN", 1}, {"999", "GONE", 1}}));
  ASSERT_TRUE(st.ok()) << st.message();
  const HttpRequest& post = transport.requests.back();
  EXPECT_EQ(post.url, std::string(kStoreBase) + "/v2/orders/100/shipments");
  EXPECT_FALSE(post.idempotent) << "a shipment POST must not be retried blindly";
  auto body = Json(post.body);
  ASSERT_TRUE(body.IsObject()) << post.body;
  EXPECT_EQ(body["order_address_id"].GetInt64(), 132);
  EXPECT_STREQ(body["tracking_number"].GetString(), "1Z999AA10123456784");
  EXPECT_STREQ(body["shipping_provider"].GetString(), "ups");
  EXPECT_FALSE(body.HasMember("tracking_carrier"));
  ASSERT_EQ(body["items"].Size(), 1u);
  EXPECT_EQ(body["items"][0]["order_product_id"].GetInt64(), 65);
  EXPECT_EQ(body["items"][0]["quantity"].GetInt64(), 1);
}

TEST_F(BigCommerceCartTest, UploadWithoutMatchingLinesShipsEverythingLeft) {
  transport.Expect("GET", "/v2/orders/100/shipments", 204);
  transport.Expect("GET", "/v2/orders/100/shipping_addresses", 200, kAddresses100);
  transport.Expect(
      "GET", "/v2/orders/100/products", 200,
      R"([{"id": 65, "order_address_id": 132, "sku": "S-ORAN", "quantity": 3, "quantity_shipped": 1},
                       {"id": 66, "order_address_id": 132, "sku": "MUG-1", "quantity": 1, "quantity_shipped": 1},
                       {"id": 67, "order_address_id": 133, "sku": "ELSEWHERE", "quantity": 1, "quantity_shipped": 0}])");
  transport.Expect("POST", "/v2/orders/100/shipments", 201, R"({"id": 12})");
  auto cart_api = Make();
  Status st = cart_api->UploadTracking(Upload());
  ASSERT_TRUE(st.ok()) << st.message();
  auto body = Json(transport.requests.back().body);
  ASSERT_EQ(body["items"].Size(), 1u) << transport.requests.back().body;
  EXPECT_EQ(body["items"][0]["order_product_id"].GetInt64(), 65);
  EXPECT_EQ(body["items"][0]["quantity"].GetInt64(), 2);
}

TEST_F(BigCommerceCartTest, UnknownShippingProviderIsRetriedAsTrackingCarrier) {
  transport.Expect("GET", "/v2/orders/100/shipments", 204);
  transport.Expect("GET", "/v2/orders/100/shipping_addresses", 200, kAddresses100);
  transport.Expect("GET", "/v2/orders/100/products", 200, kProducts100);
  transport.Expect("POST", "/v2/orders/100/shipments", 400,
                   R"([{"status": 400, "message": "The field 'shipping_provider' is invalid."}])");
  transport.Expect("POST", "/v2/orders/100/shipments", 201, R"({"id": 13})");
  auto cart_api = Make();
  TrackingUpload upload = Upload({{"65", "S-ORAN", 2}});
  upload.carrier_code = "dhl";
  Status st = cart_api->UploadTracking(upload);
  ASSERT_TRUE(st.ok()) << st.message();
  auto second = Json(transport.requests.back().body);
  EXPECT_STREQ(second["shipping_provider"].GetString(), "");
  EXPECT_STREQ(second["tracking_carrier"].GetString(), "dhl");
}

TEST_F(BigCommerceCartTest, OtherShipmentErrorsAreMessagesNotRetries) {
  transport.Expect("GET", "/v2/orders/100/shipments", 204);
  transport.Expect("GET", "/v2/orders/100/shipping_addresses", 200, kAddresses100);
  transport.Expect("GET", "/v2/orders/100/products", 200, kProducts100);
  transport.Expect(
      "POST", "/v2/orders/100/shipments", 400,
      R"([{"status": 400, "message": "The quantity specified is greater than the quantity available to ship."}])");
  auto cart_api = Make();
  Status st = cart_api->UploadTracking(Upload({{"65", "S-ORAN", 2}}));
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_TRUE(Contains(st.message(), "HTTP 400")) << st.message();
  EXPECT_TRUE(Contains(st.message(), "greater than the quantity available")) << st.message();
}

TEST_F(BigCommerceCartTest, TimeoutOnShipmentPostIsNotRetried) {
  transport.Expect("GET", "/v2/orders/100/shipments", 204);
  transport.Expect("GET", "/v2/orders/100/shipping_addresses", 200, kAddresses100);
  transport.Expect("GET", "/v2/orders/100/products", 200, kProducts100);
  transport.ExpectFailure("POST", "/v2/orders/100/shipments", Status::Transient("timed out"));
  auto cart_api = Make();
  Status st = cart_api->UploadTracking(Upload());
  EXPECT_TRUE(st.transient()) << st.message();
  EXPECT_EQ(transport.requests.size(), 4u);
}

// ---------------------------------------------------------------------------
// Inventory

TEST_F(BigCommerceCartTest, PushesAbsoluteAdjustmentsInChunksOf2000) {
  cart.api["inventory_location_id"] = IntegerField(3);
  for (int i = 0; i < 3; ++i) {
    transport.Expect("PUT", std::string(kStoreBase) + "/v3/inventory/adjustments/absolute", 200,
                     R"({"transaction_id": "t"})");
  }
  auto cart_api = Make();
  std::vector<InventoryPush> items;
  for (int i = 0; i < 4500; ++i) items.push_back({"SKU-" + std::to_string(i), i % 7});
  auto errors = cart_api->PushInventory(items);
  ASSERT_TRUE(errors.ok()) << errors.status().message();
  EXPECT_TRUE(errors.value().empty());
  std::vector<size_t> sizes;
  for (const HttpRequest& r : transport.requests) {
    EXPECT_TRUE(r.idempotent);
    auto body = Json(r.body);
    ASSERT_TRUE(body.IsObject()) << r.body.substr(0, 200);
    EXPECT_STREQ(body["reason"].GetString(), "cartsync inventory sync");
    sizes.push_back(body["items"].Size());
    const auto& item = body["items"][0];
    EXPECT_EQ(item["location_id"].GetInt64(), 3);
    EXPECT_TRUE(item["sku"].IsString());
    EXPECT_TRUE(item["quantity"].IsInt64());
    EXPECT_EQ(item.MemberCount(), 3u);  // oneOf: exactly the sku variant's members
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{2000, 2000, 500}));
  auto last = Json(transport.requests.back().body);
  EXPECT_STREQ(last["items"][499]["sku"].GetString(), "SKU-4499");
  EXPECT_EQ(last["items"][499]["quantity"].GetInt64(), 4499 % 7);
}

TEST_F(BigCommerceCartTest, UnprocessableItemsBecomePushErrorsAndTheRestIsResent) {
  transport.Expect("PUT", "/v3/inventory/adjustments/absolute", 422,
                   R"({"status": 422, "title": "Some items could not be adjusted",
                       "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes",
                       "errors": {"items.1.sku": "SKU not found"}})");
  transport.Expect(
      "PUT", "/v3/inventory/adjustments/absolute", 422,
      R"({"status": 422, "title": "[Item with sku TRACKED-BY-PRODUCT is tracked by product, please update stock by product id]",
                       "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes", "errors": {}})");
  // Tracked by product: its product id from the catalog, then by product_id.
  transport.Expect("GET", "/v3/catalog/variants?sku=TRACKED-BY-PRODUCT", 200,
                   R"({"data": [{"id": 5, "product_id": 77, "sku": "TRACKED-BY-PRODUCT"}]})");
  transport.Expect("PUT", "/v3/inventory/adjustments/absolute", 200, R"({"transaction_id": "x"})");
  auto cart_api = Make();
  auto errors = cart_api->PushInventory(
      {{"GOOD-1", 5}, {"MISSING", 1}, {"TRACKED-BY-PRODUCT", 2}, {"GOOD-2", 0}});
  ASSERT_TRUE(errors.ok()) << errors.status().message();
  std::map<std::string, std::string> by_sku;
  for (const PushError& e : errors.value()) by_sku[e.sku] = e.message;
  ASSERT_EQ(by_sku.size(), 1u);
  EXPECT_TRUE(Contains(by_sku["MISSING"], "SKU not found")) << by_sku["MISSING"];
  auto second = Json(transport.requests[1].body);
  EXPECT_EQ(second["items"].Size(), 3u);
  auto third = Json(transport.requests[3].body);
  ASSERT_EQ(third["items"].Size(), 3u);
  EXPECT_STREQ(third["items"][0]["sku"].GetString(), "GOOD-1");
  EXPECT_EQ(third["items"][1]["product_id"].GetInt64(), 77);
  EXPECT_STREQ(third["items"][2]["sku"].GetString(), "GOOD-2");
}

TEST_F(BigCommerceCartTest, UnattributableRejectionFailsTheWholeChunk) {
  transport.Expect(
      "PUT", "/v3/inventory/adjustments/absolute", 422,
      R"({"status": 422, "title": "Invalid location", "type": "x", "errors": {"location_id": "unknown"}})");
  auto cart_api = Make();
  auto errors = cart_api->PushInventory({{"A", 1}, {"B", 2}});
  ASSERT_TRUE(errors.ok()) << errors.status().message();
  ASSERT_EQ(errors.value().size(), 2u);
  for (const PushError& e : errors.value()) {
    EXPECT_TRUE(Contains(e.message, "Invalid location")) << e.message;
    EXPECT_TRUE(Contains(e.message, "location_id: unknown")) << e.message;
  }
}

TEST_F(BigCommerceCartTest, RejectedTokenIsPermanentAndNeverQuoted) {
  transport.Expect(
      "GET", "/v2/orders?", 401,
      std::string(R"([{"status": 401, "message": "Token )") + kToken + R"( is invalid"}])");
  auto cart_api = Make();
  std::vector<CartOrder> all;
  Status st = Collect(*cart_api, OrderWindow{}, all);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_TRUE(Contains(st.message(), "BigCommerce rejected the access token (HTTP 401)"))
      << st.message();
  EXPECT_FALSE(Contains(st.message(), kToken)) << st.message();
  EXPECT_EQ(transport.requests.size(), 1u);

  transport.Expect("PUT", "/v3/inventory/adjustments/absolute", 401,
                   R"({"status": 401, "title": "Unauthorized", "type": "x", "errors": {}})");
  auto pushed = cart_api->PushInventory({{"A", 1}});
  ASSERT_FALSE(pushed.ok());
  EXPECT_TRUE(
      Contains(pushed.status().message(), "BigCommerce rejected the access token (HTTP 401)"));
}

TEST_F(BigCommerceCartTest, V2AndV3ErrorBodiesBecomeMessages) {
  transport.Expect("GET", "/v2/orders/100/shipments", 404,
                   R"([{"status": 404, "message": "The requested resource was not found."}])");
  transport.Expect(
      "PUT", "/v3/inventory/adjustments/absolute", 400,
      R"({"status": 400, "title": "Input is invalid", "type": "x", "errors": {"items": "must not be empty"}})");
  auto cart_api = Make();
  auto has = cart_api->HasTracking("100", "1Z");
  ASSERT_FALSE(has.ok());
  EXPECT_EQ(has.status().code(), StatusCode::NotFound);
  EXPECT_TRUE(Contains(has.status().message(), "The requested resource was not found."))
      << has.status().message();
  auto pushed = cart_api->PushInventory({{"A", 1}});
  ASSERT_TRUE(pushed.ok());
  ASSERT_EQ(pushed.value().size(), 1u);
  EXPECT_TRUE(Contains(pushed.value()[0].message, "Input is invalid (items: must not be empty)"))
      << pushed.value()[0].message;
}

TEST_F(BigCommerceCartTest, RateLimitedRequestsAreRetried) {
  transport.Expect("GET", "/v2/orders/100/shipments", 429, "", {{"Retry-After", "2"}});
  transport.Expect("GET", "/v2/orders/100/shipments", 204);
  auto cart_api = Make();
  auto has = cart_api->HasTracking("100", "1Z");
  ASSERT_TRUE(has.ok()) << has.status().message();
  EXPECT_FALSE(has.value());
  EXPECT_GE(clock.slept_ms(), 2000);
}

TEST_F(BigCommerceCartTest, BaseUrlOverrideAndConfigRules) {
  cart.api["base_url"] = TextField(FieldType::Url, "http://127.0.0.1:4010/");
  transport.Expect("GET", "http://127.0.0.1:4010/v2/orders?limit=250&sort=id", 204);
  auto cart_api = Make();
  std::vector<CartOrder> all;
  ASSERT_TRUE(Collect(*cart_api, OrderWindow{}, all).ok());

  CartConfig insecure = cart;
  insecure.api["base_url"] = TextField(FieldType::Url, "http://api.example.com");
  EXPECT_FALSE(MakeBigCommerceCart(insecure, ConnectorDeps{&http, &secrets}).ok());

  CartConfig bad_hash = cart;
  bad_hash.api.erase("base_url");
  bad_hash.api["store_hash"] = TextField(FieldType::String, "abc/../x");
  EXPECT_FALSE(MakeBigCommerceCart(bad_hash, ConnectorDeps{&http, &secrets}).ok());

  CartConfig no_token = cart;
  no_token.api.erase("access_token");
  EXPECT_FALSE(MakeBigCommerceCart(no_token, ConnectorDeps{&http, &secrets}).ok());
}

// An order that leaves the status filter between two page requests (the
// merchant, or our own tracking upload, ships it) must not shift the next
// page: the store below serves offset pages and min_id alike, so paging by
// offset would skip the order that slides from page 2 onto page 1.
TEST_F(BigCommerceCartTest, OrderLeavingTheFilterMidFetchSkipsNoOtherOrder) {
  std::vector<int64_t> open;  // ids still "Awaiting Fulfillment", ascending
  for (int64_t id = 1; id <= 600; ++id) open.push_back(id);
  int list_calls = 0;
  auto param = [](const std::string& url, const std::string& name) -> std::optional<int64_t> {
    size_t at = url.find("&" + name + "=");
    if (at == std::string::npos) at = url.find("?" + name + "=");
    if (at == std::string::npos) return std::nullopt;
    return std::stoll(url.substr(at + name.size() + 2));
  };
  transport.handler = [&](const HttpRequest& r) -> std::optional<HttpResponse> {
    const std::string& u = r.url;
    if (Contains(u, "/v2/orders?")) {
      // Between pages, the store ships the lowest open order.
      if (list_calls++ > 0) open.erase(open.begin());
      const int64_t min_id = param(u, "min_id").value_or(0);
      const int64_t page = param(u, "page").value_or(1);
      std::vector<int64_t> match;
      for (int64_t id : open)
        if (id >= min_id) match.push_back(id);
      const size_t from = static_cast<size_t>((page - 1) * 250);
      if (from >= match.size()) return Answer(204, "");
      std::string body = "[";
      for (size_t i = from; i < match.size() && i < from + 250; ++i) {
        if (i > from) body += ",";
        body += R"({"id": )" + std::to_string(match[i]) +
                R"(, "date_created": "Wed, 10 Jan 2018 21:05:30 +0000", "date_modified": )"
                R"("Wed, 10 Jan 2018 21:05:30 +0000", "status": "Awaiting Fulfillment"})";
      }
      return Answer(200, body + "]");
    }
    if (Contains(u, "/shipping_addresses")) return Answer(204, "");
    if (Contains(u, "/products?page=1&limit=250"))
      return Answer(200, R"([{"id": 1, "sku": "A", "quantity": 1, "price_inc_tax": "1.0000"}])");
    return std::nullopt;
  };
  auto cart_api = Make();
  OrderWindow window;
  window.statuses["status"] = {"Awaiting Fulfillment"};
  std::vector<CartOrder> all;
  ASSERT_TRUE(Collect(*cart_api, window, all).ok());
  std::set<std::string> got;
  for (const CartOrder& o : all) EXPECT_TRUE(got.insert(o.id).second) << "twice: " << o.id;
  for (int64_t id : open) EXPECT_TRUE(got.count(std::to_string(id))) << "lost order " << id;
  EXPECT_EQ(list_calls, 3);  // 250, 250, the rest
}

TEST_F(BigCommerceCartTest, IdsThatDoNotAdvanceAreAnErrorNotALoop) {
  std::string page = "[";
  for (int i = 0; i < 250; ++i)
    page += std::string(i ? "," : "") + R"({"id": 7, "status": "Awaiting Fulfillment"})";
  page += "]";
  transport.handler = [&](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (Contains(r.url, "/v2/orders?")) return Answer(200, page);
    if (Contains(r.url, "/shipping_addresses")) return Answer(204, "");
    if (Contains(r.url, "/products?page=1&limit=250"))
      return Answer(200, R"([{"id": 1, "sku": "A", "quantity": 1, "price_inc_tax": "1.0000"}])");
    return std::nullopt;
  };
  auto cart_api = Make();
  OrderWindow window;
  window.statuses["status"] = {"Awaiting Fulfillment"};
  std::vector<CartOrder> all;
  Status st = Collect(*cart_api, window, all);
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(Contains(st.message(), "do not advance past min_id")) << st.message();
  EXPECT_LE(transport.requests.size(), 10u);
}

TEST_F(BigCommerceCartTest, TrackingNumberOverFiftyCharactersIsAClearErrorWithoutARequest) {
  auto cart_api = Make();
  TrackingUpload upload = Upload();
  upload.shipment.tracking_number = std::string(51, '7');
  Status st = cart_api->UploadTracking(upload);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_TRUE(Contains(st.message(), "51 characters long; BigCommerce accepts at most 50"))
      << st.message();
  EXPECT_TRUE(Contains(st.message(), "order 100")) << st.message();
  EXPECT_TRUE(transport.requests.empty());
}

TEST_F(BigCommerceCartTest, ForbiddenNamesTheScopesIncludingStoreInventory) {
  transport.Expect(
      "PUT", "/v3/inventory/adjustments/absolute", 403,
      R"({"status":403,"title":"You don't have a required scope to access the endpoint"})");
  auto cart_api = Make();
  auto errors = cart_api->PushInventory({{"S-ORAN", 4}});
  ASSERT_TRUE(errors.ok()) << errors.status().message();
  ASSERT_EQ(errors->size(), 1u);
  EXPECT_TRUE(Contains(errors.value()[0].message, "Store Inventory: modify"))
      << errors.value()[0].message;
}

// inventory.v3.yml: "If a product has no variants, use product_id"; an item
// tracked by product refuses sku/variant_id with the 422 of its example.
TEST_F(BigCommerceCartTest, ItemTrackedByProductIsSetByProductId) {
  transport.Expect(
      "PUT", "/v3/inventory/adjustments/absolute", 422,
      R"({"status":422,"title":"[Item with variant_id 106 is tracked by product, please update stock by product id]",)"
      R"("type":"https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes","errors":{}})");
  transport.Expect("GET", "/v3/catalog/variants?id=106", 200,
                   R"({"data":[{"id":106,"product_id":111,"sku":"S-BLUE"}],"meta":{}})");
  transport.Expect("PUT", "/v3/inventory/adjustments/absolute", 200,
                   R"({"transaction_id":"b6d6e1e4"})");
  transport.Expect("PUT", "/v3/inventory/adjustments/absolute", 200,
                   R"({"transaction_id":"c7e7f2f5"})");
  auto cart_api = Make();
  auto errors = cart_api->PushInventory({{"S-ORAN", 4}, {"S-BLUE", 7}});
  ASSERT_TRUE(errors.ok()) << errors.status().message();
  EXPECT_TRUE(errors->empty()) << errors.value()[0].message;
  ASSERT_EQ(transport.requests.size(), 3u);
  rapidjson::Document again;
  again.Parse(transport.requests[2].body.c_str());
  ASSERT_TRUE(again.IsObject()) << transport.requests[2].body;
  const auto& items = again["items"];
  ASSERT_EQ(items.Size(), 2u);
  EXPECT_STREQ(items[0]["sku"].GetString(), "S-ORAN");
  EXPECT_FALSE(items[1].HasMember("sku"));
  EXPECT_EQ(items[1]["product_id"].GetInt64(), 111);
  EXPECT_EQ(items[1]["quantity"].GetInt64(), 7);
  // The connector remembers: the next push sends product_id at once.
  auto later = cart_api->PushInventory({{"S-BLUE", 6}});
  ASSERT_TRUE(later.ok()) << later.status().message();
  ASSERT_EQ(transport.requests.size(), 4u);
  EXPECT_TRUE(Contains(transport.requests[3].body, R"("product_id":111)"))
      << transport.requests[3].body;
}

}  // namespace
}  // namespace cartsync

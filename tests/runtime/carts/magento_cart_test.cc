// Magento connector against a scripted transport: the real HttpClient
// (retries, idempotency rules) over a fake that checks each request's method
// and URL, answers from a script (then from a handler), and records
// everything sent — so every request's headers can be checked. Magento's
// API file declares no enforced security, so the Authorization header is
// pinned down here rather than by Prism.
#include "runtime/carts/magento_cart.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "runtime/carts/connector_util.h"
#include "runtime/carts/connectors.h"
#include "runtime/clock.h"
#include "runtime/net/http_client.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_secrets.h"
#include "tests/support/scripted_transport.h"

namespace cartsync {
namespace {

constexpr char kToken[] = "mag_integration_t0ken_s3cr3t";
constexpr char kApi[] = "https://shop.example.com/rest/default/V1";

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

/// The decoded query parameters of a URL.
std::map<std::string, std::string> QueryOf(const std::string& url) {
  std::map<std::string, std::string> out;
  size_t q = url.find('?');
  if (q == std::string::npos) return out;
  std::string rest = url.substr(q + 1);
  size_t start = 0;
  while (start <= rest.size()) {
    size_t amp = rest.find('&', start);
    std::string pair =
        rest.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    size_t eq = pair.find('=');
    out[connector_util::PercentDecode(pair.substr(0, eq))] =
        eq == std::string::npos ? "" : connector_util::PercentDecode(pair.substr(eq + 1));
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return out;
}

std::string F(int group, const char* part) {
  return "searchCriteria[filterGroups][" + std::to_string(group) + "][filters][0][" + part + "]";
}

class MagentoCartTest : public ::testing::Test {
 protected:
  MagentoCartTest() {
    secrets.values["env:MAG_TOKEN"] = kToken;
    cart.id = "acme-magento";
    cart.platform = "magento";
    cart.api["store_url"] = TextField(FieldType::Url, "https://shop.example.com/");
    cart.api["access_token"] = SecretField("MAG_TOKEN");
    cart.api["store_code"] = TextField(FieldType::String, "default");
    cart.api["inventory_api"] = TextField(FieldType::Enum, "msi");
    cart.api["source_code"] = TextField(FieldType::String, "default");
  }

  std::unique_ptr<CartConnector> Make() {
    auto made = MakeMagentoCart(cart, ConnectorDeps{&http, &secrets});
    EXPECT_TRUE(made.ok()) << made.status().message();
    return made.ok() ? std::move(made.value()) : nullptr;
  }

  void TearDown() override {
    transport.ExpectScriptDone();
    for (const HttpRequest& r : transport.requests) {
      if (oauth) {
        EXPECT_EQ(HeaderOf(r, "Authorization").rfind("OAuth oauth_consumer_key=\"", 0), 0u)
            << r.method << " " << r.url;
      } else {
        EXPECT_EQ(HeaderOf(r, "Authorization"), std::string("Bearer ") + kToken)
            << r.method << " " << r.url;
      }
      EXPECT_EQ(HeaderOf(r, "Accept"), "application/json") << r.method << " " << r.url;
      EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/json") << r.method << " " << r.url;
      EXPECT_EQ(r.url.rfind(kApi, 0), 0u) << r.url;
      EXPECT_FALSE(Contains(r.url, kToken));
    }
  }

  FakeClock clock;
  ScriptedTransport transport;
  HttpClient http{transport, clock};
  FakeSecretResolver secrets;
  CartConfig cart;
  bool oauth = false;
};

Status Collect(CartConnector& c, const OrderWindow& w, std::vector<CartOrder>& out,
               std::vector<size_t>* pages = nullptr) {
  return c.FetchOrders(w, [&](std::vector<CartOrder>&& page) {
    if (pages) pages->push_back(page.size());
    for (auto& o : page) out.push_back(std::move(o));
    return Status::Ok();
  });
}

OrderWindow Processing(int64_t updated_after = 1790000000) {
  OrderWindow w;
  w.statuses["status"] = {"processing"};
  w.updated_after = updated_after;
  return w;
}

// Shaped after sales-data-order-interface (admin-schema-2.4.9.yaml): a
// configurable parent with its simple child, a simple item partly shipped,
// a virtual item, and the address in the shipping assignment.
const char kOrder7[] = R"({
  "entity_id": 7, "increment_id": "000000007", "state": "processing", "status": "processing",
  "created_at": "2026-10-01 12:00:00", "updated_at": "2026-10-02 08:30:15",
  "customer_email": "jane@example.com", "base_grand_total": 95, "grand_total": 95,
  "base_currency_code": "USD", "order_currency_code": "EUR", "base_subtotal": 81,
  "base_shipping_amount": 10, "base_discount_amount": -5, "base_tax_amount": 9,
  "shipping_description": "Flat Rate - Fixed",
  "billing_address": {"firstname": "Bill", "lastname": "Payer", "street": ["1 Billing Rd"],
                      "city": "Elsewhere", "country_id": "US", "email": "bill@example.com"},
  "items": [
    {"item_id": 11, "sku": "TEE-M-RED", "product_type": "configurable", "price": 27.5,
     "base_price": 25.5, "base_discount_amount": 5, "base_tax_amount": 4.59, "qty_ordered": 2.0, "qty_shipped": 0, "qty_refunded": 0, "qty_canceled": 0},
    {"item_id": 12, "parent_item_id": 11, "sku": "TEE-M-RED", "product_type": "simple",
     "price": 0, "qty_ordered": 2.0},
    {"item_id": 13, "sku": "MUG-1", "product_type": "simple", "price": "11.0000",
     "base_price": "10.0000",
     "qty_ordered": "3.0000", "qty_shipped": "1.0000", "qty_refunded": "0.0000",
     "qty_canceled": "1.0000"},
    {"item_id": 14, "sku": "GIFT-CARD", "product_type": "virtual", "is_virtual": 1, "price": 20,
     "qty_ordered": 1},
    {"item_id": 15, "sku": "DONE-1", "product_type": "simple", "price": 5,
     "qty_ordered": 1, "qty_shipped": 1}
  ],
  "extension_attributes": {"shipping_assignments": [{"shipping": {
    "method": "flatrate_flatrate",
    "address": {"firstname": "Jane", "lastname": "Doe", "company": "Acme",
                "street": ["12 Main St", "Suite 4", "Floor 2"], "city": "Austin",
                "region": "Texas", "region_code": "TX", "postcode": "78701",
                "country_id": "US", "telephone": "555-0100", "email": "jane@example.com"}}}]}
})";

std::string Page(const std::vector<std::string>& orders, int64_t total) {
  std::string items;
  for (const std::string& o : orders) items += (items.empty() ? "" : ",") + o;
  return R"({"items": [)" + items + R"(], "search_criteria": {}, "total_count": )" +
         std::to_string(total) + "}";
}

std::string MiniOrder(int64_t id, const std::string& status = "processing") {
  return R"({"entity_id": )" + std::to_string(id) + R"(, "increment_id": "1)" + std::to_string(id) +
         R"(", "status": ")" + status +
         R"(", "created_at": "2026-10-01 00:00:00", "updated_at": "2026-10-01 00:00:00",)" +
         R"( "items": [{"item_id": )" + std::to_string(id * 10) +
         R"(, "sku": "S", "price": 1, "qty_ordered": 1}]})";
}

TEST_F(MagentoCartTest, HelpersFormatDatesErrorsAndCarriers) {
  int64_t t = 0;
  ASSERT_TRUE(ParseTimestamp("2026-10-02T08:30:15Z", t));
  EXPECT_EQ(magento::FormatDate(t), "2026-10-02 08:30:15");
  EXPECT_EQ(magento::ToIsoUtc("2026-10-02 08:30:15"), "2026-10-02T08:30:15Z");
  EXPECT_EQ(magento::ToIsoUtc("2026-10-02T10:30:15+02:00"), "2026-10-02T08:30:15Z");
  EXPECT_EQ(magento::ToIsoUtc(""), "");
  EXPECT_EQ(magento::ToIsoUtc("2026-13-45 99:99:99"), "");
  EXPECT_EQ(magento::ErrorText(R"({"message":"No such entity with %fieldName = %fieldValue",)"
                               R"("parameters":{"fieldName":"orderId","fieldValue":"9"}})"),
            "No such entity with orderId = 9");
  EXPECT_EQ(
      magento::ErrorText(R"({"message":"Validation Failed","errors":[)"
                         R"({"message":"\"%1\" can't be %2.","parameters":["qty","empty"]}]})"),
      "Validation Failed: \"qty\" can't be empty.");
  EXPECT_EQ(magento::ErrorText("<html>"), "");
  EXPECT_EQ(magento::CarrierCode("UPS"), "ups");
  EXPECT_EQ(magento::CarrierCode("FedEx"), "fedex");
  EXPECT_EQ(magento::CarrierCode("usps"), "usps");
  EXPECT_EQ(magento::CarrierCode("DHL"), "dhl");
  EXPECT_EQ(magento::CarrierCode("Royal Mail"), "custom");
  EXPECT_EQ(magento::CarrierCode(""), "custom");
}

// The vector was computed independently (Python hmac/hashlib, RFC 5849
// encoding) for these inputs.
TEST_F(MagentoCartTest, OAuth1SignatureMatchesAnIndependentComputation) {
  const std::string url =
      "https://Shop.Example.com:443/rest/default/V1/orders?searchCriteria%5BpageSize%5D=100"
      "&searchCriteria%5BfilterGroups%5D%5B0%5D%5Bfilters%5D%5B0%5D%5Bvalue%5D=a%20b%2Cc";
  std::vector<std::pair<std::string, std::string>> oauth_params = {
      {"oauth_consumer_key", "ck123"},
      {"oauth_nonce", "abcdef0123456789"},
      {"oauth_signature_method", "HMAC-SHA256"},
      {"oauth_timestamp", "1790000000"},
      {"oauth_token", "tok456"},
      {"oauth_version", "1.0"}};
  EXPECT_EQ(
      magento::SignatureBaseString("GET", url, oauth_params),
      "GET&https%3A%2F%2Fshop.example.com%2Frest%2Fdefault%2FV1%2Forders&oauth_consumer_key%3D"
      "ck123%26oauth_nonce%3Dabcdef0123456789%26oauth_signature_method%3DHMAC-SHA256%26oauth_"
      "timestamp%3D1790000000%26oauth_token%3Dtok456%26oauth_version%3D1.0%26searchCriteria%"
      "255BfilterGroups%255D%255B0%255D%255Bfilters%255D%255B0%255D%255Bvalue%255D%3Da%2520b%"
      "252Cc%26searchCriteria%255BpageSize%255D%3D100");
  const std::string header = magento::OAuth1Header(
      "GET", url, {"ck123", "cs&secret", "tok456", "ts/secret"}, 1790000000, "abcdef0123456789");
  EXPECT_EQ(header,
            "OAuth oauth_consumer_key=\"ck123\", oauth_nonce=\"abcdef0123456789\", "
            "oauth_signature=\"704eIEtSmWc1dMKtdtDE5PM%2FRfHowxyxDIpm%2BkM3Hxk%3D\", "
            "oauth_signature_method=\"HMAC-SHA256\", oauth_timestamp=\"1790000000\", "
            "oauth_token=\"tok456\", oauth_version=\"1.0\"");
}

TEST_F(MagentoCartTest, NormalizesEveryField) {
  transport.Expect("GET", "/rest/default/V1/orders?", 200, Page({kOrder7}, 1));
  auto c = Make();
  std::vector<CartOrder> all;
  ASSERT_TRUE(Collect(*c, Processing(), all).ok());
  ASSERT_EQ(all.size(), 1u);
  const CartOrder& o = all[0];
  EXPECT_EQ(o.id, "7");
  EXPECT_EQ(o.order_number, "000000007");
  EXPECT_EQ(o.placed_at, "2026-10-01T12:00:00Z");
  EXPECT_EQ(o.updated_at, "2026-10-02T08:30:15Z");
  EXPECT_EQ(o.status, "processing");
  EXPECT_EQ(o.ship_code, "Flat Rate - Fixed");
  EXPECT_EQ(o.ship_to.name, "Jane Doe");
  EXPECT_EQ(o.ship_to.company, "Acme");
  EXPECT_EQ(o.ship_to.address1, "12 Main St");
  EXPECT_EQ(o.ship_to.address2, "Suite 4, Floor 2");
  EXPECT_EQ(o.ship_to.city, "Austin");
  EXPECT_EQ(o.ship_to.region, "TX");
  EXPECT_EQ(o.ship_to.postal_code, "78701");
  EXPECT_EQ(o.ship_to.country, "US");
  EXPECT_EQ(o.ship_to.phone, "555-0100");
  EXPECT_EQ(o.ship_to.email, "jane@example.com");
  // The configurable parent (not its child), what is left of MUG-1 (3 - 1
  // shipped - 1 canceled); not the virtual item, not the shipped one.
  ASSERT_EQ(o.lines.size(), 2u);
  EXPECT_EQ(o.lines[0].line_key, "11");
  EXPECT_EQ(o.lines[0].sku, "TEE-M-RED");
  EXPECT_EQ(o.lines[0].quantity, 2);
  // Money in the base currency (base_*), not the order currency (EUR).
  EXPECT_EQ(o.money.currency, "USD");
  EXPECT_EQ(o.lines[0].unit_price, "25.50");
  EXPECT_EQ(o.lines[0].unit_list_price, "2550");
  EXPECT_EQ(o.lines[0].discount, "500");
  EXPECT_EQ(o.lines[0].unit_discount, "250");
  EXPECT_EQ(o.lines[0].tax, "459");
  EXPECT_EQ(o.lines[1].line_key, "13");
  EXPECT_EQ(o.lines[1].quantity, 1);
  EXPECT_EQ(o.lines[1].unit_price, "10.00");
  EXPECT_EQ(o.money.totals.subtotal, "8100");
  EXPECT_EQ(o.money.totals.shipping, "1000");
  EXPECT_EQ(o.money.totals.discount, "500");  // Magento writes it negative
  EXPECT_EQ(o.money.totals.tax, "900");
  EXPECT_EQ(o.money.totals.total, "9500");
}

TEST_F(MagentoCartTest, MissingOptionalFieldsAndBillingFallback) {
  transport.Expect("GET", "/orders?", 200,
                   Page({R"({"entity_id": 8, "status": "processing",
                     "created_at": "2026-10-01 12:00:00", "customer_email": "c@example.com",
                     "billing_address": {"firstname": "Bill", "street": ["1 Billing Rd"],
                                         "country_id": "GB"},
                     "items": [{"item_id": 1, "sku": "A", "qty_ordered": 1}]})"},
                        1));
  auto c = Make();
  std::vector<CartOrder> all;
  ASSERT_TRUE(Collect(*c, Processing(), all).ok());
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].order_number, "8");                   // no increment_id: the id
  EXPECT_EQ(all[0].updated_at, "2026-10-01T12:00:00Z");  // no updated_at: created_at
  EXPECT_EQ(all[0].ship_code, "");
  EXPECT_EQ(all[0].ship_to.name, "Bill");
  EXPECT_EQ(all[0].ship_to.country, "GB");
  EXPECT_EQ(all[0].ship_to.email, "c@example.com");
  EXPECT_EQ(all[0].lines[0].unit_price, "");
}

TEST_F(MagentoCartTest, UnreadableOrdersArePermanentErrorsNamingThem) {
  transport.Expect("GET", "/orders?", 200, Page({R"({"increment_id": "9"})"}, 1));
  transport.Expect("GET", "/orders?", 200,
                   Page({R"({"entity_id": 9, "items": [{"item_id": 1, "qty_ordered": 1.5}]})"}, 1));
  auto c = Make();
  std::vector<CartOrder> all;
  Status st = Collect(*c, Processing(), all);
  EXPECT_TRUE(st.code() == StatusCode::Permanent);
  EXPECT_TRUE(Contains(st.message(), "entity_id")) << st.message();
  st = Collect(*c, Processing(), all);
  EXPECT_TRUE(st.code() == StatusCode::Permanent);
  EXPECT_TRUE(Contains(st.message(), "order 9")) << st.message();
  EXPECT_TRUE(all.empty());
}

TEST_F(MagentoCartTest, OrderQueryFiltersStatusesUpdatedAfterAndKeyset) {
  transport.Expect("GET", "/orders?", 200, Page({}, 0));
  auto c = Make();
  OrderWindow w = Processing(1790000000);
  w.statuses["status"] = {"processing", "pending"};
  std::vector<CartOrder> all;
  ASSERT_TRUE(Collect(*c, w, all).ok());
  ASSERT_EQ(transport.requests.size(), 1u);
  auto q = QueryOf(transport.requests[0].url);
  EXPECT_EQ(q[F(0, "field")], "status");
  // Updated-after pulls also take canceled orders (cancellations).
  EXPECT_EQ(q[F(0, "value")], "processing,pending,canceled");
  EXPECT_EQ(q[F(0, "conditionType")], "in");
  EXPECT_EQ(q[F(1, "field")], "updated_at");
  EXPECT_EQ(q[F(1, "value")], magento::FormatDate(1790000000));
  EXPECT_EQ(q[F(1, "conditionType")], "gteq");
  EXPECT_EQ(q[F(2, "field")], "entity_id");
  EXPECT_EQ(q[F(2, "value")], "0");
  EXPECT_EQ(q[F(2, "conditionType")], "gt");
  EXPECT_EQ(q["searchCriteria[sortOrders][0][field]"], "entity_id");
  EXPECT_EQ(q["searchCriteria[sortOrders][0][direction]"], "ASC");
  EXPECT_EQ(q["searchCriteria[pageSize]"], "100");
  EXPECT_EQ(q["searchCriteria[currentPage]"], "1");
  // Brackets go percent-encoded on the wire.
  EXPECT_TRUE(Contains(transport.requests[0].url, "searchCriteria%5BfilterGroups%5D%5B0%5D"));
}

TEST_F(MagentoCartTest, FirstDownloadFiltersOnCreatedAt) {
  transport.Expect("GET", "/orders?", 200, R"({"items": [], "total_count": 0})");
  auto c = Make();
  OrderWindow w;
  w.statuses["status"] = {"processing"};
  w.created_after = 1790000000;
  std::vector<CartOrder> all;
  ASSERT_TRUE(Collect(*c, w, all).ok());
  auto q = QueryOf(transport.requests[0].url);
  EXPECT_EQ(q[F(1, "field")], "created_at");
  EXPECT_EQ(q[F(1, "conditionType")], "gteq");
  EXPECT_EQ(q.count("updated_at"), 0u);
}

TEST_F(MagentoCartTest, PagesByEntityIdUntilAShortPage) {
  std::vector<std::string> first, second;
  for (int i = 1; i <= 100; ++i) first.push_back(MiniOrder(i));
  for (int i = 101; i <= 130; ++i) second.push_back(MiniOrder(i));
  transport.Expect("GET", "/orders?", 200, Page(first, 130));
  transport.Expect("GET", "/orders?", 200, Page(second, 30));
  auto c = Make();
  std::vector<CartOrder> all;
  std::vector<size_t> pages;
  ASSERT_TRUE(Collect(*c, Processing(), all, &pages).ok());
  EXPECT_EQ(all.size(), 130u);
  EXPECT_EQ(pages, (std::vector<size_t>{100, 30}));
  auto q = QueryOf(transport.requests[1].url);
  EXPECT_EQ(q[F(2, "value")], "100");  // after the last id of page 1
  EXPECT_EQ(q["searchCriteria[currentPage]"], "1");
}

TEST_F(MagentoCartTest, FullPageUsingUpTheTotalEndsTheFetch) {
  std::vector<std::string> first;
  for (int i = 1; i <= 100; ++i) first.push_back(MiniOrder(i));
  transport.Expect("GET", "/orders?", 200, Page(first, 100));
  auto c = Make();
  std::vector<CartOrder> all;
  ASSERT_TRUE(Collect(*c, Processing(), all).ok());
  EXPECT_EQ(all.size(), 100u);
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST_F(MagentoCartTest, AServerIgnoringTheKeysetIsAnErrorNotALoop) {
  std::vector<std::string> first;
  for (int i = 1; i <= 100; ++i) first.push_back(MiniOrder(i));
  transport.Expect("GET", "/orders?", 200, Page(first, 500));
  transport.Expect("GET", "/orders?", 200, Page(first, 500));  // the same page again
  auto c = Make();
  std::vector<CartOrder> all;
  Status st = Collect(*c, Processing(), all);
  EXPECT_TRUE(st.code() == StatusCode::Permanent);
  EXPECT_TRUE(Contains(st.message(), "did not advance")) << st.message();
  EXPECT_EQ(transport.requests.size(), 2u);
}

// A store that filters and sorts like Magento; orders leave the filter
// (shipped by someone else) while the fetch runs. With currentPage paging
// the pages would shift and orders still "processing" would be skipped;
// keyset paging must return every one of them exactly once.
TEST_F(MagentoCartTest, OrdersLeavingTheFilterMidFetchSkipNothing) {
  std::map<int64_t, std::string> status;
  for (int64_t id = 1; id <= 250; ++id) status[id] = "processing";
  int request = 0;
  transport.handler = [&](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (r.method != "GET" || !Contains(r.url, "/V1/orders?")) return std::nullopt;
    ++request;
    if (request == 2) {
      // Between pages: 40 orders already read and 30 not yet read ship.
      for (int64_t id = 1; id <= 40; ++id) status[id] = "complete";
      for (int64_t id = 101; id <= 130; ++id) status[id] = "complete";
    }
    auto q = QueryOf(r.url);
    int64_t after = 0, size = 0, page = 0;
    if (q[F(1, "field")] != "entity_id" || q[F(1, "conditionType")] != "gt") return std::nullopt;
    after = std::stoll(q[F(1, "value")]);
    size = std::stoll(q["searchCriteria[pageSize]"]);
    page = std::stoll(q["searchCriteria[currentPage]"]);
    std::vector<int64_t> matching;
    for (auto& [id, s] : status) {
      if (s == q[F(0, "value")] && id > after) matching.push_back(id);
    }
    std::vector<std::string> items;
    for (size_t i = static_cast<size_t>((page - 1) * size);
         i < matching.size() && items.size() < static_cast<size_t>(size); ++i) {
      items.push_back(MiniOrder(matching[i], status[matching[i]]));
    }
    return Answer(200, Page(items, static_cast<int64_t>(matching.size())));
  };
  auto c = Make();
  OrderWindow w;
  w.statuses["status"] = {"processing"};
  std::vector<CartOrder> all;
  ASSERT_TRUE(Collect(*c, w, all).ok());
  std::set<std::string> got;
  for (const CartOrder& o : all) EXPECT_TRUE(got.insert(o.id).second) << "twice: " << o.id;
  // Every order that stayed processing throughout was downloaded.
  for (auto& [id, s] : status) {
    if (s == "processing") {
      EXPECT_EQ(got.count(std::to_string(id)), 1u) << id;
    }
  }
  EXPECT_EQ(got.size(), 220u);  // 100 from page 1 (40 since shipped) + 120 still processing
  EXPECT_EQ(request, 3);        // 100, 100, 20
}

TEST_F(MagentoCartTest, HasTrackingReadsEveryShipmentPage) {
  std::string first = R"({"items": [)";
  for (int i = 1; i <= 50; ++i) {
    first += (i > 1 ? "," : "") + std::string(R"({"entity_id": )") + std::to_string(i) +
             R"(, "order_id": 7, "tracks": [{"track_number": "T)" + std::to_string(i) + R"("}]})";
  }
  first += R"(], "total_count": 51})";
  transport.Expect("GET", "/shipments?", 200, first);
  transport.Expect("GET", "/shipments?", 200,
                   R"({"items": [{"entity_id": 51, "tracks": [{"track_number": "1Z999"}]}],
                      "total_count": 51})");
  transport.Expect("GET", "/shipments?", 200, first);
  transport.Expect("GET", "/shipments?", 200,
                   R"({"items": [{"entity_id": 51, "tracks": []}], "total_count": 51})");
  auto c = Make();
  auto yes = c->HasTracking("7", "1Z999");
  ASSERT_TRUE(yes.ok()) << yes.status().message();
  EXPECT_TRUE(yes.value());
  auto no = c->HasTracking("7", "1Z99");  // exact match only
  ASSERT_TRUE(no.ok());
  EXPECT_FALSE(no.value());
  auto q = QueryOf(transport.requests[1].url);
  EXPECT_EQ(q[F(0, "field")], "order_id");
  EXPECT_EQ(q[F(0, "value")], "7");
  EXPECT_EQ(q[F(0, "conditionType")], "eq");
  EXPECT_EQ(q["searchCriteria[currentPage]"], "2");
  EXPECT_TRUE(c->HasTracking("", "1Z").status().code() == StatusCode::Permanent);
  EXPECT_TRUE(c->HasTracking("abc", "1Z").status().code() == StatusCode::Permanent);
}

TrackingUpload Upload(std::string order_id, std::string number, std::string carrier = "UPS") {
  TrackingUpload u;
  u.order_id = std::move(order_id);
  u.carrier_code = std::move(carrier);
  u.shipment.tracking_number = std::move(number);
  return u;
}

constexpr char kNoShipments[] = R"({"items": [], "search_criteria": {}, "total_count": 0})";

TEST_F(MagentoCartTest, UploadFindingTheNumberPostsNothing) {
  transport.Expect("GET", "/shipments?", 200,
                   R"({"items": [{"entity_id": 3, "tracks": [{"track_number": "1Z999"}]}],
                      "total_count": 1})");
  auto c = Make();
  EXPECT_TRUE(c->UploadTracking(Upload("7", "1Z999")).ok());
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST_F(MagentoCartTest, UploadShipsEverythingLeftWithTheTrack) {
  transport.Expect("GET", "/shipments?", 200, kNoShipments);
  transport.Expect("GET", "/rest/default/V1/orders/7", 200, kOrder7);
  transport.Expect("POST", "/rest/default/V1/order/7/ship", 200, "42",
                   {{"Content-Type", "application/json; charset=utf-8"}});
  auto c = Make();
  Status st = c->UploadTracking(Upload("7", "1Z999", "UPS"));
  ASSERT_TRUE(st.ok()) << st.message();
  const HttpRequest& post = transport.requests.back();
  auto body = Json(post.body);
  ASSERT_TRUE(body.IsObject());
  ASSERT_EQ(body["items"].Size(), 2u);
  EXPECT_EQ(body["items"][0]["order_item_id"].GetInt(), 11);
  EXPECT_EQ(body["items"][0]["qty"].GetInt(), 2);
  EXPECT_EQ(body["items"][1]["order_item_id"].GetInt(), 13);
  EXPECT_EQ(body["items"][1]["qty"].GetInt(), 1);
  ASSERT_EQ(body["tracks"].Size(), 1u);
  EXPECT_STREQ(body["tracks"][0]["track_number"].GetString(), "1Z999");
  EXPECT_STREQ(body["tracks"][0]["title"].GetString(), "UPS");
  EXPECT_STREQ(body["tracks"][0]["carrier_code"].GetString(), "ups");
}

TEST_F(MagentoCartTest, PartialShipmentSendsOnlyItsLines) {
  transport.Expect("GET", "/shipments?", 200, kNoShipments);
  transport.Expect("GET", "/orders/7", 200, kOrder7);
  transport.Expect("POST", "/order/7/ship", 200, "43");
  auto c = Make();
  TrackingUpload u = Upload("7", "RM123", "Royal Mail");
  u.shipment.lines = {{"11", "TEE-M-RED", 1}, {"13", "MUG-1", 5}, {"99", "NOPE", 1}};
  ASSERT_TRUE(c->UploadTracking(u).ok());
  auto body = Json(transport.requests.back().body);
  ASSERT_EQ(body["items"].Size(), 2u);
  EXPECT_EQ(body["items"][0]["order_item_id"].GetInt(), 11);
  EXPECT_EQ(body["items"][0]["qty"].GetInt(), 1);
  EXPECT_EQ(body["items"][1]["order_item_id"].GetInt(), 13);
  EXPECT_EQ(body["items"][1]["qty"].GetInt(), 1);  // capped at what is left
  EXPECT_STREQ(body["tracks"][0]["carrier_code"].GetString(), "custom");
  EXPECT_STREQ(body["tracks"][0]["title"].GetString(), "Royal Mail");
}

TEST_F(MagentoCartTest, NothingLeftToShipPutsTheTrackOnTheLastShipment) {
  const char shipped[] = R"({"items": [{"entity_id": 5, "tracks": [{"track_number": "OLD"}]}],
                             "total_count": 1})";
  transport.Expect("GET", "/shipments?", 200, shipped);
  transport.Expect("GET", "/orders/8", 200,
                   R"({"entity_id": 8, "items": [{"item_id": 1, "sku": "A", "qty_ordered": 1,
                       "qty_shipped": 1}]})");
  transport.Expect("POST", "/rest/default/V1/shipment/track", 200, "77");
  auto c = Make();
  ASSERT_TRUE(c->UploadTracking(Upload("8", "NEW1", "fedex")).ok());
  auto body = Json(transport.requests.back().body);
  EXPECT_EQ(body["entity"]["order_id"].GetInt(), 8);
  EXPECT_EQ(body["entity"]["parent_id"].GetInt(), 5);
  EXPECT_STREQ(body["entity"]["track_number"].GetString(), "NEW1");
  EXPECT_STREQ(body["entity"]["carrier_code"].GetString(), "fedex");
}

TEST_F(MagentoCartTest, TimeoutOnTheShipPostIsNotRetried) {
  transport.Expect("GET", "/shipments?", 200, kNoShipments);
  transport.Expect("GET", "/orders/7", 200, kOrder7);
  transport.ExpectFailure("POST", "/order/7/ship", Status::Transient("timed out"));
  auto c = Make();
  Status st = c->UploadTracking(Upload("7", "1Z999"));
  EXPECT_TRUE(st.transient()) << st.message();
  EXPECT_EQ(std::count_if(transport.requests.begin(), transport.requests.end(),
                          [](const HttpRequest& r) { return r.method == "POST"; }),
            1);
  EXPECT_FALSE(transport.requests.back().idempotent);
}

TEST_F(MagentoCartTest, ATwoHundredThatIsNotJsonIsNotDone) {
  transport.Expect("GET", "/shipments?", 200, kNoShipments);
  transport.Expect("GET", "/orders/7", 200, kOrder7);
  transport.Expect("POST", "/order/7/ship", 200, "<html>Maintenance</html>",
                   {{"Content-Type", "text/html"}});
  auto c = Make();
  Status st = c->UploadTracking(Upload("7", "1Z999"));
  EXPECT_TRUE(st.transient()) << st.message();
  EXPECT_TRUE(Contains(st.message(), "not JSON")) << st.message();
}

TEST_F(MagentoCartTest, ShipRefusalIsPermanentWithMagentosMessage) {
  transport.Expect("GET", "/shipments?", 200, kNoShipments);
  transport.Expect("GET", "/orders/7", 200, kOrder7);
  transport.Expect("POST", "/order/7/ship", 400,
                   R"({"message":"Shipment Document Validation Error(s):\n%1",)"
                   R"("parameters":["The order does not allow a shipment to be created."]})");
  auto c = Make();
  Status st = c->UploadTracking(Upload("7", "1Z999"));
  EXPECT_TRUE(st.code() == StatusCode::Permanent);
  EXPECT_TRUE(Contains(st.message(), "does not allow a shipment")) << st.message();
  EXPECT_TRUE(Contains(st.message(), "POST /V1/order/7/ship")) << st.message();
}

TEST_F(MagentoCartTest, UnauthorizedIsPermanentAndNeverQuotesTheToken) {
  transport.Expect(
      "GET", "/orders?", 401,
      std::string(R"({"message":"The consumer isn't authorized to access %resources.",)") +
          R"("parameters":{"resources":"Magento_Sales::actions_view"},"token":")" + kToken +
          R"("})");
  auto c = Make();
  std::vector<CartOrder> all;
  Status st = Collect(*c, Processing(), all);
  EXPECT_TRUE(st.code() == StatusCode::Permanent);
  EXPECT_TRUE(Contains(st.message(), "HTTP 401")) << st.message();
  EXPECT_TRUE(Contains(st.message(), "Magento_Sales::actions_view")) << st.message();
  EXPECT_TRUE(Contains(st.message(), "standalone Bearer")) << st.message();
  EXPECT_FALSE(Contains(st.message(), kToken));
}

TEST_F(MagentoCartTest, TooManyRequestsWaitsForRetryAfter) {
  transport.Expect("GET", "/orders?", 429, R"({"message":"Too many requests"})",
                   {{"Retry-After", "3"}});
  transport.Expect("GET", "/orders?", 200, Page({MiniOrder(1)}, 1));
  auto c = Make();
  std::vector<CartOrder> all;
  const int64_t before = clock.NowMs();
  ASSERT_TRUE(Collect(*c, Processing(), all).ok());
  EXPECT_EQ(all.size(), 1u);
  EXPECT_GE(clock.NowMs() - before, 3000);
}

std::vector<InventoryPush> Pushes(std::initializer_list<std::pair<const char*, int64_t>> items) {
  std::vector<InventoryPush> out;
  for (auto& [sku, q] : items) out.push_back({sku, q});
  return out;
}

TEST_F(MagentoCartTest, MsiSetsSourceItemsAndReportsUnknownSkus) {
  transport.Expect("GET", "/rest/default/V1/products?", 200,
                   R"({"items": [{"sku": "TEE-M-RED"}, {"sku": "mug-1"}], "total_count": 2})");
  transport.Expect("POST", "/rest/default/V1/inventory/source-items", 200, "[]");
  cart.api["source_code"] = TextField(FieldType::String, "warehouse_east");
  auto c = Make();
  auto r = c->PushInventory(Pushes({{"TEE-M-RED", 5}, {"MUG-1", 0}, {"GHOST", 3}}));
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r.value().size(), 1u);
  EXPECT_EQ(r.value()[0].sku, "GHOST");
  EXPECT_TRUE(r.value()[0].not_in_cart);
  auto q = QueryOf(transport.requests[0].url);
  EXPECT_EQ(q[F(0, "field")], "sku");
  EXPECT_EQ(q[F(0, "value")], "TEE-M-RED,MUG-1,GHOST");
  EXPECT_EQ(q[F(0, "conditionType")], "in");
  auto body = Json(transport.requests[1].body);
  ASSERT_EQ(body["sourceItems"].Size(), 2u);
  EXPECT_STREQ(body["sourceItems"][0]["sku"].GetString(), "TEE-M-RED");
  EXPECT_STREQ(body["sourceItems"][0]["source_code"].GetString(), "warehouse_east");
  EXPECT_EQ(body["sourceItems"][0]["quantity"].GetInt(), 5);
  EXPECT_EQ(body["sourceItems"][0]["status"].GetInt(), 1);
  EXPECT_EQ(body["sourceItems"][1]["quantity"].GetInt(), 0);
  EXPECT_EQ(body["sourceItems"][1]["status"].GetInt(), 0);
  EXPECT_TRUE(transport.requests[1].idempotent);
}

TEST_F(MagentoCartTest, MsiRefusedBatchGoesAgainOneByOne) {
  transport.Expect("GET", "/products?", 200,
                   R"({"items": [{"sku": "A"}, {"sku": "B"}], "total_count": 2})");
  transport.Expect("POST", "/inventory/source-items", 400,
                   R"({"message":"Validation Failed","errors":[{"message":"bad"}]})");
  transport.Expect("POST", "/inventory/source-items", 200, "[]");
  transport.Expect(
      "POST", "/inventory/source-items", 400,
      R"({"message":"Validation Failed","errors":[)"
      R"({"message":"\"%field\" can not be negative.","parameters":{"field":"quantity"}}]})");
  auto c = Make();
  auto r = c->PushInventory(Pushes({{"A", 1}, {"B", 2}}));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.value().size(), 1u);
  EXPECT_EQ(r.value()[0].sku, "B");
  EXPECT_TRUE(Contains(r.value()[0].message, "\"quantity\" can not be negative"))
      << r.value()[0].message;
  EXPECT_EQ(Json(transport.requests[2].body)["sourceItems"].Size(), 1u);
}

TEST_F(MagentoCartTest, MsiBatchesAtTheLimit) {
  std::vector<InventoryPush> items;
  std::string known = R"({"items": [)";
  for (int i = 0; i < 150; ++i) {
    items.push_back({"SKU-" + std::to_string(i), i});
    known += (i > 0 ? "," : "") + std::string(R"({"sku": "SKU-)") + std::to_string(i) + "\"}";
  }
  known += "]}";
  transport.handler = [&](const HttpRequest& r) -> std::optional<HttpResponse> {
    if (r.method == "GET" && Contains(r.url, "/products?")) return Answer(200, known);
    if (r.method == "POST" && Contains(r.url, "/inventory/source-items")) return Answer(200, "[]");
    return std::nullopt;
  };
  auto c = Make();
  auto r = c->PushInventory(items);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value().empty());
  std::vector<size_t> sizes;
  for (const HttpRequest& req : transport.requests) {
    if (req.method == "POST") sizes.push_back(Json(req.body)["sourceItems"].Size());
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{100, 50}));
}

TEST_F(MagentoCartTest, MsiUnauthorizedFailsThePush) {
  transport.Expect("GET", "/products?", 200, R"({"items": [{"sku": "A"}]})");
  transport.Expect("POST", "/inventory/source-items", 401, R"({"message":"nope"})");
  auto c = Make();
  auto r = c->PushInventory(Pushes({{"A", 1}}));
  EXPECT_TRUE(r.status().code() == StatusCode::Permanent);
  EXPECT_TRUE(Contains(r.status().message(), "HTTP 401"));
}

// The stock item as catalog-inventory-data-stock-item-interface has it.
const char kStockItem[] = R"({"item_id": 31, "product_id": 9, "stock_id": 1, "qty": 4,
  "is_in_stock": true, "is_qty_decimal": false, "show_default_notification_message": false,
  "use_config_min_qty": true, "min_qty": 0, "use_config_min_sale_qty": 1, "min_sale_qty": 1,
  "use_config_max_sale_qty": true, "max_sale_qty": 10000, "use_config_backorders": true,
  "backorders": 0, "use_config_notify_stock_qty": true, "notify_stock_qty": 1,
  "use_config_qty_increments": true, "qty_increments": 0, "use_config_enable_qty_inc": true,
  "enable_qty_increments": false, "use_config_manage_stock": true, "manage_stock": true,
  "low_stock_date": null, "is_decimal_divided": false, "stock_status_changed_auto": 0})";

TEST_F(MagentoCartTest, LegacySetsTheWholeStockItem) {
  cart.api["inventory_api"] = TextField(FieldType::Enum, "legacy");
  transport.Expect("GET", "/rest/default/V1/stockItems/TEE%2FM", 200, kStockItem);
  transport.Expect("PUT", "/rest/default/V1/products/TEE%2FM/stockItems/31", 200, "31");
  transport.Expect("GET", "/stockItems/GHOST", 404,
                   R"({"message":"The Product with the \"%1\" SKU doesn't exist.",)"
                   R"("parameters":["GHOST"]})");
  transport.Expect("GET", "/stockItems/ZERO", 200, kStockItem);
  transport.Expect("PUT", "/products/ZERO/stockItems/31", 200, "31");
  auto c = Make();
  auto r = c->PushInventory(Pushes({{"TEE/M", 12}, {"GHOST", 1}, {"ZERO", 0}}));
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r.value().size(), 1u);
  EXPECT_EQ(r.value()[0].sku, "GHOST");
  auto body = Json(transport.requests[1].body);
  ASSERT_TRUE(body.HasMember("stockItem"));
  EXPECT_EQ(body["stockItem"]["qty"].GetDouble(), 12);
  EXPECT_TRUE(body["stockItem"]["is_in_stock"].GetBool());
  EXPECT_EQ(body["stockItem"]["max_sale_qty"].GetInt(), 10000);  // the rest as it was
  EXPECT_TRUE(body["stockItem"].HasMember("stock_status_changed_auto"));
  auto zero = Json(transport.requests[4].body);
  EXPECT_FALSE(zero["stockItem"]["is_in_stock"].GetBool());
}

TEST_F(MagentoCartTest, OAuthSignsEveryRequestAndResignsARepeatedNonce) {
  oauth = true;
  cart.api.erase("access_token");
  secrets.values["env:CK"] = "ck-value";
  secrets.values["env:CS"] = "cs-secret-value";
  secrets.values["env:OT"] = "ot-value";
  secrets.values["env:OTS"] = "ots-secret-value";
  cart.api["consumer_key"] = SecretField("CK");
  cart.api["consumer_secret"] = SecretField("CS");
  cart.api["oauth_token"] = SecretField("OT");
  cart.api["oauth_token_secret"] = SecretField("OTS");
  transport.Expect("GET", "/orders?", 401,
                   R"({"message":"The nonce is already being used by the consumer with ID %1",)"
                   R"("parameters":["3"]})");
  transport.Expect("GET", "/orders?", 200, Page({MiniOrder(1)}, 1));
  auto c = Make();
  std::vector<CartOrder> all;
  Status st = Collect(*c, Processing(), all);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(transport.requests.size(), 2u);
  std::set<std::string> nonces;
  for (const HttpRequest& r : transport.requests) {
    const std::string h = HeaderOf(r, "Authorization");
    EXPECT_TRUE(Contains(h, "oauth_signature_method=\"HMAC-SHA256\"")) << h;
    EXPECT_TRUE(Contains(h, "oauth_consumer_key=\"ck-value\"")) << h;
    EXPECT_TRUE(Contains(h, "oauth_token=\"ot-value\"")) << h;
    EXPECT_FALSE(Contains(h, "cs-secret-value"));
    EXPECT_FALSE(Contains(h, "ots-secret-value"));
    // The signature is the one for this URL, nonce and timestamp.
    auto value = [&](const std::string& name) {
      size_t p = h.find(name + "=\"");
      if (p == std::string::npos) return std::string();
      p += name.size() + 2;
      return h.substr(p, h.find('"', p) - p);
    };
    nonces.insert(value("oauth_nonce"));
    EXPECT_EQ(value("oauth_nonce").size(), 32u);
    EXPECT_EQ(h, magento::OAuth1Header(
                     "GET", r.url, {"ck-value", "cs-secret-value", "ot-value", "ots-secret-value"},
                     std::stoll(value("oauth_timestamp")), value("oauth_nonce")));
  }
  EXPECT_EQ(nonces.size(), 2u);
}

TEST_F(MagentoCartTest, StoreCodeAndBaseUrlShapeThePath) {
  cart.api["store_code"] = TextField(FieldType::String, "en_us");
  cart.api["base_url"] = TextField(FieldType::Url, "http://127.0.0.1:8080/magento/m1/");
  transport.Expect("GET", "http://127.0.0.1:8080/magento/m1/rest/en_us/V1/orders?", 200,
                   Page({}, 0));
  auto c = Make();
  std::vector<CartOrder> all;
  ASSERT_TRUE(Collect(*c, Processing(), all).ok());
  transport.requests.clear();  // another base than kApi
}

TEST_F(MagentoCartTest, ConfigurationErrorsNameTheField) {
  auto check = [&](const CartConfig& c, std::string_view want) {
    auto made = MakeMagentoCart(c, ConnectorDeps{&http, &secrets});
    ASSERT_FALSE(made.ok());
    EXPECT_TRUE(made.status().code() == StatusCode::Permanent);
    EXPECT_TRUE(Contains(made.status().message(), want)) << made.status().message();
  };
  CartConfig c = cart;
  c.api.erase("store_url");
  check(c, "[api].store_url is not set");
  c = cart;
  c.api["store_url"] = TextField(FieldType::Url, "http://shop.example.com");
  check(c, "store_url");
  c = cart;
  c.api["base_url"] = TextField(FieldType::Url, "https://user:pw@shop.example.com");
  check(c, "base_url");
  c = cart;
  c.api.erase("access_token");
  check(c, "[api].access_token");
  c = cart;
  c.api["consumer_key"] = SecretField("CK");
  check(c, "not both");
  c = cart;
  c.api["store_code"] = TextField(FieldType::String, "../admin");
  check(c, "store_code");
  c = cart;
  c.api["inventory_api"] = TextField(FieldType::Enum, "both");
  check(c, "inventory_api");
}

}  // namespace
}  // namespace cartsync

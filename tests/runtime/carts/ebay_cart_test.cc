// eBay connector against a scripted transport: the real HttpClient (retries,
// idempotency rules) over a fake that checks each request's method and URL,
// answers from a script, and records everything sent — so every request's
// headers and bodies can be checked. Answer bodies follow the examples and
// schemas of shared/openapi/ebay/sell_{fulfillment,inventory}_v1_oas3.json.
#include "runtime/carts/ebay_cart.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
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

constexpr char kSecret[] = "PRD-c3rt-s3cr3t-9876abcdef";
constexpr char kRefresh[] = "v^1.1#i^1#r^1#REFRESH0123456789abcdef";
constexpr char kToken[] = "v^1.1#i^1#p^3#USERTOKEN0123456789abcdef";
constexpr char kHost[] = "https://api.ebay.com";
constexpr char kOrders[] = "https://api.ebay.com/sell/fulfillment/v1/order";

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

std::string TokenAnswer(const std::string& token = kToken) {
  return R"({"access_token":")" + token +
         R"(","expires_in":7200,"token_type":"User Access Token"})";
}

/// One order as getOrders returns it (fields from the spec's Order schema).
std::string OrderJson(const std::string& id, const std::string& status = "NOT_STARTED",
                      const std::string& lines = "") {
  const std::string items = lines.empty()
                                ? R"([{"lineItemId":")" + id + R"(-L1","legacyItemId":"110188",
        "sku":"MUG-BLUE","title":"Blue mug","quantity":2,
        "lineItemCost":{"value":"39.98","currency":"USD"},
        "lineItemFulfillmentStatus":")" +
                                      status + R"(","refunds":[],"taxes":[]}])"
                                : lines;
  return R"({"orderId":")" + id + R"(","legacyOrderId":"110188-2764",
    "creationDate":"2026-11-17T20:03:15.000Z","lastModifiedDate":"2026-11-18T08:10:00.000Z",
    "orderFulfillmentStatus":")" +
         status + R"(","orderPaymentStatus":"PAID","sellerId":"harbor_goods",
    "buyer":{"username":"buyer_jane"},
    "cancelStatus":{"cancelState":"NONE_REQUESTED","cancelRequests":[]},
    "fulfillmentStartInstructions":[{"fulfillmentInstructionsType":"SHIP_TO",
      "shippingStep":{"shippingCarrierCode":"USPS","shippingServiceCode":"USPSPriority",
        "shipTo":{"fullName":"Jane Doe","companyName":"Doe Ltd",
          "contactAddress":{"addressLine1":"455 Main Street","addressLine2":"Apt 2",
            "city":"Austin","stateOrProvince":"TX","postalCode":"78751","countryCode":"US"},
          "primaryPhone":{"phoneNumber":"5551234567"},"email":"jane@example.com"}}}],
    "lineItems":)" +
         items + "}";
}

std::string Page(const std::vector<std::string>& orders, int64_t total, int64_t offset) {
  std::string list;
  for (const std::string& o : orders) list += (list.empty() ? "" : ",") + o;
  return R"({"href":"https://api.ebay.com/sell/fulfillment/v1/order","limit":200,"offset":)" +
         std::to_string(offset) + R"(,"total":)" + std::to_string(total) + R"(,"orders":[)" + list +
         "]}";
}

std::vector<std::string> Orders(int from, int count) {
  std::vector<std::string> out;
  for (int i = from; i < from + count; ++i) out.push_back(OrderJson("01-" + std::to_string(i)));
  return out;
}

class EbayCartTest : public ::testing::Test {
 protected:
  EbayCartTest() {
    secrets.values["env:EBAY_SECRET"] = kSecret;
    secrets.values["env:EBAY_REFRESH"] = kRefresh;
    transport.default_headers = {{"Content-Type", "application/json"}};
    cart.id = "harbor-ebay";
    cart.platform = "ebay";
    cart.api["marketplace_id"] = TextField(FieldType::String, "EBAY_US");
    cart.api["client_id"] = TextField(FieldType::String, "Harbor-cartsync-PRD-1a2b3c4d5");
    cart.api["client_secret"] = SecretField("EBAY_SECRET");
    cart.api["refresh_token"] = SecretField("EBAY_REFRESH");
    cart.api["environment"] = TextField(FieldType::Enum, "production");
    cart.api["max_calls_per_run"] = IntegerField(5000);
  }

  std::unique_ptr<CartConnector> Make() {
    auto made = MakeEbayCart(cart, ConnectorDeps{&http, &secrets});
    EXPECT_TRUE(made.ok()) << made.status().message();
    return made.ok() ? std::move(made.value()) : nullptr;
  }

  void ExpectToken() {
    transport.Expect("POST", "https://api.ebay.com/identity/v1/oauth2/token", 200, TokenAnswer());
  }

  void TearDown() override {
    transport.ExpectScriptDone();
    for (const HttpRequest& r : transport.requests) {
      EXPECT_FALSE(Contains(r.url, kToken)) << r.url;
      EXPECT_FALSE(Contains(r.url, kSecret)) << r.url;
      if (Contains(r.url, "/identity/v1/oauth2/token")) continue;
      EXPECT_EQ(HeaderOf(r, "Authorization"), std::string("Bearer ") + kToken)
          << r.method << " " << r.url;
      EXPECT_EQ(HeaderOf(r, "Accept"), "application/json") << r.method << " " << r.url;
      EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/json") << r.method << " " << r.url;
      EXPECT_EQ(HeaderOf(r, "X-EBAY-C-MARKETPLACE-ID"), "EBAY_US") << r.method << " " << r.url;
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

OrderWindow UpdatedSince(int64_t s,
                         std::vector<std::string> statuses = {"NOT_STARTED", "IN_PROGRESS"}) {
  OrderWindow w;
  w.statuses["fulfillment_status"] = std::move(statuses);
  w.updated_after = s;
  return w;
}

// --- pure helpers -------------------------------------------------------------

TEST(EbayHelpers, TimestampsAreIsoWithMilliseconds) {
  EXPECT_EQ(ebay::FormatTimestamp(1'795'000'000'123), "2026-11-18T11:06:40.123Z");
  EXPECT_EQ(ebay::FormatTimestamp(0), "1970-01-01T00:00:00.000Z");
}

TEST(EbayHelpers, FilterUsesTheSupportedStatusCombinations) {
  const int64_t from = 1'794'000'000;  // 2026-11-06T21:20:00Z
  EXPECT_EQ(ebay::OrdersFilter(false, from, 1'795'000'000'000, {"NOT_STARTED", "IN_PROGRESS"}),
            "lastmodifieddate:[2026-11-06T21:20:00.000Z..2026-11-18T11:06:40.000Z],"
            "orderfulfillmentstatus:{NOT_STARTED|IN_PROGRESS}");
  EXPECT_EQ(ebay::OrdersFilter(true, from, 1'795'000'000'000, {"NOT_STARTED"}),
            "creationdate:[2026-11-06T21:20:00.000Z..2026-11-18T11:06:40.000Z],"
            "orderfulfillmentstatus:{NOT_STARTED|IN_PROGRESS}");
  EXPECT_EQ(ebay::OrdersFilter(true, from, 1'795'000'000'000, {"FULFILLED"}),
            "creationdate:[2026-11-06T21:20:00.000Z..2026-11-18T11:06:40.000Z],"
            "orderfulfillmentstatus:{FULFILLED|IN_PROGRESS}");
  EXPECT_EQ(ebay::OrdersFilter(true, from, 1'795'000'000'000,
                               {"NOT_STARTED", "IN_PROGRESS", "FULFILLED"}),
            "creationdate:[2026-11-06T21:20:00.000Z..2026-11-18T11:06:40.000Z]");
  EXPECT_EQ(ebay::OrdersFilter(false, from, 0, {}),
            "lastmodifieddate:[2026-11-06T21:20:00.000Z..]");
}

TEST(EbayHelpers, ErrorTextReadsTheErrorsArray) {
  EXPECT_EQ(ebay::ErrorText(R"({"errors":[{"errorId":32100,"domain":"API_FULFILLMENT",
      "category":"REQUEST","message":"Invalid order ID: 9"}]})"),
            "Invalid order ID: 9 (errorId 32100)");
  EXPECT_EQ(ebay::ErrorText(R"({"error":"invalid_grant","error_description":"expired"})"),
            "invalid_grant: expired");
  EXPECT_EQ(ebay::ErrorText("<html>down</html>"), "<html>down</html>");
}

TEST(EbayHelpers, UnitPriceDividesTheLineCost) {
  EXPECT_EQ(ebay::UnitPrice("39.98", 2), "19.99");
  EXPECT_EQ(ebay::UnitPrice("10", 3), "3.33");
  EXPECT_EQ(ebay::UnitPrice("1500", 1), "1500.00");
  EXPECT_EQ(ebay::UnitPrice("2.125", 1), "2.125");
  EXPECT_EQ(ebay::UnitPrice("", 1), "");
  EXPECT_EQ(ebay::UnitPrice("abc", 1), "");
}

TEST(EbayHelpers, BulkResultSeparatesFailuresFromSetSkusWithWarnings) {
  auto r = ebay::ReadBulkResult(R"({"responses":[
      {"sku":"A","statusCode":200},
      {"sku":"B","statusCode":200,"warnings":[{"errorId":25401,"message":"No offer"}]},
      {"sku":"C","statusCode":404,"errors":[{"errorId":25702,"message":"SKU C is not available in the system"}]}]})",
                                {"A", "B", "C", "D"});
  EXPECT_EQ(r.updated, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(r.warned, (std::vector<std::string>{"B"}));
  ASSERT_EQ(r.failed.size(), 2u);
  EXPECT_EQ(r.failed[0].first, "C");
  EXPECT_TRUE(Contains(r.failed[0].second, "SKU C is not available in the system (errorId 25702)"))
      << r.failed[0].second;
  EXPECT_EQ(r.failed[1].first, "D");
  EXPECT_TRUE(Contains(r.failed[1].second, "no result")) << r.failed[1].second;
}

// --- orders -------------------------------------------------------------------

TEST_F(EbayCartTest, DownloadsAndNormalizesAnOrder) {
  ExpectToken();
  transport.Expect("GET", kOrders, 200, Page({OrderJson("12-34567-89012")}, 1, 0));
  auto c = Make();
  std::vector<CartOrder> got;
  ASSERT_TRUE(Collect(*c, UpdatedSince(1'794'000'000), got).ok());
  ASSERT_EQ(transport.requests.size(), 2u);
  EXPECT_EQ(transport.requests[1].url,
            std::string(kOrders) +
                "?filter=lastmodifieddate:%5B2026-11-06T21:20:00.000Z..%5D,"
                "orderfulfillmentstatus:%7BNOT_STARTED%7CIN_PROGRESS%7D&limit=200&offset=0");
  ASSERT_EQ(got.size(), 1u);
  const CartOrder& o = got[0];
  EXPECT_EQ(o.id, "12-34567-89012");
  EXPECT_EQ(o.order_number, "12-34567-89012");
  EXPECT_EQ(o.placed_at, "2026-11-17T20:03:15Z");
  EXPECT_EQ(o.updated_at, "2026-11-18T08:10:00Z");
  EXPECT_EQ(o.status, "NOT_STARTED");
  EXPECT_EQ(o.ship_code, "USPSPriority");
  EXPECT_EQ(o.ship_to.name, "Jane Doe");
  EXPECT_EQ(o.ship_to.company, "Doe Ltd");
  EXPECT_EQ(o.ship_to.address1, "455 Main Street");
  EXPECT_EQ(o.ship_to.address2, "Apt 2");
  EXPECT_EQ(o.ship_to.city, "Austin");
  EXPECT_EQ(o.ship_to.region, "TX");
  EXPECT_EQ(o.ship_to.postal_code, "78751");
  EXPECT_EQ(o.ship_to.country, "US");
  EXPECT_EQ(o.ship_to.phone, "5551234567");
  EXPECT_EQ(o.ship_to.email, "jane@example.com");
  ASSERT_EQ(o.lines.size(), 1u);
  EXPECT_EQ(o.lines[0].line_key, "12-34567-89012-L1");
  EXPECT_EQ(o.lines[0].sku, "MUG-BLUE");
  EXPECT_EQ(o.lines[0].quantity, 2);
  EXPECT_EQ(o.lines[0].unit_price, "19.99");
  // The token request: refresh grant with both scopes.
  const HttpRequest& grant = transport.requests[0];
  EXPECT_TRUE(Contains(grant.body, "grant_type=refresh_token&refresh_token="));
  EXPECT_TRUE(Contains(grant.body, "sell.fulfillment%20https"));
  EXPECT_TRUE(Contains(grant.body, "sell.inventory"));
  EXPECT_TRUE(Contains(HeaderOf(grant, "Authorization"), "Basic "));
}

TEST_F(EbayCartTest, AMinimalOrderHasEmptyFieldsNotMissingOnes) {
  ExpectToken();
  transport.Expect("GET", kOrders, 200,
                   Page({R"({"orderId":"7","creationDate":"2026-11-17T20:03:15+02:00",
                   "orderFulfillmentStatus":"NOT_STARTED",
                   "lineItems":[{"lineItemId":"L","quantity":"1"}]})"},
                        1, 0));
  auto c = Make();
  std::vector<CartOrder> got;
  ASSERT_TRUE(Collect(*c, UpdatedSince(1'794'000'000), got).ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].placed_at, "2026-11-17T18:03:15Z");
  EXPECT_EQ(got[0].updated_at, got[0].placed_at);
  EXPECT_EQ(got[0].ship_code, "");
  EXPECT_EQ(got[0].ship_to.country, "");
  ASSERT_EQ(got[0].lines.size(), 1u);
  EXPECT_EQ(got[0].lines[0].sku, "");
  EXPECT_EQ(got[0].lines[0].unit_price, "");
}

TEST_F(EbayCartTest, FirstDownloadFiltersOnCreationDateAndFiltersOneStatusLocally) {
  ExpectToken();
  transport.Expect("GET", "creationdate:%5B2026-09-15T00:00:00.000Z..", 200,
                   Page({OrderJson("A", "NOT_STARTED"), OrderJson("B", "IN_PROGRESS")}, 2, 0));
  // B is partly shipped: its fulfillments are read only when it is wanted.
  auto c = Make();
  OrderWindow w;
  w.statuses["fulfillment_status"] = {"NOT_STARTED"};
  w.created_after = 1'789'430'400;  // 2026-09-15
  std::vector<CartOrder> got;
  ASSERT_TRUE(Collect(*c, w, got).ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, "A");
  EXPECT_TRUE(Contains(transport.requests[1].url, "orderfulfillmentstatus:%7BNOT_STARTED"));
}

TEST_F(EbayCartTest, APartlyShippedOrderKeepsOnlyWhatIsLeftToShip) {
  ExpectToken();
  const std::string lines = R"([
    {"lineItemId":"L1","sku":"A","quantity":3,"lineItemCost":{"value":"30.00","currency":"USD"},
     "lineItemFulfillmentStatus":"IN_PROGRESS"},
    {"lineItemId":"L2","sku":"B","quantity":1,"lineItemCost":{"value":"5.00"},
     "lineItemFulfillmentStatus":"FULFILLED"},
    {"lineItemId":"L3","sku":"C","quantity":2,"lineItemCost":{"value":"8.00"},
     "lineItemFulfillmentStatus":"NOT_STARTED"}])";
  transport.Expect("GET", kOrders, 200, Page({OrderJson("P", "IN_PROGRESS", lines)}, 1, 0));
  transport.Expect(
      "GET", "/order/P/shipping_fulfillment", 200,
      R"({"total":1,"fulfillments":[{"fulfillmentId":"9405","shipmentTrackingNumber":"1Z1",
                      "shippingCarrierCode":"UPS","lineItems":[{"lineItemId":"L1","quantity":1},
                      {"lineItemId":"L2","quantity":1}]}]})");
  auto c = Make();
  std::vector<CartOrder> got;
  ASSERT_TRUE(Collect(*c, UpdatedSince(1'794'000'000), got).ok());
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].lines.size(), 2u);
  EXPECT_EQ(got[0].lines[0].line_key, "L1");
  EXPECT_EQ(got[0].lines[0].quantity, 2);
  EXPECT_EQ(got[0].lines[0].unit_price, "10.00");
  EXPECT_EQ(got[0].lines[1].line_key, "L3");
  EXPECT_EQ(got[0].lines[1].quantity, 2);
}

TEST_F(EbayCartTest, ACancelledOrderHasNothingToShip) {
  ExpectToken();
  std::string o = OrderJson("X");
  o.replace(o.find("NONE_REQUESTED"), 14, "CANCELED");
  transport.Expect("GET", kOrders, 200, Page({o}, 1, 0));
  auto c = Make();
  std::vector<CartOrder> got;
  ASSERT_TRUE(Collect(*c, UpdatedSince(1'794'000'000), got).ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].lines.empty());
}

TEST_F(EbayCartTest, PagesByOffsetToTheEnd) {
  ExpectToken();
  transport.Expect("GET", "&limit=200&offset=0", 200, Page(Orders(0, 200), 203, 0));
  // Each page after the first starts at the previous page's last order.
  transport.Expect("GET", "&limit=200&offset=199", 200, Page(Orders(199, 4), 203, 199));
  auto c = Make();
  std::vector<CartOrder> got;
  std::vector<size_t> pages;
  ASSERT_TRUE(Collect(*c, UpdatedSince(1'794'000'000), got, &pages).ok());
  EXPECT_EQ(got.size(), 203u);
  EXPECT_EQ(pages, (std::vector<size_t>{200, 3}));  // 01-199 once
}

TEST_F(EbayCartTest, AFullLastPageEndsWhenTheTotalIsReached) {
  ExpectToken();
  transport.Expect("GET", "&offset=0", 200, Page(Orders(0, 200), 200, 0));
  auto c = Make();
  std::vector<CartOrder> got;
  ASSERT_TRUE(Collect(*c, UpdatedSince(1'794'000'000), got).ok());
  EXPECT_EQ(got.size(), 200u);
}

std::vector<std::string> Slice(const std::vector<std::string>& v, size_t from, size_t to) {
  return std::vector<std::string>(v.begin() + from, v.begin() + std::min(to, v.size()));
}

std::set<std::string> Ids(const std::vector<CartOrder>& orders) {
  std::set<std::string> ids;
  for (const CartOrder& o : orders) ids.insert(o.id);
  return ids;
}

// The proof that offset paging survives orders changing mid-download: order
// 01-5 is shipped (leaves the NOT_STARTED|IN_PROGRESS set) after page 1 was
// read, so every later order moves one offset down. The next page would
// start at what was 01-201, and 01-200 would never be read. The changed
// total gives it away: the series starts again, 01-200 comes through, and
// nothing is handed over twice.
TEST_F(EbayCartTest, AnOrderLeavingBetweenPagesRestartsTheSeriesAndNoneIsLost) {
  ExpectToken();
  const std::vector<std::string> before = Orders(0, 250);
  std::vector<std::string> after = before;
  after.erase(after.begin() + 5);  // 249 left
  transport.Expect("GET", "&offset=0", 200, Page(Slice(before, 0, 200), 250, 0));
  transport.Expect("GET", "&offset=199", 200, Page(Slice(after, 199, 399), 249, 199));
  transport.Expect("GET", "&offset=0", 200, Page(Slice(after, 0, 200), 249, 0));
  transport.Expect("GET", "&offset=199", 200, Page(Slice(after, 199, 399), 249, 199));
  auto c = Make();
  std::vector<CartOrder> got;
  ASSERT_TRUE(Collect(*c, UpdatedSince(1'794'000'000), got).ok());
  EXPECT_EQ(Ids(got).size(), got.size());  // no duplicates handed over
  EXPECT_EQ(got.size(), 250u);             // 01-5 from the first read, all the others once
  EXPECT_EQ(Ids(got).count("01-200"), 1u);
}

// The same, when another order enters the set at the same time (a new one
// at the end): the total stays 250, and only the overlap shows that the
// page moved. Without it, 01-200 would be lost.
TEST_F(EbayCartTest, ASwapThatKeepsTheTotalIsCaughtByTheOverlappingOrder) {
  ExpectToken();
  const std::vector<std::string> before = Orders(0, 250);
  std::vector<std::string> after = before;
  after.erase(after.begin() + 5);
  after.push_back(OrderJson("01-900"));  // still 250
  transport.Expect("GET", "&offset=0", 200, Page(Slice(before, 0, 200), 250, 0));
  transport.Expect("GET", "&offset=199", 200, Page(Slice(after, 199, 399), 250, 199));
  transport.Expect("GET", "&offset=0", 200, Page(Slice(after, 0, 200), 250, 0));
  transport.Expect("GET", "&offset=199", 200, Page(Slice(after, 199, 399), 250, 199));
  auto c = Make();
  std::vector<CartOrder> got;
  ASSERT_TRUE(Collect(*c, UpdatedSince(1'794'000'000), got).ok());
  const std::set<std::string> ids = Ids(got);
  EXPECT_EQ(ids.size(), got.size());
  EXPECT_EQ(got.size(), 251u);
  EXPECT_EQ(ids.count("01-200"), 1u);
  EXPECT_EQ(ids.count("01-900"), 1u);
  // The window is open-ended: eBay refuses end dates in the future.
  for (size_t i = 1; i < transport.requests.size(); ++i)
    EXPECT_TRUE(Contains(transport.requests[i].url, "..%5D")) << transport.requests[i].url;
}

// A change after the offset moves nothing already read: no restart.
TEST_F(EbayCartTest, AChangeAfterTheOffsetNeedsNoRestart) {
  ExpectToken();
  const std::vector<std::string> before = Orders(0, 250);
  std::vector<std::string> after = before;
  after.erase(after.begin() + 230);
  after.push_back(OrderJson("01-900"));
  transport.Expect("GET", "&offset=0", 200, Page(Slice(before, 0, 200), 250, 0));
  transport.Expect("GET", "&offset=199", 200, Page(Slice(after, 199, 399), 250, 199));
  auto c = Make();
  std::vector<CartOrder> got;
  ASSERT_TRUE(Collect(*c, UpdatedSince(1'794'000'000), got).ok());
  EXPECT_EQ(got.size(), 250u);
  EXPECT_EQ(transport.calls(), 3u);
}

TEST_F(EbayCartTest, OrdersThatKeepChangingStopTheDownloadAsTransient) {
  ExpectToken();
  transport.Expect("GET", "&offset=0", 200, Page(Orders(0, 200), 400, 0));
  for (int r = 1; r <= ebay::kMaxRestarts + 1; ++r) {
    transport.Expect("GET", "&offset=199", 200, Page(Orders(199, 200), 400 - r, 199));
    if (r <= ebay::kMaxRestarts)
      transport.Expect("GET", "&offset=0", 200, Page(Orders(0, 200), 400 - r, 0));
  }
  auto c = Make();
  std::vector<CartOrder> got;
  Status st = Collect(*c, UpdatedSince(1'794'000'000), got);
  EXPECT_TRUE(st.transient()) << st.message();
  EXPECT_TRUE(Contains(st.message(), "kept changing")) << st.message();
}

TEST_F(EbayCartTest, AnOffsetThatDoesNotAdvanceIsAnError) {
  ExpectToken();
  transport.Expect("GET", "&offset=0", 200, Page(Orders(0, 200), 300, 0));
  transport.Expect("GET", "&offset=199", 200, Page(Orders(0, 200), 300, 0));
  auto c = Make();
  std::vector<CartOrder> got;
  Status st = Collect(*c, UpdatedSince(1'794'000'000), got);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_TRUE(Contains(st.message(), "paging does not advance")) << st.message();
}

TEST_F(EbayCartTest, AnOrderWithoutALineQuantityIsPermanentAndNamed) {
  ExpectToken();
  transport.Expect("GET", kOrders, 200,
                   Page({R"({"orderId":"BAD-1","lineItems":[{"lineItemId":"L"}]})"}, 1, 0));
  auto c = Make();
  std::vector<CartOrder> got;
  Status st = Collect(*c, UpdatedSince(1'794'000'000), got);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_TRUE(Contains(st.message(), "BAD-1")) << st.message();
}

TEST_F(EbayCartTest, A401GetsOneFreshTokenThenIsPermanentWithoutQuotingIt) {
  ExpectToken();
  transport.Expect("GET", kOrders, 401,
                   std::string(R"({"errors":[{"errorId":1001,"message":"Invalid access token )") +
                       kToken + "\"}]}");
  ExpectToken();
  transport.Expect("GET", kOrders, 401,
                   std::string(R"({"errors":[{"errorId":1001,"message":"Invalid access token )") +
                       kToken + "\"}]}");
  auto c = Make();
  std::vector<CartOrder> got;
  Status st = Collect(*c, UpdatedSince(1'794'000'000), got);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_TRUE(Contains(st.message(), "eBay rejected the token (HTTP 401) on GET /order"))
      << st.message();
  EXPECT_FALSE(Contains(st.message(), kToken));
  EXPECT_TRUE(Contains(st.message(), "REDACTED")) << st.message();
}

TEST_F(EbayCartTest, A401AfterTheTokenDiedEarlyIsHealedByOneRefresh) {
  ExpectToken();
  transport.Expect("GET", kOrders, 401, R"({"errors":[{"errorId":1001}]})");
  ExpectToken();
  transport.Expect("GET", kOrders, 200, Page({}, 0, 0));
  auto c = Make();
  std::vector<CartOrder> got;
  EXPECT_TRUE(Collect(*c, UpdatedSince(1'794'000'000), got).ok());
}

TEST_F(EbayCartTest, A429WithRetryAfterIsWaitedOut) {
  ExpectToken();
  transport.Expect("GET", kOrders, 429, R"({"errors":[{"errorId":2001,"message":"Too many"}]})",
                   {{"Retry-After", "3"}, {"Content-Type", "application/json"}});
  transport.Expect("GET", kOrders, 200, Page({}, 0, 0));
  auto c = Make();
  std::vector<CartOrder> got;
  const int64_t before = clock.NowMs();
  EXPECT_TRUE(Collect(*c, UpdatedSince(1'794'000'000), got).ok());
  EXPECT_GE(clock.NowMs() - before, 3000);
}

TEST_F(EbayCartTest, TheCallBudgetStopsTheDownloadCleanly) {
  cart.api["max_calls_per_run"] = IntegerField(4);
  ExpectToken();
  transport.Expect("GET", "&offset=0", 200, Page(Orders(0, 200), 600, 0));
  transport.Expect("GET", "&offset=199", 200, Page(Orders(199, 200), 600, 199));
  auto c = Make();
  std::vector<CartOrder> got;
  Status st = Collect(*c, UpdatedSince(1'794'000'000), got);
  EXPECT_TRUE(st.transient()) << st.message();
  EXPECT_TRUE(Contains(st.message(),
                       "eBay call limit for this run reached "
                       "([api].max_calls_per_run = 4) before GET /order (offset 398)"))
      << st.message();
  EXPECT_EQ(got.size(), 399u);  // what was read is handed over
  EXPECT_EQ(transport.calls(), 3u);
}

// --- tracking -----------------------------------------------------------------

const char kNoFulfillments[] = R"({"total":0,"fulfillments":[]})";

TrackingUpload Upload(const std::string& order, const std::string& number,
                      std::vector<ShipmentLine> lines = {}) {
  TrackingUpload u;
  u.order_id = order;
  u.carrier_code = "UPS";
  u.shipment.tracking_number = number;
  u.shipment.shipped_at = "2026-11-18T09:30:00+01:00";
  u.shipment.lines = std::move(lines);
  return u;
}

TEST_F(EbayCartTest, HasTrackingComparesTheNumbersExactly) {
  ExpectToken();
  transport.Expect("GET", "/sell/fulfillment/v1/order/12-1/shipping_fulfillment", 200,
                   R"({"total":2,"fulfillments":[{"shipmentTrackingNumber":"1Z999"},
                      {"shipmentTrackingNumber":"9400"}]})");
  transport.Expect("GET", "/order/12-1/shipping_fulfillment", 200,
                   R"({"total":1,"fulfillments":[{"shipmentTrackingNumber":"1Z999"}]})");
  auto c = Make();
  auto yes = c->HasTracking("12-1", "9400");
  ASSERT_TRUE(yes.ok());
  EXPECT_TRUE(yes.value());
  auto no = c->HasTracking("12-1", "1Z99");
  ASSERT_TRUE(no.ok());
  EXPECT_FALSE(no.value());
  EXPECT_EQ(c->HasTracking("", "1").status().code(), StatusCode::Permanent);
}

TEST_F(EbayCartTest, AnUploadThatFindsTheNumberPostsNothing) {
  ExpectToken();
  transport.Expect("GET", "/order/12-1/shipping_fulfillment", 200,
                   R"({"total":1,"fulfillments":[{"shipmentTrackingNumber":"1Z999"}]})");
  auto c = Make();
  EXPECT_TRUE(c->UploadTracking(Upload("12-1", "1Z999")).ok());
  EXPECT_EQ(transport.calls(), 2u);
}

TEST_F(EbayCartTest, APartialShipmentPostsOnePackageWithItsLines) {
  ExpectToken();
  transport.Expect("GET", "/order/12-1/shipping_fulfillment", 200, kNoFulfillments);
  transport.Expect("POST", "/sell/fulfillment/v1/order/12-1/shipping_fulfillment", 201, "",
                   {{"Location",
                     "https://api.ebay.com/sell/fulfillment/v1/order/12-1/"
                     "shipping_fulfillment/9405509699937003457459"}});
  auto c = Make();
  ASSERT_TRUE(c->UploadTracking(Upload("12-1", "1Z999", {{"L1", "A", 1}, {"L3", "C", 2}})).ok());
  const HttpRequest& post = transport.requests.back();
  EXPECT_EQ(post.body,
            R"({"lineItems":[{"lineItemId":"L1","quantity":1},{"lineItemId":"L3","quantity":2}],)"
            R"("shippedDate":"2026-11-18T08:30:00.000Z","shippingCarrierCode":"UPS",)"
            R"("trackingNumber":"1Z999"})");
  EXPECT_FALSE(post.idempotent);
}

TEST_F(EbayCartTest, WithoutLinesEverythingLeftIsShipped) {
  ExpectToken();
  transport.Expect("GET", "/order/12-1/shipping_fulfillment", 200,
                   R"({"total":1,"fulfillments":[{"shipmentTrackingNumber":"OLD",
                      "lineItems":[{"lineItemId":"L1","quantity":1}]}]})");
  transport.Expect("GET", "/sell/fulfillment/v1/order/12-1", 200,
                   R"({"orderId":"12-1","lineItems":[{"lineItemId":"L1","quantity":3},
                      {"lineItemId":"L2","quantity":1}]})");
  transport.Expect("POST", "/order/12-1/shipping_fulfillment", 201, "");
  auto c = Make();
  ASSERT_TRUE(c->UploadTracking(Upload("12-1", "1Z999")).ok());
  auto body = Json(transport.requests.back().body);
  ASSERT_TRUE(body.IsObject());
  ASSERT_EQ(body["lineItems"].Size(), 2u);
  EXPECT_EQ(body["lineItems"][0]["quantity"].GetInt(), 2);
  EXPECT_EQ(body["lineItems"][1]["quantity"].GetInt(), 1);
}

TEST_F(EbayCartTest, ATimeoutOnThePostIsNotRetriedAndIsTransient) {
  ExpectToken();
  transport.Expect("GET", "/order/12-1/shipping_fulfillment", 200, kNoFulfillments);
  transport.ExpectFailure("POST", "/order/12-1/shipping_fulfillment",
                          Status::Transient("timed out"));
  auto c = Make();
  Status st = c->UploadTracking(Upload("12-1", "1Z999", {{"L1", "A", 1}}));
  EXPECT_TRUE(st.transient()) << st.message();
  EXPECT_EQ(transport.calls(), 3u);
}

TEST_F(EbayCartTest, A2xxThatIsNotJsonIsNotCountedAsDone) {
  ExpectToken();
  transport.Expect("GET", "/order/12-1/shipping_fulfillment", 200, kNoFulfillments);
  transport.Expect("POST", "/order/12-1/shipping_fulfillment", 200, "<html>maintenance</html>",
                   {{"Content-Type", "text/html"}});
  auto c = Make();
  Status st = c->UploadTracking(Upload("12-1", "1Z999", {{"L1", "A", 1}}));
  EXPECT_TRUE(st.transient());
  EXPECT_TRUE(Contains(st.message(), "not JSON")) << st.message();
}

TEST_F(EbayCartTest, AnUnknownCarrierIsSentAgainAsOther) {
  ExpectToken();
  transport.Expect("GET", "/order/12-1/shipping_fulfillment", 200, kNoFulfillments);
  transport.Expect(
      "POST", "/order/12-1/shipping_fulfillment", 400,
      R"({"errors":[{"errorId":32300,"message":"Invalid shipment tracking number or carrier"}]})");
  transport.Expect("POST", "/order/12-1/shipping_fulfillment", 201, "");
  auto c = Make();
  TrackingUpload u = Upload("12-1", "1Z999", {{"L1", "A", 1}});
  u.carrier_code = "Acme Freight";
  ASSERT_TRUE(c->UploadTracking(u).ok());
  EXPECT_TRUE(Contains(transport.requests[2].body, R"("shippingCarrierCode":"Acme Freight")"));
  EXPECT_TRUE(Contains(transport.requests[3].body, R"("shippingCarrierCode":"Other")"));
}

TEST_F(EbayCartTest, AnInvalidOrderIsAPermanentErrorWithEbaysMessage) {
  ExpectToken();
  transport.Expect("GET", "/order/nope/shipping_fulfillment", 400,
                   R"({"errors":[{"errorId":32100,"domain":"API_FULFILLMENT",
                      "category":"REQUEST","message":"Invalid order ID: nope"}]})");
  auto c = Make();
  Status st = c->UploadTracking(Upload("nope", "1Z999"));
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_EQ(st.message(),
            "eBay answered HTTP 400 to GET /order/nope/shipping_fulfillment: Invalid order ID: "
            "nope (errorId 32100)");
}

// --- inventory ----------------------------------------------------------------

std::string BulkAnswer(const std::vector<InventoryPush>& items, int begin, int end) {
  std::string out = R"({"responses":[)";
  for (int i = begin; i < end; ++i) {
    if (i > begin) out += ",";
    out += R"({"sku":")" + items[i].sku + R"(","statusCode":200})";
  }
  return out + "]}";
}

TEST_F(EbayCartTest, StockGoesInGroupsOf25WithAbsoluteQuantities) {
  std::vector<InventoryPush> items;
  for (int i = 0; i < 30; ++i) items.push_back({"SKU-" + std::to_string(i), i});
  ExpectToken();
  transport.Expect("POST", "https://api.ebay.com/sell/inventory/v1/bulk_update_price_quantity", 200,
                   BulkAnswer(items, 0, 25));
  transport.Expect("POST", "/sell/inventory/v1/bulk_update_price_quantity", 200,
                   BulkAnswer(items, 25, 30));
  auto c = Make();
  auto errors = c->PushInventory(items);
  ASSERT_TRUE(errors.ok()) << errors.status().message();
  EXPECT_TRUE(errors.value().empty());
  auto first = Json(transport.requests[1].body);
  ASSERT_EQ(first["requests"].Size(), 25u);
  EXPECT_STREQ(first["requests"][3]["sku"].GetString(), "SKU-3");
  EXPECT_EQ(first["requests"][3]["shipToLocationAvailability"]["quantity"].GetInt(), 3);
  EXPECT_EQ(Json(transport.requests[2].body)["requests"].Size(), 5u);
  EXPECT_TRUE(transport.requests[1].idempotent);
}

TEST_F(EbayCartTest, A207GivesPerSkuErrorsAndAnOfferlessSkuIsNotOne) {
  ExpectToken();
  transport.Expect("POST", "/bulk_update_price_quantity", 207, R"({"responses":[
      {"sku":"A","statusCode":200},
      {"sku":"NOOFFER","statusCode":200,"warnings":[{"errorId":25401,"message":"no published offer"}]},
      {"sku":"GONE","statusCode":404,"errors":[{"errorId":25702,
        "message":"SKU GONE is not available in the system"}]}]})");
  auto c = Make();
  auto errors = c->PushInventory({{"A", 1}, {"NOOFFER", 2}, {"GONE", 3}});
  ASSERT_TRUE(errors.ok());
  ASSERT_EQ(errors.value().size(), 1u);
  EXPECT_EQ(errors.value()[0].sku, "GONE");
  EXPECT_TRUE(Contains(errors.value()[0].message, "no inventory item with this SKU"))
      << errors.value()[0].message;
  EXPECT_TRUE(errors.value()[0].not_in_cart);
}

TEST_F(EbayCartTest, ARefusedBatchFailsItsSkusAndTheNextBatchStillGoes) {
  std::vector<InventoryPush> items;
  for (int i = 0; i < 26; ++i) items.push_back({"S" + std::to_string(i), 1});
  ExpectToken();
  transport.Expect("POST", "/bulk_update_price_quantity", 400,
                   R"({"errors":[{"errorId":25709,"message":"Invalid value for quantity"}]})");
  transport.Expect("POST", "/bulk_update_price_quantity", 200, BulkAnswer(items, 25, 26));
  auto c = Make();
  auto errors = c->PushInventory(items);
  ASSERT_TRUE(errors.ok());
  EXPECT_EQ(errors.value().size(), 25u);
  EXPECT_TRUE(Contains(errors.value()[0].message, "Invalid value for quantity (errorId 25709)"));
}

TEST_F(EbayCartTest, TheCallBudgetReportsTheSkusNotSentAsErrors) {
  cart.api["max_calls_per_run"] = IntegerField(3);
  std::vector<InventoryPush> items;
  for (int i = 0; i < 60; ++i) items.push_back({"S" + std::to_string(i), 1});
  ExpectToken();
  transport.Expect("POST", "/bulk_update_price_quantity", 200, BulkAnswer(items, 0, 25));
  auto c = Make();
  auto errors = c->PushInventory(items);
  ASSERT_TRUE(errors.ok()) << errors.status().message();
  ASSERT_EQ(errors.value().size(), 35u);
  EXPECT_EQ(errors.value()[0].sku, "S25");
  EXPECT_TRUE(Contains(errors.value()[0].message, "max_calls_per_run = 3"));
}

TEST_F(EbayCartTest, AMaintenancePageForStockIsTransient) {
  ExpectToken();
  transport.Expect("POST", "/bulk_update_price_quantity", 200, "<html>down</html>",
                   {{"Content-Type", "text/html"}});
  auto c = Make();
  auto errors = c->PushInventory({{"A", 1}});
  EXPECT_TRUE(errors.status().transient());
}

// --- configuration ------------------------------------------------------------

TEST_F(EbayCartTest, SandboxAndBaseUrlChooseTheHostForTheApiAndTheToken) {
  cart.api["environment"] = TextField(FieldType::Enum, "sandbox");
  transport.Expect("POST", "https://api.sandbox.ebay.com/identity/v1/oauth2/token", 200,
                   TokenAnswer());
  transport.Expect("GET", "https://api.sandbox.ebay.com/sell/fulfillment/v1/order/1/", 200,
                   kNoFulfillments);
  {
    auto c = Make();
    ASSERT_TRUE(c->HasTracking("1", "x").ok());
  }
  cart.api["base_url"] = TextField(FieldType::Url, "http://127.0.0.1:18080/ebay/harbor/");
  transport.Expect("POST", "http://127.0.0.1:18080/ebay/harbor/identity/v1/oauth2/token", 200,
                   TokenAnswer());
  transport.Expect("GET", "http://127.0.0.1:18080/ebay/harbor/sell/fulfillment/v1/order/1/", 200,
                   kNoFulfillments);
  auto c = Make();
  ASSERT_TRUE(c->HasTracking("1", "x").ok());
}

TEST_F(EbayCartTest, ConfigurationErrorsNameTheField) {
  auto expect_error = [&](const std::string& part) {
    auto made = MakeEbayCart(cart, ConnectorDeps{&http, &secrets});
    ASSERT_FALSE(made.ok());
    EXPECT_EQ(made.status().code(), StatusCode::Permanent);
    EXPECT_TRUE(Contains(made.status().message(), part)) << made.status().message();
  };
  cart.api["base_url"] = TextField(FieldType::Url, "http://ebay.example.com");
  expect_error("cart \"harbor-ebay\" (eBay): eBay [api].base_url");
  cart.api.erase("base_url");
  cart.api["max_calls_per_run"] = IntegerField(0);
  expect_error("[api].max_calls_per_run must be at least 3");
  cart.api.erase("max_calls_per_run");
  cart.api.erase("refresh_token");
  expect_error("[api].refresh_token is not set");
  cart.api.erase("marketplace_id");
  expect_error("[api].marketplace_id is not set");
}

TEST_F(EbayCartTest, AnOlderPlanWithoutTheOptionalFieldsGetsTheDefaults) {
  cart.api.erase("environment");
  cart.api.erase("max_calls_per_run");
  ExpectToken();
  transport.Expect("GET", kHost + std::string("/sell/fulfillment/v1/order/1/"), 200,
                   kNoFulfillments);
  auto c = Make();
  ASSERT_TRUE(c->HasTracking("1", "x").ok());
}

}  // namespace
}  // namespace cartsync

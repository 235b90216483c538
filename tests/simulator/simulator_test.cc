// The cart/WMS simulator over real loopback HTTP (cpp-httplib client):
// pagination rules, auth, rate limits, WMS idempotency and the shipment
// cursor, fault injection and the records API.
#include "tools/simulator/simulator.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cctype>
#include <chrono>
#include <future>
#include <regex>
#include <set>
#include <string>
#include <thread>

namespace cartsync::sim {
namespace {

using std::chrono::milliseconds;

const httplib::Headers kShopify = {{"X-Shopify-Access-Token", "demo-shopify-token"}};
const httplib::Headers kBigCommerce = {{"X-Auth-Token", "demo-bc-token"},
                                       {"Accept", "application/json"}};
const httplib::Headers kWms = {{"Authorization", "Bearer demo-wms-token"}};
const char kShopifyApi[] = "/shopify/acme/admin/api/2024-10";
const char kWooApi[] = "/woo/bluebird/wp-json/wc/v3";
const char kBcApi[] = "/bigcommerce/cedar";

std::string Encode(const std::string& text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

rapidjson::Document Parse(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  EXPECT_FALSE(doc.HasParseError()) << body.substr(0, 300);
  return doc;
}

std::string OrderJson(const std::string& key, const std::string& carrier = "UPS") {
  return R"({"order_key":")" + key +
         R"(","cart_id":"acme","client":"acme","order_number":"#1",)"
         R"("placed_at":"2026-11-20T10:00:00Z","ship_to":{"name":"A B","country":"US"},)"
         R"("ship_method":{"cart_code":"Standard","carrier":")" +
         carrier +
         R"(","service":"GROUND"},)"
         R"("lines":[{"line_key":"1","sku":"TS-RED-M","quantity":2}]})";
}

class SimulatorTest : public ::testing::Test {
 protected:
  void SetUp() override { StartWith(SimOptions{}); }
  void TearDown() override { sim_->Stop(); }

  void StartWith(SimOptions options) {
    if (sim_) sim_->Stop();
    sim_ = std::make_unique<Simulator>(std::move(options));
    sim_->SeedDemo(50, 1);
    std::string error;
    ASSERT_TRUE(sim_->Start(&error)) << error;
    ASSERT_GT(sim_->port(), 0);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", sim_->port());
    client_->set_connection_timeout(2, 0);
    client_->set_read_timeout(5, 0);
  }

  /// The path+query of an absolute Link URL of this simulator.
  std::string LocalPath(const std::string& url) {
    const std::string base = sim_->base_url();
    EXPECT_EQ(url.rfind(base, 0), 0u) << url;
    return url.substr(base.size());
  }

  /// The URL of rel="next"/"previous" in a Link header, or "".
  static std::string LinkRel(const std::string& link, const std::string& rel) {
    std::regex re("<([^>]*)>; rel=\"" + rel + "\"");
    std::smatch m;
    return std::regex_search(link, m, re) ? m[1].str() : "";
  }

  httplib::Result PostWms(const std::string& key, const std::string& body) {
    httplib::Headers headers = kWms;
    headers.emplace("Idempotency-Key", key);
    return client_->Post("/wms/orders", headers, body, "application/json");
  }

  std::unique_ptr<Simulator> sim_;
  std::unique_ptr<httplib::Client> client_;
};

// ---- Shopify ---------------------------------------------------------------------------

TEST_F(SimulatorTest, ShopifyLinkPaginationVisitsEveryOrderOnce) {
  std::set<int64_t> seen;
  std::string path = std::string(kShopifyApi) + "/orders.json?status=any&limit=7";
  std::string second_page_prev;
  std::vector<int64_t> first_page;
  int pages = 0;
  while (!path.empty() && pages < 20) {
    auto r = client_->Get(path, kShopify);
    ASSERT_TRUE(r) << httplib::to_string(r.error());
    ASSERT_EQ(r->status, 200) << r->body;
    auto doc = Parse(r->body);
    const auto& orders = doc["orders"];
    ASSERT_TRUE(orders.IsArray());
    EXPECT_LE(orders.Size(), 7u);
    for (const auto& o : orders.GetArray()) {
      EXPECT_TRUE(seen.insert(o["id"].GetInt64()).second)
          << "duplicate order " << o["id"].GetInt64();
      if (pages == 0) first_page.push_back(o["id"].GetInt64());
      // the shop's own offset, as Shopify sends it
      EXPECT_TRUE(std::regex_match(std::string(o["created_at"].GetString()),
                                   std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-05:00)")))
          << o["created_at"].GetString();
      EXPECT_EQ(std::string(o["name"].GetString()).front(), '#');
      EXPECT_TRUE(o["line_items"].IsArray());
      EXPECT_GE(o["line_items"].Size(), 1u);
      EXPECT_TRUE(o["shipping_address"].HasMember("province_code"));
    }
    std::string link = r->get_header_value("Link");
    if (pages == 1) second_page_prev = LinkRel(link, "previous");
    std::string next = LinkRel(link, "next");
    path = next.empty() ? "" : LocalPath(next);
    ++pages;
  }
  EXPECT_EQ(pages, 8);  // 50 orders, 7 per page
  EXPECT_EQ(seen.size(), sim_->Orders("shopify", "acme").size());
  EXPECT_EQ(seen.size(), 50u);

  // rel="previous" from page 2 leads back to page 1
  ASSERT_FALSE(second_page_prev.empty());
  auto r = client_->Get(LocalPath(second_page_prev), kShopify);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto doc = Parse(r->body);
  std::vector<int64_t> back;
  for (const auto& o : doc["orders"].GetArray()) back.push_back(o["id"].GetInt64());
  EXPECT_EQ(back, first_page);
}

TEST_F(SimulatorTest, ShopifyPageInfoWithFiltersIs400) {
  auto first = client_->Get(std::string(kShopifyApi) + "/orders.json?limit=5", kShopify);
  ASSERT_TRUE(first);
  std::string next = LinkRel(first->get_header_value("Link"), "next");
  ASSERT_FALSE(next.empty());
  std::string page_info = next.substr(next.find("page_info=") + 10);

  // limit and fields are allowed with page_info
  auto ok = client_->Get(
      std::string(kShopifyApi) + "/orders.json?limit=5&fields=id&page_info=" + page_info, kShopify);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  auto doc = Parse(ok->body);
  ASSERT_GT(doc["orders"].Size(), 0u);
  EXPECT_EQ(doc["orders"][0].MemberCount(), 1u);  // fields=id

  auto bad = client_->Get(std::string(kShopifyApi) + "/orders.json?page_info=" + page_info +
                              "&created_at_min=2026-01-01T00:00:00Z",
                          kShopify);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(bad->body, R"({"errors":"created_at_min cannot be passed when page_info is present"})");

  auto garbage =
      client_->Get(std::string(kShopifyApi) + "/orders.json?page_info=not-a-cursor", kShopify);
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->status, 400);
}

TEST_F(SimulatorTest, ShopifyFiltersMatchTheSeededStatuses) {
  int open = 0, open_paid_unfulfilled = 0;
  for (const OrderSummary& o : sim_->Orders("shopify", "acme")) {
    if (o.status.rfind("open/", 0) == 0) ++open;
    if (o.status == "open/paid/unfulfilled" || o.status == "open/paid/partial")
      ++open_paid_unfulfilled;
  }
  ASSERT_GT(open, 0);
  auto count = [&](const std::string& query) {
    auto r = client_->Get(std::string(kShopifyApi) + "/orders/count.json" + query, kShopify);
    EXPECT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    return Parse(r->body)["count"].GetInt();
  };
  EXPECT_EQ(count(""), open);  // status defaults to open
  EXPECT_EQ(count("?status=any"), 50);
  EXPECT_EQ(count("?financial_status=paid&fulfillment_status=unfulfilled"), open_paid_unfulfilled);
  EXPECT_EQ(count("?status=any&created_at_min=2030-01-01T00:00:00Z"), 0);
}

TEST_F(SimulatorTest, ShopifyWrongTokenIs401) {
  auto r = client_->Get(std::string(kShopifyApi) + "/orders.json",
                        httplib::Headers{{"X-Shopify-Access-Token", "wrong"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_NE(r->body.find("errors"), std::string::npos);
  auto none = client_->Get(std::string(kShopifyApi) + "/orders.json");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(sim_->Records().faults["unauthorized"], 2u);
}

TEST_F(SimulatorTest, ShopifyCallLimitHeaderAndBucket429WhenEnforced) {
  // not enforced: the header counts up but nothing is refused
  for (int i = 0; i < 45; ++i) {
    auto r = client_->Get(std::string(kShopifyApi) + "/locations.json", kShopify);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
    EXPECT_TRUE(std::regex_match(r->get_header_value("X-Shopify-Shop-Api-Call-Limit"),
                                 std::regex(R"(\d+/40)")));
  }
  EXPECT_EQ(sim_->Records().rate_limited_total, 0u);

  FaultOptions f;
  f.shopify_bucket = true;
  sim_->SetFaults(f);
  int refused_at = -1;
  for (int i = 0; i < 80 && refused_at < 0; ++i) {
    auto r = client_->Get(std::string(kShopifyApi) + "/locations.json", kShopify);
    ASSERT_TRUE(r);
    if (r->status == 429) {
      refused_at = i;
      EXPECT_EQ(r->get_header_value("X-Shopify-Shop-Api-Call-Limit"), "40/40");
      double retry_after = std::stod(r->get_header_value("Retry-After"));
      EXPECT_GE(retry_after, 0.5);
      EXPECT_LE(retry_after, 2.0);
      EXPECT_NE(r->body.find("Exceeded 2 calls per second"), std::string::npos);
    } else {
      ASSERT_EQ(r->status, 200);
    }
  }
  ASSERT_GE(refused_at, 0) << "the bucket never overflowed";
  EXPECT_GE(sim_->Records().rate_limited_total, 1u);
  EXPECT_GE(sim_->Records().rate_limited["shopify/acme"], 1u);

  // the bucket leaks 2/s: after ~1 s a request goes through again
  std::this_thread::sleep_for(milliseconds(1100));
  auto r = client_->Get(std::string(kShopifyApi) + "/locations.json", kShopify);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(SimulatorTest, ShopifyFulfillmentIsValidatedAndRecorded) {
  const OrderSummary* target = nullptr;
  auto orders = sim_->Orders("shopify", "acme");
  for (const OrderSummary& o : orders)
    if (o.status == "open/paid/unfulfilled") target = &o;
  ASSERT_NE(target, nullptr);
  auto fo = client_->Get(
      std::string(kShopifyApi) + "/orders/" + target->id + "/fulfillment_orders.json", kShopify);
  ASSERT_TRUE(fo);
  ASSERT_EQ(fo->status, 200);
  auto doc = Parse(fo->body);
  const auto& order = doc["fulfillment_orders"][0];
  EXPECT_STREQ(order["status"].GetString(), "open");
  std::string items;
  for (const auto& l : order["line_items"].GetArray())
    items += std::string(items.empty() ? "" : ",") + R"({"id":)" +
             std::to_string(l["id"].GetInt64()) + R"(,"quantity":)" +
             std::to_string(l["fulfillable_quantity"].GetInt64()) + "}";
  std::string body =
      R"({"fulfillment":{"line_items_by_fulfillment_order":[{"fulfillment_order_id":)" +
      std::to_string(order["id"].GetInt64()) + R"(,"fulfillment_order_line_items":[)" + items +
      R"(]}],"tracking_info":{"company":"UPS","number":"1ZSIMTEST0001"},"notify_customer":false}})";

  // an unknown fulfillment order
  auto unknown = client_->Post(
      std::string(kShopifyApi) + "/fulfillments.json", kShopify,
      R"({"fulfillment":{"line_items_by_fulfillment_order":[{"fulfillment_order_id":1}]}})",
      "application/json");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);

  auto created = client_->Post(std::string(kShopifyApi) + "/fulfillments.json", kShopify, body,
                               "application/json");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 201) << created->body;
  EXPECT_STREQ(Parse(created->body)["fulfillment"]["tracking_number"].GetString(), "1ZSIMTEST0001");

  // the fulfillment order is closed now: a second post is refused, not recorded
  auto again = client_->Post(std::string(kShopifyApi) + "/fulfillments.json", kShopify, body,
                             "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 422);

  auto tracking = sim_->TrackingFor("shopify", "acme", target->id);
  ASSERT_EQ(tracking.size(), 1u);
  EXPECT_EQ(tracking[0].kind, "fulfillment");
  EXPECT_EQ(tracking[0].tracking_number, "1ZSIMTEST0001");
  EXPECT_EQ(tracking[0].carrier, "UPS");

  auto listed = client_->Get(
      std::string(kShopifyApi) + "/orders/" + target->id + "/fulfillments.json", kShopify);
  ASSERT_TRUE(listed);
  EXPECT_EQ(Parse(listed->body)["fulfillments"].Size(), 1u);
  auto one = client_->Get(
      std::string(kShopifyApi) + "/orders/" + target->id + ".json?fields=fulfillment_status",
      kShopify);
  ASSERT_TRUE(one);
  EXPECT_STREQ(Parse(one->body)["order"]["fulfillment_status"].GetString(), "fulfilled");
}

TEST_F(SimulatorTest, ShopifyInventoryLevelSetIsRecordedWithHistory) {
  auto products = client_->Get(std::string(kShopifyApi) + "/products.json?limit=250", kShopify);
  ASSERT_TRUE(products);
  auto pdoc = Parse(products->body);
  const auto& variant = pdoc["products"][0]["variants"][0];
  const int64_t item = variant["inventory_item_id"].GetInt64();
  const std::string sku = variant["sku"].GetString();
  auto locations = client_->Get(std::string(kShopifyApi) + "/locations.json", kShopify);
  ASSERT_TRUE(locations);
  const int64_t location = Parse(locations->body)["locations"][0]["id"].GetInt64();
  for (int value : {7, 3}) {
    std::string body = R"({"location_id":)" + std::to_string(location) +
                       R"(,"inventory_item_id":)" + std::to_string(item) + R"(,"available":)" +
                       std::to_string(value) + "}";
    auto r = client_->Post(std::string(kShopifyApi) + "/inventory_levels/set.json", kShopify, body,
                           "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
  }
  auto sets = sim_->InventorySets();
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].sku, sku);
  EXPECT_EQ(sets[0].item_id, std::to_string(item));
  EXPECT_EQ(sets[0].location, std::to_string(location));
  EXPECT_EQ(sets[0].value, 3);
  EXPECT_EQ(sets[0].sets, 2);
  EXPECT_EQ(sim_->Records().inventory_history, 2u);

  auto unknown =
      client_->Post(std::string(kShopifyApi) + "/inventory_levels/set.json", kShopify,
                    R"({"location_id":1,"inventory_item_id":2,"available":1})", "application/json");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}

// ---- WooCommerce -------------------------------------------------------------------------

// ---- Shopify GraphQL (the connector's API) ------------------------------------------------

const char kGraphqlPath[] = "/shopify/acme/admin/api/2026-10/graphql.json";

/// POST one GraphQL document; the parsed answer.
rapidjson::Document Gql(httplib::Client& c, const std::string& query,
                        const std::string& variables = "{}",
                        const httplib::Headers& headers = kShopify, int* status = nullptr) {
  rapidjson::Document q;
  q.SetObject();
  q.AddMember("query", rapidjson::Value(query.c_str(), q.GetAllocator()), q.GetAllocator());
  rapidjson::Document v;
  v.Parse(variables.c_str());
  q.AddMember("variables", rapidjson::Value(v, q.GetAllocator()), q.GetAllocator());
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  q.Accept(w);
  auto r = c.Post(kGraphqlPath, headers, sb.GetString(), "application/json");
  EXPECT_TRUE(r);
  if (status) *status = r ? r->status : -1;
  return Parse(r ? r->body : "{}");
}

std::string FirstErrorCode(const rapidjson::Document& d) {
  if (!d.HasMember("errors") || !d["errors"].IsArray() || d["errors"].Empty()) return "";
  return d["errors"][0]["extensions"]["code"].GetString();
}

TEST_F(SimulatorTest, ShopifyClientCredentialsGrantIssuesATokenThatQueriesWork) {
  auto bad = client_->Post(
      "/shopify/acme/admin/oauth/access_token",
      "grant_type=client_credentials&client_id=demo-shopify-client&client_secret=wrong",
      "application/x-www-form-urlencoded");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("invalid_client"), std::string::npos);
  auto r = client_->Post("/shopify/acme/admin/oauth/access_token",
                         "grant_type=client_credentials&client_id=demo-shopify-client&client_"
                         "secret=demo-shopify-client-secret",
                         "application/x-www-form-urlencoded");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto grant = Parse(r->body);
  EXPECT_EQ(grant["expires_in"].GetInt(), 86399);
  EXPECT_NE(std::string(grant["scope"].GetString()).find("read_all_orders"), std::string::npos);
  const std::string token = grant["access_token"].GetString();
  auto d = Gql(*client_, "{ shop { name } }", "{}", {{"X-Shopify-Access-Token", token}});
  EXPECT_EQ(std::string(d["data"]["shop"]["name"].GetString()), "acme");
  EXPECT_TRUE(d["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"].IsNumber());
  int status = 0;
  Gql(*client_, "{ shop { name } }", "{}", {{"X-Shopify-Access-Token", "nope"}}, &status);
  EXPECT_EQ(status, 401);
}

TEST_F(SimulatorTest, ShopifyGraphqlOrdersSearchAndCursorPagesVisitEachOrderOnce) {
  const std::string q =
      "query($q: String!, $after: String) { orders(first: 7, after: $after, sortKey: CREATED_AT, "
      "query: $q) {"
      " pageInfo { hasNextPage endCursor } nodes { legacyResourceId createdAt "
      "displayFinancialStatus"
      " lineItems(first: 5) { nodes { sku quantity } } } } }";
  std::set<std::string> seen;
  std::string after = "null";
  std::string last_created;
  for (int page = 0; page < 20; ++page) {
    const std::string vars =
        R"J({"q":"status:open (financial_status:paid OR financial_status:pending)","after":)J" +
        after + "}";
    auto d = Gql(*client_, q, vars);
    ASSERT_TRUE(d.HasMember("data")) << FirstErrorCode(d);
    const auto& orders = d["data"]["orders"];
    for (const auto& o : orders["nodes"].GetArray()) {
      EXPECT_TRUE(seen.insert(o["legacyResourceId"].GetString()).second);
      std::string f = o["displayFinancialStatus"].GetString();
      EXPECT_TRUE(f == "PAID" || f == "PENDING") << f;
      EXPECT_GE(std::string(o["createdAt"].GetString()), last_created);  // ascending, UTC
      last_created = o["createdAt"].GetString();
    }
    if (!orders["pageInfo"]["hasNextPage"].GetBool()) break;
    after = std::string("\"") + orders["pageInfo"]["endCursor"].GetString() + "\"";
  }
  size_t want = 0;
  for (const OrderSummary& o : sim_->Orders("shopify", "acme"))
    if (o.status.rfind("open/paid/", 0) == 0 || o.status.rfind("open/pending/", 0) == 0) ++want;
  EXPECT_EQ(seen.size(), want);
  EXPECT_GT(want, 7u);
}

TEST_F(SimulatorTest, ShopifyGraphqlRefusesUnknownFieldsAndQueriesOver1000Points) {
  auto d = Gql(*client_, "{ orders(first: 5) { nodes { nope } } }");
  EXPECT_EQ(FirstErrorCode(d), "undefinedField");
  EXPECT_EQ(std::string(d["errors"][0]["message"].GetString()),
            "Field 'nope' doesn't exist on type 'Order'");
  d = Gql(*client_, "{ orders(first: 250) { nodes { lineItems(first: 250) { nodes { sku } } } } }");
  EXPECT_EQ(FirstErrorCode(d), "MAX_COST_EXCEEDED");
  EXPECT_EQ(d["extensions"]["cost"]["requestedQueryCost"].GetInt(), 2 + 250 * (1 + 2 + 250));
  d = Gql(*client_, "{ orders { nodes { id } } }");
  EXPECT_EQ(FirstErrorCode(d), "missingRequiredArguments");
}

TEST_F(SimulatorTest, ShopifyGraphqlCostBucketThrottlesWhenEnforced) {
  FaultOptions f;
  f.shopify_cost_throttle = true;
  f.shopify_cost_maximum = 100;
  f.shopify_cost_restore_rate = 1;
  sim_->SetFaults(f);
  const std::string q = "{ orders(first: 49) { nodes { id } } }";  // 2 + 49 = 51 points
  auto d = Gql(*client_, q);
  ASSERT_TRUE(d.HasMember("data"));
  EXPECT_EQ(d["extensions"]["cost"]["requestedQueryCost"].GetInt(), 51);
  EXPECT_EQ(d["extensions"]["cost"]["throttleStatus"]["maximumAvailable"].GetDouble(), 100);
  d = Gql(*client_, q);
  EXPECT_EQ(FirstErrorCode(d), "THROTTLED");
  EXPECT_FALSE(d.HasMember("data"));
  SimRecords rec = sim_->Records();
  EXPECT_EQ(rec.throttled["shopify/acme"], 1u);
  EXPECT_EQ(rec.cost_spent["shopify/acme"], 51);
}

TEST_F(SimulatorTest, ShopifyGraphqlFulfillmentCreateTakesOneLocationAndIsRecorded) {
  StoreSeed seed;
  seed.platform = "shopify";
  seed.name = "twoloc";
  seed.token = "twoloc-token";
  seed.locations = 2;
  seed.orders = 30;
  seed.statuses = {{"open/paid/unfulfilled", 1}};
  std::string error;
  ASSERT_TRUE(sim_->SeedStore(seed, &error)) << error;
  const httplib::Headers h = {{"X-Shopify-Access-Token", "twoloc-token"}};
  auto post = [&](const std::string& query, const std::string& vars) {
    rapidjson::Document q;
    q.SetObject();
    q.AddMember("query", rapidjson::Value(query.c_str(), q.GetAllocator()), q.GetAllocator());
    rapidjson::Document v;
    v.Parse(vars.c_str());
    q.AddMember("variables", rapidjson::Value(v, q.GetAllocator()), q.GetAllocator());
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    q.Accept(w);
    auto r = client_->Post("/shopify/twoloc/admin/api/2026-10/graphql.json", h, sb.GetString(),
                           "application/json");
    return Parse(r ? r->body : "{}");
  };
  auto d = post(
      "{ orders(first: 30) { nodes { id fulfillmentOrders(first: 2) { nodes { id status"
      " assignedLocation { location { id } } lineItems(first: 3) { nodes { id remainingQuantity } "
      "} } } } } }",
      "{}");
  std::string order, fo1, fo2, line1;
  for (const auto& o : d["data"]["orders"]["nodes"].GetArray()) {
    const auto& fos = o["fulfillmentOrders"]["nodes"];
    if (fos.Size() < 2) continue;
    order = o["id"].GetString();
    fo1 = fos[0]["id"].GetString();
    fo2 = fos[1]["id"].GetString();
    line1 = fos[0]["lineItems"]["nodes"][0]["id"].GetString();
    EXPECT_NE(std::string(fos[0]["assignedLocation"]["location"]["id"].GetString()),
              std::string(fos[1]["assignedLocation"]["location"]["id"].GetString()));
    break;
  }
  ASSERT_FALSE(order.empty()) << "no order with lines at two locations";
  const std::string m =
      "mutation($f: FulfillmentInput!) { fulfillmentCreate(fulfillment: $f) { fulfillment { id "
      "status"
      " location { id } trackingInfo(first: 1) { number } } userErrors { field message } } }";
  d = post(m, R"({"f":{"lineItemsByFulfillmentOrder":[{"fulfillmentOrderId":")" + fo1 +
                  R"("},{"fulfillmentOrderId":")" + fo2 +
                  R"("}],"trackingInfo":{"company":"UPS","number":"1ZTWOLOC"}}})");
  EXPECT_EQ(std::string(d["data"]["fulfillmentCreate"]["userErrors"][0]["message"].GetString()),
            "All fulfillment orders must be assigned to the same location.");
  EXPECT_TRUE(d["data"]["fulfillmentCreate"]["fulfillment"].IsNull());
  d = post(m, R"({"f":{"lineItemsByFulfillmentOrder":[{"fulfillmentOrderId":")" + fo1 +
                  R"(","fulfillmentOrderLineItems":[{"id":")" + line1 +
                  R"(","quantity":1}]}],"trackingInfo":{"company":"UPS","number":"1ZTWOLOC"}}})");
  ASSERT_TRUE(d["data"]["fulfillmentCreate"]["userErrors"].Empty());
  EXPECT_EQ(
      std::string(
          d["data"]["fulfillmentCreate"]["fulfillment"]["trackingInfo"][0]["number"].GetString()),
      "1ZTWOLOC");
  auto posts = sim_->TrackingFor("shopify", "twoloc", order.substr(order.rfind('/') + 1));
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].tracking_number, "1ZTWOLOC");
}

TEST_F(SimulatorTest, ShopifyGraphqlInventorySetNeedsAKeyAndAnExplicitChangeFromQuantity) {
  auto d =
      Gql(*client_,
          "{ location { id } productVariants(first: 1) { nodes { sku inventoryItem { id } } } }");
  const std::string location = d["data"]["location"]["id"].GetString();
  const std::string item =
      d["data"]["productVariants"]["nodes"][0]["inventoryItem"]["id"].GetString();
  const std::string sku = d["data"]["productVariants"]["nodes"][0]["sku"].GetString();
  const std::string m =
      "mutation($in: InventorySetQuantitiesInput!, $key: String!) { inventorySetQuantities(input: "
      "$in)"
      " @idempotent(key: $key) { inventoryAdjustmentGroup { id } userErrors { code field message } "
      "} }";
  auto vars = [&](int quantity, bool explicit_change, const std::string& key) {
    return R"({"key":")" + key +
           R"(","in":{"name":"available","reason":"correction","quantities":[{"inventoryItemId":")" +
           item + R"(","locationId":")" + location + R"(","quantity":)" + std::to_string(quantity) +
           (explicit_change ? R"(,"changeFromQuantity":null)" : "") + "}]}}";
  };
  d = Gql(*client_,
          "mutation($in: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $in) { "
          "userErrors { code } } }",
          vars(5, true, "k0"));
  EXPECT_EQ(FirstErrorCode(d), "BAD_REQUEST");
  d = Gql(*client_, m, vars(5, false, "k1"));
  EXPECT_EQ(std::string(d["data"]["inventorySetQuantities"]["userErrors"][0]["code"].GetString()),
            "COMPARE_QUANTITY_REQUIRED");
  d = Gql(*client_, m, vars(5, true, "k2"));
  ASSERT_TRUE(d["data"]["inventorySetQuantities"]["userErrors"].Empty());
  EXPECT_FALSE(d["data"]["inventorySetQuantities"]["inventoryAdjustmentGroup"].IsNull());
  d = Gql(*client_, m, vars(5, true, "k2"));  // the same call again: replayed, not applied twice
  ASSERT_TRUE(d["data"]["inventorySetQuantities"]["userErrors"].Empty());
  d = Gql(*client_, m, vars(6, true, "k2"));
  EXPECT_EQ(std::string(d["data"]["inventorySetQuantities"]["userErrors"][0]["code"].GetString()),
            "IDEMPOTENCY_KEY_PARAMETER_MISMATCH");
  int sets = 0;
  for (const InventorySetRecord& r : sim_->InventorySets())
    if (r.platform == "shopify" && r.sku == sku) {
      sets += r.sets;
      EXPECT_EQ(r.value, 5);
    }
  EXPECT_EQ(sets, 1);
}

TEST_F(SimulatorTest, ShopifyGraphqlHidesOldOrdersWithoutReadAllOrders) {
  StoreSeed seed;
  seed.platform = "shopify";
  seed.name = "scoped";
  seed.token = "scoped-token";
  seed.orders = 20;
  seed.start_date = "2026-01-01T00:00:00Z";  // long before the last 60 days
  seed.scopes = std::vector<std::string>{"read_orders"};
  std::string error;
  ASSERT_TRUE(sim_->SeedStore(seed, &error)) << error;
  auto r = client_->Post(
      "/shopify/scoped/admin/api/2026-10/graphql.json",
      {{"X-Shopify-Access-Token", "scoped-token"}},
      R"({"query":"{ orders(first: 50) { nodes { id } } currentAppInstallation { accessScopes { handle } } }"})",
      "application/json");
  ASSERT_TRUE(r);
  auto d = Parse(r->body);
  EXPECT_EQ(d["data"]["orders"]["nodes"].Size(), 0u);
  ASSERT_EQ(d["data"]["currentAppInstallation"]["accessScopes"].Size(), 1u);
}

TEST_F(SimulatorTest, WooPaginationHeadersAndLimits) {
  client_->set_basic_auth("ck_demo", "cs_demo");
  auto r = client_->Get(std::string(kWooApi) + "/orders?per_page=20&page=1");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("X-WP-Total"), "50");
  EXPECT_EQ(r->get_header_value("X-WP-TotalPages"), "3");
  EXPECT_NE(LinkRel(r->get_header_value("Link"), "next").find("page=2"), std::string::npos);
  auto doc = Parse(r->body);
  ASSERT_EQ(doc.Size(), 20u);
  const auto& o = doc[0];
  for (const char* key : {"id", "number", "status", "date_created_gmt", "date_modified_gmt",
                          "shipping", "billing", "shipping_lines", "line_items"})
    EXPECT_TRUE(o.HasMember(key)) << key;
  EXPECT_TRUE(o["shipping"].HasMember("address_1"));
  EXPECT_TRUE(o["billing"].HasMember("email"));

  auto last = client_->Get(std::string(kWooApi) + "/orders?per_page=20&page=3");
  ASSERT_TRUE(last);
  EXPECT_EQ(Parse(last->body).Size(), 10u);
  EXPECT_TRUE(LinkRel(last->get_header_value("Link"), "next").empty());

  auto too_many = client_->Get(std::string(kWooApi) + "/orders?per_page=101");
  ASSERT_TRUE(too_many);
  EXPECT_EQ(too_many->status, 400);
  EXPECT_NE(too_many->body.find("rest_invalid_param"), std::string::npos);

  // status is a comma list
  int expected = 0;
  for (const OrderSummary& s : sim_->Orders("woocommerce", "bluebird"))
    if (s.status == "processing" || s.status == "on-hold") ++expected;
  auto filtered =
      client_->Get(std::string(kWooApi) + "/orders?status=processing,on-hold&per_page=100");
  ASSERT_TRUE(filtered);
  EXPECT_EQ(filtered->get_header_value("X-WP-Total"), std::to_string(expected));
  EXPECT_EQ(Parse(filtered->body).Size(), static_cast<size_t>(expected));
}

TEST_F(SimulatorTest, WooAuthByBasicOrQueryParameters) {
  auto none = client_->Get(std::string(kWooApi) + "/orders");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  auto query =
      client_->Get(std::string(kWooApi) + "/orders?consumer_key=ck_demo&consumer_secret=cs_demo");
  ASSERT_TRUE(query);
  EXPECT_EQ(query->status, 200);
  client_->set_basic_auth("ck_demo", "wrong");
  auto wrong = client_->Get(std::string(kWooApi) + "/orders");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
}

TEST_F(SimulatorTest, WooBatchOver100Is413AndUnknownIdsFailPerItem) {
  client_->set_basic_auth("ck_demo", "cs_demo");
  auto products = client_->Get(std::string(kWooApi) + "/products?sku=BB-RED-M");
  ASSERT_TRUE(products);
  auto pdoc = Parse(products->body);
  ASSERT_EQ(pdoc.Size(), 1u);
  const int64_t id = pdoc[0]["id"].GetInt64();

  std::string big = R"({"update":[)";
  for (int i = 0; i < 101; ++i)
    big += std::string(i ? "," : "") + R"({"id":)" + std::to_string(id) + R"(,"stock_quantity":1})";
  big += "]}";
  auto r = client_->Post(std::string(kWooApi) + "/products/batch", big, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(sim_->InventorySets().empty());

  std::string body = R"({"update":[{"id":)" + std::to_string(id) +
                     R"(,"stock_quantity":12},{"id":999999,"stock_quantity":1}]})";
  auto mixed = client_->Post(std::string(kWooApi) + "/products/batch", body, "application/json");
  ASSERT_TRUE(mixed);
  ASSERT_EQ(mixed->status, 200) << mixed->body;
  auto doc = Parse(mixed->body);
  ASSERT_EQ(doc["update"].Size(), 2u);
  EXPECT_EQ(doc["update"][0]["stock_quantity"].GetInt(), 12);
  EXPECT_STREQ(doc["update"][1]["error"]["code"].GetString(),
               "woocommerce_rest_product_invalid_id");
  auto sets = sim_->InventorySets();
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].sku, "BB-RED-M");
  EXPECT_EQ(sets[0].value, 12);
}

TEST_F(SimulatorTest, WooTrackingNotesAndCompletionAreRecorded) {
  client_->set_basic_auth("ck_demo", "cs_demo");
  std::string id;
  for (const OrderSummary& s : sim_->Orders("woocommerce", "bluebird"))
    if (s.status == "processing") id = s.id;
  ASSERT_FALSE(id.empty());
  const std::string tracking =
      "/woo/bluebird/wp-json/wc-shipment-tracking/v3/orders/" + id + "/shipment-trackings";
  for (int i = 0; i < 2; ++i) {  // posted twice: both visible
    auto r = client_->Post(
        tracking,
        R"({"tracking_provider":"UPS","tracking_number":"1ZWOO1","date_shipped":"2026-11-20"})",
        "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 201) << r->body;
  }
  auto listed = client_->Get(tracking);
  ASSERT_TRUE(listed);
  EXPECT_EQ(Parse(listed->body).Size(), 2u);
  auto note = client_->Post(std::string(kWooApi) + "/orders/" + id + "/notes",
                            R"({"note":"Shipped: 1ZWOO1"})", "application/json");
  ASSERT_TRUE(note);
  EXPECT_EQ(note->status, 201);
  auto done = client_->Put(std::string(kWooApi) + "/orders/" + id, R"({"status":"completed"})",
                           "application/json");
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 200);
  EXPECT_STREQ(Parse(done->body)["status"].GetString(), "completed");

  auto posts = sim_->TrackingFor("woocommerce", "bluebird", id);
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_EQ(posts[0].kind, "shipment_tracking");
  EXPECT_EQ(posts[1].tracking_number, "1ZWOO1");
  EXPECT_EQ(posts[2].kind, "order_note");
  auto records = sim_->Records();
  ASSERT_EQ(records.status_changes.size(), 1u);
  EXPECT_EQ(records.status_changes[0].to, "completed");
  EXPECT_NE(sim_->RecordsJson().find("\"duplicate_tracking_posts\":1"), std::string::npos);
}

// ---- BigCommerce ------------------------------------------------------------------------

TEST_F(SimulatorTest, BigCommerceEmptyIs204AndDatesAreRfc2822) {
  // Disputed (13) is not in the default status mix
  auto none = client_->Get(std::string(kBcApi) + "/v2/orders?status_id=13", kBigCommerce);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 204);
  EXPECT_TRUE(none->body.empty());
  auto past_end = client_->Get(std::string(kBcApi) + "/v2/orders?page=3&limit=25", kBigCommerce);
  ASSERT_TRUE(past_end);
  EXPECT_EQ(past_end->status, 204);

  auto r = client_->Get(std::string(kBcApi) + "/v2/orders?status_id=11&limit=250", kBigCommerce);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto doc = Parse(r->body);
  ASSERT_TRUE(doc.IsArray());  // a bare array
  ASSERT_GT(doc.Size(), 0u);
  const std::regex rfc2822(
      R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d \+0000)");
  for (const auto& o : doc.GetArray()) {
    EXPECT_EQ(o["status_id"].GetInt(), 11);
    EXPECT_STREQ(o["status"].GetString(), "Awaiting Fulfillment");
    EXPECT_TRUE(std::regex_match(std::string(o["date_created"].GetString()), rfc2822))
        << o["date_created"].GetString();
    EXPECT_TRUE(std::regex_match(std::string(o["date_modified"].GetString()), rfc2822));
    EXPECT_TRUE(o["total_inc_tax"].IsString());  // money as strings
  }
  // min_date_created takes RFC 2822 too: everything from the 5th order on
  std::string cutoff = doc[doc.Size() / 2]["date_created"].GetString();
  auto later = client_->Get(
      std::string(kBcApi) + "/v2/orders?status_id=11&limit=250&min_date_created=" + Encode(cutoff),
      kBigCommerce);
  ASSERT_TRUE(later);
  ASSERT_EQ(later->status, 200);
  EXPECT_EQ(Parse(later->body).Size(), doc.Size() - doc.Size() / 2);

  // lines and the ship code live in sub-resources
  std::string id = std::to_string(doc[0]["id"].GetInt64());
  auto products = client_->Get(
      std::string(kBcApi) + "/v2/orders/" + id + "/products?page=1&limit=250", kBigCommerce);
  ASSERT_TRUE(products);
  EXPECT_GT(Parse(products->body).Size(), 0u);
  auto no_more = client_->Get(
      std::string(kBcApi) + "/v2/orders/" + id + "/products?page=2&limit=250", kBigCommerce);
  ASSERT_TRUE(no_more);
  EXPECT_EQ(no_more->status, 204);
  auto addresses =
      client_->Get(std::string(kBcApi) + "/v2/orders/" + id + "/shipping_addresses", kBigCommerce);
  ASSERT_TRUE(addresses);
  EXPECT_TRUE(Parse(addresses->body)[0].HasMember("shipping_method"));

  // include=consignments.line_items&consignment_structure=object: the same
  // address and products inside each listed order; without it, a link.
  EXPECT_TRUE(doc[0]["consignments"].HasMember("resource"));
  auto included = client_->Get(std::string(kBcApi) +
                                   "/v2/orders?status_id=11&limit=250"
                                   "&include=consignments.line_items&consignment_structure=object",
                               kBigCommerce);
  ASSERT_TRUE(included);
  ASSERT_EQ(included->status, 200);
  rapidjson::Document with = Parse(included->body);
  ASSERT_EQ(with.Size(), doc.Size());
  const auto& shipping = with[0]["consignments"]["shipping"];
  ASSERT_EQ(shipping.Size(), 1u);
  rapidjson::Document address0 = Parse(addresses->body);
  rapidjson::Document products0 = Parse(products->body);
  for (const char* key : {"first_name", "last_name", "street_1", "city", "zip", "country_iso2",
                          "state", "shipping_method"})
    EXPECT_EQ(std::string(shipping[0][key].GetString()), address0[0][key].GetString()) << key;
  EXPECT_EQ(shipping[0]["id"].GetInt64(), address0[0]["id"].GetInt64());
  EXPECT_TRUE(shipping[0]["line_items"] == products0);  // the /products objects themselves
  EXPECT_TRUE(with[0]["consignments"]["pickups"].IsArray());
  EXPECT_TRUE(with[0]["consignments"]["email"]["gift_certificates"].IsArray());
  auto links = client_->Get(std::string(kBcApi) + "/v2/orders/" + id +
                                "?include=consignments&consignment_structure=object",
                            kBigCommerce);
  ASSERT_TRUE(links);
  ASSERT_EQ(links->status, 200);
  EXPECT_TRUE(
      Parse(links->body)["consignments"]["shipping"][0]["line_items"][0].HasMember("resource"));
  auto bad_include =
      client_->Get(std::string(kBcApi) + "/v2/orders?include=everything", kBigCommerce);
  ASSERT_TRUE(bad_include);
  EXPECT_EQ(bad_include->status, 400);

  auto unauthorized = client_->Get(std::string(kBcApi) + "/v2/orders");
  ASSERT_TRUE(unauthorized);
  EXPECT_EQ(unauthorized->status, 401);
}

TEST_F(SimulatorTest, BigCommerceWindowHeadersAnd429WhenEnforced) {
  auto r = client_->Get(std::string(kBcApi) + "/v2/orders?limit=1", kBigCommerce);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("X-Rate-Limit-Requests-Quota"), "150");
  EXPECT_EQ(r->get_header_value("X-Rate-Limit-Requests-Left"), "149");
  EXPECT_EQ(r->get_header_value("X-Rate-Limit-Time-Window-Ms"), "30000");
  EXPECT_FALSE(r->get_header_value("X-Rate-Limit-Time-Reset-Ms").empty());

  FaultOptions f;
  f.bigcommerce_window = true;
  f.bigcommerce_quota = 5;
  f.bigcommerce_window_ms = 800;
  sim_->SetFaults(f);
  std::this_thread::sleep_for(milliseconds(900));  // a fresh window
  int ok = 0, limited = 0;
  for (int i = 0; i < 8; ++i) {
    auto x = client_->Get(std::string(kBcApi) + "/v2/orders?limit=1", kBigCommerce);
    ASSERT_TRUE(x);
    if (x->status == 429) {
      ++limited;
      EXPECT_EQ(x->get_header_value("X-Rate-Limit-Requests-Left"), "0");
    } else {
      ++ok;
    }
  }
  EXPECT_EQ(ok, 5);
  EXPECT_EQ(limited, 3);
  EXPECT_EQ(sim_->Records().rate_limited["bigcommerce/cedar"], 3u);
  std::this_thread::sleep_for(milliseconds(900));
  auto again = client_->Get(std::string(kBcApi) + "/v2/orders?limit=1", kBigCommerce);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

TEST_F(SimulatorTest, BigCommerceShipmentsAndAbsoluteInventory) {
  std::string id;
  for (const OrderSummary& s : sim_->Orders("bigcommerce", "cedar"))
    if (s.status == "Awaiting Fulfillment") id = s.id;
  ASSERT_FALSE(id.empty());
  auto empty = client_->Get(std::string(kBcApi) + "/v2/orders/" + id + "/shipments", kBigCommerce);
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 204);
  auto products = Parse(
      client_->Get(std::string(kBcApi) + "/v2/orders/" + id + "/products", kBigCommerce)->body);
  std::string items;
  for (const auto& p : products.GetArray())
    items += std::string(items.empty() ? "" : ",") + R"({"order_product_id":)" +
             std::to_string(p["id"].GetInt64()) + R"(,"quantity":)" +
             std::to_string(p["quantity"].GetInt64()) + "}";
  const int64_t address = products[0]["order_address_id"].GetInt64();
  std::string body = R"({"order_address_id":)" + std::to_string(address) +
                     R"(,"tracking_number":"1ZBC0001","shipping_provider":"ups","items":[)" +
                     items + "]}";
  auto bad = client_->Post(std::string(kBcApi) + "/v2/orders/" + id + "/shipments", kBigCommerce,
                           R"({"order_address_id":1,"items":[]})", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  auto created = client_->Post(std::string(kBcApi) + "/v2/orders/" + id + "/shipments",
                               kBigCommerce, body, "application/json");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 201) << created->body;
  auto order = client_->Get(std::string(kBcApi) + "/v2/orders/" + id, kBigCommerce);
  EXPECT_EQ(Parse(order->body)["status_id"].GetInt(), 2);  // Shipped
  auto tracking = sim_->TrackingFor("bigcommerce", "cedar", id);
  ASSERT_EQ(tracking.size(), 1u);
  EXPECT_EQ(tracking[0].tracking_number, "1ZBC0001");

  std::string adjust =
      R"({"reason":"sync","items":[{"location_id":2,"sku":"CH-RED-M","quantity":4}]})";
  auto ok = client_->Put(std::string(kBcApi) + "/v3/inventory/adjustments/absolute", kBigCommerce,
                         adjust, "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_TRUE(Parse(ok->body).HasMember("transaction_id"));
  std::string huge = R"({"reason":"sync","items":[)";
  for (int i = 0; i < 2001; ++i)
    huge += std::string(i ? "," : "") + R"({"location_id":1,"sku":"CH-RED-M","quantity":1})";
  huge += "]}";
  auto too_many = client_->Put(std::string(kBcApi) + "/v3/inventory/adjustments/absolute",
                               kBigCommerce, huge, "application/json");
  ASSERT_TRUE(too_many);
  EXPECT_EQ(too_many->status, 422);
  auto sets = sim_->InventorySets();
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].value, 4);
  EXPECT_EQ(sets[0].location, "2");
}

// ---- WMS ---------------------------------------------------------------------------------

TEST_F(SimulatorTest, WmsOrderIdempotency201Then409WithTheSameId) {
  auto first = PostWms("acme:1001", OrderJson("acme:1001"));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 201) << first->body;
  const std::string id = Parse(first->body)["wms_order_id"].GetString();
  EXPECT_EQ(id, "W000001");
  auto second = PostWms("acme:1001", OrderJson("acme:1001"));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 409);
  EXPECT_EQ(Parse(second->body)["wms_order_id"].GetString(), id);

  auto found = client_->Get("/wms/orders/acme%3A1001", kWms);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->status, 200);
  EXPECT_EQ(Parse(found->body)["wms_order_id"].GetString(), id);
  auto missing = client_->Get("/wms/orders/acme%3A9999", kWms);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);

  auto mismatched = PostWms("acme:1002", OrderJson("acme:other"));
  ASSERT_TRUE(mismatched);
  EXPECT_EQ(mismatched->status, 422);
  auto unauthorized = client_->Post("/wms/orders", OrderJson("acme:1003"), "application/json");
  ASSERT_TRUE(unauthorized);
  EXPECT_EQ(unauthorized->status, 401);

  auto orders = sim_->WmsOrders();
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].order_key, "acme:1001");
  EXPECT_EQ(orders[0].deliveries, 2);
  EXPECT_EQ(orders[0].differing_bodies, 0);
  EXPECT_EQ(orders[0].first_body, OrderJson("acme:1001"));
}

TEST_F(SimulatorTest, WmsShipmentsCursor) {
  for (const char* key : {"c:1", "c:2", "c:3"})
    ASSERT_EQ(PostWms(key, OrderJson(key, "FEDEX"))->status, 201);
  auto empty = client_->Get("/wms/shipments", kWms);
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->body, R"({"shipments":[],"next":"0"})");

  EXPECT_EQ(sim_->ShipOrders(2), 2);
  auto page = client_->Get("/wms/shipments?since=0&limit=1", kWms);
  ASSERT_TRUE(page);
  auto doc = Parse(page->body);
  ASSERT_EQ(doc["shipments"].Size(), 1u);
  EXPECT_STREQ(doc["next"].GetString(), "1");
  EXPECT_STREQ(doc["shipments"][0]["order_key"].GetString(), "c:1");
  EXPECT_STREQ(doc["shipments"][0]["carrier"].GetString(), "FEDEX");
  EXPECT_TRUE(std::regex_match(std::string(doc["shipments"][0]["tracking_number"].GetString()),
                               std::regex(R"(\d{12})")));
  EXPECT_EQ(doc["shipments"][0]["lines"][0]["quantity"].GetInt(), 2);

  auto rest = Parse(client_->Get("/wms/shipments?since=1", kWms)->body);
  ASSERT_EQ(rest["shipments"].Size(), 1u);
  EXPECT_STREQ(rest["shipments"][0]["order_key"].GetString(), "c:2");
  EXPECT_STREQ(rest["next"].GetString(), "2");
  auto none = Parse(client_->Get("/wms/shipments?since=2", kWms)->body);
  EXPECT_EQ(none["shipments"].Size(), 0u);
  EXPECT_STREQ(none["next"].GetString(), "2");

  EXPECT_EQ(sim_->ShipAll(), 1);  // only c:3 was left
  EXPECT_EQ(sim_->ShipAll(), 0);
  auto last = Parse(client_->Get("/wms/shipments?since=2", kWms)->body);
  ASSERT_EQ(last["shipments"].Size(), 1u);
  EXPECT_STREQ(last["next"].GetString(), "3");

  auto bad = client_->Get("/wms/shipments?since=abc", kWms);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
}

TEST_F(SimulatorTest, WmsInventoryAndAliasesDescribeTheSeededCatalog) {
  auto inv = client_->Get("/wms/inventory", kWms);
  ASSERT_TRUE(inv);
  auto doc = Parse(inv->body);
  ASSERT_TRUE(doc["inventory"].IsArray());
  ASSERT_GT(doc["inventory"].Size(), 0u);
  EXPECT_TRUE(doc.HasMember("as_of"));
  std::set<std::string> warehouses;
  for (const auto& r : doc["inventory"].GetArray()) {
    warehouses.insert(r["warehouse"].GetString());
    EXPECT_LE(r["available"].GetInt64(), r["on_hand"].GetInt64());
  }
  EXPECT_EQ(warehouses, (std::set<std::string>{"east", "west"}));
  auto aliases = Parse(client_->Get("/wms/aliases", kWms)->body);
  bool found = false;
  for (const auto& a : aliases["aliases"].GetArray())
    if (std::string(a["sku"].GetString()) == "TS-RED-M") {
      found = true;
      EXPECT_STREQ(a["aliases"]["shopify_sku"].GetString(), "RED-TS-M");
      EXPECT_TRUE(a["aliases"].HasMember("upc"));
    }
  EXPECT_TRUE(found);
}

// ---- records, control, faults ---------------------------------------------------------------

TEST_F(SimulatorTest, RecordsApiOverHttpMatchesInProcess) {
  ASSERT_EQ(PostWms("r:1", OrderJson("r:1"))->status, 201);
  ASSERT_EQ(PostWms("r:1", OrderJson("r:1"))->status, 409);
  ASSERT_EQ(client_->Get(std::string(kShopifyApi) + "/orders.json", kShopify)->status, 200);

  auto r = client_->Get("/_sim/records");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  auto doc = Parse(r->body);
  EXPECT_EQ(doc["total_requests"].GetUint64(), 3u);
  EXPECT_EQ(doc["total_requests"].GetUint64(), sim_->total_requests());
  EXPECT_EQ(doc["requests"]["wms POST /orders"].GetUint64(), 2u);
  EXPECT_EQ(doc["requests"]["shopify/acme GET /admin/api/{version}/orders.json"].GetUint64(), 1u);
  EXPECT_EQ(doc["summary"]["duplicate_wms_deliveries"].GetInt(), 1);
  ASSERT_EQ(doc["wms_orders"].Size(), 1u);
  EXPECT_EQ(doc["wms_orders"][0]["deliveries"].GetInt(), 2);
  EXPECT_STREQ(doc["wms_orders"][0]["first_body"]["order_key"].GetString(), "r:1");

  auto shipped = client_->Post("/_sim/ship", "{}", "application/json");
  ASSERT_TRUE(shipped);
  EXPECT_EQ(shipped->body, R"({"shipped":1})");
  EXPECT_EQ(Parse(client_->Get("/_sim/records")->body)["shipments"].Size(), 1u);

  auto health = client_->Get("/_sim/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(Parse(health->body)["stores"].Size(), DemoSeeds().size());

  auto reset = client_->Post("/_sim/reset", "{}", "application/json");
  ASSERT_TRUE(reset);
  EXPECT_EQ(reset->status, 200);
  auto after = Parse(client_->Get("/_sim/records")->body);
  EXPECT_EQ(after["total_requests"].GetUint64(), 0u);
  EXPECT_EQ(after["wms_orders"].Size(), 0u);
  EXPECT_EQ(sim_->Orders("shopify", "acme").size(), 50u);  // stores regenerated
}

TEST_F(SimulatorTest, InjectedErrorsAndHtmlHappenBeforeHandling) {
  auto set =
      client_->Post("/_sim/faults", R"({"error_rate":1.0,"paths":["/wms"]})", "application/json");
  ASSERT_TRUE(set);
  ASSERT_EQ(set->status, 200) << set->body;
  auto r = PostWms("f:1", OrderJson("f:1"));
  ASSERT_TRUE(r);
  EXPECT_GE(r->status, 500);
  EXPECT_TRUE(sim_->WmsOrders().empty());  // no side effect
  // out of scope: the Shopify store still answers
  EXPECT_EQ(client_->Get(std::string(kShopifyApi) + "/shop.json", kShopify)->status, 200);

  ASSERT_EQ(
      client_
          ->Post("/_sim/faults", R"({"error_rate":0,"html_rate":1,"paths":[]})", "application/json")
          ->status,
      200);
  auto html = client_->Get(std::string(kShopifyApi) + "/orders.json", kShopify);
  ASSERT_TRUE(html);
  EXPECT_EQ(html->status, 200);
  EXPECT_EQ(html->get_header_value("Content-Type").rfind("text/html", 0), 0u);
  EXPECT_NE(html->body.find("<html>"), std::string::npos);

  auto typo = client_->Post("/_sim/faults", R"({"eror_rate":1})", "application/json");
  ASSERT_TRUE(typo);
  EXPECT_EQ(typo->status, 400);
  auto records = sim_->Records();
  EXPECT_EQ(records.faults["error"], 1u);
  EXPECT_EQ(records.faults["html"], 1u);
}

TEST_F(SimulatorTest, TimeoutAndTruncationHappenAfterHandling) {
  FaultOptions f;
  f.timeout_rate = 1;
  f.timeout_ms = 1500;
  f.paths = {"/wms"};
  sim_->SetFaults(f);
  client_->set_read_timeout(0, 300'000);  // 0.3 s
  auto r = PostWms("t:1", OrderJson("t:1"));
  EXPECT_FALSE(r);                          // the client gave up...
  ASSERT_EQ(sim_->WmsOrders().size(), 1u);  // ...but the WMS has the order

  f = FaultOptions{};
  f.truncate_rate = 1;
  f.paths = {"/wms/inventory"};
  sim_->SetFaults(f);
  client_->set_read_timeout(5, 0);
  auto cut = client_->Get("/wms/inventory", kWms);
  EXPECT_TRUE(!cut || cut->body.size() < std::stoul(cut->get_header_value("Content-Length")));
  if (cut) {
    rapidjson::Document doc;
    doc.Parse(cut->body.c_str(), cut->body.size());
    EXPECT_TRUE(doc.HasParseError());
  }
  sim_->SetFaults(FaultOptions{});
  auto whole = client_->Get("/wms/inventory", kWms);
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->status, 200);
}

TEST_F(SimulatorTest, BlockAfterRequestsHoldsTheNextRequestUntilLifted) {
  const uint64_t before = sim_->total_requests();
  FaultOptions f;
  f.block_after_requests = static_cast<int64_t>(before) + 1;
  f.block_after_handling = true;  // the WMS takes the order, the client never hears back
  sim_->SetFaults(f);
  ASSERT_EQ(PostWms("b:1", OrderJson("b:1"))->status, 201);  // request N: passes

  auto pending = std::async(std::launch::async, [&] {
    httplib::Client c("127.0.0.1", sim_->port());
    c.set_read_timeout(5, 0);
    httplib::Headers h = kWms;
    h.emplace("Idempotency-Key", "b:2");
    auto r = c.Post("/wms/orders", h, OrderJson("b:2"), "application/json");
    return r ? r->status : -1;
  });
  bool held = false;
  for (int i = 0; i < 200 && !held; ++i) {
    held = sim_->Records().blocked == 1;
    if (!held) std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_TRUE(held);
  EXPECT_EQ(sim_->WmsOrders().size(), 2u);  // handled before being held
  EXPECT_EQ(pending.wait_for(milliseconds(100)), std::future_status::timeout);
  EXPECT_EQ(Parse(client_->Get("/_sim/records")->body)["blocked"].GetUint64(), 1u);

  sim_->SetFaults(FaultOptions{});  // lift
  ASSERT_EQ(pending.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(pending.get(), 201);
  EXPECT_EQ(sim_->Records().blocked, 0u);
}

TEST_F(SimulatorTest, ErrorRateIsDeterministicForASeed) {
  auto statuses = [&](uint64_t seed) {
    SimOptions options;
    options.seed = seed;
    options.faults.error_rate = 0.5;
    StartWith(options);
    std::string out;
    for (int i = 0; i < 24; ++i) {
      auto r = client_->Get("/wms/aliases", kWms);
      out += r && r->status == 200 ? '.' : 'E';
    }
    return out;
  };
  std::string a = statuses(7), b = statuses(7), c = statuses(8);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a.find('E'), std::string::npos);
  EXPECT_NE(a.find('.'), std::string::npos);
}

// ---- seeding --------------------------------------------------------------------------------

TEST(SimulatorSeedTest, SameSeedSameStoresAndShapes) {
  Simulator a, b, c;
  a.SeedDemo(30, 5);
  b.SeedDemo(30, 5);
  c.SeedDemo(30, 6);
  auto key = [](const std::vector<OrderSummary>& orders) {
    std::string out;
    for (const OrderSummary& o : orders) {
      out += o.id + o.number + o.status + o.ship_code + o.created_at + o.updated_at + o.country;
      for (const auto& [sku, qty] : o.lines) out += sku + std::to_string(qty);
    }
    return out;
  };
  for (const char* platform : {"shopify", "woocommerce", "bigcommerce"}) {
    std::string name = std::string(platform) == "shopify"       ? "acme"
                       : std::string(platform) == "woocommerce" ? "bluebird"
                                                                : "cedar";
    auto orders = a.Orders(platform, name);
    ASSERT_EQ(orders.size(), 30u) << platform;
    EXPECT_EQ(key(orders), key(b.Orders(platform, name))) << platform;
    EXPECT_NE(key(orders), key(c.Orders(platform, name))) << platform;
    std::set<std::string> countries, codes;
    for (const OrderSummary& o : orders) {
      countries.insert(o.country);
      codes.insert(o.ship_code);
      EXPECT_GE(o.lines.size(), 1u);
      EXPECT_LE(o.lines.size(), 3u);
      EXPECT_GE(o.created_at, "2026-11-01T00:00:00Z");
      EXPECT_LE(o.created_at, o.updated_at);
    }
    EXPECT_TRUE(countries.count("US")) << platform;
    EXPECT_GE(codes.size(), 3u) << platform;
  }
  // new orders arrive after everything else
  auto before = a.Orders("woocommerce", "bluebird");
  auto ids = a.AddOrders("woo", "bluebird", 2);
  ASSERT_EQ(ids.size(), 2u);
  auto after = a.Orders("woocommerce", "bluebird");
  ASSERT_EQ(after.size(), before.size() + 2);
  std::string latest;
  for (const OrderSummary& o : before) latest = std::max(latest, o.updated_at);
  EXPECT_GT(after.back().created_at, latest);
}

TEST(SimulatorSeedTest, BadSeedsAndConfigsAreRejected) {
  Simulator sim;
  std::string error;
  StoreSeed seed;
  seed.platform = "oscommerce";
  seed.name = "x";
  EXPECT_FALSE(sim.SeedStore(seed, &error));
  EXPECT_NE(error.find("platform"), std::string::npos);
  seed.platform = "shopify";
  seed.statuses = {{"open/paid/shipped", 1}};
  EXPECT_FALSE(sim.SeedStore(seed, &error));
  EXPECT_NE(error.find("open/paid/shipped"), std::string::npos);

  SimConfig config;
  ASSERT_TRUE(ParseSimConfig(R"({"seed":9,"wms":{"token":"t"},"faults":{"shopify_bucket":true},
      "stores":[{"platform":"woo","name":"w2","orders":3,"statuses":["processing"]}]})",
                             &config, &error))
      << error;
  EXPECT_EQ(config.options.seed, 9u);
  EXPECT_EQ(config.options.wms.token, "t");
  EXPECT_TRUE(config.options.faults.shopify_bucket);
  EXPECT_FALSE(config.demo);  // stores given, demo not asked for
  ASSERT_EQ(config.stores.size(), 1u);
  EXPECT_EQ(config.stores[0].seed, 9u);
  ASSERT_TRUE(sim.SeedStore(config.stores[0], &error)) << error;
  for (const OrderSummary& o : sim.Orders("woocommerce", "w2")) EXPECT_EQ(o.status, "processing");
  EXPECT_FALSE(ParseSimConfig(R"({"sead":1})", &config, &error));
  EXPECT_NE(error.find("sead"), std::string::npos);
}

}  // namespace
}  // namespace cartsync::sim

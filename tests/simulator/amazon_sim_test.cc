// The simulator's Amazon SP-API store over real loopback HTTP: the LWA
// exchange and x-amz-access-token, searchOrders paging and filters,
// getOrder datasets, confirmShipment (recorded, validated), listings patches
// and JSON_LISTINGS_FEED feeds (recorded per SKU), the rate-limit header and
// the enforced usage plans.
#include <gtest/gtest.h>
#include <httplib.h>
#include <rapidjson/document.h>

#include <set>
#include <string>

#include "tools/simulator/simulator.h"

namespace cartsync::sim {
namespace {

rapidjson::Document Parse(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  EXPECT_FALSE(doc.HasParseError()) << body.substr(0, 300);
  return doc;
}

class AmazonSimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreSeed seed;
    seed.platform = "amazon";
    seed.name = "harbor";
    seed.orders = 30;
    seed.token = "Atzr|harbor-refresh";
    seed.client_id = "amzn1.application-oa2-client.harbor";
    seed.client_secret = "harbor-lwa-secret";
    std::string error;
    ASSERT_TRUE(sim_.SeedStore(seed, &error)) << error;
    ASSERT_TRUE(sim_.Start(&error)) << error;
    client_ = std::make_unique<httplib::Client>("127.0.0.1", sim_.port());
    client_->set_connection_timeout(2, 0);
    client_->set_read_timeout(5, 0);
  }
  void TearDown() override { sim_.Stop(); }

  std::string Token() {
    auto r = client_->Post("/amazon/harbor/auth/o2/token",
                           "grant_type=refresh_token&refresh_token=Atzr%7Charbor-refresh"
                           "&client_id=amzn1.application-oa2-client.harbor"
                           "&client_secret=harbor-lwa-secret",
                           "application/x-www-form-urlencoded;charset=UTF-8");
    EXPECT_TRUE(r);
    if (!r) return "";
    EXPECT_EQ(r->status, 200) << r->body;
    auto doc = Parse(r->body);
    EXPECT_EQ(doc["expires_in"].GetInt(), 3600);
    EXPECT_STREQ(doc["token_type"].GetString(), "bearer");
    return doc["access_token"].GetString();
  }
  httplib::Headers Auth() {
    if (token_.empty()) token_ = Token();
    return {{"x-amz-access-token", token_}, {"Accept", "application/json"}};
  }
  /// The first UNSHIPPED order.
  std::string Unshipped() {
    for (const OrderSummary& o : sim_.Orders("amazon", "harbor"))
      if (o.status == "UNSHIPPED") return o.id;
    ADD_FAILURE() << "no UNSHIPPED order";
    return "";
  }

  Simulator sim_;
  std::unique_ptr<httplib::Client> client_;
  std::string token_;
};

TEST_F(AmazonSimTest, TheTokenExchangeChecksEveryField) {
  auto r = client_->Post("/amazon/harbor/auth/o2/token",
                         "grant_type=refresh_token&refresh_token=wrong"
                         "&client_id=amzn1.application-oa2-client.harbor"
                         "&client_secret=harbor-lwa-secret",
                         "application/x-www-form-urlencoded");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_STREQ(Parse(r->body)["error"].GetString(), "invalid_grant");
  r = client_->Post("/amazon/harbor/auth/o2/token",
                    "grant_type=refresh_token&refresh_token=Atzr%7Charbor-refresh"
                    "&client_id=amzn1.application-oa2-client.harbor&client_secret=nope",
                    "application/x-www-form-urlencoded");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_FALSE(Token().empty());
}

TEST_F(AmazonSimTest, SpApiCallsNeedAnIssuedToken) {
  auto r =
      client_->Get("/amazon/harbor/orders/2026-01-01/orders?createdAfter=2026-01-01T00:00:00Z");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_STREQ(Parse(r->body)["errors"][0]["code"].GetString(), "Unauthorized");
  r = client_->Get("/amazon/harbor/orders/2026-01-01/orders?createdAfter=2026-01-01T00:00:00Z",
                   {{"x-amz-access-token", "Atza|made-up"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  r = client_->Get("/amazon/harbor/orders/2026-01-01/orders?createdAfter=2026-01-01T00:00:00Z",
                   Auth());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("x-amzn-RateLimit-Limit"), "0.0056");
}

TEST_F(AmazonSimTest, SearchOrdersPagesFiltersAndValidates) {
  const auto all = sim_.Orders("amazon", "harbor");
  size_t unshipped = 0;
  for (const OrderSummary& o : all)
    if (o.status == "UNSHIPPED" || o.status == "PARTIALLY_SHIPPED") ++unshipped;
  std::set<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    std::string path =
        "/amazon/harbor/orders/2026-01-01/orders?marketplaceIds=ATVPDKIKX0DER"
        "&fulfillmentStatuses=UNSHIPPED,PARTIALLY_SHIPPED&fulfilledBy=MERCHANT"
        "&createdAfter=2026-01-01T00:00:00Z&maxResultsPerPage=4&includedData=RECIPIENT,FULFILLMENT";
    if (!token.empty()) path += "&paginationToken=" + token;
    auto r = client_->Get(path, Auth());
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    auto doc = Parse(r->body);
    for (const auto& o : doc["orders"].GetArray()) {
      EXPECT_TRUE(seen.insert(o["orderId"].GetString()).second);
      const std::string status = o["fulfillment"]["fulfillmentStatus"].GetString();
      EXPECT_TRUE(status == "UNSHIPPED" || status == "PARTIALLY_SHIPPED") << status;
      EXPECT_TRUE(o["recipient"]["deliveryAddress"].HasMember("countryCode"));
      EXPECT_TRUE(o["orderItems"][0]["fulfillment"].HasMember("quantityUnfulfilled"));
      EXPECT_FALSE(o.HasMember("packages"));
    }
    token = doc.HasMember("pagination") ? doc["pagination"]["nextToken"].GetString() : "";
    ++pages;
  } while (!token.empty() && pages < 50);
  EXPECT_EQ(seen.size(), unshipped);
  EXPECT_GT(pages, 1);

  for (const char* bad :
       {"createdAfter=2026-01-01T00:00:00Z&lastUpdatedAfter=2026-01-01T00:00:00Z", "",
        "createdAfter=yesterday", "createdAfter=2026-01-01T00:00:00Z&fulfillmentStatuses=Unshipped",
        "createdAfter=2026-01-01T00:00:00Z&maxResultsPerPage=101",
        "createdAfter=2026-01-01T00:00:00Z&includedData=EVERYTHING"}) {
    auto r = client_->Get(std::string("/amazon/harbor/orders/2026-01-01/orders?") + bad, Auth());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_STREQ(Parse(r->body)["errors"][0]["code"].GetString(), "InvalidInput") << bad;
  }
}

TEST_F(AmazonSimTest, ConfirmShipmentIsRecordedAndShowsAsAPackage) {
  const std::string id = Unshipped();
  auto r = client_->Get(
      "/amazon/harbor/orders/2026-01-01/orders/" + id + "?includedData=FULFILLMENT,PACKAGES",
      Auth());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto doc = Parse(r->body);
  const auto& items = doc["order"]["orderItems"];
  EXPECT_EQ(doc["order"]["packages"].Size(), 0u);
  std::string lines;
  for (const auto& item : items.GetArray()) {
    if (!lines.empty()) lines += ",";
    lines += std::string(R"({"orderItemId":")") + item["orderItemId"].GetString() +
             R"(","quantity":)" + std::to_string(item["quantityOrdered"].GetInt()) + "}";
  }
  const std::string body =
      R"({"marketplaceId":"ATVPDKIKX0DER","packageDetail":{)"
      R"("packageReferenceId":"1","carrierCode":"UPS","trackingNumber":"1ZSIM1",)"
      R"("shipDate":"2026-11-20T10:00:00Z","orderItems":[)" +
      lines + "]}}";
  const std::string path = "/amazon/harbor/orders/v0/orders/" + id + "/shipmentConfirmation";
  r = client_->Post(path, Auth(), body, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204) << r->body;
  // The same package again: over the quantity and a used reference id.
  r = client_->Post(path, Auth(), body, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  // Missing required fields.
  r = client_->Post(path, Auth(), R"({"marketplaceId":"ATVPDKIKX0DER","packageDetail":{}})",
                    "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  r = client_->Post("/amazon/harbor/orders/v0/orders/999-0000000-0000000/shipmentConfirmation",
                    Auth(), body, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);

  SimRecords rec = sim_.Records();
  ASSERT_EQ(rec.tracking.size(), 1u);
  EXPECT_EQ(rec.tracking[0].platform, "amazon");
  EXPECT_EQ(rec.tracking[0].order_id, id);
  EXPECT_EQ(rec.tracking[0].tracking_number, "1ZSIM1");
  EXPECT_EQ(rec.tracking[0].carrier, "UPS");
  ASSERT_EQ(rec.status_changes.size(), 1u);
  EXPECT_EQ(rec.status_changes[0].to, "SHIPPED");

  r = client_->Get("/amazon/harbor/orders/2026-01-01/orders/" + id + "?includedData=PACKAGES",
                   Auth());
  ASSERT_TRUE(r);
  doc = Parse(r->body);
  ASSERT_EQ(doc["order"]["packages"].Size(), 1u);
  EXPECT_STREQ(doc["order"]["packages"][0]["trackingNumber"].GetString(), "1ZSIM1");
  EXPECT_FALSE(doc["order"].HasMember("fulfillment"));
}

TEST_F(AmazonSimTest, ListingsPatchesAndFeedsSetStockPerSku) {
  const std::string sku = sim_.Orders("amazon", "harbor")[0].lines[0].first;
  const std::string patch =
      R"({"productType":"PRODUCT","patches":[{"op":"merge","path":"/attributes/fulfillment_availability",)"
      R"("value":[{"fulfillment_channel_code":"DEFAULT","quantity":7}]}]})";
  auto r = client_->Patch(
      "/amazon/harbor/listings/2021-08-01/items/SIMHARBOR/" + sku + "?marketplaceIds=ATVPDKIKX0DER",
      Auth(), patch, "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_STREQ(Parse(r->body)["status"].GetString(), "ACCEPTED");
  EXPECT_EQ(r->get_header_value("x-amzn-RateLimit-Limit"), "5");
  r = client_->Patch(
      "/amazon/harbor/listings/2021-08-01/items/SIMHARBOR/NOPE?marketplaceIds=ATVPDKIKX0DER",
      Auth(), patch, "application/json");
  ASSERT_TRUE(r);
  EXPECT_STREQ(Parse(r->body)["status"].GetString(), "INVALID");
  r = client_->Patch("/amazon/harbor/listings/2021-08-01/items/OTHERSELLER/" + sku +
                         "?marketplaceIds=ATVPDKIKX0DER",
                     Auth(), patch, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);

  // The feed flow.
  r = client_->Post("/amazon/harbor/feeds/2021-06-30/documents", Auth(),
                    R"({"contentType":"application/json; charset=UTF-8"})", "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  auto doc = Parse(r->body);
  const std::string doc_id = doc["feedDocumentId"].GetString();
  const std::string url = doc["url"].GetString();
  const std::string base = sim_.base_url();
  ASSERT_EQ(url.rfind(base, 0), 0u) << url;
  const std::string feed =
      R"({"header":{"sellerId":"SIMHARBOR","version":"2.0"},"messages":[)"
      R"({"messageId":1,"sku":")" +
      sku +
      R"(","operationType":"PATCH","productType":"PRODUCT","patches":[{"op":"merge",)"
      R"("path":"/attributes/fulfillment_availability","value":[{"fulfillment_channel_code":"DEFAULT","quantity":3}]}]},)"
      R"({"messageId":2,"sku":"NOPE","operationType":"PATCH","productType":"PRODUCT","patches":[{"op":"merge",)"
      R"("path":"/attributes/fulfillment_availability","value":[{"fulfillment_channel_code":"DEFAULT","quantity":1}]}]}]})";
  // Not uploaded yet: refused.
  const std::string spec = R"({"feedType":"JSON_LISTINGS_FEED","marketplaceIds":["ATVPDKIKX0DER"],)"
                           R"("inputFeedDocumentId":")" +
                           doc_id + R"("})";
  r = client_->Post("/amazon/harbor/feeds/2021-06-30/feeds", Auth(), spec, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  r = client_->Put(url.substr(base.size()), feed, "application/json; charset=UTF-8");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  r = client_->Post("/amazon/harbor/feeds/2021-06-30/feeds", Auth(), spec, "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202) << r->body;
  const std::string feed_id = Parse(r->body)["feedId"].GetString();
  r = client_->Get("/amazon/harbor/feeds/2021-06-30/feeds/" + feed_id, Auth());
  ASSERT_TRUE(r);
  doc = Parse(r->body);
  EXPECT_STREQ(doc["processingStatus"].GetString(), "DONE");
  r = client_->Get(std::string("/amazon/harbor/feeds/2021-06-30/documents/") +
                       doc["resultFeedDocumentId"].GetString(),
                   Auth());
  ASSERT_TRUE(r);
  const std::string report_url = Parse(r->body)["url"].GetString();
  r = client_->Get(report_url.substr(base.size()));
  ASSERT_TRUE(r);
  doc = Parse(r->body);
  ASSERT_EQ(doc["issues"].Size(), 1u);
  EXPECT_EQ(doc["issues"][0]["messageId"].GetInt(), 2);
  EXPECT_EQ(doc["summary"]["messagesAccepted"].GetInt(), 1);

  SimRecords rec = sim_.Records();
  int known = 0, unknown = 0;
  for (const InventorySetRecord& i : rec.inventory) {
    EXPECT_EQ(i.platform, "amazon");
    if (i.sku == sku) {
      EXPECT_EQ(i.value, 3);
      EXPECT_EQ(i.sets, 2);
      ++known;
    } else {
      EXPECT_FALSE(i.known);
      ++unknown;
    }
  }
  EXPECT_EQ(known, 1);
  EXPECT_EQ(unknown, 1);
}

TEST_F(AmazonSimTest, EnforcedUsagePlansAnswer429) {
  FaultOptions f;
  f.amazon_rate_limit = true;
  sim_.SetFaults(f);
  int ok = 0, limited = 0;
  for (int i = 0; i < 25; ++i) {
    auto r = client_->Get(
        "/amazon/harbor/orders/2026-01-01/orders?createdAfter=2026-01-01T00:00:00Z", Auth());
    ASSERT_TRUE(r);
    if (r->status == 200) ++ok;
    if (r->status == 429) {
      ++limited;
      EXPECT_STREQ(Parse(r->body)["errors"][0]["code"].GetString(), "QuotaExceeded");
    }
  }
  EXPECT_EQ(ok, 20);  // the burst
  EXPECT_EQ(limited, 5);
}

}  // namespace
}  // namespace cartsync::sim

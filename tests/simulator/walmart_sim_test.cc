// The simulator's Walmart store over real loopback HTTP: the client
// credentials grant and token expiry, the WM_* headers every call needs,
// getAllOrders' filters and nextCursor paging, the acknowledge (recorded as a
// status change every time), shipping updates (validated, recorded, shown as
// line trackingInfo) and both inventory paths (PUT /v3/inventory, the bulk
// feed with its status) — each as shared/openapi/walmart describes it.
#include <gtest/gtest.h>
#include <httplib.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <string>

#include "tools/simulator/simulator.h"

namespace cartsync::sim {
namespace {

constexpr char kBase[] = "/walmart/summit";
// base64("summit-client-id:summit-client-secret")
constexpr char kBasic[] = "Basic c3VtbWl0LWNsaWVudC1pZDpzdW1taXQtY2xpZW50LXNlY3JldA==";
constexpr char kForm[] = "application/x-www-form-urlencoded";

rapidjson::Document Parse(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  EXPECT_FALSE(doc.HasParseError()) << body.substr(0, 300);
  return doc;
}

std::string FirstErrorCode(const std::string& body) {
  auto doc = Parse(body);
  if (!doc.IsObject() || !doc.HasMember("errors")) return "";
  return doc["errors"]["error"][0]["code"].GetString();
}

class WalmartSimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SimOptions options;
    options.now_ms = [this] { return now_ms_.load(); };
    sim_ = std::make_unique<Simulator>(std::move(options));
    StoreSeed seed;
    seed.platform = "walmart";
    seed.name = "summit";
    seed.orders = 250;
    seed.locations = 2;
    seed.start_date = "2026-11-01T00:00:00Z";
    std::string error;
    ASSERT_TRUE(sim_->SeedStore(seed, &error)) << error;
    ASSERT_TRUE(sim_->Start(&error)) << error;
    client_ = std::make_unique<httplib::Client>("127.0.0.1", sim_->port());
    client_->set_connection_timeout(2, 0);
    client_->set_read_timeout(5, 0);
  }
  void TearDown() override { sim_->Stop(); }

  httplib::Headers Wm() {
    return {{"WM_SVC.NAME", "Walmart Marketplace"},
            {"WM_QOS.CORRELATION_ID", "corr-" + std::to_string(++correlation_)},
            {"Accept", "application/json"}};
  }
  httplib::Result Grant(const std::string& basic = kBasic) {
    httplib::Headers h = Wm();
    h.emplace("Authorization", basic);
    return client_->Post(std::string(kBase) + "/v3/token", h, "grant_type=client_credentials",
                         kForm);
  }
  httplib::Headers Auth() {
    if (token_.empty()) {
      auto r = Grant();
      EXPECT_TRUE(r && r->status == 200);
      if (r) token_ = Parse(r->body)["access_token"].GetString();
    }
    httplib::Headers h = Wm();
    h.emplace("WM_SEC.ACCESS_TOKEN", token_);
    return h;
  }
  /// Every order of every page for `query`, following nextCursor.
  std::vector<std::string> AllOrderIds(const std::string& query, int* pages = nullptr) {
    std::vector<std::string> ids;
    std::string next = "?" + query;
    for (int page = 0; page < 100 && !next.empty(); ++page) {
      auto r = client_->Get(std::string(kBase) + "/v3/orders" + next, Auth());
      EXPECT_TRUE(r);
      if (!r || r->status == 404) break;
      EXPECT_EQ(r->status, 200) << r->body;
      auto doc = Parse(r->body);
      for (const auto& o : doc["list"]["elements"]["order"].GetArray())
        ids.push_back(o["purchaseOrderId"].GetString());
      const auto& meta = doc["list"]["meta"];
      next = meta.HasMember("nextCursor") ? meta["nextCursor"].GetString() : "";
      if (pages) ++*pages;
    }
    return ids;
  }
  std::string FirstOrderWith(const std::string& status) {
    auto ids = AllOrderIds("status=" + status + "&createdStartDate=2026-10-01&limit=200");
    return ids.empty() ? "" : ids.front();
  }
  std::string ShipBody(const std::string& line, int amount, const std::string& number,
                       const std::string& carrier = R"("carrier":"UPS")") {
    return R"({"orderShipment":{"orderLines":{"orderLine":[{"lineNumber":")" + line +
           R"(","sellerOrderId":"92344","orderLineStatuses":{"orderLineStatus":[)"
           R"({"status":"Shipped","statusQuantity":{"unitOfMeasurement":"EACH","amount":")" +
           std::to_string(amount) +
           R"("},"trackingInfo":{"shipDateTime":1795000000000,"carrierName":{)" + carrier +
           R"(},"methodCode":"Standard","trackingNumber":")" + number + R"("}}]}}]}}})";
  }

  std::atomic<int64_t> now_ms_{1'795'000'000'000};  // 2026-11-18T11:06:40Z
  int correlation_ = 0;
  std::string token_;
  std::unique_ptr<Simulator> sim_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(WalmartSimTest, GrantChecksBasicAndIssuesFifteenMinuteTokens) {
  auto bad = Grant("Basic " + std::string("c3VtbWl0LWNsaWVudC1pZDp3cm9uZw=="));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);
  EXPECT_EQ(FirstErrorCode(bad->body), "UNAUTHORIZED.GMP_GATEWAY_API");
  auto r = Grant();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto doc = Parse(r->body);
  EXPECT_EQ(doc["expires_in"].GetInt(), 900);
  EXPECT_STREQ(doc["token_type"].GetString(), "Bearer");
  token_ = doc["access_token"].GetString();
  auto ok = client_->Get(std::string(kBase) + "/v3/orders?limit=1", Auth());
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  now_ms_ += 901'000;
  auto expired = client_->Get(std::string(kBase) + "/v3/orders?limit=1", Auth());
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->status, 401);
}

TEST_F(WalmartSimTest, EveryCallNeedsTheServiceNameAndCorrelationId) {
  Auth();
  auto r = client_->Get(std::string(kBase) + "/v3/orders?limit=1",
                        httplib::Headers{{"WM_SEC.ACCESS_TOKEN", token_}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(FirstErrorCode(r->body), "INVALID_REQUEST_HEADER.GMP_GATEWAY_API");
  auto none = client_->Get(std::string(kBase) + "/v3/orders?limit=1", Wm());
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
}

TEST_F(WalmartSimTest, CursorPagingVisitsEveryMatchingOrderOnce) {
  int pages = 0;
  auto ids = AllOrderIds("status=Created&createdStartDate=2026-10-01T00:00:00Z&limit=20", &pages);
  EXPECT_GT(ids.size(), 100u);
  EXPECT_EQ(pages, static_cast<int>((ids.size() + 19) / 20));
  std::set<std::string> unique(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), ids.size());
  // Each has a Created line; the status filter is the line status.
  auto one = client_->Get(std::string(kBase) + "/v3/orders/" + ids.front(), Auth());
  ASSERT_TRUE(one);
  auto doc = Parse(one->body);
  EXPECT_STREQ(doc["order"]["orderLines"]["orderLine"][0]["orderLineStatuses"]["orderLineStatus"][0]
                  ["status"]
                      .GetString(),
               "Created");
  // Dates: nothing created after the seeded span; limits validated.
  auto late = client_->Get(std::string(kBase) + "/v3/orders?createdStartDate=2027-01-01", Auth());
  ASSERT_TRUE(late);
  EXPECT_EQ(late->status, 404);
  EXPECT_EQ(FirstErrorCode(late->body), "CONTENT_NOT_FOUND.GMP_ORDER_API");
  auto big = client_->Get(std::string(kBase) + "/v3/orders?limit=201", Auth());
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 400);
}

TEST_F(WalmartSimTest, AcknowledgeIsRecordedEveryTime) {
  const std::string id = FirstOrderWith("Created");
  ASSERT_FALSE(id.empty());
  const std::string path = std::string(kBase) + "/v3/orders/" + id + "/acknowledge";
  auto r = client_->Post(path, Auth(), "", "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto again = client_->Post(path, Auth(), "", "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  int acks = 0;
  for (const StatusChangeRecord& s : sim_->Records().status_changes) {
    if (s.platform == "walmart" && s.order_id == id && s.to == "Acknowledged") ++acks;
  }
  EXPECT_EQ(acks, 2);  // a double acknowledge stays visible
  EXPECT_EQ(sim_->Records().status_changes.front().from, "Created");
  auto after = AllOrderIds("status=Created&createdStartDate=2026-10-01&limit=200");
  EXPECT_EQ(std::count(after.begin(), after.end(), id), 0);
}

TEST_F(WalmartSimTest, ShippingUpdateIsValidatedRecordedAndShown) {
  const std::string id = FirstOrderWith("Created");
  ASSERT_FALSE(id.empty());
  const std::string path = std::string(kBase) + "/v3/orders/" + id + "/shipping";
  auto unknown = client_->Post(path, Auth(), ShipBody("1", 1, "1Z1", R"("carrier":"Acme")"),
                               "application/json");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  auto too_many = client_->Post(path, Auth(), ShipBody("1", 99, "1Z1"), "application/json");
  ASSERT_TRUE(too_many);
  EXPECT_EQ(too_many->status, 400);
  auto no_line = client_->Post(path, Auth(), ShipBody("9", 1, "1Z1"), "application/json");
  ASSERT_TRUE(no_line);
  EXPECT_EQ(no_line->status, 400);
  EXPECT_TRUE(sim_->TrackingPosts().empty());
  auto ok = client_->Post(path, Auth(), ShipBody("1", 1, "1ZSIM0001", R"("otherCarrier":"Acme")"),
                          "application/json");
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 200) << ok->body;
  auto posts = sim_->TrackingPosts();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].order_id, id);
  EXPECT_EQ(posts[0].tracking_number, "1ZSIM0001");
  EXPECT_EQ(posts[0].carrier, "Acme");
  auto one = client_->Get(std::string(kBase) + "/v3/orders/" + id, Auth());
  ASSERT_TRUE(one);
  EXPECT_NE(one->body.find(R"("trackingNumber":"1ZSIM0001")"), std::string::npos);
  EXPECT_NE(one->body.find(R"("otherCarrier":"Acme")"), std::string::npos);
}

TEST_F(WalmartSimTest, InventoryPutSetsTheShipNodeAndRefusesUnknownSkus) {
  auto orders = client_->Get(std::string(kBase) + "/v3/orders?limit=1", Auth());
  ASSERT_TRUE(orders);
  const std::string sku =
      Parse(
          orders->body)["list"]["elements"]["order"][0]["orderLines"]["orderLine"][0]["item"]["sku"]
          .GetString();
  auto r = client_->Put(std::string(kBase) + "/v3/inventory?sku=" + sku + "&shipNode=10000003528",
                        Auth(), R"({"sku":")" + sku + R"(","quantity":{"unit":"EACH","amount":7}})",
                        "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto sets = sim_->InventorySets();
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].location, "10000003528");
  EXPECT_EQ(sets[0].value, 7);
  auto unknown =
      client_->Put(std::string(kBase) + "/v3/inventory?sku=NOPE", Auth(),
                   R"({"sku":"NOPE","quantity":{"unit":"EACH","amount":1}})", "application/json");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  auto node = client_->Put(std::string(kBase) + "/v3/inventory?sku=" + sku + "&shipNode=1", Auth(),
                           R"({"sku":")" + sku + R"(","quantity":{"unit":"EACH","amount":1}})",
                           "application/json");
  ASSERT_TRUE(node);
  EXPECT_EQ(node->status, 400);
}

TEST_F(WalmartSimTest, InventoryFeedIsProcessedWithPerSkuDetails) {
  auto orders = client_->Get(std::string(kBase) + "/v3/orders?limit=1", Auth());
  ASSERT_TRUE(orders);
  const std::string sku =
      Parse(
          orders->body)["list"]["elements"]["order"][0]["orderLines"]["orderLine"][0]["item"]["sku"]
          .GetString();
  const std::string file = R"({"InventoryHeader":{"version":"1.4"},"Inventory":[{"sku":")" + sku +
                           R"(","quantity":{"unit":"EACH","amount":4}},)"
                           R"({"sku":"NOPE","quantity":{"unit":"EACH","amount":2}}]})";
  const std::string body =
      "--XB\r\nContent-Disposition: form-data; name=\"file\"; "
      "filename=\"inv.json\"\r\nContent-Type: application/json\r\n\r\n" +
      file + "\r\n--XB--\r\n";
  auto r = client_->Post(std::string(kBase) + "/v3/feeds?feedType=inventory", Auth(), body,
                         "multipart/form-data; boundary=XB");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string feed = Parse(r->body)["feedId"].GetString();
  const std::string status_path =
      std::string(kBase) + "/v3/feeds/" + feed + "?includeDetails=true&offset=0&limit=50";
  auto first = client_->Get(status_path, Auth());
  ASSERT_TRUE(first);
  EXPECT_STREQ(Parse(first->body)["feedStatus"].GetString(), "INPROGRESS");
  auto done = client_->Get(status_path, Auth());
  ASSERT_TRUE(done);
  auto doc = Parse(done->body);
  EXPECT_STREQ(doc["feedStatus"].GetString(), "PROCESSED");
  EXPECT_EQ(doc["itemsFailed"].GetInt(), 1);
  const auto& items = doc["itemDetails"]["itemIngestionStatus"];
  ASSERT_EQ(items.Size(), 2u);
  EXPECT_STREQ(items[0]["ingestionStatus"].GetString(), "SUCCESS");
  EXPECT_STREQ(items[1]["ingestionStatus"].GetString(), "DATA_ERROR");
  auto sets = sim_->InventorySets();
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].sku, sku);
  EXPECT_EQ(sets[0].location, "10000003527");  // the default ship node
  auto not_multipart = client_->Post(std::string(kBase) + "/v3/feeds?feedType=inventory", Auth(),
                                     file, "application/json");
  ASSERT_TRUE(not_multipart);
  EXPECT_EQ(not_multipart->status, 400);
}

}  // namespace
}  // namespace cartsync::sim

// The simulator's eBay store over real loopback HTTP: the refresh token
// grant and token expiry, getOrders filters and offset paging, shipping
// fulfillments (validated, recorded, listed) and bulkUpdatePriceQuantity's
// per-SKU answers — each as shared/openapi/ebay describes it.
#include <gtest/gtest.h>
#include <httplib.h>
#include <rapidjson/document.h>

#include <atomic>
#include <set>
#include <string>

#include "tools/simulator/simulator.h"

namespace cartsync::sim {
namespace {

constexpr char kBase[] = "/ebay/harbor";
// base64("harbor-client-id:harbor-client-secret")
constexpr char kBasic[] = "Basic aGFyYm9yLWNsaWVudC1pZDpoYXJib3ItY2xpZW50LXNlY3JldA==";
constexpr char kForm[] = "application/x-www-form-urlencoded";

rapidjson::Document Parse(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  EXPECT_FALSE(doc.HasParseError()) << body.substr(0, 300);
  return doc;
}

int FirstErrorId(const std::string& body) {
  auto doc = Parse(body);
  if (!doc.IsObject() || !doc.HasMember("errors") || !doc["errors"].IsArray() ||
      doc["errors"].Empty())
    return 0;
  return doc["errors"][0]["errorId"].GetInt();
}

class EbaySimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SimOptions options;
    options.now_ms = [this] { return now_ms_.load(); };
    sim_ = std::make_unique<Simulator>(std::move(options));
    StoreSeed seed;
    seed.platform = "ebay";
    seed.name = "harbor";
    seed.orders = 250;
    seed.start_date = "2026-11-01T00:00:00Z";
    std::string error;
    ASSERT_TRUE(sim_->SeedStore(seed, &error)) << error;
    ASSERT_TRUE(sim_->Start(&error)) << error;
    client_ = std::make_unique<httplib::Client>("127.0.0.1", sim_->port());
    client_->set_connection_timeout(2, 0);
    client_->set_read_timeout(5, 0);
  }
  void TearDown() override { sim_->Stop(); }

  httplib::Result Grant(const std::string& basic = kBasic,
                        const std::string& refresh = "harbor-token") {
    return client_->Post(std::string(kBase) + "/identity/v1/oauth2/token",
                         {{"Authorization", basic}},
                         "grant_type=refresh_token&refresh_token=" + refresh +
                             "&scope=https%3A%2F%2Fapi.ebay.com%2Foauth%2Fapi_scope%2Fsell."
                             "fulfillment%20https%3A%2F%2Fapi.ebay.com%2Foauth%2Fapi_scope%2Fsell."
                             "inventory",
                         kForm);
  }
  httplib::Headers Auth() {
    if (token_.empty()) {
      auto r = Grant();
      EXPECT_TRUE(r && r->status == 200);
      if (r) token_ = Parse(r->body)["access_token"].GetString();
    }
    return {{"Authorization", "Bearer " + token_}, {"Accept", "application/json"}};
  }
  std::string Orders(const std::string& query) {
    return std::string(kBase) + "/sell/fulfillment/v1/order?" + query;
  }

  std::atomic<int64_t> now_ms_{1'795'000'000'000};  // 2026-11-18T11:06:40Z
  std::unique_ptr<Simulator> sim_;
  std::unique_ptr<httplib::Client> client_;
  std::string token_;
};

TEST_F(EbaySimTest, TheRefreshGrantChecksTheClientAndTheRefreshToken) {
  auto bad_client = Grant("Basic aGFyYm9yOm5v");
  ASSERT_TRUE(bad_client);
  EXPECT_EQ(bad_client->status, 401);
  EXPECT_STREQ(Parse(bad_client->body)["error"].GetString(), "invalid_client");
  auto bad_refresh = Grant(kBasic, "stale");
  ASSERT_TRUE(bad_refresh);
  EXPECT_EQ(bad_refresh->status, 400);
  EXPECT_STREQ(Parse(bad_refresh->body)["error"].GetString(), "invalid_grant");
  auto bad_scope =
      client_->Post(std::string(kBase) + "/identity/v1/oauth2/token", {{"Authorization", kBasic}},
                    "grant_type=refresh_token&refresh_token=harbor-token&scope=x", kForm);
  ASSERT_TRUE(bad_scope);
  EXPECT_EQ(bad_scope->status, 400);
  auto ok = Grant();
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 200) << ok->body;
  auto doc = Parse(ok->body);
  EXPECT_EQ(doc["expires_in"].GetInt(), 7200);
  EXPECT_STREQ(doc["token_type"].GetString(), "User Access Token");
}

TEST_F(EbaySimTest, RequestsNeedAnIssuedTokenThatHasNotExpired) {
  auto none = client_->Get(Orders("limit=1"));
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(FirstErrorId(none->body), 1001);
  auto good = client_->Get(Orders("limit=1"), Auth());
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 200);
  now_ms_ += 7200 * 1000;
  auto expired = client_->Get(Orders("limit=1"), Auth());
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->status, 401);
}

TEST_F(EbaySimTest, OffsetPagesVisitEveryMatchingOrderOnce) {
  const std::string filter =
      "filter=creationdate:%5B2026-10-01T00:00:00.000Z..2026-11-18T00:00:00.000Z%5D,"
      "orderfulfillmentstatus:%7BNOT_STARTED%7CIN_PROGRESS%7D";
  std::set<std::string> seen;
  int64_t total = -1;
  for (int offset = 0, pages = 0; pages < 10; ++pages, offset += 100) {
    auto r = client_->Get(Orders(filter + "&limit=100&offset=" + std::to_string(offset)), Auth());
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    auto doc = Parse(r->body);
    total = doc["total"].GetInt64();
    EXPECT_EQ(doc["offset"].GetInt(), offset);
    for (const auto& o : doc["orders"].GetArray()) {
      const std::string status = o["orderFulfillmentStatus"].GetString();
      EXPECT_TRUE(status == "NOT_STARTED" || status == "IN_PROGRESS") << status;
      EXPECT_TRUE(seen.insert(o["orderId"].GetString()).second);
      EXPECT_EQ(std::string(o["orderId"].GetString()).size(), 14u);  // 12-34567-89012
    }
    if (!doc.HasMember("next")) break;
  }
  EXPECT_EQ(static_cast<int64_t>(seen.size()), total);
  int want = 0;
  for (const OrderSummary& o : sim_->Orders("ebay", "harbor"))
    if ((o.status == "NOT_STARTED" || o.status == "IN_PROGRESS") &&
        o.created_at < "2026-11-18T00:00:00Z")
      ++want;
  EXPECT_EQ(total, want);
  EXPECT_GT(want, 100);
}

TEST_F(EbaySimTest, BadLimitsFiltersAndDatesAre400WithTheSpecsErrorIds) {
  auto r = client_->Get(Orders("limit=201"), Auth());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(FirstErrorId(r->body), 31100);
  r = client_->Get(Orders("filter=orderstatus:%7BPAID%7D"), Auth());
  ASSERT_TRUE(r);
  EXPECT_EQ(FirstErrorId(r->body), 30700);
  r = client_->Get(Orders("filter=orderfulfillmentstatus:%7BNOT_STARTED%7D"), Auth());
  ASSERT_TRUE(r);
  EXPECT_EQ(FirstErrorId(r->body), 30800);
  r = client_->Get(Orders("filter=lastmodifieddate:%5Byesterday..%5D"), Auth());
  ASSERT_TRUE(r);
  EXPECT_EQ(FirstErrorId(r->body), 30810);
}

TEST_F(EbaySimTest, AShippingFulfillmentIsValidatedRecordedAndListed) {
  std::string id, line;
  int64_t quantity = 0;
  for (const OrderSummary& o : sim_->Orders("ebay", "harbor"))
    if (o.status == "NOT_STARTED" && id.empty()) id = o.id;
  ASSERT_FALSE(id.empty());
  auto order = client_->Get(std::string(kBase) + "/sell/fulfillment/v1/order/" + id, Auth());
  ASSERT_TRUE(order);
  ASSERT_EQ(order->status, 200);
  auto doc = Parse(order->body);
  line = doc["lineItems"][0]["lineItemId"].GetString();
  quantity = doc["lineItems"][0]["quantity"].GetInt64();
  const std::string path =
      std::string(kBase) + "/sell/fulfillment/v1/order/" + id + "/shipping_fulfillment";
  auto post = [&](const std::string& carrier, const std::string& line_id, int64_t q) {
    return client_->Post(path, Auth(),
                         R"({"lineItems":[{"lineItemId":")" + line_id + R"(","quantity":)" +
                             std::to_string(q) +
                             R"(}],"shippedDate":"2026-11-18T09:00:00.000Z",)"
                             R"("shippingCarrierCode":")" +
                             carrier + R"(","trackingNumber":"1Z999AA10123456784"})",
                         "application/json");
  };
  auto bad_carrier = post("Acme Freight", line, 1);
  ASSERT_TRUE(bad_carrier);
  EXPECT_EQ(bad_carrier->status, 400);
  EXPECT_EQ(FirstErrorId(bad_carrier->body), 32300);
  auto bad_line = post("UPS", "999", 1);
  ASSERT_TRUE(bad_line);
  EXPECT_EQ(FirstErrorId(bad_line->body), 32200);
  auto too_many = post("UPS", line, quantity + 1);
  ASSERT_TRUE(too_many);
  EXPECT_EQ(too_many->status, 400);
  EXPECT_TRUE(sim_->TrackingFor("ebay", "harbor", id).empty());

  auto ok = post("UPS", line, quantity);
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 201) << ok->body;
  EXPECT_NE(ok->get_header_value("Location").find("/shipping_fulfillment/"), std::string::npos);
  auto records = sim_->TrackingFor("ebay", "harbor", id);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].kind, "shipping_fulfillment");
  EXPECT_EQ(records[0].tracking_number, "1Z999AA10123456784");
  EXPECT_EQ(records[0].carrier, "UPS");
  auto list = client_->Get(path, Auth());
  ASSERT_TRUE(list);
  auto fulfillments = Parse(list->body);
  ASSERT_EQ(fulfillments["total"].GetInt(), 1);
  EXPECT_STREQ(fulfillments["fulfillments"][0]["shipmentTrackingNumber"].GetString(),
               "1Z999AA10123456784");
  EXPECT_STREQ(fulfillments["fulfillments"][0]["lineItems"][0]["lineItemId"].GetString(),
               line.c_str());
  // The order moved on, and its modification date with it.
  auto after =
      Parse(client_->Get(std::string(kBase) + "/sell/fulfillment/v1/order/" + id, Auth())->body);
  EXPECT_STRNE(after["orderFulfillmentStatus"].GetString(), "NOT_STARTED");
  EXPECT_STREQ(after["lastModifiedDate"].GetString(), "2026-11-18T11:06:40.000Z");
}

TEST_F(EbaySimTest, BulkUpdateAnswersPerSkuAndRefusesMoreThan25) {
  std::string sku;
  for (const OrderSummary& o : sim_->Orders("ebay", "harbor"))
    if (!o.lines.empty() && sku.empty()) sku = o.lines[0].first;
  const std::string path = std::string(kBase) + "/sell/inventory/v1/bulk_update_price_quantity";
  std::string many = R"({"requests":[)";
  for (int i = 0; i < 26; ++i)
    many += std::string(i ? "," : "") + R"({"sku":")" + sku +
            R"(","shipToLocationAvailability":{"quantity":1}})";
  auto too_many = client_->Post(path, Auth(), many + "]}", "application/json");
  ASSERT_TRUE(too_many);
  EXPECT_EQ(too_many->status, 400);
  EXPECT_EQ(FirstErrorId(too_many->body), 25709);

  auto r = client_->Post(path, Auth(),
                         R"({"requests":[{"sku":")" + sku +
                             R"(","shipToLocationAvailability":{"quantity":7}},)"
                             R"({"sku":"NOT-SOLD","shipToLocationAvailability":{"quantity":3}}]})",
                         "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 207) << r->body;
  auto doc = Parse(r->body);
  EXPECT_EQ(doc["responses"][0]["statusCode"].GetInt(), 200);
  EXPECT_EQ(doc["responses"][1]["statusCode"].GetInt(), 404);
  EXPECT_EQ(doc["responses"][1]["errors"][0]["errorId"].GetInt(), 25702);
  bool found = false;
  for (const InventorySetRecord& rec : sim_->InventorySets()) {
    if (rec.platform == "ebay" && rec.sku == sku) {
      found = true;
      EXPECT_EQ(rec.value, 7);
      EXPECT_TRUE(rec.known);
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace cartsync::sim

// The simulator's Magento store over real loopback HTTP: Bearer
// authentication, searchCriteria filters, sorting and page/size paging (a
// page past the end answers the last page again, as Magento does), the
// ship call and shipment tracks (validated and recorded), MSI source items
// and legacy stock items (validated and recorded) — as
// shared/openapi/magento/admin-schema-2.4.9.yaml describes them.
#include <gtest/gtest.h>
#include <httplib.h>
#include <rapidjson/document.h>

#include <cctype>
#include <cstdint>
#include <set>
#include <string>

#include "tools/simulator/simulator.h"

namespace cartsync::sim {
namespace {

constexpr char kApi[] = "/magento/greenleaf/rest/default/V1";
const httplib::Headers kAuth = {{"Authorization", "Bearer greenleaf-token"},
                                {"Accept", "application/json"}};

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

/// searchCriteria[filterGroups][g][filters][0][...] for one filter.
std::string FilterQuery(int group, const std::string& field, const std::string& value,
                        const std::string& condition) {
  const std::string p = "searchCriteria[filterGroups][" + std::to_string(group) + "][filters][0]";
  return Encode(p + "[field]") + "=" + Encode(field) + "&" + Encode(p + "[value]") + "=" +
         Encode(value) + "&" + Encode(p + "[conditionType]") + "=" + Encode(condition);
}

std::string PageQuery(int size, int page) {
  return Encode("searchCriteria[pageSize]") + "=" + std::to_string(size) + "&" +
         Encode("searchCriteria[currentPage]") + "=" + std::to_string(page);
}

rapidjson::Document Parse(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  EXPECT_FALSE(doc.HasParseError()) << body.substr(0, 300);
  return doc;
}

class MagentoSimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_ = std::make_unique<Simulator>(SimOptions{});
    StoreSeed seed;
    seed.platform = "magento";
    seed.name = "greenleaf";
    seed.orders = 120;
    seed.start_date = "2026-11-01T00:00:00Z";
    std::string error;
    ASSERT_TRUE(sim_->SeedStore(seed, &error)) << error;
    ASSERT_TRUE(sim_->Start(&error)) << error;
    client_ = std::make_unique<httplib::Client>("127.0.0.1", sim_->port());
    client_->set_connection_timeout(2, 0);
    client_->set_read_timeout(5, 0);
  }
  void TearDown() override { sim_->Stop(); }

  rapidjson::Document Get(const std::string& path, int want = 200) {
    auto r = client_->Get(std::string(kApi) + path, kAuth);
    EXPECT_TRUE(r);
    if (!r) return Parse("{}");
    EXPECT_EQ(r->status, want) << path << ": " << r->body;
    return Parse(r->body);
  }
  httplib::Result Post(const std::string& path, const std::string& body) {
    return client_->Post(std::string(kApi) + path, kAuth, body, "application/json");
  }

  /// The entity_id of the first order in `status` that has items left.
  int64_t FirstOrder(const std::string& status) {
    auto doc = Get("/orders?" + FilterQuery(0, "status", status, "eq") + "&" + PageQuery(1, 1));
    EXPECT_GE(doc["total_count"].GetInt(), 1);
    return doc["items"][0]["entity_id"].GetInt64();
  }

  std::unique_ptr<Simulator> sim_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(MagentoSimTest, BearerTokenIsRequired) {
  auto r = client_->Get(std::string(kApi) + "/orders");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  auto doc = Parse(r->body);
  EXPECT_STREQ(doc["message"].GetString(), "The consumer isn't authorized to access %resources.");
  r = client_->Get(std::string(kApi) + "/orders", {{"Authorization", "Bearer wrong"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
}

TEST_F(MagentoSimTest, OrdersFilterSortAndPageLikeMagento) {
  // Every processing order, pages of 7 by entity_id descending.
  std::set<int64_t> seen;
  int64_t total = -1, previous = INT64_MAX;
  for (int page = 1; page <= 30; ++page) {
    auto doc =
        Get("/orders?" + FilterQuery(0, "status", "processing,pending", "in") + "&" +
            Encode("searchCriteria[sortOrders][0][field]") + "=entity_id&" +
            Encode("searchCriteria[sortOrders][0][direction]") + "=DESC&" + PageQuery(7, page));
    total = doc["total_count"].GetInt64();
    for (const auto& o : doc["items"].GetArray()) {
      const std::string status = o["status"].GetString();
      EXPECT_TRUE(status == "processing" || status == "pending") << status;
      EXPECT_LT(o["entity_id"].GetInt64(), previous);
      previous = o["entity_id"].GetInt64();
      seen.insert(o["entity_id"].GetInt64());
      // Database time, UTC, no zone.
      const std::string created = o["created_at"].GetString();
      EXPECT_EQ(created.size(), 19u);
      EXPECT_EQ(created[10], ' ');
      EXPECT_EQ(std::string(o["increment_id"].GetString()).size(), 9u);
    }
    if (static_cast<int64_t>(seen.size()) >= total) break;
  }
  EXPECT_GT(total, 10);
  EXPECT_EQ(static_cast<int64_t>(seen.size()), total);
  // A page past the end is the last page again.
  auto last =
      Get("/orders?" + FilterQuery(0, "status", "processing", "eq") + "&" + PageQuery(50, 1));
  const int64_t processing = last["total_count"].GetInt64();
  auto beyond = Get("/orders?" + FilterQuery(0, "status", "processing", "eq") + "&" +
                    PageQuery(processing, 9));
  EXPECT_EQ(static_cast<int64_t>(beyond["items"].Size()), processing);
  // Filter groups are AND-ed: entity_id gt narrows the status filter.
  const int64_t first = FirstOrder("processing");
  auto after =
      Get("/orders?" + FilterQuery(0, "status", "processing", "eq") + "&" +
          FilterQuery(1, "entity_id", std::to_string(first), "gt") + "&" + PageQuery(500, 1));
  EXPECT_EQ(after["total_count"].GetInt64(), processing - 1);
  // An unknown filter field is refused.
  Get("/orders?" + FilterQuery(0, "colour", "red", "eq"), 400);
}

TEST_F(MagentoSimTest, ShipIsValidatedRecordedAndShownAsShipmentTracks) {
  const int64_t id = FirstOrder("processing");
  auto order = Get("/orders/" + std::to_string(id));
  const int64_t item = order["items"][0]["item_id"].GetInt64();
  const std::string path = "/order/" + std::to_string(id) + "/ship";
  // A track without carrier_code, an item of another order: 400, nothing done.
  auto r = Post(path, R"({"tracks":[{"track_number":"1Z1","title":"UPS"}]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  r = Post(path, R"({"items":[{"order_item_id":999999,"qty":1}]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_TRUE(sim_->Records().tracking.empty());

  r = Post(
      path,
      R"({"items":[{"order_item_id":)" + std::to_string(item) +
          R"(,"qty":1}],"tracks":[{"track_number":"1ZSIM1","title":"UPS","carrier_code":"ups"}]})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const int64_t shipment = std::stoll(r->body);
  auto records = sim_->Records();
  ASSERT_EQ(records.tracking.size(), 1u);
  EXPECT_EQ(records.tracking[0].platform, "magento");
  EXPECT_EQ(records.tracking[0].order_id, std::to_string(id));
  EXPECT_EQ(records.tracking[0].tracking_number, "1ZSIM1");

  auto shipments = Get("/shipments?" + FilterQuery(0, "order_id", std::to_string(id), "eq"));
  ASSERT_EQ(shipments["total_count"].GetInt(), 1);
  EXPECT_EQ(shipments["items"][0]["entity_id"].GetInt64(), shipment);
  EXPECT_STREQ(shipments["items"][0]["tracks"][0]["track_number"].GetString(), "1ZSIM1");
  auto after = Get("/orders/" + std::to_string(id));
  EXPECT_EQ(after["items"][0]["qty_shipped"].GetInt(),
            order["items"][0]["qty_shipped"].GetInt() + 1);

  // A second number on the same shipment.
  r = Post("/shipment/track", R"({"entity":{"order_id":)" + std::to_string(id) +
                                  R"(,"parent_id":)" + std::to_string(shipment) +
                                  R"(,"weight":0,"qty":0,"description":"","track_number":"1ZSIM2",)"
                                  R"("title":"UPS","carrier_code":"ups"}})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(sim_->Records().tracking.size(), 2u);
  shipments = Get("/shipments?" + FilterQuery(0, "order_id", std::to_string(id), "eq"));
  EXPECT_EQ(shipments["items"][0]["tracks"].Size(), 2u);
  // Shipping everything, then once more: refused.
  r = Post(path, "{}");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_STREQ(Get("/orders/" + std::to_string(id))["status"].GetString(), "complete");
  r = Post(path, "{}");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
}

TEST_F(MagentoSimTest, SourceItemsAreValidatedAndRecorded) {
  auto products = Get("/products?" + PageQuery(2, 1));
  const std::string sku = products["items"][0]["sku"].GetString();
  auto r = Post("/inventory/source-items",
                R"({"sourceItems":[{"sku":")" + sku +
                    R"(","source_code":"nowhere","quantity":3,"status":1}]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_STREQ(Parse(r->body)["message"].GetString(), "Validation Failed");
  EXPECT_TRUE(sim_->Records().inventory.empty());

  r = Post("/inventory/source-items",
           R"({"sourceItems":[{"sku":")" + sku +
               R"(","source_code":"default","quantity":7,"status":1},)"
               R"({"sku":"NOT-SOLD","source_code":"default","quantity":1,"status":1}]})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto records = sim_->Records();
  ASSERT_EQ(records.inventory.size(), 2u);
  for (const auto& rec : records.inventory) {
    EXPECT_EQ(rec.platform, "magento");
    EXPECT_EQ(rec.location, "default");
    EXPECT_EQ(rec.known, rec.sku == sku) << rec.sku;
    if (rec.sku == sku) {
      EXPECT_EQ(rec.value, 7);
    }
  }
  // Products by SKU (the connector's catalog check).
  auto found = Get("/products?" + FilterQuery(0, "sku", sku + ",NOT-SOLD", "in"));
  EXPECT_EQ(found["total_count"].GetInt(), 1);
}

TEST_F(MagentoSimTest, LegacyStockItemsReadAndSet) {
  auto products = Get("/products?" + PageQuery(1, 1));
  const std::string sku = products["items"][0]["sku"].GetString();
  auto item = Get("/stockItems/" + sku);
  ASSERT_TRUE(item.HasMember("item_id"));
  EXPECT_TRUE(item.HasMember("stock_status_changed_auto"));  // the whole stock item
  Get("/stockItems/NOT-SOLD", 404);
  const std::string path = std::string(kApi) + "/products/" + sku + "/stockItems/" +
                           std::to_string(item["item_id"].GetInt64());
  auto r = client_->Put(path, kAuth, R"({"stockItem":{"qty":11,"is_in_stock":true}})",
                        "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(Get("/stockItems/" + sku)["qty"].GetInt(), 11);
  auto records = sim_->Records();
  ASSERT_EQ(records.inventory.size(), 1u);
  EXPECT_EQ(records.inventory[0].value, 11);
  r = client_->Put(path, kAuth, R"({"stockItem":{}})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

}  // namespace
}  // namespace cartsync::sim

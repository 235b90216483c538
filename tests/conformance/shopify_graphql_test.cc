// Conformance of the Shopify connector with Shopify's own GraphQL schema
// (../shared/openapi/shopify/admin_2026-10.json.gz), judged by code we did
// not write. tests/conformance/shopify_graphql_check.sh drives both parts:
//
//   ShopifyGraphqlDocuments.Dump  writes every document the connector can
//       send (shopify_graphql.h) to $CARTSYNC_GRAPHQL_DUMP_DIR as NAME.graphql
//       with NAME.cost (its declared worst-case cost); graphql-js validates
//       them and recomputes the costs (shopify_graphql.js documents).
//   ShopifyGraphqlMock.*  run the connector against a mock serving answers
//       that @graphql-tools/mock generates from the schema (shopify_graphql.js
//       mock, URL in $SHOPIFY_GRAPHQL_MOCK_URL); the mock refuses requests
//       graphql-js finds invalid, and an inventorySetQuantities without an
//       @idempotent key or an explicit changeFromQuantity.
#include "runtime/carts/shopify_graphql.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "runtime/carts/connectors.h"
#include "runtime/clock.h"
#include "runtime/net/http_client.h"
#include "tests/support/fake_secrets.h"

namespace cartsync {
namespace {

namespace gql = shopify_graphql;

TEST(ShopifyGraphqlDocuments, Dump) {
  const char* dir = std::getenv("CARTSYNC_GRAPHQL_DUMP_DIR");
  if (!dir)
    GTEST_SKIP()
        << "set CARTSYNC_GRAPHQL_DUMP_DIR (tests/conformance/shopify_graphql_check.sh does)";
  std::filesystem::create_directories(dir);
  for (const gql::Operation* op : gql::AllOperations()) {
    const std::filesystem::path base = std::filesystem::path(dir) / op->name;
    std::ofstream(base.string() + ".graphql") << op->document;
    std::ofstream(base.string() + ".cost") << op->max_cost << "\n";
    ASSERT_TRUE(std::filesystem::exists(base.string() + ".cost"));
  }
}

FieldValue Text(FieldType t, std::string v) {
  FieldValue f;
  f.type = t;
  f.text = std::move(v);
  return f;
}

class ShopifyGraphqlMock : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("SHOPIFY_GRAPHQL_MOCK_URL");
    if (!url) GTEST_SKIP() << "run through tests/conformance/shopify_graphql_check.sh";
    secrets_.values["env:MOCK_SECRET"] = "mock-client-secret";
    secrets_.values["env:MOCK_TOKEN"] = "mock-legacy-token";
    cart_.id = "mock-shopify";
    cart_.platform = "shopify";
    cart_.api["store_url"] = Text(FieldType::Url, "https://mock.myshopify.com");
    cart_.api["base_url"] = Text(FieldType::Url, url);
    cart_.api["api_version"] = Text(FieldType::Enum, "2026-10");
    cart_.api["client_id"] = Text(FieldType::String, "mock-client-id");
    FieldValue secret;
    secret.type = FieldType::Secret;
    secret.secret = SecretRef{SecretRef::Kind::Env, "MOCK_SECRET"};
    cart_.api["client_secret"] = secret;
    cart_.earliest_order_date = Date{2026, 1, 1};  // far back: the scope check runs too
    transport_ = MakeCurlTransport();
    http_ = std::make_unique<HttpClient>(*transport_, clock_, RetryPolicy{.max_attempts = 1});
  }

  std::unique_ptr<CartConnector> Make() {
    auto made = MakeShopifyCart(cart_, ConnectorDeps{http_.get(), &secrets_});
    EXPECT_TRUE(made.ok()) << made.status().message();
    return made.ok() ? std::move(made.value()) : nullptr;
  }

  FakeSecretResolver secrets_;
  CartConfig cart_;
  SystemClock clock_;
  std::unique_ptr<HttpTransport> transport_;
  std::unique_ptr<HttpClient> http_;
};

TEST_F(ShopifyGraphqlMock, OrdersFromTheSchemaParse) {
  auto c = Make();
  ASSERT_TRUE(c);
  OrderWindow w;
  w.statuses = {
      {"status", {"any"}}, {"financial_status", {"any"}}, {"fulfillment_status", {"any"}}};
  w.created_after = 1'767'225'600;
  std::vector<CartOrder> orders;
  Status st = c->FetchOrders(w, [&](std::vector<CartOrder>&& page) {
    for (CartOrder& o : page) orders.push_back(std::move(o));
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_FALSE(orders.empty());
  for (const CartOrder& o : orders) {
    EXPECT_FALSE(o.id.empty());
    EXPECT_FALSE(o.placed_at.empty());
    EXPECT_FALSE(o.lines.empty()) << o.id;
  }
}

TEST_F(ShopifyGraphqlMock, TrackingCheckAndFulfillmentsParse) {
  auto c = Make();
  ASSERT_TRUE(c);
  auto has = c->HasTracking("1001", "1Z-NOT-THERE");
  ASSERT_TRUE(has.ok()) << has.status().message();
  EXPECT_FALSE(has.value());
  TrackingUpload up;
  up.order_id = "1001";
  up.carrier_code = "UPS";
  up.shipment.tracking_number = "1Z-NOT-THERE";
  Status st = c->UploadTracking(up);
  EXPECT_TRUE(st.ok()) << st.message();
}

TEST_F(ShopifyGraphqlMock, InventoryLookupAndSetParse) {
  auto c = Make();
  ASSERT_TRUE(c);
  auto errors = c->PushInventory({{"TS-RED-M", 5}, {"UNKNOWN-SKU", 1}});
  ASSERT_TRUE(errors.ok()) << errors.status().message();
  ASSERT_EQ(errors->size(), 1u);
  EXPECT_EQ(errors.value()[0].sku, "UNKNOWN-SKU");
}

TEST_F(ShopifyGraphqlMock, TheLegacyTokenWorksToo) {
  cart_.api.erase("client_id");
  cart_.api.erase("client_secret");
  FieldValue token;
  token.type = FieldType::Secret;
  token.secret = SecretRef{SecretRef::Kind::Env, "MOCK_TOKEN"};
  cart_.api["access_token"] = token;
  auto c = Make();
  ASSERT_TRUE(c);
  auto has = c->HasTracking("1001", "X");
  EXPECT_TRUE(has.ok()) << has.status().message();
}

}  // namespace
}  // namespace cartsync

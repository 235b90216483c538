// The WooCommerce connector against the simulator's store over loopback HTTP
// (libcurl, the real HttpClient): Shipment Tracking providers the store does
// not know go as custom_tracking_provider/custom_tracking_link; a server that
// strips Authorization gets query-string credentials (never shown in a
// message); a partial shipment posts its tracking without completing the order.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <vector>

#include "runtime/carts/connectors.h"
#include "runtime/carts/woocommerce_cart.h"
#include "runtime/clock.h"
#include "runtime/net/http_client.h"
#include "runtime/shipment_upload.h"
#include "tests/support/fake_secrets.h"
#include "tools/simulator/simulator.h"

namespace cartsync {
namespace {

constexpr char kKey[] = "ck_simwoo0123456789";
constexpr char kSecret[] = "cs_simwoo9876543210";

FieldValue Text(FieldType type, std::string text) {
  FieldValue v;
  v.type = type;
  v.text = std::move(text);
  return v;
}

FieldValue Secret(std::string env) {
  FieldValue v;
  v.type = FieldType::Secret;
  v.secret = SecretRef{SecretRef::Kind::Env, std::move(env)};
  return v;
}

class WooCommerceSimTest : public ::testing::Test {
 protected:
  void Start(bool strip_authorization) {
    sim_ = std::make_unique<sim::Simulator>(sim::SimOptions{});
    sim::StoreSeed seed;
    seed.platform = "woocommerce";
    seed.name = "wsim";
    seed.orders = 20;
    seed.consumer_key = kKey;
    seed.consumer_secret = kSecret;
    seed.statuses = {{"processing", 1}};
    seed.start_date = "2026-11-01T00:00:00Z";
    seed.strip_authorization = strip_authorization;
    std::string error;
    ASSERT_TRUE(sim_->SeedStore(seed, &error)) << error;
    ASSERT_TRUE(sim_->Start(&error)) << error;
    secrets_.values["env:WOO_KEY"] = kKey;
    secrets_.values["env:WOO_SECRET"] = kSecret;
    cart_.id = "wsim";
    cart_.platform = "woocommerce";
    cart_.api["store_url"] = Text(FieldType::Url, "https://wsim.example");
    cart_.api["base_url"] = Text(FieldType::Url, sim_->store_url("woocommerce", "wsim"));
    cart_.api["consumer_key"] = Secret("WOO_KEY");
    cart_.api["consumer_secret"] = Secret("WOO_SECRET");
    cart_.api["tracking"] = Text(FieldType::Enum, "shipment_tracking");
    auto made = MakeCartConnector(cart_, ConnectorDeps{&http_, &secrets_});
    ASSERT_TRUE(made.ok()) << made.status().message();
    api_ = std::move(made.value());
  }
  void TearDown() override {
    if (sim_) sim_->Stop();
  }

  std::vector<sim::OrderSummary> Orders() const { return sim_->Orders("woocommerce", "wsim"); }
  std::string StatusOf(const std::string& id) const {
    for (const sim::OrderSummary& o : Orders())
      if (o.id == id) return o.status;
    return "";
  }

  TrackingUpload Upload(const std::string& order_id, const std::string& carrier,
                        const std::string& number) {
    TrackingUpload u;
    u.order_id = order_id;
    u.carrier_code = carrier;
    u.shipment.order_key = "wsim:" + order_id;
    u.shipment.carrier = carrier;
    u.shipment.tracking_number = number;
    u.shipment.shipped_at = "2026-11-20T12:00:00Z";
    return u;
  }

  std::unique_ptr<sim::Simulator> sim_;
  std::unique_ptr<HttpTransport> transport_ = MakeCurlTransport();
  SystemClock clock_;
  HttpClient http_{*transport_, clock_};
  FakeSecretResolver secrets_;
  CartConfig cart_;
  std::unique_ptr<CartConnector> api_;
};

TEST_F(WooCommerceSimTest, ProvidersTheStoreKnowsGoAsIsOthersAsCustom) {
  Start(false);
  std::vector<sim::OrderSummary> orders = Orders();
  ASSERT_GE(orders.size(), 3u);
  // "ups" is the store's "UPS"; "fedex" its "Fedex" (same slug).
  ASSERT_TRUE(api_->UploadTracking(Upload(orders[0].id, "ups", "1ZSIM0001")).ok());
  ASSERT_TRUE(api_->UploadTracking(Upload(orders[1].id, "FedEx", "7700SIM02")).ok());
  Status custom = api_->UploadTracking(Upload(orders[2].id, "Purolator", "PUR-SIM-3"));
  ASSERT_TRUE(custom.ok()) << custom.message();

  std::vector<sim::TrackingRecord> posts = sim_->Records().tracking;
  ASSERT_EQ(posts.size(), 3u);
  auto body = [&](size_t i) {
    rapidjson::Document d;
    d.Parse(posts[i].body.c_str());
    EXPECT_TRUE(d.IsObject()) << posts[i].body;
    return d;
  };
  rapidjson::Document ups = body(0), fedex = body(1), puro = body(2);
  EXPECT_STREQ(ups["tracking_provider"].GetString(), "ups");
  EXPECT_FALSE(ups.HasMember("custom_tracking_provider"));
  EXPECT_STREQ(fedex["tracking_provider"].GetString(), "FedEx");
  EXPECT_FALSE(puro.HasMember("tracking_provider")) << posts[2].body;
  EXPECT_STREQ(puro["custom_tracking_provider"].GetString(), "Purolator");
  EXPECT_EQ(posts[2].carrier, "Purolator");
  for (const sim::OrderSummary& o : {orders[0], orders[1], orders[2]})
    EXPECT_EQ(StatusOf(o.id), "completed") << o.id;
  // The providers list is read once per run (per connector).
  uint64_t lists = 0;
  for (const auto& [key, n] : sim_->Records().requests)
    if (key.find("/providers") != std::string::npos) lists += n;
  EXPECT_EQ(lists, 1u);
}

TEST_F(WooCommerceSimTest, CustomProviderWithAKnownLinkSendsTheLink) {
  Start(false);
  std::vector<sim::OrderSummary> orders = Orders();
  ASSERT_FALSE(orders.empty());
  // DHL (Express) is not in this store's list; its public tracking page is known.
  ASSERT_TRUE(api_->UploadTracking(Upload(orders[0].id, "DHL", "JD0001SIM")).ok());
  std::vector<sim::TrackingRecord> posts = sim_->Records().tracking;
  ASSERT_EQ(posts.size(), 1u);
  rapidjson::Document d;
  d.Parse(posts[0].body.c_str());
  ASSERT_TRUE(d.IsObject());
  EXPECT_STREQ(d["custom_tracking_provider"].GetString(), "DHL");
  ASSERT_TRUE(d.HasMember("custom_tracking_link")) << posts[0].body;
  EXPECT_NE(std::string(d["custom_tracking_link"].GetString()).find("JD0001SIM"),
            std::string::npos);
}

TEST_F(WooCommerceSimTest, AServerThatStripsAuthorizationGetsQueryCredentials) {
  Start(true);
  int fetched = 0;
  OrderWindow window;
  window.statuses["status"] = {"processing"};
  window.created_after = 1792886400;  // 2026-10-25, before the seed's orders
  Status st = api_->FetchOrders(window, [&](std::vector<CartOrder>&& page) {
    fetched += static_cast<int>(page.size());
    return Status::Ok();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(fetched, static_cast<int>(Orders().size()));
  // Writes work too, and stay in query mode (no second 401 round).
  std::vector<sim::OrderSummary> orders = Orders();
  ASSERT_TRUE(api_->UploadTracking(Upload(orders[0].id, "usps", "9400SIM01")).ok());
  EXPECT_EQ(StatusOf(orders[0].id), "completed");
  // An error names neither credential, raw or URL-encoded.
  Status missing = api_->UploadTracking(Upload("999999", "usps", "9400SIM02"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.message().find(kKey), std::string::npos) << missing.message();
  EXPECT_EQ(missing.message().find(kSecret), std::string::npos) << missing.message();
  EXPECT_EQ(missing.message().find("consumer_secret="), std::string::npos) << missing.message();
}

TEST_F(WooCommerceSimTest, WithoutQueryFallbackAStrippingServerRejectsBasic) {
  // The simulator mode itself: Basic alone is refused with the answer the
  // connector recognizes.
  Start(true);
  HttpRequest r;
  r.url = sim_->store_url("woocommerce", "wsim") + "/wp-json/wc/v3/orders";
  r.headers = {{"Authorization", "Basic Y2tfc2ltd29vMDEyMzQ1Njc4OTpjc19zaW13b285ODc2NTQzMjEw"}};
  auto answer = http_.Send(r);
  ASSERT_TRUE(answer.ok()) << answer.status().message();
  EXPECT_EQ(answer->status, 401);
  EXPECT_TRUE(woocommerce::QueryAuthNeeded(answer->status, answer->body)) << answer->body;
}

TEST_F(WooCommerceSimTest, APartialShipmentPostsTrackingButLeavesTheOrderOpen) {
  Start(false);
  std::vector<sim::OrderSummary> orders = Orders();
  ASSERT_FALSE(orders.empty());
  const std::string id = orders[0].id;
  TrackingUpload first = Upload(id, "ups", "1ZPART0001");
  first.completes_order = false;
  ASSERT_TRUE(api_->UploadTracking(first).ok());
  EXPECT_EQ(StatusOf(id), "processing");
  EXPECT_EQ(sim_->Records().tracking.size(), 1u);
  TrackingUpload rest = Upload(id, "ups", "1ZPART0002");
  ASSERT_TRUE(api_->UploadTracking(rest).ok());
  EXPECT_EQ(StatusOf(id), "completed");
  EXPECT_EQ(sim_->Records().tracking.size(), 2u);
}

TEST(ShipsOrderInFullTest, EveryLineSentMustBeShippedInFull) {
  std::vector<OrderLine> sent = {{"11", "RED", 2, ""}, {"12", "BLUE", 1, ""}};
  Shipment part;
  part.lines = {{"11", "RED", 2}};
  Shipment rest;
  rest.lines = {{"12", "BLUE", 1}};
  Shipment half;
  half.lines = {{"11", "RED", 1}};
  Shipment whole;  // no lines: the whole order
  EXPECT_FALSE(ShipsOrderInFull(sent, {part}));
  EXPECT_TRUE(ShipsOrderInFull(sent, {part, rest}));
  EXPECT_FALSE(ShipsOrderInFull(sent, {half, rest}));
  EXPECT_TRUE(ShipsOrderInFull(sent, {half, half, rest}));
  EXPECT_TRUE(ShipsOrderInFull(sent, {whole}));
  EXPECT_TRUE(ShipsOrderInFull({}, {half}));
  // Matched by SKU when the WMS leaves line_key out.
  Shipment by_sku;
  by_sku.lines = {{"", "RED", 2}, {"", "BLUE", 1}};
  EXPECT_TRUE(ShipsOrderInFull(sent, {by_sku}));
}

}  // namespace
}  // namespace cartsync

// Cancellations at every connector, against the simulator's stores over
// loopback HTTP (libcurl, the real HttpClient): an order canceled at the cart
// (POST /_sim/cancel's Simulator::CancelCartOrder) comes back from a later
// pull (updated since the cursor) marked CartOrder::canceled, even though
// the cart's statuses leave canceled orders out; orders not canceled are not.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/carts/cart_connector.h"
#include "runtime/clock.h"
#include "runtime/net/http_client.h"
#include "tests/support/fake_secrets.h"
#include "tools/simulator/simulator.h"

namespace cartsync {
namespace {

FieldValue Field(FieldType type, std::string text) {
  FieldValue v;
  v.type = type;
  v.text = std::move(text);
  return v;
}

FieldValue Secret(const std::string& env) {
  FieldValue v;
  v.type = FieldType::Secret;
  v.secret = SecretRef{SecretRef::Kind::Env, env};
  return v;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return s;
}

class CancelSimTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::string Name() const { return "cx" + GetParam().substr(0, 4); }

  void SetUp() override {
    const std::string p = GetParam();
    sim_ = std::make_unique<sim::Simulator>(sim::SimOptions{});
    sim::StoreSeed seed;
    seed.platform = p;
    seed.name = Name();
    seed.orders = 6;
    seed.seed = 3;
    seed.start_date = "2026-11-10T00:00:00Z";
    seed.span_hours = 48;
    seed.token = "cx-store-token";
    seed.consumer_key = "ck_cx";
    seed.consumer_secret = "cs_cx";
    if (p == "amazon") seed.client_id = "amzn1.application-oa2-client." + Name();
    const std::map<std::string, std::string> eligible = {{"shopify", "open/paid/unfulfilled"},
                                                         {"woocommerce", "processing"},
                                                         {"bigcommerce", "Awaiting Fulfillment"},
                                                         {"magento", "processing"},
                                                         {"amazon", "UNSHIPPED"},
                                                         {"ebay", "NOT_STARTED"},
                                                         {"walmart", "Created"}};
    seed.statuses = {{eligible.at(p), 1}};
    std::string error;
    ASSERT_TRUE(sim_->SeedStore(seed, &error)) << error;
    ASSERT_TRUE(sim_->Start(&error)) << error;
    secrets_.values["env:CX_TOKEN"] = "cx-store-token";
    secrets_.values["env:CX_KEY"] = "ck_cx";
    secrets_.values["env:CX_SECRET"] = "cs_cx";
    secrets_.values["env:CX_CLIENT_SECRET"] = Name() + "-client-secret";
    cart_.id = "cx";
    cart_.platform = p;
    auto& api = cart_.api;
    api["base_url"] = Field(FieldType::Url, sim_->store_url(p, Name()));
    if (p == "shopify") {
      api["store_url"] = Field(FieldType::Url, "https://" + Name() + ".myshopify.com");
      api["access_token"] = Secret("CX_TOKEN");
      window_statuses_ = {{"status", {"open"}}, {"financial_status", {"paid"}}};
    } else if (p == "woocommerce") {
      api["store_url"] = Field(FieldType::Url, "https://cx.example");
      api["consumer_key"] = Secret("CX_KEY");
      api["consumer_secret"] = Secret("CX_SECRET");
      window_statuses_ = {{"status", {"processing"}}};
    } else if (p == "bigcommerce") {
      api["store_hash"] = Field(FieldType::String, Name());
      api["access_token"] = Secret("CX_TOKEN");
      window_statuses_ = {{"status", {"Awaiting Fulfillment"}}};
    } else if (p == "magento") {
      api["store_url"] = Field(FieldType::Url, "https://cx.example");
      api["access_token"] = Secret("CX_TOKEN");
      api["source_code"] = Field(FieldType::String, "default");
      window_statuses_ = {{"status", {"processing"}}};
    } else if (p == "amazon") {
      api["seller_id"] = Field(FieldType::String, "SIM" + Upper(Name()));
      api["marketplace_id"] = Field(FieldType::String, "ATVPDKIKX0DER");
      api["region"] = Field(FieldType::Enum, "na");
      api["client_id"] = Field(FieldType::String, "amzn1.application-oa2-client." + Name());
      api["client_secret"] = Secret("CX_CLIENT_SECRET");
      api["refresh_token"] = Secret("CX_TOKEN");
      window_statuses_ = {{"order_status", {"UNSHIPPED"}}};
    } else if (p == "ebay") {
      api["marketplace_id"] = Field(FieldType::String, "EBAY_US");
      api["client_id"] = Field(FieldType::String, Name() + "-client-id");
      api["client_secret"] = Secret("CX_CLIENT_SECRET");
      api["refresh_token"] = Secret("CX_TOKEN");
      window_statuses_ = {{"fulfillment_status", {"NOT_STARTED", "IN_PROGRESS"}}};
    } else if (p == "walmart") {
      api["client_id"] = Field(FieldType::String, Name() + "-client-id");
      api["client_secret"] = Secret("CX_CLIENT_SECRET");
      api["ship_node"] = Field(FieldType::String, "10000003527");
      window_statuses_ = {{"status", {"Created", "Acknowledged"}}};
    }
    auto made = MakeCartConnector(cart_, ConnectorDeps{&http_, &secrets_});
    ASSERT_TRUE(made.ok()) << made.status().message();
    api_ = std::move(made.value());
  }
  void TearDown() override {
    if (sim_) sim_->Stop();
  }

  std::vector<CartOrder> Fetch(const OrderWindow& w) {
    std::vector<CartOrder> all;
    Status st = api_->FetchOrders(w, [&](std::vector<CartOrder>&& page) {
      for (CartOrder& o : page) all.push_back(std::move(o));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return all;
  }

  std::unique_ptr<sim::Simulator> sim_;
  CartConfig cart_;
  std::map<std::string, std::vector<std::string>> window_statuses_;
  FakeSecretResolver secrets_;
  std::unique_ptr<HttpTransport> transport_ = MakeCurlTransport();
  SystemClock clock_;
  HttpClient http_{*transport_, clock_};
  std::unique_ptr<CartConnector> api_;
};

TEST_P(CancelSimTest, LaterPullSeesTheOrderCanceledAtTheCart) {
  OrderWindow first;
  first.statuses = window_statuses_;
  first.created_after = 1'793'491'200;  // 2026-11-01
  std::vector<CartOrder> orders = Fetch(first);
  ASSERT_FALSE(orders.empty());
  std::string newest;
  for (const CartOrder& o : orders) {
    EXPECT_FALSE(o.canceled) << o.id;
    newest = std::max(newest, o.updated_at);
  }
  const std::string id = orders.front().id;
  std::string error;
  ASSERT_TRUE(sim_->CancelCartOrder(GetParam(), Name(), id, &error)) << error;

  OrderWindow later;
  later.statuses = window_statuses_;
  int64_t cursor = 0;
  ASSERT_TRUE(ParseTimestamp(newest, cursor)) << newest;
  later.updated_after = cursor;
  std::vector<CartOrder> again = Fetch(later);
  auto it =
      std::find_if(again.begin(), again.end(), [&](const CartOrder& o) { return o.id == id; });
  ASSERT_NE(it, again.end()) << "the canceled order " << id << " is not in the later pull";
  EXPECT_TRUE(it->canceled);
  for (const CartOrder& o : again) {
    if (o.id != id) {
      EXPECT_FALSE(o.canceled) << o.id;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Platforms, CancelSimTest,
                         ::testing::Values("shopify", "woocommerce", "bigcommerce", "magento",
                                           "amazon", "ebay", "walmart"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace cartsync

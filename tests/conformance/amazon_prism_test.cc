// Conformance of the Amazon SP-API connector with Amazon's own models
// (shared/openapi/amazon-sp-api), judged by Prism: every request the
// connector makes must be accepted (Prism answers 400/422 to a request that
// breaks the model), and the models' example answers must parse.
//
// tests/conformance/amazon_prism_check.sh starts one Prism per model and
// passes their URLs in PRISM_AMAZON_ORDERS_URL (orders_2026-01-01.json),
// PRISM_AMAZON_ORDERS_V0_URL (ordersV0.json), PRISM_AMAZON_LISTINGS_URL and
// PRISM_AMAZON_FEEDS_URL. A loopback proxy here routes the connector's
// paths to them by prefix (the models' paths are the connector's paths) and
// plays the parts no model describes:
//   - the Login with Amazon token endpoint (not in the models);
//   - the presigned S3 document URLs (createFeedDocument/getFeedDocument
//     answer a URL; the proxy points it at itself and keeps the upload);
//   - state a mock cannot hold: the second searchOrders page ends the series
//     (the example always carries a nextToken), and getFeed reports DONE
//     with a processing report (Prism's generated feed is arbitrary).
// The models declare no security scheme, so Prism checks no credentials:
// the x-amz-access-token header is asserted by the unit tests and here.
#include <gtest/gtest.h>
#include <httplib.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdlib>
#include <mutex>
#include <thread>

#include "runtime/carts/connectors.h"
#include "runtime/clock.h"
#include "runtime/net/http_client.h"
#include "tests/support/fake_secrets.h"

namespace cartsync {
namespace {

constexpr char kAccessToken[] = "Atza|prism-access-token";

struct Seen {
  std::string method, path;
  int status;
  bool token;  ///< carried x-amz-access-token
};

std::string Json(const rapidjson::Document& d) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  d.Accept(w);
  return std::string(sb.GetString(), sb.GetSize());
}

class AmazonPrismProxy {
 public:
  AmazonPrismProxy(std::string orders, std::string orders_v0, std::string listings,
                   std::string feeds)
      : orders_(std::move(orders)),
        orders_v0_(std::move(orders_v0)),
        listings_(std::move(listings)),
        feeds_(std::move(feeds)) {
    server_.Post("/auth/o2/token", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      token_requests_.push_back(req.body);
      res.set_content(std::string(R"({"access_token":")") + kAccessToken +
                          R"(","token_type":"bearer","expires_in":3600})",
                      "application/json");
    });
    server_.Put("/_presigned/.*", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      uploaded_ = req.body;
      res.status = 200;
    });
    server_.Get("/_presigned/.*", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(
          R"({"header":{"sellerId":"A2HRBRGDS7QX4N","version":"2.0","feedId":"1"},"issues":[],)"
          R"("summary":{"errors":0,"warnings":0,"messagesProcessed":12,"messagesAccepted":12,)"
          R"("messagesInvalid":0}})",
          "application/json");
    });
    auto forward = [this](const httplib::Request& req, httplib::Response& res) {
      Forward(req, res);
    };
    server_.Get(".*", forward);
    server_.Post(".*", forward);
    server_.Patch(".*", forward);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~AmazonPrismProxy() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<Seen> seen() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }
  std::vector<std::string> token_requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return token_requests_;
  }
  std::string uploaded() {
    std::lock_guard<std::mutex> lock(mu_);
    return uploaded_;
  }

 private:
  void Forward(const httplib::Request& req, httplib::Response& res) {
    const std::string& p = req.path;
    std::string target = p.rfind("/orders/2026-01-01/", 0) == 0 ? orders_
                         : p.rfind("/orders/v0/", 0) == 0       ? orders_v0_
                         : p.rfind("/listings/", 0) == 0        ? listings_
                         : p.rfind("/feeds/", 0) == 0           ? feeds_
                                                                : "";
    std::lock_guard<std::mutex> lock(mu_);
    const bool token = req.get_header_value("x-amz-access-token") == kAccessToken;
    if (target.empty()) {
      seen_.push_back({req.method, p, 404, token});
      res.status = 404;
      return;
    }
    std::string query;
    for (const auto& [k, v] : req.params)
      query += (query.empty() ? "?" : "&") + k + "=" + httplib::detail::encode_query_param(v);
    httplib::Client client(target);
    httplib::Headers headers;
    for (const auto& [k, v] : req.headers)
      if (k == "x-amz-access-token" || k == "Accept" || k == "Content-Type") headers.emplace(k, v);
    httplib::Result r = req.method == "GET" ? client.Get(p + query, headers)
                        : req.method == "POST"
                            ? client.Post(p + query, headers, req.body, "application/json")
                            : client.Patch(p + query, headers, req.body, "application/json");
    if (!r) {
      seen_.push_back({req.method, p, 599, token});
      res.status = 502;
      return;
    }
    seen_.push_back({req.method, p, r->status, token});
    res.status = r->status;
    std::string body = r->body;
    rapidjson::Document d;
    d.Parse(body.data(), body.size());
    if (!d.HasParseError() && d.IsObject() && r->status < 300) {
      if (req.has_param("paginationToken")) d.RemoveMember("pagination");
      if (d.HasMember("url")) {  // the presigned S3 URL: this proxy
        const std::string local = url() + "/_presigned/doc";
        d["url"].SetString(local.c_str(), static_cast<rapidjson::SizeType>(local.size()),
                           d.GetAllocator());
        d.RemoveMember("compressionAlgorithm");  // the proxy's report is plain
      }
      if (p.rfind("/feeds/2021-06-30/feeds/", 0) == 0 && req.method == "GET") {
        d.RemoveMember("processingStatus");
        d.AddMember("processingStatus", "DONE", d.GetAllocator());
        d.RemoveMember("resultFeedDocumentId");
        d.AddMember("resultFeedDocumentId", "amzn1.tortuga.3.result", d.GetAllocator());
      }
      body = Json(d);
    }
    res.set_content(body, "application/json");
  }

  std::string orders_, orders_v0_, listings_, feeds_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Seen> seen_;
  std::vector<std::string> token_requests_;
  std::string uploaded_;
};

class AmazonPrism : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* orders = std::getenv("PRISM_AMAZON_ORDERS_URL");
    const char* v0 = std::getenv("PRISM_AMAZON_ORDERS_V0_URL");
    const char* listings = std::getenv("PRISM_AMAZON_LISTINGS_URL");
    const char* feeds = std::getenv("PRISM_AMAZON_FEEDS_URL");
    if (!orders || !v0 || !listings || !feeds)
      GTEST_SKIP() << "run through tests/conformance/amazon_prism_check.sh";
    proxy_ = std::make_unique<AmazonPrismProxy>(orders, v0, listings, feeds);
    secrets_.values["env:AMZ_SECRET"] = "prism-client-secret";
    secrets_.values["env:AMZ_REFRESH"] = "Atzr|prism-refresh";
    cart_.id = "prism-amazon";
    cart_.platform = "amazon";
    auto text = [](FieldType t, std::string v) {
      FieldValue f;
      f.type = t;
      f.text = std::move(v);
      return f;
    };
    auto secret = [](std::string env) {
      FieldValue f;
      f.type = FieldType::Secret;
      f.secret = SecretRef{SecretRef::Kind::Env, std::move(env)};
      return f;
    };
    cart_.api["seller_id"] = text(FieldType::String, "A2HRBRGDS7QX4N");
    cart_.api["marketplace_id"] = text(FieldType::String, "ATVPDKIKX0DER");
    cart_.api["region"] = text(FieldType::Enum, "na");
    cart_.api["client_id"] = text(FieldType::String, "amzn1.application-oa2-client.prism");
    cart_.api["client_secret"] = secret("AMZ_SECRET");
    cart_.api["refresh_token"] = secret("AMZ_REFRESH");
    cart_.api["base_url"] = text(FieldType::Url, proxy_->url());
    cart_.carrier_codes = {{"UPS", "UPS"}};
    transport_ = MakeCurlTransport();
    http_ = std::make_unique<HttpClient>(*transport_, clock_, RetryPolicy{.max_attempts = 1});
    auto made = MakeAmazonCart(cart_, ConnectorDeps{http_.get(), &secrets_});
    ASSERT_TRUE(made.ok()) << made.status().message();
    connector_ = std::move(made.value());
  }

  void ExpectAllAccepted() {
    auto seen = proxy_->seen();
    ASSERT_FALSE(seen.empty());
    for (const Seen& s : seen) {
      EXPECT_LT(s.status, 400) << s.method << " " << s.path << " -> " << s.status;
      EXPECT_TRUE(s.token) << s.method << " " << s.path << " without x-amz-access-token";
    }
    ASSERT_FALSE(proxy_->token_requests().empty());
    EXPECT_EQ(proxy_->token_requests()[0].rfind("grant_type=refresh_token&", 0), 0u);
  }

  std::unique_ptr<AmazonPrismProxy> proxy_;
  FakeSecretResolver secrets_;
  CartConfig cart_;
  SystemClock clock_;
  std::unique_ptr<HttpTransport> transport_;
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<CartConnector> connector_;
};

Status Fetch(CartConnector& c, const OrderWindow& w, std::vector<CartOrder>& out) {
  return c.FetchOrders(w, [&](std::vector<CartOrder>&& page) {
    for (CartOrder& o : page) out.push_back(std::move(o));
    return Status::Ok();
  });
}

TEST_F(AmazonPrism, SearchOrdersCreatedAfterIsAcceptedAndTheExampleParses) {
  OrderWindow w;
  w.statuses["order_status"] = {"UNSHIPPED", "PARTIALLY_SHIPPED"};
  w.created_after = 1'700'000'000;
  std::vector<CartOrder> orders;
  Status st = Fetch(*connector_, w, orders);
  ASSERT_TRUE(st.ok()) << st.message();
  ASSERT_EQ(orders.size(), 1u);  // the example order (the second page repeats it)
  EXPECT_EQ(orders[0].id, "123-4567890-1234567");
  EXPECT_EQ(orders[0].placed_at, "2024-12-25T10:30:00Z");
  EXPECT_EQ(orders[0].ship_to.country, "US");
  EXPECT_EQ(orders[0].ship_code, "STANDARD");
  EXPECT_EQ(proxy_->seen().size(), 2u);  // both pages
  ExpectAllAccepted();
}

TEST_F(AmazonPrism, SearchOrdersLastUpdatedAfterIsAccepted) {
  OrderWindow w;
  w.statuses["order_status"] = {"UNSHIPPED"};
  w.updated_after = 1'700'000'000;
  std::vector<CartOrder> orders;
  Status st = Fetch(*connector_, w, orders);
  ASSERT_TRUE(st.ok()) << st.message();
  ExpectAllAccepted();
}

TEST_F(AmazonPrism, TrackingCheckAndConfirmShipmentAreAccepted) {
  auto has = connector_->HasTracking("123-4567890-1234567", "1Z-NOT-THERE");
  ASSERT_TRUE(has.ok()) << has.status().message();
  EXPECT_FALSE(has.value());
  TrackingUpload up;
  up.order_id = "123-4567890-1234567";
  up.carrier_code = "UPS";
  up.shipment.carrier = "UPS";
  up.shipment.service = "GROUND";
  up.shipment.tracking_number = "1Z-NOT-THERE";
  up.shipment.shipped_at = "2026-11-20T10:00:00Z";
  up.shipment.lines = {{"20212345678901", "SKU", 1}};
  Status st = connector_->UploadTracking(up);
  EXPECT_TRUE(st.ok()) << st.message();
  ExpectAllAccepted();
  auto seen = proxy_->seen();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().path, "/orders/v0/orders/123-4567890-1234567/shipmentConfirmation");
  EXPECT_EQ(seen.back().status, 204);
}

TEST_F(AmazonPrism, ListingsPatchIsAccepted) {
  auto errors = connector_->PushInventory({{"TS-RED-M", 5}, {"TS-BLU-S", 0}});
  ASSERT_TRUE(errors.ok()) << errors.status().message();
  EXPECT_TRUE(errors->empty());
  ExpectAllAccepted();
}

TEST_F(AmazonPrism, ListingsFeedIsAccepted) {
  std::vector<InventoryPush> items;
  for (int i = 0; i < 12; ++i) items.push_back({"SKU-" + std::to_string(i), i});
  auto errors = connector_->PushInventory(items);
  ASSERT_TRUE(errors.ok()) << errors.status().message();
  EXPECT_TRUE(errors->empty());
  ExpectAllAccepted();
  EXPECT_NE(proxy_->uploaded().find("\"messageId\":12"), std::string::npos);
}

}  // namespace
}  // namespace cartsync

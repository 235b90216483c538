// Feeds arbitrary responses to everything in the runtime that reads JSON
// (or headers) from outside: the Shopify, WooCommerce, BigCommerce, Amazon,
// Walmart, eBay and Magento connectors, the token exchanges of the OAuth
// strategies (runtime/net/auth.h) Amazon, Walmart and eBay use, and the WMS
// `http` transport (through their public interfaces,
// over a scripted HttpTransport), the WMS response readers the `command` and
// `directory` transports share, the document readers (FromJson) the state
// store relies on, and plans (PlanFromJson). Any crash, hang, sanitizer
// report or leak is a bug: a hostile or broken server must only ever produce
// a Status.
//
// One more oracle: the credentials the connectors are given never appear in a
// Status message, even when a response echoes them back (the dictionary and
// seeds carry the marker values so the fuzzer can try that).
//
// Input: byte 0 picks the target ('a' + N, see kTargets; any byte works, mod
// the count; the targets past 'z' take the bytes after it, '{' = 26 …),
// an optional '\n' after it is skipped, then the responses
// separated by 0x1E (ASCII RS). A response is either
//   "STATUS\nName: value\n…\n\nBODY"   (three digits, headers, blank line)
// or just "BODY" (status 200, no headers). When the responses run out, every
// further request fails as a network error (Transient), which ends any paging
// loop. Seeds: tests/fuzz/corpus/json_fuzzer/ (written by make_json_seeds.py).
#include <rapidjson/document.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "model/plan.h"
#include "model/plan_json.h"
#include "runtime/carts/bigcommerce_cart.h"
#include "runtime/carts/connectors.h"
#include "runtime/carts/shopify_cart.h"
#include "runtime/carts/woocommerce_cart.h"
#include "runtime/clock.h"
#include "runtime/documents.h"
#include "runtime/net/auth.h"
#include "runtime/net/http_client.h"
#include "runtime/secrets.h"
#include "runtime/wms/wms_client.h"
#include "runtime/wms/wms_transports.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_secrets.h"

namespace {

using namespace cartsync;

// Marker credentials; the dictionary (json_fuzzer.dict) lists them too.
constexpr const char* kShopifyToken = "shpat_FUZZSECRETshopify0001";
constexpr const char* kWooKey = "ck_FUZZSECRETwookey0002";
constexpr const char* kWooSecret = "cs_FUZZSECRETwoosecret0003";
constexpr const char* kBcToken = "FUZZSECRETbigcommerce0004";
constexpr const char* kWmsToken = "FUZZSECRETwmstoken0005";
constexpr const char* kAmazonSecret = "amzn1.oa2-cs.v1.FUZZSECRETamazon0006";
constexpr const char* kAmazonRefresh = "Atzr|FUZZSECRETamazonrefresh0007";
constexpr const char* kWalmartSecret = "FUZZSECRETwalmart0008";
constexpr const char* kEbaySecret = "PRD-FUZZSECRETebay0009";
constexpr const char* kEbayRefresh = "v^1.1#i^1#FUZZSECRETebayrefresh0010";
constexpr const char* kMagentoToken = "FUZZSECRETmagento0011";
constexpr const char* kMagentoConsumerKey = "FUZZSECRETmagentockey0012";
constexpr const char* kMagentoConsumerSecret = "FUZZSECRETmagentocsecret0013";
constexpr const char* kMagentoOauthToken = "FUZZSECRETmagentotoken0014";
constexpr const char* kMagentoOauthSecret = "FUZZSECRETmagentotsecret0015";

enum Target {
  kShopifyFetch,
  kShopifyHasTracking,
  kShopifyUpload,
  kShopifyInventory,
  kWooFetch,
  kWooHasTracking,
  kWooUpload,
  kWooInventory,
  kBcFetch,
  kBcHasTracking,
  kBcUpload,
  kBcInventory,
  kWmsHttp,
  kWmsReaders,
  kDocuments,
  kPlan,
  kHelpers,
  // Appended (the seeds name targets by position): four per platform, in
  // the order of kConnectorPlatforms, then the token exchanges.
  kAmazonFetch,
  kAmazonHasTracking,
  kAmazonUpload,
  kAmazonInventory,
  kWalmartFetch,
  kWalmartHasTracking,
  kWalmartUpload,
  kWalmartInventory,
  kEbayFetch,
  kEbayHasTracking,
  kEbayUpload,
  kEbayInventory,
  kMagentoFetch,
  kMagentoHasTracking,
  kMagentoUpload,
  kMagentoInventory,
  kAmazonToken,
  kWalmartToken,
  kEbayToken,
  kTargets
};

const char* const kConnectorPlatforms[] = {"shopify", "woocommerce", "bigcommerce", "amazon",
                                           "walmart", "ebay",        "magento"};

/// Answers requests from the script, then fails every further one.
class FuzzTransport : public HttpTransport {
 public:
  std::vector<HttpResponse> responses;
  size_t next = 0;
  Result<HttpResponse> Send(const HttpRequest&) override {
    if (next >= responses.size()) return Status::Transient("fuzz: connection refused");
    return responses[next++];
  }
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

HttpResponse ParseResponse(std::string_view chunk) {
  HttpResponse r;
  r.status = 200;
  if (chunk.size() >= 4 && IsDigit(chunk[0]) && IsDigit(chunk[1]) && IsDigit(chunk[2]) &&
      chunk[3] == '\n') {
    r.status = (chunk[0] - '0') * 100 + (chunk[1] - '0') * 10 + (chunk[2] - '0');
    chunk.remove_prefix(4);
    while (!chunk.empty() && chunk.front() != '\n') {
      size_t eol = chunk.find('\n');
      std::string_view line = chunk.substr(0, eol);
      size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        r.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
      }
      chunk = eol == std::string_view::npos ? std::string_view() : chunk.substr(eol + 1);
    }
    if (!chunk.empty()) chunk.remove_prefix(1);  // the blank line
  }
  r.body.assign(chunk.data(), chunk.size());
  return r;
}

std::vector<HttpResponse> ParseScript(std::string_view rest) {
  std::vector<HttpResponse> out;
  while (true) {
    size_t sep = rest.find('\x1e');
    out.push_back(ParseResponse(rest.substr(0, sep)));
    if (sep == std::string_view::npos || out.size() >= 64) break;
    rest.remove_prefix(sep + 1);
  }
  return out;
}

[[noreturn]] void Leak(const std::string& message) {
  std::fprintf(stderr, "json_fuzzer: a credential reached a message: %s\n", message.c_str());
  __builtin_trap();
}

// The credentials the code under test was given (a connector cannot scrub
// another cart's secrets, and need not).
const std::vector<std::string>* g_secrets = nullptr;

void CheckMessage(const Status& st) {
  // JSON_FUZZER_VERBOSE=1: what each call returned (to check that a seed
  // gets past the first answer).
  static const bool verbose = std::getenv("JSON_FUZZER_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "json_fuzzer: %s\n", st.ok() ? "OK" : st.message().c_str());
  for (const std::string& secret : *g_secrets) {
    if (st.message().find(secret) != std::string::npos) Leak(st.message());
  }
}

FieldValue Text(FieldType type, std::string text) {
  FieldValue f;
  f.type = type;
  f.text = std::move(text);
  return f;
}

FieldValue Secret(const char* name) {
  FieldValue f;
  f.type = FieldType::Secret;
  f.secret = SecretRef{SecretRef::Kind::Env, name};
  return f;
}

CartConfig Cart(const std::string& platform, bool variant) {
  CartConfig c;
  c.id = "fuzz-" + platform;
  c.client = "fuzz";
  c.platform = platform;
  c.wms = "main";
  if (platform == "shopify") {
    c.api["store_url"] = Text(FieldType::Url, "https://fuzz.myshopify.com");
    c.api["api_version"] = Text(FieldType::Enum, "2026-10");
    c.api["access_token"] = Secret("SHOPIFY_TOKEN");
    c.statuses = {{"status", {"open"}},
                  {"financial_status", {"paid", "partially_refunded"}},
                  {"fulfillment_status", {"unfulfilled", "partial"}}};
  } else if (platform == "woocommerce") {
    c.api["store_url"] = Text(FieldType::Url, "https://shop.example.com");
    c.api["consumer_key"] = Secret("WOO_KEY");
    c.api["consumer_secret"] = Secret("WOO_SECRET");
    c.api["tracking"] = Text(FieldType::Enum, variant ? "order_note" : "shipment_tracking");
    c.statuses = {{"status", {"processing", "on-hold"}}};
  } else if (platform == "amazon") {
    c.api["seller_id"] = Text(FieldType::String, "A2FUZZSELLER7QX");
    c.api["marketplace_id"] = Text(FieldType::String, "ATVPDKIKX0DER");
    if (variant)
      c.api["base_url"] = Text(FieldType::Url, "https://sellingpartnerapi-na.amazon.com");
    else
      c.api["region"] = Text(FieldType::Enum, "na");
    c.api["client_id"] = Text(FieldType::String, "amzn1.application-oa2-client.fuzz");
    c.api["client_secret"] = Secret("AMZ_SECRET");
    c.api["refresh_token"] = Secret("AMZ_REFRESH");
    c.carrier_codes = {{"UPS", "UPS"}, {"FedEx", "FEDEX"}};
    c.statuses = {{"order_status", {"UNSHIPPED", "PARTIALLY_SHIPPED"}}};
  } else if (platform == "walmart") {
    c.api["client_id"] = Text(FieldType::String, "5b0d6c1e-2f3a-4b5c-8d9e-0a1b2c3d4e5f");
    c.api["client_secret"] = Secret("WM_SECRET");
    if (variant) {
      FieldValue node;
      node.type = FieldType::Integer;
      node.integer = 10000003527;
      c.api["ship_node"] = node;
      c.api["channel_type"] = Text(FieldType::String, "0f3e4dd4-0514-4346-b39d-af0e00ea066d");
    }
    c.statuses = {{"status", {"Created", "Acknowledged"}}};
  } else if (platform == "ebay") {
    c.api["marketplace_id"] = Text(FieldType::String, "EBAY_US");
    c.api["client_id"] = Text(FieldType::String, "FuzzApp-cartsync-PRD-fuzz01");
    c.api["client_secret"] = Secret("EBAY_SECRET");
    c.api["refresh_token"] = Secret("EBAY_REFRESH");
    if (variant) {
      // The smallest call budget: the budget's edges get hit.
      FieldValue calls;
      calls.type = FieldType::Integer;
      calls.integer = 3;
      c.api["max_calls_per_run"] = calls;
    }
    c.statuses = {{"fulfillment_status", {"NOT_STARTED", "IN_PROGRESS"}}};
  } else if (platform == "magento") {
    c.api["store_url"] = Text(FieldType::Url, "https://www.fuzz.example");
    if (variant) {
      // OAuth 1.0a (signed requests) and the legacy stock items API.
      c.api["consumer_key"] = Secret("MAGENTO_CKEY");
      c.api["consumer_secret"] = Secret("MAGENTO_CSECRET");
      c.api["oauth_token"] = Secret("MAGENTO_TOKEN");
      c.api["oauth_token_secret"] = Secret("MAGENTO_TSECRET");
      c.api["inventory_api"] = Text(FieldType::Enum, "legacy");
    } else {
      c.api["access_token"] = Secret("MAGENTO_BEARER");
    }
    c.statuses = {{"status", {"processing", "pending"}}};
  } else {
    c.api["store_hash"] = Text(FieldType::String, "fuzz1");
    c.api["access_token"] = Secret("BC_TOKEN");
    FieldValue loc;
    loc.type = FieldType::Integer;
    loc.integer = variant ? 2 : 1;
    c.api["inventory_location_id"] = loc;
    c.statuses = {{"status", {"Awaiting Fulfillment", "Awaiting Shipment"}}};
  }
  return c;
}

Shipment SampleShipment() {
  Shipment s;
  s.order_key = "fuzz:1001";
  s.carrier = "UPS";
  s.service = "GROUND";
  s.tracking_number = "1ZFUZZ0001";
  s.shipped_at = "2026-11-20T10:00:00Z";
  s.lines = {{"11", "TS-RED-M", 2}, {"12", "HD-BLU-L", 1}};
  return s;
}

WmsOrder SampleOrder() {
  WmsOrder o;
  o.order_key = "fuzz:1001";
  o.cart_id = "fuzz";
  o.client = "fuzz";
  o.order_number = "#1001";
  o.placed_at = "2026-11-20T10:00:00Z";
  o.ship_to.name = "A B";
  o.ship_to.country = "US";
  o.ship_method = {"Standard", "UPS", "GROUND"};
  o.lines = {{"11", "TS-RED-M", 2, "19.99"}};
  return o;
}

// What every input shares is made once per process (LLVMFuzzerInitialize):
// the secrets, the carts' configurations and the credentials each is given.
// Only what an input can change (transport, clock, HTTP client, connector)
// is made per input.
void SetSecrets(FakeSecretResolver& secrets) {
  secrets.values = {{"env:SHOPIFY_TOKEN", kShopifyToken},
                    {"env:WOO_KEY", kWooKey},
                    {"env:WOO_SECRET", kWooSecret},
                    {"env:BC_TOKEN", kBcToken},
                    {"env:AMZ_SECRET", kAmazonSecret},
                    {"env:AMZ_REFRESH", kAmazonRefresh},
                    {"env:WM_SECRET", kWalmartSecret},
                    {"env:EBAY_SECRET", kEbaySecret},
                    {"env:EBAY_REFRESH", kEbayRefresh},
                    {"env:MAGENTO_BEARER", kMagentoToken},
                    {"env:MAGENTO_CKEY", kMagentoConsumerKey},
                    {"env:MAGENTO_CSECRET", kMagentoConsumerSecret},
                    {"env:MAGENTO_TOKEN", kMagentoOauthToken},
                    {"env:MAGENTO_TSECRET", kMagentoOauthSecret}};
}

// The credentials a cart of `platform` is given (Cart(platform, variant)): a
// connector can only keep out of its messages what it was given.
std::vector<std::string> SecretsOf(const std::string& platform, bool variant) {
  if (platform == "shopify") return {kShopifyToken};
  if (platform == "woocommerce") return {kWooKey, kWooSecret};
  if (platform == "bigcommerce") return {kBcToken};
  if (platform == "amazon") return {kAmazonSecret, kAmazonRefresh};
  if (platform == "walmart") return {kWalmartSecret};
  if (platform == "ebay") return {kEbaySecret, kEbayRefresh};
  if (!variant) return {kMagentoToken};
  return {kMagentoConsumerKey, kMagentoConsumerSecret, kMagentoOauthToken, kMagentoOauthSecret};
}

constexpr size_t kPlatforms = std::size(kConnectorPlatforms);

struct Shared {
  FakeSecretResolver secrets;                     // every cart's
  FakeSecretResolver wms_secrets;                 // the WMS token only
  CartConfig carts[kPlatforms][2];                // by platform, variant
  std::vector<std::string> given[kPlatforms][2];  // SecretsOf(platform, variant)
  std::vector<std::string> wms_given = {kWmsToken};
};

Shared& Once() {
  static Shared* const shared = [] {
    auto* s = new Shared;
    SetSecrets(s->secrets);
    s->wms_secrets.values = {{"env:WMS_TOKEN", kWmsToken}};
    for (size_t p = 0; p < kPlatforms; ++p) {
      for (int v = 0; v < 2; ++v) {
        s->carts[p][v] = Cart(kConnectorPlatforms[p], v == 1);
        s->given[p][v] = SecretsOf(kConnectorPlatforms[p], v == 1);
      }
    }
    return s;
  }();
  return *shared;
}

SecretResolver& SharedSecrets() { return Once().secrets; }

void Connector(int target, bool variant, std::string_view rest) {
  // The first twelve connector targets sit before the WMS ones, the rest after.
  const int index = target < kWmsHttp ? target - kShopifyFetch : target - kAmazonFetch + 12;
  const std::string platform = kConnectorPlatforms[index / 4];
  FakeClock clock;
  FuzzTransport transport;
  transport.responses = ParseScript(rest);
  RateLimiter limiter;
  HttpClient http(transport, clock, RetryPolicy{2, 10, 100, 1000}, &limiter);
  const CartConfig& cart = Once().carts[index / 4][variant];
  g_secrets = &Once().given[index / 4][variant];
  auto made = MakeCartConnector(cart, {&http, &SharedSecrets()});
  if (!made.ok()) {
    std::fprintf(stderr, "json_fuzzer: the %s config is refused: %s\n", platform.c_str(),
                 made.status().message().c_str());
    __builtin_trap();  // the configs above are valid
  }
  CartConnector& c = *made.value();
  switch (index % 4) {
    case 0: {
      OrderWindow w;
      w.statuses = cart.statuses;
      if (variant)
        w.updated_after = 1'795'000'000;
      else
        w.created_after = 1'790'000'000;
      Status st = c.FetchOrders(w, [&](std::vector<CartOrder>&& page) {
        for (const CartOrder& o : page) {
          // What the runner stores must read back.
          CartOrder back;
          std::string error;
          if (!FromJson(ToJson(o), back, error)) {
            std::fprintf(stderr, "json_fuzzer: a fetched order does not read back (%s): %s\n",
                         error.c_str(), ToJson(o).c_str());
            __builtin_trap();
          }
        }
        return Status::Ok();
      });
      CheckMessage(st);
      break;
    }
    case 1: {
      auto r = c.HasTracking("1001", "1ZFUZZ0001");
      CheckMessage(r.status());
      break;
    }
    case 2: {
      TrackingUpload up;
      up.order_id = "1001";
      up.carrier_code = "UPS";
      up.shipment = SampleShipment();
      CheckMessage(c.UploadTracking(up));
      break;
    }
    case 3: {
      std::vector<InventoryPush> items = {{"TS-RED-M", 14}, {"HD-BLU-L", 0}, {"GIFT-CARD", 3}};
      if (variant && (platform == "amazon" || platform == "walmart")) {
        // Past Amazon's and Walmart's single-SKU limit (10): their feeds.
        for (int i = 0; i < 9; ++i) items.push_back({"FUZZ-" + std::to_string(i), i});
      }
      auto r = c.PushInventory(items);
      CheckMessage(r.status());
      if (r.ok()) {
        for (const PushError& e : r.value()) {
          CheckMessage(Status::Permanent(e.message));
        }
      }
      break;
    }
  }
}

// The token exchanges alone, configured as the connectors configure them:
// every Apply() reads the next answer when it needs a token; Invalidate()
// (a 401) and the clock (expiry) force new exchanges.
void TokenExchange(int target, bool variant, std::string_view rest) {
  FakeClock clock;
  FuzzTransport transport;
  transport.responses = ParseScript(rest);
  HttpClient http(transport, clock, RetryPolicy{2, 10, 100, 1000});
  SecretResolver& secrets = SharedSecrets();
  std::unique_ptr<AuthStrategy> auth;
  auto given = [&](const char* platform) {
    const auto* p = std::find(std::begin(kConnectorPlatforms), std::end(kConnectorPlatforms),
                              std::string_view(platform));
    return &Once().given[p - std::begin(kConnectorPlatforms)][variant];
  };
  if (target == kAmazonToken) {
    g_secrets = given("amazon");
    LwaConfig c;
    c.token_url = "https://api.amazon.com/auth/o2/token";
    c.client_id = "amzn1.application-oa2-client.fuzz";
    c.client_secret = SecretRef{SecretRef::Kind::Env, "AMZ_SECRET"};
    c.refresh_token = SecretRef{SecretRef::Kind::Env, "AMZ_REFRESH"};
    auth = std::make_unique<LwaRefreshTokenAuth>(std::move(c), http, secrets);
  } else if (target == kWalmartToken) {
    g_secrets = given("walmart");
    ClientCredentialsConfig c;
    c.label = "Walmart";
    c.token_url = "https://marketplace.walmartapis.com/v3/token";
    c.client_id = "5b0d6c1e-2f3a-4b5c-8d9e-0a1b2c3d4e5f";
    c.client_secret = SecretRef{SecretRef::Kind::Env, "WM_SECRET"};
    c.header = "WM_SEC.ACCESS_TOKEN";
    c.prefix = "";
    c.basic_auth = true;
    c.default_lifetime_ms = 15 * 60'000;
    c.decorate = [](HttpRequest& request) {
      request.headers.emplace_back("WM_SVC.NAME", "Walmart Marketplace");
    };
    auth = std::make_unique<ClientCredentialsAuth>(std::move(c), http, secrets);
  } else {
    g_secrets = given("ebay");
    RefreshTokenConfig c;
    c.label = "eBay";
    c.token_url = "https://api.ebay.com/identity/v1/oauth2/token";
    c.client_id = "FuzzApp-cartsync-PRD-fuzz01";
    c.client_secret = SecretRef{SecretRef::Kind::Env, "EBAY_SECRET"};
    c.refresh_token = SecretRef{SecretRef::Kind::Env, "EBAY_REFRESH"};
    c.scope = "https://api.ebay.com/oauth/api_scope/sell.fulfillment";
    auth = std::make_unique<OAuthRefreshTokenAuth>(std::move(c), http, secrets);
  }
  for (int round = 0; round < 4; ++round) {
    HttpRequest request;
    request.url = "https://api.example.com/orders";
    CheckMessage(auth->Apply(request));
    if (variant)
      (void)auth->Invalidate();
    else
      clock.Advance(int64_t{3} * 60 * 60'000);  // past any default lifetime
  }
}

void WmsHttp(bool variant, std::string_view rest) {
  FakeClock clock;
  FuzzTransport transport;
  transport.responses = ParseScript(rest);
  HttpClient http(transport, clock, RetryPolicy{2, 10, 100, 1000});
  FakeSecretResolver& secrets = Once().wms_secrets;
  g_secrets = &Once().wms_given;
  WmsConfig config;
  config.name = "main";
  config.system = "http";
  config.fields["url"] = Text(FieldType::Url, "https://wms.example.com/api");
  config.fields["token"] = Secret("WMS_TOKEN");
  WmsDeps deps{&http, &secrets, &clock, "."};
  auto made = MakeWmsClient(config, deps);
  if (!made.ok()) __builtin_trap();
  WmsClient& w = *made.value();
  // Every call reads the next responses, in this order.
  CheckMessage(w.PushOrder(SampleOrder()).status());
  CheckMessage(w.FindOrder(variant ? "fuzz:1001" : "fuzz:a b/c?d").status());
  auto page = w.PullShipments(variant ? "" : "cursor 1/2");
  CheckMessage(page.status());
  if (page.ok()) {
    for (const Shipment& s : page->shipments) {
      Shipment back;
      std::string error;
      if (!FromJson(ToJson(s), back, error)) __builtin_trap();
    }
  }
  CheckMessage(w.PullInventory("").status());
  CheckMessage(w.PullAliases("").status());
}

void WmsReaders(std::string_view rest) {
  const std::string context = "WMS fuzz";
  auto doc = wms_detail::ParseObject(rest, context);
  if (!doc.ok()) return;
  const rapidjson::Value& v = *doc.value();
  (void)wms_detail::ReadOrderId(v, true, context);
  (void)wms_detail::ReadOrderId(v, false, context);
  (void)wms_detail::ReadShipmentPage(v, context);
  (void)wms_detail::ReadInventorySnapshot(v, context);
  (void)wms_detail::ReadAliasList(v, context);
  std::vector<Shipment> shipments;
  std::string error;
  (void)wms_detail::AppendShipments(v, shipments, error);
}

template <class T>
void RoundTrip(std::string_view json) {
  T value;
  std::string error;
  if (!FromJson(json, value, error)) return;
  if constexpr (std::is_same_v<T, CartOrder> || std::is_same_v<T, WmsOrder> ||
                std::is_same_v<T, Shipment>) {
    // What was read is written and read again, unchanged.
    const std::string once = ToJson(value);
    T again;
    if (!FromJson(once, again, error)) __builtin_trap();
    if (ToJson(again) != once) __builtin_trap();
  }
}

void Documents(std::string_view rest) {
  RoundTrip<CartOrder>(rest);
  RoundTrip<WmsOrder>(rest);
  RoundTrip<Shipment>(rest);
  RoundTrip<InventoryRecord>(rest);
  RoundTrip<AliasRecord>(rest);
}

void Plans(std::string_view rest) {
  Plan plan;
  std::string error;
  if (!PlanFromJson(rest, plan, error)) return;
  // A plan that reads must write, and what it writes must read back the same.
  const std::string once = PlanToJson(plan);
  Plan again;
  if (!PlanFromJson(once, again, error)) {
    std::fprintf(stderr, "json_fuzzer: a plan that read does not read back: %s\n", error.c_str());
    __builtin_trap();
  }
  if (PlanToJson(again) != once) __builtin_trap();
}

void Helpers(std::string_view rest) {
  std::string text(rest);
  (void)shopify_detail::GidNumber(rest);
  (void)shopify_detail::SearchValue(rest);
  (void)shopify_detail::ErrorText(rest);
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseNumbersAsStringsFlag>(text.data(), text.size());
  if (!doc.HasParseError()) {
    CartOrder o;
    std::string error;
    (void)shopify_detail::ReadOrder(doc, o, error);
    (void)shopify_detail::MatchesStatus(doc, "financial_status", {"paid", "pending"});
    (void)shopify_detail::MatchesStatus(doc, "fulfillment_status", {"unfulfilled", "partial"});
    (void)shopify_detail::MatchesStatus(doc, "status", {"open", "any"});
  }
  int64_t seconds = 0;
  (void)ParseTimestamp(text, seconds);
  (void)woocommerce::GmtToIso(rest);
  (void)bigcommerce::ToIsoUtc(rest);
  (void)bigcommerce::StatusId(rest);
  const std::string redacted = RedactUrl(rest);
  if (RedactUrl(redacted) != redacted) __builtin_trap();  // redaction is idempotent
  (void)IsSecretHeader(rest);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)Once();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const int target = static_cast<uint8_t>((data[0] | 0x20) - 'a') % kTargets;
  // Bit 5 of the selector (upper/lower case letter) picks a variant: another
  // configuration or window.
  const bool variant = (data[0] & 0x20) == 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (!rest.empty() && rest.front() == '\n') rest.remove_prefix(1);
  switch (target) {
    case kWmsHttp:
      WmsHttp(variant, rest);
      break;
    case kWmsReaders:
      WmsReaders(rest);
      break;
    case kDocuments:
      Documents(rest);
      break;
    case kPlan:
      Plans(rest);
      break;
    case kHelpers:
      Helpers(rest);
      break;
    case kAmazonToken:
    case kWalmartToken:
    case kEbayToken:
      TokenExchange(target, variant, rest);
      break;
    default:
      Connector(target, variant, rest);
      break;
  }
  return 0;
}

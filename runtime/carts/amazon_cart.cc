// Amazon SP-API over HttpClient (retries, 429 with Retry-After, redaction).
// This file speaks searchOrders/getOrder (Orders API v2026-01-01),
// confirmShipment (Orders v0: the new version has no shipment call),
// patchListingsItem and the Feeds API, and paces each operation on its own
// token bucket. The access token comes from LwaRefreshTokenAuth, lives in
// memory only, goes in x-amz-access-token and is scrubbed from any answer
// text before it can reach a message; presigned feed document URLs are
// fetched without it.
#include "runtime/carts/amazon_cart.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "runtime/carts/connector_util.h"
#include "runtime/carts/order_money.h"
#include "runtime/clock.h"
#include "runtime/net/auth.h"

namespace cartsync {
namespace amazon {

namespace {

using connector_util::Member;
using connector_util::Text;

constexpr std::string_view kStatuses[] = {"PENDING_AVAILABILITY", "PENDING", "UNSHIPPED",
                                          "PARTIALLY_SHIPPED",    "SHIPPED", "CANCELLED",
                                          "UNFULFILLABLE"};

struct Plan {
  const char* operation;
  double rate, burst;
};
// The usage plans in the models' operation descriptions (requests per
// second, burst).
constexpr Plan kPlans[] = {
    {"searchOrders", 0.0056, 20}, {"getOrder", 0.5, 30},           {"confirmShipment", 2, 10},
    {"patchListingsItem", 5, 5},  {"createFeedDocument", 0.5, 15}, {"createFeed", 0.0083, 15},
    {"getFeed", 2, 15},           {"getFeedDocument", 0.0222, 10},
};

}  // namespace

std::string RegionEndpoint(std::string_view region) {
  if (region == "na" || region == "eu" || region == "fe")
    return "https://sellingpartnerapi-" + std::string(region) + ".amazon.com";
  return "";
}

bool IsFulfillmentStatus(std::string_view status) {
  return std::find(std::begin(kStatuses), std::end(kStatuses), status) != std::end(kStatuses);
}

std::string ErrorText(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  std::string out;
  if (!doc.HasParseError()) {
    const rapidjson::Value* errors = Member(&doc, "errors");
    if (errors != nullptr && errors->IsArray()) {
      for (const rapidjson::Value& e : errors->GetArray()) {
        std::string one = Text(&e, "code");
        const std::string message = Text(&e, "message");
        const std::string details = Text(&e, "details");
        if (!message.empty()) one += (one.empty() ? "" : ": ") + message;
        if (!details.empty() && details != message) one += " (" + details + ")";
        if (one.empty()) continue;
        if (!out.empty()) out += "; ";
        out += one;
      }
    }
    if (out.empty()) out = Text(&doc, "error_description");
  }
  return connector_util::OneLineExcerpt(out.empty() ? body : std::string_view(out), 300);
}

bool ParseRateLimit(std::string_view header, double& per_second) {
  header = Trim(header, " \t");
  if (header.empty() || header.size() > 32) return false;
  // digits, at most one '.', digits: no exponent, sign or locale.
  double value = 0, scale = 0;
  bool digits = false;
  for (char c : header) {
    if (c == '.') {
      if (scale != 0) return false;
      scale = 1;
      continue;
    }
    if (c < '0' || c > '9') return false;
    digits = true;
    if (scale != 0) {
      scale /= 10;
      value += (c - '0') * scale;
    } else {
      value = value * 10 + (c - '0');
    }
  }
  if (!digits || !(value > 0) || value > 1e6) return false;
  per_second = value;
  return true;
}

OperationBuckets::OperationBuckets() {
  for (const Plan& p : kPlans) buckets_[p.operation] = Bucket{p.rate, p.burst, p.burst, -1};
}

int64_t OperationBuckets::DelayBeforeMs(const std::string& operation, int64_t now_ms) {
  auto it = buckets_.find(operation);
  if (it == buckets_.end()) return 0;
  Bucket& b = it->second;
  if (b.at_ms < 0) b.at_ms = now_ms;
  const int64_t t = std::max(now_ms, b.at_ms);
  b.tokens = std::min(b.burst, b.tokens + b.rate * static_cast<double>(t - b.at_ms) / 1000.0);
  b.at_ms = t;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return t - now_ms;
  }
  const int64_t wait = static_cast<int64_t>(std::ceil((1 - b.tokens) * 1000.0 / b.rate));
  b.tokens = 0;
  b.at_ms = t + wait;
  return t + wait - now_ms;
}

void OperationBuckets::Observe(const std::string& operation, std::string_view rate_header) {
  double rate = 0;
  if (!ParseRateLimit(rate_header, rate)) return;
  auto it = buckets_.find(operation);
  if (it == buckets_.end()) return;
  it->second.rate = rate;
}

double OperationBuckets::rate(const std::string& operation) const {
  auto it = buckets_.find(operation);
  return it == buckets_.end() ? 0 : it->second.rate;
}

std::string ListingsFeed(const std::string& seller_id, const std::vector<StockItem>& items) {
  rapidjson::StringBuffer sb;
  connector_util::JsonWriter w(sb);
  w.StartObject();
  w.Key("header");
  w.StartObject();
  w.Key("sellerId");
  connector_util::WriteString(w, seller_id);
  w.Key("version");
  w.String("2.0");
  w.Key("issueLocale");
  w.String("en_US");
  w.EndObject();
  w.Key("messages");
  w.StartArray();
  for (size_t i = 0; i < items.size(); ++i) {
    w.StartObject();
    w.Key("messageId");
    w.Uint64(i + 1);
    w.Key("sku");
    connector_util::WriteString(w, items[i].sku);
    w.Key("operationType");
    w.String("PATCH");
    w.Key("productType");
    w.String("PRODUCT");
    w.Key("patches");
    w.StartArray();
    w.StartObject();
    w.Key("op");
    w.String("merge");
    w.Key("path");
    w.String("/attributes/fulfillment_availability");
    w.Key("value");
    w.StartArray();
    w.StartObject();
    w.Key("fulfillment_channel_code");
    w.String("DEFAULT");
    w.Key("quantity");
    w.Int64(items[i].quantity);
    w.EndObject();
    w.EndArray();
    w.EndObject();
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

bool ReadProcessingReport(std::string_view report, const std::vector<StockItem>& items,
                          std::map<std::string, std::string>& errors) {
  rapidjson::Document doc;
  doc.Parse(report.data(), report.size());
  if (doc.HasParseError() || !doc.IsObject()) return false;
  const rapidjson::Value* issues = Member(&doc, "issues");
  if (issues == nullptr) return Member(&doc, "summary") != nullptr;
  if (!issues->IsArray()) return false;
  for (const rapidjson::Value& issue : issues->GetArray()) {
    if (Text(&issue, "severity") != "ERROR") continue;
    std::string sku;
    int64_t id = 0;
    if (connector_util::Int(&issue, "messageId", id, &connector_util::DigitsValue) && id >= 1 &&
        static_cast<size_t>(id) <= items.size()) {
      sku = items[static_cast<size_t>(id - 1)].sku;
    } else {
      sku = Text(&issue, "sku");
    }
    if (sku.empty()) continue;
    std::string text = Text(&issue, "code");
    const std::string message = Text(&issue, "message");
    if (!message.empty()) text += (text.empty() ? "" : ": ") + message;
    std::string& slot = errors[sku];
    if (!slot.empty()) slot += "; ";
    slot += connector_util::OneLineExcerpt(text, 300);
  }
  return true;
}

}  // namespace amazon

namespace {

using connector_util::Field;
using connector_util::JsonWriter;
using connector_util::Member;
using connector_util::Text;
using connector_util::UrlEncode;
using connector_util::WriteString;
using rapidjson::Value;

constexpr int kPageSize = 100;                // searchOrders maxResultsPerPage maximum
constexpr int kMaxOrderPages = 10'000;        // 1,000,000 orders per fetch
constexpr size_t kPatchThreshold = 10;        // more SKUs than this go as one feed
constexpr size_t kFeedChunk = 10'000;         // messages per JSON_LISTINGS_FEED
constexpr int64_t kFeedWaitMs = 30 * 60'000;  // how long a run waits for a feed
constexpr int64_t kFeedPollFirstMs = 5'000;
constexpr int64_t kFeedPollMaxMs = 60'000;
constexpr size_t kMaxReportBytes = 64 << 20;
constexpr const char* kTokenUrl = "https://api.amazon.com/auth/o2/token";
constexpr const char* kFeedContentType = "application/json; charset=UTF-8";

std::string Excerpt(std::string_view body) { return connector_util::OneLineExcerpt(body, 300); }

/// gzip (RFC 1952) to bytes; false when not gzip or larger than the bound.
bool Gunzip(const std::string& in, std::string& out) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return false;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  char buf[1 << 16];
  int rc = Z_OK;
  out.clear();
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(buf, sizeof buf - z.avail_out);
    if (out.size() > kMaxReportBytes) break;
  }
  inflateEnd(&z);
  return rc == Z_STREAM_END;
}

struct Item {
  std::string id, sku;
  int64_t remaining = 0;
};

/// What the tracking check and the upload need of one order.
struct OrderState {
  std::vector<std::string> tracking_numbers;
  int64_t max_reference = 0;  ///< the highest numeric packageReferenceId
  std::vector<Item> items;
};

/// Units of an order item still to ship: quantityUnfulfilled when the
/// FULFILLMENT dataset gives it, else ordered minus fulfilled.
int64_t Remaining(const Value& item, int64_t ordered) {
  const Value* f = Member(&item, "fulfillment");
  int64_t n = 0;
  if (connector_util::Int(f, "quantityUnfulfilled", n, &connector_util::DigitsValue))
    return std::max<int64_t>(0, n);
  if (connector_util::Int(f, "quantityFulfilled", n, &connector_util::DigitsValue))
    return std::max<int64_t>(0, ordered - n);
  return ordered;
}

class AmazonCart final : public CartConnector {
 public:
  AmazonCart(std::string cart_id, std::string base, std::string seller_id,
             std::string marketplace_id, std::map<std::string, std::string> carrier_codes,
             std::unique_ptr<AuthStrategy> auth, HttpClient& http)
      : cart_id_(std::move(cart_id)),
        base_(std::move(base)),
        seller_id_(std::move(seller_id)),
        marketplace_id_(std::move(marketplace_id)),
        carrier_codes_(std::move(carrier_codes)),
        auth_(std::move(auth)),
        http_(http) {}

  Status FetchOrders(const OrderWindow& window,
                     const std::function<Status(std::vector<CartOrder>&&)>& sink) override;
  Result<bool> HasTracking(const std::string& order_id,
                           const std::string& tracking_number) override;
  Status UploadTracking(const TrackingUpload& upload) override;
  Result<std::vector<PushError>> PushInventory(const std::vector<InventoryPush>& items) override;
  /// [inference] The SP-API has no seller time zone: the marketplace's home
  /// zone (the one Seller Central shows dates in), UTC for one not listed.
  Result<StoreZone> StoreTimeZone() override {
    static constexpr std::pair<const char*, const char*> kZones[] = {
        {"ATVPDKIKX0DER", "America/Los_Angeles"},  {"A2EUQ1WTGCTBG2", "America/Los_Angeles"},
        {"A1AM78C64UM0Y8", "America/Mexico_City"}, {"A2Q3Y263D00KWC", "America/Sao_Paulo"},
        {"A1F83G8C2ARO7P", "Europe/London"},       {"A1PA6795UKMFR9", "Europe/Berlin"},
        {"A13V1IB3VIYZZH", "Europe/Paris"},        {"APJ6JRA9NG5V4", "Europe/Rome"},
        {"A1RKKUPIHCS9HS", "Europe/Madrid"},       {"A1805IZSGTT6HS", "Europe/Amsterdam"},
        {"A2NODRKZP88ZB9", "Europe/Stockholm"},    {"A1C3SOZRARQ6R3", "Europe/Warsaw"},
        {"AMEN7PMS3EDWL", "Europe/Brussels"},      {"A33AVAJ2PDY3EV", "Europe/Istanbul"},
        {"A2VIGQ35RCS4UG", "Asia/Dubai"},          {"A17E79C6D8DWNP", "Asia/Riyadh"},
        {"ARBP9OOSHTCHU", "Africa/Cairo"},         {"A21TJRUUN4KGV", "Asia/Kolkata"},
        {"A1VC38T7YXB528", "Asia/Tokyo"},          {"A39IBJ37TRP1C6", "Australia/Sydney"},
        {"A19VAU5U5O7RUS", "Asia/Singapore"}};
    StoreZone z;
    z.source = "Amazon marketplace " + marketplace_id_ + " (not in the zone table: UTC)";
    for (const auto& [id, zone] : kZones)
      if (marketplace_id_ == id) {
        z.iana = zone;
        z.source = "Amazon marketplace " + marketplace_id_ + "'s zone";
      }
    return z;
  }

 private:
  std::string Scrub(std::string text) const {
    for (const std::string& s : auth_->Secrets())
      connector_util::ScrubSecrets(text, {s}, /*min_length=*/1);
    return text;
  }
  /// One SP-API call: paced on the operation's bucket, authenticated, sent
  /// once more with a fresh token after a 401. The answer body is scrubbed.
  Result<HttpResponse> Call(const std::string& operation, const char* method,
                            const std::string& path, std::string body, bool idempotent);
  /// A request to a presigned feed document URL: no credentials.
  Result<HttpResponse> Presigned(const char* method, const std::string& url, std::string body,
                                 const std::string& content_type, const std::string& what);
  Status Failure(const HttpResponse& r, const std::string& what) const;
  Status ReadOrder(const Value& o, CartOrder& out) const;
  Result<OrderState> GetOrder(const std::string& order_id);
  Result<std::vector<PushError>> PatchEach(const std::vector<InventoryPush>& items);
  Result<std::vector<PushError>> Feed(const std::vector<amazon::StockItem>& items);

  std::string cart_id_, base_, seller_id_, marketplace_id_;
  std::map<std::string, std::string> carrier_codes_;
  std::unique_ptr<AuthStrategy> auth_;
  HttpClient& http_;
  amazon::OperationBuckets buckets_;
};

Result<HttpResponse> AmazonCart::Call(const std::string& operation, const char* method,
                                      const std::string& path, std::string body, bool idempotent) {
  const std::string where = std::string("Amazon ") + operation;
  bool refreshed = false;
  for (;;) {
    const int64_t wait = buckets_.DelayBeforeMs(operation, http_.clock().NowMs());
    if (wait > 0) http_.clock().SleepMs(wait);
    HttpRequest request;
    request.method = method;
    request.url = base_ + path;
    request.idempotent = idempotent;
    request.headers = {{"Accept", "application/json"}};
    if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    request.body = body;
    Status authorized = auth_->Apply(request);
    if (!authorized.ok()) return Status(authorized.code(), Scrub(authorized.message()));
    auto sent = http_.Send(request);
    if (!sent.ok())
      return Status(sent.status().code(), Scrub(where + ": " + sent.status().message()));
    HttpResponse r = std::move(sent.value());
    r.body = Scrub(std::move(r.body));
    buckets_.Observe(operation, r.Header("x-amzn-RateLimit-Limit"));
    // SP-API answers an expired or revoked access token with 403
    // Unauthorized ("The access token you provided has expired"), LWA-style
    // gateways with 401.
    const bool token_refused =
        r.status == 401 || (r.status == 403 && r.body.find("access token") != std::string::npos);
    if (token_refused && !refreshed && auth_->Invalidate()) {
      refreshed = true;  // an access token that died early: once more with a new one
      continue;
    }
    return r;
  }
}

Result<HttpResponse> AmazonCart::Presigned(const char* method, const std::string& url,
                                           std::string body, const std::string& content_type,
                                           const std::string& what) {
  Status st = connector_util::CheckBaseUrl(url, "Amazon " + what + " URL", "");
  if (!st.ok()) return Status::Permanent(st.message());
  HttpRequest request;
  request.method = method;
  request.url = url;
  request.idempotent = true;  // a document upload or download: safe to repeat
  if (!content_type.empty()) request.headers.emplace_back("Content-Type", content_type);
  request.body = std::move(body);
  auto sent = http_.Send(request);
  if (!sent.ok())
    return Status(sent.status().code(), "Amazon " + what + ": " + sent.status().message());
  if (sent->status < 200 || sent->status >= 300)
    return Status::Transient("Amazon " + what + ": HTTP " + std::to_string(sent->status) + ": " +
                             Excerpt(sent->body));
  return sent;
}

Status AmazonCart::Failure(const HttpResponse& r, const std::string& what) const {
  const std::string text = amazon::ErrorText(r.body);
  const std::string request_id = r.Header("x-amzn-RequestId");
  const std::string suffix =
      (text.empty() ? "" : ": " + text) +
      (request_id.empty() ? "" : " (x-amzn-RequestId " + Excerpt(request_id) + ")");
  if (r.status == 401)
    return Status::Permanent("Amazon rejected the access token (HTTP 401) on " + what + suffix);
  std::string message = "Amazon answered HTTP " + std::to_string(r.status) + " to " + what + suffix;
  if (r.status == 403)
    message +=
        " (the SP-API app needs the Inventory and Order Tracking, Direct-to-Consumer Shipping and "
        "Product Listing roles, and must be authorized for this seller and marketplace)";
  if (r.status == 404) return Status::NotFound(message);
  if (r.status >= 500 || r.status == 429) return Status::Transient(message);
  return Status::Permanent(message);
}

Status AmazonCart::ReadOrder(const Value& o, CartOrder& out) const {
  out.id = Text(&o, "orderId");
  if (!o.IsObject() || out.id.empty())
    return Status::Permanent("Amazon searchOrders returned an order without an orderId");
  out.order_number = out.id;
  out.placed_at = connector_util::ToIsoUtc(Text(&o, "createdTime"));
  out.updated_at = connector_util::ToIsoUtc(Text(&o, "lastUpdatedTime"));
  if (out.updated_at.empty()) out.updated_at = out.placed_at;
  const Value* fulfillment = Member(&o, "fulfillment");
  out.status = Text(fulfillment, "fulfillmentStatus");
  out.canceled = out.status == "CANCELLED";
  out.ship_code = Text(fulfillment, "fulfillmentServiceLevel");
  const Value* a = Member(Member(&o, "recipient"), "deliveryAddress");
  out.ship_to.name = Text(a, "name");
  out.ship_to.company = Text(a, "companyName");
  out.ship_to.address1 = Text(a, "addressLine1");
  out.ship_to.address2 = Text(a, "addressLine2");
  if (std::string line3 = Text(a, "addressLine3"); !line3.empty())
    out.ship_to.address2 += (out.ship_to.address2.empty() ? "" : ", ") + line3;
  out.ship_to.city = Text(a, "city");
  out.ship_to.region = Text(a, "stateOrRegion");
  out.ship_to.postal_code = Text(a, "postalCode");
  out.ship_to.country = Text(a, "countryCode");
  out.ship_to.phone = Text(a, "phone");
  out.ship_to.email = Text(Member(&o, "buyer"), "buyerEmail");
  // Money (wms-contract.md "Money"): Money {amount, currencyCode}. The
  // proceeds (includedData=PROCEEDS) break each item and the order down by
  // type: ITEM, SHIPPING, DISCOUNT (negative), TAX, others.
  std::string currency = Text(Member(Member(&o, "proceeds"), "grandTotal"), "currencyCode");
  if (const Value* first = Member(&o, "orderItems");
      currency.empty() && first != nullptr && first->IsArray() && !first->Empty())
    currency =
        Text(Member(Member(Member(&(*first)[0], "product"), "price"), "unitPrice"), "currencyCode");
  const order_money::Money money(currency);
  // By type, each breakdown's subtotal, summed; nullopt when absent.
  const auto by_type = [&](const Value* proceeds, const char* type) -> std::optional<int64_t> {
    const Value* list = Member(proceeds, "breakdowns");
    if (list == nullptr || !list->IsArray()) return std::nullopt;
    std::optional<int64_t> sum = 0;
    for (const Value& b : list->GetArray())
      if (Text(&b, "type") == type)
        order_money::Accumulate(sum, money.Minor(Text(Member(&b, "subtotal"), "amount")));
    return sum;
  };
  const auto positive = [](std::optional<int64_t> v) {
    return v && *v < 0 ? std::optional<int64_t>(-*v) : v;
  };
  out.money.currency = money.currency();
  // [inference] Amazon's marketplaces outside North America and Brazil
  // list prices with VAT/GST included.
  static constexpr const char* kTaxExclusive[] = {"ATVPDKIKX0DER", "A2EUQ1WTGCTBG2",
                                                  "A1AM78C64UM0Y8", "A2Q3Y263D00KWC"};
  out.money.taxes_included = std::find(std::begin(kTaxExclusive), std::end(kTaxExclusive),
                                       marketplace_id_) == std::end(kTaxExclusive);
  if (const Value* proceeds = Member(&o, "proceeds")) {
    out.money.totals.subtotal = order_money::MinorOrEmpty(by_type(proceeds, "ITEM"));
    out.money.totals.shipping = order_money::MinorOrEmpty(by_type(proceeds, "SHIPPING"));
    out.money.totals.discount = order_money::MinorOrEmpty(positive(by_type(proceeds, "DISCOUNT")));
    out.money.totals.tax = order_money::MinorOrEmpty(by_type(proceeds, "TAX"));
    out.money.totals.total = money.Text(Text(Member(proceeds, "grandTotal"), "amount"));
  }

  const Value* items = Member(&o, "orderItems");
  if (items == nullptr || !items->IsArray())
    return Status::Permanent("Amazon order " + out.id + " has no orderItems list");
  for (const Value& item : items->GetArray()) {
    OrderLine line;
    line.line_key = Text(&item, "orderItemId");
    int64_t ordered = 0;
    if (line.line_key.empty() ||
        !connector_util::Int(&item, "quantityOrdered", ordered, &connector_util::DigitsValue)) {
      return Status::Permanent("Amazon order " + out.id +
                               " has an order item without an orderItemId or an integer "
                               "quantityOrdered");
    }
    line.quantity = Remaining(item, ordered);
    if (line.quantity <= 0) continue;
    const Value* product = Member(&item, "product");
    line.sku = Text(product, "sellerSku");
    const Value* proceeds = Member(&item, "proceeds");
    money.SetLineMinor(line,
                       money.Minor(Text(Member(Member(product, "price"), "unitPrice"), "amount")),
                       positive(by_type(proceeds, "DISCOUNT")), by_type(proceeds, "TAX"), ordered);
    out.lines.push_back(std::move(line));
  }
  return Status::Ok();
}

Status AmazonCart::FetchOrders(const OrderWindow& window,
                               const std::function<Status(std::vector<CartOrder>&&)>& sink) {
  std::string statuses;
  if (auto it = window.statuses.find("order_status"); it != window.statuses.end()) {
    for (const std::string& s : it->second) {
      if (!amazon::IsFulfillmentStatus(s))
        return Status::Permanent("Amazon has no fulfillment status named \"" + s + "\"");
      if (!statuses.empty()) statuses += ',';
      statuses += s;
    }
    // Cancellations: a later pull (lastUpdatedAfter) also reads the orders
    // CANCELLED since, whatever the filter (CartOrder::canceled). Not on
    // the first pull.
    if (window.updated_after && !statuses.empty() &&
        std::find(it->second.begin(), it->second.end(), "CANCELLED") == it->second.end())
      statuses += ",CANCELLED";
  }
  // Exactly one of createdAfter and lastUpdatedAfter (the model's rule).
  std::string query = "marketplaceIds=" + UrlEncode(marketplace_id_);
  if (!statuses.empty()) query += "&fulfillmentStatuses=" + UrlEncode(statuses, ",");
  // Orders Amazon fulfils (FBA) are not the warehouse's to ship.
  query += "&fulfilledBy=MERCHANT";
  if (window.updated_after) {
    query += "&lastUpdatedAfter=" + UrlEncode(FormatIsoUtc(*window.updated_after), ":");
  } else {
    query += "&createdAfter=" + UrlEncode(FormatIsoUtc(window.created_after.value_or(0)), ":");
  }
  query += "&maxResultsPerPage=" + std::to_string(kPageSize) +
           "&includedData=RECIPIENT,FULFILLMENT,PROCEEDS";

  std::set<std::string> seen;
  std::string token;
  for (int page = 1;; ++page) {
    if (page > kMaxOrderPages)
      return Status::Permanent("Amazon searchOrders: more than " + std::to_string(kMaxOrderPages) +
                               " pages; stopping");
    const std::string what =
        "searchOrders (GET /orders/2026-01-01/orders, page " + std::to_string(page) + ")";
    auto r = Call("searchOrders", "GET",
                  "/orders/2026-01-01/orders?" + query +
                      (token.empty() ? "" : "&paginationToken=" + UrlEncode(token)),
                  "", true);
    if (!r.ok()) return r.status();
    if (r->status != 200) return Failure(r.value(), what);
    rapidjson::Document doc;
    doc.Parse(r->body.data(), r->body.size());
    const Value* orders = doc.HasParseError() ? nullptr : Member(&doc, "orders");
    if (orders == nullptr || !orders->IsArray())
      return Status::Permanent("Amazon answered " + what +
                               " without an orders list: " + Excerpt(r->body));
    std::vector<CartOrder> batch;
    for (const Value& o : orders->GetArray()) {
      const std::string id = Text(&o, "orderId");
      if (!id.empty() && !seen.insert(id).second) continue;
      CartOrder order;
      Status st = ReadOrder(o, order);
      if (!st.ok()) return st;
      batch.push_back(std::move(order));
    }
    if (!batch.empty()) {
      Status st = sink(std::move(batch));
      if (!st.ok()) return st;
    }
    const std::string next = Text(Member(&doc, "pagination"), "nextToken");
    if (next.empty()) break;
    if (next == token)
      return Status::Permanent("Amazon " + what + " answered the same nextToken again; stopping");
    token = next;
  }
  return Status::Ok();
}

Result<OrderState> AmazonCart::GetOrder(const std::string& order_id) {
  const std::string what = "getOrder (GET /orders/2026-01-01/orders/" + order_id + ")";
  auto r = Call(
      "getOrder", "GET",
      "/orders/2026-01-01/orders/" + UrlEncode(order_id) + "?includedData=FULFILLMENT,PACKAGES", "",
      true);
  if (!r.ok()) return r.status();
  if (r->status != 200) return Failure(r.value(), what);
  rapidjson::Document doc;
  doc.Parse(r->body.data(), r->body.size());
  const Value* order = doc.HasParseError() ? nullptr : Member(&doc, "order");
  if (order == nullptr || !order->IsObject())
    return Status::Permanent("Amazon answered " + what + " without an order: " + Excerpt(r->body));
  OrderState state;
  if (const Value* packages = Member(order, "packages"); packages != nullptr) {
    if (!packages->IsArray())
      return Status::Permanent("Amazon answered " + what + " with packages that are not a list");
    for (const Value& p : packages->GetArray()) {
      int64_t reference = 0;
      if (connector_util::Int(&p, "packageReferenceId", reference, &connector_util::DigitsValue))
        state.max_reference = std::max(state.max_reference, reference);
      const std::string number = Text(&p, "trackingNumber");
      if (!number.empty()) state.tracking_numbers.push_back(number);
    }
  }
  if (const Value* items = Member(order, "orderItems"); items != nullptr && items->IsArray()) {
    for (const Value& item : items->GetArray()) {
      Item it;
      it.id = Text(&item, "orderItemId");
      int64_t ordered = 0;
      if (it.id.empty() ||
          !connector_util::Int(&item, "quantityOrdered", ordered, &connector_util::DigitsValue))
        continue;
      it.sku = Text(Member(&item, "product"), "sellerSku");
      it.remaining = Remaining(item, ordered);
      state.items.push_back(std::move(it));
    }
  }
  return state;
}

Result<bool> AmazonCart::HasTracking(const std::string& order_id,
                                     const std::string& tracking_number) {
  if (order_id.empty() || tracking_number.empty())
    return Status::Permanent("Amazon tracking check needs an order id and a tracking number");
  auto state = GetOrder(order_id);
  if (!state.ok()) return state.status();
  const auto& numbers = state->tracking_numbers;
  return std::find(numbers.begin(), numbers.end(), tracking_number) != numbers.end();
}

Status AmazonCart::UploadTracking(const TrackingUpload& upload) {
  const std::string& order_id = upload.order_id;
  const std::string& number = upload.shipment.tracking_number;
  if (order_id.empty() || number.empty())
    return Status::Permanent(
        "Amazon shipment confirmation needs an order id and a tracking number");
  // Amazon takes its own carrier codes only: the cart's [carrier_codes] must
  // name the WMS carrier. Guessing would confirm the shipment with a carrier
  // the buyer's tracking page cannot follow.
  std::string carrier_code;
  if (auto it = carrier_codes_.find(upload.shipment.carrier); it != carrier_codes_.end()) {
    carrier_code = it->second;
  } else {
    for (const auto& [wms, code] : carrier_codes_) {
      if (code == upload.carrier_code && !code.empty()) carrier_code = code;
    }
  }
  if (carrier_code.empty()) {
    return Status::Permanent(
        "Amazon order " + order_id + ": no Amazon carrier code for WMS carrier \"" +
        upload.shipment.carrier + "\"; add it to the cart's [carrier_codes] (e.g. \"" +
        upload.shipment.carrier + "\" = \"UPS\", or \"Other\" to send the carrier's name)");
  }
  auto state = GetOrder(order_id);
  if (!state.ok()) return state.status();
  const auto& numbers = state->tracking_numbers;
  if (std::find(numbers.begin(), numbers.end(), number) != numbers.end()) return Status::Ok();

  std::vector<std::pair<std::string, int64_t>> lines;  // orderItemId, quantity
  for (const ShipmentLine& line : upload.shipment.lines) {
    if (line.line_key.empty() || line.quantity <= 0) continue;
    auto item = std::find_if(state->items.begin(), state->items.end(),
                             [&](const Item& i) { return i.id == line.line_key; });
    if (item == state->items.end()) continue;
    const int64_t quantity =
        item->remaining > 0 ? std::min(line.quantity, item->remaining) : line.quantity;
    auto same = std::find_if(lines.begin(), lines.end(),
                             [&](const auto& l) { return l.first == line.line_key; });
    if (same != lines.end()) {
      same->second += quantity;
    } else {
      lines.emplace_back(line.line_key, quantity);
    }
  }
  if (lines.empty()) {
    for (const Item& i : state->items) {
      if (i.remaining > 0) lines.emplace_back(i.id, i.remaining);
    }
  }
  if (lines.empty())
    return Status::Permanent("Amazon order " + order_id +
                             " has no order items left to confirm a shipment for");

  std::string ship_date = connector_util::ToIsoUtc(upload.shipment.shipped_at);
  if (ship_date.empty()) ship_date = FormatIsoUtc(http_.clock().NowSeconds());
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("marketplaceId");
  WriteString(w, marketplace_id_);
  w.Key("packageDetail");
  w.StartObject();
  w.Key("packageReferenceId");  // positive numbers only, unique within the order
  WriteString(w, std::to_string(state->max_reference + 1));
  w.Key("carrierCode");
  WriteString(w, carrier_code);
  if (carrier_code == "Other") {
    w.Key("carrierName");
    WriteString(w, upload.shipment.carrier);
  }
  if (!upload.shipment.service.empty()) {
    w.Key("shippingMethod");
    WriteString(w, upload.shipment.service);
  }
  w.Key("trackingNumber");
  WriteString(w, number);
  w.Key("shipDate");
  WriteString(w, ship_date);
  w.Key("orderItems");
  w.StartArray();
  for (const auto& [id, quantity] : lines) {
    w.StartObject();
    w.Key("orderItemId");
    WriteString(w, id);
    w.Key("quantity");
    w.Int64(quantity);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.EndObject();

  const std::string what =
      "confirmShipment (POST /orders/v0/orders/" + order_id + "/shipmentConfirmation)";
  // Not idempotent: after a timeout the next attempt checks getOrder first.
  auto r = Call("confirmShipment", "POST",
                "/orders/v0/orders/" + UrlEncode(order_id) + "/shipmentConfirmation",
                std::string(sb.GetString(), sb.GetSize()), /*idempotent=*/false);
  if (!r.ok()) return r.status();
  if (r->status == 204 || r->status == 200) {
    // A maintenance page served with 200 never reached Amazon.
    if (r->status == 204 || connector_util::IsJsonAnswer(r->Header("Content-Type"), r->body))
      return Status::Ok();
    return Status::Transient("Amazon answered " + what +
                             " with HTTP 200 but not JSON (not "
                             "counted as done): " +
                             connector_util::OneLineExcerpt(r->body, 120));
  }
  return Failure(r.value(), what);
}

Result<std::vector<PushError>> AmazonCart::PatchEach(const std::vector<InventoryPush>& items) {
  std::vector<PushError> errors;
  for (const InventoryPush& item : items) {
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    w.StartObject();
    w.Key("productType");
    w.String("PRODUCT");
    w.Key("patches");
    w.StartArray();
    w.StartObject();
    w.Key("op");
    w.String("merge");
    w.Key("path");
    w.String("/attributes/fulfillment_availability");
    w.Key("value");
    w.StartArray();
    w.StartObject();
    w.Key("fulfillment_channel_code");
    w.String("DEFAULT");
    w.Key("quantity");
    w.Int64(item.quantity);
    w.EndObject();
    w.EndArray();
    w.EndObject();
    w.EndArray();
    w.EndObject();
    const std::string what =
        "patchListingsItem (PATCH /listings/2021-08-01/items/" + seller_id_ + "/" + item.sku + ")";
    // An absolute quantity: safe to repeat.
    auto r =
        Call("patchListingsItem", "PATCH",
             "/listings/2021-08-01/items/" + UrlEncode(seller_id_) + "/" + UrlEncode(item.sku) +
                 "?marketplaceIds=" + UrlEncode(marketplace_id_) + "&issueLocale=en_US",
             std::string(sb.GetString(), sb.GetSize()), /*idempotent=*/true);
    if (!r.ok()) return r.status();
    if (r->status == 401 || r->status == 403 || r->status >= 500 || r->status == 429)
      return Failure(r.value(), what);
    if (r->status != 200) {
      // 404: the seller has no listing with this SKU.
      errors.push_back({item.sku, Failure(r.value(), what).message(), r->status == 404});
      continue;
    }
    rapidjson::Document doc;
    doc.Parse(r->body.data(), r->body.size());
    const std::string status = doc.HasParseError() ? "" : Text(&doc, "status");
    if (status == "ACCEPTED" || status == "VALID") continue;
    if (status.empty())
      return Status::Transient("Amazon answered " + what +
                               " with HTTP 200 but no submission "
                               "status (nothing counted as set): " +
                               Excerpt(r->body));
    std::string text;
    if (const Value* issues = Member(&doc, "issues"); issues != nullptr && issues->IsArray()) {
      for (const Value& issue : issues->GetArray()) {
        if (Text(&issue, "severity") != "ERROR") continue;
        if (!text.empty()) text += "; ";
        text += Text(&issue, "code") + ": " + Text(&issue, "message");
      }
    }
    errors.push_back({item.sku, "Amazon refused the quantity (" + status + ")" +
                                    (text.empty() ? "" : ": " + Excerpt(text))});
  }
  return errors;
}

Result<std::vector<PushError>> AmazonCart::Feed(const std::vector<amazon::StockItem>& items) {
  // 1. A document to upload to.
  auto doc_r = Call("createFeedDocument", "POST", "/feeds/2021-06-30/documents",
                    std::string("{\"contentType\":\"") + kFeedContentType + "\"}", true);
  if (!doc_r.ok()) return doc_r.status();
  const std::string create_doc = "createFeedDocument (POST /feeds/2021-06-30/documents)";
  if (doc_r->status != 201 && doc_r->status != 200) return Failure(doc_r.value(), create_doc);
  rapidjson::Document created;
  created.Parse(doc_r->body.data(), doc_r->body.size());
  const std::string document_id = created.HasParseError() ? "" : Text(&created, "feedDocumentId");
  const std::string upload_url = created.HasParseError() ? "" : Text(&created, "url");
  if (document_id.empty() || upload_url.empty())
    return Status::Transient("Amazon answered " + create_doc +
                             " without a feedDocumentId and url: " + Excerpt(doc_r->body));
  // 2. The feed's contents, to the presigned URL (no SP-API credentials).
  auto put = Presigned("PUT", upload_url, amazon::ListingsFeed(seller_id_, items), kFeedContentType,
                       "feed document upload");
  if (!put.ok()) return put.status();
  // 3. The feed.
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("feedType");
  w.String("JSON_LISTINGS_FEED");
  w.Key("marketplaceIds");
  w.StartArray();
  WriteString(w, marketplace_id_);
  w.EndArray();
  w.Key("inputFeedDocumentId");
  WriteString(w, document_id);
  w.EndObject();
  const std::string create_feed = "createFeed (POST /feeds/2021-06-30/feeds)";
  // A second feed with the same absolute quantities sets the same values.
  auto feed_r = Call("createFeed", "POST", "/feeds/2021-06-30/feeds",
                     std::string(sb.GetString(), sb.GetSize()), true);
  if (!feed_r.ok()) return feed_r.status();
  if (feed_r->status != 202 && feed_r->status != 200 && feed_r->status != 201)
    return Failure(feed_r.value(), create_feed);
  rapidjson::Document feed_doc;
  feed_doc.Parse(feed_r->body.data(), feed_r->body.size());
  const std::string feed_id = feed_doc.HasParseError() ? "" : Text(&feed_doc, "feedId");
  if (feed_id.empty())
    return Status::Transient("Amazon answered " + create_feed +
                             " without a feedId: " + Excerpt(feed_r->body));
  // 4. Wait for it, bounded.
  const std::string get_feed = "getFeed (GET /feeds/2021-06-30/feeds/" + feed_id + ")";
  const int64_t deadline = http_.clock().NowMs() + kFeedWaitMs;
  int64_t interval = kFeedPollFirstMs;
  std::string status, result_id;
  for (int polls = 0;; ++polls) {
    auto g = Call("getFeed", "GET", "/feeds/2021-06-30/feeds/" + UrlEncode(feed_id), "", true);
    if (!g.ok()) return g.status();
    if (g->status != 200) return Failure(g.value(), get_feed);
    rapidjson::Document fd;
    fd.Parse(g->body.data(), g->body.size());
    status = fd.HasParseError() ? "" : Text(&fd, "processingStatus");
    result_id = fd.HasParseError() ? "" : Text(&fd, "resultFeedDocumentId");
    if (status == "DONE" || status == "FATAL" || status == "CANCELLED") break;
    if (status != "IN_QUEUE" && status != "IN_PROGRESS")
      return Status::Transient("Amazon answered " + get_feed +
                               " without a processingStatus: " + Excerpt(g->body));
    if (http_.clock().NowMs() + interval > deadline || polls > 1'000)
      return Status::Transient("Amazon feed " + feed_id + " (JSON_LISTINGS_FEED) still " + status +
                               " after " + std::to_string(kFeedWaitMs / 60'000) +
                               " minutes; the next run sets the quantities again");
    http_.clock().SleepMs(interval);
    interval = std::min(interval * 2, kFeedPollMaxMs);
  }
  if (status == "CANCELLED")
    return Status::Transient("Amazon feed " + feed_id + " was cancelled; nothing counted as set");
  std::vector<PushError> errors;
  if (result_id.empty()) {
    if (status == "DONE") return errors;  // no report: nothing refused
    for (const amazon::StockItem& i : items)
      errors.push_back({i.sku, "Amazon feed " + feed_id + " ended FATAL without a report"});
    return errors;
  }
  // 5. The processing report: per-SKU results.
  const std::string get_doc = "getFeedDocument (GET /feeds/2021-06-30/documents/" + result_id + ")";
  auto d = Call("getFeedDocument", "GET", "/feeds/2021-06-30/documents/" + UrlEncode(result_id), "",
                true);
  if (!d.ok()) return d.status();
  if (d->status != 200) return Failure(d.value(), get_doc);
  rapidjson::Document dd;
  dd.Parse(d->body.data(), d->body.size());
  const std::string report_url = dd.HasParseError() ? "" : Text(&dd, "url");
  const std::string compression = dd.HasParseError() ? "" : Text(&dd, "compressionAlgorithm");
  if (report_url.empty())
    return Status::Transient("Amazon answered " + get_doc + " without a url: " + Excerpt(d->body));
  auto report = Presigned("GET", report_url, "", "", "processing report download");
  if (!report.ok()) return report.status();
  std::string text = std::move(report->body);
  if (compression == "GZIP") {
    std::string plain;
    if (!Gunzip(text, plain))
      return Status::Transient("Amazon feed " + feed_id + ": the processing report is not gzip");
    text = std::move(plain);
  }
  std::map<std::string, std::string> refused;
  if (!amazon::ReadProcessingReport(text, items, refused))
    return Status::Transient(
        "Amazon feed " + feed_id +
        ": the processing report is not a JSON_LISTINGS_FEED report: " + Excerpt(text));
  for (const amazon::StockItem& i : items) {
    auto it = refused.find(i.sku);
    if (it != refused.end()) {
      errors.push_back(
          {i.sku, "Amazon refused the quantity (feed " + feed_id + "): " + it->second});
    } else if (status == "FATAL") {
      errors.push_back({i.sku, "Amazon feed " + feed_id + " ended FATAL"});
    }
  }
  return errors;
}

Result<std::vector<PushError>> AmazonCart::PushInventory(const std::vector<InventoryPush>& items) {
  if (items.size() <= kPatchThreshold) return PatchEach(items);
  std::vector<PushError> errors;
  for (size_t start = 0; start < items.size(); start += kFeedChunk) {
    std::vector<amazon::StockItem> chunk;
    for (size_t i = start; i < std::min(items.size(), start + kFeedChunk); ++i)
      chunk.push_back({items[i].sku, items[i].quantity});
    auto r = Feed(chunk);
    if (!r.ok()) return r.status();
    errors.insert(errors.end(), r->begin(), r->end());
  }
  return errors;
}

}  // namespace

Result<std::unique_ptr<CartConnector>> MakeAmazonCart(const CartConfig& cart,
                                                      const ConnectorDeps& deps) {
  const std::string where = "cart \"" + cart.id + "\" (Amazon)";
  if (deps.http == nullptr || deps.secrets == nullptr)
    return Status::Permanent(where + ": no HTTP client or secret resolver");
  auto text = [&](const char* name) {
    const FieldValue* f = Field(cart, name);
    return f == nullptr ? std::string() : f->text;
  };
  auto upper_alnum = [](const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
      return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    });
  };
  auto seller_id = connector_util::RequiredText(cart, "seller_id", where);
  if (!seller_id.ok()) return seller_id.status();
  if (!upper_alnum(seller_id.value()))
    return Status::Permanent(where + ": [api].seller_id must match ^[A-Z0-9]+$");
  auto marketplace_id = connector_util::RequiredText(cart, "marketplace_id", where);
  if (!marketplace_id.ok()) return marketplace_id.status();
  if (!upper_alnum(marketplace_id.value()))
    return Status::Permanent(where + ": [api].marketplace_id must match ^[A-Z0-9]+$");
  auto client_id = connector_util::RequiredText(cart, "client_id", where);
  if (!client_id.ok()) return client_id.status();
  auto secret = connector_util::RequiredSecret(cart, "client_secret", where);
  if (!secret.ok()) return secret.status();
  auto refresh = connector_util::RequiredSecret(cart, "refresh_token", where);
  if (!refresh.ok()) return refresh.status();

  std::string base;
  LwaConfig lwa;
  if (const std::string url = text("base_url"); !url.empty()) {
    Status st = connector_util::CheckBaseUrl(url, "Amazon [api].base_url", "");
    if (!st.ok()) return Status::Permanent(where + ": " + st.message());
    base = url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    lwa.token_url = base + "/auth/o2/token";
  } else {
    base = amazon::RegionEndpoint(text("region"));
    if (base.empty()) return Status::Permanent(where + ": [api].region must be one of na, eu, fe");
    lwa.token_url = kTokenUrl;
  }
  lwa.client_id = client_id.value();
  lwa.client_secret = secret.value();
  lwa.refresh_token = refresh.value();
  auto auth = std::make_unique<LwaRefreshTokenAuth>(std::move(lwa), *deps.http, *deps.secrets);
  return std::unique_ptr<CartConnector>(std::make_unique<AmazonCart>(
      cart.id, std::move(base), seller_id.value(), marketplace_id.value(), cart.carrier_codes,
      std::move(auth), *deps.http));
}

}  // namespace cartsync

// Walmart Marketplace over HttpClient (which owns retries, 429 and
// Retry-After). This file speaks the v3 Orders, Inventory and Feeds wire
// formats (shared/openapi/walmart) and turns answers into orders and per-SKU
// errors. The access token comes from ClientCredentialsAuth (Basic
// client_id:client_secret at /v3/token), lives in memory only, goes in the
// WM_SEC.ACCESS_TOKEN header and is scrubbed from every answer and message.
#include "runtime/carts/walmart_cart.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "runtime/carts/connector_util.h"
#include "runtime/carts/order_money.h"
#include "runtime/clock.h"
#include "runtime/net/auth.h"

namespace cartsync {
namespace walmart {

namespace {
// orders.json, trackingInfo.carrierName.carrier.
constexpr std::string_view kCarriers[] = {"UPS",
                                          "USPS",
                                          "FedEx",
                                          "Airborne",
                                          "OnTrac",
                                          "DHL Ecommerce - US",
                                          "DHL",
                                          "LS",
                                          "UDS",
                                          "UPSMI",
                                          "FDX",
                                          "PILOT",
                                          "ESTES",
                                          "SAIA",
                                          "FDS Express",
                                          "Seko Worldwide",
                                          "HIT Delivery",
                                          "FEDEXSP",
                                          "RL Carriers",
                                          "Metropolitan Warehouse & Delivery",
                                          "China Post",
                                          "YunExpress",
                                          "Yellow Freight Sys",
                                          "AIT Worldwide Logistics",
                                          "Chukou1",
                                          "Sendle",
                                          "Landmark Global",
                                          "Sunyou",
                                          "Yanwen",
                                          "4PX",
                                          "GLS",
                                          "OSM Worldwide",
                                          "FIRST MILE",
                                          "AM Trucking",
                                          "CEVA",
                                          "India Post",
                                          "SF Express",
                                          "CNE",
                                          "TForce Freight",
                                          "AxleHire",
                                          "LSO",
                                          "Royal Mail",
                                          "ABF Freight System",
                                          "WanB",
                                          "Roadrunner Freight",
                                          "Meyer Distribution",
                                          "AAA Cooper",
                                          "Canada Post",
                                          "Southeastern Freight Lines",
                                          "Japan Post",
                                          "Correos de Mexico",
                                          "XPO Logistics",
                                          "JD Logistics",
                                          "YDH",
                                          "JCEX",
                                          "Flyt",
                                          "Deutsche Post"};

/// One error entry: "code (field): description".
std::string OneError(const rapidjson::Value& e) {
  if (e.IsString()) return std::string(e.GetString(), e.GetStringLength());
  if (!e.IsObject()) return "";
  std::string out = connector_util::Text(&e, "code");
  const std::string field = connector_util::Text(&e, "field");
  if (!field.empty()) out += (out.empty() ? "" : " ") + std::string("(") + field + ")";
  for (const char* key : {"description", "info"}) {
    const std::string more = connector_util::Text(&e, key);
    if (!more.empty()) {
      out += (out.empty() ? "" : ": ") + more;
      break;
    }
  }
  return out;
}
}  // namespace

std::string DateText(std::string_view text) {
  text = Trim(text);
  int64_t ms = 0;
  if (!text.empty() && text.size() <= 16 && connector_util::DigitsValue(text, ms))
    return FormatIsoUtc(ms / 1000);
  return connector_util::ToIsoUtc(text);
}

std::string CountryCode(std::string_view country) {
  const std::string c = ToLower(Trim(country));
  // Walmart US writes ISO 3166-1 alpha-3 ("USA").
  static constexpr std::pair<std::string_view, std::string_view> kAlpha3[] = {
      {"usa", "US"}, {"pri", "PR"}, {"can", "CA"}, {"mex", "MX"}, {"deu", "DE"}, {"gbr", "GB"}};
  for (const auto& [alpha3, alpha2] : kAlpha3) {
    if (c == alpha3) return std::string(alpha2);
  }
  if (c.size() == 2) {
    std::string out = c;
    for (char& ch : out) ch = static_cast<char>(ch - 'a' + 'A');
    return out;
  }
  return std::string(Trim(country));
}

std::string KnownCarrier(std::string_view carrier) {
  const std::string_view c = Trim(carrier);
  if (c.empty()) return "";
  for (std::string_view known : kCarriers) {
    if (EqualsIgnoreCase(known, c)) return std::string(known);
  }
  return "";
}

std::string ErrorText(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError()) return connector_util::OneLineExcerpt(body, 300);
  const rapidjson::Value* errors = connector_util::Member(&doc, "errors");
  if (errors == nullptr) {
    // {"list": {"errors": …}} in an order list.
    errors = connector_util::Member(connector_util::Member(&doc, "list"), "errors");
  }
  if (errors != nullptr && errors->IsObject()) errors = connector_util::Member(errors, "error");
  std::string out;
  if (errors != nullptr && errors->IsArray()) {
    for (const rapidjson::Value& e : errors->GetArray()) {
      const std::string one = OneError(e);
      if (one.empty()) continue;
      if (!out.empty()) out += "; ";
      out += one;
    }
  } else if (errors != nullptr) {
    out = OneError(*errors);
  }
  if (out.empty()) {
    for (const char* key : {"error_description", "message", "error"}) {
      out = connector_util::Text(&doc, key);
      if (!out.empty()) break;
    }
  }
  return connector_util::OneLineExcerpt(out.empty() ? body : std::string_view(out), 300);
}

std::string FormatUuid(uint64_t high, uint64_t low) {
  high = (high & ~0xF000ull) | 0x4000ull;                // version 4
  low = (low & ~(0xC000ull << 48)) | (0x8000ull << 48);  // RFC 4122 variant
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(high >> 32),
                static_cast<unsigned long long>((high >> 16) & 0xFFFF),
                static_cast<unsigned long long>(high & 0xFFFF),
                static_cast<unsigned long long>(low >> 48),
                static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFull));
  return buf;
}

}  // namespace walmart

namespace {

using connector_util::Field;
using connector_util::JsonWriter;
using connector_util::Member;
using connector_util::Text;
using connector_util::UrlEncode;
using connector_util::WriteString;
using rapidjson::Value;

constexpr int kPageLimit = 200;                         // getAllOrders' maximum `limit`
constexpr int kMaxOrderPages = 5'000;                   // 1,000,000 orders per status and fetch
constexpr int64_t kOrderHistorySeconds = 180 * 86'400;  // what getAllOrders can return
constexpr size_t kFeedChunk = 5'000;                    // SKUs per inventory feed file
constexpr int kFeedDetailLimit = 50;                    // getFeedItemStatus' maximum `limit`
constexpr int64_t kFeedWaitMs = 10 * 60'000;            // how long a feed may take to process
constexpr int64_t kFeedFirstPollMs = 1'000;
constexpr int64_t kFeedMaxPollMs = 30'000;
constexpr const char* kDefaultBase = "https://marketplace.walmartapis.com";

std::string Excerpt(std::string_view body) { return connector_util::OneLineExcerpt(body, 300); }

/// An integer's text: blanks around it, at most 18 digits, no sign.
bool ParseCount(std::string_view s, int64_t& out) {
  s = Trim(s, " \t");
  return !s.empty() && s.size() <= 18 && connector_util::DigitsValue(s, out);
}

/// {"unitOfMeasurement", "amount"} (amount a string or a number): the
/// amount, false when not a whole number.
bool Quantity(const Value* q, int64_t& out) {
  return connector_util::Int(q, "amount", out, ParseCount);
}

bool IsOpenStatus(std::string_view s) { return s == "Created" || s == "Acknowledged"; }

/// One order line as the connector needs it.
struct Line {
  std::string number, sku, seller_order_id;
  // Money: the charges' amounts as decimal text (PRODUCT and SHIPPING are
  // for the line's whole quantity; tax is each charge's tax.taxAmount).
  std::string currency, product, product_tax, shipping, shipping_tax;
  int64_t ordered = 0, open = 0, created = 0;
  std::vector<std::string> tracking_numbers;
  std::vector<std::string> statuses;
};

struct Order {
  std::string id, customer_order_id, method_code;
  std::vector<Line> lines;
};

/// The `order` of a GET /v3/orders/{id} answer ({"order": {...}}, or the
/// order itself as getAnOrder's schema draws it).
const Value* OrderOf(const Value& doc) {
  const Value* o = Member(&doc, "order");
  return o != nullptr && o->IsObject() ? o : (doc.IsObject() ? &doc : nullptr);
}

/// The array of `orderLines.orderLine` (an object alone is one line).
std::vector<const Value*> LinesOf(const Value& order) {
  std::vector<const Value*> out;
  const Value* list = Member(Member(&order, "orderLines"), "orderLine");
  if (list == nullptr) return out;
  if (list->IsArray()) {
    for (const Value& l : list->GetArray()) out.push_back(&l);
  } else if (list->IsObject()) {
    out.push_back(list);
  }
  return out;
}

std::vector<const Value*> StatusesOf(const Value& line) {
  std::vector<const Value*> out;
  const Value* list = Member(Member(&line, "orderLineStatuses"), "orderLineStatus");
  if (list == nullptr) return out;
  if (list->IsArray()) {
    for (const Value& s : list->GetArray()) out.push_back(&s);
  } else if (list->IsObject()) {
    out.push_back(list);
  }
  return out;
}

/// False with `why` when a line has no number or no whole quantities.
bool ReadLine(const Value& l, Line& out, std::string& why) {
  out.number = Text(&l, "lineNumber");
  if (out.number.empty()) {
    why = "an order line without a lineNumber";
    return false;
  }
  out.sku = Text(Member(&l, "item"), "sku");
  out.seller_order_id = Text(&l, "sellerOrderId");
  if (!Quantity(Member(&l, "orderLineQuantity"), out.ordered)) {
    why = "line " + out.number + " without a whole orderLineQuantity";
    return false;
  }
  for (const Value* s : StatusesOf(l)) {
    const std::string status = Text(s, "status");
    int64_t amount = 0;
    if (!Quantity(Member(s, "statusQuantity"), amount)) {
      why = "line " + out.number + " with a status without a whole statusQuantity";
      return false;
    }
    if (IsOpenStatus(status)) out.open += amount;
    if (status == "Created") out.created += amount;
    if (std::find(out.statuses.begin(), out.statuses.end(), status) == out.statuses.end())
      out.statuses.push_back(status);
    const std::string number = Text(Member(s, "trackingInfo"), "trackingNumber");
    if (!number.empty()) out.tracking_numbers.push_back(number);
  }
  // The line's charges: PRODUCT (the goods, for the line's quantity) and
  // SHIPPING, each with its tax; amounts are JSON numbers, read as their
  // shortest decimal text (NumberText), never computed with as doubles.
  if (const Value* charges = Member(Member(&l, "charges"), "charge");
      charges != nullptr && charges->IsArray()) {
    for (const Value& c : charges->GetArray()) {
      const std::string type = Text(&c, "chargeType");
      if (type != "PRODUCT" && type != "SHIPPING") continue;
      const Value* amount = Member(&c, "chargeAmount");
      if (out.currency.empty()) out.currency = Text(amount, "currency");
      (type == "PRODUCT" ? out.product : out.shipping) = Text(amount, "amount");
      (type == "PRODUCT" ? out.product_tax : out.shipping_tax) =
          Text(Member(Member(&c, "tax"), "taxAmount"), "amount");
    }
  }
  return true;
}

bool ReadOrderLines(const Value& o, Order& out, std::string& why) {
  out.id = Text(&o, "purchaseOrderId");
  out.customer_order_id = Text(&o, "customerOrderId");
  out.method_code = Text(Member(&o, "shippingInfo"), "methodCode");
  for (const Value* l : LinesOf(o)) {
    Line line;
    if (!ReadLine(*l, line, why)) return false;
    out.lines.push_back(std::move(line));
  }
  return true;
}

/// Epoch milliseconds, for shipDateTime.
int64_t ShipDateMs(const std::string& shipped_at, int64_t now_ms) {
  int64_t seconds = 0;
  if (!shipped_at.empty() && ParseTimestamp(shipped_at, seconds)) return seconds * 1000;
  return now_ms;
}

// ---------------------------------------------------------------------------
// The connector

class WalmartCart final : public CartConnector {
 public:
  WalmartCart(std::string base, std::string channel_type, std::string ship_node,
              std::unique_ptr<AuthStrategy> auth, HttpClient& http)
      : base_(std::move(base)),
        channel_type_(std::move(channel_type)),
        ship_node_(std::move(ship_node)),
        auth_(std::move(auth)),
        http_(http),
        random_(std::random_device{}()) {}

  /// WM_SVC.NAME, a fresh WM_QOS.CORRELATION_ID, the channel type.
  void AddPlatformHeaders(HttpRequest& request) {
    request.headers.emplace_back("WM_SVC.NAME", walmart::kServiceName);
    request.headers.emplace_back("WM_QOS.CORRELATION_ID",
                                 walmart::FormatUuid(random_(), random_()));
    if (!channel_type_.empty())
      request.headers.emplace_back("WM_CONSUMER.CHANNEL.TYPE", channel_type_);
  }

  Status FetchOrders(const OrderWindow& window,
                     const std::function<Status(std::vector<CartOrder>&&)>& sink) override;
  Result<bool> HasTracking(const std::string& order_id,
                           const std::string& tracking_number) override;
  Status UploadTracking(const TrackingUpload& upload) override;
  bool AcknowledgesOrders() const override { return true; }
  Status AcknowledgeOrder(const CartOrder& order) override;
  Result<std::vector<PushError>> PushInventory(const std::vector<InventoryPush>& items) override;

 private:
  using Doc = std::shared_ptr<rapidjson::Document>;

  std::string Scrub(std::string text) const {
    for (const std::string& s : auth_->Secrets())
      connector_util::ScrubSecrets(text, {s}, /*min_length=*/1);
    return text;
  }
  /// One authenticated request; once more with a fresh token after a 401.
  Result<HttpResponse> Send(const char* method, const std::string& path, std::string body,
                            std::string content_type, bool idempotent);
  Status Failure(const HttpResponse& r, const std::string& what) const;
  /// A GET answered with a JSON object, or the Status to report.
  Result<Doc> GetJson(const std::string& path, const std::string& what);
  /// GET /v3/orders/{id}.
  Result<Order> GetOrder(const std::string& order_id);
  Status ReadOrder(const Value& o, CartOrder& out) const;
  /// A 2xx to a write that is not the API's JSON did nothing.
  Status NotJson(const HttpResponse& r, const std::string& what) const;
  Result<std::vector<PushError>> PutEach(const std::vector<InventoryPush>& items);
  Result<std::vector<PushError>> Feed(const std::vector<InventoryPush>& items);

  std::string base_;
  std::string channel_type_, ship_node_;
  std::unique_ptr<AuthStrategy> auth_;
  HttpClient& http_;
  std::mt19937_64 random_;
};

Result<HttpResponse> WalmartCart::Send(const char* method, const std::string& path,
                                       std::string body, std::string content_type,
                                       bool idempotent) {
  const std::string where = std::string("Walmart ") + method + " " + path;
  for (bool refreshed = false;;) {
    HttpRequest request;
    request.method = method;
    request.url = base_ + path;
    request.idempotent = idempotent;
    request.headers.emplace_back("Accept", "application/json");
    if (!content_type.empty()) request.headers.emplace_back("Content-Type", content_type);
    AddPlatformHeaders(request);
    request.body = body;
    Status authorized = auth_->Apply(request);
    if (!authorized.ok()) return Status(authorized.code(), Scrub(authorized.message()));
    auto sent = http_.Send(request);
    if (!sent.ok())
      return Status(sent.status().code(), Scrub(where + ": " + sent.status().message()));
    // A 401 did nothing: a token that died early gets one more try.
    if (sent->status == 401 && !refreshed && auth_->Invalidate()) {
      refreshed = true;
      continue;
    }
    sent->body = Scrub(std::move(sent->body));
    return sent;
  }
}

Status WalmartCart::Failure(const HttpResponse& r, const std::string& what) const {
  const std::string detail = walmart::ErrorText(r.body);
  const std::string suffix = detail.empty() ? "" : ": " + detail;
  if (r.status == 401)
    return Status::Permanent(Scrub("Walmart rejected the token (HTTP 401) on " + what + suffix));
  std::string message =
      "Walmart answered HTTP " + std::to_string(r.status) + " to " + what + suffix;
  if (r.status == 403)
    message +=
        " (the API key needs the Orders and Inventory permissions: Seller Center > Settings > "
        "API Key Management)";
  if (r.status == 404) return Status::NotFound(Scrub(message));
  if (r.status >= 500) return Status::Transient(Scrub(message));
  return Status::Permanent(Scrub(message));
}

Status WalmartCart::NotJson(const HttpResponse& r, const std::string& what) const {
  if (connector_util::IsJsonAnswer(r.Header("Content-Type"), r.body)) return Status::Ok();
  return Status::Transient(
      "Walmart answered " + what + " with HTTP " + std::to_string(r.status) +
      " but not JSON (not counted as done): " + connector_util::OneLineExcerpt(Scrub(r.body), 120));
}

Result<WalmartCart::Doc> WalmartCart::GetJson(const std::string& path, const std::string& what) {
  auto r = Send("GET", path, "", "", /*idempotent=*/true);
  if (!r.ok()) return r.status();
  if (r->status != 200) return Failure(r.value(), what);
  auto doc = std::make_shared<rapidjson::Document>();
  doc->Parse(r->body.data(), r->body.size());
  if (doc->HasParseError() || !doc->IsObject())
    return Status::Permanent("Walmart answered " + what +
                             " with something other than a JSON object: " + Excerpt(r->body));
  return doc;
}

Result<Order> WalmartCart::GetOrder(const std::string& order_id) {
  const std::string what = "GET /v3/orders/" + order_id;
  auto doc = GetJson("/v3/orders/" + UrlEncode(order_id), what);
  if (!doc.ok()) return doc.status();
  const Value* o = OrderOf(*doc.value());
  Order order;
  std::string why;
  if (o == nullptr || !ReadOrderLines(*o, order, why))
    return Status::Permanent("Walmart answered " + what +
                             " with an order it cannot read: " + (why.empty() ? "no order" : why));
  if (order.id.empty()) order.id = order_id;
  return order;
}

Status WalmartCart::ReadOrder(const Value& o, CartOrder& out) const {
  Order order;
  std::string why;
  if (!ReadOrderLines(o, order, why) || order.id.empty()) {
    const std::string id = Text(&o, "purchaseOrderId");
    return Status::Permanent("Walmart order " + (id.empty() ? "(no purchaseOrderId)" : id) +
                             " cannot be read: " + (why.empty() ? "no purchaseOrderId" : why));
  }
  out.id = order.id;
  out.order_number = order.customer_order_id.empty() ? order.id : order.customer_order_id;
  out.placed_at = walmart::DateText(Text(&o, "orderDate"));
  // No modification time on an order: the newest line status date is the
  // last change Walmart reports.
  int64_t newest_ms = 0;
  for (const Value* l : LinesOf(o)) {
    int64_t ms = 0;
    if (connector_util::Int(l, "statusDate", ms, ParseCount)) newest_ms = std::max(newest_ms, ms);
  }
  out.updated_at = newest_ms > 0 ? FormatIsoUtc(newest_ms / 1000) : "";
  if (out.updated_at.empty() || (!out.placed_at.empty() && out.updated_at < out.placed_at))
    out.updated_at = out.placed_at;
  std::vector<std::string> statuses;
  for (const Line& line : order.lines) {
    for (const std::string& s : line.statuses) {
      if (std::find(statuses.begin(), statuses.end(), s) == statuses.end()) statuses.push_back(s);
    }
  }
  for (const std::string& s : statuses) out.status += (out.status.empty() ? "" : "/") + s;
  // Canceled at the cart: every line Cancelled (a partly canceled order is
  // still an order: its open lines go on).
  out.canceled = statuses.size() == 1 && statuses.front() == "Cancelled";
  out.ship_code = order.method_code;
  const Value* info = Member(&o, "shippingInfo");
  const Value* a = Member(info, "postalAddress");
  out.ship_to.name = Text(a, "name");
  out.ship_to.address1 = Text(a, "address1");
  out.ship_to.address2 = Text(a, "address2");
  out.ship_to.city = Text(a, "city");
  out.ship_to.region = Text(a, "state");
  out.ship_to.postal_code = Text(a, "postalCode");
  out.ship_to.country = walmart::CountryCode(Text(a, "country"));
  out.ship_to.phone = Text(info, "phone");
  out.ship_to.email = Text(&o, "customerEmailId");
  // Money (wms-contract.md "Money"): Walmart's charges have no discounts
  // (PRODUCT and SHIPPING only); a missing tax is none.
  std::string currency;  // the first charge's (one order, one currency)
  for (const Line& line : order.lines)
    if (currency.empty()) currency = line.currency;
  const order_money::Money money(currency);
  const auto minor = [&](const std::string& text) {
    return text.empty() ? money.Minor("0") : money.Minor(text);
  };
  out.money.currency = money.currency();
  out.money.taxes_included = false;
  {
    std::optional<int64_t> subtotal = 0, shipping = 0, tax = 0;
    for (const Line& line : order.lines) {
      order_money::Accumulate(subtotal, minor(line.product));
      order_money::Accumulate(shipping, minor(line.shipping));
      order_money::Accumulate(tax, minor(line.product_tax));
      order_money::Accumulate(tax, minor(line.shipping_tax));
    }
    std::optional<int64_t> total = subtotal;
    order_money::Accumulate(total, shipping);
    order_money::Accumulate(total, tax);
    out.money.totals.subtotal = order_money::MinorOrEmpty(subtotal);
    out.money.totals.shipping = order_money::MinorOrEmpty(shipping);
    out.money.totals.discount = order_money::MinorOrEmpty(money.Minor("0"));
    out.money.totals.tax = order_money::MinorOrEmpty(tax);
    out.money.totals.total = order_money::MinorOrEmpty(total);
  }
  for (const Line& line : order.lines) {
    if (line.open <= 0) continue;  // shipped, cancelled or refunded
    OrderLine ol;
    ol.line_key = line.number;
    ol.sku = line.sku;
    ol.quantity = line.open;
    money.SetLineMinor(ol, money.UnitFromTotal(line.product, line.ordered), money.Minor("0"),
                       minor(line.product_tax), line.ordered);
    out.lines.push_back(std::move(ol));
  }
  return Status::Ok();
}

Status WalmartCart::FetchOrders(const OrderWindow& window,
                                const std::function<Status(std::vector<CartOrder>&&)>& sink) {
  std::vector<std::string> statuses;
  if (auto it = window.statuses.find("status"); it != window.statuses.end()) {
    for (const std::string& s : it->second) {
      if (s == "any") {
        statuses.clear();
        break;
      }
      if (std::find(statuses.begin(), statuses.end(), s) == statuses.end()) statuses.push_back(s);
    }
  }
  // Cancellations: a later pull (lastModifiedStartDate) also reads the
  // orders Cancelled since, whatever the filter (CartOrder::canceled). Not
  // on the first pull.
  if (window.updated_after && !statuses.empty() &&
      std::find(statuses.begin(), statuses.end(), "Cancelled") == statuses.end())
    statuses.push_back("Cancelled");
  if (statuses.empty()) statuses.push_back("");  // no filter

  std::string dates;
  if (window.created_after) {
    dates = "&createdStartDate=" + UrlEncode(FormatIsoUtc(*window.created_after));
  } else if (window.updated_after) {
    // createdStartDate defaults to 7 days ago: open it to everything the
    // API keeps (180 days) that could have changed since.
    dates = "&createdStartDate=" +
            UrlEncode(FormatIsoUtc(*window.updated_after - kOrderHistorySeconds)) +
            "&lastModifiedStartDate=" + UrlEncode(FormatIsoUtc(*window.updated_after));
  }

  std::set<std::string> seen;  // an order with lines in two statuses shows up twice
  for (const std::string& status : statuses) {
    std::string query = (status.empty() ? "" : "&status=" + UrlEncode(status)) + dates +
                        "&limit=" + std::to_string(kPageLimit);
    query[0] = '?';
    std::set<std::string> cursors;
    for (int page = 1;; ++page) {
      if (page > kMaxOrderPages)
        return Status::Permanent("Walmart GET /v3/orders: more than " +
                                 std::to_string(kMaxOrderPages) + " pages; stopping");
      const std::string what = "GET /v3/orders (" +
                               (status.empty() ? "" : "status " + status + ", ") + "page " +
                               std::to_string(page) + ")";
      auto r = Send("GET", "/v3/orders" + query, "", "", true);
      if (!r.ok()) return r.status();
      // No order matches: 404 with a CONTENT_NOT_FOUND error.
      if (r->status == 404) break;
      if (r->status != 200) return Failure(r.value(), what);
      rapidjson::Document doc;
      doc.Parse(r->body.data(), r->body.size());
      const Value* list = doc.HasParseError() ? nullptr : Member(&doc, "list");
      if (list == nullptr || !list->IsObject())
        return Status::Permanent("Walmart answered " + what +
                                 " without a `list` object: " + Excerpt(r->body));
      const Value* orders = Member(Member(list, "elements"), "order");
      std::vector<CartOrder> batch;
      size_t count = 0;
      if (orders != nullptr && orders->IsArray()) {
        for (const Value& o : orders->GetArray()) {
          ++count;
          const std::string id = Text(&o, "purchaseOrderId");
          if (!id.empty() && !seen.insert(id).second) continue;
          CartOrder order;
          Status st = ReadOrder(o, order);
          if (!st.ok()) return st;
          batch.push_back(std::move(order));
        }
      } else if (orders != nullptr && !orders->IsNull()) {
        return Status::Permanent("Walmart answered " + what +
                                 " with list.elements.order not an array");
      }
      if (!batch.empty()) {
        Status st = sink(std::move(batch));
        if (!st.ok()) return st;
      }
      const std::string cursor = Text(Member(list, "meta"), "nextCursor");
      if (cursor.empty() || count == 0) break;
      if (!cursors.insert(cursor).second)
        return Status::Permanent("Walmart " + what + ": meta.nextCursor repeats an earlier one");
      // A ready query string ("?limit=…&hasMoreElements=true&…").
      query = cursor[0] == '?' ? cursor : "?" + cursor;
    }
  }
  return Status::Ok();
}

Result<bool> WalmartCart::HasTracking(const std::string& order_id,
                                      const std::string& tracking_number) {
  if (order_id.empty() || tracking_number.empty())
    return Status::Permanent("Walmart tracking check needs an order id and a tracking number");
  auto order = GetOrder(order_id);
  if (!order.ok()) return order.status();
  for (const Line& line : order->lines) {
    for (const std::string& n : line.tracking_numbers) {
      if (n == tracking_number) return true;
    }
  }
  return false;
}

Status WalmartCart::UploadTracking(const TrackingUpload& upload) {
  const std::string& order_id = upload.order_id;
  const std::string& number = upload.shipment.tracking_number;
  if (order_id.empty() || number.empty())
    return Status::Permanent("Walmart tracking upload needs an order id and a tracking number");
  auto order = GetOrder(order_id);  // the tracking check and the lines in one read
  if (!order.ok()) return order.status();
  for (const Line& line : order->lines) {
    for (const std::string& n : line.tracking_numbers) {
      if (n == number) return FinishTracking(upload);
    }
  }

  // Lines: the shipment's, matched by lineNumber and capped at what is
  // open; without a match, every open line in full.
  std::vector<std::pair<const Line*, int64_t>> ship;
  for (const ShipmentLine& s : upload.shipment.lines) {
    if (s.quantity <= 0) continue;
    for (const Line& line : order->lines) {
      if (line.number != s.line_key || line.open <= 0) continue;
      auto same =
          std::find_if(ship.begin(), ship.end(), [&](const auto& e) { return e.first == &line; });
      if (same != ship.end()) {
        same->second = std::min(line.open, same->second + s.quantity);
      } else {
        ship.emplace_back(&line, std::min(line.open, s.quantity));
      }
    }
  }
  if (ship.empty()) {
    for (const Line& line : order->lines) {
      if (line.open > 0) ship.emplace_back(&line, line.open);
    }
  }
  if (ship.empty())
    return Status::Permanent("Walmart order " + order_id +
                             " has no Created or Acknowledged line left to ship");

  const std::string carrier = walmart::KnownCarrier(upload.carrier_code);
  const std::string method = order->method_code.empty() ? "Standard" : order->method_code;
  const int64_t ship_ms = ShipDateMs(upload.shipment.shipped_at, http_.clock().NowMs());
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("orderShipment");
  w.StartObject();
  w.Key("orderLines");
  w.StartObject();
  w.Key("orderLine");
  w.StartArray();
  for (const auto& [line, quantity] : ship) {
    w.StartObject();
    w.Key("lineNumber");
    WriteString(w, line->number);
    w.Key("sellerOrderId");
    WriteString(w, !line->seller_order_id.empty()      ? line->seller_order_id
                   : !order->customer_order_id.empty() ? order->customer_order_id
                                                       : order->id);
    w.Key("orderLineStatuses");
    w.StartObject();
    w.Key("orderLineStatus");
    w.StartArray();
    w.StartObject();
    w.Key("status");
    w.String("Shipped");
    w.Key("statusQuantity");
    w.StartObject();
    w.Key("unitOfMeasurement");
    w.String("EACH");
    w.Key("amount");
    WriteString(w, std::to_string(quantity));
    w.EndObject();
    w.Key("trackingInfo");
    w.StartObject();
    w.Key("shipDateTime");
    w.Int64(ship_ms);
    w.Key("carrierName");
    w.StartObject();
    if (!carrier.empty()) {
      w.Key("carrier");
      WriteString(w, carrier);
    } else {
      w.Key("otherCarrier");
      WriteString(w, upload.carrier_code.empty() ? "Other" : upload.carrier_code);
    }
    w.EndObject();
    w.Key("methodCode");
    WriteString(w, method);
    w.Key("trackingNumber");
    WriteString(w, number);
    w.EndObject();
    w.EndObject();
    w.EndArray();
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.EndObject();
  w.EndObject();

  const std::string path = "/v3/orders/" + UrlEncode(order_id) + "/shipping";
  const std::string what = "POST /v3/orders/" + order_id + "/shipping";
  // Not idempotent: after a timeout the next attempt checks again first.
  auto r = Send("POST", path, std::string(sb.GetString(), sb.GetSize()), "application/json",
                /*idempotent=*/false);
  if (!r.ok()) return r.status();
  if (r->status < 200 || r->status >= 300) return Failure(r.value(), what);
  Status st = NotJson(r.value(), what);
  if (!st.ok()) return st;
  return FinishTracking(upload);
}

Status WalmartCart::AcknowledgeOrder(const CartOrder& cart_order) {
  if (cart_order.id.empty()) return Status::Permanent("Walmart acknowledge needs an order id");
  auto order = GetOrder(cart_order.id);
  if (!order.ok()) return order.status();
  // Only a line still Created needs it; Acknowledged, Shipped, Cancelled
  // lines mean it was done (or is moot).
  bool created = false;
  for (const Line& line : order->lines) created = created || line.created > 0;
  if (!created) return Status::Ok();
  const std::string what = "POST /v3/orders/" + cart_order.id + "/acknowledge";
  // Not retried blindly: after a timeout the next run looks again first.
  auto r = Send("POST", "/v3/orders/" + UrlEncode(cart_order.id) + "/acknowledge", "", "",
                /*idempotent=*/false);
  if (!r.ok()) return r.status();
  if (r->status < 200 || r->status >= 300) return Failure(r.value(), what);
  return NotJson(r.value(), what);
}

Result<std::vector<PushError>> WalmartCart::PushInventory(const std::vector<InventoryPush>& items) {
  if (items.size() <= walmart::kSingleSkuLimit) return PutEach(items);
  std::vector<PushError> errors;
  for (size_t start = 0; start < items.size(); start += kFeedChunk) {
    std::vector<InventoryPush> chunk(
        items.begin() + static_cast<std::ptrdiff_t>(start),
        items.begin() + static_cast<std::ptrdiff_t>(std::min(items.size(), start + kFeedChunk)));
    auto part = Feed(chunk);
    if (!part.ok()) return part.status();
    errors.insert(errors.end(), part->begin(), part->end());
  }
  return errors;
}

Result<std::vector<PushError>> WalmartCart::PutEach(const std::vector<InventoryPush>& items) {
  std::vector<PushError> errors;
  const std::string node = ship_node_.empty() ? "" : "&shipNode=" + UrlEncode(ship_node_);
  for (const InventoryPush& item : items) {
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    w.StartObject();
    w.Key("sku");
    WriteString(w, item.sku);
    w.Key("quantity");
    w.StartObject();
    w.Key("unit");
    w.String("EACH");
    w.Key("amount");
    w.Int64(std::max<int64_t>(0, item.quantity));
    w.EndObject();
    w.EndObject();
    const std::string what = "PUT /v3/inventory (sku " + item.sku + ")";
    // Absolute: safe to repeat.
    auto r = Send("PUT", "/v3/inventory?sku=" + UrlEncode(item.sku) + node,
                  std::string(sb.GetString(), sb.GetSize()), "application/json",
                  /*idempotent=*/true);
    if (!r.ok()) return r.status();
    if (r->status >= 200 && r->status < 300) {
      Status st = NotJson(r.value(), what);
      if (!st.ok()) return st;
      continue;
    }
    Status failure = Failure(r.value(), what);
    if (r->status == 401 || r->status == 403) return failure;
    // 404: no item with this SKU in the seller's catalog.
    errors.push_back({item.sku, failure.message(), r->status == 404});
  }
  return errors;
}

Result<std::vector<PushError>> WalmartCart::Feed(const std::vector<InventoryPush>& items) {
  // The file: inventory spec 1.4 JSON (feeds.json's "json1" example).
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("InventoryHeader");
  w.StartObject();
  w.Key("version");
  w.String("1.4");
  w.EndObject();
  w.Key("Inventory");
  w.StartArray();
  for (const InventoryPush& item : items) {
    w.StartObject();
    w.Key("sku");
    WriteString(w, item.sku);
    w.Key("quantity");
    w.StartObject();
    w.Key("unit");
    w.String("EACH");
    w.Key("amount");
    w.Int64(std::max<int64_t>(0, item.quantity));
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  const std::string boundary = "cartsync-" + walmart::FormatUuid(random_(), random_());
  std::string body = "--" + boundary +
                     "\r\nContent-Disposition: form-data; name=\"file\"; "
                     "filename=\"inventory.json\"\r\nContent-Type: application/json\r\n\r\n";
  body.append(sb.GetString(), sb.GetSize());
  body += "\r\n--" + boundary + "--\r\n";

  const std::string node = ship_node_.empty() ? "" : "&shipNode=" + UrlEncode(ship_node_);
  const std::string what =
      "POST /v3/feeds?feedType=inventory (" + std::to_string(items.size()) + " SKUs)";
  // Absolute quantities: a second feed sets the same values.
  auto r = Send("POST", "/v3/feeds?feedType=inventory" + node, std::move(body),
                "multipart/form-data; boundary=" + boundary, /*idempotent=*/true);
  if (!r.ok()) return r.status();
  if (r->status < 200 || r->status >= 300) {
    Status failure = Failure(r.value(), what);
    if (r->status == 401 || r->status == 403 || r->status >= 500) return failure;
    std::vector<PushError> errors;
    for (const InventoryPush& item : items) errors.push_back({item.sku, failure.message()});
    return errors;
  }
  rapidjson::Document answer;
  answer.Parse(r->body.data(), r->body.size());
  const std::string feed_id = answer.HasParseError() ? "" : Text(&answer, "feedId");
  if (feed_id.empty())
    return Status::Transient("Walmart answered " + what + " with HTTP " +
                             std::to_string(r->status) + " but no feedId: " + Excerpt(r->body));

  // Wait for the feed, on the client's clock, bounded.
  const std::string status_path = "/v3/feeds/" + UrlEncode(feed_id) + "?includeDetails=true";
  const std::string status_what = "GET /v3/feeds/" + feed_id;
  Clock& clock = http_.clock();
  const int64_t deadline = clock.NowMs() + kFeedWaitMs;
  Doc status;
  std::string feed_status;
  for (int64_t pause = kFeedFirstPollMs;;) {
    clock.SleepMs(pause);
    auto got =
        GetJson(status_path + "&offset=0&limit=" + std::to_string(kFeedDetailLimit), status_what);
    if (!got.ok()) return got.status();
    status = got.value();
    feed_status = Text(status.get(), "feedStatus");
    if (feed_status == "PROCESSED" || feed_status == "ERROR") break;
    if (clock.NowMs() + pause > deadline) {
      std::vector<PushError> errors;
      for (const InventoryPush& item : items)
        errors.push_back({item.sku, "Walmart inventory feed " + feed_id + " still " +
                                        (feed_status.empty() ? "unknown" : feed_status) +
                                        " after " + std::to_string(kFeedWaitMs / 60'000) +
                                        " minutes; not confirmed (pushed again next run)"});
      return errors;
    }
    pause = std::min(kFeedMaxPollMs, pause * 2);
  }

  // Per-SKU results: only SUCCESS counts as set.
  std::map<std::string, std::string> result;  // sku -> "" (success) or the error
  int64_t received = 0;
  connector_util::Int(status.get(), "itemsReceived", received, ParseCount);
  const int max_pages = static_cast<int>(items.size() / kFeedDetailLimit) + 2;
  for (int page = 0; page < max_pages; ++page) {
    if (page > 0) {
      auto got = GetJson(status_path + "&offset=" + std::to_string(page * kFeedDetailLimit) +
                             "&limit=" + std::to_string(kFeedDetailLimit),
                         status_what);
      if (!got.ok()) return got.status();
      status = got.value();
    }
    const Value* details = Member(Member(status.get(), "itemDetails"), "itemIngestionStatus");
    if (details == nullptr || !details->IsArray() || details->Empty()) break;
    for (const Value& d : details->GetArray()) {
      const std::string sku = Text(&d, "sku");
      const std::string state = Text(&d, "ingestionStatus");
      if (sku.empty()) continue;
      if (state == "SUCCESS") {
        result.emplace(sku, "");
        continue;
      }
      std::string why = state.empty() ? "no ingestionStatus" : state;
      if (const Value* errs = Member(Member(&d, "ingestionErrors"), "ingestionError");
          errs != nullptr && errs->IsArray()) {
        for (const Value& e : errs->GetArray()) {
          const std::string code = Text(&e, "code");
          const std::string text = Text(&e, "description");
          why += "; " + code + (text.empty() ? "" : ": " + text);
        }
      }
      result[sku] = "Walmart inventory feed " + feed_id + ": " + Excerpt(why);
    }
    if ((page + 1) * kFeedDetailLimit >= received) break;
  }
  std::string feed_error;
  if (feed_status == "ERROR") {
    feed_error = "Walmart inventory feed " + feed_id + " ended in ERROR";
    if (const Value* errs = Member(Member(status.get(), "ingestionErrors"), "ingestionError");
        errs != nullptr && errs->IsArray() && !errs->Empty()) {
      const Value& e = (*errs)[0];
      feed_error += ": " + Text(&e, "code") + " " + Text(&e, "description");
    }
  }
  std::vector<PushError> errors;
  std::set<std::string> reported;
  for (const InventoryPush& item : items) {
    if (!reported.insert(item.sku).second) continue;
    auto it = result.find(item.sku);
    if (it != result.end() && it->second.empty()) continue;
    if (it != result.end()) {
      errors.push_back({item.sku, Scrub(it->second)});
    } else {
      errors.push_back({item.sku, feed_error.empty()
                                      ? "Walmart inventory feed " + feed_id +
                                            " does not report this SKU as set (not confirmed)"
                                      : Scrub(feed_error)});
    }
  }
  return errors;
}

}  // namespace

Result<std::unique_ptr<CartConnector>> MakeWalmartCart(const CartConfig& cart,
                                                       const ConnectorDeps& deps) {
  const std::string where = "cart \"" + cart.id + "\" (Walmart)";
  if (deps.http == nullptr || deps.secrets == nullptr)
    return Status::Permanent(where + ": no HTTP client or secret resolver");
  std::string base = kDefaultBase;
  if (const FieldValue* url = Field(cart, "base_url"); url != nullptr && !url->text.empty()) {
    Status st = connector_util::CheckBaseUrl(url->text, "Walmart [api].base_url", "");
    if (!st.ok()) return Status::Permanent(where + ": " + st.message());
    base = url->text;
    while (!base.empty() && base.back() == '/') base.pop_back();
  }
  auto client_id = connector_util::RequiredText(cart, "client_id", where);
  if (!client_id.ok()) return client_id.status();
  auto client_secret = connector_util::RequiredSecret(cart, "client_secret", where);
  if (!client_secret.ok()) return client_secret.status();
  std::string channel_type;
  if (const FieldValue* f = Field(cart, "channel_type")) channel_type = f->text;
  std::string ship_node;
  if (const FieldValue* f = Field(cart, "ship_node")) {
    ship_node = f->type == FieldType::Integer ? std::to_string(f->integer) : f->text;
  }

  // The grant needs the same platform headers as every other call; the
  // connector does not exist yet when the strategy is made, so the grant
  // makes its own correlation ids.
  auto grant_random = std::make_shared<std::mt19937_64>(std::random_device{}());
  ClientCredentialsConfig c;
  c.label = "Walmart";
  c.token_url = base + "/v3/token";
  c.client_id = client_id.value();
  c.client_secret = client_secret.value();
  c.header = "WM_SEC.ACCESS_TOKEN";
  c.prefix = "";
  c.basic_auth = true;
  c.default_lifetime_ms = 15 * 60'000;  // Walmart's tokens live 900 s
  c.decorate = [grant_random, channel_type](HttpRequest& request) {
    request.headers.emplace_back("WM_SVC.NAME", walmart::kServiceName);
    request.headers.emplace_back("WM_QOS.CORRELATION_ID",
                                 walmart::FormatUuid((*grant_random)(), (*grant_random)()));
    if (!channel_type.empty())
      request.headers.emplace_back("WM_CONSUMER.CHANNEL.TYPE", channel_type);
  };
  auto auth = std::make_unique<ClientCredentialsAuth>(std::move(c), *deps.http, *deps.secrets);
  return std::unique_ptr<CartConnector>(std::make_unique<WalmartCart>(
      std::move(base), std::move(channel_type), std::move(ship_node), std::move(auth), *deps.http));
}

}  // namespace cartsync

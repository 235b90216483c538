// eBay over HttpClient (which owns retries, 429 and Retry-After). This file
// speaks the Sell Fulfillment / Sell Inventory wire formats, counts its calls
// against the run's budget, and turns answers into orders, statuses and
// per-SKU errors. The access token comes from OAuthRefreshTokenAuth (memory
// only); every secret it handled is scrubbed from answers and messages.
#include "runtime/carts/ebay_cart.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "runtime/carts/connector_util.h"
#include "runtime/carts/order_money.h"
#include "runtime/clock.h"
#include "runtime/net/auth.h"

namespace cartsync {
namespace ebay {

using connector_util::Member;
using connector_util::Text;
using rapidjson::Value;

std::string FormatTimestamp(int64_t unix_ms) {
  int64_t seconds = unix_ms / 1000;
  int64_t millis = unix_ms % 1000;
  if (millis < 0) {
    millis += 1000;
    --seconds;
  }
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return "";
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  return buf;
}

std::string OrdersFilter(bool created, int64_t from_s, int64_t to_ms,
                         const std::vector<std::string>& statuses) {
  std::string out = std::string(created ? "creationdate" : "lastmodifieddate") + ":[" +
                    FormatTimestamp(from_s * 1000) + ".." +
                    (to_ms > 0 ? FormatTimestamp(to_ms) : "") + "]";
  auto has = [&](const char* s) {
    return std::find(statuses.begin(), statuses.end(), s) != statuses.end();
  };
  // Only two combinations are supported by the API; anything else is
  // filtered on the client side (FetchOrders).
  if (!statuses.empty() && !has("FULFILLED")) {
    out += ",orderfulfillmentstatus:{NOT_STARTED|IN_PROGRESS}";
  } else if (!statuses.empty() && !has("NOT_STARTED")) {
    out += ",orderfulfillmentstatus:{FULFILLED|IN_PROGRESS}";
  }
  return out;
}

namespace {
std::string EntriesText(const Value* list) {
  std::string out;
  if (list == nullptr || !list->IsArray()) return out;
  for (const Value& e : list->GetArray()) {
    std::string m = Text(&e, "message");
    const std::string longer = Text(&e, "longMessage");
    if (longer.size() > m.size()) m = longer;
    const std::string id = Text(&e, "errorId");
    if (m.empty() && id.empty()) continue;
    if (!out.empty()) out += "; ";
    out += m.empty() ? "error" : m;
    if (!id.empty()) out += " (errorId " + id + ")";
  }
  return out;
}
}  // namespace

std::string ErrorText(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  std::string out;
  if (!doc.HasParseError() && doc.IsObject()) {
    out = EntriesText(Member(&doc, "errors"));
    if (out.empty()) out = EntriesText(Member(&doc, "warnings"));
    if (out.empty()) {
      // The OAuth endpoint's form: {"error", "error_description"}.
      out = Text(&doc, "error");
      const std::string d = Text(&doc, "error_description");
      if (!d.empty()) out += (out.empty() ? "" : ": ") + d;
    }
  }
  if (out.empty()) out = std::string(body);
  return connector_util::OneLineExcerpt(out, 300);
}

std::string UnitPrice(std::string_view line_cost, int64_t quantity) {
  line_cost = Trim(line_cost, " \t");
  if (line_cost.empty() || quantity <= 0) return "";
  // Scaled integer arithmetic: digits before and after the point.
  bool negative = line_cost[0] == '-';
  if (negative) line_cost.remove_prefix(1);
  const size_t dot = line_cost.find('.');
  std::string_view whole = line_cost.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? "" : line_cost.substr(dot + 1);
  if (whole.empty() || whole.size() > 12 || frac.size() > 6) return "";
  int64_t w = 0, f = 0;
  if (!connector_util::DigitsValue(whole, w)) return "";
  if (!frac.empty() && !connector_util::DigitsValue(frac, f)) return "";
  size_t decimals = std::max<size_t>(frac.size(), 2);
  int64_t scale = 1;
  for (size_t i = 0; i < decimals; ++i) scale *= 10;
  int64_t frac_scaled = f;
  for (size_t i = frac.size(); i < decimals; ++i) frac_scaled *= 10;
  const int64_t total = w * scale + frac_scaled;
  // Round half up to `decimals` places (a price split unevenly over units).
  const int64_t unit = (total * 2 / quantity + 1) / 2;
  std::string digits = std::to_string(unit % scale);
  while (digits.size() < decimals) digits.insert(0, "0");
  return std::string(negative && unit != 0 ? "-" : "") + std::to_string(unit / scale) + "." +
         digits;
}

BulkResult ReadBulkResult(std::string_view body, const std::vector<std::string>& skus) {
  BulkResult out;
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  std::map<std::string, std::pair<int64_t, const Value*>> by_sku;
  const Value* responses = doc.HasParseError() ? nullptr : Member(&doc, "responses");
  if (responses != nullptr && responses->IsArray()) {
    for (const Value& r : responses->GetArray()) {
      const std::string sku = Text(&r, "sku");
      int64_t code = 0;
      if (sku.empty() || !connector_util::Int(&r, "statusCode", code, &connector_util::DigitsValue))
        continue;
      // Several answers for one SKU (one per offer): the worst one counts.
      auto it = by_sku.find(sku);
      if (it == by_sku.end() || code > it->second.first) by_sku[sku] = {code, &r};
    }
  }
  for (const std::string& sku : skus) {
    auto it = by_sku.find(sku);
    if (it == by_sku.end()) {
      out.failed.emplace_back(sku, "eBay's answer has no result for this SKU (not counted as set)");
      continue;
    }
    const auto& [code, r] = it->second;
    if (code >= 200 && code < 300) {
      out.updated.push_back(sku);
      const Value* warnings = Member(r, "warnings");
      if (warnings != nullptr && warnings->IsArray() && !warnings->Empty())
        out.warned.push_back(sku);
      continue;
    }
    std::string text = EntriesText(Member(r, "errors"));
    std::string message = "eBay refused the quantity (statusCode " + std::to_string(code) + ")";
    if (code == 404) {
      message += ": no inventory item with this SKU in the seller's eBay inventory";
      out.unknown.insert(sku);
    }
    if (!text.empty()) message += ": " + connector_util::OneLineExcerpt(text, 300);
    out.failed.emplace_back(sku, std::move(message));
  }
  return out;
}

}  // namespace ebay

namespace {

using connector_util::Field;
using connector_util::JoinName;
using connector_util::JsonWriter;
using connector_util::Member;
using connector_util::Text;
using connector_util::UrlEncode;
using connector_util::WriteString;
using rapidjson::Value;

constexpr int kMaxPages = 5'000;  // 1,000,000 orders per fetch
constexpr const char* kProductionHost = "https://api.ebay.com";
constexpr const char* kSandboxHost = "https://api.sandbox.ebay.com";
constexpr const char* kFulfillment = "/sell/fulfillment/v1";
constexpr const char* kInventory = "/sell/inventory/v1";

bool ParseCount(std::string_view s, int64_t& out) {
  s = Trim(s, " \t");
  return !s.empty() && s.size() <= 18 && connector_util::DigitsValue(s, out);
}

bool Int(const Value* obj, const char* key, int64_t& out) {
  return connector_util::Int(obj, key, out, ParseCount);
}

struct Line {
  std::string id, sku, cost, status;
  int64_t quantity = 0;
  // Money in minor units (wms-contract.md "Money"): the discount
  // (lineItemCost - discountedLineItemCost) and the sum of taxes[].amount.
  std::optional<int64_t> discount, tax;
};

/// What the order's shipping fulfillments say: tracking numbers, and how
/// many units of each line are in a package already.
struct Fulfillments {
  std::vector<std::string> numbers;
  std::map<std::string, int64_t> shipped;  ///< lineItemId -> units
};

class EbayCart final : public CartConnector {
 public:
  EbayCart(std::string cart_id, std::string base, std::string marketplace, int64_t max_calls,
           std::unique_ptr<OAuthRefreshTokenAuth> auth, HttpClient& http)
      : cart_id_(std::move(cart_id)),
        base_(std::move(base)),
        marketplace_(std::move(marketplace)),
        max_calls_(max_calls),
        auth_(std::move(auth)),
        http_(http) {}

  Status FetchOrders(const OrderWindow& window,
                     const std::function<Status(std::vector<CartOrder>&&)>& sink) override;
  Result<bool> HasTracking(const std::string& order_id,
                           const std::string& tracking_number) override;
  Status UploadTracking(const TrackingUpload& upload) override;
  Result<std::vector<PushError>> PushInventory(const std::vector<InventoryPush>& items) override;

 private:
  using Doc = std::shared_ptr<rapidjson::Document>;

  int64_t CallsUsed() const { return calls_ + auth_->grants(); }
  Status BudgetSpent(const std::string& what) const {
    return Status::Transient("eBay call limit for this run reached ([api].max_calls_per_run = " +
                             std::to_string(max_calls_) + ") before " + what +
                             "; stopped here, the rest waits for the next run");
  }
  std::string Scrub(std::string text) const {
    for (const std::string& s : auth_->Secrets())
      connector_util::ScrubSecrets(text, {s}, /*min_length=*/1);
    return text;
  }
  /// One call: counted, authenticated (a fresh token once after a 401),
  /// answer body scrubbed. `what` is "GET /order/…" for messages.
  Result<HttpResponse> Send(const char* method, const std::string& url, std::string body,
                            bool idempotent, const std::string& what);
  Status Failure(const HttpResponse& r, const std::string& what) const;
  /// A GET whose 200 answer must be a JSON object.
  Result<Doc> GetObject(const std::string& url, const std::string& what);
  Result<Fulfillments> ReadFulfillments(const std::string& order_id);
  Status ReadOrder(const Value& o, CartOrder& out);

  std::string cart_id_, base_, marketplace_;
  int64_t max_calls_;
  std::unique_ptr<OAuthRefreshTokenAuth> auth_;
  HttpClient& http_;
  int64_t calls_ = 0;
};

Result<HttpResponse> EbayCart::Send(const char* method, const std::string& url, std::string body,
                                    bool idempotent, const std::string& what) {
  for (bool refreshed = false;;) {
    // A token request may come first: leave room for it.
    if (CallsUsed() + 2 > max_calls_) return BudgetSpent(what);
    HttpRequest request;
    request.method = method;
    request.url = url;
    request.idempotent = idempotent;
    request.headers = {{"Accept", "application/json"},
                       {"Content-Type", "application/json"},
                       {"X-EBAY-C-MARKETPLACE-ID", marketplace_}};
    request.body = body;
    Status authorized = auth_->Apply(request);
    if (!authorized.ok())
      return Status(authorized.code(), Scrub("eBay " + what + ": " + authorized.message()));
    ++calls_;
    auto sent = http_.Send(request);
    if (!sent.ok()) return Status(sent.status().code(), Scrub(sent.status().message()));
    HttpResponse r = std::move(sent.value());
    r.body = Scrub(std::move(r.body));
    if (r.status == 401 && !refreshed && auth_->Invalidate()) {
      refreshed = true;  // the token died early (revoked, clock skew): once with a new one
      continue;
    }
    return r;
  }
}

Status EbayCart::Failure(const HttpResponse& r, const std::string& what) const {
  const std::string text = ebay::ErrorText(r.body);
  const std::string suffix = text.empty() ? "" : ": " + text;
  if (r.status == 401)
    return Status::Permanent(Scrub("eBay rejected the token (HTTP 401) on " + what + suffix));
  std::string message = "eBay answered HTTP " + std::to_string(r.status) + " to " + what + suffix;
  if (r.status == 403)
    message +=
        " (the refresh token needs the sell.fulfillment and sell.inventory scopes; mint it "
        "again with both)";
  message = Scrub(std::move(message));
  if (r.status == 404) return Status::NotFound(message);
  if (r.status >= 500 || r.status == 429) return Status::Transient(message);
  return Status::Permanent(message);
}

Result<EbayCart::Doc> EbayCart::GetObject(const std::string& url, const std::string& what) {
  auto r = Send("GET", url, "", /*idempotent=*/true, what);
  if (!r.ok()) return r.status();
  if (r->status != 200) return Failure(r.value(), what);
  auto doc = std::make_shared<rapidjson::Document>();
  doc->Parse(r->body.data(), r->body.size());
  if (doc->HasParseError() || !doc->IsObject())
    return Status::Transient("eBay answered " + what +
                             " with something other than a JSON object: " +
                             connector_util::OneLineExcerpt(r->body, 200));
  return doc;
}

Result<Fulfillments> EbayCart::ReadFulfillments(const std::string& order_id) {
  const std::string what = "GET /order/" + order_id + "/shipping_fulfillment";
  auto doc = GetObject(
      base_ + kFulfillment + "/order/" + UrlEncode(order_id) + "/shipping_fulfillment", what);
  if (!doc.ok()) return doc.status();
  Fulfillments out;
  const Value* list = Member(doc.value().get(), "fulfillments");
  if (list == nullptr) return out;  // none yet
  if (!list->IsArray())
    return Status::Permanent("eBay answered " + what + " with fulfillments that are not a list");
  for (const Value& f : list->GetArray()) {
    const std::string number = Text(&f, "shipmentTrackingNumber");
    if (!number.empty()) out.numbers.push_back(number);
    const Value* lines = Member(&f, "lineItems");
    if (lines == nullptr || !lines->IsArray()) continue;
    for (const Value& l : lines->GetArray()) {
      int64_t q = 1;  // the API's default
      Int(&l, "quantity", q);
      const std::string id = Text(&l, "lineItemId");
      if (!id.empty()) out.shipped[id] += q;
    }
  }
  return out;
}

Status EbayCart::ReadOrder(const Value& o, CartOrder& out) {
  out.id = Text(&o, "orderId");
  if (out.id.empty()) return Status::Permanent("eBay returned an order without an orderId");
  out.order_number = out.id;  // what Seller Hub and the buyer see
  out.placed_at = connector_util::ToIsoUtc(Text(&o, "creationDate"));
  out.updated_at = connector_util::ToIsoUtc(Text(&o, "lastModifiedDate"));
  if (out.updated_at.empty()) out.updated_at = out.placed_at;
  out.status = Text(&o, "orderFulfillmentStatus");
  // A canceled order keeps its fulfillment status (NOT_STARTED), so the
  // lastmodifieddate pull returns it whatever the filter; cancelStatus says.
  out.canceled = Text(Member(&o, "cancelStatus"), "cancelState") == "CANCELED";

  // The first shipping instruction: the service the buyer chose and where to.
  const Value* instructions = Member(&o, "fulfillmentStartInstructions");
  const Value* step = nullptr;
  if (instructions != nullptr && instructions->IsArray()) {
    for (const Value& i : instructions->GetArray()) {
      step = Member(&i, "shippingStep");
      if (step != nullptr) break;
    }
  }
  out.ship_code = Text(step, "shippingServiceCode");
  const Value* to = Member(step, "shipTo");
  const Value* a = Member(to, "contactAddress");
  out.ship_to.name = Text(to, "fullName");
  out.ship_to.company = Text(to, "companyName");
  out.ship_to.address1 = Text(a, "addressLine1");
  out.ship_to.address2 = Text(a, "addressLine2");
  out.ship_to.city = Text(a, "city");
  out.ship_to.region = Text(a, "stateOrProvince");
  out.ship_to.postal_code = Text(a, "postalCode");
  out.ship_to.country = Text(a, "countryCode");
  out.ship_to.phone = Text(Member(to, "primaryPhone"), "phoneNumber");
  out.ship_to.email = Text(to, "email");

  // Money: Amount.value/currency are in the seller's currency (the buyer's
  // are convertedFromValue/convertedFromCurrency). eBay writes discounts
  // negative; the document's are positive.
  const Value* pricing = Member(&o, "pricingSummary");
  std::string currency = Text(Member(pricing, "total"), "currency");
  if (const Value* first = Member(&o, "lineItems");
      currency.empty() && first != nullptr && first->IsArray() && !first->Empty())
    currency = Text(Member(&(*first)[0], "lineItemCost"), "currency");
  const order_money::Money money(currency);
  const auto amount = [&](const Value* parent, const char* name) {
    return money.Minor(Text(Member(parent, name), "value"));
  };
  out.money.currency = money.currency();
  out.money.taxes_included = false;
  out.money.totals.subtotal = order_money::MinorOrEmpty(amount(pricing, "priceSubtotal"));
  out.money.totals.shipping = order_money::MinorOrEmpty(amount(pricing, "deliveryCost"));
  {
    std::optional<int64_t> discount = 0;
    for (const char* name : {"priceDiscount", "deliveryDiscount"})
      if (Member(pricing, name) != nullptr)
        order_money::Accumulate(discount, amount(pricing, name));
    if (discount) *discount = *discount < 0 ? -*discount : *discount;
    out.money.totals.discount = order_money::MinorOrEmpty(discount);
  }
  out.money.totals.tax = Member(pricing, "tax") != nullptr
                             ? order_money::MinorOrEmpty(amount(pricing, "tax"))
                             : order_money::MinorOrEmpty(money.Minor("0"));
  out.money.totals.total = order_money::MinorOrEmpty(amount(pricing, "total"));

  const Value* items = Member(&o, "lineItems");
  if (items == nullptr || !items->IsArray())
    return Status::Permanent("eBay order " + out.id + " has no lineItems list");
  std::vector<Line> lines;
  bool partly = false;
  for (const Value& li : items->GetArray()) {
    Line line;
    line.id = Text(&li, "lineItemId");
    if (line.id.empty() || !Int(&li, "quantity", line.quantity))
      return Status::Permanent("eBay order " + out.id +
                               " has a line item without a lineItemId or an integer quantity");
    line.sku = Text(&li, "sku");
    line.cost = Text(Member(&li, "lineItemCost"), "value");
    line.discount = money.Minor("0");
    if (Member(&li, "discountedLineItemCost") != nullptr) {
      auto before = amount(&li, "lineItemCost"), after = amount(&li, "discountedLineItemCost");
      line.discount = before && after ? std::optional<int64_t>(*before - *after) : std::nullopt;
    }
    line.tax = money.Minor("0");
    if (const Value* taxes = Member(&li, "taxes"); taxes && taxes->IsArray())
      for (const Value& t : taxes->GetArray())
        order_money::Accumulate(line.tax, amount(&t, "amount"));
    line.status = Text(&li, "lineItemFulfillmentStatus");
    if (line.status == "IN_PROGRESS") partly = true;
    lines.push_back(std::move(line));
  }
  // A cancelled order has nothing left to ship.
  if (Text(Member(&o, "cancelStatus"), "cancelState") == "CANCELED") return Status::Ok();
  // A partly shipped order: what is in a package already, per line.
  Fulfillments shipped;
  if (partly || out.status == "IN_PROGRESS") {
    auto f = ReadFulfillments(out.id);
    if (!f.ok()) return f.status();
    shipped = std::move(f.value());
  }
  for (const Line& line : lines) {
    if (line.status == "FULFILLED") continue;
    auto it = shipped.shipped.find(line.id);
    const int64_t left = line.quantity - (it == shipped.shipped.end() ? 0 : it->second);
    if (left <= 0) continue;
    OrderLine cl;
    cl.line_key = line.id;
    cl.sku = line.sku;
    cl.quantity = left;
    money.SetLineMinor(cl, money.UnitFromTotal(line.cost, line.quantity), line.discount, line.tax,
                       line.quantity);
    out.lines.push_back(std::move(cl));
  }
  return Status::Ok();
}

Status EbayCart::FetchOrders(const OrderWindow& window,
                             const std::function<Status(std::vector<CartOrder>&&)>& sink) {
  std::vector<std::string> statuses;
  if (auto it = window.statuses.find("fulfillment_status"); it != window.statuses.end())
    statuses = it->second;
  for (const std::string& s : statuses) {
    if (s != "NOT_STARTED" && s != "IN_PROGRESS" && s != "FULFILLED")
      return Status::Permanent("eBay has no order fulfillment status named \"" + s + "\"");
  }
  if (!window.created_after && !window.updated_after)
    return Status::Permanent("eBay order download needs a created-after or updated-after time");
  // Open-ended: eBay refuses an end date in the future (error 30850), and
  // our clock may be ahead of eBay's.
  const bool created = window.created_after.has_value();
  const std::string filter = ebay::OrdersFilter(
      created, created ? *window.created_after : *window.updated_after, 0, statuses);
  const std::string encoded = UrlEncode(filter, ":,.");

  // What the server filter cannot express is filtered here: one status of
  // a supported pair (only NOT_STARTED), or FULFILLED with NOT_STARTED.
  const std::set<std::string> wanted(statuses.begin(), statuses.end());
  const bool filter_here =
      !wanted.empty() && wanted != std::set<std::string>{"NOT_STARTED", "IN_PROGRESS"} &&
      wanted != std::set<std::string>{"FULFILLED", "IN_PROGRESS"} && wanted.size() != 3;

  std::set<std::string> seen;
  int64_t offset = 0, total = -1;
  std::string anchor;  // the previous page's last order: this page's first
  int restarts = 0;
  for (int page = 0;; ++page) {
    if (page >= kMaxPages)
      return Status::Permanent("eBay GET /order: more than " + std::to_string(kMaxPages) +
                               " pages; stopping");
    const std::string what = "GET /order (offset " + std::to_string(offset) + ")";
    auto doc = GetObject(base_ + kFulfillment + "/order?filter=" + encoded + "&limit=" +
                             std::to_string(ebay::kPageLimit) + "&offset=" + std::to_string(offset),
                         what);
    if (!doc.ok()) return doc.status();
    const rapidjson::Document& d = *doc.value();
    int64_t page_total = 0;
    if (!Int(&d, "total", page_total))
      return Status::Permanent("eBay answered " + what + " without a total");
    const Value* orders = Member(&d, "orders");
    if (orders != nullptr && !orders->IsArray())
      return Status::Permanent("eBay answered " + what + " with orders that are not a list");
    int64_t echoed = offset;
    // (A negative echo is no answer: a generated mock's int32 minimum.)
    if (Int(&d, "offset", echoed) && echoed >= 0 && echoed != offset)
      return Status::Permanent("eBay answered " + what + " with offset " + std::to_string(echoed) +
                               ": paging does not advance");
    const size_t count = orders == nullptr ? 0 : orders->Size();
    // Orders left or entered the result set before this offset since the
    // last page (the total changed, or the overlapping order moved): the
    // offsets shifted and an order may have slipped past. Read the series
    // again from the start; what was handed over already is skipped.
    bool shifted = total >= 0 && page_total != total;
    if (!shifted && !anchor.empty())
      shifted = count == 0 || Text(&(*orders)[0], "orderId") != anchor;
    if (shifted) {
      if (++restarts > ebay::kMaxRestarts)
        return Status::Transient("eBay orders kept changing during the download (" +
                                 std::to_string(ebay::kMaxRestarts) +
                                 " restarts); trying again next run");
      total = -1;
      offset = 0;
      anchor.clear();
      continue;
    }
    total = page_total;
    std::vector<CartOrder> batch;
    for (size_t i = 0; i < count; ++i) {
      const Value& o = (*orders)[static_cast<rapidjson::SizeType>(i)];
      const std::string id = Text(&o, "orderId");
      if (!id.empty() && seen.count(id) != 0) continue;
      const std::string status = Text(&o, "orderFulfillmentStatus");
      if (filter_here && wanted.count(status) == 0) continue;
      CartOrder order;
      Status st = ReadOrder(o, order);
      if (!st.ok()) return st;
      seen.insert(order.id);
      batch.push_back(std::move(order));
    }
    if (!batch.empty()) {
      Status st = sink(std::move(batch));
      if (!st.ok()) return st;
    }
    if (count == 0 || count < static_cast<size_t>(ebay::kPageLimit) ||
        offset + static_cast<int64_t>(count) >= total)
      break;
    // The next page overlaps this one by an order, to see a shift.
    anchor = Text(&(*orders)[static_cast<rapidjson::SizeType>(count - 1)], "orderId");
    offset += static_cast<int64_t>(count) - 1;
  }
  return Status::Ok();
}

Result<bool> EbayCart::HasTracking(const std::string& order_id,
                                   const std::string& tracking_number) {
  if (order_id.empty() || tracking_number.empty())
    return Status::Permanent("eBay tracking check needs an order id and a tracking number");
  auto f = ReadFulfillments(order_id);
  if (!f.ok()) return f.status();
  const auto& n = f.value().numbers;
  return std::find(n.begin(), n.end(), tracking_number) != n.end();
}

Status EbayCart::UploadTracking(const TrackingUpload& upload) {
  const std::string& order_id = upload.order_id;
  const std::string& number = upload.shipment.tracking_number;
  if (order_id.empty() || number.empty())
    return Status::Permanent("eBay tracking upload needs an order id and a tracking number");
  auto fulfillments = ReadFulfillments(order_id);
  if (!fulfillments.ok()) return fulfillments.status();
  const auto& numbers = fulfillments.value().numbers;
  if (std::find(numbers.begin(), numbers.end(), number) != numbers.end()) return Status::Ok();

  // The package's lines: those of the shipment, else what is left to ship.
  std::vector<std::pair<std::string, int64_t>> items;
  for (const ShipmentLine& line : upload.shipment.lines) {
    if (line.line_key.empty() || line.quantity <= 0) continue;
    auto same = std::find_if(items.begin(), items.end(),
                             [&](const auto& e) { return e.first == line.line_key; });
    if (same != items.end()) {
      same->second += line.quantity;
    } else {
      items.emplace_back(line.line_key, line.quantity);
    }
  }
  if (items.empty()) {
    const std::string what = "GET /order/" + order_id;
    auto doc = GetObject(base_ + kFulfillment + "/order/" + UrlEncode(order_id), what);
    if (!doc.ok()) return doc.status();
    const Value* lines = Member(doc.value().get(), "lineItems");
    if (lines != nullptr && lines->IsArray()) {
      for (const Value& li : lines->GetArray()) {
        const std::string id = Text(&li, "lineItemId");
        int64_t q = 0;
        if (id.empty() || !Int(&li, "quantity", q)) continue;
        auto it = fulfillments.value().shipped.find(id);
        const int64_t left = q - (it == fulfillments.value().shipped.end() ? 0 : it->second);
        if (left > 0) items.emplace_back(id, left);
      }
    }
    if (items.empty())
      return Status::Permanent("eBay order " + order_id + " has no line items left to ship");
  }

  std::string shipped_date;
  if (!upload.shipment.shipped_at.empty()) {
    int64_t s = 0;
    const std::string iso = connector_util::ToIsoUtc(upload.shipment.shipped_at);
    if (!iso.empty() && ParseTimestamp(iso, s)) shipped_date = ebay::FormatTimestamp(s * 1000);
  }
  auto body = [&](const std::string& carrier) {
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    w.StartObject();
    w.Key("lineItems");
    w.StartArray();
    for (const auto& [id, quantity] : items) {
      w.StartObject();
      w.Key("lineItemId");
      WriteString(w, id);
      w.Key("quantity");
      w.Int64(quantity);
      w.EndObject();
    }
    w.EndArray();
    if (!shipped_date.empty()) {
      w.Key("shippedDate");
      WriteString(w, shipped_date);
    }
    w.Key("shippingCarrierCode");
    WriteString(w, carrier);
    w.Key("trackingNumber");
    WriteString(w, number);
    w.EndObject();
    return std::string(sb.GetString(), sb.GetSize());
  };

  const std::string url =
      base_ + kFulfillment + "/order/" + UrlEncode(order_id) + "/shipping_fulfillment";
  const std::string what = "POST /order/" + order_id + "/shipping_fulfillment";
  auto done = [&](const HttpResponse& answer) {
    if (connector_util::IsJsonAnswer(answer.Header("Content-Type"), answer.body))
      return Status::Ok();
    return Status::Transient(
        "eBay answered " + what + " with HTTP " + std::to_string(answer.status) +
        " but not JSON (not counted as done): " + connector_util::OneLineExcerpt(answer.body, 120));
  };
  const std::string carrier = upload.carrier_code.empty() ? "Other" : upload.carrier_code;
  // Not idempotent: after an unknown outcome the next attempt looks first.
  auto r = Send("POST", url, body(carrier), /*idempotent=*/false, what);
  if (!r.ok()) return r.status();
  if (r->status == 200 || r->status == 201) return done(r.value());
  // A carrier eBay does not know is refused and nothing is created: once
  // more with "Other" (the tracking number still reaches the buyer).
  if (r->status == 400 && carrier != "Other" &&
      (r->body.find("shippingCarrierCode") != std::string::npos ||
       r->body.find("carrier") != std::string::npos)) {
    r = Send("POST", url, body("Other"), /*idempotent=*/false, what + " (carrier Other)");
    if (!r.ok()) return r.status();
    if (r->status == 200 || r->status == 201) return done(r.value());
    return Failure(r.value(), what + " (carrier Other)");
  }
  return Failure(r.value(), what);
}

Result<std::vector<PushError>> EbayCart::PushInventory(const std::vector<InventoryPush>& items) {
  std::vector<PushError> errors;
  for (size_t start = 0; start < items.size(); start += ebay::kInventoryBatch) {
    const size_t end = std::min(items.size(), start + ebay::kInventoryBatch);
    std::vector<std::string> skus;
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    w.StartObject();
    w.Key("requests");
    w.StartArray();
    for (size_t i = start; i < end; ++i) {
      skus.push_back(items[i].sku);
      w.StartObject();
      w.Key("sku");
      WriteString(w, items[i].sku);
      w.Key("shipToLocationAvailability");
      w.StartObject();
      w.Key("quantity");
      w.Int64(std::max<int64_t>(0, items[i].quantity));
      w.EndObject();
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    const std::string what =
        "POST /bulk_update_price_quantity (" + std::to_string(skus.size()) + " SKUs)";
    // Absolute quantities: safe to repeat.
    auto r = Send("POST", base_ + kInventory + "/bulk_update_price_quantity",
                  std::string(sb.GetString(), sb.GetSize()), /*idempotent=*/true, what);
    if (!r.ok()) {
      // The call budget: what was set stays set, the rest is reported per
      // SKU and pushed again next run.
      if (start > 0 && r.status().transient()) {
        for (size_t i = start; i < items.size(); ++i)
          errors.push_back({items[i].sku, r.status().message()});
        return errors;
      }
      return r.status();
    }
    if (r->status == 401 || r->status == 429 || r->status >= 500) return Failure(r.value(), what);
    if (r->status == 200 || r->status == 207) {
      if (!connector_util::IsJsonAnswer(r->Header("Content-Type"), r->body))
        return Status::Transient("eBay answered " + what + " with HTTP " +
                                 std::to_string(r->status) +
                                 " but not JSON (nothing counted as set): " +
                                 connector_util::OneLineExcerpt(r->body, 120));
      ebay::BulkResult result = ebay::ReadBulkResult(r->body, skus);
      for (auto& [sku, message] : result.failed)
        errors.push_back({sku, std::move(message), result.unknown.count(sku) > 0});
      continue;
    }
    const std::string message = Failure(r.value(), what).message();
    for (const std::string& sku : skus) errors.push_back({sku, message});
  }
  return errors;
}

}  // namespace

Result<std::unique_ptr<CartConnector>> MakeEbayCart(const CartConfig& cart,
                                                    const ConnectorDeps& deps) {
  const std::string cart_name = "cart \"" + cart.id + "\" (eBay)";
  const std::string where = cart_name + ": ";
  if (deps.http == nullptr || deps.secrets == nullptr)
    return Status::Permanent(where + "no HTTP client or secret resolver");
  std::string host = kProductionHost;
  if (const FieldValue* env = Field(cart, "environment"); env != nullptr && !env->text.empty()) {
    if (env->text == "sandbox") {
      host = kSandboxHost;
    } else if (env->text != "production") {
      return Status::Permanent(where + "[api].environment must be production or sandbox");
    }
  }
  if (const FieldValue* url = Field(cart, "base_url"); url != nullptr && !url->text.empty()) {
    Status st = connector_util::CheckBaseUrl(url->text, "eBay [api].base_url", "");
    if (!st.ok()) return Status::Permanent(where + st.message());
    host = url->text;
    while (!host.empty() && host.back() == '/') host.pop_back();
  }
  auto marketplace = connector_util::RequiredText(cart, "marketplace_id", cart_name);
  if (!marketplace.ok()) return marketplace.status();
  auto client_id = connector_util::RequiredText(cart, "client_id", cart_name);
  if (!client_id.ok()) return client_id.status();
  auto secret = connector_util::RequiredSecret(cart, "client_secret", cart_name);
  if (!secret.ok()) return secret.status();
  auto refresh = connector_util::RequiredSecret(cart, "refresh_token", cart_name);
  if (!refresh.ok()) return refresh.status();
  int64_t max_calls = ebay::kDefaultMaxCalls;
  if (const FieldValue* f = Field(cart, "max_calls_per_run"); f != nullptr) {
    if (f->type == FieldType::Integer) {
      max_calls = f->integer;
    } else if (!f->text.empty() && !ParseCount(f->text, max_calls)) {
      return Status::Permanent(where + "[api].max_calls_per_run must be an integer");
    }
    if (max_calls < 3)
      return Status::Permanent(where + "[api].max_calls_per_run must be at least 3");
  }
  RefreshTokenConfig c;
  c.label = "eBay";
  c.token_url = host + "/identity/v1/oauth2/token";
  c.client_id = client_id.value();
  c.client_secret = secret.value();
  c.refresh_token = refresh.value();
  c.scope = ebay::kScopes;
  auto auth = std::make_unique<OAuthRefreshTokenAuth>(std::move(c), *deps.http, *deps.secrets);
  return std::unique_ptr<CartConnector>(std::make_unique<EbayCart>(
      cart.id, std::move(host), marketplace.value(), max_calls, std::move(auth), *deps.http));
}

}  // namespace cartsync

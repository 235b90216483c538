// Shopify Admin GraphQL connector; see shopify_cart.h for the operations used
// and shopify_graphql.cc for the documents.
#include "runtime/carts/shopify_cart.h"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>

#include "base/sha256.h"
#include "base/url.h"
#include "runtime/carts/connector_util.h"
#include "runtime/carts/order_money.h"
#include "runtime/carts/shopify_graphql.h"
#include "runtime/net/auth.h"

namespace cartsync {
namespace shopify_detail {
namespace {

using connector_util::Excerpt;
using connector_util::JsonWriter;
using connector_util::Member;
using connector_util::WriteString;
using rapidjson::Value;
namespace gql = shopify_graphql;

constexpr size_t kMaxErrorText = 500;
constexpr const char* kDefaultApiVersion = "2026-10";
constexpr int kMaxThrottledRetries = 20;
constexpr int64_t kMaxThrottledWaitMs = 60'000;
constexpr int kMaxConcurrentKeyRetries = 5;

bool IsDigits(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// A string or number as text; nullopt for null, missing or anything else.
std::optional<std::string> Scalar(const Value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
  if (v->IsInt64()) return std::to_string(v->GetInt64());
  if (v->IsUint64()) return std::to_string(v->GetUint64());
  return std::nullopt;
}

std::string Text(const Value& object, const char* name) {
  return Scalar(Member(object, name)).value_or("");
}

bool IsNull(const Value& object, const char* name) {
  const Value* v = Member(object, name);
  return v == nullptr || v->IsNull();
}

/// An Int field: a JSON integer (or its text).
bool ReadInt(const Value* v, int64_t& out) {
  if (v == nullptr) return false;
  if (v->IsInt64()) {
    out = v->GetInt64();
    return true;
  }
  if (v->IsString()) {
    std::string_view s(v->GetString(), v->GetStringLength());
    bool negative = !s.empty() && s.front() == '-';
    if (negative) s.remove_prefix(1);
    if (!IsDigits(s) || s.size() > 18) return false;
    int64_t value = 0;
    if (!connector_util::DigitsValue(s, value)) return false;
    out = negative ? -value : value;
    return true;
  }
  return false;
}

bool ToUtc(const Value& object, const char* name, std::string& out) {
  std::optional<std::string> text = Scalar(Member(object, name));
  if (!text) return false;
  out = connector_util::ToIsoUtc(*text);
  return !out.empty();
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

/// The order's display statuses, as the cart format spells them.
bool MatchesOne(const Value& order, const std::string& dimension, const std::string& value) {
  if (value == "any") return true;
  if (dimension == "status") {
    if (value == "open") return IsNull(order, "closedAt") && IsNull(order, "cancelledAt");
    if (value == "closed") return !IsNull(order, "closedAt");
    if (value == "cancelled") return !IsNull(order, "cancelledAt");
    return true;
  }
  if (dimension == "financial_status") {
    const std::string f = Text(order, "displayFinancialStatus");
    if (value == "unpaid") return f == "PENDING" || f == "AUTHORIZED" || f == "PARTIALLY_PAID";
    return Lower(f) == value;
  }
  if (dimension == "fulfillment_status") {
    const std::string f = Text(order, "displayFulfillmentStatus");
    if (value == "partial") return f == "PARTIALLY_FULFILLED";
    if (value == "fulfilled") return f == "FULFILLED";
    if (value == "unfulfilled")  // nothing shipped yet, whatever stage it is in
      return f == "UNFULFILLED" || f == "OPEN" || f == "IN_PROGRESS" ||
             f == "PENDING_FULFILLMENT" || f == "ON_HOLD" || f == "SCHEDULED" ||
             f == "REQUEST_DECLINED";
    return true;
  }
  return true;
}

/// One search term for a dimension's values; "" when any.
std::string DimensionTerm(const std::string& dimension, const std::vector<std::string>& values) {
  std::vector<std::string> wire;
  for (const std::string& v : values) {
    if (v == "any") return "";
    if (dimension == "financial_status" && v == "unpaid") {
      for (const char* u : {"pending", "authorized", "partially_paid"}) wire.push_back(u);
    } else {
      wire.push_back(v);
    }
  }
  if (wire.empty()) return "";
  std::string out;
  for (const std::string& v : wire) out += (out.empty() ? "" : " OR ") + dimension + ":" + v;
  return wire.size() > 1 ? "(" + out + ")" : out;
}

void AppendErrorMessages(const Value& errors, std::vector<std::string>& out) {
  if (!errors.IsArray()) {
    if (std::optional<std::string> s = Scalar(&errors)) out.push_back(*s);
    return;
  }
  for (const Value& e : errors.GetArray()) {
    if (out.size() > 20) return;
    std::string message = Text(e, "message");
    const Value* ext = Member(e, "extensions");
    std::string code = ext ? Text(*ext, "code") : "";
    if (!code.empty()) message += (message.empty() ? "" : " ") + std::string("(") + code + ")";
    if (!message.empty()) out.push_back(message);
  }
}

}  // namespace

std::string SearchValue(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string OrdersSearch(const OrderWindow& window) {
  std::vector<std::string> terms;
  for (const char* dimension : {"status", "financial_status", "fulfillment_status"}) {
    auto it = window.statuses.find(dimension);
    if (it == window.statuses.end()) continue;
    std::string term = DimensionTerm(dimension, it->second);
    if (!term.empty()) terms.push_back(term);
  }
  if (window.created_after)
    terms.push_back("created_at:>='" + FormatIsoUtc(*window.created_after) + "'");
  if (window.updated_after)
    terms.push_back("updated_at:>='" + FormatIsoUtc(*window.updated_after) + "'");
  std::string out;
  for (const std::string& t : terms) out += (out.empty() ? "" : " ") + t;
  return out;
}

std::string CanceledOrdersSearch(const OrderWindow& window) {
  if (!window.updated_after) return "";
  if (auto it = window.statuses.find("status"); it != window.statuses.end())
    for (const std::string& v : it->second)
      if (v == "any" || v == "cancelled") {
        // The main search has them unless another dimension leaves them out.
        bool others = false;
        for (const auto& [dimension, values] : window.statuses)
          if (dimension != "status" && !DimensionTerm(dimension, values).empty()) others = true;
        if (!others) return "";
      }
  return "status:cancelled updated_at:>='" + FormatIsoUtc(*window.updated_after) + "'";
}

std::string SkuSearch(const std::vector<std::string>& skus) {
  std::string out;
  for (const std::string& s : skus)
    out += (out.empty() ? "" : " OR ") + std::string("sku:") + SearchValue(s);
  return out;
}

std::string GidNumber(std::string_view gid) {
  std::string_view s = gid.substr(0, gid.find('?'));
  size_t slash = s.rfind('/');
  std::string_view tail = slash == std::string_view::npos ? s : s.substr(slash + 1);
  return IsDigits(tail) ? std::string(tail) : "";
}

/// shopMoney.amount of a MoneyBag member, in minor units.
std::optional<int64_t> ShopMoney(const Value* bag, const order_money::Money& money) {
  const Value* shop = Member(bag, "shopMoney");
  if (shop == nullptr || !shop->IsObject()) return std::nullopt;
  return money.Minor(Text(*shop, "amount"));
}

bool ReadLineItem(const Value& item, const order_money::Money& money, OrderLine& out, bool& keep,
                  std::string& error, std::optional<int64_t>* list_total) {
  keep = false;
  if (!item.IsObject()) {
    error = "a line item is not an object";
    return false;
  }
  OrderLine line;
  line.line_key = GidNumber(Text(item, "id"));
  if (line.line_key.empty()) {
    error = "a line item has no id of the form gid://shopify/LineItem/N";
    return false;
  }
  int64_t quantity = 0, current = 0, unfulfilled = 0;
  if (!ReadInt(Member(item, "quantity"), quantity)) {
    error = "line item " + line.line_key + " has no integer quantity";
    return false;
  }
  // currentQuantity: what is left after refunds and removals; unfulfilledQuantity:
  // what is not shipped yet. What the WMS must still ship is the smaller one.
  if (!ReadInt(Member(item, "currentQuantity"), current)) current = quantity;
  if (!ReadInt(Member(item, "unfulfilledQuantity"), unfulfilled)) unfulfilled = current;
  line.quantity = std::min({quantity, current, unfulfilled});
  line.sku = Text(item, "sku");
  // Money: quantity is what was ordered (discountAllocations and taxLines
  // include refunded and removed units, as the document's line amounts do).
  const std::optional<int64_t> unit = ShopMoney(Member(item, "originalUnitPriceSet"), money);
  std::optional<int64_t> discount = money.Minor("0"), tax = money.Minor("0");
  if (const Value* list = Member(item, "discountAllocations"); list && list->IsArray())
    for (const Value& a : list->GetArray())
      order_money::Accumulate(discount, ShopMoney(Member(a, "allocatedAmountSet"), money));
  if (const Value* list = Member(item, "taxLines"); list && list->IsArray())
    for (const Value& t : list->GetArray())
      order_money::Accumulate(tax, ShopMoney(Member(t, "priceSet"), money));
  money.SetLineMinor(line, unit, discount, tax, quantity);
  if (list_total != nullptr)
    order_money::Accumulate(*list_total,
                            unit ? std::optional<int64_t>(*unit * quantity) : std::nullopt);
  keep = line.quantity > 0;
  out = std::move(line);
  return true;
}

bool ReadOrder(const Value& order, CartOrder& out, std::string& error) {
  if (!order.IsObject()) {
    error = "an order is not a JSON object";
    return false;
  }
  CartOrder o;
  o.id = Text(order, "legacyResourceId");
  if (!IsDigits(o.id)) {
    error = "an order has no numeric legacyResourceId";
    return false;
  }
  const std::string where = "order " + o.id + ": ";
  o.order_number = Text(order, "name");
  if (o.order_number.empty()) o.order_number = o.id;
  if (!ToUtc(order, "createdAt", o.placed_at)) {
    error = where + "createdAt \"" + Excerpt(Text(order, "createdAt"), 40) + "\" is not ISO 8601";
    return false;
  }
  if (!ToUtc(order, "updatedAt", o.updated_at)) o.updated_at = o.placed_at;
  std::string financial = Lower(Text(order, "displayFinancialStatus"));
  std::string fulfillment = Lower(Text(order, "displayFulfillmentStatus"));
  o.status = (financial.empty() ? "unknown" : financial) + "/" +
             (fulfillment.empty() ? "unknown" : fulfillment);
  o.canceled = !IsNull(order, "cancelledAt");
  if (o.canceled)
    o.status = "cancelled " + o.status;
  else if (!IsNull(order, "closedAt"))
    o.status = "closed " + o.status;

  if (const Value* line = Member(order, "shippingLine"); line && line->IsObject())
    o.ship_code = Text(*line, "title");
  // Money: shop money (currencyCode is the shop's currency when the order
  // was placed); the lines' prices include tax when taxesIncluded.
  const order_money::Money money(Text(order, "currencyCode"));
  o.money.currency = money.currency();
  if (const Value* included = Member(order, "taxesIncluded"); included && included->IsBool())
    o.money.taxes_included = included->GetBool();
  // subtotal: the lines' list totals, summed as the line pages are read
  // (ReadLineItem); the rest from the order.
  o.money.totals.shipping = order_money::MinorOrEmpty(
      ShopMoney(Member(Member(order, "shippingLine"), "originalPriceSet"), money));
  if (!Member(order, "shippingLine") || Member(order, "shippingLine")->IsNull())
    o.money.totals.shipping = order_money::MinorOrEmpty(money.Minor("0"));
  o.money.totals.discount =
      order_money::MinorOrEmpty(ShopMoney(Member(order, "totalDiscountsSet"), money));
  o.money.totals.tax = order_money::MinorOrEmpty(ShopMoney(Member(order, "totalTaxSet"), money));
  o.money.totals.total =
      order_money::MinorOrEmpty(ShopMoney(Member(order, "totalPriceSet"), money));
  std::optional<int64_t> subtotal = money.Minor("0");

  if (const Value* a = Member(order, "shippingAddress"); a && a->IsObject()) {
    Address& s = o.ship_to;
    s.name = Text(*a, "name");
    if (s.name.empty())
      s.name = connector_util::JoinName(Text(*a, "firstName"), Text(*a, "lastName"));
    s.company = Text(*a, "company");
    s.address1 = Text(*a, "address1");
    s.address2 = Text(*a, "address2");
    s.city = Text(*a, "city");
    s.region = Text(*a, "provinceCode");
    if (s.region.empty()) s.region = Text(*a, "province");
    s.postal_code = Text(*a, "zip");
    s.country = Text(*a, "countryCodeV2");
    s.phone = Text(*a, "phone");
  }
  if (o.ship_to.phone.empty()) o.ship_to.phone = Text(order, "phone");
  o.ship_to.email = Text(order, "email");

  if (const Value* items = Member(order, "lineItems"); items && !items->IsNull()) {
    const Value* nodes = Member(items, "nodes");
    if (nodes == nullptr || !nodes->IsArray()) {
      error = where + "lineItems has no nodes list";
      return false;
    }
    for (const Value& item : nodes->GetArray()) {
      OrderLine line;
      bool keep = false;
      std::string why;
      if (!ReadLineItem(item, money, line, keep, why, &subtotal)) {
        error = where + why;
        return false;
      }
      if (keep) o.lines.push_back(std::move(line));
    }
  }
  o.money.totals.subtotal = order_money::MinorOrEmpty(subtotal);
  out = std::move(o);
  return true;
}

bool MatchesStatus(const Value& order, const std::string& dimension,
                   const std::vector<std::string>& values) {
  if (values.empty()) return true;
  for (const std::string& v : values)
    if (MatchesOne(order, dimension, v)) return true;
  return false;
}

std::string ErrorText(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return "";
  std::vector<std::string> parts;
  if (const Value* errors = Member(doc, "errors")) AppendErrorMessages(*errors, parts);
  std::string joined;
  for (const std::string& p : parts) joined += (joined.empty() ? "" : "; ") + p;
  return Excerpt(joined, kMaxErrorText);
}

bool ReadCost(const Value& doc, CostBudget& budget, double& requested) {
  const Value* cost = Member(Member(&doc, "extensions"), "cost");
  const Value* status = Member(cost, "throttleStatus");
  auto number = [](const Value* v, double& out) {
    if (v == nullptr || !v->IsNumber()) return false;
    out = v->GetDouble();
    return true;
  };
  CostBudget b;
  if (!number(Member(status, "maximumAvailable"), b.maximum) ||
      !number(Member(status, "currentlyAvailable"), b.available) ||
      !number(Member(status, "restoreRate"), b.restore_per_second))
    return false;
  requested = 0;
  number(Member(cost, "requestedQueryCost"), requested);
  budget = b;
  return true;
}

std::string IdempotencyKey(std::string_view cart_id, std::string_view location_gid,
                           std::string_view push_id,
                           const std::vector<std::pair<std::string, int64_t>>& quantities) {
  std::string text = "cartsync inventorySetQuantities v1\n";
  text +=
      std::string(cart_id) + "\n" + std::string(location_gid) + "\n" + std::string(push_id) + "\n";
  for (const auto& [item, quantity] : quantities)
    text += item + "=" + std::to_string(quantity) + "\n";
  const std::string h = Sha256Hex(text);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

// ---------------------------------------------------------------------------
// The connector

namespace {

/// What a GraphQL answer carries once it is known to be usable.
struct Reply {
  rapidjson::Document doc;
  const Value* data = nullptr;  ///< doc["data"], an object
  std::string request_id;
};

std::string RequestIdNote(const std::string& id) {
  return id.empty() ? "" : " (X-Request-Id " + Excerpt(id, 80) + ")";
}

/// The tracking numbers already on an order, by fulfillment location.
struct TrackingState {
  bool found = false;
  bool anywhere = false;            ///< on a fulfillment without a location
  std::set<std::string> locations;  ///< location gids carrying the number
  bool Covers(const std::string& location) const {
    return anywhere || locations.count(location) > 0;
  }
};

struct FoLine {
  std::string id;         ///< FulfillmentOrderLineItem gid
  std::string line_key;   ///< the order line's number
  int64_t remaining = 0;  ///< remainingQuantity
};

struct FulfillmentOrder {
  std::string id, status, location;  ///< location gid, "" when none
  std::vector<FoLine> lines;
};

class ShopifyCart final : public CartConnector {
 public:
  ShopifyCart(std::string cart_id, std::string api_base, std::unique_ptr<AuthStrategy> auth,
              std::optional<std::string> location_id, std::optional<int64_t> earliest_unix,
              HttpClient& http)
      : cart_id_(std::move(cart_id)),
        endpoint_(std::move(api_base) + "graphql.json"),
        auth_(std::move(auth)),
        location_id_(std::move(location_id)),
        earliest_unix_(earliest_unix),
        http_(http),
        clock_(http.clock()) {}

  // ---- orders ------------------------------------------------------------------

  Status FetchOrders(const OrderWindow& window,
                     const std::function<Status(std::vector<CartOrder>&&)>& sink) override {
    Status scoped = CheckOrderHorizon(window);
    if (!scoped.ok()) return scoped;
    std::set<std::string> seen_ids, seen_cursors;
    // Pass 0: the cart's statuses. Pass 1 (later pulls only, when the
    // statuses leave them out): the orders canceled since the cursor, so an
    // order canceled after it was downloaded is seen (CartOrder::canceled).
    const std::string cancel_search = CanceledOrdersSearch(window);
    for (int pass = 0; pass < (cancel_search.empty() ? 1 : 2); ++pass) {
      const std::string search = pass == 0 ? OrdersSearch(window) : cancel_search;
      std::optional<std::string> after;
      for (int page = 1;; ++page) {
        if (page > kMaxPages)
          return Status::Transient("Shopify CartsyncOrders: more than " +
                                   std::to_string(kMaxPages) + " pages; stopped");
        std::string vars = Vars([&](JsonWriter& w) {
          w.Key("query");
          WriteString(w, search);
          WriteAfter(w, after);
        });
        auto reply = Call(gql::kOrders, vars, /*idempotent=*/true);
        if (!reply.ok()) return reply.status();
        const Value* orders = Member(reply->data, "orders");
        const Value* nodes = Member(orders, "nodes");
        if (nodes == nullptr || !nodes->IsArray())
          return Status::Permanent("Shopify CartsyncOrders: the answer has no orders.nodes list" +
                                   RequestIdNote(reply->request_id));
        std::vector<CartOrder> batch;
        for (const Value& node : nodes->GetArray()) {
          // Read first: an order that cannot be read is an error even when
          // its statuses would leave it out (a silent skip could lose it).
          CartOrder o;
          std::string error;
          if (!ReadOrder(node, o, error))
            return Status::Permanent("Shopify CartsyncOrders: " + error +
                                     RequestIdNote(reply->request_id));
          bool wanted = true;
          for (const auto& [dimension, values] : window.statuses)
            if (!MatchesStatus(node, dimension, values)) wanted = false;
          if (pass == 1) wanted = o.canceled;
          if (!wanted) continue;
          if (!seen_ids.insert(o.id).second) continue;
          const Value* info = Member(Member(Member(&node, "lineItems"), "pageInfo"), "hasNextPage");
          if (info && info->IsBool() && info->GetBool()) {
            std::string cursor = Text(*Member(Member(&node, "lineItems"), "pageInfo"), "endCursor");
            Status more = MoreLineItems(Text(node, "id"), o, cursor);
            if (!more.ok()) return more;
          }
          batch.push_back(std::move(o));
        }
        if (!batch.empty()) {
          Status st = sink(std::move(batch));
          if (!st.ok()) return st;
        }
        auto next = NextCursor(*orders, "CartsyncOrders", seen_cursors, reply->request_id);
        if (!next.ok()) return next.status();
        if (!next->has_value()) break;
        after = *next.value();
      }
    }
    return Status::Ok();
  }

  // ---- tracking ----------------------------------------------------------------

  Result<bool> HasTracking(const std::string& order_id,
                           const std::string& tracking_number) override {
    if (!IsDigits(order_id))
      return Status::Permanent("\"" + Excerpt(order_id, 40) + "\" is not a Shopify order id");
    if (Trim(tracking_number).empty()) return Status::Permanent("no tracking number to look for");
    auto state = ReadTracking(order_id, tracking_number);
    if (!state.ok()) return state.status();
    return state->found;
  }

  Status UploadTracking(const TrackingUpload& upload) override { return Fulfil(upload); }
  Status FinishTracking(const TrackingUpload& upload) override { return Fulfil(upload); }

  // ---- inventory ---------------------------------------------------------------

  Result<std::vector<PushError>> PushInventory(const std::vector<InventoryPush>& items) override {
    std::vector<PushError> errors;
    if (items.empty()) return errors;
    if (push_id_.empty()) push_id_ = std::to_string(clock_.NowMs());
    auto location = Location();
    if (!location.ok()) return location.status();
    std::vector<std::string> skus;
    for (const InventoryPush& i : items) skus.push_back(i.sku);
    Status looked = LookUpSkus(skus);
    if (!looked.ok()) return looked;

    // Last value wins for a SKU listed twice; items keep their first position.
    std::vector<std::pair<std::string, int64_t>> quantities;  // inventory item gid, quantity
    std::map<std::string, std::string> sku_of;                // inventory item gid -> sku
    std::map<std::string, size_t> position;
    for (const InventoryPush& item : items) {
      const std::vector<std::string>& ids = sku_items_[item.sku];
      if (ids.empty()) {
        errors.push_back({item.sku, "SKU not found in Shopify", /*not_in_cart=*/true});
        continue;
      }
      if (ids.size() > 1) {
        errors.push_back(
            {item.sku, "SKU is on " + std::to_string(ids.size()) +
                           " Shopify variants with different inventory items; not set"});
        continue;
      }
      auto [it, fresh] = position.emplace(ids.front(), quantities.size());
      if (fresh)
        quantities.emplace_back(ids.front(), item.quantity);
      else
        quantities[it->second].second = item.quantity;
      sku_of[ids.front()] = item.sku;
    }
    for (size_t begin = 0; begin < quantities.size(); begin += kQuantitiesPerSet) {
      std::vector<std::pair<std::string, int64_t>> batch(
          quantities.begin() + static_cast<std::ptrdiff_t>(begin),
          quantities.begin() +
              static_cast<std::ptrdiff_t>(std::min(quantities.size(), begin + kQuantitiesPerSet)));
      Status st = SetQuantities(location.value(), std::move(batch), sku_of, errors);
      if (!st.ok()) return st;
    }
    return errors;
  }

  // ---- read-only checks (cartsync doctor) ------------------------------------------

  /// currentAppInstallation.accessScopes against what the declared services
  /// need (the [api] help's list); a write_ scope covers its read_ one.
  Result<AccessCheck> CheckAccess(const std::vector<Service>& services) override {
    auto reply = Call(gql::kAccessScopes, "{}", true);
    if (!reply.ok()) return reply.status();
    const Value* list = Member(Member(reply->data, "currentAppInstallation"), "accessScopes");
    if (list == nullptr || !list->IsArray())
      return Status::Permanent("Shopify CartsyncAccessScopes: the answer has no accessScopes list" +
                               RequestIdNote(reply->request_id));
    std::set<std::string> granted;
    for (const Value& s : list->GetArray()) granted.insert(Text(s, "handle"));
    scopes_ = granted;
    auto has = [&](const std::string& scope) {
      return granted.count(scope) > 0 ||
             (scope.rfind("read_", 0) == 0 && granted.count("write_" + scope.substr(5)) > 0);
    };
    AccessCheck a;
    a.checked = true;
    a.granted.assign(granted.begin(), granted.end());
    a.note = "Shopify currentAppInstallation.accessScopes";
    auto need = [&](const std::string& scope, const std::string& why) {
      if (!has(scope))
        a.missing.push_back("the Shopify app lacks the scope " + scope + ", which " + why +
                            " needs");
    };
    for (Service s : services) {
      switch (s) {
        case Service::OrderDownload:
          need("read_orders", "order_download");
          if (earliest_unix_ && *earliest_unix_ < clock_.NowSeconds() - kRecentOrdersSeconds)
            need("read_all_orders", "order_download from an earliest_order_date over 60 days back");
          break;
        case Service::ShipmentUpload:
          need("read_merchant_managed_fulfillment_orders", "shipment_upload");
          if (!has("write_merchant_managed_fulfillment_orders") && !has("write_fulfillments"))
            a.missing.push_back(
                "the Shopify app lacks the scope write_merchant_managed_fulfillment_orders (or "
                "write_fulfillments), which shipment_upload needs");
          break;
        case Service::InventoryUpload:
          need("read_products", "inventory_upload");
          need("write_inventory", "inventory_upload");
          need("read_locations", "inventory_upload");
          break;
      }
    }
    return a;
  }

  /// The configured location (or the primary one): there and active.
  Result<LocationCheck> InventoryLocation() override {
    auto gid = Location();
    if (!gid.ok()) return gid.status();
    LocationCheck l;
    l.applies = true;
    l.id = GidNumber(gid.value());
    return l;
  }

  /// Every variant's SKU (productVariants with an empty search), 250 a page.
  Result<CatalogSkus> CartSkus(int max_pages) override {
    CatalogSkus c;
    c.listed = true;
    std::set<std::string> skus;
    auto complete = EachVariant("", max_pages, [&](const Value& v) {
      if (std::string sku = Text(v, "sku"); !sku.empty()) skus.insert(sku);
    });
    if (!complete.ok()) return complete.status();
    c.complete = complete.value();
    c.skus.assign(skus.begin(), skus.end());
    return c;
  }

 private:
  // ---- the GraphQL call ---------------------------------------------------------

  template <class F>
  static std::string Vars(F&& fill) {
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    w.StartObject();
    fill(w);
    w.EndObject();
    return std::string(sb.GetString(), sb.GetSize());
  }

  /// The paging variable: the cursor after which to read, null for the first page.
  static void WriteAfter(JsonWriter& w, const std::optional<std::string>& after) {
    w.Key("after");
    if (after)
      WriteString(w, *after);
    else
      w.Null();
  }

  /// `{"id": gid}`, with `"after"` when paging from a cursor (left out for
  /// the first page: an omitted variable is null): the variables of every
  /// read of one node (an order, a fulfillment order).
  static std::string NodeVars(const std::string& gid,
                              const std::optional<std::string>& after = std::nullopt) {
    return Vars([&](JsonWriter& w) {
      w.Key("id");
      WriteString(w, gid);
      if (after) WriteAfter(w, after);
    });
  }

  std::string Scrub(std::string text) const {
    for (const std::string& s : auth_->Secrets())
      connector_util::ScrubSecrets(text, {s}, /*min_length=*/1);
    return text;
  }

  /// One operation: paced by its requested cost, authenticated, sent again
  /// after THROTTLED (it did not run) and once after a 401 with a fresh
  /// token. A usable answer has a `data` object and no `errors`; anything
  /// else is a Status naming the operation (Transient when a later attempt
  /// can help; for a mutation, Transient also means "unknown outcome").
  Result<Reply> Call(const gql::Operation& op, const std::string& variables, bool idempotent) {
    const std::string where = std::string("Shopify ") + op.name;
    std::string body;
    {
      rapidjson::StringBuffer sb;
      JsonWriter w(sb);
      w.StartObject();
      w.Key("query");
      WriteString(w, op.document);
      w.Key("operationName");
      WriteString(w, op.name);
      w.Key("variables");
      w.RawValue(variables.data(), static_cast<rapidjson::SizeType>(variables.size()),
                 rapidjson::kObjectType);
      w.EndObject();
      body.assign(sb.GetString(), sb.GetSize());
    }
    bool refreshed = false;
    for (int throttled = 0;;) {
      const int64_t wait = limiter_.DelayBeforeMs(op.max_cost, clock_.NowMs());
      if (wait > 0) clock_.SleepMs(wait);
      HttpRequest request;
      request.method = "POST";
      request.url = endpoint_;
      request.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
      request.body = body;
      request.idempotent = idempotent;
      Status authorized = auth_->Apply(request);
      if (!authorized.ok())
        return Status(authorized.code(), Scrub(where + ": " + authorized.message()));
      auto sent = http_.Send(request);
      if (!sent.ok())
        return Status(sent.status().code(), Scrub(where + ": " + sent.status().message()));
      const HttpResponse& r = sent.value();
      const std::string rid = RequestIdNote(Scrub(r.Header("X-Request-Id")));
      if (r.status == 401 && !refreshed && auth_->Invalidate()) {
        refreshed = true;  // a token that expired early: one more try with a new one
        continue;
      }
      if (r.status == 401 || r.status == 403) {
        std::string text = ErrorText(r.body);
        return Status::Permanent(
            Scrub("Shopify rejected the access token (HTTP " + std::to_string(r.status) + ") on " +
                  op.name + (text.empty() ? "" : ": " + text) +
                  (r.status == 403
                       ? "; the app needs the scopes listed in the [api] help (cartsync schema)"
                       : "") +
                  rid));
      }
      if (r.status < 200 || r.status >= 300) {
        std::string text = ErrorText(r.body);
        std::string message =
            where + ": HTTP " + std::to_string(r.status) + (text.empty() ? "" : ": " + text);
        if (r.status >= 300 && r.status < 400)
          message += " (redirect; store_url must be the shop's https://NAME.myshopify.com address)";
        if (r.status == 404) message += " (check store_url and api_version)";
        message += rid;
        return r.status >= 500 ? Status::Transient(Scrub(message))
                               : Status::Permanent(Scrub(message));
      }
      if (!connector_util::IsJsonAnswer(r.Header("Content-Type"), r.body))
        return Status::Transient(Scrub("malformed answer from " + where +
                                       ": not JSON (content type \"" +
                                       Excerpt(r.Header("Content-Type"), 60) + "\", HTTP " +
                                       std::to_string(r.status) + ")" + rid));
      Reply reply;
      reply.request_id = Scrub(r.Header("X-Request-Id"));
      reply.doc.Parse<rapidjson::kParseIterativeFlag>(r.body.data(), r.body.size());
      if (reply.doc.HasParseError() || !reply.doc.IsObject()) {
        std::string why =
            reply.doc.HasParseError()
                ? std::string(rapidjson::GetParseError_En(reply.doc.GetParseError())) +
                      " at offset " + std::to_string(reply.doc.GetErrorOffset())
                : "not a JSON object";
        return Status::Transient(Scrub("malformed JSON from " + where + " (HTTP " +
                                       std::to_string(r.status) + ", " +
                                       std::to_string(r.body.size()) + " bytes): " + why + rid));
      }
      CostBudget budget;
      double requested = 0;
      const bool has_cost = ReadCost(reply.doc, budget, requested);
      if (has_cost) limiter_.Observe(budget, clock_.NowMs());
      const Value* errors = Member(reply.doc, "errors");
      if (errors != nullptr && errors->IsArray() && !errors->Empty()) {
        std::set<std::string> codes;
        for (const Value& e : errors->GetArray()) {
          const Value* ext = Member(&e, "extensions");
          codes.insert(ext ? Text(*ext, "code") : "");
        }
        const std::string text = Scrub(ErrorText(r.body));
        if (codes.count("THROTTLED")) {
          if (++throttled > kMaxThrottledRetries)
            return Status::Transient(where + ": THROTTLED " + std::to_string(throttled) +
                                     " times; stopped" + rid);
          // Not run: wait until the bucket holds the request's cost, when it
          // can and soon (Shopify's buckets restore 50+ points a second).
          const double cost = requested > 0 && requested <= 1000 ? requested : op.max_cost;
          if (has_cost && cost > budget.maximum)
            return Status::Transient(where + ": THROTTLED: the query costs " +
                                     std::to_string(static_cast<int>(cost)) +
                                     " points, the bucket holds " +
                                     std::to_string(static_cast<int64_t>(budget.maximum)) + rid);
          const int64_t wait =
              has_cost ? limiter_.ThrottledWaitMs(cost, budget, clock_.NowMs()) : 1000;
          if (wait > kMaxThrottledWaitMs)
            return Status::Transient(where + ": THROTTLED: the bucket would take " +
                                     std::to_string(wait / 1000) +
                                     " s to hold the query's cost; stopped" + rid);
          clock_.SleepMs(wait);
          continue;
        }
        if (codes.count("MAX_COST_EXCEEDED"))
          return Status::Permanent(where + ": Shopify refused the query's cost: " + text + rid);
        if (codes.count("ACCESS_DENIED"))
          return Status::Permanent(
              where + ": access denied: " + text +
              "; the app needs the scopes listed in the [api] help (cartsync schema)" + rid);
        if (codes.count("INTERNAL_SERVER_ERROR") || codes.count("SERVICE_UNAVAILABLE"))
          return Status::Transient(where + ": " + text + rid);
        return Status::Permanent(where + ": " + text + rid);
      }
      reply.data = Member(reply.doc, "data");
      if (reply.data == nullptr || !reply.data->IsObject())
        return Status::Transient(where + ": the answer has no data" + rid);
      return reply;
    }
  }

  /// The next cursor of a connection, nullopt at the end; a cursor seen
  /// before is an error, not another request.
  Result<std::optional<std::string>> NextCursor(const Value& connection, const char* op,
                                                std::set<std::string>& seen,
                                                const std::string& request_id) {
    const Value* info = Member(&connection, "pageInfo");
    const Value* more = Member(info, "hasNextPage");
    if (more == nullptr || !more->IsBool() || !more->GetBool()) return std::optional<std::string>();
    std::string cursor = Text(*info, "endCursor");
    if (cursor.empty())
      return Status::Permanent(std::string("Shopify ") + op + ": hasNextPage without an endCursor" +
                               RequestIdNote(request_id));
    if (!seen.insert(cursor).second)
      return Status::Transient(std::string("Shopify ") + op +
                               ": the cursor repeated a page; stopped" + RequestIdNote(request_id));
    return std::optional<std::string>(cursor);
  }

  static std::string OrderGid(const std::string& id) { return "gid://shopify/Order/" + id; }

  // ---- orders -------------------------------------------------------------------

  /// Orders older than 60 days are invisible without read_all_orders: a
  // ---- store time zone ---------------------------------------------------------

  /// shop { ianaTimezone }, once per connector.
  Result<StoreZone> StoreTimeZone() override {
    if (store_zone_) return *store_zone_;
    auto reply = Call(gql::kShopTimeZone, "{}", true);
    if (!reply.ok()) return reply.status();
    const Value* shop = Member(reply->data, "shop");
    const std::string zone = shop != nullptr ? Text(*shop, "ianaTimezone") : "";
    if (zone.empty())
      return Status::Permanent("Shopify CartsyncShopTimeZone: the answer has no shop.ianaTimezone" +
                               RequestIdNote(reply->request_id));
    StoreZone z;
    z.iana = zone;
    z.source = "Shopify shop.ianaTimezone";
    store_zone_ = z;
    return z;
  }

  /// download reaching further back (earliest_order_date or the window)
  /// fails instead of silently missing them.
  Status CheckOrderHorizon(const OrderWindow& window) {
    const int64_t horizon = clock_.NowSeconds() - kRecentOrdersSeconds;
    std::optional<int64_t> start =
        window.created_after ? window.created_after : window.updated_after;
    if (earliest_unix_ && (!start || *earliest_unix_ < *start)) start = earliest_unix_;
    if (!start || *start >= horizon) return Status::Ok();
    if (!scopes_) {
      auto reply = Call(gql::kAccessScopes, "{}", true);
      if (!reply.ok()) return reply.status();
      const Value* list = Member(Member(reply->data, "currentAppInstallation"), "accessScopes");
      if (list == nullptr || !list->IsArray())
        return Status::Permanent(
            "Shopify CartsyncAccessScopes: the answer has no accessScopes list" +
            RequestIdNote(reply->request_id));
      std::set<std::string> scopes;
      for (const Value& s : list->GetArray()) scopes.insert(Text(s, "handle"));
      scopes_ = std::move(scopes);
    }
    if (scopes_->count("read_all_orders")) return Status::Ok();
    return Status::Permanent(
        "Shopify shows an app without the read_all_orders scope only the last 60 days of orders, "
        "and this "
        "download reaches back to " +
        FormatIsoUtc(*start).substr(0, 10) +
        ": grant the app read_all_orders (Dev Dashboard: the app's version scopes, then release "
        "and "
        "reinstall; a legacy custom app: its Admin API scopes) or set earliest_order_date within "
        "60 days");
  }

  Status MoreLineItems(const std::string& order_gid, CartOrder& o, std::string cursor) {
    std::set<std::string> seen;
    const order_money::Money money(o.money.currency);
    // The first page's list total, continued over these pages.
    std::optional<int64_t> subtotal;
    if (int64_t first = 0;
        !o.money.totals.subtotal.empty() &&
        std::from_chars(o.money.totals.subtotal.data(),
                        o.money.totals.subtotal.data() + o.money.totals.subtotal.size(), first)
                .ec == std::errc())
      subtotal = first;
    for (int page = 1; !cursor.empty(); ++page) {
      if (page > kMaxPages || !seen.insert(cursor).second)
        return Status::Transient("Shopify CartsyncOrderLineItems: order " + o.id +
                                 ": the cursor repeated a page");
      std::string vars = NodeVars(order_gid, cursor);
      auto reply = Call(gql::kOrderLineItems, vars, true);
      if (!reply.ok()) return reply.status();
      const Value* items = Member(Member(reply->data, "order"), "lineItems");
      const Value* nodes = Member(items, "nodes");
      if (nodes == nullptr || !nodes->IsArray())
        return Status::Permanent("Shopify CartsyncOrderLineItems: order " + o.id +
                                 ": no lineItems.nodes list" + RequestIdNote(reply->request_id));
      for (const Value& item : nodes->GetArray()) {
        OrderLine line;
        bool keep = false;
        std::string error;
        if (!ReadLineItem(item, money, line, keep, error, &subtotal))
          return Status::Permanent("Shopify CartsyncOrderLineItems: order " + o.id + ": " + error);
        if (keep) o.lines.push_back(std::move(line));
      }
      const Value* info = Member(items, "pageInfo");
      const Value* more = Member(info, "hasNextPage");
      cursor = more && more->IsBool() && more->GetBool() ? Text(*info, "endCursor") : "";
    }
    o.money.totals.subtotal = order_money::MinorOrEmpty(subtotal);
    return Status::Ok();
  }

  // ---- tracking -----------------------------------------------------------------

  /// Reads where an order's `fulfillments` list carries `wanted` into
  /// `state`; false when the answer has no such list.
  static bool TrackingOf(const Value* order, std::string_view wanted, TrackingState& state,
                         size_t& listed) {
    const Value* list = Member(order, "fulfillments");
    if (list == nullptr || !list->IsArray()) return false;
    listed = list->Size();
    for (const Value& f : list->GetArray()) {
      const Value* infos = Member(&f, "trackingInfo");
      if (infos == nullptr || !infos->IsArray()) continue;
      bool has = false;
      for (const Value& info : infos->GetArray())
        if (!wanted.empty() && EqualsIgnoreCase(Trim(Text(info, "number")), wanted)) has = true;
      if (!has) continue;
      state.found = true;
      const Value* location = Member(&f, "location");
      std::string gid = location && location->IsObject() ? Text(*location, "id") : "";
      if (gid.empty())
        state.anywhere = true;
      else
        state.locations.insert(gid);
    }
    return true;
  }

  /// Where the order's fulfillments carry `number`: the first 20
  /// fulfillments, and the first 80 when there are more (an order with
  /// more than 80 cannot be checked: Permanent, rather than a guess).
  Result<TrackingState> ReadTracking(const std::string& order_id, const std::string& number) {
    const std::string_view wanted = Trim(number);
    for (const gql::Operation* op : {&gql::kOrderTracking, &gql::kOrderTrackingMore}) {
      const size_t limit = op == &gql::kOrderTracking ? 20 : 80;
      auto reply = Call(*op, NodeVars(OrderGid(order_id)), true);
      if (!reply.ok()) return reply.status();
      const Value* order = Member(reply->data, "order");
      TrackingState state;
      if (order == nullptr || order->IsNull())
        return state;  // no such order: no tracking on it either
      size_t listed = 0;
      if (!TrackingOf(order, wanted, state, listed))
        return Status::Permanent(std::string("Shopify ") + op->name +
                                 ": the answer has no fulfillments list" +
                                 RequestIdNote(reply->request_id));
      if (listed < limit) return state;  // the whole list
      if (op == &gql::kOrderTrackingMore) {
        if (state.found) return state;
        return Status::Permanent(
            "Shopify order " + order_id +
            " has more than 80 fulfillments; cartsync cannot tell whether tracking number " +
            Excerpt(number, 60) + " is on it");
      }
    }
    return TrackingState{};
  }

  /// Appends one page of fulfillment orders (`conn`, from `op`) to `out`
  /// and sets `after` to the next page's cursor (nullopt after the last).
  Status TakeFoPage(const Value* conn, const char* op, const std::string& request_id,
                    std::set<std::string>& seen, std::vector<FulfillmentOrder>& out,
                    std::optional<std::string>& after) {
    const Value* nodes = Member(conn, "nodes");
    if (nodes == nullptr || !nodes->IsArray())
      return Status::Permanent(std::string("Shopify ") + op +
                               ": the answer has no fulfillmentOrders.nodes list" +
                               RequestIdNote(request_id));
    for (const Value& node : nodes->GetArray()) {
      FulfillmentOrder fo;
      fo.id = Text(node, "id");
      fo.status = Text(node, "status");
      const Value* loc = Member(Member(&node, "assignedLocation"), "location");
      fo.location = loc && loc->IsObject() ? Text(*loc, "id") : "";
      const Value* lines = Member(&node, "lineItems");
      Status read = ReadFoLines(lines, fo);
      if (!read.ok()) return read;
      const Value* info = Member(lines, "pageInfo");
      const Value* more = Member(info, "hasNextPage");
      if (more && more->IsBool() && more->GetBool()) {
        Status rest = MoreFoLines(fo, Text(*info, "endCursor"));
        if (!rest.ok()) return rest;
      }
      if (!fo.id.empty()) out.push_back(std::move(fo));
    }
    auto next = NextCursor(*conn, op, seen, request_id);
    if (!next.ok()) return next.status();
    after = next.value();
    return Status::Ok();
  }

  /// The order's fulfillment orders from the page after `after` on (its
  /// first page when nullopt), appended to `out`.
  Status ReadFulfillmentOrders(const std::string& order_id, std::optional<std::string> after,
                               std::set<std::string>& seen, std::vector<FulfillmentOrder>& out) {
    for (int page = 1; page <= kMaxPages; ++page) {
      auto reply = Call(gql::kFulfillmentOrders, NodeVars(OrderGid(order_id), after), true);
      if (!reply.ok()) return reply.status();
      const Value* order = Member(reply->data, "order");
      if (order == nullptr || order->IsNull())
        return Status::Permanent("Shopify order " + order_id +
                                 " does not exist (CartsyncFulfillmentOrders)");
      Status st = TakeFoPage(Member(order, "fulfillmentOrders"), "CartsyncFulfillmentOrders",
                             reply->request_id, seen, out, after);
      if (!st.ok()) return st;
      if (!after) return Status::Ok();
    }
    return Status::Transient("Shopify CartsyncFulfillmentOrders: too many pages; stopped");
  }

  struct Fulfilment {
    TrackingState tracking;
    std::vector<FulfillmentOrder> orders;  ///< empty when tracking.anywhere
  };

  /// What Fulfil needs to know about an order, in one request when the
  /// order has under 5 fulfillments and up to 3 fulfillment orders (nearly
  /// every order): where `number` already is, and what is open.
  Result<Fulfilment> ReadFulfilment(const std::string& order_id, const std::string& number) {
    auto reply = Call(gql::kOrderFulfilment, NodeVars(OrderGid(order_id)), true);
    if (!reply.ok()) return reply.status();
    const Value* order = Member(reply->data, "order");
    if (order == nullptr || order->IsNull())
      return Status::Permanent("Shopify order " + order_id +
                               " does not exist (CartsyncOrderFulfilment)");
    Fulfilment out;
    size_t listed = 0;
    if (!TrackingOf(order, Trim(number), out.tracking, listed))
      return Status::Permanent(
          "Shopify CartsyncOrderFulfilment: the answer has no fulfillments list" +
          RequestIdNote(reply->request_id));
    if (listed >= 5) {  // maybe more than this page: the full look
      auto full = ReadTracking(order_id, number);
      if (!full.ok()) return full.status();
      out.tracking = std::move(full.value());
    }
    if (out.tracking.anywhere) return out;
    std::set<std::string> seen;
    std::optional<std::string> after;
    Status st = TakeFoPage(Member(order, "fulfillmentOrders"), "CartsyncOrderFulfilment",
                           reply->request_id, seen, out.orders, after);
    if (!st.ok()) return st;
    if (after) {
      st = ReadFulfillmentOrders(order_id, after, seen, out.orders);
      if (!st.ok()) return st;
    }
    return out;
  }

  static Status ReadFoLines(const Value* lines, FulfillmentOrder& fo) {
    const Value* nodes = Member(lines, "nodes");
    if (nodes == nullptr || !nodes->IsArray())
      return Status::Permanent("Shopify fulfillment order " + Excerpt(fo.id, 80) +
                               " has no lineItems.nodes list");
    for (const Value& n : nodes->GetArray()) {
      FoLine l;
      l.id = Text(n, "id");
      const Value* li = Member(&n, "lineItem");
      l.line_key = li && li->IsObject() ? GidNumber(Text(*li, "id")) : "";
      if (l.id.empty() || !ReadInt(Member(&n, "remainingQuantity"), l.remaining)) continue;
      fo.lines.push_back(std::move(l));
    }
    return Status::Ok();
  }

  Status MoreFoLines(FulfillmentOrder& fo, std::string cursor) {
    std::set<std::string> seen;
    for (int page = 1; !cursor.empty(); ++page) {
      if (page > kMaxPages || !seen.insert(cursor).second)
        return Status::Transient(
            "Shopify CartsyncFulfillmentOrderLineItems: the cursor repeated a page");
      std::string vars = NodeVars(fo.id, cursor);
      auto reply = Call(gql::kFulfillmentOrderLineItems, vars, true);
      if (!reply.ok()) return reply.status();
      const Value* lines = Member(Member(reply->data, "fulfillmentOrder"), "lineItems");
      Status read = ReadFoLines(lines, fo);
      if (!read.ok()) return read;
      const Value* info = Member(lines, "pageInfo");
      const Value* more = Member(info, "hasNextPage");
      cursor = more && more->IsBool() && more->GetBool() ? Text(*info, "endCursor") : "";
    }
    return Status::Ok();
  }

  /// Puts the tracking number on every assigned location of the order that
  /// has lines of the shipment open and does not carry the number yet: one
  /// fulfillmentCreate per location (Shopify refuses fulfillment orders of
  /// two locations in one call). Safe to repeat: locations already carrying
  /// the number are skipped, and an unknown outcome is looked up first.
  Status Fulfil(const TrackingUpload& upload) {
    const std::string& id = upload.order_id;
    const std::string& number = upload.shipment.tracking_number;
    if (!IsDigits(id))
      return Status::Permanent("\"" + Excerpt(id, 40) + "\" is not a Shopify order id");
    if (Trim(number).empty()) return Status::Permanent("the shipment has no tracking number");

    auto read = ReadFulfilment(id, number);
    if (!read.ok()) return read.status();
    const TrackingState& done = read->tracking;
    if (done.anywhere) return Status::Ok();

    // What the shipment still has to place, per order line (a line without a
    // quantity takes whatever is open).
    const bool by_line = !upload.shipment.lines.empty();
    std::map<std::string, int64_t> remaining;
    for (const ShipmentLine& l : upload.shipment.lines) {
      int64_t q = l.quantity > 0 ? l.quantity : INT64_MAX / 4;
      int64_t& r = remaining[l.line_key];
      r = std::min<int64_t>(INT64_MAX / 4, r + q);
    }
    // location gid -> fulfillment order gid -> [(fulfillment order line gid, quantity)]
    std::map<std::string, std::map<std::string, std::vector<std::pair<std::string, int64_t>>>>
        groups;
    for (const FulfillmentOrder& fo : read->orders) {
      if (fo.status != "OPEN" && fo.status != "IN_PROGRESS") continue;
      if (done.Covers(fo.location)) continue;
      for (const FoLine& l : fo.lines) {
        if (l.remaining <= 0) continue;
        int64_t quantity = l.remaining;
        if (by_line) {
          auto it = remaining.find(l.line_key);
          if (it == remaining.end() || it->second <= 0) continue;
          quantity = std::min(quantity, it->second);
          it->second -= quantity;
        }
        groups[fo.location][fo.id].emplace_back(l.id, quantity);
      }
    }
    if (groups.empty()) {
      if (done.found) return Status::Ok();  // every location that had the lines carries it
      std::string keys;
      for (const auto& [key, q] : remaining) keys += (keys.empty() ? "" : ", ") + key;
      return Status::Permanent(
          "Shopify order " + id + " has nothing open to fulfil" +
          (by_line ? " for the shipment's lines (line items " + Excerpt(keys, 200) + ")" : ""));
    }
    for (const auto& [location, orders] : groups) {
      Status st = CreateFulfillment(upload, location, orders);
      if (!st.ok()) return st;
    }
    return Status::Ok();
  }

  Status CreateFulfillment(
      const TrackingUpload& upload, const std::string& location,
      const std::map<std::string, std::vector<std::pair<std::string, int64_t>>>& orders) {
    const std::string& number = upload.shipment.tracking_number;
    const std::string at = location.empty() ? "" : " at location " + GidNumber(location);
    std::string vars = Vars([&](JsonWriter& w) {
      w.Key("fulfillment");
      w.StartObject();
      w.Key("lineItemsByFulfillmentOrder");
      w.StartArray();
      for (const auto& [fo, lines] : orders) {
        w.StartObject();
        w.Key("fulfillmentOrderId");
        WriteString(w, fo);
        w.Key("fulfillmentOrderLineItems");
        w.StartArray();
        for (const auto& [line, quantity] : lines) {
          w.StartObject();
          w.Key("id");
          WriteString(w, line);
          w.Key("quantity");
          w.Int64(quantity);
          w.EndObject();
        }
        w.EndArray();
        w.EndObject();
      }
      w.EndArray();
      w.Key("trackingInfo");
      w.StartObject();
      w.Key("company");
      WriteString(w, upload.carrier_code);
      w.Key("number");
      WriteString(w, number);
      w.EndObject();
      w.Key("notifyCustomer");
      w.Bool(false);
      w.EndObject();
    });
    auto reply = Call(gql::kFulfillmentCreate, vars, /*idempotent=*/false);
    if (reply.ok()) {
      const Value* payload = Member(reply->data, "fulfillmentCreate");
      const Value* user_errors = Member(payload, "userErrors");
      if (user_errors && user_errors->IsArray() && !user_errors->Empty()) {
        std::vector<std::string> parts;
        for (const Value& e : user_errors->GetArray()) {
          std::string field;
          if (const Value* f = Member(&e, "field"); f && f->IsArray())
            for (const Value& p : f->GetArray())
              field += (field.empty() ? "" : ".") + Scalar(&p).value_or("");
          parts.push_back(Text(e, "message") + (field.empty() ? "" : " (" + field + ")"));
        }
        std::string joined;
        for (const std::string& p : parts) joined += (joined.empty() ? "" : "; ") + p;
        return Status::Permanent(Scrub("Shopify fulfillmentCreate for order " + upload.order_id +
                                       at + ": " + Excerpt(joined, kMaxErrorText) +
                                       RequestIdNote(reply->request_id)));
      }
      const Value* f = Member(payload, "fulfillment");
      if (f && f->IsObject()) return Status::Ok();
      return Status::Permanent("Shopify fulfillmentCreate for order " + upload.order_id + at +
                               ": neither a fulfillment nor userErrors" +
                               RequestIdNote(reply->request_id));
    }
    if (!reply.status().transient()) return reply.status();
    // A timeout, a 5xx or a garbled answer may hide a fulfillment that was
    // created: look before anyone posts again (there is no idempotency key).
    auto recheck = ReadTracking(upload.order_id, number);
    if (recheck.ok() && recheck->Covers(location)) return Status::Ok();
    return Status::Transient(
        reply.status().message() +
        (recheck.ok() ? "; the tracking number is not on the order" + at + " (re-checked)"
                      : "; re-check failed: " + recheck.status().message()));
  }

  // ---- inventory ------------------------------------------------------------------

  /// The configured location (checked once) or the shop's primary one.
  Result<std::string> Location() {
    if (location_gid_) return *location_gid_;
    std::string vars = Vars([&](JsonWriter& w) {
      w.Key("id");
      if (location_id_)
        WriteString(w, "gid://shopify/Location/" + *location_id_);
      else
        w.Null();
    });
    auto reply = Call(gql::kLocation, vars, true);
    if (!reply.ok()) return reply.status();
    const Value* location = Member(reply->data, "location");
    if (location == nullptr || !location->IsObject()) {
      if (location_id_)
        return Status::Permanent("Shopify has no location " + *location_id_ +
                                 " ([api].inventory_location_id; Settings > Locations)");
      return Status::Permanent(
          "Shopify reported no primary location; set [api].inventory_location_id");
    }
    const Value* active = Member(location, "isActive");
    if (active && active->IsBool() && !active->GetBool())
      return Status::Permanent("Shopify location " + GidNumber(Text(*location, "id")) + " (" +
                               Excerpt(Text(*location, "name"), 80) +
                               ") is not active; stock cannot be set there");
    std::string gid = Text(*location, "id");
    if (gid.empty()) return Status::Permanent("Shopify CartsyncLocation: the location has no id");
    location_gid_ = gid;
    return gid;
  }

  /// Every productVariants node that `search` matches (CartsyncVariantsBySku),
  /// page by page, to `each`. False when pages were left after `max_pages`.
  Result<bool> EachVariant(const std::string& search, int max_pages,
                           const std::function<void(const Value&)>& each) {
    std::set<std::string> seen;
    std::optional<std::string> after;
    for (int page = 1;; ++page) {
      if (page > max_pages) return false;
      std::string vars = Vars([&](JsonWriter& w) {
        w.Key("query");
        WriteString(w, search);
        WriteAfter(w, after);
      });
      auto reply = Call(gql::kVariantsBySku, vars, true);
      if (!reply.ok()) return reply.status();
      const Value* conn = Member(reply->data, "productVariants");
      const Value* nodes = Member(conn, "nodes");
      if (nodes == nullptr || !nodes->IsArray())
        return Status::Permanent(
            "Shopify CartsyncVariantsBySku: the answer has no productVariants.nodes list" +
            RequestIdNote(reply->request_id));
      for (const Value& v : nodes->GetArray()) each(v);
      auto next = NextCursor(*conn, "CartsyncVariantsBySku", seen, reply->request_id);
      if (!next.ok()) return next.status();
      if (!next->has_value()) return true;
      after = *next.value();
    }
  }

  /// SKU -> inventory item gids for `skus` not looked up before in this run.
  Status LookUpSkus(const std::vector<std::string>& skus) {
    std::vector<std::string> todo;
    for (const std::string& s : skus)
      if (!s.empty() && !sku_items_.count(s) &&
          std::find(todo.begin(), todo.end(), s) == todo.end())
        todo.push_back(s);
    for (size_t begin = 0; begin < todo.size(); begin += kSkusPerLookup) {
      std::vector<std::string> batch(todo.begin() + static_cast<std::ptrdiff_t>(begin),
                                     todo.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                        todo.size(), begin + kSkusPerLookup)));
      std::map<std::string, std::vector<std::string>> found;
      for (const std::string& s : batch) found[s];
      auto complete = EachVariant(SkuSearch(batch), kMaxPages, [&](const Value& v) {
        auto it = found.find(Text(v, "sku"));  // the search may match more loosely: exact SKUs only
        const Value* item = Member(&v, "inventoryItem");
        std::string gid = item && item->IsObject() ? Text(*item, "id") : "";
        if (it == found.end() || gid.empty()) return;
        if (std::find(it->second.begin(), it->second.end(), gid) == it->second.end())
          it->second.push_back(gid);
      });
      if (!complete.ok()) return complete.status();
      if (!complete.value())
        return Status::Transient("Shopify CartsyncVariantsBySku: too many pages; stopped");
      for (auto& [sku, ids] : found) sku_items_[sku] = std::move(ids);
    }
    return Status::Ok();
  }

  /// One inventorySetQuantities for `batch`; items Shopify refuses become
  /// PushErrors and the rest is sent again (with its own key).
  Status SetQuantities(const std::string& location,
                       std::vector<std::pair<std::string, int64_t>> batch,
                       const std::map<std::string, std::string>& sku_of,
                       std::vector<PushError>& errors) {
    for (int round = 0; !batch.empty(); ++round) {
      if (round > 10) {
        for (const auto& [item, q] : batch)
          errors.push_back({sku_of.at(item), "Shopify kept refusing the batch"});
        return Status::Ok();
      }
      const std::string key = IdempotencyKey(cart_id_, location, push_id_, batch);
      std::string vars = Vars([&](JsonWriter& w) {
        w.Key("input");
        w.StartObject();
        w.Key("name");
        w.String("available");
        w.Key("reason");
        w.String("correction");
        w.Key("quantities");
        w.StartArray();
        for (const auto& [item, quantity] : batch) {
          w.StartObject();
          w.Key("inventoryItemId");
          WriteString(w, item);
          w.Key("locationId");
          WriteString(w, location);
          w.Key("quantity");
          w.Int64(quantity);
          w.Key("changeFromQuantity");  // explicit null: an absolute set, no compare
          w.Null();
          w.EndObject();
        }
        w.EndArray();
        w.EndObject();
        w.Key("idempotencyKey");
        WriteString(w, key);
      });
      Result<Reply> reply = Status::Transient("not sent");
      for (int concurrent = 0;; ++concurrent) {
        // Safe to repeat: the same key makes Shopify apply it at most once.
        reply = Call(gql::kInventorySet, vars, /*idempotent=*/true);
        if (!reply.ok()) return reply.status();
        if (concurrent >= kMaxConcurrentKeyRetries ||
            !HasUserErrorCode(reply.value(), "IDEMPOTENCY_CONCURRENT_REQUEST"))
          break;
        clock_.SleepMs(1000);  // the same key is still being applied
      }
      const Value* user_errors =
          Member(Member(reply->data, "inventorySetQuantities"), "userErrors");
      if (user_errors == nullptr || !user_errors->IsArray() || user_errors->Empty())
        return Status::Ok();
      // Attribute each error to its item by input.quantities.N; an error
      // naming no item fails the whole batch.
      std::map<size_t, std::string> refused;
      std::string general;
      for (const Value& e : user_errors->GetArray()) {
        std::string message = Text(e, "message");
        std::string code = Text(e, "code");
        if (!code.empty()) message += " (" + code + ")";
        std::optional<size_t> index;
        if (const Value* f = Member(&e, "field"); f && f->IsArray()) {
          const auto& parts = f->GetArray();
          for (rapidjson::SizeType i = 0; i + 1 < parts.Size(); ++i) {
            if (Scalar(&parts[i]).value_or("") != "quantities") continue;
            std::string n = Scalar(&parts[i + 1]).value_or("");
            if (IsDigits(n) && n.size() < 6 && std::stoul(n) < batch.size()) index = std::stoul(n);
          }
        }
        if (index)
          refused[*index] += (refused[*index].empty() ? "" : "; ") + message;
        else
          general += (general.empty() ? "" : "; ") + message;
      }
      if (refused.empty()) {
        for (const auto& [item, q] : batch)
          errors.push_back({sku_of.at(item), Scrub("Shopify: " + Excerpt(general, kMaxErrorText) +
                                                   RequestIdNote(reply->request_id))});
        return Status::Ok();
      }
      std::vector<std::pair<std::string, int64_t>> rest;
      for (size_t i = 0; i < batch.size(); ++i) {
        auto it = refused.find(i);
        if (it == refused.end())
          rest.push_back(batch[i]);
        else
          errors.push_back(
              {sku_of.at(batch[i].first), Scrub("Shopify: " + Excerpt(it->second, kMaxErrorText))});
      }
      batch = std::move(rest);  // Shopify applies all or nothing: send the others again
    }
    return Status::Ok();
  }

  static bool HasUserErrorCode(const Reply& reply, const char* code) {
    const Value* list = Member(Member(reply.data, "inventorySetQuantities"), "userErrors");
    if (list == nullptr || !list->IsArray()) return false;
    for (const Value& e : list->GetArray())
      if (Text(e, "code") == code) return true;
    return false;
  }

  std::string cart_id_;
  std::string endpoint_;  ///< ".../admin/api/{version}/graphql.json"
  std::unique_ptr<AuthStrategy> auth_;
  std::optional<std::string> location_id_;  ///< configured inventory_location_id
  std::optional<StoreZone> store_zone_;     ///< StoreTimeZone's answer, once asked
  std::optional<int64_t> earliest_unix_;    ///< 00:00 UTC of earliest_order_date
  HttpClient& http_;
  Clock& clock_;
  CostLimiter limiter_;
  std::optional<std::string> location_gid_;  ///< resolved once
  std::optional<std::set<std::string>> scopes_;
  std::map<std::string, std::vector<std::string>>
      sku_items_;  ///< SKU -> inventory item gids (this run)
  std::string push_id_;
};

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace
}  // namespace shopify_detail

Result<std::unique_ptr<CartConnector>> MakeShopifyCart(const CartConfig& cart,
                                                       const ConnectorDeps& deps) {
  using namespace shopify_detail;
  const std::string who = "cart " + cart.id + " (Shopify): ";
  if (deps.http == nullptr || deps.secrets == nullptr)
    return Status::Permanent(who + "the connector needs an HTTP client and a secret resolver");
  auto text = [&](const char* name) -> std::string {
    const FieldValue* f = connector_util::Field(cart, name);
    return f ? f->text : "";
  };
  std::string base = text("base_url");
  if (base.empty()) base = text("store_url");
  if (base.empty()) return Status::Permanent(who + "[api].store_url is not set");
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (CheckUrlRule(base) != UrlRule::kAllowed)
    return Status::Permanent(who + "the Shopify address " + Excerpt(RedactUrl(base), 200) +
                             " must be https:// (http:// only to 127.0.0.1, localhost or ::1)");
  if (base.find_first_of("?#") != std::string::npos)
    return Status::Permanent(who + "the Shopify address must not carry a query or fragment");

  std::string version = text("api_version");
  if (version.empty()) version = kDefaultApiVersion;
  if (version.size() != 7 || !IsDigits(version.substr(0, 4)) || version[4] != '-' ||
      !IsDigits(version.substr(5)))
    return Status::Permanent(who + "[api].api_version \"" + Excerpt(version, 40) +
                             "\" is not YYYY-MM");

  const FieldValue* token = connector_util::Field(cart, "access_token");
  const FieldValue* client_id = connector_util::Field(cart, "client_id");
  const FieldValue* client_secret = connector_util::Field(cart, "client_secret");
  const bool legacy = token && token->secret;
  const bool grant =
      (client_id && !client_id->text.empty()) || (client_secret && client_secret->secret);
  if (legacy && grant)
    return Status::Permanent(who +
                             "set either client_id + client_secret or access_token, not both");
  std::unique_ptr<AuthStrategy> auth;
  if (legacy) {
    auth =
        std::make_unique<StaticTokenAuth>(*token->secret, *deps.secrets, "X-Shopify-Access-Token");
  } else if (grant) {
    if (!client_id || client_id->text.empty())
      return Status::Permanent(who + "[api].client_id is not set");
    if (!client_secret || !client_secret->secret)
      return Status::Permanent(who +
                               "[api].client_secret is not set (a { secret = \"…\" } reference)");
    ClientCredentialsConfig c;
    c.label = "Shopify";
    c.token_url = base + "/admin/oauth/access_token";
    c.client_id = client_id->text;
    c.client_secret = *client_secret->secret;
    c.header = "X-Shopify-Access-Token";
    c.prefix = "";
    auth = std::make_unique<ClientCredentialsAuth>(std::move(c), *deps.http, *deps.secrets);
  } else {
    return Status::Permanent(who +
                             "no credentials: set client_id + client_secret, or access_token");
  }

  std::optional<std::string> location;
  if (const FieldValue* f = connector_util::Field(cart, "inventory_location_id")) {
    std::string id = f->type == FieldType::Integer ? std::to_string(f->integer) : f->text;
    if ((f->type == FieldType::Integer && f->integer <= 0) || !IsDigits(id) ||
        id.find_first_not_of('0') == std::string::npos)
      return Status::Permanent(who + "[api].inventory_location_id must be a positive integer");
    location = id;
  }
  std::optional<int64_t> earliest;
  if (cart.earliest_order_date)
    earliest = DaysFromCivil(cart.earliest_order_date->year, cart.earliest_order_date->month,
                             cart.earliest_order_date->day) *
               86400;

  return std::unique_ptr<CartConnector>(
      new ShopifyCart(cart.id, base + "/admin/api/" + version + "/", std::move(auth),
                      std::move(location), earliest, *deps.http));
}

}  // namespace cartsync

// eBay subset, after shared/openapi/ebay/sell_fulfillment_v1_oas3.json and
// sell_inventory_v1_oas3.json (the same files the connector is checked
// against with Prism), under /ebay/{store}:
//   POST /identity/v1/oauth2/token            refresh token grant (Basic client_id:client_secret;
//                                             seed.token is the refresh token); user access
//                                             tokens live token_ttl_seconds (default 7200)
//   GET  /sell/fulfillment/v1/order            filter=creationdate:[..]|lastmodifieddate:[..],
//                                             orderfulfillmentstatus:{A|B}; limit (1..200,
//                                             default 50), offset; OrderSearchPagedCollection
//   GET  /sell/fulfillment/v1/order/{orderId}
//   GET  /sell/fulfillment/v1/order/{orderId}/shipping_fulfillment
//   POST /sell/fulfillment/v1/order/{orderId}/shipping_fulfillment   -> 201 + Location
//   POST /sell/inventory/v1/bulk_update_price_quantity               -> 200 or 207 per SKU
// Errors in eBay's form {"errors":[{"errorId","domain","category","message"}]}
// with the error ids the API files list. Orders are listed oldest first.
// Order ids look like eBay's ("12-34567-00101"), line item ids are digits.
// Not modelled: rate limits (eBay sends no rate-limit headers; daily call
// limits are not emulated), offers and listings (a SKU's quantity is set on
// its inventory item: the store's product), fieldGroups, orderIds.
#include <algorithm>
#include <cstdio>
#include <set>

#include "tools/simulator/sim_internal.h"

namespace cartsync::sim::detail {
namespace {

constexpr const char* kFulfillment = "/sell/fulfillment/v1";
constexpr const char* kInventory = "/sell/inventory/v1";

void EbayError(Resp& res, int status, int error_id, std::string_view domain,
               std::string_view message) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("errors");
  w.StartArray();
  w.StartObject();
  KInt(w, "errorId", error_id);
  KStr(w, "domain", domain);
  KStr(w, "category", "REQUEST");
  KStr(w, "message", message);
  w.EndObject();
  w.EndArray();
  w.EndObject();
  res.Json(status, Done(sb));
}

void FulfillmentError(Resp& res, int status, int error_id, std::string_view message) {
  EbayError(res, status, error_id, "API_FULFILLMENT", message);
}

void OAuthError(Resp& res, int status, std::string_view error, std::string_view description) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  KStr(w, "error", error);
  KStr(w, "error_description", description);
  w.EndObject();
  res.Json(status, Done(sb));
}

/// eBay's timestamp form: "2026-11-01T10:00:00.000Z".
std::string EbayTime(int64_t epoch_seconds) {
  std::string iso = IsoUtc(epoch_seconds);  // …:SSZ
  iso.insert(iso.size() - 1, ".000");
  return iso;
}

std::optional<int64_t> ParseOrderId(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c == '-') continue;
    if (c < '0' || c > '9') return std::nullopt;
    digits.push_back(c);
  }
  if (digits.empty() || digits.size() > 15) return std::nullopt;
  return ToInt(digits);
}

int64_t Remaining(const Line& l) { return std::max<int64_t>(0, l.quantity - l.shipped); }

std::string LineStatus(const Line& l) {
  if (l.shipped <= 0) return "NOT_STARTED";
  return l.shipped >= l.quantity ? "FULFILLED" : "IN_PROGRESS";
}

void WriteAmount(Writer& w, const char* key, int64_t cents) {
  w.Key(key);
  w.StartObject();
  KStr(w, "value", Money(cents));
  KStr(w, "currency", "USD");
  w.EndObject();
}

void WriteOrder(Writer& w, const Store& st, const Order& o) {
  const std::string id = EbayOrderId(o.id);
  w.StartObject();
  KStr(w, "orderId", id);
  KStr(w, "legacyOrderId", std::to_string(o.id));
  KStr(w, "creationDate", EbayTime(o.created));
  KStr(w, "lastModifiedDate", EbayTime(o.updated));
  KStr(w, "orderFulfillmentStatus", o.status);
  KStr(w, "orderPaymentStatus", "PAID");
  KStr(w, "sellerId", st.name);
  w.Key("buyer");
  w.StartObject();
  KStr(w, "username", "buyer" + std::to_string(o.customer_id));
  w.EndObject();
  w.Key("cancelStatus");
  w.StartObject();
  KStr(w, "cancelState", o.cancelled_at ? "CANCELED" : "NONE_REQUESTED");
  w.Key("cancelRequests");
  w.StartArray();
  w.EndArray();
  w.EndObject();
  w.Key("fulfillmentHrefs");
  w.StartArray();
  for (const BcShipment& s : o.shipments)
    Str(w, std::string("https://api.ebay.com") + kFulfillment + "/order/" + id +
               "/shipping_fulfillment/" + std::to_string(s.id));
  w.EndArray();
  w.Key("fulfillmentStartInstructions");
  w.StartArray();
  w.StartObject();
  KStr(w, "fulfillmentInstructionsType", "SHIP_TO");
  KBool(w, "ebaySupportedFulfillment", false);
  w.Key("shippingStep");
  w.StartObject();
  if (o.has_shipping) {
    const std::string& c = o.ship_code;
    KStr(w, "shippingCarrierCode",
         c.rfind("USPS", 0) == 0    ? "USPS"
         : c.rfind("UPS", 0) == 0   ? "UPS"
         : c.rfind("FedEx", 0) == 0 ? "FedEx"
                                    : "Other");
    KStr(w, "shippingServiceCode", o.ship_code);
  }
  w.Key("shipTo");
  w.StartObject();
  KStr(w, "fullName", o.ship.FullName());
  if (!o.ship.company.empty()) KStr(w, "companyName", o.ship.company);
  w.Key("contactAddress");
  w.StartObject();
  KStr(w, "addressLine1", o.ship.address1);
  if (!o.ship.address2.empty()) KStr(w, "addressLine2", o.ship.address2);
  KStr(w, "city", o.ship.city);
  KStr(w, "stateOrProvince", o.ship.region_code);
  KStr(w, "postalCode", o.ship.postal);
  KStr(w, "countryCode", o.ship.country_code);
  w.EndObject();
  w.Key("primaryPhone");
  w.StartObject();
  KStr(w, "phoneNumber", o.ship.phone);
  w.EndObject();
  KStr(w, "email", o.email);
  w.EndObject();
  w.EndObject();
  w.EndObject();
  w.EndArray();
  w.Key("pricingSummary");
  w.StartObject();
  WriteAmount(w, "priceSubtotal", o.SubtotalCents());
  WriteAmount(w, "deliveryCost", o.shipping_cents);
  WriteAmount(w, "total", o.SubtotalCents() + o.shipping_cents);
  w.EndObject();
  w.Key("lineItems");
  w.StartArray();
  for (const Line& l : o.lines) {
    w.StartObject();
    KStr(w, "lineItemId", std::to_string(l.id));
    KStr(w, "legacyItemId", std::to_string(110'000'000'000 + static_cast<int64_t>(l.product)));
    KStr(w, "sku", l.sku);
    KStr(w, "title", l.title);
    KInt(w, "quantity", l.quantity);
    WriteAmount(w, "lineItemCost", l.price_cents * l.quantity);
    WriteAmount(w, "total", l.price_cents * l.quantity);
    KStr(w, "soldFormat", "FIXED_PRICE");
    KStr(w, "listingMarketplaceId", "EBAY_US");
    KStr(w, "purchaseMarketplaceId", "EBAY_US");
    KStr(w, "lineItemFulfillmentStatus", LineStatus(l));
    w.Key("appliedPromotions");
    w.StartArray();
    w.EndArray();
    w.Key("refunds");
    w.StartArray();
    w.EndArray();
    w.Key("taxes");
    w.StartArray();
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void WriteFulfillment(Writer& w, const Order& o, const BcShipment& s) {
  w.StartObject();
  KStr(w, "fulfillmentId", std::to_string(s.id));
  KStr(w, "shipmentTrackingNumber", s.tracking_number);
  KStr(w, "shippingCarrierCode", s.carrier.empty() ? s.provider : s.carrier);
  KStr(w, "shippedDate", EbayTime(s.created));
  w.Key("lineItems");
  w.StartArray();
  for (const auto& [index, quantity] : s.items) {
    w.StartObject();
    KStr(w, "lineItemId", std::to_string(o.lines[index].id));
    KInt(w, "quantity", quantity);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

// ---- token ---------------------------------------------------------------------

void Token(World& world, Store& st, const Req& req, Resp& res) {
  const std::string auth = req.Header("Authorization");
  std::optional<std::string> decoded;
  if (auth.size() > 6 && auth.compare(0, 6, "Basic ") == 0) decoded = Base64Decode(auth.substr(6));
  if (!decoded || *decoded != st.seed.client_id + ":" + st.seed.client_secret)
    return OAuthError(res, 401, "invalid_client", "client authentication failed");
  if (req.Header("Content-Type").rfind("application/x-www-form-urlencoded", 0) != 0)
    return OAuthError(res, 400, "invalid_request",
                      "request is missing a required parameter or malformed");
  std::string grant, refresh, scope;
  bool has_scope = false;
  for (const auto& [k, v] : ParseQuery(req.body)) {
    if (k == "grant_type") grant = v;
    if (k == "refresh_token") refresh = v;
    if (k == "scope") {
      scope = v;
      has_scope = true;
    }
  }
  if (grant != "refresh_token")
    return OAuthError(res, 400, "unsupported_grant_type",
                      "grant type in request is not supported by the authorization server");
  if (refresh.empty() || refresh != st.seed.token)
    return OAuthError(res, 400, "invalid_grant",
                      "the provided authorization refresh token is invalid or was issued to "
                      "another client");
  if (has_scope) {
    static const std::set<std::string> kAllowed = {
        "https://api.ebay.com/oauth/api_scope",
        "https://api.ebay.com/oauth/api_scope/sell.fulfillment",
        "https://api.ebay.com/oauth/api_scope/sell.fulfillment.readonly",
        "https://api.ebay.com/oauth/api_scope/sell.inventory",
        "https://api.ebay.com/oauth/api_scope/sell.inventory.readonly"};
    std::string one;
    for (size_t i = 0; i <= scope.size(); ++i) {
      if (i == scope.size() || scope[i] == ' ') {
        if (!one.empty() && !kAllowed.count(one))
          return OAuthError(res, 400, "invalid_scope",
                            "the requested scope is invalid, unknown, malformed, or exceeds the "
                            "scope granted to the client");
        one.clear();
      } else {
        one.push_back(scope[i]);
      }
    }
  }
  const std::string token =
      "v^1.1#i^1#p^3#r^0#I^3#f^0#t^simebaytok_" + st.name + "_" +
      std::to_string(st.next_misc_id++);  // simebaytok_: secrets_test.sh marker
  st.issued_tokens[token] = world.NowSeconds() + st.seed.token_ttl_seconds;
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  KStr(w, "access_token", token);
  KInt(w, "expires_in", st.seed.token_ttl_seconds);
  KStr(w, "token_type", "User Access Token");
  w.EndObject();
  res.Json(200, Done(sb));
}

// ---- orders --------------------------------------------------------------------

struct Filter {
  std::optional<int64_t> created_from, created_to, modified_from, modified_to;
  std::set<std::string> statuses;  ///< empty: any
};

/// "[a..b]" or "[a..]" -> seconds; false on a malformed range.
bool ParseRange(std::string_view v, std::optional<int64_t>* from, std::optional<int64_t>* to) {
  if (v.size() < 4 || v.front() != '[' || v.back() != ']') return false;
  v = v.substr(1, v.size() - 2);
  size_t dots = v.find("..");
  if (dots == std::string_view::npos) return false;
  int64_t s = 0;
  if (!ParseIso(v.substr(0, dots), &s)) return false;
  *from = s;
  std::string_view end = v.substr(dots + 2);
  if (!end.empty()) {
    if (!ParseIso(end, &s)) return false;
    *to = s;
  }
  return true;
}

/// Splits the filter at commas outside brackets and braces.
bool ParseFilter(const std::string& text, Filter* f, Resp& res) {
  std::vector<std::string> parts;
  std::string cur;
  int depth = 0;
  for (char c : text) {
    if (c == '[' || c == '{') ++depth;
    if (c == ']' || c == '}') --depth;
    if (c == ',' && depth == 0) {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) parts.push_back(cur);
  for (const std::string& part : parts) {
    size_t colon = part.find(':');
    const std::string name = part.substr(0, colon);
    const std::string value = colon == std::string::npos ? "" : part.substr(colon + 1);
    if (name == "creationdate" || name == "lastmodifieddate") {
      auto& from = name == "creationdate" ? f->created_from : f->modified_from;
      auto& to = name == "creationdate" ? f->created_to : f->modified_to;
      if (!ParseRange(value, &from, &to)) {
        FulfillmentError(res, 400, 30810, "Invalid date format");
        return false;
      }
      if (from && to && *from > *to) {
        FulfillmentError(res, 400, 30840, "Start date should be before end date");
        return false;
      }
    } else if (name == "orderfulfillmentstatus") {
      if (value != "{NOT_STARTED|IN_PROGRESS}" && value != "{FULFILLED|IN_PROGRESS}") {
        FulfillmentError(res, 400, 30800,
                         "Invalid filter value " + value + " for filter orderfulfillmentstatus");
        return false;
      }
      for (const char* s : {"NOT_STARTED", "IN_PROGRESS", "FULFILLED"})
        if (value.find(s) != std::string::npos) f->statuses.insert(s);
    } else {
      FulfillmentError(res, 400, 30700, "Invalid filter name: " + name);
      return false;
    }
  }
  return true;
}

void ListOrders(World& world, Store& st, const Req& req, Resp& res) {
  Filter f;
  if (!ParseFilter(req.ParamOr("filter"), &f, res)) return;
  // "If creationdate and lastmodifieddate are both included, only
  // creationdate is used."
  if (f.created_from) f.modified_from = f.modified_to = std::nullopt;
  const std::string limit_text = req.ParamOr("limit", "50");
  const std::string offset_text = req.ParamOr("offset", "0");
  auto limit = ToInt(limit_text);
  auto offset = ToInt(offset_text);
  if (!limit || *limit < 1 || *limit > 200)
    return FulfillmentError(res, 400, 31100, "Invalid limit: " + limit_text);
  if (!offset || *offset < 0)
    return FulfillmentError(res, 400, 31000, "Invalid offset: " + offset_text);
  std::vector<const Order*> match;
  for (const Order& o : st.orders) {
    if (f.created_from && o.created < *f.created_from) continue;
    if (f.created_to && o.created > *f.created_to) continue;
    if (f.modified_from && o.updated < *f.modified_from) continue;
    if (f.modified_to && o.updated > *f.modified_to) continue;
    if (!f.statuses.empty() && !f.statuses.count(o.status)) continue;
    match.push_back(&o);
  }
  (void)world;
  const int64_t total = static_cast<int64_t>(match.size());
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  const std::string self = std::string(kFulfillment) + "/order?limit=" + std::to_string(*limit);
  KStr(w, "href", req.store_base + self + "&offset=" + std::to_string(*offset));
  KInt(w, "limit", *limit);
  KInt(w, "offset", *offset);
  KInt(w, "total", total);
  if (*offset + *limit < total)
    KStr(w, "next", req.store_base + self + "&offset=" + std::to_string(*offset + *limit));
  if (*offset > 0)
    KStr(w, "prev",
         req.store_base + self +
             "&offset=" + std::to_string(std::max<int64_t>(0, *offset - *limit)));
  w.Key("orders");
  w.StartArray();
  for (int64_t i = *offset; i < total && i < *offset + *limit; ++i)
    WriteOrder(w, st, *match[static_cast<size_t>(i)]);
  w.EndArray();
  w.EndObject();
  res.Json(200, Done(sb));
}

Order* FindEbayOrder(Store& st, std::string_view text, Resp& res) {
  auto id = ParseOrderId(text);
  Order* o = id ? st.FindOrder(*id) : nullptr;
  if (o == nullptr) FulfillmentError(res, 400, 32100, "Invalid order ID: " + std::string(text));
  return o;
}

void CreateFulfillment(World& world, Store& st, Order& o, const Req& req, Resp& res) {
  if (req.Header("Content-Type").rfind("application/json", 0) != 0)
    return FulfillmentError(res, 400, 32600, "Invalid input data");
  rapidjson::Document doc;
  doc.Parse(req.body.data(), req.body.size());
  if (doc.HasParseError() || !doc.IsObject())
    return FulfillmentError(res, 400, 32600, "Invalid input data");
  const std::string number = JsonString(doc, "trackingNumber").value_or("");
  const std::string carrier = JsonString(doc, "shippingCarrierCode").value_or("");
  // A carrier code is one of eBay's enumeration names: letters, digits, '_'.
  const bool carrier_ok =
      !carrier.empty() && std::all_of(carrier.begin(), carrier.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '_';
      });
  if (number.empty() || number.size() > 64 || !carrier_ok)
    return FulfillmentError(res, 400, 32300, "Invalid shipment tracking number or carrier");
  int64_t shipped_at = world.NowSeconds();
  if (auto date = JsonString(doc, "shippedDate")) {
    if (!ParseIso(*date, &shipped_at))
      return FulfillmentError(res, 400, 32500, "Invalid shipped date");
  }
  if (!doc.HasMember("lineItems") || !doc["lineItems"].IsArray() || doc["lineItems"].Empty())
    return FulfillmentError(res, 400, 32600, "Invalid input data");
  std::vector<std::pair<size_t, int64_t>> items;
  std::set<size_t> seen;
  for (const rapidjson::Value& li : doc["lineItems"].GetArray()) {
    if (!li.IsObject()) return FulfillmentError(res, 400, 32600, "Invalid input data");
    const std::string line_id = JsonString(li, "lineItemId").value_or("");
    const int64_t quantity = JsonInt(li, "quantity").value_or(1);
    size_t index = o.lines.size();
    for (size_t i = 0; i < o.lines.size(); ++i)
      if (std::to_string(o.lines[i].id) == line_id) index = i;
    if (index == o.lines.size())
      return FulfillmentError(res, 400, 32200, "Invalid line item id: " + line_id);
    if (!seen.insert(index).second)
      return FulfillmentError(res, 400, 32210, "Duplicate line item in the request");
    if (quantity < 1 || quantity > Remaining(o.lines[index]))
      return FulfillmentError(res, 400, 32600, "Invalid input data");
    items.emplace_back(index, quantity);
  }
  BcShipment s;
  s.id = 9'405'509'699'937'000 + st.next_misc_id++;
  s.created = shipped_at;
  s.tracking_number = number;
  s.carrier = carrier;
  s.items = items;
  for (const auto& [index, quantity] : items) o.lines[index].shipped += quantity;
  const std::string before = o.status;
  o.status = o.Shipped() >= o.Ordered() ? "FULFILLED" : "IN_PROGRESS";
  o.updated = std::max(o.updated, world.NowSeconds());
  o.shipments.push_back(s);
  world.RecordTracking(st, o, "shipping_fulfillment", number, carrier, req.body);
  if (before != o.status) world.RecordStatus(st, o, before, o.status);
  res.status = 201;
  res.body.clear();
  res.Header("Location", req.store_base + kFulfillment + "/order/" + EbayOrderId(o.id) +
                             "/shipping_fulfillment/" + std::to_string(s.id));
}

// ---- inventory -----------------------------------------------------------------

void BulkUpdate(World& world, Store& st, const Req& req, Resp& res) {
  auto invalid = [&](const std::string& what) {
    EbayError(res, 400, 25709, "API_INVENTORY", "Invalid value for " + what + ".");
  };
  if (req.Header("Content-Type").rfind("application/json", 0) != 0)
    return invalid("header Content-Type");
  rapidjson::Document doc;
  doc.Parse(req.body.data(), req.body.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("requests") ||
      !doc["requests"].IsArray() || doc["requests"].Empty())
    return invalid("requests");
  if (doc["requests"].Size() > 25) return invalid("requests. At most 25 are allowed");
  struct One {
    std::string sku;
    int64_t quantity = 0;
  };
  std::vector<One> all;
  for (const rapidjson::Value& r : doc["requests"].GetArray()) {
    if (!r.IsObject() || !r.HasMember("shipToLocationAvailability") ||
        !r["shipToLocationAvailability"].IsObject())
      return invalid("shipToLocationAvailability");
    auto sku = JsonString(r, "sku");
    auto quantity = JsonInt(r["shipToLocationAvailability"], "quantity");
    if (!sku || sku->empty()) return invalid("sku");
    if (!quantity || *quantity < 0) return invalid("quantity");
    all.push_back({*sku, *quantity});
  }
  bool all_ok = true;
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("responses");
  w.StartArray();
  for (const One& one : all) {
    Product* p = st.FindSku(one.sku);
    w.StartObject();
    KStr(w, "sku", one.sku);
    if (p == nullptr) {
      all_ok = false;
      world.RecordInventory(st, "", one.sku, "", one.quantity, /*known=*/false);
      KInt(w, "statusCode", 404);
      w.Key("errors");
      w.StartArray();
      w.StartObject();
      KInt(w, "errorId", 25702);
      KStr(w, "domain", "API_INVENTORY");
      KStr(w, "category", "REQUEST");
      KStr(w, "message", "SKU " + one.sku + " is not available in the system");
      w.EndObject();
      w.EndArray();
    } else {
      p->stock = one.quantity;
      for (auto& [location, level] : p->levels) level = one.quantity;
      world.RecordInventory(st, "", one.sku, one.sku, one.quantity, true);
      KInt(w, "statusCode", 200);
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  res.Json(all_ok ? 200 : 207, Done(sb));
}

}  // namespace

std::string EbayOrderId(int64_t id) {
  char buf[48];
  std::snprintf(
      buf, sizeof buf, "%02lld-%05lld-%05lld", static_cast<long long>(id / 10'000'000'000 % 100),
      static_cast<long long>(id / 100'000 % 100'000), static_cast<long long>(id % 100'000));
  return buf;
}

bool IsEbayTokenRequest(const Req& req) {
  return req.method == "POST" && req.path == "/identity/v1/oauth2/token";
}

void HandleEbay(World& world, Store& st, const Req& req, Resp& res) {
  if (IsEbayTokenRequest(req)) return Token(world, st, req, res);
  {
    const std::string auth = req.Header("Authorization");
    auto it = st.issued_tokens.find(auth.size() > 7 ? auth.substr(7) : "");
    if (it == st.issued_tokens.end() || world.NowSeconds() >= it->second)
      return EbayUnauthorized(res);  // expired: eBay answers 401 as for a wrong token
  }
  const std::string& path = req.path;
  const std::string orders = std::string(kFulfillment) + "/order";
  if (path == orders) {
    if (req.method != "GET") return FulfillmentError(res, 405, 30500, "Method not allowed");
    return ListOrders(world, st, req, res);
  }
  if (path.rfind(orders + "/", 0) == 0) {
    std::vector<std::string> seg = SplitPath(path.substr(orders.size()));
    if (seg.empty()) return FulfillmentError(res, 404, 30500, "Not found");
    Order* o = FindEbayOrder(st, seg[0], res);
    if (o == nullptr) return;
    if (seg.size() == 1 && req.method == "GET") {
      rapidjson::StringBuffer sb;
      Writer w(sb);
      WriteOrder(w, st, *o);
      return res.Json(200, Done(sb));
    }
    if (seg.size() == 2 && seg[1] == "shipping_fulfillment") {
      if (req.method == "POST") return CreateFulfillment(world, st, *o, req, res);
      if (req.method == "GET") {
        rapidjson::StringBuffer sb;
        Writer w(sb);
        w.StartObject();
        KInt(w, "total", static_cast<int64_t>(o->shipments.size()));
        w.Key("fulfillments");
        w.StartArray();
        for (const BcShipment& s : o->shipments) WriteFulfillment(w, *o, s);
        w.EndArray();
        w.EndObject();
        return res.Json(200, Done(sb));
      }
    }
    return FulfillmentError(res, 404, 30500, "Not found");
  }
  if (path == std::string(kInventory) + "/bulk_update_price_quantity" && req.method == "POST")
    return BulkUpdate(world, st, req, res);
  FulfillmentError(res, 404, 30500, "Not found");
}

bool AuthorizeEbay(const Store& st, const Req& req, Resp& res) {
  if (IsEbayTokenRequest(req)) return true;  // client authentication in the handler
  const std::string auth = req.Header("Authorization");
  if (auth.size() > 7 && auth.compare(0, 7, "Bearer ") == 0) {
    // Issued tokens only; their expiry is checked by HandleEbay (the time
    // is the World's).
    if (st.issued_tokens.count(auth.substr(7))) return true;
  }
  EbayUnauthorized(res);
  return false;
}

void EbayUnauthorized(Resp& res) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("errors");
  w.StartArray();
  w.StartObject();
  KInt(w, "errorId", 1001);
  KStr(w, "domain", "OAuth");
  KStr(w, "category", "REQUEST");
  KStr(w, "message", "Invalid access token");
  KStr(w, "longMessage",
       "Invalid access token. Check the value of the Authorization HTTP request header.");
  w.EndObject();
  w.EndArray();
  w.EndObject();
  res.Json(401, Done(sb));
}

}  // namespace cartsync::sim::detail

// Amazon Selling Partner API store, written from the models in
// shared/openapi/amazon-sp-api (Orders v2026-01-01 searchOrders/getOrder,
// Orders v0 confirmShipment, Listings Items 2021-08-01 patchListingsItem,
// Feeds 2021-06-30) and Login with Amazon's token endpoint, under
// /amazon/{store}:
//
//   POST  /auth/o2/token                                   LWA refresh-token exchange
//   GET   /orders/2026-01-01/orders                        searchOrders
//   GET   /orders/2026-01-01/orders/{orderId}              getOrder
//   POST  /orders/v0/orders/{orderId}/shipmentConfirmation confirmShipment (204)
//   PATCH /listings/2021-08-01/items/{sellerId}/{sku}      patchListingsItem
//   POST  /feeds/2021-06-30/documents                      createFeedDocument
//   POST  /feeds/2021-06-30/feeds                          createFeed (processed at once)
//   GET   /feeds/2021-06-30/feeds/{feedId}                 getFeed
//   GET   /feeds/2021-06-30/documents/{feedDocumentId}     getFeedDocument
//   PUT/GET /_documents/{id}?X-Amz-Signature=…             the "presigned" document URLs
//
// Every SP-API answer carries x-amzn-RateLimit-Limit (the operation's rate
// from the models); with the "amazon_rate_limit" fault each operation's
// token bucket is enforced (429 QuotaExceeded). Order ids are Amazon's
// 3-7-7 text made from the numeric id (AmazonOrderId); orders are
// merchant-fulfilled, in marketplace ATVPDKIKX0DER, seller SellerId(store).
#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "tools/simulator/sim_internal.h"

namespace cartsync::sim::detail {
namespace {

constexpr char kMarketplace[] = "ATVPDKIKX0DER";

constexpr const char* kStatuses[] = {"PENDING_AVAILABILITY", "PENDING", "UNSHIPPED",
                                     "PARTIALLY_SHIPPED",    "SHIPPED", "CANCELLED",
                                     "UNFULFILLABLE"};
constexpr const char* kIncluded[] = {"BUYER",     "RECIPIENT",    "PROCEEDS",          "EXPENSE",
                                     "PROMOTION", "CANCELLATION", "FULFILLMENT",       "PACKAGES",
                                     "TAX",       "PAYMENT",      "FULFILLMENT_ORDERS"};

struct Plan {
  const char* operation;
  double rate, burst;
};
constexpr Plan kPlans[] = {
    {"searchOrders", 0.0056, 20}, {"getOrder", 0.5, 30},           {"confirmShipment", 2, 10},
    {"patchListingsItem", 5, 5},  {"createFeedDocument", 0.5, 15}, {"createFeed", 0.0083, 15},
    {"getFeed", 2, 15},           {"getFeedDocument", 0.0222, 10},
};

bool OneOf(std::string_view v, const char* const* list, size_t n) {
  return std::any_of(list, list + n, [&](const char* s) { return v == s; });
}

std::string RateText(double rate) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", rate);
  return buf;
}

void Errors(Resp& res, int status, std::string_view code, std::string_view message,
            std::string_view details = "") {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("errors");
  w.StartArray();
  w.StartObject();
  KStr(w, "code", code);
  KStr(w, "message", message);
  if (!details.empty()) KStr(w, "details", details);
  w.EndObject();
  w.EndArray();
  w.EndObject();
  res.Json(status, Done(sb));
}

void Invalid(Resp& res, std::string_view details) {
  Errors(res, 400, "InvalidInput",
         "Request has missing or invalid parameters and cannot be parsed.", details);
}

/// Per-operation token bucket; false (429 in res) when enforced and empty.
bool Pace(World& world, Store& st, const std::string& op, Resp& res) {
  const Plan* plan = nullptr;
  for (const Plan& p : kPlans)
    if (op == p.operation) plan = &p;
  if (plan == nullptr) return true;
  const double rate = world.faults != nullptr && world.faults->amazon_rate > 0
                          ? world.faults->amazon_rate
                          : plan->rate;
  res.Header("x-amzn-RateLimit-Limit", RateText(rate));
  res.Header("x-amzn-RequestId", "sim-amzn-" + std::to_string(world.now_ms()));
  if (world.faults == nullptr || !world.faults->amazon_rate_limit) return true;
  const int64_t now = world.now_ms();
  auto [it, fresh] = st.amazon_buckets.try_emplace(op, plan->burst, now);
  auto& [tokens, at] = it->second;
  tokens = std::min(plan->burst, tokens + rate * static_cast<double>(now - at) / 1000.0);
  at = now;
  if (tokens < 1) {
    Errors(res, 429, "QuotaExceeded", "You exceeded your quota for the requested resource.");
    return false;
  }
  tokens -= 1;
  return true;
}

/// Comma-separated query list (collectionFormat csv); nullopt when absent.
std::optional<std::vector<std::string>> List(const Req& req, std::string_view name) {
  const std::string* v = req.Param(name);
  if (v == nullptr) return std::nullopt;
  return SplitComma(*v);
}

int64_t Shipped(const Line& l) { return l.shipped; }

void WriteOrder(const Store& st, const Order& o, const std::set<std::string>& included, Writer& w) {
  w.StartObject();
  KStr(w, "orderId", AmazonOrderId(o.id));
  KStr(w, "createdTime", IsoUtc(o.created));
  KStr(w, "lastUpdatedTime", IsoUtc(o.updated));
  w.Key("salesChannel");
  w.StartObject();
  KStr(w, "channelName", "AMAZON");
  KStr(w, "marketplaceId", kMarketplace);
  KStr(w, "marketplaceName", "Amazon.com");
  w.EndObject();
  if (included.count("BUYER")) {
    w.Key("buyer");
    w.StartObject();
    KStr(w, "buyerName", o.ship.FullName());
    KStr(w, "buyerEmail", o.email);
    w.EndObject();
  }
  if (included.count("RECIPIENT")) {
    const Addr& a = o.ship;
    w.Key("recipient");
    w.StartObject();
    w.Key("deliveryAddress");
    w.StartObject();
    KStr(w, "name", a.FullName());
    if (!a.company.empty()) KStr(w, "companyName", a.company);
    KStr(w, "addressLine1", a.address1);
    if (!a.address2.empty()) KStr(w, "addressLine2", a.address2);
    KStr(w, "city", a.city);
    KStr(w, "stateOrRegion", a.region_code);
    KStr(w, "postalCode", a.postal);
    KStr(w, "countryCode", a.country_code);
    if (!a.phone.empty()) KStr(w, "phone", a.phone);
    KStr(w, "addressType", a.company.empty() ? "RESIDENTIAL" : "COMMERCIAL");
    w.EndObject();
    w.EndObject();
  }
  if (included.count("FULFILLMENT")) {
    w.Key("fulfillment");
    w.StartObject();
    KStr(w, "fulfillmentStatus", o.status);
    KStr(w, "fulfilledBy", "MERCHANT");
    if (o.has_shipping && !o.ship_code.empty()) KStr(w, "fulfillmentServiceLevel", o.ship_code);
    w.EndObject();
  }
  w.Key("orderItems");
  w.StartArray();
  for (const Line& l : o.lines) {
    w.StartObject();
    KStr(w, "orderItemId", std::to_string(l.id));
    KInt(w, "quantityOrdered", l.quantity);
    w.Key("product");
    w.StartObject();
    KStr(w, "asin", "B0" + std::to_string(1'000'000 + static_cast<int64_t>(l.product)));
    KStr(w, "title", l.title);
    KStr(w, "sellerSku", l.sku);
    w.Key("price");
    w.StartObject();
    w.Key("unitPrice");
    w.StartObject();
    KStr(w, "amount", Money(l.price_cents));
    KStr(w, "currencyCode", "USD");
    w.EndObject();
    w.EndObject();
    w.EndObject();
    if (included.count("FULFILLMENT")) {
      w.Key("fulfillment");
      w.StartObject();
      KInt(w, "quantityFulfilled", Shipped(l));
      KInt(w, "quantityUnfulfilled",
           o.status == "CANCELLED" ? 0 : std::max<int64_t>(0, l.quantity - Shipped(l)));
      w.EndObject();
    }
    w.EndObject();
  }
  w.EndArray();
  if (included.count("PACKAGES")) {
    w.Key("packages");
    w.StartArray();
    for (const BcShipment& p : o.shipments) {
      w.StartObject();
      KStr(w, "packageReferenceId", std::to_string(p.id));
      KStr(w, "createdTime", IsoUtc(p.created));
      w.Key("packageStatus");
      w.StartObject();
      KStr(w, "status", "IN_TRANSIT");
      w.EndObject();
      KStr(w, "carrier", p.carrier);
      KStr(w, "shipTime", IsoUtc(p.created));
      if (!p.method.empty()) KStr(w, "shippingService", p.method);
      KStr(w, "trackingNumber", p.tracking_number);
      w.Key("packageItems");
      w.StartArray();
      for (const auto& [line, quantity] : p.items) {
        w.StartObject();
        KStr(w, "orderItemId", std::to_string(o.lines[line].id));
        KInt(w, "quantity", quantity);
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
  }
  (void)st;
  w.EndObject();
}

bool Included(const Req& req, std::set<std::string>& out, Resp& res) {
  if (auto list = List(req, "includedData")) {
    for (const std::string& v : *list) {
      if (!OneOf(v, kIncluded, std::size(kIncluded))) {
        Invalid(res, "includedData: unknown value " + v);
        return false;
      }
      out.insert(v);
    }
  }
  return true;
}

Order* FindAmazonOrder(Store& st, std::string_view text) {
  for (Order& o : st.orders)
    if (AmazonOrderId(o.id) == text) return &o;
  return nullptr;
}

void SearchOrders(Store& st, const Req& req, Resp& res) {
  const std::string* created = req.Param("createdAfter");
  const std::string* updated = req.Param("lastUpdatedAfter");
  if ((created == nullptr) == (updated == nullptr))
    return Invalid(res, "Exactly one of createdAfter and lastUpdatedAfter must be provided.");
  if (created != nullptr && req.Param("lastUpdatedBefore") != nullptr)
    return Invalid(res, "lastUpdatedBefore cannot be combined with createdAfter");
  if (updated != nullptr && req.Param("createdBefore") != nullptr)
    return Invalid(res, "createdBefore cannot be combined with lastUpdatedAfter");
  int64_t after = 0, before = INT64_MAX;
  if (!ParseIso(created != nullptr ? *created : *updated, &after))
    return Invalid(res, "createdAfter/lastUpdatedAfter must be ISO 8601");
  for (const char* key : {"createdBefore", "lastUpdatedBefore"}) {
    if (const std::string* b = req.Param(key); b != nullptr && !ParseIso(*b, &before))
      return Invalid(res, std::string(key) + " must be ISO 8601");
  }
  std::set<std::string> statuses;
  if (auto list = List(req, "fulfillmentStatuses")) {
    for (const std::string& s : *list) {
      if (!OneOf(s, kStatuses, std::size(kStatuses)))
        return Invalid(res, "fulfillmentStatuses: unknown value " + s);
      statuses.insert(s);
    }
  }
  if (auto list = List(req, "marketplaceIds")) {
    if (list->size() > 50) return Invalid(res, "marketplaceIds: at most 50");
    if (std::find(list->begin(), list->end(), kMarketplace) == list->end()) {
      res.Json(200, "{\"orders\":[]}");
      return;
    }
  }
  if (auto list = List(req, "fulfilledBy")) {
    for (const std::string& s : *list)
      if (s != "MERCHANT" && s != "AMAZON") return Invalid(res, "fulfilledBy: unknown value " + s);
    if (std::find(list->begin(), list->end(), "MERCHANT") == list->end()) {
      res.Json(200, "{\"orders\":[]}");
      return;
    }
  }
  int64_t page_size = 100;
  if (const std::string* m = req.Param("maxResultsPerPage")) {
    auto n = ToInt(*m);
    if (!n || *n < 1 || *n > 100) return Invalid(res, "maxResultsPerPage must be 1..100");
    page_size = *n;
  }
  std::set<std::string> included;
  if (!Included(req, included, res)) return;
  size_t offset = 0;
  if (const std::string* token = req.Param("paginationToken")) {
    auto decoded = Base64Decode(*token);
    auto n = decoded && decoded->rfind("o=", 0) == 0 ? ToInt(decoded->substr(2)) : std::nullopt;
    if (!n || *n < 0) return Invalid(res, "paginationToken is invalid or expired");
    offset = static_cast<size_t>(*n);
  }
  std::vector<const Order*> matching;
  for (const Order& o : st.orders) {
    const int64_t t = created != nullptr ? o.created : o.updated;
    if (t < after || t > before) continue;
    if (!statuses.empty() && !statuses.count(o.status)) continue;
    matching.push_back(&o);
  }
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("orders");
  w.StartArray();
  size_t end = std::min(matching.size(), offset + static_cast<size_t>(page_size));
  for (size_t i = offset; i < end; ++i) WriteOrder(st, *matching[i], included, w);
  w.EndArray();
  if (end < matching.size()) {
    w.Key("pagination");
    w.StartObject();
    KStr(w, "nextToken", Base64Encode("o=" + std::to_string(end), true));
    w.EndObject();
  }
  w.EndObject();
  res.Json(200, Done(sb));
}

void GetOrder(Store& st, const std::string& id, const Req& req, Resp& res) {
  Order* o = FindAmazonOrder(st, id);
  if (o == nullptr) return Errors(res, 404, "NotFound", "The requested order was not found.", id);
  std::set<std::string> included;
  if (!Included(req, included, res)) return;
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("order");
  WriteOrder(st, *o, included, w);
  w.EndObject();
  res.Json(200, Done(sb));
}

void ConfirmShipment(World& world, Store& st, const std::string& id, const Req& req, Resp& res) {
  Order* o = FindAmazonOrder(st, id);
  if (o == nullptr) return Errors(res, 404, "NotFound", "The requested order was not found.", id);
  rapidjson::Document body;
  body.Parse(req.body.data(), req.body.size());
  if (body.HasParseError() || !body.IsObject()) return Invalid(res, "The body is not JSON.");
  auto marketplace = JsonString(body, "marketplaceId");
  if (!marketplace) return Invalid(res, "marketplaceId is required");
  if (*marketplace != kMarketplace) return Invalid(res, "marketplaceId does not match the order");
  if (!body.HasMember("packageDetail") || !body["packageDetail"].IsObject())
    return Invalid(res, "packageDetail is required");
  const rapidjson::Value& p = body["packageDetail"];
  auto reference = JsonString(p, "packageReferenceId");
  auto carrier = JsonString(p, "carrierCode");
  auto number = JsonString(p, "trackingNumber");
  auto ship_date = JsonString(p, "shipDate");
  if (!reference || !carrier || !number || !ship_date || !p.HasMember("orderItems"))
    return Invalid(res,
                   "packageReferenceId, carrierCode, trackingNumber, shipDate and orderItems are "
                   "required");
  auto ref = ToInt(*reference);
  if (!ref || *ref <= 0) return Invalid(res, "packageReferenceId: only positive numeric values");
  if (carrier->empty() || number->empty())
    return Invalid(res, "carrierCode and trackingNumber must not be empty");
  auto name = JsonString(p, "carrierName");
  if (*carrier == "Other" && (!name || name->empty()))
    return Invalid(res, "carrierName is required when carrierCode is Other");
  int64_t shipped_at = 0;
  if (!ParseIso(*ship_date, &shipped_at)) return Invalid(res, "shipDate must be ISO 8601");
  if (o->status == "CANCELLED" || o->status == "PENDING" || o->status == "PENDING_AVAILABILITY")
    return Invalid(res, "The order is " + o->status + " and cannot be confirmed.");
  for (const BcShipment& s : o->shipments)
    if (s.id == *ref) return Invalid(res, "packageReferenceId " + *reference + " is already used");
  const rapidjson::Value& items = p["orderItems"];
  if (!items.IsArray() || items.Empty()) return Invalid(res, "orderItems must not be empty");
  std::vector<std::pair<size_t, int64_t>> lines;
  for (const rapidjson::Value& item : items.GetArray()) {
    if (!item.IsObject()) return Invalid(res, "orderItems entries are objects");
    auto item_id = JsonString(item, "orderItemId");
    auto quantity = JsonInt(item, "quantity");
    if (!item_id || !quantity || *quantity <= 0)
      return Invalid(res, "orderItemId and a positive quantity are required");
    size_t index = o->lines.size();
    for (size_t i = 0; i < o->lines.size(); ++i)
      if (std::to_string(o->lines[i].id) == *item_id) index = i;
    if (index == o->lines.size())
      return Invalid(res, "orderItemId " + *item_id + " is not in the order");
    const Line& l = o->lines[index];
    int64_t already = 0;
    for (const auto& [i, q] : lines)
      if (i == index) already += q;
    if (l.shipped + already + *quantity > l.quantity)
      return Invalid(res, "quantity for orderItemId " + *item_id + " exceeds what is unshipped");
    lines.emplace_back(index, *quantity);
  }
  BcShipment s;
  s.id = *ref;
  s.created = world.NowSeconds();
  s.tracking_number = *number;
  s.carrier = *carrier == "Other" ? *name : *carrier;
  s.provider = *carrier;
  s.method = JsonString(p, "shippingMethod").value_or("");
  s.items = lines;
  for (const auto& [index, quantity] : lines) o->lines[index].shipped += quantity;
  o->shipments.push_back(std::move(s));
  const std::string from = o->status;
  o->status = o->Shipped() >= o->Ordered() ? "SHIPPED" : "PARTIALLY_SHIPPED";
  o->updated = std::max(o->updated + 1, world.NowSeconds());
  world.RecordTracking(st, *o, "shipmentConfirmation", *number, *carrier, req.body);
  if (from != o->status) world.RecordStatus(st, *o, from, o->status);
  res.status = 204;
  res.body.clear();
}

/// quantity of a fulfillment_availability patch list; nullopt when the
/// patches do not set one.
std::optional<int64_t> PatchedQuantity(const rapidjson::Value& patches, std::string* error) {
  if (!patches.IsArray() || patches.Empty()) {
    *error = "patches must be a non-empty array";
    return std::nullopt;
  }
  std::optional<int64_t> out;
  for (const rapidjson::Value& op : patches.GetArray()) {
    auto kind = op.IsObject() ? JsonString(op, "op") : std::nullopt;
    auto path = op.IsObject() ? JsonString(op, "path") : std::nullopt;
    if (!kind || !path ||
        (*kind != "add" && *kind != "replace" && *kind != "merge" && *kind != "delete")) {
      *error = "each patch needs op (add, replace, merge, delete) and path";
      return std::nullopt;
    }
    if (*path != "/attributes/fulfillment_availability" || *kind == "delete") continue;
    if (!op.HasMember("value") || !op["value"].IsArray() || op["value"].Empty() ||
        !op["value"][0].IsObject()) {
      *error = "fulfillment_availability value must be a non-empty array of objects";
      return std::nullopt;
    }
    const rapidjson::Value& v = op["value"][0];
    auto channel = JsonString(v, "fulfillment_channel_code");
    auto quantity = JsonInt(v, "quantity");
    if (!channel || channel->empty()) {
      *error = "fulfillment_channel_code is required";
      return std::nullopt;
    }
    if (!quantity || *quantity < 0) {
      *error = "quantity must be an integer >= 0";
      return std::nullopt;
    }
    out = *quantity;
  }
  if (!out) *error = "no fulfillment_availability quantity in the patches";
  return out;
}

void SubmissionIssue(Writer& w, std::string_view code, std::string_view message) {
  w.StartObject();
  KStr(w, "code", code);
  KStr(w, "message", message);
  KStr(w, "severity", "ERROR");
  w.Key("categories");
  w.StartArray();
  w.String("INVALID_ATTRIBUTE");
  w.EndArray();
  w.EndObject();
}

void PatchListing(World& world, Store& st, const std::string& seller, const std::string& sku,
                  const Req& req, Resp& res) {
  if (seller != AmazonSellerId(st))
    return Errors(res, 403, "Unauthorized", "Access to requested resource is denied.",
                  "sellerId does not match the authorized selling partner");
  auto markets = List(req, "marketplaceIds");
  if (!markets || markets->empty()) return Invalid(res, "marketplaceIds is required");
  rapidjson::Document body;
  body.Parse(req.body.data(), req.body.size());
  if (body.HasParseError() || !body.IsObject() || !JsonString(body, "productType") ||
      !body.HasMember("patches"))
    return Invalid(res, "productType and patches are required");
  std::string error;
  auto quantity = PatchedQuantity(body["patches"], &error);
  Product* product = st.FindSku(sku);
  const std::string submission = "sim-" + std::to_string(++st.next_misc_id);
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  KStr(w, "sku", sku);
  w.Key("status");
  if (!quantity || product == nullptr) {
    w.String("INVALID");
    KStr(w, "submissionId", submission);
    w.Key("issues");
    w.StartArray();
    SubmissionIssue(
        w, product == nullptr ? "4000001" : "90000900",
        product == nullptr ? "The SKU is not a listing of this selling partner." : error);
    w.EndArray();
    w.EndObject();
    if (quantity) world.RecordInventory(st, "DEFAULT", sku, sku, *quantity, /*known=*/false);
    return res.Json(200, Done(sb));
  }
  product->stock = *quantity;
  world.RecordInventory(st, "DEFAULT", sku, sku, *quantity, true);
  w.String("ACCEPTED");
  KStr(w, "submissionId", submission);
  w.Key("issues");
  w.StartArray();
  w.EndArray();
  w.EndObject();
  res.Json(200, Done(sb));
}

std::string DocumentUrl(const Req& req, const std::string& id) {
  return req.store_base + "/_documents/" + id +
         "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=sim";
}

void CreateDocument(Store& st, const Req& req, Resp& res) {
  rapidjson::Document body;
  body.Parse(req.body.data(), req.body.size());
  if (body.HasParseError() || !body.IsObject() || !JsonString(body, "contentType"))
    return Invalid(res, "contentType is required");
  const std::string id = "amzn1.tortuga.4.na." + std::to_string(++st.next_misc_id);
  st.amazon_documents[id] = {};
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  KStr(w, "feedDocumentId", id);
  KStr(w, "url", DocumentUrl(req, id));
  w.EndObject();
  res.Json(201, Done(sb));
}

/// Applies a JSON_LISTINGS_FEED; the processing report.
std::string ProcessFeed(World& world, Store& st, const std::string& feed_id,
                        const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("header");
  w.StartObject();
  KStr(w, "sellerId", AmazonSellerId(st));
  KStr(w, "version", "2.0");
  KStr(w, "feedId", feed_id);
  w.EndObject();
  w.Key("issues");
  w.StartArray();
  int64_t processed = 0, accepted = 0, invalid = 0;
  const bool ok = !doc.HasParseError() && doc.IsObject() && doc.HasMember("messages") &&
                  doc["messages"].IsArray() && doc.HasMember("header") &&
                  doc["header"].IsObject() &&
                  JsonString(doc["header"], "sellerId").value_or("") == AmazonSellerId(st);
  if (!ok) {
    w.StartObject();
    KInt(w, "messageId", 0);
    KStr(w, "code", "100001");
    KStr(w, "severity", "ERROR");
    KStr(w, "message", "The feed is not a valid JSON_LISTINGS_FEED for this seller.");
    w.EndObject();
  } else {
    for (const rapidjson::Value& m : doc["messages"].GetArray()) {
      ++processed;
      auto message_id = m.IsObject() ? JsonInt(m, "messageId") : std::nullopt;
      auto sku = m.IsObject() ? JsonString(m, "sku") : std::nullopt;
      auto op = m.IsObject() ? JsonString(m, "operationType") : std::nullopt;
      std::string error;
      std::optional<int64_t> quantity;
      if (!message_id || !sku || !op || *op != "PATCH" || !JsonString(m, "productType") ||
          !m.HasMember("patches")) {
        error = "messageId, sku, operationType PATCH, productType and patches are required";
      } else {
        quantity = PatchedQuantity(m["patches"], &error);
      }
      Product* product = sku ? st.FindSku(*sku) : nullptr;
      if (quantity && product == nullptr) {
        error = "The SKU is not a listing of this selling partner.";
        world.RecordInventory(st, "DEFAULT", *sku, *sku, *quantity, /*known=*/false);
      }
      if (!error.empty()) {
        ++invalid;
        w.StartObject();
        KInt(w, "messageId", message_id.value_or(0));
        KStr(w, "code", product == nullptr && quantity ? "4000001" : "90000900");
        KStr(w, "severity", "ERROR");
        KStr(w, "message", error);
        if (sku) KStr(w, "sku", *sku);
        w.EndObject();
        continue;
      }
      ++accepted;
      product->stock = *quantity;
      world.RecordInventory(st, "DEFAULT", *sku, *sku, *quantity, true);
    }
  }
  w.EndArray();
  w.Key("summary");
  w.StartObject();
  KInt(w, "errors", invalid + (ok ? 0 : 1));
  KInt(w, "warnings", 0);
  KInt(w, "messagesProcessed", processed);
  KInt(w, "messagesAccepted", accepted);
  KInt(w, "messagesInvalid", invalid);
  w.EndObject();
  w.EndObject();
  return Done(sb);
}

void CreateFeed(World& world, Store& st, Resp& res, const Req& req) {
  rapidjson::Document body;
  body.Parse(req.body.data(), req.body.size());
  if (body.HasParseError() || !body.IsObject())
    return Invalid(res, "feedType, marketplaceIds and inputFeedDocumentId are required");
  auto type = JsonString(body, "feedType");
  auto input = JsonString(body, "inputFeedDocumentId");
  if (!type || !input || !body.HasMember("marketplaceIds") || !body["marketplaceIds"].IsArray() ||
      body["marketplaceIds"].Empty())
    return Invalid(res, "feedType, marketplaceIds and inputFeedDocumentId are required");
  if (*type != "JSON_LISTINGS_FEED")
    return Invalid(res, "feedType " + *type + " is not served here");
  auto doc = st.amazon_documents.find(*input);
  if (doc == st.amazon_documents.end()) return Invalid(res, "inputFeedDocumentId is unknown");
  if (doc->second.empty()) return Invalid(res, "the input feed document has not been uploaded");
  const std::string feed_id = std::to_string(50'000'000'000 + ++st.next_misc_id);
  const std::string result_id = "amzn1.tortuga.4.na.result." + std::to_string(++st.next_misc_id);
  st.amazon_documents[result_id] = ProcessFeed(world, st, feed_id, doc->second);
  st.amazon_feeds[feed_id] = result_id;
  res.Json(202, "{\"feedId\":\"" + feed_id + "\"}");
}

void GetFeed(World& world, Store& st, const std::string& id, Resp& res) {
  auto it = st.amazon_feeds.find(id);
  if (it == st.amazon_feeds.end())
    return Errors(res, 404, "NotFound", "The feed was not found.", id);
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  KStr(w, "feedId", id);
  KStr(w, "feedType", "JSON_LISTINGS_FEED");
  w.Key("marketplaceIds");
  w.StartArray();
  w.String(kMarketplace);
  w.EndArray();
  KStr(w, "createdTime", IsoUtc(world.NowSeconds()));
  KStr(w, "processingStatus", "DONE");
  KStr(w, "processingStartTime", IsoUtc(world.NowSeconds()));
  KStr(w, "processingEndTime", IsoUtc(world.NowSeconds()));
  KStr(w, "resultFeedDocumentId", it->second);
  w.EndObject();
  res.Json(200, Done(sb));
}

void GetDocument(Store& st, const std::string& id, const Req& req, Resp& res) {
  if (!st.amazon_documents.count(id))
    return Errors(res, 404, "NotFound", "The feed document was not found.", id);
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  KStr(w, "feedDocumentId", id);
  KStr(w, "url", DocumentUrl(req, id));
  w.EndObject();
  res.Json(200, Done(sb));
}

void LwaToken(World& world, Store& st, const Req& req, Resp& res) {
  auto form = ParseQuery(req.body);
  auto field = [&](std::string_view name) -> std::string {
    for (const auto& [k, v] : form)
      if (k == name) return v;
    return "";
  };
  auto oauth_error = [&](int status, const char* error, const char* description) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    KStr(w, "error_description", description);
    KStr(w, "error", error);
    w.EndObject();
    res.Json(status, Done(sb));
  };
  if (field("grant_type") != "refresh_token")
    return oauth_error(400, "unsupported_grant_type",
                       "The authorization grant type is not supported");
  if (field("client_id") != st.seed.client_id || field("client_secret") != st.seed.client_secret)
    return oauth_error(401, "invalid_client", "Client authentication failed");
  if (field("refresh_token") != st.seed.token)
    return oauth_error(400, "invalid_grant",
                       "The request has an invalid grant parameter : refresh_token");
  const std::string token = "Atza|sim-" + st.name + "-" + std::to_string(++st.next_misc_id);
  st.issued_tokens[token] = world.NowSeconds() + st.seed.token_ttl_seconds;
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  KStr(w, "access_token", token);
  KStr(w, "refresh_token", st.seed.token);
  KStr(w, "token_type", "bearer");
  KInt(w, "expires_in", st.seed.token_ttl_seconds);
  w.EndObject();
  res.Json(200, Done(sb));
}

}  // namespace

std::string AmazonOrderId(int64_t id) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "113-%07lld-%07lld",
                static_cast<long long>(id / 10'000'000 % 10'000'000),
                static_cast<long long>(id % 10'000'000));
  return buf;
}

std::string AmazonSellerId(const Store& store) {
  std::string out = "SIM";
  for (char c : store.name) {
    if (c >= 'a' && c <= 'z') out.push_back(static_cast<char>(c - 'a' + 'A'));
    if (c >= '0' && c <= '9') out.push_back(c);
  }
  return out;
}

bool IsAmazonStatus(std::string_view status) {
  return OneOf(status, kStatuses, std::size(kStatuses));
}

bool AuthorizeAmazon(const Store& st, const Req& req, Resp& res) {
  if (req.path == "/auth/o2/token" || req.path.rfind("/_documents/", 0) == 0) return true;
  // Tokens the LWA endpoint issued; their expiry is checked by HandleAmazon.
  if (st.issued_tokens.count(req.Header("x-amz-access-token"))) return true;
  Errors(res, 403, "Unauthorized", "Access to requested resource is denied.",
         "The access token you provided is revoked, malformed or invalid.");
  return false;
}

void HandleAmazon(World& world, Store& st, const Req& req, Resp& res) {
  const std::vector<std::string> seg = SplitPath(req.path);
  const std::string& m = req.method;
  auto paced = [&](const char* op) { return Pace(world, st, op, res); };
  if (req.path == "/auth/o2/token" && m == "POST") return LwaToken(world, st, req, res);
  if (req.path != "/auth/o2/token" && req.path.rfind("/_documents/", 0) != 0) {
    auto it = st.issued_tokens.find(req.Header("x-amz-access-token"));
    if (it == st.issued_tokens.end() || it->second <= world.NowSeconds())
      return Errors(res, 403, "Unauthorized", "Access to requested resource is denied.",
                    "The access token you provided has expired.");
  }
  if (seg.size() == 2 && seg[0] == "_documents") {
    auto doc = st.amazon_documents.find(seg[1]);
    if (req.ParamOr("X-Amz-Signature").empty() || doc == st.amazon_documents.end()) {
      res.status = 403;
      res.content_type = "application/xml";
      res.body = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";
      return;
    }
    if (m == "PUT") {
      doc->second = req.body;
      res.status = 200;
      res.body.clear();
      return;
    }
    if (m == "GET") {
      res.status = 200;
      res.content_type = "application/json";
      res.body = doc->second;
      return;
    }
  }
  if (seg.size() >= 3 && seg[0] == "orders" && seg[1] == "2026-01-01" && seg[2] == "orders" &&
      m == "GET") {
    if (seg.size() == 3) return paced("searchOrders") ? SearchOrders(st, req, res) : void();
    if (seg.size() == 4) return paced("getOrder") ? GetOrder(st, seg[3], req, res) : void();
  }
  if (seg.size() == 5 && seg[0] == "orders" && seg[1] == "v0" && seg[2] == "orders" &&
      seg[4] == "shipmentConfirmation" && m == "POST")
    return paced("confirmShipment") ? ConfirmShipment(world, st, seg[3], req, res) : void();
  if (seg.size() == 5 && seg[0] == "listings" && seg[1] == "2021-08-01" && seg[2] == "items" &&
      m == "PATCH")
    return paced("patchListingsItem") ? PatchListing(world, st, seg[3], seg[4], req, res) : void();
  if (seg.size() >= 3 && seg[0] == "feeds" && seg[1] == "2021-06-30") {
    if (seg.size() == 3 && seg[2] == "documents" && m == "POST")
      return paced("createFeedDocument") ? CreateDocument(st, req, res) : void();
    if (seg.size() == 3 && seg[2] == "feeds" && m == "POST")
      return paced("createFeed") ? CreateFeed(world, st, res, req) : void();
    if (seg.size() == 4 && seg[2] == "feeds" && m == "GET")
      return paced("getFeed") ? GetFeed(world, st, seg[3], res) : void();
    if (seg.size() == 4 && seg[2] == "documents" && m == "GET")
      return paced("getFeedDocument") ? GetDocument(st, seg[3], req, res) : void();
  }
  Errors(res, 404, "NotFound", "The requested resource was not found.", m + " " + req.path);
}

}  // namespace cartsync::sim::detail

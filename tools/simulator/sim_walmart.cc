// Walmart Marketplace subset (shared/openapi/walmart/{auth,orders,inventory,
// feeds}.json), under /walmart/{store}:
//   POST /v3/token                      Basic client_id:client_secret, form
//                                       grant_type=client_credentials -> a token
//                                       living token_ttl_seconds (default 900)
//   GET  /v3/orders                     status, createdStartDate,
//                                       lastModifiedStartDate, limit (1..200);
//                                       meta.nextCursor a ready query string;
//                                       404 CONTENT_NOT_FOUND when none match
//   GET  /v3/orders/{purchaseOrderId}   {"order": …}
//   POST /v3/orders/{id}/acknowledge    recorded as a status change (every call,
//                                       so a second acknowledge stays visible)
//   POST /v3/orders/{id}/shipping       JSON orderShipment, validated as the file
//                                       draws it; recorded as tracking
//   PUT  /v3/inventory?sku=&shipNode=   {sku, quantity {unit, amount}}
//   POST /v3/feeds?feedType=inventory   multipart `file` (inventory spec 1.4 JSON)
//   GET  /v3/feeds/{feedId}             INPROGRESS on the first look, then
//                                       PROCESSED with itemDetails (offset/limit ≤ 50)
// Orders are purchase orders whose lines carry statuses: the unshipped rest
// of every line has the order's status (Created, Acknowledged or
// Cancelled); shipped quantities are "Shipped" with their trackingInfo.
// Authentication (the token, WM_SVC.NAME, WM_QOS.CORRELATION_ID) is checked
// by AuthorizeStore (simulator.cc) before this runs.
#include <algorithm>
#include <cstdio>
#include <set>

#include "tools/simulator/sim_internal.h"

namespace cartsync::sim::detail {
namespace {

constexpr int kMaxLimit = 200;
constexpr int kFeedDetailMax = 50;

const char* const kMethodCodes[] = {"Standard", "Express",    "OneDay",
                                    "Freight",  "WhiteGlove", "Value"};
const char* const kCarriers[] = {"UPS",
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

bool OneOf(std::string_view v, const char* const* begin, const char* const* end) {
  return std::any_of(begin, end, [&](const char* s) { return v == s; });
}

/// Walmart's error body: {"errors":{"error":[{code, field, description, …}]}}.
void Error(Resp& res, int status, std::string_view code, std::string_view field,
           std::string_view description) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("errors");
  w.StartObject();
  w.Key("error");
  w.StartArray();
  w.StartObject();
  KStr(w, "code", code);
  KStr(w, "field", field);
  KStr(w, "description", description);
  KStr(w, "info", description);
  KStr(w, "severity", "ERROR");
  KStr(w, "category", status >= 500 ? "SYSTEM" : "DATA");
  w.EndObject();
  w.EndArray();
  w.EndObject();
  w.EndObject();
  res.Json(status, Done(sb));
}

void Invalid(Resp& res, std::string_view field, std::string_view description) {
  Error(res, 400, "INVALID_REQUEST_CONTENT.GMP_ORDER_API", field, description);
}

std::string Alpha3(std::string_view country) {
  if (country == "US") return "USA";
  if (country == "CA") return "CAN";
  if (country == "DE") return "DEU";
  return std::string(country);
}

/// Digits of a phone number ("+1 614-555-0101" -> "16145550101").
std::string Digits(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c >= '0' && c <= '9') out.push_back(c);
  return out;
}

std::string MethodCode(const Order& o) { return o.ship_code.empty() ? "Standard" : o.ship_code; }

bool IsOpen(const Order& o) { return o.status == "Created" || o.status == "Acknowledged"; }

/// Whether `o` has a line in `status` (getAllOrders filters by line status).
bool HasLineStatus(const Order& o, std::string_view status) {
  if (status == "Shipped") return o.Shipped() > 0;
  if (status == "Cancelled") return o.status == "Cancelled";
  if (status == "Created" || status == "Acknowledged")
    return o.status == status && o.Shipped() < o.Ordered();
  return false;  // Delivered: the simulator delivers nothing
}

void WriteQuantity(Writer& w, const char* key, int64_t amount) {
  w.Key(key);
  w.StartObject();
  KStr(w, "unitOfMeasurement", "EACH");
  KStr(w, "amount", std::to_string(amount));
  w.EndObject();
}

void WriteOrder(Writer& w, const Store& st, const Order& o) {
  w.StartObject();
  KStr(w, "purchaseOrderId", std::to_string(o.id));
  KStr(w, "customerOrderId", std::to_string(o.number));
  KStr(w, "customerEmailId", o.email);
  KStr(w, "orderType", "REGULAR");
  KInt(w, "orderDate", o.created * 1000);
  w.Key("shippingInfo");
  w.StartObject();
  KStr(w, "phone", Digits(o.ship.phone));
  KInt(w, "estimatedDeliveryDate", (o.created + 5 * 86400) * 1000);
  KInt(w, "estimatedShipDate", (o.created + 86400) * 1000);
  KStr(w, "methodCode", MethodCode(o));
  w.Key("postalAddress");
  w.StartObject();
  KStr(w, "name", o.ship.FullName());
  KStr(w, "address1", o.ship.address1);
  if (!o.ship.address2.empty()) KStr(w, "address2", o.ship.address2);
  KStr(w, "city", o.ship.city);
  KStr(w, "state", o.ship.region_code);
  KStr(w, "postalCode", o.ship.postal);
  KStr(w, "country", Alpha3(o.ship.country_code));
  KStr(w, "addressType", o.ship.company.empty() ? "RESIDENTIAL" : "COMMERCIAL");
  w.EndObject();
  w.EndObject();
  w.Key("orderLines");
  w.StartObject();
  w.Key("orderLine");
  w.StartArray();
  for (size_t i = 0; i < o.lines.size(); ++i) {
    const Line& l = o.lines[i];
    w.StartObject();
    KStr(w, "lineNumber", std::to_string(i + 1));  // 1, 2, … within the order
    w.Key("item");
    w.StartObject();
    KStr(w, "productName", l.title);
    KStr(w, "sku", l.sku);
    w.EndObject();
    w.Key("charges");
    w.StartObject();
    w.Key("charge");
    w.StartArray();
    w.StartObject();
    KStr(w, "chargeType", "PRODUCT");
    KStr(w, "chargeName", "ItemPrice");
    w.Key("chargeAmount");
    w.StartObject();
    KStr(w, "currency", "USD");
    w.Key("amount");
    w.Double(static_cast<double>(l.price_cents * l.quantity) / 100.0);
    w.EndObject();
    w.EndObject();
    w.EndArray();
    w.EndObject();
    WriteQuantity(w, "orderLineQuantity", l.quantity);
    KInt(w, "statusDate", o.updated * 1000);
    w.Key("orderLineStatuses");
    w.StartObject();
    w.Key("orderLineStatus");
    w.StartArray();
    for (const BcShipment& s : o.shipments) {
      for (const auto& [line, quantity] : s.items) {
        if (line != i) continue;
        w.StartObject();
        KStr(w, "status", "Shipped");
        WriteQuantity(w, "statusQuantity", quantity);
        w.Key("trackingInfo");
        w.StartObject();
        KInt(w, "shipDateTime", s.created * 1000);
        w.Key("carrierName");
        w.StartObject();
        if (OneOf(s.provider, std::begin(kCarriers), std::end(kCarriers)))
          KStr(w, "carrier", s.provider);
        else
          KStr(w, "otherCarrier", s.provider);
        w.EndObject();
        KStr(w, "methodCode", s.method.empty() ? MethodCode(o) : s.method);
        KStr(w, "trackingNumber", s.tracking_number);
        w.EndObject();
        w.EndObject();
      }
    }
    const int64_t rest = l.quantity - l.shipped;
    if (rest > 0) {
      w.StartObject();
      KStr(w, "status", o.status == "Shipped" ? "Acknowledged" : o.status);
      WriteQuantity(w, "statusQuantity", rest);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    KStr(w, "sellerOrderId", std::to_string(o.number));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.Key("shipNode");
  w.StartObject();
  KStr(w, "type", "SellerFulfilled");
  KStr(w, "name", st.locations.empty() ? "" : st.locations[0].name);
  KStr(w, "id", st.locations.empty() ? "" : std::to_string(st.locations[0].id));
  w.EndObject();
  w.EndObject();
}

/// A date parameter: ISO 8601 or yyyy-MM-dd (UTC); false when unreadable.
bool DateParam(const Req& req, const char* name, std::optional<int64_t>* out, Resp& res) {
  const std::string* v = req.Param(name);
  if (v == nullptr || v->empty()) return true;
  int64_t t = 0;
  if (!ParseIso(*v, &t)) {
    Invalid(res, name, std::string(name) + " is not a date: " + *v);
    return false;
  }
  *out = t;
  return true;
}

void ListOrders(const Store& st, const Req& req, Resp& res) {
  const std::string status = req.ParamOr("status");
  if (!status.empty() && status != "Created" && status != "Acknowledged" && status != "Shipped" &&
      status != "Delivered" && status != "Cancelled")
    return Invalid(res, "status",
                   "status must be Created, Acknowledged, Shipped, Delivered or "
                   "Cancelled");
  std::optional<int64_t> created_from, modified_from;
  if (!DateParam(req, "createdStartDate", &created_from, res) ||
      !DateParam(req, "lastModifiedStartDate", &modified_from, res))
    return;
  int limit = 100;
  if (const std::string* v = req.Param("limit")) {
    auto n = IsDigits(*v) ? ToInt(*v) : std::nullopt;
    if (!n || *n < 1 || *n > kMaxLimit) return Invalid(res, "limit", "limit must be 1..200");
    limit = static_cast<int>(*n);
  }
  int64_t start = 0;  // the cursor's position
  if (const std::string* v = req.Param("soIndex")) {
    auto n = IsDigits(*v) ? ToInt(*v) : std::nullopt;
    if (!n) return Invalid(res, "soIndex", "bad cursor");
    start = *n;
  }
  std::vector<const Order*> matching;
  for (const Order& o : st.orders) {
    if (!status.empty() && !HasLineStatus(o, status)) continue;
    if (created_from && o.created < *created_from) continue;
    if (modified_from && o.updated < *modified_from) continue;
    matching.push_back(&o);
  }
  if (matching.empty() || start >= static_cast<int64_t>(matching.size()))
    return Error(res, 404, "CONTENT_NOT_FOUND.GMP_ORDER_API", "data", "No orders found");
  const size_t begin = static_cast<size_t>(start);
  const size_t end = std::min(matching.size(), begin + static_cast<size_t>(limit));
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("list");
  w.StartObject();
  w.Key("meta");
  w.StartObject();
  KInt(w, "totalCount", static_cast<int64_t>(matching.size()));
  KInt(w, "limit", limit);
  if (end < matching.size()) {
    // The filters ride in the cursor, as Walmart's do.
    std::string cursor = "?limit=" + std::to_string(limit) +
                         "&hasMoreElements=true&soIndex=" + std::to_string(end) +
                         "&poIndex=" + std::to_string(end) + "&sellerId=1";
    for (const char* key : {"status", "createdStartDate", "lastModifiedStartDate"}) {
      if (const std::string* v = req.Param(key))
        cursor += std::string("&") + key + "=" + UrlEncode(*v);
    }
    KStr(w, "nextCursor", cursor);
  }
  w.EndObject();
  w.Key("elements");
  w.StartObject();
  w.Key("order");
  w.StartArray();
  for (size_t i = begin; i < end; ++i) WriteOrder(w, st, *matching[i]);
  w.EndArray();
  w.EndObject();
  w.EndObject();
  w.EndObject();
  res.Json(200, Done(sb));
}

void OneOrder(const Store& st, const Order& o, Resp& res) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("order");
  WriteOrder(w, st, o);
  w.EndObject();
  res.Json(200, Done(sb));
}

void Acknowledge(World& world, Store& st, Order& o, Resp& res) {
  if (!IsOpen(o) && o.status != "Shipped")
    return Invalid(res, "purchaseOrderId", "order " + std::to_string(o.id) + " is " + o.status);
  const std::string from = o.status;
  if (o.status == "Created") {
    o.status = "Acknowledged";
    o.updated = std::max(o.updated, world.NowSeconds());
  }
  // Every call is recorded: a second acknowledge must show up.
  world.RecordStatus(st, o, from, "Acknowledged");
  OneOrder(st, o, res);
}

/// An array member, or one object standing for a one-element array.
std::vector<const rapidjson::Value*> Items(const rapidjson::Value* v) {
  std::vector<const rapidjson::Value*> out;
  if (v == nullptr) return out;
  if (v->IsArray()) {
    for (const auto& e : v->GetArray()) out.push_back(&e);
  } else if (v->IsObject()) {
    out.push_back(v);
  }
  return out;
}

const rapidjson::Value* Obj(const rapidjson::Value* v, const char* key) {
  if (v == nullptr || !v->IsObject()) return nullptr;
  auto it = v->FindMember(key);
  return it == v->MemberEnd() ? nullptr : &it->value;
}

void Ship(World& world, Store& st, Order& o, const Req& req, Resp& res) {
  if (req.Header("Content-Type").find("json") == std::string::npos)
    return Invalid(res, "Content-Type", "the simulator accepts JSON shipping updates only");
  rapidjson::Document doc;
  doc.Parse(req.body.data(), req.body.size());
  if (doc.HasParseError() || !doc.IsObject()) return Invalid(res, "body", "body is not JSON");
  const rapidjson::Value* lines = Obj(Obj(Obj(&doc, "orderShipment"), "orderLines"), "orderLine");
  if (lines == nullptr || !lines->IsArray() || lines->Empty())
    return Invalid(res, "orderShipment.orderLines.orderLine", "orderLine is required");
  if (o.status == "Cancelled") return Invalid(res, "purchaseOrderId", "order is Cancelled");
  struct Update {
    size_t line;
    int64_t quantity;
    std::string number, carrier, method;
    int64_t ship_ms;
  };
  std::vector<Update> updates;
  std::vector<int64_t> pending(o.lines.size(), 0);
  for (const auto& l : lines->GetArray()) {
    auto number = JsonString(l, "lineNumber");
    if (!number || !JsonString(l, "sellerOrderId"))
      return Invalid(res, "orderLine", "lineNumber and sellerOrderId are required");
    auto n = IsDigits(*number) ? ToInt(*number) : std::nullopt;
    if (!n || *n < 1 || *n > static_cast<int64_t>(o.lines.size()))
      return Invalid(res, "lineNumber", "no line " + *number);
    const size_t index = static_cast<size_t>(*n - 1);
    auto statuses = Items(Obj(Obj(&l, "orderLineStatuses"), "orderLineStatus"));
    if (statuses.empty()) return Invalid(res, "orderLineStatus", "orderLineStatus is required");
    for (const rapidjson::Value* s : statuses) {
      if (JsonString(*s, "status").value_or("") != "Shipped")
        return Invalid(res, "status", "status must be Shipped");
      const rapidjson::Value* q = Obj(s, "statusQuantity");
      auto unit = q ? JsonString(*q, "unitOfMeasurement") : std::nullopt;
      // A plain int64_t (0: missing or unreadable): an optional here trips
      // GCC's -Wmaybe-uninitialized at -O2.
      int64_t amount = 0;
      if (q && q->HasMember("amount") && (*q)["amount"].IsString())
        amount = ToInt((*q)["amount"].GetString()).value_or(0);
      if (!unit || (*unit != "EACH" && *unit != "EA") || amount < 1)
        return Invalid(res, "statusQuantity",
                       "statusQuantity {unitOfMeasurement, amount} required");
      const rapidjson::Value* t = Obj(s, "trackingInfo");
      const rapidjson::Value* carrier = Obj(t, "carrierName");
      auto tracking = t ? JsonString(*t, "trackingNumber") : std::nullopt;
      auto method = t ? JsonString(*t, "methodCode") : std::nullopt;
      const rapidjson::Value* when = Obj(t, "shipDateTime");
      if (!tracking || tracking->empty() || !method || carrier == nullptr || when == nullptr ||
          !when->IsInt64())
        return Invalid(res, "trackingInfo",
                       "trackingInfo {shipDateTime, carrierName, methodCode, trackingNumber} "
                       "required");
      if (!OneOf(*method, std::begin(kMethodCodes), std::end(kMethodCodes)))
        return Invalid(res, "methodCode", "unknown methodCode " + *method);
      std::string name;
      if (auto c = JsonString(*carrier, "carrier")) {
        if (!OneOf(*c, std::begin(kCarriers), std::end(kCarriers)))
          return Invalid(res, "carrier", "unknown carrier " + *c + " (use otherCarrier)");
        name = *c;
      } else if (auto other = JsonString(*carrier, "otherCarrier"); other && !other->empty()) {
        name = *other;
      } else {
        return Invalid(res, "carrierName", "carrier or otherCarrier is required");
      }
      pending[index] += amount;
      const Line& line = o.lines[index];
      if (line.shipped + pending[index] > line.quantity)
        return Invalid(res, "statusQuantity",
                       "line " + *number + " has only " +
                           std::to_string(line.quantity - line.shipped) + " left to ship");
      updates.push_back({index, amount, *tracking, name, *method, when->GetInt64()});
    }
  }
  // Valid: apply, one shipment per tracking number.
  for (const Update& u : updates) {
    auto it = std::find_if(o.shipments.begin(), o.shipments.end(), [&](const BcShipment& s) {
      return s.tracking_number == u.number && s.created == u.ship_ms / 1000;
    });
    if (it == o.shipments.end()) {
      BcShipment s;
      s.id = st.next_misc_id++;
      s.created = u.ship_ms / 1000;
      s.tracking_number = u.number;
      s.provider = u.carrier;
      s.method = u.method;
      o.shipments.push_back(std::move(s));
      it = o.shipments.end() - 1;
    }
    it->items.emplace_back(u.line, u.quantity);
    o.lines[u.line].shipped += u.quantity;
  }
  std::set<std::string> numbers;
  for (const Update& u : updates) {
    if (!numbers.insert(u.number).second) continue;
    world.RecordTracking(st, o, "shipping", u.number, u.carrier, req.body);
  }
  o.updated = std::max(o.updated, world.NowSeconds());
  if (o.Shipped() >= o.Ordered() && o.status != "Shipped") {
    world.RecordStatus(st, o, o.status, "Shipped");
    o.status = "Shipped";
  }
  OneOrder(st, o, res);
}

/// The ship node a request names (its location), or the default one.
const Location* ShipNode(const Store& st, const Req& req, Resp& res) {
  if (st.locations.empty()) {
    Error(res, 400, "INVALID_REQUEST.GMP_INVENTORY_API", "shipNode", "no ship node");
    return nullptr;
  }
  const std::string* node = req.Param("shipNode");
  if (node == nullptr) return &st.locations[0];
  for (const Location& l : st.locations)
    if (std::to_string(l.id) == *node) return &l;
  Error(res, 400, "INVALID_REQUEST.GMP_INVENTORY_API", "shipNode", "unknown shipNode " + *node);
  return nullptr;
}

bool ReadQuantity(const rapidjson::Value& item, int64_t* out) {
  const rapidjson::Value* q = Obj(&item, "quantity");
  if (q == nullptr || JsonString(*q, "unit").value_or("") != "EACH") return false;
  const rapidjson::Value* amount = Obj(q, "amount");
  if (amount == nullptr || !amount->IsNumber()) return false;
  const double v = amount->GetDouble();
  if (v < 0 || v != static_cast<double>(static_cast<int64_t>(v))) return false;
  *out = static_cast<int64_t>(v);
  return true;
}

void PutInventory(World& world, Store& st, const Req& req, Resp& res) {
  const std::string* sku = req.Param("sku");
  if (sku == nullptr || sku->empty())
    return Error(res, 400, "INVALID_REQUEST.GMP_INVENTORY_API", "sku", "sku is required");
  const Location* node = ShipNode(st, req, res);
  if (node == nullptr) return;
  rapidjson::Document doc;
  doc.Parse(req.body.data(), req.body.size());
  int64_t amount = 0;
  if (doc.HasParseError() || !doc.IsObject() || !ReadQuantity(doc, &amount) ||
      JsonString(doc, "sku").value_or("") != *sku)
    return Error(res, 400, "INVALID_REQUEST_CONTENT.GMP_INVENTORY_API", "quantity",
                 "body must be {sku, quantity {unit: EACH, amount}} for the sku of the query");
  Product* p = st.FindSku(*sku);
  if (p == nullptr)
    return Error(res, 404, "CONTENT_NOT_FOUND.GMP_INVENTORY_API", "sku",
                 "Requested content could not be found.");
  p->levels[node->id] = amount;
  world.RecordInventory(st, std::to_string(node->id), *sku, *sku, amount);
  res.Json(200, req.body);
}

/// The part named "file" of a multipart/form-data body; nullopt when none.
std::optional<std::string> FilePart(const Req& req) {
  const std::string type = req.Header("Content-Type");
  if (type.rfind("multipart/form-data", 0) == 0) {
    auto part = req.form_parts.find("file");
    if (part != req.form_parts.end()) return part->second;
  }
  const size_t b = type.find("boundary=");
  if (type.rfind("multipart/form-data", 0) != 0 || b == std::string::npos) return std::nullopt;
  std::string boundary = type.substr(b + 9);
  if (boundary.size() >= 2 && boundary.front() == '"')
    boundary = boundary.substr(1, boundary.size() - 2);
  const std::string delimiter = "--" + boundary;
  size_t pos = req.body.find(delimiter);
  while (pos != std::string::npos) {
    size_t headers = pos + delimiter.size();
    if (req.body.compare(headers, 2, "--") == 0) break;
    headers = req.body.find("\r\n", headers);
    if (headers == std::string::npos) break;
    headers += 2;
    const size_t content = req.body.find("\r\n\r\n", headers);
    if (content == std::string::npos) break;
    const size_t next = req.body.find("\r\n" + delimiter, content + 4);
    if (next == std::string::npos) break;
    const std::string head = req.body.substr(headers, content - headers);
    if (head.find("name=\"file\"") != std::string::npos)
      return req.body.substr(content + 4, next - content - 4);
    pos = next + 2;
  }
  return std::nullopt;
}

void SubmitFeed(World& world, Store& st, const Req& req, Resp& res) {
  const std::string type = req.ParamOr("feedType");
  if (type != "inventory")
    return Error(res, 400, "INVALID_REQUEST.GMP_FEEDS_API", "feedType",
                 "the simulator serves feedType=inventory");
  const Location* node = ShipNode(st, req, res);
  if (node == nullptr) return;
  auto file = FilePart(req);
  if (!file)
    return Error(res, 400, "INVALID_REQUEST.GMP_FEEDS_API", "file",
                 "a multipart/form-data part named file is required");
  rapidjson::Document doc;
  doc.Parse(file->data(), file->size());
  const rapidjson::Value* items = doc.HasParseError() ? nullptr : Obj(&doc, "Inventory");
  if (items == nullptr || !items->IsArray())
    return Error(res, 400, "INVALID_REQUEST_CONTENT.GMP_FEEDS_API", "file",
                 "the file must be {InventoryHeader, Inventory: [...]}");
  WalmartFeed feed;
  for (const auto& item : items->GetArray()) {
    const std::string sku = JsonString(item, "sku").value_or("");
    int64_t amount = 0;
    Product* p = sku.empty() ? nullptr : st.FindSku(sku);
    std::string error;
    if (!ReadQuantity(item, &amount)) {
      error = "ERR_EXT_DATA_0101002: quantity {unit: EACH, amount} is required";
    } else if (p == nullptr) {
      error = "ERR_EXT_DATA_0801001: SKU not found";
    } else {
      p->levels[node->id] = amount;
      world.RecordInventory(st, std::to_string(node->id), sku, sku, amount);
    }
    feed.items.emplace_back(sku, error);
  }
  const std::string id = "SIMFEED" + std::to_string(st.next_misc_id++) + "@AQMB";
  st.walmart_feeds[id] = std::move(feed);
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  KStr(w, "feedId", id);
  w.EndObject();
  res.Json(200, Done(sb));
}

void FeedStatus(Store& st, const std::string& id, const Req& req, Resp& res) {
  auto it = st.walmart_feeds.find(id);
  if (it == st.walmart_feeds.end())
    return Error(res, 404, "CONTENT_NOT_FOUND.GMP_FEEDS_API", "feedId", "no feed " + id);
  WalmartFeed& feed = it->second;
  const bool done = feed.polls++ > 0;  // the first look finds it in progress
  const bool details = req.ParamOr("includeDetails") == "true";
  int64_t offset = 0, limit = kFeedDetailMax;
  if (const std::string* v = req.Param("offset")) offset = IsDigits(*v) ? *ToInt(*v) : -1;
  if (const std::string* v = req.Param("limit")) limit = IsDigits(*v) ? *ToInt(*v) : -1;
  if (offset < 0 || limit < 1 || limit > kFeedDetailMax)
    return Error(res, 400, "INVALID_REQUEST.GMP_FEEDS_API", "limit",
                 "offset >= 0 and limit 1..50 are required");
  int64_t failed = 0;
  for (const auto& item : feed.items) failed += item.second.empty() ? 0 : 1;
  const int64_t total = static_cast<int64_t>(feed.items.size());
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  KStr(w, "feedId", id);
  KStr(w, "feedStatus", done ? "PROCESSED" : "INPROGRESS");
  KInt(w, "itemsReceived", total);
  KInt(w, "itemsSucceeded", done ? total - failed : 0);
  KInt(w, "itemsFailed", done ? failed : 0);
  KInt(w, "itemsProcessing", done ? 0 : total);
  KInt(w, "offset", offset);
  KInt(w, "limit", limit);
  if (details) {
    w.Key("itemDetails");
    w.StartObject();
    w.Key("itemIngestionStatus");
    w.StartArray();
    for (int64_t i = offset; done && i < std::min(total, offset + limit); ++i) {
      const auto& [sku, error] = feed.items[static_cast<size_t>(i)];
      w.StartObject();
      KInt(w, "martId", 0);
      KStr(w, "sku", sku);
      KInt(w, "index", i);
      KStr(w, "ingestionStatus", error.empty() ? "SUCCESS" : "DATA_ERROR");
      if (!error.empty()) {
        const size_t colon = error.find(':');
        w.Key("ingestionErrors");
        w.StartObject();
        w.Key("ingestionError");
        w.StartArray();
        w.StartObject();
        KStr(w, "type", "DATA_ERROR");
        KStr(w, "code", error.substr(0, colon));
        KStr(w, "description", colon == std::string::npos ? "" : error.substr(colon + 2));
        w.EndObject();
        w.EndArray();
        w.EndObject();
      }
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndObject();
  res.Json(200, Done(sb));
}

void Token(Store& st, World& world, const Req& req, Resp& res) {
  auto form = ParseQuery(req.body);
  std::string grant;
  for (const auto& [k, v] : form)
    if (k == "grant_type") grant = v;
  if (grant != "client_credentials")
    return Error(res, 400, "INVALID_REQUEST_HEADER.GMP_GATEWAY_API", "grant_type",
                 "grant_type must be client_credentials");
  const uint64_t n = st.issued_tokens.size() + 1;
  const std::string token =
      "wm-" + st.name + "-token-" + std::to_string(n) + "-" + std::to_string(world.NowSeconds());
  st.issued_tokens[token] = world.NowSeconds() + st.seed.token_ttl_seconds;
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  KStr(w, "access_token", token);
  KStr(w, "token_type", "Bearer");
  KInt(w, "expires_in", st.seed.token_ttl_seconds);
  w.EndObject();
  res.Json(200, Done(sb));
}

}  // namespace

bool IsWalmartTokenRequest(const Req& req) {
  return req.method == "POST" && req.path == "/v3/token";
}

bool AuthorizeWalmart(const Store& st, const Req& req, Resp& res) {
  // Every call, the grant included, names the service and a correlation id.
  if (req.Header("WM_SVC.NAME").empty() || req.Header("WM_QOS.CORRELATION_ID").empty()) {
    Error(res, 400, "INVALID_REQUEST_HEADER.GMP_GATEWAY_API", "WM_QOS.CORRELATION_ID",
          "WM_SVC.NAME and WM_QOS.CORRELATION_ID are required");
    return false;
  }
  if (IsWalmartTokenRequest(req)) {
    const std::string auth = req.Header("Authorization");
    if (auth.rfind("Basic ", 0) == 0) {
      auto decoded = Base64Decode(auth.substr(6));
      if (decoded && *decoded == st.seed.client_id + ":" + st.seed.client_secret) return true;
    }
  } else {
    const std::string token = req.Header("WM_SEC.ACCESS_TOKEN");
    if (!token.empty() && token == st.seed.token) return true;
    if (st.issued_tokens.count(token)) return true;  // expiry: HandleWalmart
  }
  Error(res, 401, "UNAUTHORIZED.GMP_GATEWAY_API", "UNAUTHORIZED", "Unauthorized");
  return false;
}

void HandleWalmart(World& world, Store& st, const Req& req, Resp& res) {
  std::vector<std::string> seg = SplitPath(req.path);
  const bool get = req.method == "GET";
  if (IsWalmartTokenRequest(req)) return Token(st, world, req, res);
  if (auto it = st.issued_tokens.find(req.Header("WM_SEC.ACCESS_TOKEN"));
      it != st.issued_tokens.end() && it->second <= world.NowSeconds())
    return Error(res, 401, "UNAUTHORIZED.GMP_GATEWAY_API", "UNAUTHORIZED", "Token expired");
  if (seg.size() < 2 || seg[0] != "v3")
    return Error(res, 404, "NOT_FOUND.GMP_GATEWAY_API", "path", "no such resource");
  seg.erase(seg.begin());
  if (seg.size() == 1 && seg[0] == "orders" && get) return ListOrders(st, req, res);
  if (seg.size() >= 2 && seg[0] == "orders") {
    Order* o = IsDigits(seg[1]) ? st.FindOrder(*ToInt(seg[1])) : nullptr;
    if (o == nullptr)
      return Error(res, 404, "CONTENT_NOT_FOUND.GMP_ORDER_API", "purchaseOrderId",
                   "No order found for " + seg[1]);
    if (seg.size() == 2 && get) return OneOrder(st, *o, res);
    if (seg.size() == 3 && seg[2] == "acknowledge" && req.method == "POST")
      return Acknowledge(world, st, *o, res);
    if (seg.size() == 3 && seg[2] == "shipping" && req.method == "POST")
      return Ship(world, st, *o, req, res);
  }
  if (seg.size() == 1 && seg[0] == "inventory" && req.method == "PUT")
    return PutInventory(world, st, req, res);
  if (seg.size() == 1 && seg[0] == "feeds" && req.method == "POST")
    return SubmitFeed(world, st, req, res);
  if (seg.size() == 2 && seg[0] == "feeds" && get) return FeedStatus(st, seg[1], req, res);
  Error(res, 404, "NOT_FOUND.GMP_GATEWAY_API", "path", "no such resource");
}

}  // namespace cartsync::sim::detail

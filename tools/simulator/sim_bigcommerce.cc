// BigCommerce subset (platforms.md): v2 orders (bare arrays, 204 when none,
// RFC 2822 dates, money as 4-decimal strings; consignments in the object
// structure with include=consignments[.line_items]&consignment_structure=object
// on the list and one order), order products, shipping
// addresses and shipments; v3 absolute inventory adjustments, variants by SKU
// and inventory locations. Rate-limit headers are added by the dispatcher.
#include <algorithm>
#include <cstdio>
#include <set>
#include <utility>

#include "tools/simulator/sim_internal.h"

namespace cartsync::sim::detail {
namespace {

constexpr const char* kProblemType =
    "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes";

std::string V2Error(int status, std::string_view message) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartArray();
  w.StartObject();
  KInt(w, "status", status);
  KStr(w, "message", message);
  w.EndObject();
  w.EndArray();
  return Done(sb);
}

void V3Error(Resp& res, int status, std::string_view title) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  KInt(w, "status", status);
  KStr(w, "title", title);
  KStr(w, "type", kProblemType);
  w.Key("errors");
  w.StartObject();
  w.EndObject();
  w.EndObject();
  res.Json(status, Done(sb));
  res.content_type = "application/problem+json";
}

void V2NotFound(Resp& res) { res.Json(404, V2Error(404, "The requested resource was not found.")); }
void V2Invalid(Resp& res, std::string_view field) {
  res.Json(400, V2Error(400, "The field '" + std::string(field) + "' is invalid."));
}

void Resource(Writer& w, const char* key, const Req& req, const std::string& path) {
  w.Key(key);
  w.StartObject();
  KStr(w, "url", req.store_base + "/v2" + path);
  KStr(w, "resource", path);
  w.EndObject();
}

void WriteBilling(Writer& w, const Order& o) {
  const Addr& a = o.ship;
  w.StartObject();
  KStr(w, "first_name", a.first);
  KStr(w, "last_name", a.last);
  KStr(w, "company", a.company);
  KStr(w, "street_1", a.address1);
  KStr(w, "street_2", a.address2);
  KStr(w, "city", a.city);
  KStr(w, "state", a.region_name);
  KStr(w, "zip", a.postal);
  KStr(w, "country", a.country_name);
  KStr(w, "country_iso2", a.country_code);
  KStr(w, "phone", a.phone);
  KStr(w, "email", o.email);
  w.EndObject();
}

void WriteProducts(Writer& w, const Store& st, const Order& o, size_t begin, size_t end);
void WriteShippingFields(Writer& w, const Order& o, const Req& req);

/// What the `include` and `consignment_structure` parameters ask of an
/// order's `consignments` (orders.v2.oas2.yml: `order_includes`).
enum class Consignments { kLink, kObject, kObjectWithLines };

/// Reads them; false: `res` set (400, as for any invalid v2 field).
bool IncludeParam(const Req& req, Consignments* out, Resp& res) {
  bool consignments = false, lines = false;
  if (const std::string* v = req.Param("include")) {
    size_t start = 0;
    while (start <= v->size()) {
      size_t comma = v->find(',', start);
      if (comma == std::string::npos) comma = v->size();
      const std::string item = v->substr(start, comma - start);
      if (item == "consignments") {
        consignments = true;
      } else if (item == "consignments.line_items") {
        consignments = lines = true;
      } else if (item != "fees") {
        V2Invalid(res, "include");
        return false;
      }
      start = comma + 1;
    }
  }
  bool object = false;
  if (const std::string* v = req.Param("consignment_structure")) {
    if (*v != "object") {
      V2Invalid(res, "consignment_structure");
      return false;
    }
    object = true;
  }
  // Without consignment_structure=object the store answers an older array
  // structure; the simulator keeps the link then.
  *out = consignments && object ? (lines ? Consignments::kObjectWithLines : Consignments::kObject)
                                : Consignments::kLink;
  return true;
}

/// `consignments` in the object structure: one shipping consignment (the
/// order's shipping address) carrying all its lines, as line_items objects
/// (the /products entries) or links to them.
void WriteConsignments(Writer& w, const Store& st, const Order& o, const Req& req, bool lines) {
  w.Key("consignments");
  w.StartObject();
  w.Key("pickups");
  w.StartArray();
  w.EndArray();
  w.Key("shipping");
  w.StartArray();
  w.StartObject();
  WriteShippingFields(w, o, req);
  w.Key("line_items");
  if (lines) {
    WriteProducts(w, st, o, 0, o.lines.size());
  } else {
    w.StartArray();
    for (const Line& l : o.lines) {
      const std::string path =
          "/orders/" + std::to_string(o.id) + "/products/" + std::to_string(l.id);
      w.StartObject();
      KStr(w, "url", req.store_base + "/v2" + path);
      KStr(w, "resource", path);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  w.EndArray();
  w.Key("downloads");
  w.StartArray();
  w.EndArray();
  w.Key("email");
  w.StartObject();
  w.Key("gift_certificates");
  w.StartArray();
  w.EndArray();
  w.EndObject();
  w.EndObject();
}

void WriteOrder(Writer& w, const Store& st, const Order& o, const Req& req,
                Consignments consignments = Consignments::kLink) {
  const int64_t subtotal = o.SubtotalCents();
  const int cur = CurrencyDecimals(st.seed.currency);  // price_cents are its minor units
  const std::string base = "/orders/" + std::to_string(o.id);
  int64_t shipped_at = 0;
  for (const BcShipment& s : o.shipments) shipped_at = std::max(shipped_at, s.created);
  w.StartObject();
  KInt(w, "id", o.id);
  KInt(w, "customer_id", o.customer_id);
  KStr(w, "date_created", Rfc2822(o.created));
  KStr(w, "date_modified", Rfc2822(o.updated));
  KStr(w, "date_shipped", shipped_at ? Rfc2822(shipped_at) : "");
  KInt(w, "status_id", o.bc_status_id);
  KStr(w, "status", o.status);
  KStr(w, "custom_status", o.status);
  KStr(w, "subtotal_ex_tax", Amount(subtotal, cur, 4));
  KStr(w, "subtotal_inc_tax", Amount(subtotal, cur, 4));
  KStr(w, "subtotal_tax", Amount(0, cur, 4));
  KStr(w, "base_shipping_cost", Amount(o.shipping_cents, cur, 4));
  KStr(w, "shipping_cost_ex_tax", Amount(o.shipping_cents, cur, 4));
  KStr(w, "shipping_cost_inc_tax", Amount(o.shipping_cents, cur, 4));
  KStr(w, "total_ex_tax", Amount(subtotal + o.shipping_cents, cur, 4));
  KStr(w, "total_inc_tax", Amount(subtotal + o.shipping_cents, cur, 4));
  KStr(w, "total_tax", Amount(0, cur, 4));
  KInt(w, "items_total", o.Ordered());
  KInt(w, "items_shipped", o.Shipped());
  KStr(w, "payment_method", "Credit Card");
  KStr(w, "payment_status", o.bc_status_id == 7 || o.bc_status_id == 0 ? "" : "captured");
  KStr(w, "refunded_amount", "0.0000");
  KBool(w, "order_is_digital", false);
  KStr(w, "currency_code", st.seed.currency);
  // The transactional currency (what the amounts are in) and the store's.
  KStr(w, "default_currency_code", st.seed.currency);
  KStr(w, "store_default_currency_code", st.seed.currency);
  KStr(w, "discount_amount", Amount(0, cur, 4));
  KStr(w, "coupon_discount", Amount(0, cur, 4));
  KStr(w, "customer_message", "");
  KStr(w, "staff_notes", "");
  KBool(w, "is_deleted", false);
  w.Key("billing_address");
  WriteBilling(w, o);
  Resource(w, "products", req, base + "/products");
  Resource(w, "shipping_addresses", req, base + "/shipping_addresses");
  Resource(w, "coupons", req, base + "/coupons");
  if (consignments == Consignments::kLink) {
    Resource(w, "consignments", req, base + "/consignments");
  } else {
    WriteConsignments(w, st, o, req, consignments == Consignments::kObjectWithLines);
  }
  w.EndObject();
}

/// page/limit of a v2 sub-resource list: [begin, end) of `n`; false: `res` set.
bool SubPage(const Req& req, size_t n, size_t* begin, size_t* end, Resp& res) {
  int64_t page = 1, limit = 50;
  if (const std::string* v = req.Param("page")) {
    auto p = ToInt(*v);
    if (!p || *p < 1) {
      V2Invalid(res, "page");
      return false;
    }
    page = *p;
  }
  if (const std::string* v = req.Param("limit")) {
    auto l = ToInt(*v);
    if (!l || *l < 1 || *l > 250) {
      V2Invalid(res, "limit");
      return false;
    }
    limit = *l;
  }
  *begin = std::min<size_t>(n, static_cast<size_t>((page - 1) * limit));
  *end = std::min<size_t>(n, *begin + static_cast<size_t>(limit));
  return true;
}

void NoContent(Resp& res) {
  res.status = 204;
  res.body.clear();
  res.content_type.clear();
}

void WriteProducts(Writer& w, const Store& st, const Order& o, size_t begin, size_t end) {
  const int cur = CurrencyDecimals(st.seed.currency);
  w.StartArray();
  for (size_t i = begin; i < end; ++i) {
    const Line& l = o.lines[i];
    const Product& p = st.products[l.product];
    w.StartObject();
    KInt(w, "id", l.id);
    KInt(w, "order_id", o.id);
    KInt(w, "product_id", p.product_id);
    KInt(w, "variant_id", p.variant_id);
    KInt(w, "order_address_id", o.bc_address_id);
    KStr(w, "name", p.title);
    KStr(w, "sku", l.sku);
    KStr(w, "type", "physical");
    KStr(w, "base_price", Amount(l.price_cents, cur, 4));
    KStr(w, "price_ex_tax", Amount(l.price_cents, cur, 4));
    KStr(w, "price_inc_tax", Amount(l.price_cents, cur, 4));
    KStr(w, "base_total", Amount(l.price_cents * l.quantity, cur, 4));
    KStr(w, "total_ex_tax", Amount(l.price_cents * l.quantity, cur, 4));
    KStr(w, "total_inc_tax", Amount(l.price_cents * l.quantity, cur, 4));
    KStr(w, "total_tax", Amount(0, cur, 4));
    w.Key("applied_discounts");
    w.StartArray();
    w.EndArray();
    KInt(w, "quantity", l.quantity);
    KInt(w, "quantity_shipped", l.shipped);
    w.Key("product_options");
    w.StartArray();
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
}

/// The address and shipping method of the order's one shipping address, as
/// both /shipping_addresses and a shipping consignment carry them (the
/// consignment's id is the address id).
void WriteAddressFields(Writer& w, const Order& o) {
  const Addr& a = o.ship;
  KInt(w, "id", o.bc_address_id);
  KStr(w, "first_name", a.first);
  KStr(w, "last_name", a.last);
  KStr(w, "company", a.company);
  KStr(w, "street_1", a.address1);
  KStr(w, "street_2", a.address2);
  KStr(w, "city", a.city);
  KStr(w, "zip", a.postal);
  KStr(w, "country", a.country_name);
  KStr(w, "country_iso2", a.country_code);
  KStr(w, "state", a.region_name);
  KStr(w, "email", o.email);
  KStr(w, "phone", a.phone);
  KInt(w, "items_total", o.Ordered());
  KInt(w, "items_shipped", o.Shipped());
  KStr(w, "shipping_method", o.has_shipping ? o.ship_code : "");
}

/// A shipping consignment's fields but its line_items (costs as numbers).
void WriteShippingFields(Writer& w, const Order& o, const Req& req) {
  const Addr& a = o.ship;
  WriteAddressFields(w, o);
  const double cost = static_cast<double>(o.shipping_cents) / 100.0;
  for (const char* key : {"base_cost", "cost_ex_tax", "cost_inc_tax"}) {
    w.Key(key);
    w.Double(cost);
  }
  w.Key("cost_tax");
  w.Double(0.0);
  KInt(w, "shipping_zone_id", a.country_code == "US" ? 1 : 2);
  KStr(w, "shipping_zone_name", a.country_code == "US" ? "United States" : "International");
  Resource(w, "shipping_quotes", req,
           "/orders/" + std::to_string(o.id) + "/consignments/shipping/" +
               std::to_string(o.bc_address_id) + "/shipping_quotes");
}

void WriteShippingAddress(Writer& w, const Order& o, const Req& req) {
  const Addr& a = o.ship;
  w.StartObject();
  WriteAddressFields(w, o);
  KInt(w, "order_id", o.id);
  KStr(w, "base_cost", Money(o.shipping_cents, 4));
  KStr(w, "cost_ex_tax", Money(o.shipping_cents, 4));
  KStr(w, "cost_inc_tax", Money(o.shipping_cents, 4));
  KInt(w, "shipping_zone_id", a.country_code == "US" ? 1 : 2);
  KStr(w, "shipping_zone_name", a.country_code == "US" ? "United States" : "International");
  Resource(w, "shipping_quotes", req,
           "/orders/" + std::to_string(o.id) + "/shipping_addresses/" +
               std::to_string(o.bc_address_id) + "/shipping_quotes");
  w.EndObject();
}

void WriteShipment(Writer& w, const Store& st, const Order& o, const BcShipment& s) {
  w.StartObject();
  KInt(w, "id", s.id);
  KInt(w, "order_id", o.id);
  KInt(w, "customer_id", o.customer_id);
  KInt(w, "order_address_id", s.address_id);
  KStr(w, "date_created", Rfc2822(s.created));
  KStr(w, "tracking_number", s.tracking_number);
  KStr(w, "shipping_method", s.method);
  KStr(w, "shipping_provider", s.provider);
  KStr(w, "tracking_carrier", s.carrier);
  KStr(w, "tracking_link", s.link);
  KStr(w, "generated_tracking_link",
       s.tracking_number.empty() ? "" : "https://track.aftership.com/" + s.tracking_number);
  KStr(w, "comments", s.comments);
  w.Key("billing_address");
  WriteBilling(w, o);
  w.Key("shipping_address");
  WriteBilling(w, o);
  w.Key("items");
  w.StartArray();
  for (const auto& [index, qty] : s.items) {
    w.StartObject();
    KInt(w, "order_product_id", o.lines[index].id);
    KInt(w, "product_id", st.products[o.lines[index].product].product_id);
    KInt(w, "quantity", qty);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

/// The "shift_rate" fault: a merchant completing or editing open orders while
/// a connector pages through them.
void ShiftOrders(World& world, Store& st) {
  if (world.faults == nullptr || !st.rng.Chance(world.faults->shift_rate)) return;
  std::vector<Order*> open;
  for (Order& o : st.orders)
    if (o.bc_status_id == 1 || o.bc_status_id == 3 || o.bc_status_id == 7 || o.bc_status_id == 8 ||
        o.bc_status_id == 9 || o.bc_status_id == 11)
      open.push_back(&o);
  for (int i = 0; i < world.faults->shift_orders && !open.empty(); ++i) {
    size_t pick = static_cast<size_t>(st.rng.Range(0, static_cast<int64_t>(open.size()) - 1));
    Order& o = *open[pick];
    open.erase(open.begin() + static_cast<std::ptrdiff_t>(pick));
    if (st.rng.Chance(0.5)) {
      o.bc_status_id = 10;
      o.status = BcStatusName(10);
    }
    o.updated = std::max(o.updated + 1, world.NowSeconds());
  }
}

void ListOrders(Store& st, const Req& req, Resp& res, bool count_only) {
  std::optional<int> status_id;
  std::optional<int64_t> min_id, max_id, min_created, max_created, min_modified, max_modified;
  if (const std::string* v = req.Param("status_id")) {
    auto n = ToInt(*v);
    if (!n || *n < 0 || *n > 14) return V2Invalid(res, "status_id");
    status_id = static_cast<int>(*n);
  }
  for (const char* name : {"min_id", "max_id"}) {
    if (const std::string* v = req.Param(name)) {
      auto n = ToInt(*v);
      if (!n) return V2Invalid(res, name);
      (std::string_view(name) == "min_id" ? min_id : max_id) = *n;
    }
  }
  for (const char* name :
       {"min_date_created", "max_date_created", "min_date_modified", "max_date_modified"}) {
    if (const std::string* v = req.Param(name)) {
      int64_t t = 0;
      if (!ParseAnyDate(*v, &t)) return V2Invalid(res, name);
      std::string_view n = name;
      (n == "min_date_created"    ? min_created
       : n == "max_date_created"  ? max_created
       : n == "min_date_modified" ? min_modified
                                  : max_modified) = t;
    }
  }
  Consignments consignments = Consignments::kLink;
  if (!IncludeParam(req, &consignments, res)) return;
  int64_t page = 1, limit = 50;
  if (const std::string* v = req.Param("page")) {
    auto n = ToInt(*v);
    if (!n || *n < 1) return V2Invalid(res, "page");
    page = *n;
  }
  if (const std::string* v = req.Param("limit")) {
    auto n = ToInt(*v);
    if (!n || *n < 1 || *n > 250) return V2Invalid(res, "limit");
    limit = *n;
  }
  std::string sort_field = "id", sort_dir = "asc";
  if (const std::string* v = req.Param("sort")) {
    size_t colon = v->find(':');
    sort_field = v->substr(0, colon);
    sort_dir = colon == std::string::npos ? "asc" : v->substr(colon + 1);
    if ((sort_field != "id" && sort_field != "date_created" && sort_field != "date_modified" &&
         sort_field != "status_id" && sort_field != "customer_id") ||
        (sort_dir != "asc" && sort_dir != "desc"))
      return V2Invalid(res, "sort");
  }
  std::vector<const Order*> matches;
  for (const Order& o : st.orders) {
    if (status_id && o.bc_status_id != *status_id) continue;
    if (min_id && o.id < *min_id) continue;
    if (max_id && o.id > *max_id) continue;
    if (min_created && o.created < *min_created) continue;
    if (max_created && o.created > *max_created) continue;
    if (min_modified && o.updated < *min_modified) continue;
    if (max_modified && o.updated > *max_modified) continue;
    matches.push_back(&o);
  }
  rapidjson::StringBuffer sb;
  Writer w(sb);
  if (count_only) {
    w.StartObject();
    KInt(w, "count", static_cast<int64_t>(matches.size()));
    w.EndObject();
    return res.Json(200, Done(sb));
  }
  auto key = [&](const Order* o) -> int64_t {
    if (sort_field == "date_created") return o->created;
    if (sort_field == "date_modified") return o->updated;
    if (sort_field == "status_id") return o->bc_status_id;
    if (sort_field == "customer_id") return o->customer_id;
    return o->id;
  };
  std::stable_sort(matches.begin(), matches.end(), [&](const Order* a, const Order* b) {
    int64_t ka = key(a), kb = key(b);
    if (ka != kb) return sort_dir == "asc" ? ka < kb : ka > kb;
    return a->id < b->id;
  });
  int64_t begin = (page - 1) * limit;
  if (begin >= static_cast<int64_t>(matches.size())) return NoContent(res);
  w.StartArray();
  for (int64_t i = begin; i < begin + limit && i < static_cast<int64_t>(matches.size()); ++i)
    WriteOrder(w, st, *matches[static_cast<size_t>(i)], req, consignments);
  w.EndArray();
  res.Json(200, Done(sb));
}

const std::set<std::string>& Providers() {
  static const std::set<std::string> kProviders = {"",         "auspost",  "canadapost", "endicia",
                                                   "usps",     "fedex",    "royalmail",  "ups",
                                                   "upsready", "shipperhq"};
  return kProviders;
}

void CreateShipment(World& world, Store& st, Order& o, const Req& req, Resp& res) {
  rapidjson::Document doc;
  doc.Parse(req.body.c_str(), req.body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    res.Json(400, V2Error(400, "The request body is not valid JSON."));
    return;
  }
  auto address = JsonInt(doc, "order_address_id");
  if (!address) {
    res.Json(400, V2Error(400, "The required field 'order_address_id' was not supplied."));
    return;
  }
  if (*address != o.bc_address_id) return V2Invalid(res, "order_address_id");
  BcShipment s;
  s.tracking_number = JsonString(doc, "tracking_number").value_or("");
  if (s.tracking_number.size() > 50) return V2Invalid(res, "tracking_number");
  s.provider = JsonString(doc, "shipping_provider").value_or("");
  if (!Providers().count(s.provider) && s.provider.rfind("carrier_", 0) != 0)
    return V2Invalid(res, "shipping_provider");
  s.carrier = JsonString(doc, "tracking_carrier").value_or("");
  s.method = JsonString(doc, "shipping_method").value_or(o.ship_code);
  s.link = JsonString(doc, "tracking_link").value_or("");
  s.comments = JsonString(doc, "comments").value_or("");
  auto items = std::as_const(doc).FindMember("items");
  if (items == std::as_const(doc).MemberEnd() || !items->value.IsArray() || items->value.Empty()) {
    res.Json(400, V2Error(400, "The required field 'items' was not supplied."));
    return;
  }
  std::map<size_t, int64_t> quantities;
  for (const rapidjson::Value& item : items->value.GetArray()) {
    auto product = JsonInt(item, "order_product_id");
    auto qty = JsonInt(item, "quantity");
    size_t index = o.lines.size();
    for (size_t i = 0; product && i < o.lines.size(); ++i)
      if (o.lines[i].id == *product) index = i;
    if (index == o.lines.size()) return V2Invalid(res, "order_product_id");
    const Line& l = o.lines[index];
    if (!qty || *qty < 1 || quantities[index] + *qty > l.quantity - l.shipped) {
      res.Json(400, V2Error(400,
                            "The quantity specified is greater than the quantity of the product "
                            "that is available to ship."));
      return;
    }
    quantities[index] += *qty;
  }
  s.id = st.next_misc_id++;
  s.created = world.NowSeconds();
  s.address_id = o.bc_address_id;
  for (const auto& [index, qty] : quantities) {
    o.lines[index].shipped += qty;
    s.items.emplace_back(index, qty);
  }
  int new_status = o.Shipped() >= o.Ordered() ? 2 : 3;
  if (new_status != o.bc_status_id) {
    world.RecordStatus(st, o, o.status, BcStatusName(new_status));
    o.bc_status_id = new_status;
    o.status = BcStatusName(new_status);
  }
  o.updated = std::max(o.updated, world.NowSeconds());
  o.shipments.push_back(s);
  world.RecordTracking(st, o, "shipment", s.tracking_number,
                       s.provider.empty() ? s.carrier : s.provider, req.body);
  rapidjson::StringBuffer sb;
  Writer w(sb);
  WriteShipment(w, st, o, o.shipments.back());
  res.Json(201, Done(sb));
}

void UpdateOrder(World& world, Store& st, Order& o, const Req& req, Resp& res) {
  rapidjson::Document doc;
  doc.Parse(req.body.c_str(), req.body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    res.Json(400, V2Error(400, "The request body is not valid JSON."));
    return;
  }
  if (doc.HasMember("status_id")) {
    auto id = JsonInt(doc, "status_id");
    if (!id || *id < 0 || *id > 14) return V2Invalid(res, "status_id");
    if (*id != o.bc_status_id) {
      world.RecordStatus(st, o, o.status, BcStatusName(static_cast<int>(*id)));
      o.bc_status_id = static_cast<int>(*id);
      o.status = BcStatusName(o.bc_status_id);
    }
    o.updated = std::max(o.updated, world.NowSeconds());
  }
  rapidjson::StringBuffer sb;
  Writer w(sb);
  WriteOrder(w, st, o, req);
  res.Json(200, Done(sb));
}

void AbsoluteAdjustment(World& world, Store& st, const Req& req, Resp& res) {
  rapidjson::Document doc;
  doc.Parse(req.body.c_str(), req.body.size());
  if (doc.HasParseError() || !doc.IsObject())
    return V3Error(res, 400, "The request body is not valid JSON.");
  auto items = std::as_const(doc).FindMember("items");
  if (items == std::as_const(doc).MemberEnd() || !items->value.IsArray() || items->value.Empty())
    return V3Error(res, 422, "items is required and must not be empty");
  if (items->value.Size() > 2000)
    return V3Error(res, 422, "[The number of items in the request must not exceed 2000]");
  struct Change {
    Product* product;
    int64_t location, quantity;
    std::string sku;
  };
  std::vector<Change> changes;
  for (const rapidjson::Value& item : items->value.GetArray()) {
    auto location = JsonInt(item, "location_id");
    auto qty = JsonInt(item, "quantity");
    if (!location || !std::any_of(st.locations.begin(), st.locations.end(),
                                  [&](const Location& l) { return l.id == *location; }))
      return V3Error(res, 422,
                     "[Location with id " + (location ? std::to_string(*location) : "(missing)") +
                         " was not found]");
    if (!qty || *qty < 0 || *qty > 1'000'000'000)
      return V3Error(res, 422, "[quantity must be an integer between 0 and 1000000000]");
    Change c{nullptr, *location, *qty, ""};
    if (auto variant = JsonInt(item, "variant_id")) {
      c.product = st.FindVariant(*variant);
      if (!c.product)
        return V3Error(res, 422,
                       "[Variant with id " + std::to_string(*variant) + " was not found]");
    } else if (auto product = JsonInt(item, "product_id")) {
      c.product = st.FindProduct(*product);
      if (!c.product)
        return V3Error(res, 422,
                       "[Product with id " + std::to_string(*product) + " was not found]");
    } else if (auto sku = JsonString(item, "sku")) {
      c.product = st.FindSku(*sku);
      c.sku = *sku;  // an unknown SKU is recorded (known = false)
    } else {
      return V3Error(res, 422, "[Each item needs one of variant_id, product_id or sku]");
    }
    // Tracked by product: only product_id sets it (inventory.v3.yml's example).
    if (c.product && c.product->tracked_by_product && !JsonInt(item, "product_id"))
      return V3Error(res, 422,
                     "[Item with variant_id " + std::to_string(c.product->variant_id) +
                         " is tracked by product, please update stock by product id]");
    if (c.product) c.sku = c.product->sku;
    changes.push_back(std::move(c));
  }
  for (const Change& c : changes) {
    if (c.product) c.product->levels[c.location] = c.quantity;
    world.RecordInventory(st, std::to_string(c.location), c.sku,
                          c.product ? std::to_string(c.product->variant_id) : "", c.quantity,
                          c.product != nullptr);
  }
  uint64_t h = HashString(req.body, world.inventory_history);
  char id[48];
  std::snprintf(id, sizeof id, "%08llx-%04llx-4%03llx-a%03llx-%012llx",
                static_cast<unsigned long long>(h >> 32),
                static_cast<unsigned long long>((h >> 16) & 0xFFFF),
                static_cast<unsigned long long>(h & 0xFFF),
                static_cast<unsigned long long>((h >> 20) & 0xFFF),
                static_cast<unsigned long long>(HashString(std::to_string(h)) & 0xFFFFFFFFFFFFull));
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  KStr(w, "transaction_id", id);
  w.EndObject();
  res.Json(200, Done(sb));
}

void Meta(Writer& w, int64_t total, int64_t count, int64_t per_page, int64_t page) {
  w.Key("meta");
  w.StartObject();
  w.Key("pagination");
  w.StartObject();
  KInt(w, "total", total);
  KInt(w, "count", count);
  KInt(w, "per_page", per_page);
  KInt(w, "current_page", page);
  KInt(w, "total_pages", (total + per_page - 1) / per_page);
  w.EndObject();
  w.EndObject();
}

void ListVariants(Store& st, const Req& req, Resp& res) {
  std::set<std::string> skus;
  for (const char* name : {"sku", "sku:in"})
    for (const std::string& s : SplitComma(req.ParamOr(name))) skus.insert(s);
  int64_t page = std::max<int64_t>(1, ToInt(req.ParamOr("page", "1")).value_or(1));
  int64_t limit = ToInt(req.ParamOr("limit", "50")).value_or(50);
  if (limit < 1 || limit > 250) return V3Error(res, 422, "[limit must be between 1 and 250]");
  std::optional<int64_t> id;  // `id`: one variant
  if (const std::string* v = req.Param("id")) {
    id = ToInt(*v);
    if (!id) return V3Error(res, 422, "[id must be an integer]");
  }
  std::vector<const Product*> matches;
  for (const Product& p : st.products)
    if ((skus.empty() || skus.count(p.sku)) && (!id || p.variant_id == *id)) matches.push_back(&p);
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("data");
  w.StartArray();
  int64_t count = 0;
  for (int64_t i = (page - 1) * limit; i < page * limit && i < static_cast<int64_t>(matches.size());
       ++i) {
    const Product& p = *matches[static_cast<size_t>(i)];
    int64_t level = 0;
    for (const auto& [loc, q] : p.levels) level += q;
    w.StartObject();
    KInt(w, "id", p.variant_id);
    KInt(w, "product_id", p.product_id);
    KStr(w, "sku", p.sku);
    w.Key("price");
    w.Double(static_cast<double>(p.price_cents) / 100.0);
    KInt(w, "inventory_level", level);
    KInt(w, "inventory_warning_level", 0);
    KBool(w, "purchasing_disabled", false);
    w.EndObject();
    ++count;
  }
  w.EndArray();
  Meta(w, static_cast<int64_t>(matches.size()), count, limit, page);
  w.EndObject();
  res.Json(200, Done(sb));
}

}  // namespace

void HandleBigCommerce(World& world, Store& st, const Req& req, Resp& res) {
  std::vector<std::string> seg = SplitPath(req.path);
  const bool get = req.method == "GET";
  rapidjson::StringBuffer sb;
  Writer w(sb);
  if (!seg.empty() && seg[0] == "v2") {
    seg.erase(seg.begin());
    if (seg.size() == 1 && seg[0] == "store" && get) {
      // Store Information API: GET /v2/store (timezone.name, raw_offset).
      w.StartObject();
      KStr(w, "id", st.name);
      KStr(w, "name", st.name);
      w.Key("timezone");
      w.StartObject();
      KStr(w, "name", st.seed.time_zone);
      KInt(w, "raw_offset", st.offset_minutes * 60);
      KInt(w, "dst_offset", st.offset_minutes * 60);
      w.Key("dst_correction");
      w.Bool(false);
      w.EndObject();
      KStr(w, "currency", "USD");
      w.EndObject();
      return res.Json(200, Done(sb));
    }
    if (seg.size() == 1 && seg[0] == "orders" && get) {
      ShiftOrders(world, st);
      return ListOrders(st, req, res, false);
    }
    if (seg.size() == 2 && seg[0] == "orders" && seg[1] == "count" && get)
      return ListOrders(st, req, res, true);
    if (seg.size() == 1 && seg[0] == "order_statuses" && get) {
      w.StartArray();
      for (int i = 0; i <= 14; ++i) {
        w.StartObject();
        KInt(w, "id", i);
        KStr(w, "name", BcStatusName(i));
        KStr(w, "system_label", BcStatusName(i));
        KStr(w, "custom_label", BcStatusName(i));
        KInt(w, "order", i);
        w.EndObject();
      }
      w.EndArray();
      return res.Json(200, Done(sb));
    }
    if (seg.size() >= 2 && seg[0] == "orders") {
      Order* o = IsDigits(seg[1]) ? st.FindOrder(*ToInt(seg[1])) : nullptr;
      if (o == nullptr) return V2NotFound(res);
      if (seg.size() == 2 && get) {
        Consignments consignments = Consignments::kLink;
        if (!IncludeParam(req, &consignments, res)) return;
        WriteOrder(w, st, *o, req, consignments);
        return res.Json(200, Done(sb));
      }
      if (seg.size() == 2 && req.method == "PUT") return UpdateOrder(world, st, *o, req, res);
      if (seg.size() == 3 && seg[2] == "products" && get) {
        size_t begin = 0, end = 0;
        if (!SubPage(req, o->lines.size(), &begin, &end, res)) return;
        if (begin == end) return NoContent(res);
        WriteProducts(w, st, *o, begin, end);
        return res.Json(200, Done(sb));
      }
      if (seg.size() == 3 && seg[2] == "shipping_addresses" && get) {
        w.StartArray();
        WriteShippingAddress(w, *o, req);
        w.EndArray();
        return res.Json(200, Done(sb));
      }
      if (seg.size() == 3 && seg[2] == "shipments") {
        if (req.method == "POST") return CreateShipment(world, st, *o, req, res);
        if (get) {
          size_t begin = 0, end = 0;
          if (!SubPage(req, o->shipments.size(), &begin, &end, res)) return;
          if (begin == end) return NoContent(res);
          w.StartArray();
          for (size_t i = begin; i < end; ++i) WriteShipment(w, st, *o, o->shipments[i]);
          w.EndArray();
          return res.Json(200, Done(sb));
        }
      }
      if (seg.size() == 4 && seg[2] == "shipments" && get) {
        auto id = IsDigits(seg[3]) ? ToInt(seg[3]) : std::nullopt;
        for (const BcShipment& s : o->shipments)
          if (id && s.id == *id) {
            WriteShipment(w, st, *o, s);
            return res.Json(200, Done(sb));
          }
        return V2NotFound(res);
      }
    }
    return V2NotFound(res);
  }
  if (!seg.empty() && seg[0] == "v3") {
    seg.erase(seg.begin());
    if (seg.size() == 3 && seg[0] == "inventory" && seg[1] == "adjustments" &&
        seg[2] == "absolute" && req.method == "PUT")
      return AbsoluteAdjustment(world, st, req, res);
    if (seg.size() == 2 && seg[0] == "catalog" && seg[1] == "variants" && get)
      return ListVariants(st, req, res);
    if (seg.size() == 2 && seg[0] == "inventory" && seg[1] == "items" && get) {
      // GET /v3/inventory/items (inventory.v3.yml): needs a Store Inventory
      // scope. A seed whose `scopes` name BigCommerce scopes (store_…) and
      // neither store_inventory nor store_inventory_read_only is answered 403.
      const std::vector<std::string> scopes = st.seed.scopes.value_or(std::vector<std::string>{});
      auto has = [&](const char* s) {
        return std::find(scopes.begin(), scopes.end(), s) != scopes.end();
      };
      if (std::any_of(scopes.begin(), scopes.end(),
                      [](const std::string& s) { return s.rfind("store_", 0) == 0; }) &&
          !has("store_inventory") && !has("store_inventory_read_only"))
        return V3Error(res, 403, "You don't have a required scope to access the endpoint");
      int64_t page = std::max<int64_t>(1, ToInt(req.ParamOr("page", "1")).value_or(1));
      int64_t limit = ToInt(req.ParamOr("limit", "50")).value_or(50);
      if (limit < 1 || limit > 1000) return V3Error(res, 422, "[limit must be between 1 and 1000]");
      std::set<int64_t> wanted;
      for (const std::string& id : SplitComma(req.ParamOr("location_id:in")))
        if (auto n = ToInt(id)) wanted.insert(*n);
      w.StartObject();
      w.Key("data");
      w.StartArray();
      int64_t count = 0;
      for (int64_t i = (page - 1) * limit;
           i < page * limit && i < static_cast<int64_t>(st.products.size()); ++i) {
        const Product& p = st.products[static_cast<size_t>(i)];
        w.StartObject();
        w.Key("identity");
        w.StartObject();
        KStr(w, "sku", p.sku);
        KInt(w, "variant_id", p.variant_id);
        KInt(w, "product_id", p.product_id);
        w.EndObject();
        w.Key("locations");
        w.StartArray();
        for (const Location& l : st.locations) {
          if (!wanted.empty() && !wanted.count(l.id)) continue;
          auto level = p.levels.find(l.id);
          w.StartObject();
          KInt(w, "location_id", l.id);
          KStr(w, "location_code", "LOC" + std::to_string(l.id));
          KStr(w, "location_name", l.name);
          KInt(w, "available_to_sell", level == p.levels.end() ? 0 : level->second);
          KInt(w, "total_inventory_onhand", level == p.levels.end() ? 0 : level->second);
          w.EndObject();
        }
        w.EndArray();
        w.EndObject();
        ++count;
      }
      w.EndArray();
      Meta(w, static_cast<int64_t>(st.products.size()), count, limit, page);
      w.EndObject();
      return res.Json(200, Done(sb));
    }
    if (seg.size() == 2 && seg[0] == "inventory" && seg[1] == "locations" && get) {
      w.StartObject();
      w.Key("data");
      w.StartArray();
      for (const Location& l : st.locations) {
        w.StartObject();
        KInt(w, "id", l.id);
        KStr(w, "code", "LOC" + std::to_string(l.id));
        KStr(w, "label", l.name);
        KStr(w, "type_id", "PHYSICAL");
        KBool(w, "enabled", true);
        KBool(w, "managed_by_external_source", false);
        w.EndObject();
      }
      w.EndArray();
      Meta(w, static_cast<int64_t>(st.locations.size()), static_cast<int64_t>(st.locations.size()),
           50, 1);
      w.EndObject();
      return res.Json(200, Done(sb));
    }
    return V3Error(res, 404, "The route is not found, check the URL");
  }
  V2NotFound(res);
}

}  // namespace cartsync::sim::detail

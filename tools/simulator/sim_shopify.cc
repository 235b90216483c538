// Shopify Admin REST subset (legacy; the connector speaks GraphQL, served by
// sim_shopify_graphql.cc): orders with cursor pagination, fulfillment orders
// and fulfillments, products, locations, inventory levels. Kept for the
// fetch baseline of tools/bench/throughput and tests that read a store
// directly.
#include <algorithm>
#include <set>

#include "tools/simulator/sim_internal.h"

namespace cartsync::sim::detail {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

std::string Errors(std::string_view message) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  KStr(w, "errors", message);
  w.EndObject();
  return Done(sb);
}

std::string ErrorList(std::string_view message) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("errors");
  w.StartArray();
  Str(w, message);
  w.EndArray();
  w.EndObject();
  return Done(sb);
}

/// {"errors": {"field": ["message"]}}
std::string FieldError(std::string_view field, std::string_view message) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("errors");
  w.StartObject();
  w.Key(field.data(), static_cast<rapidjson::SizeType>(field.size()));
  w.StartArray();
  Str(w, message);
  w.EndArray();
  w.EndObject();
  w.EndObject();
  return Done(sb);
}

void NotFound(Resp& res) { res.Json(404, Errors("Not Found")); }

bool ValidVersion(std::string_view v) {
  if (v == "unstable") return true;
  return v.size() == 7 && IsDigits(v.substr(0, 4)) && v[4] == '-' && IsDigits(v.substr(5, 2));
}

/// "123.json" -> 123
std::optional<int64_t> JsonId(std::string_view seg) {
  if (seg.size() <= 5 || seg.substr(seg.size() - 5) != ".json") return std::nullopt;
  seg.remove_suffix(5);
  if (!IsDigits(seg)) return std::nullopt;
  return ToInt(seg);
}

std::string Gid(const char* type, int64_t id) {
  return std::string("gid://shopify/") + type + "/" + std::to_string(id);
}

class Fields {
 public:
  explicit Fields(const std::string* list) {
    if (list)
      for (std::string& f : SplitComma(*list)) names_.insert(std::move(f));
  }
  bool operator()(const char* key) const { return names_.empty() || names_.count(key) > 0; }

 private:
  std::set<std::string> names_;
};

// ---- pagination ---------------------------------------------------------------------

struct Cursor {
  bool present = false;
  bool next = true;  ///< false: previous page
  int64_t anchor = 0;
  std::string filters;  ///< the original filter query
};

std::string EncodeCursor(const char* kind, bool next, int64_t anchor, const std::string& filters) {
  return Base64Encode(std::string("v1|") + kind + "|" + (next ? "n" : "p") + "|" +
                          std::to_string(anchor) + "|" + filters,
                      /*url_safe=*/true);
}

bool DecodeCursor(const std::string& token, const char* kind, Cursor* out) {
  auto raw = Base64Decode(token);
  if (!raw) return false;
  std::vector<std::string> parts;
  size_t i = 0;
  for (int n = 0; n < 4; ++n) {
    size_t j = raw->find('|', i);
    if (j == std::string::npos) return false;
    parts.push_back(raw->substr(i, j - i));
    i = j + 1;
  }
  if (parts[0] != "v1" || parts[1] != kind || (parts[2] != "n" && parts[2] != "p")) return false;
  auto anchor = ToInt(parts[3]);
  if (!anchor) return false;
  out->present = true;
  out->next = parts[2] == "n";
  out->anchor = *anchor;
  out->filters = raw->substr(i);
  return true;
}

/// Checks the page_info rule and resolves the effective filters. False: `res` is set.
bool ResolvePaging(const Req& req, const char* kind, Params* filters, Cursor* cursor, int* limit,
                   Resp& res) {
  *limit = 50;
  if (const std::string* l = req.Param("limit")) {
    auto n = ToInt(*l);
    if (!n || *n < 1 || *n > 250) {
      res.Json(400, FieldError("limit", "must be between 1 and 250"));
      return false;
    }
    *limit = static_cast<int>(*n);
  }
  const std::string* page_info = req.Param("page_info");
  if (page_info) {
    for (const auto& [k, v] : req.query) {
      if (k == "limit" || k == "fields" || k == "page_info") continue;
      res.Json(400, Errors(k + " cannot be passed when page_info is present"));
      return false;
    }
    if (!DecodeCursor(*page_info, kind, cursor)) {
      res.Json(400, FieldError("page_info", "Invalid value."));
      return false;
    }
    *filters = ParseQuery(cursor->filters);
    return true;
  }
  for (const auto& kv : req.query)
    if (kv.first != "limit" && kv.first != "fields") filters->push_back(kv);
  return true;
}

std::string FilterQuery(const Params& filters) {
  std::string out;
  for (const auto& [k, v] : filters) {
    if (!out.empty()) out += '&';
    out += UrlEncode(k) + "=" + UrlEncode(v);
  }
  return out;
}

/// Pages through `ids` (already in listing order; `descending` says which).
/// Returns [begin, end) and sets the Link header.
std::pair<size_t, size_t> Page(const std::vector<int64_t>& ids, bool descending,
                               const Cursor& cursor, int limit, const Params& filters,
                               const char* kind, const Req& req, Resp& res) {
  auto after = [&](int64_t id, int64_t anchor) { return descending ? id < anchor : id > anchor; };
  size_t n = ids.size(), begin = 0, end = 0;
  if (!cursor.present) {
    begin = 0;
    end = std::min<size_t>(n, static_cast<size_t>(limit));
  } else if (cursor.next) {
    while (begin < n && !after(ids[begin], cursor.anchor)) ++begin;
    end = std::min<size_t>(n, begin + static_cast<size_t>(limit));
  } else {
    size_t stop = 0;
    while (stop < n && after(cursor.anchor, ids[stop])) ++stop;  // items before the anchor
    end = stop;
    begin = stop > static_cast<size_t>(limit) ? stop - static_cast<size_t>(limit) : 0;
  }
  std::string filter_query = FilterQuery(filters);
  std::string base = req.store_base + req.path + "?limit=" + std::to_string(limit);
  if (const std::string* f = req.Param("fields")) base += "&fields=" + UrlEncode(*f);
  std::string link;
  if (begin > 0 && begin < end)
    link += "<" + base + "&page_info=" + EncodeCursor(kind, false, ids[begin], filter_query) +
            ">; rel=\"previous\"";
  if (end < n && begin < end) {
    if (!link.empty()) link += ", ";
    link += "<" + base + "&page_info=" + EncodeCursor(kind, true, ids[end - 1], filter_query) +
            ">; rel=\"next\"";
  }
  if (!link.empty()) res.Header("Link", link);
  return {begin, end};
}

// ---- orders ---------------------------------------------------------------------------

struct OrderFilter {
  std::set<std::string> states, financial, fulfillment;  // empty = any
  std::optional<int64_t> created_min, created_max, updated_min, updated_max, since_id;
  std::set<int64_t> ids;

  bool Matches(const Order& o) const {
    if (!states.empty()) {
      bool ok = (states.count("open") && o.status == "open") ||
                (states.count("closed") && o.closed_at != 0) ||
                (states.count("cancelled") && o.cancelled_at != 0);
      if (!ok) return false;
    }
    if (!financial.empty() && !financial.count(o.financial_status)) return false;
    if (!fulfillment.empty() &&
        !fulfillment.count(o.fulfillment_status.empty() ? "null" : o.fulfillment_status))
      return false;
    if (created_min && o.created < *created_min) return false;
    if (created_max && o.created > *created_max) return false;
    if (updated_min && o.updated < *updated_min) return false;
    if (updated_max && o.updated > *updated_max) return false;
    if (since_id && o.id <= *since_id) return false;
    if (!ids.empty() && !ids.count(o.id)) return false;
    return true;
  }
};

bool ParseOrderFilter(const Params& params, const Store& st, OrderFilter* f, std::string* error) {
  bool status_given = false;
  for (const auto& [k, v] : params) {
    auto bad = [&, &key = k] {
      *error = FieldError(key, "is invalid");
      return false;
    };
    if (k == "status") {
      status_given = true;
      std::vector<std::string> values = SplitComma(v);
      if (values.empty()) return bad();
      bool any = false;
      for (const std::string& s : values) {
        if (s == "any") {
          any = true;
          continue;
        }
        if (s != "open" && s != "closed" && s != "cancelled") return bad();
        f->states.insert(s);
      }
      if (any) f->states.clear();
    } else if (k == "financial_status") {
      std::set<std::string> values;
      for (const std::string& s : SplitComma(v)) {
        if (s == "any") {
          values.clear();
          break;
        }
        if (s == "unpaid") {
          values.insert({"authorized", "pending", "partially_paid"});
          continue;
        }
        static const std::set<std::string> kAllowed = {"authorized",        "pending",  "paid",
                                                       "partially_paid",    "refunded", "voided",
                                                       "partially_refunded"};
        if (!kAllowed.count(s)) return bad();
        values.insert(s);
      }
      f->financial = values;
    } else if (k == "fulfillment_status") {
      std::set<std::string> values;
      for (const std::string& s : SplitComma(v)) {
        if (s == "any") {
          values.clear();
          break;
        }
        if (s == "shipped" || s == "fulfilled")
          values.insert("fulfilled");
        else if (s == "partial")
          values.insert("partial");
        else if (s == "unshipped")
          values.insert("null");
        else if (s == "unfulfilled")
          values.insert({"null", "partial"});
        else
          return bad();
      }
      f->fulfillment = values;
    } else if (k == "created_at_min" || k == "created_at_max" || k == "updated_at_min" ||
               k == "updated_at_max") {
      int64_t t = 0;
      if (!ParseIso(v, &t, st.offset_minutes)) return bad();
      (k == "created_at_min"   ? f->created_min
       : k == "created_at_max" ? f->created_max
       : k == "updated_at_min" ? f->updated_min
                               : f->updated_max) = t;
    } else if (k == "since_id") {
      auto n = ToInt(v);
      if (!n) return bad();
      f->since_id = *n;
    } else if (k == "ids") {
      for (const std::string& s : SplitComma(v)) {
        auto n = ToInt(s);
        if (!n) return bad();
        f->ids.insert(*n);
      }
    }
    // other parameters (attribution_app_id, processed_at_*, …) are ignored
  }
  if (!status_given) f->states = {"open"};
  return true;
}

void WriteAddress(Writer& w, const Addr& a) {
  w.StartObject();
  KStr(w, "first_name", a.first);
  KStr(w, "last_name", a.last);
  KStr(w, "name", a.FullName());
  KStrOrNull(w, "company", a.company);
  KStr(w, "address1", a.address1);
  KStrOrNull(w, "address2", a.address2);
  KStr(w, "city", a.city);
  KStr(w, "province", a.region_name);
  KStr(w, "province_code", a.region_code);
  KStr(w, "zip", a.postal);
  KStr(w, "country", a.country_name);
  KStr(w, "country_code", a.country_code);
  KStrOrNull(w, "phone", a.phone);
  w.EndObject();
}

std::string LineFulfillmentStatus(const Line& l) {
  if (l.shipped <= 0) return "";
  return l.shipped >= l.quantity ? "fulfilled" : "partial";
}

void WriteFulfillment(Writer& w, const Store& st, const Order& o, const ShopifyFulfillment& f) {
  w.StartObject();
  KInt(w, "id", f.id);
  KStr(w, "admin_graphql_api_id", Gid("Fulfillment", f.id));
  KInt(w, "order_id", o.id);
  KStr(w, "name", f.name);
  KStr(w, "status", f.status);
  KStr(w, "service", "manual");
  KStr(w, "created_at", IsoOffset(f.created, st.offset_minutes));
  KStr(w, "updated_at", IsoOffset(f.created, st.offset_minutes));
  KInt(w, "location_id", st.locations.front().id);
  KStrOrNull(w, "tracking_company", f.company);
  KStrOrNull(w, "tracking_number", f.number);
  w.Key("tracking_numbers");
  w.StartArray();
  if (!f.number.empty()) Str(w, f.number);
  w.EndArray();
  KStrOrNull(w, "tracking_url", f.url);
  w.Key("tracking_urls");
  w.StartArray();
  if (!f.url.empty()) Str(w, f.url);
  w.EndArray();
  w.Key("line_items");
  w.StartArray();
  for (const auto& [index, qty] : f.lines) {
    const Line& l = o.lines[index];
    const Product& p = st.products[l.product];
    w.StartObject();
    KInt(w, "id", l.id);
    KInt(w, "variant_id", p.variant_id);
    KInt(w, "product_id", p.product_id);
    KStr(w, "sku", l.sku);
    KStr(w, "title", p.title);
    KInt(w, "quantity", qty);
    KStr(w, "price", Money(l.price_cents));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void WriteOrder(Writer& w, const Store& st, const Order& o, const Fields& want) {
  const int off = st.offset_minutes;
  const int64_t subtotal = o.SubtotalCents();
  w.StartObject();
  if (want("id")) KInt(w, "id", o.id);
  if (want("admin_graphql_api_id")) KStr(w, "admin_graphql_api_id", Gid("Order", o.id));
  if (want("name")) KStr(w, "name", "#" + std::to_string(o.number));
  if (want("order_number")) KInt(w, "order_number", o.number);
  if (want("number")) KInt(w, "number", o.number - 1000);
  if (want("email")) KStr(w, "email", o.email);
  if (want("contact_email")) KStr(w, "contact_email", o.email);
  if (want("phone")) KNull(w, "phone");
  if (want("created_at")) KStr(w, "created_at", IsoOffset(o.created, off));
  if (want("updated_at")) KStr(w, "updated_at", IsoOffset(o.updated, off));
  if (want("processed_at")) KStr(w, "processed_at", IsoOffset(o.created, off));
  if (want("closed_at")) KStrOrNull(w, "closed_at", o.closed_at ? IsoOffset(o.closed_at, off) : "");
  if (want("cancelled_at"))
    KStrOrNull(w, "cancelled_at", o.cancelled_at ? IsoOffset(o.cancelled_at, off) : "");
  if (want("cancel_reason")) KStrOrNull(w, "cancel_reason", o.cancelled_at ? "customer" : "");
  if (want("currency")) KStr(w, "currency", "USD");
  if (want("presentment_currency")) KStr(w, "presentment_currency", "USD");
  if (want("financial_status")) KStr(w, "financial_status", o.financial_status);
  if (want("fulfillment_status")) KStrOrNull(w, "fulfillment_status", o.fulfillment_status);
  if (want("confirmed")) KBool(w, "confirmed", true);
  if (want("test")) KBool(w, "test", false);
  if (want("source_name")) KStr(w, "source_name", "web");
  if (want("tags")) KStr(w, "tags", "");
  if (want("note")) KNull(w, "note");
  if (want("subtotal_price")) KStr(w, "subtotal_price", Money(subtotal));
  if (want("total_line_items_price")) KStr(w, "total_line_items_price", Money(subtotal));
  if (want("total_discounts")) KStr(w, "total_discounts", "0.00");
  if (want("total_tax")) KStr(w, "total_tax", "0.00");
  if (want("total_price")) KStr(w, "total_price", Money(subtotal + o.shipping_cents));
  if (want("customer")) {
    w.Key("customer");
    w.StartObject();
    KInt(w, "id", o.customer_id);
    KStr(w, "email", o.email);
    KStr(w, "first_name", o.ship.first);
    KStr(w, "last_name", o.ship.last);
    w.EndObject();
  }
  if (want("billing_address")) {
    w.Key("billing_address");
    WriteAddress(w, o.ship);
  }
  if (want("shipping_address")) {
    w.Key("shipping_address");
    WriteAddress(w, o.ship);
  }
  if (want("shipping_lines")) {
    w.Key("shipping_lines");
    w.StartArray();
    if (o.has_shipping) {
      w.StartObject();
      KInt(w, "id", o.fulfillment_order_id + 500'000'000);
      KStr(w, "title", o.ship_code);
      KStr(w, "code", o.ship_code_id);
      KStr(w, "price", Money(o.shipping_cents));
      KStr(w, "discounted_price", Money(o.shipping_cents));
      KStr(w, "source", "shopify");
      KNull(w, "carrier_identifier");
      w.EndObject();
    }
    w.EndArray();
  }
  if (want("line_items")) {
    w.Key("line_items");
    w.StartArray();
    for (const Line& l : o.lines) {
      const Product& p = st.products[l.product];
      const bool gift = l.sku.rfind("GIFT-CARD", 0) == 0;
      w.StartObject();
      KInt(w, "id", l.id);
      KStr(w, "admin_graphql_api_id", Gid("LineItem", l.id));
      KInt(w, "variant_id", p.variant_id);
      KInt(w, "product_id", p.product_id);
      KStr(w, "title", p.title);
      KStrOrNull(w, "variant_title", p.variant_title);
      KStr(w, "name", p.variant_title.empty() ? p.title : p.title + " - " + p.variant_title);
      KStr(w, "sku", l.sku);
      KStr(w, "vendor", st.name);
      KInt(w, "quantity", l.quantity);
      KStr(w, "price", Money(l.price_cents));
      KStr(w, "total_discount", "0.00");
      KInt(w, "fulfillable_quantity", o.cancelled_at ? 0 : l.quantity - l.shipped);
      KStrOrNull(w, "fulfillment_status", LineFulfillmentStatus(l));
      KStr(w, "fulfillment_service", "manual");
      KBool(w, "requires_shipping", !gift);
      KBool(w, "gift_card", gift);
      KBool(w, "taxable", true);
      KInt(w, "grams", gift ? 0 : 250);
      w.EndObject();
    }
    w.EndArray();
  }
  if (want("fulfillments")) {
    w.Key("fulfillments");
    w.StartArray();
    for (const ShopifyFulfillment& f : o.fulfillments) WriteFulfillment(w, st, o, f);
    w.EndArray();
  }
  w.EndObject();
}

std::string FulfillmentOrderStatus(const Order& o) {
  if (o.cancelled_at) return "cancelled";
  int64_t remaining = o.Ordered() - o.Shipped();
  if (remaining <= 0) return "closed";
  return o.Shipped() > 0 ? "in_progress" : "open";
}

void WriteFulfillmentOrder(Writer& w, const Store& st, const Order& o) {
  std::string status = FulfillmentOrderStatus(o);
  w.StartObject();
  KInt(w, "id", o.fulfillment_order_id);
  KStr(w, "admin_graphql_api_id", Gid("FulfillmentOrder", o.fulfillment_order_id));
  KInt(w, "shop_id", 1);
  KInt(w, "order_id", o.id);
  KInt(w, "assigned_location_id", st.locations.front().id);
  KStr(w, "request_status", "unsubmitted");
  KStr(w, "status", status);
  w.Key("supported_actions");
  w.StartArray();
  if (status == "open" || status == "in_progress") {
    Str(w, "create_fulfillment");
    Str(w, "move");
  }
  w.EndArray();
  w.Key("destination");
  w.StartObject();
  KStr(w, "first_name", o.ship.first);
  KStr(w, "last_name", o.ship.last);
  KStr(w, "address1", o.ship.address1);
  KStr(w, "city", o.ship.city);
  KStr(w, "province", o.ship.region_name);
  KStr(w, "zip", o.ship.postal);
  KStr(w, "country", o.ship.country_name);
  KStr(w, "email", o.email);
  w.EndObject();
  w.Key("delivery_method");
  w.StartObject();
  KStr(w, "method_type", "shipping");
  w.EndObject();
  w.Key("line_items");
  w.StartArray();
  for (const Line& l : o.lines) {
    const Product& p = st.products[l.product];
    w.StartObject();
    KInt(w, "id", l.fo_line_id);
    KInt(w, "shop_id", 1);
    KInt(w, "fulfillment_order_id", o.fulfillment_order_id);
    KInt(w, "line_item_id", l.id);
    KInt(w, "inventory_item_id", p.inventory_item_id);
    KInt(w, "variant_id", p.variant_id);
    KInt(w, "quantity", l.quantity);
    KInt(w, "fulfillable_quantity", o.cancelled_at ? 0 : l.quantity - l.shipped);
    w.EndObject();
  }
  w.EndArray();
  KStr(w, "created_at", IsoOffset(o.created, st.offset_minutes));
  KStr(w, "updated_at", IsoOffset(o.updated, st.offset_minutes));
  w.EndObject();
}

void ListOrders(Store& st, const Req& req, Resp& res, bool count_only) {
  Params filters;
  Cursor cursor;
  int limit = 50;
  if (count_only) {
    filters = req.query;
  } else if (!ResolvePaging(req, "o", &filters, &cursor, &limit, res)) {
    return;
  }
  OrderFilter f;
  std::string error;
  if (!ParseOrderFilter(filters, st, &f, &error)) {
    res.Json(400, error);
    return;
  }
  std::vector<int64_t> ids;
  std::vector<const Order*> matches;
  for (auto it = st.orders.rbegin(); it != st.orders.rend(); ++it)  // newest first
    if (f.Matches(*it)) {
      ids.push_back(it->id);
      matches.push_back(&*it);
    }
  rapidjson::StringBuffer sb;
  Writer w(sb);
  if (count_only) {
    w.StartObject();
    KInt(w, "count", static_cast<int64_t>(ids.size()));
    w.EndObject();
    res.Json(200, Done(sb));
    return;
  }
  auto [begin, end] = Page(ids, /*descending=*/true, cursor, limit, filters, "o", req, res);
  Fields want(req.Param("fields"));
  w.StartObject();
  w.Key("orders");
  w.StartArray();
  for (size_t i = begin; i < end; ++i) WriteOrder(w, st, *matches[i], want);
  w.EndArray();
  w.EndObject();
  res.Json(200, Done(sb));
}

void CreateFulfillment(World& world, Store& st, const Req& req, Resp& res) {
  rapidjson::Document doc;
  doc.Parse(req.body.c_str(), req.body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    res.Json(400, Errors("body is not valid JSON"));
    return;
  }
  // Read through a const view: comparing two non-const member iterators is
  // ambiguous in C++20 for RapidJSON 1.1's operators (clang warns).
  const rapidjson::Value& body = doc;
  auto f = body.FindMember("fulfillment");
  if (f == body.MemberEnd() || !f->value.IsObject()) {
    res.Json(400, FieldError("fulfillment", "Required parameter missing or invalid"));
    return;
  }
  auto groups = f->value.FindMember("line_items_by_fulfillment_order");
  if (groups == f->value.MemberEnd() || !groups->value.IsArray() || groups->value.Empty()) {
    res.Json(400, FieldError("line_items_by_fulfillment_order",
                             "Required parameter missing or invalid"));
    return;
  }
  Order* order = nullptr;
  std::map<size_t, int64_t> quantities;  // line index -> quantity
  for (const rapidjson::Value& g : groups->value.GetArray()) {
    auto fo_id = JsonInt(g, "fulfillment_order_id");
    if (!fo_id) {
      res.Json(400, FieldError("fulfillment_order_id", "Required parameter missing or invalid"));
      return;
    }
    Order* owner = nullptr;
    for (Order& o : st.orders)
      if (o.fulfillment_order_id == *fo_id) owner = &o;
    if (owner == nullptr) {
      NotFound(res);
      return;
    }
    if (order != nullptr && order != owner) {
      res.Json(422, ErrorList("All fulfillment orders must belong to the same order."));
      return;
    }
    order = owner;
    std::string status = FulfillmentOrderStatus(*owner);
    if (status != "open" && status != "in_progress") {
      res.Json(422, ErrorList("Fulfillment order " + std::to_string(*fo_id) +
                              " has an unfulfillable status= " + status + "."));
      return;
    }
    auto items = g.FindMember("fulfillment_order_line_items");
    if (items == g.MemberEnd() || (items->value.IsArray() && items->value.Empty())) {
      for (size_t i = 0; i < owner->lines.size(); ++i)
        if (owner->lines[i].quantity > owner->lines[i].shipped)
          quantities[i] = owner->lines[i].quantity - owner->lines[i].shipped;
      continue;
    }
    if (!items->value.IsArray()) {
      res.Json(400, FieldError("fulfillment_order_line_items", "must be an array"));
      return;
    }
    for (const rapidjson::Value& item : items->value.GetArray()) {
      auto id = JsonInt(item, "id");
      auto qty = JsonInt(item, "quantity");
      size_t index = owner->lines.size();
      for (size_t i = 0; id && i < owner->lines.size(); ++i)
        if (owner->lines[i].fo_line_id == *id) index = i;
      if (index == owner->lines.size()) {
        res.Json(422, ErrorList("Fulfillment order line item " +
                                (id ? std::to_string(*id) : std::string("(missing id)")) +
                                " does not belong to fulfillment order " + std::to_string(*fo_id) +
                                "."));
        return;
      }
      const Line& l = owner->lines[index];
      int64_t requested = (qty ? *qty : 0) + quantities[index];
      if (!qty || *qty < 1 || requested > l.quantity - l.shipped) {
        res.Json(422, ErrorList("Invalid fulfillment order line item quantity requested."));
        return;
      }
      quantities[index] = requested;
    }
  }
  if (quantities.empty()) {
    res.Json(422, ErrorList("Fulfillment order has no fulfillable line items."));
    return;
  }
  ShopifyFulfillment ful;
  ful.id = st.next_misc_id++;
  ful.created = world.NowSeconds();
  ful.name =
      "#" + std::to_string(order->number) + "." + std::to_string(order->fulfillments.size() + 1);
  auto info = f->value.FindMember("tracking_info");
  if (info != f->value.MemberEnd() && info->value.IsObject()) {
    ful.company = JsonString(info->value, "company").value_or("");
    ful.number = JsonString(info->value, "number").value_or("");
    if (ful.number.empty()) {
      auto numbers = info->value.FindMember("numbers");
      if (numbers != info->value.MemberEnd() && numbers->value.IsArray() &&
          !numbers->value.Empty() && numbers->value[0].IsString())
        ful.number = numbers->value[0].GetString();
    }
    ful.url = JsonString(info->value, "url").value_or("");
  }
  for (const auto& [index, qty] : quantities) {
    order->lines[index].shipped += qty;
    ful.lines.emplace_back(index, qty);
  }
  order->fulfillment_status = order->Shipped() >= order->Ordered() ? "fulfilled" : "partial";
  order->updated = std::max(order->updated, world.NowSeconds());
  order->fulfillments.push_back(ful);
  world.RecordTracking(st, *order, "fulfillment", ful.number, ful.company, req.body);
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("fulfillment");
  WriteFulfillment(w, st, *order, order->fulfillments.back());
  w.EndObject();
  res.Json(201, Done(sb));
}

void WriteProduct(Writer& w, const Store& st, size_t first, size_t last, const Fields& want) {
  const Product& head = st.products[first];
  w.StartObject();
  if (want("id")) KInt(w, "id", head.product_id);
  if (want("admin_graphql_api_id"))
    KStr(w, "admin_graphql_api_id", Gid("Product", head.product_id));
  if (want("title")) KStr(w, "title", head.title);
  if (want("handle")) KStr(w, "handle", Slug(head.title));
  if (want("vendor")) KStr(w, "vendor", st.name);
  if (want("product_type")) KStr(w, "product_type", head.extra ? "Misc" : "Apparel");
  if (want("status")) KStr(w, "status", "active");
  if (want("created_at")) KStr(w, "created_at", IsoOffset(1'767'225'600, st.offset_minutes));
  if (want("updated_at")) KStr(w, "updated_at", IsoOffset(1'767'225'600, st.offset_minutes));
  if (want("variants")) {
    w.Key("variants");
    w.StartArray();
    for (size_t i = first; i < last; ++i) {
      const Product& p = st.products[i];
      int64_t quantity = 0;
      for (const auto& [loc, level] : p.levels) quantity += level;
      w.StartObject();
      KInt(w, "id", p.variant_id);
      KInt(w, "product_id", p.product_id);
      KStr(w, "title", p.variant_title.empty() ? "Default Title" : p.variant_title);
      KStr(w, "sku", p.sku);
      KStr(w, "price", Money(p.price_cents));
      KInt(w, "position", static_cast<int64_t>(i - first + 1));
      KInt(w, "inventory_item_id", p.inventory_item_id);
      KStr(w, "inventory_management", "shopify");
      KInt(w, "inventory_quantity", quantity);
      KBool(w, "requires_shipping", p.sku.rfind("GIFT-CARD", 0) != 0);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
}

void ListProducts(Store& st, const Req& req, Resp& res) {
  Params filters;
  Cursor cursor;
  int limit = 50;
  if (!ResolvePaging(req, "p", &filters, &cursor, &limit, res)) return;
  std::optional<int64_t> since_id;
  std::set<int64_t> only;
  for (const auto& [k, v] : filters) {
    if (k == "since_id") {
      since_id = ToInt(v);
      if (!since_id) return res.Json(400, FieldError("since_id", "is invalid"));
    } else if (k == "ids") {
      for (const std::string& s : SplitComma(v))
        if (auto n = ToInt(s)) only.insert(*n);
    }
  }
  // products in id order; each spans consecutive entries with one product_id
  std::vector<std::pair<size_t, size_t>> groups;
  for (size_t i = 0; i < st.products.size();) {
    size_t j = i + 1;
    while (j < st.products.size() && st.products[j].product_id == st.products[i].product_id) ++j;
    int64_t id = st.products[i].product_id;
    if ((!since_id || id > *since_id) && (only.empty() || only.count(id)))
      groups.emplace_back(i, j);
    i = j;
  }
  std::sort(groups.begin(), groups.end(), [&](auto a, auto b) {
    return st.products[a.first].product_id < st.products[b.first].product_id;
  });
  std::vector<int64_t> ids;
  for (auto [a, b] : groups) ids.push_back(st.products[a].product_id);
  auto [begin, end] = Page(ids, /*descending=*/false, cursor, limit, filters, "p", req, res);
  Fields want(req.Param("fields"));
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("products");
  w.StartArray();
  for (size_t i = begin; i < end; ++i) WriteProduct(w, st, groups[i].first, groups[i].second, want);
  w.EndArray();
  w.EndObject();
  res.Json(200, Done(sb));
}

void WriteLevel(Writer& w, const Store& st, const Product& p, int64_t location_id,
                int64_t updated) {
  w.StartObject();
  KInt(w, "inventory_item_id", p.inventory_item_id);
  KInt(w, "location_id", location_id);
  KInt(w, "available", p.levels.at(location_id));
  KStr(w, "updated_at", IsoOffset(updated, st.offset_minutes));
  KStr(w, "admin_graphql_api_id",
       "gid://shopify/InventoryLevel/" + std::to_string(location_id) +
           "?inventory_item_id=" + std::to_string(p.inventory_item_id));
  w.EndObject();
}

void SetInventoryLevel(World& world, Store& st, const Req& req, Resp& res) {
  rapidjson::Document doc;
  doc.Parse(req.body.c_str(), req.body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    res.Json(400, Errors("body is not valid JSON"));
    return;
  }
  auto location_id = JsonInt(doc, "location_id");
  auto item_id = JsonInt(doc, "inventory_item_id");
  auto available = JsonInt(doc, "available");
  if (!location_id)
    return res.Json(400, FieldError("location_id", "Required parameter missing or invalid"));
  if (!item_id)
    return res.Json(400, FieldError("inventory_item_id", "Required parameter missing or invalid"));
  if (!available)
    return res.Json(400, FieldError("available", "Required parameter missing or invalid"));
  Product* p = st.FindInventoryItem(*item_id);
  bool location_known = std::any_of(st.locations.begin(), st.locations.end(),
                                    [&](const Location& l) { return l.id == *location_id; });
  if (p == nullptr || !location_known) return NotFound(res);
  p->levels[*location_id] = *available;
  world.RecordInventory(st, std::to_string(*location_id), p->sku, std::to_string(*item_id),
                        *available);
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("inventory_level");
  WriteLevel(w, st, *p, *location_id, world.NowSeconds());
  w.EndObject();
  res.Json(200, Done(sb));
}

void ListInventoryLevels(World& world, Store& st, const Req& req, Resp& res) {
  std::set<int64_t> items, locations;
  for (const std::string& s : SplitComma(req.ParamOr("inventory_item_ids")))
    if (auto n = ToInt(s)) items.insert(*n);
  for (const std::string& s : SplitComma(req.ParamOr("location_ids")))
    if (auto n = ToInt(s)) locations.insert(*n);
  if (items.empty() && locations.empty()) {
    res.Json(422, Errors("inventory_item_ids or location_ids must be present"));
    return;
  }
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  w.Key("inventory_levels");
  w.StartArray();
  for (const Product& p : st.products) {
    if (!items.empty() && !items.count(p.inventory_item_id)) continue;
    for (const auto& [loc, level] : p.levels)
      if (locations.empty() || locations.count(loc)) WriteLevel(w, st, p, loc, world.NowSeconds());
  }
  w.EndArray();
  w.EndObject();
  res.Json(200, Done(sb));
}

}  // namespace

void HandleShopify(World& world, Store& st, const Req& req, Resp& res) {
  if (HandleShopifyGraphql(world, st, req, res)) return;  // the GraphQL API and its token grant
  std::vector<std::string> seg = SplitPath(req.path);
  if (seg.size() < 4 || seg[0] != "admin" || seg[1] != "api" || !ValidVersion(seg[2]))
    return NotFound(res);
  seg.erase(seg.begin(), seg.begin() + 3);
  const bool get = req.method == "GET", post = req.method == "POST";
  rapidjson::StringBuffer sb;
  Writer w(sb);

  if (seg.size() == 1 && seg[0] == "orders.json" && get) return ListOrders(st, req, res, false);
  if (seg.size() == 2 && seg[0] == "orders" && seg[1] == "count.json" && get)
    return ListOrders(st, req, res, true);
  if (seg.size() == 2 && seg[0] == "orders" && get) {
    auto id = JsonId(seg[1]);
    Order* o = id ? st.FindOrder(*id) : nullptr;
    if (o == nullptr) return NotFound(res);
    w.StartObject();
    w.Key("order");
    WriteOrder(w, st, *o, Fields(req.Param("fields")));
    w.EndObject();
    return res.Json(200, Done(sb));
  }
  if (seg.size() == 3 && seg[0] == "orders" && get &&
      (seg[2] == "fulfillment_orders.json" || seg[2] == "fulfillments.json")) {
    auto id = IsDigits(seg[1]) ? ToInt(seg[1]) : std::nullopt;
    Order* o = id ? st.FindOrder(*id) : nullptr;
    if (o == nullptr) return NotFound(res);
    w.StartObject();
    if (seg[2] == "fulfillment_orders.json") {
      w.Key("fulfillment_orders");
      w.StartArray();
      WriteFulfillmentOrder(w, st, *o);
      w.EndArray();
    } else {
      w.Key("fulfillments");
      w.StartArray();
      for (const ShopifyFulfillment& f : o->fulfillments) WriteFulfillment(w, st, *o, f);
      w.EndArray();
    }
    w.EndObject();
    return res.Json(200, Done(sb));
  }
  if (seg.size() == 1 && seg[0] == "fulfillments.json" && post)
    return CreateFulfillment(world, st, req, res);
  if (seg.size() == 1 && seg[0] == "products.json" && get) return ListProducts(st, req, res);
  if (seg.size() == 1 && seg[0] == "locations.json" && get) {
    w.StartObject();
    w.Key("locations");
    w.StartArray();
    for (const Location& l : st.locations) {
      w.StartObject();
      KInt(w, "id", l.id);
      KStr(w, "name", l.name);
      KStr(w, "address1", l.address1);
      KStr(w, "city", l.city);
      KStr(w, "province_code", l.region);
      KStr(w, "zip", l.postal);
      KStr(w, "country_code", l.country);
      KBool(w, "active", true);
      KBool(w, "legacy", false);
      KStr(w, "admin_graphql_api_id", Gid("Location", l.id));
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return res.Json(200, Done(sb));
  }
  if (seg.size() == 1 && seg[0] == "shop.json" && get) {
    w.StartObject();
    w.Key("shop");
    w.StartObject();
    KInt(w, "id", 1);
    KStr(w, "name", st.name);
    KStr(w, "myshopify_domain", st.name + ".myshopify.com");
    KStr(w, "domain", st.name + ".myshopify.com");
    KInt(w, "primary_location_id", st.locations.front().id);
    KStr(w, "currency", "USD");
    KStr(w, "iana_timezone", st.offset_minutes == -300 ? "America/New_York" : "Etc/UTC");
    w.EndObject();
    w.EndObject();
    return res.Json(200, Done(sb));
  }
  if (seg.size() == 2 && seg[0] == "inventory_levels" && seg[1] == "set.json" && post)
    return SetInventoryLevel(world, st, req, res);
  if (seg.size() == 1 && seg[0] == "inventory_levels.json" && get)
    return ListInventoryLevels(world, st, req, res);
  NotFound(res);
}

}  // namespace cartsync::sim::detail

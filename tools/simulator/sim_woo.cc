// WooCommerce REST v3 subset (platforms.md): orders with page/per_page and
// X-WP-Total headers, order notes, status updates, products with stock and
// the batch endpoint, and the Shipment Tracking extension.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>
#include <utility>
#include <vector>

#include "tools/simulator/sim_internal.h"

namespace cartsync::sim::detail {
namespace {

std::string WooError(std::string_view code, std::string_view message, int status) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  KStr(w, "code", code);
  KStr(w, "message", message);
  w.Key("data");
  w.StartObject();
  KInt(w, "status", status);
  w.EndObject();
  w.EndObject();
  return Done(sb);
}

void InvalidParam(Resp& res, std::string_view param, std::string_view why) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  KStr(w, "code", "rest_invalid_param");
  KStr(w, "message", "Invalid parameter(s): " + std::string(param));
  w.Key("data");
  w.StartObject();
  KInt(w, "status", 400);
  w.Key("params");
  w.StartObject();
  w.Key(param.data(), static_cast<rapidjson::SizeType>(param.size()));
  Str(w, why);
  w.EndObject();
  w.EndObject();
  w.EndObject();
  res.Json(400, Done(sb));
}

void NoRoute(Resp& res) {
  res.Json(404, WooError("rest_no_route", "No route was found matching the URL and request method.",
                         404));
}

void InvalidOrder(Resp& res) {
  res.Json(404, WooError("woocommerce_rest_shop_order_invalid_id", "Invalid ID.", 404));
}

void InvalidProduct(Resp& res) {
  res.Json(404, WooError("woocommerce_rest_product_invalid_id", "Invalid ID.", 404));
}

bool Editing(const std::string& method) {
  return method == "PUT" || method == "POST" || method == "PATCH";
}

void WriteAddress(Writer& w, const Addr& a, const std::string* email) {
  w.StartObject();
  KStr(w, "first_name", a.first);
  KStr(w, "last_name", a.last);
  KStr(w, "company", a.company);
  KStr(w, "address_1", a.address1);
  KStr(w, "address_2", a.address2);
  KStr(w, "city", a.city);
  KStr(w, "state", a.region_code);
  KStr(w, "postcode", a.postal);
  KStr(w, "country", a.country_code);
  if (email) KStr(w, "email", *email);
  KStr(w, "phone", a.phone);
  w.EndObject();
}

/// `dp`: GET orders' "Number of decimal points to use in each resource"
/// (default 2, whatever the currency: a KWD amount loses its third decimal).
void WriteOrder(Writer& w, const Store& st, const Order& o, int dp = 2) {
  const int off = st.offset_minutes;
  const int64_t subtotal = o.SubtotalCents();
  const int cur = CurrencyDecimals(st.seed.currency);  // price_cents are its minor units
  const auto money = [&](int64_t minor) { return Amount(minor, cur, dp); };
  w.StartObject();
  KInt(w, "id", o.id);
  KInt(w, "parent_id", 0);
  KStr(w, "number", std::to_string(o.number));
  KStr(w, "order_key", o.woo_order_key);
  KStr(w, "created_via", "checkout");
  KStr(w, "version", "9.4.2");
  KStr(w, "status", o.status);
  KStr(w, "currency", st.seed.currency);
  KStr(w, "date_created", IsoLocal(o.created, off));
  KStr(w, "date_created_gmt", IsoLocal(o.created, 0));
  KStr(w, "date_modified", IsoLocal(o.updated, off));
  KStr(w, "date_modified_gmt", IsoLocal(o.updated, 0));
  KStr(w, "discount_total", money(0));
  KStr(w, "discount_tax", money(0));
  KStr(w, "shipping_total", money(o.shipping_cents));
  KStr(w, "shipping_tax", money(0));
  KStr(w, "cart_tax", money(0));
  KStr(w, "total", money(subtotal + o.shipping_cents));
  KStr(w, "total_tax", money(0));
  KBool(w, "prices_include_tax", false);
  KInt(w, "customer_id", o.customer_id);
  KStr(w, "customer_note", "");
  w.Key("billing");
  WriteAddress(w, o.ship, &o.email);
  w.Key("shipping");
  WriteAddress(w, o.ship, nullptr);
  KStr(w, "payment_method", "stripe");
  KStr(w, "payment_method_title", "Credit card");
  bool paid = o.status != "pending" && o.status != "failed" && o.status != "on-hold";
  KStrOrNull(w, "date_paid", paid ? IsoLocal(o.created + 60, off) : "");
  KStrOrNull(w, "date_paid_gmt", paid ? IsoLocal(o.created + 60, 0) : "");
  KStrOrNull(w, "date_completed", o.status == "completed" ? IsoLocal(o.updated, off) : "");
  KStrOrNull(w, "date_completed_gmt", o.status == "completed" ? IsoLocal(o.updated, 0) : "");
  w.Key("line_items");
  w.StartArray();
  for (const Line& l : o.lines) {
    const Product& p = st.products[l.product];
    w.StartObject();
    KInt(w, "id", l.id);
    KStr(w, "name", l.title);
    KInt(w, "product_id", p.product_id);
    KInt(w, "variation_id", 0);
    KInt(w, "quantity", l.quantity);
    KStr(w, "tax_class", "");
    KStr(w, "subtotal", money(l.price_cents * l.quantity));
    KStr(w, "subtotal_tax", money(0));
    KStr(w, "total", money(l.price_cents * l.quantity));
    KStr(w, "total_tax", money(0));
    KStr(w, "sku", l.sku);
    w.Key("price");  // a JSON number, as WooCommerce sends it
    w.Double(static_cast<double>(l.price_cents) / std::pow(10.0, cur));
    w.Key("meta_data");
    w.StartArray();
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key("shipping_lines");
  w.StartArray();
  if (o.has_shipping) {
    w.StartObject();
    KInt(w, "id", o.lines.empty() ? o.id : o.lines.back().id + 1'000'000);
    KStr(w, "method_title", o.ship_code);
    KStr(w, "method_id", o.ship_code_id);
    KStr(w, "instance_id", "1");
    KStr(w, "total", money(o.shipping_cents));
    KStr(w, "total_tax", money(0));
    w.EndObject();
  }
  w.EndArray();
  w.Key("meta_data");
  w.StartArray();
  w.EndArray();
  w.EndObject();
}

void WriteProduct(Writer& w, const Store& st, const Product& p) {
  w.StartObject();
  KInt(w, "id", p.product_id);
  KStr(w, "name", p.title);
  std::string slug = Slug(p.title);
  std::replace(slug.begin(), slug.end(), '_', '-');
  KStr(w, "slug", slug);
  KStr(w, "permalink", "https://" + st.name + ".example/product/" + slug);
  KStr(w, "type", "simple");
  KStr(w, "status", "publish");
  KStr(w, "sku", p.sku);
  KStr(w, "price", Money(p.price_cents));
  KStr(w, "regular_price", Money(p.price_cents));
  KStr(w, "sale_price", "");
  KBool(w, "manage_stock", true);
  KInt(w, "stock_quantity", p.stock);
  KStr(w, "stock_status", p.stock > 0 ? "instock" : "outofstock");
  w.Key("variations");
  w.StartArray();
  w.EndArray();
  w.EndObject();
}

/// Page/per_page with the X-WP-* headers and Link. False: `res` is set.
bool Paging(const Req& req, int64_t total, int64_t* page, int64_t* per_page, Resp& res) {
  *page = 1;
  *per_page = 10;
  if (const std::string* v = req.Param("per_page")) {
    auto n = ToInt(*v);
    if (!n || *n < 1 || *n > 100) {
      InvalidParam(res, "per_page", "per_page must be between 1 (inclusive) and 100 (inclusive)");
      return false;
    }
    *per_page = *n;
  }
  if (const std::string* v = req.Param("page")) {
    auto n = ToInt(*v);
    if (!n || *n < 1) {
      InvalidParam(res, "page", "page must be greater than or equal to 1");
      return false;
    }
    *page = *n;
  }
  int64_t pages = (total + *per_page - 1) / *per_page;
  res.Header("X-WP-Total", std::to_string(total));
  res.Header("X-WP-TotalPages", std::to_string(pages));
  auto url = [&](int64_t p) {
    std::string q;
    for (const auto& [k, v] : req.query) {
      if (k == "page") continue;
      q += (q.empty() ? "" : "&") + UrlEncode(k) + "=" + UrlEncode(v);
    }
    q += (q.empty() ? "" : "&") + std::string("page=") + std::to_string(p);
    return "<" + req.store_base + req.path + "?" + q + ">";
  };
  std::string link;
  if (*page > 1 && *page <= pages + 1) link += url(*page - 1) + "; rel=\"prev\"";
  if (*page < pages) link += (link.empty() ? "" : ", ") + url(*page + 1) + "; rel=\"next\"";
  if (!link.empty()) res.Header("Link", link);
  return true;
}

/// The "shift_rate" fault: a merchant completing or editing open orders while
/// a connector pages through them.
void ShiftOrders(World& world, Store& st) {
  if (world.faults == nullptr || !st.rng.Chance(world.faults->shift_rate)) return;
  std::vector<Order*> open;
  for (Order& o : st.orders)
    if (o.status == "pending" || o.status == "processing" || o.status == "on-hold")
      open.push_back(&o);
  for (int i = 0; i < world.faults->shift_orders && !open.empty(); ++i) {
    size_t pick = static_cast<size_t>(st.rng.Range(0, static_cast<int64_t>(open.size()) - 1));
    Order& o = *open[pick];
    open.erase(open.begin() + static_cast<std::ptrdiff_t>(pick));
    if (st.rng.Chance(0.5)) o.status = "completed";
    o.updated = std::max(o.updated + 1, world.NowSeconds());
  }
}

void ListOrders(Store& st, const Req& req, Resp& res) {
  std::set<std::string> statuses;
  if (const std::string* v = req.Param("status")) {
    for (const std::string& s : SplitComma(*v)) {
      if (s == "any") {
        statuses.clear();
        break;
      }
      if (!IsWooStatus(s))
        return InvalidParam(res, "status",
                            "status is not one of pending, processing, on-hold, completed, "
                            "cancelled, refunded, failed, trash, any.");
      statuses.insert(s);
    }
  }
  const bool gmt = req.ParamOr("dates_are_gmt") == "true" || req.ParamOr("dates_are_gmt") == "1";
  std::optional<int64_t> after, before, modified_after, modified_before;
  for (const char* name : {"after", "before", "modified_after", "modified_before"}) {
    const std::string* v = req.Param(name);
    if (!v) continue;
    int64_t t = 0;
    if (!ParseIso(*v, &t, gmt ? 0 : st.offset_minutes))
      return InvalidParam(res, name, "Invalid date.");
    std::string_view n = name;
    (n == "after"            ? after
     : n == "before"         ? before
     : n == "modified_after" ? modified_after
                             : modified_before) = t;
  }
  std::set<int64_t> include;
  for (const std::string& s : SplitComma(req.ParamOr("include")))
    if (auto n = ToInt(s)) include.insert(*n);
  std::string orderby = req.ParamOr("orderby", "date");
  std::string order = req.ParamOr("order", "desc");
  if (orderby != "date" && orderby != "id" && orderby != "modified" && orderby != "include" &&
      orderby != "title" && orderby != "slug")
    return InvalidParam(res, "orderby",
                        "orderby is not one of date, id, include, title, slug, modified.");
  if (order != "asc" && order != "desc")
    return InvalidParam(res, "order", "order is not one of asc, desc.");

  std::vector<const Order*> matches;
  for (const Order& o : st.orders) {
    if (!statuses.empty() ? !statuses.count(o.status) : o.status == "trash") continue;
    if (after && o.created <= *after) continue;
    if (before && o.created >= *before) continue;
    if (modified_after && o.updated <= *modified_after) continue;
    if (modified_before && o.updated >= *modified_before) continue;
    if (!include.empty() && !include.count(o.id)) continue;
    matches.push_back(&o);
  }
  auto key = [&](const Order* o) {
    return orderby == "date" ? o->created : orderby == "modified" ? o->updated : o->id;
  };
  std::stable_sort(matches.begin(), matches.end(), [&](const Order* a, const Order* b) {
    int64_t ka = key(a), kb = key(b);
    if (ka != kb) return order == "asc" ? ka < kb : ka > kb;
    return order == "asc" ? a->id < b->id : a->id > b->id;
  });
  int64_t page = 1, per_page = 10;
  if (!Paging(req, static_cast<int64_t>(matches.size()), &page, &per_page, res)) return;
  int dp = 2;  // dp: 0..10 here (WooCommerce takes any absint)
  if (const std::string* v = req.Param("dp"); v && !v->empty() && v->size() <= 2 && IsDigits(*v))
    dp = std::min(10, std::stoi(*v));
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartArray();
  for (int64_t i = (page - 1) * per_page;
       i < page * per_page && i < static_cast<int64_t>(matches.size()); ++i)
    WriteOrder(w, st, *matches[static_cast<size_t>(i)], dp);
  w.EndArray();
  res.Json(200, Done(sb));
}

void UpdateOrder(World& world, Store& st, Order& o, const Req& req, Resp& res) {
  rapidjson::Document doc;
  doc.Parse(req.body.c_str(), req.body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    res.Json(400, WooError("rest_invalid_json", "Invalid JSON body passed.", 400));
    return;
  }
  if (auto status = JsonString(doc, "status")) {
    std::string s = *status;
    if (s.rfind("wc-", 0) == 0) s = s.substr(3);
    if (!IsWooStatus(s))
      return InvalidParam(res, "status",
                          "status is not one of pending, processing, on-hold, completed, "
                          "cancelled, refunded, failed, trash.");
    if (s != o.status) {
      world.RecordStatus(st, o, o.status, s);
      o.status = s;
    }
    o.updated = std::max(o.updated, world.NowSeconds());
  }
  rapidjson::StringBuffer sb;
  Writer w(sb);
  WriteOrder(w, st, o);
  res.Json(200, Done(sb));
}

void WriteNote(Writer& w, const Store& st, const WooNote& n) {
  w.StartObject();
  KInt(w, "id", n.id);
  KStr(w, "author", "WooCommerce");
  KStr(w, "date_created", IsoLocal(n.created, st.offset_minutes));
  KStr(w, "date_created_gmt", IsoLocal(n.created, 0));
  KStr(w, "note", n.note);
  KBool(w, "customer_note", n.customer_note);
  w.EndObject();
}

void Notes(World& world, Store& st, Order& o, const Req& req, Resp& res) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  if (req.method == "GET") {
    w.StartArray();
    for (auto it = o.notes.rbegin(); it != o.notes.rend(); ++it) WriteNote(w, st, *it);
    w.EndArray();
    return res.Json(200, Done(sb));
  }
  rapidjson::Document doc;
  doc.Parse(req.body.c_str(), req.body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    res.Json(400, WooError("rest_invalid_json", "Invalid JSON body passed.", 400));
    return;
  }
  auto note = JsonString(doc, "note");
  if (!note || note->empty()) {
    res.Json(400, WooError("rest_missing_callback_param", "Missing parameter(s): note", 400));
    return;
  }
  WooNote n;
  n.id = st.next_misc_id++;
  n.created = world.NowSeconds();
  n.note = *note;
  auto cn = std::as_const(doc).FindMember("customer_note");
  n.customer_note =
      cn != std::as_const(doc).MemberEnd() && cn->value.IsBool() && cn->value.GetBool();
  o.notes.push_back(n);
  world.RecordTracking(st, o, "order_note", world.FindIssuedTracking(n.note), "", req.body);
  WriteNote(w, st, n);
  res.Json(201, Done(sb));
}

std::string TrackingLink(const std::string& provider, const std::string& number) {
  std::string p;
  for (char c : provider)
    p.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (p.find("ups") != std::string::npos) return "https://www.ups.com/track?tracknum=" + number;
  if (p.find("usps") != std::string::npos)
    return "https://tools.usps.com/go/TrackConfirmAction?tLabels=" + number;
  if (p.find("fedex") != std::string::npos)
    return "https://www.fedex.com/fedextrack/?trknbr=" + number;
  if (p.find("dhl") != std::string::npos)
    return "https://www.dhl.com/en/express/tracking.html?AWB=" + number;
  return "";
}

// The providers the Shipment Tracking extension knows (a part of its list),
// by country, each with its tracking URL template, as GET
// …/shipment-trackings/providers answers them.
const std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>>&
Providers() {
  static const std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>>
      kProviders = {
          {"Australia",
           {{"Australia Post", "https://auspost.com.au/mypost/track/#/details/%1$s"},
            {"Fastway Couriers", "https://www.fastway.com.au/tools/track/?l=%1$s"}}},
          {"Canada",
           {{"Canada Post",
             "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor=%1$s"}}},
          {"Germany",
           {{"DHL Intraship (DE)",
             "https://nolp.dhl.de/nextt-online-public/set_identcodes.do?lang=de&idc=%1$s"},
            {"Hermes",
             "https://www.myhermes.de/empfangen/sendungsverfolgung/sendungsinformation/#%1$s"}}},
          {"United Kingdom",
           {{"DPD", "https://www.dpd.co.uk/apps/tracking/?reference=%1$s"},
            {"Royal Mail", "https://www.royalmail.com/track-your-item#/tracking-results/%1$s"}}},
          {"United States",
           {{"Fedex", "https://www.fedex.com/apps/fedextrack/?action=track&tracknumbers=%1$s"},
            {"OnTrac", "https://www.ontrac.com/tracking/?number=%1$s"},
            {"UPS", "https://www.ups.com/track?loc=en_US&tracknum=%1$s"},
            {"USPS", "https://tools.usps.com/go/TrackConfirmAction_input?qtc_tLabels1=%1$s"},
            {"DHL US",
             "https://www.logistics.dhl/us-en/home/tracking/"
             "tracking-ecommerce.html?tracking-id=%1$s"}}},
      };
  return kProviders;
}

// sanitize_title, as the extension compares provider names.
std::string ProviderSlug(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    else if (!out.empty() && out.back() != '-')
      out.push_back('-');
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

bool KnownProvider(const std::string& name) {
  const std::string slug = ProviderSlug(name);
  for (const auto& [country, list] : Providers())
    for (const auto& [provider, url] : list)
      if (ProviderSlug(provider) == slug) return !slug.empty();
  return false;
}

void ListProviders(Resp& res) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  for (const auto& [country, list] : Providers()) {
    w.Key(country.c_str());
    w.StartObject();
    for (const auto& [provider, url] : list) KStr(w, provider.c_str(), url);
    w.EndObject();
  }
  w.EndObject();
  res.Json(200, Done(sb));
}

void WriteTracking(Writer& w, const WooTracking& t) {
  w.StartObject();
  KStr(w, "tracking_id", t.tracking_id);
  KStr(w, "tracking_provider", t.provider);
  KStr(w, "custom_tracking_provider", t.custom_provider);
  KStr(w, "custom_tracking_link", t.link);
  KStr(w, "tracking_link", t.link.empty() ? TrackingLink(t.provider, t.number) : t.link);
  KStr(w, "tracking_number", t.number);
  KStr(w, "date_shipped", t.date_shipped);
  w.EndObject();
}

void Trackings(World& world, Store& st, Order& o, const Req& req, Resp& res) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  if (req.method == "GET") {
    w.StartArray();
    for (const WooTracking& t : o.trackings) WriteTracking(w, t);
    w.EndArray();
    return res.Json(200, Done(sb));
  }
  rapidjson::Document doc;
  doc.Parse(req.body.c_str(), req.body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    res.Json(400, WooError("rest_invalid_json", "Invalid JSON body passed.", 400));
    return;
  }
  WooTracking t;
  t.number = JsonString(doc, "tracking_number").value_or("");
  if (t.number.empty()) {
    res.Json(400,
             WooError("rest_missing_callback_param", "Missing parameter(s): tracking_number", 400));
    return;
  }
  t.provider = JsonString(doc, "tracking_provider").value_or("");
  t.custom_provider = JsonString(doc, "custom_tracking_provider").value_or("");
  // A predefined provider must be one the store knows; anything else goes
  // as custom_tracking_provider (+ custom_tracking_link).
  if (t.custom_provider.empty() && !KnownProvider(t.provider))
    return InvalidParam(res, "tracking_provider",
                        t.provider.empty()
                            ? "tracking_provider or custom_tracking_provider is required."
                            : "tracking_provider is not a provider this store knows; "
                              "send custom_tracking_provider instead.");
  t.link = JsonString(doc, "custom_tracking_link").value_or("");
  t.date_shipped = JsonString(doc, "date_shipped").value_or("");
  if (t.date_shipped.empty()) t.date_shipped = IsoUtc(world.NowSeconds()).substr(0, 10);
  char id[40];
  std::snprintf(
      id, sizeof id, "%016llx%016llx",
      static_cast<unsigned long long>(HashString(std::to_string(o.id) + "/" + t.number, 1)),
      static_cast<unsigned long long>(HashString(std::to_string(o.trackings.size()), 2)));
  t.tracking_id = id;
  o.trackings.push_back(t);
  world.RecordTracking(st, o, "shipment_tracking", t.number,
                       t.provider.empty() ? t.custom_provider : t.provider, req.body);
  WriteTracking(w, t);
  res.Json(201, Done(sb));
}

/// Sets a product's stock from an update item; the error code on failure.
std::string ApplyStock(World& world, Store& st, const rapidjson::Value& item, Product** out) {
  auto id = JsonInt(item, "id");
  Product* p = id ? st.FindProduct(*id) : nullptr;
  if (p == nullptr) return "woocommerce_rest_product_invalid_id";
  *out = p;
  if (item.IsObject() && item.HasMember("stock_quantity")) {
    auto qty = JsonInt(item, "stock_quantity");
    if (!qty) return "rest_invalid_param";
    p->stock = *qty;
    world.RecordInventory(st, "", p->sku, std::to_string(p->product_id), *qty);
  }
  return "";
}

void Batch(World& world, Store& st, const Req& req, Resp& res) {
  rapidjson::Document doc;
  doc.Parse(req.body.c_str(), req.body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    res.Json(400, WooError("rest_invalid_json", "Invalid JSON body passed.", 400));
    return;
  }
  size_t total = 0;
  for (const char* part : {"create", "update", "delete"}) {
    auto it = std::as_const(doc).FindMember(part);
    if (it != std::as_const(doc).MemberEnd() && it->value.IsArray()) total += it->value.Size();
  }
  if (total > 100) {
    res.Json(413, WooError("woocommerce_rest_request_entity_too_large",
                           "Unable to accept more than 100 items for this request.", 413));
    return;
  }
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  auto item_error = [&](int64_t id, const std::string& code) {
    w.StartObject();
    KInt(w, "id", id);
    w.Key("error");
    w.StartObject();
    KStr(w, "code", code);
    KStr(w, "message",
         code == "rest_invalid_param"                    ? "Invalid parameter(s): stock_quantity"
         : code == "woocommerce_rest_product_invalid_id" ? "Invalid ID."
                                                         : "Not supported by the simulator.");
    w.Key("data");
    w.StartObject();
    KInt(w, "status", 400);
    w.EndObject();
    w.EndObject();
    w.EndObject();
  };
  for (const char* part : {"create", "update", "delete"}) {
    auto it = std::as_const(doc).FindMember(part);
    if (it == std::as_const(doc).MemberEnd() || !it->value.IsArray()) continue;
    w.Key(part);
    w.StartArray();
    for (const rapidjson::Value& item : it->value.GetArray()) {
      const int64_t id = item.IsObject() ? JsonInt(item, "id").value_or(0) : 0;
      if (std::string_view(part) != "update") {
        item_error(id, "woocommerce_rest_simulator_unsupported");
        continue;
      }
      Product* p = nullptr;
      std::string error = ApplyStock(world, st, item, &p);
      if (!error.empty())
        item_error(id, error);
      else
        WriteProduct(w, st, *p);
    }
    w.EndArray();
  }
  w.EndObject();
  res.Json(200, Done(sb));
}

void ListProducts(Store& st, const Req& req, Resp& res) {
  std::set<std::string> skus;
  for (const std::string& s : SplitComma(req.ParamOr("sku"))) skus.insert(s);
  std::set<int64_t> include;
  for (const std::string& s : SplitComma(req.ParamOr("include")))
    if (auto n = ToInt(s)) include.insert(*n);
  std::vector<const Product*> matches;
  for (const Product& p : st.products)
    if ((skus.empty() || skus.count(p.sku)) && (include.empty() || include.count(p.product_id)))
      matches.push_back(&p);
  int64_t page = 1, per_page = 10;
  if (!Paging(req, static_cast<int64_t>(matches.size()), &page, &per_page, res)) return;
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartArray();
  for (int64_t i = (page - 1) * per_page;
       i < page * per_page && i < static_cast<int64_t>(matches.size()); ++i)
    WriteProduct(w, st, *matches[static_cast<size_t>(i)]);
  w.EndArray();
  res.Json(200, Done(sb));
}

}  // namespace

void HandleWoo(World& world, Store& st, const Req& req, Resp& res) {
  std::vector<std::string> seg = SplitPath(req.path);
  const bool get = req.method == "GET";
  rapidjson::StringBuffer sb;
  Writer w(sb);
  if (seg.size() == 1 && seg[0] == "wp-json" && get) {
    // The WordPress REST index (WP_REST_Server::get_index): the site's zone
    // as timezone_string ("" for a UTC or manual-offset site) and
    // gmt_offset in hours.
    w.StartObject();
    KStr(w, "name", st.name);
    KStr(w, "url", "https://" + st.name + ".example");
    w.Key("gmt_offset");
    w.Int64(st.offset_minutes / 60);
    KStr(w, "timezone_string", st.seed.time_zone == "UTC" ? "" : st.seed.time_zone);
    w.Key("namespaces");
    w.StartArray();
    w.String("wc/v3");
    w.EndArray();
    w.EndObject();
    return res.Json(200, Done(sb));
  }
  if (seg.size() < 3 || seg[0] != "wp-json") return NoRoute(res);

  if (seg[1] == "wc-shipment-tracking" && seg[2] == "v3") {
    // /wp-json/wc-shipment-tracking/v3/orders/{id}/shipment-trackings[/providers]
    if (st.seed.shipment_tracking && seg.size() == 7 && seg[3] == "orders" &&
        seg[5] == "shipment-trackings" && seg[6] == "providers" && get)
      return ListProviders(res);
    if (!st.seed.shipment_tracking || seg.size() != 6 || seg[3] != "orders" ||
        seg[5] != "shipment-trackings" || (!get && req.method != "POST"))
      return NoRoute(res);
    auto id = IsDigits(seg[4]) ? ToInt(seg[4]) : std::nullopt;
    Order* o = id ? st.FindOrder(*id) : nullptr;
    if (o == nullptr) return InvalidOrder(res);
    return Trackings(world, st, *o, req, res);
  }
  if (seg[1] != "wc" || seg[2] != "v3") return NoRoute(res);
  seg.erase(seg.begin(), seg.begin() + 3);
  if (seg.empty()) return NoRoute(res);

  if (seg[0] == "orders") {
    if (seg.size() == 1 && get) {
      ShiftOrders(world, st);
      return ListOrders(st, req, res);
    }
    if (seg.size() < 2 || !IsDigits(seg[1])) return NoRoute(res);
    Order* o = st.FindOrder(*ToInt(seg[1]));
    if (seg.size() == 2 && (get || Editing(req.method))) {
      if (o == nullptr) return InvalidOrder(res);
      if (!get) return UpdateOrder(world, st, *o, req, res);
      WriteOrder(w, st, *o);
      return res.Json(200, Done(sb));
    }
    if (seg.size() == 3 && seg[2] == "notes" && (get || req.method == "POST")) {
      if (o == nullptr) return InvalidOrder(res);
      return Notes(world, st, *o, req, res);
    }
    return NoRoute(res);
  }
  if (seg[0] == "products") {
    if (seg.size() == 1 && get) return ListProducts(st, req, res);
    if (seg.size() == 2 && seg[1] == "batch" && Editing(req.method))
      return Batch(world, st, req, res);
    if (seg.size() >= 2 && IsDigits(seg[1])) {
      Product* p = st.FindProduct(*ToInt(seg[1]));
      if (seg.size() == 2 && (get || Editing(req.method))) {
        if (p == nullptr) return InvalidProduct(res);
        if (!get) {
          rapidjson::Document doc;
          doc.Parse(req.body.c_str(), req.body.size());
          if (doc.HasParseError() || !doc.IsObject()) {
            res.Json(400, WooError("rest_invalid_json", "Invalid JSON body passed.", 400));
            return;
          }
          doc.RemoveMember("id");
          doc.AddMember("id", rapidjson::Value(p->product_id), doc.GetAllocator());
          Product* updated = nullptr;
          std::string error = ApplyStock(world, st, doc, &updated);
          if (!error.empty())
            return InvalidParam(res, "stock_quantity", "stock_quantity is not of type integer.");
        }
        WriteProduct(w, st, *p);
        return res.Json(200, Done(sb));
      }
      if (seg.size() == 3 && seg[2] == "variations" && get) {
        if (p == nullptr) return InvalidProduct(res);
        res.Header("X-WP-Total", "0");
        res.Header("X-WP-TotalPages", "0");
        return res.Json(200, "[]");
      }
    }
    return NoRoute(res);
  }
  NoRoute(res);
}

}  // namespace cartsync::sim::detail

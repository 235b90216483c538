// BigCommerce over HttpClient (which owns retries, 429 and the pacing that
// X-Rate-Limit-* headers ask for). This file speaks the v2/v3 wire formats
// and turns answers into orders, statuses and per-SKU errors. The access
// token is resolved for each request, lives only in that request's
// X-Auth-Token header, and is scrubbed from any answer text before it can
// reach a message.
#include "runtime/carts/bigcommerce_cart.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "base/money.h"
#include "runtime/carts/connector_util.h"
#include "runtime/carts/order_money.h"

namespace cartsync {
namespace bigcommerce {

namespace {
// platforms.md: the v2 order status ids.
constexpr std::string_view kStatusNames[] = {"Incomplete",
                                             "Pending",
                                             "Shipped",
                                             "Partially Shipped",
                                             "Refunded",
                                             "Cancelled",
                                             "Declined",
                                             "Awaiting Payment",
                                             "Awaiting Pickup",
                                             "Awaiting Shipment",
                                             "Completed",
                                             "Awaiting Fulfillment",
                                             "Manual Verification Required",
                                             "Disputed",
                                             "Partially Refunded"};
}  // namespace

int StatusId(std::string_view name) {
  for (size_t i = 0; i < std::size(kStatusNames); ++i) {
    if (kStatusNames[i] == name) return static_cast<int>(i);
  }
  return -1;
}

std::string FormatRfc2822(int64_t unix_seconds) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::string ToIsoUtc(std::string_view text) { return connector_util::ToIsoUtc(text); }

}  // namespace bigcommerce

namespace {

using rapidjson::Value;

constexpr int kPageLimit = 250;             // the v2 maximum `limit`
constexpr int kMaxOrderPages = 4'000;       // 1,000,000 orders per status and fetch
constexpr int kMaxSubPages = 100;           // products / shipments of one order
constexpr size_t kAdjustmentChunk = 2'000;  // the inventory API's item limit
constexpr int kAdjustmentRounds = 3;        // resends after a 422 that names some items
constexpr size_t kMaxTrackingNumber = 50;   // shipments: tracking_number maxLength
constexpr size_t kExcerptChars = 300;
// Addresses and products ride along with each listed order (one request
// per 250 orders instead of two more per order).
constexpr const char* kOrderInclude =
    "&include=consignments.line_items&consignment_structure=object";
constexpr const char* kDefaultHost = "https://api.bigcommerce.com/stores/";

// ---------------------------------------------------------------------------
// Small helpers (connector_util.h has the ones shared with other connectors)

using connector_util::ContainsToken;
using connector_util::Field;
using connector_util::JoinName;
using connector_util::JsonWriter;
using connector_util::Member;
using connector_util::NumberText;
using connector_util::Text;
using connector_util::UrlEncode;
using connector_util::WriteString;

/// One line, at most kExcerptChars, for quoting an answer in a message.
std::string Excerpt(std::string_view body) {
  return connector_util::OneLineExcerpt(body, kExcerptChars);
}

/// An integer's text: blanks (space, tab) around it, an optional '-', at most
/// 18 digits.
bool ParseInt(std::string_view s, int64_t& out) {
  s = Trim(s, " \t");
  bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  int64_t n = 0;
  if (s.empty() || s.size() > 18 || !connector_util::DigitsValue(s, n)) return false;
  out = negative ? -n : n;
  return true;
}

/// An integer member, as a JSON integer or a string of digits.
bool Int(const Value* obj, const char* key, int64_t& out) {
  return connector_util::Int(obj, key, out, ParseInt);
}

/// https://, or http:// to a loopback host (a local simulator or mock).
Status CheckBaseUrl(const std::string& url) {
  return connector_util::CheckBaseUrl(url, "BigCommerce [api].base_url", "");
}

/// The text of a v3 `errors` value: a string, a list of strings, an object.
std::string ErrorValueText(const Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsNumber()) return NumberText(v);
  std::string out;
  if (v.IsArray()) {
    for (const Value& e : v.GetArray()) {
      std::string part = ErrorValueText(e);
      if (part.empty()) continue;
      if (!out.empty()) out += "; ";
      out += part;
    }
  } else if (v.IsObject()) {
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      std::string part = ErrorValueText(it->value);
      if (!out.empty()) out += "; ";
      out += std::string(it->name.GetString(), it->name.GetStringLength());
      if (!part.empty()) out += ": " + part;
    }
  }
  return out;
}

/// What a BigCommerce error answer says: v2 `[{"status","message"}]`, v3
/// `{"status","title","type","errors"}` (plus `detail`), else an excerpt.
std::string ErrorDetail(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError()) return Excerpt(body);
  std::string out;
  if (doc.IsArray()) {
    for (const Value& e : doc.GetArray()) {
      std::string message = Text(&e, "message");
      if (message.empty()) message = ErrorValueText(e);
      if (message.empty()) continue;
      if (!out.empty()) out += "; ";
      out += message;
    }
  } else if (doc.IsObject()) {
    out = Text(&doc, "title");
    for (const char* key : {"detail", "message", "error"}) {
      const std::string more = Text(&doc, key);
      if (!more.empty() && more != out) out += (out.empty() ? "" : ": ") + more;
    }
    if (const Value* errors = Member(&doc, "errors")) {
      const std::string more = ErrorValueText(*errors);
      if (!more.empty()) out += (out.empty() ? "" : " (") + more + (out.empty() ? "" : ")");
    }
  }
  return Excerpt(out.empty() ? body : out);
}

struct Product {
  int64_t id = 0, quantity = 0, quantity_shipped = 0, order_address_id = 0;
  std::string sku;
  // Money (wms-contract.md "Money"): price_ex_tax (one unit before
  // discounts), the sum of applied_discounts[].amount, total_tax.
  std::string price_ex_tax, discount, total_tax;
  bool discount_known = true;
};

struct ShippingAddress {
  int64_t id = 0;
  Address address;
  std::string shipping_method;
};

/// An order product (GET /v2/orders/{id}/products, or a consignment's
/// line_items): false without an integer id or quantity.
bool ReadProduct(const Value& p, Product& out) {
  if (!p.IsObject() || !Int(&p, "id", out.id) || !Int(&p, "quantity", out.quantity)) return false;
  Int(&p, "quantity_shipped", out.quantity_shipped);
  Int(&p, "order_address_id", out.order_address_id);
  out.sku = Text(&p, "sku");
  out.price_ex_tax = Text(&p, "price_ex_tax");
  // Without price_ex_tax (older answers, consignment line items that leave
  // it out): base_price, the catalog price before discounts.
  if (out.price_ex_tax.empty()) out.price_ex_tax = Text(&p, "base_price");
  out.total_tax = Text(&p, "total_tax");
  // applied_discounts[].amount: decimal text, summed exactly (4 decimals at
  // most on BigCommerce, so 10^-4 units).
  int64_t discount = 0;
  if (const Value* applied = Member(&p, "applied_discounts"); applied && applied->IsArray()) {
    for (const Value& a : applied->GetArray()) {
      Decimal d;
      int64_t units = 0;
      if (!ParseDecimal(Text(&a, "amount"), d) || !DivideToMinor(d, 1, 4, units)) {
        out.discount_known = false;
        break;
      }
      discount += units;
    }
  }
  if (out.discount_known) out.discount = MajorText(discount, 4);
  return true;
}

Address ReadAddress(const Value* a) {
  Address out;
  out.name = JoinName(Text(a, "first_name"), Text(a, "last_name"));
  out.company = Text(a, "company");
  out.address1 = Text(a, "street_1");
  out.address2 = Text(a, "street_2");
  out.city = Text(a, "city");
  out.region = Text(a, "state");
  out.postal_code = Text(a, "zip");
  out.country = Text(a, "country_iso2");
  out.phone = Text(a, "phone");
  out.email = Text(a, "email");
  return out;
}

/// What an order's `consignments` (include=consignments.line_items with
/// consignment_structure=object) say about its shipping addresses and
/// products: the same as /shipping_addresses and /products would. False when
/// they are missing or not usable (an older API, the array structure, line
/// items as resource links, an entry without an id, no line item at all):
/// then the caller reads both per order.
bool ReadConsignments(const Value& order, std::vector<ShippingAddress>& addresses,
                      std::vector<Product>& products) {
  const Value* c = Member(&order, "consignments");
  if (c == nullptr || !c->IsObject()) return false;
  std::set<int64_t> seen;
  // line_items of one consignment: an array of order products, or absent.
  auto lines = [&](const Value& consignment) {
    const Value* items = Member(&consignment, "line_items");
    if (items == nullptr) return true;
    if (!items->IsArray()) return false;
    for (const Value& p : items->GetArray()) {
      Product product;
      if (!ReadProduct(p, product)) return false;
      if (seen.insert(product.id).second) products.push_back(std::move(product));
    }
    return true;
  };
  // Every kind of consignment: /products lists digital, pickup and gift
  // certificate lines as well as shipped ones.
  auto each = [&](const Value* list, bool shipping) {
    if (list == nullptr) return true;
    if (!list->IsArray()) return false;
    for (const Value& e : list->GetArray()) {
      if (!e.IsObject()) return false;
      if (shipping) {
        ShippingAddress address;
        if (!Int(&e, "id", address.id)) return false;
        address.address = ReadAddress(&e);
        address.shipping_method = Text(&e, "shipping_method");
        addresses.push_back(std::move(address));
      }
      if (!lines(e)) return false;
    }
    return true;
  };
  const Value* shipping = Member(c, "shipping");
  const Value* pickups = Member(c, "pickups");
  const Value* downloads = Member(c, "downloads");
  const Value* email = Member(c, "email");
  if (shipping == nullptr && pickups == nullptr && downloads == nullptr && email == nullptr)
    return false;
  if (email != nullptr && !email->IsObject()) return false;
  if (!each(shipping, true) || !each(pickups, false) || !each(downloads, false) ||
      !each(email != nullptr ? Member(email, "gift_certificates") : nullptr, false)) {
    return false;
  }
  return !products.empty();
}

// ---------------------------------------------------------------------------
// The connector

class BigCommerceCart final : public CartConnector {
 public:
  BigCommerceCart(std::string base, SecretRef token, int64_t location_id, HttpClient& http,
                  SecretResolver& secrets)
      : base_(std::move(base)),
        token_(std::move(token)),
        location_id_(location_id),
        http_(http),
        secrets_(secrets) {}

  Status FetchOrders(const OrderWindow& window,
                     const std::function<Status(std::vector<CartOrder>&&)>& sink) override;
  Result<bool> HasTracking(const std::string& order_id,
                           const std::string& tracking_number) override;
  Status UploadTracking(const TrackingUpload& upload) override;
  Result<std::vector<PushError>> PushInventory(const std::vector<InventoryPush>& items) override;
  // Read-only checks (cartsync doctor).
  Result<AccessCheck> CheckAccess(const std::vector<Service>& services) override;
  Result<LocationCheck> InventoryLocation() override;
  Result<CatalogSkus> CartSkus(int max_pages) override;
  Result<StoreZone> StoreTimeZone() override;

 private:
  using Doc = std::shared_ptr<rapidjson::Document>;

  Result<HttpResponse> Send(const char* method, const std::string& path, std::string body,
                            bool idempotent);
  Status Failure(const HttpResponse& r, const std::string& what) const;
  /// GET of a v2 collection page: an array (empty for 204 or no body).
  Result<Doc> GetList(const std::string& path, const std::string& what);
  /// Every page of a v2 sub-collection of one order.
  Result<std::vector<Doc>> GetAllPages(const std::string& path, const std::string& what);
  /// GET of a v3 answer: 200 and a JSON object whose "data" is an array.
  Result<Doc> GetData(const std::string& path, const std::string& what);

  Result<std::vector<Product>> Products(const std::string& order_id);
  Result<std::vector<ShippingAddress>> Addresses(const std::string& order_id);
  Status ReadOrder(const Value& o, CartOrder& out);
  Result<HttpResponse> PostShipment(const std::string& order_id, const std::string& json);
  /// After a 422 "… is tracked by product, please update stock by product
  /// id": the product ids of the pending items it names (by variant_id or by
  /// SKU), from GET /v3/catalog/variants, remembered in product_of_. Returns
  /// how many items were newly learned.
  Result<int> LearnTrackedByProduct(const std::string& body,
                                    const std::vector<InventoryPush>& pending);
  /// The variant GET /v3/catalog/variants?QUERY finds: {sku, product_id};
  /// nullopt when none.
  Result<std::optional<std::pair<std::string, int64_t>>> FindVariant(const std::string& query);

  std::string base_;                     ///< ends before /v2, /v3
  std::optional<StoreZone> store_zone_;  ///< StoreTimeZone's answer, once asked
  /// SKUs whose inventory is tracked by product: adjusted by product_id.
  std::map<std::string, int64_t> product_of_;
  SecretRef token_;
  int64_t location_id_;
  HttpClient& http_;
  SecretResolver& secrets_;
};

Result<HttpResponse> BigCommerceCart::Send(const char* method, const std::string& path,
                                           std::string body, bool idempotent) {
  auto token = secrets_.Resolve(token_);
  if (!token.ok())
    return Status::Permanent("BigCommerce access_token: " + token.status().message());
  HttpRequest request;
  request.method = method;
  request.url = base_ + path;
  request.idempotent = idempotent;
  // All three on every request: the spec marks Accept and Content-Type
  // required even on GETs, and a validating mock enforces it.
  request.headers.emplace_back("X-Auth-Token", token.value());
  request.headers.emplace_back("Accept", "application/json");
  request.headers.emplace_back("Content-Type", "application/json");
  request.body = std::move(body);
  Result<HttpResponse> result = http_.Send(request);
  // A token shorter than 3 bytes would garble the text: left as it is.
  if (!result.ok()) {
    std::string message = result.status().message();
    connector_util::ScrubSecrets(message, {token.value()}, /*min_length=*/3);
    return Status(result.status().code(), std::move(message));
  }
  connector_util::ScrubSecrets(result.value().body, {token.value()}, /*min_length=*/3);
  return result;
}

Status BigCommerceCart::Failure(const HttpResponse& r, const std::string& what) const {
  const std::string detail = ErrorDetail(r.body);
  const std::string suffix = detail.empty() ? "" : ": " + detail;
  if (r.status == 401) {
    return Status::Permanent("BigCommerce rejected the access token (HTTP 401) on " + what +
                             suffix);
  }
  std::string message =
      "BigCommerce answered HTTP " + std::to_string(r.status) + " to " + what + suffix;
  if (r.status == 403) {
    message +=
        " (the API account needs the Orders: modify, Products: modify and Store Inventory: "
        "modify scopes)";
  }
  if (r.status == 404) return Status::NotFound(message);
  return Status::Permanent(message);
}

// Store Information API (v2): GET /v2/store -> {"timezone": {"name":
// "America/Chicago", "raw_offset": -21600, ...}, ...}. A store without a
// zone name: raw_offset (seconds; the standard offset, no DST).
Result<StoreZone> BigCommerceCart::StoreTimeZone() {
  if (store_zone_) return *store_zone_;
  const std::string what = "GET /v2/store (the store's time zone)";
  auto r = Send("GET", "/v2/store", "", true);
  if (!r.ok()) return r.status();
  if (r->status != 200) return Failure(r.value(), what);
  rapidjson::Document doc;
  doc.Parse(r->body.data(), r->body.size());
  if (doc.HasParseError() || !doc.IsObject())
    return Status::Permanent("BigCommerce answered " + what +
                             " with something other than a JSON object: " + Excerpt(r->body));
  const Value* tz = Member(&doc, "timezone");
  StoreZone z;
  z.iana = Text(tz, "name");
  z.source = "BigCommerce store timezone.name";
  if (z.iana.empty()) {
    int64_t offset = 0;
    if (!Int(tz, "raw_offset", offset))
      return Status::Permanent("BigCommerce " + what + ": no timezone.name or raw_offset");
    z.utc_offset_s = offset;
    z.source = "BigCommerce store timezone.raw_offset";
  }
  store_zone_ = z;
  return z;
}

Result<BigCommerceCart::Doc> BigCommerceCart::GetList(const std::string& path,
                                                      const std::string& what) {
  auto r = Send("GET", path, "", true);
  if (!r.ok()) return r.status();
  auto doc = std::make_shared<rapidjson::Document>();
  doc->SetArray();
  if (r->status == 204 || (r->status == 200 && Trim(r->body).empty())) return doc;  // none
  if (r->status != 200) return Failure(r.value(), what);
  doc->Parse(r->body.data(), r->body.size());
  if (doc->HasParseError() || !doc->IsArray()) {
    return Status::Permanent("BigCommerce answered " + what +
                             " with something other than a JSON array: " + Excerpt(r->body));
  }
  return doc;
}

Result<std::vector<BigCommerceCart::Doc>> BigCommerceCart::GetAllPages(const std::string& path,
                                                                       const std::string& what) {
  std::vector<Doc> pages;
  for (int page = 1; page <= kMaxSubPages; ++page) {
    auto doc =
        GetList(path + "?page=" + std::to_string(page) + "&limit=" + std::to_string(kPageLimit),
                what + (page > 1 ? " (page " + std::to_string(page) + ")" : ""));
    if (!doc.ok()) return doc.status();
    const size_t count = doc.value()->Size();
    if (count > 0) pages.push_back(doc.value());
    // A short page is the last: also what keeps a server (or mock) that
    // ignores `page` from being read forever.
    if (count < static_cast<size_t>(kPageLimit)) return pages;
  }
  return Status::Permanent("BigCommerce " + what + ": more than " + std::to_string(kMaxSubPages) +
                           " pages; stopping");
}

Result<BigCommerceCart::Doc> BigCommerceCart::GetData(const std::string& path,
                                                      const std::string& what) {
  auto r = Send("GET", path, "", true);
  if (!r.ok()) return r.status();
  if (r->status != 200) return Failure(r.value(), what);
  auto doc = std::make_shared<rapidjson::Document>();
  doc->Parse(r->body.data(), r->body.size());
  const Value* data = doc->HasParseError() ? nullptr : Member(doc.get(), "data");
  if (data == nullptr || !data->IsArray())
    return Status::Permanent("BigCommerce " + what +
                             ": the answer has no data list: " + Excerpt(r->body));
  return doc;
}

Result<std::vector<Product>> BigCommerceCart::Products(const std::string& order_id) {
  const std::string what = "GET /v2/orders/" + order_id + "/products";
  auto pages = GetAllPages("/v2/orders/" + UrlEncode(order_id) + "/products", what);
  if (!pages.ok()) return pages.status();
  std::vector<Product> out;
  for (const Doc& page : pages.value()) {
    for (const Value& p : page->GetArray()) {
      Product product;
      if (!p.IsObject() || !Int(&p, "id", product.id)) {
        return Status::Permanent("BigCommerce " + what + ": a product line has no id");
      }
      if (!ReadProduct(p, product)) {
        return Status::Permanent("BigCommerce " + what + ": product line " +
                                 std::to_string(product.id) + " has no integer quantity");
      }
      out.push_back(std::move(product));
    }
  }
  return out;
}

Result<std::vector<ShippingAddress>> BigCommerceCart::Addresses(const std::string& order_id) {
  const std::string what = "GET /v2/orders/" + order_id + "/shipping_addresses";
  auto doc = GetList("/v2/orders/" + UrlEncode(order_id) + "/shipping_addresses", what);
  if (!doc.ok()) return doc.status();
  std::vector<ShippingAddress> out;
  for (const Value& a : doc.value()->GetArray()) {
    ShippingAddress address;
    if (!a.IsObject() || !Int(&a, "id", address.id)) {
      return Status::Permanent("BigCommerce " + what + ": a shipping address has no id");
    }
    address.address = ReadAddress(&a);
    address.shipping_method = Text(&a, "shipping_method");
    out.push_back(std::move(address));
  }
  return out;
}

Status BigCommerceCart::ReadOrder(const Value& o, CartOrder& out) {
  int64_t id = 0;
  if (!o.IsObject() || !Int(&o, "id", id)) {
    return Status::Permanent("BigCommerce GET /v2/orders: an order has no id");
  }
  out.id = std::to_string(id);
  out.order_number = out.id;  // BigCommerce shows the id as the order number
  out.placed_at = bigcommerce::ToIsoUtc(Text(&o, "date_created"));
  out.updated_at = bigcommerce::ToIsoUtc(Text(&o, "date_modified"));
  if (out.updated_at.empty()) out.updated_at = out.placed_at;
  out.status = Text(&o, "status");
  {
    int64_t status_id = -1;  // 5 Cancelled (bigcommerce::StatusId)
    out.canceled = (Int(&o, "status_id", status_id) && status_id == 5) || out.status == "Cancelled";
  }
  // The transactional currency (what the shopper paid in, which the
  // amounts are in); currency_code is only the display currency.
  std::string currency = Text(&o, "default_currency_code");
  if (currency.empty()) currency = Text(&o, "currency_code");
  const order_money::Money money(currency);
  out.money.currency = money.currency();
  out.money.taxes_included = false;  // the *_ex_tax fields, tax apart
  out.money.totals.subtotal = money.Text(Text(&o, "subtotal_ex_tax"));
  out.money.totals.shipping = money.Text(Text(&o, "shipping_cost_ex_tax"));
  {
    std::optional<int64_t> discount = 0;
    order_money::Accumulate(discount, money.Minor(Text(&o, "discount_amount")));
    order_money::Accumulate(discount, money.Minor(Text(&o, "coupon_discount")));
    out.money.totals.discount = order_money::MinorOrEmpty(discount);
  }
  out.money.totals.tax = money.Text(Text(&o, "total_tax"));
  out.money.totals.total = money.Text(Text(&o, "total_inc_tax"));

  const Value* billing = Member(&o, "billing_address");
  std::vector<ShippingAddress> addresses;
  std::vector<Product> products;
  if (!ReadConsignments(o, addresses, products)) {
    // No usable consignments on the list: both per order, as the API
    // without include=consignments.line_items needs.
    addresses.clear();
    products.clear();
    auto fetched_addresses = Addresses(out.id);
    if (!fetched_addresses.ok()) return fetched_addresses.status();
    addresses = std::move(fetched_addresses.value());
    auto fetched_products = Products(out.id);
    if (!fetched_products.ok()) return fetched_products.status();
    products = std::move(fetched_products.value());
  }
  // Either source in one order: addresses and lines by id (what the per-order
  // endpoints answer), so an order reads the same whichever way it came.
  auto by_id = [](const auto& a, const auto& b) { return a.id < b.id; };
  std::stable_sort(addresses.begin(), addresses.end(), by_id);
  std::stable_sort(products.begin(), products.end(), by_id);
  if (!addresses.empty()) {
    const ShippingAddress& first = addresses.front();
    out.ship_to = first.address;
    out.ship_code = first.shipping_method;
  } else {
    // No shipping address (a digital or pickup order): the billing address
    // is the best there is, and there is no ship method.
    out.ship_to = ReadAddress(billing);
  }
  if (out.ship_to.email.empty()) out.ship_to.email = Text(billing, "email");
  if (out.ship_to.phone.empty()) out.ship_to.phone = Text(billing, "phone");

  for (const Product& p : products) {
    // What is left to ship: a Partially Shipped order asks the WMS for the
    // rest only, never for the same goods a second time.
    if (p.quantity - p.quantity_shipped <= 0) continue;
    OrderLine line;
    line.line_key = std::to_string(p.id);
    line.sku = p.sku;
    line.quantity = p.quantity - p.quantity_shipped;
    money.SetLine(line, p.price_ex_tax, p.discount_known ? p.discount : "", p.total_tax,
                  p.quantity);
    out.lines.push_back(std::move(line));
  }
  return Status::Ok();
}

Status BigCommerceCart::FetchOrders(const OrderWindow& window,
                                    const std::function<Status(std::vector<CartOrder>&&)>& sink) {
  // v2 takes one status_id per request: one series of pages per status.
  std::vector<int> status_ids;
  if (auto it = window.statuses.find("status"); it != window.statuses.end()) {
    for (const std::string& name : it->second) {
      const int id = bigcommerce::StatusId(name);
      if (id < 0) {
        return Status::Permanent("BigCommerce has no order status named \"" + name + "\"");
      }
      if (std::find(status_ids.begin(), status_ids.end(), id) == status_ids.end()) {
        status_ids.push_back(id);
      }
    }
  }
  if (status_ids.empty()) status_ids.push_back(-1);  // no filter
  // Cancellations: a later pull (min_date_modified) also reads the orders
  // Cancelled (5) since, whatever the filter, so an order canceled after it
  // was downloaded is seen (CartOrder::canceled). Not on the first pull.
  if (window.updated_after && status_ids.front() != -1 &&
      std::find(status_ids.begin(), status_ids.end(), 5) == status_ids.end())
    status_ids.push_back(5);

  std::string dates;
  if (window.created_after) {
    dates += "&min_date_created=" + UrlEncode(bigcommerce::FormatRfc2822(*window.created_after));
  }
  if (window.updated_after) {
    dates += "&min_date_modified=" + UrlEncode(bigcommerce::FormatRfc2822(*window.updated_after));
  }

  std::set<std::string> seen;  // an order changing status mid-fetch shows up twice
  for (int status_id : status_ids) {
    const std::string filter = status_id >= 0 ? "status_id=" + std::to_string(status_id) : "";
    // Keyset pages: by id, ascending (`sort` takes the field alone, the
    // spec's enum; ascending is the default), each request from the id after
    // the last one seen (`min_id`, inclusive). Offset pages (`page`) would
    // shift when an order leaves the status filter during the fetch
    // (completed by us or the merchant) and skip another order for good.
    std::optional<int64_t> min_id;
    for (int page = 1;; ++page) {
      if (page > kMaxOrderPages) {
        return Status::Permanent("BigCommerce GET /v2/orders: more than " +
                                 std::to_string(kMaxOrderPages) + " pages; stopping");
      }
      std::string query = filter + dates +
                          (min_id ? "&min_id=" + std::to_string(*min_id) : std::string()) +
                          "&limit=" + std::to_string(kPageLimit) + "&sort=id" + kOrderInclude;
      if (query[0] == '&') query.erase(0, 1);
      const std::string what =
          "GET /v2/orders (" +
          (status_id >= 0 ? "status_id " + std::to_string(status_id) + ", " : "") +
          (min_id ? "from id " + std::to_string(*min_id) : std::string("first page")) + ")";
      auto list = GetList("/v2/orders?" + query, what);
      if (!list.ok()) return list.status();
      const Value& orders = *list.value();
      std::vector<CartOrder> batch;
      std::optional<int64_t> last_id;
      for (const Value& o : orders.GetArray()) {
        const std::string id = Text(&o, "id");
        int64_t n = 0;
        if (ParseInt(id, n) && (!last_id || n > *last_id)) last_id = n;
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
      // 204, an empty array or a short page ends the series.
      if (orders.Size() < static_cast<size_t>(kPageLimit)) break;
      if (!last_id || (min_id && *last_id < *min_id)) {
        return Status::Permanent("BigCommerce " + what +
                                 ": the page's order ids do not advance past min_id; stopping");
      }
      min_id = *last_id + 1;
    }
  }
  return Status::Ok();
}

Result<bool> BigCommerceCart::HasTracking(const std::string& order_id,
                                          const std::string& tracking_number) {
  if (order_id.empty() || tracking_number.empty()) {
    return Status::Permanent("BigCommerce tracking check needs an order id and a tracking number");
  }
  auto pages = GetAllPages("/v2/orders/" + UrlEncode(order_id) + "/shipments",
                           "GET /v2/orders/" + order_id + "/shipments");
  if (!pages.ok()) return pages.status();
  for (const Doc& page : pages.value()) {
    for (const Value& s : page->GetArray()) {
      if (Text(&s, "tracking_number") == tracking_number) return true;
    }
  }
  return false;
}

Result<HttpResponse> BigCommerceCart::PostShipment(const std::string& order_id,
                                                   const std::string& json) {
  // Not idempotent: after a timeout the caller re-checks before trying again.
  return Send("POST", "/v2/orders/" + UrlEncode(order_id) + "/shipments", json,
              /*idempotent=*/false);
}

Status BigCommerceCart::UploadTracking(const TrackingUpload& upload) {
  const std::string& order_id = upload.order_id;
  const std::string& number = upload.shipment.tracking_number;
  // BigCommerce refuses a longer tracking_number (400): say so before asking.
  if (number.size() > kMaxTrackingNumber) {
    return Status::Permanent("tracking number " + Excerpt(number) + " is " +
                             std::to_string(number.size()) +
                             " characters long; BigCommerce accepts at most " +
                             std::to_string(kMaxTrackingNumber) + " (order " + order_id + ")");
  }
  auto present = HasTracking(order_id, number);
  if (!present.ok()) return present.status();
  if (present.value()) return Status::Ok();

  auto addresses = Addresses(order_id);
  if (!addresses.ok()) return addresses.status();
  if (addresses.value().empty()) {
    return Status::Permanent("BigCommerce order " + order_id +
                             " has no shipping address to attach a shipment to");
  }
  const int64_t address_id = addresses.value().front().id;
  auto products = Products(order_id);
  if (!products.ok()) return products.status();

  // Items: the shipment's lines matched to order products by line_key (the
  // order product id); without a match, everything still to ship.
  std::vector<std::pair<int64_t, int64_t>> items;  // order_product_id, quantity
  std::map<int64_t, const Product*> by_id;
  for (const Product& p : products.value()) by_id[p.id] = &p;
  for (const ShipmentLine& line : upload.shipment.lines) {
    int64_t id = 0;
    if (!ParseInt(line.line_key, id) || line.quantity <= 0) continue;
    auto it = by_id.find(id);
    if (it == by_id.end()) continue;
    const int64_t remaining = it->second->quantity - it->second->quantity_shipped;
    const int64_t quantity = remaining > 0 ? std::min(line.quantity, remaining) : line.quantity;
    auto same =
        std::find_if(items.begin(), items.end(), [&](const auto& e) { return e.first == id; });
    if (same != items.end()) {
      same->second += quantity;
    } else {
      items.emplace_back(id, quantity);
    }
  }
  if (items.empty()) {
    for (const Product& p : products.value()) {
      if (p.order_address_id != 0 && p.order_address_id != address_id) continue;
      const int64_t remaining = p.quantity - p.quantity_shipped;
      if (remaining > 0) items.emplace_back(p.id, remaining);
    }
  }
  if (items.empty()) {
    // Everything shipped already under other numbers: let the store decide.
    for (const Product& p : products.value()) {
      if (p.quantity > 0) items.emplace_back(p.id, p.quantity);
    }
  }
  if (items.empty()) {
    return Status::Permanent("BigCommerce order " + order_id + " has no products to ship");
  }

  auto body = [&](bool provider_as_carrier) {
    rapidjson::StringBuffer sb;
    JsonWriter w(sb);
    w.StartObject();
    w.Key("order_address_id");
    w.Int64(address_id);
    w.Key("tracking_number");
    WriteString(w, number);
    w.Key("shipping_provider");
    WriteString(w, provider_as_carrier ? "" : upload.carrier_code);
    if (provider_as_carrier) {
      w.Key("tracking_carrier");
      WriteString(w, upload.carrier_code);
    }
    w.Key("items");
    w.StartArray();
    for (const auto& [id, quantity] : items) {
      w.StartObject();
      w.Key("order_product_id");
      w.Int64(id);
      w.Key("quantity");
      w.Int64(quantity);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return std::string(sb.GetString(), sb.GetSize());
  };

  const std::string what = "POST /v2/orders/" + order_id + "/shipments";
  // A 2xx that is not the API's JSON (a maintenance page served with 200)
  // most likely never reached the store: not done, checked again next time.
  auto done = [&](const HttpResponse& answer) {
    if (connector_util::IsJsonAnswer(answer.Header("Content-Type"), answer.body))
      return Status::Ok();
    return Status::Transient(
        "BigCommerce answered " + what + " with HTTP " + std::to_string(answer.status) +
        " but not JSON (not counted as done): " + connector_util::OneLineExcerpt(answer.body, 120));
  };
  auto r = PostShipment(order_id, body(false));
  if (!r.ok()) return r.status();
  if (r->status == 200 || r->status == 201) return done(r.value());
  // BigCommerce accepts a fixed set of shipping providers; any other name is
  // refused (400), and nothing was created. Once more, with the carrier as
  // the (AfterShip) tracking carrier instead.
  if ((r->status == 400 || r->status == 422) && !upload.carrier_code.empty() &&
      r->body.find("shipping_provider") != std::string::npos) {
    r = PostShipment(order_id, body(true));
    if (!r.ok()) return r.status();
    if (r->status == 200 || r->status == 201) return done(r.value());
    return Failure(r.value(), what + " (with tracking_carrier)");
  }
  return Failure(r.value(), what);
}

/// Which items of a 422 answer to an absolute adjustment are named, and why:
/// `errors` keys like "items.3.sku" / "items[3]" or a SKU, else SKUs quoted
/// in the title. Index into `items` -> message.
std::map<size_t, std::string> AttributeErrors(const std::string& body,
                                              const std::vector<InventoryPush>& items) {
  std::map<size_t, std::string> out;
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return out;
  const std::string title = Text(&doc, "title");
  auto message_for = [&](const std::string& detail) {
    std::string m = title;
    if (!detail.empty() && detail != title) m += (m.empty() ? "" : ": ") + detail;
    return "BigCommerce rejected the adjustment: " + Excerpt(m);
  };
  if (const Value* errors = Member(&doc, "errors"); errors != nullptr && errors->IsObject()) {
    for (auto it = errors->MemberBegin(); it != errors->MemberEnd(); ++it) {
      const std::string key(it->name.GetString(), it->name.GetStringLength());
      const std::string detail = ErrorValueText(it->value);
      std::optional<size_t> index;
      if (size_t p = key.find("items"); p != std::string::npos) {
        size_t i = p + 5;
        if (i < key.size() && (key[i] == '.' || key[i] == '[')) ++i;
        size_t n = 0, digits = 0;
        while (i < key.size() && key[i] >= '0' && key[i] <= '9' && digits < 9) {
          n = n * 10 + static_cast<size_t>(key[i] - '0');
          ++i;
          ++digits;
        }
        if (digits > 0 && n < items.size()) index = n;
      }
      if (!index) {
        for (size_t i = 0; i < items.size(); ++i) {
          if (items[i].sku == key) index = i;
        }
      }
      if (index) out[*index] = message_for(detail);
    }
  }
  if (out.empty() && !title.empty()) {
    for (size_t i = 0; i < items.size(); ++i) {
      if (ContainsToken(title, items[i].sku)) out[i] = message_for("");
    }
  }
  return out;
}

Result<std::optional<std::pair<std::string, int64_t>>> BigCommerceCart::FindVariant(
    const std::string& query) {
  using Found = std::optional<std::pair<std::string, int64_t>>;
  const std::string what = "GET /v3/catalog/variants?" + query;
  auto r = Send("GET", "/v3/catalog/variants?" + query, "", true);
  if (!r.ok()) return r.status();
  if (r->status != 200) return Failure(r.value(), what);
  rapidjson::Document doc;
  doc.Parse(r->body.data(), r->body.size());
  if (doc.HasParseError() || !doc.IsObject())
    return Status::Transient("BigCommerce " + what +
                             ": the answer is not a JSON object: " + Excerpt(r->body));
  const Value* data = Member(&doc, "data");
  if (data == nullptr || !data->IsArray() || data->Empty()) return Found();
  int64_t product_id = 0;
  if (!Int(&(*data)[0], "product_id", product_id)) return Found();
  return Found(std::make_pair(Text(&(*data)[0], "sku"), product_id));
}

Result<int> BigCommerceCart::LearnTrackedByProduct(const std::string& body,
                                                   const std::vector<InventoryPush>& pending) {
  int learned = 0;
  auto pending_sku = [&](const std::string& sku) {
    return std::any_of(pending.begin(), pending.end(),
                       [&](const InventoryPush& p) { return p.sku == sku; });
  };
  // "[Item with variant_id 106 is tracked by product, …]"
  const std::string marker = "variant_id ";
  for (size_t at = body.find(marker); at != std::string::npos; at = body.find(marker, at + 1)) {
    size_t end = at + marker.size();
    while (end < body.size() && body[end] >= '0' && body[end] <= '9') ++end;
    const std::string id = body.substr(at + marker.size(), end - at - marker.size());
    if (id.empty() || id.size() > 18) continue;
    auto found = FindVariant("id=" + id);
    if (!found.ok()) return found.status();
    if (!found.value() || !pending_sku(found.value()->first)) continue;
    learned += product_of_.emplace(found.value()->first, found.value()->second).second ? 1 : 0;
  }
  // "… sku ABC-1 is tracked by product …": the SKUs it names.
  for (const InventoryPush& item : pending) {
    if (product_of_.count(item.sku) || !ContainsToken(body, item.sku)) continue;
    auto found = FindVariant("sku=" + UrlEncode(item.sku));
    if (!found.ok()) return found.status();
    if (!found.value() || found.value()->first != item.sku) continue;
    learned += product_of_.emplace(item.sku, found.value()->second).second ? 1 : 0;
  }
  return learned;
}

Result<std::vector<PushError>> BigCommerceCart::PushInventory(
    const std::vector<InventoryPush>& items) {
  std::vector<PushError> errors;
  for (size_t start = 0; start < items.size(); start += kAdjustmentChunk) {
    std::vector<InventoryPush> pending(
        items.begin() + static_cast<std::ptrdiff_t>(start),
        items.begin() +
            static_cast<std::ptrdiff_t>(std::min(items.size(), start + kAdjustmentChunk)));
    for (int round = 0; !pending.empty(); ++round) {
      const std::string what =
          "PUT /v3/inventory/adjustments/absolute (" + std::to_string(pending.size()) + " items)";
      rapidjson::StringBuffer sb;
      JsonWriter w(sb);
      w.StartObject();
      w.Key("reason");
      w.String("cartsync inventory sync");
      w.Key("items");
      w.StartArray();
      for (const InventoryPush& item : pending) {
        w.StartObject();
        w.Key("location_id");
        w.Int64(location_id_);
        if (auto product = product_of_.find(item.sku); product != product_of_.end()) {
          w.Key("product_id");  // tracked by product: the SKU alone is refused
          w.Int64(product->second);
        } else {
          w.Key("sku");
          WriteString(w, item.sku);
        }
        w.Key("quantity");
        w.Int64(item.quantity);
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
      // Absolute quantities: safe to repeat.
      auto r = Send("PUT", "/v3/inventory/adjustments/absolute",
                    std::string(sb.GetString(), sb.GetSize()),
                    /*idempotent=*/true);
      if (!r.ok()) return r.status();
      if (r->status >= 200 && r->status < 300) {
        // A maintenance page served with 200 set nothing: not recorded as pushed.
        if (!connector_util::IsJsonAnswer(r->Header("Content-Type"), r->body))
          return Status::Transient("BigCommerce answered " + what + " with HTTP " +
                                   std::to_string(r->status) +
                                   " but not JSON (nothing counted as set): " +
                                   connector_util::OneLineExcerpt(r->body, 120));
        break;
      }
      if (r->status == 401) return Failure(r.value(), what);
      if (r->status == 422 && r->body.find("tracked by product") != std::string::npos) {
        // Items whose stock is tracked by product take product_id: learn
        // theirs and send the same items again (each item is learned once,
        // so this ends).
        auto learned = LearnTrackedByProduct(r->body, pending);
        if (!learned.ok()) return learned.status();
        if (learned.value() > 0) {
          --round;
          continue;
        }
      }
      const std::string message = Failure(r.value(), what).message();
      if (r->status == 422) {
        // The request is refused as a whole; when the answer names the
        // offending items, those are this SKU's errors and the rest go again.
        auto named = AttributeErrors(r->body, pending);
        if (!named.empty() && named.size() < pending.size() && round + 1 < kAdjustmentRounds) {
          std::vector<InventoryPush> rest;
          for (size_t i = 0; i < pending.size(); ++i) {
            auto it = named.find(i);
            if (it != named.end()) {
              errors.push_back({pending[i].sku, it->second});
            } else {
              rest.push_back(pending[i]);
            }
          }
          pending = std::move(rest);
          continue;
        }
        for (size_t i = 0; i < pending.size(); ++i) {
          auto it = named.find(i);
          errors.push_back({pending[i].sku, it != named.end() ? it->second : message});
        }
        break;
      }
      for (const InventoryPush& item : pending) errors.push_back({item.sku, message});
      break;
    }
  }
  return errors;
}

// GET /v3/inventory/items (one item): 403 when the account lacks both Store
// Inventory scopes. Orders and Products are proven by the doctor's order
// and catalog reads; "modify" cannot be proven without writing.
Result<AccessCheck> BigCommerceCart::CheckAccess(const std::vector<Service>& services) {
  (void)services;
  const std::string what = "GET /v3/inventory/items";
  auto r = Send("GET", "/v3/inventory/items?limit=1", "", true);
  if (!r.ok()) return r.status();
  AccessCheck a;
  a.checked = true;
  a.note = "BigCommerce " + what +
           " (Store Inventory read); modify is needed by inventory_upload and cannot be checked "
           "without writing";
  if (r->status == 403) {
    a.missing.push_back("the BigCommerce API account lacks the Store Inventory scope (403 on " +
                        what + "); inventory_upload needs Store Inventory: modify");
    return a;
  }
  if (r->status != 200) return Failure(r.value(), what);
  return a;
}

// GET /v3/inventory/locations: the configured location_id is there and enabled.
Result<LocationCheck> BigCommerceCart::InventoryLocation() {
  const std::string id = std::to_string(location_id_);
  const std::string what = "GET /v3/inventory/locations";
  auto doc = GetData("/v3/inventory/locations?location_id:in=" + id, what);
  if (!doc.ok()) return doc.status();
  const Value* data = Member(doc.value().get(), "data");
  LocationCheck l;
  l.applies = true;
  l.id = id;
  for (const Value& loc : data->GetArray()) {
    int64_t n = 0;
    if (!Int(&loc, "id", n) || n != location_id_) continue;
    l.name = Text(&loc, "label");
    const Value* enabled = Member(&loc, "enabled");
    if (enabled != nullptr && enabled->IsBool() && !enabled->GetBool())
      l.problem = "BigCommerce location " + id + " (" + Excerpt(l.name) +
                  ") is disabled; stock cannot be set there";
    return l;
  }
  l.problem =
      "BigCommerce has no location " + id + " ([api].inventory_location_id; Settings > Locations)";
  return l;
}

// GET /v3/catalog/variants, 250 a page: every variant's SKU.
Result<CatalogSkus> BigCommerceCart::CartSkus(int max_pages) {
  CatalogSkus c;
  c.listed = true;
  std::set<std::string> skus;
  for (int page = 1;; ++page) {
    if (page > max_pages) {
      c.complete = false;
      break;
    }
    const std::string query = "limit=250&page=" + std::to_string(page) + "&include_fields=sku";
    const std::string what = "GET /v3/catalog/variants?" + query;
    auto doc = GetData("/v3/catalog/variants?" + query, what);
    if (!doc.ok()) return doc.status();
    const Value* data = Member(doc.value().get(), "data");
    for (const Value& v : data->GetArray())
      if (std::string sku = Text(&v, "sku"); !sku.empty()) skus.insert(sku);
    if (data->Size() < 250) break;  // a short page is the last
  }
  c.skus.assign(skus.begin(), skus.end());
  return c;
}

}  // namespace

Result<std::unique_ptr<CartConnector>> MakeBigCommerceCart(const CartConfig& cart,
                                                           const ConnectorDeps& deps) {
  const std::string where = "cart \"" + cart.id + "\" (BigCommerce)";
  if (deps.http == nullptr || deps.secrets == nullptr) {
    return Status::Permanent(where + ": no HTTP client or secret resolver");
  }
  std::string base;
  if (const FieldValue* url = Field(cart, "base_url"); url != nullptr && !url->text.empty()) {
    Status st = CheckBaseUrl(url->text);
    if (!st.ok()) return Status::Permanent(where + ": " + st.message());
    base = url->text;
    while (!base.empty() && base.back() == '/') base.pop_back();
  } else {
    const FieldValue* hash = Field(cart, "store_hash");
    if (hash == nullptr || hash->text.empty()) {
      return Status::Permanent(where + ": [api].store_hash is not set");
    }
    for (char c : hash->text) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
        return Status::Permanent(where + ": [api].store_hash must match ^[a-z0-9]+$");
      }
    }
    base = kDefaultHost + hash->text;
  }
  auto token = connector_util::RequiredSecret(cart, "access_token", where);
  if (!token.ok()) return token.status();
  int64_t location = 1;
  if (const FieldValue* loc = Field(cart, "inventory_location_id"); loc != nullptr) {
    location = loc->type == FieldType::Integer ? loc->integer : location;
    if (loc->type != FieldType::Integer && !loc->text.empty() && !ParseInt(loc->text, location)) {
      return Status::Permanent(where + ": [api].inventory_location_id must be an integer");
    }
  }
  return std::unique_ptr<CartConnector>(std::make_unique<BigCommerceCart>(
      std::move(base), token.value(), location, *deps.http, *deps.secrets));
}

}  // namespace cartsync

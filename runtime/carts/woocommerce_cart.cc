// WooCommerce REST API v3 over HttpClient (which owns retries, 429 and
// pacing). This file speaks the wire format and turns answers into orders,
// statuses and per-SKU errors. The consumer key and secret are resolved for
// each request, live only in that request's Authorization header, and are
// scrubbed from any answer text before it can reach a message.
#include "runtime/carts/woocommerce_cart.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "base/money.h"
#include "runtime/carts/connector_util.h"
#include "runtime/carts/order_money.h"

namespace cartsync {
namespace woocommerce {

namespace {

constexpr const char* kSkuNotFound = "SKU not found in WooCommerce";

/// Rounds a plain decimal literal ("-12.345", "7", "0.5") to two decimals,
/// half away from zero. Empty when `s` is not such a literal.
std::string RoundDecimal2(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  size_t dot = s.find('.');
  std::string_view int_part = s.substr(0, dot);
  std::string_view frac_part = dot == std::string_view::npos ? "" : s.substr(dot + 1);
  if (int_part.empty() && frac_part.empty()) return "";
  for (char c : int_part)
    if (c < '0' || c > '9') return "";
  for (char c : frac_part)
    if (c < '0' || c > '9') return "";
  std::string digits(int_part.empty() ? "0" : int_part);
  std::string frac(frac_part);
  while (frac.size() < 3) frac.push_back('0');
  // digits + two decimals as one integer string, then round on the third.
  std::string n = digits + frac.substr(0, 2);
  if (frac[2] >= '5') {
    int i = static_cast<int>(n.size()) - 1;
    while (i >= 0) {
      if (n[i] == '9') {
        n[i] = '0';
        --i;
      } else {
        ++n[i];
        break;
      }
    }
    if (i < 0) n.insert(n.begin(), '1');
  }
  // Strip leading zeros of the integer part, keeping one.
  size_t first = 0;
  while (first + 3 < n.size() && n[first] == '0') ++first;
  n = n.substr(first);
  std::string out = n.substr(0, n.size() - 2) + "." + n.substr(n.size() - 2);
  if (negative && out != "0.00") out.insert(out.begin(), '-');
  return out;
}

}  // namespace

std::string FormatPrice(double value) {
  if (!std::isfinite(value)) return "";
  // Shortest decimal text that reads back as the same double: what the
  // store's JSON most likely said.
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  std::string text = buf;
  if (text.find_first_of("eE") != std::string::npos) {
    // Exponent form (very large or tiny): fixed notation is exact enough here.
    std::snprintf(buf, sizeof buf, "%.6f", value);
    text = buf;
  }
  std::string rounded = RoundDecimal2(text);
  if (rounded.empty()) {
    std::snprintf(buf, sizeof buf, "%.2f", value);
    return buf;
  }
  return rounded;
}

std::string GmtToIso(std::string_view gmt) {
  std::string text(gmt);
  while (!text.empty() && text.back() == ' ') text.pop_back();
  if (text.empty()) return "";
  int64_t seconds = 0;
  // WooCommerce's *_gmt fields carry no zone; accept one should a store add it.
  if (!ParseTimestamp(text + "Z", seconds) && !ParseTimestamp(text, seconds)) return "";
  return FormatIsoUtc(seconds);
}

bool ContainsToken(std::string_view text, std::string_view number) {
  return connector_util::ContainsToken(text, number);
}

bool QueryAuthNeeded(int status, std::string_view body) {
  if (status != 401) return false;
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return false;
  return connector_util::Text(&doc, "code") == "woocommerce_rest_authentication_error" &&
         connector_util::Text(&doc, "message").find("Consumer key is missing") != std::string::npos;
}

std::vector<std::string> ProviderNames(std::string_view body) {
  std::vector<std::string> names;
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return names;
  for (const auto& country : std::as_const(doc).GetObject()) {
    if (!country.value.IsObject()) continue;
    for (const auto& p : country.value.GetObject())
      names.emplace_back(p.name.GetString(), p.name.GetStringLength());
  }
  return names;
}

namespace {
/// The extension's slug of a provider name (sanitize_title): lower case,
/// runs of other characters as one '-'.
std::string ProviderSlug(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}
}  // namespace

std::string KnownProvider(const std::vector<std::string>& providers, std::string_view carrier) {
  const std::string slug = ProviderSlug(carrier);
  if (slug.empty()) return "";
  for (const std::string& p : providers)
    if (EqualsIgnoreCase(p, carrier)) return p;
  for (const std::string& p : providers)
    if (ProviderSlug(p) == slug) return p;
  return "";
}

std::string TrackingLink(std::string_view carrier, std::string_view number) {
  const std::string slug = ProviderSlug(carrier);
  const std::string n = connector_util::UrlEncode(number);
  if (slug == "ups") return "https://www.ups.com/track?tracknum=" + n;
  if (slug == "usps") return "https://tools.usps.com/go/TrackConfirmAction?tLabels=" + n;
  if (slug == "fedex") return "https://www.fedex.com/fedextrack/?trknbr=" + n;
  if (slug == "dhl" || slug == "dhl-express")
    return "https://www.dhl.com/global-en/home/tracking.html?tracking-id=" + n;
  return "";
}

}  // namespace woocommerce

namespace {

using rapidjson::Value;
using woocommerce::FormatPrice;
using woocommerce::GmtToIso;

// `dp` of GET orders: WooCommerce formats amounts with this many decimals
// (its default is 2, or the store's price decimals, whatever the currency).
constexpr int kAmountDecimals = 6;
constexpr int kPerPage = 100;          // WooCommerce's maximum per_page
constexpr int kMaxPages = 10'000;      // 1,000,000 orders per fetch: beyond that, a loop
constexpr size_t kBatchSize = 100;     // products/batch rejects more (413)
constexpr size_t kExcerptChars = 300;  // of an answer quoted in a message

// ---------------------------------------------------------------------------
// Small helpers (connector_util.h has the ones shared with other connectors)

using connector_util::Field;
using connector_util::JoinName;
using connector_util::JsonWriter;
using connector_util::Member;
using connector_util::Text;
using connector_util::UrlEncode;
using connector_util::WriteString;

std::string Base64(std::string_view in) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  if (i < in.size()) {
    uint32_t n = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

/// One line, at most kExcerptChars, for quoting an answer in a message.
std::string Excerpt(std::string_view body) {
  return connector_util::OneLineExcerpt(body, kExcerptChars);
}

/// WooCommerce's integer text: at most 18 characters with the sign, no blanks.
bool ParseIntText(std::string_view s, int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  bool negative = s[0] == '-';
  if (negative) s.remove_prefix(1);
  int64_t n = 0;
  if (s.empty() || !connector_util::DigitsValue(s, n)) return false;
  out = negative ? -n : n;
  return true;
}

/// An integer member, as a JSON integer or a string of digits.
bool Int(const Value* obj, const char* key, int64_t& out) {
  return connector_util::Int(obj, key, out, ParseIntText);
}

/// A non-negative decimal count ("12", " 3 "); false when absent or not one.
bool ParseCount(std::string_view s, int64_t& out) {
  s = Trim(s, " \t");
  if (s.empty() || s.size() > 12) return false;
  return connector_util::DigitsValue(s, out);
}

/// https://, or http:// to a loopback host (a local simulator).
Status CheckBaseUrl(const std::string& url, const std::string& field) {
  return connector_util::CheckBaseUrl(url, "WooCommerce [api]." + field,
                                      " (use consumer_key/consumer_secret)");
}

// ---------------------------------------------------------------------------
// The connector

struct Target {
  int64_t id = 0;
  int64_t parent = 0;  ///< 0: a product (products/batch); else its variation
};

class WooCommerceCart final : public CartConnector {
 public:
  WooCommerceCart(std::string base, SecretRef key, SecretRef secret, bool notes, HttpClient& http,
                  SecretResolver& secrets)
      : base_(std::move(base)),
        key_(std::move(key)),
        secret_(std::move(secret)),
        notes_(notes),
        http_(http),
        secrets_(secrets) {}

  Status FetchOrders(const OrderWindow& window,
                     const std::function<Status(std::vector<CartOrder>&&)>& sink) override;
  Result<bool> HasTracking(const std::string& order_id,
                           const std::string& tracking_number) override;
  Status UploadTracking(const TrackingUpload& upload) override;
  Status FinishTracking(const TrackingUpload& upload) override;
  bool UsesCompletesOrder() const override { return true; }
  Result<std::vector<PushError>> PushInventory(const std::vector<InventoryPush>& items) override;
  // Read-only checks (cartsync doctor).
  Result<AccessCheck> CheckAccess(const std::vector<Service>& services) override;
  Result<CatalogSkus> CartSkus(int max_pages) override;
  Result<StoreZone> StoreTimeZone() override;

 private:
  using Doc = std::shared_ptr<rapidjson::Document>;

  std::string Api(std::string_view path) const {
    return base_ + "/wp-json/wc/v3/" + std::string(path);
  }
  std::string TrackingUrl(const std::string& order_id) const {
    return base_ + "/wp-json/wc-shipment-tracking/v3/orders/" + UrlEncode(order_id) +
           "/shipment-trackings";
  }

  Result<HttpResponse> Send(const char* method, const std::string& url, std::string body,
                            bool idempotent);
  Status Failure(const HttpResponse& r, const std::string& what) const;
  Result<Doc> Parse(const HttpResponse& r, const std::string& what, bool want_array) const;
  /// GET that must answer 200 with a JSON array or object.
  Result<Doc> GetJson(const std::string& url, const std::string& what, bool want_array);

  Result<bool> TrackingInExtension(const std::string& order_id, const std::string& number);
  Result<bool> TrackingInNotes(const std::string& order_id, const std::string& number);
  /// POSTs to the Shipment Tracking extension; false when it is not installed.
  Result<bool> PostExtensionTracking(const TrackingUpload& upload);
  Status PostNote(const TrackingUpload& upload);
  /// The product or variation to update for `sku`, or `problem` for this SKU
  /// alone; a failed status when nothing else would work either.
  Result<Target> Resolve(const std::string& sku, std::string& problem);

  std::string base_;
  SecretRef key_, secret_;
  bool notes_;                     ///< [api].tracking = order_note
  bool extension_absent_ = false;  ///< the store answered rest_no_route for Shipment Tracking
  bool query_auth_ = false;        ///< the server strips Authorization: credentials in the query
  /// The Shipment Tracking providers the store knows (read once per run);
  /// empty when the store could not list them.
  std::optional<std::vector<std::string>> providers_;
  std::optional<StoreZone> store_zone_;  ///< StoreTimeZone's answer, once asked
  HttpClient& http_;
  SecretResolver& secrets_;
  std::map<std::string, Target> targets_;  ///< SKU -> resolved target (this connector's life)
};

std::string ErrorCode(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return "";
  return Text(&doc, "code");
}

/// A 2xx answer to a write that is not the API's JSON (a maintenance page
/// served with 200): the write most likely never happened, so it must not
/// count as done — Transient, and the caller checks again next time.
std::optional<Status> NotJson(const HttpResponse& r, const std::string& what) {
  if (connector_util::IsJsonAnswer(r.Header("Content-Type"), r.body)) return std::nullopt;
  return Status::Transient(
      "WooCommerce answered " + what + " with HTTP " + std::to_string(r.status) +
      " but not JSON (not counted as done): " + connector_util::OneLineExcerpt(r.body, 120));
}

Result<HttpResponse> WooCommerceCart::Send(const char* method, const std::string& url,
                                           std::string body, bool idempotent) {
  auto key = secrets_.Resolve(key_);
  if (!key.ok()) return Status::Permanent("WooCommerce consumer_key: " + key.status().message());
  auto secret = secrets_.Resolve(secret_);
  if (!secret.ok()) {
    return Status::Permanent("WooCommerce consumer_secret: " + secret.status().message());
  }
  const std::string basic = Base64(key.value() + ":" + secret.value());
  HttpRequest request;
  request.method = method;
  request.url = url;
  request.idempotent = idempotent;
  request.headers.emplace_back("Accept", "application/json");
  if (!body.empty()) {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = std::move(body);
  }
  // Basic over HTTPS; query-string credentials once the server has shown it
  // strips Authorization (QueryAuthNeeded). The URL then holds them:
  // HttpClient redacts consumer_key/consumer_secret in whatever it reports.
  const auto with_query = [&](std::string u) {
    return u + (u.find('?') == std::string::npos ? "?" : "&") +
           "consumer_key=" + UrlEncode(key.value()) +
           "&consumer_secret=" + UrlEncode(secret.value());
  };
  if (query_auth_)
    request.url = with_query(url);
  else
    request.headers.emplace_back("Authorization", "Basic " + basic);
  Result<HttpResponse> result = http_.Send(request);
  if (!query_auth_ && result.ok() && woocommerce::QueryAuthNeeded(result->status, result->body)) {
    // Rejected before anything was done (even a POST): the same request
    // again with the credentials in the query, and so on for this run.
    query_auth_ = true;
    request.url = with_query(url);
    request.headers.pop_back();  // the Authorization header, added last
    result = http_.Send(request);
  }
  const std::string key_q = UrlEncode(key.value()), secret_q = UrlEncode(secret.value());
  // Credentials shorter than 3 bytes would garble the text: left as they are.
  const auto scrub = [&](std::string& text) {
    connector_util::ScrubSecrets(text, {basic, secret.value(), key.value(), secret_q, key_q},
                                 /*min_length=*/3);
  };
  if (!result.ok()) {
    std::string message = result.status().message();
    scrub(message);
    return Status(result.status().code(), std::move(message));
  }
  scrub(result.value().body);
  return result;
}

Status WooCommerceCart::Failure(const HttpResponse& r, const std::string& what) const {
  std::string detail;
  rapidjson::Document doc;
  doc.Parse(r.body.data(), r.body.size());
  if (!doc.HasParseError() && doc.IsObject() && Member(&doc, "message") != nullptr) {
    detail = Excerpt(Text(&doc, "message"));
    const std::string code = Text(&doc, "code");
    if (!code.empty()) detail += " [" + Excerpt(code) + "]";
  } else {
    detail = Excerpt(r.body);
  }
  const std::string suffix = detail.empty() ? "" : ": " + detail;
  if (r.status == 401) {
    return Status::Permanent("WooCommerce rejected the API keys (HTTP 401) on " + what + suffix);
  }
  std::string message =
      "WooCommerce answered HTTP " + std::to_string(r.status) + " to " + what + suffix;
  if (r.status == 403) message += " (the API key needs Read/Write permission)";
  if (r.status >= 300 && r.status < 400) {
    const std::string location = r.Header("Location");
    message += " (redirected" + (location.empty() ? std::string() : " to " + RedactUrl(location)) +
               "; check [api].store_url)";
  }
  if (r.status == 404) return Status::NotFound(message);
  return Status::Permanent(message);
}

Result<WooCommerceCart::Doc> WooCommerceCart::Parse(const HttpResponse& r, const std::string& what,
                                                    bool want_array) const {
  auto doc = std::make_shared<rapidjson::Document>();
  doc->Parse(r.body.data(), r.body.size());
  if (doc->HasParseError()) {
    return Status::Permanent("WooCommerce answered " + what +
                             " with malformed JSON: " + Excerpt(r.body));
  }
  if (want_array ? !doc->IsArray() : !doc->IsObject()) {
    return Status::Permanent("WooCommerce answered " + what + " with " +
                             (want_array ? "something other than a JSON array: "
                                         : "something other than a JSON object: ") +
                             Excerpt(r.body));
  }
  return doc;
}

Result<WooCommerceCart::Doc> WooCommerceCart::GetJson(const std::string& url,
                                                      const std::string& what, bool want_array) {
  auto r = Send("GET", url, "", true);
  if (!r.ok()) return r.status();
  if (r->status != 200) return Failure(r.value(), what);
  return Parse(r.value(), what, want_array);
}

// --- orders -----------------------------------------------------------------

bool ReadAddress(const Value* a, Address& out) {
  if (a == nullptr || !a->IsObject()) return false;
  out.name = JoinName(Text(a, "first_name"), Text(a, "last_name"));
  out.company = Text(a, "company");
  out.address1 = Text(a, "address_1");
  out.address2 = Text(a, "address_2");
  out.city = Text(a, "city");
  out.region = Text(a, "state");
  out.postal_code = Text(a, "postcode");
  out.country = Text(a, "country");
  out.phone = Text(a, "phone");
  return !out.name.empty() || !out.address1.empty() || !out.city.empty() || !out.company.empty();
}

bool ReadOrder(const Value& o, CartOrder& out, std::string& error) {
  if (!o.IsObject()) {
    error = "an order is not a JSON object";
    return false;
  }
  out.id = Text(&o, "id");
  if (out.id.empty()) {
    error = "an order has no id";
    return false;
  }
  out.order_number = Text(&o, "number");
  if (out.order_number.empty()) out.order_number = out.id;
  out.placed_at = GmtToIso(Text(&o, "date_created_gmt"));
  out.updated_at = GmtToIso(Text(&o, "date_modified_gmt"));
  if (out.updated_at.empty()) out.updated_at = out.placed_at;
  out.status = Text(&o, "status");
  out.canceled = out.status == "cancelled";

  const Value* billing = Member(&o, "billing");
  if (!ReadAddress(Member(&o, "shipping"), out.ship_to)) {
    // No shipping address at all (a store that ships to the billing
    // address, or a virtual order): the billing address is the best there is.
    Address billing_address;
    if (ReadAddress(billing, billing_address)) out.ship_to = billing_address;
  }
  if (out.ship_to.phone.empty()) out.ship_to.phone = Text(billing, "phone");
  out.ship_to.email = Text(billing, "email");

  const Value* shipping_lines = Member(&o, "shipping_lines");
  if (shipping_lines != nullptr && shipping_lines->IsArray() && !shipping_lines->Empty()) {
    out.ship_code = Text(&(*shipping_lines)[0], "method_title");
  }

  // Money (wms-contract.md "Money"). Line subtotal/total are the line before
  // and after discounts, both without tax whatever prices_include_tax says
  // (WooCommerce stores line amounts net); they come with the `dp` decimals
  // FetchOrders asks for, so no 2-decimal rounding reaches the document.
  const order_money::Money money(Text(&o, "currency"));
  out.money.currency = money.currency();
  out.money.taxes_included = false;
  std::optional<int64_t> subtotal = 0;
  out.money.totals.shipping = money.Text(Text(&o, "shipping_total"));
  out.money.totals.discount = money.Text(Text(&o, "discount_total"));
  out.money.totals.tax = money.Text(Text(&o, "total_tax"));
  out.money.totals.total = money.Text(Text(&o, "total"));

  const Value* items = Member(&o, "line_items");
  if (items != nullptr && items->IsArray()) {
    for (const Value& li : items->GetArray()) {
      if (!li.IsObject()) {
        error = "order " + out.id + " has a line item that is not a JSON object";
        return false;
      }
      OrderLine line;
      line.line_key = Text(&li, "id");
      line.sku = Text(&li, "sku");
      if (!Int(&li, "quantity", line.quantity)) {
        error = "order " + out.id + " line " + line.line_key + " has no integer quantity";
        return false;
      }
      // Strings only: `price` (a JSON float) would go through a double.
      const std::string list_total = Text(&li, "subtotal");
      const std::optional<int64_t> before = money.Minor(list_total);
      const std::optional<int64_t> after = money.Minor(Text(&li, "total"));
      money.SetLineMinor(line, money.UnitFromTotal(list_total, line.quantity),
                         before && after ? std::optional<int64_t>(*before - *after) : std::nullopt,
                         money.Minor(Text(&li, "total_tax")), line.quantity);
      order_money::Accumulate(subtotal, before);
      out.lines.push_back(std::move(line));
    }
  }
  out.money.totals.subtotal = order_money::MinorOrEmpty(subtotal);
  return true;
}

// The site's zone from the WordPress REST index (GET /wp-json/:
// timezone_string, "" when the site is set to a manual UTC offset, then
// gmt_offset in hours, e.g. -5 or 5.5). WooCommerce has no zone of its own.
Result<StoreZone> WooCommerceCart::StoreTimeZone() {
  if (store_zone_) return *store_zone_;
  auto doc = GetJson(base_ + "/wp-json/", "GET /wp-json/ (the site's time zone)", false);
  if (!doc.ok()) return doc.status();
  StoreZone z;
  z.iana = Text(doc.value().get(), "timezone_string");
  z.source = "WordPress timezone_string";
  if (z.iana.empty()) {
    const std::string offset = Text(doc.value().get(), "gmt_offset");
    Decimal hours;
    int64_t seconds = 0;
    if (!ParseDecimal(offset, hours) || hours.units > 24 * 100000 || hours.units < -24 * 100000 ||
        !ToMinor(Decimal{hours.units * 3600, hours.scale}, 0, seconds))
      return Status::Permanent(
          "WooCommerce GET /wp-json/: neither timezone_string nor a gmt_offset (" +
          Excerpt(offset) + ")");
    z.utc_offset_s = seconds;
    z.source = "WordPress gmt_offset " + offset;
  }
  store_zone_ = z;
  return z;
}

Status WooCommerceCart::FetchOrders(const OrderWindow& window,
                                    const std::function<Status(std::vector<CartOrder>&&)>& sink) {
  // Anchored windows, not offset pages: WooCommerce pages by offset
  // (`page`), so an order that leaves the status filter during the fetch
  // (completed by us or by the merchant) would shift every later page and
  // another order would be skipped for good. Instead each request asks for
  // page 1 of the orders created at or after the newest creation time seen
  // so far (`after` = that second minus one, `orderby=date&order=asc`): an
  // order leaving the filter is older than the anchor and shifts nothing
  // that is still to come; the orders of the anchor's own second come again
  // and are dropped as seen. Only a full page created within one second
  // cannot move the anchor: then the next page of that same window is read.
  std::string filter;
  if (auto it = window.statuses.find("status");
      it != window.statuses.end() && !it->second.empty()) {
    filter += "status=";
    for (size_t i = 0; i < it->second.size(); ++i) {
      if (i > 0) filter += ",";
      filter += UrlEncode(it->second[i]);
    }
    // Cancellations: a later pull (modified_after) also asks for the orders
    // canceled since, whatever the status filter, so an order canceled
    // after it was downloaded is seen (CartOrder::canceled). The first pull
    // leaves them out: an order canceled before we saw it needs nothing.
    const auto& wanted = it->second;
    if (window.updated_after &&
        std::find(wanted.begin(), wanted.end(), "cancelled") == wanted.end())
      filter += ",cancelled";
    filter += "&";
  }
  // `after` / `modified_after` are exclusive; the window is inclusive.
  if (window.updated_after) {
    filter += "modified_after=" + UrlEncode(FormatIsoUtc(*window.updated_after - 1)) + "&";
  }
  // Compare with the GMT dates: our bounds are UTC, the store's zone is not.
  filter += "dates_are_gmt=true&";

  std::optional<int64_t> anchor = window.created_after;  // inclusive, unix seconds
  std::set<std::string> seen;                            // the anchor's second is read again
  int page = 1;
  for (int request = 1;; ++request) {
    if (request > kMaxPages) {
      return Status::Permanent("WooCommerce GET orders: more than " + std::to_string(kMaxPages) +
                               " pages; stopping (is `after` ignored?)");
    }
    std::string query = filter;
    if (anchor) query += "after=" + UrlEncode(FormatIsoUtc(*anchor - 1)) + "&";
    const std::string what = "GET orders (" +
                             (anchor ? "created from " + FormatIsoUtc(*anchor) + ", " : "") +
                             "page " + std::to_string(page) + ")";
    auto r = Send("GET",
                  Api("orders?" + query + "per_page=" + std::to_string(kPerPage) +
                      "&page=" + std::to_string(page) +
                      "&orderby=date&order=asc&dp=" + std::to_string(kAmountDecimals)),
                  "", true);
    if (!r.ok()) return r.status();
    if (r->status != 200) return Failure(r.value(), what);
    auto doc = Parse(r.value(), what, /*want_array=*/true);
    if (!doc.ok()) return doc.status();
    const Value& list = *doc.value();
    std::vector<CartOrder> orders;
    orders.reserve(list.Size());
    std::optional<int64_t> newest;  // creation time of the page's last order
    for (const Value& o : list.GetArray()) {
      CartOrder order;
      std::string error;
      if (!ReadOrder(o, order, error)) {
        return Status::Permanent("WooCommerce " + what + ": " + error);
      }
      int64_t created = 0;
      newest =
          ParseTimestamp(order.placed_at, created) ? std::optional<int64_t>(created) : std::nullopt;
      if (!seen.insert(order.id).second) continue;
      orders.push_back(std::move(order));
    }
    const size_t count = list.Size();
    if (!orders.empty()) {
      Status st = sink(std::move(orders));
      if (!st.ok()) return st;
    }
    if (count == 0) break;
    int64_t total_pages = 0;
    if (ParseCount(r->Header("X-WP-TotalPages"), total_pages)) {
      if (page >= total_pages) break;
    } else if (count < static_cast<size_t>(kPerPage)) {
      break;  // no header: a short page is the last
    }
    if (newest && (!anchor || *newest > *anchor)) {
      anchor = newest;  // the next window starts at the newest order seen
      page = 1;
    } else {
      ++page;  // a whole page within the anchor's second (or no readable date)
    }
  }
  return Status::Ok();
}

// --- tracking ---------------------------------------------------------------

Result<bool> WooCommerceCart::TrackingInExtension(const std::string& order_id,
                                                  const std::string& number) {
  const std::string what = "GET shipment-trackings of order " + order_id;
  auto r = Send("GET", TrackingUrl(order_id), "", true);
  if (!r.ok()) return r.status();
  if (r->status == 404 && ErrorCode(r->body) == "rest_no_route") {
    extension_absent_ = true;
    return TrackingInNotes(order_id, number);
  }
  if (r->status != 200) return Failure(r.value(), what);
  auto doc = Parse(r.value(), what, /*want_array=*/true);
  if (!doc.ok()) return doc.status();
  for (const Value& t : doc.value()->GetArray()) {
    if (Text(&t, "tracking_number") == number) return true;
  }
  return false;
}

Result<bool> WooCommerceCart::TrackingInNotes(const std::string& order_id,
                                              const std::string& number) {
  auto doc = GetJson(Api("orders/" + UrlEncode(order_id) + "/notes"),
                     "GET orders/" + order_id + "/notes", /*want_array=*/true);
  if (!doc.ok()) return doc.status();
  for (const Value& note : doc.value()->GetArray()) {
    if (woocommerce::ContainsToken(Text(&note, "note"), number)) return true;
  }
  return false;
}

Result<bool> WooCommerceCart::HasTracking(const std::string& order_id,
                                          const std::string& tracking_number) {
  if (order_id.empty() || tracking_number.empty()) {
    return Status::Permanent("WooCommerce tracking check needs an order id and a tracking number");
  }
  if (notes_ || extension_absent_) return TrackingInNotes(order_id, tracking_number);
  return TrackingInExtension(order_id, tracking_number);
}

Result<bool> WooCommerceCart::PostExtensionTracking(const TrackingUpload& upload) {
  // The extension needs a provider it knows; any other goes as a custom
  // provider (with a link when one is known). The list is read once a run.
  if (!providers_) {
    auto r = Send("GET", TrackingUrl(upload.order_id) + "/providers", "", true);
    if (!r.ok()) return r.status();
    providers_.emplace();
    if (r->status == 200) *providers_ = woocommerce::ProviderNames(r->body);
  }
  // A known one goes as the cart's code: the extension compares slugs
  // ("ups" is its "UPS"). An empty list (not readable): the code as it is.
  const std::string& provider = upload.carrier_code;
  const bool custom = !providers_->empty() && !provider.empty() &&
                      woocommerce::KnownProvider(*providers_, provider).empty();
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  if (custom) {
    w.Key("custom_tracking_provider");
    WriteString(w, provider);
    const std::string link = woocommerce::TrackingLink(provider, upload.shipment.tracking_number);
    if (!link.empty()) {
      w.Key("custom_tracking_link");
      WriteString(w, link);
    }
  } else {
    w.Key("tracking_provider");
    WriteString(w, provider);
  }
  w.Key("tracking_number");
  WriteString(w, upload.shipment.tracking_number);
  int64_t shipped = 0;
  if (ParseTimestamp(upload.shipment.shipped_at, shipped)) {
    w.Key("date_shipped");
    WriteString(w, FormatIsoUtc(shipped).substr(0, 10));  // YYYY-MM-DD (UTC)
  }
  w.EndObject();
  // Not idempotent: after a timeout the caller re-checks before trying again.
  auto r = Send("POST", TrackingUrl(upload.order_id), sb.GetString(), /*idempotent=*/false);
  if (!r.ok()) return r.status();
  if (r->status == 200 || r->status == 201) {
    auto bad = NotJson(r.value(), "POST shipment-trackings of order " + upload.order_id);
    if (bad) return *bad;
    return true;
  }
  if (r->status == 404 && ErrorCode(r->body) == "rest_no_route") {
    extension_absent_ = true;
    return false;
  }
  return Failure(r.value(), "POST shipment-trackings of order " + upload.order_id);
}

Status WooCommerceCart::PostNote(const TrackingUpload& upload) {
  std::string text = upload.carrier_code.empty() ? "Shipped" : "Shipped via " + upload.carrier_code;
  text += ", tracking " + upload.shipment.tracking_number;
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("note");
  WriteString(w, text);
  w.Key("customer_note");
  w.Bool(false);
  w.EndObject();
  auto r = Send("POST", Api("orders/" + UrlEncode(upload.order_id) + "/notes"), sb.GetString(),
                /*idempotent=*/false);
  if (!r.ok()) return r.status();
  if (r->status == 200 || r->status == 201) {
    auto bad = NotJson(r.value(), "POST orders/" + upload.order_id + "/notes");
    return bad ? *bad : Status::Ok();
  }
  return Failure(r.value(), "POST orders/" + upload.order_id + "/notes");
}

Status WooCommerceCart::UploadTracking(const TrackingUpload& upload) {
  const std::string& number = upload.shipment.tracking_number;
  auto present = HasTracking(upload.order_id, number);
  if (!present.ok()) return present.status();
  if (!present.value()) {
    bool posted = false;
    if (!notes_ && !extension_absent_) {
      auto r = PostExtensionTracking(upload);
      if (!r.ok()) return r.status();
      posted = r.value();
    }
    if (!posted) {
      Status st = PostNote(upload);
      if (!st.ok()) return st;
    }
  }
  // Idempotent, and done even when the number was already there: a run that
  // stopped between the two requests completes the order now.
  return FinishTracking(upload);
}

Status WooCommerceCart::FinishTracking(const TrackingUpload& upload) {
  // Part of the order is still to ship: it stays as it is (the tracking is
  // on it); the shipment that completes it completes the order.
  if (!upload.completes_order) return Status::Ok();
  auto r =
      Send("PUT", Api("orders/" + UrlEncode(upload.order_id)), R"({"status":"completed"})", true);
  if (!r.ok()) return r.status();
  if (r->status != 200 && r->status != 201)
    return Failure(r.value(), "PUT orders/" + upload.order_id);
  auto bad = NotJson(r.value(), "PUT orders/" + upload.order_id);
  return bad ? *bad : Status::Ok();
}

// --- inventory --------------------------------------------------------------

/// The element of `list` whose sku is `sku` (exact first, then ignoring case
/// as the store's own lookups do); nullptr when none. Never "the first one":
/// a store that ignored the filter would otherwise get the wrong product.
const Value* FindBySku(const Value& list, const std::string& sku) {
  if (!list.IsArray()) return nullptr;
  for (const Value& p : list.GetArray())
    if (Text(&p, "sku") == sku) return &p;
  for (const Value& p : list.GetArray())
    if (EqualsIgnoreCase(Text(&p, "sku"), sku)) return &p;
  return nullptr;
}

/// "" when the product's stock is managed; else why not.
std::string StockProblem(const Value& p) {
  const Value* manage = Member(&p, "manage_stock");
  if (manage != nullptr && manage->IsBool() && manage->GetBool()) return "";
  if (manage != nullptr && manage->IsString() &&
      std::string_view(manage->GetString()) == "parent") {
    return "stock not managed (the variation uses its parent product's stock)";
  }
  return "stock not managed";
}

Result<Target> WooCommerceCart::Resolve(const std::string& sku, std::string& problem) {
  if (auto it = targets_.find(sku); it != targets_.end()) return it->second;
  if (sku.empty()) {
    problem = "empty SKU";
    return Target{};
  }
  // Per-SKU answers other than 401 are that SKU's problem only.
  auto lookup = [&](const std::string& path, const std::string& what) -> Result<Doc> {
    auto r = Send("GET", Api(path), "", true);
    if (!r.ok()) return r.status();
    if (r->status == 401) return Failure(r.value(), what);
    if (r->status != 200) {
      problem = Failure(r.value(), what).message();
      return Doc();
    }
    auto doc = Parse(r.value(), what, /*want_array=*/true);
    if (!doc.ok()) problem = doc.status().message();
    return doc.ok() ? doc.value() : Doc();
  };

  auto products = lookup("products?sku=" + UrlEncode(sku), "GET products?sku=" + sku);
  if (!products.ok()) return products.status();
  if (!products.value()) return Target{};
  const Value& list = *products.value();

  const Value* found = FindBySku(list, sku);
  // A variable product: either its own SKU matched, or the store answered
  // with the parent of the variation that has this SKU. Look among its
  // variations first.
  std::vector<const Value*> parents;
  if (found != nullptr && Text(found, "type") == "variable") parents.push_back(found);
  if (found == nullptr) {
    for (const Value& p : list.GetArray())
      if (Text(&p, "type") == "variable") parents.push_back(&p);
  }
  for (const Value* parent : parents) {
    int64_t parent_id = 0;
    if (!Int(parent, "id", parent_id)) continue;
    auto variations =
        lookup("products/" + std::to_string(parent_id) + "/variations?sku=" + UrlEncode(sku),
               "GET products/" + std::to_string(parent_id) + "/variations?sku=" + sku);
    if (!variations.ok()) return variations.status();
    if (!variations.value()) return Target{};
    if (const Value* v = FindBySku(*variations.value(), sku)) {
      Target t;
      if (!Int(v, "id", t.id)) {
        problem = "WooCommerce variation for this SKU has no id";
        return Target{};
      }
      t.parent = parent_id;
      problem = StockProblem(*v);
      if (problem.empty()) targets_[sku] = t;
      return t;
    }
  }
  if (found == nullptr) {
    problem = woocommerce::kSkuNotFound;
    return Target{};
  }
  Target t;
  if (!Int(found, "id", t.id)) {
    problem = "WooCommerce product for this SKU has no id";
    return Target{};
  }
  if (Text(found, "type") == "variation") {
    // Stores whose products?sku= also finds variations answer with the
    // variation itself.
    if (!Int(found, "parent_id", t.parent) || t.parent <= 0) {
      problem = "WooCommerce variation for this SKU has no parent_id";
      return Target{};
    }
  }
  problem = StockProblem(*found);
  if (problem.empty()) targets_[sku] = t;
  return t;
}

Result<std::vector<PushError>> WooCommerceCart::PushInventory(
    const std::vector<InventoryPush>& items) {
  struct Pending {
    std::string sku;
    int64_t id = 0, quantity = 0;
  };
  std::vector<PushError> errors;
  std::map<int64_t, std::vector<Pending>> groups;  // parent (0 = products) -> updates
  for (const InventoryPush& item : items) {
    std::string problem;
    auto target = Resolve(item.sku, problem);
    if (!target.ok()) return target.status();
    if (!problem.empty()) {
      errors.push_back({item.sku, problem, problem == woocommerce::kSkuNotFound});
      continue;
    }
    groups[target->parent].push_back({item.sku, target->id, item.quantity});
  }

  for (const auto& [parent, updates] : groups) {
    const std::string path =
        parent == 0 ? "products/batch" : "products/" + std::to_string(parent) + "/variations/batch";
    for (size_t start = 0; start < updates.size(); start += kBatchSize) {
      const size_t end = std::min(updates.size(), start + kBatchSize);
      std::map<int64_t, std::string> sku_of;
      rapidjson::StringBuffer sb;
      JsonWriter w(sb);
      w.StartObject();
      w.Key("update");
      w.StartArray();
      for (size_t i = start; i < end; ++i) {
        w.StartObject();
        w.Key("id");
        w.Int64(updates[i].id);
        w.Key("stock_quantity");
        w.Int64(updates[i].quantity);
        w.EndObject();
        sku_of[updates[i].id] = updates[i].sku;
      }
      w.EndArray();
      w.EndObject();
      const std::string what = "POST " + path + " (" + std::to_string(end - start) + " items)";
      // Absolute quantities: safe to repeat.
      auto r = Send("POST", Api(path), sb.GetString(), /*idempotent=*/true);
      if (!r.ok()) return r.status();
      if (r->status == 401) return Failure(r.value(), what);
      if (r->status != 200 && r->status != 201) {
        const std::string message = Failure(r.value(), what).message();
        for (size_t i = start; i < end; ++i) errors.push_back({updates[i].sku, message});
        continue;
      }
      auto doc = Parse(r.value(), what, /*want_array=*/false);
      if (!doc.ok()) {
        for (size_t i = start; i < end; ++i)
          errors.push_back({updates[i].sku, doc.status().message()});
        continue;
      }
      const Value* results = Member(doc.value().get(), "update");
      if (results == nullptr || !results->IsArray()) continue;
      for (const Value& result : results->GetArray()) {
        const Value* error = Member(&result, "error");
        if (error == nullptr || !error->IsObject()) continue;
        int64_t id = 0;
        Int(&result, "id", id);
        auto it = sku_of.find(id);
        std::string message = Excerpt(Text(error, "message"));
        const std::string code = Text(error, "code");
        if (!code.empty()) message += " [" + Excerpt(code) + "]";
        message = "WooCommerce rejected the stock update: " + message;
        if (it != sku_of.end()) {
          errors.push_back({it->second, message});
          targets_.erase(it->second);  // looked up afresh next time
        } else if (end - start == 1) {
          errors.push_back({updates[start].sku, message});
        } else {
          errors.push_back({"", message + " (item id " + std::to_string(id) + ")"});
        }
      }
    }
  }
  return errors;
}

// One authenticated GET (GET orders?per_page=1): the keys are accepted. A
// key's Read/Write permission is not readable without writing.
Result<AccessCheck> WooCommerceCart::CheckAccess(const std::vector<Service>& services) {
  auto doc = GetJson(Api("orders?per_page=1"), "GET orders?per_page=1", /*want_array=*/true);
  if (!doc.ok()) return doc.status();
  AccessCheck a;
  a.checked = true;
  const bool writes = std::any_of(services.begin(), services.end(),
                                  [](Service s) { return s != Service::OrderDownload; });
  a.note = std::string("WooCommerce accepted the API keys (GET orders)") +
           (writes ? "; shipment_upload and inventory_upload need a key with Read/Write "
                     "permission, which cannot be checked without writing"
                   : "");
  return a;
}

// GET products, 100 a page: the products' SKUs (variations of variable
// products are not listed: one more request per product).
Result<CatalogSkus> WooCommerceCart::CartSkus(int max_pages) {
  CatalogSkus c;
  c.listed = true;
  c.note = "simple products' SKUs; variations of variable products are not listed";
  std::set<std::string> skus;
  for (int page = 1;; ++page) {
    if (page > max_pages) {
      c.complete = false;
      break;
    }
    const std::string path = "products?per_page=100&page=" + std::to_string(page);
    auto doc = GetJson(Api(path), "GET " + path, /*want_array=*/true);
    if (!doc.ok()) return doc.status();
    for (const Value& p : doc.value()->GetArray())
      if (std::string sku = Text(&p, "sku"); !sku.empty()) skus.insert(sku);
    if (doc.value()->Size() < 100) break;  // a short page is the last
  }
  c.skus.assign(skus.begin(), skus.end());
  return c;
}

}  // namespace

Result<std::unique_ptr<CartConnector>> MakeWooCommerceCart(const CartConfig& cart,
                                                           const ConnectorDeps& deps) {
  const std::string where = "cart \"" + cart.id + "\" (WooCommerce)";
  if (deps.http == nullptr || deps.secrets == nullptr) {
    return Status::Permanent(where + ": no HTTP client or secret resolver");
  }
  std::string field = "base_url";
  const FieldValue* url = Field(cart, "base_url");
  if (url == nullptr || url->text.empty()) {
    field = "store_url";
    url = Field(cart, "store_url");
  }
  if (url == nullptr || url->text.empty())
    return Status::Permanent(where + ": [api].store_url is not set");
  Status st = CheckBaseUrl(url->text, field);
  if (!st.ok()) return Status::Permanent(where + ": " + st.message());
  std::string base = url->text;
  while (!base.empty() && base.back() == '/') base.pop_back();

  auto key = connector_util::RequiredSecret(cart, "consumer_key", where);
  if (!key.ok()) return key.status();
  auto secret = connector_util::RequiredSecret(cart, "consumer_secret", where);
  if (!secret.ok()) return secret.status();
  const FieldValue* tracking = Field(cart, "tracking");
  const std::string mode =
      tracking == nullptr || tracking->text.empty() ? "shipment_tracking" : tracking->text;
  if (mode != "shipment_tracking" && mode != "order_note") {
    return Status::Permanent(
        where + ": [api].tracking must be shipment_tracking or order_note, not \"" + mode + "\"");
  }
  return std::unique_ptr<CartConnector>(
      std::make_unique<WooCommerceCart>(std::move(base), key.value(), secret.value(),
                                        mode == "order_note", *deps.http, *deps.secrets));
}

}  // namespace cartsync

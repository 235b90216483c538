// Simulator helpers: PRNG, dates, strings, and the model's small methods.
#include <strings.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

#include "tools/simulator/sim_internal.h"

namespace cartsync::sim::detail {

// ---- Rng ----------------------------------------------------------------------

uint64_t Rng::Next() {
  uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

int64_t Rng::Range(int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
  return lo + static_cast<int64_t>(Next() % span);
}

double Rng::Real() { return static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0); }

size_t Rng::Weighted(const std::vector<int>& weights) {
  int64_t total = 0;
  for (int w : weights) total += std::max(0, w);
  if (total <= 0) return 0;
  int64_t pick = Range(0, total - 1);
  for (size_t i = 0; i < weights.size(); ++i) {
    pick -= std::max(0, weights[i]);
    if (pick < 0) return i;
  }
  return weights.size() - 1;
}

uint64_t HashString(std::string_view text, uint64_t seed) {
  uint64_t h = seed;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001B3ull;
  }
  // a final avalanche so that similar strings give unrelated seeds
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

// ---- dates --------------------------------------------------------------------

namespace {

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

struct Civil {
  int64_t year;
  unsigned month, day, hour, minute, second, weekday;  // weekday 0 = Sunday
};

Civil ToCivil(int64_t epoch) {
  int64_t days = epoch >= 0 ? epoch / 86400 : (epoch - 86399) / 86400;
  int64_t rem = epoch - days * 86400;
  Civil c{};
  CivilFromDays(days, &c.year, &c.month, &c.day);
  c.hour = static_cast<unsigned>(rem / 3600);
  c.minute = static_cast<unsigned>(rem % 3600 / 60);
  c.second = static_cast<unsigned>(rem % 60);
  c.weekday = static_cast<unsigned>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
  return c;
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
const char* const kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

bool ValidDate(int y, int m, int d) {
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap);
}

}  // namespace

bool ParseIso(std::string_view text, int64_t* epoch_seconds, int default_offset_minutes) {
  std::string_view s = Trim(text);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!Digits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &d) || !ValidDate(y, mo, d))
    return false;
  size_t pos = 10;
  int offset = default_offset_minutes;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return false;
    ++pos;
    if (!Digits(s, pos, 2, &h) || pos + 2 >= s.size() || s[pos + 2] != ':' ||
        !Digits(s, pos + 3, 2, &mi))
      return false;
    pos += 5;
    if (pos < s.size() && s[pos] == ':') {
      if (!Digits(s, pos + 1, 2, &sec)) return false;
      pos += 3;
      if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        ++pos;
        size_t start = pos;
        while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
        if (pos == start) return false;
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return false;
    if (pos < s.size()) {
      char z = s[pos];
      if ((z == 'Z' || z == 'z') && pos + 1 == s.size()) {
        offset = 0;
      } else if (z == '+' || z == '-') {
        int oh = 0, om = 0;
        if (!Digits(s, pos + 1, 2, &oh)) return false;
        size_t p = pos + 3;
        if (p < s.size() && s[p] == ':') ++p;
        if (p < s.size()) {
          if (!Digits(s, p, 2, &om) || p + 2 != s.size()) return false;
        }
        if (oh > 23 || om > 59) return false;
        offset = (z == '-' ? -1 : 1) * (oh * 60 + om);
      } else {
        return false;
      }
    }
  }
  *epoch_seconds = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
                   h * 3600 + mi * 60 + sec - static_cast<int64_t>(offset) * 60;
  return true;
}

bool ParseRfc2822(std::string_view text, int64_t* epoch_seconds) {
  std::string_view s = Trim(text);
  size_t comma = s.find(',');
  if (comma != std::string_view::npos) s = Trim(s.substr(comma + 1));
  // DD Mon YYYY HH:MM[:SS] ZONE
  std::vector<std::string_view> parts;
  while (!s.empty()) {
    size_t sp = s.find(' ');
    parts.push_back(s.substr(0, sp));
    if (sp == std::string_view::npos) break;
    s = Trim(s.substr(sp + 1));
  }
  if (parts.size() < 4 || parts.size() > 5) return false;
  int d = 0, y = 0, mo = 0;
  if (parts[0].empty() || parts[0].size() > 2 || !Digits(parts[0], 0, parts[0].size(), &d))
    return false;
  for (int i = 0; i < 12; ++i)
    if (parts[1].size() == 3 && strncasecmp(parts[1].data(), kMonths[i], 3) == 0) mo = i + 1;
  if (mo == 0 || parts[2].size() != 4 || !Digits(parts[2], 0, 4, &y) || !ValidDate(y, mo, d))
    return false;
  std::string_view t = parts[3];
  int h = 0, mi = 0, sec = 0;
  if (!Digits(t, 0, 2, &h) || t.size() < 5 || t[2] != ':' || !Digits(t, 3, 2, &mi)) return false;
  if (t.size() == 8) {
    if (t[5] != ':' || !Digits(t, 6, 2, &sec)) return false;
  } else if (t.size() != 5) {
    return false;
  }
  int offset = 0;
  if (parts.size() == 5) {
    std::string_view z = parts[4];
    if (z == "GMT" || z == "UT" || z == "UTC" || z == "Z") {
      offset = 0;
    } else if ((z.size() == 5 && (z[0] == '+' || z[0] == '-')) || z.size() == 4) {
      // "0000" without a sign: a "+0000" whose '+' a query string turned into a space
      const size_t at = z.size() - 4;
      int oh = 0, om = 0;
      if (!Digits(z, at, 2, &oh) || !Digits(z, at + 2, 2, &om)) return false;
      offset = (at == 1 && z[0] == '-' ? -1 : 1) * (oh * 60 + om);
    } else {
      return false;
    }
  }
  if (h > 23 || mi > 59 || sec > 60) return false;
  *epoch_seconds = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
                   h * 3600 + mi * 60 + sec - static_cast<int64_t>(offset) * 60;
  return true;
}

bool ParseAnyDate(std::string_view text, int64_t* epoch_seconds, int default_offset_minutes) {
  return ParseIso(text, epoch_seconds, default_offset_minutes) || ParseRfc2822(text, epoch_seconds);
}

namespace {
std::string FormatLocal(int64_t epoch, int offset_minutes, const char* zone) {
  Civil c = ToCivil(epoch + static_cast<int64_t>(offset_minutes) * 60);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02u:%02u:%02u%s",
                static_cast<long long>(c.year), c.month, c.day, c.hour, c.minute, c.second, zone);
  return buf;
}
}  // namespace

std::string IsoUtc(int64_t epoch_seconds) { return FormatLocal(epoch_seconds, 0, "Z"); }

std::string IsoOffset(int64_t epoch_seconds, int offset_minutes) {
  char zone[24];
  int a = std::abs(offset_minutes) % (24 * 60);
  std::snprintf(zone, sizeof zone, "%c%02d:%02d", offset_minutes < 0 ? '-' : '+', a / 60, a % 60);
  return FormatLocal(epoch_seconds, offset_minutes, zone);
}

std::string IsoLocal(int64_t epoch_seconds, int offset_minutes) {
  return FormatLocal(epoch_seconds, offset_minutes, "");
}

std::string Rfc2822(int64_t epoch_seconds) {
  Civil c = ToCivil(epoch_seconds);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04lld %02u:%02u:%02u +0000", kWeekdays[c.weekday],
                c.day, kMonths[c.month - 1], static_cast<long long>(c.year), c.hour, c.minute,
                c.second);
  return buf;
}

std::string Money(int64_t cents, int decimals) {
  char buf[48];
  const char* sign = cents < 0 ? "-" : "";
  int64_t a = cents < 0 ? -cents : cents;
  std::snprintf(buf, sizeof buf, "%s%lld.%02lld", sign, static_cast<long long>(a / 100),
                static_cast<long long>(a % 100));
  std::string out = buf;
  for (int i = 2; i < decimals; ++i) out += '0';
  return out;
}

int CurrencyDecimals(std::string_view code) {
  for (std::string_view c : {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF",
                             "UGX", "VND", "VUV", "XAF", "XOF", "XPF"})
    if (code == c) return 0;
  for (std::string_view c : {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})
    if (code == c) return 3;
  return 2;
}

std::string Amount(int64_t minor, int exponent, int decimals) {
  const bool negative = minor < 0;
  uint64_t a = negative ? uint64_t{0} - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  for (int i = decimals; i < exponent; ++i) a = (a + 5) / 10;  // half up, one digit at a time
  std::string digits = std::to_string(a);
  const int shown = std::min(decimals, exponent);
  if (shown > 0) {
    if (digits.size() <= static_cast<size_t>(shown))
      digits.insert(0, static_cast<size_t>(shown) + 1 - digits.size(), '0');
    digits.insert(digits.size() - static_cast<size_t>(shown), ".");
  }
  if (decimals > exponent) {
    if (shown == 0) digits += '.';
    digits.append(static_cast<size_t>(decimals - exponent), '0');
  }
  return negative ? "-" + digits : digits;
}

// ---- JSON ----------------------------------------------------------------------

std::optional<std::string> JsonString(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject()) return std::nullopt;
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) return std::nullopt;
  if (it->value.IsString()) return std::string(it->value.GetString(), it->value.GetStringLength());
  if (it->value.IsInt64()) return std::to_string(it->value.GetInt64());
  return std::nullopt;
}

std::optional<int64_t> JsonInt(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject()) return std::nullopt;
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) return std::nullopt;
  if (it->value.IsInt64()) return it->value.GetInt64();
  if (it->value.IsDouble()) {
    double d = it->value.GetDouble();
    if (d == static_cast<double>(static_cast<int64_t>(d))) return static_cast<int64_t>(d);
    return std::nullopt;
  }
  if (it->value.IsString())
    return ToInt(std::string_view(it->value.GetString(), it->value.GetStringLength()));
  return std::nullopt;
}

// ---- Req -----------------------------------------------------------------------

const std::string* Req::Param(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return &v;
  return nullptr;
}

std::string Req::ParamOr(std::string_view name, std::string fallback) const {
  const std::string* v = Param(name);
  return v ? *v : fallback;
}

std::string Req::Header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  return "";
}

// ---- strings -------------------------------------------------------------------

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool IsDigits(std::string_view s) {
  return !s.empty() && s.size() <= 18 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<int64_t> ToInt(std::string_view s) {
  s = Trim(s);
  bool neg = !s.empty() && s[0] == '-';
  if (neg) s.remove_prefix(1);
  if (!IsDigits(s)) return std::nullopt;
  int64_t v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return neg ? -v : v;
}

std::vector<std::string> SplitComma(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find(',', i);
    if (j == std::string_view::npos) j = s.size();
    std::string_view part = Trim(s.substr(i, j - i));
    if (!part.empty()) out.emplace_back(part);
    i = j + 1;
  }
  return out;
}

std::string UrlEncode(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || u == '-' || u == '.' || u == '_' || u == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    }
  }
  return out;
}

std::string UrlDecode(std::string_view s, bool plus_as_space) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else if (s[i] == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t i = 0;
  while (i < query.size()) {
    size_t j = query.find('&', i);
    if (j == std::string_view::npos) j = query.size();
    std::string_view part = query.substr(i, j - i);
    if (!part.empty()) {
      size_t eq = part.find('=');
      if (eq == std::string_view::npos)
        out.emplace_back(UrlDecode(part, true), "");
      else
        out.emplace_back(UrlDecode(part.substr(0, eq), true), UrlDecode(part.substr(eq + 1), true));
    }
    i = j + 1;
  }
  return out;
}

std::string Base64Encode(std::string_view s, bool url_safe) {
  const char* table = url_safe ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                               : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (unsigned char c : s) {
    buf = (buf << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(table[(buf >> bits) & 0x3F]);
    }
  }
  if (bits > 0) out.push_back(table[(buf << (6 - bits)) & 0x3F]);
  if (!url_safe)
    while (out.size() % 4) out.push_back('=');
  return out;
}

std::optional<std::string> Base64Decode(std::string_view s) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : s) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+' || c == '-')
      v = 62;
    else if (c == '/' || c == '_')
      v = 63;
    else if (c == '=')
      break;
    else
      return std::nullopt;
    buf = (buf << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buf >> bits) & 0xFF));
    }
  }
  return out;
}

std::string Slug(std::string_view text) {
  std::string out;
  bool sep = false;
  for (unsigned char c : text) {
    if (std::isalnum(c)) {
      if (sep && !out.empty()) out.push_back('_');
      out.push_back(static_cast<char>(std::tolower(c)));
      sep = false;
    } else {
      sep = true;
    }
  }
  return out;
}

// ---- platforms -------------------------------------------------------------------

std::optional<Platform> ParsePlatform(std::string_view name) {
  if (name == "shopify") return Platform::kShopify;
  if (name == "woocommerce" || name == "woo") return Platform::kWoo;
  if (name == "bigcommerce" || name == "bc") return Platform::kBigCommerce;
  if (name == "amazon") return Platform::kAmazon;
  if (name == "ebay") return Platform::kEbay;
  if (name == "walmart") return Platform::kWalmart;
  if (name == "magento") return Platform::kMagento;
  return std::nullopt;
}

const char* PlatformName(Platform p) {
  switch (p) {
    case Platform::kShopify:
      return "shopify";
    case Platform::kWoo:
      return "woocommerce";
    case Platform::kBigCommerce:
      return "bigcommerce";
    case Platform::kAmazon:
      return "amazon";
    case Platform::kEbay:
      return "ebay";
    case Platform::kWalmart:
      return "walmart";
    case Platform::kMagento:
      return "magento";
  }
  return "?";
}

const char* PlatformPrefix(Platform p) {
  switch (p) {
    case Platform::kShopify:
      return "shopify";
    case Platform::kWoo:
      return "woo";
    case Platform::kBigCommerce:
      return "bigcommerce";
    case Platform::kAmazon:
      return "amazon";
    case Platform::kEbay:
      return "ebay";
    case Platform::kWalmart:
      return "walmart";
    case Platform::kMagento:
      return "magento";
  }
  return "?";
}

// ---- model -----------------------------------------------------------------------

int64_t Order::SubtotalCents() const {
  int64_t total = 0;
  for (const Line& l : lines) total += l.price_cents * l.quantity;
  return total;
}

int64_t Order::Shipped() const {
  int64_t n = 0;
  for (const Line& l : lines) n += l.shipped;
  return n;
}

int64_t Order::Ordered() const {
  int64_t n = 0;
  for (const Line& l : lines) n += l.quantity;
  return n;
}

Order* Store::FindOrder(int64_t id) {
  auto it = std::lower_bound(orders.begin(), orders.end(), id,
                             [](const Order& o, int64_t v) { return o.id < v; });
  return it != orders.end() && it->id == id ? &*it : nullptr;
}

Product* Store::FindProduct(int64_t product_id) {
  for (Product& p : products)
    if (p.product_id == product_id) return &p;
  return nullptr;
}

Product* Store::FindVariant(int64_t variant_id) {
  for (Product& p : products)
    if (p.variant_id == variant_id) return &p;
  return nullptr;
}

Product* Store::FindInventoryItem(int64_t inventory_item_id) {
  for (Product& p : products)
    if (p.inventory_item_id == inventory_item_id) return &p;
  return nullptr;
}

Product* Store::FindSku(std::string_view sku) {
  for (Product& p : products)
    if (p.sku == sku) return &p;
  return nullptr;
}

std::string OrderIdText(const Store& store, const Order& order) {
  if (store.platform == Platform::kAmazon) return AmazonOrderId(order.id);
  if (store.platform == Platform::kEbay) return EbayOrderId(order.id);
  return std::to_string(order.id);
}

void World::RecordTracking(const Store& store, const Order& order, std::string kind,
                           std::string tracking_number, std::string carrier, std::string body) {
  TrackingRecord r;
  r.seq = static_cast<int64_t>(tracking.size()) + 1;
  r.platform = PlatformName(store.platform);
  r.store = store.name;
  r.order_id = OrderIdText(store, order);
  r.kind = std::move(kind);
  r.tracking_number = std::move(tracking_number);
  r.carrier = std::move(carrier);
  r.body = std::move(body);
  r.at = IsoUtc(NowSeconds());
  tracking.push_back(std::move(r));
}

void World::RecordInventory(const Store& store, std::string location, std::string sku,
                            std::string item_id, int64_t value, bool known) {
  std::string key = std::string(PlatformName(store.platform)) + "|" + store.name + "|" + location +
                    "|" + (item_id.empty() ? "sku:" + sku : item_id);
  InventorySetRecord& r = inventory[key];
  r.platform = PlatformName(store.platform);
  r.store = store.name;
  r.location = std::move(location);
  r.sku = std::move(sku);
  r.item_id = std::move(item_id);
  r.value = value;
  r.known = known;
  ++r.sets;
  ++inventory_history;
}

void World::RecordStatus(const Store& store, const Order& order, std::string from, std::string to) {
  status_changes.push_back({PlatformName(store.platform), store.name, OrderIdText(store, order),
                            std::move(from), std::move(to)});
}

std::string World::FindIssuedTracking(std::string_view text) const {
  for (const ShipmentState& s : shipments)
    if (!s.issued.tracking_number.empty() &&
        text.find(s.issued.tracking_number) != std::string_view::npos)
      return s.issued.tracking_number;
  return "";
}

}  // namespace cartsync::sim::detail

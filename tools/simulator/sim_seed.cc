// Deterministic store generation: products, locations, orders, and the WMS
// catalog (stock and aliases) for the store's SKUs.
#include <algorithm>
#include <cctype>
#include <set>

#include "tools/simulator/sim_internal.h"

namespace cartsync::sim {

std::vector<StoreSeed> DemoSeeds(int orders, uint64_t seed) {
  std::vector<StoreSeed> seeds(3);
  StoreSeed& acme = seeds[0];
  acme.platform = "shopify";
  acme.name = "acme";
  acme.token = "demo-shopify-token";
  acme.client_id = "demo-shopify-client";
  acme.client_secret = "demo-shopify-client-secret";
  StoreSeed& bluebird = seeds[1];
  bluebird.platform = "woocommerce";
  bluebird.name = "bluebird";
  bluebird.consumer_key = "ck_demo";
  bluebird.consumer_secret = "cs_demo";
  StoreSeed& cedar = seeds[2];
  cedar.platform = "bigcommerce";
  cedar.name = "cedar";
  cedar.token = "demo-bc-token";
  StoreSeed harbor;  // eBay: the refresh token grant's credentials
  harbor.platform = "ebay";
  harbor.name = "harbor";
  harbor.client_id = "demo-ebay-client";
  harbor.client_secret = "demo-ebay-client-secret";
  harbor.token = "demo-ebay-refresh-token";
  seeds.push_back(harbor);
  StoreSeed harbor_amazon;  // Amazon: Login with Amazon's refresh token grant
  harbor_amazon.platform = "amazon";
  harbor_amazon.name = "harbor";
  harbor_amazon.client_id = "amzn1.application-oa2-client.harbor";
  harbor_amazon.client_secret = "demo-amazon-lwa-secret";
  harbor_amazon.token = "Atzr|demo-amazon-refresh";
  seeds.push_back(harbor_amazon);
  StoreSeed greenleaf;  // Magento: an integration token used as a bearer token
  greenleaf.platform = "magento";
  greenleaf.name = "greenleaf";
  greenleaf.token = "demo-magento-token";
  seeds.push_back(greenleaf);
  StoreSeed summit;  // Walmart: the client credentials grant (Basic id:secret)
  summit.platform = "walmart";
  summit.name = "summit";
  summit.client_id = "demo-walmart-client";
  summit.client_secret = "demo-walmart-client-secret";
  summit.sku_prefixes = {"SS"};
  seeds.push_back(summit);
  for (StoreSeed& s : seeds) {
    s.orders = orders;
    s.seed = seed;
  }
  return seeds;
}

namespace detail {
namespace {

struct Place {
  const char *city, *region_code, *region_name, *postal;
};
const Place kUs[] = {
    {"New York", "NY", "New York", "10001"},     {"Austin", "TX", "Texas", "78701"},
    {"Seattle", "WA", "Washington", "98101"},    {"Denver", "CO", "Colorado", "80202"},
    {"Chicago", "IL", "Illinois", "60601"},      {"Portland", "OR", "Oregon", "97201"},
    {"Boston", "MA", "Massachusetts", "02108"},  {"Atlanta", "GA", "Georgia", "30303"},
    {"Minneapolis", "MN", "Minnesota", "55401"}, {"San Diego", "CA", "California", "92101"}};
const Place kCa[] = {{"Toronto", "ON", "Ontario", "M5V 2T6"},
                     {"Vancouver", "BC", "British Columbia", "V6B 1A1"},
                     {"Montr\xc3\xa9"
                      "al",
                      "QC", "Quebec", "H2Y 1C6"},
                     {"Calgary", "AB", "Alberta", "T2P 1J9"},
                     {"Halifax", "NS", "Nova Scotia", "B3J 1S9"}};
const Place kDe[] = {{"Berlin", "BE", "Berlin", "10115"},
                     {"M\xc3\xbcnchen", "BY", "Bayern", "80331"},
                     {"Hamburg", "HH", "Hamburg", "20095"},
                     {"K\xc3\xb6ln", "NW", "Nordrhein-Westfalen", "50667"}};

const char* const kFirst[] = {"Olivia", "Liam",  "Emma",  "Noah",  "Ava",          "Lucas",
                              "Mia",    "Ethan", "Sofia", "Mateo", "Chlo\xc3\xa9", "Jonas",
                              "Lena",   "Amara", "Hiro",  "Priya"};
const char* const kLast[] = {
    "Smith", "Johnson", "Garcia", "Nguyen",   "O'Brien", "M\xc3\xbcller", "Schmidt",   "Tremblay",
    "Chen",  "Patel",   "Rossi",  "Kowalski", "Dubois",  "Okafor",        "Andersson", "Martin"};
const char* const kStreets[] = {"Main St",    "Oak Avenue", "Maple Drive", "Cedar Lane",
                                "2nd Street", "Park Road",  "Elm Street",  "Lakeview Blvd",
                                "Harbor Way", "Sunset Blvd"};
const char* const kStrassen[] = {
    "Hauptstra\xc3\x9f"
    "e",
    "Bahnhofstra\xc3\x9f"
    "e",
    "Lindenallee", "Schillerweg"};
const char* const kCompanies[] = {"Northwind Traders", "Globex",        "Initech",
                                  "Blue Harbor LLC",   "Umbrella Labs", "Vandelay Industries"};
const char* const kWords[] = {"RED", "BLUE", "GREEN", "BLACK", "WHITE", "GREY",  "NAVY", "SAND",
                              "OAK", "SAGE", "LAV",   "ROSE",  "PINE",  "CEDAR", "MINT", "PLUM"};
const char* const kSizes[] = {"S", "M", "L", "XL"};
constexpr int kWordCount = 16, kSizeCount = 4;

std::string Noun(const std::string& prefix) {
  if (prefix == "TS") return "T-Shirt";
  if (prefix == "HD") return "Hoodie";
  if (prefix == "CAP") return "Cap";
  if (prefix == "BB") return "Candle";
  if (prefix == "CH") return "Cushion";
  if (prefix == "SS") return "Tent Stake";
  return prefix;
}

std::string Capitalized(std::string_view word) {
  std::string out;
  for (size_t i = 0; i < word.size(); ++i)
    out.push_back(
        static_cast<char>(i == 0 ? word[i] : std::tolower(static_cast<unsigned char>(word[i]))));
  return out;
}

std::string AsciiLower(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0xC3 && i + 1 < s.size()) {  // the few accented letters the lists use
      unsigned char n = static_cast<unsigned char>(s[++i]);
      if (n == 0xBC)
        out += "ue";
      else if (n == 0xB6)
        out += "oe";
      else if (n == 0xA9)
        out += "e";
      continue;
    }
    if (std::isalnum(c)) out.push_back(static_cast<char>(std::tolower(c)));
  }
  return out;
}

std::vector<StatusWeight> DefaultStatuses(Platform p) {
  switch (p) {
    case Platform::kShopify:
      return {{"open/paid/unfulfilled", 60},
              {"open/paid/partial", 5},
              {"open/partially_refunded/unfulfilled", 5},
              {"open/pending/unfulfilled", 8},
              {"open/authorized/unfulfilled", 4},
              {"closed/paid/fulfilled", 10},
              {"cancelled/refunded/unfulfilled", 5},
              {"cancelled/voided/unfulfilled", 3}};
    case Platform::kWoo:
      return {{"processing", 60}, {"on-hold", 10}, {"pending", 8}, {"completed", 12},
              {"cancelled", 5},   {"refunded", 3}, {"failed", 2}};
    case Platform::kBigCommerce:
      return {{"Awaiting Fulfillment", 60},
              {"Awaiting Shipment", 10},
              {"Awaiting Payment", 8},
              {"Pending", 4},
              {"Shipped", 8},
              {"Partially Shipped", 2},
              {"Completed", 4},
              {"Cancelled", 4}};
    case Platform::kWalmart:
      return {{"Created", 70}, {"Acknowledged", 12}, {"Shipped", 12}, {"Cancelled", 6}};
    case Platform::kEbay:  // orderFulfillmentStatus
      return {{"NOT_STARTED", 70}, {"IN_PROGRESS", 8}, {"FULFILLED", 22}};
    case Platform::kAmazon:  // fulfillment.fulfillmentStatus (Orders API v2026-01-01)
      return {{"UNSHIPPED", 60},           {"PARTIALLY_SHIPPED", 5}, {"PENDING", 8},
              {"PENDING_AVAILABILITY", 2}, {"SHIPPED", 20},          {"CANCELLED", 5}};
    case Platform::kMagento:  // status codes (Stores > Order Status)
      return {{"processing", 60}, {"pending", 10}, {"holded", 4},
              {"complete", 16},   {"canceled", 6}, {"closed", 4}};
  }
  return {};
}

std::vector<std::string> DefaultShipCodes(Platform p) {
  switch (p) {
    case Platform::kShopify:
      return {"Standard Shipping", "Economy", "Express (2 business days)", "Overnight",
              "International Shipping"};
    case Platform::kWoo:
      return {"Flat rate", "Free shipping", "UPS Ground", "Local pickup"};
    case Platform::kBigCommerce:
      return {"Free Shipping", "Flat Rate", "UPS\xc2\xae Ground", "UPS Next Day Air\xc2\xae",
              "FedEx 2Day\xc2\xae"};
    case Platform::kWalmart:  // shippingInfo.methodCode
      return {"Value", "Standard", "Express", "OneDay"};
    case Platform::kEbay:  // shippingStep.shippingServiceCode
      return {"USPSPriority", "USPSGroundAdvantage", "UPSGround", "UPS2ndDay", "FedExHomeDelivery"};
    case Platform::kAmazon:  // fulfillment.fulfillmentServiceLevel
      return {"STANDARD", "FREE_ECONOMY", "EXPEDITED", "SECOND_DAY", "NEXT_DAY"};
    case Platform::kMagento:  // shipping_description: "Carrier title - Method title"
      return {"Flat Rate - Fixed", "Free Shipping - Free", "United Parcel Service - Ground",
              "Federal Express - Priority Overnight", "DHL - Express worldwide"};
  }
  return {};
}

const char* const kShopifyFinancial[] = {
    "authorized", "pending", "paid", "partially_paid", "refunded", "voided", "partially_refunded"};

bool ParseShopifyStatus(std::string_view label, std::string* state, std::string* financial,
                        std::string* fulfillment) {
  std::vector<std::string> parts = SplitPath(label);
  if (parts.size() != 3) return false;
  if (parts[0] != "open" && parts[0] != "closed" && parts[0] != "cancelled") return false;
  if (std::none_of(std::begin(kShopifyFinancial), std::end(kShopifyFinancial),
                   [&](const char* f) { return parts[1] == f; }))
    return false;
  if (parts[2] != "unfulfilled" && parts[2] != "partial" && parts[2] != "fulfilled") return false;
  *state = parts[0];
  *financial = parts[1];
  *fulfillment = parts[2];
  return true;
}

bool ValidStoreName(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

std::string Upc(std::string_view master) {
  uint64_t h = HashString(master, 0x5550430000000001ull);
  std::string digits = "0";
  for (int i = 0; i < 10; ++i) {
    digits.push_back(static_cast<char>('0' + h % 10));
    h /= 10;
  }
  int sum = 0;
  for (int i = 0; i < 11; ++i) sum += (digits[static_cast<size_t>(i)] - '0') * (i % 2 == 0 ? 3 : 1);
  digits.push_back(static_cast<char>('0' + (10 - sum % 10) % 10));
  return digits;
}

std::string Asin(std::string_view master) {
  static const char kAlnum[] = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  uint64_t h = HashString(master, 0x4153494E00000002ull);
  std::string out = "B0";
  for (int i = 0; i < 8; ++i) {
    out.push_back(kAlnum[h % 34]);
    h /= 34;
  }
  return out;
}

std::string TrackingLike(Rng& rng) {
  static const char kAlnum[] = "0123456789ABCDEFGHJKLMNPRSTUVWXY";
  std::string out = "1Z";
  for (int i = 0; i < 6; ++i) out.push_back(kAlnum[rng.Range(0, 31)]);
  out += "03";
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>('0' + rng.Range(0, 9)));
  return out;
}

bool Finished(const Store& st, const Order& o) {
  switch (st.platform) {
    case Platform::kShopify:
      return o.status != "open" || o.fulfillment_status == "fulfilled";
    case Platform::kWoo:
      return o.status == "completed" || o.status == "cancelled" || o.status == "refunded" ||
             o.status == "failed";
    case Platform::kBigCommerce:
      return o.bc_status_id == 2 || o.bc_status_id == 10 || o.bc_status_id == 5 ||
             o.bc_status_id == 4;
    case Platform::kWalmart:
      return o.status == "Shipped" || o.status == "Cancelled";
    case Platform::kEbay:
      return o.status == "FULFILLED";
    case Platform::kAmazon:
      return o.status == "SHIPPED" || o.status == "CANCELLED";
    case Platform::kMagento:
      return o.status == "complete" || o.status == "closed" || o.status == "canceled";
  }
  return false;
}

void ApplyStatus(Store& st, Order& o, const std::string& label, bool fresh) {
  Rng& rng = st.rng;
  auto ship_lines = [&](bool all) {
    if (!all) {
      if (o.lines.size() >= 2) {
        o.lines[0].shipped = o.lines[0].quantity;
      } else {
        if (o.lines[0].quantity < 2) o.lines[0].quantity = 2;
        o.lines[0].shipped = 1;
      }
    } else {
      for (Line& l : o.lines) l.shipped = l.quantity;
    }
  };
  switch (st.platform) {
    case Platform::kShopify: {
      std::string state, financial, fulfillment;
      ParseShopifyStatus(label, &state, &financial, &fulfillment);
      o.status = state;
      o.financial_status = financial;
      if (fulfillment == "partial" || fulfillment == "fulfilled") {
        ship_lines(fulfillment == "fulfilled");
        o.fulfillment_status = fulfillment;
      }
      break;
    }
    case Platform::kWoo:
      o.status = label;
      break;
    case Platform::kBigCommerce: {
      o.bc_status_id = BcStatusId(label);
      o.status = BcStatusName(o.bc_status_id);
      if (o.bc_status_id == 2 || o.bc_status_id == 10) ship_lines(true);
      if (o.bc_status_id == 3) ship_lines(false);
      break;
    }
    case Platform::kWalmart:
      o.status = label;
      if (label == "Shipped") ship_lines(true);
      break;
    case Platform::kEbay:
      o.status = label;
      if (label == "FULFILLED") ship_lines(true);
      if (label == "IN_PROGRESS") ship_lines(false);
      break;
    case Platform::kAmazon:
      o.status = label;
      if (label == "SHIPPED") ship_lines(true);
      if (label == "PARTIALLY_SHIPPED") ship_lines(false);
      break;
    case Platform::kMagento:
      o.status = label;
      if (label == "complete" || label == "closed") ship_lines(true);
      break;
  }
  o.updated =
      o.created + (Finished(st, o) ? rng.Range(6 * 3600, 72 * 3600) : rng.Range(120, 4 * 3600));
  if (fresh) o.updated = o.created;  // placed "now": nothing happened to it since
  if (st.platform == Platform::kShopify) {
    if (o.status == "closed") o.closed_at = o.updated;
    if (o.status == "cancelled") o.cancelled_at = o.closed_at = o.updated;
  }
  if (o.Shipped() > 0) {
    std::string number = TrackingLike(rng);
    if (st.platform == Platform::kShopify) {
      ShopifyFulfillment f;
      f.id = st.next_misc_id++;
      f.created = o.updated;
      f.name = "#" + std::to_string(o.number) + ".1";
      f.company = "UPS";
      f.number = number;
      f.url = "https://www.ups.com/track?tracknum=" + number;
      for (size_t i = 0; i < o.lines.size(); ++i)
        if (o.lines[i].shipped > 0) f.lines.emplace_back(i, o.lines[i].shipped);
      o.fulfillments.push_back(std::move(f));
    } else if (st.platform == Platform::kBigCommerce || st.platform == Platform::kWalmart ||
               st.platform == Platform::kEbay || st.platform == Platform::kAmazon ||
               st.platform == Platform::kMagento) {
      BcShipment s;
      s.id = st.next_misc_id++;
      s.created = o.updated;
      s.address_id = o.bc_address_id;
      s.tracking_number = number;
      s.provider = "ups";
      s.method = o.ship_code;
      for (size_t i = 0; i < o.lines.size(); ++i)
        if (o.lines[i].shipped > 0) s.items.emplace_back(i, o.lines[i].shipped);
      o.shipments.push_back(std::move(s));
    }
  }
}

Order MakeOrder(Store& st, int64_t created, bool fresh) {
  Rng& rng = st.rng;
  const StoreSeed& seed = st.seed;
  Order o;
  o.id = st.next_order_id;
  switch (st.platform) {
    case Platform::kShopify:
      st.next_order_id += rng.Range(1'000, 90'000);
      o.number = st.next_order_number++;
      o.customer_id = 7'400'000'000'000 + rng.Range(0, 999'999);
      o.fulfillment_order_id = st.next_misc_id++;
      break;
    case Platform::kWoo: {
      st.next_order_id += rng.Range(1, 4);
      o.number = o.id;
      o.customer_id = rng.Chance(0.3) ? 0 : rng.Range(1, 900);
      static const char kKey[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
      o.woo_order_key = "wc_order_";
      for (int i = 0; i < 13; ++i) o.woo_order_key.push_back(kKey[rng.Range(0, 61)]);
      break;
    }
    case Platform::kBigCommerce:
      st.next_order_id += 1;
      o.number = o.id;
      o.customer_id = rng.Chance(0.2) ? 0 : rng.Range(1, 500);
      o.bc_address_id = st.next_misc_id++;
      break;
    case Platform::kWalmart:  // purchaseOrderId; number = customerOrderId
      st.next_order_id += rng.Range(1'000, 90'000);
      o.number = 5'200'000'000'000 + rng.Range(0, 999'999'999);
      break;
    case Platform::kEbay:  // orderId "01-23456-70101" (EbayOrderId)
      st.next_order_id += rng.Range(1, 40);
      o.number = o.id;
      o.customer_id = rng.Range(1, 9000);
      break;
    case Platform::kAmazon:  // orderId "113-0445500-0123456" (AmazonOrderId)
      st.next_order_id += rng.Range(1'000, 90'000);
      o.number = o.id;
      break;
    case Platform::kMagento:  // entity_id; increment_id "000000123" from number
      st.next_order_id += 1;
      o.number = o.id;
      o.customer_id = rng.Chance(0.3) ? 0 : rng.Range(1, 900);
      break;
  }
  o.created = created;

  // ship-to
  Addr& a = o.ship;
  int country = static_cast<int>(rng.Range(0, 99));
  const Place* place;
  if (country < 70) {
    place = &kUs[rng.Range(0, std::size(kUs) - 1)];
    a.country_code = "US";
    a.country_name = "United States";
  } else if (country < 90) {
    place = &kCa[rng.Range(0, std::size(kCa) - 1)];
    a.country_code = "CA";
    a.country_name = "Canada";
  } else {
    place = &kDe[rng.Range(0, std::size(kDe) - 1)];
    a.country_code = "DE";
    a.country_name = "Germany";
  }
  a.city = place->city;
  a.region_code = place->region_code;
  a.region_name = place->region_name;
  a.postal = place->postal;
  a.first = kFirst[rng.Range(0, std::size(kFirst) - 1)];
  a.last = kLast[rng.Range(0, std::size(kLast) - 1)];
  if (rng.Chance(0.15)) a.company = kCompanies[rng.Range(0, std::size(kCompanies) - 1)];
  if (rng.Chance(seed.po_box_percent / 100.0)) {
    a.address1 = "PO Box " + std::to_string(rng.Range(100, 9999));
  } else if (a.country_code == "DE") {
    a.address1 = std::string(kStrassen[rng.Range(0, std::size(kStrassen) - 1)]) + " " +
                 std::to_string(rng.Range(1, 120));
  } else {
    a.address1 =
        std::to_string(rng.Range(1, 9999)) + " " + kStreets[rng.Range(0, std::size(kStreets) - 1)];
  }
  if (rng.Chance(0.25))
    a.address2 = rng.Chance(0.5) ? "Apt " + std::to_string(rng.Range(1, 40)) +
                                       static_cast<char>('A' + rng.Range(0, 5))
                                 : "Suite " + std::to_string(rng.Range(100, 999));
  if (rng.Chance(0.7)) {
    if (a.country_code == "DE")
      a.phone = "+49 30 " + std::to_string(rng.Range(1000000, 9999999));
    else
      a.phone = "+1 " + std::to_string(rng.Range(201, 989)) + "-555-" +
                std::to_string(rng.Range(1000, 9999));
  }
  o.email = AsciiLower(a.first) + "." + AsciiLower(a.last) + std::to_string(rng.Range(1, 99)) +
            "@example.com";

  // shipping line
  o.has_shipping = !rng.Chance(seed.no_shipping_percent / 100.0);
  if (o.has_shipping && !seed.ship_codes.empty()) {
    std::vector<int> weights;
    for (size_t i = 0; i < seed.ship_codes.size(); ++i)
      weights.push_back(static_cast<int>(seed.ship_codes.size() - i) * 2);
    o.ship_code = seed.ship_codes[rng.Weighted(weights)];
    o.ship_code_id = Slug(o.ship_code);
    bool free = o.ship_code.find("Free") != std::string::npos ||
                o.ship_code.find("free") != std::string::npos ||
                o.ship_code.find("pickup") != std::string::npos;
    o.shipping_cents = free ? 0 : rng.Range(4, 30) * 100 + 99;
  } else {
    o.has_shipping = false;
  }
  if (st.platform == Platform::kWalmart && o.ship_code.empty()) {
    o.ship_code = "Standard";  // every Walmart order has a methodCode
    o.has_shipping = true;
  }

  // lines
  int count = static_cast<int>(rng.Weighted({55, 30, 15})) + 1;
  count = std::min<int>(count, static_cast<int>(st.products.size()));
  std::set<size_t> used;
  for (int i = 0; i < count; ++i) {
    size_t p = static_cast<size_t>(rng.Range(0, static_cast<int64_t>(st.products.size()) - 1));
    while (used.count(p)) p = (p + 1) % st.products.size();
    used.insert(p);
    Line l;
    l.id = st.next_line_id;
    st.next_line_id += st.platform == Platform::kShopify ? rng.Range(1, 9) : 1;
    if (st.platform == Platform::kShopify) l.fo_line_id = st.next_misc_id++;
    l.product = p;
    l.sku = st.products[p].sku;
    l.title = st.products[p].title;
    l.quantity = static_cast<int64_t>(rng.Weighted({70, 20, 10})) + 1;
    l.price_cents = st.products[p].price_cents;
    o.lines.push_back(std::move(l));
  }

  // status
  std::vector<int> weights;
  for (const StatusWeight& s : seed.statuses) weights.push_back(s.weight);
  ApplyStatus(st, o, seed.statuses[rng.Weighted(weights)].status, fresh);
  return o;
}

void AddToWms(World& world, const Store& st, const Product& p) {
  auto [it, inserted] = world.wms_skus.try_emplace(p.master_sku);
  WmsSku& w = it->second;
  if (inserted) {
    w.sku = p.master_sku;
    w.client = st.seed.wms_client;
    w.aliases["upc"] = Upc(p.master_sku);
    w.aliases["amazon_asin"] = Asin(p.master_sku);
    Rng rng(HashString(p.master_sku, st.seed.seed * 0x9E3779B97F4A7C15ull + 7));
    for (const std::string& wh : world.wms.warehouses) {
      int64_t available = rng.Chance(0.12) ? 0 : rng.Range(1, 60);
      w.stock[wh] = {available, available + rng.Range(0, 6)};
    }
  }
  if (st.seed.wms_alias_type && !st.seed.wms_alias_type->empty())
    w.aliases[*st.seed.wms_alias_type] = p.sku;
}

}  // namespace

const char* BcStatusName(int id) {
  static const char* const kNames[] = {"Incomplete",
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
  return id >= 0 && id <= 14 ? kNames[id] : "";
}

int BcStatusId(std::string_view name_or_id) {
  if (auto n = ToInt(name_or_id)) return *n >= 0 && *n <= 14 ? static_cast<int>(*n) : -1;
  for (int i = 0; i <= 14; ++i)
    if (name_or_id == BcStatusName(i)) return i;
  return -1;
}

bool IsWooStatus(std::string_view status) {
  static const char* const kStatuses[] = {"pending",   "processing", "on-hold",
                                          "completed", "cancelled",  "refunded",
                                          "failed",    "trash",      "checkout-draft"};
  return std::any_of(std::begin(kStatuses), std::end(kStatuses),
                     [&](const char* s) { return status == s; });
}

std::string StatusLabel(const Store& store, const Order& o) {
  if (store.platform == Platform::kShopify)
    return o.status + "/" + o.financial_status + "/" +
           (o.fulfillment_status.empty() ? "unfulfilled" : o.fulfillment_status);
  return o.status;
}

bool NormalizeSeed(const StoreSeed& in, StoreSeed* out, Platform* platform, std::string* error) {
  auto fail = [&](std::string message) {
    if (error) *error = "store " + in.platform + "/" + in.name + ": " + std::move(message);
    return false;
  };
  auto p = ParsePlatform(in.platform);
  if (!p)
    return fail(
        "platform must be shopify, woocommerce, bigcommerce, walmart, ebay, amazon or magento");
  if (!ValidStoreName(in.name)) return fail("name must match [a-z0-9_-]{1,63}");
  StoreSeed s = in;
  s.platform = PlatformName(*p);
  if (s.orders < 0 || s.orders > 100'000) return fail("orders must be 0..100000");
  if (s.products == 0) s.products = *p == Platform::kShopify ? 24 : *p == Platform::kWoo ? 16 : 20;
  if (s.products < 1 || s.products > 10'000) return fail("products must be 1..10000");
  if (s.locations == 0) s.locations = *p == Platform::kBigCommerce ? 2 : 1;
  if (s.locations < 1 || s.locations > 50) return fail("locations must be 1..50");
  int64_t start = 0;
  if (!ParseIso(s.start_date, &start)) return fail("start_date is not ISO 8601: " + s.start_date);
  if (s.span_hours < 1) return fail("span_hours must be >= 1");
  if (s.no_shipping_percent < 0 || s.no_shipping_percent > 100 || s.po_box_percent < 0 ||
      s.po_box_percent > 100)
    return fail("percentages must be 0..100");
  if (s.ship_codes.empty()) s.ship_codes = DefaultShipCodes(*p);
  if (s.statuses.empty()) s.statuses = DefaultStatuses(*p);
  int total = 0;
  for (const StatusWeight& w : s.statuses) {
    if (w.weight < 0) return fail("status weights must be >= 0");
    total += w.weight;
    std::string a, b, c;
    bool ok = *p == Platform::kShopify   ? ParseShopifyStatus(w.status, &a, &b, &c)
              : *p == Platform::kWoo     ? IsWooStatus(w.status)
              : *p == Platform::kWalmart ? (w.status == "Created" || w.status == "Acknowledged" ||
                                            w.status == "Shipped" || w.status == "Cancelled")
                                         : BcStatusId(w.status) >= 0;
    if (*p == Platform::kEbay)
      ok = w.status == "NOT_STARTED" || w.status == "IN_PROGRESS" || w.status == "FULFILLED";
    if (*p == Platform::kAmazon) ok = IsAmazonStatus(w.status);
    if (*p == Platform::kMagento)
      ok = w.status == "pending" || w.status == "processing" || w.status == "complete" ||
           w.status == "closed" || w.status == "canceled" || w.status == "holded";
    if (!ok) return fail("unknown status \"" + w.status + "\"");
  }
  if (total <= 0) return fail("status weights must not all be 0");
  if (s.token.empty()) s.token = s.name + "-token";
  if (s.consumer_key.empty()) s.consumer_key = "ck_" + s.name;
  if (s.consumer_secret.empty()) s.consumer_secret = "cs_" + s.name;
  if (s.client_id.empty()) s.client_id = s.name + "-client-id";
  if (s.client_secret.empty()) s.client_secret = s.name + "-client-secret";
  if (s.token_ttl_seconds <= 0 && *p == Platform::kEbay) s.token_ttl_seconds = 7200;  // user tokens
  if (s.token_ttl_seconds <= 0 && *p == Platform::kAmazon) s.token_ttl_seconds = 3600;  // LWA
  if (s.token_ttl_seconds <= 0) s.token_ttl_seconds = *p == Platform::kWalmart ? 900 : 86399;
  if (!s.scopes)
    s.scopes = std::vector<std::string>{"read_orders",
                                        "read_all_orders",
                                        "read_merchant_managed_fulfillment_orders",
                                        "write_merchant_managed_fulfillment_orders",
                                        "read_products",
                                        "read_inventory",
                                        "write_inventory",
                                        "read_locations"};
  if (s.sku_prefixes.empty() && *p == Platform::kEbay) s.sku_prefixes = {"HG"};
  if (s.sku_prefixes.empty() && *p == Platform::kAmazon) s.sku_prefixes = {"AZ"};
  if (s.sku_prefixes.empty() && *p == Platform::kMagento) s.sku_prefixes = {"GT"};
  if (!s.extra_skus && *p == Platform::kMagento)
    s.extra_skus = std::vector<std::string>{"TEA-SAMPLER-GIFT"};
  if (!s.extra_skus && *p == Platform::kAmazon)
    s.extra_skus = std::vector<std::string>{"AMZ-GIFT-BUNDLE"};
  if (!s.extra_skus && *p == Platform::kEbay)
    s.extra_skus = std::vector<std::string>{"LOT-MIXED-MUGS"};
  if (s.sku_prefixes.empty())
    s.sku_prefixes = *p == Platform::kShopify ? std::vector<std::string>{"TS", "HD"}
                     : *p == Platform::kWoo   ? std::vector<std::string>{"BB"}
                                              : std::vector<std::string>{"CH"};
  if (!s.extra_skus)
    s.extra_skus =
        *p == Platform::kShopify ? std::vector<std::string>{"GIFT-CARD", "SAMPLE-STICKER"}
        : *p == Platform::kWoo   ? std::vector<std::string>{"MTO-CUSTOM-CANDLE", "GIFT-WRAP"}
                                 : std::vector<std::string>{"CUSTOM-TABLE-OAK"};
  if (!s.wms_alias_type) s.wms_alias_type = *p == Platform::kShopify ? "shopify_sku" : "";
  if (!s.utc_offset_minutes) s.utc_offset_minutes = *p == Platform::kShopify ? -300 : 0;
  if (*s.utc_offset_minutes < -14 * 60 || *s.utc_offset_minutes > 14 * 60)
    return fail("utc_offset_minutes out of range");
  *out = std::move(s);
  *platform = *p;
  return true;
}

Store GenerateStore(const StoreSeed& seed, Platform platform, World& world) {
  Store st;
  st.platform = platform;
  st.name = seed.name;
  st.seed = seed;
  st.offset_minutes = *seed.utc_offset_minutes;
  st.rng = Rng(HashString(std::string(PlatformName(platform)) + "/" + seed.name,
                          seed.seed * 0x9E3779B97F4A7C15ull + 1));
  Rng& rng = st.rng;
  int64_t product_id = 0, variant_id = 0, item_id = 0;
  switch (platform) {
    case Platform::kShopify:
      st.next_order_id = 5'100'000'000'000 + rng.Range(0, 999'999) * 1000;
      st.next_order_number = 1001;
      st.next_line_id = 13'500'000'000'000 + rng.Range(0, 999'999) * 100;
      st.next_misc_id = 6'800'000'000'000 + rng.Range(0, 999'999) * 100;
      product_id = 8'100'000'000 + rng.Range(0, 99'999) * 10;
      variant_id = 44'100'000'000'000 + rng.Range(0, 99'999) * 10;
      item_id = 46'200'000'000'000 + rng.Range(0, 99'999) * 10;
      break;
    case Platform::kWoo:
      st.next_order_id = 1000 + rng.Range(0, 400);
      st.next_line_id = 1 + rng.Range(0, 50);
      st.next_misc_id = 5000;
      product_id = 100;
      break;
    case Platform::kBigCommerce:
      st.next_order_id = 100;
      st.next_line_id = 1;
      st.next_misc_id = 1;
      product_id = 111;
      variant_id = 200;
      break;
    case Platform::kAmazon:
      st.next_order_id = 4'455'000'000'000 + rng.Range(0, 999'999) * 1000;
      st.next_line_id = 40'000'000'000'000 + rng.Range(0, 999'999) * 100;
      st.next_misc_id = 1;
      product_id = 1;
      break;
    case Platform::kEbay:
      st.next_order_id = 12'345'670'001;
      st.next_line_id = 10'000'000'000'000 + rng.Range(0, 999'999) * 100;
      st.next_misc_id = 1;
      product_id = 1;
      break;
    case Platform::kWalmart:
      st.next_order_id = 1'796'000'000'000 + rng.Range(0, 999'999) * 1000;
      st.next_line_id = 1;
      st.next_misc_id = 1;
      product_id = 1;
      break;
    case Platform::kMagento:
      st.next_order_id = 1;
      st.next_line_id = 1;
      st.next_misc_id = 1;
      product_id = 1;
      break;
  }

  // locations
  static const char* const kLocationNames[] = {"Main Warehouse", "Retail Store", "Overflow",
                                               "Pop-up Shop"};
  for (int i = 0; i < seed.locations; ++i) {
    Location loc;
    loc.id = platform == Platform::kShopify   ? 61'000'000'000 + rng.Range(0, 99'999) * 10 + i
             : platform == Platform::kWalmart ? 10'000'003'527 + i  // ship node ids
                                              : i + 1;
    loc.name =
        platform == Platform::kBigCommerce && i == 0
            ? "Default location"
            : std::string(kLocationNames[i % 4]) + (i >= 4 ? " " + std::to_string(i / 4 + 1) : "");
    loc.address1 = std::to_string(100 + i * 10) + " Commerce Way";
    loc.city = "Columbus";
    loc.region = "OH";
    loc.postal = "43215";
    loc.country = "US";
    st.locations.push_back(std::move(loc));
  }

  // products
  const std::vector<std::string>& prefixes = seed.sku_prefixes;
  const int P = static_cast<int>(prefixes.size());
  int64_t group_product_id = 0;
  int last_group = -1;
  int64_t group_price = 0;
  for (int idx = 0; idx < seed.products; ++idx) {
    int k = idx / kSizeCount;
    std::string size = kSizes[idx % kSizeCount];
    std::string prefix = prefixes[static_cast<size_t>(k % P)];
    int w = (k / P) % kWordCount;
    int rep = k / (P * kWordCount);
    std::string word = std::string(kWords[w]) + (rep > 0 ? std::to_string(rep + 1) : "");
    Product p;
    p.master_sku = prefix + "-" + word + "-" + size;
    p.sku = seed.wms_alias_type->empty() ? p.master_sku : word + "-" + prefix + "-" + size;
    if (k != last_group) {
      last_group = k;
      group_price = rng.Range(12, 89) * 100 + (rng.Chance(0.6) ? 99 : rng.Chance(0.5) ? 50 : 0);
      if (platform == Platform::kShopify) {
        group_product_id = product_id;
        product_id += rng.Range(1, 9) * 10;
      }
    }
    p.price_cents = group_price;
    std::string title = Capitalized(word) + " " + Noun(prefix);
    if (platform == Platform::kShopify) {
      p.product_id = group_product_id;
      p.title = title;
      p.variant_title = size;
      p.variant_id = variant_id;
      variant_id += rng.Range(1, 9);
      p.inventory_item_id = item_id;
      item_id += rng.Range(1, 9);
    } else {
      p.product_id = product_id++;
      p.title = title + " - " + size;
      if (platform == Platform::kBigCommerce) p.variant_id = variant_id++;
    }
    // By a hash of the SKU, not the generator: other stores stay as they were.
    p.tracked_by_product =
        platform == Platform::kBigCommerce &&
        static_cast<int>(HashString(p.sku) % 100) < seed.product_tracking_percent;
    st.products.push_back(std::move(p));
  }
  for (const std::string& sku : *seed.extra_skus) {
    Product p;
    p.sku = p.master_sku = sku;
    p.extra = true;
    p.title = Capitalized(sku);
    for (char& c : p.title)
      if (c == '-') c = ' ';
    p.price_cents = rng.Range(5, 50) * 100;
    p.product_id = product_id;
    product_id += platform == Platform::kShopify ? rng.Range(1, 9) * 10 : 1;
    if (platform == Platform::kShopify) {
      p.variant_id = variant_id;
      variant_id += rng.Range(1, 9);
      p.inventory_item_id = item_id;
      item_id += rng.Range(1, 9);
    } else if (platform == Platform::kBigCommerce) {
      p.variant_id = variant_id++;
    }
    st.products.push_back(std::move(p));
  }
  for (Product& p : st.products) {
    for (const Location& loc : st.locations) p.levels[loc.id] = rng.Range(0, 30);
    p.stock = rng.Range(0, 30);
    if (seed.stock_in_wms && !p.extra) AddToWms(world, st, p);
  }

  // orders, spread over the span
  int64_t start = 0;
  ParseIso(seed.start_date, &start);
  const int64_t span = static_cast<int64_t>(seed.span_hours) * 3600;
  const int64_t step = std::max<int64_t>(1, span / (seed.orders + 1));
  for (int i = 0; i < seed.orders; ++i) {
    int64_t created = start + step * (i + 1) + rng.Range(-step / 3, step / 3);
    st.orders.push_back(MakeOrder(st, created, false));
    st.last_created = std::max(st.last_created, created);
  }
  if (seed.orders == 0) st.last_created = start;
  return st;
}

std::vector<int64_t> GenerateOrders(Store& store, int count, int64_t now_seconds) {
  std::vector<int64_t> ids;
  int64_t latest = std::max(store.last_created, now_seconds - 1);
  for (const Order& o : store.orders) latest = std::max(latest, o.updated);
  store.last_created = latest;
  for (int i = 0; i < count; ++i) {
    int64_t created = store.last_created + 1;
    store.orders.push_back(MakeOrder(store, created, true));
    store.last_created = created;
    ids.push_back(store.orders.back().id);
  }
  return ids;
}

}  // namespace detail
}  // namespace cartsync::sim

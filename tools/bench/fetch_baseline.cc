// cartsync-bench-fetch: the baseline of tools/bench/throughput. A plain
// libcurl loop that reads the same order pages a cartsync order download
// reads, from the same stores, with the same page sizes and filters — and
// nothing else: no state store, no WMS, no order mapping (Shopify: the
// connector's own GraphQL documents, runtime/carts/shopify_graphql.cc). It
// parses each page (rapidjson) only to count the orders and, for BigCommerce, to find each
// order's shipping address and products in its `consignments` (the QUERY
// asks for include=consignments.line_items&consignment_structure=object, as
// cartsync does); only an order without them costs /shipping_addresses and
// /products, as in cartsync.
//
//   cartsync-bench-fetch [--concurrency N] [--post WMS_URL TOKEN] SPEC_FILE
//
// --post: also POST each order to the WMS ({WMS_URL}/orders, bearer TOKEN,
// Idempotency-Key), as a minimal client would: order_key
// "baseline-{store}:{id}", the ship-to address copied from the cart, and
// the lines' SKUs and quantities — the same I/O a cartsync order download
// does, without its state store, filters and mapping.
//
// SPEC_FILE: one store per line, tab-separated (blank lines and # comments
// skipped):
//   shopify      BASE_URL  TOKEN          QUERY   (the orders search, as the connector builds it)
//   woocommerce  BASE_URL  KEY:SECRET     QUERY   (page=N&per_page is appended; stops at
//   X-WP-TotalPages) bigcommerce  BASE_URL  TOKEN          QUERY   (page=N&limit=250 is appended; a
//   short page ends)
// BASE_URL is the store's [api].base_url. Stores are read N at a time (one
// curl handle per worker, keep-alive), like `cartsync run --concurrency N`.
// Prints one line: "orders=… requests=… posts=… bytes=… seconds=… orders_per_s=…"
// (requests: the GETs).
// Exit 1 on any HTTP or parse error.
#include <curl/curl.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <strings.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "runtime/carts/shopify_graphql.h"

namespace {

struct Store {
  std::string platform, base, credential, query;
  std::string name;  // the base URL's last segment
};

struct Post {
  std::string url, token;  // url empty: GETs only
};

struct Totals {
  std::atomic<long long> orders{0}, requests{0}, bytes{0}, posts{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

struct Headers {
  std::string link, total_pages;
};

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* h = static_cast<Headers*>(user);
  std::string line(data, size * n);
  size_t colon = line.find(':');
  if (colon == std::string::npos) return size * n;
  std::string name = line.substr(0, colon), v = line.substr(colon + 1);
  while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.pop_back();
  while (!v.empty() && v.front() == ' ') v.erase(0, 1);
  if (strcasecmp(name.c_str(), "Link") == 0)
    h->link = v;
  else if (strcasecmp(name.c_str(), "X-WP-TotalPages") == 0)
    h->total_pages = v;
  return size * n;
}

class Worker {
 public:
  Worker(Totals& totals, const Post& post)
      : totals_(totals), post_(post), curl_(curl_easy_init()) {}
  ~Worker() {
    if (curl_ != nullptr) curl_easy_cleanup(curl_);
  }

  // GET url (or POST `post_body` when given); false (with a message) unless 2xx.
  bool Get(const std::string& url, const std::vector<std::string>& headers,
           const std::string& userpwd, std::string& body, Headers& got,
           const std::string* post_body = nullptr) {
    body.clear();
    got = Headers{};
    curl_easy_reset(curl_);  // keeps the connection
    curl_slist* list = nullptr;
    for (const std::string& h : headers) list = curl_slist_append(list, h.c_str());
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl_, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, 60'000L);
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &got);
    if (post_body != nullptr) {
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(post_body->size()));
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, post_body->data());
    }
    if (!userpwd.empty()) {
      curl_easy_setopt(curl_, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
      curl_easy_setopt(curl_, CURLOPT_USERPWD, userpwd.c_str());
    }
    CURLcode rc = curl_easy_perform(curl_);
    long status = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, nullptr);
    curl_slist_free_all(list);
    ++totals_.requests;
    totals_.bytes += static_cast<long long>(body.size());
    if (rc != CURLE_OK || status < 200 || status > 299) {
      Fail(std::string(post_body ? "POST " : "GET ") + url + ": " +
           (rc != CURLE_OK ? curl_easy_strerror(rc) : "HTTP " + std::to_string(status)));
      return false;
    }
    return true;
  }

  void Fail(const std::string& message) {
    std::lock_guard<std::mutex> lock(totals_.mu);
    if (!totals_.failed.exchange(true))
      std::fprintf(stderr, "cartsync-bench-fetch: %s\n", message.c_str());
  }

  bool Parse(const std::string& body, rapidjson::Document& doc, const char* want,
             const std::string& url) {
    doc.Parse(body.data(), body.size());
    bool ok =
        !doc.HasParseError() && (std::strcmp(want, "array") == 0 ? doc.IsArray() : doc.IsObject());
    if (!ok) Fail("GET " + url + ": not a JSON " + want);
    return ok;
  }

  // POSTs one order to the WMS (when --post): `ship_to` and `lines` as
  // given, each line {"sku", "quantity"}.
  bool PushOrder(const std::string& store, const std::string& id, const rapidjson::Value* ship_to,
                 const rapidjson::Value* items) {
    if (post_.url.empty()) return true;
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    const std::string key = "baseline-" + store + ":" + id;
    w.StartObject();
    w.Key("order_key");
    w.String(key.c_str());
    w.Key("cart_id");
    w.String(("baseline-" + store).c_str());
    w.Key("ship_to");
    if (ship_to != nullptr && ship_to->IsObject())
      ship_to->Accept(w);
    else
      w.StartObject(), w.EndObject();
    w.Key("ship_method");
    w.StartObject();
    w.Key("carrier");
    w.String("UPS");
    w.Key("service");
    w.String("GROUND");
    w.EndObject();
    w.Key("lines");
    w.StartArray();
    if (items != nullptr && items->IsArray()) {
      for (const auto& l : items->GetArray()) {
        if (!l.IsObject() || !l.HasMember("sku") || !l["sku"].IsString()) continue;
        w.StartObject();
        w.Key("sku");
        w.String(l["sku"].GetString());
        w.Key("quantity");
        w.Int64(l.HasMember("quantity") && l["quantity"].IsInt64() ? l["quantity"].GetInt64() : 1);
        w.EndObject();
      }
    }
    w.EndArray();
    w.EndObject();
    const std::string body(sb.GetString(), sb.GetSize());
    std::string answer;
    Headers got;
    ++totals_.posts;
    return Get(post_.url + "/orders",
               {"Authorization: Bearer " + post_.token, "Content-Type: application/json",
                "Idempotency-Key: " + key, "Expect:"},
               "", answer, got, &body);
  }

  static const rapidjson::Value* Field(const rapidjson::Value& o, const char* name) {
    auto it = o.FindMember(name);
    return it == o.MemberEnd() ? nullptr : &it->value;
  }

  static std::string Id(const rapidjson::Value& o) {
    const rapidjson::Value* id = Field(o, "id");
    return id != nullptr && id->IsInt64() ? std::to_string(id->GetInt64()) : "";
  }

  // Shopify reads orders over GraphQL as the connector does: the same
  // document (runtime/carts/shopify_graphql.cc, pages of 15 orders with their
  // first 5 line items) and the rest of an order's lines when it has more.
  void Shopify(const Store& s) {
    namespace gql = cartsync::shopify_graphql;
    const std::vector<std::string> headers = {"X-Shopify-Access-Token: " + s.credential,
                                              "Content-Type: application/json",
                                              "Accept: application/json", "Expect:"};
    const std::string url = s.base + "/admin/api/2026-10/graphql.json";
    std::string body, cursor;
    Headers got;
    rapidjson::Document doc, more;
    for (int page = 0; page < 100'000; ++page) {
      const std::string request = GraphqlBody(gql::kOrders, {{"query", s.query}}, cursor);
      if (!Get(url, headers, "", body, got, &request) || !Parse(body, doc, "object", url)) return;
      const rapidjson::Value* orders = Path(doc, {"data", "orders"});
      const rapidjson::Value* nodes = orders ? Field(*orders, "nodes") : nullptr;
      if (nodes == nullptr || !nodes->IsArray()) return Fail("POST " + url + ": no orders");
      totals_.orders += nodes->Size();
      for (const auto& o : nodes->GetArray()) {
        const rapidjson::Value* lines = Path(o, {"lineItems", "nodes"});
        rapidjson::Value all(rapidjson::kArrayType);
        if (lines != nullptr && lines->IsArray())
          for (const auto& l : lines->GetArray())
            all.PushBack(rapidjson::Value(l, doc.GetAllocator()), doc.GetAllocator());
        std::string line_cursor = More(Path(o, {"lineItems", "pageInfo"}));
        const std::string id = Field(o, "id") && o["id"].IsString() ? o["id"].GetString() : "";
        for (int sub = 0; sub < 1000 && !line_cursor.empty(); ++sub) {
          const std::string r = GraphqlBody(gql::kOrderLineItems, {{"id", id}}, line_cursor);
          if (!Get(url, headers, "", body, got, &r) || !Parse(body, more, "object", url)) return;
          const rapidjson::Value* items = Path(more, {"data", "order", "lineItems"});
          if (items == nullptr) return Fail("POST " + url + ": no lineItems");
          if (const rapidjson::Value* n = Field(*items, "nodes"); n != nullptr && n->IsArray())
            for (const auto& l : n->GetArray())
              all.PushBack(rapidjson::Value(l, doc.GetAllocator()), doc.GetAllocator());
          line_cursor = More(Field(*items, "pageInfo"));
        }
        const rapidjson::Value* legacy = Field(o, "legacyResourceId");
        if (!PushOrder(s.name, legacy && legacy->IsString() ? legacy->GetString() : id,
                       Field(o, "shippingAddress"), &all))
          return;
      }
      cursor = More(Field(*orders, "pageInfo"));
      if (cursor.empty()) return;
    }
  }

  // {"query": DOCUMENT, "variables": {VARS…, "after": CURSOR|null}}
  static std::string GraphqlBody(const cartsync::shopify_graphql::Operation& op,
                                 const std::vector<std::pair<const char*, std::string>>& vars,
                                 const std::string& after) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.StartObject();
    w.Key("query");
    w.String(op.document);
    w.Key("variables");
    w.StartObject();
    for (const auto& [name, value] : vars) {
      w.Key(name);
      w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
    }
    w.Key("after");
    if (after.empty())
      w.Null();
    else
      w.String(after.c_str(), static_cast<rapidjson::SizeType>(after.size()));
    w.EndObject();
    w.EndObject();
    return {sb.GetString(), sb.GetSize()};
  }

  // pageInfo's endCursor when hasNextPage, else "".
  static std::string More(const rapidjson::Value* page_info) {
    if (page_info == nullptr || !page_info->IsObject()) return "";
    const rapidjson::Value* next = Field(*page_info, "hasNextPage");
    const rapidjson::Value* end = Field(*page_info, "endCursor");
    if (next == nullptr || !next->IsBool() || !next->GetBool() || end == nullptr ||
        !end->IsString())
      return "";
    return end->GetString();
  }

  static const rapidjson::Value* Path(const rapidjson::Value& v,
                                      std::initializer_list<const char*> names) {
    const rapidjson::Value* at = &v;
    for (const char* n : names) {
      if (!at->IsObject()) return nullptr;
      at = Field(*at, n);
      if (at == nullptr) return nullptr;
    }
    return at;
  }

  static std::string NextLink(const std::string& link) {
    // <URL>; rel="previous", <URL>; rel="next"
    size_t rel = link.find("rel=\"next\"");
    if (rel == std::string::npos) return "";
    size_t open = link.rfind('<', rel), close = link.rfind('>', rel);
    if (open == std::string::npos || close == std::string::npos || close < open) return "";
    return link.substr(open + 1, close - open - 1);
  }

  void Woo(const Store& s) {
    std::vector<std::string> headers = {"Accept: application/json"};
    std::string body;
    Headers got;
    rapidjson::Document doc;
    for (long page = 1; page < 100'000; ++page) {
      std::string url = s.base + "/wp-json/wc/v3/orders?" + s.query + (s.query.empty() ? "" : "&") +
                        "per_page=100&page=" + std::to_string(page);
      if (!Get(url, headers, s.credential, body, got) || !Parse(body, doc, "array", url)) return;
      totals_.orders += doc.Size();
      long total = std::atol(got.total_pages.c_str());
      for (const auto& o : doc.GetArray())
        if (!PushOrder(s.name, Id(o), Field(o, "shipping"), Field(o, "line_items"))) return;
      if (doc.Size() == 0 || page >= total) return;
    }
  }

  void BigCommerce(const Store& s) {
    std::vector<std::string> headers = {"X-Auth-Token: " + s.credential, "Accept: application/json",
                                        "Content-Type: application/json"};
    std::string body, sub;
    Headers got;
    rapidjson::Document doc, addresses, products;
    for (long page = 1; page < 100'000; ++page) {
      std::string url = s.base + "/v2/orders?" + s.query + (s.query.empty() ? "" : "&") +
                        "page=" + std::to_string(page) + "&limit=250";
      if (!Get(url, headers, "", body, got)) return;
      if (body.empty()) return;  // 204: no (more) orders
      if (!Parse(body, doc, "array", url)) return;
      for (const auto& o : doc.GetArray()) {
        if (!o.IsObject() || !o.HasMember("id") || !o["id"].IsInt64())
          return Fail(url + ": an order without id");
        const std::string id = std::to_string(o["id"].GetInt64());
        if (const rapidjson::Value* c = Field(o, "consignments"); c != nullptr && c->IsObject()) {
          const rapidjson::Value* shipping = Field(*c, "shipping");
          if (shipping != nullptr && shipping->IsArray() && !shipping->Empty() &&
              shipping->GetArray()[0].IsObject()) {
            const rapidjson::Value& first = shipping->GetArray()[0];
            const rapidjson::Value* items = Field(first, "line_items");
            if (items != nullptr && items->IsArray() && !items->Empty() && (*items)[0].IsObject() &&
                (*items)[0].HasMember("id")) {
              ++totals_.orders;
              if (!post_.url.empty()) {
                // The ship-to as /shipping_addresses has it: the consignment less its lines.
                rapidjson::Document address;
                address.SetObject();
                for (auto m = first.MemberBegin(); m != first.MemberEnd(); ++m) {
                  if (std::strcmp(m->name.GetString(), "line_items") == 0) continue;
                  address.AddMember(rapidjson::Value(m->name, address.GetAllocator()),
                                    rapidjson::Value(m->value, address.GetAllocator()),
                                    address.GetAllocator());
                }
                if (!PushOrder(s.name, id, &address, items)) return;
              }
              continue;
            }
          }
        }
        std::string u = s.base + "/v2/orders/" + id + "/shipping_addresses";
        if (!Get(u, headers, "", sub, got)) return;
        if (!sub.empty() && !Parse(sub, addresses, "array", u)) return;
        u = s.base + "/v2/orders/" + id + "/products?page=1&limit=250";
        if (!Get(u, headers, "", sub, got)) return;
        if (!sub.empty() && !Parse(sub, products, "array", u)) return;
        ++totals_.orders;
        const rapidjson::Value* ship_to =
            addresses.IsArray() && !addresses.Empty() ? &addresses[0] : nullptr;
        if (!PushOrder(s.name, id, ship_to, &products)) return;
      }
      if (doc.Size() < 250) return;
    }
  }

  void Run(const Store& s) {
    if (s.platform == "shopify")
      Shopify(s);
    else if (s.platform == "woocommerce")
      Woo(s);
    else if (s.platform == "bigcommerce")
      BigCommerce(s);
    else
      Fail("unknown platform " + s.platform);
  }

 private:
  Totals& totals_;
  const Post& post_;
  CURL* curl_;
};

}  // namespace

int main(int argc, char** argv) {
  int concurrency = 4;
  const char* spec = nullptr;
  Post post;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--concurrency") == 0 && i + 1 < argc) {
      concurrency = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--post") == 0 && i + 2 < argc) {
      post.url = argv[++i];
      post.token = argv[++i];
    } else if (spec == nullptr && argv[i][0] != '-') {
      spec = argv[i];
    } else {
      spec = nullptr;
      break;
    }
  }
  if (spec == nullptr || concurrency < 1 || concurrency > 64) {
    std::fprintf(
        stderr,
        "usage: cartsync-bench-fetch [--concurrency 1..64] [--post WMS_URL TOKEN] SPEC_FILE\n");
    return 2;
  }
  std::ifstream in(spec);
  if (!in) {
    std::fprintf(stderr, "cartsync-bench-fetch: cannot read %s\n", spec);
    return 2;
  }
  std::vector<Store> stores;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string part; std::getline(ss, part, '\t');) f.push_back(part);
    if (f.size() < 3) {
      std::fprintf(stderr, "cartsync-bench-fetch: bad line: %s\n", line.c_str());
      return 2;
    }
    stores.push_back(
        {f[0], f[1], f[2], f.size() > 3 ? f[3] : "", f[1].substr(f[1].rfind('/') + 1)});
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  Totals totals;
  std::atomic<size_t> next{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < concurrency && static_cast<size_t>(t) < stores.size(); ++t) {
    pool.emplace_back([&] {
      Worker w(totals, post);
      for (size_t i = next++; i < stores.size() && !totals.failed; i = next++) w.Run(stores[i]);
    });
  }
  for (std::thread& t : pool) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  curl_global_cleanup();
  if (totals.failed) return 1;
  std::printf("orders=%lld requests=%lld posts=%lld bytes=%lld seconds=%.3f orders_per_s=%.1f\n",
              totals.orders.load(), totals.requests.load() - totals.posts.load(),
              totals.posts.load(), totals.bytes.load(), seconds,
              seconds > 0 ? static_cast<double>(totals.orders.load()) / seconds : 0.0);
  return 0;
}

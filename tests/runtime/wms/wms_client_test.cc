// Documents, secrets and the three WMS transports. The command transport runs
// a real program (tests/runtime/fake_wms_command.cc, path in FAKE_WMS_COMMAND);
// the directory transport works in a temporary directory; the http transport
// goes through the real HttpClient over a scripted HttpTransport.
#include "runtime/wms/wms_client.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "runtime/documents.h"
#include "runtime/net/http_client.h"
#include "runtime/secrets.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_secrets.h"
#include "tests/support/scripted_transport.h"
#include "tests/support/temp_dir.h"

#ifndef FAKE_WMS_COMMAND
#error "FAKE_WMS_COMMAND must be the path of the fake_wms_command program"
#endif

namespace cartsync {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kAsOf = 1795168800;  // 2026-11-20T10:00:00Z

// ---------------------------------------------------------------------------
// Helpers

void WriteText(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> ListDir(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    names.push_back(it->path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

WmsOrder SampleOrder(const std::string& order_id = "450789469") {
  WmsOrder o;
  o.order_key = OrderKey("acme-shopify", order_id);
  o.cart_id = "acme-shopify";
  o.client = "acme-apparel";
  o.order_number = "#1001";
  o.placed_at = "2026-11-20T10:00:00Z";
  o.ship_to.name = "Ada \"Countess\" Lovelace";
  o.ship_to.address1 = "12 St James's Sq";
  o.ship_to.city = "London";
  o.ship_to.postal_code = "SW1Y 4JH";
  o.ship_to.country = "GB";
  o.ship_to.email = "ada@example.com";
  o.ship_method = {"Standard", "UPS", "GROUND"};
  o.lines.push_back({"11", "TS-RED-M", 2, "19.99"});
  o.lines.push_back({"12", "MUG-ÜBER", 1, "7.50"});
  o.wms_fields["facility_id"] = "12";
  o.wms_fields["tags"] = "[\"a\", \"b\"]";
  return o;
}

WmsConfig Config(const std::string& system, FieldValues fields) {
  WmsConfig c;
  c.name = "main";
  c.system = system;
  c.fields = std::move(fields);
  return c;
}

FieldValue Text(const std::string& t) {
  FieldValue v;
  v.type = FieldType::String;
  v.text = t;
  return v;
}

FieldValue Integer(int64_t i) {
  FieldValue v;
  v.type = FieldType::Integer;
  v.integer = i;
  return v;
}

FieldValue Secret(SecretRef::Kind kind, const std::string& target) {
  FieldValue v;
  v.type = FieldType::Secret;
  v.secret = SecretRef{kind, target};
  return v;
}

FieldValue List(std::vector<std::string> items) {
  FieldValue v;
  v.type = FieldType::StringArray;
  v.list = std::move(items);
  return v;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// ---------------------------------------------------------------------------
// Documents

TEST(WmsDocuments, OrderKeyJoinsCartAndOrderId) {
  EXPECT_EQ(OrderKey("acme-shopify", "450789469"), "acme-shopify:450789469");
  EXPECT_EQ(OrderKey("c", ""), "c:");
}

TEST(WmsDocuments, WmsOrderHasTheContractShapeInFixedOrder) {
  WmsOrder o;
  o.order_key = "acme-shopify:1";
  o.cart_id = "acme-shopify";
  o.client = "acme";
  o.order_number = "#1";
  o.placed_at = "2026-11-20T10:00:00Z";
  o.ship_to.name = "N";
  o.ship_to.country = "US";
  o.ship_method = {"Standard", "UPS", "GROUND"};
  o.lines.push_back({"L1", "TS-RED-M", 2, "19.99"});
  o.wms_fields["zeta"] = "{ \"x\" :\n 1 }";  // JSON text: emitted as JSON, compact
  o.wms_fields["facility_id"] = "12";
  o.wms_fields["note"] = "not json";  // not JSON: emitted as a string
  EXPECT_EQ(ToJson(o),
            R"({"order_key":"acme-shopify:1","cart_id":"acme-shopify","client":"acme",)"
            R"("order_number":"#1","placed_at":"2026-11-20T10:00:00Z",)"
            R"("currency":"","taxes_included":false,)"
            R"("ship_to":{"name":"N","company":"","address1":"","address2":"","city":"",)"
            R"("region":"","postal_code":"","country":"US","phone":"","email":""},)"
            R"("ship_method":{"cart_code":"Standard","carrier":"UPS","service":"GROUND"},)"
            R"("lines":[{"line_key":"L1","sku":"TS-RED-M","quantity":2,"unit_price":"19.99",)"
            R"("unit_list_price":"","unit_discount":"","discount":"","tax":""}],)"
            R"("totals":{"subtotal":"","shipping":"","discount":"","tax":"","total":""},)"
            R"("wms_fields":{"facility_id":12,"note":"not json","zeta":{"x":1}}})");
}

TEST(WmsDocuments, WmsOrderRoundTrips) {
  WmsOrder o = SampleOrder();
  std::string json = ToJson(o);
  EXPECT_EQ(json.find('\n'), std::string::npos);
  WmsOrder back;
  std::string error;
  ASSERT_TRUE(FromJson(json, back, error)) << error;
  EXPECT_EQ(back.order_key, o.order_key);
  EXPECT_EQ(back.client, o.client);
  EXPECT_EQ(back.ship_to.name, o.ship_to.name);
  EXPECT_EQ(back.ship_to.postal_code, o.ship_to.postal_code);
  EXPECT_EQ(back.ship_method.carrier, "UPS");
  ASSERT_EQ(back.lines.size(), 2u);
  EXPECT_EQ(back.lines[1].sku, "MUG-ÜBER");
  EXPECT_EQ(back.lines[0].quantity, 2);
  EXPECT_EQ(back.lines[1].unit_price, "7.50");
  EXPECT_EQ(back.wms_fields.at("facility_id"), "12");
  EXPECT_EQ(back.wms_fields.at("tags"), R"(["a","b"])");
  EXPECT_EQ(ToJson(back), json);  // deterministic
}

TEST(WmsDocuments, CartOrderRoundTrips) {
  CartOrder o;
  o.id = "450789469";
  o.order_number = "#1001";
  o.placed_at = "2026-11-20T10:00:00Z";
  o.updated_at = "2026-11-20T10:05:00Z";
  o.status = "open";
  o.ship_code = "Standard";
  o.ship_to.city = "Ottawa";
  o.lines.push_back({"1", "SKU", 3, "1.00"});
  std::string json = ToJson(o);
  CartOrder back;
  std::string error;
  ASSERT_TRUE(FromJson(json, back, error)) << error;
  EXPECT_EQ(back.id, o.id);
  EXPECT_EQ(back.updated_at, o.updated_at);
  EXPECT_EQ(back.ship_code, "Standard");
  EXPECT_EQ(back.ship_to.city, "Ottawa");
  ASSERT_EQ(back.lines.size(), 1u);
  EXPECT_EQ(back.lines[0].quantity, 3);
  EXPECT_EQ(ToJson(back), json);
}

TEST(WmsDocuments, ShipmentRoundTripsInFixedOrder) {
  Shipment s{"acme-shopify:1",       "UPS", "GROUND", "1Z999", "2026-11-21T08:00:00Z",
             {{"L1", "TS-RED-M", 2}}};
  std::string json = ToJson(s);
  EXPECT_EQ(json, R"({"order_key":"acme-shopify:1","carrier":"UPS","service":"GROUND",)"
                  R"("tracking_number":"1Z999","shipped_at":"2026-11-21T08:00:00Z",)"
                  R"("lines":[{"line_key":"L1","sku":"TS-RED-M","quantity":2}]})");
  Shipment back;
  std::string error;
  ASSERT_TRUE(FromJson(json, back, error)) << error;
  EXPECT_EQ(back.tracking_number, "1Z999");
  ASSERT_EQ(back.lines.size(), 1u);
  EXPECT_EQ(back.lines[0].quantity, 2);
}

TEST(WmsDocuments, ErrorsNameTheField) {
  std::string error;
  Shipment s;
  EXPECT_FALSE(FromJson(R"({"order_key":"k","tracking_number":7})", s, error));
  EXPECT_EQ(error, "tracking_number must be a string");
  EXPECT_FALSE(FromJson(R"({"order_key":"k"})", s, error));
  EXPECT_EQ(error, "tracking_number is missing");
  EXPECT_FALSE(FromJson(
      R"({"order_key":"k","tracking_number":"1Z","lines":[{"quantity":1},{"quantity":"2"}]})", s,
      error));
  EXPECT_EQ(error, "lines[1].quantity must be an integer");
  EXPECT_FALSE(FromJson(R"({"order_key":"k",)", s, error));
  EXPECT_TRUE(Contains(error, "invalid JSON at offset")) << error;
  EXPECT_FALSE(FromJson("[1]", s, error));
  EXPECT_EQ(error, "shipment must be a JSON object");

  InventoryRecord r;
  EXPECT_FALSE(FromJson(R"({"sku":"A","warehouse":"e","available":1.5,"on_hand":2})", r, error));
  EXPECT_EQ(error, "available must be an integer");
  ASSERT_TRUE(FromJson(R"({"sku":"A","warehouse":"e","available":3.0,"on_hand":4})", r, error))
      << error;
  EXPECT_EQ(r.available, 3);
  EXPECT_EQ(r.on_hand, 4);

  AliasRecord a;
  EXPECT_FALSE(FromJson(R"({"sku":"A","aliases":{"upc":12}})", a, error));
  EXPECT_EQ(error, "aliases.upc must be a string");
  ASSERT_TRUE(FromJson(R"({"sku":"A","aliases":{"upc":"0123","asin":null}})", a, error));
  EXPECT_EQ(a.aliases.size(), 1u);
  EXPECT_EQ(a.aliases.at("upc"), "0123");

  WmsOrder o;
  EXPECT_FALSE(FromJson(R"({"order_key":"k","ship_to":{"city":5}})", o, error));
  EXPECT_EQ(error, "ship_to.city must be a string");
  EXPECT_FALSE(FromJson(R"({"order_key":"k","ship_method":{"carrier":[]}})", o, error));
  EXPECT_EQ(error, "ship_method.carrier must be a string");

  rapidjson::Document d;
  d.Parse(R"({"sku":"A","warehouse":"e","available":1})");
  EXPECT_FALSE(ReadInventory(d, r, error));
  EXPECT_EQ(error, "on_hand is missing");
}

// ---------------------------------------------------------------------------
// Secrets

TEST(WmsSecrets, EnvReadsTheEnvironment) {
  EnvFileSecretResolver resolver(".");
  const std::string name = "CARTSYNC_WMS_TEST_SECRET_" + std::to_string(::getpid());
  ::setenv(name.c_str(), "s3cr3t-value", 1);
  auto value = resolver.Resolve({SecretRef::Kind::Env, name});
  ASSERT_TRUE(value.ok()) << value.status().message();
  EXPECT_EQ(value.value(), "s3cr3t-value");
  ::unsetenv(name.c_str());
  auto missing = resolver.Resolve({SecretRef::Kind::Env, name});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::Permanent);
  EXPECT_EQ(missing.status().message(), "secret env:" + name + " is not set");
}

TEST(WmsSecrets, FileIsRelativeToBaseDirAndLosesOneNewline) {
  TempDir dir;
  WriteText(dir / "secrets" / "token", "tok-123\n");
  WriteText(dir / "two-newlines", "tok\n\n");
  WriteText(dir / "crlf", "tok\r\n");
  EnvFileSecretResolver resolver(dir.path());
  auto value = resolver.Resolve({SecretRef::Kind::File, "secrets/token"});
  ASSERT_TRUE(value.ok()) << value.status().message();
  EXPECT_EQ(value.value(), "tok-123");
  EXPECT_EQ(resolver.Resolve({SecretRef::Kind::File, "two-newlines"}).value(), "tok\n");
  EXPECT_EQ(resolver.Resolve({SecretRef::Kind::File, "crlf"}).value(), "tok");
  // Absolute paths ignore base_dir.
  EnvFileSecretResolver elsewhere("/nonexistent");
  EXPECT_EQ(elsewhere.Resolve({SecretRef::Kind::File, (dir / "crlf").string()}).value(), "tok");

  auto missing = resolver.Resolve({SecretRef::Kind::File, "secrets/nope"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::Permanent);
  EXPECT_TRUE(Contains(missing.status().message(), "file:secrets/nope"));
  EXPECT_TRUE(Contains(missing.status().message(), (dir / "secrets/nope").string()))
      << missing.status().message();

  WriteText(dir / "empty", "\n");
  auto empty = resolver.Resolve({SecretRef::Kind::File, "empty"});
  ASSERT_FALSE(empty.ok());
  EXPECT_TRUE(Contains(empty.status().message(), "is empty"));
}

TEST(WmsSecrets, FakeResolverByReferenceText) {
  FakeSecretResolver fake;
  fake.values["env:WMS_TOKEN"] = "t";
  EXPECT_EQ(fake.Resolve({SecretRef::Kind::Env, "WMS_TOKEN"}).value(), "t");
  auto missing = fake.Resolve({SecretRef::Kind::File, "x"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "secret file:x is not set");
}

// ---------------------------------------------------------------------------
// Factory

TEST(WmsFactory, RejectsUnknownSystemsAndMissingFields) {
  WmsDeps deps;
  auto unknown = MakeWmsClient(Config("ftp", {}), deps);
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(Contains(unknown.status().message(), "[wms.main].system"))
      << unknown.status().message();
  auto no_url = MakeWmsClient(Config("http", {}), deps);
  ASSERT_FALSE(no_url.ok());
  EXPECT_TRUE(Contains(no_url.status().message(), "[wms.main].url"));
  auto no_command = MakeWmsClient(Config("command", {}), deps);
  ASSERT_FALSE(no_command.ok());
  EXPECT_TRUE(Contains(no_command.status().message(), "[wms.main].command"));
  auto no_path = MakeWmsClient(Config("directory", {}), deps);
  ASSERT_FALSE(no_path.ok());
  EXPECT_TRUE(Contains(no_path.status().message(), "[wms.main].path"));
  auto no_http = MakeWmsClient(Config("http", {{"url", Text("https://wms.test/api")}}), deps);
  ASSERT_FALSE(no_http.ok());
}

// ---------------------------------------------------------------------------
// http

class WmsHttpTest : public ::testing::Test {
 protected:
  WmsHttpTest() : http_(transport_, clock_) { secrets_.values["env:WMS_TOKEN"] = "tok-SECRET-42"; }
  // A request no route answers fails the test.
  void TearDown() override { transport_.ExpectScriptDone(); }
  std::unique_ptr<WmsClient> Make(int64_t timeout_seconds = 30) {
    WmsDeps deps;
    deps.http = &http_;
    deps.secrets = &secrets_;
    deps.clock = &clock_;
    auto client =
        MakeWmsClient(Config("http", {{"url", Text("https://wms.test/api/")},
                                      {"token", Secret(SecretRef::Kind::Env, "WMS_TOKEN")},
                                      {"timeout_seconds", Integer(timeout_seconds)}}),
                      deps);
    EXPECT_TRUE(client.ok()) << client.status().message();
    return client.ok() ? std::move(client.value()) : nullptr;
  }
  ScriptedTransport transport_;
  FakeClock clock_;
  HttpClient http_;
  FakeSecretResolver secrets_;
};

TEST_F(WmsHttpTest, PushPostsTheOrderWithIdempotencyKeyAndToken) {
  transport_.Route("POST", "https://wms.test/api/orders", 201, R"({"wms_order_id":"W-77"})");
  auto wms = Make(7);
  WmsOrder order = SampleOrder();
  auto id = wms->PushOrder(order);
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(id.value(), "W-77");
  ASSERT_EQ(transport_.requests.size(), 1u);
  const HttpRequest& r = transport_.requests[0];
  EXPECT_EQ(r.body, ToJson(order));
  EXPECT_EQ(HeaderOf(r, "Idempotency-Key"), "acme-shopify:450789469");
  EXPECT_EQ(HeaderOf(r, "Authorization"), "Bearer tok-SECRET-42");
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/json");
  EXPECT_EQ(HeaderOf(r, "Accept"), "application/json");
  EXPECT_EQ(r.timeout_ms, 7000);
  EXPECT_LE(r.connect_timeout_ms, 7000);
}

TEST_F(WmsHttpTest, ConflictMeansAlreadyPresent) {
  transport_.Route("POST", "https://wms.test/api/orders", 409, R"({"wms_order_id":"W-1"})");
  auto wms = Make();
  auto id = wms->PushOrder(SampleOrder());
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(id.value(), "W-1");
  EXPECT_EQ(transport_.requests.size(), 1u);
}

TEST_F(WmsHttpTest, ConflictWithoutIdLooksTheOrderUp) {
  transport_.Route("POST", "https://wms.test/api/orders", 409, "duplicate");
  transport_.Route("GET", "https://wms.test/api/orders/acme-shopify%3A450789469", 200,
                   R"({"wms_order_id":"W-9"})");
  transport_.Route("GET", "https://wms.test/api/orders/acme-shopify%3Agone", 404, "");
  auto wms = Make();
  auto id = wms->PushOrder(SampleOrder());
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(id.value(), "W-9");
  ASSERT_EQ(transport_.requests.size(), 2u);
  EXPECT_EQ(HeaderOf(transport_.requests[1], "Authorization"), "Bearer tok-SECRET-42");

  auto lost = wms->PushOrder(SampleOrder("gone"));
  ASSERT_FALSE(lost.ok());
  EXPECT_TRUE(lost.status().transient()) << lost.status().message();
}

TEST_F(WmsHttpTest, ClientErrorsArePermanentWithAShortExcerpt) {
  std::string body = R"({"error":"ship_to.postal_code invalid"})" + std::string(1000, 'x');
  transport_.Route("POST", "https://wms.test/api/orders", 422, body);
  auto wms = Make();
  auto id = wms->PushOrder(SampleOrder());
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::Permanent);
  const std::string& m = id.status().message();
  EXPECT_TRUE(Contains(m, "422")) << m;
  EXPECT_TRUE(Contains(m, "postal_code invalid")) << m;
  EXPECT_LT(m.size(), 350u) << m;
  EXPECT_FALSE(Contains(m, "tok-SECRET-42"));
}

TEST_F(WmsHttpTest, ServerErrorsAndNetworkFailuresStayTransient) {
  transport_.Route("GET", "https://wms.test/api/inventory", 503, "down");
  transport_.RouteFailure("GET", "https://wms.test/api/aliases",
                          Status::Transient("connection refused"));
  auto wms = Make();
  auto inventory = wms->PullInventory("");
  ASSERT_FALSE(inventory.ok());
  EXPECT_TRUE(inventory.status().transient()) << inventory.status().message();
  EXPECT_GT(transport_.requests.size(), 1u);  // HttpClient retried
  auto aliases = wms->PullAliases("");
  ASSERT_FALSE(aliases.ok());
  EXPECT_TRUE(aliases.status().transient()) << aliases.status().message();
  EXPECT_FALSE(Contains(aliases.status().message(), "tok-SECRET-42"));
}

TEST_F(WmsHttpTest, MissingTokenFailsBeforeSending) {
  secrets_.values.clear();
  auto wms = Make();
  auto id = wms->PushOrder(SampleOrder());
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::Permanent);
  EXPECT_TRUE(Contains(id.status().message(), "env:WMS_TOKEN")) << id.status().message();
  EXPECT_TRUE(transport_.requests.empty());
}

TEST_F(WmsHttpTest, FindOrderEncodesTheKey) {
  transport_.Route("GET", "https://wms.test/api/orders/acme%3A1%202%2F3", 200,
                   R"({"wms_order_id":"W-5"})");
  transport_.Route("GET", "https://wms.test/api/orders/acme%3A404", 404, "not found");
  auto wms = Make();
  auto found = wms->FindOrder("acme:1 2/3");
  ASSERT_TRUE(found.ok()) << found.status().message();
  ASSERT_TRUE(found.value().has_value());
  EXPECT_EQ(*found.value(), "W-5");
  auto none = wms->FindOrder("acme:404");
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_FALSE(none.value().has_value());
}

TEST_F(WmsHttpTest, PullShipmentsPassesTheCursor) {
  transport_.Route(
      "GET", "https://wms.test/api/shipments", 200,
      R"({"shipments":[{"order_key":"acme-shopify:1","carrier":"UPS",)"
      R"("service":"GROUND","tracking_number":"1Z1","shipped_at":"2026-11-21T08:00:00Z",)"
      R"("lines":[{"line_key":"L1","sku":"S","quantity":2}]}],"next":"c 1&2"})");
  transport_.Route("GET", "https://wms.test/api/shipments?since=c%201%262", 200,
                   R"({"shipments":[],"next":null})");
  auto wms = Make();
  auto first = wms->PullShipments("");
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_EQ(first->shipments.size(), 1u);
  EXPECT_EQ(first->shipments[0].tracking_number, "1Z1");
  EXPECT_EQ(first->shipments[0].lines[0].quantity, 2);
  EXPECT_EQ(first->next, "c 1&2");
  auto second = wms->PullShipments(first->next);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_TRUE(second->shipments.empty());
  EXPECT_EQ(second->next, "");
}

TEST_F(WmsHttpTest, MalformedShipmentNamesItsIndex) {
  std::string ok = R"({"order_key":"k","tracking_number":"1Z"})";
  transport_.Route("GET", "https://wms.test/api/shipments", 200,
                   R"({"shipments":[)" + ok + "," + ok + "," + ok +
                       R"(,{"order_key":"k","tracking_number":42}]})");
  auto wms = Make();
  auto page = wms->PullShipments("");
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::Permanent);
  EXPECT_TRUE(Contains(page.status().message(), "shipments[3].tracking_number must be a string"))
      << page.status().message();
}

TEST_F(WmsHttpTest, InventoryAndAliases) {
  transport_.Route("GET", "https://wms.test/api/inventory", 200,
                   R"({"inventory":[{"sku":"TS-RED-M","warehouse":"east","available":14,)"
                   R"("on_hand":20}],"as_of":"2026-11-20T10:00:00Z"})");
  transport_.Route("GET", "https://wms.test/api/aliases", 200,
                   R"({"aliases":[{"sku":"TS-RED-M","aliases":{"shopify_sku":"RED-TEE-M"}}]})");
  auto wms = Make();
  auto inventory = wms->PullInventory("");
  ASSERT_TRUE(inventory.ok()) << inventory.status().message();
  ASSERT_EQ(inventory->records.size(), 1u);
  EXPECT_EQ(inventory->records[0].warehouse, "east");
  EXPECT_EQ(inventory->records[0].available, 14);
  EXPECT_EQ(inventory->records[0].on_hand, 20);
  ASSERT_TRUE(inventory->as_of_seconds.has_value());
  EXPECT_EQ(*inventory->as_of_seconds, kAsOf);
  auto aliases = wms->PullAliases("");
  ASSERT_TRUE(aliases.ok()) << aliases.status().message();
  ASSERT_EQ(aliases->size(), 1u);
  EXPECT_EQ(aliases.value()[0].aliases.at("shopify_sku"), "RED-TEE-M");
}

TEST_F(WmsHttpTest, BadAnswersArePermanent) {
  transport_.Route("GET", "https://wms.test/api/inventory", 200,
                   R"({"inventory":[],"as_of":"yesterday"})");
  transport_.Route("GET", "https://wms.test/api/aliases", 200, "<html>oops</html>");
  transport_.Route("POST", "https://wms.test/api/orders", 200, R"({"id":"W-1"})");
  auto wms = Make();
  auto inventory = wms->PullInventory("");
  ASSERT_FALSE(inventory.ok());
  EXPECT_EQ(inventory.status().code(), StatusCode::Permanent);
  EXPECT_TRUE(Contains(inventory.status().message(), "as_of")) << inventory.status().message();
  auto aliases = wms->PullAliases("");
  ASSERT_FALSE(aliases.ok());
  EXPECT_EQ(aliases.status().code(), StatusCode::Permanent);
  EXPECT_TRUE(Contains(aliases.status().message(), "invalid JSON")) << aliases.status().message();
  auto id = wms->PushOrder(SampleOrder());
  ASSERT_FALSE(id.ok());
  EXPECT_TRUE(Contains(id.status().message(), "wms_order_id")) << id.status().message();
}

// ---------------------------------------------------------------------------
// command

std::unique_ptr<WmsClient> MakeCommand(std::vector<std::string> argv, int64_t timeout = 10,
                                       std::string base_dir = ".") {
  WmsDeps deps;
  deps.base_dir = std::move(base_dir);
  auto client = MakeWmsClient(Config("command", {{"command", List(std::move(argv))},
                                                 {"timeout_seconds", Integer(timeout)}}),
                              deps);
  EXPECT_TRUE(client.ok()) << client.status().message();
  return client.ok() ? std::move(client.value()) : nullptr;
}

TEST(WmsCommand, SpeaksTheProtocolWithOneProcess) {
  auto wms = MakeCommand({FAKE_WMS_COMMAND, "normal", "--prefix", "EAST"});
  auto a = wms->PushOrder(SampleOrder("1"));
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a.value(), "EAST-1");
  auto b = wms->PushOrder(SampleOrder("2"));
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b.value(), "EAST-2");  // the same process: it remembers order 1
  auto again = wms->PushOrder(SampleOrder("1"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), "EAST-1");

  auto found = wms->FindOrder("acme-shopify:2");
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(found.value(), std::optional<std::string>("EAST-2"));
  auto missing = wms->FindOrder("acme-shopify:3");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing.value().has_value());

  auto page = wms->PullShipments("");
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->shipments.size(), 2u);
  EXPECT_EQ(page->shipments[1].order_key, "acme-shopify:2");
  EXPECT_EQ(page->shipments[1].tracking_number, "1Z2");
  EXPECT_EQ(page->next, "2");
  auto none = wms->PullShipments(page->next);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->shipments.empty());

  auto inventory = wms->PullInventory("");
  ASSERT_TRUE(inventory.ok()) << inventory.status().message();
  EXPECT_EQ(inventory->records.size(), 2u);
  EXPECT_EQ(inventory->as_of_seconds, std::optional<int64_t>(kAsOf));
  auto aliases = wms->PullAliases("");
  ASSERT_TRUE(aliases.ok()) << aliases.status().message();
  ASSERT_EQ(aliases->size(), 1u);
  EXPECT_EQ(aliases.value()[0].aliases.at("shopify_sku"), "RED-TEE-M");

  // The program exits at end of input, so closing is quick.
  auto start = std::chrono::steady_clock::now();
  wms.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1500));
}

TEST(WmsCommand, ErrorAnswersCarryRetryability) {
  auto wms = MakeCommand({FAKE_WMS_COMMAND, "normal"});
  auto rejected = wms->PushOrder(SampleOrder("reject-me"));
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.status().code(), StatusCode::Permanent);
  EXPECT_TRUE(Contains(rejected.status().message(), "address rejected for acme-shopify:reject-me"))
      << rejected.status().message();
  auto busy = wms->PushOrder(SampleOrder("busy"));
  ASSERT_FALSE(busy.ok());
  EXPECT_TRUE(busy.status().transient());
  EXPECT_TRUE(Contains(busy.status().message(), "WMS busy"));
  auto ok = wms->PushOrder(SampleOrder("3"));  // still the same healthy process
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok.value(), "W-1");
}

TEST(WmsCommand, CrashIsTransientNamingTheExitAndRestarts) {
  auto wms = MakeCommand({FAKE_WMS_COMMAND, "crash-after", "2"});
  ASSERT_TRUE(wms->PushOrder(SampleOrder("1")).ok());
  ASSERT_TRUE(wms->PushOrder(SampleOrder("2")).ok());
  auto crashed = wms->PullShipments("");
  ASSERT_FALSE(crashed.ok());
  EXPECT_TRUE(crashed.status().transient());
  const std::string& m = crashed.status().message();
  EXPECT_TRUE(Contains(m, "exited with code 3")) << m;
  EXPECT_TRUE(Contains(m, "pull_shipments")) << m;
  EXPECT_TRUE(Contains(m, "fake wms: crashing on request 3")) << m;  // stderr tail
  // The next request starts a fresh process (which forgot order 1).
  auto again = wms->PushOrder(SampleOrder("9"));
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again.value(), "W-1");
}

TEST(WmsCommand, DeathBySignalIsReported) {
  auto wms = MakeCommand({FAKE_WMS_COMMAND, "kill-after", "0"});
  auto r = wms->PullAliases("");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().transient());
  EXPECT_TRUE(Contains(r.status().message(), "killed by signal 9")) << r.status().message();
}

TEST(WmsCommand, HangTimesOut) {
  auto wms = MakeCommand({FAKE_WMS_COMMAND, "hang"}, /*timeout=*/1);
  auto start = std::chrono::steady_clock::now();
  auto r = wms->PullInventory("");
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().transient());
  EXPECT_TRUE(Contains(r.status().message(), "WMS command timed out after 1s"))
      << r.status().message();
  EXPECT_GE(elapsed, std::chrono::milliseconds(900));
  EXPECT_LT(elapsed, std::chrono::milliseconds(2500));
}

TEST(WmsCommand, GarbageFailsRetryably) {
  auto wms = MakeCommand({FAKE_WMS_COMMAND, "garbage"});
  auto r = wms->PushOrder(SampleOrder());
  ASSERT_FALSE(r.ok());
  // Transient: the program broke the protocol; the WMS refused nothing, so the
  // order must stay `new` (retried) rather than be held as "rejected".
  EXPECT_EQ(r.status().code(), StatusCode::Transient);
  EXPECT_TRUE(Contains(r.status().message(), "WMS command printed invalid JSON"))
      << r.status().message();
  EXPECT_TRUE(Contains(r.status().message(), "this is not json")) << r.status().message();
}

TEST(WmsCommand, ChattyStderrDoesNotBlock) {
  auto wms = MakeCommand({FAKE_WMS_COMMAND, "noisy"}, /*timeout=*/5);
  for (int i = 0; i < 3; ++i) {
    auto r = wms->PushOrder(SampleOrder(std::to_string(i)));
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
}

TEST(WmsCommand, RelativeProgramResolvesAgainstBaseDir) {
  fs::path program(FAKE_WMS_COMMAND);
  auto wms = MakeCommand({"./" + program.filename().string(), "normal"}, 10,
                         program.parent_path().string());
  auto r = wms->PullAliases("");
  ASSERT_TRUE(r.ok()) << r.status().message();
  // A relative base_dir too (the program runs in base_dir).
  auto relative = MakeCommand({"./" + program.filename().string(), "normal"}, 10,
                              fs::relative(program.parent_path()).string());
  auto rr = relative->PullAliases("");
  ASSERT_TRUE(rr.ok()) << rr.status().message();

  auto missing = MakeCommand({"./no-such-bridge"}, 10, program.parent_path().string());
  auto m = missing->PullAliases("");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::Permanent);
  EXPECT_TRUE(Contains(m.status().message(), "no-such-bridge does not exist"))
      << m.status().message();
}

// ---------------------------------------------------------------------------
// directory

std::unique_ptr<WmsClient> MakeDirectory(const fs::path& base, const std::string& path) {
  WmsDeps deps;
  deps.base_dir = base.string();
  auto client = MakeWmsClient(Config("directory", {{"path", Text(path)}}), deps);
  EXPECT_TRUE(client.ok()) << client.status().message();
  return client.ok() ? std::move(client.value()) : nullptr;
}

TEST(WmsDirectory, PushWritesOneFileAtomicallyAndIsIdempotent) {
  TempDir dir;
  fs::create_directories(dir / "exchange");
  auto wms = MakeDirectory(dir.path(), "exchange");
  WmsOrder order = SampleOrder();
  auto id = wms->PushOrder(order);
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(id.value(), "acme-shopify:450789469");
  const fs::path outbox = dir / "exchange" / "outbox";
  // Only the final file: no temporary left behind.
  EXPECT_EQ(ListDir(outbox), std::vector<std::string>{"acme-shopify_3A450789469.json"});
  const fs::path file = outbox / "acme-shopify_3A450789469.json";
  EXPECT_EQ(ReadText(file), ToJson(order) + "\n");

  // A second delivery leaves the file as it was.
  WmsOrder changed = order;
  changed.order_number = "#changed";
  auto again = wms->PushOrder(changed);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), order.order_key);
  EXPECT_EQ(ReadText(file), ToJson(order) + "\n");

  // The WMS took it (moved to outbox/done/): still "sent", not written again.
  fs::create_directories(outbox / "done");
  fs::rename(file, outbox / "done" / file.filename());
  ASSERT_TRUE(wms->PushOrder(order).ok());
  EXPECT_FALSE(fs::exists(file));
  auto found = wms->FindOrder(order.order_key);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found.value(), std::optional<std::string>(order.order_key));
  auto missing = wms->FindOrder("acme-shopify:nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing.value().has_value());

  // Keys that differ only in unsafe bytes get different files.
  WmsOrder a = SampleOrder("x/y"), b = SampleOrder("x_y");
  ASSERT_TRUE(wms->PushOrder(a).ok());
  ASSERT_TRUE(wms->PushOrder(b).ok());
  EXPECT_TRUE(fs::exists(outbox / "acme-shopify_3Ax_2Fy.json"));
  EXPECT_TRUE(fs::exists(outbox / "acme-shopify_3Ax_5Fy.json"));
}

TEST(WmsDirectory, MissingExchangeDirectoryIsAnError) {
  TempDir dir;
  auto wms = MakeDirectory(dir.path(), "not-mounted");
  auto r = wms->PushOrder(SampleOrder());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Contains(r.status().message(), "not-mounted")) << r.status().message();
  EXPECT_FALSE(fs::exists(dir / "not-mounted"));
}

TEST(WmsDirectory, ShipmentsMoveToDoneOnlyOnTheNextPull) {
  TempDir dir;
  const fs::path root = dir / "x";
  const fs::path inbox = root / "inbox" / "shipments";
  WriteText(inbox / "a.json", R"({"order_key":"c:1","carrier":"UPS","tracking_number":"1Z1"})");
  WriteText(inbox / "b.json",
            R"({"shipments":[{"order_key":"c:2","tracking_number":"1Z2"},)"
            R"({"order_key":"c:3","tracking_number":"1Z3","lines":[{"sku":"S","quantity":1}]}]})");
  WriteText(inbox / ".partial.json", "{");  // hidden: being written by the WMS
  WriteText(inbox / "notes.txt", "ignored");
  auto wms = MakeDirectory(dir.path(), "x");

  auto first = wms->PullShipments("");
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_EQ(first->shipments.size(), 3u);
  EXPECT_EQ(first->shipments[0].tracking_number, "1Z1");
  EXPECT_EQ(first->shipments[2].lines[0].sku, "S");
  EXPECT_EQ(first->next, R"(["a.json","b.json"])");
  EXPECT_TRUE(fs::exists(inbox / "a.json"));  // not moved yet: the caller may crash

  // The caller crashed before recording: the same cursor gives the same page.
  auto replay = wms->PullShipments("");
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->shipments.size(), 3u);
  EXPECT_EQ(replay->next, first->next);

  // Recorded: the next pull files a and b away and reads what is new.
  WriteText(inbox / "0-late.json", R"({"order_key":"c:4","tracking_number":"1Z4"})");
  auto second = wms->PullShipments(first->next);
  ASSERT_TRUE(second.ok()) << second.status().message();
  ASSERT_EQ(second->shipments.size(), 1u);  // sorts before a.json, still read
  EXPECT_EQ(second->shipments[0].tracking_number, "1Z4");
  EXPECT_EQ(second->next, R"(["0-late.json"])");
  EXPECT_EQ(ListDir(root / "inbox" / "done"), (std::vector<std::string>{"a.json", "b.json"}));

  auto third = wms->PullShipments(second->next);
  ASSERT_TRUE(third.ok());
  EXPECT_TRUE(third->shipments.empty());
  EXPECT_EQ(third->next, "[]");
  EXPECT_EQ(ListDir(inbox), (std::vector<std::string>{".partial.json", "notes.txt"}));
  auto fourth = wms->PullShipments(third->next);
  ASSERT_TRUE(fourth.ok());
  EXPECT_EQ(fourth->next, "");  // unchanged

  auto bad = wms->PullShipments(R"(["../../etc/passwd"])");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::Permanent);
  auto junk = wms->PullShipments("last.json");
  ASSERT_FALSE(junk.ok());
}

TEST(WmsDirectory, MalformedShipmentFileNamesFileAndField) {
  TempDir dir;
  WriteText(dir / "inbox" / "shipments" / "s1.json",
            R"({"shipments":[{"order_key":"c:1","tracking_number":"1Z"},{"order_key":"c:2"}]})");
  auto wms = MakeDirectory(dir.path(), ".");
  auto r = wms->PullShipments("");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::Permanent);
  EXPECT_TRUE(Contains(r.status().message(), "inbox/shipments/s1.json")) << r.status().message();
  EXPECT_TRUE(Contains(r.status().message(), "shipments[1].tracking_number is missing"))
      << r.status().message();
}

TEST(WmsDirectory, InventoryAndAliases) {
  TempDir dir;
  auto wms = MakeDirectory(dir.path(), dir.path());  // absolute path works too
  auto none = wms->PullInventory("");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::NotFound);
  auto no_aliases = wms->PullAliases("");
  ASSERT_TRUE(no_aliases.ok()) << no_aliases.status().message();
  EXPECT_TRUE(no_aliases->empty());

  WriteText(dir / "inbox" / "inventory.json",
            R"({"inventory":[{"sku":"A","warehouse":"east","available":14,"on_hand":20},)"
            R"({"sku":"B","warehouse":"west","available":0,"on_hand":1}],)"
            R"("as_of":"2026-11-20T10:00:00Z"})");
  WriteText(dir / "inbox" / "aliases.json",
            R"({"aliases":[{"sku":"A","aliases":{"upc":"0001"}}]})");
  auto inventory = wms->PullInventory("");
  ASSERT_TRUE(inventory.ok()) << inventory.status().message();
  ASSERT_EQ(inventory->records.size(), 2u);
  EXPECT_EQ(inventory->records[1].sku, "B");
  EXPECT_EQ(inventory->records[1].on_hand, 1);
  EXPECT_EQ(inventory->as_of_seconds, std::optional<int64_t>(kAsOf));
  EXPECT_TRUE(fs::exists(dir / "inbox" / "inventory.json"));  // the latest snapshot stays
  auto aliases = wms->PullAliases("");
  ASSERT_TRUE(aliases.ok());
  ASSERT_EQ(aliases->size(), 1u);
  EXPECT_EQ(aliases.value()[0].aliases.at("upc"), "0001");

  WriteText(dir / "inbox" / "inventory.json", R"({"inventory":[{"sku":"A"}]})");
  auto broken = wms->PullInventory("");
  ASSERT_FALSE(broken.ok());
  EXPECT_TRUE(Contains(broken.status().message(), "inventory[0].available is missing"))
      << broken.status().message();
}

}  // namespace
}  // namespace cartsync

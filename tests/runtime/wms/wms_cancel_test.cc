// Cancel on the three WMS transports (wms-contract.md, "Additions (second
// wave)"): http POST {url}/orders/{key}/cancel (200 / 409 / 404), the
// command's {"op": "cancel_order"}, the directory's outbox/cancel/ file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "runtime/documents.h"
#include "runtime/net/http_client.h"
#include "runtime/wms/wms_client.h"
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

WmsOrder Order(const std::string& id) {
  WmsOrder o;
  o.order_key = OrderKey("acme-shopify", id);
  o.cart_id = "acme-shopify";
  o.order_number = "#" + id;
  o.ship_to.name = "Ada";
  o.ship_to.country = "GB";
  o.lines.push_back({"11", "TS-RED-M", 2, "19.99"});
  return o;
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class WmsHttpCancelTest : public ::testing::Test {
 protected:
  WmsHttpCancelTest() : http_(transport_, clock_) {
    secrets_.values["env:WMS_TOKEN"] = "tok-SECRET-42";
  }
  void TearDown() override { transport_.ExpectScriptDone(); }
  std::unique_ptr<WmsClient> Make() {
    WmsDeps deps;
    deps.http = &http_;
    deps.secrets = &secrets_;
    deps.clock = &clock_;
    FieldValue token;
    token.type = FieldType::Secret;
    token.secret = SecretRef{SecretRef::Kind::Env, "WMS_TOKEN"};
    auto client = MakeWmsClient(
        Config("http", {{"url", Text("https://wms.test/api")}, {"token", token}}), deps);
    EXPECT_TRUE(client.ok()) << client.status().message();
    return client.ok() ? std::move(client.value()) : nullptr;
  }
  ScriptedTransport transport_;
  FakeClock clock_;
  HttpClient http_;
  FakeSecretResolver secrets_;
};

TEST_F(WmsHttpCancelTest, TwoHundredCanceledFourOhNineTooLateFourOhFourUnknown) {
  transport_.Route("POST", "https://wms.test/api/orders/acme%3A1/cancel", 200,
                   R"({"status":"canceled"})");
  transport_.Route("POST", "https://wms.test/api/orders/acme%3A2/cancel", 409,
                   R"({"status":"shipped"})");
  transport_.Route("POST", "https://wms.test/api/orders/acme%3A3/cancel", 404,
                   R"({"error":"no such order"})");
  auto wms = Make();
  auto a = wms->CancelOrder("acme:1");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->outcome, WmsCancel::Outcome::Canceled);
  EXPECT_EQ(a->status, "canceled");
  auto b = wms->CancelOrder("acme:2");
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->outcome, WmsCancel::Outcome::TooLate);
  EXPECT_EQ(b->status, "shipped");
  auto c = wms->CancelOrder("acme:3");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->outcome, WmsCancel::Outcome::Unknown);
  ASSERT_EQ(transport_.requests.size(), 3u);
  for (const HttpRequest& r : transport_.requests) {
    bool auth = false;
    for (const auto& [name, value] : r.headers)
      if (name == "Authorization") auth = value == "Bearer tok-SECRET-42";
    EXPECT_TRUE(auth);
  }
}

TEST_F(WmsHttpCancelTest, ServerErrorIsTransientAndBadAnswerPermanent) {
  for (int i = 0; i < 10; ++i)
    transport_.Route("POST", "https://wms.test/api/orders/acme%3A1/cancel", 503, "down");
  transport_.Route("POST", "https://wms.test/api/orders/acme%3A2/cancel", 200, "not json");
  auto wms = Make();
  auto a = wms->CancelOrder("acme:1");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), StatusCode::Transient) << a.status().message();
  auto b = wms->CancelOrder("acme:2");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::Permanent) << b.status().message();
  EXPECT_EQ(b.status().message().find("tok-SECRET-42"), std::string::npos);
}

TEST(WmsCommandCancel, CancelOrderOp) {
  FieldValue argv;
  argv.type = FieldType::StringArray;
  argv.list = {FAKE_WMS_COMMAND, "normal"};
  WmsDeps deps;
  auto wms = MakeWmsClient(Config("command", {{"command", argv}}), deps);
  ASSERT_TRUE(wms.ok()) << wms.status().message();
  ASSERT_TRUE(wms.value()->PushOrder(Order("1")).ok());
  ASSERT_TRUE(wms.value()->PushOrder(Order("late")).ok());
  auto a = wms.value()->CancelOrder("acme-shopify:1");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->outcome, WmsCancel::Outcome::Canceled);
  auto b = wms.value()->CancelOrder("acme-shopify:late");
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->outcome, WmsCancel::Outcome::TooLate);
  EXPECT_EQ(b->status, "shipped");
  auto c = wms.value()->CancelOrder("acme-shopify:none");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->outcome, WmsCancel::Outcome::Unknown);
}

TEST(WmsDirectoryCancel, WritesOneCancelFileAtomically) {
  TempDir dir;
  fs::create_directories(dir / "exchange");
  WmsDeps deps;
  deps.base_dir = dir.path();
  auto wms = MakeWmsClient(Config("directory", {{"path", Text("exchange")}}), deps);
  ASSERT_TRUE(wms.ok()) << wms.status().message();
  auto unknown = wms.value()->CancelOrder("acme-shopify:1");
  ASSERT_TRUE(unknown.ok()) << unknown.status().message();
  EXPECT_EQ(unknown->outcome, WmsCancel::Outcome::Unknown);
  EXPECT_FALSE(fs::exists(dir / "exchange" / "outbox" / "cancel"));

  ASSERT_TRUE(wms.value()->PushOrder(Order("1")).ok());
  auto a = wms.value()->CancelOrder("acme-shopify:1");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->outcome, WmsCancel::Outcome::Canceled);
  const fs::path cancel_dir = dir / "exchange" / "outbox" / "cancel";
  const fs::path file = cancel_dir / "acme-shopify_3A1.json";
  ASSERT_TRUE(fs::exists(file));
  EXPECT_EQ(ReadText(file), "{\"op\":\"cancel_order\",\"order_key\":\"acme-shopify:1\"}\n");
  // Again: the same one file, no temporary left behind.
  ASSERT_TRUE(wms.value()->CancelOrder("acme-shopify:1").ok());
  int files = 0;
  for (const auto& e : fs::directory_iterator(cancel_dir)) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1);
  // The order file stays: the WMS reads the cancel next to it.
  EXPECT_TRUE(fs::exists(dir / "exchange" / "outbox" / "acme-shopify_3A1.json"));
}

}  // namespace
}  // namespace cartsync

// End to end: `cartsync doctor` in-process (RunCli: compiler, libcurl over
// loopback) against the simulator's Shopify (GraphQL), WooCommerce and
// BigCommerce stores and its WMS (issue 12, "cartsync doctor"). The stores
// are seeded with known ship codes; expectations come from the seeds and
// the simulator's records, not from runtime code. Every case also proves
// that nothing was written: no state store file, no WMS POST, no write to
// the cart (tracking, stock, status changes, non-GET requests).
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <stdlib.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/compiler.h"
#include "runtime/clock.h"
#include "tests/support/temp_dir.h"
#include "tools/cartsync/cli.h"
#include "tools/simulator/simulator.h"

namespace cartsync {
namespace {

namespace fs = std::filesystem;

constexpr char kWmsToken[] = "doctor-e2e-wms-token";
constexpr char kStoreSecret[] = "doctor-e2e-store-secret";  // the store's real credential
constexpr char kWrongSecret[] = "doctor-e2e-WRONG-secret-value";

struct Platform {
  std::string platform, store, status;  ///< the seed's one status: every order downloads
  std::string api;                      ///< [api] lines without base_url
  std::string items;                    ///< [items] lines
};

Platform ForPlatform(const std::string& name) {
  if (name == "shopify")
    return {"shopify", "docshop", "open/paid/unfulfilled",
            "store_url = \"https://docshop.myshopify.com\"\n"
            "access_token = { secret = \"env:DOCTOR_E2E_SECRET\" }\n",
            "translate_item_code = \"shopify_sku\"\n"};
  if (name == "woocommerce")
    return {"woocommerce", "docwoo", "processing",
            "store_url = \"https://docwoo.example\"\n"
            "consumer_key = { secret = \"env:DOCTOR_E2E_KEY\" }\n"
            "consumer_secret = { secret = \"env:DOCTOR_E2E_SECRET\" }\n",
            ""};
  // The other platforms, through the same checks (their connectors keep the
  // interface's defaults: no scope, location or catalog check).
  if (name == "ebay")
    return {"ebay", "docebay", "NOT_STARTED",
            "marketplace_id = \"EBAY_US\"\nclient_id = \"docebay-client-id\"\n"
            "client_secret = { secret = \"env:DOCTOR_E2E_CLIENT_SECRET\" }\n"
            "refresh_token = { secret = \"env:DOCTOR_E2E_SECRET\" }\n",
            ""};
  if (name == "amazon")
    return {"amazon", "docamz", "UNSHIPPED",
            "seller_id = \"SIMDOCAMZ\"\nmarketplace_id = \"ATVPDKIKX0DER\"\nregion = \"na\"\n"
            "client_id = \"amzn1.application-oa2-client.docamz\"\n"
            "client_secret = { secret = \"env:DOCTOR_E2E_CLIENT_SECRET\" }\n"
            "refresh_token = { secret = \"env:DOCTOR_E2E_SECRET\" }\n",
            ""};
  if (name == "walmart")
    return {"walmart", "docwm", "Created",
            "client_id = \"docwm-client-id\"\n"
            "client_secret = { secret = \"env:DOCTOR_E2E_CLIENT_SECRET\" }\n"
            "ship_node = \"10000003527\"\n",
            ""};
  if (name == "magento")
    return {"magento", "docmag", "processing",
            "store_url = \"https://docmag.example\"\n"
            "access_token = { secret = \"env:DOCTOR_E2E_SECRET\" }\nsource_code = \"default\"\n",
            ""};
  return {"bigcommerce", "docbc", "Awaiting Fulfillment",
          "store_hash = \"docbc\"\n"
          "access_token = { secret = \"env:DOCTOR_E2E_SECRET\" }\n",
          ""};
}

rapidjson::Document Parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  EXPECT_FALSE(d.HasParseError()) << text.substr(0, 500);
  return d;
}

class DoctorE2e : public ::testing::TestWithParam<std::string> {
 public:  // also driven by the unparameterized cases below
  void SetUp() override {
    p_ = ForPlatform(GetParam());
    ::setenv("DOCTOR_E2E_WMS_TOKEN", kWmsToken, 1);
    ::setenv("DOCTOR_E2E_KEY", "ck_doctor_key", 1);
    ::setenv("DOCTOR_E2E_SECRET", kStoreSecret, 1);
  }

  /// Seeds the store with orders of the last days carrying `ship_codes`.
  void Start(std::vector<std::string> ship_codes,
             std::optional<std::vector<std::string>> scopes = std::nullopt) {
    sim::SimOptions options;
    options.wms.token = kWmsToken;
    options.faults.bigcommerce_quota = 1'000'000;
    sim_ = std::make_unique<sim::Simulator>(options);
    sim::StoreSeed s;
    s.platform = p_.platform;
    s.name = p_.store;
    s.orders = 12;
    s.seed = 21;
    s.start_date = FormatIsoUtc(static_cast<int64_t>(std::time(nullptr)) - 4 * 86400);
    s.span_hours = 48;
    s.ship_codes = std::move(ship_codes);
    s.no_shipping_percent = 0;
    s.statuses = {{p_.status, 1}};
    s.extra_skus = std::vector<std::string>{};  // every SKU sold is in the WMS
    s.token = kStoreSecret;
    s.consumer_key = "ck_doctor_key";
    s.consumer_secret = kStoreSecret;
    s.scopes = std::move(scopes);
    if (p_.platform == "amazon") s.client_id = "amzn1.application-oa2-client.docamz";
    ::setenv("DOCTOR_E2E_CLIENT_SECRET", (p_.store + "-client-secret").c_str(), 1);
    std::string error;
    ASSERT_TRUE(sim_->SeedStore(s, &error)) << error;
    ASSERT_TRUE(sim_->Start(&error)) << error;
  }

  void TearDown() override {
    if (sim_) sim_->Stop();
    if (HasFailure()) tmp_.Keep();
  }

  /// The project: one cart mapping `mapped`, holding orders with other codes.
  void WriteProject(const std::vector<std::string>& mapped, const std::string& extra_api = "",
                    bool inventory = false) {
    fs::create_directories(dir_ / "carts.d");
    std::ofstream(dir_ / "cartsync.toml")
        << "[state]\nurl = \"sqlite:.cartsync/state.db\"\n\n"
        << "[wms.main]\nsystem = \"http\"\nurl = \"" << sim_->wms_url() << "\"\n"
        << "token = { secret = \"env:DOCTOR_E2E_WMS_TOKEN\" }\n"
        << "warehouses = [\"east\", \"west\"]\ncarriers = [\"UPS\", \"USPS\"]\n";
    std::ofstream cart(dir_ / "carts.d" / "doc.toml");
    cart << "[cart]\nid = \"doc-" << p_.platform << "\"\nclient = \"doc\"\nplatform = \""
         << p_.platform << "\"\nwms = \"main\"\n\n"
         << "[api]\n"
         << p_.api << extra_api << "base_url = \"" << sim_->store_url(p_.platform, p_.store)
         << "\"\n\n"
         << "[services.order_download]\nenabled = true\nevery = \"15m\"\n\n"
         << "[services.inventory_upload]\nenabled = " << (inventory ? "true" : "false")
         << "\nevery = \"hourly\"\n\n"
         << "[order_load]\nreject_unmapped_ship_codes = true\nearliest_order_date = "
         << FormatIsoUtc(static_cast<int64_t>(std::time(nullptr)) - 10 * 86400).substr(0, 10)
         << "\n"
         << (p_.platform == "shopify" ? "sync_inventory_alias = \"shopify_sku\"\n" : "") << "\n"
         << "[ship_methods]\n";
    for (const std::string& code : mapped) cart << "\"" << code << "\" = \"UPS/GROUND\"\n";
    if (!p_.items.empty()) cart << "\n[items]\n" << p_.items;
  }

  int Doctor(const std::vector<std::string>& flags, std::string* out, std::string* err) {
    std::ostringstream o, e;
    CliEnv env;
    env.today = TodayUtc();
    std::vector<std::string> args = {"doctor", dir_.string()};
    args.insert(args.end(), flags.begin(), flags.end());
    int code = RunCli(args, o, e, env);
    *out = o.str();
    *err = e.str();
    return code;
  }

  /// Nothing written anywhere: no state store, no WMS order, nothing sent to
  /// the cart but reads (GraphQL queries are POSTs: their writes would show
  /// as tracking or stock records).
  void ExpectNothingWritten() {
    EXPECT_FALSE(fs::exists(dir_ / ".cartsync")) << "a state store was created";
    sim::SimRecords r = sim_->Records();
    EXPECT_TRUE(r.wms_orders.empty());
    EXPECT_TRUE(r.tracking.empty());
    EXPECT_TRUE(r.inventory.empty());
    EXPECT_EQ(r.inventory_history, 0u);
    EXPECT_TRUE(r.status_changes.empty());
    uint64_t wms_reads = 0;
    for (const auto& [key, count] : r.requests) {
      if (key.rfind("wms ", 0) == 0) {
        EXPECT_EQ(key.find("wms GET "), 0u) << key;
        wms_reads += count;
        continue;
      }
      if (key.find(" POST ") != std::string::npos &&
          (key.find("/token") != std::string::npos ||
           key.find("/oauth2/token") != std::string::npos))
        continue;  // a token exchange (eBay, Amazon, Walmart), not a write
      if (p_.platform == "shopify" && key.find("POST") != std::string::npos) {
        EXPECT_NE(key.find("/graphql.json"), std::string::npos) << key;
        continue;
      }
      EXPECT_NE(key.find(" GET "), std::string::npos) << key;
    }
    EXPECT_GT(wms_reads, 0u) << "the WMS was read";
  }

  bool Core() const {
    return p_.platform == "shopify" || p_.platform == "woocommerce" || p_.platform == "bigcommerce";
  }

  const rapidjson::Value* CartOf(const rapidjson::Document& d) {
    if (!d.IsObject() || !d.HasMember("carts") || d["carts"].Size() != 1) return nullptr;
    return &d["carts"][0];
  }

  Platform p_;
  TempDir tmp_;
  fs::path dir_ = fs::path(tmp_.path()) / "project";
  std::unique_ptr<sim::Simulator> sim_;
};

TEST_P(DoctorE2e, AnUnmappedShipCodeExits3NamingTheCodeAndTheCart) {
  Start({"Standard", "UPS Ground"});
  WriteProject({"Standard"});
  int seen = 0;
  for (const sim::OrderSummary& o : sim_->Orders(p_.platform, p_.store))
    seen += o.ship_code == "UPS Ground";
  ASSERT_GT(seen, 0) << "the seed has orders with the unmapped code";

  std::string out, err;
  ASSERT_EQ(Doctor({"--format", "json"}, &out, &err), 3) << out << err;
  rapidjson::Document d = Parse(out);
  const rapidjson::Value* cart = CartOf(d);
  ASSERT_NE(cart, nullptr) << out;
  EXPECT_EQ(std::string((*cart)["id"].GetString()), "doc-" + p_.platform);
  EXPECT_EQ((*cart)["orders_seen"].GetInt(), 12) << out;
  std::vector<std::string> errors;
  for (const auto& f : (*cart)["findings"].GetArray()) {
    if (std::string(f["severity"].GetString()) != "error") continue;
    errors.push_back(std::string(f["check"].GetString()) + ":" + f["subject"].GetString());
    if (std::string(f["check"].GetString()) == "ship_codes") {
      EXPECT_EQ(f["orders"].GetInt(), seen);
      EXPECT_EQ(std::string(f["fix"].GetString()),
                "add `\"UPS Ground\" = \"UPS/SERVICE\"` to [ship_methods] in carts.d/doc.toml");
    }
  }
  EXPECT_EQ(errors, std::vector<std::string>{"ship_codes:UPS Ground"}) << out;
  EXPECT_EQ(d["errors"].GetInt(), 1);

  // Text: one line naming the cart and the code.
  ASSERT_EQ(Doctor({}, &out, &err), 3);
  EXPECT_NE(out.find("cart doc-" + p_.platform + " (" + p_.platform + ", carts.d/doc.toml)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("error[ship_codes]: ship code \"UPS Ground\""), std::string::npos) << out;
  ExpectNothingWritten();
}

TEST_P(DoctorE2e, EverythingMappedExits0) {
  Start({"Standard", "UPS Ground"});
  WriteProject({"Standard", "UPS Ground"}, "", /*inventory=*/true);
  std::string out, err;
  EXPECT_EQ(Doctor({}, &out, &err), 0) << out << err;
  EXPECT_NE(out.find("0 errors"), std::string::npos) << out;
  EXPECT_EQ(out.find("error["), std::string::npos) << out;
  ExpectNothingWritten();
}

TEST_P(DoctorE2e, BadCredentialsAreAFindingNamingTheCredentialNotItsValue) {
  if (!Core()) GTEST_SKIP() << "Shopify, WooCommerce and BigCommerce only";
  Start({"Standard"});
  ::setenv("DOCTOR_E2E_SECRET", kWrongSecret, 1);
  WriteProject({"Standard"});
  std::string out, err;
  ASSERT_EQ(Doctor({"--format", "json"}, &out, &err), 3) << out << err;
  EXPECT_EQ(out.find(kWrongSecret), std::string::npos);
  EXPECT_EQ(err.find(kWrongSecret), std::string::npos);
  EXPECT_EQ(out.find(kStoreSecret), std::string::npos);
  rapidjson::Document d = Parse(out);
  const rapidjson::Value* cart = CartOf(d);
  ASSERT_NE(cart, nullptr) << out;
  ASSERT_GT((*cart)["findings"].Size(), 0u) << out;
  const auto& f = (*cart)["findings"][0];
  EXPECT_STREQ(f["check"].GetString(), "credentials");
  const std::string message = f["message"].GetString();
  const char* credential = p_.platform == "woocommerce" ? "API keys" : "access token";
  EXPECT_NE(message.find(credential), std::string::npos) << message;
  ExpectNothingWritten();
}

TEST_P(DoctorE2e, AMissingSecretIsAFindingNamingTheVariable) {
  if (!Core()) GTEST_SKIP() << "Shopify, WooCommerce and BigCommerce only";
  Start({"Standard"});
  ::unsetenv("DOCTOR_E2E_SECRET");
  WriteProject({"Standard"});
  std::string out, err;
  ASSERT_EQ(Doctor({}, &out, &err), 3) << out << err;
  EXPECT_NE(out.find("DOCTOR_E2E_SECRET"), std::string::npos) << out;
  ExpectNothingWritten();
}

TEST_P(DoctorE2e, MarkdownIsForAPullRequest) {
  if (!Core()) GTEST_SKIP() << "Shopify, WooCommerce and BigCommerce only";
  Start({"Standard", "UPS Ground"});
  WriteProject({"Standard"});
  std::string out, err;
  ASSERT_EQ(Doctor({"--format", "markdown"}, &out, &err), 3) << out << err;
  EXPECT_EQ(out.rfind("## cartsync doctor\n", 0), 0u) << out;
  EXPECT_NE(out.find("### cart doc-" + p_.platform), std::string::npos) << out;
  EXPECT_NE(out.find("UPS Ground"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Platforms, DoctorE2e,
                         ::testing::Values("shopify", "woocommerce", "bigcommerce", "ebay",
                                           "amazon", "walmart", "magento"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

// Scopes: a Shopify app without write_inventory, a BigCommerce account
// without Store Inventory, while inventory_upload is enabled.
TEST(DoctorScopesE2e, MissingScopesAreNamed) {
  for (const std::string& platform : {std::string("shopify"), std::string("bigcommerce")}) {
    SCOPED_TRACE(platform);
    // The fixture's helpers, without a gtest parameter.
    struct Runner : DoctorE2e {
      void TestBody() override {}
    } t;
    t.p_ = ForPlatform(platform);
    ::setenv("DOCTOR_E2E_WMS_TOKEN", kWmsToken, 1);
    ::setenv("DOCTOR_E2E_SECRET", kStoreSecret, 1);
    std::vector<std::string> scopes =
        platform == "shopify"
            ? std::vector<std::string>{"read_orders", "read_products", "read_locations"}
            : std::vector<std::string>{"store_v2_orders", "store_v2_products"};
    t.Start({"Standard"}, scopes);
    t.WriteProject({"Standard"}, "", /*inventory=*/true);
    std::string out, err;
    EXPECT_EQ(t.Doctor({}, &out, &err), 3) << out << err;
    EXPECT_NE(out.find("error[scopes]"), std::string::npos) << out;
    EXPECT_NE(out.find(platform == "shopify" ? "write_inventory" : "Store Inventory"),
              std::string::npos)
        << out;
    t.ExpectNothingWritten();
    t.TearDown();
  }
}

// An inventory location the store does not have.
TEST(DoctorLocationE2e, AnUnknownLocationIsNamed) {
  for (const std::string& platform : {std::string("shopify"), std::string("bigcommerce")}) {
    SCOPED_TRACE(platform);
    struct Runner : DoctorE2e {
      void TestBody() override {}
    } t;
    t.p_ = ForPlatform(platform);
    ::setenv("DOCTOR_E2E_WMS_TOKEN", kWmsToken, 1);
    ::setenv("DOCTOR_E2E_SECRET", kStoreSecret, 1);
    t.Start({"Standard"});
    t.WriteProject({"Standard"}, "inventory_location_id = 987654\n", /*inventory=*/true);
    std::string out, err;
    EXPECT_EQ(t.Doctor({}, &out, &err), 3) << out << err;
    EXPECT_NE(out.find("error[location]"), std::string::npos) << out;
    EXPECT_NE(out.find("987654"), std::string::npos) << out;
    t.ExpectNothingWritten();
    t.TearDown();
  }
}

}  // namespace
}  // namespace cartsync

// The platform and WMS descriptors: the built-in set against the contract
// table of platforms.md ("Descriptor contract"), E0703 for malformed
// descriptors, and a new platform added as data only (--schema DIR).
#include "compiler/schema.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/compiler.h"
#include "tests/support/cart_builder.h"
#include "tests/support/temp_dir.h"

#ifndef CARTSYNC_SOURCE_DIR
#define CARTSYNC_SOURCE_DIR "."
#endif

namespace cartsync {
namespace {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

std::string Text(std::initializer_list<std::string_view> lines) {
  std::string s;
  for (std::string_view l : lines) {
    s += l;
    s += '\n';
  }
  return s;
}

// "file:line:col-endcol: code: message", as in checker_test.cc.
Strings Rendered(const DiagnosticEngine& diags) {
  Strings out;
  for (const Diagnostic& d : diags.Sorted()) {
    const SourceRegion& r = d.region;
    std::string s =
        r.file + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column) + "-";
    if (r.end.line != r.begin.line) s += std::to_string(r.end.line) + ":";
    out.push_back(s + std::to_string(r.end.column) + ": " + d.code + ": " + d.message);
  }
  return out;
}

// Expected facts of one [api] field.
struct FieldFacts {
  std::string name;
  FieldType type;
  bool required;
  std::optional<std::string> default_string = std::nullopt;
  std::optional<int64_t> default_integer = std::nullopt;
  std::string pattern = "";
  Strings values = {};
};

struct StatusFacts {
  std::string name;
  Strings allowed;
  Strings defaults;
};

// The implicit override every platform takes.
const FieldFacts kBaseUrl{"base_url", FieldType::Url, false};

void ExpectPlatform(const std::string& id, const std::string& display_name,
                    InventoryQuantity quantity, std::vector<FieldFacts> fields,
                    const std::vector<StatusFacts>& statuses) {
  SCOPED_TRACE("platform " + id);
  const PlatformDescriptor* p = BuiltinSchema().FindPlatform(id);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->id, id);
  EXPECT_EQ(p->name, display_name);
  EXPECT_EQ(p->inventory_quantity, quantity);
  for (Service s : kAllServices) EXPECT_TRUE(p->Supports(s)) << ServiceName(s);
  // Field names, sorted, exactly those of the contract table plus base_url.
  fields.push_back(kBaseUrl);
  std::sort(fields.begin(), fields.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  Strings want, got;
  for (const FieldFacts& f : fields) want.push_back(f.name);
  for (const FieldSpec& f : p->api) got.push_back(f.name);
  EXPECT_EQ(got, want);
  for (const FieldFacts& f : fields) {
    SCOPED_TRACE("field " + f.name);
    const FieldSpec* spec = p->FindField(f.name);
    ASSERT_NE(spec, nullptr);
    EXPECT_EQ(FieldTypeName(spec->type), FieldTypeName(f.type));
    EXPECT_EQ(spec->required, f.required);
    EXPECT_EQ(spec->default_string, f.default_string);
    EXPECT_EQ(spec->default_integer, f.default_integer);
    EXPECT_EQ(spec->pattern, f.pattern);
    EXPECT_EQ(spec->values, f.values);
    EXPECT_FALSE(spec->help.empty());  // `cartsync schema` and editors show it
  }
  ASSERT_EQ(p->statuses.size(), statuses.size());
  for (size_t i = 0; i < statuses.size(); ++i) {
    SCOPED_TRACE("status dimension " + statuses[i].name);
    const StatusDimension* d = p->FindStatus(statuses[i].name);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->allowed, statuses[i].allowed);
    EXPECT_EQ(d->defaults, statuses[i].defaults);
    EXPECT_FALSE(d->help.empty());
  }
}

// ===========================================================================
// The built-in descriptors
// ===========================================================================

TEST(BuiltinSchemaTest, LoadsWithoutDiagnostics) {
  std::vector<std::pair<std::string, std::string>> files;
  for (const EmbeddedFile& f : EmbeddedSchemaFiles()) files.emplace_back(f.path, f.content);
  Schema schema;
  DiagnosticEngine diags;
  EXPECT_TRUE(LoadSchema(files, schema, diags));
  EXPECT_EQ(Rendered(diags), Strings{});
}

TEST(BuiltinSchemaTest, EmbeddedCopyMatchesSchemaDirectory) {
  Schema from_dir;
  DiagnosticEngine diags;
  ASSERT_TRUE(LoadSchemaDir(CARTSYNC_SOURCE_DIR "/schema", from_dir, diags))
      << Rendered(diags).front();
  const Schema& builtin = BuiltinSchema();
  Strings a, b;
  for (auto& [id, p] : builtin.platforms) a.push_back(id);
  for (auto& [id, p] : from_dir.platforms) b.push_back(id);
  EXPECT_EQ(a, b);
  for (auto& [id, p] : from_dir.platforms) {
    const PlatformDescriptor* q = builtin.FindPlatform(id);
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(q->api.size(), p.api.size()) << id;
    EXPECT_EQ(q->statuses.size(), p.statuses.size()) << id;
  }
  EXPECT_EQ(builtin.order_fields, from_dir.order_fields);
}

TEST(BuiltinSchemaTest, HasTheSevenPlatformsAndThreeWmsSystems) {
  const Schema& s = BuiltinSchema();
  Strings platforms;
  for (auto& [id, p] : s.platforms) platforms.push_back(id);
  EXPECT_EQ(platforms, (Strings{"amazon", "bigcommerce", "ebay", "magento", "shopify", "walmart",
                                "woocommerce"}));
  for (auto& [id, p] : s.platforms) {
    const FieldSpec* base = p.FindField("base_url");
    ASSERT_NE(base, nullptr) << id;
    EXPECT_EQ(base->type, FieldType::Url) << id;
    EXPECT_FALSE(base->required) << id;
    EXPECT_FALSE(base->help.empty()) << id;
    EXPECT_TRUE(
        std::is_sorted(p.api.begin(), p.api.end(),
                       [](const FieldSpec& a, const FieldSpec& b) { return a.name < b.name; }))
        << id;
  }
  EXPECT_EQ(s.FindPlatform("etsy"), nullptr);
  Strings systems;
  for (auto& [id, w] : s.wms_systems) systems.push_back(id);
  EXPECT_EQ(systems, (Strings{"command", "directory", "http"}));
  const WmsDescriptor* http = s.FindWms("http");
  ASSERT_NE(http, nullptr);
  ASSERT_NE(http->FindField("url"), nullptr);
  EXPECT_EQ(http->FindField("url")->type, FieldType::Url);
  EXPECT_TRUE(http->FindField("url")->required);
  EXPECT_EQ(http->FindField("token")->type, FieldType::Secret);
  EXPECT_FALSE(http->FindField("token")->required);
  EXPECT_EQ(http->FindField("timeout_seconds")->default_integer, 30);
  EXPECT_EQ(s.FindWms("command")->FindField("command")->type, FieldType::StringArray);
  EXPECT_EQ(s.FindWms("command")->FindField("timeout_seconds")->default_integer, 60);
  EXPECT_TRUE(s.FindWms("directory")->FindField("path")->required);
  // Order filters may name the scalar fields of the normalized order.
  EXPECT_NE(std::find(s.order_fields.begin(), s.order_fields.end(), "ship_to.country"),
            s.order_fields.end());
  EXPECT_NE(std::find(s.order_fields.begin(), s.order_fields.end(), "ship_method.cart_code"),
            s.order_fields.end());
  EXPECT_EQ(std::find(s.order_fields.begin(), s.order_fields.end(), "lines"), s.order_fields.end());
}

TEST(BuiltinSchemaTest, Shopify) {
  ExpectPlatform("shopify", "Shopify", InventoryQuantity::Available,
                 {
                     {"store_url",
                      FieldType::Url,
                      true,
                      {},
                      {},
                      R"(^https://[a-z0-9][a-z0-9-]*\.myshopify\.com/?$)"},
                     {"client_id", FieldType::String, false},
                     {"client_secret", FieldType::Secret, false},
                     {"access_token", FieldType::Secret, false},
                     {"api_version",
                      FieldType::Enum,
                      false,
                      "2026-10",
                      {},
                      "",
                      {"2026-01", "2026-04", "2026-07", "2026-10"}},
                     {"inventory_location_id", FieldType::Integer, false},
                 },
                 {
                     {"status", {"open", "closed", "cancelled", "any"}, {"open"}},
                     {"financial_status",
                      {"authorized", "pending", "paid", "partially_paid", "refunded", "voided",
                       "partially_refunded", "unpaid", "any"},
                      {"paid", "partially_refunded"}},
                     {"fulfillment_status",
                      {"unfulfilled", "partial", "fulfilled", "any"},
                      {"unfulfilled", "partial"}},
                 });
}

TEST(BuiltinSchemaTest, WooCommerce) {
  ExpectPlatform(
      "woocommerce", "WooCommerce", InventoryQuantity::Available,
      {
          {"store_url", FieldType::Url, true},
          {"consumer_key", FieldType::Secret, true},
          {"consumer_secret", FieldType::Secret, true},
          {"tracking",
           FieldType::Enum,
           false,
           "shipment_tracking",
           {},
           "",
           {"shipment_tracking", "order_note"}},
      },
      {
          {"status",
           {"pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed"},
           {"processing"}},
      });
}

TEST(BuiltinSchemaTest, BigCommerce) {
  ExpectPlatform("bigcommerce", "BigCommerce", InventoryQuantity::Available,
                 {
                     {"store_hash", FieldType::String, true, {}, {}, "^[a-z0-9]+$"},
                     {"access_token", FieldType::Secret, true},
                     {"inventory_location_id", FieldType::Integer, false, {}, 1},
                 },
                 {
                     // The names of status ids 0..14, in id order.
                     {"status",
                      {"Incomplete", "Pending", "Shipped", "Partially Shipped", "Refunded",
                       "Cancelled", "Declined", "Awaiting Payment", "Awaiting Pickup",
                       "Awaiting Shipment", "Completed", "Awaiting Fulfillment",
                       "Manual Verification Required", "Disputed", "Partially Refunded"},
                      {"Awaiting Fulfillment"}},
                 });
}

TEST(BuiltinSchemaTest, Amazon) {
  ExpectPlatform("amazon", "Amazon Seller Central", InventoryQuantity::Available,
                 {
                     {"seller_id", FieldType::String, true, {}, {}, "^[A-Z0-9]+$"},
                     {"marketplace_id", FieldType::String, true, {}, {}, "^[A-Z0-9]+$"},
                     {"region", FieldType::Enum, true, {}, {}, "", {"na", "eu", "fe"}},
                     {"client_id",
                      FieldType::String,
                      true,
                      {},
                      {},
                      R"(^amzn1\.application-oa2-client\.[a-z0-9]+$)"},
                     {"client_secret", FieldType::Secret, true},
                     {"refresh_token", FieldType::Secret, true},
                 },
                 {
                     {"order_status",
                      {"PENDING_AVAILABILITY", "PENDING", "UNSHIPPED", "PARTIALLY_SHIPPED",
                       "SHIPPED", "CANCELLED", "UNFULFILLABLE"},
                      {"UNSHIPPED", "PARTIALLY_SHIPPED"}},
                 });
}

TEST(BuiltinSchemaTest, Ebay) {
  ExpectPlatform(
      "ebay", "eBay", InventoryQuantity::Available,
      {
          {"marketplace_id", FieldType::String, true, {}, {}, "^EBAY_[A-Z_]+$"},
          {"client_id", FieldType::String, true},
          {"client_secret", FieldType::Secret, true},
          {"refresh_token", FieldType::Secret, true},
          {"environment", FieldType::Enum, false, "production", {}, "", {"production", "sandbox"}},
          {"max_calls_per_run", FieldType::Integer, false, {}, 5000},
      },
      {
          {"fulfillment_status",
           {"NOT_STARTED", "IN_PROGRESS", "FULFILLED"},
           {"NOT_STARTED", "IN_PROGRESS"}},
      });
}

TEST(BuiltinSchemaTest, Walmart) {
  ExpectPlatform("walmart", "Walmart Marketplace", InventoryQuantity::Available,
                 {
                     {"client_id", FieldType::String, true},
                     {"client_secret", FieldType::Secret, true},
                     {"channel_type", FieldType::String, false},
                     {"ship_node", FieldType::String, false, std::nullopt, {}, "^[0-9]+$"},
                 },
                 {
                     {"status",
                      {"Created", "Acknowledged", "Shipped", "Delivered", "Cancelled"},
                      {"Created", "Acknowledged"}},
                 });
}

TEST(BuiltinSchemaTest, MagentoSyncsOnHand) {
  ExpectPlatform(
      "magento", "Magento 2 / Adobe Commerce", InventoryQuantity::OnHand,
      {
          {"store_url", FieldType::Url, true},
          {"access_token", FieldType::Secret, false},
          {"consumer_key", FieldType::Secret, false},
          {"consumer_secret", FieldType::Secret, false},
          {"oauth_token", FieldType::Secret, false},
          {"oauth_token_secret", FieldType::Secret, false},
          {"store_code", FieldType::String, false, "default", {}, "^[A-Za-z][A-Za-z0-9_]*$"},
          {"inventory_api", FieldType::Enum, false, "msi", {}, "", {"msi", "legacy"}},
          {"source_code", FieldType::String, false, "default"},
      },
      {
          {"status",
           {"pending", "processing", "complete", "closed", "canceled", "holded"},
           {"processing"}},
      });
  // Two credential forms: a standalone bearer token, or OAuth 1.0a.
  const PlatformDescriptor* magento = BuiltinSchema().FindPlatform("magento");
  ASSERT_NE(magento, nullptr);
  ASSERT_EQ(magento->credentials.size(), 2u);
  EXPECT_EQ(magento->credentials[0].fields, (Strings{"access_token"}));
  EXPECT_EQ(magento->credentials[1].fields,
            (Strings{"consumer_key", "consumer_secret", "oauth_token", "oauth_token_secret"}));
  for (auto& [id, p] : BuiltinSchema().platforms) {
    if (id == "magento") continue;
    EXPECT_EQ(p.inventory_quantity, InventoryQuantity::Available) << id;
  }
}

TEST(BuiltinSchemaTest, ServiceNamesRoundTrip) {
  for (Service s : kAllServices) EXPECT_EQ(ParseService(ServiceName(s)), s);
  EXPECT_EQ(ParseService("order_downloads"), std::nullopt);
  for (FieldType t : {FieldType::String, FieldType::Url, FieldType::Secret, FieldType::Integer,
                      FieldType::Enum, FieldType::StringArray})
    EXPECT_EQ(ParseFieldType(FieldTypeName(t)), t);
  EXPECT_EQ(ParseFieldType("secrte"), std::nullopt);
}

// ===========================================================================
// Malformed descriptors: E0703 at the offending line
// ===========================================================================

Strings Load(const std::vector<std::pair<std::string, std::string>>& files, bool* ok = nullptr) {
  Schema schema;
  DiagnosticEngine diags;
  bool loaded = LoadSchema(files, schema, diags);
  if (ok) *ok = loaded;
  return Rendered(diags);
}

const std::string kMinimalPlatform = Text({
    "id = \"mini\"",
    "name = \"Mini\"",
    "inventory_quantity = \"available\"",
    "services = [\"order_download\"]",
});

TEST(LoadSchemaTest, MalformedPlatformDescriptor) {
  std::string bad = Text({
      "id = \"bad\"",                                   // 1
      "name = \"Bad\"",                                 // 2
      "inventory_quantity = \"sometimes\"",             // 3
      "services = [\"order_download\", \"teleport\"]",  // 4
      "",                                               // 5
      "[api.token]",                                    // 6
      "type = \"secrte\"",                              // 7
      "",                                               // 8
      "[api.mode]",                                     // 9
      "type = \"enum\"",                                // 10
      "",                                               // 11
      "[api.port]",                                     // 12
      "type = \"integer\"",                             // 13
      "default = 1.5",                                  // 14
      "",                                               // 15
      "[api.name]",                                     // 16
      "required = true",                                // 17
      "",                                               // 18
      "[statuses.status]",                              // 19
      "allowed = [\"a\", \"b\"]",                       // 20
      "default = [\"c\"]",                              // 21
      "",                                               // 22
      "[statuses.other]",                               // 23
      "allowed = \"a\"",                                // 24
      "",                                               // 25
      "[statuses.third]",                               // 26
      "allowed = [\"a\", 1]",                           // 27
      "",                                               // 28
      "[statuses.fourth]",                              // 29
      "statuses = 5",                                   // 30 (a typo'd key: reported)
      "",                                               // 31
      "[statuses]",                                     // 32
      "fifth = 1",                                      // 33
  });
  bool ok = true;
  Strings got = Load({{"platforms/bad.toml", bad}, {"platforms/mini.toml", kMinimalPlatform}}, &ok);
  EXPECT_FALSE(ok);
  EXPECT_EQ(
      got,
      (Strings{
          "platforms/bad.toml:3:22-33: E0703: schema descriptor: inventory_quantity must be "
          "\"available\" or \"on_hand\"",
          "platforms/bad.toml:4:12-42: E0703: schema descriptor: unknown service \"teleport\"",
          "platforms/bad.toml:7:8-16: E0703: schema descriptor: unknown field type \"secrte\"",
          "platforms/bad.toml:9:1-11: E0703: schema descriptor: enum field \"mode\" needs values",
          "platforms/bad.toml:14:11-14: E0703: schema descriptor: default must be a string or an "
          "integer",
          "platforms/bad.toml:16:1-11: E0703: schema descriptor: missing \"type\"",
          "platforms/bad.toml:21:11-16: E0703: schema descriptor: default status \"c\" is not "
          "allowed",
          "platforms/bad.toml:24:11-14: E0703: schema descriptor: \"allowed\" must be an array of "
          "strings",
          "platforms/bad.toml:27:17-18: E0703: schema descriptor: \"allowed\" must hold strings "
          "only",
          "platforms/bad.toml:30:1-9: E0703: schema descriptor: unknown key \"statuses\" in status "
          "dimension \"fourth\"",
          "platforms/bad.toml:33:9-10: E0703: schema descriptor: status dimension must be a table",
      }));
}

TEST(LoadSchemaTest, InvalidPattern) {
  std::string bad = kMinimalPlatform + Text({
                                           "[api.code]",           // 5
                                           "type = \"string\"",    // 6
                                           "pattern = \"([a-z\"",  // 7
                                       });
  Strings got = Load({{"platforms/mini.toml", bad}});
  ASSERT_EQ(got.size(), 1u);
  // The rest of the message is the regex library's.
  EXPECT_EQ(
      got[0].rfind("platforms/mini.toml:7:11-18: E0703: schema descriptor: invalid pattern: ", 0),
      0u)
      << got[0];
}

TEST(LoadSchemaTest, MissingRequiredKeys) {
  EXPECT_EQ(Load({{"platforms/x.toml", Text({"name = \"X\""})},
                  {"platforms/mini.toml", kMinimalPlatform}}),
            (Strings{
                // The root table: the whole file.
                "platforms/x.toml:1:1-12: E0703: schema descriptor: missing \"id\"",
                "platforms/x.toml:1:1-12: E0703: schema descriptor: missing \"inventory_quantity\"",
            }));
  EXPECT_EQ(Load({{"wms/x.toml", Text({"[fields.url]", "required = true"})},
                  {"platforms/mini.toml", kMinimalPlatform}}),
            (Strings{
                "wms/x.toml:1:1-2:17: E0703: schema descriptor: missing \"id\"",
                "wms/x.toml:1:1-2:17: E0703: schema descriptor: missing \"name\"",
                "wms/x.toml:1:1-13: E0703: schema descriptor: missing \"type\"",
            }));
}

TEST(LoadSchemaTest, TypeErrors) {
  std::string bad = Text({
      "id = 5",                              // 1
      "name = \"X\"",                        // 2
      "inventory_quantity = \"available\"",  // 3
      "services = \"order_download\"",       // 4
      "base_url = 1",                        // 5
      "[api]",                               // 6
      "shop = \"string\"",                   // 7
  });
  EXPECT_EQ(Load({{"platforms/x.toml", bad}, {"platforms/mini.toml", kMinimalPlatform}}),
            (Strings{
                "platforms/x.toml:1:6-7: E0703: schema descriptor: \"id\" must be a string",
                "platforms/x.toml:4:12-28: E0703: schema descriptor: \"services\" must be an array "
                "of strings",
                "platforms/x.toml:5:12-13: E0703: schema descriptor: \"base_url\" must be a string",
                "platforms/x.toml:7:8-16: E0703: schema descriptor: field \"shop\" must be a table",
            }));
}

TEST(LoadSchemaTest, BaseUrlIsImplicit) {
  std::string bad = kMinimalPlatform + Text({"[api.base_url]", "type = \"url\""});
  Strings got = Load({{"platforms/mini.toml", bad}});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_NE(got[0].find("platforms/mini.toml:"), std::string::npos);
  EXPECT_NE(got[0].find(": E0703: schema descriptor: base_url is implicit; do not declare it"),
            std::string::npos);
}

TEST(LoadSchemaTest, DuplicatePlatformId) {
  EXPECT_EQ(
      Load({{"platforms/a.toml", kMinimalPlatform}, {"platforms/b.toml", kMinimalPlatform}}),
      (Strings{
          "platforms/b.toml:1:6-12: E0703: schema descriptor: duplicate platform id \"mini\""}));
}

TEST(LoadSchemaTest, NoPlatforms) {
  bool ok = true;
  EXPECT_EQ(
      Load({{"wms/http.toml", Text({"id = \"http\"", "name = \"HTTP\""})}}, &ok),
      (Strings{":0:0-0: E0703: schema descriptor: no platform descriptors (platforms/*.toml)"}));
  EXPECT_FALSE(ok);
}

TEST(LoadSchemaTest, SyntaxErrorInADescriptorDoesNotStopTheOthers) {
  bool ok = true;
  Schema schema;
  DiagnosticEngine diags;
  ok = LoadSchema({{"platforms/broken.toml", "id = \"broken\nname = 1\n"},
                   {"platforms/mini.toml", kMinimalPlatform}},
                  schema, diags);
  EXPECT_FALSE(ok);
  EXPECT_EQ(Rendered(diags),
            (Strings{"platforms/broken.toml:1:13-14: E0105: Error while parsing string: "
                     "unescaped control characters other than TAB (U+0009) are explicitly "
                     "prohibited"}));
  EXPECT_NE(schema.FindPlatform("mini"), nullptr);
}

TEST(LoadSchemaTest, MissingSchemaDirectory) {
  Schema schema;
  DiagnosticEngine diags;
  EXPECT_FALSE(LoadSchemaDir("/nonexistent/cartsync-schema", schema, diags));
  EXPECT_EQ(Rendered(diags),
            (Strings{"/nonexistent/cartsync-schema:0:0-0: E0108: no such file or directory: "
                     "/nonexistent/cartsync-schema"}));
}

// ===========================================================================
// A new platform is data only
// ===========================================================================

const std::string kAcmePlatform = Text({
    "# A platform the compiler has never heard of.",
    "id = \"acme\"",
    "name = \"ACME Commerce\"",
    "inventory_quantity = \"on_hand\"",
    "services = [\"order_download\", \"shipment_upload\"]",
    "base_url = \"Replaces https://api.acme.example\"",
    "",
    "[api.shop_code]",
    "type = \"string\"",
    "required = true",
    "pattern = '^[A-Z]{3}[0-9]+$'",
    "help = \"Shop code\"",
    "",
    "[api.api_key]",
    "type = \"secret\"",
    "required = true",
    "help = \"API key\"",
    "",
    "[api.page_size]",
    "type = \"integer\"",
    "default = 50",
    "help = \"Orders per page\"",
    "",
    "[statuses.stage]",
    "allowed = [\"new\", \"paid\", \"packed\"]",
    "default = [\"paid\"]",
    "help = \"Order stage\"",
});

TEST(SchemaExtensionTest, NewPlatformDescriptorNeedsNoCompilerChange) {
  TempDir schema_dir;
  fs::copy(CARTSYNC_SOURCE_DIR "/schema", schema_dir.path(), fs::copy_options::recursive);
  schema_dir.Write("platforms/acme.toml", kAcmePlatform);
  Schema schema;
  DiagnosticEngine schema_diags;
  ASSERT_TRUE(LoadSchemaDir(schema_dir.path(), schema, schema_diags))
      << Rendered(schema_diags).front();
  EXPECT_EQ(schema.platforms.size(), 8u);
  const PlatformDescriptor* acme = schema.FindPlatform("acme");
  ASSERT_NE(acme, nullptr);
  EXPECT_EQ(acme->inventory_quantity, InventoryQuantity::OnHand);
  ASSERT_NE(acme->FindField("base_url"), nullptr);  // implicit, as for every platform
  EXPECT_EQ(acme->FindField("base_url")->help, "Replaces https://api.acme.example");

  TempDir project;
  project.Write("cartsync.toml", ProjectToml().Warehouses({"east"}).Carriers({"UPS"}).Text());
  project.Write("carts.d/good.toml", Text({
                                         "[cart]",
                                         "id = \"acme-good\"",
                                         "client = \"acme\"",
                                         "platform = \"acme\"",
                                         "[api]",
                                         "shop_code = \"ACM42\"",
                                         "api_key = { secret = \"env:ACME_KEY\" }",
                                         "[services.order_download]",
                                         "enabled = true",
                                         "every = \"15m\"",
                                         "[statuses]",
                                         "stage = [\"paid\", \"packed\"]",
                                         "[order_load]",
                                         "earliest_order_date = 2026-09-01",
                                         "[ship_methods]",
                                         "\"*\" = \"UPS/GROUND\"",
                                     }));
  project.Write("carts.d/bad.toml", Text({
                                        "[cart]",                       // 1
                                        "id = \"acme-bad\"",            // 2
                                        "client = \"acme\"",            // 3
                                        "platform = \"acme\"",          // 4
                                        "[api]",                        // 5
                                        "shop_code = \"acm42\"",        // 6
                                        "api_key = \"k-123\"",          // 7
                                        "[services.inventory_upload]",  // 8
                                        "enabled = true",               // 9
                                        "every = \"1h\"",               // 10
                                        "[statuses]",                   // 11
                                        "stage = [\"shipped\"]",        // 12
                                        "[order_load]",                 // 13
                                        "minimum_inventory_level = 1",  // 14
                                    }));
  CompileOptions options;
  options.paths = {project.path()};
  options.today = {2026, 11, 27};
  options.schema = &schema;
  Compilation c;
  Compile(options, c);
  const std::string bad = project.path() + "/carts.d/bad.toml";
  EXPECT_EQ(
      Rendered(c.diags),
      (Strings{
          bad + ":6:13-20: E0206: \"api.shop_code\" = \"acm42\" is not in the expected form: Shop "
                "code",
          bad + ":7:11-18: E0301: \"api.api_key\" is a secret: use { secret = \"env:NAME\" } or "
                "{ secret = \"file:PATH\" }, never the value itself",
          bad + ":9:11-15: E0405: platform acme does not support inventory_upload",
          bad + ":9:11-15: W0404: inventory_upload is enabled while order_download is disabled",
          bad + ":12:10-19: E0203: unknown status \"shipped\" for platform acme (stage); allowed: "
                "\"new\", \"paid\", \"packed\"",
          bad + ":14:27-28: E0504: minimum_inventory_level cannot take effect: platform acme syncs "
                "on-hand quantity, not available quantity",
      }));
  ASSERT_EQ(c.carts.size(), 1u);
  const CartConfig& good = c.carts[0];
  EXPECT_EQ(good.platform, "acme");
  EXPECT_EQ(good.inventory_quantity, InventoryQuantity::OnHand);
  EXPECT_EQ(good.api.at("shop_code").text, "ACM42");
  EXPECT_EQ(good.api.at("page_size").integer, 50);  // descriptor default
  EXPECT_EQ(good.api.at("api_key").secret->Text(), "env:ACME_KEY");
  EXPECT_EQ(good.statuses.at("stage"), (Strings{"paid", "packed"}));

  // The built-in schema does not know the platform.
  options.schema = nullptr;
  Compilation builtin;
  Compile(options, builtin);
  bool unknown = false;
  for (const Diagnostic& d : builtin.diags.diagnostics()) unknown |= d.code == "E0209";
  EXPECT_TRUE(unknown);
}

}  // namespace
}  // namespace cartsync

namespace cartsync {
namespace {

// A typo in a descriptor would otherwise change its meaning silently
// (`requried` makes a field optional, `servics` removes every service).
TEST(LoadSchemaTest, UnknownDescriptorKeysAreErrors) {
  std::string typo = kMinimalPlatform + Text({
                                            "servics = []",       // 5
                                            "[api.token]",        // 6
                                            "type = \"secret\"",  // 7
                                            "requried = true",    // 8
                                            "[statuses.status]",  // 9
                                            "allowed = [\"a\"]",  // 10
                                            "defualt = [\"a\"]",  // 11
                                        });
  EXPECT_EQ(Load({{"platforms/mini.toml", typo}}),
            (Strings{"platforms/mini.toml:5:1-8: E0703: schema descriptor: unknown key \"servics\" "
                     "in a platform descriptor",
                     "platforms/mini.toml:8:1-9: E0703: schema descriptor: unknown key "
                     "\"requried\" in field \"token\"",
                     "platforms/mini.toml:11:1-8: E0703: schema descriptor: unknown key "
                     "\"defualt\" in status dimension \"status\""}));
  EXPECT_EQ(Load({{"platforms/mini.toml",
                   kMinimalPlatform + "[api.token]\ntype = \"secret\"\nrequired = \"yes\"\n"}}),
            (Strings{"platforms/mini.toml:7:12-17: E0703: schema descriptor: \"required\" must be "
                     "true or false"}));
}

TEST(LoadSchemaTest, SchemaDirDiagnosticsNameTheDirectory) {
  TempDir dir;
  dir.Write("platforms/mini.toml", kMinimalPlatform + "colour = 1\n");
  Schema schema;
  DiagnosticEngine diags;
  EXPECT_FALSE(LoadSchemaDir(dir.path(), schema, diags));
  Strings got = Rendered(diags);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(
      got[0],
      dir.path() + "/platforms/mini.toml" +
          ":5:1-7: E0703: schema descriptor: unknown key \"colour\" in a platform descriptor");
}

}  // namespace
}  // namespace cartsync

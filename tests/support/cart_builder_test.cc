// The test support's cart and project builders: the exact text they write,
// that what they write compiles, and the named edits.
#include "tests/support/cart_builder.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <string>

#include "compiler/compiler.h"

namespace cartsync {
namespace {

TEST(CartTomlTest, WritesOnlyWhatIsSetInDocumentOrder) {
  std::string text = CartToml()
                         .ShipMethod("Standard", "UPS/GROUND")
                         .Every(Service::ShipmentUpload, "30m")
                         .Id("acme")
                         .Platform("shopify")
                         .Every(Service::OrderDownload, "15m")
                         .Text();
  EXPECT_EQ(text,
            "[cart]\n"
            "id = \"acme\"\n"
            "platform = \"shopify\"\n"
            "\n"
            "[services.order_download]\n"
            "enabled = true\n"
            "every = \"15m\"\n"
            "\n"
            "[services.shipment_upload]\n"
            "enabled = true\n"
            "every = \"30m\"\n"
            "\n"
            "[ship_methods]\n"
            "\"Standard\" = \"UPS/GROUND\"\n");
}

TEST(CartTomlTest, SettingAgainReplacesInPlace) {
  std::string text = CartToml()
                         .Id("acme")
                         .Client("acme")
                         .Id("beta")
                         .Disabled(Service::InventoryUpload, "1h")
                         .Every(Service::InventoryUpload, "hourly")
                         .Text();
  EXPECT_EQ(text,
            "[cart]\n"
            "id = \"beta\"\n"
            "client = \"acme\"\n"
            "\n"
            "[services.inventory_upload]\n"
            "enabled = true\n"
            "every = \"hourly\"\n");
}

TEST(CartTomlTest, StringsAreEscaped) {
  EXPECT_EQ(TomlString("a \"b\" \\ c\n"), "\"a \\\"b\\\" \\\\ c\\n\"");
  EXPECT_EQ(TomlString(std::string("\x01", 1)), "\"\\u0001\"");
  EXPECT_EQ(TomlStrings({"US", "CA"}), "[\"US\", \"CA\"]");
  EXPECT_EQ(TomlStrings({}), "[]");
}

TEST(CartTomlTest, EverySetterCompilesCleanly) {
  std::string project = ProjectToml()
                            .StateUrl("sqlite:.cartsync/state.db")
                            .WmsToken("env:WMS_TOKEN")
                            .AliasTypes({"upc"})
                            .Default("order_load.reject_unmapped_ship_codes", "true")
                            .Text();
  std::string cart = CartToml()
                         .Id("acme-shopify")
                         .Client("acme-apparel")
                         .Platform("shopify")
                         .Name("ACME \"Apparel\"")
                         .Wms("main")
                         .Api("store_url", "https://acme.myshopify.com")
                         .ApiSecret("access_token", "env:ACME_TOKEN")
                         .Every(Service::OrderDownload, "15m")
                         .Every(Service::ShipmentUpload, "30m")
                         .Disabled(Service::InventoryUpload, "hourly")
                         .Statuses("status", {"open"})
                         .EarliestOrderDate("2026-01-01")
                         .RejectUnmappedShipCodes(false)
                         .MinimumInventoryLevel(2)
                         .SyncInventoryWith("east")
                         .SyncInventoryAlias("upc")
                         .ShipMethod("Standard", "UPS/GROUND")
                         .ShipMethod("*", "USPS/PRIORITY")
                         .Items("blacklist", {"GIFT-*"})
                         .TranslateItemCode("upc")
                         .OrderFilter("ship_to.country", {"US", "CA"})
                         .OrderFilter("ship_to.name", {"Test"})
                         .CarrierCode("UPS", "ups")
                         .Raw("# the end\n")
                         .Text();
  CompileOptions options;
  options.today = {2026, 11, 27};
  Compilation c;
  CompileTexts(project, {{"carts.d/acme.toml", cart}}, options, c);
  EXPECT_EQ(c.diags.diagnostics().size(), 0u) << project << "\n" << cart;
  ASSERT_EQ(c.carts.size(), 1u);
  const CartConfig& config = c.carts[0];
  EXPECT_EQ(config.name, "ACME \"Apparel\"");
  EXPECT_EQ(config.order_filters.size(), 2u);
  EXPECT_EQ(config.minimum_inventory_level, 2);
  EXPECT_FALSE(config.reject_unmapped_ship_codes);
}

TEST(ProjectTomlTest, DefaultsToOneHttpWms) {
  EXPECT_EQ(ProjectToml().Text(),
            "[wms.main]\n"
            "system = \"http\"\n"
            "url = \"https://wms.example.com/api\"\n"
            "warehouses = [\"east\", \"west\"]\n"
            "carriers = [\"UPS\", \"FEDEX\", \"USPS\"]\n");
}

TEST(NamedEditsTest, ReplacedChangesTheFirstOccurrence) {
  EXPECT_EQ(Replaced("id = \"a\"\nclient = \"a\"\n", "\"a\"", "\"b\""),
            "id = \"b\"\nclient = \"a\"\n");
  EXPECT_NONFATAL_FAILURE(EXPECT_EQ(Replaced("x", "y", "z"), "x"), "\"y\" is not in");
}

TEST(NamedEditsTest, WithValueSetsTheKeysLine) {
  std::string text = "[cart]\nid_prefix = 1\nid = \"a\" # note\n[api]\nid = \"b\"\n";
  EXPECT_EQ(WithValue(text, "id", "\"c\""),
            "[cart]\nid_prefix = 1\nid = \"c\"\n[api]\nid = \"b\"\n");
  EXPECT_EQ(WithValue("level=3", "level", "0"), "level = 0");
  EXPECT_NONFATAL_FAILURE(WithValue("[cart]\nid = 1\n", "name", "\"n\""), "no line \"name = …\"");
}

}  // namespace
}  // namespace cartsync

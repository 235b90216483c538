// Golden tests of the checker and loader: one or more tests per catalogue
// code (compiler/diagnostic_codes.def), each comparing the exact place
// (file:line:column-end_column) and the full message, plus the cross-file
// behaviour of Compile() and the hostile-input guards.
#include "compiler/checker.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <set>
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
using Lines = std::vector<std::string>;

constexpr Date kToday{2026, 11, 27};

// "file:line:col-endcol: code: message"; a region spanning lines shows
// "col-endline:endcol".
std::string Render(const Diagnostic& d) {
  const SourceRegion& r = d.region;
  std::string s =
      r.file + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column) + "-";
  if (r.end.line != r.begin.line) s += std::to_string(r.end.line) + ":";
  s += std::to_string(r.end.column) + ": " + d.code + ": " + d.message;
  return s;
}

Lines Rendered(const DiagnosticEngine& diags) {
  Lines out;
  for (const Diagnostic& d : diags.Sorted()) out.push_back(Render(d));
  return out;
}

// One line per element, each ending in '\n': line N of the file is element N.
std::string Text(std::initializer_list<std::string_view> lines) {
  std::string s;
  for (std::string_view l : lines) {
    s += l;
    s += '\n';
  }
  return s;
}

// A project with one WMS connection, as most carts need.
const std::string kProject = Text({
    "[wms.main]",                                 // 1
    "system = \"http\"",                          // 2
    "url = \"https://wms.example.com/api\"",      // 3
    "token = { secret = \"env:WMS_TOKEN\" }",     // 4
    "warehouses = [\"east\", \"west\"]",          // 5
    "carriers = [\"UPS\", \"FEDEX\", \"USPS\"]",  // 6
    "alias_types = [\"shopify_sku\", \"upc\"]",   // 7
});

// The seven lines every Shopify test cart starts with; a test's own lines
// begin at line 8.
constexpr std::string_view kHead[] = {
    "[cart]",                                      // 1
    "id = \"acme\"",                               // 2
    "client = \"acme\"",                           // 3
    "platform = \"shopify\"",                      // 4
    "[api]",                                       // 5
    "store_url = \"https://acme.myshopify.com\"",  // 6
    "access_token = { secret = \"env:TOKEN\" }",   // 7
};

std::string Cart(std::initializer_list<std::string_view> tail) {
  std::string s;
  for (std::string_view l : kHead) (s += l) += '\n';
  for (std::string_view l : tail) (s += l) += '\n';
  return s;
}

struct Checked {
  Compilation c;
  Lines diags;
};

std::unique_ptr<Checked> CheckTexts(const std::string& project,
                                    const std::vector<std::pair<std::string, std::string>>& carts,
                                    const Schema* schema = nullptr) {
  auto out = std::make_unique<Checked>();
  CompileOptions options;
  options.today = kToday;
  options.schema = schema;
  CompileTexts(project, carts, options, out->c);
  out->diags = Rendered(out->c.diags);
  return out;
}

// One cart file "c.toml" against kProject.
Lines CheckCartText(const std::string& cart) {
  return CheckTexts(kProject, {{"c.toml", cart}})->diags;
}

std::unique_ptr<Checked> CompilePaths(const std::vector<std::string>& paths,
                                      const Schema* schema = nullptr) {
  auto out = std::make_unique<Checked>();
  CompileOptions options;
  options.paths = paths;
  options.today = kToday;
  options.schema = schema;
  Compile(options, out->c);
  out->diags = Rendered(out->c.diags);
  return out;
}

// ===========================================================================
// Whole carts
// ===========================================================================

TEST(CheckerCartTest, CleanCompleteCartHasNoDiagnostics) {
  std::string project = kProject + Text({
                                       "[wms.main.cart_fields]",
                                       "facility_id = { type = \"integer\", required = true }",
                                   });
  std::string cart = Text({
      "[cart]",
      "id = \"acme-shopify\"",
      "client = \"acme-apparel\"",
      "platform = \"shopify\"",
      "name = \"ACME Apparel store\"",
      "wms = \"main\"",
      "",
      "[api]",
      "store_url = \"https://acme-apparel.myshopify.com\"",
      "access_token = { secret = \"env:ACME_SHOPIFY_TOKEN\" }",
      "base_url = \"http://127.0.0.1:18081\"",
      "",
      "[services.order_download]",
      "enabled = true",
      "every = \"15m\"",
      "",
      "[services.shipment_upload]",
      "enabled = true",
      "every = \"30m\"",
      "",
      "[services.inventory_upload]",
      "enabled = false",
      "every = \"1h\"",
      "",
      "[statuses]",
      "status = [\"open\"]",
      "financial_status = [\"paid\", \"partially_refunded\"]",
      "",
      "[order_load]",
      "reject_unmapped_ship_codes = true",
      "earliest_order_date = 2026-01-01",
      "sync_inventory_with = \"east\"",
      "sync_inventory_alias = \"shopify_sku\"",
      "minimum_inventory_level = 3",
      "",
      "[ship_methods]",
      "\"Standard\" = \"UPS/GROUND\"",
      "\"Express 2-Day\" = \"FEDEX/FEDEX_2_DAY\"",
      "\"UPS*\" = \"UPS/GROUND\"",
      "\"*\" = \"USPS/PRIORITY\"",
      "",
      "[items]",
      "translate_item_code = \"master_sku\"",
      "filter = \"blacklist\"",
      "filter_level = \"item\"",
      "skus = [\"GIFT-CARD\", \"SAMPLE-*\"]",
      "",
      "[[order_filters]]",
      "field = \"ship_to.country\"",
      "match = \"exact\"",
      "values = [\"US\", \"CA\"]",
      "mode = \"required\"",
      "",
      "[carrier_codes]",
      "\"UPS\" = \"ups\"",
      "\"FDXG\" = \"fedex\"",
      "",
      "[wms_fields]",
      "facility_id = 12",
  });
  auto r = CheckTexts(project, {{"carts.d/acme.toml", cart}});
  EXPECT_EQ(r->diags, Lines{});
  EXPECT_FALSE(r->c.diags.has_errors());
  ASSERT_EQ(r->c.carts.size(), 1u);
  const CartConfig& c = r->c.carts[0];
  EXPECT_EQ(c.id, "acme-shopify");
  EXPECT_EQ(c.client, "acme-apparel");
  EXPECT_EQ(c.platform, "shopify");
  EXPECT_EQ(c.name, "ACME Apparel store");
  EXPECT_EQ(c.wms, "main");
  EXPECT_EQ(c.api.at("store_url").text, "https://acme-apparel.myshopify.com");
  ASSERT_TRUE(c.api.at("access_token").secret.has_value());
  EXPECT_EQ(c.api.at("access_token").secret->Text(), "env:ACME_SHOPIFY_TOKEN");
  EXPECT_EQ(c.api.at("api_version").text, "2026-10");  // descriptor default
  EXPECT_EQ(c.api.at("base_url").text, "http://127.0.0.1:18081");
  EXPECT_TRUE(c.service(Service::OrderDownload).enabled);
  EXPECT_EQ(c.service(Service::OrderDownload).every->interval_seconds, 900);
  EXPECT_TRUE(c.service(Service::ShipmentUpload).enabled);
  EXPECT_FALSE(c.service(Service::InventoryUpload).enabled);
  EXPECT_EQ(c.statuses.at("status"), (Lines{"open"}));
  EXPECT_EQ(c.statuses.at("financial_status"), (Lines{"paid", "partially_refunded"}));
  EXPECT_EQ(c.statuses.at("fulfillment_status"), (Lines{"unfulfilled", "partial"}));  // default
  EXPECT_TRUE(c.reject_unmapped_ship_codes);
  EXPECT_EQ(c.earliest_order_date, (Date{2026, 1, 1}));
  EXPECT_EQ(c.sync_inventory_with, "east");
  EXPECT_EQ(c.sync_inventory_alias, "shopify_sku");
  EXPECT_EQ(c.minimum_inventory_level, 3);
  // Priority order: exact codes, then globs, then the catch-all.
  ASSERT_EQ(c.ship_methods.size(), 4u);
  EXPECT_EQ(c.ship_methods[0].code, "Express 2-Day");
  EXPECT_EQ(c.ship_methods[1].code, "Standard");
  EXPECT_EQ(c.ship_methods[2].code, "UPS*");
  EXPECT_EQ(c.ship_methods[2].match, ShipMatch::Glob);
  EXPECT_EQ(c.ship_methods[3].code, "*");
  EXPECT_EQ(c.ship_methods[3].match, ShipMatch::Default);
  EXPECT_EQ(c.ship_methods[3].target.carrier, "USPS");
  EXPECT_EQ(c.items.filter, ItemFilter::Blacklist);
  EXPECT_EQ(c.items.skus, (Lines{"GIFT-CARD", "SAMPLE-*"}));
  ASSERT_EQ(c.order_filters.size(), 1u);
  EXPECT_EQ(c.order_filters[0].field, "ship_to.country");
  EXPECT_EQ(c.order_filters[0].values, (Lines{"US", "CA"}));
  EXPECT_EQ(c.carrier_codes.at("FDXG"), "fedex");
  EXPECT_EQ(c.wms_fields.at("facility_id").integer, 12);
}

TEST(CheckerCartTest, MinimalCartGetsDefaults) {
  auto r = CheckTexts(kProject, {{"c.toml", Cart({})}});
  EXPECT_EQ(r->diags, Lines{});
  ASSERT_EQ(r->c.carts.size(), 1u);
  const CartConfig& c = r->c.carts[0];
  EXPECT_EQ(c.wms, "main");  // the only connection
  EXPECT_EQ(c.statuses.at("status"), (Lines{"open"}));
  EXPECT_EQ(c.statuses.at("financial_status"), (Lines{"paid", "partially_refunded"}));
  EXPECT_FALSE(c.service(Service::OrderDownload).enabled);
  EXPECT_FALSE(c.reject_unmapped_ship_codes);
  EXPECT_EQ(c.sync_inventory_with, "all");
  EXPECT_EQ(c.sync_inventory_alias, "master_sku");
  EXPECT_EQ(c.items.translate_item_code, "master_sku");
  EXPECT_EQ(c.api.count("inventory_location_id"), 0u);  // optional, no default
}

TEST(CheckerCartTest, WarningsDoNotMakeErrors) {
  std::string cart = Text({
      "[cart]",                                             // 1
      "id = \"acme\"",                                      // 2
      "client = \"acme\"",                                  // 3
      "platform = \"shopify\"",                             // 4
      "name = \"shpat_0123456789abcdef0123456789abcdef\"",  // 5 W0303
      "[api]",                                              // 6
      "store_url = \"https://acme.myshopify.com\"",         // 7
      "access_token = { secret = \"env:TOKEN\" }",          // 8
      "[services.shipment_upload]",                         // 9
      "enabled = true",                                     // 10 W0404
      "every = \"30m\"",                                    // 11
      "[order_load]",                                       // 12
      "earliest_order_date = 2020-01-01",                   // 13 W0503
      "reject_unmapped_ship_codes = true",                  // 14
      "[ship_methods]",                                     // 15 W0603 (empty)
      "[items]",                                            // 16
      "filter = \"blacklist\"",                             // 17 W0606
  });
  std::string globs = Text({
      "[cart]",                                      // 1
      "id = \"acme-globs\"",                         // 2
      "client = \"acme\"",                           // 3
      "platform = \"shopify\"",                      // 4
      "[api]",                                       // 5
      "store_url = \"https://acme.myshopify.com\"",  // 6
      "access_token = { secret = \"env:TOKEN\" }",   // 7
      "[ship_methods]",                              // 8
      "\"UPS*\" = \"UPS/GROUND\"",                   // 9
      "\"U*\" = \"UPS/GROUND\"",                     // 10
      "\"*Express\" = \"FEDEX/PRIORITY\"",           // 11
  });
  auto r = CheckTexts(kProject, {{"a.toml", cart}, {"b.toml", globs}});
  EXPECT_EQ(
      r->diags,
      (Lines{
          "a.toml:5:8-48: W0303: \"cart.name\" looks like a credential (a Shopify access token); "
          "store it as { secret = \"env:NAME\" }",
          "a.toml:10:11-15: W0404: shipment_upload is enabled while order_download is disabled",
          "a.toml:13:23-33: W0503: earliest_order_date 2020-01-01 is more than 2 years back; the "
          "first download will page through every order since then",
          "a.toml:14:30-34: W0603: reject_unmapped_ship_codes is true but [ship_methods] maps "
          "nothing and has no \"*\": every order would be held",
          "a.toml:17:10-21: W0606: [items].filter = \"blacklist\" with no skus has no effect",
          "b.toml:9:1-7: W0608: ship method glob \"UPS*\" is redundant: \"U*\" maps every code "
          "it matches to UPS/GROUND as well",
          "b.toml:11:1-11: W0605: ship method globs \"*Express\" and \"U*\" overlap with different "
          "targets; a code matching both goes to \"*Express\" (more literal characters win)",
          "b.toml:11:1-11: W0605: ship method globs \"*Express\" and \"UPS*\" overlap with "
          "different "
          "targets; a code matching both goes to \"*Express\" (more literal characters win)",
      }));
  EXPECT_FALSE(r->c.diags.has_errors());
  EXPECT_EQ(r->c.diags.errors(), 0);
  EXPECT_EQ(r->c.diags.warnings(), 8);
  EXPECT_EQ(r->c.carts.size(), 2u);  // warnings do not keep a cart out of the plan
}

// ===========================================================================
// E01xx: reading and parsing
// ===========================================================================

TEST(CheckerFilesTest, E0101UnreadableFile) {
  TempDir dir;
  dir.Write("cartsync.toml", kProject);
  dir.Write("carts.d/ok.toml", Cart({}));
  fs::create_symlink(fs::path(dir.path()) / "does-not-exist",
                     fs::path(dir.path()) / "carts.d/gone.toml");
  auto r = CompilePaths({dir.path()});
  std::string file = dir.path() + "/carts.d/gone.toml";
  EXPECT_EQ(r->diags,
            (Lines{file + ":0:0-0: E0101: cannot read " + file + ": a broken symbolic link"}));
  EXPECT_TRUE(r->c.io_error);
  EXPECT_EQ(r->c.carts.size(), 1u);  // the readable cart is still checked
}

TEST(CheckerFilesTest, E0102InvalidUtf8) {
  std::string bad = "[cart]\nid = \"ac\xC3\x28me\"\n";  // a truncated two-byte sequence
  auto r = CheckTexts(kProject, {{"c.toml", bad}});
  EXPECT_EQ(r->diags, (Lines{"c.toml:2:9-10: E0102: file is not valid UTF-8 (bad byte 0xC3)"}));
  // Overlong encodings and surrogates are not UTF-8 either.
  EXPECT_EQ(CheckCartText("name = \"\xC0\xAF\"\n"),
            (Lines{"c.toml:1:9-10: E0102: file is not valid UTF-8 (bad byte 0xC0)"}));
  EXPECT_EQ(CheckCartText("# \xED\xA0\x80\n"),
            (Lines{"c.toml:1:3-4: E0102: file is not valid UTF-8 (bad byte 0xED)"}));
  // Columns count characters, not bytes.
  EXPECT_EQ(CheckCartText("# \xC3\xA9\xC3\xA9 \xFF\n"),
            (Lines{"c.toml:1:6-7: E0102: file is not valid UTF-8 (bad byte 0xFF)"}));
}

TEST(CheckerFilesTest, E0103NulByte) {
  std::string text = Cart({});
  text += std::string("name = \"a\0b\"\n", 13);
  auto r = CheckTexts(kProject, {{"c.toml", text}});
  EXPECT_EQ(r->diags,
            (Lines{"c.toml:8:10-11: E0103: file contains a NUL byte; not a TOML text file"}));
}

TEST(CheckerFilesTest, E0104FileTooLarge) {
  TempDir dir;
  dir.Write("big.toml", std::string(10 << 20, 'a'));
  auto r = CompilePaths({dir.path() + "/big.toml"});
  EXPECT_EQ(r->diags,
            (Lines{dir.path() + "/big.toml:0:0-0: E0104: file is larger than 1048576 bytes "
                                "(a cart file is a few KB); refusing to parse it"}));
  EXPECT_EQ(r->c.files_checked, 1);
}

TEST(CheckerFilesTest, E0104JustBelowTheLimitIsRead) {
  TempDir dir;
  std::string text = Cart({});
  text += std::string(kMaxSourceBytes - text.size(), '\n');
  dir.Write("ok.toml", text);
  auto r = CompilePaths({dir.path() + "/ok.toml"});
  // No cartsync.toml: the WMS checks are skipped, said once (W0704).
  EXPECT_EQ(r->diags, Lines{dir.path() +
                            ":0:0-0: W0704: skipped: no WMS connection declared (no "
                            "cartsync.toml in " +
                            dir.path() +
                            "); carriers, warehouses, alias types and [wms_fields] are not "
                            "checked"});
}

TEST(CheckerFilesTest, E0105TomlSyntax) {
  EXPECT_EQ(
      CheckCartText(Text({"[cart", "id = \"a\""})),
      (Lines{"c.toml:1:6-7: E0105: Error while parsing table header: expected ']', saw '\\n'"}));
  EXPECT_EQ(
      CheckCartText(Text({"[cart]", "id = \"acme"})),
      (Lines{
          "c.toml:2:11-12: E0105: Error while parsing string: unescaped control characters other "
          "than TAB (U+0009) are explicitly prohibited"}));
}

TEST(CheckerFilesTest, E0105DuplicateKeys) {
  EXPECT_EQ(
      CheckCartText(Text({"[cart]", "id = \"a\"", "id = \"b\""})),
      // At the second key (the first is the diagnostic's related location).
      (Lines{"c.toml:3:1-3: E0105: Error while parsing key-value pair: cannot redefine existing "
             "string 'id'"}));
  EXPECT_EQ(
      CheckCartText(Text({"[cart]", "id = \"a\"", "[cart]", "client = \"b\""})),
      (Lines{"c.toml:3:1-2: E0105: Error while parsing table header: cannot redefine existing "
             "table 'cart'"}));
}

TEST(CheckerFilesTest, EveryFileIsCheckedAfterASyntaxError) {
  std::string broken = Text({"[cart", "id = \"a\""});
  std::string typo = Cart({"[order_lod]"});  // line 8
  std::string clean = Replaced(Cart({}), "id = \"acme\"", "id = \"acme-c\"");
  auto r = CheckTexts(kProject, {{"a.toml", broken}, {"b.toml", typo}, {"c.toml", clean}});
  EXPECT_EQ(r->diags,
            (Lines{
                "a.toml:1:6-7: E0105: Error while parsing table header: expected ']', saw '\\n'",
                "b.toml:8:2-11: E0201: unknown key \"order_lod\" in cart file; did you mean "
                "\"order_load\"?",
            }));
  EXPECT_EQ(r->c.files_checked, 4);  // the project and three carts
  ASSERT_EQ(r->c.carts.size(), 1u);
  EXPECT_EQ(r->c.carts[0].source, "c.toml");
}

TEST(CheckerFilesTest, ABrokenProjectFileDoesNotStopTheCarts) {
  auto r = CheckTexts(Text({"[wms.main", "system = \"http\""}),
                      {{"a.toml", Cart({"[order_lod]"})},
                       {"b.toml", Replaced(Cart({}), "id = \"acme\"", "id = \"acme-b\"")}});
  EXPECT_EQ(
      r->diags,
      (Lines{
          "a.toml:8:2-11: E0201: unknown key \"order_lod\" in cart file; did you mean "
          "\"order_load\"?",
          "cartsync.toml:1:10-11: E0105: Error while parsing table header: expected ']', saw '\\n'",
      }));
  ASSERT_EQ(r->c.carts.size(), 1u);
  EXPECT_EQ(r->c.carts[0].id, "acme-b");
}

TEST(CheckerFilesTest, E0106EmptyCart) {
  auto r = CheckTexts(kProject, {{"empty.toml", ""}, {"comments.toml", "# nothing yet\n\n"}});
  EXPECT_EQ(r->diags, (Lines{
                          "comments.toml:0:0-0: E0106: cart file is empty; expected a [cart] table",
                          "empty.toml:0:0-0: E0106: cart file is empty; expected a [cart] table",
                      }));
}

TEST(CheckerFilesTest, E0107DirectoryWithoutCarts) {
  TempDir dir;
  dir.Write("notes.txt", "not a cart");
  auto r = CompilePaths({dir.path()});
  EXPECT_EQ(r->diags,
            (Lines{dir.path() + ":0:0-0: E0107: no cart files (*.toml) found in " + dir.path()}));
  EXPECT_TRUE(r->c.diags.has_errors());
  EXPECT_EQ(r->c.files_checked, 0);
}

TEST(CheckerFilesTest, E0107ProjectWithEmptyCartsDirectory) {
  TempDir dir;
  dir.Write("cartsync.toml", kProject);
  fs::create_directories(fs::path(dir.path()) / "carts.d");
  auto r = CompilePaths({dir.path()});
  EXPECT_EQ(r->diags,
            (Lines{dir.path() + "/carts.d:0:0-0: E0107: no cart files (*.toml) found in " +
                   dir.path() + "/carts.d"}));
}

TEST(CheckerFilesTest, E0108PathNotFound) {
  TempDir dir;
  dir.Write("carts.d/ok.toml", Cart({}));
  std::string missing = dir.path() + "/nope.toml";
  auto r = CompilePaths({missing, dir.path() + "/carts.d"});
  const std::string carts = dir.path() + "/carts.d";
  EXPECT_EQ(
      r->diags,
      (Lines{carts +
                 ":0:0-0: W0704: skipped: no WMS connection declared (no cartsync.toml "
                 "in " +
                 carts + "); carriers, warehouses, alias types and [wms_fields] are not checked",
             missing + ":0:0-0: E0108: no such file or directory: " + missing}));
  EXPECT_TRUE(r->c.io_error);
  EXPECT_EQ(r->c.carts.size(), 1u);  // the other path is still compiled
}

TEST(CheckerFilesTest, E0109DeepDottedKeys) {
  // 50,000 levels of dotted keys on one line: rejected before the parser
  // recurses, at the first dot past the limit.
  std::string key;
  for (int i = 0; i < 50000; ++i) key += "a.";
  std::string text = "x = 1\n" + key + "b = 1\n";
  auto r = CheckTexts(kProject, {{"c.toml", text}});
  EXPECT_EQ(r->diags,
            (Lines{"c.toml:2:130-131: E0109: keys nest deeper than 64 levels on one line"}));
  // Dots inside strings and comments do not count.
  std::string dots(200, '.');
  EXPECT_EQ(
      CheckCartText(Cart({"# " + dots, "[carrier_codes]", "\"" + dots + "\" = '" + dots + "'"})),
      Lines{});
}

TEST(CheckerHostileTest, DeeplyNestedArrays) {
  std::string text = "a = " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  EXPECT_EQ(
      CheckCartText(text),
      (Lines{"c.toml:1:261-262: E0105: Error while parsing value: exceeded maximum nested value "
             "depth of 256 (TOML_MAX_NESTED_VALUES)"}));
  std::string tables = "a = ";
  for (int i = 0; i < 100000; ++i) tables += "{x=";
  tables += "1" + std::string(100000, '}') + "\n";
  EXPECT_EQ(
      CheckCartText(tables),
      (Lines{"c.toml:1:773-774: E0105: Error while parsing value: exceeded maximum nested value "
             "depth of 256 (TOML_MAX_NESTED_VALUES)"}));
}

TEST(CheckerHostileTest, DeepTableHeader) {
  std::string header = "[a";
  for (int i = 0; i < 100000; ++i) header += ".a";
  header += "]\n";
  EXPECT_EQ(CheckCartText(header),
            (Lines{"c.toml:1:131-132: E0109: keys nest deeper than 64 levels on one line"}));
}

TEST(CheckerHostileTest, OneHostileFileDoesNotHideOthers) {
  std::string nul("[cart]\0", 7);
  auto r = CheckTexts(kProject, {{"a.toml", "\xFF\xFE[cart]\n"},
                                 {"b.toml", nul},
                                 {"c.toml", Cart({})},
                                 {"d.toml", std::string(kMaxSourceBytes + 1, '#')}});
  EXPECT_EQ(r->diags,
            (Lines{
                "a.toml:1:1-2: E0102: file is not valid UTF-8 (bad byte 0xFF)",
                "b.toml:1:7-8: E0103: file contains a NUL byte; not a TOML text file",
                "d.toml:0:0-0: E0104: file is larger than 1048576 bytes (a cart file is a "
                "few KB); refusing to parse it",
            }));
  EXPECT_EQ(r->c.carts.size(), 1u);
}

// ===========================================================================
// E02xx: structure, keys, types, vocabularies
// ===========================================================================

TEST(CheckerCartTest, E0201UnknownKeysWithDidYouMean) {
  std::string cart = Text({
      "[cart]",                                      // 1
      "id = \"acme\"",                               // 2
      "client = \"acme\"",                           // 3
      "platform = \"shopify\"",                      // 4
      "nmae = \"ACME\"",                             // 5
      "[api]",                                       // 6
      "store_url = \"https://acme.myshopify.com\"",  // 7
      "access_token = { secret = \"env:TOKEN\" }",   // 8
      "acces_token = 1",                             // 9
      "[services.order_dowload]",                    // 10
      "enabled = false",                             // 11
      "[services.shipment_upload]",                  // 12
      "enable = true",                               // 13
      "[order_load]",                                // 14
      "ealiest_order_date = 2026-09-01",             // 15
      "[statuse]",                                   // 16
      "[items]",                                     // 17
      "sku = [\"A\"]",                               // 18
      "[[order_filters]]",                           // 19
      "field = \"order_number\"",                    // 20
      "values = [\"1\"]",                            // 21
      "mod = \"required\"",                          // 22
      "zzz = 1",                                     // 23
  });
  EXPECT_EQ(
      CheckCartText(cart),
      (Lines{
          "c.toml:5:1-5: E0201: unknown key \"nmae\" in [cart]; did you mean \"name\"?",
          "c.toml:9:1-12: E0201: unknown key \"acces_token\" in [api]; did you mean "
          "\"access_token\"?",
          "c.toml:10:11-24: E0201: unknown key \"order_dowload\" in [services]; did you mean "
          "\"order_download\"?",
          "c.toml:13:1-7: E0201: unknown key \"enable\" in [services.shipment_upload]; did you "
          "mean "
          "\"enabled\"?",
          "c.toml:15:1-19: E0201: unknown key \"ealiest_order_date\" in [order_load]; did you mean "
          "\"earliest_order_date\"?",
          "c.toml:16:2-9: E0201: unknown key \"statuse\" in cart file; did you mean \"statuses\"?",
          "c.toml:18:1-4: E0201: unknown key \"sku\" in [items]; did you mean \"skus\"?",
          "c.toml:22:1-4: E0201: unknown key \"mod\" in [[order_filters]]; did you mean \"mode\"?",
          "c.toml:23:1-4: E0201: unknown key \"zzz\" in [[order_filters]]; valid keys: \"field\", "
          "\"match\", \"values\", \"mode\"",
      }));
}

TEST(CheckerCartTest, E0201UnknownStatusDimension) {
  EXPECT_EQ(
      CheckCartText(Cart({
          "[statuses]",                    // 8
          "finacial_status = [\"paid\"]",  // 9
          "download = [\"paid\"]",         // 10
      })),
      (Lines{
          "c.toml:9:1-16: E0201: unknown key \"finacial_status\" in [statuses] for platform "
          "shopify; did you mean \"financial_status\"?",
          "c.toml:10:1-9: E0201: unknown key \"download\" in [statuses] for platform shopify; "
          "valid keys: \"financial_status\", \"fulfillment_status\", \"status\"",
      }));
}

TEST(CheckerCartTest, E0202TypeMismatch) {
  std::string cart = Text({
      "[cart]",                                      // 1
      "id = 42",                                     // 2
      "client = \"acme\"",                           // 3
      "platform = \"shopify\"",                      // 4
      "[api]",                                       // 5
      "store_url = \"https://acme.myshopify.com\"",  // 6
      "access_token = { secret = \"env:TOKEN\" }",   // 7
      "inventory_location_id = \"12\"",              // 8
      "[services.order_download]",                   // 9
      "enabled = \"yes\"",                           // 10
      "every = 15",                                  // 11
      "[statuses]",                                  // 12
      "status = \"open\"",                           // 13
      "financial_status = [\"paid\", 1]",            // 14
      "[order_load]",                                // 15
      "earliest_order_date = \"2026-01-01\"",        // 16
      "minimum_inventory_level = 1.5",               // 17
      "reject_unmapped_ship_codes = 1",              // 18
      "[ship_methods]",                              // 19
      "\"Standard\" = 5",                            // 20
      "[items]",                                     // 21
      "skus = \"A\"",                                // 22
      "[carrier_codes]",                             // 23
      "UPS = true",                                  // 24
  });
  EXPECT_EQ(
      CheckCartText(cart),
      (Lines{
          "c.toml:2:6-8: E0202: \"cart.id\" must be a string, found an integer",
          "c.toml:8:25-29: E0202: \"api.inventory_location_id\" must be an integer, found a string",
          "c.toml:10:11-16: E0202: \"services.order_download.enabled\" must be true or false, "
          "found a string",
          "c.toml:11:9-11: E0202: \"services.order_download.every\" must be a schedule string "
          "such as \"15m\", found an integer",
          "c.toml:13:10-16: E0202: \"statuses.status\" must be an array of strings, found a string",
          "c.toml:14:29-30: E0202: \"statuses.financial_status\" must be an array of strings, "
          "found an integer",
          "c.toml:16:23-35: E0202: \"order_load.earliest_order_date\" must be a local date such "
          "as 2026-01-01, found a string",
          "c.toml:17:27-30: E0202: \"order_load.minimum_inventory_level\" must be an integer, "
          "found a float",
          "c.toml:18:30-31: E0202: \"order_load.reject_unmapped_ship_codes\" must be true or "
          "false, found an integer",
          "c.toml:20:14-15: E0202: \"ship_methods.\"Standard\"\" must be a \"CARRIER/SERVICE\" "
          "string, found an integer",
          "c.toml:22:8-11: E0202: \"items.skus\" must be an array of strings, found a string",
          "c.toml:24:7-11: E0202: \"carrier_codes.\"UPS\"\" must be a string (the cart's carrier "
          "code), found a boolean",
      }));
}

TEST(CheckerCartTest, E0202SectionsMustBeTables) {
  EXPECT_EQ(CheckCartText(Text({
                "cart = \"acme\"",    // 1
                "api = 5",            // 2
                "services = []",      // 3
                "order_filters = 1",  // 4
            })),
            (Lines{
                "c.toml:1:8-14: E0202: \"cart\" must be a table, found a string",
                "c.toml:3:12-14: E0202: \"services\" must be a table, found an array",
                "c.toml:4:17-18: E0202: \"order_filters\" must be an array of tables "
                "([[order_filters]]), "
                "found an integer",
            }));
}

TEST(CheckerCartTest, E0203UnknownStatus) {
  EXPECT_EQ(
      CheckCartText(Cart({
          "[statuses]",                                // 8
          "financial_status = [\"paid\", \"payed\"]",  // 9
          "fulfillment_status = [\"shipped\"]",        // 10
          "status = [\"Open\"]",                       // 11
      })),
      (Lines{
          "c.toml:9:29-36: E0203: unknown status \"payed\" for platform shopify "
          "(financial_status); did you mean \"paid\"?",
          "c.toml:10:23-32: E0203: unknown status \"shipped\" for platform shopify "
          "(fulfillment_status); allowed: \"unfulfilled\", \"partial\", \"fulfilled\", \"any\"",
          // Statuses are case-sensitive; the hint gives the platform's spelling.
          "c.toml:11:11-17: E0203: unknown status \"Open\" for platform shopify (status); did "
          "you mean \"open\"?",
      }));
}

TEST(CheckerCartTest, E0204MissingKeys) {
  EXPECT_EQ(CheckCartText(Text({
                "[cart]",                  // 1
                "platform = \"shopify\"",  // 2
            })),
            (Lines{
                "c.toml:1:1-7: E0204: missing required key \"id\" in [cart]",
                "c.toml:1:1-7: E0204: missing required key \"client\" in [cart]",
                // No [api] table at all: one error, not one per field plus E0214.
                "c.toml:2:12-21: E0204: missing required key \"[api]\" in the cart (the "
                "store's address and credentials for shopify)",
            }));
  EXPECT_EQ(CheckCartText(Text({
                "[cart]",                                    // 1
                "id = \"acme\"",                             // 2
                "client = \"acme\"",                         // 3
                "platform = \"woocommerce\"",                // 4
                "[api]",                                     // 5
                "store_url = \"https://shop.example.com\"",  // 6
            })),
            (Lines{
                "c.toml:5:1-6: E0204: missing required key \"consumer_key\" in [api]",
                "c.toml:5:1-6: E0204: missing required key \"consumer_secret\" in [api]",
            }));
  EXPECT_EQ(CheckCartText(Text({"[api]", "x = 1"})),
            (Lines{"c.toml:1:1-2: E0204: missing required key \"[cart]\" in cart file"}));
  EXPECT_EQ(CheckCartText(Text({"[cart]", "id = \"acme\"", "client = \"acme\""})),
            (Lines{"c.toml:1:1-7: E0204: missing required key \"platform\" in [cart]"}));
}

TEST(CheckerCartTest, E0205InvalidValue) {
  std::string cart = Text({
      "[cart]",                                         // 1
      "id = \"acme\"",                                  // 2
      "client = \"\"",                                  // 3
      "platform = \"woocommerce\"",                     // 4
      "[api]",                                          // 5
      "store_url = \"https://shop.example.com\"",       // 6
      "consumer_key = { secret = \"env:KEY\" }",        // 7
      "consumer_secret = { secret = \"env:SECRET\" }",  // 8
      "tracking = \"ordernote\"",                       // 9
      "[statuses]",                                     // 10
      "status = []",                                    // 11
      "[order_load]",                                   // 12
      "minimum_inventory_level = -1",                   // 13
      "[items]",                                        // 14
      "filter = \"blacklst\"",                          // 15
      "filter_level = \"line\"",                        // 16
      "[[order_filters]]",                              // 17
      "field = \"ship_to.country\"",                    // 18
      "match = \"fuzzy\"",                              // 19
      "values = []",                                    // 20
      "mode = \"require\"",                             // 21
  });
  EXPECT_EQ(
      CheckCartText(cart),
      (Lines{
          "c.toml:3:10-12: E0205: invalid value \"\" for \"cart.client\": expected the merchant's "
          "name in the WMS",
          "c.toml:9:12-23: E0205: invalid value \"ordernote\" for \"api.tracking\": expected one "
          "of "
          "\"shipment_tracking\", \"order_note\"; did you mean \"order_note\"?",
          "c.toml:11:10-12: E0205: invalid value [] for \"statuses.status\": expected at least one "
          "status (omit the key for the default \"processing\")",
          "c.toml:13:27-29: E0205: invalid value -1 for \"order_load.minimum_inventory_level\": "
          "expected an integer >= 0",
          "c.toml:15:10-20: E0205: invalid value \"blacklst\" for \"items.filter\": expected one "
          "of "
          "\"disabled\", \"whitelist\", \"blacklist\"; did you mean \"blacklist\"?",
          "c.toml:16:16-22: E0205: invalid value \"line\" for \"items.filter_level\": expected one "
          "of \"item\", \"order\"",
          "c.toml:19:9-16: E0205: invalid value \"fuzzy\" for \"order_filters.match\": expected "
          "one "
          "of \"exact\", \"prefix\", \"suffix\"",
          "c.toml:20:10-12: E0205: invalid value [] for \"order_filters.values\": expected at "
          "least "
          "one value",
          "c.toml:21:8-17: E0205: invalid value \"require\" for \"order_filters.mode\": expected "
          "one "
          "of \"required\", \"restricted\"; did you mean \"required\"?",
      }));
}

TEST(CheckerCartTest, E0206PatternMismatch) {
  EXPECT_EQ(
      CheckCartText(Text({
          "[cart]",                                     // 1
          "id = \"acme\"",                              // 2
          "client = \"acme\"",                          // 3
          "platform = \"shopify\"",                     // 4
          "[api]",                                      // 5
          "store_url = \"https://shop.acme.com\"",      // 6
          "access_token = { secret = \"env:TOKEN\" }",  // 7
      })),
      (Lines{
          // The field's help from the descriptor, not its regular expression.
          "c.toml:6:13-36: E0206: \"api.store_url\" = \"https://shop.acme.com\" is not in the "
          "expected form: The shop's permanent https://NAME.myshopify.com address (Settings > "
          "Domains), not a custom domain",
      }));
  EXPECT_EQ(
      CheckCartText(Text({
          "[cart]",                                     // 1
          "id = \"cedar\"",                             // 2
          "client = \"cedar\"",                         // 3
          "platform = \"bigcommerce\"",                 // 4
          "[api]",                                      // 5
          "store_hash = \"Store-1\"",                   // 6
          "access_token = { secret = \"env:TOKEN\" }",  // 7
      })),
      (Lines{"c.toml:6:14-23: E0206: \"api.store_hash\" = \"Store-1\" is not in the expected form: "
             "Store hash: the part after /stores/ in the API path shown when you create the API "
             "account (Settings > API > Store-level API accounts), also in the control panel "
             "address store-HASH.mybigcommerce.com"}));
}

TEST(CheckerCartTest, E0207AnyNotAlone) {
  EXPECT_EQ(CheckCartText(Cart({
                "[statuses]",                      // 8
                "status = [\"open\", \"any\"]",    // 9
                "fulfillment_status = [\"any\"]",  // 10
            })),
            (Lines{"c.toml:9:19-24: E0207: \"any\" must be the only value of [statuses].status"}));
}

TEST(CheckerCartTest, E0208InvalidCartId) {
  auto cart = [](std::string_view id) {
    return Text({"[cart]", "id = \"" + std::string(id) + "\"", "client = \"acme\"",
                 "platform = \"shopify\"", "[api]", "store_url = \"https://acme.myshopify.com\"",
                 "access_token = { secret = \"env:TOKEN\" }"});
  };
  EXPECT_EQ(
      CheckCartText(cart("Acme_Shop")),
      (Lines{"c.toml:2:6-17: E0208: cart id \"Acme_Shop\" must match ^[a-z0-9][a-z0-9-]{0,62}$"}));
  EXPECT_EQ(
      CheckCartText(cart("-acme")),
      (Lines{"c.toml:2:6-13: E0208: cart id \"-acme\" must match ^[a-z0-9][a-z0-9-]{0,62}$"}));
  EXPECT_EQ(CheckCartText(cart("")),
            (Lines{"c.toml:2:6-8: E0208: cart id \"\" must match ^[a-z0-9][a-z0-9-]{0,62}$"}));
  std::string longest = "a" + std::string(62, '-'), too_long = longest + "z";
  EXPECT_EQ(CheckCartText(cart(longest)), Lines{});
  EXPECT_EQ(CheckCartText(cart(too_long)), (Lines{"c.toml:2:6-72: E0208: cart id \"" + too_long +
                                                  "\" must match ^[a-z0-9][a-z0-9-]{0,62}$"}));
}

TEST(CheckerCartTest, E0209UnknownPlatform) {
  auto cart = [](std::string_view platform) {
    return Text({"[cart]", "id = \"acme\"", "client = \"acme\"",
                 "platform = \"" + std::string(platform) + "\""});
  };
  EXPECT_EQ(
      CheckCartText(cart("shopfy")),
      (Lines{"c.toml:4:12-20: E0209: unknown platform \"shopfy\"; did you mean \"shopify\"?"}));
  EXPECT_EQ(
      CheckCartText(cart("Magento")),
      (Lines{"c.toml:4:12-21: E0209: unknown platform \"Magento\"; did you mean \"magento\"?"}));
  EXPECT_EQ(
      CheckCartText(cart("etsy")),
      (Lines{
          "c.toml:4:12-18: E0209: unknown platform \"etsy\" (known: \"amazon\", \"bigcommerce\", "
          "\"ebay\", \"magento\", \"shopify\", \"walmart\", \"woocommerce\")"}));
}

TEST(CheckerCartTest, E0210DuplicateCartId) {
  auto r = CheckTexts(
      kProject,
      {{"carts.d/a.toml", Cart({})}, {"carts.d/b.toml", Cart({})}, {"carts.d/c.toml", Cart({})}});
  EXPECT_EQ(
      r->diags,
      (Lines{
          "carts.d/b.toml:2:6-12: E0210: cart id \"acme\" is also defined in carts.d/a.toml:2",
          "carts.d/c.toml:2:6-12: E0210: cart id \"acme\" is also defined in carts.d/a.toml:2",
      }));
  ASSERT_EQ(r->c.carts.size(), 1u);
  EXPECT_EQ(r->c.carts[0].source, "carts.d/a.toml");
}

TEST(CheckerCartTest, E0211UnknownWms) {
  auto cart = [](std::string_view wms) {
    return Text({"[cart]", "id = \"acme\"", "client = \"acme\"", "platform = \"shopify\"",
                 "wms = \"" + std::string(wms) + "\"", "[api]",
                 "store_url = \"https://acme.myshopify.com\"",
                 "access_token = { secret = \"env:TOKEN\" }",
                 // Rules that need the WMS are not reported again against "no WMS".
                 "[order_load]", "sync_inventory_with = \"east\"", "[wms_fields]", "dock = 1"});
  };
  EXPECT_EQ(
      CheckCartText(cart("mian")),
      (Lines{"c.toml:5:7-13: E0211: unknown WMS connection \"mian\"; did you mean \"main\"?"}));
  EXPECT_EQ(
      CheckCartText(cart("backup")),
      (Lines{"c.toml:5:7-15: E0211: unknown WMS connection \"backup\" (declared in cartsync.toml: "
             "\"main\")"}));
  // Without a project file there is nothing to check [cart].wms against:
  // one W0704 for the project says the WMS checks were skipped.
  auto r = CheckTexts("", {{"c.toml", cart("main")}});
  ASSERT_EQ(r->diags.size(), 1u);
  EXPECT_NE(r->diags[0].find("W0704: skipped: no WMS connection declared"), std::string::npos)
      << r->diags[0];
}

TEST(CheckerCartTest, E0212AmbiguousWms) {
  std::string project = kProject + Text({
                                       "[wms.backup]",
                                       "system = \"directory\"",
                                       "path = \"/srv/wms\"",
                                   });
  auto r = CheckTexts(project, {{"c.toml", Cart({})}});
  EXPECT_EQ(r->diags,
            (Lines{"c.toml:1:1-7: E0212: cart does not name a WMS and the project declares several "
                   "(\"backup\", \"main\"); set [cart].wms"}));
  // Naming one resolves it.
  std::string named =
      Text({"[cart]", "id = \"acme\"", "client = \"acme\"", "platform = \"shopify\"",
            "wms = \"backup\"", "[api]", "store_url = \"https://acme.myshopify.com\"",
            "access_token = { secret = \"env:TOKEN\" }"});
  r = CheckTexts(project, {{"c.toml", named}});
  EXPECT_EQ(r->diags, Lines{});
  ASSERT_EQ(r->c.carts.size(), 1u);
  EXPECT_EQ(r->c.carts[0].wms, "backup");
}

TEST(CheckerCartTest, E0213DuplicateValue) {
  EXPECT_EQ(CheckCartText(Cart({
                "[statuses]",                                            // 8
                "financial_status = [\"paid\", \"pending\", \"paid\"]",  // 9
                "[items]",                                               // 10
                "filter = \"whitelist\"",                                // 11
                "skus = [\"A-1\", \"B-2\", \"A-1\"]",                    // 12
                "[[order_filters]]",                                     // 13
                "field = \"ship_to.country\"",                           // 14
                "values = [\"US\", \"US\"]",                             // 15
            })),
            (Lines{
                "c.toml:9:40-46: E0213: \"paid\" is listed twice in \"statuses.financial_status\"",
                "c.toml:12:23-28: E0213: \"A-1\" is listed twice in \"items.skus\"",
                "c.toml:15:17-21: E0213: \"US\" is listed twice in \"order_filters.values\"",
            }));
}

// ===========================================================================
// E03xx: secrets and URLs
// ===========================================================================

TEST(CheckerSecretsTest, E0301PlainSecretIsMaskedAndNotQuoted) {
  const std::string value = "shpat_d3adb33fd3adb33fd3adb33fd3adb33f";
  std::string cart = Text({
      "[cart]",                                      // 1
      "id = \"acme\"",                               // 2
      "client = \"acme\"",                           // 3
      "platform = \"shopify\"",                      // 4
      "[api]",                                       // 5
      "store_url = \"https://acme.myshopify.com\"",  // 6
      "access_token = \"" + value + "\"",            // 7
  });
  auto r = CheckTexts(kProject, {{"c.toml", cart}});
  EXPECT_EQ(
      r->diags,
      (Lines{
          "c.toml:7:16-56: E0301: \"api.access_token\" is a secret: use { secret = \"env:NAME\" } "
          "or { secret = \"file:PATH\" }, never the value itself"}));
  ASSERT_EQ(r->c.diags.diagnostics().size(), 1u);  // not also reported as credential-like
  const Diagnostic& d = r->c.diags.diagnostics()[0];
  EXPECT_TRUE(d.mask_snippet);
  EXPECT_EQ(d.message.find(value), std::string::npos);
  EXPECT_EQ(d.message.find("d3adb33f"), std::string::npos);
}

TEST(CheckerSecretsTest, E0301InProjectFile) {
  std::string project = Text({
      "[wms.main]",                         // 1
      "system = \"http\"",                  // 2
      "url = \"https://wms.example.com\"",  // 3
      "token = \"hunter2hunter2\"",         // 4
  });
  auto r = CheckTexts(project, {{"c.toml", Cart({})}});
  EXPECT_EQ(r->diags, (Lines{"cartsync.toml:4:9-25: E0301: \"wms.main.token\" is a secret: use { "
                             "secret = \"env:NAME\" } "
                             "or { secret = \"file:PATH\" }, never the value itself"}));
  EXPECT_TRUE(r->c.diags.diagnostics()[0].mask_snippet);
  EXPECT_EQ(r->c.diags.diagnostics()[0].message.find("hunter2"), std::string::npos);
}

TEST(CheckerSecretsTest, E0302InvalidSecretRef) {
  std::string cart = Text({
      "[cart]",                                    // 1
      "id = \"acme\"",                             // 2
      "client = \"acme\"",                         // 3
      "platform = \"woocommerce\"",                // 4
      "[api]",                                     // 5
      "store_url = \"https://shop.example.com\"",  // 6
      "consumer_key = { secret = \"envy:KEY\" }",  // 7
      "consumer_secret = { secret = \"file:\" }",  // 8
      "[wms_fields]",                              // 9
  });
  EXPECT_EQ(CheckCartText(cart),
            (Lines{
                "c.toml:7:28-32: E0302: invalid secret reference: unknown secret source 'envy'; "
                "expected env:NAME or file:PATH",
                "c.toml:8:31-36: E0302: invalid secret reference: missing path after 'file:'",
            }));
  EXPECT_EQ(
      CheckCartText(Text({"[cart]", "id = \"acme\"", "client = \"acme\"", "platform = \"shopify\"",
                          "[api]", "store_url = \"https://acme.myshopify.com\"",
                          "access_token = { secret = \"env:1TOKEN\" }"})),
      (Lines{"c.toml:7:32-33: E0302: invalid secret reference: environment variable name must "
             "start with a letter or '_', found '1'"}));
  // The reference table itself: a missing or mistyped `secret` key.
  EXPECT_EQ(
      CheckCartText(Text({"[cart]", "id = \"acme\"", "client = \"acme\"", "platform = \"shopify\"",
                          "[api]", "store_url = \"https://acme.myshopify.com\"",
                          "access_token = { secert = \"env:TOKEN\" }"})),
      (Lines{
          // One mistake: the misspelling, not also a missing "secret".
          "c.toml:7:18-24: E0201: unknown key \"secert\" in api.access_token; did you mean "
          "\"secret\"?",
      }));
}

TEST(CheckerSecretsTest, W0303CredentialLikeStrings) {
  std::string cart = Text({
      "[cart]",                                                  // 1
      "id = \"acme\"",                                           // 2
      "client = \"acme\"",                                       // 3
      "platform = \"shopify\"",                                  // 4
      "name = \"ck_0123456789abcdef0123456789abcdef01234567\"",  // 5
      "[api]",                                                   // 6
      "store_url = \"https://acme.myshopify.com\"",              // 7
      "access_token = { secret = \"env:TOKEN\" }",               // 8
      "[carrier_codes]",                                         // 9
      "UPS = \"0123456789abcdef0123456789abcdef\"",              // 10
      "FEDEX = \"AbCdEfGhIjKlMnOpQrStUvWxYz0123456789\"",        // 11
      "USPS = \"shpat_0123456789abcdef0123456789abcdef\"",       // 12
      "DHL = \"abcdefghijklmnopqrstuvwxyzabcdefghij\"",          // 13 all lowercase: a word
  });
  auto r = CheckTexts(kProject, {{"c.toml", cart}});
  EXPECT_EQ(
      r->diags,
      (Lines{
          "c.toml:5:8-53: W0303: \"cart.name\" looks like a credential (a WooCommerce API key); "
          "store it as { secret = \"env:NAME\" }",
          "c.toml:10:7-41: W0303: \"carrier_codes.UPS\" looks like a credential (a long hex "
          "token); "
          "store it as { secret = \"env:NAME\" }",
          "c.toml:11:9-47: W0303: \"carrier_codes.FEDEX\" looks like a credential (a long base64 "
          "token); store it as { secret = \"env:NAME\" }",
          "c.toml:12:8-48: W0303: \"carrier_codes.USPS\" looks like a credential (a Shopify access "
          "token); store it as { secret = \"env:NAME\" }",
      }));
  EXPECT_FALSE(r->c.diags.has_errors());
  for (const Diagnostic& d : r->c.diags.diagnostics()) {
    EXPECT_TRUE(d.mask_snippet) << d.message;
    EXPECT_EQ(d.message.find("0123456789"), std::string::npos) << d.message;
  }
}

TEST(CheckerSecretsTest, E0304InsecureUrl) {
  std::string cart = Text({
      "[cart]",                                         // 1
      "id = \"acme\"",                                  // 2
      "client = \"acme\"",                              // 3
      "platform = \"woocommerce\"",                     // 4
      "[api]",                                          // 5
      "store_url = \"http://shop.example.com\"",        // 6
      "consumer_key = { secret = \"env:KEY\" }",        // 7
      "consumer_secret = { secret = \"env:SECRET\" }",  // 8
      "base_url = \"http://127.0.0.2:8080\"",           // 9 loopback is only these three names
  });
  EXPECT_EQ(
      CheckCartText(cart),
      (Lines{
          "c.toml:6:13-38: E0304: \"api.store_url\" must use https:// (http:// is allowed only for "
          "127.0.0.1, localhost and ::1)",
          "c.toml:9:12-35: E0304: \"api.base_url\" must use https:// (http:// is allowed only for "
          "127.0.0.1, localhost and ::1)",
      }));
}

TEST(CheckerSecretsTest, E0304LoopbackHttpIsAllowed) {
  for (std::string url :
       {"http://127.0.0.1:18081", "http://localhost:8080/shop", "http://[::1]:9000",
        "https://proxy.example.com/shopify", "HTTPS://proxy.example.com"}) {
    EXPECT_EQ(CheckCartText(Cart({"base_url = \"" + url + "\""})), Lines{}) << url;
  }
}

TEST(CheckerSecretsTest, E0305InvalidUrl) {
  EXPECT_EQ(
      CheckCartText(Cart({"base_url = \"ftp://files.example.com\""})),
      (Lines{
          "c.toml:8:12-37: E0305: \"api.base_url\" is not a valid URL: only https:// (or http:// "
          "to loopback) is supported"}));
  EXPECT_EQ(CheckCartText(Cart({"base_url = \"https://shop example.com\""})),
            (Lines{"c.toml:8:12-38: E0305: \"api.base_url\" is not a valid URL: expected "
                   "scheme://host[:port][/path] without spaces"}));
  EXPECT_EQ(CheckCartText(Cart({"base_url = \"localhost:8080\""})),
            (Lines{"c.toml:8:12-28: E0305: \"api.base_url\" is not a valid URL: expected "
                   "scheme://host[:port][/path] without spaces"}));
}

// ===========================================================================
// E04xx: services and schedules
// ===========================================================================

TEST(CheckerServicesTest, E0401MissingSchedule) {
  EXPECT_EQ(
      CheckCartText(Cart({
          "[services.shipment_upload]",        // 8
          "enabled = true",                    // 9
          "[services.inventory_upload]",       // 10
          "enabled = false",                   // 11 disabled: no schedule needed
          "[services.order_download]",         // 12
          "enabled = true",                    // 13
          "[order_load]",                      // 14
          "earliest_order_date = 2026-09-01",  // 15
      })),
      (Lines{
          "c.toml:9:11-15: E0401: service shipment_upload is enabled but has no \"every\" schedule",
          "c.toml:13:11-15: E0401: service order_download is enabled but has no \"every\" schedule",
      }));
}

TEST(CheckerServicesTest, E0402InvalidSchedulePointsIntoTheString) {
  EXPECT_EQ(CheckCartText(Cart({
                "[services.order_download]",         // 8
                "enabled = true",                    // 9
                "every = \"15x\"",                   // 10
                "[services.shipment_upload]",        // 11
                "enabled = false",                   // 12 checked even when disabled
                "every = \"daily at 25:00\"",        // 13
                "[services.inventory_upload]",       // 14
                "every = \"cron: */15 * * *\"",      // 15
                "[order_load]",                      // 16
                "earliest_order_date = 2026-09-01",  // 17
            })),
            (Lines{
                "c.toml:10:12-13: E0402: invalid schedule: unknown unit 'x'; expected s, m, h or d",
                "c.toml:13:19-21: E0402: invalid schedule: hour must be 00-23",
                // Missing at the end: the whole text, not the closing quote.
                "c.toml:15:10-26: E0402: invalid schedule: expected 5 cron fields, found 4",
            }));
}

TEST(CheckerServicesTest, E0403ScheduleOutOfBounds) {
  EXPECT_EQ(
      CheckCartText(Cart({
          "[services.order_download]",         // 8
          "enabled = true",                    // 9
          "every = \"2m\"",                    // 10
          "[services.shipment_upload]",        // 11
          "enabled = true",                    // 12
          "every = \"cron: */5 * * * *\"",     // 13
          "[services.inventory_upload]",       // 14
          "enabled = true",                    // 15
          "every = \"30m\"",                   // 16
          "[order_load]",                      // 17
          "earliest_order_date = 2026-09-01",  // 18
      })),
      (Lines{
          "c.toml:10:10-12: E0403: order_download runs every 2m; the minimum is every 5m (cart API "
          "rate limits)",
          "c.toml:13:10-27: E0403: shipment_upload runs as often as every 5m; the minimum is every "
          "15m",
          "c.toml:16:10-13: E0403: inventory_upload runs every 30m; the minimum is every 1h",
      }));
  // At most once a day for order_download; a disabled service is not bounded.
  EXPECT_EQ(CheckCartText(Cart({
                "[services.order_download]",         // 8
                "enabled = true",                    // 9
                "every = \"2d\"",                    // 10
                "[services.shipment_upload]",        // 11
                "enabled = false",                   // 12
                "every = \"1m\"",                    // 13
                "[order_load]",                      // 14
                "earliest_order_date = 2026-09-01",  // 15
            })),
            (Lines{"c.toml:10:10-12: E0403: order_download runs every 2d; it must run at least "
                   "once a day"}));
  EXPECT_EQ(
      CheckCartText(Cart({
          "[services.order_download]",         // 8
          "enabled = true",                    // 9
          "every = \"cron: 0 0 * * 1\"",       // 10 weekly
          "[order_load]",                      // 11
          "earliest_order_date = 2026-09-01",  // 12
      })),
      (Lines{"c.toml:10:10-25: E0403: order_download runs with gaps of up to 7d; it must run at "
             "least once a day"}));
}

TEST(CheckerServicesTest, E0403BoundsAreInclusive) {
  EXPECT_EQ(CheckCartText(Cart({
                "[services.order_download]",         // 8
                "enabled = true",                    // 9
                "every = \"5m\"",                    // 10
                "[services.shipment_upload]",        // 11
                "enabled = true",                    // 12
                "every = \"15m\"",                   // 13
                "[services.inventory_upload]",       // 14
                "enabled = true",                    // 15
                "every = \"hourly\"",                // 16
                "[order_load]",                      // 17
                "earliest_order_date = 2026-09-01",  // 18
            })),
            Lines{});
  EXPECT_EQ(CheckCartText(Cart({
                "[services.order_download]",         // 8
                "enabled = true",                    // 9
                "every = \"daily at 02:30\"",        // 10
                "[order_load]",                      // 11
                "earliest_order_date = 2026-09-01",  // 12
            })),
            Lines{});
}

TEST(CheckerServicesTest, W0404ServiceWithoutDownload) {
  auto r = CheckTexts(kProject, {{"c.toml", Cart({
                                                "[services.order_download]",    // 8
                                                "enabled = false",              // 9
                                                "[services.shipment_upload]",   // 10
                                                "enabled = true",               // 11
                                                "every = \"30m\"",              // 12
                                                "[services.inventory_upload]",  // 13
                                                "enabled = true",               // 14
                                                "every = \"1h\"",               // 15
                                            })}});
  EXPECT_EQ(
      r->diags,
      (Lines{
          "c.toml:11:11-15: W0404: shipment_upload is enabled while order_download is disabled",
          "c.toml:14:11-15: W0404: inventory_upload is enabled while order_download is disabled",
      }));
  EXPECT_FALSE(r->c.diags.has_errors());
  EXPECT_EQ(r->c.carts.size(), 1u);
}

// A schema whose extra platform "tiny" supports order_download only.
const Schema& TinySchema() {
  static const Schema schema = [] {
    std::vector<std::pair<std::string, std::string>> files;
    for (const EmbeddedFile& f : EmbeddedSchemaFiles()) files.emplace_back(f.path, f.content);
    files.emplace_back("platforms/tiny.toml", Text({
                                                  "id = \"tiny\"",
                                                  "name = \"Tiny Shop\"",
                                                  "inventory_quantity = \"available\"",
                                                  "services = [\"order_download\"]",
                                                  "[api.shop]",
                                                  "type = \"string\"",
                                                  "required = true",
                                                  "[statuses.state]",
                                                  "allowed = [\"new\", \"paid\"]",
                                                  "default = [\"paid\"]",
                                              }));
    Schema s;
    DiagnosticEngine diags;
    EXPECT_TRUE(LoadSchema(files, s, diags)) << Rendered(diags).front();
    return s;
  }();
  return schema;
}

TEST(CheckerServicesTest, E0405UnsupportedService) {
  std::string cart = Text({
      "[cart]",                            // 1
      "id = \"tiny\"",                     // 2
      "client = \"tiny\"",                 // 3
      "platform = \"tiny\"",               // 4
      "[api]",                             // 5
      "shop = \"tiny-1\"",                 // 6
      "[services.order_download]",         // 7
      "enabled = true",                    // 8
      "every = \"1h\"",                    // 9
      "[services.shipment_upload]",        // 10
      "enabled = true",                    // 11
      "every = \"1h\"",                    // 12
      "[services.inventory_upload]",       // 13
      "enabled = false",                   // 14 disabled: fine
      "every = \"1h\"",                    // 15
      "[order_load]",                      // 16
      "earliest_order_date = 2026-09-01",  // 17
  });
  auto r = CheckTexts(kProject, {{"c.toml", cart}}, &TinySchema());
  EXPECT_EQ(r->diags,
            (Lines{"c.toml:11:11-15: E0405: platform tiny does not support shipment_upload"}));
}

// ===========================================================================
// E05xx: order load and inventory rules
// ===========================================================================

TEST(CheckerOrderLoadTest, E0501MissingEarliestDate) {
  // Pointing at [order_load] when the cart has one ...
  EXPECT_EQ(CheckCartText(Cart({
                "[services.order_download]",       // 8
                "enabled = true",                  // 9
                "every = \"15m\"",                 // 10
                "[order_load]",                    // 11
                "sync_inventory_with = \"east\"",  // 12
            })),
            (Lines{"c.toml:11:1-13: E0501: earliest_order_date is required when order_download is "
                   "enabled"}));
  // ... and at the service's `enabled` otherwise.
  EXPECT_EQ(CheckCartText(Cart({
                "[services.order_download]",  // 8
                "enabled = true",             // 9
                "every = \"15m\"",            // 10
            })),
            (Lines{"c.toml:9:11-15: E0501: earliest_order_date is required when order_download is "
                   "enabled"}));
  // Not needed while order_download is disabled.
  EXPECT_EQ(
      CheckCartText(Cart({"[services.order_download]", "enabled = false", "every = \"15m\""})),
      Lines{});
}

TEST(CheckerOrderLoadTest, E0502FutureEarliestDate) {
  EXPECT_EQ(
      CheckCartText(Cart({"[order_load]", "earliest_order_date = 2026-11-28"})),
      (Lines{"c.toml:9:23-33: E0502: earliest_order_date 2026-11-28 is in the future (today is "
             "2026-11-27)"}));
  EXPECT_EQ(CheckCartText(Cart({"[order_load]", "earliest_order_date = 2026-11-27"})), Lines{});
}

TEST(CheckerOrderLoadTest, W0503OldEarliestDate) {
  EXPECT_EQ(
      CheckCartText(Cart({"[order_load]", "earliest_order_date = 2024-11-26"})),
      (Lines{"c.toml:9:23-33: W0503: earliest_order_date 2024-11-26 is more than 2 years back; the "
             "first download will page through every order since then"}));
  EXPECT_EQ(CheckCartText(Cart({"[order_load]", "earliest_order_date = 2024-11-27"})), Lines{});
}

TEST(CheckerOrderLoadTest, E0504MinimumInventoryUnsupported) {
  std::string magento = Text({
      "[cart]",                                     // 1
      "id = \"greenleaf\"",                         // 2
      "client = \"greenleaf\"",                     // 3
      "platform = \"magento\"",                     // 4
      "[api]",                                      // 5
      "store_url = \"https://shop.example.com\"",   // 6
      "access_token = { secret = \"env:TOKEN\" }",  // 7
      "[order_load]",                               // 8
      "minimum_inventory_level = 3",                // 9
  });
  auto r = CheckTexts(kProject, {{"c.toml", magento}});
  EXPECT_EQ(r->diags,
            (Lines{"c.toml:9:27-28: E0504: minimum_inventory_level cannot take effect: platform "
                   "magento syncs on-hand quantity, not available quantity"}));
  // Zero is the default and always fine; so is any level on an "available" platform.
  std::string zero = WithValue(magento, "minimum_inventory_level", "0");
  EXPECT_EQ(CheckTexts(kProject, {{"c.toml", zero}})->diags, Lines{});
  EXPECT_EQ(CheckCartText(Cart({"[order_load]", "minimum_inventory_level = 3"})), Lines{});
}

TEST(CheckerOrderLoadTest, E0505UnknownWarehouse) {
  EXPECT_EQ(
      CheckCartText(Cart({"[order_load]", "sync_inventory_with = \"central\""})),
      (Lines{"c.toml:9:23-32: E0505: unknown warehouse \"central\" for WMS \"main\" (declared: "
             "\"east\", \"west\")"}));
  EXPECT_EQ(CheckCartText(Cart({"[order_load]", "sync_inventory_with = \"eats\""})),
            (Lines{"c.toml:9:23-29: E0505: unknown warehouse \"eats\" for WMS \"main\" (declared: "
                   "\"east\", \"west\"); did you mean \"east\"?"}));
  EXPECT_EQ(CheckCartText(Cart({"[order_load]", "sync_inventory_with = \"all\""})), Lines{});
  EXPECT_EQ(CheckCartText(Cart({"[order_load]", "sync_inventory_with = \"west\""})), Lines{});
  // A WMS that declares no warehouses accepts only "all".
  std::string bare = Text({"[wms.main]", "system = \"directory\"", "path = \"/srv/wms\""});
  EXPECT_EQ(
      CheckTexts(bare, {{"c.toml", Cart({"[order_load]", "sync_inventory_with = \"east\""})}})
          ->diags,
      (Lines{
          "c.toml:9:23-29: E0505: unknown warehouse \"east\" for WMS \"main\" (declared: none)"}));
}

TEST(CheckerOrderLoadTest, E0506UnknownAliasType) {
  EXPECT_EQ(
      CheckCartText(Cart({
          "[order_load]",                             // 8
          "sync_inventory_alias = \"shopify_skus\"",  // 9
          "[items]",                                  // 10
          "translate_item_code = \"asin\"",           // 11
      })),
      (Lines{
          "c.toml:9:24-38: E0506: unknown alias type \"shopify_skus\" for WMS \"main\" (declared: "
          "\"shopify_sku\", \"upc\"); did you mean \"shopify_sku\"?",
          "c.toml:11:23-29: E0506: unknown alias type \"asin\" for WMS \"main\" (declared: "
          "\"shopify_sku\", \"upc\")",
      }));
  EXPECT_EQ(CheckCartText(Cart({"[order_load]", "sync_inventory_alias = \"master_sku\"", "[items]",
                                "translate_item_code = \"upc\""})),
            Lines{});
  // A WMS that does not list its alias types takes any name on trust.
  std::string bare = Text({"[wms.main]", "system = \"directory\"", "path = \"/srv/wms\""});
  EXPECT_EQ(
      CheckTexts(bare, {{"c.toml", Cart({"[order_load]", "sync_inventory_alias = \"asin\""})}})
          ->diags,
      Lines{});
}

// ===========================================================================
// E06xx: ship methods, items, order filters
// ===========================================================================

TEST(CheckerShipItemsTest, E0601InvalidShipTarget) {
  EXPECT_EQ(
      CheckCartText(Cart({
          "[ship_methods]",                 // 8
          "\"Standard\" = \"UPS-GROUND\"",  // 9
          "\"Express\" = \"UPS/\"",         // 10
          "\"Freight\" = \"UPS/A/B\"",      // 11
      })),
      (Lines{
          "c.toml:9:15-25: E0601: invalid ship-method target: missing '/' between carrier and "
          "service; expected CARRIER/SERVICE (e.g. UPS/GROUND)",
          "c.toml:10:14-18: E0601: invalid ship-method target: missing service after '/'; expected "
          "CARRIER/SERVICE (e.g. UPS/GROUND)",
          "c.toml:11:19-20: E0601: invalid ship-method target: extra '/'; expected exactly one '/' "
          "between carrier and service",
      }));
}

TEST(CheckerShipItemsTest, E0602UnknownCarrier) {
  EXPECT_EQ(
      CheckCartText(Cart({
          "[ship_methods]",                      // 8
          "\"Express\" = \"FEDX/FEDEX_2_DAY\"",  // 9
          "\"Freight\" = \"ESTES/LTL\"",         // 10
      })),
      (Lines{
          "c.toml:9:14-18: E0602: unknown carrier \"FEDX\" for WMS \"main\" (declared: \"UPS\", "
          "\"FEDEX\", \"USPS\"); did you mean \"FEDEX\"?",
          "c.toml:10:14-19: E0602: unknown carrier \"ESTES\" for WMS \"main\" (declared: \"UPS\", "
          "\"FEDEX\", \"USPS\")",
      }));
  // A WMS that lists no carriers accepts any.
  std::string bare = Text({"[wms.main]", "system = \"directory\"", "path = \"/srv/wms\""});
  EXPECT_EQ(
      CheckTexts(bare, {{"c.toml", Cart({"[ship_methods]", "\"X\" = \"ESTES/LTL\""})}})->diags,
      Lines{});
}

TEST(CheckerShipItemsTest, W0603AllOrdersHeld) {
  EXPECT_EQ(
      CheckCartText(Cart({"[order_load]", "reject_unmapped_ship_codes = true", "[ship_methods]"})),
      (Lines{"c.toml:9:30-34: W0603: reject_unmapped_ship_codes is true but [ship_methods] maps "
             "nothing and has no \"*\": every order would be held"}));
  EXPECT_EQ(
      CheckCartText(Cart({"[order_load]", "reject_unmapped_ship_codes = true"})),
      (Lines{"c.toml:9:30-34: W0603: reject_unmapped_ship_codes is true but [ship_methods] maps "
             "nothing and has no \"*\": every order would be held"}));
  // Anything mapped, or false, is fine.
  EXPECT_EQ(CheckCartText(Cart({"[order_load]", "reject_unmapped_ship_codes = true",
                                "[ship_methods]", "\"Standard\" = \"UPS/GROUND\""})),
            Lines{});
  EXPECT_EQ(CheckCartText(Cart({"[order_load]", "reject_unmapped_ship_codes = false"})), Lines{});
}

TEST(CheckerShipItemsTest, W0604ShadowedPatterns) {
  EXPECT_EQ(
      CheckCartText(Cart({
          "[ship_methods]",                     // 8
          "\"UPS Ground\" = \"UPS/GROUND\"",    // 9  exact, same target as UPS*
          "\"UPS*\" = \"UPS/GROUND\"",          // 10
          "\"UPS Gr*\" = \"UPS/GROUND\"",       // 11 inside UPS*, same target
          "\"UPS Express\" = \"UPS/EXPRESS\"",  // 12 exact, other target: fine
          "[items]",                            // 13
          "filter = \"blacklist\"",             // 14
          "skus = [\"GIFT-*\", \"GIFT-CARD\", \"SAMPLE-?\", \"SAMPLE-*\"]",  // 15
      })),
      (Lines{
          // Redundant, not dead: an exact code wins; named once, by the glob that decides.
          "c.toml:9:1-13: W0608: ship method \"UPS Ground\" is redundant: \"UPS Gr*\" maps it to "
          "UPS/GROUND as well",
          "c.toml:11:1-10: W0608: ship method glob \"UPS Gr*\" is redundant: \"UPS*\" maps every "
          "code it matches to UPS/GROUND as well",
          "c.toml:15:19-30: W0608: sku \"GIFT-CARD\" is redundant: already covered by \"GIFT-*\"",
          "c.toml:15:32-42: W0608: sku \"SAMPLE-?\" is redundant: already covered by "
          "\"SAMPLE-*\"",
      }));
}

TEST(CheckerShipItemsTest, W0605OverlappingPatterns) {
  EXPECT_EQ(
      CheckCartText(Cart({
          "[ship_methods]",                      // 8
          "\"UPS*\" = \"UPS/GROUND\"",           // 9
          "\"*Express*\" = \"FEDEX/PRIORITY\"",  // 10
          "\"*\" = \"USPS/PRIORITY\"",           // 11 the catch-all never overlaps
      })),
      (Lines{"c.toml:10:1-12: W0605: ship method globs \"*Express*\" and \"UPS*\" overlap with "
             "different targets; a code matching both goes to \"*Express*\" (more literal "
             "characters win)"}));
  // Disjoint globs do not overlap.
  EXPECT_EQ(CheckCartText(Cart(
                {"[ship_methods]", "\"UPS*\" = \"UPS/GROUND\"", "\"FEDEX*\" = \"FEDEX/GROUND\""})),
            Lines{});
}

TEST(CheckerShipItemsTest, W0606EmptyItemFilter) {
  EXPECT_EQ(
      CheckCartText(Cart({"[items]", "filter = \"whitelist\"", "skus = []"})),
      (Lines{"c.toml:9:10-21: W0606: [items].filter = \"whitelist\" with no skus lets no item "
             "through: every order would be refused"}));
  EXPECT_EQ(
      CheckCartText(Cart({"[items]", "filter = \"blacklist\""})),
      (Lines{"c.toml:9:10-21: W0606: [items].filter = \"blacklist\" with no skus has no effect"}));
  EXPECT_EQ(CheckCartText(Cart({"[items]", "filter = \"disabled\""})), Lines{});
}

TEST(CheckerShipItemsTest, E0607UnknownOrderField) {
  EXPECT_EQ(CheckCartText(Cart({
                "[[order_filters]]",           // 8
                "field = \"ship_to.contry\"",  // 9
                "values = [\"US\"]",           // 10
                "[[order_filters]]",           // 11
                "field = \"lines.sku\"",       // 12
                "values = [\"X\"]",            // 13
                "[[order_filters]]",           // 14
                "match = \"prefix\"",          // 15
            })),
            (Lines{
                "c.toml:9:9-25: E0607: unknown order field \"ship_to.contry\"; did you mean "
                "\"ship_to.country\"?",
                "c.toml:12:9-20: E0607: unknown order field \"lines.sku\"",
                "c.toml:14:1-18: E0204: missing required key \"field\" in [[order_filters]]",
                "c.toml:14:1-18: E0204: missing required key \"values\" in [[order_filters]]",
            }));
}

// ===========================================================================
// E07xx: project file
// ===========================================================================

TEST(CheckerProjectTest, E0701UnknownWmsSystem) {
  std::string project = Text({
      "[wms.main]",                         // 1
      "system = \"htp\"",                   // 2
      "[wms.other]",                        // 3
      "system = \"sftp\"",                  // 4
      "[wms.third]",                        // 5
      "url = \"https://wms.example.com\"",  // 6
  });
  auto r = CheckTexts(project, {});
  EXPECT_EQ(r->diags,
            (Lines{
                "cartsync.toml:2:10-15: E0701: unknown WMS system \"htp\"; did you mean \"http\"? "
                "(known: "
                "\"command\", \"directory\", \"http\")",
                "cartsync.toml:4:10-16: E0701: unknown WMS system \"sftp\" (known: \"command\", "
                "\"directory\", \"http\")",
                "cartsync.toml:5:1-12: E0204: missing required key \"system\" in [wms.third]",
            }));
}

TEST(CheckerProjectTest, E0702InvalidStateUrl) {
  auto r = CheckTexts(Text({"[state]", "url = \"mysql://db/cartsync\""}), {});
  EXPECT_EQ(
      r->diags,
      (Lines{"cartsync.toml:2:7-28: E0702: state url \"mysql://db/cartsync\" is not supported: "
             "expected sqlite:PATH or postgres://HOST/DB"}));
  // A password in the URL is never echoed back.
  r = CheckTexts(Text({"[state]", "url = \"postgres://cartsync:hunter2@db/cartsync\""}), {});
  EXPECT_EQ(r->diags,
            (Lines{"cartsync.toml:2:7-48: E0702: state url \"postgres://…\" is not supported: it "
                   "embeds a password; use [state] password = { secret = \"env:NAME\" } (or "
                   "PGPASSWORD, ~/.pgpass)"}));
  EXPECT_TRUE(r->c.diags.diagnostics()[0].mask_snippet);
  EXPECT_EQ(r->c.project.state_url, kDefaultStateUrl);
  // So is a password= parameter, in any case, in either scheme.
  for (std::string url : {"postgresql://db/x?sslmode=require&password=hunter2",
                          "postgres://db/x?PASSWORD=hunter2", "postgres://:hunter2@db/x"}) {
    r = CheckTexts(Text({"[state]", "url = \"" + url + "\""}), {});
    ASSERT_EQ(r->diags.size(), 1u) << url;
    EXPECT_NE(r->diags[0].find("E0702: state url \"postgres://…\""), std::string::npos) << url;
    EXPECT_EQ(r->diags[0].find("hunter2"), std::string::npos) << url;
  }
  // The supported forms.
  for (std::string url :
       {"sqlite:.cartsync/state.db", "postgres://db/cartsync", "postgresql://cartsync@db/x"}) {
    r = CheckTexts(Text({"[state]", "url = \"" + url + "\""}), {});
    EXPECT_EQ(r->diags, Lines{}) << url;
    EXPECT_EQ(r->c.project.state_url, url);
  }
}

TEST(CheckerProjectTest, StatePasswordIsASecretReferenceForPostgres) {
  // The reference goes into the project config (and the plan), never a value.
  auto r = CheckTexts(Text({"[state]", "url = \"postgres://cartsync@db/cartsync\"",
                            "password = { secret = \"env:CARTSYNC_DB_PASSWORD\" }"}),
                      {});
  EXPECT_EQ(r->diags, Lines{});
  ASSERT_TRUE(r->c.project.state_password.has_value());
  EXPECT_EQ(r->c.project.state_password->Text(), "env:CARTSYNC_DB_PASSWORD");
  r = CheckTexts(Text({"[state]", "url = \"postgresql://db/x?sslmode=verify-full\"",
                       "password = { secret = \"file:secrets/db-password\" }"}),
                 {});
  EXPECT_EQ(r->diags, Lines{});
  ASSERT_TRUE(r->c.project.state_password.has_value());
  EXPECT_EQ(r->c.project.state_password->Text(), "file:secrets/db-password");

  // The value itself is refused, and its line masked.
  r = CheckTexts(
      Text({"[state]", "url = \"postgres://cartsync@db/cartsync\"", "password = \"hunter2\""}), {});
  EXPECT_EQ(r->diags,
            (Lines{"cartsync.toml:3:12-21: E0301: \"state.password\" is a secret: use { secret "
                   "= \"env:NAME\" } or { secret = \"file:PATH\" }, never the value itself"}));
  EXPECT_TRUE(r->c.diags.diagnostics()[0].mask_snippet);
  EXPECT_FALSE(r->c.project.state_password.has_value());

  // A SQLite state (named, or the default) has no password.
  for (std::string url_line : {"url = \"sqlite:state.db\"", ""}) {
    r = CheckTexts(Text({"[state]", url_line, "password = { secret = \"env:PW\" }"}), {});
    EXPECT_EQ(r->diags,
              (Lines{"cartsync.toml:3:12-33: E0205: invalid value { secret = \"env:PW\" } for "
                     "\"state.password\": expected a postgres:// [state].url beside it (a "
                     "sqlite: state has no password)"}))
        << url_line;
    EXPECT_FALSE(r->c.project.state_password.has_value());
  }
  // Beside a URL that is already an error: no second diagnostic.
  r = CheckTexts(Text({"[state]", "url = \"mysql://db/x\"", "password = { secret = \"env:PW\" }"}),
                 {});
  ASSERT_EQ(r->diags.size(), 1u);
  EXPECT_NE(r->diags[0].find("E0702"), std::string::npos);
}

TEST(CheckerProjectTest, WmsConnectionFields) {
  std::string project = Text({
      "[project]",                             // 1
      "cart = \"carts.d\"",                    // 2
      "[wms.main]",                            // 3
      "system = \"http\"",                     // 4
      "url = \"http://wms.example.com\"",      // 5
      "timeout_seconds = \"30\"",              // 6
      "warehouse = [\"east\"]",                // 7
      "[wms.cmd]",                             // 8
      "system = \"command\"",                  // 9
      "[wms.loopback]",                        // 10
      "system = \"http\"",                     // 11
      "url = \"http://localhost:18080/wms\"",  // 12
      "carriers = [\"UPS\", \"UPS\"]",         // 13
  });
  auto r = CheckTexts(project, {});
  EXPECT_EQ(
      r->diags,
      (Lines{
          "cartsync.toml:2:1-5: E0201: unknown key \"cart\" in [project]; did you mean \"carts\"?",
          "cartsync.toml:5:7-31: E0304: \"wms.main.url\" must use https:// (http:// is allowed "
          "only "
          "for 127.0.0.1, localhost and ::1)",
          "cartsync.toml:6:19-23: E0202: \"wms.main.timeout_seconds\" must be an integer, found a "
          "string",
          "cartsync.toml:7:1-10: E0201: unknown key \"warehouse\" in [wms.main]; did you mean "
          "\"warehouses\"?",
          "cartsync.toml:8:1-10: E0204: missing required key \"command\" in [wms.cmd]",
          "cartsync.toml:13:20-25: E0213: \"UPS\" is listed twice in \"wms.loopback.carriers\"",
      }));
}

// ===========================================================================
// [defaults]
// ===========================================================================

TEST(CheckerDefaultsTest, DefaultsApplyAndCartsOverride) {
  std::string project = kProject + Text({
                                       "[defaults]",
                                       "order_load.reject_unmapped_ship_codes = true",
                                       "order_load.minimum_inventory_level = 2",
                                       "statuses.financial_status = [\"paid\"]",
                                       "ship_methods.\"*\" = \"USPS/PRIORITY\"",
                                   });
  std::string plain = Cart({});
  std::string overriding = Text({
      "[cart]",
      "id = \"acme-b\"",
      "client = \"acme\"",
      "platform = \"shopify\"",
      "[api]",
      "store_url = \"https://acme.myshopify.com\"",
      "access_token = { secret = \"env:TOKEN\" }",
      "[order_load]",
      "reject_unmapped_ship_codes = false",
      "[statuses]",
      "financial_status = [\"any\"]",
      "[ship_methods]",
      "\"Standard\" = \"UPS/GROUND\"",
  });
  auto r = CheckTexts(project, {{"a.toml", plain}, {"b.toml", overriding}});
  EXPECT_EQ(r->diags, Lines{});
  ASSERT_EQ(r->c.carts.size(), 2u);
  const CartConfig& a = r->c.carts[0];
  EXPECT_EQ(a.id, "acme");
  EXPECT_TRUE(a.reject_unmapped_ship_codes);
  EXPECT_EQ(a.minimum_inventory_level, 2);
  EXPECT_EQ(a.statuses.at("financial_status"), (Lines{"paid"}));
  ASSERT_EQ(a.ship_methods.size(), 1u);
  EXPECT_EQ(a.ship_methods[0].code, "*");
  const CartConfig& b = r->c.carts[1];
  EXPECT_EQ(b.id, "acme-b");
  EXPECT_FALSE(b.reject_unmapped_ship_codes);  // the cart's own value wins
  EXPECT_EQ(b.minimum_inventory_level, 2);     // merged into the cart's own [order_load]
  EXPECT_EQ(b.statuses.at("financial_status"), (Lines{"any"}));
  ASSERT_EQ(b.ship_methods.size(), 2u);  // tables merge key by key
  EXPECT_EQ(b.ship_methods[0].code, "Standard");
  EXPECT_EQ(b.ship_methods[1].code, "*");
}

TEST(CheckerDefaultsTest, BadDefaultIsReportedOnceInTheProjectFile) {
  std::string project = kProject + Text({
                                       "[defaults]",                                    // 8
                                       "order_load.sync_inventory_with = \"central\"",  // 9
                                       "order_load.foo = 1",                            // 10
                                       "services.order_download.every = \"1m\"",        // 11
                                       "order_load.earliest_order_date = 2026-09-01",   // 12
                                   });
  std::string a = Cart({"[services.order_download]", "enabled = true"});
  std::string b = Replaced(a, "id = \"acme\"", "id = \"acme-b\"");
  auto r = CheckTexts(project, {{"a.toml", a}, {"b.toml", b}});
  EXPECT_EQ(
      r->diags,
      (Lines{
          "cartsync.toml:9:34-43: E0505: unknown warehouse \"central\" for WMS \"main\" (declared: "
          "\"east\", \"west\")",
          "cartsync.toml:10:12-15: E0201: unknown key \"foo\" in [order_load]; valid keys: "
          "\"reject_unmapped_ship_codes\", \"earliest_order_date\", \"sync_inventory_with\", "
          "\"sync_inventory_alias\", \"minimum_inventory_level\"",
          "cartsync.toml:11:34-36: E0403: order_download runs every 1m; the minimum is every 5m "
          "(cart API rate limits)",
      }));
  EXPECT_EQ(r->c.diags.errors(), 3);
  // Both carts use the bad defaults, so neither is clean.
  EXPECT_EQ(r->c.carts.size(), 0u);
}

TEST(CheckerDefaultsTest, DefaultThatOnlySomePlatformsRejectNamesThePlatform) {
  std::string project = kProject + Text({
                                       "[defaults]",                    // 8
                                       "statuses.status = [\"open\"]",  // 9
                                   });
  std::string walmart = Text({
      "[cart]",
      "id = \"summit\"",
      "client = \"summit\"",
      "platform = \"walmart\"",
      "[api]",
      "client_id = \"abc\"",
      "client_secret = { secret = \"env:WALMART_SECRET\" }",
  });
  auto r = CheckTexts(project, {{"a.toml", Cart({})}, {"b.toml", walmart}});
  EXPECT_EQ(r->diags,
            (Lines{"cartsync.toml:9:20-26: E0203: unknown status \"open\" for platform walmart "
                   "(status); allowed: \"Created\", \"Acknowledged\", \"Shipped\", \"Delivered\", "
                   "\"Cancelled\""}));
  ASSERT_EQ(r->c.carts.size(), 1u);
  EXPECT_EQ(r->c.carts[0].id, "acme");
}

TEST(CheckerDefaultsTest, PerCartFindingAboutADefaultPointsAtTheCart) {
  // The default is fine; the consequence (nothing mapped) is the cart's.
  std::string project =
      kProject + Text({"[defaults]", "order_load.reject_unmapped_ship_codes = true"});
  auto r = CheckTexts(project, {{"c.toml", Cart({})}});
  EXPECT_EQ(
      r->diags,
      (Lines{"cartsync.toml:9:41-45: W0603: reject_unmapped_ship_codes is true but [ship_methods] "
             "maps nothing and has no \"*\": every order would be held"}));
}

// ===========================================================================
// Compile(): paths, inputs and the sample projects
// ===========================================================================

TEST(CheckerCompileTest, PathsAreReportedAsGiven) {
  TempDir dir;
  dir.Write("cartsync.toml", kProject);
  dir.Write("carts.d/x.toml", Cart({"[order_load]", "sync_inventory_with = \"central\""}));
  dir.Write("carts.d/notes.md", "not a cart");
  auto r = CompilePaths({dir.path() + "/carts.d"});
  EXPECT_EQ(r->diags,
            (Lines{dir.path() + "/carts.d/x.toml:9:23-32: E0505: unknown warehouse \"central\" for "
                                "WMS \"main\" (declared: \"east\", \"west\")"}));
  EXPECT_TRUE(r->c.has_project);  // found next to the carts directory
  ASSERT_EQ(r->c.inputs.size(), 2u);
  EXPECT_EQ(r->c.inputs[0].path, "carts.d/x.toml");  // the plan records project-relative paths
  EXPECT_EQ(r->c.inputs[1].path, "cartsync.toml");
  // A trailing slash and a single file name the same file the same way.
  EXPECT_EQ(CompilePaths({dir.path() + "/carts.d/"})->diags, r->diags);
  EXPECT_EQ(CompilePaths({dir.path() + "/carts.d/x.toml"})->diags, r->diags);
  // The project directory reaches the same cart through [project].carts.
  EXPECT_EQ(CompilePaths({dir.path()})->diags, r->diags);
}

TEST(CheckerCompileTest, ProjectCartsDirectorySetting) {
  TempDir dir;
  dir.Write("cartsync.toml", Text({"[project]", "carts = \"stores\""}) + kProject);
  dir.Write("stores/a.toml", Cart({}));
  dir.Write("carts.d/ignored.toml", "this is not TOML");
  auto r = CompilePaths({dir.path()});
  EXPECT_EQ(r->diags, Lines{});
  ASSERT_EQ(r->c.carts.size(), 1u);
  EXPECT_EQ(r->c.carts[0].source, "stores/a.toml");
}

TEST(CheckerCompileTest, SampleProjectIsClean) {
  auto r = CompilePaths({CARTSYNC_SOURCE_DIR});
  EXPECT_EQ(r->diags, Lines{});
  EXPECT_FALSE(r->c.diags.has_errors());
  EXPECT_FALSE(r->c.io_error);
  ASSERT_EQ(r->c.carts.size(), 8u);
  std::set<std::string> platforms;
  for (const CartConfig& c : r->c.carts) platforms.insert(c.platform);
  EXPECT_EQ(platforms, (std::set<std::string>{"amazon", "bigcommerce", "ebay", "magento", "shopify",
                                              "walmart", "woocommerce"}));
  EXPECT_EQ(r->c.files_checked, 9);
}

TEST(CheckerCompileTest, BadConfigExampleMatchesItsReadme) {
  const std::string root = std::string(CARTSYNC_SOURCE_DIR) + "/examples/bad-config";
  auto r = CompilePaths({root});
  // file (relative to the example), line and code of each diagnostic.
  Lines got;
  for (const Diagnostic& d : r->c.diags.Sorted()) {
    std::string file = d.region.file;
    if (file.rfind(root + "/", 0) == 0) file = file.substr(root.size() + 1);
    got.push_back(file + ":" + std::to_string(d.region.begin.line) + ": " + d.code);
  }
  EXPECT_EQ(got, (Lines{
                     "carts.d/acme-apparel.toml:13: E0304",    // 1 insecure base_url
                     "carts.d/acme-apparel.toml:17: E0403",    // 2 every = "2m"
                     "carts.d/acme-apparel.toml:24: E0203",    // 3 "payed"
                     "carts.d/acme-apparel.toml:27: E0501",    // 4b (at [order_load])
                     "carts.d/acme-apparel.toml:28: E0201",    // 4 ealiest_order_date
                     "carts.d/acme-apparel.toml:31: E0601",    // 5 UPS-GROUND
                     "carts.d/acme-apparel.toml:32: E0602",    // 6 FEDX
                     "carts.d/acme-outlet.toml:5: E0210",      // 7 duplicate id
                     "carts.d/acme-wholesale.toml:13: E0301",  // 8 plain secret
                     "carts.d/acme-wholesale.toml:32: E0505",  // 9 central
                 }));
  EXPECT_EQ(r->c.diags.errors(), 10);
  EXPECT_EQ(r->c.diags.warnings(), 0);
  // The details the README promises.
  for (const Diagnostic& d : r->c.diags.diagnostics()) {
    if (d.code == "E0203") {
      EXPECT_NE(d.message.find("did you mean \"paid\""), std::string::npos);
    } else if (d.code == "E0201") {
      EXPECT_NE(d.message.find("did you mean \"earliest_order_date\""), std::string::npos);
    } else if (d.code == "E0602") {
      EXPECT_NE(d.message.find("did you mean \"FEDEX\""), std::string::npos);
    } else if (d.code == "E0210") {
      EXPECT_EQ(d.message, "cart id \"acme-apparel\" is also defined in " + root +
                               "/carts.d/acme-apparel.toml:5");
    } else if (d.code == "E0301") {
      EXPECT_TRUE(d.mask_snippet);
    }
    if (d.code == "E0403") {
      EXPECT_EQ(d.region.begin.column, 10u);  // inside the string, at 2m
      EXPECT_EQ(d.region.end.column, 12u);
    }
  }
}

}  // namespace
}  // namespace cartsync

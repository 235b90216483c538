// `cartsync fmt` (compiler/formatter.h): each layout rule on its own, comments
// kept, idempotence, files that do not parse left untouched, and the proof
// refusing rewrites that change a value. The CLI and the meaning-preservation
// sweep over every sample and corpus file: tests/tools/fmt_check.sh.
#include "compiler/formatter.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "compiler/line_diff.h"
#include "compiler/toml_util.h"

namespace cartsync {
namespace {

std::string Text(std::initializer_list<std::string_view> lines) {
  std::string s;
  for (std::string_view l : lines) (s += l) += '\n';
  return s;
}

FormatResult Format(const std::string& text, FormatKind kind = FormatKind::Cart,
                    DiagnosticEngine* diags_out = nullptr) {
  SourceFile file(kind == FormatKind::Project ? "cartsync.toml" : "carts.d/a.toml", text);
  DiagnosticEngine diags;
  FormatOptions options;
  options.kind = kind;
  FormatResult r = FormatSource(file, options, diags);
  if (diags_out) *diags_out = diags;
  return r;
}

// The formatted text; fails the test when formatting did not succeed or is
// not idempotent.
std::string Formatted(const std::string& text, FormatKind kind = FormatKind::Cart) {
  FormatResult r = Format(text, kind);
  EXPECT_EQ(r.status, FormatStatus::Formatted) << r.detail;
  FormatResult again = Format(r.text, kind);
  EXPECT_EQ(again.status, FormatStatus::Formatted) << again.detail;
  EXPECT_FALSE(again.changed) << "not idempotent:\n" << r.text << "---\n" << again.text;
  return r.text;
}

TEST(FormatterTest, OneSpaceAroundEqualsAndPlainDottedKeys) {
  EXPECT_EQ(Formatted(Text({"[cart]", "id=\"a\"", "  client   =  \"b\"", "[order_load]",
                            "sync_inventory_with\t=\t\"all\""})),
            Text({"[cart]", "id = \"a\"", "client = \"b\"", "", "[order_load]",
                  "sync_inventory_with = \"all\""}));
  EXPECT_EQ(Formatted(Text({"[ services . order_download ]", "enabled = true"})),
            Text({"[services.order_download]", "enabled = true"}));
  EXPECT_EQ(Formatted(Text({"x . y  = 1"})), Text({"x.y = 1"}));
}

TEST(FormatterTest, LiteralStringsBecomeEscapedBasicStrings) {
  EXPECT_EQ(Formatted(Text({"[cart]", R"(name = 'C:\carts "main"')"})),
            Text({"[cart]", R"(name = "C:\\carts \"main\"")"}));
  EXPECT_EQ(Formatted(Text({"[items]", "skus = ['A-*',\"B\",  '\\d']"})),
            Text({"[items]", "skus = [\"A-*\",\"B\",  \"\\\\d\"]"}));
}

TEST(FormatterTest, LiteralKeysBecomeBasicQuotedKeys) {
  EXPECT_EQ(Formatted(Text({"[ship_methods]", "'Standard \"Ground\"' = \"UPS/GROUND\""})),
            Text({"[ship_methods]", R"("Standard \"Ground\"" = "UPS/GROUND")"}));
}

TEST(FormatterTest, MultiLineStringsAndArraysStayAsWritten) {
  const std::string text =
      Text({"[cart]", "name = '''", "  raw \\ text 'q'", "'''", "client = \"\"\"", "a \\",
            "  b\"\"\"\"", "", "[items]", "skus = [", "  'A', # first", "  \"B\",", "]"});
  EXPECT_EQ(Formatted(text), Text({"[cart]", "client = \"\"\"", "a \\", "  b\"\"\"\"", "name = '''",
                                   "  raw \\ text 'q'", "'''", "", "[items]", "skus = [",
                                   "  \"A\", # first", "  \"B\",", "]"}));
}

TEST(FormatterTest, TablesInCanonicalOrderUnknownTablesLastInTheirOrder) {
  const std::string text = Text({"[zeta]",
                                 "a = 1",
                                 "[wms_fields]",
                                 "f = 1",
                                 "[carrier_codes]",
                                 "\"UPS\" = \"ups\"",
                                 "[[order_filters]]",
                                 "field = \"a\"",
                                 "[items]",
                                 "filter = \"disabled\"",
                                 "[ship_methods]",
                                 "\"*\" = \"UPS/GROUND\"",
                                 "[order_load]",
                                 "minimum_inventory_level = 0",
                                 "[statuses]",
                                 "status = [\"open\"]",
                                 "[services.inventory_upload]",
                                 "enabled = false",
                                 "[services.order_download]",
                                 "enabled = false",
                                 "[api]",
                                 "store_url = \"https://a.myshopify.com\"",
                                 "[alpha]",
                                 "b = 2",
                                 "[cart]",
                                 "platform = \"shopify\""});
  EXPECT_EQ(Formatted(text), Text({"[cart]",
                                   "platform = \"shopify\"",
                                   "",
                                   "[api]",
                                   "store_url = \"https://a.myshopify.com\"",
                                   "",
                                   "[services.order_download]",
                                   "enabled = false",
                                   "",
                                   "[services.inventory_upload]",
                                   "enabled = false",
                                   "",
                                   "[statuses]",
                                   "status = [\"open\"]",
                                   "",
                                   "[order_load]",
                                   "minimum_inventory_level = 0",
                                   "",
                                   "[ship_methods]",
                                   "\"*\" = \"UPS/GROUND\"",
                                   "",
                                   "[items]",
                                   "filter = \"disabled\"",
                                   "",
                                   "[[order_filters]]",
                                   "field = \"a\"",
                                   "",
                                   "[carrier_codes]",
                                   "\"UPS\" = \"ups\"",
                                   "",
                                   "[wms_fields]",
                                   "f = 1",
                                   "",
                                   "[zeta]",
                                   "a = 1",
                                   "",
                                   "[alpha]",
                                   "b = 2"}));
}

TEST(FormatterTest, KeysInDescriptorOrderUnknownKeysAfterInTheirOrder) {
  // [cart] in the format's order; [api] in the Shopify descriptor's, base_url
  // (implicit) last; [statuses] in the descriptor's dimension order.
  const std::string text = Text({"[cart]",
                                 "wms = \"main\"",
                                 "zz = 1",
                                 "name = \"N\"",
                                 "platform = \"shopify\"",
                                 "aa = 2",
                                 "client = \"c\"",
                                 "id = \"i\"",
                                 "",
                                 "[api]",
                                 "base_url = \"http://127.0.0.1:1\"",
                                 "api_version = \"2026-10\"",
                                 "access_token = { secret = \"env:T\" }",
                                 "store_url = \"https://a.myshopify.com\"",
                                 "",
                                 "[statuses]",
                                 "fulfillment_status = [\"partial\"]",
                                 "status = [\"open\"]",
                                 "financial_status = [\"paid\"]",
                                 "",
                                 "[services.order_download]",
                                 "every = \"15m\"",
                                 "enabled = true",
                                 "",
                                 "[order_load]",
                                 "minimum_inventory_level = 1",
                                 "reject_unmapped_ship_codes = true",
                                 "",
                                 "[[order_filters]]",
                                 "mode = \"required\"",
                                 "values = [\"US\"]",
                                 "field = \"ship_to.country\"",
                                 "match = \"exact\""});
  EXPECT_EQ(Formatted(text), Text({"[cart]",
                                   "id = \"i\"",
                                   "client = \"c\"",
                                   "platform = \"shopify\"",
                                   "name = \"N\"",
                                   "wms = \"main\"",
                                   "zz = 1",
                                   "aa = 2",
                                   "",
                                   "[api]",
                                   "store_url = \"https://a.myshopify.com\"",
                                   "access_token = { secret = \"env:T\" }",
                                   "api_version = \"2026-10\"",
                                   "base_url = \"http://127.0.0.1:1\"",
                                   "",
                                   "[services.order_download]",
                                   "enabled = true",
                                   "every = \"15m\"",
                                   "",
                                   "[statuses]",
                                   "status = [\"open\"]",
                                   "financial_status = [\"paid\"]",
                                   "fulfillment_status = [\"partial\"]",
                                   "",
                                   "[order_load]",
                                   "reject_unmapped_ship_codes = true",
                                   "minimum_inventory_level = 1",
                                   "",
                                   "[[order_filters]]",
                                   "field = \"ship_to.country\"",
                                   "match = \"exact\"",
                                   "values = [\"US\"]",
                                   "mode = \"required\""}));
}

TEST(FormatterTest, UserMapsKeepTheirOrder) {
  const std::string text = Text({"[ship_methods]", "\"Z\" = \"UPS/GROUND\"",
                                 "\"A\" = \"UPS/GROUND\"", "\"*\" = \"USPS/PRIORITY\""});
  EXPECT_EQ(Formatted(text), text);
}

TEST(FormatterTest, CommentsMoveWithTheKeyOrTableThatFollows) {
  const std::string text = Text({
      "# ACME's store.",        // the file's header comment: stays on top
      "",                       //
      "# about the api table",  // moves with [api]
      "[api]",                  //
      "# the host",             // moves with store_url
      "store_url = \"https://a.myshopify.com\"   # trailing: stays on its line",
      "",                         //
      "# about cart",             // moves with [cart]
      "[cart] # header comment",  //
      "client = \"c\"",           //
      "# the id",                 //
      "id = \"i\"",               //
      "",                         //
      "# the end",                // after the last statement: stays last
  });
  EXPECT_EQ(
      Formatted(text),
      Text({"# ACME's store.", "", "# about cart", "[cart] # header comment", "# the id",
            "id = \"i\"", "client = \"c\"", "", "# about the api table", "[api]", "# the host",
            "store_url = \"https://a.myshopify.com\"   # trailing: stays on its line", "",
            "# the end"}));
}

TEST(FormatterTest, CommentClosingATableStaysAtItsEnd) {
  EXPECT_EQ(Formatted(Text({"[ship_methods]", "\"A\" = \"UPS/GROUND\"",
                            "# B is unmapped on purpose.", "", "[cart]", "id = \"i\""})),
            Text({"[cart]", "id = \"i\"", "", "[ship_methods]", "\"A\" = \"UPS/GROUND\"",
                  "# B is unmapped on purpose."}));
}

TEST(FormatterTest, CommentUnderALineThenABlankLineStaysWithThatLine) {
  const std::string text =
      Text({"[cart]", "# about the table", "", "client = \"c\"", "# about client", "", "id = \"i\"",
            "# about id", "", "[items]", "filter = \"disabled\""});
  EXPECT_EQ(Formatted(text),
            Text({"[cart]", "# about the table", "", "id = \"i\"", "# about id", "",
                  "client = \"c\"", "# about client", "", "[items]", "filter = \"disabled\""}));
}

TEST(FormatterTest, LargeFilesFormatInOnePass) {
  // Near the 1 MiB limit: a 20,000-line array and 20,000 keys.
  std::string text = "[items]\nskus = [\n";
  for (int i = 0; i < 20000; ++i) text += "  'SKU-" + std::to_string(i) + "',\n";
  text += "]\n[ship_methods]\n";
  for (int i = 0; i < 20000; ++i) text += "\"M" + std::to_string(i) + "\"=\"UPS/GROUND\"\n";
  ASSERT_LT(text.size(), kMaxSourceBytes);
  std::string formatted = Formatted(text);
  EXPECT_NE(formatted.find("\"M19999\" = \"UPS/GROUND\"\n\n[items]\nskus = [\n  \"SKU-0\",\n"),
            std::string::npos);
  EXPECT_EQ(formatted.substr(formatted.size() - 17), "  \"SKU-19999\",\n]\n");
}

TEST(FormatterTest, SchemaDirectiveStaysOnTop) {
  EXPECT_EQ(
      Formatted(
          Text({"#:schema ../cartsync.schema.json", "[api]", "x = 1", "[cart]", "id = \"i\""})),
      Text({"#:schema ../cartsync.schema.json", "", "[cart]", "id = \"i\"", "", "[api]", "x = 1"}));
}

TEST(FormatterTest, OneBlankLineBetweenTablesAndGroupsInsideKept) {
  EXPECT_EQ(
      Formatted(Text({"", "", "[cart]", "", "id = \"i\"", "", "", "", "client = \"c\"", "[items]",
                      "", "", "filter = \"disabled\"", "", ""})),
      Text({"[cart]", "id = \"i\"", "", "client = \"c\"", "", "[items]", "filter = \"disabled\""}));
}

TEST(FormatterTest, ArrayOfTablesElementsKeepTheirOrderAndSubTables) {
  const std::string text =
      Text({"[[order_filters]]", "field = \"b\"", "[order_filters.extra]", "x = 1", "[cart]",
            "id = \"i\"", "[[order_filters]]", "field = \"a\""});
  EXPECT_EQ(Formatted(text),
            Text({"[cart]", "id = \"i\"", "", "[[order_filters]]", "field = \"b\"", "",
                  "[order_filters.extra]", "x = 1", "", "[[order_filters]]", "field = \"a\""}));
}

TEST(FormatterTest, ProjectFileInItsOwnOrder) {
  const std::string text =
      Text({"[defaults]", "order_load.reject_unmapped_ship_codes = true", "cart.wms = \"main\"",
            "[wms.main]", "carriers = [\"UPS\"]", "token = { secret = \"env:T\" }",
            "url = \"https://w.example.com\"", "system = \"http\"", "[state]",
            "url = \"sqlite:s.db\"", "[project]", "carts = \"carts.d\""});
  EXPECT_EQ(Formatted(text, FormatKind::Project),
            Text({"[project]", "carts = \"carts.d\"", "", "[state]", "url = \"sqlite:s.db\"", "",
                  "[wms.main]", "system = \"http\"", "url = \"https://w.example.com\"",
                  "token = { secret = \"env:T\" }", "carriers = [\"UPS\"]", "", "[defaults]",
                  "cart.wms = \"main\"", "order_load.reject_unmapped_ship_codes = true"}));
}

TEST(FormatterTest, CrLfBecomesLfAndCanonicalTextIsUnchanged) {
  FormatResult r = Format("[cart]\r\nid = \"i\"\r\n");
  ASSERT_EQ(r.status, FormatStatus::Formatted);
  EXPECT_TRUE(r.changed);
  EXPECT_EQ(r.text, "[cart]\nid = \"i\"\n");
  FormatResult same = Format(r.text);
  EXPECT_FALSE(same.changed);
  EXPECT_EQ(same.text, r.text);
}

TEST(FormatterTest, EmptyAndCommentOnlyFiles) {
  EXPECT_EQ(Formatted(""), "");
  EXPECT_EQ(Formatted(Text({"# just", "", "# comments"})), Text({"# just", "", "# comments"}));
}

TEST(FormatterTest, FileThatDoesNotParseIsReportedAndLeftUntouched) {
  const std::string text = Text({"[cart]", "id = \"i\"", "client = = \"c\""});
  DiagnosticEngine diags;
  FormatResult r = Format(text, FormatKind::Cart, &diags);
  EXPECT_EQ(r.status, FormatStatus::SyntaxError);
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(r.text, text);
  ASSERT_EQ(diags.diagnostics().size(), 1u);
  const Diagnostic& d = diags.diagnostics()[0];
  EXPECT_EQ(d.code, "E0105");
  EXPECT_EQ(d.region.file, "carts.d/a.toml");
  EXPECT_EQ(d.region.begin.line, 3u);
  EXPECT_EQ(d.region.begin.column, 10u);
}

TEST(FormatterTest, ProofRejectsRewritesThatChangeMeaning) {
  const std::string before =
      Text({"[cart]", "id = \"i\"", "[[order_filters]]", "field = \"a\"", "[[order_filters]]",
            "field = \"b\"", "[x]", "f = 1.5", "n = nan"});
  SourceFile file("a.toml", before);
  DiagnosticEngine diags;
  toml::table doc;
  ASSERT_TRUE(ParseToml(file, doc, diags));
  std::string why;
  // Moving tables and keys keeps the meaning (NaN equals NaN here).
  EXPECT_TRUE(
      ProveSameMeaning(doc, "a.toml",
                       Text({"[x]", "n = nan", "f = 1.5", "[[order_filters]]", "field = \"a\"",
                             "[[order_filters]]", "field = \"b\"", "[cart]", "id = \"i\""}),
                       why))
      << why;
  // A changed value, a changed type, a lost key, swapped array elements, a
  // text that no longer parses: each is refused, with no value in the reason.
  const std::string broken[] = {
      Text({"[cart]", "id = \"j\"", "[[order_filters]]", "field = \"a\"", "[[order_filters]]",
            "field = \"b\"", "[x]", "f = 1.5", "n = nan"}),
      Text({"[cart]", "id = \"i\"", "[[order_filters]]", "field = \"a\"", "[[order_filters]]",
            "field = \"b\"", "[x]", "f = 1", "n = nan"}),
      Text({"[cart]", "id = \"i\"", "[[order_filters]]", "field = \"a\"", "[[order_filters]]",
            "field = \"b\"", "[x]", "f = 1.5"}),
      Text({"[cart]", "id = \"i\"", "[[order_filters]]", "field = \"b\"", "[[order_filters]]",
            "field = \"a\"", "[x]", "f = 1.5", "n = nan"}),
      Text({"[cart]", "id = \"i\"", "[cart]"}),
  };
  for (const std::string& after : broken) {
    why.clear();
    EXPECT_FALSE(ProveSameMeaning(doc, "a.toml", after, why)) << after;
    EXPECT_FALSE(why.empty());
    EXPECT_EQ(why.find("\"i\""), std::string::npos);
  }
}

TEST(FormatterTest, FormatKindFromTheFileName) {
  EXPECT_EQ(FormatKindOf("cartsync.toml"), FormatKind::Project);
  EXPECT_EQ(FormatKindOf("a/b/cartsync.toml"), FormatKind::Project);
  EXPECT_EQ(FormatKindOf("carts.d/cartsync.toml.bak"), FormatKind::Cart);
  EXPECT_EQ(FormatKindOf("carts.d/acme.toml"), FormatKind::Cart);
}

TEST(FormatterLineDiffTest, UnifiedHunksWithContext) {
  const std::string a = Text({"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"});
  const std::string b = Text({"1", "2", "three", "4", "5", "6", "7", "8", "9", "10", "11"});
  EXPECT_EQ(UnifiedDiff(a, b, "x.toml", {}, 1),
            Text({"--- a/x.toml", "+++ b/x.toml", "@@ -2,3 +2,3 @@", " 2", "-3", "+three", " 4",
                  "@@ -10,1 +10,2 @@", " 10", "+11"}));
  EXPECT_EQ(UnifiedDiff(a, a, "x.toml"), "");
  EXPECT_EQ(UnifiedDiff("", "x\n", "n.toml"),
            Text({"--- a/n.toml", "+++ b/n.toml", "@@ -0,0 +1,1 @@", "+x"}));
  EXPECT_EQ(UnifiedDiff("x", "x\n", "n.toml"),
            Text({"--- a/n.toml", "+++ b/n.toml", "@@ -1,1 +1,1 @@", "-x",
                  "\\ No newline at end of file", "+x"}));
  // Lines go through the shower (fmt masks secrets there).
  EXPECT_EQ(UnifiedDiff("k = 1\n", "k = 2\n", "m.toml", [](std::string_view) { return "*"; }),
            Text({"--- a/m.toml", "+++ b/m.toml", "@@ -1,1 +1,1 @@", "-*", "+*"}));
}

}  // namespace
}  // namespace cartsync

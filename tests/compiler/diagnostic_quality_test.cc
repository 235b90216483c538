// One mistake, one diagnostic, at the right place, with the fix: regression
// tests of issue 10 ("Diagnostics", "Machine output", the checker part of
// "Scale"). Each names the mistake a user makes and asserts the whole
// answer: codes, places (file:line:col-endcol) and texts.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/checker.h"
#include "compiler/compiler.h"
#include "compiler/diagnostic_render.h"

namespace cartsync {
namespace {

using Lines = std::vector<std::string>;
constexpr Date kToday{2026, 11, 27};

const std::string kProject =
    "[wms.main]\n"
    "system = \"http\"\n"
    "url = \"https://wms.example.com/api\"\n"
    "token = { secret = \"env:WMS_TOKEN\" }\n"
    "carriers = [\"UPS\", \"FEDEX\", \"USPS\"]\n";

std::string Join(std::initializer_list<std::string_view> lines) {
  std::string s;
  for (std::string_view l : lines) (s += l) += '\n';
  return s;
}

// The seven lines of a clean Shopify cart; a test's own lines start at 8.
std::string Cart(std::initializer_list<std::string_view> tail) {
  return Join({"[cart]", "id = \"acme\"", "client = \"acme\"", "platform = \"shopify\"", "[api]",
               "store_url = \"https://acme.myshopify.com\"",
               "access_token = { secret = \"env:TOKEN\" }"}) +
         Join(tail);
}

std::string Render(const Diagnostic& d) {
  const SourceRegion& r = d.region;
  std::string s =
      r.file + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column) + "-";
  if (r.end.line != r.begin.line) s += std::to_string(r.end.line) + ":";
  return s + std::to_string(r.end.column) + ": " + d.code + ": " + d.message;
}

struct Checked {
  Compilation c;
  Lines diags;
  std::vector<Diagnostic> sorted;
  std::string Format(DiagFormat f) const {
    std::ostringstream out;
    RenderOptions options;
    options.tool_version = "1.0.0";
    RenderDiagnostics(sorted, c.diags.errors(), c.diags.warnings(), c.sources, f, out, options);
    return out.str();
  }
};

std::unique_ptr<Checked> Check(const std::string& cart, const std::string& project = kProject) {
  auto out = std::make_unique<Checked>();
  CompileOptions options;
  options.today = kToday;
  CompileTexts(project, {{"c.toml", cart}}, options, out->c);
  out->sorted = out->c.diags.Sorted();
  for (const Diagnostic& d : out->sorted) out->diags.push_back(Render(d));
  return out;
}

const Diagnostic& Only(const Checked& r) {
  EXPECT_EQ(r.sorted.size(), 1u) << ::testing::PrintToString(r.diags);
  return r.sorted.at(0);
}

// ---------------------------------------------------------------------------
// One mistake, one diagnostic

TEST(OneMistakeTest, MisspelledRequiredKeyIsOneUnknownKeyWithTheFix) {
  auto r = Check(Join({"[cart]", "id = \"acme\"", "clinet = \"acme\"", "platform = \"shopify\"",
                       "[api]", "store_url = \"https://acme.myshopify.com\"",
                       "access_token = { secret = \"env:TOKEN\" }"}));
  EXPECT_EQ(r->diags, (Lines{"c.toml:3:1-7: E0201: unknown key \"clinet\" in [cart]; did you "
                             "mean \"client\"?"}));
  const Diagnostic& d = Only(*r);
  EXPECT_EQ(d.hint, "rename \"clinet\" to \"client\"");
  ASSERT_EQ(d.fixes.size(), 1u);
  EXPECT_EQ(d.fixes[0].replacement, "client");
  EXPECT_EQ(d.fixes[0].region.begin, (SourcePos{3, 1}));
  EXPECT_EQ(d.fixes[0].region.end, (SourcePos{3, 7}));
}

TEST(OneMistakeTest, MisspelledRequiredApiFieldAndTableAreOneDiagnosticEach) {
  auto api = Check(Join({"[cart]", "id = \"acme\"", "client = \"acme\"", "platform = \"shopify\"",
                         "[api]", "store_ur = \"https://acme.myshopify.com\"",
                         "access_token = { secret = \"env:TOKEN\" }"}));
  EXPECT_EQ(api->diags, (Lines{"c.toml:6:1-9: E0201: unknown key \"store_ur\" in [api]; did you "
                               "mean \"store_url\"?"}));
  auto table =
      Check(Join({"[crat]", "id = \"acme\"", "client = \"acme\"", "platform = \"shopify\""}));
  EXPECT_EQ(table->diags, (Lines{"c.toml:1:2-6: E0201: unknown key \"crat\" in cart file; did you "
                                 "mean \"cart\"?"}));
}

TEST(OneMistakeTest, MissingCartHeaderIsOneErrorWithAnInsertion) {
  auto r = Check(Join({"id = \"acme\"", "client = \"acme\"", "platform = \"shopify\"", "[api]",
                       "store_url = \"https://acme.myshopify.com\"",
                       "access_token = { secret = \"env:TOKEN\" }"}));
  EXPECT_EQ(r->diags,
            (Lines{"c.toml:1:1-3: E0204: missing required key \"[cart]\" in cart file (id and the "
                   "other [cart] keys stand at the top of the file, outside any table)"}));
  const Diagnostic& d = Only(*r);
  EXPECT_EQ(d.hint, "insert a [cart] header line above line 1");
  ASSERT_EQ(d.fixes.size(), 1u);
  EXPECT_EQ(d.fixes[0].replacement, "[cart]\n");
  EXPECT_EQ(d.fixes[0].region.begin, (SourcePos{1, 1}));
  EXPECT_EQ(d.fixes[0].region.end, (SourcePos{1, 1}));
}

TEST(OneMistakeTest, KeysOfAMissingTableHeaderSayWhereTheyBelong) {
  // The [api] header is missing: its keys land in [cart]. Not "unknown" plus
  // "missing" for store_url, nor a missing credential form: one error per key,
  // saying where it belongs.
  auto r = Check(Join({"[cart]", "id = \"acme\"", "client = \"acme\"", "platform = \"shopify\"",
                       "store_url = \"https://acme.myshopify.com\"",
                       "access_token = { secret = \"env:TOKEN\" }"}));
  EXPECT_EQ(r->diags,
            (Lines{"c.toml:5:1-10: E0201: unknown key \"store_url\" in [cart]; it belongs in [api] "
                   "(is a table header missing or misplaced?)",
                   "c.toml:6:1-13: E0201: unknown key \"access_token\" in [cart]; it belongs in "
                   "[api] (is a table header missing or misplaced?)"}));
  EXPECT_EQ(r->sorted.at(0).hint, "move \"store_url\" into [api]");
}

TEST(OneMistakeTest, MissingApiTableIsOneError) {
  auto r = Check(Join({"[cart]", "id = \"acme\"", "client = \"acme\"", "platform = \"shopify\""}));
  EXPECT_EQ(r->diags, (Lines{"c.toml:4:12-21: E0204: missing required key \"[api]\" in the cart "
                             "(the store's address and credentials for shopify)"}));
}

TEST(OneMistakeTest, UnknownKeyWithNoCloseMatchListsTheValidKeys) {
  auto r = Check(Cart({"[order_load]", "banana = 1"}));
  EXPECT_EQ(r->diags, (Lines{"c.toml:9:1-7: E0201: unknown key \"banana\" in [order_load]; valid "
                             "keys: \"reject_unmapped_ship_codes\", \"earliest_order_date\", "
                             "\"sync_inventory_with\", \"sync_inventory_alias\", "
                             "\"minimum_inventory_level\""}));
  EXPECT_EQ(Only(*r).hint, "");
}

TEST(OneMistakeTest, DuplicateKeyShowsTheFirstDefinition) {
  auto r =
      Check(Cart({"[order_load]", "minimum_inventory_level = 1", "minimum_inventory_level = 2"}));
  const Diagnostic& d = Only(*r);
  EXPECT_EQ(d.code, "E0105");
  EXPECT_EQ(d.region.begin.line, 10u);
  ASSERT_EQ(d.related.size(), 1u);
  EXPECT_EQ(d.related[0].message, "first defined here");
  EXPECT_EQ(d.related[0].region.file, "c.toml");
  EXPECT_EQ(d.related[0].region.begin, (SourcePos{9, 1}));
  // A table defined twice: the first header.
  auto t = Check(Cart({"[order_load]", "minimum_inventory_level = 1", "[order_load]"}));
  ASSERT_EQ(t->sorted.size(), 1u);
  ASSERT_EQ(t->sorted[0].related.size(), 1u);
  EXPECT_EQ(t->sorted[0].related[0].region.begin.line, 8u);
  // Text shows it as a note with its snippet, as clang does.
  std::string text = r->Format(DiagFormat::Text);
  EXPECT_NE(
      text.find("c.toml:9:1: note: first defined here\n    9 | minimum_inventory_level = 1\n"),
      std::string::npos)
      << text;
}

TEST(OneMistakeTest, PatternMismatchShowsTheFieldHelpNotTheRegex) {
  auto r = Check(Join({"[cart]", "id = \"acme\"", "client = \"acme\"", "platform = \"shopify\"",
                       "[api]", "store_url = \"https://acme.example.com\"",
                       "access_token = { secret = \"env:TOKEN\" }"}));
  EXPECT_EQ(r->diags, (Lines{"c.toml:6:13-39: E0206: \"api.store_url\" = "
                             "\"https://acme.example.com\" is not in the expected form: The shop's "
                             "permanent https://NAME.myshopify.com address (Settings > Domains), "
                             "not a custom domain"}));
}

// ---------------------------------------------------------------------------
// Places and texts

TEST(DiagnosticPlaceTest, FormatDurationIsInputSyntax) {
  EXPECT_EQ(FormatDuration(90000), "25h");
  EXPECT_EQ(FormatDuration(5400), "90m");
  EXPECT_EQ(FormatDuration(86400), "1d");
  EXPECT_EQ(FormatDuration(86401), "86401s");
  EXPECT_EQ(FormatDuration(0), "0s");
  auto r = Check(Cart({"[services.order_download]", "enabled = true", "every = \"25h\"",
                       "[order_load]", "earliest_order_date = 2026-01-01"}));
  EXPECT_EQ(r->diags, (Lines{"c.toml:10:10-13: E0403: order_download runs every 25h; it must run "
                             "at least once a day"}));
}

TEST(DiagnosticPlaceTest, UnknownTimeZoneFailsCheckAtTheZone) {
  auto r = Check(Cart({"[services.order_download]", "enabled = true",
                       "every = \"daily at 02:30 Mars/Olympus\"", "[order_load]",
                       "earliest_order_date = 2026-01-01"}));
  ASSERT_EQ(r->sorted.size(), 1u) << ::testing::PrintToString(r->diags);
  EXPECT_EQ(r->sorted[0].code, "E0402");
  EXPECT_EQ(r->sorted[0].region.begin, (SourcePos{10, 25}));
  EXPECT_EQ(r->sorted[0].region.end, (SourcePos{10, 37}));
  EXPECT_NE(r->sorted[0].message.find("unknown time zone \"Mars/Olympus\""), std::string::npos);
  EXPECT_TRUE(r->c.diags.has_errors());
  // A zone of the tz database passes (skipped where the system has none).
  if (std::getenv("TZDIR") == nullptr && !std::ifstream("/usr/share/zoneinfo/Europe/Berlin"))
    GTEST_SKIP() << "no tz database";
  EXPECT_EQ(Check(Cart({"[services.order_download]", "enabled = true",
                        "every = \"daily at 02:30 Europe/Berlin\"", "[order_load]",
                        "earliest_order_date = 2026-01-01"}))
                ->diags,
            Lines{});
}

// A per-cart finding about a value that came from [defaults] points at
// that value in the project file, not at the cart's [cart] header.
const std::string kDefaultsProject = kProject + Join({
                                                    "[defaults]",  // 6
                                                    "services.order_download.enabled = true",
                                                    "services.order_download.every = \"15m\"",
                                                    "order_load.reject_unmapped_ship_codes = true",
                                                });

TEST(DiagnosticPlaceTest, MissingEarliestDateFromDefaultsPointsIntoTheDefaults) {
  auto r = Check(Cart({}), kDefaultsProject);
  EXPECT_EQ(r->diags,
            (Lines{"cartsync.toml:9:1-11: E0501: earliest_order_date is required when "
                   "order_download is enabled",
                   "cartsync.toml:9:41-45: W0603: reject_unmapped_ship_codes is true but "
                   "[ship_methods] maps nothing and has no \"*\": every order would be held"}));
  // With an [order_load] in the cart, there (where the date goes).
  auto at_table = Check(Cart({"[order_load]", "minimum_inventory_level = 0"}), kDefaultsProject);
  EXPECT_EQ(at_table->diags.at(0),
            "c.toml:8:1-13: E0501: earliest_order_date is required when order_download is "
            "enabled");
}

TEST(DiagnosticPlaceTest, AllOrdersHeldPointsAtTheFlag) {
  auto r = Check(Cart({"[order_load]", "reject_unmapped_ship_codes = true"}));
  EXPECT_EQ(r->diags, (Lines{"c.toml:9:30-34: W0603: reject_unmapped_ship_codes is true but "
                             "[ship_methods] maps nothing and has no \"*\": every order would be "
                             "held"}));
}

TEST(DiagnosticPlaceTest, InvalidShipTargetPointsAtTheTextNotAtTheClosingQuote) {
  auto r = Check(Cart({"[ship_methods]", "\"Standard\" = \"UPS\"", "\"Express\" = \"UPS/\""}));
  EXPECT_EQ(r->diags, (Lines{"c.toml:9:15-18: E0601: invalid ship-method target: missing '/' "
                             "between carrier and service; expected CARRIER/SERVICE (e.g. "
                             "UPS/GROUND)",
                             "c.toml:10:14-18: E0601: invalid ship-method target: missing service "
                             "after '/'; expected CARRIER/SERVICE (e.g. UPS/GROUND)"}));
}

// ---------------------------------------------------------------------------
// Globs: redundant vs dead, and scale

TEST(GlobOverlapTest, ExactEntryAGlobAlsoCoversIsRedundantNotDead) {
  auto r = Check(Cart({"[ship_methods]", "\"UPS Ground\" = \"UPS/GROUND\"",
                       "\"UPS*\" = \"UPS/GROUND\"", "\"U?S*\" = \"USPS/PRIORITY\""}));
  EXPECT_EQ(r->diags,
            (Lines{"c.toml:9:1-13: W0608: ship method \"UPS Ground\" is redundant: \"UPS*\" maps "
                   "it to UPS/GROUND as well",
                   "c.toml:11:1-7: W0605: ship method globs \"U?S*\" and \"UPS*\" overlap with "
                   "different targets; a code matching both goes to \"UPS*\" (more literal "
                   "characters win)"}));
  ASSERT_EQ(r->sorted[0].related.size(), 1u);
  EXPECT_EQ(r->sorted[0].related[0].region.begin.line, 10u);
  for (const Diagnostic& d : r->sorted) EXPECT_EQ(d.message.find("never"), std::string::npos);
}

TEST(GlobOverlapTest, GlobThatAnEarlierGlobCoversCanNeverMatch) {
  // "A*" and "A?" have as many literal characters; "A*" sorts first and takes
  // every code "A?" matches.
  auto r = Check(Cart({"[ship_methods]", "\"A*\" = \"UPS/GROUND\"", "\"A?\" = \"FEDEX/GROUND\""}));
  EXPECT_EQ(r->diags, (Lines{"c.toml:10:1-5: W0604: ship method glob \"A?\" can never match: every "
                             "code it matches goes to \"A*\" (UPS/GROUND) first"}));
}

TEST(GlobOverlapTest, TenThousandGlobSkusAreCheckedAndWarningsCapped) {
  // 10,000 globs, each covering the next ("S-1*" covers "S-12*"): every one
  // but the first few is redundant. 20 warnings are shown, one note sums up
  // the rest; the count stays exact.
  std::string skus = "skus = [";
  constexpr int kSkus = 10000;
  for (int i = 0; i < kSkus; ++i) skus += (i ? ", \"S-" : "\"S-") + std::to_string(i) + "*\"";
  skus += "]";
  auto r = Check(Cart({"[items]", "filter = \"blacklist\"", skus}));
  int shown = 0, notes = 0;
  for (const Diagnostic& d : r->sorted) {
    if (d.code == "W0608") ++shown;
    if (d.code == "N0801") {
      ++notes;
      EXPECT_EQ(d.message.substr(0, 6), "W0608:");
    }
  }
  EXPECT_EQ(shown, kMaxWarningsPerCodePerFile);
  EXPECT_EQ(notes, 1);
  // "S-1*" covers "S-10*" … "S-19*", "S-100*" …: 9,990 of the 10,000.
  EXPECT_EQ(r->c.diags.warnings(), 9990);
  std::string text = r->Format(DiagFormat::Text);
  EXPECT_NE(text.find("note[N0801]: W0608: 9970 more like this in this file not shown"),
            std::string::npos);
  EXPECT_NE(text.find("9990 warnings generated."), std::string::npos);
}

// ---------------------------------------------------------------------------
// Machine output

TEST(MachineOutputTest, JsonCarriesHintAndRelated) {
  auto r =
      Check(Cart({"[order_load]", "minimum_inventory_level = 1", "minimum_inventory_level = 2"}));
  rapidjson::Document doc;
  doc.Parse(r->Format(DiagFormat::Json).c_str());
  ASSERT_FALSE(doc.HasParseError());
  const auto& d = doc["diagnostics"][0];
  EXPECT_STREQ(d["hint"].GetString(), "remove or rename one of the two definitions");
  ASSERT_EQ(d["related"].Size(), 1u);
  EXPECT_STREQ(d["related"][0]["file"].GetString(), "c.toml");
  EXPECT_EQ(d["related"][0]["line"].GetUint(), 9u);
  EXPECT_EQ(d["related"][0]["column"].GetUint(), 1u);
  EXPECT_STREQ(d["related"][0]["message"].GetString(), "first defined here");
  // No hint, no related: the keys are left out.
  auto plain = Check(Cart({"[order_load]", "minimum_inventory_level = -1"}));
  rapidjson::Document p;
  p.Parse(plain->Format(DiagFormat::Json).c_str());
  EXPECT_FALSE(p["diagnostics"][0].HasMember("hint"));
  EXPECT_FALSE(p["diagnostics"][0].HasMember("related"));
}

TEST(MachineOutputTest, SarifFixesRelatedLocationsAndDocumentedRules) {
  auto r = Check(Join({"[cart]", "id = \"acme\"", "clinet = \"acme\"", "platform = \"shopify\"",
                       "[api]", "store_url = \"https://acme.myshopify.com\"",
                       "access_token = { secret = \"env:TOKEN\" }", "[ship_methods]",
                       "\"UPS Ground\" = \"UPS/GROUND\"", "\"UPS*\" = \"UPS/GROUND\""}));
  std::string sarif = r->Format(DiagFormat::Sarif);
  EXPECT_EQ(sarif.find("informationUri"), std::string::npos);
  EXPECT_EQ(sarif.find("helpUri"), std::string::npos);
  rapidjson::Document doc;
  doc.Parse(sarif.c_str());
  ASSERT_FALSE(doc.HasParseError());
  const auto& run = doc["runs"][0];
  for (const auto& rule : run["tool"]["driver"]["rules"].GetArray()) {
    EXPECT_GT(rule["fullDescription"]["text"].GetStringLength(), 20u) << rule["id"].GetString();
    EXPECT_GT(rule["help"]["text"].GetStringLength(), 10u) << rule["id"].GetString();
  }
  const auto& results = run["results"];
  ASSERT_EQ(results.Size(), 2u);
  // The unknown key: a fix with a real edit (SARIF 2.1.0: artifactChanges).
  const auto& fix = results[0]["fixes"][0];
  EXPECT_STREQ(fix["description"]["text"].GetString(), "rename \"clinet\" to \"client\"");
  const auto& change = fix["artifactChanges"][0];
  EXPECT_STREQ(change["artifactLocation"]["uri"].GetString(), "c.toml");
  const auto& rep = change["replacements"][0];
  EXPECT_EQ(rep["deletedRegion"]["startLine"].GetUint(), 3u);
  EXPECT_EQ(rep["deletedRegion"]["startColumn"].GetUint(), 1u);
  EXPECT_EQ(rep["deletedRegion"]["endColumn"].GetUint(), 7u);
  EXPECT_STREQ(rep["insertedContent"]["text"].GetString(), "client");
  EXPECT_STREQ(results[0]["properties"]["hint"].GetString(), "rename \"clinet\" to \"client\"");
  // The redundant entry: the glob as a related location; its hint is no edit.
  const auto& related = results[1]["relatedLocations"][0];
  EXPECT_EQ(related["id"].GetInt(), 0);
  EXPECT_EQ(related["physicalLocation"]["region"]["startLine"].GetUint(), 10u);
  EXPECT_STREQ(related["physicalLocation"]["region"]["snippet"]["text"].GetString(),
               "\"UPS*\" = \"UPS/GROUND\"");
  EXPECT_FALSE(results[1].HasMember("fixes"));
  EXPECT_TRUE(results[1]["properties"].HasMember("hint"));
}

TEST(MachineOutputTest, GithubAndGitlabShowTheHint) {
  auto r = Check(Join({"[cart]", "id = \"acme\"", "clinet = \"acme\"", "platform = \"shopify\"",
                       "[api]", "store_url = \"https://acme.myshopify.com\"",
                       "access_token = { secret = \"env:TOKEN\" }"}));
  EXPECT_EQ(r->Format(DiagFormat::Github),
            "::error file=c.toml,line=3,col=1,endLine=3,endColumn=7,title=E0201::unknown key "
            "\"clinet\" in [cart]; did you mean \"client\"? (hint: rename \"clinet\" to "
            "\"client\")\n");
  EXPECT_NE(r->Format(DiagFormat::Gitlab).find("(hint: rename \\\"clinet\\\" to \\\"client\\\")"),
            std::string::npos);
  EXPECT_NE(r->Format(DiagFormat::Text).find("      = help: rename \"clinet\" to \"client\"\n"),
            std::string::npos);
}

TEST(MachineOutputTest, EveryRuleIsDocumented) {
  for (const DiagInfo& info : AllDiagInfos()) {
    EXPECT_FALSE(info.description.empty()) << info.code << " has no DIAG_DOC";
    EXPECT_FALSE(info.help.empty()) << info.code << " has no DIAG_DOC";
  }
}

TEST(MachineOutputTest, HintsAndRelatedNeverCarryASecret) {
  // A misspelled secret key with a token: the hint names keys only, and the
  // snippet of every format stays masked.
  auto r = Check(Join({"[cart]", "id = \"acme\"", "client = \"acme\"", "platform = \"shopify\"",
                       "[api]", "store_url = \"https://acme.myshopify.com\"",
                       "acess_token = \"shpat_0123456789abcdef0123456789abcdef\""}));
  for (DiagFormat f : {DiagFormat::Text, DiagFormat::Json, DiagFormat::Sarif, DiagFormat::Github,
                       DiagFormat::Gitlab})
    EXPECT_EQ(r->Format(f).find("shpat_0123"), std::string::npos) << static_cast<int>(f);
}

// ---------------------------------------------------------------------------
// Value suggestions: a wrong value among known ones gets the same did-you-mean,
// hint and machine-applicable fix as an unknown key, in every format.

// A clean WooCommerce cart; a test's own lines start at 8.
std::string WooCart(std::initializer_list<std::string_view> tail) {
  return Join({"[cart]", "id = \"bluebird\"", "client = \"bluebird\"", "platform = \"woocommerce\"",
               "[api]", "store_url = \"https://shop.example.com\"",
               "consumer_key = { secret = \"env:KEY\" }",
               "consumer_secret = { secret = \"env:SECRET\" }"}) +
         Join(tail);
}

// `text` with the fix applied (ASCII: columns are bytes + 1).
std::string Apply(const std::string& text, const FixIt& fix) {
  auto offset = [&](SourcePos p) {
    size_t at = 0;
    for (uint32_t line = 1; line < p.line; ++line) at = text.find('\n', at) + 1;
    return at + p.column - 1;
  };
  size_t b = offset(fix.region.begin), e = offset(fix.region.end);
  return text.substr(0, b) + fix.replacement + text.substr(e);
}

// The one diagnostic of `r` suggests `hint` with one fix of `region` to
// `replacement`, in the engine, in JSON (`hint`), in SARIF (`fixes` with
// an artifact change, and `properties.hint`) and in text (`= help:`).
void ExpectValueFix(const Checked& r, std::string_view file, std::string_view code,
                    std::string_view hint, SourcePos begin, SourcePos end,
                    std::string_view replacement) {
  const Diagnostic& d = Only(r);
  EXPECT_EQ(d.code, code);
  EXPECT_EQ(d.hint, hint);
  ASSERT_EQ(d.fixes.size(), 1u);
  EXPECT_EQ(d.fixes[0].region.file, file);
  EXPECT_EQ(d.fixes[0].region.begin, begin);
  EXPECT_EQ(d.fixes[0].region.end, end);
  EXPECT_EQ(d.fixes[0].replacement, replacement);

  rapidjson::Document json;
  json.Parse(r.Format(DiagFormat::Json).c_str());
  ASSERT_FALSE(json.HasParseError());
  EXPECT_EQ(std::string_view(json["diagnostics"][0]["hint"].GetString()), hint);

  rapidjson::Document sarif;
  sarif.Parse(r.Format(DiagFormat::Sarif).c_str());
  ASSERT_FALSE(sarif.HasParseError());
  const auto& result = sarif["runs"][0]["results"][0];
  EXPECT_EQ(std::string_view(result["ruleId"].GetString()), code);
  EXPECT_EQ(std::string_view(result["properties"]["hint"].GetString()), hint);
  const auto& fix = result["fixes"][0];
  EXPECT_EQ(std::string_view(fix["description"]["text"].GetString()), hint);
  const auto& change = fix["artifactChanges"][0];
  EXPECT_EQ(std::string_view(change["artifactLocation"]["uri"].GetString()), file);
  const auto& rep = change["replacements"][0];
  EXPECT_EQ(rep["deletedRegion"]["startLine"].GetUint(), begin.line);
  EXPECT_EQ(rep["deletedRegion"]["startColumn"].GetUint(), begin.column);
  EXPECT_EQ(rep["deletedRegion"]["endLine"].GetUint(), end.line);
  EXPECT_EQ(rep["deletedRegion"]["endColumn"].GetUint(), end.column);
  EXPECT_EQ(std::string_view(rep["insertedContent"]["text"].GetString()), replacement);

  std::string text = r.Format(DiagFormat::Text);
  EXPECT_NE(text.find("= help: " + std::string(hint) + "\n"), std::string::npos) << text;
}

TEST(ValueSuggestionTest, MisspelledOrderStatus) {
  std::string cart = WooCart({"[statuses]", "status = [\"procesing\", \"on-hold\"]"});
  auto r = Check(cart);
  EXPECT_EQ(r->diags, (Lines{"c.toml:10:11-22: E0203: unknown status \"procesing\" for platform "
                             "woocommerce (status); did you mean \"processing\"?"}));
  ExpectValueFix(*r, "c.toml", "E0203", "replace \"procesing\" with \"processing\"", {10, 11},
                 {10, 22}, "\"processing\"");
  // The fix is the whole answer: applied, the cart checks clean.
  EXPECT_TRUE(Check(Apply(cart, r->sorted[0].fixes[0]))->sorted.empty());
}

TEST(ValueSuggestionTest, MisspelledPlatform) {
  std::string cart = Join({"[cart]", "id = \"acme\"", "client = \"acme\"", "platform = \"shopfy\"",
                           "[api]", "store_url = \"https://acme.myshopify.com\"",
                           "access_token = { secret = \"env:TOKEN\" }"});
  auto r = Check(cart);
  EXPECT_EQ(
      r->diags,
      (Lines{"c.toml:4:12-20: E0209: unknown platform \"shopfy\"; did you mean \"shopify\"?"}));
  ExpectValueFix(*r, "c.toml", "E0209", "replace \"shopfy\" with \"shopify\"", {4, 12}, {4, 20},
                 "\"shopify\"");
  EXPECT_TRUE(Check(Apply(cart, r->sorted[0].fixes[0]))->sorted.empty());
}

TEST(ValueSuggestionTest, MisspelledWmsConnection) {
  std::string cart = Join({"[cart]", "id = \"acme\"", "client = \"acme\"", "platform = \"shopify\"",
                           "wms = 'mian'", "[api]", "store_url = \"https://acme.myshopify.com\"",
                           "access_token = { secret = \"env:TOKEN\" }"});
  auto r = Check(cart);
  // A literal string is replaced whole, quotes included.
  ExpectValueFix(*r, "c.toml", "E0211", "replace \"mian\" with \"main\"", {5, 7}, {5, 13},
                 "\"main\"");
  EXPECT_TRUE(Check(Apply(cart, r->sorted[0].fixes[0]))->sorted.empty());
}

TEST(ValueSuggestionTest, MisspelledWmsTransport) {
  std::string project = "[wms.main]\nsystem = \"htpp\"\nurl = \"https://wms.example.com/api\"\n";
  auto r = Check(Cart({}), project);
  EXPECT_EQ(r->diags, (Lines{"cartsync.toml:2:10-16: E0701: unknown WMS system \"htpp\"; did you "
                             "mean \"http\"? (known: \"command\", \"directory\", \"http\")"}));
  ExpectValueFix(*r, "cartsync.toml", "E0701", "replace \"htpp\" with \"http\"", {2, 10}, {2, 16},
                 "\"http\"");
}

TEST(ValueSuggestionTest, MisspelledDescriptorEnumField) {
  std::string cart = WooCart({"tracking = \"order_notes\""});
  // [api] goes on: the line after consumer_secret belongs to it.
  auto r = Check(cart);
  EXPECT_EQ(r->diags, (Lines{"c.toml:9:12-25: E0205: invalid value \"order_notes\" for "
                             "\"api.tracking\": expected one of \"shipment_tracking\", "
                             "\"order_note\"; did you mean \"order_note\"?"}));
  ExpectValueFix(*r, "c.toml", "E0205", "replace \"order_notes\" with \"order_note\"", {9, 12},
                 {9, 25}, "\"order_note\"");
  EXPECT_TRUE(Check(Apply(cart, r->sorted[0].fixes[0]))->sorted.empty());
}

TEST(ValueSuggestionTest, MisspelledFormatValue) {
  std::string cart = Cart({"[items]", "filter = \"blacklst\"", "skus = [\"A-1\"]"});
  auto r = Check(cart);
  ExpectValueFix(*r, "c.toml", "E0205", "replace \"blacklst\" with \"blacklist\"", {9, 10}, {9, 20},
                 "\"blacklist\"");
  EXPECT_TRUE(Check(Apply(cart, r->sorted[0].fixes[0]))->sorted.empty());
}

TEST(ValueSuggestionTest, MisspelledOrderFilterField) {
  std::string cart = Cart({"[[order_filters]]", "field = \"ship_to.contry\"", "values = [\"US\"]"});
  auto r = Check(cart);
  ExpectValueFix(*r, "c.toml", Only(*r).code, "replace \"ship_to.contry\" with \"ship_to.country\"",
                 {9, 9}, {9, 25}, "\"ship_to.country\"");
  EXPECT_TRUE(Check(Apply(cart, r->sorted[0].fixes[0]))->sorted.empty());
}

TEST(ValueSuggestionTest, MisspelledCarrierReplacesTheCarrierInsideTheString) {
  std::string cart = Cart({"[ship_methods]", "\"Ground\" = \"UPZ/GROUND\""});
  auto r = Check(cart);
  ExpectValueFix(*r, "c.toml", Only(*r).code, "replace \"UPZ\" with \"UPS\"", {9, 13}, {9, 16},
                 "UPS");
  EXPECT_TRUE(Check(Apply(cart, r->sorted[0].fixes[0]))->sorted.empty());
}

TEST(ValueSuggestionTest, MisspelledWebhookFormat) {
  std::string project = kProject +
                        "[[notify]]\n"
                        "url = { secret = \"env:SLACK_WEBHOOK_URL\" }\n"
                        "format = \"slak\"\n";
  auto r = Check(Cart({}), project);
  ExpectValueFix(*r, "cartsync.toml", "E0205", "replace \"slak\" with \"slack\"", {8, 10}, {8, 16},
                 "\"slack\"");
}

TEST(ValueSuggestionTest, MisspelledWebhookEvent) {
  std::string project = kProject +
                        "[[notify]]\n"
                        "url = { secret = \"env:SLACK_WEBHOOK_URL\" }\n"
                        "events = [\"held\", \"step_faild\"]\n";
  auto r = Check(Cart({}), project);
  ExpectValueFix(*r, "cartsync.toml", "E0205", "replace \"step_faild\" with \"step_failed\"",
                 {8, 19}, {8, 31}, "\"step_failed\"");
  EXPECT_TRUE(Check(Cart({}), Apply(project, r->sorted[0].fixes[0]))->sorted.empty());
}

TEST(ValueSuggestionTest, NoCloseValueListsTheAllowedOnesWithoutAFix) {
  auto r = Check(WooCart({"[statuses]", "status = [\"shipped-out-yesterday\"]"}));
  const Diagnostic& d = Only(*r);
  EXPECT_NE(d.message.find("; allowed: \"pending\""), std::string::npos) << d.message;
  EXPECT_EQ(d.hint, "");
  EXPECT_TRUE(d.fixes.empty());
  rapidjson::Document sarif;
  sarif.Parse(r->Format(DiagFormat::Sarif).c_str());
  EXPECT_FALSE(sarif["runs"][0]["results"][0].HasMember("fixes"));
}

}  // namespace
}  // namespace cartsync

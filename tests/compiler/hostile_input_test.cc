// Hostile input: what a file under the 1 MiB limit may hold, and what must
// never follow from it. No crash and no hang (recursion or quadratic work on
// input size), no secret in any output, no terminal control reaching the
// terminal. End to end through RunCli, as cli_test.cc does, plus units of
// safe_text.h, pattern.h and the diagnostic renderer.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/diagnostic_render.h"
#include "compiler/json_schema.h"
#include "compiler/pattern.h"
#include "compiler/safe_text.h"
#include "compiler/schema.h"
#include "tests/support/cart_builder.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text_count.h"
#include "tools/cartsync/cli.h"

namespace cartsync {
namespace {

namespace fs = std::filesystem;

// Shaped like a Shopify Admin API token: CredentialKind recognises it.
const std::string kToken = "shpat_0123456789abcdef0123456789abcdef";

struct Result {
  int code;
  std::string out, err;
};

Result Cli(std::vector<std::string> args) {
  std::ostringstream out, err;
  CliEnv env;
  env.today = {2026, 11, 27};
  int code = RunCli(args, out, err, env);
  return {code, out.str(), err.str()};
}

void WriteAll(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << s;
}

size_t LongestLine(const std::string& text) {
  size_t longest = 0, start = 0;
  for (size_t nl = text.find('\n'); start < text.size(); nl = text.find('\n', start)) {
    if (nl == std::string::npos) nl = text.size();
    longest = std::max(longest, nl - start);
    start = nl + 1;
  }
  return longest;
}

// Project() and Acme() (carts.d/acme.toml) in a scratch directory.
class HostileInput : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "carts.d");
    WriteProject(Project());
  }

  // A clean project and cart (exit 0 for check and plan), which each test
  // spoils in its own way.
  static std::string Project() {
    return ProjectToml()
        .StateUrl("sqlite:.cartsync/state.db")
        .WmsUrl("http://127.0.0.1:18080/wms")
        .WmsToken("env:CARTSYNC_WMS_TOKEN")
        .Carriers({"UPS", "FEDEX", "USPS", "DHL"})
        .AliasTypes({"shopify_sku", "upc"})
        .Text();
  }
  static std::string Acme() {
    return CartToml()
        .Id("acme")
        .Client("acme-apparel")
        .Platform("shopify")
        .Name("ACME Apparel")
        .Api("store_url", "https://acme.myshopify.com")
        .ApiSecret("access_token", "env:ACME_TOKEN")
        .Every(Service::OrderDownload, "15m")
        .Every(Service::ShipmentUpload, "30m")
        .Statuses("status", {"open"})
        .EarliestOrderDate("2026-09-01")
        .ShipMethod("Standard", "USPS/GROUND")
        .ShipMethod("Economy", "USPS/GROUND")
        .ShipMethod("*", "UPS/GROUND")
        .Items("blacklist", {"GIFT-CARD", "SAMPLE-*"})
        .Text();
  }
  void WriteCart(const std::string& text) { WriteAll(dir_ / "carts.d" / "acme.toml", text); }
  void WriteProject(const std::string& text) { WriteAll(dir_ / "cartsync.toml", text); }

  Result Check(const std::string& format = "text") {
    return Cli({"check", "--format", format, dir_.string()});
  }

  // Everything check (every format) and plan (text, markdown, json; its
  // diagnostics go to stderr) print for the project.
  std::string AllOutput() {
    std::string all;
    for (std::string format : {"text", "json", "sarif", "github", "gitlab"}) {
      Result r = Check(format);
      all += r.out + r.err;
    }
    for (std::string format : {"text", "markdown", "json"}) {
      Result r = Cli({"plan", "--format", format, dir_.string()});
      all += r.out + r.err;
    }
    return all;
  }

  TempDir tmp_;
  const fs::path dir_{tmp_.path()};
};

// ===========================================================================
// Crashes and hangs
// ===========================================================================

// std::regex_match recursed once per character: a 50,000-character string
// overflowed the stack (SIGSEGV) in the credential heuristics, the URL check,
// the descriptor patterns and the cart id.
TEST_F(HostileInput, FiftyThousandCharacterStringsNeitherCrashNorHang) {
  const std::string big(50000, 'x');  // no credential shape: no warning of its own
  struct Place {
    std::string from, to;
    int check;
  };
  const std::vector<Place> places = {
      {"name = \"ACME Apparel\"", "name = \"" + big + "\"", 0},
      {"store_url = \"https://acme.myshopify.com\"",
       "store_url = \"https://" + big + ".myshopify.com\"", 0},
      {"store_url = \"https://acme.myshopify.com\"", "store_url = \"https://" + big + " \"", 1},
      {"id = \"acme\"", "id = \"" + big + "\"", 1},
      {"\"Economy\" = ", "\"" + big + "*\" = ", 0},
      {"\"SAMPLE-*\"", "\"" + big + "*\"", 0},
      {"status = [\"open\"]", "status = [\"" + big + "\"]", 1},
  };
  for (const Place& p : places) {
    SCOPED_TRACE(p.to.substr(0, 40));
    WriteCart(Replaced(Acme(), p.from, p.to));
    for (std::string format : {"text", "json", "sarif", "github"})
      EXPECT_EQ(Check(format).code, p.check) << format;
    Result plan = Cli({"plan", "--format", "text", dir_.string()});
    EXPECT_EQ(plan.code, p.check) << plan.err.substr(0, 2000);
  }
}

TEST_F(HostileInput, LongProjectStringsNeitherCrashNorHang) {
  WriteCart(Acme());
  const std::string big(50000, 'a');
  WriteProject(Replaced(Project(), "url = \"sqlite:.cartsync/state.db\"",
                        "url = \"postgres://u:" + big + "@db/x\""));
  Result r = Check();
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("E0702"), std::string::npos) << r.out.substr(0, 2000);
  WriteProject(
      Replaced(Project(), "url = \"http://127.0.0.1:18080/wms\"", "url = \"https://" + big + "\""));
  EXPECT_EQ(Check().code, 0);
}

// A project may declare cart fields with patterns: (x+)+$ backtracks
// exponentially in std::regex, and 20,000 nested groups overflowed its parser.
TEST_F(HostileInput, ProjectFieldPatternsMatchInLinearTime) {
  std::string nested = std::string(20000, '(') + "a" + std::string(20000, ')');
  WriteProject(Project() +
               "\n[wms.main.cart_fields.facility]\ntype = \"string\"\npattern = \"^(x+)+$\"\n"
               "\n[wms.main.cart_fields.dock]\ntype = \"string\"\npattern = \"" +
               nested + "\"\n");
  WriteCart(Acme() + "\n[wms_fields]\nfacility = \"" + std::string(30000, 'x') +
            "y\"\ndock = \"a\"\n");
  Result r = Check();
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("error[E0206]: \"wms_fields.facility\" = \"xxxx"), std::string::npos)
      << r.out.substr(0, 2000);
  EXPECT_EQ(r.out.find("dock"), std::string::npos) << r.out.substr(0, 2000);
}

// Portability: a project pattern RE2 cannot run, or that would mean something
// else in JSON Schema, is an error at the pattern.
TEST_F(HostileInput, ProjectFieldPatternOutsideTheCommonSubsetIsAnError) {
  WriteCart(Acme());
  WriteProject(Project() +
               "\n[wms.main.cart_fields.facility]\ntype = \"string\"\npattern = \"(?=a)a\"\n");
  Result r = Check();
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("error[E0205]: invalid value \"(?=a)a\" for "
                       "\"wms.main.cart_fields.facility.pattern\": expected a valid regular "
                       "expression ("),
            std::string::npos)
      << r.out;
}

// 2,500 SKUs listed twice on one 30 KB line: one E0213 each, and each snippet
// printed the whole line (100 MB of text; a 1 MiB file: 100 GB).
TEST_F(HostileInput, ManyDiagnosticsOnOneLongLineStayLinear) {
  std::string skus = "skus = [";
  for (int i = 0; i < 2500; ++i)
    skus += "\"D" + std::to_string(i) + "\", \"D" + std::to_string(i) + "\", ";
  skus += "\"END\"]";
  WriteCart(Replaced(Acme(), "skus = [\"GIFT-CARD\", \"SAMPLE-*\"]", skus));
  Result text = Check("text");
  EXPECT_EQ(text.code, 1);
  EXPECT_LE(LongestLine(text.out), 300u);
  EXPECT_LT(text.out.size(), 5000u * 500);
  // The snippet shows the part of the line around the region, between "…".
  EXPECT_NE(text.out.find(" | \xE2\x80\xA6"), std::string::npos) << text.out.substr(0, 3000);
  Result sarif = Check("sarif");
  EXPECT_LT(sarif.out.size(), 5000u * 2000);
  EXPECT_EQ(Count(text.out, "error[E0213]"), 2500u);
}

// One value pasted 5,000 times is one mistake: one E0213 with the count, at
// the second place, pointing at the first.
TEST_F(HostileInput, OneValueRepeatedIsOneDiagnostic) {
  std::string skus = "skus = [";
  for (int i = 0; i < 5000; ++i) skus += "\"DUP\", ";
  skus += "\"END\"]";
  WriteCart(Replaced(Acme(), "skus = [\"GIFT-CARD\", \"SAMPLE-*\"]", skus));
  Result text = Check("text");
  EXPECT_EQ(text.code, 1);
  EXPECT_EQ(Count(text.out, "error[E0213]"), 1u) << text.out.substr(0, 2000);
  EXPECT_NE(text.out.find("\"DUP\" is listed 5000 times in \"items.skus\""), std::string::npos)
      << text.out.substr(0, 2000);
  EXPECT_NE(text.out.find("first listed here"), std::string::npos) << text.out.substr(0, 2000);
}

// Two ship-method globs of 200,000 characters: GlobsIntersect's table needed
// 40 GB (std::bad_alloc); 20,000 globs meant 400 million comparisons.
TEST_F(HostileInput, PatternOverlapChecksStayBounded) {
  std::string a, b;
  for (int i = 0; i < 100000; ++i) a += "A*", b += "A*";
  b += "B";
  WriteCart(Replaced(Acme(), "\"Economy\" = \"USPS/GROUND\"",
                     "\"" + a + "\" = \"UPS/GROUND\"\n\"" + b + "\" = \"FEDEX/GROUND\""));
  EXPECT_EQ(Check().code, 0);

  std::string many;
  for (int i = 0; i < 20000; ++i) many += "\"S" + std::to_string(i) + "*\" = \"UPS/GROUND\"\n";
  WriteCart(Replaced(Acme(), "\"Economy\" = \"USPS/GROUND\"\n", many));
  Result r = Check();
  EXPECT_EQ(r.code, 0) << r.out.substr(0, 2000);
  std::string skus = "skus = [";
  for (int i = 0; i < 20000; ++i) skus += "\"K" + std::to_string(i) + "*\", ";
  WriteCart(Replaced(Acme(), "skus = [\"GIFT-CARD\", \"SAMPLE-*\"]", skus + "\"Z\"]"));
  EXPECT_EQ(Check().code, 0);
}

// A project declaring 3,000 carriers and a cart naming 3,000 unknown ones: each
// E0602 listed every carrier (quadratic output) and computed 3,000 edit
// distances (quadratic time).
TEST_F(HostileInput, HugeProjectListsKeepMessagesShort) {
  std::string carriers = "carriers = [";
  for (int i = 0; i < 3000; ++i) carriers += "\"CARRIER" + std::to_string(i) + "\", ";
  WriteProject(Replaced(Project(), "carriers = [\"UPS\", \"FEDEX\", \"USPS\", \"DHL\"]",
                        carriers + "\"UPS\"]"));
  std::string methods;
  for (int i = 0; i < 3000; ++i)
    methods += "\"M" + std::to_string(i) + "\" = \"NOPE" + std::to_string(i) + "/X\"\n";
  WriteCart(Replaced(Acme(), "\"Economy\" = \"USPS/GROUND\"\n", methods));
  Result r = Check();
  EXPECT_EQ(r.code, 1);
  EXPECT_LE(LongestLine(r.out), 1000u);
  EXPECT_NE(r.out.find("\"CARRIER19\" and 2981 more)"), std::string::npos) << r.out.substr(0, 2000);
}

// ===========================================================================
// Secrets in output
// ===========================================================================

// A misspelled secret key: the E0201 snippet printed the token (W0303 masked
// only its own snippet), and SARIF carried it in region.snippet.text.
TEST_F(HostileInput, MisspelledSecretKeyIsMaskedEverywhere) {
  WriteCart(Replaced(Acme(), "access_token = { secret = \"env:ACME_TOKEN\" }",
                     "access_token = { secret = \"env:ACME_TOKEN\" }\n"
                     "acess_token = \"" +
                         kToken +
                         "\"\n"
                         "client_secert = \"hunter2-is-my-password\""));
  std::string all = AllOutput();
  EXPECT_NE(all.find("unknown key \"acess_token\""), std::string::npos) << all.substr(0, 3000);
  EXPECT_NE(all.find("unknown key \"client_secert\""), std::string::npos);
  EXPECT_EQ(all.find(kToken), std::string::npos) << all;
  EXPECT_EQ(all.find("hunter2"), std::string::npos) << all;
  // Masked in place: the key stays readable.
  EXPECT_NE(all.find("acess_token = ****"), std::string::npos);
}

// A syntax error on a line holding a secret: the line came from the raw file.
TEST_F(HostileInput, SyntaxErrorOnASecretLineIsMasked) {
  WriteCart(Replaced(Acme(), "access_token = { secret = \"env:ACME_TOKEN\" }",
                     "access_token = \"" + kToken + "\" oops"));
  std::string all = AllOutput();
  EXPECT_NE(all.find("E0105"), std::string::npos) << all.substr(0, 3000);
  EXPECT_EQ(all.find(kToken), std::string::npos) << all;

  // Not credential-shaped, but under a key whose name says secret.
  WriteCart(Replaced(Acme(), "access_token = { secret = \"env:ACME_TOKEN\" }",
                     "access_token = 'correct horse battery staple' oops"));
  all = AllOutput();
  EXPECT_NE(all.find("E0105"), std::string::npos);
  EXPECT_EQ(all.find("correct horse"), std::string::npos) << all;
}

// Whatever stands where a secret belongs may be the secret.
TEST_F(HostileInput, SecretFieldOfTheWrongShapeIsMasked) {
  for (std::string value :
       {"[\"hunter2-in-an-array\"]", "{ secret = \"hunter2-in-the-ref\" }",
        "{ secret = \"env:X\", value = \"hunter2-next-to-the-ref\" }", "{ secret = 12345678 }"}) {
    SCOPED_TRACE(value);
    WriteCart(Replaced(Acme(), "access_token = { secret = \"env:ACME_TOKEN\" }",
                       "access_token = " + value));
    std::string all = AllOutput();
    EXPECT_NE(all.find("acme.toml:9:"), std::string::npos) << all.substr(0, 3000);
    EXPECT_EQ(all.find("hunter2"), std::string::npos) << all;
    EXPECT_EQ(all.find("12345678"), std::string::npos) << all;
  }
}

// Messages quote values: "invalid value "shpat_…" for "items.filter"".
TEST_F(HostileInput, CredentialsInMessagesAreMasked) {
  WriteCart(Replaced(Acme(), "filter = \"blacklist\"", "filter = \"" + kToken + "\""));
  std::string all = AllOutput();
  EXPECT_NE(all.find("invalid value \"***"), std::string::npos) << all.substr(0, 3000);
  EXPECT_EQ(all.find(kToken), std::string::npos) << all;

  // A state URL of an unsupported scheme is quoted in E0702: its password is masked.
  WriteCart(Acme());
  WriteProject(Replaced(Project(), "url = \"sqlite:.cartsync/state.db\"",
                        "url = \"mysql://root:Hunter2Password@db/x\""));
  all = AllOutput();
  EXPECT_NE(all.find("state url \"mysql://root:***************@db/x\""), std::string::npos)
      << all.substr(0, 3000);
  EXPECT_EQ(all.find("Hunter2Password"), std::string::npos) << all;
}

// W0303 warns, so the cart still plans: the preview printed the name as is.
TEST_F(HostileInput, PlanPreviewsNeverPrintCredentialLikeStrings) {
  WriteCart(Replaced(Acme(), "name = \"ACME Apparel\"", "name = \"" + kToken + "\""));
  for (std::string format : {"text", "markdown"}) {
    Result r = Cli({"plan", "--format", format, dir_.string()});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ((r.out + r.err).find(kToken), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("******"), std::string::npos) << r.out;
  }
  // Nor does a diff against an older plan.
  fs::path old_plan = dir_ / "old.json";
  WriteCart(Acme());
  ASSERT_EQ(Cli({"plan", dir_.string(), "-o", old_plan.string()}).code, 0);
  WriteCart(Replaced(Acme(), "name = \"ACME Apparel\"", "name = \"" + kToken + "\""));
  for (std::string format : {"text", "markdown", "json"}) {
    Result r = Cli({"plan", "--format", format, "--diff", old_plan.string(), dir_.string()});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("ACME Apparel"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(kToken), std::string::npos) << r.out;
  }
}

// ===========================================================================
// Terminal controls
// ===========================================================================

bool HasControls(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\n') || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(s[i + 1]) <= 0x9F)
      return true;  // U+0080-U+009F
  }
  return false;
}

TEST_F(HostileInput, ControlCharactersInMessagesAreEscaped) {
  WriteCart(Replaced(Acme(), "platform = \"shopify\"",
                     "platform = \"\\u001b[2J\\u009b31m\\u0007\\u007fshop\""));
  for (std::string format : {"text", "github"}) {
    Result r = Check(format);
    EXPECT_EQ(r.code, 1);
    EXPECT_FALSE(HasControls(r.out)) << format << ": " << r.out;
    EXPECT_NE(r.out.find("unknown platform \"\\u001b[2J\\u009b31m\\u0007\\u007fshop\""),
              std::string::npos)
        << r.out;
  }
}

// A raw C1 control (allowed in TOML comments) on a line a snippet shows.
TEST_F(HostileInput, ControlCharactersInSnippetsAreNeutralised) {
  WriteCart(Replaced(Acme(), "client = \"acme-apparel\"",
                     "client = 1 # \xC2\x9B"
                     "31m"));
  Result r = Check("text");
  EXPECT_EQ(r.code, 1);
  EXPECT_FALSE(HasControls(r.out)) << r.out;
  EXPECT_NE(r.out.find("client = 1 # \xEF\xBF\xBD"
                       "31m"),
            std::string::npos)
      << r.out;
}

TEST_F(HostileInput, ControlCharactersInFileNamesAreEscaped) {
  WriteCart(Acme());
  WriteAll(dir_ / "carts.d" / "\x1b[31mevil\x07.toml", "[cart]\nid = 1\n");
  for (std::string format : {"text", "github"}) {
    Result r = Check(format);
    EXPECT_EQ(r.code, 1);
    EXPECT_FALSE(HasControls(r.out)) << format << ": " << r.out;
    EXPECT_NE(r.out.find("\\u001b[31mevil\\u0007.toml"), std::string::npos) << r.out;
  }
}

// The preview printed names, clients and field values as they are.
TEST_F(HostileInput, PlanPreviewsEscapeControlCharacters) {
  WriteCart(Replaced(Acme(), "name = \"ACME Apparel\"",
                     "name = \"\\u001b]0;owned\\u0007 \\u009b2J\\u007f\""));
  for (std::string format : {"text", "markdown"}) {
    Result r = Cli({"plan", "--format", format, dir_.string()});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_FALSE(HasControls(r.out)) << r.out;
    // (Markdown backslash-escapes the "]".)
    EXPECT_NE(r.out.find("\\u001b"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("0;owned\\u0007 \\u009b2J\\u007f"), std::string::npos) << r.out;
  }
}

// ===========================================================================
// Units: safe_text.h
// ===========================================================================

TEST(SafeTextTest, CredentialKind) {
  EXPECT_STREQ(CredentialKind(kToken), "a Shopify access token");
  EXPECT_STREQ(CredentialKind("ck_0123456789abcdef0123"), "a WooCommerce API key");
  EXPECT_STREQ(CredentialKind(std::string(32, 'f')), "a long hex token");
  EXPECT_STREQ(CredentialKind("Ab1" + std::string(30, 'x') + "=="), "a long base64 token");
  EXPECT_EQ(CredentialKind("ACME_SHOPIFY_ACCESS_TOKEN_FOR_PRODUCTION"), nullptr);  // no lower case
  EXPECT_EQ(CredentialKind("shpat_abc"), nullptr);
  EXPECT_EQ(CredentialKind(std::string(1 << 20, 'x')), nullptr);  // linear, no recursion
}

TEST(SafeTextTest, PathsAreNotCredentials) {
  // A temp directory's random name makes a long mixed-case run with digits:
  // shaped like base64, but a path, and a message about it stays readable.
  const std::string path = "/tmp/cartsyncXq7Rk2Lm9Zt/build-hostile/Fixture0/carts";
  EXPECT_EQ(CredentialKind(path), nullptr);
  const std::string message = "cannot read " + path + ".d/a.toml: Permission denied";
  EXPECT_EQ(MaskSecrets(message), message);
  EXPECT_TRUE(LooksLikePath("/work/main/x"));
  EXPECT_TRUE(LooksLikePath("/home/u"));
  // Tokens stay masked, '/' in them or not: the path shape is narrow.
  const std::string b64 = "Ab3dEf0123ghIJkl4567/mnOPqr89stUVwx";
  EXPECT_STREQ(CredentialKind(b64), "a long base64 token");
  EXPECT_STREQ(CredentialKind("/" + b64), "a long base64 token");  // root not lower-case letters
  EXPECT_STREQ(CredentialKind("/ab/" + b64 + "=="), "a long base64 token");  // padding
  EXPECT_STREQ(CredentialKind("/ab//" + b64), "a long base64 token");        // empty component
  EXPECT_EQ(MaskSecrets("token " + b64), "token " + std::string(b64.size(), '*'));
}

TEST(SafeTextTest, EscapeControls) {
  EXPECT_EQ(EscapeControls("a\x1b[2Jb\x07\x7f\tc\nd"),
            "a\\u001b[2Jb\\u0007\\u007f\\u0009c\\u000ad");
  EXPECT_EQ(EscapeControls("\xC2\x9B"
                           "31m \xC2\xA0 Z\xC3\xBCrich"),
            "\\u009b31m \xC2\xA0 Z\xC3\xBCrich");
  EXPECT_EQ(EscapeControls("bad \xFF byte"), "bad \xEF\xBF\xBD byte");
  EXPECT_EQ(EscapeControls("line\r\nnext\x1b", "\r\n"), "line\r\nnext\\u001b");
}

TEST(SafeTextTest, FindSecretSpans) {
  std::string s = "Bearer " + kToken + ", postgres://me:pa55@db:5432/x and https://host/x";
  EXPECT_EQ(MaskSecrets(s), "Bearer " + std::string(kToken.size(), '*') +
                                ", postgres://me:****@db:5432/x and https://host/x");
  EXPECT_EQ(MaskSecrets("env:ACME_SHOPIFY_TOKEN, file:secrets/token"),
            "env:ACME_SHOPIFY_TOKEN, file:secrets/token");
  EXPECT_EQ(MaskSecrets("\"" + kToken + "\""), "\"" + std::string(kToken.size(), '*') + "\"");
}

TEST(SafeTextTest, FindSecretSpansInTomlLine) {
  auto masked = [](std::string_view line) {
    std::string out(line);
    for (auto [b, e] : FindSecretSpansInTomlLine(line))
      out.replace(b, e - b, std::string(e - b, '*'));
    return out;
  };
  EXPECT_EQ(masked("password = \"hunter2\" # x"), "password = ********* # x");
  EXPECT_EQ(masked("  api.client_secret='a\"b' oops"), "  api.client_secret=***** oops");
  EXPECT_EQ(masked("\"consumer_key\" = \"ck\\\"x\""), "\"consumer_key\" = *******");
  EXPECT_EQ(masked("token = \"\"\"hunter2"), "token = **********");
  // References and non-secret keys are left alone.
  EXPECT_EQ(masked("secret = \"env:ACME_TOKEN\""), "secret = \"env:ACME_TOKEN\"");
  EXPECT_EQ(masked("access_token = { secret = \"env:ACME_TOKEN\" }"),
            "access_token = { secret = \"env:ACME_TOKEN\" }");
  EXPECT_EQ(masked("name = \"hunter2\""), "name = \"hunter2\"");
  EXPECT_TRUE(LooksLikeSecretKey("consumer_key"));
  EXPECT_TRUE(LooksLikeSecretKey("Refresh_Token"));
  EXPECT_FALSE(LooksLikeSecretKey("client_id"));
  EXPECT_FALSE(LooksLikeSecretKey("keys"));
}

// ===========================================================================
// Units: pattern.h and the descriptor loader
// ===========================================================================

TEST(PatternTest, CommonSubsetOnly) {
  for (std::string ok : {"^EBAY_[A-Z_]+$", "^https://[a-z0-9][a-z0-9-]*\\.myshopify\\.com/?$",
                         "^[0-9]{4}-(01|04|07|10)$", "^amzn1\\.application-oa2-client\\.[a-z0-9]+$",
                         "[^\\x00-\\x1F]+", "a{2,}b{3}", "[a\\-z]", "(?:ab)+\\/"})
    EXPECT_EQ(PatternError(ok), "") << ok;
  for (std::string bad : {"([a-z", "(?=a)a", "(a)\\1", "(?i)abc", "(?P<n>a)", "[[:alpha:]]", "\\pL",
                          "\\Aa\\z", "a{", "a}", "]", "[]a]", "\\-", "\\x{41}", "\\Qa\\E"})
    EXPECT_NE(PatternError(bad), "") << bad;
  EXPECT_TRUE(PatternFullMatch("^(a+)+$", std::string(100000, 'a')));
  EXPECT_FALSE(PatternFullMatch("^(a+)+$", std::string(100000, 'a') + "b"));
  EXPECT_FALSE(PatternFullMatch("(", "("));
}

// The patterns the JSON Schema export writes are in the subset too.
TEST(PatternTest, JsonSchemaPatternsAreInTheCommonSubset) {
  rapidjson::Document doc;
  std::string json = CartJsonSchema(BuiltinSchema());
  doc.Parse(json.c_str(), json.size());
  ASSERT_FALSE(doc.HasParseError());
  int count = 0;
  std::function<void(const rapidjson::Value&)> walk = [&](const rapidjson::Value& v) {
    if (v.IsObject()) {
      for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
        if (std::string_view(it->name.GetString()) == "pattern" && it->value.IsString()) {
          ++count;
          EXPECT_EQ(PatternError(it->value.GetString()), "") << it->value.GetString();
        }
        walk(it->value);
      }
    } else if (v.IsArray()) {
      for (const rapidjson::Value& e : v.GetArray()) walk(e);
    }
  };
  walk(doc);
  EXPECT_GT(count, 5);
}

TEST(PatternTest, DescriptorLoaderRejectsPatternsRe2CannotRun) {
  std::string platform =
      "id = \"mini\"\nname = \"Mini\"\ninventory_quantity = \"available\"\n"
      "services = [\"order_download\"]\n"
      "[api.code]\ntype = \"string\"\npattern = '(?=[a-z])\\w+'\n"  // lines 5-7
      "[api.shop]\ntype = \"string\"\npattern = '(?i)^shop$'\n";    // lines 8-10
  Schema schema;
  DiagnosticEngine diags;
  EXPECT_FALSE(LoadSchema({{"platforms/mini.toml", platform}}, schema, diags, "schema"));
  std::vector<Diagnostic> got = diags.Sorted();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].code, "E0703");
  EXPECT_EQ(got[0].region.file, "schema/platforms/mini.toml");
  EXPECT_EQ(got[0].region.begin, (SourcePos{7, 11}));
  EXPECT_EQ(got[0].message.rfind("schema descriptor: invalid pattern: ", 0), 0u) << got[0].message;
  EXPECT_EQ(got[1].region.begin, (SourcePos{10, 11}));
  EXPECT_NE(got[1].message.find("only (?:"), std::string::npos) << got[1].message;
}

// ===========================================================================
// Units: the renderer
// ===========================================================================

std::string Render(const DiagnosticEngine& engine, const SourceManager& sources,
                   DiagFormat format) {
  std::ostringstream out;
  RenderDiagnostics(engine.Sorted(), engine.errors(), engine.warnings(), sources, format, out);
  return out.str();
}

// One diagnostic knows the value is secret; another points at the same line.
TEST(HostileRenderTest, AMaskedRegionIsMaskedInEverySnippetOfItsLine) {
  SourceManager sources;
  sources.Add("c.toml", "x = 1\ntypo = \"hunter2\"\n");
  DiagnosticEngine engine;
  engine.Report(DiagId::UnknownKey, {"c.toml", {2, 1}, {2, 5}}, {"typo", "[api]", ""});
  Diagnostic* d = engine.Report(DiagId::PlainSecret, {"c.toml", {2, 8}, {2, 17}}, {"api.typo"});
  ASSERT_NE(d, nullptr);
  d->mask_snippet = true;
  std::string text = Render(engine, sources, DiagFormat::Text);
  EXPECT_EQ(text,
            "c.toml:2:1: error[E0201]: unknown key \"typo\" in [api]\n"
            "    2 | typo = *********\n"
            "      | ^^^^\n"
            "c.toml:2:8: error[E0301]: \"api.typo\" is a secret: use { secret = \"env:NAME\" } or "
            "{ secret = \"file:PATH\" }, never the value itself\n"
            "    2 | typo = *********\n"
            "      |        ^^^^^^^^^\n"
            "2 errors generated.\n");
  for (DiagFormat f : {DiagFormat::Json, DiagFormat::Sarif, DiagFormat::Github, DiagFormat::Gitlab})
    EXPECT_EQ(Render(engine, sources, f).find("hunter2"), std::string::npos);
}

TEST(HostileRenderTest, MasksSpanningLinesAndMasksOfOtherRegions) {
  SourceManager sources;
  sources.Add("c.toml", "token = [\n  \"hunter2\",\n]\nnext = 1 # x\n");
  DiagnosticEngine engine;
  Diagnostic* d = engine.Report(DiagId::TypeMismatch, {"c.toml", {1, 9}, {3, 2}},
                                {"api.token", "a secret reference", "an array"});
  ASSERT_NE(d, nullptr);
  d->masks.push_back({"c.toml", {1, 9}, {3, 2}});
  engine.Report(DiagId::TomlSyntax, {"c.toml", {2, 3}, {2, 4}}, {"e"});
  engine.Report(DiagId::TomlSyntax, {"c.toml", {4, 1}, {4, 2}}, {"f"});
  std::string text = Render(engine, sources, DiagFormat::Text);
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  EXPECT_NE(text.find("    1 | token = *\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    2 | ************\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    4 | next = 1 # x\n"), std::string::npos) << text;
}

TEST(HostileRenderTest, LongLinesShowAWindowAroundTheRegion) {
  SourceManager sources;
  std::string line = "v = \"" + std::string(1000, 'x') + "\"";
  sources.Add("c.toml", line + "\n");
  DiagnosticEngine engine;
  engine.Report(DiagId::TomlSyntax, {"c.toml", {1, 500}, {1, 503}}, {"e"});
  std::string text = Render(engine, sources, DiagFormat::Text);
  EXPECT_EQ(text,
            "c.toml:1:500: error[E0105]: e\n"
            "    1 | \xE2\x80\xA6" +
                std::string(160, 'x') +
                "\xE2\x80\xA6\n"
                "      |  " +
                std::string(40, ' ') +
                "^^^\n"
                "1 error generated.\n");
  // At the end of the line the window ends there.
  DiagnosticEngine end;
  end.Report(DiagId::TomlSyntax, {"c.toml", {1, 1006}, {1, 1007}}, {"e"});
  text = Render(end, sources, DiagFormat::Text);
  EXPECT_NE(text.find("    1 | \xE2\x80\xA6" + std::string(159, 'x') + "\"\n      | " +
                      std::string(160, ' ') + "^\n"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace cartsync

// Golden tests of the "exactly one credential form" rule (E0214,
// compiler/credential_rules.h): Shopify's client_id + client_secret or
// access_token from the built-in descriptor, a three-form platform declared
// as data only, and the descriptor loader's checks of [[credentials]].
#include "compiler/credential_rules.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiler/compiler.h"

namespace cartsync {
namespace {

using Lines = std::vector<std::string>;

// "file:line:col-endcol: code: message", as in checker_test.cc.
Lines Rendered(const DiagnosticEngine& diags) {
  Lines out;
  for (const Diagnostic& d : diags.Sorted()) {
    const SourceRegion& r = d.region;
    std::string s =
        r.file + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column) + "-";
    if (r.end.line != r.begin.line) s += std::to_string(r.end.line) + ":";
    s += std::to_string(r.end.column) + ": " + d.code + ": " + d.message;
    out.push_back(std::move(s));
  }
  return out;
}

std::string Text(std::initializer_list<std::string_view> lines) {
  std::string s;
  for (std::string_view l : lines) (s += l) += '\n';
  return s;
}

const std::string kProject = Text({
    "[wms.main]",
    "system = \"http\"",
    "url = \"https://wms.example.com/api\"",
    "token = { secret = \"env:WMS_TOKEN\" }",
});

Lines Check(const std::string& cart, const Schema* schema = nullptr) {
  Compilation c;
  CompileOptions options;
  options.today = Date{2026, 11, 27};
  options.schema = schema;
  CompileTexts(kProject, {{"c.toml", cart}}, options, c);
  return Rendered(c.diags);
}

// A Shopify cart whose [api] table starts at line 5; the test's lines follow.
std::string ShopifyCart(std::initializer_list<std::string_view> api) {
  std::string s = Text({
      "[cart]",                                      // 1
      "id = \"acme\"",                               // 2
      "client = \"acme\"",                           // 3
      "platform = \"shopify\"",                      // 4
      "[api]",                                       // 5
      "store_url = \"https://acme.myshopify.com\"",  // 6
  });
  for (std::string_view l : api) (s += l) += '\n';
  return s;
}

const char kForms[] =
    "[api] needs exactly one credential form (client_id + client_secret, or access_token); ";

TEST(CredentialRulesTest, BuiltinShopifyDeclaresTwoForms) {
  const PlatformDescriptor* p = BuiltinSchema().FindPlatform("shopify");
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->credentials.size(), 2u);
  EXPECT_EQ(p->credentials[0].fields, (Lines{"client_id", "client_secret"}));
  EXPECT_EQ(p->credentials[1].fields, (Lines{"access_token"}));
  EXPECT_EQ(DescribeCredentialForms(p->credentials), "client_id + client_secret, or access_token");
  for (const char* f : {"client_id", "client_secret", "access_token"})
    EXPECT_FALSE(p->FindField(f)->required) << f;
}

TEST(CredentialRulesTest, ClientCredentialsFormIsClean) {
  EXPECT_EQ(Check(ShopifyCart({
                "client_id = \"3c9f0d5e8a7b6c1d\"",
                "client_secret = { secret = \"env:ACME_SHOPIFY_SECRET\" }",
            })),
            Lines{});
}

// A real Dev Dashboard client ID is 32 hex digits, which looks like a
// token; the descriptor marks it an identifier, so no W0303.
TEST(CredentialRulesTest, AHexClientIdIsNotWarnedAboutAsACredential) {
  EXPECT_EQ(Check(ShopifyCart({
                "client_id = \"3c9f0d5e8a7b6c1d2e3f4a5b6c7d8e9f\"",
                "client_secret = { secret = \"env:S\" }",
            })),
            Lines{});
}

TEST(CredentialRulesTest, LegacyTokenFormIsClean) {
  EXPECT_EQ(Check(ShopifyCart({"access_token = { secret = \"env:ACME_TOKEN\" }"})), Lines{});
}

TEST(CredentialRulesTest, E0214NoFormAtTheApiTable) {
  EXPECT_EQ(Check(ShopifyCart({})),
            (Lines{std::string("c.toml:5:1-6: E0214: ") + kForms + "none is set"}));
}

// No [api] table at all is one mistake: the table is missing, not its fields and
// then its credential form.
TEST(CredentialRulesTest, NoApiTableIsOneErrorAtThePlatform) {
  EXPECT_EQ(Check(Text({
                "[cart]",                  // 1
                "id = \"acme\"",           // 2
                "client = \"acme\"",       // 3
                "platform = \"shopify\"",  // 4
            })),
            (Lines{
                "c.toml:4:12-21: E0204: missing required key \"[api]\" in the cart (the store's "
                "address and credentials for shopify)",
            }));
}

TEST(CredentialRulesTest, E0214EmptyApiTableAtTheTable) {
  Lines got = Check(Text({
      "[cart]",                  // 1
      "id = \"acme\"",           // 2
      "client = \"acme\"",       // 3
      "platform = \"shopify\"",  // 4
      "[api]",                   // 5
  }));
  ASSERT_EQ(got.size(), 2u) << ::testing::PrintToString(got);
  EXPECT_NE(got[0].find("E0204: missing required key \"store_url\" in [api]"), std::string::npos);
  EXPECT_NE(got[1].find(std::string("E0214: ") + kForms + "none is set"), std::string::npos);
}

TEST(CredentialRulesTest, E0214BothFormsAtTheLaterForm) {
  EXPECT_EQ(Check(ShopifyCart({
                "access_token = { secret = \"env:ACME_TOKEN\" }",            // 7
                "client_id = \"3c9f0d5e8a7b6c1d\"",                          // 8
                "client_secret = { secret = \"env:ACME_SHOPIFY_SECRET\" }",  // 9
            })),
            (Lines{std::string("c.toml:8:1-10: E0214: ") + kForms +
                   "client_id + client_secret and access_token are set; keep one form"}));
}

TEST(CredentialRulesTest, E0214HalfAFormAndTheOther) {
  EXPECT_EQ(Check(ShopifyCart({
                "client_id = \"3c9f0d5e8a7b6c1d\"",                // 7
                "access_token = { secret = \"env:ACME_TOKEN\" }",  // 8
            })),
            (Lines{std::string("c.toml:8:1-13: E0214: ") + kForms +
                   "client_id and access_token are set; keep one form"}));
}

TEST(CredentialRulesTest, E0214IncompleteFormAtItsFirstKey) {
  EXPECT_EQ(Check(ShopifyCart({"client_id = \"3c9f0d5e8a7b6c1d\""})),
            (Lines{std::string("c.toml:7:1-10: E0214: ") + kForms +
                   "client_id is set without client_secret"}));
  EXPECT_EQ(Check(ShopifyCart({"client_secret = { secret = \"env:S\" }"})),
            (Lines{std::string("c.toml:7:1-14: E0214: ") + kForms +
                   "client_secret is set without client_id"}));
}

TEST(CredentialRulesTest, AFieldOfTheWrongTypeStillCountsAsSet) {
  // The type error is E0301's; the form is complete, so no E0214 on top.
  Lines got = Check(ShopifyCart({"client_id = \"abc\"", "client_secret = \"plain\""}));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_NE(got[0].find("E0301"), std::string::npos) << got[0];
}

TEST(CredentialRulesTest, DefaultsFromTheProjectCount) {
  Compilation c;
  CompileOptions options;
  options.today = Date{2026, 11, 27};
  CompileTexts(kProject + Text({"[defaults]", "api.access_token = { secret = \"env:SHARED\" }"}),
               {{"c.toml", ShopifyCart({})}}, options, c);
  EXPECT_EQ(Rendered(c.diags), Lines{});
}

// Not the credential rule, but the other half of the descriptor's contract:
// api_version is one of the versions Shopify still supports.
TEST(CredentialRulesTest, AnUnsupportedApiVersionNamesTheSupportedOnes) {
  EXPECT_EQ(
      Check(ShopifyCart({
          "access_token = { secret = \"env:ACME_TOKEN\" }",  // 7
          "api_version = \"2025-10\"",                       // 8
      })),
      (Lines{"c.toml:8:15-24: E0205: invalid value \"2025-10\" for \"api.api_version\": expected "
             "one of "
             "\"2026-01\", \"2026-04\", \"2026-07\", \"2026-10\"; did you mean \"2026-10\"?"}));
}

// --- a platform that declares its forms as data only -------------------------

const char kMarket[] = R"(id = "market"
name = "Market"
inventory_quantity = "available"
services = ["order_download"]

[api.seller_id]
type = "string"
required = true

[api.client_id]
type = "string"

[api.client_secret]
type = "secret"

[api.refresh_token]
type = "secret"

[api.api_key]
type = "secret"

[api.username]
type = "string"

[api.password]
type = "secret"

[[credentials]]
name = "OAuth app"
fields = ["client_id", "client_secret", "refresh_token"]

[[credentials]]
fields = ["api_key"]

[[credentials]]
fields = ["username", "password"]
)";

std::unique_ptr<Schema> LoadWith(const std::string& descriptor, Lines* errors = nullptr) {
  auto s = std::make_unique<Schema>(BuiltinSchema());  // with the WMS descriptors
  DiagnosticEngine diags;
  LoadSchema({{"platforms/market.toml", descriptor}}, *s, diags, "schema");
  if (errors) *errors = Rendered(diags);
  return s;
}

std::string MarketCart(std::initializer_list<std::string_view> api) {
  std::string s = Text({
      "[cart]",                 // 1
      "id = \"m\"",             // 2
      "client = \"m\"",         // 3
      "platform = \"market\"",  // 4
      "[api]",                  // 5
      "seller_id = \"S1\"",     // 6
  });
  for (std::string_view l : api) (s += l) += '\n';
  return s;
}

TEST(CredentialRulesTest, ThreeFormsFromDataAlone) {
  Lines errors;
  auto schema = LoadWith(kMarket, &errors);
  ASSERT_EQ(errors, Lines{});
  const char* forms =
      "[api] needs exactly one credential form (client_id + client_secret + refresh_token, "
      "api_key, or "
      "username + password); ";
  EXPECT_EQ(Check(MarketCart({"api_key = { secret = \"env:K\" }"}), schema.get()), Lines{});
  EXPECT_EQ(Check(MarketCart({}), schema.get()),
            (Lines{std::string("c.toml:5:1-6: E0214: ") + forms + "none is set"}));
  EXPECT_EQ(Check(MarketCart({
                      "client_id = \"c\"",                       // 7
                      "refresh_token = { secret = \"env:R\" }",  // 8
                  }),
                  schema.get()),
            (Lines{std::string("c.toml:7:1-10: E0214: ") + forms +
                   "client_id and refresh_token are set without client_secret"}));
  EXPECT_EQ(Check(MarketCart({
                      "username = \"u\"",                   // 7
                      "api_key = { secret = \"env:K\" }",   // 8
                      "password = { secret = \"env:P\" }",  // 9
                  }),
                  schema.get()),
            (Lines{std::string("c.toml:8:1-8: E0214: ") + forms +
                   "api_key and username + password are set; keep one form"}));
}

TEST(CredentialRulesTest, PlatformsWithoutFormsAreNotChecked) {
  Lines errors;
  std::string plain = kMarket;
  plain = plain.substr(0, plain.find("[[credentials]]"));
  auto schema = LoadWith(plain, &errors);
  ASSERT_EQ(errors, Lines{});
  EXPECT_EQ(Check(MarketCart({}), schema.get()), Lines{});
}

TEST(CredentialRulesTest, DescriptorMistakesAreE0703) {
  auto errors_of = [](const std::string& tail) {
    Lines errors;
    LoadWith(std::string(R"(id = "market"
name = "Market"
inventory_quantity = "available"
[api.a]
type = "secret"
[api.b]
type = "secret"
required = true
)") + tail,
             &errors);
    return errors;
  };
  EXPECT_EQ(errors_of("[[credentials]]\nfields = [\"a\"]\n[[credentials]]\nfields = [\"zz\"]\n"),
            (Lines{"schema/platforms/market.toml:12:10-16: E0703: schema descriptor: credential "
                   "field \"zz\" is not "
                   "an [api] field"}));
  EXPECT_EQ(errors_of("[[credentials]]\nfields = [\"a\"]\n[[credentials]]\nfields = [\"b\"]\n"),
            (Lines{"schema/platforms/market.toml:12:10-15: E0703: schema descriptor: credential "
                   "field \"b\" must "
                   "not be required"}));
  EXPECT_EQ(errors_of("[[credentials]]\nfields = [\"a\"]\n[[credentials]]\nfields = [\"a\"]\n"),
            (Lines{"schema/platforms/market.toml:12:10-15: E0703: schema descriptor: credential "
                   "field \"a\" is in "
                   "two forms"}));
  EXPECT_EQ(errors_of("[[credentials]]\nfields = [\"a\"]\n"),
            (Lines{"schema/platforms/market.toml:9:1-16: E0703: schema descriptor: one "
                   "credential form is no "
                   "choice: mark its fields required instead"}));
  EXPECT_EQ(
      errors_of("[[credentials]]\nfields = [\"a\"]\nnmae = \"x\"\n[[credentials]]\n"),
      (Lines{
          "schema/platforms/market.toml:11:1-5: E0703: schema descriptor: unknown key \"nmae\" in "
          "[[credentials]]",
          "schema/platforms/market.toml:12:1-16: E0703: schema descriptor: a credential form needs "
          "\"fields\""}));
}

}  // namespace
}  // namespace cartsync

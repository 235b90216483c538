// The authentication strategies (runtime/net/auth.h) over the real
// HttpClient, a ScriptedTransport and a FakeClock: when a token is fetched,
// reused, refreshed, and that no secret reaches a message.
#include "runtime/net/auth.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/fake_clock.h"
#include "tests/support/fake_secrets.h"
#include "tests/support/scripted_transport.h"

namespace cartsync {
namespace {

constexpr const char* kSecret = "shpss_CLIENTSECRET0123456789";
constexpr const char* kTokenUrl = "https://acme.myshopify.com/admin/oauth/access_token";

std::string Grant(const std::string& token, int expires_in = 86399) {
  return R"({"access_token":")" + token +
         R"(","scope":"read_orders,write_inventory","expires_in":)" + std::to_string(expires_in) +
         "}";
}

class ClientCredentialsAuthTest : public ::testing::Test {
 protected:
  ClientCredentialsAuthTest() {
    secrets.values["env:SHOP_SECRET"] = kSecret;
    transport.default_headers = {{"Content-Type", "application/json"}};
  }
  void TearDown() override { transport.ExpectScriptDone(); }

  ClientCredentialsAuth Make() {
    ClientCredentialsConfig c;
    c.label = "Shopify";
    c.token_url = kTokenUrl;
    c.client_id = "3c9f0d5e8a7b6c1d";
    c.client_secret = SecretRef{SecretRef::Kind::Env, "SHOP_SECRET"};
    c.header = "X-Shopify-Access-Token";
    c.prefix = "";
    return ClientCredentialsAuth(c, http, secrets);
  }

  /// The header Apply() puts on a fresh request.
  std::string Applied(AuthStrategy& auth, Status* st = nullptr) {
    HttpRequest r;
    Status s = auth.Apply(r);
    if (st) *st = s;
    return HeaderOf(r, "X-Shopify-Access-Token");
  }

  FakeClock clock;
  ScriptedTransport transport;
  HttpClient http{transport, clock, RetryPolicy{3, 100, 1000, 5000}};
  FakeSecretResolver secrets;
};

TEST_F(ClientCredentialsAuthTest, GrantsOnceAndReusesTheTokenUntilShortlyBeforeItExpires) {
  transport.Expect("POST", "/admin/oauth/access_token", 200, Grant("tok-1"));
  auto auth = Make();
  EXPECT_EQ(Applied(auth), "tok-1");
  const HttpRequest& grant = transport.requests.at(0);
  EXPECT_EQ(grant.url, kTokenUrl);
  EXPECT_EQ(grant.body,
            std::string("grant_type=client_credentials&client_id=3c9f0d5e8a7b6c1d&client_secret=") +
                kSecret);
  EXPECT_EQ(HeaderOf(grant, "Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(auth.granted_scopes(), "read_orders,write_inventory");

  clock.Advance((86399 - 301) * 1000LL);  // 5 min 1 s before expiry: still good
  EXPECT_EQ(Applied(auth), "tok-1");
  EXPECT_EQ(auth.grants(), 1);

  transport.Expect("POST", "/admin/oauth/access_token", 200, Grant("tok-2"));
  clock.Advance(2'000);  // inside the 5-minute margin: refreshed first
  EXPECT_EQ(Applied(auth), "tok-2");
  EXPECT_EQ(auth.grants(), 2);
}

TEST_F(ClientCredentialsAuthTest, InvalidateForgetsTheTokenSoTheNextRequestGetsANewOne) {
  transport.Expect("POST", "/admin/oauth/access_token", 200, Grant("tok-1"));
  transport.Expect("POST", "/admin/oauth/access_token", 200, Grant("tok-2"));
  auto auth = Make();
  EXPECT_EQ(Applied(auth), "tok-1");
  EXPECT_TRUE(auth.Invalidate());
  EXPECT_EQ(Applied(auth), "tok-2");
}

TEST_F(ClientCredentialsAuthTest, AShortLifetimeIsUsedForHalfItsLength) {
  transport.Expect("POST", "/admin/oauth/access_token", 200, Grant("short", 60));
  auto auth = Make();
  EXPECT_EQ(Applied(auth), "short");
  clock.Advance(29'000);
  EXPECT_EQ(Applied(auth), "short");
  transport.Expect("POST", "/admin/oauth/access_token", 200, Grant("next", 60));
  clock.Advance(2'000);
  EXPECT_EQ(Applied(auth), "next");
}

TEST_F(ClientCredentialsAuthTest, ARefusedGrantIsPermanentAndQuotesNoSecret) {
  // A server that echoes what it was sent must not get the secret into the message.
  transport.Expect("POST", "/admin/oauth/access_token", 400,
                   std::string(R"({"error":"invalid_client","error_description":"bad secret )") +
                       kSecret + "\"}");
  auto auth = Make();
  Status st;
  EXPECT_EQ(Applied(auth, &st), "");
  EXPECT_EQ(st.code(), StatusCode::Permanent) << st.message();
  EXPECT_EQ(
      st.message(),
      "Shopify token request (POST https://acme.myshopify.com/admin/oauth/access_token): HTTP 400: "
      "invalid_client: bad secret REDACTED (check client_id and client_secret, and that the app is "
      "installed on the shop)");
}

TEST_F(ClientCredentialsAuthTest, A5xxIsRetriedByTheClientThenTransient) {
  for (int i = 0; i < 3; ++i) transport.Expect("POST", "/admin/oauth/access_token", 503, "{}");
  auto auth = Make();
  Status st;
  Applied(auth, &st);
  EXPECT_TRUE(st.transient()) << st.message();
  EXPECT_EQ(transport.calls(), 3u);
  EXPECT_EQ(st.message().find(kSecret), std::string::npos);
}

TEST_F(ClientCredentialsAuthTest, AnAnswerWithoutATokenIsTransient) {
  transport.Expect("POST", "/admin/oauth/access_token", 200, "<html>maintenance</html>");
  auto auth = Make();
  Status st;
  Applied(auth, &st);
  EXPECT_TRUE(st.transient());
  EXPECT_NE(st.message().find("without an access_token"), std::string::npos) << st.message();
}

TEST_F(ClientCredentialsAuthTest, AMissingSecretNamesTheReferenceOnly) {
  secrets.values.clear();
  auto auth = Make();
  Status st;
  Applied(auth, &st);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_EQ(st.message(),
            "Shopify token request (POST https://acme.myshopify.com/admin/oauth/access_token): "
            "client secret: "
            "secret env:SHOP_SECRET is not set");
  EXPECT_EQ(transport.calls(), 0u);
}

TEST_F(ClientCredentialsAuthTest, SecretsListsTheTokenAndTheClientSecretForScrubbing) {
  transport.Expect("POST", "/admin/oauth/access_token", 200, Grant("tok-1"));
  auto auth = Make();
  EXPECT_TRUE(auth.Secrets().empty());
  Applied(auth);
  EXPECT_EQ(auth.Secrets(), (std::vector<std::string>{"tok-1", kSecret}));
}

TEST_F(ClientCredentialsAuthTest, ARotatedSecretStaysInSecretsForScrubbing) {
  transport.Expect("POST", "/admin/oauth/access_token", 200, Grant("tok-1"));
  transport.Expect("POST", "/admin/oauth/access_token", 200, Grant("tok-2"));
  auto auth = Make();
  EXPECT_EQ(Applied(auth), "tok-1");
  secrets.values["env:SHOP_SECRET"] = "shpss_ROTATED0123456789";
  EXPECT_TRUE(auth.Invalidate());
  EXPECT_EQ(Applied(auth), "tok-2");
  EXPECT_NE(transport.requests.at(1).body.find("shpss_ROTATED0123456789"), std::string::npos);
  EXPECT_EQ(auth.Secrets(),
            (std::vector<std::string>{"tok-2", kSecret, "shpss_ROTATED0123456789"}));
}

TEST_F(ClientCredentialsAuthTest, BasicClientAuthenticationScrubsTheBasicValueToo) {
  // base64("3c9f0d5e8a7b6c1d:" kSecret): as secret as the secret itself.
  const std::string basic = "M2M5ZjBkNWU4YTdiNmMxZDpzaHBzc19DTElFTlRTRUNSRVQwMTIzNDU2Nzg5";
  transport.Expect(
      "POST", "/admin/oauth/access_token", 401,
      R"({"error":"invalid_client","error_description":"no client )" + basic + R"("})");
  ClientCredentialsConfig c;
  c.label = "Walmart";
  c.token_url = kTokenUrl;
  c.client_id = "3c9f0d5e8a7b6c1d";
  c.client_secret = SecretRef{SecretRef::Kind::Env, "SHOP_SECRET"};
  c.basic_auth = true;
  ClientCredentialsAuth auth(c, http, secrets);
  Status st;
  Applied(auth, &st);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_NE(st.message().find("HTTP 401: invalid_client: no client "), std::string::npos)
      << st.message();
  EXPECT_EQ(st.message().find(basic), std::string::npos) << st.message();
  const HttpRequest& grant = transport.requests.at(0);
  EXPECT_EQ(grant.body, "grant_type=client_credentials");
  EXPECT_EQ(HeaderOf(grant, "Authorization"), "Basic " + basic);
  EXPECT_EQ(auth.Secrets(), (std::vector<std::string>{kSecret, basic}));
}

TEST(StaticTokenAuthTest, PutsTheSecretInTheHeaderAndCannotRefresh) {
  FakeSecretResolver secrets;
  secrets.values["env:T"] = "shpat_static";
  StaticTokenAuth auth(SecretRef{SecretRef::Kind::Env, "T"}, secrets, "X-Shopify-Access-Token");
  HttpRequest r;
  ASSERT_TRUE(auth.Apply(r).ok());
  EXPECT_EQ(HeaderOf(r, "X-Shopify-Access-Token"), "shpat_static");
  EXPECT_FALSE(auth.Invalidate());
  EXPECT_EQ(auth.Secrets(), std::vector<std::string>{"shpat_static"});
  secrets.values.clear();
  Status st = auth.Apply(r);
  EXPECT_EQ(st.message(), "access token: secret env:T is not set");
}

TEST(StaticTokenAuthTest, APrefixGoesBeforeTheValue) {
  FakeSecretResolver secrets;
  secrets.values["env:T"] = "abc";
  StaticTokenAuth auth(SecretRef{SecretRef::Kind::Env, "T"}, secrets, "Authorization", "Bearer ");
  HttpRequest r;
  ASSERT_TRUE(auth.Apply(r).ok());
  EXPECT_EQ(HeaderOf(r, "Authorization"), "Bearer abc");
}

// --- OAuthRefreshTokenAuth (eBay user tokens) --------------------------------

constexpr const char* kEbayTokenUrl = "https://api.ebay.com/identity/v1/oauth2/token";
constexpr const char* kEbaySecret = "PRD-c3rt-s3cr3t-9876";
constexpr const char* kEbayRefresh = "v^1.1#i^1#r^1#REFRESHTOKEN0123456789";

class OAuthRefreshTokenAuthTest : public ::testing::Test {
 protected:
  OAuthRefreshTokenAuthTest() {
    secrets.values["env:EBAY_SECRET"] = kEbaySecret;
    secrets.values["env:EBAY_REFRESH"] = kEbayRefresh;
    transport.default_headers = {{"Content-Type", "application/json"}};
  }
  void TearDown() override { transport.ExpectScriptDone(); }

  OAuthRefreshTokenAuth Make() {
    RefreshTokenConfig c;
    c.label = "eBay";
    c.token_url = kEbayTokenUrl;
    c.client_id = "Harbor-cartsync-PRD-1a2b3c4d5";
    c.client_secret = SecretRef{SecretRef::Kind::Env, "EBAY_SECRET"};
    c.refresh_token = SecretRef{SecretRef::Kind::Env, "EBAY_REFRESH"};
    c.scope = "https://api.ebay.com/oauth/api_scope/sell.fulfillment";
    return OAuthRefreshTokenAuth(c, http, secrets);
  }

  static std::string Applied(AuthStrategy& auth, Status* st = nullptr) {
    HttpRequest r;
    Status s = auth.Apply(r);
    if (st) *st = s;
    return HeaderOf(r, "Authorization");
  }

  static std::string Token(const std::string& token, int expires_in = 7200) {
    return R"({"access_token":")" + token + R"(","expires_in":)" + std::to_string(expires_in) +
           R"(,"token_type":"User Access Token"})";
  }

  FakeClock clock;
  ScriptedTransport transport;
  HttpClient http{transport, clock, RetryPolicy{3, 100, 1000, 5000}};
  FakeSecretResolver secrets;
};

TEST_F(OAuthRefreshTokenAuthTest, PostsTheRefreshGrantWithBasicClientAuthentication) {
  transport.Expect("POST", "/identity/v1/oauth2/token", 200, Token("v^1.1#i^1#USER-1"));
  auto auth = Make();
  EXPECT_EQ(Applied(auth), "Bearer v^1.1#i^1#USER-1");
  const HttpRequest& grant = transport.requests.at(0);
  EXPECT_EQ(grant.url, kEbayTokenUrl);
  EXPECT_EQ(grant.method, "POST");
  // base64("Harbor-cartsync-PRD-1a2b3c4d5:PRD-c3rt-s3cr3t-9876")
  EXPECT_EQ(HeaderOf(grant, "Authorization"),
            "Basic SGFyYm9yLWNhcnRzeW5jLVBSRC0xYTJiM2M0ZDU6UFJELWMzcnQtczNjcjN0LTk4NzY=");
  EXPECT_EQ(HeaderOf(grant, "Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(grant.body,
            "grant_type=refresh_token&refresh_token=v%5E1.1%23i%5E1%23r%5E1%23"
            "REFRESHTOKEN0123456789&scope=https%3A%2F%2Fapi.ebay.com%2Foauth%2Fapi_scope%2F"
            "sell.fulfillment");
  EXPECT_EQ(grant.body.find(kEbaySecret), std::string::npos);  // only in the Basic header
  EXPECT_EQ(auth.grants(), 1);
}

TEST_F(OAuthRefreshTokenAuthTest, KeepsTheTwoHourTokenUntilFiveMinutesBeforeExpiry) {
  transport.Expect("POST", "/identity/v1/oauth2/token", 200, Token("tok-1"));
  auto auth = Make();
  EXPECT_EQ(Applied(auth), "Bearer tok-1");
  clock.Advance((7200 - 301) * 1000LL);
  EXPECT_EQ(Applied(auth), "Bearer tok-1");
  EXPECT_EQ(auth.grants(), 1);
  transport.Expect("POST", "/identity/v1/oauth2/token", 200, Token("tok-2"));
  clock.Advance(2'000);
  EXPECT_EQ(Applied(auth), "Bearer tok-2");
  EXPECT_EQ(auth.grants(), 2);
}

TEST_F(OAuthRefreshTokenAuthTest, WithoutExpiresInTheTokenLivesTwoHours) {
  transport.Expect("POST", "/identity/v1/oauth2/token", 200, R"({"access_token":"tok-1"})");
  auto auth = Make();
  EXPECT_EQ(Applied(auth), "Bearer tok-1");
  clock.Advance((7200 - 301) * 1000LL);
  EXPECT_EQ(Applied(auth), "Bearer tok-1");
  EXPECT_EQ(auth.grants(), 1);
}

TEST_F(OAuthRefreshTokenAuthTest, InvalidateMintsANewTokenOnTheNextRequest) {
  transport.Expect("POST", "/identity/v1/oauth2/token", 200, Token("tok-1"));
  transport.Expect("POST", "/identity/v1/oauth2/token", 200, Token("tok-2"));
  auto auth = Make();
  EXPECT_EQ(Applied(auth), "Bearer tok-1");
  EXPECT_TRUE(auth.Invalidate());
  EXPECT_EQ(Applied(auth), "Bearer tok-2");
}

TEST_F(OAuthRefreshTokenAuthTest, ARevokedRefreshTokenIsPermanentAndQuotesNoSecret) {
  transport.Expect("POST", "/identity/v1/oauth2/token", 400,
                   std::string(R"({"error":"invalid_grant","error_description":"the provided )"
                               R"(authorization refresh token is invalid: )") +
                       kEbayRefresh + " " + kEbaySecret + "\"}");
  auto auth = Make();
  Status st;
  EXPECT_EQ(Applied(auth, &st), "");
  EXPECT_EQ(st.code(), StatusCode::Permanent) << st.message();
  EXPECT_NE(st.message().find("eBay token request (POST " + std::string(kEbayTokenUrl) +
                              "): HTTP 400: invalid_grant: the provided authorization refresh "
                              "token is invalid: REDACTED REDACTED"),
            std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("refresh_token"), std::string::npos);
  EXPECT_EQ(st.message().find(kEbayRefresh), std::string::npos);
}

TEST_F(OAuthRefreshTokenAuthTest, A5xxIsRetriedThenTransientAndAnAnswerWithoutATokenToo) {
  for (int i = 0; i < 3; ++i) transport.Expect("POST", "/identity/v1/oauth2/token", 503, "{}");
  auto auth = Make();
  Status st;
  Applied(auth, &st);
  EXPECT_TRUE(st.transient()) << st.message();
  transport.Expect("POST", "/identity/v1/oauth2/token", 200, "<html>maintenance</html>");
  Applied(auth, &st);
  EXPECT_TRUE(st.transient());
  EXPECT_NE(st.message().find("without an access_token"), std::string::npos) << st.message();
}

TEST_F(OAuthRefreshTokenAuthTest, AMissingRefreshTokenNamesTheReferenceAndSendsNothing) {
  secrets.values.erase("env:EBAY_REFRESH");
  auto auth = Make();
  Status st;
  Applied(auth, &st);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_EQ(st.message(), "eBay token request (POST " + std::string(kEbayTokenUrl) +
                              "): refresh token: secret env:EBAY_REFRESH is not set");
  EXPECT_EQ(transport.calls(), 0u);
}

TEST_F(OAuthRefreshTokenAuthTest, SecretsListTheTokenTheClientSecretTheRefreshTokenAndBasic) {
  transport.Expect("POST", "/identity/v1/oauth2/token", 200, Token("tok-1"));
  auto auth = Make();
  EXPECT_TRUE(auth.Secrets().empty());
  Applied(auth);
  // The Basic value is the client secret too, only encoded.
  EXPECT_EQ(auth.Secrets(),
            (std::vector<std::string>{
                "tok-1", kEbaySecret, kEbayRefresh,
                "SGFyYm9yLWNhcnRzeW5jLVBSRC0xYTJiM2M0ZDU6UFJELWMzcnQtczNjcjN0LTk4NzY="}));
}

// ---------------------------------------------------------------------------
// LwaRefreshTokenAuth (Login with Amazon, the SP-API token exchange)

constexpr const char* kLwaSecret = "amzn1.oa2-cs.v1.LWASECRET0123456789";
constexpr const char* kLwaRefresh = "Atzr|LWAREFRESH0123456789";
constexpr const char* kLwaUrl = "https://api.amazon.com/auth/o2/token";

class LwaRefreshTokenAuthTest : public ::testing::Test {
 protected:
  LwaRefreshTokenAuthTest() {
    secrets.values["env:LWA_SECRET"] = kLwaSecret;
    secrets.values["env:LWA_REFRESH"] = kLwaRefresh;
  }
  void TearDown() override { transport.ExpectScriptDone(); }

  LwaRefreshTokenAuth Make() {
    LwaConfig c;
    c.token_url = kLwaUrl;
    c.client_id = "amzn1.application-oa2-client.abc123";
    c.client_secret = SecretRef{SecretRef::Kind::Env, "LWA_SECRET"};
    c.refresh_token = SecretRef{SecretRef::Kind::Env, "LWA_REFRESH"};
    return LwaRefreshTokenAuth(c, http, secrets);
  }
  static std::string Token(const std::string& token, int expires_in = 3600) {
    return R"({"access_token":")" + token +
           R"(","refresh_token":"Atzr|other","token_type":"bearer","expires_in":)" +
           std::to_string(expires_in) + "}";
  }
  std::string Applied(AuthStrategy& auth, Status* st = nullptr) {
    HttpRequest r;
    Status s = auth.Apply(r);
    if (st) *st = s;
    EXPECT_EQ(HeaderOf(r, "Authorization"), "");
    return HeaderOf(r, "x-amz-access-token");
  }

  FakeClock clock;
  ScriptedTransport transport;
  HttpClient http{transport, clock, RetryPolicy{3, 100, 1000, 5000}};
  FakeSecretResolver secrets;
};

TEST_F(LwaRefreshTokenAuthTest, ExchangesTheRefreshTokenAsAmazonsHelpersDo) {
  transport.Expect("POST", kLwaUrl, 200, Token("Atza|one"));
  auto auth = Make();
  EXPECT_EQ(Applied(auth), "Atza|one");
  ASSERT_EQ(transport.requests.size(), 1u);
  const HttpRequest& r = transport.requests[0];
  EXPECT_EQ(r.url, kLwaUrl);
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/x-www-form-urlencoded;charset=UTF-8");
  EXPECT_EQ(r.body,
            "grant_type=refresh_token&refresh_token=Atzr%7CLWAREFRESH0123456789"
            "&client_id=amzn1.application-oa2-client.abc123"
            "&client_secret=amzn1.oa2-cs.v1.LWASECRET0123456789");
  EXPECT_TRUE(r.idempotent);
  EXPECT_EQ(auth.grants(), 1);
}

TEST_F(LwaRefreshTokenAuthTest, KeepsTheHourLongTokenAndRefreshesBeforeExpiryAndAfter401) {
  transport.Expect("POST", kLwaUrl, 200, Token("Atza|one"));
  auto auth = Make();
  EXPECT_EQ(Applied(auth), "Atza|one");
  clock.Advance(54 * 60'000);  // 6 minutes left: still used
  EXPECT_EQ(Applied(auth), "Atza|one");
  clock.Advance(2 * 60'000);  // 4 minutes left: inside the 5-minute margin
  transport.Expect("POST", kLwaUrl, 200, Token("Atza|two"));
  EXPECT_EQ(Applied(auth), "Atza|two");
  EXPECT_TRUE(auth.Invalidate());
  transport.Expect("POST", kLwaUrl, 200, Token("Atza|three"));
  EXPECT_EQ(Applied(auth), "Atza|three");
  EXPECT_EQ(auth.grants(), 3);
}

TEST_F(LwaRefreshTokenAuthTest, AnInvalidGrantIsPermanentAndQuotesNoSecret) {
  transport.Expect("POST", kLwaUrl, 400,
                   std::string(R"({"error_description":"The request has an invalid grant )") +
                       "parameter : refresh_token " + kLwaRefresh +
                       R"(","error":"invalid_grant"})");
  auto auth = Make();
  Status st;
  EXPECT_EQ(Applied(auth, &st), "");
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_NE(st.message().find("invalid_grant"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find(kLwaRefresh), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find(kLwaSecret), std::string::npos) << st.message();
}

TEST_F(LwaRefreshTokenAuthTest, A5xxOrAnAnswerWithoutATokenIsTransient) {
  for (int i = 0; i < 3; ++i) transport.Expect("POST", kLwaUrl, 503, "");
  auto auth = Make();
  Status st;
  Applied(auth, &st);
  EXPECT_TRUE(st.transient()) << st.message();
  transport.Expect("POST", kLwaUrl, 200, "<html>maintenance</html>");
  Applied(auth, &st);
  EXPECT_TRUE(st.transient());
}

TEST_F(LwaRefreshTokenAuthTest, MissingSecretsNameTheReferenceAndSendNothing) {
  secrets.values.erase("env:LWA_REFRESH");
  auto auth = Make();
  Status st;
  Applied(auth, &st);
  EXPECT_EQ(st.code(), StatusCode::Permanent);
  EXPECT_NE(st.message().find("refresh token: secret env:LWA_REFRESH is not set"),
            std::string::npos)
      << st.message();
  EXPECT_EQ(transport.calls(), 0u);
}

TEST_F(LwaRefreshTokenAuthTest, SecretsListEverythingToScrub) {
  transport.Expect("POST", kLwaUrl, 200, Token("Atza|one"));
  auto auth = Make();
  EXPECT_TRUE(auth.Secrets().empty());
  Applied(auth);
  EXPECT_EQ(auth.Secrets(), (std::vector<std::string>{"Atza|one", kLwaSecret, kLwaRefresh}));
}

}  // namespace
}  // namespace cartsync

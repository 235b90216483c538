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

}  // namespace
}  // namespace cartsync

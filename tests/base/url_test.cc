// base/url.h: the https-or-loopback rule the checker and the connectors share.
#include "base/url.h"

#include <gtest/gtest.h>

#include <string>

namespace cartsync {
namespace {

TEST(IsLoopbackHostTest, TheThreeNamesOnly) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_TRUE(IsLoopbackHost("[::1]"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  // Not the rest of 127.0.0.0/8, not other spellings of ::1, not lookalikes.
  EXPECT_FALSE(IsLoopbackHost("127.0.0.2"));
  EXPECT_FALSE(IsLoopbackHost("127.1"));
  EXPECT_FALSE(IsLoopbackHost("[0:0:0:0:0:0:0:1]"));
  EXPECT_FALSE(IsLoopbackHost("localhost.example.com"));
  EXPECT_FALSE(IsLoopbackHost("localhost."));
  EXPECT_FALSE(IsLoopbackHost(""));
}

// The copies disagreed here: the checker and the JSON Schema pattern refused
// http://LOCALHOST, the connectors took it. One answer now, the strict one.
TEST(IsLoopbackHostTest, LocalhostIsCaseSensitive) {
  EXPECT_FALSE(IsLoopbackHost("LOCALHOST"));
  EXPECT_FALSE(IsLoopbackHost("LocalHost"));
  EXPECT_EQ(CheckUrlRule("http://LOCALHOST:8080/x"), UrlRule::kInsecureHttp);
  EXPECT_EQ(CheckUrlRule("http://localhost:8080/x"), UrlRule::kAllowed);
}

TEST(CheckUrlRuleTest, HttpsToAnyHost) {
  EXPECT_EQ(CheckUrlRule("https://shop.example.com"), UrlRule::kAllowed);
  EXPECT_EQ(CheckUrlRule("https://shop.example.com:8443/api/v1?x=1#f"), UrlRule::kAllowed);
  EXPECT_EQ(CheckUrlRule("https://[2001:db8::1]:443/x"), UrlRule::kAllowed);
}

TEST(CheckUrlRuleTest, SchemesCompareCaseInsensitively) {
  EXPECT_EQ(CheckUrlRule("HTTPS://Shop.Example.COM"), UrlRule::kAllowed);
  EXPECT_EQ(CheckUrlRule("HTTP://localhost"), UrlRule::kAllowed);
  EXPECT_EQ(CheckUrlRule("Http://example.com"), UrlRule::kInsecureHttp);
}

TEST(CheckUrlRuleTest, HttpOnlyToLoopback) {
  EXPECT_EQ(CheckUrlRule("http://127.0.0.1:18080"), UrlRule::kAllowed);
  EXPECT_EQ(CheckUrlRule("http://localhost/sim"), UrlRule::kAllowed);
  EXPECT_EQ(CheckUrlRule("http://[::1]:8080/x"), UrlRule::kAllowed);
  EXPECT_EQ(CheckUrlRule("http://127.0.0.2"), UrlRule::kInsecureHttp);
  EXPECT_EQ(CheckUrlRule("http://example.com"), UrlRule::kInsecureHttp);
  EXPECT_EQ(CheckUrlRule("http://localhost.evil.com/"), UrlRule::kInsecureHttp);
}

TEST(CheckUrlRuleTest, HostEndsAtPortPathQueryOrFragment) {
  EXPECT_EQ(CheckUrlRule("http://localhost?x=1"), UrlRule::kAllowed);
  EXPECT_EQ(CheckUrlRule("http://localhost#top"), UrlRule::kAllowed);
  EXPECT_EQ(CheckUrlRule("http://example.com/localhost"), UrlRule::kInsecureHttp);
}

TEST(CheckUrlRuleTest, ShapeProblemsInOrder) {
  EXPECT_EQ(CheckUrlRule("shop.example.com"), UrlRule::kNotAUrl);
  EXPECT_EQ(CheckUrlRule(""), UrlRule::kNotAUrl);
  // Credentials are refused before the scheme is looked at, for https too.
  EXPECT_EQ(CheckUrlRule("https://user:pw@shop.example.com"), UrlRule::kCredentials);
  EXPECT_EQ(CheckUrlRule("http://user@localhost"), UrlRule::kCredentials);
  EXPECT_EQ(CheckUrlRule("ftp://u@host"), UrlRule::kCredentials);
  // An '@' after the authority is path, not credentials.
  EXPECT_EQ(CheckUrlRule("https://shop.example.com/a@b"), UrlRule::kAllowed);
  EXPECT_EQ(CheckUrlRule("https://"), UrlRule::kNoHost);
  EXPECT_EQ(CheckUrlRule("https:///path"), UrlRule::kNoHost);
  EXPECT_EQ(CheckUrlRule("https://:443"), UrlRule::kNoHost);
  EXPECT_EQ(CheckUrlRule("http://[::1"), UrlRule::kNoHost);
  EXPECT_EQ(CheckUrlRule("ftp://files.example.com"), UrlRule::kUnsupportedScheme);
  EXPECT_EQ(CheckUrlRule("://example.com"), UrlRule::kUnsupportedScheme);
}

TEST(UrlRuleErrorTest, Reasons) {
  EXPECT_EQ(UrlRuleError("https://shop.example.com"), "");
  EXPECT_EQ(UrlRuleError("http://localhost:9"), "");
  EXPECT_EQ(UrlRuleError("shop.example.com"), "is not a URL (expected https://host[/path])");
  EXPECT_EQ(UrlRuleError("https://u:p@shop.example.com"), "must not carry credentials");
  EXPECT_EQ(UrlRuleError("https://"), "has no host");
  EXPECT_EQ(UrlRuleError("http://shop.example.com"),
            "must be https:// (http:// only to 127.0.0.1, localhost or ::1)");
  EXPECT_EQ(UrlRuleError("ftp://shop.example.com"),
            "must be https:// (http:// only to 127.0.0.1, localhost or ::1)");
  EXPECT_EQ(UrlRuleReason(UrlRule::kAllowed), "");
}

}  // namespace
}  // namespace cartsync

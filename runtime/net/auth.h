// How a connector authenticates its requests, as one strategy per scheme
// (docs/adding-a-platform.md, style.md "Airbyte"): a connector composes one
// instead of coding it:
//
//   StaticTokenAuth        a fixed token from a secret reference, in a header
//                          (Shopify legacy custom apps, BigCommerce, Magento);
//   GrantedTokenAuth       the lifecycle of a token asked for with an OAuth
//                          grant: it lives in memory only, is fetched lazily,
//                          refreshed shortly before it expires and once after
//                          a 401. Its grants:
//   ClientCredentialsAuth  OAuth 2.0 client credentials grant (RFC 6749 4.4):
//                          client id + secret (Shopify Dev Dashboard apps,
//                          Walmart);
//   OAuthRefreshTokenAuth  OAuth 2.0 refresh token grant with Basic client
//                          authentication (eBay user tokens);
//   LwaRefreshTokenAuth    Login with Amazon: refresh token + client id/secret in
//                          the form body for a 1-hour token sent bare in
//                          x-amz-access-token (SP-API).
//
// Secrets are resolved for the request that needs them and never put in a
// Status: messages name the secret reference or the endpoint, never a value.
// Not thread-safe: one strategy serves one connector (one thread at a time).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/secret_ref.h"
#include "runtime/clock.h"
#include "runtime/net/http_client.h"
#include "runtime/secrets.h"

namespace cartsync {

class AuthStrategy {
 public:
  virtual ~AuthStrategy() = default;
  /// Adds the credential header to `request`, first fetching a token when
  /// none is held or the held one is about to expire. A failure is the
  /// Status to report (Permanent for refused or missing credentials).
  virtual Status Apply(HttpRequest& request) = 0;
  /// The API answered 401 to a request Apply() prepared: forgets a held
  /// token. True when a retry with a fresh credential can help (a fetched
  /// token), false when nothing would change (a static token).
  virtual bool Invalidate() = 0;
  /// The secret values handled so far (the token in use, a client secret),
  /// for scrubbing answers and messages before they are quoted.
  virtual std::vector<std::string> Secrets() const = 0;
};

/// A fixed token: header `header` = `prefix` + the secret's value.
class StaticTokenAuth final : public AuthStrategy {
 public:
  StaticTokenAuth(SecretRef token, SecretResolver& secrets, std::string header,
                  std::string prefix = "");
  Status Apply(HttpRequest& request) override;
  bool Invalidate() override { return false; }
  std::vector<std::string> Secrets() const override;

 private:
  SecretRef ref_;
  SecretResolver& secrets_;
  std::string header_, prefix_, value_;
};

/// The lifecycle the OAuth grants below share: the access token lives in
/// memory only, is asked for when a request first needs it, again
/// `refresh_margin_ms` before it expires, and once after a 401 (Invalidate).
/// A subclass says how its grant is asked for (GrantRequest); the exchange
/// is the same for all: HttpClient retries it like any idempotent request,
/// it reads {"access_token", "expires_in" (seconds), "scope"}, a refused
/// grant (400/401/403) is Permanent with the platform's error text
/// (scrubbed) and what to check, a 5xx or a 2xx without a token Transient.
class GrantedTokenAuth : public AuthStrategy {
 public:
  Status Apply(HttpRequest& request) final;
  bool Invalidate() final;
  /// The token in use, then every credential a grant has sent.
  std::vector<std::string> Secrets() const final;

  /// The scopes the last grant reported ("read_orders,write_inventory"), "".
  const std::string& granted_scopes() const { return scopes_; }
  /// How many grants were made (tests, call counting; reports never show tokens).
  int grants() const { return grants_; }

 protected:
  struct Lifecycle {
    /// Where the access token goes: header `header` = `prefix` + token.
    std::string header, prefix;
    /// Refresh this long before the announced expiry (a request must not
    /// start with a token that dies on the way).
    int64_t refresh_margin_ms;
    /// When the answer has no expires_in.
    int64_t default_lifetime_ms;
  };
  /// One token request.
  struct Grant {
    std::string where;  ///< "eBay token request (POST https://…)": starts every message
    HttpRequest request;
    std::string hint;  ///< what to check after a 400/401/403: " (check …)"
  };

  GrantedTokenAuth(HttpClient& http, SecretResolver& secrets, Lifecycle lifecycle);
  /// The next token request, its secrets resolved with Credential.
  virtual Result<Grant> GrantRequest() = 0;
  /// Resolves a secret the grant sends and keeps it for scrubbing and
  /// Secrets(). A failure reads "WHERE: WHAT: …", naming the reference only.
  Result<std::string> Credential(const SecretRef& ref, const std::string& where,
                                 std::string_view what);
  /// A token request POSTed to `token_url`, its messages starting
  /// "LABEL token request (POST URL)".
  static Grant NewGrant(const std::string& label, const std::string& token_url, std::string hint);
  /// "Basic base64(client_id:client_secret)" (RFC 6749 2.3.1), the value kept
  /// as a secret.
  std::string BasicAuthorization(const std::string& client_id, const std::string& client_secret);

 private:
  Status RequestToken();
  /// Keeps a value for scrubbing and Secrets() (once).
  void AlsoSecret(std::string value);

  HttpClient& http_;
  SecretResolver& secrets_;
  Lifecycle lifecycle_;
  std::string token_, scopes_;
  std::vector<std::string> credentials_;
  int64_t expires_at_ms_ = 0;
  int grants_ = 0;
};

struct ClientCredentialsConfig {
  std::string label = "the API";  ///< who grants, for messages: "Shopify"
  std::string token_url;          ///< where the grant is POSTed
  std::string client_id;
  SecretRef client_secret;
  /// Where the access token goes: header `header` = `prefix` + token.
  std::string header = "Authorization";
  std::string prefix = "Bearer ";
  /// Refresh this long before the announced expiry (a request must not
  /// start with a token that dies on the way).
  int64_t refresh_margin_ms = 5 * 60'000;
  /// When the answer has no expires_in.
  int64_t default_lifetime_ms = 60 * 60'000;
  /// RFC 6749 2.3.1's other client authentication: the id and secret in an
  /// `Authorization: Basic` header and only grant_type in the body (Walmart).
  bool basic_auth = false;
  /// Called on each token request before it is sent: headers the platform
  /// wants on the grant too (Walmart's WM_SVC.NAME, WM_QOS.CORRELATION_ID).
  std::function<void(HttpRequest&)> decorate;
};

/// POSTs `grant_type=client_credentials&client_id=…&client_secret=…`
/// (application/x-www-form-urlencoded, Accept: application/json) to
/// `token_url` (or only grant_type, with `basic_auth`).
class ClientCredentialsAuth final : public GrantedTokenAuth {
 public:
  ClientCredentialsAuth(ClientCredentialsConfig config, HttpClient& http, SecretResolver& secrets);

 private:
  Result<Grant> GrantRequest() override;

  ClientCredentialsConfig config_;
};

struct RefreshTokenConfig {
  std::string label = "the API";  ///< who grants, for messages: "eBay"
  std::string token_url;          ///< where the grant is POSTed
  std::string client_id;
  SecretRef client_secret;
  SecretRef refresh_token;
  /// Space-separated scopes sent with the grant; "" sends none.
  std::string scope;
  std::string header = "Authorization";
  std::string prefix = "Bearer ";
  int64_t refresh_margin_ms = 5 * 60'000;
  int64_t default_lifetime_ms = 2 * 60 * 60'000;  ///< eBay user tokens: 2 hours
};

/// OAuth 2.0 refresh token grant (RFC 6749 6) with HTTP Basic client
/// authentication, as eBay wants it: POSTs
/// `grant_type=refresh_token&refresh_token=…&scope=…` with
/// `Authorization: Basic base64(client_id:client_secret)` to `token_url`.
/// The refresh token itself is never replaced.
class OAuthRefreshTokenAuth final : public GrantedTokenAuth {
 public:
  OAuthRefreshTokenAuth(RefreshTokenConfig config, HttpClient& http, SecretResolver& secrets);

 private:
  Result<Grant> GrantRequest() override;

  RefreshTokenConfig config_;
};

/// Login with Amazon (LWA), the Selling Partner API's token exchange: a
/// refresh token for a one-hour access token.
struct LwaConfig {
  std::string token_url;  ///< https://api.amazon.com/auth/o2/token, or {base_url}/auth/o2/token
  std::string client_id;
  SecretRef client_secret;
  SecretRef refresh_token;
  /// SP-API wants the access token bare in this header (no "Bearer ").
  std::string header = "x-amz-access-token";
  int64_t refresh_margin_ms = 5 * 60'000;
  int64_t default_lifetime_ms = 60 * 60'000;  ///< LWA access tokens: 1 hour
};

/// POSTs `grant_type=refresh_token&refresh_token=…&client_id=…&client_secret=…`
/// (application/x-www-form-urlencoded;charset=UTF-8, as Amazon's own LWA
/// helpers send it) to `token_url` (a refused exchange is e.g. invalid_grant).
class LwaRefreshTokenAuth final : public GrantedTokenAuth {
 public:
  LwaRefreshTokenAuth(LwaConfig config, HttpClient& http, SecretResolver& secrets);

 private:
  Result<Grant> GrantRequest() override;

  LwaConfig config_;
};

}  // namespace cartsync

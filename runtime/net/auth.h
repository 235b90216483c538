// How a connector authenticates its requests, as one strategy per scheme
// (docs/adding-a-platform.md, style.md "Airbyte"): a connector composes one
// instead of coding it. Two so far:
//
//   StaticTokenAuth        a fixed token from a secret reference, in a header
//                          (Shopify legacy custom apps, BigCommerce, Magento);
//   ClientCredentialsAuth  OAuth 2.0 client credentials grant (RFC 6749 4.4):
//                          client id + secret exchanged for an access token that
//                          lives in memory only, is fetched lazily, refreshed
//                          shortly before it expires and once after a 401
//                          (Shopify Dev Dashboard apps; Walmart, eBay next).
//
// Secrets are resolved for the request that needs them and never put in a
// Status: messages name the secret reference or the endpoint, never a value.
// Not thread-safe: one strategy serves one connector (one thread at a time).
#pragma once

#include <cstdint>
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
};

/// POSTs `grant_type=client_credentials&client_id=…&client_secret=…`
/// (application/x-www-form-urlencoded, Accept: application/json) to
/// `token_url` and reads {"access_token", "expires_in" (seconds), "scope"}.
/// HttpClient retries the grant like any idempotent request. The answer to
/// a refused grant (400/401/403) is Permanent with the platform's error text
/// (scrubbed); a 2xx without a token, or not JSON, is Transient.
class ClientCredentialsAuth final : public AuthStrategy {
 public:
  ClientCredentialsAuth(ClientCredentialsConfig config, HttpClient& http, SecretResolver& secrets);
  Status Apply(HttpRequest& request) override;
  bool Invalidate() override;
  std::vector<std::string> Secrets() const override;

  /// The scopes the last grant reported ("read_orders,write_inventory"), "".
  const std::string& granted_scopes() const { return scopes_; }
  /// How many grants were made (tests; reports never show tokens).
  int grants() const { return grants_; }

 private:
  Status Grant();

  ClientCredentialsConfig config_;
  HttpClient& http_;
  SecretResolver& secrets_;
  std::string token_, scopes_, client_secret_;
  int64_t expires_at_ms_ = 0;
  int grants_ = 0;
};

}  // namespace cartsync

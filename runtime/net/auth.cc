#include "runtime/net/auth.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <utility>

#include "runtime/carts/connector_util.h"

namespace cartsync {
namespace {

using connector_util::Member;
using connector_util::OneLineExcerpt;

/// "invalid_client: Client authentication failed" from an OAuth error body
/// ({"error", "error_description"} or {"errors": "…"}); "" when none.
std::string OAuthError(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return "";
  std::string error = connector_util::Text(&doc, "error");
  std::string description = connector_util::Text(&doc, "error_description");
  std::string errors = connector_util::Text(&doc, "errors");
  std::string out = error;
  if (!description.empty()) out += (out.empty() ? "" : ": ") + description;
  if (out.empty()) out = errors;
  return OneLineExcerpt(out, 300);
}

/// RFC 4648 base64 with padding.
std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (size_t i = 0; i < in.size(); i += 3) {
    const size_t n = std::min<size_t>(3, in.size() - i);
    uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(in[i])) << 16;
    if (n > 1) v |= static_cast<uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
    if (n > 2) v |= static_cast<uint32_t>(static_cast<unsigned char>(in[i + 2]));
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += n > 1 ? kAlphabet[(v >> 6) & 63] : '=';
    out += n > 2 ? kAlphabet[v & 63] : '=';
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------
// StaticTokenAuth

StaticTokenAuth::StaticTokenAuth(SecretRef token, SecretResolver& secrets, std::string header,
                                 std::string prefix)
    : ref_(std::move(token)),
      secrets_(secrets),
      header_(std::move(header)),
      prefix_(std::move(prefix)) {}

Status StaticTokenAuth::Apply(HttpRequest& request) {
  auto value = secrets_.Resolve(ref_);
  if (!value.ok())
    return Status(value.status().code(), "access token: " + value.status().message());
  value_ = value.value();
  request.headers.emplace_back(header_, prefix_ + value_);
  return Status::Ok();
}

std::vector<std::string> StaticTokenAuth::Secrets() const {
  if (value_.empty()) return {};
  return {value_};
}

// ---------------------------------------------------------------------------
// GrantedTokenAuth

GrantedTokenAuth::GrantedTokenAuth(HttpClient& http, SecretResolver& secrets, Lifecycle lifecycle)
    : http_(http), secrets_(secrets), lifecycle_(std::move(lifecycle)) {}

Status GrantedTokenAuth::Apply(HttpRequest& request) {
  const int64_t now = http_.clock().NowMs();
  if (token_.empty() || now + lifecycle_.refresh_margin_ms >= expires_at_ms_) {
    Status st = RequestToken();
    if (!st.ok()) return st;
  }
  request.headers.emplace_back(lifecycle_.header, lifecycle_.prefix + token_);
  return Status::Ok();
}

bool GrantedTokenAuth::Invalidate() {
  token_.clear();
  expires_at_ms_ = 0;
  return true;
}

std::vector<std::string> GrantedTokenAuth::Secrets() const {
  std::vector<std::string> out;
  if (!token_.empty()) out.push_back(token_);
  for (const std::string& s : credentials_)
    if (!s.empty()) out.push_back(s);
  return out;
}

Result<std::string> GrantedTokenAuth::Credential(const SecretRef& ref, const std::string& where,
                                                 std::string_view what) {
  auto value = secrets_.Resolve(ref);
  if (!value.ok())
    return Status(value.status().code(),
                  where + ": " + std::string(what) + ": " + value.status().message());
  AlsoSecret(value.value());
  return value.value();
}

GrantedTokenAuth::Grant GrantedTokenAuth::NewGrant(const std::string& label,
                                                   const std::string& token_url, std::string hint) {
  Grant g;
  g.where = label + " token request (POST " + RedactUrl(token_url) + ")";
  g.hint = std::move(hint);
  g.request.url = token_url;
  return g;
}

std::string GrantedTokenAuth::BasicAuthorization(const std::string& client_id,
                                                 const std::string& client_secret) {
  std::string basic = Base64(client_id + ":" + client_secret);
  AlsoSecret(basic);
  return "Basic " + basic;
}

void GrantedTokenAuth::AlsoSecret(std::string value) {
  // Kept across grants too: a message may still quote a rotated-out value.
  if (std::find(credentials_.begin(), credentials_.end(), value) == credentials_.end())
    credentials_.push_back(std::move(value));
}

Status GrantedTokenAuth::RequestToken() {
  auto grant = GrantRequest();
  if (!grant.ok()) return grant.status();
  const std::string& where = grant->where;
  auto scrub = [&](std::string text) {
    for (const std::string& secret : credentials_)
      connector_util::ScrubSecrets(text, {secret}, /*min_length=*/1);
    connector_util::ScrubSecrets(text, {token_}, /*min_length=*/1);
    return text;
  };
  grant->request.method = "POST";
  grant->request.idempotent = true;  // another grant only mints another access token
  const int64_t asked_at = http_.clock().NowMs();
  auto sent = http_.Send(grant->request);
  if (!sent.ok())
    return Status(sent.status().code(), scrub(where + ": " + sent.status().message()));
  const HttpResponse& r = sent.value();
  if (r.status < 200 || r.status >= 300) {
    std::string text = scrub(OAuthError(r.body));
    std::string message =
        where + ": HTTP " + std::to_string(r.status) + (text.empty() ? "" : ": " + text);
    if (r.status == 400 || r.status == 401 || r.status == 403) message += grant->hint;
    return r.status >= 500 ? Status::Transient(message) : Status::Permanent(message);
  }
  rapidjson::Document doc;
  doc.Parse(r.body.data(), r.body.size());
  const rapidjson::Value* token = doc.HasParseError() ? nullptr : Member(&doc, "access_token");
  if (token == nullptr || !token->IsString() || token->GetStringLength() == 0)
    return Status::Transient(where + ": HTTP " + std::to_string(r.status) +
                             " without an access_token (" + std::to_string(r.body.size()) +
                             " bytes)");
  token_.assign(token->GetString(), token->GetStringLength());
  scopes_ = connector_util::Text(&doc, "scope");
  int64_t lifetime_s = 0;
  const bool has_lifetime =
      connector_util::Int(&doc, "expires_in", lifetime_s, &connector_util::DigitsValue);
  const int64_t lifetime_ms =
      has_lifetime && lifetime_s > 0 ? lifetime_s * 1000 : lifecycle_.default_lifetime_ms;
  // From when it was asked for: the token's clock started before the answer.
  expires_at_ms_ = asked_at + lifetime_ms;
  // A lifetime shorter than the margin would refresh before every request;
  // use it for half its length instead.
  if (lifetime_ms <= lifecycle_.refresh_margin_ms)
    expires_at_ms_ = asked_at + lifecycle_.refresh_margin_ms + lifetime_ms / 2;
  ++grants_;
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// ClientCredentialsAuth

ClientCredentialsAuth::ClientCredentialsAuth(ClientCredentialsConfig config, HttpClient& http,
                                             SecretResolver& secrets)
    : GrantedTokenAuth(
          http, secrets,
          {config.header, config.prefix, config.refresh_margin_ms, config.default_lifetime_ms}),
      config_(std::move(config)) {}

Result<GrantedTokenAuth::Grant> ClientCredentialsAuth::GrantRequest() {
  Grant g =
      NewGrant(config_.label, config_.token_url,
               " (check client_id and client_secret, and that the app is installed on the shop)");
  auto secret = Credential(config_.client_secret, g.where, "client secret");
  if (!secret.ok()) return secret.status();
  HttpRequest& request = g.request;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Accept", "application/json"}};
  if (config_.basic_auth) {
    request.headers.emplace_back("Authorization",
                                 BasicAuthorization(config_.client_id, secret.value()));
    request.body = "grant_type=client_credentials";
  } else {
    request.body =
        "grant_type=client_credentials&client_id=" + connector_util::UrlEncode(config_.client_id) +
        "&client_secret=" + connector_util::UrlEncode(secret.value());
  }
  if (config_.decorate) config_.decorate(request);
  return g;
}

// ---------------------------------------------------------------------------
// OAuthRefreshTokenAuth

OAuthRefreshTokenAuth::OAuthRefreshTokenAuth(RefreshTokenConfig config, HttpClient& http,
                                             SecretResolver& secrets)
    : GrantedTokenAuth(
          http, secrets,
          {config.header, config.prefix, config.refresh_margin_ms, config.default_lifetime_ms}),
      config_(std::move(config)) {}

Result<GrantedTokenAuth::Grant> OAuthRefreshTokenAuth::GrantRequest() {
  Grant g = NewGrant(config_.label, config_.token_url,
                     " (check client_id, client_secret and refresh_token: a refresh token "
                     "expires, or is revoked when the seller withdraws consent, and must then "
                     "be minted again)");
  auto secret = Credential(config_.client_secret, g.where, "client secret");
  if (!secret.ok()) return secret.status();
  auto refresh = Credential(config_.refresh_token, g.where, "refresh token");
  if (!refresh.ok()) return refresh.status();
  HttpRequest& request = g.request;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Accept", "application/json"},
                     {"Authorization", BasicAuthorization(config_.client_id, secret.value())}};
  request.body =
      "grant_type=refresh_token&refresh_token=" + connector_util::UrlEncode(refresh.value());
  if (!config_.scope.empty()) request.body += "&scope=" + connector_util::UrlEncode(config_.scope);
  return g;
}

// ---------------------------------------------------------------------------
// LwaRefreshTokenAuth

LwaRefreshTokenAuth::LwaRefreshTokenAuth(LwaConfig config, HttpClient& http,
                                         SecretResolver& secrets)
    : GrantedTokenAuth(http, secrets,
                       {config.header, "", config.refresh_margin_ms, config.default_lifetime_ms}),
      config_(std::move(config)) {}

Result<GrantedTokenAuth::Grant> LwaRefreshTokenAuth::GrantRequest() {
  Grant g = NewGrant("Amazon (Login with Amazon)", config_.token_url,
                     " (check client_id, client_secret and refresh_token: the secret is rotated "
                     "every 180 days, and the refresh token must come from authorizing this app)");
  auto secret = Credential(config_.client_secret, g.where, "client secret");
  if (!secret.ok()) return secret.status();
  auto refresh = Credential(config_.refresh_token, g.where, "refresh token");
  if (!refresh.ok()) return refresh.status();
  HttpRequest& request = g.request;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded;charset=UTF-8"},
                     {"Accept", "application/json"}};
  request.body =
      "grant_type=refresh_token&refresh_token=" + connector_util::UrlEncode(refresh.value()) +
      "&client_id=" + connector_util::UrlEncode(config_.client_id) +
      "&client_secret=" + connector_util::UrlEncode(secret.value());
  return g;
}

}  // namespace cartsync

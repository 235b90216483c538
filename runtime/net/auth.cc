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
// ClientCredentialsAuth

ClientCredentialsAuth::ClientCredentialsAuth(ClientCredentialsConfig config, HttpClient& http,
                                             SecretResolver& secrets)
    : config_(std::move(config)), http_(http), secrets_(secrets) {}

Status ClientCredentialsAuth::Apply(HttpRequest& request) {
  const int64_t now = http_.clock().NowMs();
  if (token_.empty() || now + config_.refresh_margin_ms >= expires_at_ms_) {
    Status st = Grant();
    if (!st.ok()) return st;
  }
  request.headers.emplace_back(config_.header, config_.prefix + token_);
  return Status::Ok();
}

bool ClientCredentialsAuth::Invalidate() {
  token_.clear();
  expires_at_ms_ = 0;
  return true;
}

std::vector<std::string> ClientCredentialsAuth::Secrets() const {
  std::vector<std::string> out;
  if (!token_.empty()) out.push_back(token_);
  if (!client_secret_.empty()) out.push_back(client_secret_);
  return out;
}

Status ClientCredentialsAuth::Grant() {
  const std::string where =
      config_.label + " token request (POST " + RedactUrl(config_.token_url) + ")";
  auto secret = secrets_.Resolve(config_.client_secret);
  if (!secret.ok())
    return Status(secret.status().code(), where + ": client secret: " + secret.status().message());
  client_secret_ = secret.value();
  auto scrub = [&](std::string text) {
    connector_util::ScrubSecrets(text, {client_secret_, token_}, /*min_length=*/1);
    return text;
  };

  HttpRequest request;
  request.method = "POST";
  request.url = config_.token_url;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Accept", "application/json"}};
  request.body =
      "grant_type=client_credentials&client_id=" + connector_util::UrlEncode(config_.client_id) +
      "&client_secret=" + connector_util::UrlEncode(client_secret_);
  request.idempotent = true;  // a second grant only mints another token
  const int64_t asked_at = http_.clock().NowMs();
  auto sent = http_.Send(request);
  if (!sent.ok())
    return Status(sent.status().code(), scrub(where + ": " + sent.status().message()));
  const HttpResponse& r = sent.value();
  if (r.status < 200 || r.status >= 300) {
    std::string text = scrub(OAuthError(r.body));
    std::string message =
        where + ": HTTP " + std::to_string(r.status) + (text.empty() ? "" : ": " + text);
    if (r.status == 400 || r.status == 401 || r.status == 403)
      message += " (check client_id and client_secret, and that the app is installed on the shop)";
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
      has_lifetime && lifetime_s > 0 ? lifetime_s * 1000 : config_.default_lifetime_ms;
  // From when it was asked for: the token's clock started before the answer.
  expires_at_ms_ = asked_at + lifetime_ms;
  // A lifetime shorter than the margin would refresh before every request;
  // use it for half its length instead.
  if (lifetime_ms <= config_.refresh_margin_ms)
    expires_at_ms_ = asked_at + config_.refresh_margin_ms + lifetime_ms / 2;
  ++grants_;
  return Status::Ok();
}

}  // namespace cartsync

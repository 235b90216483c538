// The `http` WMS transport (wms-contract.md): JSON over HttpClient, which
// owns retries, backoff and 429 handling; this file interprets the answers.
//
//   POST {url}/orders                 body: order; Idempotency-Key: order_key
//                                     200/201 {"wms_order_id"}; 409 = already present
//   GET  {url}/orders/{order_key}     200 {"wms_order_id"} / 404 — NOT in the
//                                     contract: our extension, used by FindOrder
//                                     to reconcile after a crash between sending
//                                     an order and recording the answer
//   POST {url}/orders/{order_key}/cancel
//                                     200 {"status": "canceled"}; 409 {"status":
//                                     "in_progress"|"shipped"} too late; 404 unknown
//   GET  {url}/shipments?since=CURSOR {"shipments": […], "next": CURSOR}
//   GET  {url}/inventory?client=C     {"inventory": […], "as_of": ISO 8601?}
//   GET  {url}/aliases?client=C       {"aliases": […]}
//                                     (records of other clients dropped here too)
//
// The bearer token is resolved for each request and lives only in that
// request's headers; messages name method and path, never the token, and
// quote at most 200 characters of a WMS answer.
#include <algorithm>
#include <utility>

#include "base/url.h"
#include "runtime/carts/connector_util.h"
#include "runtime/documents.h"
#include "runtime/wms/wms_transports.h"

namespace cartsync {
namespace {

using connector_util::UrlEncode;
using wms_detail::Excerpt;

constexpr size_t kBodyExcerpt = 200;

class HttpWms : public WmsClient {
 public:
  HttpWms(std::string base_url, std::optional<SecretRef> token, int64_t timeout_seconds,
          HttpClient& http, SecretResolver* secrets)
      : base_url_(std::move(base_url)),
        token_(std::move(token)),
        timeout_ms_(timeout_seconds * 1000),
        http_(http),
        secrets_(secrets) {
    while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  }

  // A WMS may echo the request's Authorization header (a debug error page, a
  // proxy): every message leaving this class is scrubbed of the token.
  Result<std::string> PushOrder(const WmsOrder& order) override {
    return Scrubbed(DoPushOrder(order, ToJson(order)));
  }
  Result<std::string> PushOrderDocument(const WmsOrder& order, const std::string& doc) override {
    return Scrubbed(DoPushOrder(order, doc));
  }
  Result<std::optional<std::string>> FindOrder(const std::string& order_key) override {
    return Scrubbed(DoFindOrder(order_key));
  }
  Result<ShipmentPage> PullShipments(const std::string& since) override {
    return Scrubbed(DoPullShipments(since));
  }
  Result<InventorySnapshot> PullInventory(const std::string& client) override {
    return Scrubbed(DoPullInventory(client));
  }
  Result<std::vector<AliasRecord>> PullAliases(const std::string& client) override {
    return Scrubbed(DoPullAliases(client));
  }
  Result<WmsCancel> CancelOrder(const std::string& order_key) override {
    return Scrubbed(DoCancelOrder(order_key));
  }

 private:
  template <class T>
  Result<T> Scrubbed(Result<T> result) {
    if (result.ok() || !token_) return result;
    std::string message = result.status().message();
    auto token = secrets_->Resolve(*token_);
    if (token.ok()) connector_util::ScrubSecrets(message, {token.value()}, 4);
    return Status(result.status().code(), std::move(message));
  }

  // POST /orders goes out once per attempt, never repeated blindly: when an
  // attempt's outcome is unknown (a timeout, a cut answer, a 5xx, an answer
  // that is not the WMS's), the WMS is asked whether it has the order
  // (GET /orders/{order_key}) before the order is sent again. An order the
  // WMS received but could not confirm is so never delivered twice; the
  // contract's Idempotency-Key stays the second line of defence (a WMS
  // without GET /orders/{key} answers 404, and the order goes again).
  Result<std::string> DoPushOrder(const WmsOrder& order, const std::string& doc) {
    constexpr int kAttempts = 3;
    Result<std::string> sent = Status::Transient("not sent");
    for (int attempt = 1; attempt <= kAttempts; ++attempt) {
      bool unknown = false;
      sent = PostOrder(order, doc, unknown);
      if (sent.ok() || !unknown) return sent;
      auto found = DoFindOrder(order.order_key);
      if (!found.ok())
        return Status::Transient(
            sent.status().message() +
            "; asking the WMS whether it has the order failed too: " + found.status().message());
      if (found.value()) return *found.value();
    }
    return sent;
  }

  /// One POST /orders of `doc` (ToJson(order)). `unknown`: it failed in a
  /// way that leaves open whether the WMS has the order.
  Result<std::string> PostOrder(const WmsOrder& order, const std::string& doc, bool& unknown) {
    const std::string context = "WMS POST /orders (" + order.order_key + ")";
    auto response = Send("POST", "/orders", doc, order.order_key, /*idempotent=*/false);
    if (!response.ok()) {
      unknown = response.status().transient();
      return response.status();
    }
    const HttpResponse& r = response.value();
    if (r.status >= 200 && r.status < 300) {
      auto id = IdFrom(r, /*allow_null=*/false, context);
      if (!id.ok()) {
        // Not JSON at all (a proxy's maintenance page served with 200): the
        // WMS did not answer, let alone reject the order. Retryable, and
        // looked up before it goes again — instead of holding the order as
        // "rejected" for a person to look at.
        if (!connector_util::IsJsonAnswer(r.Header("Content-Type"), r.body)) {
          unknown = true;
          return Status::Transient(id.status().message());
        }
        return id.status();
      }
      return *id.value();
    }
    if (r.status == 409) {
      // Already present. The contract says the 409 carries the same id; when a
      // WMS leaves it out, ask for it.
      if (auto doc = wms_detail::ParseObject(r.body, context); doc.ok()) {
        auto id = wms_detail::ReadOrderId(*doc.value(), /*allow_null=*/true, context);
        if (id.ok() && id.value().has_value()) return *id.value();
      }
      auto found = DoFindOrder(order.order_key);
      if (!found.ok()) return found.status();
      if (!found.value().has_value())
        return Status::Transient(context + ": answered 409 (already present) but " +
                                 "GET /orders/{order_key} answers that it is unknown");
      return *found.value();
    }
    Status unexpected = Unexpected(r, context);
    unknown = unexpected.transient();
    return unexpected;
  }

  Result<std::optional<std::string>> DoFindOrder(const std::string& order_key) {
    const std::string context = "WMS GET /orders/" + order_key;
    auto response = Send("GET", "/orders/" + UrlEncode(order_key), "", "");
    if (!response.ok()) return response.status();
    const HttpResponse& r = response.value();
    if (r.status == 404) return std::optional<std::string>();
    if (r.status >= 200 && r.status < 300) return IdFrom(r, /*allow_null=*/true, context);
    return Unexpected(r, context);
  }

  // A cancel is safe to repeat (a canceled order answers 200 again), so
  // HttpClient retries it like a GET.
  Result<WmsCancel> DoCancelOrder(const std::string& order_key) {
    const std::string context = "WMS POST /orders/" + order_key + "/cancel";
    auto response =
        Send("POST", "/orders/" + UrlEncode(order_key) + "/cancel", "", order_key, true);
    if (!response.ok()) return response.status();
    const HttpResponse& r = response.value();
    WmsCancel out;
    if (r.status == 404) {
      out.outcome = WmsCancel::Outcome::Unknown;
      return out;
    }
    if (r.status == 409 || (r.status >= 200 && r.status < 300)) {
      auto doc = wms_detail::ParseObject(r.body, context);
      if (!doc.ok()) {
        if (r.status != 409) return doc.status();
      } else if (auto status = wms_detail::ReadCancelStatus(*doc.value(), context); status.ok()) {
        out.status = status.value();
      } else if (r.status != 409) {
        return status.status();
      }
      out.outcome = r.status == 409 ? WmsCancel::Outcome::TooLate : WmsCancel::Outcome::Canceled;
      return out;
    }
    return Unexpected(r, context);
  }

  Result<ShipmentPage> DoPullShipments(const std::string& since) {
    std::string path = "/shipments";
    if (!since.empty()) path += "?since=" + UrlEncode(since);
    const std::string context = "WMS GET /shipments";
    auto doc = GetObject(path, context);
    if (!doc.ok()) return doc.status();
    return wms_detail::ReadShipmentPage(*doc.value(), context);
  }

  static std::string ClientQuery(const std::string& client) {
    return client.empty() ? "" : "?client=" + UrlEncode(client);
  }

  Result<InventorySnapshot> DoPullInventory(const std::string& client) {
    const std::string context = "WMS GET /inventory";
    auto doc = GetObject("/inventory" + ClientQuery(client), context);
    if (!doc.ok()) return doc.status();
    auto snapshot = wms_detail::ReadInventorySnapshot(*doc.value(), context);
    if (snapshot.ok()) KeepClient(client, snapshot->records);
    return snapshot;
  }

  Result<std::vector<AliasRecord>> DoPullAliases(const std::string& client) {
    const std::string context = "WMS GET /aliases";
    auto doc = GetObject("/aliases" + ClientQuery(client), context);
    if (!doc.ok()) return doc.status();
    auto aliases = wms_detail::ReadAliasList(*doc.value(), context);
    if (aliases.ok()) KeepClient(client, aliases.value());
    return aliases;
  }

  /// `idempotent` false (POST /orders): HttpClient retries only a 429 and
  /// hands back any other failure after one attempt (DoPushOrder looks the
  /// order up before sending it again).
  Result<HttpResponse> Send(const char* method, const std::string& path, std::string body,
                            const std::string& idempotency_key, bool idempotent = true) {
    HttpRequest request;
    request.method = method;
    request.url = base_url_ + path;
    request.timeout_ms = timeout_ms_;
    request.idempotent = idempotent;
    request.connect_timeout_ms = std::min<int64_t>(request.connect_timeout_ms, timeout_ms_);
    request.headers.emplace_back("Accept", "application/json");
    if (!body.empty()) {
      request.headers.emplace_back("Content-Type", "application/json");
      request.body = std::move(body);
    }
    if (!idempotency_key.empty()) request.headers.emplace_back("Idempotency-Key", idempotency_key);
    std::string token;
    if (token_) {
      auto resolved = secrets_->Resolve(*token_);
      if (!resolved.ok()) return Status::Permanent("WMS token: " + resolved.status().message());
      token = std::move(resolved.value());
      request.headers.emplace_back("Authorization", "Bearer " + token);
    }
    auto result = http_.Send(request);
    // Before any excerpt of the answer is cut (which could split the token).
    if (result.ok() && !token.empty()) connector_util::ScrubSecrets(result->body, {token}, 4);
    return result;
  }

  Result<std::shared_ptr<rapidjson::Document>> GetObject(const std::string& path,
                                                         const std::string& context) {
    auto response = Send("GET", path, "", "");
    if (!response.ok()) return response.status();
    const HttpResponse& r = response.value();
    if (r.status < 200 || r.status >= 300) return Unexpected(r, context);
    return wms_detail::ParseObject(r.body, context);
  }

  static Result<std::optional<std::string>> IdFrom(const HttpResponse& r, bool allow_null,
                                                   const std::string& context) {
    auto doc = wms_detail::ParseObject(r.body, context);
    if (!doc.ok()) return doc.status();
    return wms_detail::ReadOrderId(*doc.value(), allow_null, context);
  }

  /// A status the call does not expect. HttpClient already retried 5xx and
  /// 429; should one still arrive here it stays retryable.
  static Status Unexpected(const HttpResponse& r, const std::string& context) {
    std::string message = context + " answered HTTP " + std::to_string(r.status);
    std::string excerpt = Excerpt(r.body, kBodyExcerpt);
    if (!excerpt.empty()) message += ": " + excerpt;
    if (r.status >= 500 || r.status == 429 || r.status == 408) return Status::Transient(message);
    return Status::Permanent(message);
  }

  std::string base_url_;
  std::optional<SecretRef> token_;
  int64_t timeout_ms_;
  HttpClient& http_;
  SecretResolver* secrets_;
};

}  // namespace

Result<std::unique_ptr<WmsClient>> MakeHttpWms(const WmsConfig& config, const WmsDeps& deps) {
  using wms_detail::FieldName;
  auto url = config.fields.find("url");
  if (url == config.fields.end() || url->second.text.empty())
    return Status::Permanent(FieldName(config, "url") + " is required for system = \"http\"");
  // The compiler checked it; a hand-edited plan must not reach the WMS over
  // plain http to another host either.
  if (std::string_view why = UrlRuleError(url->second.text); !why.empty())
    return Status::Permanent(FieldName(config, "url") + " " + std::string(why));
  std::optional<SecretRef> token;
  if (auto it = config.fields.find("token"); it != config.fields.end() && it->second.secret) {
    token = *it->second.secret;
    if (deps.secrets == nullptr)
      return Status::Permanent(FieldName(config, "token") + ": no secret resolver configured");
  }
  auto timeout = wms_detail::TimeoutSeconds(config, 30);
  if (!timeout.ok()) return timeout.status();
  if (deps.http == nullptr)
    return Status::Permanent("[wms." + config.name + "]: system = \"http\" needs an HTTP client");
  return std::unique_ptr<WmsClient>(
      new HttpWms(url->second.text, token, timeout.value(), *deps.http, deps.secrets));
}

}  // namespace cartsync

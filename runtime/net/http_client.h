// HTTP for connectors and the WMS: one attempt per HttpTransport::Send
// (libcurl in production, a fake in unit tests), and HttpClient on top for
// what every caller needs — retries with backoff and jitter on 5xx and
// network errors, 429 honouring Retry-After, pacing from rate-limit
// headers, and redaction of credentials in anything it reports.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "runtime/clock.h"

namespace cartsync {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HttpHeaders headers;
  std::string body;
  int64_t connect_timeout_ms = 10'000;
  int64_t timeout_ms = 60'000;  ///< total, per attempt
  /// False for requests that must not be repeated blindly (POST of a
  /// shipment, a fulfillment, an order note): HttpClient then retries only
  /// a 429 (the server did not act on it) and returns timeouts, network
  /// errors and 5xx after the first attempt, so the caller can re-read
  /// before trying again.
  bool idempotent = true;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;  ///< names as received
  std::string body;
  /// First header named `name` (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

/// One attempt, no retries. Network failures and timeouts are Transient.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

/// libcurl: connection reuse (one easy handle per transport; use one
/// transport per thread), gzip, TLS verification always on.
std::unique_ptr<HttpTransport> MakeCurlTransport();

struct RetryPolicy {
  int max_attempts = 5;
  int64_t base_delay_ms = 500;
  int64_t max_delay_ms = 30'000;
  int64_t max_retry_after_ms = 120'000;  ///< cap on a server's Retry-After
  /// When > 0, caps every attempt's timeout and connect timeout (whatever the
  /// request asks for): `cartsync run --http-timeout`.
  int64_t max_timeout_ms = 0;
};

/// Budget-aware pacing from rate-limit headers, shared by the requests to
/// one store: Shopify's leaky bucket (X-Shopify-Shop-Api-Call-Limit) and
/// BigCommerce's window (X-Rate-Limit-Requests-Left / -Time-Reset-Ms).
class RateLimiter {
 public:
  /// How long to wait before the next request may go out.
  int64_t DelayBeforeNextMs(int64_t now_ms);
  /// Learns from a response's headers.
  void Observe(const HttpResponse& response, int64_t now_ms);

 private:
  std::mutex mu_;
  int64_t not_before_ms_ = 0;
  // Shopify bucket: the level as last reported (plus the requests granted
  // since), and when; -1 until a response has carried the header.
  double bucket_used_ = -1;
  int bucket_size_ = 0;
  int64_t bucket_seen_ms_ = 0;
  double leak_per_second_ = 2.0;
  // BigCommerce window: requests left (-1 unknown), when the window resets,
  // and when the last request was let through (for spreading).
  int64_t window_left_ = -1;
  int64_t window_reset_at_ms_ = 0;
  int64_t window_last_grant_ms_ = 0;
};

class HttpClient {
 public:
  HttpClient(HttpTransport& transport, Clock& clock, RetryPolicy policy = {},
             RateLimiter* limiter = nullptr);
  /// Sends with retries. 2xx-4xx (except 429) come back as responses for the
  /// caller to interpret; 5xx, 429 and network errors are retried, then
  /// returned as Transient. Messages are redacted.
  Result<HttpResponse> Send(const HttpRequest& request);
  /// The clock this client sleeps on (connectors pace their own budgets on it).
  Clock& clock() const { return clock_; }
  int attempts_made() const { return attempts_; }
  int rate_limited() const { return rate_limited_; }

 private:
  HttpTransport& transport_;
  Clock& clock_;
  RetryPolicy policy_;
  RateLimiter* limiter_;
  int attempts_ = 0;
  int rate_limited_ = 0;
  uint64_t jitter_state_ = 0x9E3779B97F4A7C15ull;
};

/// The URL with credential query parameters (consumer_key, consumer_secret,
/// access_token, token, key, secret, password, signature, api_key, …)
/// replaced by "REDACTED", and any user:password@ removed.
std::string RedactUrl(std::string_view url);
/// True for headers that carry credentials (Authorization, X-Auth-Token,
/// X-Shopify-Access-Token, x-amz-access-token, Cookie, …).
bool IsSecretHeader(std::string_view name);

}  // namespace cartsync

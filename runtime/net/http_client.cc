#include "runtime/net/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <string>
#include <string_view>

#include "base/strings.h"
#include "runtime/carts/connector_util.h"

namespace cartsync {
namespace {

constexpr size_t kMaxResponseBodyBytes = size_t{64} << 20;  // 64 MiB
constexpr int64_t kDefaultConnectTimeoutMs = 10'000;
constexpr int64_t kDefaultTimeoutMs = 60'000;

using connector_util::PercentDecode;
using connector_util::ReplaceAll;

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

/// Header text without its blanks: leading spaces and tabs, trailing spaces,
/// tabs and line ends. Not Trim(): a leading '\r' or '\n' is kept.
std::string_view TrimHeader(std::string_view s) { return TrimRight(TrimLeft(s, " \t")); }

/// Query/fragment parameter names that carry credentials.
bool IsSecretParam(std::string_view raw_name) {
  const std::string name = ToLower(PercentDecode(raw_name));
  static const char* const kExact[] = {
      "key",       "secret", "token", "password", "passwd",        "pwd",          "pass",
      "signature", "sig",    "auth",  "hmac",     "client_secret", "refresh_token"};
  for (const char* e : kExact) {
    if (name == e) return true;
  }
  static const char* const kParts[] = {"token",   "secret", "password", "passwd",     "signature",
                                       "api_key", "apikey", "api-key",  "credential", "session"};
  for (const char* p : kParts) {
    if (Contains(name, p)) return true;
  }
  return EndsWith(name, "_key") || EndsWith(name, "-key") || StartsWith(name, "oauth_");
}

/// "a=1&consumer_key=x" -> "a=1&consumer_key=REDACTED". `secrets`, when
/// given, collects the values replaced (raw and decoded).
std::string RedactParams(std::string_view params, std::vector<std::string>* secrets) {
  std::string out;
  size_t start = 0;
  while (true) {
    size_t amp = params.find('&', start);
    std::string_view piece =
        params.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    size_t eq = piece.find('=');
    if (eq != std::string_view::npos && IsSecretParam(piece.substr(0, eq))) {
      out.append(piece.substr(0, eq + 1));
      out.append("REDACTED");
      if (secrets != nullptr) {
        std::string_view value = piece.substr(eq + 1);
        secrets->emplace_back(value);
        secrets->push_back(PercentDecode(value));
      }
    } else {
      out.append(piece);
    }
    if (amp == std::string_view::npos) break;
    out.push_back('&');
    start = amp + 1;
  }
  return out;
}

std::string RedactUrlCollecting(std::string_view url, std::vector<std::string>* secrets) {
  std::string out;
  size_t pos = 0;
  size_t authority_start = std::string_view::npos;
  size_t scheme_end = url.find("://");
  if (scheme_end != std::string_view::npos && scheme_end > 0 &&
      std::all_of(url.begin(), url.begin() + static_cast<std::ptrdiff_t>(scheme_end), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '+' || c == '-' || c == '.';
      })) {
    authority_start = scheme_end + 3;
  } else if (StartsWith(url, "//")) {
    authority_start = 2;
  }
  if (authority_start != std::string_view::npos) {
    size_t authority_end = url.find_first_of("/?#", authority_start);
    if (authority_end == std::string_view::npos) authority_end = url.size();
    std::string_view authority = url.substr(authority_start, authority_end - authority_start);
    out.append(url.substr(0, authority_start));
    size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
      if (secrets != nullptr) {
        std::string_view userinfo = authority.substr(0, at);
        size_t colon = userinfo.find(':');
        secrets->emplace_back(userinfo);
        if (colon != std::string_view::npos) {
          secrets->emplace_back(userinfo.substr(colon + 1));
          secrets->push_back(PercentDecode(userinfo.substr(colon + 1)));
          secrets->emplace_back(userinfo.substr(0, colon));
        }
      }
      authority.remove_prefix(at + 1);
    }
    out.append(authority);
    pos = authority_end;
  }
  size_t query = url.find('?', pos);
  size_t fragment = url.find('#', pos);
  if (query != std::string_view::npos && fragment != std::string_view::npos && query > fragment) {
    query = std::string_view::npos;  // a '?' inside the fragment
  }
  size_t path_end = std::min(query, fragment);
  out.append(url.substr(
      pos, path_end == std::string_view::npos ? std::string_view::npos : path_end - pos));
  if (query != std::string_view::npos) {
    size_t query_end = fragment == std::string_view::npos ? url.size() : fragment;
    out.push_back('?');
    out.append(RedactParams(url.substr(query + 1, query_end - query - 1), secrets));
  }
  if (fragment != std::string_view::npos) {
    out.push_back('#');
    out.append(RedactParams(url.substr(fragment + 1), secrets));
  }
  return out;
}

/// Removes from `message` the URL's credentials wherever they appear (libcurl
/// and other transports may echo the URL, the host or parts of it).
std::string ScrubMessage(std::string message, std::string_view url) {
  std::vector<std::string> secrets;
  const std::string redacted = RedactUrlCollecting(url, &secrets);
  if (!url.empty() && url != redacted) ReplaceAll(message, url, redacted);
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const std::string& secret : secrets) {
    // Very short values would garble the text and are not worth hiding there.
    if (secret.size() >= 3 && secret != "REDACTED") ReplaceAll(message, secret, "REDACTED");
  }
  return message;
}

// ---------------------------------------------------------------------------
// libcurl transport

void GlobalCurlInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Exchange {
  HttpResponse response;
  bool body_too_large = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  const size_t len = size * count;
  if (ex->response.body.size() + len > kMaxResponseBodyBytes) {
    ex->body_too_large = true;
    return 0;  // aborts the transfer with CURLE_WRITE_ERROR
  }
  ex->response.body.append(data, len);
  return len;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  const size_t len = size * count;
  std::string_view line(data, len);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  HttpHeaders& headers = ex->response.headers;
  if (StartsWith(line, "HTTP/")) {
    // A new response starts (after 100 Continue, a proxy's CONNECT reply, …):
    // only the last response's headers are kept.
    headers.clear();
  } else if (line.empty()) {
    // End of a header block.
  } else if ((line.front() == ' ' || line.front() == '\t') && !headers.empty()) {
    std::string_view more = TrimHeader(line);
    if (!more.empty()) {
      headers.back().second.push_back(' ');
      headers.back().second.append(more);
    }
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos && colon > 0) {
    headers.emplace_back(std::string(TrimHeader(line.substr(0, colon))),
                         std::string(TrimHeader(line.substr(colon + 1))));
  }
  return len;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

bool HasLineBreakOrNul(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

class CurlTransport final : public HttpTransport {
 public:
  CurlTransport() {
    GlobalCurlInit();
    handle_ = curl_easy_init();
  }
  ~CurlTransport() override {
    if (handle_ != nullptr) curl_easy_cleanup(handle_);
  }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request) override {
    const std::string where = request.method + " " + RedactUrl(request.url);
    if (handle_ == nullptr) return Status::Permanent(where + ": libcurl could not create a handle");
    if (!IsToken(request.method)) {
      return Status::Permanent("invalid HTTP method in request to " + RedactUrl(request.url));
    }
    if (HasLineBreakOrNul(request.url)) return Status::Permanent(where + ": invalid URL");

    curl_slist* header_list = nullptr;
    bool has_expect = false;
    for (const auto& [name, value] : request.headers) {
      if (!IsToken(name) || HasLineBreakOrNul(value)) {
        curl_slist_free_all(header_list);
        return Status::Permanent(where + ": invalid request header " +
                                 (IsToken(name) ? name : std::string("(name)")));
      }
      if (EqualsIgnoreCase(name, "Expect")) has_expect = true;
      // "Name;" is libcurl's spelling for a header with an empty value.
      std::string line =
          TrimHeader(value).empty() ? name + ";" : name + ": " + std::string(TrimHeader(value));
      curl_slist* grown = curl_slist_append(header_list, line.c_str());
      if (grown == nullptr) {
        curl_slist_free_all(header_list);
        return Status::Transient(where + ": out of memory building headers");
      }
      header_list = grown;
    }
    // No "Expect: 100-continue" round trip for large bodies unless asked for.
    if (!has_expect) {
      if (curl_slist* grown = curl_slist_append(header_list, "Expect:")) header_list = grown;
    }

    Exchange ex;
    CURL* h = handle_;
    curl_easy_reset(h);  // keeps live connections, DNS and TLS session caches
    error_[0] = '\0';
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_);
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500  // 7.85.0
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS,
                     static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl decodes
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "cartsync/0.1");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(request.connect_timeout_ms > 0 ? request.connect_timeout_ms
                                                                      : kDefaultConnectTimeoutMs));
    curl_easy_setopt(
        h, CURLOPT_TIMEOUT_MS,
        static_cast<long>(request.timeout_ms > 0 ? request.timeout_ms : kDefaultTimeoutMs));
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(kMaxResponseBodyBytes));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &ex);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &ex);

    const std::string& m = request.method;
    if (m == "GET" && request.body.empty()) {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (m == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (!request.body.empty() || m == "POST" || m == "PUT" || m == "PATCH") {
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      if (m != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m.c_str());
    } else {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m.c_str());  // DELETE, OPTIONS, …
    }

    const CURLcode rc = curl_easy_perform(h);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
    curl_slist_free_all(header_list);

    if (rc != CURLE_OK) {
      if (ex.body_too_large || rc == CURLE_FILESIZE_EXCEEDED) {
        return Status::Permanent(where + ": response body larger than 64 MiB");
      }
      std::string detail = error_[0] != '\0' ? std::string(error_) : curl_easy_strerror(rc);
      while (!detail.empty() && (detail.back() == '\n' || detail.back() == '\r')) detail.pop_back();
      std::string message = ScrubMessage(where + ": " + detail, request.url);
      switch (rc) {
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
        case CURLE_NOT_BUILT_IN:
        case CURLE_BAD_FUNCTION_ARGUMENT:
        case CURLE_UNKNOWN_OPTION:
          return Status::Permanent(std::move(message));
        default:
          return Status::Transient(std::move(message));
      }
    }
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    ex.response.status = static_cast<int>(code);
    return std::move(ex.response);
  }

 private:
  CURL* handle_ = nullptr;
  char error_[CURL_ERROR_SIZE] = {};
};

// ---------------------------------------------------------------------------
// Retry helpers

/// splitmix64: small, deterministic, good enough for jitter.
uint64_t NextRandom(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// Exponential backoff after failed attempt `attempt` (1-based) with "equal
/// jitter": a uniform value in [d/2, d] where d = base * 2^(attempt-1),
/// capped at max_delay.
int64_t BackoffMs(const RetryPolicy& policy, int attempt, uint64_t& state) {
  const int64_t base = std::max<int64_t>(0, policy.base_delay_ms);
  const int64_t cap = std::max<int64_t>(base, policy.max_delay_ms);
  int64_t d = base;
  for (int i = 1; i < attempt && d < cap; ++i) d = std::min(cap, d * 2);
  d = std::min(d, cap);
  const int64_t half = d / 2;
  const uint64_t span = static_cast<uint64_t>(d - half) + 1;
  return half + static_cast<int64_t>(NextRandom(state) % span);
}

/// Retry-After as milliseconds from now: delta-seconds (Shopify sends
/// "2.0") or an HTTP-date. -1 when absent or unreadable.
int64_t RetryAfterMs(std::string_view value, int64_t now_ms) {
  value = TrimHeader(value);
  if (value.empty()) return -1;
  bool numeric = true, dot = false;
  for (char c : value) {
    if (c == '.' && !dot) {
      dot = true;
    } else if (c < '0' || c > '9') {
      numeric = false;
      break;
    }
  }
  if (numeric) {
    if (value.size() > 12) return INT64_MAX / 4;  // absurdly far: the policy's cap applies
    const double seconds = std::strtod(std::string(value).c_str(), nullptr);
    return static_cast<int64_t>(std::ceil(seconds * 1000.0));
  }
  int64_t at_seconds = 0;
  if (!ParseTimestamp(std::string(value), at_seconds)) return -1;
  return std::max<int64_t>(0, at_seconds * 1000 - now_ms);
}

Status WithCode(StatusCode code, std::string message) {
  switch (code) {
    case StatusCode::Permanent:
      return Status::Permanent(std::move(message));
    case StatusCode::NotFound:
      return Status::NotFound(std::move(message));
    case StatusCode::Locked:
      return Status::Locked(std::move(message));
    case StatusCode::Transient:
    case StatusCode::Ok:
      break;
  }
  return Status::Transient(std::move(message));
}

bool ParseInt64(std::string_view s, int64_t& out) {
  s = TrimHeader(s);
  if (s.empty() || s.size() > 18) return false;
  return connector_util::DigitsValue(s, out);
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

std::unique_ptr<HttpTransport> MakeCurlTransport() { return std::make_unique<CurlTransport>(); }

// ---------------------------------------------------------------------------
// RateLimiter
//
// DelayBeforeNextMs grants one request: it returns how long the caller must
// wait and counts that request against the modelled budget, so several
// threads sharing a limiter queue up instead of all seeing the same free
// slot. Observe replaces the model with what the server last reported.

int64_t RateLimiter::DelayBeforeNextMs(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t t = std::max(now_ms, not_before_ms_);

  // Shopify leaky bucket: keep `headroom` calls free so concurrent callers
  // and other apps on the shop do not push it into 429s.
  if (bucket_used_ >= 0 && bucket_size_ > 0 && leak_per_second_ > 0) {
    t = std::max(t, bucket_seen_ms_);
    const double headroom = std::max(2.0, bucket_size_ / 20.0);
    const double allowed = std::max(0.0, bucket_size_ - headroom - 1);  // level before a call
    const double leaked = leak_per_second_ * static_cast<double>(t - bucket_seen_ms_) / 1000.0;
    double level = std::max(0.0, bucket_used_ - leaked);
    if (level > allowed) {
      const int64_t ready =
          bucket_seen_ms_ +
          static_cast<int64_t>(std::ceil((bucket_used_ - allowed) * 1000.0 / leak_per_second_));
      t = std::max(t, ready);
      level = allowed;
    }
    bucket_used_ = level + 1;
    bucket_seen_ms_ = t;
  }

  // BigCommerce window: spread what is left over the rest of the window.
  if (window_left_ >= 0) {
    if (t >= window_reset_at_ms_) {
      window_left_ = -1;  // a new window: its budget is learnt from the next response
    } else if (window_left_ > 1) {
      const int64_t interval = (window_reset_at_ms_ - t) / window_left_;
      t = std::max(t, window_last_grant_ms_ + interval);
      --window_left_;
    } else {
      t = std::max(t, window_reset_at_ms_);
      window_left_ = -1;
    }
    window_last_grant_ms_ = t;
  }
  return t - now_ms;
}

void RateLimiter::Observe(const HttpResponse& response, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  // Shopify: "X-Shopify-Shop-Api-Call-Limit: 32/40".
  const std::string call_limit = response.Header("X-Shopify-Shop-Api-Call-Limit");
  if (size_t slash = call_limit.find('/'); slash != std::string::npos) {
    int64_t used = 0, size = 0;
    if (ParseInt64(std::string_view(call_limit).substr(0, slash), used) &&
        ParseInt64(std::string_view(call_limit).substr(slash + 1), size) && size > 0 &&
        size < 1'000'000) {
      bucket_used_ = static_cast<double>(std::min(used, size));
      bucket_size_ = static_cast<int>(size);
      bucket_seen_ms_ = now_ms;
      // Standard plans: 40 leaking 2/s; Plus: 80 leaking 4/s.
      leak_per_second_ = std::max(2.0, static_cast<double>(size) / 20.0);
    }
  }
  // BigCommerce: requests left in the window and when it resets.
  int64_t left = 0, reset_ms = 0;
  if (ParseInt64(response.Header("X-Rate-Limit-Requests-Left"), left)) {
    if (!ParseInt64(response.Header("X-Rate-Limit-Time-Reset-Ms"), reset_ms) &&
        !ParseInt64(response.Header("X-Rate-Limit-Time-Window-Ms"), reset_ms)) {
      reset_ms = 30'000;
    }
    reset_ms = std::min<int64_t>(reset_ms, 10 * 60'000);
    window_left_ = left;
    window_reset_at_ms_ = now_ms + reset_ms;
    if (left <= 1) not_before_ms_ = std::max(not_before_ms_, window_reset_at_ms_);
  }
}

// ---------------------------------------------------------------------------
// HttpClient

HttpClient::HttpClient(HttpTransport& transport, Clock& clock, RetryPolicy policy,
                       RateLimiter* limiter)
    : transport_(transport), clock_(clock), policy_(policy), limiter_(limiter) {
  // Seeded from the clock: varies between production runs (so concurrent
  // runs do not retry in lockstep), fixed under a FakeClock.
  uint64_t seed = static_cast<uint64_t>(clock_.NowMs());
  jitter_state_ ^= NextRandom(seed);
}

Result<HttpResponse> HttpClient::Send(const HttpRequest& original) {
  HttpRequest capped;
  if (policy_.max_timeout_ms > 0) {
    capped = original;
    for (int64_t* t : {&capped.timeout_ms, &capped.connect_timeout_ms})
      *t = *t > 0 ? std::min(*t, policy_.max_timeout_ms) : policy_.max_timeout_ms;
  }
  const HttpRequest& request = policy_.max_timeout_ms > 0 ? capped : original;
  const int max_attempts = std::max(1, policy_.max_attempts);
  const std::string where = request.method + " " + RedactUrl(request.url);
  std::string last_failure;
  bool last_was_http = false;
  int attempt = 1;
  for (;; ++attempt) {
    if (limiter_ != nullptr) {
      const int64_t wait = limiter_->DelayBeforeNextMs(clock_.NowMs());
      if (wait > 0) clock_.SleepMs(wait);
    }
    ++attempts_;
    Result<HttpResponse> result = transport_.Send(request);
    int64_t wait_ms = 0;
    if (!result.ok()) {
      std::string message = ScrubMessage(result.status().message(), request.url);
      if (!result.status().transient()) return WithCode(result.status().code(), message);
      if (!request.idempotent) {
        return Status::Transient(message + " (not retried: the request is not idempotent)");
      }
      last_failure = std::move(message);
      last_was_http = false;
      wait_ms = BackoffMs(policy_, attempt, jitter_state_);
    } else {
      if (limiter_ != nullptr) limiter_->Observe(result.value(), clock_.NowMs());
      const int code = result->status;
      const bool too_many = code == 429;
      if (too_many) ++rate_limited_;
      if (!too_many && code != 408 && code < 500) return result;
      last_failure = "HTTP " + std::to_string(code) + " from " + where;
      last_was_http = true;
      if (!request.idempotent && !too_many) {
        return Status::Transient(last_failure + " (not retried: the request is not idempotent)");
      }
      const int64_t retry_after = RetryAfterMs(result->Header("Retry-After"), clock_.NowMs());
      wait_ms = retry_after >= 0 ? std::min(retry_after, policy_.max_retry_after_ms)
                                 : BackoffMs(policy_, attempt, jitter_state_);
    }
    if (attempt >= max_attempts) break;
    clock_.SleepMs(wait_ms);
  }
  const std::string count = std::to_string(attempt) + (attempt == 1 ? " attempt" : " attempts");
  if (last_was_http) return Status::Transient(last_failure + " after " + count);
  return Status::Transient(last_failure + " (after " + count + ")");
}

// ---------------------------------------------------------------------------
// Redaction

std::string RedactUrl(std::string_view url) { return RedactUrlCollecting(url, nullptr); }

bool IsSecretHeader(std::string_view name) {
  const std::string n = ToLower(TrimHeader(name));
  static const char* const kExact[] = {
      "authorization",      "proxy-authorization", "cookie",  "set-cookie",
      "x-auth-token",       "x-api-key",           "api-key", "x-shopify-access-token",
      "x-amz-access-token", "x-amz-security-token"};
  for (const char* e : kExact) {
    if (n == e) return true;
  }
  static const char* const kParts[] = {"token",         "secret",    "password",   "api-key",
                                       "apikey",        "signature", "credential", "session",
                                       "authorization", "cookie"};
  for (const char* p : kParts) {
    if (Contains(n, p)) return true;
  }
  return false;
}

}  // namespace cartsync

// The scripted HttpTransport the cart connector tests share: it answers a
// queue of expected (method, URL substring) steps in order, then `handler`;
// every request is recorded, and anything unexpected is noted and fails.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/net/http_client.h"
#include "base/status.h"

namespace cartsync {

inline HttpResponse Answer(int status, std::string body, HttpHeaders headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

/// The value of header `name` in `r` (exact spelling), or "".
inline std::string HeaderOf(const HttpRequest& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

class ScriptedTransport : public HttpTransport {
 public:
  struct Step {
    std::string method, url_part;
    Result<HttpResponse> response;  ///< or a transport failure
  };

  /// `headers` empty: `default_headers`.
  void Expect(std::string method, std::string url_part, int status, std::string body = "",
              HttpHeaders headers = {}) {
    if (headers.empty()) headers = default_headers;
    script.push_back({std::move(method), std::move(url_part), Answer(status, std::move(body), std::move(headers))});
  }
  void ExpectFailure(std::string method, std::string url_part, Status failure) {
    script.push_back({std::move(method), std::move(url_part), std::move(failure)});
  }

  Result<HttpResponse> Send(const HttpRequest& request) override {
    requests.push_back(request);
    if (!script.empty()) {
      Step step = script.front();
      if (step.method != request.method || request.url.find(step.url_part) == std::string::npos) {
        unexpected.push_back(request.method + " " + request.url + " (expected " + step.method + " …" +
                             step.url_part + ")");
        return Status::Permanent("unexpected request");
      }
      script.pop_front();
      return step.response;
    }
    if (handler) {
      if (auto response = handler(request)) return *response;
    }
    unexpected.push_back(request.method + " " + request.url);
    return Status::Permanent("unexpected request");
  }

  /// For TearDown: nothing unexpected was sent and every step was used.
  void ExpectScriptDone() const {
    EXPECT_TRUE(unexpected.empty()) << ::testing::PrintToString(unexpected);
    EXPECT_TRUE(script.empty()) << script.size() << " scripted steps unused, next " << script.front().method
                                << " …" << script.front().url_part;
  }

  std::deque<Step> script;
  std::vector<HttpRequest> requests;
  std::vector<std::string> unexpected;
  /// Answers requests once the script is used up; nullopt: unexpected.
  std::function<std::optional<HttpResponse>(const HttpRequest&)> handler;
  HttpHeaders default_headers;
};

}  // namespace cartsync

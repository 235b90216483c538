// An HttpTransport that answers from a script, for the tests of everything
// that speaks HTTP (the client's retries, the cart connectors, the WMS http
// transport). A request is answered, in this order, by
//   1. the next scripted step: Expect() (method + URL substring must match)
//      or AnswerNext() (any request);
//   2. a route: Route() answers every request to one exact method + URL;
//   3. `handler`.
// Every request is recorded; one nothing answers is noted in `unexpected`
// and fails. ExpectScriptDone() (in TearDown) checks both.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "runtime/net/http_client.h"

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
    std::string method, url_part;   ///< method "": any request
    Result<HttpResponse> response;  ///< or a transport failure
  };

  /// The next request must be `method` with `url_part` in its URL.
  /// `headers` empty: `default_headers`.
  void Expect(std::string method, std::string url_part, int status, std::string body = "",
              HttpHeaders headers = {}) {
    if (headers.empty()) headers = default_headers;
    script.push_back({std::move(method), std::move(url_part),
                      Answer(status, std::move(body), std::move(headers))});
  }
  /// The next request must be `method` …`url_part`…, and fails with `failure`.
  void ExpectFailure(std::string method, std::string url_part, Status failure) {
    script.push_back({std::move(method), std::move(url_part), std::move(failure)});
  }
  /// The next request, whatever it is, gets this answer.
  void AnswerNext(int status, std::string body = "", HttpHeaders headers = {}) {
    Expect("", "", status, std::move(body), std::move(headers));
  }
  /// The next request, whatever it is, fails with `failure`.
  void FailNext(Status failure) { ExpectFailure("", "", std::move(failure)); }

  /// Once the script is used up, every `method` request to exactly `url`
  /// gets this answer (the first route added wins).
  void Route(std::string method, std::string url, int status, std::string body = "",
             HttpHeaders headers = {}) {
    if (headers.empty()) headers = default_headers;
    routes_.push_back(
        {std::move(method), std::move(url), Answer(status, std::move(body), std::move(headers))});
  }
  /// As Route(), failing every such request with `failure`.
  void RouteFailure(std::string method, std::string url, Status failure) {
    routes_.push_back({std::move(method), std::move(url), std::move(failure)});
  }

  Result<HttpResponse> Send(const HttpRequest& request) override {
    requests.push_back(request);
    if (!script.empty()) {
      Step step = script.front();
      if (!step.method.empty() &&
          (step.method != request.method || request.url.find(step.url_part) == std::string::npos)) {
        unexpected.push_back(request.method + " " + request.url + " (expected " + step.method +
                             " …" + step.url_part + ")");
        return Status::Permanent("unexpected request");
      }
      script.pop_front();
      return step.response;
    }
    for (const Step& route : routes_)
      if (route.method == request.method && route.url_part == request.url) return route.response;
    if (handler) {
      if (auto response = handler(request)) return *response;
    }
    unexpected.push_back(request.method + " " + request.url);
    return Status::Permanent("unexpected request");
  }

  /// How many requests were sent.
  size_t calls() const { return requests.size(); }

  /// For TearDown: nothing unexpected was sent and every step was used.
  void ExpectScriptDone() const {
    EXPECT_TRUE(unexpected.empty()) << ::testing::PrintToString(unexpected);
    EXPECT_TRUE(script.empty()) << script.size() << " scripted steps unused, next "
                                << script.front().method << " …" << script.front().url_part;
  }

  std::deque<Step> script;
  std::vector<HttpRequest> requests;
  std::vector<std::string> unexpected;
  /// Answers requests the script and the routes leave; nullopt: unexpected.
  std::function<std::optional<HttpResponse>(const HttpRequest&)> handler;
  HttpHeaders default_headers;

 private:
  std::vector<Step> routes_;  ///< url_part holds the whole URL
};

}  // namespace cartsync

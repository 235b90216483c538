// HTTP transport, retries, pacing and redaction. CurlTransport is tested
// against a real loopback server (cpp-httplib on 127.0.0.1, any free port);
// HttpClient and RateLimiter against a scripted transport and a fake clock.
#include "runtime/net/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "runtime/clock.h"
#include "tests/support/fake_clock.h"
#include "tests/support/scripted_transport.h"

namespace cartsync {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

int64_t ElapsedMs(steady_clock::time_point since) {
  return std::chrono::duration_cast<milliseconds>(steady_clock::now() - since).count();
}

std::string Gzip(const std::string& in, int level = Z_BEST_COMPRESSION) {
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return "";
  }
  std::string out(deflateBound(&zs, in.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END ? out : "";
}

/// A loopback port nobody listens on (bound, read, released).
int UnusedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

/// Accepts one connection, reads the request head, writes `reply` verbatim
/// and closes. For wire details cpp-httplib will not produce.
class RawOneShotServer {
 public:
  explicit RawOneShotServer(std::string reply) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd_, 4) != 0) {
      return;
    }
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, reply = std::move(reply)] {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 5000) <= 0) return;
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string request;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        pollfd q{c, POLLIN, 0};
        if (poll(&q, 1, 5000) <= 0) break;
        ssize_t n = recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        request.append(buf, static_cast<size_t>(n));
      }
      send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
      shutdown(c, SHUT_WR);
      close(c);
    });
  }
  ~RawOneShotServer() {
    if (thread_.joinable()) thread_.join();
    close(fd_);
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = -1;
  std::thread thread_;
};

// ---------------------------------------------------------------------------
// CurlTransport against a loopback cpp-httplib server

class CurlTransportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { std::signal(SIGPIPE, SIG_IGN); }

  void SetUp() override {
    server_.set_keep_alive_timeout(1);
    server_.set_tcp_nodelay(true);
    server_.Get("/echo", [this](const httplib::Request& req, httplib::Response& res) {
      ++echo_hits_;
      res.set_header("X-Reply", "yes");
      res.set_header("X-Multi", "one");
      res.set_header("X-Multi", "two");
      res.set_content("method=" + req.method + ";x-test=" + req.get_header_value("X-Test") +
                          ";q=" + req.get_param_value("q"),
                      "text/plain");
    });
    auto echo_body = [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(req.method + "|" + req.get_header_value("Content-Type") + "|" +
                          req.get_header_value("Content-Length") + "|" + req.body,
                      "text/plain");
    };
    server_.Post("/echo", echo_body);
    server_.Put("/echo", echo_body);
    server_.Patch("/echo", echo_body);
    server_.Delete("/echo", echo_body);
    server_.Get("/gzip", [this](const httplib::Request& req, httplib::Response& res) {
      std::string compressed = Gzip(GzipPlain());
      {
        std::lock_guard<std::mutex> lock(mu_);
        accept_encoding_ = req.get_header_value("Accept-Encoding");
        compressed_size_ = compressed.size();
      }
      res.set_header("Content-Encoding", "gzip");
      // octet-stream: cpp-httplib leaves it alone (no second compression).
      res.set_content(compressed, "application/octet-stream");
    });
    server_.Get("/bomb", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Content-Encoding", "gzip");
      res.set_content(Gzip(std::string((size_t{64} << 20) + 4096, '\0'), Z_BEST_SPEED),
                      "application/octet-stream");
    });
    server_.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string((size_t{64} << 20) + 1, 'x'), "application/octet-stream");
    });
    server_.Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::seconds(3), [this] { return released_; });
      res.set_content("late", "text/plain");
    });
    server_.Get("/conn", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      remote_ports_.push_back(req.remote_port);
      res.set_content("ok", "text/plain");
    });
    server_.Get("/redirect", [](const httplib::Request&, httplib::Response& res) {
      res.status = 302;
      res.set_header("Location", "/echo");
    });
    server_.Get("/flaky", [this](const httplib::Request&, httplib::Response& res) {
      if (++flaky_calls_ <= 2) {
        res.status = 503;
        res.set_content("busy", "text/plain");
      } else {
        res.set_content("fine", "text/plain");
      }
    });
    // Runs before any handler, so a count read after the client returns is final.
    server_.set_pre_routing_handler([this](const httplib::Request&, httplib::Response&) {
      ++requests_;
      return httplib::Server::HandlerResponse::Unhandled;
    });

    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(milliseconds(2));
    }
    ASSERT_TRUE(server_.is_running());
  }

  void TearDown() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      released_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) {
      server_.stop();
      thread_.join();
    }
  }

  static const std::string& GzipPlain() {
    static const std::string text = [] {
      std::string s;
      for (int i = 0; i < 20000; ++i) s += "order " + std::to_string(i) + " shipped;\n";
      return s;
    }();
    return text;
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  HttpRequest Get(const std::string& path) const {
    HttpRequest r;
    r.url = Url(path);
    r.connect_timeout_ms = 2000;
    r.timeout_ms = 10'000;
    return r;
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  std::string accept_encoding_;
  size_t compressed_size_ = 0;
  std::vector<int> remote_ports_;
  std::atomic<int> flaky_calls_{0};
  std::atomic<int> requests_{0};
  std::atomic<int> echo_hits_{0};
};

TEST_F(CurlTransportTest, GetSendsHeadersAndReturnsStatusBodyAndHeaders) {
  auto transport = MakeCurlTransport();
  HttpRequest req = Get("/echo?q=42");
  req.headers = {{"X-Test", "hello world"}, {"Accept", "text/plain"}};
  Result<HttpResponse> res = transport->Send(req);
  ASSERT_TRUE(res.ok()) << res.status().message();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "method=GET;x-test=hello world;q=42");
  EXPECT_EQ(res->Header("x-reply"), "yes");
  EXPECT_EQ(res->Header("X-REPLY"), "yes");
  EXPECT_EQ(res->Header("Content-Type"), "text/plain");
  EXPECT_EQ(res->Header("X-Absent"), "");
  std::vector<std::string> multi;
  for (const auto& [name, value] : res->headers) {
    if (name == "X-Multi") multi.push_back(value);
  }
  EXPECT_EQ(multi, (std::vector<std::string>{"one", "two"}));
}

TEST_F(CurlTransportTest, MethodsCarryTheirBodies) {
  auto transport = MakeCurlTransport();
  for (const std::string method : {"POST", "PUT", "PATCH"}) {
    HttpRequest req = Get("/echo");
    req.method = method;
    req.headers = {{"Content-Type", "application/json"}};
    req.body = "{\"order\":\"#1001\",\"qty\":2}";
    Result<HttpResponse> res = transport->Send(req);
    ASSERT_TRUE(res.ok()) << method << ": " << res.status().message();
    EXPECT_EQ(res->status, 200) << method;
    EXPECT_EQ(res->body, method + "|application/json|25|{\"order\":\"#1001\",\"qty\":2}");
  }
  HttpRequest del = Get("/echo");
  del.method = "DELETE";
  Result<HttpResponse> res = transport->Send(del);
  ASSERT_TRUE(res.ok()) << res.status().message();
  EXPECT_EQ(res->body, "DELETE|||");

  HttpRequest empty_put = Get("/echo");
  empty_put.method = "PUT";
  res = transport->Send(empty_put);
  ASSERT_TRUE(res.ok()) << res.status().message();
  EXPECT_EQ(res->body.substr(0, 4), "PUT|");
  EXPECT_NE(res->body.find("|0|"), std::string::npos) << res->body;

  // The handle is reset between requests: a GET after a POST is a plain GET.
  res = transport->Send(Get("/echo?q=after"));
  ASSERT_TRUE(res.ok()) << res.status().message();
  EXPECT_EQ(res->body, "method=GET;x-test=;q=after");
}

TEST_F(CurlTransportTest, GzipResponseIsDecoded) {
  auto transport = MakeCurlTransport();
  Result<HttpResponse> res = transport->Send(Get("/gzip"));
  ASSERT_TRUE(res.ok()) << res.status().message();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->Header("Content-Encoding"), "gzip");
  EXPECT_EQ(res->body.size(), GzipPlain().size());
  EXPECT_TRUE(res->body == GzipPlain());
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_NE(accept_encoding_.find("gzip"), std::string::npos) << accept_encoding_;
  EXPECT_LT(compressed_size_ * 5, GzipPlain().size());
}

TEST_F(CurlTransportTest, RedirectsAreReturnedNotFollowed) {
  auto transport = MakeCurlTransport();
  Result<HttpResponse> res = transport->Send(Get("/redirect"));
  ASSERT_TRUE(res.ok()) << res.status().message();
  EXPECT_EQ(res->status, 302);
  EXPECT_EQ(res->Header("Location"), "/echo");
  EXPECT_EQ(requests_.load(), 1);
  EXPECT_EQ(echo_hits_.load(), 0);
}

TEST_F(CurlTransportTest, TimeoutIsTransientBoundedAndRedacted) {
  auto transport = MakeCurlTransport();
  HttpRequest req = Get("/slow?consumer_key=ck_live_abcdef&consumer_secret=cs_live_123456");
  req.timeout_ms = 300;
  const auto start = steady_clock::now();
  Result<HttpResponse> res = transport->Send(req);
  const int64_t elapsed = ElapsedMs(start);
  ASSERT_FALSE(res.ok());
  EXPECT_TRUE(res.status().transient());
  EXPECT_GE(elapsed, 250);
  EXPECT_LT(elapsed, 2500);
  const std::string& msg = res.status().message();
  EXPECT_EQ(msg.find("ck_live_abcdef"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("cs_live_123456"), std::string::npos) << msg;
  EXPECT_NE(msg.find("/slow?consumer_key=REDACTED&consumer_secret=REDACTED"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("GET "), std::string::npos) << msg;
}

TEST_F(CurlTransportTest, ConnectionRefusedIsTransientAndRedacted) {
  const int port = UnusedPort();
  ASSERT_GT(port, 0);
  auto transport = MakeCurlTransport();
  HttpRequest req;
  req.url = "http://shopuser:pa55w0rd-xyz@127.0.0.1:" + std::to_string(port) +
            "/admin/api/2024-10/orders.json?access_token=shpat_0123456789&limit=50";
  req.connect_timeout_ms = 2000;
  req.timeout_ms = 3000;
  const auto start = steady_clock::now();
  Result<HttpResponse> res = transport->Send(req);
  ASSERT_FALSE(res.ok());
  EXPECT_TRUE(res.status().transient());
  EXPECT_LT(ElapsedMs(start), 3000);
  const std::string& msg = res.status().message();
  EXPECT_EQ(msg.find("shpat_0123456789"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("pa55w0rd-xyz"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("shopuser"), std::string::npos) << msg;
  EXPECT_NE(msg.find("access_token=REDACTED&limit=50"), std::string::npos) << msg;

  // The same through HttpClient: retried, then a redacted Transient.
  FakeClock clock;
  HttpClient client(*transport, clock, RetryPolicy{.max_attempts = 2});
  Result<HttpResponse> again = client.Send(req);
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(again.status().transient());
  EXPECT_EQ(client.attempts_made(), 2);
  EXPECT_EQ(again.status().message().find("shpat_0123456789"), std::string::npos);
  EXPECT_EQ(again.status().message().find("pa55w0rd-xyz"), std::string::npos);
  EXPECT_NE(again.status().message().find("after 2 attempts"), std::string::npos)
      << again.status().message();
}

TEST_F(CurlTransportTest, ConnectionIsReusedAcrossRequests) {
  {
    auto transport = MakeCurlTransport();
    for (int i = 0; i < 3; ++i) {
      Result<HttpResponse> res = transport->Send(Get("/conn"));
      ASSERT_TRUE(res.ok()) << res.status().message();
      EXPECT_EQ(res->status, 200);
    }
    auto other = MakeCurlTransport();
    ASSERT_TRUE(other->Send(Get("/conn")).ok());
  }
  std::lock_guard<std::mutex> lock(mu_);
  ASSERT_EQ(remote_ports_.size(), 4u);
  // One client port = one TCP connection for the three requests of a transport.
  EXPECT_EQ(remote_ports_[0], remote_ports_[1]);
  EXPECT_EQ(remote_ports_[1], remote_ports_[2]);
  // A second transport has a connection of its own (the check discriminates).
  EXPECT_NE(remote_ports_[3], remote_ports_[0]);
}

TEST_F(CurlTransportTest, DecompressedBodyOver64MiBIsPermanent) {
  auto transport = MakeCurlTransport();
  HttpRequest req = Get("/bomb");
  req.timeout_ms = 20'000;
  Result<HttpResponse> res = transport->Send(req);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::Permanent);
  EXPECT_NE(res.status().message().find("64 MiB"), std::string::npos) << res.status().message();
}

TEST_F(CurlTransportTest, DeclaredBodyOver64MiBIsPermanent) {
  auto transport = MakeCurlTransport();
  HttpRequest req = Get("/big");
  req.timeout_ms = 20'000;
  Result<HttpResponse> res = transport->Send(req);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::Permanent);
  EXPECT_NE(res.status().message().find("64 MiB"), std::string::npos) << res.status().message();
}

TEST_F(CurlTransportTest, OnlyHttpAndHttpsAreSpoken) {
  auto transport = MakeCurlTransport();
  const std::vector<std::string> urls = {"file:///etc/passwd",
                                         "ftp://127.0.0.1:" + std::to_string(port_) + "/",
                                         "gopher://127.0.0.1:" + std::to_string(port_) + "/"};
  for (const std::string& url : urls) {
    HttpRequest req;
    req.url = url;
    req.timeout_ms = 2000;
    Result<HttpResponse> res = transport->Send(req);
    ASSERT_FALSE(res.ok()) << url;
    EXPECT_EQ(res.status().code(), StatusCode::Permanent) << url << ": " << res.status().message();
  }
  EXPECT_EQ(requests_.load(), 0);
}

TEST_F(CurlTransportTest, HeaderInjectionIsRefusedBeforeSending) {
  auto transport = MakeCurlTransport();
  HttpRequest req = Get("/echo");
  req.headers = {{"X-Test", "a\r\nX-Evil: 1"}};
  Result<HttpResponse> res = transport->Send(req);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::Permanent);
  req.headers = {{"Bad Name", "v"}};
  EXPECT_FALSE(transport->Send(req).ok());
  req.method = "GE T";
  req.headers.clear();
  EXPECT_FALSE(transport->Send(req).ok());
  EXPECT_EQ(requests_.load(), 0);
}

TEST_F(CurlTransportTest, HttpClientRetries5xxOverTheWire) {
  auto transport = MakeCurlTransport();
  FakeClock clock;
  HttpClient client(*transport, clock);
  Result<HttpResponse> res = client.Send(Get("/flaky"));
  ASSERT_TRUE(res.ok()) << res.status().message();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "fine");
  EXPECT_EQ(client.attempts_made(), 3);
  EXPECT_EQ(flaky_calls_.load(), 3);
  EXPECT_GT(clock.slept_ms(), 0);
}

TEST(CurlTransportRawTest, KeepsOnlyTheLastResponsesHeaders) {
  std::signal(SIGPIPE, SIG_IGN);
  RawOneShotServer server(
      "HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n"
      "HTTP/1.1 201 Created\r\nX-Final: 2\r\nX-Folded: first\r\n  second\r\n"
      "Content-Length: 4\r\nConnection: close\r\n\r\nmade");
  ASSERT_GT(server.port(), 0);
  auto transport = MakeCurlTransport();
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/thing";
  req.timeout_ms = 5000;
  Result<HttpResponse> res = transport->Send(req);
  ASSERT_TRUE(res.ok()) << res.status().message();
  EXPECT_EQ(res->status, 201);
  EXPECT_EQ(res->body, "made");
  EXPECT_EQ(res->Header("X-Interim"), "");
  EXPECT_EQ(res->Header("X-Final"), "2");
  EXPECT_EQ(res->Header("X-Folded"), "first second");
  for (const auto& [name, value] : res->headers) {
    EXPECT_NE(name.rfind("HTTP/", 0), 0u) << name;
  }
}

// ---------------------------------------------------------------------------
// HttpClient with a scripted transport

const char kWooUrl[] =
    "https://shop.example/wp-json/wc/v3/orders?consumer_key=ck_9f8e7d&consumer_secret=cs_1a2b3c"
    "&page=2";

HttpRequest WooGet() {
  HttpRequest r;
  r.url = kWooUrl;
  return r;
}

TEST(HttpClientTest, RetriesOn503ThenSucceeds) {
  ScriptedTransport t;
  t.AnswerNext(503);
  t.AnswerNext(503);
  t.AnswerNext(200, "[]");
  FakeClock clock;
  HttpClient client(t, clock);
  Result<HttpResponse> res = client.Send(WooGet());
  ASSERT_TRUE(res.ok()) << res.status().message();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "[]");
  EXPECT_EQ(client.attempts_made(), 3);
  ASSERT_EQ(clock.sleeps().size(), 2u);
  EXPECT_GE(clock.sleeps()[0], 250);
  EXPECT_LE(clock.sleeps()[0], 500);
  EXPECT_GE(clock.sleeps()[1], 500);
  EXPECT_LE(clock.sleeps()[1], 1000);
}

TEST(HttpClientTest, GivesUpAfterMaxAttemptsWithRedactedMessage) {
  ScriptedTransport t;
  for (int i = 0; i < 10; ++i) t.AnswerNext(503);
  FakeClock clock;
  HttpClient client(t, clock);
  Result<HttpResponse> res = client.Send(WooGet());
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::Transient);
  EXPECT_EQ(res.status().message(),
            "HTTP 503 from GET https://shop.example/wp-json/wc/v3/orders?consumer_key=REDACTED"
            "&consumer_secret=REDACTED&page=2 after 5 attempts");
  EXPECT_EQ(client.attempts_made(), 5);
  EXPECT_EQ(t.calls(), 5u);
}

TEST(HttpClientTest, NetworkErrorsAreRetriedAndTheirMessagesScrubbed) {
  ScriptedTransport t;
  const std::string url = "https://admin:hunter2pass@wms.example/api?token=tok_abcdef&x=1";
  for (int i = 0; i < 3; ++i) {
    t.FailNext(Status::Transient("GET " + url + ": connection reset by peer (token tok_abcdef)"));
  }
  FakeClock clock;
  HttpClient client(t, clock, RetryPolicy{.max_attempts = 3});
  HttpRequest req;
  req.url = url;
  Result<HttpResponse> res = client.Send(req);
  ASSERT_FALSE(res.ok());
  EXPECT_TRUE(res.status().transient());
  const std::string& msg = res.status().message();
  EXPECT_EQ(msg.find("hunter2pass"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("tok_abcdef"), std::string::npos) << msg;
  EXPECT_NE(msg.find("https://wms.example/api?token=REDACTED&x=1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("connection reset by peer"), std::string::npos) << msg;
  EXPECT_NE(msg.find("after 3 attempts"), std::string::npos) << msg;
  EXPECT_EQ(client.attempts_made(), 3);
}

TEST(HttpClientTest, TransientNetworkErrorThenSuccess) {
  ScriptedTransport t;
  t.FailNext(Status::Transient("GET https://x/: timed out"));
  t.AnswerNext(204);
  FakeClock clock;
  HttpClient client(t, clock);
  Result<HttpResponse> res = client.Send(WooGet());
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 204);
  EXPECT_EQ(client.attempts_made(), 2);
}

TEST(HttpClientTest, PermanentTransportErrorIsNotRetried) {
  ScriptedTransport t;
  t.FailNext(
      Status::Permanent("GET " + std::string(kWooUrl) + ": response body larger than 64 MiB"));
  t.AnswerNext(200);
  FakeClock clock;
  HttpClient client(t, clock);
  Result<HttpResponse> res = client.Send(WooGet());
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::Permanent);
  EXPECT_EQ(res.status().message().find("ck_9f8e7d"), std::string::npos);
  EXPECT_EQ(client.attempts_made(), 1);
  EXPECT_EQ(clock.slept_ms(), 0);
}

TEST(HttpClientTest, RetryAfterSecondsIsHonouredExactly) {
  ScriptedTransport t;
  t.AnswerNext(429, "", {{"Retry-After", "3"}});
  t.AnswerNext(200);
  FakeClock clock;
  HttpClient client(t, clock);
  Result<HttpResponse> res = client.Send(WooGet());
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(clock.slept_ms(), 3000);
  EXPECT_EQ(client.rate_limited(), 1);
  EXPECT_EQ(client.attempts_made(), 2);
}

TEST(HttpClientTest, RetryAfterFractionalSecondsAsShopifySendsThem) {
  ScriptedTransport t;
  t.AnswerNext(429, "", {{"retry-after", "2.0"}});
  t.AnswerNext(429, "", {{"Retry-After", "0.5"}});
  t.AnswerNext(200);
  FakeClock clock;
  HttpClient client(t, clock);
  ASSERT_TRUE(client.Send(WooGet()).ok());
  EXPECT_EQ(clock.slept_ms(), 2500);
  EXPECT_EQ(client.rate_limited(), 2);
}

TEST(HttpClientTest, RetryAfterHttpDate) {
  ScriptedTransport t;
  // FakeClock starts at 1'795'000'000 s = Wed, 18 Nov 2026 11:06:40 GMT.
  t.AnswerNext(429, "", {{"Retry-After", "Wed, 18 Nov 2026 11:06:47 GMT"}});
  t.AnswerNext(200);
  FakeClock clock;
  HttpClient client(t, clock);
  ASSERT_TRUE(client.Send(WooGet()).ok());
  EXPECT_EQ(clock.slept_ms(), 7000);
}

TEST(HttpClientTest, RetryAfterIsCappedByPolicy) {
  ScriptedTransport t;
  t.AnswerNext(429, "", {{"Retry-After", "3600"}});
  t.AnswerNext(200);
  FakeClock clock;
  HttpClient client(t, clock, RetryPolicy{.max_retry_after_ms = 45'000});
  ASSERT_TRUE(client.Send(WooGet()).ok());
  EXPECT_EQ(clock.slept_ms(), 45'000);
}

TEST(HttpClientTest, TooManyRequestsWithoutRetryAfterBacksOff) {
  ScriptedTransport t;
  t.AnswerNext(429);
  t.AnswerNext(200);
  FakeClock clock;
  HttpClient client(t, clock);
  ASSERT_TRUE(client.Send(WooGet()).ok());
  ASSERT_EQ(clock.sleeps().size(), 1u);
  EXPECT_GE(clock.sleeps()[0], 250);
  EXPECT_LE(clock.sleeps()[0], 500);
  EXPECT_EQ(client.rate_limited(), 1);
}

TEST(HttpClientTest, PersistentTooManyRequestsGivesUp) {
  ScriptedTransport t;
  for (int i = 0; i < 3; ++i) t.AnswerNext(429, "", {{"Retry-After", "1"}});
  FakeClock clock;
  HttpClient client(t, clock, RetryPolicy{.max_attempts = 3});
  Result<HttpResponse> res = client.Send(WooGet());
  ASSERT_FALSE(res.ok());
  EXPECT_TRUE(res.status().transient());
  EXPECT_EQ(res.status().message().rfind("HTTP 429 from GET https://shop.example/", 0), 0u)
      << res.status().message();
  EXPECT_EQ(clock.slept_ms(), 2000);  // no sleep after the last attempt
  EXPECT_EQ(client.rate_limited(), 3);
}

TEST(HttpClientTest, ClientErrorsAndRedirectsAreReturnedAsIs) {
  for (int code : {200, 201, 301, 304, 400, 401, 403, 404, 409, 413, 422}) {
    ScriptedTransport t;
    t.AnswerNext(code, "{\"errors\":\"x\"}", {{"X-Request-Id", "req-1"}});
    t.AnswerNext(200);
    FakeClock clock;
    HttpClient client(t, clock);
    Result<HttpResponse> res = client.Send(WooGet());
    ASSERT_TRUE(res.ok()) << code;
    EXPECT_EQ(res->status, code);
    EXPECT_EQ(res->Header("x-request-id"), "req-1");
    EXPECT_EQ(res->body, "{\"errors\":\"x\"}");
    EXPECT_EQ(client.attempts_made(), 1) << code;
    EXPECT_EQ(clock.slept_ms(), 0) << code;
  }
}

TEST(HttpClientTest, RequestTimeout408IsRetried) {
  ScriptedTransport t;
  t.AnswerNext(408);
  t.AnswerNext(200);
  FakeClock clock;
  HttpClient client(t, clock);
  Result<HttpResponse> res = client.Send(WooGet());
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(client.attempts_made(), 2);
}

TEST(HttpClientTest, NonIdempotentRequestsAreNotRepeatedBlindly) {
  HttpRequest post;
  post.method = "POST";
  post.url = "https://api.bigcommerce.com/stores/abc/v2/orders/7/shipments";
  post.idempotent = false;
  {
    ScriptedTransport t;
    t.AnswerNext(502);
    t.AnswerNext(201);
    FakeClock clock;
    HttpClient client(t, clock);
    Result<HttpResponse> res = client.Send(post);
    ASSERT_FALSE(res.ok());
    EXPECT_TRUE(res.status().transient());
    EXPECT_EQ(client.attempts_made(), 1);
    EXPECT_NE(res.status().message().find("HTTP 502 from POST"), std::string::npos);
  }
  {
    ScriptedTransport t;
    t.FailNext(Status::Transient("POST ...: Operation timed out"));
    t.AnswerNext(201);
    FakeClock clock;
    HttpClient client(t, clock);
    Result<HttpResponse> res = client.Send(post);
    ASSERT_FALSE(res.ok());
    EXPECT_TRUE(res.status().transient());
    EXPECT_EQ(client.attempts_made(), 1);
  }
  {
    // 429: the server did not act on it, so retrying is safe.
    ScriptedTransport t;
    t.AnswerNext(429, "", {{"Retry-After", "1"}});
    t.AnswerNext(201);
    FakeClock clock;
    HttpClient client(t, clock);
    Result<HttpResponse> res = client.Send(post);
    ASSERT_TRUE(res.ok());
    EXPECT_EQ(res->status, 201);
    EXPECT_EQ(client.attempts_made(), 2);
    EXPECT_EQ(clock.slept_ms(), 1000);
  }
}

TEST(HttpClientTest, BackoffIsExponentialJitteredAndCapped) {
  ScriptedTransport t;
  for (int i = 0; i < 8; ++i) t.AnswerNext(500);
  FakeClock clock;
  HttpClient client(t, clock,
                    RetryPolicy{.max_attempts = 8, .base_delay_ms = 1000, .max_delay_ms = 3000});
  ASSERT_FALSE(client.Send(WooGet()).ok());
  const std::vector<int64_t> ceiling = {1000, 2000, 3000, 3000, 3000, 3000, 3000};
  ASSERT_EQ(clock.sleeps().size(), ceiling.size());
  bool jittered = false;
  for (size_t i = 0; i < ceiling.size(); ++i) {
    EXPECT_GE(clock.sleeps()[i], ceiling[i] / 2) << i;
    EXPECT_LE(clock.sleeps()[i], ceiling[i]) << i;
    if (clock.sleeps()[i] != ceiling[i]) jittered = true;
  }
  EXPECT_TRUE(jittered);
  // Not every capped delay is the same value: the jitter spreads them.
  EXPECT_FALSE(std::all_of(clock.sleeps().begin() + 2, clock.sleeps().end(),
                           [&](int64_t v) { return v == clock.sleeps()[2]; }));
}

TEST(HttpClientTest, JitterIsDeterministicUnderAFakeClock) {
  auto run = [] {
    ScriptedTransport t;
    for (int i = 0; i < 5; ++i) t.AnswerNext(503);
    FakeClock clock;
    HttpClient client(t, clock);
    client.Send(WooGet());
    return clock.sleeps();
  };
  const std::vector<int64_t> a = run();
  EXPECT_EQ(a.size(), 4u);
  EXPECT_EQ(a, run());
}

TEST(HttpClientTest, PacesWithTheRateLimiter) {
  ScriptedTransport t;
  t.AnswerNext(200, "", {{"X-Shopify-Shop-Api-Call-Limit", "39/40"}});
  t.AnswerNext(200, "", {{"X-Shopify-Shop-Api-Call-Limit", "38/40"}});
  FakeClock clock;
  RateLimiter limiter;
  HttpClient client(t, clock, RetryPolicy{}, &limiter);
  ASSERT_TRUE(client.Send(WooGet()).ok());
  EXPECT_EQ(clock.slept_ms(), 0);
  ASSERT_TRUE(client.Send(WooGet()).ok());
  // 39 used, 2 kept free: wait until it has leaked to 37 at 2/s.
  EXPECT_EQ(clock.slept_ms(), 1000);
  EXPECT_EQ(client.rate_limited(), 0);
}

// ---------------------------------------------------------------------------
// RateLimiter

HttpResponse WithHeaders(HttpHeaders headers) {
  HttpResponse r;
  r.status = 200;
  r.headers = std::move(headers);
  return r;
}

constexpr int64_t kNow = 1'795'000'000'000;

TEST(RateLimiterTest, NoHeadersNoDelay) {
  RateLimiter limiter;
  EXPECT_EQ(limiter.DelayBeforeNextMs(kNow), 0);
  limiter.Observe(WithHeaders({{"Content-Type", "application/json"}}), kNow);
  EXPECT_EQ(limiter.DelayBeforeNextMs(kNow), 0);
}

TEST(RateLimiterTest, ShopifyBucketNearlyFullDelays) {
  RateLimiter limiter;
  limiter.Observe(WithHeaders({{"X-Shopify-Shop-Api-Call-Limit", "39/40"}}), kNow);
  const int64_t d = limiter.DelayBeforeNextMs(kNow);
  EXPECT_GT(d, 0);
  EXPECT_EQ(d, 1000);
}

TEST(RateLimiterTest, ShopifyBucketWithRoomDoesNotDelay) {
  RateLimiter limiter;
  limiter.Observe(WithHeaders({{"x-shopify-shop-api-call-limit", "10/40"}}), kNow);
  EXPECT_EQ(limiter.DelayBeforeNextMs(kNow), 0);
}

TEST(RateLimiterTest, ShopifyDelayShrinksAsTheBucketLeaks) {
  {
    RateLimiter limiter;
    limiter.Observe(WithHeaders({{"X-Shopify-Shop-Api-Call-Limit", "40/40"}}), kNow);
    EXPECT_EQ(limiter.DelayBeforeNextMs(kNow), 1500);
  }
  {
    RateLimiter limiter;
    limiter.Observe(WithHeaders({{"X-Shopify-Shop-Api-Call-Limit", "38/40"}}), kNow);
    EXPECT_EQ(limiter.DelayBeforeNextMs(kNow), 500);
  }
  {
    RateLimiter limiter;
    limiter.Observe(WithHeaders({{"X-Shopify-Shop-Api-Call-Limit", "39/40"}}), kNow);
    EXPECT_EQ(limiter.DelayBeforeNextMs(kNow + 1000), 0);
  }
  {
    // Plus plan: 80 leaking 4/s, 4 kept free.
    RateLimiter limiter;
    limiter.Observe(WithHeaders({{"X-Shopify-Shop-Api-Call-Limit", "80/80"}}), kNow);
    EXPECT_EQ(limiter.DelayBeforeNextMs(kNow), 1250);
  }
}

TEST(RateLimiterTest, ShopifyGrantsCountAgainstTheBucket) {
  RateLimiter limiter;
  limiter.Observe(WithHeaders({{"X-Shopify-Shop-Api-Call-Limit", "30/40"}}), kNow);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(limiter.DelayBeforeNextMs(kNow), 0) << i;
  EXPECT_EQ(limiter.DelayBeforeNextMs(kNow), 500);
  EXPECT_EQ(limiter.DelayBeforeNextMs(kNow), 1000);
}

TEST(RateLimiterTest, SharedAcrossThreadsHandsOutDistinctSlots) {
  RateLimiter limiter;
  limiter.Observe(WithHeaders({{"X-Shopify-Shop-Api-Call-Limit", "0/40"}}), kNow);
  std::mutex mu;
  std::vector<int64_t> delays;
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&] {
      for (int i = 0; i < 12; ++i) {
        int64_t d = limiter.DelayBeforeNextMs(kNow);
        std::lock_guard<std::mutex> lock(mu);
        delays.push_back(d);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::sort(delays.begin(), delays.end());
  ASSERT_EQ(delays.size(), 48u);
  // 38 go at once (2 kept free), then one every 500 ms.
  for (int i = 0; i < 38; ++i) EXPECT_EQ(delays[i], 0) << i;
  for (int i = 38; i < 48; ++i) EXPECT_EQ(delays[i], (i - 37) * 500) << i;
}

TEST(RateLimiterTest, BigCommerceExhaustedWindowWaitsForReset) {
  RateLimiter limiter;
  limiter.Observe(WithHeaders({{"X-Rate-Limit-Requests-Left", "0"},
                               {"X-Rate-Limit-Requests-Quota", "150"},
                               {"X-Rate-Limit-Time-Reset-Ms", "1500"},
                               {"X-Rate-Limit-Time-Window-Ms", "30000"}}),
                  kNow);
  EXPECT_NEAR(limiter.DelayBeforeNextMs(kNow), 1500, 1);
  // After the reset the budget is unknown until the next response: no wait.
  EXPECT_EQ(limiter.DelayBeforeNextMs(kNow + 1500), 0);
}

TEST(RateLimiterTest, BigCommerceLastRequestIsKeptInReserve) {
  RateLimiter limiter;
  limiter.Observe(
      WithHeaders({{"X-Rate-Limit-Requests-Left", "1"}, {"X-Rate-Limit-Time-Reset-Ms", "800"}}),
      kNow);
  EXPECT_EQ(limiter.DelayBeforeNextMs(kNow + 300), 500);
}

TEST(RateLimiterTest, BigCommerceSpreadsWhatIsLeft) {
  RateLimiter limiter;
  limiter.Observe(
      WithHeaders({{"X-Rate-Limit-Requests-Left", "100"}, {"X-Rate-Limit-Time-Reset-Ms", "20000"}}),
      kNow);
  EXPECT_EQ(limiter.DelayBeforeNextMs(kNow), 0);
  // Back-to-back requests are spaced by what is left over the window (~200 ms).
  const int64_t second = limiter.DelayBeforeNextMs(kNow);
  EXPECT_GE(second, 150);
  EXPECT_LE(second, 250);
}

// ---------------------------------------------------------------------------
// Redaction

TEST(RedactTest, CredentialQueryParametersAreReplaced) {
  EXPECT_EQ(RedactUrl(kWooUrl),
            "https://shop.example/wp-json/wc/v3/orders?consumer_key=REDACTED"
            "&consumer_secret=REDACTED&page=2");
  EXPECT_EQ(RedactUrl("https://x.example/a?access_token=abc&token=def&password=ghi&limit=5"),
            "https://x.example/a?access_token=REDACTED&token=REDACTED&password=REDACTED&limit=5");
  EXPECT_EQ(RedactUrl("https://x.example/a?Consumer_Key=abc&API_KEY=d&Signature=e&key=f&secret=g"),
            "https://x.example/a?Consumer_Key=REDACTED&API_KEY=REDACTED&Signature=REDACTED"
            "&key=REDACTED&secret=REDACTED");
  EXPECT_EQ(RedactUrl("https://x.example/a?client_secret=s&refresh_token=r&X-Amz-Signature=q"),
            "https://x.example/a?client_secret=REDACTED&refresh_token=REDACTED"
            "&X-Amz-Signature=REDACTED");
  // Percent-encoded names are recognised too.
  EXPECT_EQ(RedactUrl("https://x.example/?consumer%5Fkey=abc&a=b"),
            "https://x.example/?consumer%5Fkey=REDACTED&a=b");
  // Fragments carrying tokens (OAuth implicit flow).
  EXPECT_EQ(RedactUrl("https://x.example/cb#access_token=abc&state=1"),
            "https://x.example/cb#access_token=REDACTED&state=1");
}

TEST(RedactTest, HarmlessUrlsAreUnchanged) {
  for (const char* url :
       {"https://shop.myshopify.com/admin/api/2024-10/orders.json?status=open&limit=250",
        "https://shop.myshopify.com/admin/api/2024-10/orders.json?page_info=abc&limit=50",
        "http://127.0.0.1:8080/v2/orders", "https://h.example/p?email=a@b.example",
        "https://h.example/p?flag&x=", ""}) {
    EXPECT_EQ(RedactUrl(url), url);
  }
}

TEST(RedactTest, UserinfoIsRemoved) {
  EXPECT_EQ(RedactUrl("https://user:pa55@host.example/x?y=1"), "https://host.example/x?y=1");
  EXPECT_EQ(RedactUrl("https://ck_abc:cs_def@store.example:8443/wp-json/wc/v3/orders"),
            "https://store.example:8443/wp-json/wc/v3/orders");
  EXPECT_EQ(RedactUrl("http://token@127.0.0.1/"), "http://127.0.0.1/");
}

TEST(RedactTest, SecretHeaders) {
  for (const char* name :
       {"Authorization", "authorization", "Proxy-Authorization", "X-Auth-Token",
        "x-shopify-access-token", "X-Amz-Access-Token", "x-amz-security-token", "Cookie",
        "Set-Cookie", "X-Api-Key", "X-WC-Webhook-Signature", "Client-Secret"}) {
    EXPECT_TRUE(IsSecretHeader(name)) << name;
  }
  for (const char* name : {"Accept", "Content-Type", "X-Request-Id", "User-Agent", "Link",
                           "X-Shopify-Shop-Api-Call-Limit", "X-Rate-Limit-Requests-Left"}) {
    EXPECT_FALSE(IsSecretHeader(name)) << name;
  }
}

// ---------------------------------------------------------------------------
// Clock and timestamps

TEST(TimestampTest, Iso8601) {
  int64_t t = 0;
  ASSERT_TRUE(ParseTimestamp("2026-11-20T10:00:00Z", t));
  EXPECT_EQ(t, 1795168800);
  for (const char* s : {"2026-11-20T10:00:00.123Z", "2026-11-20T10:00:00.999999+00:00",
                        "2026-11-20T12:00:00+02:00", "2026-11-20T05:00:00-0500",
                        "2026-11-20T15:30:00+05:30", "2026-11-20t10:00:00z", "2026-11-20 10:00:00Z",
                        "2026-11-20T10:00:00", "2026-11-20T10:00Z", "  2026-11-20T10:00:00Z\n"}) {
    int64_t v = -1;
    ASSERT_TRUE(ParseTimestamp(s, v)) << s;
    EXPECT_EQ(v, 1795168800) << s;
  }
  ASSERT_TRUE(ParseTimestamp("2026-11-20", t));
  EXPECT_EQ(t, 1795132800);
  ASSERT_TRUE(ParseTimestamp("2024-02-29T23:59:59Z", t));
  EXPECT_EQ(t, 1709251199);
  ASSERT_TRUE(ParseTimestamp("1970-01-01T00:00:00Z", t));
  EXPECT_EQ(t, 0);
}

TEST(TimestampTest, Rfc2822) {
  int64_t t = 0;
  ASSERT_TRUE(ParseTimestamp("Wed, 10 Jan 2018 21:05:30 +0000", t));
  EXPECT_EQ(t, 1515618330);
  for (const char* s : {"Wed, 10 Jan 2018 23:05:30 +0200", "Wed, 10 Jan 2018 16:05:30 -0500",
                        "10 Jan 2018 21:05:30 +0000", "Wed, 10 Jan 2018 21:05:30 GMT",
                        "Wed, 10 jan 2018 21:05:30 UT", "Wed, 10 Jan 2018 13:05:30 PST"}) {
    int64_t v = -1;
    ASSERT_TRUE(ParseTimestamp(s, v)) << s;
    EXPECT_EQ(v, 1515618330) << s;
  }
  ASSERT_TRUE(ParseTimestamp("Wed, 21 Oct 2015 07:28:00 GMT", t));
  EXPECT_EQ(t, 1445412480);
  ASSERT_TRUE(ParseTimestamp("Thu, 1 Jan 1970 00:00:00 +0000", t));
  EXPECT_EQ(t, 0);
}

TEST(TimestampTest, RejectsMalformed) {
  for (const char* s : {"",
                        "   ",
                        "yesterday",
                        "2026-13-01",
                        "2026-02-30",
                        "2025-02-29",
                        "2026-11-20T25:00:00Z",
                        "2026-11-20T10:60:00Z",
                        "2026-11-20T10:00:00Zjunk",
                        "2026-11-20T10:00:00+2",
                        "2026-11-20T10:00:00+24:00",
                        "2026/11/20",
                        "20261120",
                        "2026-11-20T",
                        "Wed, 32 Jan 2018 21:05:30 +0000",
                        "Wed, 10 Foo 2018 21:05:30 +0000",
                        "Wed, 10 Jan 2018 21:05:30",
                        "Wed, 10 Jan 2018 21:05:30 XYZ",
                        "Xyz, 10 Jan 2018 21:05:30 +0000",
                        "1515618330"}) {
    int64_t v = 42;
    EXPECT_FALSE(ParseTimestamp(s, v)) << "'" << s << "'";
    EXPECT_EQ(v, 42) << s;
  }
}

TEST(TimestampTest, IndependentOfTheLocalTimeZone) {
  const char* old = std::getenv("TZ");
  const std::string saved = old != nullptr ? old : "";
  setenv("TZ", "America/New_York", 1);
  tzset();
  int64_t t = 0;
  const bool parsed = ParseTimestamp("2026-11-20T10:00:00Z", t);
  const std::string formatted = FormatIsoUtc(1795168800);
  const bool parsed_date = ParseTimestamp("2026-11-20", t) && t == 1795132800;
  if (old != nullptr) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
  EXPECT_TRUE(parsed);
  EXPECT_TRUE(parsed_date);
  EXPECT_EQ(formatted, "2026-11-20T10:00:00Z");
}

TEST(TimestampTest, FormatIsoUtc) {
  EXPECT_EQ(FormatIsoUtc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatIsoUtc(1795168800), "2026-11-20T10:00:00Z");
  EXPECT_EQ(FormatIsoUtc(1709251199), "2024-02-29T23:59:59Z");
  EXPECT_EQ(FormatIsoUtc(1515618330), "2018-01-10T21:05:30Z");
  for (int64_t s : {int64_t{0}, int64_t{951782400}, int64_t{1795168801}, int64_t{4102444799}}) {
    int64_t back = -1;
    ASSERT_TRUE(ParseTimestamp(FormatIsoUtc(s), back)) << s;
    EXPECT_EQ(back, s);
  }
}

TEST(ClockTest, SystemClockTellsTimeAndSleeps) {
  SystemClock clock;
  const int64_t wall = static_cast<int64_t>(std::time(nullptr)) * 1000;
  const int64_t now = clock.NowMs();
  EXPECT_LE(std::llabs(now - wall), 2000);
  EXPECT_EQ(clock.NowSeconds(), clock.NowMs() / 1000);
  const auto start = steady_clock::now();
  clock.SleepMs(30);
  clock.SleepMs(0);
  clock.SleepMs(-5);
  const int64_t elapsed = ElapsedMs(start);
  EXPECT_GE(elapsed, 30);
  EXPECT_LT(elapsed, 1000);
}

TEST(ClockTest, FakeClockAdvancesInsteadOfSleeping) {
  FakeClock clock(1000);
  clock.SleepMs(250);
  clock.Advance(50);
  EXPECT_EQ(clock.NowMs(), 1300);
  EXPECT_EQ(clock.slept_ms(), 250);
}

}  // namespace
}  // namespace cartsync

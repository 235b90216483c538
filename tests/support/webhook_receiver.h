// A test-only webhook receiver on 127.0.0.1 (cpp-httplib): records the body
// of every POST under /hooks/ and answers with the status the test sets
// (200 by default), so a test can see what [[notify]] sent and make the
// webhook fail.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cartsync {

class WebhookReceiver {
 public:
  /// Binds a free port and serves on a background thread; port() is 0 when
  /// that failed.
  WebhookReceiver() {
    server_.Post(R"(/hooks/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      bodies_.push_back(req.body);
      res.status = status_.load();
      res.set_content(res.status == 200 ? "ok" : "internal_error", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) return;
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ~WebhookReceiver() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  int port() const { return port_; }
  /// http://127.0.0.1:PORT/hooks/ + `path`.
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/hooks/" + path;
  }
  /// What the next POSTs are answered with.
  void AnswerWith(int status) { status_ = status; }
  /// Every body received so far, in order.
  std::vector<std::string> Bodies() const {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> status_{200};
  mutable std::mutex mu_;
  std::vector<std::string> bodies_;
};

}  // namespace cartsync

#include "runtime/notify.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "runtime/order_pipeline.h"
#include "runtime/runner.h"
#include "runtime/state/pii.h"

namespace cartsync {

namespace {

constexpr int kHeldPages = 100;  // 100,000 held orders per cart: a bound, not a limit met
constexpr size_t kDetailChars = 500;

bool IsNotifyEvent(std::string_view kind) {
  const auto& events = NotifyEvents();
  return std::find(events.begin(), events.end(), kind) != events.end();
}

std::string Clip(std::string text) {
  if (text.size() > kDetailChars) {
    size_t cut = kDetailChars;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut) + "…";
  }
  return text;
}

/// The reason of a held order without the order's personal data (an order
/// filter or a WMS rejection may quote an address, a name, an e-mail).
std::string ReasonWithoutPii(const OrderRecord& rec) {
  std::vector<std::string> values;
  std::string cart = rec.cart_order_json, wms = rec.wms_order_json;
  ErasePiiInDocument(cart, values);
  ErasePiiInDocument(wms, values);
  return Clip(ErasePiiInText(rec.reason, values));
}

// Slack's mrkdwn needs &, < and > escaped in text.
std::string SlackEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out.push_back(c);
  }
  return out;
}

/// `text` with every occurrence of the webhook URL, its redacted form and its
/// path (an incoming webhook's path is its secret) replaced.
std::string ScrubUrl(std::string text, const std::string& url) {
  std::vector<std::string> secrets = {url, RedactUrl(url)};
  if (size_t scheme = url.find("://"); scheme != std::string::npos) {
    size_t path = url.find('/', scheme + 3);
    if (path != std::string::npos && url.size() - path >= 8) secrets.push_back(url.substr(path));
  }
  for (const std::string& s : secrets) {
    if (s.empty()) continue;
    for (size_t at; (at = text.find(s)) != std::string::npos;)
      text.replace(at, s.size(), "[webhook]");
  }
  return text;
}

class HttpWebhookSender final : public WebhookSender {
 public:
  HttpWebhookSender(HttpClient& http, std::string url) : http_(http), url_(std::move(url)) {}

  Status Post(const std::string& json_body) override {
    HttpRequest request;
    request.method = "POST";
    request.url = url_;
    request.headers = {{"Content-Type", "application/json"}, {"Accept", "*/*"}};
    request.body = json_body;
    request.connect_timeout_ms = 3'000;
    request.timeout_ms = 10'000;
    request.idempotent = false;  // a repeated POST is a repeated message
    auto r = http_.Send(request);
    if (!r.ok())
      return Status(r.status().code(), "webhook: " + ScrubUrl(r.status().message(), url_));
    if (r->status >= 200 && r->status < 300) return Status::Ok();
    std::string body = r->body.substr(0, 120);
    for (char& c : body)
      if (c == '\n' || c == '\r') c = ' ';
    return Status::Transient("webhook answered HTTP " + std::to_string(r->status) +
                             (body.empty() ? "" : ": " + ScrubUrl(body, url_)));
  }

 private:
  HttpClient& http_;
  std::string url_;
};

std::string TargetLabel(const NotifyConfig& t) {
  return "[[notify]] " + t.url.Text() + " (" + t.format + ")";
}

}  // namespace

std::unique_ptr<WebhookSender> MakeHttpWebhookSender(HttpClient& http, std::string url) {
  return std::make_unique<HttpWebhookSender>(http, std::move(url));
}

RetryPolicy WebhookRetryPolicy() {
  RetryPolicy p;
  p.max_attempts = 2;
  p.base_delay_ms = 500;
  p.max_delay_ms = 2'000;
  p.max_retry_after_ms = 5'000;
  p.max_timeout_ms = 10'000;
  return p;
}

std::string SlackBody(const NotifyEvent& e) {
  std::string order =
      "order " + (e.order_number.empty() ? e.subject : e.order_number) + " of cart " + e.cart_id;
  std::string text;
  if (e.event == "held")
    text = "cartsync: " + order + " is held: " + e.detail;
  else if (e.event == "retry_exhausted")
    text = "cartsync: " + order + " was not sent within its retry window and is held: " + e.detail;
  else if (e.event == "cancel_too_late")
    text = "cartsync: " + order + " was canceled at the cart too late to stop it: " + e.detail;
  else if (e.event == "step_failed")
    text = "cartsync: step " + e.subject + " failed: " + e.detail;
  else
    text = "cartsync: " + e.event + " " + e.subject + ": " + e.detail;
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("text");
  const std::string escaped = SlackEscape(text);
  w.String(escaped.c_str(), static_cast<rapidjson::SizeType>(escaped.size()));
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

std::string EventJson(const NotifyEvent& e, int64_t at_ms) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  auto kv = [&w](const char* k, const std::string& v) {
    w.Key(k);
    w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
  };
  const bool step = e.event == "step_failed";
  w.StartObject();
  kv("event", e.event);
  kv("cart", e.cart_id);
  kv("subject", e.subject);
  kv("order_key", step ? "" : e.subject);
  kv("order_number", e.order_number);
  kv("step", step ? e.subject : "");
  kv("detail", e.detail);
  kv("at", FormatIsoUtc(at_ms / 1000));
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

std::vector<NotifyEvent> CollectEvents(const std::vector<StepOutcome>& steps, StateStore& store,
                                       std::vector<std::string>& errors) {
  std::vector<NotifyEvent> events;
  std::set<std::string> downloaded;  // carts whose order_download ran
  for (const StepOutcome& s : steps) {
    if (s.state == StepOutcome::State::Failed) {
      events.push_back({"step_failed", s.cart_id, s.step_id, "", Clip(s.error)});
    } else if (s.state == StepOutcome::State::Ok) {
      auto forgot = store.ForgetAlerts(s.step_id, "step_failed");  // the streak ends
      if (!forgot.ok()) errors.push_back(forgot.status().message());
    }
    for (const StepEvent& e : s.counts.events)
      if (IsNotifyEvent(e.kind))
        events.push_back({e.kind, s.cart_id, e.order_key, e.order_number, Clip(e.detail)});
    if (s.service == Service::OrderDownload &&
        (s.state == StepOutcome::State::Ok || s.state == StepOutcome::State::Failed))
      downloaded.insert(s.cart_id);
  }
  for (const std::string& cart : downloaded) {
    OrderQuery q;
    q.cart_id = cart;
    q.status = OrderStatus::Held;
    q.limit = 1000;
    for (int page = 0; page < kHeldPages; ++page) {
      auto held = store.ListOrders(q);
      if (!held.ok()) {
        errors.push_back(held.status().message());
        break;
      }
      for (const OrderRecord& rec : held.value()) {
        const bool exhausted = rec.reason == kRetryWindowExhausted;
        events.push_back({exhausted ? "retry_exhausted" : "held", cart, rec.order_key,
                          rec.order_number, ReasonWithoutPii(rec)});
      }
      if (static_cast<int>(held.value().size()) < q.limit) break;
      q.after = std::make_pair(held.value().back().first_seen_ms, held.value().back().order_key);
    }
  }
  return events;
}

NotifyOutcome DeliverAlerts(const std::vector<NotifyConfig>& targets,
                            const std::vector<NotifyEvent>& events, AlertStore& store,
                            const WebhookFactory& webhook, Clock& clock, RunLog& log, int limit) {
  NotifyOutcome out;
  if (targets.empty()) return out;
  auto trouble = [&](const std::string& message) {
    out.errors.push_back(message);
    log.Warn("", "", "alerts: " + message + " (the run goes on; retried next run)");
  };
  std::vector<AlertRecord> rows;
  std::map<std::string, const NotifyConfig*> by_target;
  for (const NotifyConfig& t : targets) {
    by_target.emplace(t.Target(), &t);
    for (const NotifyEvent& e : events) {
      if (std::find(t.events.begin(), t.events.end(), e.event) == t.events.end()) continue;
      AlertRecord a;
      a.target = t.Target();
      a.subject = e.subject;
      a.reason = e.DedupReason();
      a.event = e.event;
      a.cart_id = e.cart_id;
      a.order_number = e.order_number;
      a.detail = e.detail;
      rows.push_back(std::move(a));
    }
  }
  if (!rows.empty()) {
    auto recorded = store.RecordAlerts(rows, clock.NowMs());
    if (recorded.ok())
      out.recorded = recorded.value();
    else
      trouble("cannot record alerts: " + recorded.status().message());
  }
  auto pending = store.PendingAlerts(limit);
  if (!pending.ok()) {
    trouble("cannot read pending alerts: " + pending.status().message());
    return out;
  }
  std::map<std::string, std::unique_ptr<WebhookSender>> senders;
  std::set<std::string> failed;  // targets that failed this run: the rest waits
  for (const AlertRecord& a : pending.value()) {
    auto t = by_target.find(a.target);
    if (t == by_target.end()) continue;  // a target no longer declared: left as it is
    if (failed.count(a.target)) {
      ++out.pending;
      continue;
    }
    auto& sender = senders[a.target];
    if (!sender) {
      auto made = webhook(*t->second);
      if (!made.ok()) {
        failed.insert(a.target);
        ++out.pending;
        trouble(TargetLabel(*t->second) + ": " + made.status().message());
        continue;
      }
      sender = std::move(made.value());
    }
    NotifyEvent e{a.event, a.cart_id, a.subject, a.order_number, a.detail};
    const std::string body =
        t->second->format == "json" ? EventJson(e, a.created_ms) : SlackBody(e);
    Status posted = sender->Post(body);
    Status noted = store.FinishAlert(a.target, a.subject, a.reason, posted.ok(),
                                     posted.ok() ? "" : posted.message(), clock.NowMs());
    if (!noted.ok()) trouble("cannot record an alert's delivery: " + noted.message());
    if (posted.ok()) {
      ++out.sent;
    } else {
      ++out.pending;
      failed.insert(a.target);
      trouble(TargetLabel(*t->second) + ": " + posted.message());
    }
  }
  if (out.sent > 0)
    log.Info("", "", "alerts: " + std::to_string(out.sent) + " sent to [[notify]] webhooks");
  return out;
}

}  // namespace cartsync

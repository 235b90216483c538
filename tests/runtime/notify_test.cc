// [[notify]] alerts (runtime/notify.h) against a fake webhook and a real
// SQLite state store: events from the steps and the held orders, once per
// order and reason, once per failure streak, a failing webhook left pending
// for the next run, Slack and JSON bodies without personal data or the URL.
#include "runtime/notify.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/order_pipeline.h"
#include "runtime/runner.h"
#include "tests/support/fake_clock.h"
#include "tests/support/scripted_transport.h"
#include "tests/support/temp_dir.h"

namespace cartsync {
namespace {

class FakeWebhook : public WebhookSender {
 public:
  explicit FakeWebhook(std::vector<std::string>* posts, Status* answer)
      : posts_(posts), answer_(answer) {}
  Status Post(const std::string& body) override {
    posts_->push_back(body);
    return *answer_;
  }

 private:
  std::vector<std::string>* posts_;
  Status* answer_;
};

rapidjson::Document Parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  EXPECT_FALSE(d.HasParseError()) << text;
  return d;
}

class NotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = OpenStateStore("sqlite:state.db", dir_.path());
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(opened.value());
    NotifyConfig slack;
    slack.url = SecretRef{SecretRef::Kind::Env, "SLACK_WEBHOOK_URL"};
    slack.format = "slack";
    slack.events = NotifyEvents();
    targets_.push_back(slack);
  }

  /// An order held for `reason`, with personal data in its document.
  void Held(const std::string& id, const std::string& reason) {
    OrderRecord o;
    o.order_key = "acme:" + id;
    o.cart_id = "acme";
    o.order_id = id;
    o.order_number = "#" + id;
    o.cart_order_json = R"({"id":")" + id +
                        R"(","ship_to":{"name":"Ada Lovelace","address1":"12 St James's Square",)"
                        R"("city":"London","country":"GB","email":"ada@example.org"}})";
    o.first_seen_ms = o.updated_ms = clock_.NowMs();
    ASSERT_TRUE(store_->RecordDownloaded("acme", {o}, "orders", "").ok());
    ASSERT_TRUE(
        store_->UpdateOrder(o.order_key, OrderStatus::Held, reason, "", false, clock_.NowMs())
            .ok());
  }

  StepOutcome Step(const std::string& service, StepOutcome::State state,
                   const std::string& error = "") {
    StepOutcome s;
    s.cart_id = "acme";
    s.step_id = "acme/" + service;
    s.service = service == "order_download" ? Service::OrderDownload : Service::ShipmentUpload;
    s.state = state;
    s.error = error;
    return s;
  }

  /// One run's alerts: collect from `steps`, deliver.
  NotifyOutcome RunAlerts(const std::vector<StepOutcome>& steps) {
    std::vector<std::string> errors;
    std::vector<NotifyEvent> events = CollectEvents(steps, *store_, errors);
    EXPECT_TRUE(errors.empty()) << errors.front();
    return DeliverAlerts(
        targets_, events, *store_,
        [this](const NotifyConfig&) -> Result<std::unique_ptr<WebhookSender>> {
          return std::unique_ptr<WebhookSender>(new FakeWebhook(&posts_, &answer_));
        },
        clock_, log_);
  }

  TempDir dir_;
  std::unique_ptr<StateStore> store_;
  FakeClock clock_;
  std::ostringstream log_text_;
  RunLog log_{log_text_, LogFormat::Text, clock_};
  std::vector<NotifyConfig> targets_;
  std::vector<std::string> posts_;
  Status answer_ = Status::Ok();
};

TEST_F(NotifyTest, AHeldOrderAlertsOnceAndARerunAlertsNothing) {
  Held("1001", "ship code \"Teleport\" is not mapped in [ship_methods]");
  NotifyOutcome first = RunAlerts({Step("order_download", StepOutcome::State::Ok)});
  EXPECT_EQ(first.recorded, 1);
  EXPECT_EQ(first.sent, 1);
  EXPECT_EQ(first.pending, 0);
  ASSERT_EQ(posts_.size(), 1u);
  rapidjson::Document d = Parse(posts_[0]);
  ASSERT_TRUE(d.IsObject() && d.HasMember("text"));
  const std::string text = d["text"].GetString();
  EXPECT_NE(text.find("#1001"), std::string::npos) << text;
  EXPECT_NE(text.find("acme"), std::string::npos) << text;
  EXPECT_NE(text.find("Teleport"), std::string::npos) << text;
  EXPECT_EQ(text.find("Ada"), std::string::npos) << text;

  NotifyOutcome again = RunAlerts({Step("order_download", StepOutcome::State::Ok)});
  EXPECT_EQ(again.recorded, 0);
  EXPECT_EQ(again.sent, 0);
  EXPECT_EQ(posts_.size(), 1u);
}

TEST_F(NotifyTest, AFailingWebhookLeavesTheAlertPendingForTheNextRun) {
  Held("1002", "ship code \"Teleport\" is not mapped in [ship_methods]");
  Held("1003", "ship code \"Zeppelin\" is not mapped in [ship_methods]");
  answer_ = Status::Transient("webhook answered HTTP 500");
  NotifyOutcome failed = RunAlerts({Step("order_download", StepOutcome::State::Ok)});
  EXPECT_EQ(failed.sent, 0);
  EXPECT_EQ(failed.pending, 2);
  EXPECT_EQ(posts_.size(), 1u) << "the first failure stops that webhook for this run";
  ASSERT_EQ(failed.errors.size(), 1u);
  EXPECT_NE(failed.errors[0].find("env:SLACK_WEBHOOK_URL"), std::string::npos);
  EXPECT_NE(log_text_.str().find("HTTP 500"), std::string::npos);

  answer_ = Status::Ok();
  NotifyOutcome next = RunAlerts({Step("order_download", StepOutcome::State::Ok)});
  EXPECT_EQ(next.recorded, 0);
  EXPECT_EQ(next.sent, 2);
  EXPECT_EQ(next.pending, 0);
  EXPECT_TRUE(store_->PendingAlerts(10).value().empty());
}

TEST_F(NotifyTest, StepFailedOncePerStreak) {
  auto failing = Step("shipment_upload", StepOutcome::State::Failed, "WMS answered HTTP 503");
  EXPECT_EQ(RunAlerts({failing}).sent, 1);
  EXPECT_EQ(RunAlerts({failing}).sent, 0) << "the same streak";
  EXPECT_EQ(RunAlerts({Step("shipment_upload", StepOutcome::State::Ok)}).sent, 0);
  EXPECT_EQ(RunAlerts({failing}).sent, 1) << "a new streak";
  ASSERT_EQ(posts_.size(), 2u);
  const std::string text = Parse(posts_[0])["text"].GetString();
  EXPECT_NE(text.find("acme/shipment_upload"), std::string::npos) << text;
  EXPECT_NE(text.find("HTTP 503"), std::string::npos) << text;
}

TEST_F(NotifyTest, RetryExhaustedAndStepEventsAndTheJsonDocument) {
  targets_[0].format = "json";
  Held("1004", kRetryWindowExhausted);
  StepOutcome download = Step("order_download", StepOutcome::State::Ok);
  download.counts.events.push_back(
      {"cancel_too_late", "acme:1005", "#1005", "the WMS answered shipped"});
  download.counts.events.push_back({"not_an_alert", "acme:1006", "#1006", ""});
  NotifyOutcome out = RunAlerts({download});
  EXPECT_EQ(out.sent, 2);
  ASSERT_EQ(posts_.size(), 2u);
  std::set<std::string> events;
  for (const std::string& p : posts_) {
    rapidjson::Document d = Parse(p);
    ASSERT_TRUE(d.IsObject());
    events.insert(d["event"].GetString());
    EXPECT_STREQ(d["cart"].GetString(), "acme");
    EXPECT_TRUE(d.HasMember("order_key") && d.HasMember("order_number") && d.HasMember("detail") &&
                d.HasMember("at") && d.HasMember("step") && d.HasMember("subject"));
    EXPECT_STREQ(d["step"].GetString(), "");
  }
  EXPECT_EQ(events, (std::set<std::string>{"retry_exhausted", "cancel_too_late"}));
  EXPECT_EQ(RunAlerts({download}).sent, 0);  // once per order
}

TEST_F(NotifyTest, OnlyTheChosenEventsGoToATarget) {
  targets_[0].events = {"step_failed"};
  Held("1007", "ship code \"Teleport\" is not mapped in [ship_methods]");
  NotifyOutcome out = RunAlerts({Step("order_download", StepOutcome::State::Ok)});
  EXPECT_EQ(out.recorded, 0);
  EXPECT_TRUE(posts_.empty());
}

TEST_F(NotifyTest, AReasonQuotingPersonalDataIsClearedOfIt) {
  Held("1008", "order filter: ship_to.email \"ada@example.org\" is not in the list");
  RunAlerts({Step("order_download", StepOutcome::State::Ok)});
  ASSERT_EQ(posts_.size(), 1u);
  EXPECT_EQ(posts_[0].find("ada@example.org"), std::string::npos) << posts_[0];
  auto pending = store_->PendingAlerts(10);  // delivered: nothing pending; the row holds no PII
  EXPECT_TRUE(pending.ok() && pending.value().empty());
}

TEST(NotifyBodies, SlackEscapesAndJsonCarriesTheFields) {
  NotifyEvent e{"held", "acme", "acme:7", "#7", "item \"<B&W>\" has no WMS SKU"};
  rapidjson::Document slack = Parse(SlackBody(e));
  const std::string text = slack["text"].GetString();
  EXPECT_NE(text.find("&lt;B&amp;W&gt;"), std::string::npos) << text;
  rapidjson::Document json = Parse(EventJson(e, 1'795'000'000'000));
  EXPECT_STREQ(json["event"].GetString(), "held");
  EXPECT_STREQ(json["order_key"].GetString(), "acme:7");
  EXPECT_STREQ(json["order_number"].GetString(), "#7");
  EXPECT_STREQ(json["at"].GetString(), "2026-11-18T11:06:40Z");
  EXPECT_EQ(e.DedupReason(), "held:item \"<B&W>\" has no WMS SKU");
}

TEST(HttpWebhookSenderTest, FailuresNeverShowTheUrlAndAreNotRepeated) {
  const std::string url = "https://hooks.example.com/services/T0AAA/B0BBB/s3cr3tPathPart";
  ScriptedTransport transport;
  FakeClock clock;
  HttpClient http(transport, clock, WebhookRetryPolicy());
  transport.ExpectFailure("POST", "/services/T0AAA",
                          Status::Transient("Could not connect to " + url + " (refused)"));
  transport.Expect("POST", "/services/T0AAA", 500, "invalid_payload at " + url);
  transport.Expect("POST", "/services/T0AAA", 200, "ok");
  auto sender = MakeHttpWebhookSender(http, url);
  Status down = sender->Post(R"({"text":"x"})");
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.message().find("s3cr3tPathPart"), std::string::npos) << down.message();
  Status refused = sender->Post(R"({"text":"x"})");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find("HTTP 500"), std::string::npos) << refused.message();
  EXPECT_EQ(refused.message().find("s3cr3tPathPart"), std::string::npos) << refused.message();
  EXPECT_TRUE(sender->Post(R"({"text":"x"})").ok());
  ASSERT_EQ(transport.requests.size(), 3u);  // one attempt each: a repeated POST repeats a message
  EXPECT_EQ(transport.requests[2].body, R"({"text":"x"})");
  EXPECT_LE(transport.requests[2].timeout_ms, 10'000);
  EXPECT_LE(transport.requests[2].connect_timeout_ms, 3'000);
  transport.ExpectScriptDone();
}

}  // namespace
}  // namespace cartsync

// `[[notify]]` alerts (cart-format.md "State, retention and alerts"): after
// the carts of a run, the events a person must hear about at once go to the
// project's webhooks — Slack-style text or the JSON event document:
//
//   held             an order held (once per order and reason; the seed
//                    product e-mails at once for an unmapped ship code)
//   retry_exhausted  an order whose 15-day retry window ran out (once per order)
//   step_failed      a step failed (once per step and failure streak: a
//                    success ends the streak)
//   cancel_too_late  an order canceled at the cart after the WMS started or
//                    shipped it (once per order)
//
// Where events come from (CollectEvents): the steps' outcomes (step_failed),
// the events steps push into StepCounts::events (cart_context.h; the
// cancellation pass pushes cancel_too_late there — any event whose kind is
// a notify event is taken), and the state store's held orders of the carts
// whose order_download ran (held, retry_exhausted). Deduplication is the
// state store's (alert_store.h): each (target, subject, reason) is recorded
// once and delivered until a webhook takes it, so a rerun alerts nothing
// twice and a webhook that failed is retried on the next run. A failing
// webhook never fails the run: it is reported (RunReport::notify) and logged.
// Nothing here sees the webhook URL: RunEnvironment::Webhook resolves it and
// hands back a sender bound to it, whose messages never contain it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "model/plan.h"
#include "runtime/clock.h"
#include "runtime/net/http_client.h"
#include "runtime/run_log.h"
#include "runtime/state/state_store.h"

namespace cartsync {

struct StepOutcome;  // runner.h

/// One thing to alert about.
struct NotifyEvent {
  std::string event;         ///< held | step_failed | retry_exhausted | cancel_too_late
  std::string cart_id;       ///< the cart
  std::string subject;       ///< the order key; the step id for step_failed
  std::string order_number;  ///< what people see ("" for step_failed)
  std::string detail;        ///< why, without personal data
  /// What is alerted once (with the subject): the event, and for held the
  /// reason too (an order held again for another reason alerts again).
  std::string DedupReason() const { return event == "held" ? "held:" + detail : event; }
};

/// Posts alert bodies to one webhook. Production: HttpWebhookSender; tests
/// use a fake.
class WebhookSender {
 public:
  virtual ~WebhookSender() = default;
  /// POSTs `json_body` (Content-Type: application/json); Ok on a 2xx. The
  /// message of a failure never contains the URL.
  virtual Status Post(const std::string& json_body) = 0;
};

/// A sender over `http` to `url` (owned by the caller's HttpClient), with
/// short timeouts (3 s to connect, 10 s in all per attempt). Failure
/// messages name the HTTP status or the kind of network error only.
std::unique_ptr<WebhookSender> MakeHttpWebhookSender(HttpClient& http, std::string url);

/// The retries of an alert POST: two attempts, short back-off; with the
/// sender's timeouts, a dead webhook costs a run well under a minute.
RetryPolicy WebhookRetryPolicy();

/// `{"text": "…"}`: the cart, the order number (or the step), the event and
/// the reason, one line. Neither personal data nor secrets: the reason has
/// been cleared of personal data where it was collected.
std::string SlackBody(const NotifyEvent& e);

/// The event document: {"event", "cart", "subject", "order_key",
/// "order_number", "step", "detail", "at"} (docs/operations.md "Alerts").
std::string EventJson(const NotifyEvent& e, int64_t at_ms);

/// The run's events (see the top of this file): from `steps` (outcomes and
/// their StepCounts::events) and, for each cart whose order_download step
/// ran, its held orders in `store`. A step that succeeded ends its failure
/// streak: its step_failed alert is forgotten (AlertStore::ForgetAlerts).
/// Errors reading the store are returned in `errors`, never fatal.
std::vector<NotifyEvent> CollectEvents(const std::vector<StepOutcome>& steps, StateStore& store,
                                       std::vector<std::string>& errors);

/// What the alerts of a run came to (the run report's "notify").
struct NotifyOutcome {
  int recorded = 0;                 ///< new alerts recorded this run
  int sent = 0;                     ///< delivered this run (new or left from earlier runs)
  int pending = 0;                  ///< still to deliver (retried next run)
  std::vector<std::string> errors;  ///< one per failing webhook, or state-store trouble
};

/// Gets the sender for a [[notify]] target (RunEnvironment::Webhook).
using WebhookFactory =
    std::function<Result<std::unique_ptr<WebhookSender>>(const NotifyConfig& target)>;

/// Records `events` as alerts for every target that wants them (deduplicated
/// by the store), then delivers every pending alert of a configured target,
/// oldest first, at most `limit`; a target's first failure stops its
/// deliveries for this run (the rest stay pending). Never fails: trouble is
/// in the outcome and the log.
NotifyOutcome DeliverAlerts(const std::vector<NotifyConfig>& targets,
                            const std::vector<NotifyEvent>& events, AlertStore& store,
                            const WebhookFactory& webhook, Clock& clock, RunLog& log,
                            int limit = 500);

}  // namespace cartsync

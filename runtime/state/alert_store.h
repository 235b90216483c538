// The alert role of the state store: `[[notify]]` alerts (runtime/notify.h),
// each recorded once per webhook target, subject and reason, pending until
// the webhook took it. The record is the deduplication: an alert recorded
// before is not recorded (nor sent) again, so a rerun does not alert twice,
// and one whose webhook failed stays pending for the next run. Part of
// StateStore (state_store.h); each method is one transaction. Nothing here
// holds the webhook URL (a secret): a target is named by its secret
// reference and format.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace cartsync {

struct AlertRecord {
  std::string target;   ///< the [[notify]] entry: "<secret reference>|<format>"
  std::string subject;  ///< the order key, or the step id (step_failed)
  std::string reason;   ///< what is alerted once: "held:<why>", "step_failed", …
  std::string event;    ///< held | step_failed | retry_exhausted | cancel_too_late
  std::string cart_id, order_number;
  std::string detail;  ///< the reason as people read it (no personal data)
  int64_t created_ms = 0;
  int64_t delivered_ms = 0;  ///< 0: pending
  int attempts = 0;          ///< failed deliveries
  std::string error;         ///< the last delivery error (never the URL)
};

class AlertStore {
 public:
  virtual ~AlertStore() = default;
  /// Records the alerts whose (target, subject, reason) was never recorded,
  /// as pending with created_ms = `now_ms`, all in one transaction; known
  /// ones are left as they are (delivered or pending). The number recorded.
  virtual Result<int> RecordAlerts(const std::vector<AlertRecord>& alerts, int64_t now_ms) = 0;
  /// Pending alerts, oldest first (created_ms, target, subject, reason), at
  /// most `limit` (> 0).
  virtual Result<std::vector<AlertRecord>> PendingAlerts(int limit) = 0;
  /// The webhook took it (`delivered`: delivered_ms = now_ms, error
  /// cleared) or not (one attempt counted, `error` kept, still pending).
  /// NotFound when no such alert is recorded.
  virtual Status FinishAlert(const std::string& target, const std::string& subject,
                             const std::string& reason, bool delivered, const std::string& error,
                             int64_t now_ms) = 0;
  /// Forgets every alert of `subject` with `reason` (all targets, delivered
  /// or not): a step that succeeds ends its failure streak, and its next
  /// failure is alerted again. The number forgotten.
  virtual Result<int> ForgetAlerts(const std::string& subject, const std::string& reason) = 0;
};

}  // namespace cartsync

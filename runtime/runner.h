// Carries out a plan: per cart (carts in parallel, bounded), under the
// cart's lease, first reconcile unfinished side effects, then the steps in
// order — order download, shipment upload, inventory upload. Every side
// effect is bracketed by state-store transactions (intent before, result
// after), so a rerun, a crash, a retry or an overlapping run never
// duplicates or loses an order, a shipment or an inventory update.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/plan.h"
#include "runtime/cart_context.h"
#include "runtime/carts/cart_connector.h"
#include "runtime/clock.h"
#include "runtime/notify.h"
#include "runtime/process_table.h"
#include "runtime/run_log.h"
#include "runtime/shipment_feed.h"
#include "runtime/state/state_store.h"
#include "runtime/time_zone.h"
#include "runtime/wms/wms_client.h"

namespace cartsync {

// `= {}` on the members with no other default: designated initializers that
// name only some options (`Run({.dry_run = true})`) then raise no GCC
// -Wmissing-field-initializers (an error under CARTSYNC_WERROR).
struct RunOptions {
  std::vector<std::string> carts = {};  ///< --cart; empty = all
  std::vector<Service> services = {};   ///< --service; empty = all
  bool due = false;                     ///< only steps whose schedule has come round
  bool dry_run = false;                 ///< read carts and WMS, write nothing anywhere
  int concurrency = 4;                  ///< threads running carts (HTTP, CPU)
  /// Carts under way at once, each a fiber on those threads: a cart asleep
  /// in a rate-limit wait holds no thread (runner.cc).
  int max_carts_in_flight = 1024;
  int wms_connections = 4;  ///< per cart, orders pushed at once to an http WMS
  int64_t lease_ms = 15 * 60 * 1000;
  int64_t retry_window_ms = 15LL * 24 * 3600 * 1000;
  int64_t download_overlap_ms = 10 * 60 * 1000;  ///< re-read this much before the cursor
  std::string owner = {};                        ///< lease owner id; default host:pid:start
};

/// Called (from worker threads, serialized) as each cart finishes: for a
/// progress line. `done` carts of `total`.
using ProgressFn = std::function<void(const std::string& cart, size_t done, size_t total)>;

/// The factories of the side effects a run needs, so tests inject fakes
/// and production wires HTTP, processes and files.
class RunEnvironment {
 public:
  virtual ~RunEnvironment() = default;
  virtual Result<std::unique_ptr<CartConnector>> Connector(const CartConfig& cart) = 0;
  virtual Result<std::unique_ptr<WmsClient>> Wms(const WmsConfig& wms,
                                                 const std::string& cart_id) = 0;
  /// Who is still running on this host (lease takeover after a crash).
  virtual ProcessTable& Processes() { return NoProcessTable(); }
  /// Zone rules for `daily at HH:MM ZONE` schedules (--due).
  virtual TimeZones& Zones();
  /// The sender of a [[notify]] webhook, its URL resolved from the secret
  /// reference (notify.h); by default none (an error the report shows).
  virtual Result<std::unique_ptr<WebhookSender>> Webhook(const NotifyConfig& target);
};

struct StepOutcome {
  std::string step_id, cart_id;
  Service service = Service::OrderDownload;
  enum class State { Ok, Failed, NotDue, Locked } state = State::Ok;
  std::string error;
  StepCounts counts;
  int64_t started_ms = 0, finished_ms = 0;
  std::vector<std::string> preview;  ///< --dry-run: what would happen, one line each
};

struct RunReport {
  int64_t run_id = 0;  ///< 0 in a dry run
  bool dry_run = false;
  int64_t started_ms = 0, finished_ms = 0;
  std::vector<StepOutcome> steps;  ///< sorted by step id
  /// PII retention after the carts ([state].retain_pii, store-wide): orders
  /// whose personal data this run erased, and why it could not (logged; the
  /// run's exit status does not change).
  int pii_erased = 0;
  std::string pii_error;
  /// [[notify]] alerts after the carts (notify.h): sent, still pending, and
  /// why a webhook failed. Never a failure of the run.
  NotifyOutcome notify;
  bool ok() const;  ///< no step failed (locked and not-due are not failures)
};

/// Runs the plan's carts on a small pool of threads; per cart, the steps
/// (cart_context.h and the services) under the cart's lease (cart_lease.h).
class Runner {
 public:
  Runner(const Plan& plan, StateStore& store, RunEnvironment& env, Clock& clock, RunLog& log,
         RunOptions options);
  /// Runs the selected steps and records the run; never stops early: each
  /// step's failure is in the report.
  RunReport Run();
  /// Sets the progress callback (before Run).
  void OnProgress(ProgressFn fn) { progress_ = std::move(fn); }

 private:
  /// One cart's steps, in order. `run_id` gives the run's record id,
  /// creating the record when the state store could not at the start (0
  /// while it still cannot).
  std::vector<StepOutcome> RunCart(const PlanCart& cart, const std::function<int64_t()>& run_id);
  /// The cart's steps that --service and --due select; the others --due
  /// turned away go to `outcomes` (not due, or failed to tell).
  std::vector<const PlanStep*> SelectSteps(const PlanCart& cart,
                                           std::vector<StepOutcome>& outcomes);
  /// Opens the cart's WMS and cart connections.
  Status Connect(const CartConfig& cart, std::unique_ptr<WmsClient>* wms,
                 std::unique_ptr<CartConnector>* connector);
  /// Records a finished step under the run (logged when it cannot be).
  void RecordStep(const StepOutcome& step, const std::function<int64_t()>& run_id);

  /// --due: whether each step's schedule came round, or why that cannot be
  /// told (an unknown time zone). Decided before the workers start.
  struct DueCheck {
    bool due = true;
    std::string error;
    bool known = false;           ///< `last` was read: re-checked by the claim
    std::optional<int64_t> last;  ///< the last success it was judged by
  };
  void CheckDue(const std::vector<const PlanCart*>& carts);

  const Plan& plan_;
  StateStore& store_;
  RunEnvironment& env_;
  Clock& clock_;
  RunLog& log_;
  RunOptions options_;
  ProgressFn progress_;
  std::map<std::string, DueCheck> due_;  ///< by step id
  /// The run's shared shipment reads, by [wms.NAME] (shipment_feed.h);
  /// made before the carts start, read-only as a map while they run.
  std::map<std::string, std::unique_ptr<ShipmentFeed>> feeds_;
};

}  // namespace cartsync

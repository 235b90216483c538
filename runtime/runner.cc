#include "runtime/runner.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/fiber/all.hpp>
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CARTSYNC_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(CARTSYNC_ASAN)
#include <sanitizer/asan_interface.h>
#endif
#include <mutex>
#include <thread>
#include <utility>

#include "runtime/cart_lease.h"
#include "runtime/inventory_upload.h"
#include "runtime/order_download.h"
#include "runtime/reconcile.h"
#include "runtime/shipment_upload.h"
#include "runtime/state/pii.h"

namespace cartsync {

bool RunReport::ok() const {
  return std::none_of(steps.begin(), steps.end(),
                      [](const StepOutcome& s) { return s.state == StepOutcome::State::Failed; });
}

namespace {

// A cart fiber's stack: reserved, touched only as deep as the cart's calls
// go (libcurl, SQLite, RapidJSON), with a guard page below it.
constexpr size_t kFiberStack = 1 << 20;

// protected_fixedsize_stack that clears AddressSanitizer's shadow of a stack
// before unmapping it: ASan is not told of fiber switches (Debian's
// Boost.Context has no sanitizer hooks), so frames left on a fiber stack keep
// their redzones, and memory mapped there later would read as poisoned.
class FiberStack {
 public:
  explicit FiberStack(size_t size) : inner_(size) {}
  boost::context::stack_context allocate() { return inner_.allocate(); }
  void deallocate(boost::context::stack_context& sc) {
#if defined(__SANITIZE_ADDRESS__) || defined(CARTSYNC_ASAN)
    __asan_unpoison_memory_region(static_cast<char*>(sc.sp) - sc.size, sc.size);
#endif
    inner_.deallocate(sc);
  }

 private:
  boost::fibers::protected_fixedsize_stack inner_;
};

// --cart and --service: an empty filter wants everything.
template <class T>
bool Wants(const std::vector<T>& filter, const T& v) {
  return filter.empty() || std::find(filter.begin(), filter.end(), v) != filter.end();
}

StepOutcome Outcome(const PlanStep& s, const std::string& cart_id) {
  StepOutcome o;
  o.step_id = s.id;
  o.cart_id = cart_id;
  o.service = s.service;
  return o;
}

void Fail(StepOutcome& o, const Status& why) {
  o.state = StepOutcome::State::Failed;
  o.error = why.message();
}

Status RunStep(Service service, CartContext& cart, StepOutcome& o) {
  switch (service) {
    case Service::OrderDownload:
      return DownloadOrders(cart, o.counts, o.preview);
    case Service::ShipmentUpload:
      return UploadShipments(cart, o.counts, o.preview);
    case Service::InventoryUpload:
      return UploadInventory(cart, o.counts, o.preview);
  }
  return Status::Ok();
}

}  // namespace

Runner::Runner(const Plan& plan, StateStore& store, RunEnvironment& env, Clock& clock, RunLog& log,
               RunOptions options)
    : plan_(plan),
      store_(store),
      env_(env),
      clock_(clock),
      log_(log),
      options_(std::move(options)) {
  if (options_.owner.empty())
    options_.owner =
        HostName() + ":" + std::to_string(::getpid()) + ":" + std::to_string(clock_.NowMs());
  options_.concurrency = std::max(1, options_.concurrency);
  options_.max_carts_in_flight = std::max(options_.concurrency, options_.max_carts_in_flight);
}

Result<std::unique_ptr<WebhookSender>> RunEnvironment::Webhook(const NotifyConfig& target) {
  // Worded so GCC's inlined string immediates hold no lone fragment lintian
  // flags as a misspelling ("…environ" + "ment").
  return Status::Permanent("webhooks unavailable: " + target.url.Text());
}

TimeZones& RunEnvironment::Zones() {
  static const std::unique_ptr<TimeZones> system = MakeSystemTimeZones();
  return *system;
}

// Zone rules switch the process's TZ, so schedules are evaluated here, on
// the calling thread, before any worker runs. A step with no successful run
// yet is due. One whose last success cannot be read fails: run blindly, it
// could not be re-checked in the claim, and another runner may have run it.
void Runner::CheckDue(const std::vector<const PlanCart*>& carts) {
  due_.clear();
  for (const PlanCart* pc : carts) {
    for (const PlanStep& s : pc->steps) {
      DueCheck& check = due_[s.id];
      auto last = store_.LastSuccessMs(s.id);
      if (!last.ok()) {
        check.error = "cannot tell whether the step is due: " + last.status().message();
        continue;
      }
      check.known = true;
      check.last = last.value();
      if (!last.value()) continue;
      const int64_t last_s = *last.value() / 1000;
      int64_t next = 0;
      if (s.every.kind == Schedule::Kind::Daily && !s.every.tz.empty()) {
        auto at = env_.Zones().NextDaily(s.every.tz, s.every.hour, s.every.minute, last_s);
        if (!at.ok()) {
          check.error = "schedule \"" + s.every.Canonical() + "\": " + at.status().message();
          continue;
        }
        next = at.value();
      } else {
        next = s.every.NextAfter(last_s);
      }
      check.due = next <= clock_.NowSeconds();
    }
  }
}

RunReport Runner::Run() {
  RunReport report;
  report.dry_run = options_.dry_run;
  report.started_ms = clock_.NowMs();
  // The run's record: created now, or — when the state store is busy or
  // failing at the start — by the first cart that has a step to record, so
  // the steps that do run are not left without a run (their records would
  // break the foreign key, and --due and the metrics would not see them).
  std::mutex run_mu;
  bool run_logged = false;
  const RunRecord run{
      0, report.started_ms, 0, "running", HostName(), static_cast<int64_t>(::getpid()), ""};
  std::function<int64_t()> run_id = [&]() -> int64_t {
    std::lock_guard<std::mutex> lock(run_mu);
    if (report.run_id || options_.dry_run) return report.run_id;
    auto id = store_.BeginRun(run);
    if (id.ok()) {
      report.run_id = id.value();
    } else if (!run_logged) {
      run_logged = true;
      log_.Error("", "", "cannot record the run: " + id.status().message());
    }
    return report.run_id;
  };
  run_id();
  std::vector<const PlanCart*> carts;
  for (const PlanCart& pc : plan_.carts)
    if (Wants(options_.carts, pc.config.id)) carts.push_back(&pc);
  if (options_.due) CheckDue(carts);
  // The tz rules before any worker: steps read a store's midnight through
  // them (earliest_order_date), and they set TZ once here, not under workers.
  (void)env_.Zones();

  // Carts as fibers (Boost.Fiber) on a few threads. Most of a rate-limited
  // cart's run is waiting — a bucket to leak, a Retry-After — and a thread
  // per cart held its worker asleep through it (issue 15: 200 Shopify carts
  // took 53x one cart at --concurrency 4). Here `concurrency` threads do the
  // work (blocking libcurl calls, JSON, the state store) and up to
  // `max_carts_in_flight` carts are under way at once, each a fiber:
  // SystemClock::SleepMs is boost::this_fiber::sleep_for, so a waiting cart
  // parks and costs no thread and no CPU. Each thread runs its own fibers
  // (round robin, no migration between threads), which keeps thread-local
  // state and std::mutex use by the code below as it was; the rule that
  // remains: no std::mutex may be held across a sleep (a parked fiber
  // holding it would block its own thread's other fibers). Locks held
  // across a wait are fiber locks (shipment_feed.h). Each fiber takes the
  // next cart until none are left; results land in the cart's own slot.
  feeds_.clear();
  for (const PlanCart* pc : carts)
    if (auto w = plan_.wms.find(pc->config.wms);
        w != plan_.wms.end() && SharesShipmentFeed(w->second))
      feeds_.try_emplace(w->first, std::make_unique<ShipmentFeed>());
  std::vector<std::vector<StepOutcome>> results(carts.size());
  std::atomic<size_t> next{0};
  std::mutex progress_mu;
  size_t done = 0;
  auto cart_loop = [&] {
    for (size_t i = next++; i < carts.size(); i = next++) {
      results[i] = RunCart(*carts[i], run_id);
      if (progress_) {
        std::lock_guard<std::mutex> lock(progress_mu);
        progress_(carts[i]->config.id, ++done, carts.size());
      }
    }
  };
  const size_t fibers =
      std::min<size_t>(static_cast<size_t>(options_.max_carts_in_flight), carts.size());
  const size_t threads = std::min<size_t>(static_cast<size_t>(options_.concurrency), fibers);
  auto thread_main = [&](size_t k) {
    std::vector<boost::fibers::fiber> mine;
    for (size_t f = k; f < fibers; f += threads)
      mine.emplace_back(std::allocator_arg, FiberStack(kFiberStack), cart_loop);
    for (boost::fibers::fiber& f : mine) f.join();
  };
  std::vector<std::thread> pool;
  for (size_t k = 0; k < threads; ++k) pool.emplace_back(thread_main, k);
  for (std::thread& t : pool) t.join();

  for (auto& r : results)
    for (StepOutcome& o : r) report.steps.push_back(std::move(o));
  std::sort(report.steps.begin(), report.steps.end(),
            [](const StepOutcome& a, const StepOutcome& b) { return a.step_id < b.step_id; });
  // PII retention, store-wide (any cart, --cart or not): orders past
  // sending that have not changed for [state].retain_pii (runtime/state/pii.h).
  if (!options_.dry_run) {
    const int64_t now = clock_.NowMs();
    auto erased = ErasePiiBefore(
        store_, now - plan_.retain_pii_s.value_or(kDefaultRetainPiiSeconds) * 1000, now);
    if (erased.ok()) {
      report.pii_erased = erased.value();
      if (erased.value() > 0)
        log_.Info("", "",
                  "erased the personal data of " + std::to_string(erased.value()) +
                      " orders older than [state].retain_pii");
    } else {
      report.pii_error = erased.status().message();
      log_.Error("", "", "PII retention: " + report.pii_error);
    }
  }
  // [[notify]] alerts: what this run found, and what earlier runs could not
  // deliver (notify.h). A failing webhook is reported, never a failed run.
  if (!options_.dry_run && !plan_.notify.empty()) {
    std::vector<std::string> errors;
    std::vector<NotifyEvent> events = CollectEvents(report.steps, store_, errors);
    report.notify = DeliverAlerts(
        plan_.notify, events, store_, [this](const NotifyConfig& t) { return env_.Webhook(t); },
        clock_, log_);
    for (std::string& e : errors) {
      log_.Warn("", "", "alerts: " + e);
      report.notify.errors.push_back(std::move(e));
    }
  }
  report.finished_ms = clock_.NowMs();
  if (report.run_id)
    store_.FinishRun(report.run_id, report.ok() ? "ok" : "failed", report.finished_ms, "");
  return report;
}

// Lease, connections, reconciliation, then each step. Errors of one step
// are recorded on that step; a later step still runs unless the cart's
// connection, its reconciliation or its lease failed.
std::vector<StepOutcome> Runner::RunCart(const PlanCart& pc,
                                         const std::function<int64_t()>& run_id) {
  const CartConfig& cfg = pc.config;
  const bool dry = options_.dry_run;
  std::vector<StepOutcome> outcomes;
  std::vector<const PlanStep*> steps = SelectSteps(pc, outcomes);
  if (steps.empty()) return outcomes;

  std::unique_ptr<CartLease> lease;  // none in a dry run: it writes nothing
  if (!dry) {
    // --due was decided before the claim: the claim re-checks it with the
    // lease held, so a step another runner completed meanwhile is not run again.
    std::vector<SeenStep> seen;
    for (const PlanStep* s : steps)
      if (auto d = due_.find(s->id); options_.due && d != due_.end() && d->second.known)
        seen.push_back({s->id, d->second.last});
    std::vector<std::string> stale;
    auto acquired = CartLease::Claim(store_, clock_, log_, env_.Processes(), cfg.id, options_.owner,
                                     options_.lease_ms, seen, &stale);
    for (const std::string& id : stale) {
      auto it = std::find_if(steps.begin(), steps.end(),
                             [&id](const PlanStep* s) { return s->id == id; });
      if (it == steps.end()) continue;
      StepOutcome o = Outcome(**it, cfg.id);
      o.state = StepOutcome::State::NotDue;
      outcomes.push_back(std::move(o));
      steps.erase(it);
      log_.Info(cfg.id, id, "not due: another run completed it since this run checked");
    }
    if (acquired.ok() && !acquired.value()) return outcomes;  // nothing left to run
    if (!acquired.ok()) {
      for (const PlanStep* s : steps) {
        StepOutcome o = Outcome(*s, cfg.id);
        Fail(o, acquired.status());
        if (acquired.status().code() == StatusCode::Locked) o.state = StepOutcome::State::Locked;
        outcomes.push_back(std::move(o));
      }
      log_.Warn(cfg.id, "", acquired.status().message());
      return outcomes;
    }
    lease = std::move(acquired.value());
  }
  std::unique_ptr<WmsClient> wms;
  std::unique_ptr<CartConnector> connector;
  std::unique_ptr<CartContext> cart;
  int reconciled = 0;  // reported by the first step that runs
  Status setup = Connect(cfg, &wms, &connector);
  if (setup.ok()) {
    const WmsConfig& wms_cfg = plan_.wms.at(cfg.wms);
    auto open_wms = [this, &wms_cfg, &cfg] { return env_.Wms(wms_cfg, cfg.id); };
    ShipmentFeed* feed = feeds_.count(cfg.wms) ? feeds_.at(cfg.wms).get() : nullptr;
    cart.reset(new CartContext{.cart = cfg,
                               .plan = plan_,
                               .wms_config = wms_cfg,
                               .connector = *connector,
                               .wms = *wms,
                               .open_wms = open_wms,
                               .store = store_,
                               .clock = clock_,
                               .log = log_,
                               .dry_run = dry,
                               .wms_connections = options_.wms_connections,
                               .retry_window_ms = options_.retry_window_ms,
                               .download_overlap_ms = options_.download_overlap_ms,
                               .aliases = CartAliases(cfg.client),
                               .shipment_feed = feed,
                               .zones = &env_.Zones()});
    if (!dry) {
      auto settled = ReconcileIntents(*cart);
      setup = settled.status();  // Ok when settled
      if (settled.ok()) reconciled = settled.value();
    }
  }
  for (const PlanStep* s : steps) {
    StepOutcome o = Outcome(*s, cfg.id);
    o.started_ms = clock_.NowMs();
    if (!setup.ok()) {
      Fail(o, setup);
    } else if (Status renewed = lease ? lease->Renew() : Status::Ok(); !renewed.ok()) {
      // This step and the ones after it do not run (each is reported, none
      // silently dropped from the summary).
      setup = renewed;
      Fail(o, setup);
      log_.Error(cfg.id, s->id, setup.message());
    } else {
      o.counts.reconciled = std::exchange(reconciled, 0);
      Status st = RunStep(s->service, *cart, o);
      if (!st.ok()) {
        Fail(o, st);
        log_.Error(cfg.id, s->id, st.message());
      }
    }
    o.finished_ms = clock_.NowMs();
    if (!dry) RecordStep(o, run_id);
    outcomes.push_back(std::move(o));
  }
  if (lease) {
    Status released = lease->Release();
    if (!released.ok()) {
      // Say so: until the lease expires, later runs skip this cart as locked.
      log_.Error(cfg.id, "", released.message());
      if (!outcomes.empty() && outcomes.back().state == StepOutcome::State::Ok)
        Fail(outcomes.back(), released);
    }
  }
  return outcomes;
}

std::vector<const PlanStep*> Runner::SelectSteps(const PlanCart& pc,
                                                 std::vector<StepOutcome>& outcomes) {
  std::vector<const PlanStep*> steps;
  for (const PlanStep& s : pc.steps) {
    if (!Wants(options_.services, s.service)) continue;
    if (options_.due) {
      auto check = due_.find(s.id);
      if (check != due_.end() && (!check->second.due || !check->second.error.empty())) {
        StepOutcome o = Outcome(s, pc.config.id);
        o.state =
            check->second.error.empty() ? StepOutcome::State::NotDue : StepOutcome::State::Failed;
        o.error = check->second.error;
        if (!o.error.empty()) log_.Error(pc.config.id, s.id, o.error);
        outcomes.push_back(std::move(o));
        continue;
      }
    }
    steps.push_back(&s);
  }
  return steps;
}

Status Runner::Connect(const CartConfig& cfg, std::unique_ptr<WmsClient>* wms,
                       std::unique_ptr<CartConnector>* connector) {
  auto wms_cfg = plan_.wms.find(cfg.wms);
  if (wms_cfg == plan_.wms.end())
    return Status::Permanent("cart " + cfg.id + " names WMS \"" + cfg.wms +
                             "\", which the plan does not declare");
  auto opened = env_.Wms(wms_cfg->second, cfg.id);
  if (!opened.ok()) return opened.status();
  *wms = std::move(opened.value());
  auto api = env_.Connector(cfg);
  if (!api.ok()) return api.status();
  *connector = std::move(api.value());
  return Status::Ok();
}

void Runner::RecordStep(const StepOutcome& o, const std::function<int64_t()>& run_id) {
  const int64_t id = run_id();
  const std::string svc(ServiceName(o.service));
  const bool ok = o.state == StepOutcome::State::Ok;
  StepRunRecord rec{id, o.step_id, o.cart_id, svc, o.started_ms, o.finished_ms, ok, o.error, ""};
  Status recorded =
      id ? store_.RecordStepRun(rec) : Status::Transient("the run itself could not be recorded");
  if (!recorded.ok())
    log_.Error(o.cart_id, o.step_id, "cannot record the step: " + recorded.message());
}

}  // namespace cartsync

#include "runtime/runner.h"

#include <unistd.h>

#include <algorithm>
#include <functional>
#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "runtime/inventory.h"
#include "runtime/order_pipeline.h"

namespace cartsync {

bool RunReport::ok() const {
  return std::none_of(steps.begin(), steps.end(),
                      [](const StepOutcome& s) { return s.state == StepOutcome::State::Failed; });
}

namespace {

constexpr const char* kOrdersStream = "orders";
constexpr const char* kShipmentsStream = "shipments";
// Orders whose intents and results are recorded in one transaction each.
constexpr size_t kSendBatch = 100;
constexpr int kMaxShipmentPages = 10'000;  // a bound, so a looping cursor cannot spin forever
// Recorded as the pushed quantity of a SKU while its push is in flight: no
// quantity equals it, so the next run pushes the SKU again.
constexpr int64_t kPushOutcomeUnknown = -1;

std::string Hostname() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

int64_t DateStartSeconds(const Date& d) {
  int64_t ts = 0;
  ParseTimestamp(d.ToString(), ts);
  return ts;
}

bool Wants(const std::vector<std::string>& filter, const std::string& v) {
  return filter.empty() || std::find(filter.begin(), filter.end(), v) != filter.end();
}

}  // namespace

// One cart's work under its lease. Errors of one step are recorded on that
// step; a later step still runs unless the cart's connection itself failed.
class Runner::CartRun {
 public:
  /// `run_id` gives the run's record id, creating the record when the
  /// state store could not at the start (0 while it still cannot).
  CartRun(Runner& r, const PlanCart& cart, std::function<int64_t()> run_id)
      : r_(r), cart_(cart), cfg_(cart.config), run_id_(std::move(run_id)), dry_(r.options_.dry_run) {}

  std::vector<StepOutcome> Run() {
    std::vector<StepOutcome> outcomes;
    std::vector<const PlanStep*> steps;
    for (const PlanStep& s : cart_.steps) {
      const auto& only = r_.options_.services;
      if (!only.empty() && std::find(only.begin(), only.end(), s.service) == only.end()) continue;
      if (r_.options_.due) {
        auto check = r_.due_.find(s.id);
        if (check != r_.due_.end() && (!check->second.due || !check->second.error.empty())) {
          StepOutcome o = Outcome(s);
          o.state = check->second.error.empty() ? StepOutcome::State::NotDue : StepOutcome::State::Failed;
          o.error = check->second.error;
          if (!o.error.empty()) r_.log_.Error(cfg_.id, s.id, o.error);
          outcomes.push_back(std::move(o));
          continue;
        }
      }
      steps.push_back(&s);
    }
    if (steps.empty()) return outcomes;

    if (!dry_) {
      LeaseInfo me{cfg_.id, r_.options_.owner, Hostname(), static_cast<int64_t>(::getpid()),
                   r_.clock_.NowMs() + r_.options_.lease_ms, r_.env_.Processes().Self()};
      LeaseInfo holder;
      Status lease = r_.store_.AcquireLease(me, r_.clock_.NowMs(), &holder);
      if (lease.code() == StatusCode::Locked && holder.host == me.host && !holder.process.empty() &&
          r_.env_.Processes().Gone(holder.process)) {
        // The holder died on this host (killed, out of memory) without
        // releasing: its unfinished side effects are reconciled below, as
        // after any crash, instead of the cart waiting out the lease.
        const std::string dead = holder.owner;
        r_.log_.Warn(cfg_.id, "", "taking over the lease of run " + dead + " (pid " +
                                      std::to_string(holder.pid) + " on this host has ended)");
        lease = r_.store_.AcquireLease(me, r_.clock_.NowMs(), &holder, dead);
      }
      if (!lease.ok()) {
        for (const PlanStep* s : steps) {
          StepOutcome o = Outcome(*s);
          o.state = lease.code() == StatusCode::Locked ? StepOutcome::State::Locked : StepOutcome::State::Failed;
          o.error = lease.message();
          outcomes.push_back(std::move(o));
        }
        r_.log_.Warn(cfg_.id, "", lease.message());
        return outcomes;
      }
    }
    Status setup = Connect();
    if (setup.ok() && !dry_) setup = Reconcile();
    for (const PlanStep* s : steps) {
      StepOutcome o = Outcome(*s);
      o.started_ms = r_.clock_.NowMs();
      if (!setup.ok()) {
        o.state = StepOutcome::State::Failed;
        o.error = setup.message();
      } else {
        Status renewed = dry_ ? Status::Ok()
                              : r_.store_.RenewLease(cfg_.id, r_.options_.owner,
                                                     r_.clock_.NowMs() + r_.options_.lease_ms);
        if (!renewed.ok()) {
          // This step and the ones after it do not run (each is reported,
          // none silently dropped from the summary).
          setup = Status(renewed.code(), (renewed.code() == StatusCode::Locked ? "lost the cart's lease: "
                                                                                : "cannot renew the cart's lease: ") +
                                             renewed.message());
          o.state = StepOutcome::State::Failed;
          o.error = setup.message();
          r_.log_.Error(cfg_.id, s->id, setup.message());
        } else {
          o.counts.reconciled = reconciled_;
          reconciled_ = 0;
          Status st = RunStep(*s, o);
          if (!st.ok()) {
            o.state = StepOutcome::State::Failed;
            o.error = st.message();
            r_.log_.Error(cfg_.id, s->id, st.message());
          }
        }
      }
      o.finished_ms = r_.clock_.NowMs();
      if (!dry_) {
        const int64_t run_id = run_id_();
        StepRunRecord rec{run_id, s->id, cfg_.id, std::string(ServiceName(s->service)),
                          o.started_ms, o.finished_ms, o.state == StepOutcome::State::Ok, o.error,
                          ""};
        Status recorded = run_id ? r_.store_.RecordStepRun(rec)
                                 : Status::Transient("the run itself could not be recorded");
        if (!recorded.ok()) r_.log_.Error(cfg_.id, s->id, "cannot record the step: " + recorded.message());
      }
      outcomes.push_back(std::move(o));
    }
    if (!dry_) {
      Status released = r_.store_.ReleaseLease(cfg_.id, r_.options_.owner);
      if (!released.ok() && released.code() != StatusCode::Locked) {
        // Say so: until the lease expires, later runs skip this cart as locked.
        std::string error = "cannot release the cart's lease (" + released.message() +
                            "); later runs skip the cart until the lease expires, or run `cartsync state unlock " +
                            cfg_.id + "`";
        r_.log_.Error(cfg_.id, "", error);
        if (!outcomes.empty() && outcomes.back().state == StepOutcome::State::Ok) {
          outcomes.back().state = StepOutcome::State::Failed;
          outcomes.back().error = error;
        }
      }
    }
    return outcomes;
  }

 private:
  StepOutcome Outcome(const PlanStep& s) const {
    StepOutcome o;
    o.step_id = s.id;
    o.cart_id = cfg_.id;
    o.service = s.service;
    return o;
  }

  Status Connect() {
    auto wms_cfg = r_.plan_.wms.find(cfg_.wms);
    if (wms_cfg == r_.plan_.wms.end())
      return Status::Permanent("cart " + cfg_.id + " names WMS \"" + cfg_.wms + "\", which the plan does not declare");
    auto wms = r_.env_.Wms(wms_cfg->second, cfg_.id);
    if (!wms.ok()) return wms.status();
    wms_ = std::move(wms.value());
    auto connector = r_.env_.Connector(cfg_);
    if (!connector.ok()) return connector.status();
    cart_api_ = std::move(connector.value());
    return Status::Ok();
  }

  // Settles side effects a crashed run started but did not record: asks
  // the WMS / the cart whether each happened, before anything new is done.
  Status Reconcile() {
    auto intents = r_.store_.PendingIntents(cfg_.id);
    if (!intents.ok()) return intents.status();
    for (const Intent& in : intents.value()) {
      if (in.kind == IntentKind::PushOrder) {
        auto found = wms_->FindOrder(in.order_key);
        if (!found.ok()) return Status::Transient("reconciling order " + in.order_key + ": " + found.status().message());
        Status st = found.value() ? r_.store_.CompleteSend(in.id, in.order_key, *found.value(), r_.clock_.NowMs())
                                  : r_.store_.DropIntent(in.id);
        if (!st.ok()) return st;
      } else {
        auto order = r_.store_.GetOrder(in.order_key);
        if (!order.ok()) return order.status();
        if (!order.value()) {
          r_.store_.DropIntent(in.id);
          continue;
        }
        auto has = cart_api_->HasTracking(order.value()->order_id, in.tracking_number);
        if (!has.ok()) return Status::Transient("reconciling tracking " + in.tracking_number + ": " + has.status().message());
        if (has.value()) {
          // The post happened; what follows it may not have (WooCommerce
          // completes the order with a second request): finish that first.
          Status finished = FinishTracking(in, order.value()->order_id);
          if (!finished.ok()) return Status(finished.code(), "reconciling tracking " + in.tracking_number + ": " + finished.message());
        }
        Status st = has.value() ? r_.store_.CompleteUpload(in.id, in.order_key, in.tracking_number, r_.clock_.NowMs())
                                : r_.store_.DropIntent(in.id);
        if (!st.ok()) return st;
      }
      ++reconciled_;
    }
    if (reconciled_) r_.log_.Info(cfg_.id, "", "reconciled " + std::to_string(reconciled_) + " unfinished side effects");
    return Status::Ok();
  }

  Status FinishTracking(const Intent& in, const std::string& order_id) {
    TrackingUpload up;
    up.order_id = order_id;
    up.shipment.order_key = in.order_key;
    up.shipment.tracking_number = in.tracking_number;
    auto pending = r_.store_.PendingShipments(cfg_.id);
    if (!pending.ok()) return pending.status();
    for (const ShipmentRecord& rec : pending.value()) {
      if (rec.order_key != in.order_key || rec.tracking_number != in.tracking_number) continue;
      std::string error;
      if (!FromJson(rec.shipment_json, up.shipment, error)) return Status::Permanent("stored shipment unreadable: " + error);
      break;
    }
    up.carrier_code = CarrierCode(up.shipment.carrier);
    return cart_api_->FinishTracking(up);
  }

  Status RunStep(const PlanStep& s, StepOutcome& o) {
    switch (s.service) {
      case Service::OrderDownload: return OrderDownload(o);
      case Service::ShipmentUpload: return ShipmentUpload(o);
      case Service::InventoryUpload: return InventoryUpload(o);
    }
    return Status::Ok();
  }

  Status LoadAliases(bool needed) {
    if (!needed || aliases_loaded_) return Status::Ok();
    auto aliases = wms_->PullAliases();
    if (!aliases.ok()) return Status(aliases.status());
    aliases_ = AliasIndex::Build(aliases.value());
    aliases_loaded_ = true;
    return Status::Ok();
  }

  // --- order download -------------------------------------------------------

  Status OrderDownload(StepOutcome& o) {
    Status st = LoadAliases(cfg_.items.translate_item_code != "master_sku");
    if (!st.ok()) return st;
    OrderWindow window;
    window.statuses = cfg_.statuses;
    auto cursor = r_.store_.GetCursor(cfg_.id, kOrdersStream);
    if (!cursor.ok()) return cursor.status();
    int64_t cursor_s = 0;
    if (cursor.value() && ParseTimestamp(*cursor.value(), cursor_s)) {
      window.updated_after = cursor_s - r_.options_.download_overlap_ms / 1000;
    } else if (cfg_.earliest_order_date) {
      window.created_after = DateStartSeconds(*cfg_.earliest_order_date);
    }
    std::string newest = cursor.value().value_or("");
    std::vector<CartOrder> fetched_for_preview;
    st = cart_api_->FetchOrders(window, [&](std::vector<CartOrder>&& page) -> Status {
      std::vector<OrderRecord> records;
      records.reserve(page.size());
      int64_t now = r_.clock_.NowMs();
      for (CartOrder& co : page) {
        if (co.updated_at > newest) newest = co.updated_at;
        OrderRecord rec;
        rec.order_key = OrderKey(cfg_.id, co.id);
        rec.cart_id = cfg_.id;
        rec.order_id = co.id;
        rec.order_number = co.order_number;
        rec.placed_at = co.placed_at;
        rec.cart_order_json = ToJson(co);
        rec.first_seen_ms = rec.updated_ms = now;
        records.push_back(std::move(rec));
        if (dry_) fetched_for_preview.push_back(std::move(co));
      }
      if (dry_) return Status::Ok();
      auto inserted = r_.store_.RecordDownloaded(cfg_.id, records, kOrdersStream, "");
      if (!inserted.ok()) return inserted.status();
      o.counts.downloaded += inserted.value();
      return Status::Ok();
    });
    if (!st.ok()) return Status(st.code(), "downloading orders: " + st.message());
    if (dry_) return PreviewOrders(fetched_for_preview, o);
    if (!newest.empty() && newest != cursor.value().value_or("")) {
      auto moved = r_.store_.RecordDownloaded(cfg_.id, {}, kOrdersStream, newest);
      if (!moved.ok()) return moved.status();
    }
    return ProcessOrders(o);
  }

  // An order decided for sending, waiting for its batch. `rec` points into
  // the page of orders being processed, which outlives the batch (a batch
  // is sent before the next page is listed).
  struct PendingSend {
    const OrderRecord* rec;
    WmsOrder order;
    std::string doc;
  };

  // The cart's new orders, then the ones held before this run, a page at a
  // time (keyset paging: memory stays flat however many orders are waiting).
  // Orders to send go out in batches (SendBatch).
  Status ProcessOrders(StepOutcome& o) {
    constexpr int kPage = 1000;
    // Orders this run held: not decided a second time in the held pass.
    std::set<std::string> held_now;
    Status first_error;
    for (OrderStatus status : {OrderStatus::New, OrderStatus::Held}) {
      OrderQuery q;
      q.cart_id = cfg_.id;
      q.status = status;
      q.limit = kPage;
      for (;;) {
        auto list = r_.store_.ListOrders(q);
        if (!list.ok()) return list.status();
        std::vector<PendingSend> batch;
        for (const OrderRecord& rec : list.value()) {
          if (status == OrderStatus::Held && held_now.count(rec.order_key)) continue;
          Status st = DecideStoredOrder(rec, o, held_now, batch);
          if (st.ok() && batch.size() >= kSendBatch) st = SendBatch(batch, o, held_now, first_error);
          if (!st.ok()) return st;
        }
        Status st = SendBatch(batch, o, held_now, first_error);
        if (!st.ok()) return st;
        if (list.value().size() < static_cast<size_t>(kPage)) break;
        const OrderRecord& last = list.value().back();
        q.after = std::make_pair(last.first_seen_ms, last.order_key);
      }
    }
    if (!first_error.ok())
      return Status::Transient(std::to_string(o.counts.send_failed) + " orders not sent (kept as new, retried next run); first: " + first_error.message());
    return Status::Ok();
  }

  // Decides one stored order: holds or skips it now, or queues it in
  // `batch` for sending. An error return stops the step (the state store
  // failed).
  Status DecideStoredOrder(const OrderRecord& rec, StepOutcome& o, std::set<std::string>& held_now,
                           std::vector<PendingSend>& batch) {
    auto held = [&] {
      ++o.counts.held;
      if (rec.status == OrderStatus::New) held_now.insert(rec.order_key);
    };
    if (rec.status == OrderStatus::Held && rec.reason == kRetryWindowExhausted) return Status::Ok();
    CartOrder co;
    std::string error;
    if (!FromJson(rec.cart_order_json, co, error)) {
      Status st = r_.store_.UpdateOrder(rec.order_key, OrderStatus::Held, "stored order unreadable: " + error, "",
                                        false, r_.clock_.NowMs());
      if (!st.ok()) return st;
      held();
      return Status::Ok();
    }
    OrderDecision d = DecideOrder(co, cfg_, aliases_);
    int64_t now = r_.clock_.NowMs();
    if (d.verdict != Verdict::Send) {
      OrderStatus next = d.verdict == Verdict::Held ? OrderStatus::Held : OrderStatus::Skipped;
      if (next != rec.status || d.reason != rec.reason) {
        Status st = r_.store_.UpdateOrder(rec.order_key, next, d.reason, "", false, now);
        if (!st.ok()) return st;
        r_.log_.Info(cfg_.id, "order_download", std::string(next == OrderStatus::Held ? "held " : "skipped ") +
                                                     rec.order_number + " (" + rec.order_key + "): " + d.reason);
      }
      if (next == OrderStatus::Held) held();
      else ++o.counts.skipped;
      return Status::Ok();
    }
    if (rec.status == OrderStatus::New && rec.attempts > 0 && now - rec.first_seen_ms > r_.options_.retry_window_ms) {
      Status st = r_.store_.UpdateOrder(rec.order_key, OrderStatus::Held, kRetryWindowExhausted, "", false, now);
      if (!st.ok()) return st;
      held();
      return Status::Ok();
    }
    std::string doc = ToJson(d.order);
    batch.push_back(PendingSend{&rec, std::move(d.order), std::move(doc)});
    return Status::Ok();
  }

  // Sends a batch: the intents of all its orders in one transaction, the
  // pushes (several at once over an http WMS), the results in one
  // transaction. A crash anywhere in between leaves intents that the next
  // run's reconciliation settles order by order. A WMS failure is counted
  // and kept in `first_error`; an error return means the state store failed.
  Status SendBatch(std::vector<PendingSend>& batch, StepOutcome& o, std::set<std::string>& held_now,
                   Status& first_error) {
    if (batch.empty()) return Status::Ok();
    std::vector<SendStart> starts;
    starts.reserve(batch.size());
    for (const PendingSend& p : batch) starts.push_back(SendStart{p.rec->order_key, p.doc});
    auto intents = r_.store_.BeginSends(starts, r_.clock_.NowMs());
    if (!intents.ok()) return intents.status();
    std::vector<Result<std::string>> refs = PushAll(batch);
    std::vector<SendFinish> finishes;
    finishes.reserve(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      SendFinish f{intents.value()[i], batch[i].rec->order_key, SendFinish::Kind::Sent, ""};
      if (refs[i].ok()) {
        f.detail = refs[i].value();
      } else if (refs[i].status().code() == StatusCode::Permanent) {
        // The WMS refused the document: a person must look, retrying won't help.
        f.kind = SendFinish::Kind::Rejected;
        f.detail = "WMS rejected the order: " + refs[i].status().message();
      } else {
        f.kind = SendFinish::Kind::Failed;
        f.detail = refs[i].status().message();
      }
      finishes.push_back(std::move(f));
    }
    Status st = r_.store_.FinishSends(finishes, r_.clock_.NowMs());
    if (!st.ok()) return st;
    for (size_t i = 0; i < batch.size(); ++i) {
      const OrderRecord& rec = *batch[i].rec;
      switch (finishes[i].kind) {
        case SendFinish::Kind::Sent:
          ++o.counts.sent;
          if (rec.status == OrderStatus::Held) ++o.counts.released;
          break;
        case SendFinish::Kind::Rejected:
          ++o.counts.held;
          if (rec.status == OrderStatus::New) held_now.insert(rec.order_key);
          r_.log_.Warn(cfg_.id, "order_download", "held " + rec.order_number + " (" + rec.order_key + "): " +
                                                      finishes[i].detail);
          break;
        case SendFinish::Kind::Failed:
          ++o.counts.send_failed;
          if (first_error.ok())
            first_error = Status::Transient("sending " + rec.order_key + " to the WMS: " + finishes[i].detail);
          break;
      }
    }
    batch.clear();
    return Status::Ok();
  }

  // Pushes every order of a batch, over up to --wms-connections WMS
  // connections at once when the WMS speaks http (a command program or a directory takes
  // one order at a time). Results in the order of `batch`.
  std::vector<Result<std::string>> PushAll(const std::vector<PendingSend>& batch) {
    std::vector<Result<std::string>> refs(batch.size(), Result<std::string>(Status::Transient("not sent")));
    const size_t lanes = std::min(batch.size(), OpenWmsLanes());
    std::atomic<size_t> next{0};
    auto work = [&](WmsClient& wms) {
      for (size_t i = next++; i < batch.size(); i = next++) refs[i] = PushOne(wms, batch[i]);
    };
    std::vector<std::thread> threads;
    for (size_t lane = 1; lane < lanes; ++lane) threads.emplace_back(work, std::ref(*extra_wms_[lane - 1]));
    work(*wms_);
    for (std::thread& t : threads) t.join();
    return refs;
  }

  Result<std::string> PushOne(WmsClient& wms, const PendingSend& p) {
    // An earlier attempt failed, possibly after the WMS took the order (a
    // timeout, a lost answer): ask the WMS before sending it again, so the
    // order is not delivered twice.
    if (p.rec->attempts > 0) {
      auto found = wms.FindOrder(p.rec->order_key);
      if (!found.ok())
        return Status::Transient("asking the WMS whether it has the order: " + found.status().message());
      if (found.value()) return *found.value();
    }
    return wms.PushOrder(p.order);
  }

  // The number of WMS connections pushes may use (1 + extra_wms_.size()),
  // opening the extra ones on first use.
  size_t OpenWmsLanes() {
    if (!lanes_opened_) {
      lanes_opened_ = true;
      auto wms_cfg = r_.plan_.wms.find(cfg_.wms);
      const int wanted = wms_cfg != r_.plan_.wms.end() && wms_cfg->second.system == "http"
                             ? std::max(1, r_.options_.wms_connections)
                             : 1;
      for (int i = 1; i < wanted; ++i) {
        auto extra = r_.env_.Wms(wms_cfg->second, cfg_.id);
        if (!extra.ok()) break;  // fewer lanes; the first connection still works
        extra_wms_.push_back(std::move(extra.value()));
      }
    }
    return 1 + extra_wms_.size();
  }

  // The dry run decides fetched orders as the real run would, but records
  // nothing, so orders already sent are recognized from the state store.
  Status PreviewOrders(const std::vector<CartOrder>& fetched, StepOutcome& o) {
    for (const CartOrder& co : fetched) {
      std::string key = OrderKey(cfg_.id, co.id);
      auto known = r_.store_.GetOrder(key);
      if (!known.ok()) return known.status();
      if (known.value() && known.value()->status != OrderStatus::New && known.value()->status != OrderStatus::Held)
        continue;
      OrderDecision d = DecideOrder(co, cfg_, aliases_);
      std::string who = co.order_number + " (" + key + ")";
      switch (d.verdict) {
        case Verdict::Send:
          ++o.counts.sent;
          o.preview.push_back("would send " + who + " as " +
                              (d.order.ship_method.carrier.empty() ? "unmapped ship code \"" + co.ship_code + "\""
                                                                   : d.order.ship_method.carrier + "/" + d.order.ship_method.service));
          break;
        case Verdict::Held:
          ++o.counts.held;
          o.preview.push_back("would hold " + who + ": " + d.reason);
          break;
        case Verdict::Skipped:
          ++o.counts.skipped;
          o.preview.push_back("would skip " + who + ": " + d.reason);
          break;
      }
    }
    o.counts.downloaded = static_cast<int>(fetched.size());
    return Status::Ok();
  }

  // --- shipment upload ------------------------------------------------------

  Status ShipmentUpload(StepOutcome& o) {
    auto cursor = r_.store_.GetCursor(cfg_.id, kShipmentsStream);
    if (!cursor.ok()) return cursor.status();
    std::string since = cursor.value().value_or("");
    std::string prefix = cfg_.id + ":";
    std::vector<ShipmentRecord> preview;
    for (int page = 0; page < kMaxShipmentPages; ++page) {
      auto pulled = wms_->PullShipments(since);
      if (!pulled.ok()) return Status(pulled.status().code(), "pulling shipments: " + pulled.status().message());
      std::vector<ShipmentRecord> mine;
      for (const Shipment& s : pulled->shipments) {
        if (s.order_key.rfind(prefix, 0) != 0) continue;  // another cart's
        ShipmentRecord rec;
        rec.order_key = s.order_key;
        rec.tracking_number = s.tracking_number;
        rec.cart_id = cfg_.id;
        rec.shipment_json = ToJson(s);
        rec.received_ms = rec.updated_ms = r_.clock_.NowMs();
        mine.push_back(std::move(rec));
      }
      std::string next = pulled->next.empty() ? since : pulled->next;
      if (dry_) {
        for (ShipmentRecord& rec : mine) preview.push_back(std::move(rec));
      } else {
        auto inserted = r_.store_.RecordShipments(cfg_.id, mine, kShipmentsStream, next != since ? next : "");
        if (!inserted.ok()) return inserted.status();
        o.counts.shipments += inserted.value();
      }
      if (pulled->shipments.empty() || next == since) break;
      since = next;
    }
    if (dry_) {
      for (const ShipmentRecord& rec : preview) {
        auto order = r_.store_.GetOrder(rec.order_key);
        if (order.ok() && order.value() && order.value()->status == OrderStatus::Confirmed) continue;
        Shipment s;
        std::string error;
        FromJson(rec.shipment_json, s, error);
        ++o.counts.tracking_uploaded;
        o.preview.push_back("would upload tracking " + s.tracking_number + " (" + CarrierCode(s.carrier) +
                            ") to order " + rec.order_key);
      }
      return Status::Ok();
    }
    return UploadPendingShipments(o);
  }

  std::string CarrierCode(const std::string& wms_carrier) const {
    auto it = cfg_.carrier_codes.find(wms_carrier);
    return it == cfg_.carrier_codes.end() ? wms_carrier : it->second;
  }

  Status UploadPendingShipments(StepOutcome& o) {
    auto pending = r_.store_.PendingShipments(cfg_.id);
    if (!pending.ok()) return pending.status();
    Status first_error;
    for (const ShipmentRecord& rec : pending.value()) {
      auto order = r_.store_.GetOrder(rec.order_key);
      if (!order.ok()) return order.status();
      if (!order.value()) continue;  // not an order this cartsync sent
      TrackingUpload up;
      std::string error;
      if (!FromJson(rec.shipment_json, up.shipment, error)) return Status::Permanent("stored shipment unreadable: " + error);
      up.order_id = order.value()->order_id;
      up.carrier_code = CarrierCode(up.shipment.carrier);
      auto intent = r_.store_.BeginUpload(rec.order_key, rec.tracking_number, r_.clock_.NowMs());
      if (!intent.ok()) return intent.status();
      Status st = cart_api_->UploadTracking(up);
      Status recorded = st.ok() ? r_.store_.CompleteUpload(intent.value(), rec.order_key, rec.tracking_number, r_.clock_.NowMs())
                                : r_.store_.FailUpload(intent.value(), rec.order_key, rec.tracking_number, st.message(), r_.clock_.NowMs());
      if (!recorded.ok()) return recorded;
      if (st.ok()) {
        ++o.counts.tracking_uploaded;
      } else {
        ++o.counts.tracking_failed;
        if (first_error.ok()) first_error = Status(st.code(), "tracking " + rec.tracking_number + " for " + rec.order_key + ": " + st.message());
      }
    }
    if (!first_error.ok())
      return Status(first_error.code(), std::to_string(o.counts.tracking_failed) + " tracking uploads failed (retried next run); first: " + first_error.message());
    return Status::Ok();
  }

  // --- inventory upload -----------------------------------------------------

  Status InventoryUpload(StepOutcome& o) {
    auto snapshot = wms_->PullInventory();
    if (!snapshot.ok()) return Status(snapshot.status().code(), "pulling inventory: " + snapshot.status().message());
    Status st = LoadAliases(cfg_.sync_inventory_alias != "master_sku");
    if (!st.ok()) return st;
    std::vector<WmsOrder> sent_after;
    if (snapshot->as_of_seconds) {
      // Orders of this WMS and client that the WMS had not counted yet.
      std::vector<std::string> carts;
      for (const PlanCart& pc : r_.plan_.carts)
        if (pc.config.wms == cfg_.wms && pc.config.client == cfg_.client) carts.push_back(pc.config.id);
      // as_of has whole-second precision (a fraction is dropped), and a WMS
      // that stamps its snapshot truncates: an order it received earlier in
      // that same second is already counted. So "sent after as_of" starts at
      // the next second; comparing the sent times (ms) with the start of the
      // second subtracted those orders twice (too little stock pushed, then
      // re-pushed by the next run).
      auto docs = r_.store_.SentSince(carts, (*snapshot->as_of_seconds + 1) * 1000);
      if (!docs.ok()) return docs.status();
      for (const std::string& json : docs.value()) {
        WmsOrder w;
        std::string error;
        if (FromJson(json, w, error)) sent_after.push_back(std::move(w));
      }
    }
    auto last = r_.store_.PushedInventory(cfg_.id);
    if (!last.ok()) return last.status();
    InventoryComputation c = ComputeInventory(cfg_, snapshot->records, aliases_, sent_after, last.value());
    o.counts.skus_unaliased = c.unaliased;
    o.counts.skus_filtered = c.filtered;
    o.counts.skus_unchanged = c.unchanged;
    if (dry_) {
      for (const InventoryPush& p : c.pushes) o.preview.push_back("would set " + p.sku + " to " + std::to_string(p.quantity));
      o.counts.skus_pushed = static_cast<int>(c.pushes.size());
      return Status::Ok();
    }
    if (c.pushes.empty()) return Status::Ok();
    // Intent before, result after: until the cart's answer is recorded, the
    // SKUs being pushed have no known value. A crash or a failure in between
    // (the cart may have taken some of them) then makes the next run push
    // them again, even when the quantity is back to the one recorded before
    // this push: "unchanged" compared with a stale record would leave the
    // cart with the value of the push nobody recorded.
    std::vector<std::pair<std::string, int64_t>> unknown;
    for (const InventoryPush& p : c.pushes) unknown.emplace_back(p.sku, kPushOutcomeUnknown);
    st = r_.store_.RecordPushedInventory(cfg_.id, unknown, r_.clock_.NowMs());
    if (!st.ok()) return st;
    auto errors = cart_api_->PushInventory(c.pushes);
    if (!errors.ok()) return Status(errors.status().code(), "pushing inventory: " + errors.status().message());
    std::vector<std::pair<std::string, int64_t>> done;
    for (const InventoryPush& p : c.pushes) {
      bool failed = std::any_of(errors->begin(), errors->end(), [&](const PushError& e) { return e.sku == p.sku; });
      if (!failed) done.emplace_back(p.sku, p.quantity);
    }
    st = r_.store_.RecordPushedInventory(cfg_.id, done, r_.clock_.NowMs());
    if (!st.ok()) return st;
    o.counts.skus_pushed = static_cast<int>(done.size());
    o.counts.skus_failed = static_cast<int>(errors->size());
    if (!errors->empty())
      return Status::Permanent(std::to_string(errors->size()) + " SKUs rejected by the cart; first: " +
                               errors->front().sku + ": " + errors->front().message);
    return Status::Ok();
  }

  Runner& r_;
  const PlanCart& cart_;
  const CartConfig& cfg_;
  std::function<int64_t()> run_id_;
  bool dry_;
  std::unique_ptr<WmsClient> wms_;
  // More connections to the same WMS, for pushing orders in parallel.
  std::vector<std::unique_ptr<WmsClient>> extra_wms_;
  bool lanes_opened_ = false;
  std::unique_ptr<CartConnector> cart_api_;
  AliasIndex aliases_;
  bool aliases_loaded_ = false;
  int reconciled_ = 0;
};

Runner::Runner(const Plan& plan, StateStore& store, RunEnvironment& env, Clock& clock, RunLog& log,
               RunOptions options)
    : plan_(plan), store_(store), env_(env), clock_(clock), log_(log), options_(std::move(options)) {
  if (options_.owner.empty())
    options_.owner = Hostname() + ":" + std::to_string(::getpid()) + ":" + std::to_string(clock_.NowMs());
  options_.concurrency = std::max(1, options_.concurrency);
}

TimeZones& RunEnvironment::Zones() {
  static const std::unique_ptr<TimeZones> system = MakeSystemTimeZones();
  return *system;
}

// Zone rules switch the process's TZ, so schedules are evaluated here, on
// the calling thread, before any worker runs. A step with no successful run
// yet is due.
void Runner::CheckDue(const std::vector<const PlanCart*>& carts) {
  due_.clear();
  for (const PlanCart* pc : carts) {
    for (const PlanStep& s : pc->steps) {
      DueCheck& check = due_[s.id];
      auto last = store_.LastSuccessMs(s.id);
      if (!last.ok() || !last.value()) continue;
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
  const RunRecord run{0, report.started_ms, 0, "running", Hostname(), static_cast<int64_t>(::getpid()), ""};
  auto run_id = [&]() -> int64_t {
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

  // A small pool: each worker takes the next cart; results land in the
  // cart's own slot, so no locking beyond the counter.
  std::vector<std::vector<StepOutcome>> results(carts.size());
  std::atomic<size_t> next{0};
  std::mutex progress_mu;
  size_t done = 0;
  auto worker = [&] {
    for (size_t i = next++; i < carts.size(); i = next++) {
      results[i] = CartRun(*this, *carts[i], run_id).Run();
      if (progress_) {
        std::lock_guard<std::mutex> lock(progress_mu);
        progress_(carts[i]->config.id, ++done, carts.size());
      }
    }
  };
  std::vector<std::thread> pool;
  size_t n = std::min<size_t>(static_cast<size_t>(options_.concurrency), carts.size());
  for (size_t i = 1; i < n; ++i) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();

  for (auto& r : results)
    for (StepOutcome& o : r) report.steps.push_back(std::move(o));
  std::sort(report.steps.begin(), report.steps.end(),
            [](const StepOutcome& a, const StepOutcome& b) { return a.step_id < b.step_id; });
  report.finished_ms = clock_.NowMs();
  if (report.run_id)
    store_.FinishRun(report.run_id, report.ok() ? "ok" : "failed", report.finished_ms, "");
  return report;
}

}  // namespace cartsync

#include "runtime/order_download.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <thread>
#include <utility>

#include "runtime/order_cancel.h"

namespace cartsync {

namespace {

constexpr const char* kOrdersStream = "orders";
// Orders whose intents and results are recorded in one transaction each.
constexpr size_t kSendBatch = 100;
// Downloaded orders are recorded at least this many at a time (one commit,
// one fsync), however small the cart's pages (Shopify's hold 15). Nothing
// is lost with a group a crash leaves unrecorded: the cursor moves only
// after the last page, so the next run reads those orders again.
constexpr size_t kRecordBatch = 100;

int64_t DateStartSeconds(const Date& d) {
  int64_t ts = 0;
  ParseTimestamp(d.ToString(), ts);
  return ts;
}

// An order decided for sending, waiting for its batch. `rec` points into
// the page of orders being processed, which outlives the batch (a batch
// is sent before the next page is listed).
struct PendingSend {
  const OrderRecord* rec;
  WmsOrder order;
  std::string doc;
};

class OrderDownload {
 public:
  OrderDownload(CartContext& c, StepCounts& counts, std::vector<std::string>& preview)
      : c_(c), cfg_(c.cart), counts_(counts), preview_(preview) {}

  Status Run() {
    Status st = c_.aliases.Load(c_.wms, cfg_.items.translate_item_code != "master_sku");
    if (!st.ok()) return st;
    OrderWindow window;
    window.statuses = cfg_.statuses;
    auto cursor = c_.store.GetCursor(cfg_.id, kOrdersStream);
    if (!cursor.ok()) return cursor.status();
    int64_t cursor_s = 0;
    if (cursor.value() && ParseTimestamp(*cursor.value(), cursor_s)) {
      window.updated_after = cursor_s - c_.download_overlap_ms / 1000;
    } else if (cfg_.earliest_order_date) {
      window.created_after = DateStartSeconds(*cfg_.earliest_order_date);
    }
    if (cfg_.earliest_order_date) {
      // 00:00 of the date in the store's zone (asked of the cart once per
      // run). The first download starts at the earlier of that and 00:00
      // UTC; DecideOrder cuts exactly.
      auto earliest = EarliestTime(*cfg_.earliest_order_date);
      if (!earliest.ok())
        return Status(earliest.status().code(),
                      "earliest_order_date: " + earliest.status().message());
      earliest_ = earliest.value();
      if (window.created_after)
        window.created_after = std::min(*window.created_after, earliest_->unix);
    }
    std::string newest = cursor.value().value_or("");
    std::vector<CartOrder> fetched_for_preview;
    std::vector<OrderRecord> records;           // downloaded, not recorded yet
    std::vector<std::string> canceled_at_cart;  // of those, canceled there (order_cancel.h)
    auto record = [&]() -> Status {
      if (records.empty()) return Status::Ok();
      auto inserted = c_.store.RecordDownloaded(cfg_.id, records, kOrdersStream, "");
      if (!inserted.ok()) return inserted.status();
      counts_.downloaded += inserted.value();
      records.clear();
      // Before the cursor moves past them: a crash here re-reads them.
      for (const std::string& key : canceled_at_cart) {
        Status noted = NoteCanceledAtCart(c_, key, counts_);
        if (!noted.ok()) return noted;
      }
      canceled_at_cart.clear();
      return Status::Ok();
    };
    st = c_.connector.FetchOrders(window, [&](std::vector<CartOrder>&& page) -> Status {
      if (c_.dry_run) {
        for (CartOrder& co : page) fetched_for_preview.push_back(std::move(co));
        return Status::Ok();
      }
      int64_t now = c_.clock.NowMs();
      for (CartOrder& co : page) {
        if (co.updated_at > newest) newest = co.updated_at;
        if (co.canceled) canceled_at_cart.push_back(OrderKey(cfg_.id, co.id));
        OrderRecord rec;
        rec.order_key = OrderKey(cfg_.id, co.id);
        rec.cart_id = cfg_.id;
        rec.order_id = co.id;
        rec.order_number = co.order_number;
        rec.placed_at = co.placed_at;
        rec.cart_order_json = ToJson(co);
        rec.first_seen_ms = rec.updated_ms = now;
        records.push_back(std::move(rec));
      }
      if (records.size() >= kRecordBatch) {
        Status recorded = record();
        if (!recorded.ok()) return recorded;
      }
      c_.clock.Yield();  // a page, then the other carts' turn (shipment_upload.cc)
      return Status::Ok();
    });
    // What was read is kept, also when a later page failed.
    if (Status recorded = record(); st.ok()) st = recorded;
    if (!st.ok()) return Status(st.code(), "downloading orders: " + st.message());
    if (c_.dry_run) return PreviewOrders(fetched_for_preview);
    if (!newest.empty() && newest != cursor.value().value_or("")) {
      auto moved = c_.store.RecordDownloaded(cfg_.id, {}, kOrdersStream, newest);
      if (!moved.ok()) return moved.status();
    }
    // Acknowledgements an earlier run left pending (an error, a crash
    // between the send and the acknowledgement) go before new sends.
    st = AcknowledgePending();
    if (!st.ok()) return st;
    // Cancels at the WMS (this download's and those earlier runs left)
    // before sending: a failure is the step's, after the sends.
    Status canceled = CancelRequestedAtWms(c_, counts_);
    st = ProcessOrders();
    return st.ok() ? canceled : st;
  }

 private:
  /// earliest_order_date as 00:00 in the store's time zone.
  Result<EarliestOrderTime> EarliestTime(const Date& date) {
    auto zone = c_.connector.StoreTimeZone();
    if (!zone.ok()) return zone.status();
    EarliestOrderTime e;
    if (zone->iana.empty()) {  // a fixed offset (a store without a zone name)
      e.unix = UtcStartOfDay(date.year, date.month, date.day) - zone->utc_offset_s;
      const int64_t minutes =
          (zone->utc_offset_s < 0 ? -zone->utc_offset_s : zone->utc_offset_s) / 60;
      char buf[16];
      std::snprintf(buf, sizeof buf, "UTC%c%02d:%02d", zone->utc_offset_s < 0 ? '-' : '+',
                    static_cast<int>(minutes / 60), static_cast<int>(minutes % 60));
      e.zone = buf;
      return e;
    }
    e.zone = zone->iana;
    if (c_.zones == nullptr) {
      if (zone->iana != "UTC" && zone->iana != "Etc/UTC")
        return Status::Permanent("no time-zone rules to read " + zone->iana + " (" + zone->source +
                                 ")");
      e.unix = UtcStartOfDay(date.year, date.month, date.day);
      return e;
    }
    auto at = c_.zones->StartOfDay(zone->iana, date.year, date.month, date.day);
    if (!at.ok())
      return Status(at.status().code(), at.status().message() + " (" + zone->source + ")");
    e.unix = at.value();
    if (e.unix != UtcStartOfDay(date.year, date.month, date.day))
      c_.log.Info(cfg_.id, "order_download",
                  "earliest_order_date " + date.ToString() + " is " + FormatIsoUtc(e.unix) +
                      " (00:00 " + e.zone + ", " + zone->source + ")");
    return e;
  }

  // The cart's new orders, then the ones held before this run, a page at a
  // time (keyset paging: memory stays flat however many orders are waiting).
  // Orders to send go out in batches (SendBatch).
  Status ProcessOrders() {
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
        auto list = c_.store.ListOrders(q);
        if (!list.ok()) return list.status();
        std::vector<PendingSend> batch;
        for (const OrderRecord& rec : list.value()) {
          if (status == OrderStatus::Held && held_now.count(rec.order_key)) continue;
          Status st = DecideStoredOrder(rec, held_now, batch);
          if (st.ok() && batch.size() >= kSendBatch) st = SendBatch(batch, held_now, first_error);
          if (!st.ok()) return st;
        }
        Status st = SendBatch(batch, held_now, first_error);
        // The page's last results, before the next page is listed.
        if (st.ok()) st = RecordSent(held_now, first_error);
        if (!st.ok()) return st;
        if (list.value().size() < static_cast<size_t>(kPage)) break;
        const OrderRecord& last = list.value().back();
        q.after = std::make_pair(last.first_seen_ms, last.order_key);
      }
    }
    if (!first_error.ok())
      return Status::Transient(
          std::to_string(counts_.send_failed) +
          " orders not sent (kept as new, retried next run); first: " + first_error.message());
    if (!first_ack_error_.ok())
      return Status::Transient(std::to_string(counts_.ack_failed) +
                               " orders sent but not acknowledged at the cart (retried next "
                               "run); first: " +
                               first_ack_error_.message());
    return Status::Ok();
  }

  // Tells the cart the WMS accepted the order (CartConnector::AcknowledgeOrder)
  // and records it. A failure is counted and kept for the step's result; the
  // acknowledgement stays pending for the next run. An error return means
  // the state store failed.
  Status AcknowledgeOne(const OrderRecord& rec) {
    CartOrder co;
    std::string error;
    Status st = FromJson(rec.cart_order_json, co, error)
                    ? c_.connector.AcknowledgeOrder(co)
                    : Status::Permanent("stored order unreadable: " + error);
    if (st.ok()) {
      ++counts_.acknowledged;
      return c_.store.FinishAck(rec.order_key, c_.clock.NowMs());
    }
    ++counts_.ack_failed;
    ack_failed_.insert(rec.order_key);
    c_.log.Warn(cfg_.id, "order_download",
                "acknowledging " + rec.order_number + " (" + rec.order_key +
                    ") at the cart: " + st.message());
    if (first_ack_error_.ok())
      first_ack_error_ = Status(st.code(), "acknowledging " + rec.order_key + ": " + st.message());
    return Status::Ok();
  }

  // The acknowledgements still pending in the state store, a page at a
  // time; one that fails is not tried twice in a run.
  Status AcknowledgePending() {
    if (!c_.connector.AcknowledgesOrders()) return Status::Ok();
    constexpr int kPage = 100;
    for (;;) {
      auto pending = c_.store.PendingAcks(cfg_.id, kPage + static_cast<int>(ack_failed_.size()));
      if (!pending.ok()) return pending.status();
      size_t tried = 0;
      for (const OrderRecord& rec : pending.value()) {
        if (ack_failed_.count(rec.order_key)) continue;
        ++tried;
        Status st = AcknowledgeOne(rec);
        if (!st.ok()) return st;
      }
      // Each page either settles or fails what it tried; nothing new to
      // try means the rest failed earlier in this run.
      if (tried == 0 || pending.value().size() < kPage + ack_failed_.size()) break;
    }
    return Status::Ok();
  }

  // Decides one stored order: holds or skips it now, or queues it in
  // `batch` for sending. An error return stops the step (the state store
  // failed).
  Status DecideStoredOrder(const OrderRecord& rec, std::set<std::string>& held_now,
                           std::vector<PendingSend>& batch) {
    auto held = [&] {
      ++counts_.held;
      if (rec.status == OrderStatus::New) held_now.insert(rec.order_key);
    };
    if (rec.status == OrderStatus::Held && rec.reason == kRetryWindowExhausted) return Status::Ok();
    CartOrder co;
    std::string error;
    if (!FromJson(rec.cart_order_json, co, error)) {
      Status st =
          c_.store.UpdateOrder(rec.order_key, OrderStatus::Held,
                               "stored order unreadable: " + error, "", false, c_.clock.NowMs());
      if (!st.ok()) return st;
      held();
      return Status::Ok();
    }
    if (co.canceled) {  // recorded canceled; a crash came before it was marked
      auto r = CancelStoredOrder(c_.store, c_.wms, rec, "canceled at the cart", c_.clock.NowMs());
      if (!r.ok()) return r.status();
      ++counts_.canceled;
      return Status::Ok();
    }
    OrderDecision d = DecideOrder(co, cfg_, c_.aliases.index(), earliest_ ? &*earliest_ : nullptr);
    int64_t now = c_.clock.NowMs();
    if (d.verdict != Verdict::Send) {
      OrderStatus next = d.verdict == Verdict::Held ? OrderStatus::Held : OrderStatus::Skipped;
      if (next != rec.status || d.reason != rec.reason) {
        Status st = c_.store.UpdateOrder(rec.order_key, next, d.reason, "", false, now);
        if (!st.ok()) return st;
        c_.log.Info(cfg_.id, "order_download",
                    std::string(next == OrderStatus::Held ? "held " : "skipped ") +
                        rec.order_number + " (" + rec.order_key + "): " + d.reason);
      }
      if (next == OrderStatus::Held)
        held();
      else
        ++counts_.skipped;
      return Status::Ok();
    }
    if (rec.status == OrderStatus::New && rec.attempts > 0 &&
        now - rec.first_seen_ms > c_.retry_window_ms) {
      Status st = c_.store.UpdateOrder(rec.order_key, OrderStatus::Held, kRetryWindowExhausted, "",
                                       false, now);
      if (!st.ok()) return st;
      held();
      return Status::Ok();
    }
    std::string doc = ToJson(d.order);
    batch.push_back(PendingSend{&rec, std::move(d.order), std::move(doc)});
    return Status::Ok();
  }

  // Sends a batch: the intents of all its orders in one transaction, which
  // also records the results of the batch before (FinishAndBeginSends: one
  // commit per batch), then the pushes (several at once over an http WMS).
  // Its results wait in `unrecorded_` for the next batch's transaction or
  // RecordSent. A crash anywhere in between leaves intents that the next
  // run's reconciliation settles order by order. A WMS failure is counted
  // and kept in `first_error`; an error return means the state store failed.
  Status SendBatch(std::vector<PendingSend>& batch, std::set<std::string>& held_now,
                   Status& first_error) {
    if (batch.empty()) return Status::Ok();
    std::vector<SendStart> starts;
    starts.reserve(batch.size());
    for (const PendingSend& p : batch) starts.push_back(SendStart{p.rec->order_key, p.doc});
    auto intents = c_.store.FinishAndBeginSends(unrecorded_, starts, c_.clock.NowMs());
    if (!intents.ok()) return intents.status();
    Status st = AfterRecorded(held_now, first_error);
    if (!st.ok()) return st;
    std::vector<Result<std::string>> refs = PushAll(batch);
    std::vector<SendFinish>& finishes = unrecorded_;
    finishes.reserve(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      SendFinish f{intents.value()[i], batch[i].rec->order_key, SendFinish::Kind::Sent, "",
                   c_.connector.AcknowledgesOrders()};
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
    unrecorded_batch_ = std::move(batch);
    batch.clear();
    c_.clock.Yield();  // a batch, then the other carts' turn
    return Status::Ok();
  }

  // Records the results waiting in `unrecorded_` (one transaction).
  Status RecordSent(std::set<std::string>& held_now, Status& first_error) {
    if (unrecorded_.empty()) return Status::Ok();
    Status st = c_.store.FinishSends(unrecorded_, c_.clock.NowMs());
    if (!st.ok()) return st;
    return AfterRecorded(held_now, first_error);
  }

  // Counts, logs and acknowledges at the cart the results of
  // `unrecorded_batch_` once they are recorded, and clears both.
  Status AfterRecorded(std::set<std::string>& held_now, Status& first_error) {
    std::vector<PendingSend> batch = std::move(unrecorded_batch_);
    std::vector<SendFinish> finishes = std::move(unrecorded_);
    unrecorded_batch_.clear();
    unrecorded_.clear();
    for (size_t i = 0; i < batch.size(); ++i) {
      const OrderRecord& rec = *batch[i].rec;
      switch (finishes[i].kind) {
        case SendFinish::Kind::Sent:
          ++counts_.sent;
          if (rec.status == OrderStatus::Held) ++counts_.released;
          if (finishes[i].cart_ack) {
            Status acked = AcknowledgeOne(rec);
            if (!acked.ok()) return acked;
          }
          break;
        case SendFinish::Kind::Rejected:
          ++counts_.held;
          if (rec.status == OrderStatus::New) held_now.insert(rec.order_key);
          c_.log.Warn(
              cfg_.id, "order_download",
              "held " + rec.order_number + " (" + rec.order_key + "): " + finishes[i].detail);
          break;
        case SendFinish::Kind::Failed:
          ++counts_.send_failed;
          if (first_error.ok())
            first_error = Status::Transient("sending " + rec.order_key +
                                            " to the WMS: " + finishes[i].detail);
          break;
      }
    }
    batch.clear();
    return Status::Ok();
  }

  // Pushes every order of a batch, over up to --wms-connections WMS
  // connections at once when the WMS speaks http (a command program or a
  // directory takes one order at a time). Results in the order of `batch`.
  std::vector<Result<std::string>> PushAll(const std::vector<PendingSend>& batch) {
    std::vector<Result<std::string>> refs(batch.size(),
                                          Result<std::string>(Status::Transient("not sent")));
    const size_t lanes = std::min(batch.size(), OpenWmsLanes());
    std::atomic<size_t> next{0};
    auto work = [&](WmsClient& wms) {
      for (size_t i = next++; i < batch.size(); i = next++) refs[i] = PushOne(wms, batch[i]);
    };
    std::vector<std::thread> threads;
    for (size_t lane = 1; lane < lanes; ++lane)
      threads.emplace_back(work, std::ref(*extra_wms_[lane - 1]));
    work(c_.wms);
    for (std::thread& t : threads) t.join();
    return refs;
  }

  static Result<std::string> PushOne(WmsClient& wms, const PendingSend& p) {
    // An earlier attempt failed, possibly after the WMS took the order (a
    // timeout, a lost answer): ask the WMS before sending it again, so the
    // order is not delivered twice.
    if (p.rec->attempts > 0) {
      auto found = wms.FindOrder(p.rec->order_key);
      if (!found.ok())
        return Status::Transient("asking the WMS whether it has the order: " +
                                 found.status().message());
      if (found.value()) return *found.value();
    }
    return wms.PushOrderDocument(p.order, p.doc);
  }

  // The number of WMS connections pushes may use (1 + extra_wms_.size()),
  // opening the extra ones on first use.
  size_t OpenWmsLanes() {
    if (!lanes_opened_) {
      lanes_opened_ = true;
      const int wanted = c_.wms_config.system == "http" ? std::max(1, c_.wms_connections) : 1;
      for (int i = 1; i < wanted; ++i) {
        auto extra = c_.open_wms();
        if (!extra.ok()) break;  // fewer lanes; the first connection still works
        extra_wms_.push_back(std::move(extra.value()));
      }
    }
    return 1 + extra_wms_.size();
  }

  // The dry run decides fetched orders as the real run would, but records
  // nothing, so orders already sent are recognized from the state store.
  Status PreviewOrders(const std::vector<CartOrder>& fetched) {
    for (const CartOrder& co : fetched) {
      std::string key = OrderKey(cfg_.id, co.id);
      auto known = c_.store.GetOrder(key);
      if (!known.ok()) return known.status();
      if (co.canceled) {
        if (known.value() && CanceledOrder(*known.value())) continue;
        OrderStatus was = known.value() ? known.value()->status : OrderStatus::New;
        ++counts_.canceled;
        preview_.push_back(
            std::string(was == OrderStatus::Sent ? "would cancel at the WMS "
                        : was == OrderStatus::Shipped || was == OrderStatus::Confirmed
                            ? "too late to cancel (shipped) "
                            : "would not send (canceled at the cart) ") +
            co.order_number + " (" + key + ")");
        continue;
      }
      if (known.value() && known.value()->status != OrderStatus::New &&
          known.value()->status != OrderStatus::Held)
        continue;
      OrderDecision d =
          DecideOrder(co, cfg_, c_.aliases.index(), earliest_ ? &*earliest_ : nullptr);
      std::string who = co.order_number + " (" + key + ")";
      switch (d.verdict) {
        case Verdict::Send:
          ++counts_.sent;
          preview_.push_back(
              "would send " + who + " as " +
              (d.order.ship_method.carrier.empty()
                   ? "unmapped ship code \"" + co.ship_code + "\""
                   : d.order.ship_method.carrier + "/" + d.order.ship_method.service));
          break;
        case Verdict::Held:
          ++counts_.held;
          preview_.push_back("would hold " + who + ": " + d.reason);
          break;
        case Verdict::Skipped:
          ++counts_.skipped;
          preview_.push_back("would skip " + who + ": " + d.reason);
          break;
      }
    }
    counts_.downloaded = static_cast<int>(fetched.size());
    return Status::Ok();
  }

  CartContext& c_;
  std::optional<EarliestOrderTime> earliest_;
  const CartConfig& cfg_;
  StepCounts& counts_;
  std::vector<std::string>& preview_;
  // More connections to the same WMS, for pushing orders in parallel.
  std::vector<std::unique_ptr<WmsClient>> extra_wms_;
  bool lanes_opened_ = false;
  // The last batch pushed and its results, not recorded yet (SendBatch).
  std::vector<PendingSend> unrecorded_batch_;
  std::vector<SendFinish> unrecorded_;
  // Acknowledgements that failed in this run (not tried again), and the first error.
  std::set<std::string> ack_failed_;
  Status first_ack_error_;
};

}  // namespace

Status DownloadOrders(CartContext& cart, StepCounts& counts, std::vector<std::string>& preview) {
  return OrderDownload(cart, counts, preview).Run();
}

}  // namespace cartsync

#include "runtime/order_cancel.h"

#include <utility>

namespace cartsync {

namespace {

constexpr const char* kStep = "order_download";

bool StartsWith(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

std::string Who(const OrderRecord& rec) {
  return (rec.order_number.empty() ? rec.order_id : rec.order_number) + " (" + rec.order_key + ")";
}

CancelResult Made(CancelResult::Kind kind, std::string message) {
  CancelResult r;
  r.kind = kind;
  r.message = std::move(message);
  return r;
}

// The reason kept on a canceled order: who canceled, and where.
std::string CanceledReason(const std::string& why, const std::string& where) {
  return why + (where.empty() ? "" : "; " + where);
}

// `why` as the cancel intent keeps it, and back.
std::string WhyOf(const OrderRecord& rec) {
  if (StartsWith(rec.reason, kCancelRequested)) return rec.reason.substr(kCancelRequested.size());
  return "canceled";
}

}  // namespace

bool CanceledOrder(const OrderRecord& rec) {
  return rec.status == OrderStatus::Canceled || StartsWith(rec.reason, kCancelRequested) ||
         StartsWith(rec.reason, kCancelTooLate);
}

Result<CancelResult> FinishCancelAtWms(StateStore& store, WmsClient& wms, const OrderRecord& rec,
                                       int64_t now_ms) {
  const std::string why = WhyOf(rec);
  auto answer = wms.CancelOrder(rec.order_key);
  if (!answer.ok()) {
    CancelResult r = Made(CancelResult::Kind::Requested,
                          Who(rec) + ": the cancel is recorded, the WMS did not take it (" +
                              answer.status().message() + "); the next run tries again");
    r.error = answer.status();
    return r;
  }
  switch (answer->outcome) {
    case WmsCancel::Outcome::Canceled: {
      Status st = store.UpdateOrder(rec.order_key, OrderStatus::Canceled,
                                    CanceledReason(why, "canceled at the WMS"), "", false, now_ms);
      if (!st.ok()) return st;
      return Made(CancelResult::Kind::AtWms, Who(rec) + " canceled at the WMS");
    }
    case WmsCancel::Outcome::Unknown: {
      Status st = store.UpdateOrder(
          rec.order_key, OrderStatus::Canceled,
          CanceledReason(why, "the WMS does not have the order (404): nothing to cancel there"), "",
          false, now_ms);
      if (!st.ok()) return st;
      return Made(CancelResult::Kind::AtWms,
                  Who(rec) + " canceled; the WMS does not have it (nothing to cancel there)");
    }
    case WmsCancel::Outcome::TooLate:
      break;
  }
  const std::string status = answer->status.empty() ? "in_progress or shipped" : answer->status;
  // The status stays (sent: the shipment, when it comes, moves it on); the
  // note replaces the intent, so the cancel is never tried again.
  Status st = store.UpdateOrder(rec.order_key, rec.status,
                                std::string(kCancelTooLate) + why + "; the WMS answered 409 (" +
                                    status + "): too late to cancel",
                                "", false, now_ms);
  if (!st.ok()) return st;
  return Made(CancelResult::Kind::TooLate,
              Who(rec) + ": too late to cancel, the WMS says it is " + status);
}

Result<CancelResult> CancelStoredOrder(StateStore& store, WmsClient& wms, const OrderRecord& rec,
                                       const std::string& why, int64_t now_ms) {
  switch (rec.status) {
    case OrderStatus::Canceled:
      return Made(CancelResult::Kind::Already, Who(rec) + " is canceled already");
    case OrderStatus::Shipped:
    case OrderStatus::Confirmed:
      if (StartsWith(rec.reason, kCancelTooLate))
        return Made(CancelResult::Kind::Already, Who(rec) + ": too late to cancel (noted before)");
      return Made(CancelResult::Kind::Refused, Who(rec) + " is " +
                                                   std::string(OrderStatusName(rec.status)) +
                                                   ": the WMS shipped it, too late to cancel");
    case OrderStatus::Sent:
      if (StartsWith(rec.reason, kCancelTooLate))
        return Made(CancelResult::Kind::Already,
                    Who(rec) + ": too late to cancel (the WMS said so before)");
      if (!StartsWith(rec.reason, kCancelRequested)) {
        // The intent, before the WMS hears of it.
        Status st = store.UpdateOrder(rec.order_key, OrderStatus::Sent,
                                      std::string(kCancelRequested) + why, "", false, now_ms);
        if (!st.ok()) return st;
      }
      {
        OrderRecord requested = rec;
        requested.reason = std::string(kCancelRequested) + why;
        if (StartsWith(rec.reason, kCancelRequested)) requested.reason = rec.reason;
        return FinishCancelAtWms(store, wms, requested, now_ms);
      }
    case OrderStatus::New:
    case OrderStatus::Held:
    case OrderStatus::Skipped:
      break;
  }
  // A push a crash left unfinished: reconciliation (the start of the next
  // run) settles it; cancelling now could race with it.
  auto intents = store.PendingIntents(rec.cart_id);
  if (!intents.ok()) return intents.status();
  for (const Intent& i : intents.value())
    if (i.kind == IntentKind::PushOrder && i.order_key == rec.order_key)
      return Status::Transient(Who(rec) +
                               " has an unfinished send (a crash?); the next run settles it, "
                               "then it can be canceled");
  if (rec.status == OrderStatus::New && rec.attempts > 0) {
    // An earlier send failed with an unknown outcome: the WMS may have it.
    auto found = wms.FindOrder(rec.order_key);
    if (!found.ok())
      return Status::Transient("asking the WMS whether it has " + rec.order_key + ": " +
                               found.status().message());
    if (found.value()) {
      Status st = store.FinishSends(
          {SendFinish{0, rec.order_key, SendFinish::Kind::Sent, *found.value(), false}}, now_ms);
      if (!st.ok()) return st;
      OrderRecord sent = rec;
      sent.status = OrderStatus::Sent;
      sent.wms_ref = *found.value();
      sent.reason.clear();
      return CancelStoredOrder(store, wms, sent, why, now_ms);
    }
  }
  Status st = store.UpdateOrder(rec.order_key, OrderStatus::Canceled,
                                CanceledReason(why, "never sent"), "", false, now_ms);
  if (!st.ok()) return st;
  return Made(CancelResult::Kind::NotSent, Who(rec) + " canceled; it was never sent to the WMS");
}

namespace {

// Counts and logs one result; a too-late one becomes an event.
void Account(CartContext& c, const OrderRecord& rec, const CancelResult& r, StepCounts& counts) {
  switch (r.kind) {
    case CancelResult::Kind::NotSent:
    case CancelResult::Kind::AtWms:
      ++counts.canceled;
      c.log.Info(c.cart.id, kStep, r.message);
      break;
    case CancelResult::Kind::TooLate:
    case CancelResult::Kind::Refused: {
      ++counts.cancel_too_late;
      // A stable prefix for log readers: "cancel_too_late: ORDER (KEY): …".
      c.log.Warn(c.cart.id, kStep, std::string(kCancelTooLateEvent) + ": " + r.message);
      counts.events.push_back(
          StepEvent{kCancelTooLateEvent, rec.order_key, rec.order_number, r.message});
      break;
    }
    case CancelResult::Kind::Requested:
      ++counts.cancel_failed;
      c.log.Warn(c.cart.id, kStep, r.message);
      break;
    case CancelResult::Kind::Already:
      break;
  }
}

}  // namespace

Status NoteCanceledAtCart(CartContext& c, const std::string& order_key, StepCounts& counts) {
  auto got = c.store.GetOrder(order_key);
  if (!got.ok()) return got.status();
  if (!got.value()) return Status::Ok();  // not recorded (cannot happen after RecordDownloaded)
  const OrderRecord& rec = *got.value();
  const int64_t now = c.clock.NowMs();
  if (rec.status == OrderStatus::Sent && !StartsWith(rec.reason, kCancelRequested) &&
      !StartsWith(rec.reason, kCancelTooLate)) {
    // Only the intent here: the WMS is called after the download
    // (CancelRequestedAtWms), with the cancels earlier runs left.
    return c.store.UpdateOrder(order_key, OrderStatus::Sent,
                               std::string(kCancelRequested) + "canceled at the cart", "", false,
                               now);
  }
  if (rec.status == OrderStatus::Sent) return Status::Ok();
  if (rec.status == OrderStatus::Shipped || rec.status == OrderStatus::Confirmed) {
    if (StartsWith(rec.reason, kCancelTooLate) || StartsWith(rec.reason, kCancelRequested))
      return Status::Ok();  // noted before (the cart reports it again in overlapping windows)
    Status st = c.store.UpdateOrder(
        order_key, rec.status,
        std::string(kCancelTooLate) + "canceled at the cart after the WMS shipped it", "", false,
        now);
    if (!st.ok()) return st;
    Account(c, rec,
            Made(CancelResult::Kind::TooLate,
                 Who(rec) + ": canceled at the cart after the WMS shipped it, too late to cancel"),
            counts);
    return Status::Ok();
  }
  auto r = CancelStoredOrder(c.store, c.wms, rec, "canceled at the cart", now);
  if (!r.ok()) return r.status();
  Account(c, rec, r.value(), counts);
  return Status::Ok();
}

Status CancelRequestedAtWms(CartContext& c, StepCounts& counts) {
  constexpr int kPage = 1000;
  Status first_error;
  for (OrderStatus status : {OrderStatus::Sent, OrderStatus::Shipped}) {
    OrderQuery q;
    q.cart_id = c.cart.id;
    q.status = status;
    q.limit = kPage;
    for (;;) {
      auto list = c.store.ListOrders(q);
      if (!list.ok()) return list.status();
      for (const OrderRecord& rec : list.value()) {
        if (!StartsWith(rec.reason, kCancelRequested)) continue;
        const int64_t now = c.clock.NowMs();
        if (status == OrderStatus::Shipped) {
          // The shipment came before the WMS heard of the cancel.
          Status st = c.store.UpdateOrder(
              rec.order_key, OrderStatus::Shipped,
              std::string(kCancelTooLate) + WhyOf(rec) + "; the WMS shipped it first", "", false,
              now);
          if (!st.ok()) return st;
          Account(c, rec,
                  Made(CancelResult::Kind::TooLate,
                       Who(rec) + ": too late to cancel, the WMS shipped it first"),
                  counts);
          continue;
        }
        auto r = FinishCancelAtWms(c.store, c.wms, rec, now);
        if (!r.ok()) return r.status();
        Account(c, rec, r.value(), counts);
        if (r->kind == CancelResult::Kind::Requested && first_error.ok())
          first_error = Status(r->error.code(),
                               "canceling " + rec.order_key + " at the WMS: " + r->error.message());
      }
      if (list.value().size() < static_cast<size_t>(kPage)) break;
      const OrderRecord& last = list.value().back();
      q.after = std::make_pair(last.first_seen_ms, last.order_key);
    }
  }
  if (!first_error.ok())
    return Status::Transient(
        std::to_string(counts.cancel_failed) +
        " cancels not delivered to the WMS (retried next run); first: " + first_error.message());
  return Status::Ok();
}

}  // namespace cartsync

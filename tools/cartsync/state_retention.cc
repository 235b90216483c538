#include "tools/cartsync/state_retention.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <toml++/toml.h>

#include <filesystem>
#include <optional>

#include "base/defaults.h"
#include "compiler/compiler.h"
#include "model/grammar.h"
#include "runtime/clock.h"
#include "runtime/documents.h"
#include "runtime/order_pipeline.h"
#include "runtime/state/pii.h"

namespace cartsync {

namespace {

namespace fs = std::filesystem;
constexpr int kOk = 0, kError = 1, kUsage = 2;

std::string Time(int64_t ms) { return ms ? FormatIsoUtc(ms / 1000) : "-"; }

// What the project's current configuration would do with a stored order on
// the next run: the decision, or nullopt with `why_not` when it cannot be
// told (no project, the cart does not check clean, the document is gone).
std::optional<OrderDecision> DecideWithProject(const StateFlags& flags, const OrderRecord& o,
                                               std::string& why_not, std::string& cart_file) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(flags.project) / "cartsync.toml", ec)) {
    why_not = "no cartsync.toml in " + flags.project + " (--project DIR) to check its filters";
    return std::nullopt;
  }
  CompileOptions options;
  options.paths = {flags.project};
  options.today = TodayUtc();
  Compilation c;
  Compile(options, c);
  const CartConfig* cart = nullptr;
  for (const CartConfig& cc : c.carts)
    if (cc.id == o.cart_id) cart = &cc;
  if (cart == nullptr) {
    why_not = "cart " + o.cart_id + " is not in the project at " + flags.project +
              " or does not check clean (cartsync check)";
    return std::nullopt;
  }
  CartOrder co;
  std::string error;
  if (!FromJson(o.cart_order_json, co, error)) {
    why_not = "the stored order is unreadable: " + error;
    return std::nullopt;
  }
  cart_file = cart->source;
  // The WMS's aliases are not at hand here: decide as if the cart sent its
  // SKUs as they are, so no alias question turns into a false "held".
  CartConfig offline = *cart;
  offline.items.translate_item_code = "master_sku";
  return DecideOrder(co, offline, AliasIndex{});
}

int ResendTracking(StateStore& store, const OrderRecord& o, std::ostream& out, std::ostream& err) {
  auto requeued = store.RequeueUploads(o.order_key, SystemClock().NowMs());
  if (!requeued.ok()) {
    err << "cartsync state: " << requeued.status().message() << "\n";
    return kError;
  }
  if (requeued.value().empty()) {
    err << "cartsync state: " << o.order_key << " has no tracking to resend: the WMS has "
        << "reported no shipment of it (status " << OrderStatusName(o.status) << ")\n";
    return kError;
  }
  std::string numbers;
  for (const std::string& t : requeued.value()) numbers += (numbers.empty() ? "" : ", ") + t;
  out << "tracking " << numbers << " of " << o.order_key
      << " will be uploaded to the cart again on the next shipment upload of cart " << o.cart_id
      << "\n";
  return kOk;
}

}  // namespace

int StateResend(StateStore& store, const StateFlags& flags, const std::string& order_key,
                std::ostream& out, std::ostream& err) {
  auto found = store.GetOrder(order_key);
  if (!found.ok() || !found.value()) {
    err << "cartsync state: "
        << (found.ok() ? "no order \"" + order_key + "\" (keys look like cart-id:order-id)"
                       : found.status().message())
        << "\n";
    return kError;
  }
  const OrderRecord& o = *found.value();
  if (flags.tracking) return ResendTracking(store, o, out, err);
  switch (o.status) {
    case OrderStatus::Held:
    case OrderStatus::Skipped:
    case OrderStatus::Canceled:
    case OrderStatus::Sent:
      break;
    case OrderStatus::New:
      err << "cartsync state: " << order_key << " is new: the next run of its cart sends it "
          << "already (only held, skipped, canceled or sent orders can be resent)\n";
      return kError;
    case OrderStatus::Shipped:
    case OrderStatus::Confirmed:
      err << "cartsync state: " << order_key << " is " << OrderStatusName(o.status)
          << (o.wms_ref.empty() ? "" : " (WMS " + o.wms_ref + ")")
          << ": the WMS shipped it; only held, skipped, canceled or sent orders can be resent "
             "(--tracking uploads its tracking to the cart again)\n";
      return kError;
  }
  if (o.pii_erased_ms != 0) {
    err << "cartsync state: " << order_key << " cannot be resent: its personal data (the "
        << "address the WMS needs) was erased on " << Time(o.pii_erased_ms)
        << " by PII retention ([state].retain_pii)\n";
    return kError;
  }
  std::string why_not, cart_file;
  std::optional<OrderDecision> d = DecideWithProject(flags, o, why_not, cart_file);
  if (d && d->verdict == Verdict::Skipped) {
    err << "cartsync state: " << order_key << " not resent: the current configuration of cart "
        << o.cart_id << " would skip it again on the next run: " << d->reason
        << "\n  change earliest_order_date, [[order_filters]] or [items] in " << cart_file
        << " first, then resend it\n";
    return kError;
  }
  Status st = store.ResetForResend(order_key, SystemClock().NowMs());
  if (!st.ok()) {
    err << "cartsync state: " << st.message() << "\n";
    return kError;
  }
  out << order_key << " will be sent on the next run of cart " << o.cart_id << "\n";
  if (o.status == OrderStatus::Sent)
    out << "  with the same order_key" << (o.wms_ref.empty() ? "" : " (WMS " + o.wms_ref + ")")
        << ": a WMS that still has it answers with its reference and keeps one order; one that "
           "lost or deleted it takes it anew\n";
  if (d && d->verdict == Verdict::Held)
    out << "  but the current configuration would hold it: " << d->reason << "\n";
  if (!d) out << "  unless its cart's filters skip it again (not checked: " << why_not << ")\n";
  return kOk;
}

int StatePurge(StateStore& store, const StateFlags& flags, std::ostream& out, std::ostream& err) {
  int64_t seconds = kDefaultRetainPiiSeconds;
  std::string source = "the default";
  std::optional<std::string> text = flags.older_than;
  if (!text) {
    // The project's [state].retain_pii, read for that one key (`cartsync
    // check` reports a bad file or value).
    fs::path project = fs::path(flags.project) / "cartsync.toml";
    std::error_code ec;
    if (fs::is_regular_file(project, ec)) {
      try {
        toml::table t = toml::parse_file(project.string());
        text = t["state"]["retain_pii"].value<std::string>();
        if (text) source = "[state].retain_pii";
      } catch (const toml::parse_error&) {
      }
    }
  } else {
    source = "--older-than";
  }
  if (text) {
    auto parsed = ParseSchedule(*text);
    if (!parsed || parsed.value->kind != Schedule::Kind::Interval) {
      err << "cartsync state: " << source << " \"" << *text
          << "\" is not a duration such as \"60d\" or \"1440h\" (units s, m, h, d)\n";
      return source == "--older-than" ? kUsage : kError;
    }
    seconds = parsed.value->interval_seconds;
  }
  const int64_t now = SystemClock().NowMs();
  const int64_t before = now - seconds * 1000;
  auto erased = ErasePiiBefore(store, before, now);
  if (!erased.ok()) {
    err << "cartsync state: " << erased.status().message() << "\n";
    return kError;
  }
  if (flags.format == StateFormat::Json) {
    rapidjson::StringBuffer buf;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
    w.SetIndent(' ', 2);
    w.StartObject();
    w.Key("pii_erased");
    w.Int(erased.value());
    w.Key("before");
    w.String(Time(before).c_str());
    w.EndObject();
    out << buf.GetString() << "\n";
    return kOk;
  }
  out << "erased the personal data of " << erased.value()
      << (erased.value() == 1 ? " order" : " orders") << " past sending, unchanged since "
      << Time(before) << "\n";
  return kOk;
}

}  // namespace cartsync

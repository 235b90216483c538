#include <filesystem>
#include <ostream>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <toml++/toml.h>

#include "runtime/clock.h"
#include "runtime/state/state_store.h"
#include "tools/cartsync/args.h"
#include "tools/cartsync/commands.h"

namespace cartsync {

namespace {

namespace fs = std::filesystem;
constexpr int kOk = 0, kError = 1;

constexpr const char* kStateUsage = R"(usage: cartsync state <subcommand> [--project DIR] [--state URL] [--format text|json]
  orders [--status new|held|sent|shipped|confirmed|skipped|canceled] [--cart ID] [--limit N]
  show ORDER_KEY        one order, with its reason and documents
  resend ORDER_KEY      send a held, skipped or canceled order again on the next run
  runs [--limit N]      the last runs and their steps
  unlock CART           drop a cart's lease (after a crashed run, before it expires)
)";

// The store of the project in --project (default "."): its [state].url,
// or the embedded default. The file is read for that one key only, so a
// broken cart does not stop an operator from inspecting state.
std::string StateUrl(const Args& a, std::string& base_dir) {
  base_dir = a.Get("--project").value_or(".");
  if (auto url = a.Get("--state")) return *url;
  fs::path project = fs::path(base_dir) / "cartsync.toml";
  std::error_code ec;
  if (fs::is_regular_file(project, ec)) {
    try {
      toml::table t = toml::parse_file(project.string());
      if (auto url = t["state"]["url"].value<std::string>()) return *url;
    } catch (const toml::parse_error&) {
      // fall through to the default; `cartsync check` reports the file
    }
  }
  return "sqlite:.cartsync/state.db";
}

class JsonOut {
 public:
  JsonOut() : w_(buf_) { w_.SetIndent(' ', 2); }
  rapidjson::PrettyWriter<rapidjson::StringBuffer>& w() { return w_; }
  std::string str() const { return std::string(buf_.GetString(), buf_.GetSize()) + "\n"; }
  void Field(const char* k, const std::string& v) { w_.Key(k); w_.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size())); }
  void Field(const char* k, int64_t v) { w_.Key(k); w_.Int64(v); }

 private:
  rapidjson::StringBuffer buf_;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w_;
};

std::string Time(int64_t ms) { return ms ? FormatIsoUtc(ms / 1000) : "-"; }

void OrderJson(JsonOut& j, const OrderRecord& o, bool documents) {
  j.w().StartObject();
  j.Field("order_key", o.order_key);
  j.Field("cart", o.cart_id);
  j.Field("order_id", o.order_id);
  j.Field("order_number", o.order_number);
  j.Field("status", std::string(OrderStatusName(o.status)));
  j.Field("reason", o.reason);
  j.Field("wms_ref", o.wms_ref);
  j.Field("placed_at", o.placed_at);
  j.Field("first_seen", Time(o.first_seen_ms));
  j.Field("updated", Time(o.updated_ms));
  j.Field("attempts", o.attempts);
  if (documents) {
    j.Field("cart_order", o.cart_order_json);
    j.Field("wms_order", o.wms_order_json);
  }
  j.w().EndObject();
}

int Orders(StateStore& store, const Args& a, bool json, std::ostream& out, std::ostream& err) {
  OrderQuery q;
  if (auto c = a.Get("--cart")) q.cart_id = *c;
  if (auto s = a.Get("--status")) {
    q.status = ParseOrderStatus(*s);
    if (!q.status) {
      err << "cartsync state: unknown status \"" << *s << "\"\n";
      return kError;
    }
  }
  if (auto n = a.Get("--limit")) q.limit = std::max(1, std::atoi(n->c_str()));
  auto orders = store.ListOrders(q);
  if (!orders.ok()) {
    err << "cartsync state: " << orders.status().message() << "\n";
    return kError;
  }
  if (json) {
    JsonOut j;
    j.w().StartObject();
    j.w().Key("orders");
    j.w().StartArray();
    for (const OrderRecord& o : orders.value()) OrderJson(j, o, false);
    j.w().EndArray();
    j.w().EndObject();
    out << j.str();
    return kOk;
  }
  if (orders.value().empty()) out << "no orders\n";
  for (const OrderRecord& o : orders.value()) {
    out << o.order_key << "  " << o.order_number << "  " << OrderStatusName(o.status);
    if (!o.wms_ref.empty()) out << "  wms " << o.wms_ref;
    if (!o.reason.empty()) out << "  — " << o.reason;
    out << "\n";
  }
  return kOk;
}

}  // namespace

int StateCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                 const CliEnv&) {
  ArgSpec spec{{"--project", "--state", "--format", "--status", "--cart", "--limit"}, {}};
  Args a;
  std::string error;
  if (!a.Parse(args, 1, spec, error) || a.positional().empty()) {
    if (!error.empty()) err << "cartsync state: " << error << "\n";
    err << kStateUsage;
    return kError;
  }
  std::string format = a.Get("--format").value_or("text");
  if (format != "text" && format != "json") {
    err << "cartsync state: --format must be text or json\n";
    return kError;
  }
  bool json = format == "json";
  const std::string& sub = a.positional()[0];
  std::string arg = a.positional().size() > 1 ? a.positional()[1] : "";
  bool needs_arg = sub == "show" || sub == "resend" || sub == "unlock";
  bool known = needs_arg || sub == "orders" || sub == "runs";
  if (!known || (needs_arg && arg.empty())) {
    err << "cartsync state: " << (known ? sub + " needs an argument" : "unknown subcommand \"" + sub + "\"") << "\n" << kStateUsage;
    return kError;
  }
  if (a.positional().size() > (needs_arg ? 2u : 1u)) {
    err << "cartsync state: unexpected argument \"" << a.positional().back()
        << "\" (a project directory goes in --project DIR)\n";
    return kError;
  }
  std::string base_dir;
  std::string url = StateUrl(a, base_dir);
  // Only resend and unlock write; none of them creates a database.
  auto opened = OpenStateStore(url, base_dir, /*create=*/false);
  if (!opened.ok()) {
    err << "cartsync state: " << opened.status().message() << "\n";
    return kError;
  }
  StateStore& store = *opened.value();

  if (sub == "orders") return Orders(store, a, json, out, err);
  if (sub == "show" || sub == "resend") {
    auto order = store.GetOrder(arg);
    if (!order.ok() || !order.value()) {
      err << "cartsync state: " << (order.ok() ? "no order \"" + arg + "\" (keys look like cart-id:order-id)" : order.status().message()) << "\n";
      return kError;
    }
    const OrderRecord& o = *order.value();
    if (sub == "resend") {
      if (o.status != OrderStatus::Held && o.status != OrderStatus::Skipped && o.status != OrderStatus::Canceled) {
        err << "cartsync state: " << arg << " is " << OrderStatusName(o.status)
            << (o.wms_ref.empty() ? "" : " (WMS " + o.wms_ref + ")") << "; only held, skipped or canceled orders can be resent\n";
        return kError;
      }
      SystemClock clock;
      Status st = store.ResetForResend(arg, clock.NowMs());
      if (!st.ok()) {
        err << "cartsync state: " << st.message() << "\n";
        return kError;
      }
      out << arg << " will be sent on the next run of its cart\n";
      return kOk;
    }
    if (json) {
      JsonOut j;
      OrderJson(j, o, true);
      out << j.str();
    } else {
      out << "order     " << o.order_key << " (" << o.order_number << ")\n"
          << "status    " << OrderStatusName(o.status) << (o.reason.empty() ? "" : ": " + o.reason) << "\n"
          << "wms ref   " << (o.wms_ref.empty() ? "-" : o.wms_ref) << "\n"
          << "placed    " << o.placed_at << "\n"
          << "seen      " << Time(o.first_seen_ms) << ", updated " << Time(o.updated_ms) << ", sent " << Time(o.sent_ms) << "\n"
          << "attempts  " << o.attempts << "\n";
    }
    return kOk;
  }
  if (sub == "unlock") {
    Status st = store.ForceUnlock(arg);
    if (st.code() == StatusCode::NotFound) {
      out << "cart " << arg << " was not locked\n";
      return kOk;
    }
    if (!st.ok()) {
      err << "cartsync state: " << st.message() << "\n";
      return kError;
    }
    out << "unlocked cart " << arg << "\n";
    return kOk;
  }
  // runs
  int limit = 20;
  if (auto n = a.Get("--limit")) limit = std::max(1, std::atoi(n->c_str()));
  auto runs = store.Runs(limit);
  if (!runs.ok()) {
    err << "cartsync state: " << runs.status().message() << "\n";
    return kError;
  }
  JsonOut j;
  if (json) {
    j.w().StartObject();
    j.w().Key("runs");
    j.w().StartArray();
  }
  for (const RunRecord& r : runs.value()) {
    auto steps = store.StepRuns(r.id);
    if (json) {
      j.w().StartObject();
      j.Field("id", r.id);
      j.Field("status", r.status);
      j.Field("started", Time(r.started_ms));
      j.Field("finished", Time(r.finished_ms));
      j.Field("host", r.host);
      j.Field("pid", r.pid);
      j.w().Key("steps");
      j.w().StartArray();
      if (steps.ok())
        for (const StepRunRecord& s : steps.value()) {
          j.w().StartObject();
          j.Field("step", s.step_id);
          j.w().Key("ok");
          j.w().Bool(s.ok);
          j.Field("duration_ms", s.finished_ms - s.started_ms);
          j.Field("error", s.error);
          j.w().EndObject();
        }
      j.w().EndArray();
      j.w().EndObject();
    } else {
      out << "run " << r.id << "  " << r.status << "  " << Time(r.started_ms) << " .. " << Time(r.finished_ms)
          << "  " << r.host << " pid " << r.pid << "\n";
      if (steps.ok())
        for (const StepRunRecord& s : steps.value())
          out << "  " << s.step_id << "  " << (s.ok ? "ok" : "failed") << (s.error.empty() ? "" : ": " + s.error) << "\n";
    }
  }
  if (json) {
    j.w().EndArray();
    j.w().EndObject();
    out << j.str();
  } else if (runs.value().empty()) {
    out << "no runs recorded\n";
  }
  return kOk;
}

}  // namespace cartsync

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <toml++/toml.h>

#include <filesystem>
#include <optional>
#include <ostream>
#include <string_view>

#include "base/defaults.h"
#include "base/suggest.h"
#include "model/grammar.h"
#include "runtime/clock.h"
#include "runtime/secrets.h"
#include "runtime/state/state_store.h"
#include "tools/cartsync/commands.h"
#include "tools/cartsync/state_cancel.h"
#include "tools/cartsync/state_retention.h"

namespace cartsync {

namespace {

namespace fs = std::filesystem;
constexpr int kOk = 0, kError = 1, kUsage = 2;

// The store of the project in --project (default "."): its [state].url,
// or the embedded default. The file is read for that one key only, so a
// broken cart does not stop an operator from inspecting state.
std::string StateUrl(const StateFlags& flags) {
  if (flags.state_url) return *flags.state_url;
  fs::path project = fs::path(flags.project) / "cartsync.toml";
  std::error_code ec;
  if (fs::is_regular_file(project, ec)) {
    try {
      toml::table t = toml::parse_file(project.string());
      if (auto url = t["state"]["url"].value<std::string>()) return *url;
    } catch (const toml::parse_error&) {
      // fall through to the default; `cartsync check` reports the file
    }
  }
  return kDefaultStateUrl;
}

// The project's [state].password, resolved for `url` ("" when the project
// has none, or when `url` is not the project's [state].url: another database
// gets libpq's environment, never this project's password). False, with
// `error`, when the reference is malformed or cannot be resolved.
bool StatePassword(const StateFlags& flags, const std::string& url, std::string& password,
                   std::string& error) {
  password.clear();
  fs::path project = fs::path(flags.project) / "cartsync.toml";
  std::error_code ec;
  if (!fs::is_regular_file(project, ec)) return true;
  std::optional<std::string> ref_text;
  try {
    toml::table t = toml::parse_file(project.string());
    if (t["state"]["url"].value<std::string>() != url) return true;
    ref_text = t["state"]["password"]["secret"].value<std::string>();
  } catch (const toml::parse_error&) {
    return true;  // as StateUrl: `cartsync check` reports the file
  }
  if (!ref_text) return true;
  auto ref = ParseSecretRef(*ref_text);
  if (!ref) {
    error = "[state].password: invalid secret reference: " + ref.error.message;
    return false;
  }
  EnvFileSecretResolver secrets(flags.project);
  auto resolved = secrets.Resolve(*ref.value);
  if (!resolved.ok()) {
    error = "[state].password: " + resolved.status().message();
    return false;
  }
  password = std::move(resolved.value());
  return true;
}

class JsonOut {
 public:
  JsonOut() : w_(buf_) { w_.SetIndent(' ', 2); }
  rapidjson::PrettyWriter<rapidjson::StringBuffer>& w() { return w_; }
  std::string str() const { return std::string(buf_.GetString(), buf_.GetSize()) + "\n"; }
  void Field(const char* k, const std::string& v) {
    w_.Key(k);
    w_.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
  }
  void Field(const char* k, int64_t v) {
    w_.Key(k);
    w_.Int64(v);
  }

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
  if (o.pii_erased_ms) j.Field("pii_erased", Time(o.pii_erased_ms));
  if (documents) {
    j.Field("cart_order", o.cart_order_json);
    j.Field("wms_order", o.wms_order_json);
  }
  j.w().EndObject();
}

// One subcommand's call: the open store, the options, its argument ("" when
// it takes none) and where to write.
struct Call {
  StateStore& store;
  const StateFlags& flags;
  const std::string& arg;
  std::ostream& out;
  std::ostream& err;
  bool json() const { return flags.format == StateFormat::Json; }
};

int Orders(const Call& c) {
  StateStore& store = c.store;
  std::ostream& out = c.out;
  std::ostream& err = c.err;
  OrderQuery q;
  q.cart_id = c.flags.cart;
  if (c.flags.status) {
    q.status = ParseOrderStatus(*c.flags.status);
    if (!q.status) {
      err << "cartsync state: unknown status \"" << *c.flags.status << "\"\n";
      return kError;
    }
  }
  if (c.flags.limit) q.limit = *c.flags.limit;
  auto orders = store.ListOrders(q);
  if (!orders.ok()) {
    err << "cartsync state: " << orders.status().message() << "\n";
    return kError;
  }
  if (c.json()) {
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

// The order `c.arg` names; nullopt (said on err) when there is none.
std::optional<OrderRecord> FindOrder(const Call& c) {
  auto order = c.store.GetOrder(c.arg);
  if (!order.ok() || !order.value()) {
    c.err << "cartsync state: "
          << (order.ok() ? "no order \"" + c.arg + "\" (keys look like cart-id:order-id)"
                         : order.status().message())
          << "\n";
    return std::nullopt;
  }
  return *order.value();
}

int Show(const Call& c) {
  std::optional<OrderRecord> order = FindOrder(c);
  if (!order) return kError;
  const OrderRecord& o = *order;
  if (c.json()) {
    JsonOut j;
    OrderJson(j, o, true);
    c.out << j.str();
  } else {
    c.out << "order     " << o.order_key << " (" << o.order_number << ")\n"
          << "status    " << OrderStatusName(o.status) << (o.reason.empty() ? "" : ": " + o.reason)
          << "\n"
          << "wms ref   " << (o.wms_ref.empty() ? "-" : o.wms_ref) << "\n"
          << "placed    " << o.placed_at << "\n"
          << "seen      " << Time(o.first_seen_ms) << ", updated " << Time(o.updated_ms)
          << ", sent " << Time(o.sent_ms) << "\n"
          << "attempts  " << o.attempts << "\n";
    if (o.pii_erased_ms) c.out << "pii       erased " << Time(o.pii_erased_ms) << "\n";
  }
  return kOk;
}

// state_retention.cc: resend (orders and tracking) and purge (PII retention).
int Resend(const Call& c) { return StateResend(c.store, c.flags, c.arg, c.out, c.err); }
int Purge(const Call& c) { return StatePurge(c.store, c.flags, c.out, c.err); }
// state_cancel.cc: cancel sending (or cancel at the WMS).
int Cancel(const Call& c) { return StateCancel(c.store, c.flags, c.arg, c.out, c.err); }

int Unlock(const Call& c) {
  Status st = c.store.ForceUnlock(c.arg);
  if (st.code() == StatusCode::NotFound) {
    c.out << "cart " << c.arg << " was not locked\n";
    return kOk;
  }
  if (!st.ok()) {
    c.err << "cartsync state: " << st.message() << "\n";
    return kError;
  }
  c.out << "unlocked cart " << c.arg << "\n";
  return kOk;
}

int Runs(const Call& c) {
  StateStore& store = c.store;
  std::ostream& out = c.out;
  std::ostream& err = c.err;
  const bool json = c.json();
  auto runs = store.Runs(c.flags.limit.value_or(20));
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
      out << "run " << r.id << "  " << r.status << "  " << Time(r.started_ms) << " .. "
          << Time(r.finished_ms) << "  " << r.host << " pid " << r.pid << "\n";
      if (steps.ok())
        for (const StepRunRecord& s : steps.value())
          out << "  " << s.step_id << "  " << (s.ok ? "ok" : "failed")
              << (s.error.empty() ? "" : ": " + s.error) << "\n";
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

// The subcommands: what the usage lists, in its order, and what runs them.
struct Subcommand {
  std::string_view name;
  bool takes_argument;  ///< ORDER_KEY or CART, exactly one
  int (*handler)(const Call&);
  std::string_view usage;  ///< its line in the usage text
};

constexpr Subcommand kSubcommands[] = {
    {"orders", false, Orders,
     "orders [--status new|held|sent|shipped|confirmed|skipped|canceled] [--cart ID] [--limit N]"},
    {"show", true, Show, "show ORDER_KEY        one order, with its reason and documents"},
    {"resend", true, Resend,
     "resend ORDER_KEY      send a held, skipped, canceled or sent order again on the next run "
     "(--tracking: upload its tracking to the cart again)"},
    {"cancel", true, Cancel,
     "cancel ORDER_KEY      never send an order not sent yet; cancel a sent, unshipped one at "
     "the WMS"},
    {"purge", false, Purge,
     "purge [--older-than D]  erase personal data of orders past sending (default 60d)"},
    {"runs", false, Runs, "runs [--limit N]      the last runs and their steps"},
    {"unlock", true, Unlock,
     "unlock CART           drop a cart's lease (after a crashed run, before it expires)"},
};

}  // namespace

std::string StateUsage() {
  std::string text =
      "usage: cartsync state <subcommand> [--project DIR] [--state URL] [--format text|json]\n";
  for (const Subcommand& s : kSubcommands) text += "  " + std::string(s.usage) + "\n";
  return text;
}

int StateCommand(const StateFlags& flags, std::ostream& out, std::ostream& err) {
  const Subcommand* sub = nullptr;
  for (const Subcommand& s : kSubcommands)
    if (s.name == flags.subcommand) sub = &s;
  const std::string arg = flags.arguments.empty() ? "" : flags.arguments[0];
  // Usage errors (exit 2, as for every command): the bad word, then where to look.
  const char* see = "see 'cartsync state --help'\n";
  if (sub == nullptr) {
    std::vector<std::string> names;
    for (const Subcommand& s : kSubcommands) names.emplace_back(s.name);
    auto closest = ClosestMatch(flags.subcommand, names);
    err << "cartsync state: unknown subcommand \"" << flags.subcommand << "\""
        << (closest ? "; did you mean " + *closest + "?" : "") << "\n"
        << see;
    return kUsage;
  }
  if (sub->takes_argument && arg.empty()) {
    err << "cartsync state: " << flags.subcommand << " needs an argument\n" << see;
    return kUsage;
  }
  if (flags.arguments.size() > (sub->takes_argument ? 1u : 0u)) {
    err << "cartsync state: unexpected argument \"" << flags.arguments.back()
        << "\" (a project directory goes in --project DIR)\n"
        << see;
    return kUsage;
  }
  // Only resend, cancel, purge and unlock write; none of them creates a database.
  std::string password, error;
  const std::string url = StateUrl(flags);
  if (url.starts_with("postgres") && !StatePassword(flags, url, password, error)) {
    err << "cartsync state: " << error << "\n";
    return kError;
  }
  auto opened = OpenStateStore(url, flags.project, /*create=*/false, password);
  if (!opened.ok()) {
    err << "cartsync state: " << opened.status().message() << "\n";
    return kError;
  }
  return sub->handler(Call{*opened.value(), flags, arg, out, err});
}

}  // namespace cartsync

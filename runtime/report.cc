#include "runtime/report.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <iomanip>
#include <sstream>

namespace cartsync {

namespace {

const char* StateName(StepOutcome::State s) {
  switch (s) {
    case StepOutcome::State::Ok:
      return "ok";
    case StepOutcome::State::Failed:
      return "failed";
    case StepOutcome::State::NotDue:
      return "not due";
    case StepOutcome::State::Locked:
      return "locked";
  }
  return "ok";
}

// The cells that mean something for each service; others stay blank.
struct Row {
  std::string step, state, downloaded, sent, held, skipped, tracking, skus, error;
};

Row MakeRow(const StepOutcome& s) {
  Row r;
  r.step = s.step_id;
  r.state = StateName(s.state);
  const StepCounts& c = s.counts;
  bool ran = s.state == StepOutcome::State::Ok || s.state == StepOutcome::State::Failed;
  if (ran && s.service == Service::OrderDownload) {
    r.downloaded = std::to_string(c.downloaded);
    r.sent = std::to_string(c.sent) +
             (c.send_failed ? " (" + std::to_string(c.send_failed) + " failed)" : "");
    r.held = std::to_string(c.held) +
             (c.released ? " (" + std::to_string(c.released) + " released)" : "");
    r.skipped = std::to_string(c.skipped);
    if (c.canceled || c.cancel_too_late || c.cancel_failed)
      r.skipped +=
          " (" + std::to_string(c.canceled) + " canceled" +
          (c.cancel_too_late ? ", " + std::to_string(c.cancel_too_late) + " too late" : "") +
          (c.cancel_failed ? ", " + std::to_string(c.cancel_failed) + " cancel failed" : "") + ")";
  }
  if (ran && s.service == Service::ShipmentUpload)
    r.tracking = std::to_string(c.tracking_uploaded) +
                 (c.tracking_failed ? " (" + std::to_string(c.tracking_failed) + " failed)" : "");
  if (ran && s.service == Service::InventoryUpload)
    r.skus =
        std::to_string(c.skus_pushed) +
        (c.skus_failed ? " (" + std::to_string(c.skus_failed) + " failed)" : "") +
        (c.skus_not_in_cart ? " (" + std::to_string(c.skus_not_in_cart) + " not in cart)" : "");
  r.error = s.error;
  return r;
}

}  // namespace

void RenderSummaryTable(const RunReport& report, std::ostream& out) {
  std::vector<Row> rows;
  rows.push_back(
      {"step", "state", "downloaded", "sent", "held", "skipped", "tracking", "skus", "error"});
  for (const StepOutcome& s : report.steps) rows.push_back(MakeRow(s));
  std::vector<size_t> width(9, 0);
  auto cells = [](const Row& r) {
    return std::vector<const std::string*>{&r.step,    &r.state,    &r.downloaded, &r.sent, &r.held,
                                           &r.skipped, &r.tracking, &r.skus,       &r.error};
  };
  for (const Row& r : rows) {
    auto c = cells(r);
    for (size_t i = 0; i + 1 < c.size(); ++i) width[i] = std::max(width[i], c[i]->size());
  }
  for (const Row& r : rows) {
    auto c = cells(r);
    std::string line;
    for (size_t i = 0; i < c.size(); ++i) {
      std::string cell = *c[i];
      if (i + 1 < c.size()) cell.resize(width[i], ' ');
      line += (i ? "  " : "") + cell;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
  int failed = 0;
  for (const StepOutcome& s : report.steps) failed += s.state == StepOutcome::State::Failed;
  out << report.steps.size() << (report.steps.size() == 1 ? " step, " : " steps, ") << failed
      << " failed" << (report.dry_run ? " (dry run: nothing was written)" : "") << "\n";
  if (report.pii_erased > 0)
    out << "personal data erased from " << report.pii_erased
        << (report.pii_erased == 1 ? " order" : " orders") << " ([state].retain_pii)\n";
  if (!report.pii_error.empty()) out << "PII retention failed: " << report.pii_error << "\n";
  if (report.notify.sent > 0 || report.notify.pending > 0)
    out << "alerts: " << report.notify.sent << " sent, " << report.notify.pending
        << " pending ([[notify]])\n";
  for (const std::string& e : report.notify.errors) out << "alert not delivered: " << e << "\n";
}

void RenderPreview(const RunReport& report, std::ostream& out) {
  for (const StepOutcome& s : report.steps) {
    if (s.preview.empty() && s.state != StepOutcome::State::Failed) {
      out << s.step_id << ": nothing to do\n";
      continue;
    }
    out << s.step_id << ":\n";
    for (const std::string& line : s.preview) out << "  " << line << "\n";
    if (s.state == StepOutcome::State::Failed) out << "  error: " << s.error << "\n";
  }
}

std::string ReportJson(const RunReport& report) {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  w.SetIndent(' ', 2);
  w.StartObject();
  w.Key("run_id");
  w.Int64(report.run_id);
  w.Key("dry_run");
  w.Bool(report.dry_run);
  w.Key("started");
  w.String(FormatIsoUtc(report.started_ms / 1000).c_str());
  w.Key("finished");
  w.String(FormatIsoUtc(report.finished_ms / 1000).c_str());
  w.Key("ok");
  w.Bool(report.ok());
  w.Key("pii_erased");
  w.Int(report.pii_erased);
  if (!report.pii_error.empty()) {
    w.Key("pii_error");
    w.String(report.pii_error.c_str());
  }
  if (const NotifyOutcome& n = report.notify;
      n.recorded || n.sent || n.pending || !n.errors.empty()) {
    // [[notify]] alerts (notify.h); errors never hold a webhook URL.
    w.Key("notify");
    w.StartObject();
    w.Key("recorded");
    w.Int(n.recorded);
    w.Key("sent");
    w.Int(n.sent);
    w.Key("pending");
    w.Int(n.pending);
    w.Key("errors");
    w.StartArray();
    for (const std::string& e : n.errors) w.String(e.c_str());
    w.EndArray();
    w.EndObject();
  }
  w.Key("steps");
  w.StartArray();
  for (const StepOutcome& s : report.steps) {
    const StepCounts& c = s.counts;
    w.StartObject();
    w.Key("step");
    w.String(s.step_id.c_str());
    w.Key("cart");
    w.String(s.cart_id.c_str());
    w.Key("service");
    w.String(std::string(ServiceName(s.service)).c_str());
    w.Key("state");
    w.String(StateName(s.state));
    w.Key("duration_ms");
    w.Int64(s.finished_ms - s.started_ms);
    std::pair<const char*, int> counts[] = {{"downloaded", c.downloaded},
                                            {"sent", c.sent},
                                            {"held", c.held},
                                            {"skipped", c.skipped},
                                            {"released", c.released},
                                            {"send_failed", c.send_failed},
                                            {"acknowledged", c.acknowledged},
                                            {"ack_failed", c.ack_failed},
                                            {"shipments", c.shipments},
                                            {"tracking_uploaded", c.tracking_uploaded},
                                            {"tracking_failed", c.tracking_failed},
                                            {"skus_pushed", c.skus_pushed},
                                            {"skus_unchanged", c.skus_unchanged},
                                            {"skus_unaliased", c.skus_unaliased},
                                            {"skus_filtered", c.skus_filtered},
                                            {"skus_failed", c.skus_failed},
                                            {"skus_not_in_cart", c.skus_not_in_cart},
                                            {"reconciled", c.reconciled},
                                            {"canceled", c.canceled},
                                            {"cancel_too_late", c.cancel_too_late},
                                            {"cancel_failed", c.cancel_failed}};
    w.Key("counts");
    w.StartObject();
    for (auto& [k, v] : counts) {
      w.Key(k);
      w.Int(v);
    }
    w.EndObject();
    if (!s.error.empty()) {
      w.Key("error");
      w.String(s.error.c_str());
    }
    if (!s.counts.events.empty()) {
      // Alerts ([[notify]] reads them here): {"event", "order_key", "order_number", "detail"}.
      w.Key("events");
      w.StartArray();
      for (const StepEvent& e : s.counts.events) {
        w.StartObject();
        w.Key("event");
        w.String(e.kind.c_str());
        w.Key("order_key");
        w.String(e.order_key.c_str());
        w.Key("order_number");
        w.String(e.order_number.c_str());
        w.Key("detail");
        w.String(e.detail.c_str());
        w.EndObject();
      }
      w.EndArray();
    }
    if (!s.preview.empty()) {
      w.Key("preview");
      w.StartArray();
      for (const std::string& p : s.preview) w.String(p.c_str());
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

namespace {
std::string Label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}
}  // namespace

std::string MetricsText(const RunReport& report,
                        const std::map<std::string, int64_t>& last_success_ms) {
  std::ostringstream m;
  auto labels = [](const StepOutcome& s) {
    return "{cart=\"" + Label(s.cart_id) + "\",service=\"" + std::string(ServiceName(s.service)) +
           "\"}";
  };
  m << "# HELP cartsync_last_run_timestamp_seconds When the last cartsync run finished.\n"
    << "# TYPE cartsync_last_run_timestamp_seconds gauge\n"
    << "cartsync_last_run_timestamp_seconds " << report.finished_ms / 1000 << "\n";
  m << "# HELP cartsync_step_success Whether the step succeeded in the last run (1) or failed "
       "(0).\n"
    << "# TYPE cartsync_step_success gauge\n";
  for (const StepOutcome& s : report.steps)
    if (s.state == StepOutcome::State::Ok || s.state == StepOutcome::State::Failed)
      m << "cartsync_step_success" << labels(s) << " "
        << (s.state == StepOutcome::State::Ok ? 1 : 0) << "\n";
  m << "# HELP cartsync_last_success_timestamp_seconds When the step last succeeded.\n"
    << "# TYPE cartsync_last_success_timestamp_seconds gauge\n";
  for (const StepOutcome& s : report.steps) {
    auto it = last_success_ms.find(s.step_id);
    if (it != last_success_ms.end())
      m << "cartsync_last_success_timestamp_seconds" << labels(s) << " " << it->second / 1000
        << "\n";
  }
  m << "# HELP cartsync_step_duration_seconds How long the step took in the last run.\n"
    << "# TYPE cartsync_step_duration_seconds gauge\n";
  for (const StepOutcome& s : report.steps)
    if (s.state == StepOutcome::State::Ok || s.state == StepOutcome::State::Failed)
      m << "cartsync_step_duration_seconds" << labels(s) << " " << std::fixed
        << std::setprecision(3) << (s.finished_ms - s.started_ms) / 1000.0 << "\n";
  struct Counter {
    const char* name;
    const char* help;
    int StepCounts::*field;
  };
  const Counter counters[] = {
      {"cartsync_orders_downloaded", "New orders recorded in the last run.",
       &StepCounts::downloaded},
      {"cartsync_orders_sent", "Orders the WMS accepted in the last run.", &StepCounts::sent},
      {"cartsync_orders_held", "Orders held for a person in the last run.", &StepCounts::held},
      {"cartsync_orders_skipped", "Orders skipped by filters in the last run.",
       &StepCounts::skipped},
      {"cartsync_tracking_uploaded", "Tracking numbers the cart accepted in the last run.",
       &StepCounts::tracking_uploaded},
      {"cartsync_skus_pushed", "SKU quantities pushed to the cart in the last run.",
       &StepCounts::skus_pushed},
      {"cartsync_orders_canceled", "Orders canceled at the cart, not sent or canceled at the WMS.",
       &StepCounts::canceled},
      {"cartsync_orders_cancel_too_late", "Cancels the WMS refused as too late in the last run.",
       &StepCounts::cancel_too_late},
  };
  for (const Counter& c : counters) {
    m << "# HELP " << c.name << " " << c.help << "\n# TYPE " << c.name << " gauge\n";
    for (const StepOutcome& s : report.steps)
      if (s.state == StepOutcome::State::Ok || s.state == StepOutcome::State::Failed)
        if (s.counts.*c.field) m << c.name << labels(s) << " " << s.counts.*c.field << "\n";
  }
  return m.str();
}

}  // namespace cartsync

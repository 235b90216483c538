#include "runtime/report_html.h"

#include <cstdio>
#include <sstream>
#include <string_view>
#include <vector>

#include "base/html.h"
#include "runtime/clock.h"

namespace cartsync {
namespace {

using State = StepOutcome::State;

const char* StateClass(State s) {
  switch (s) {
    case State::Ok:
      return "ok";
    case State::Failed:
      return "failed";
    case State::NotDue:
      return "notdue";
    case State::Locked:
      return "locked";
  }
  return "ok";
}

const char* StateText(State s) {
  switch (s) {
    case State::Ok:
      return "ok";
    case State::Failed:
      return "failed";
    case State::NotDue:
      return "not due";
    case State::Locked:
      return "locked";
  }
  return "ok";
}

bool Ran(const StepOutcome& s) { return s.state == State::Ok || s.state == State::Failed; }

// One count as the page shows it. `always`: shown for a step of its service
// even at zero (the others only when not zero); `bad`: a failure, in red.
struct Count {
  const char* key;  // the JSON report's name (report.cc)
  const char* label;
  int StepCounts::*field;
  Service service;
  bool always, bad;
};

constexpr Service kOrders = Service::OrderDownload;
constexpr Service kShip = Service::ShipmentUpload;
constexpr Service kStock = Service::InventoryUpload;

const Count kCounts[] = {
    {"downloaded", "downloaded", &StepCounts::downloaded, kOrders, true, false},
    {"sent", "sent", &StepCounts::sent, kOrders, true, false},
    {"held", "held", &StepCounts::held, kOrders, true, false},
    {"skipped", "skipped", &StepCounts::skipped, kOrders, true, false},
    {"released", "released", &StepCounts::released, kOrders, false, false},
    {"send_failed", "failed to send", &StepCounts::send_failed, kOrders, false, true},
    {"acknowledged", "acknowledged", &StepCounts::acknowledged, kOrders, false, false},
    {"ack_failed", "failed to acknowledge", &StepCounts::ack_failed, kOrders, false, true},
    {"shipments", "shipments", &StepCounts::shipments, kShip, true, false},
    {"tracking_uploaded", "tracking uploaded", &StepCounts::tracking_uploaded, kShip, true, false},
    {"tracking_failed", "tracking failed", &StepCounts::tracking_failed, kShip, false, true},
    {"skus_pushed", "SKUs pushed", &StepCounts::skus_pushed, kStock, true, false},
    {"skus_unchanged", "SKUs unchanged", &StepCounts::skus_unchanged, kStock, true, false},
    {"skus_unaliased", "SKUs without alias", &StepCounts::skus_unaliased, kStock, false, false},
    {"skus_filtered", "SKUs filtered", &StepCounts::skus_filtered, kStock, false, false},
    {"skus_failed", "SKUs failed", &StepCounts::skus_failed, kStock, false, true},
    {"skus_not_in_cart", "SKUs not in cart", &StepCounts::skus_not_in_cart, kStock, false, false},
    {"canceled", "canceled", &StepCounts::canceled, kOrders, false, false},
    {"cancel_too_late", "too late to cancel", &StepCounts::cancel_too_late, kOrders, false, true},
    {"cancel_failed", "cancel failed", &StepCounts::cancel_failed, kOrders, false, true},
};

std::string DurationText(int64_t ms) {
  if (ms < 0) ms = 0;
  if (ms < 1000) return std::to_string(ms) + " ms";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  return buf;
}

std::string CountItem(const Count& c, int value) {
  bool bad = c.bad && value != 0;
  return "<li data-count=\"" + std::string(c.key) + "\"" + (bad ? " class=\"bad\"" : "") + "><b>" +
         std::to_string(value) + "</b> " + c.label + "</li>";
}

std::string StepCountsHtml(const StepOutcome& s) {
  if (!Ran(s)) return "\xE2\x80\x94";  // an em dash: the step did not run
  std::string items;
  for (const Count& c : kCounts) {
    int value = s.counts.*c.field;
    if (c.service == s.service && (c.always || value != 0)) items += CountItem(c, value);
  }
  if (s.counts.reconciled)
    items += "<li data-count=\"reconciled\"><b>" + std::to_string(s.counts.reconciled) +
             "</b> reconciled</li>";
  return "<ul class=\"counts\">" + items + "</ul>";
}

// Carts in the order their first step comes (steps are sorted by step id).
std::vector<std::string> CartIds(const RunReport& report) {
  std::vector<std::string> ids;
  for (const StepOutcome& s : report.steps)
    if (ids.empty() || ids.back() != s.cart_id) {
      bool seen = false;
      for (const std::string& id : ids) seen = seen || id == s.cart_id;
      if (!seen) ids.push_back(s.cart_id);
    }
  return ids;
}

constexpr std::string_view kCss = R"(
:root{color-scheme:light}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
  margin:24px;color:#1e293b;background:#fff;max-width:1200px}
h1{font-size:22px;margin:0 0 6px;display:flex;gap:10px;align-items:center}
h2{font-size:17px;margin:26px 0 8px;display:flex;gap:10px;align-items:center}
h2 code{font:600 15px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.meta{color:#475569;margin:0 0 14px}
.badge{display:inline-block;border-radius:999px;padding:1px 10px;font-size:12px;font-weight:600;
  border:1px solid transparent}
.ok{background:#dcfce7;color:#166534;border-color:#86efac}
.failed{background:#fee2e2;color:#991b1b;border-color:#fca5a5}
.notdue{background:#f1f5f9;color:#475569;border-color:#cbd5e1}
.locked{background:#fef3c7;color:#92400e;border-color:#fcd34d}
.dryrun{background:#e0e7ff;color:#3730a3;border-color:#a5b4fc}
.banner{background:#e0e7ff;border:1px solid #a5b4fc;border-radius:8px;padding:8px 12px;margin:8px 0}
table{border-collapse:collapse;margin:4px 0 10px;width:100%}
th,td{border:1px solid #e2e8f0;padding:6px 9px;text-align:left;vertical-align:top}
th{background:#f1f5f9;font-weight:600}
tr.step-failed td{background:#fff7f7}
td.num{text-align:right;font-variant-numeric:tabular-nums}
table.totals{width:auto}
ul.counts{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:4px 14px}
ul.counts b{font-variant-numeric:tabular-nums}
ul.counts li.bad{color:#b91c1c;font-weight:600}
.error{color:#991b1b;white-space:pre-wrap;word-break:break-word;
  font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
ul.preview{margin:4px 0 0;padding-left:18px;color:#334155}
footer{margin-top:24px;color:#64748b;font-size:12px}
)";

void StepRow(const StepOutcome& s, std::ostream& out) {
  out << "<tr class=\"step step-" << StateClass(s.state) << "\" data-step=\""
      << HtmlEscape(s.step_id) << "\"><td>" << ServiceName(s.service) << "</td>"
      << "<td><span class=\"badge " << StateClass(s.state) << "\">" << StateText(s.state)
      << "</span></td><td class=\"num\">"
      << (Ran(s) ? DurationText(s.finished_ms - s.started_ms) : "\xE2\x80\x94") << "</td><td>"
      << StepCountsHtml(s);
  if (!s.preview.empty()) {
    out << "<ul class=\"preview\">";
    for (const std::string& line : s.preview) out << "<li>" << HtmlEscape(line) << "</li>";
    out << "</ul>";
  }
  out << "</td><td>";
  if (!s.error.empty()) out << "<div class=\"error\">" << HtmlEscape(s.error) << "</div>";
  out << "</td></tr>\n";
}

}  // namespace

std::string ReportHtml(const RunReport& report) {
  int by_state[4] = {0, 0, 0, 0};
  StepCounts total;
  for (const StepOutcome& s : report.steps) {
    ++by_state[static_cast<int>(s.state)];
    for (const Count& c : kCounts) total.*c.field += s.counts.*c.field;
    total.reconciled += s.counts.reconciled;
  }
  const bool ok = report.ok();
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      << "style-src 'unsafe-inline'\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>cartsync run" << (report.run_id ? " " + std::to_string(report.run_id) : "") << ": "
      << (ok ? "ok" : "failed") << "</title>\n<style>" << kCss << "</style>\n"
      << "</head>\n<body>\n";
  out << "<h1>cartsync run" << (report.run_id ? " " + std::to_string(report.run_id) : "")
      << " <span class=\"badge " << (ok ? "ok" : "failed") << "\" id=\"run-status\">"
      << (ok ? "ok" : "failed") << "</span>"
      << (report.dry_run ? " <span class=\"badge dryrun\">dry run</span>" : "") << "</h1>\n";
  out << "<p class=\"meta\">started <time>" << FormatIsoUtc(report.started_ms / 1000)
      << "</time>, finished <time>" << FormatIsoUtc(report.finished_ms / 1000) << "</time> ("
      << DurationText(report.finished_ms - report.started_ms) << "); " << report.steps.size()
      << (report.steps.size() == 1 ? " step: " : " steps: ") << by_state[0] << " ok, "
      << by_state[1] << " failed, " << by_state[2] << " not due, " << by_state[3]
      << " locked</p>\n";
  if (report.dry_run)
    out << "<p class=\"banner\">Dry run: carts and the WMS were read, nothing was written "
           "anywhere. The lists under each step say what would have happened.</p>\n";

  out << "<h2>Totals</h2>\n<table class=\"totals\"><tbody>\n";
  for (const Count& c : kCounts) {
    int value = total.*c.field;
    if (!c.always && value == 0) continue;
    out << "<tr data-total=\"" << c.key << "\"" << (c.bad ? " class=\"step-failed\"" : "")
        << "><th>" << c.label << "</th><td class=\"num\">" << value << "</td></tr>\n";
  }
  if (total.reconciled)
    out << "<tr data-total=\"reconciled\"><th>reconciled</th><td class=\"num\">" << total.reconciled
        << "</td></tr>\n";
  out << "</tbody></table>\n";

  for (const std::string& cart : CartIds(report)) {
    bool failed = false;
    for (const StepOutcome& s : report.steps)
      failed = failed || (s.cart_id == cart && s.state == State::Failed);
    out << "<section class=\"cart\" data-cart=\"" << HtmlEscape(cart) << "\">\n<h2><code>"
        << HtmlEscape(cart) << "</code> <span class=\"badge " << (failed ? "failed" : "ok") << "\">"
        << (failed ? "failed" : "ok") << "</span></h2>\n"
        << "<table class=\"steps\"><thead><tr><th>service</th><th>state</th><th>duration</th>"
        << "<th>counts</th><th>error</th></tr></thead>\n<tbody>\n";
    for (Service service : kAllServices)  // in the order they run
      for (const StepOutcome& s : report.steps)
        if (s.cart_id == cart && s.service == service) StepRow(s, out);
    out << "</tbody></table>\n</section>\n";
  }
  if (report.steps.empty()) out << "<p>No step ran.</p>\n";
  out << "<footer>Counts, durations and errors only: a report never holds a secret. The same "
         "run as JSON: <code>cartsync run --report FILE</code>.</footer>\n</body>\n</html>\n";
  return out.str();
}

}  // namespace cartsync

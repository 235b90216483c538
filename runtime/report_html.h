// The end-of-run summary as a page people read (`cartsync run --report-html
// FILE`): what the JSON report (report.h) holds, laid out per cart and step
// with status colours. Built from the same RunReport, so it holds no more
// than the JSON does: counts, durations and step errors (redacted upstream),
// never a secret.
#pragma once

#include <string>

#include "runtime/runner.h"

namespace cartsync {

/// One self-contained HTML page: inline CSS, no script, no external URL (a
/// Content-Security-Policy says so to the browser too), works offline. At the
/// top the run's status (ok, failed, dry run), its id, start, finish and
/// duration, the steps by state and the totals over all steps (orders
/// downloaded, sent, held, skipped, failed to send, acknowledged; shipments
/// and tracking; SKUs pushed, unchanged, failed…). Then a section per cart
/// (in step-id order) with a row per step, in the order the services run
/// (orders, shipments, inventory): service, state (coloured), duration,
/// the counts that apply to the service (failures highlighted), the error,
/// and in a dry run what would have happened. Every text is HTML-escaped.
/// Deterministic for a given report.
std::string ReportHtml(const RunReport& report);

}  // namespace cartsync

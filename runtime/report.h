// The end-of-run summary in three forms: a table for people, JSON for
// --report, and a Prometheus textfile for --metrics. None holds a secret:
// they are built from counts and step errors, which are redacted upstream.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>

#include "runtime/runner.h"

namespace cartsync {

/// Per cart and step: downloaded, sent, held, skipped, tracking, SKUs, errors.
void RenderSummaryTable(const RunReport& report, std::ostream& out);

/// The dry run's "what would happen" lines, per step.
void RenderPreview(const RunReport& report, std::ostream& out);

std::string ReportJson(const RunReport& report);

/// Prometheus text exposition. `last_success_ms` (step id -> ms) comes from
/// the state store, so a failed step keeps its previous success time.
std::string MetricsText(const RunReport& report,
                        const std::map<std::string, int64_t>& last_success_ms);

}  // namespace cartsync

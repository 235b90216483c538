// Pictures of a plan for a review: carts -> their services (with the
// schedule, or "disabled") -> the WMS connections they send to.
// `cartsync plan --format dot` (Graphviz) and `--format html` (one page).
//
// Like the previews (plan_render.h) they read the plan model only: no
// secret value is ever in a plan, no API field is drawn, and every text from
// a cart file is shown as the previews show it (credential-like strings
// masked, terminal controls escaped), then escaped for the format. Output is
// deterministic: the same plan gives the same bytes.
#pragma once

#include <ostream>

#include "model/plan.h"

namespace cartsync {

/// A Graphviz digraph (`dot -Tsvg plan.dot`), left to right: a box per cart,
/// a box per service of each cart ("every 15m", or dashed and "disabled"), a
/// cylinder per WMS connection; edges cart -> service, and enabled service ->
/// the cart's WMS. Node ids are quoted ("cart:ID", "service:ID/NAME",
/// "wms:NAME") with `"` and `\` escaped, so any cart id is a valid id.
void RenderPlanDot(const Plan& plan, std::ostream& out);

/// One self-contained HTML page: inline CSS and an inline SVG diagram (carts
/// left, their services in the middle with schedule and enabled/disabled
/// state, WMS connections right, edges between), then a table of the carts
/// and one of the WMS connections. No script, no external URL (a
/// Content-Security-Policy says so to the browser too); works offline. Every
/// text is HTML-escaped; a long one is shortened in the diagram and shown
/// whole in its tooltip and in the tables.
void RenderPlanHtml(const Plan& plan, std::ostream& out);

}  // namespace cartsync

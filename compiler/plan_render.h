// Human views of a plan (`cartsync plan --format text|markdown`) and of the
// difference between two plans (`plan --diff OLD`). Everything here reads the
// plan model only, so a secret shows as its reference and is never resolved.
//
// What a plan shows of a cart is what its JSON form carries: the settings of a
// service appear only while that service is enabled (a disabled service is not
// a step). The diff follows the same rule, so diffing a compiled plan against
// one read back from JSON finds nothing.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "model/plan.h"

namespace cartsync {

/// Human preview of a plan: per cart, which services run how often, what they filter
/// (statuses, earliest date, order filters, item filter), the ship-method map (in priority
/// order: exact, glob, "*" catch-all, and what happens to unmapped codes — held or passed
/// through), inventory rules (warehouse or all, alias, minimum level, quantity kind), carrier
/// codes, the WMS connection and its system. Secrets appear only as their reference (env:NAME).
void RenderPlanText(const Plan& plan, std::ostream& out);

/// The same for a pull-request comment: GitHub-flavoured markdown (a summary table at the top:
/// cart | platform | order download | shipment upload | inventory upload with schedules or
/// "off"; a heading per cart; a table for its ship methods).
void RenderPlanMarkdown(const Plan& plan, std::ostream& out);

/// One difference between two plans.
struct PlanChange {
  enum class Kind {
    CartAdded,
    CartRemoved,
    ServiceEnabled,
    ServiceDisabled,
    ScheduleChanged,
    StatusesChanged,
    ShipMethodsChanged,
    InventoryRulesChanged,
    FiltersChanged,
    CarrierCodesChanged,
    ApiChanged,
    WmsChanged,
    Other
  };
  Kind kind = Kind::Other;
  std::string cart;     ///< cart id ("" for project-level: wms/state)
  std::string subject;  ///< e.g. "order_download", "ship_methods[\"Express\"]", "statuses.status"
  std::string before;   ///< human text of the old value ("" when added)
  std::string after;    ///< human text of the new value ("" when removed)

  friend bool operator==(const PlanChange&, const PlanChange&) = default;
};

/// Deterministic list (sorted by cart, then kind, then subject). Empty = no change.
/// Ignores `sources` sha256/paths and each cart's source path (they change with any edit,
/// including comments and renames). Settings of a service are compared only while the
/// service is enabled in both plans; enabling or disabling it is one change.
std::vector<PlanChange> DiffPlans(const Plan& before, const Plan& after);

/// "cart_added", "service_enabled", … (the `kind` of RenderDiffJson).
std::string_view PlanChangeKindName(PlanChange::Kind k);

/// Terraform-like lines ("+ cart x (…)", "~ x/order_download every 15m -> 30m",
/// "- x/ship_methods[\"Express\"] = FEDEX/2DAY") and a count line; "No changes." when empty.
void RenderDiffText(const std::vector<PlanChange>& changes, std::ostream& out);

/// A markdown table of the changes for a pull-request comment; "No changes." when empty.
void RenderDiffMarkdown(const std::vector<PlanChange>& changes, std::ostream& out);

/// `{"changes": [{"kind", "cart", "subject", "before", "after"}], "count": N}`, pretty-printed
/// and ending in a newline.
void RenderDiffJson(const std::vector<PlanChange>& changes, std::ostream& out);

}  // namespace cartsync

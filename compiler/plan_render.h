// Human views of a plan (`cartsync plan --format text|markdown`) and of the
// difference between two plans (`plan --diff OLD`). Everything here reads the
// plan model only, so a secret shows as its reference and is never resolved.
//
// What a plan shows of a cart is what its JSON form carries: the settings of a
// service appear only while that service is enabled (a disabled service is not
// a step). The diff follows the same rule, so diffing a compiled plan against
// one read back from JSON finds nothing.
#pragma once

#include <cstddef>
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

/// A GitHub comment holds 65,536 characters; a part of a markdown view stays under this
/// many bytes by default (room for a marker line and a part header around it).
inline constexpr size_t kDefaultMarkdownMaxBytes = 65000;

/// How a markdown view is laid out for a pull-request comment.
struct MarkdownOptions {
  /// The first heading, as plain text (escaped here): "cartsync plan", "cartsync plan:
  /// changes since origin/main".
  std::string title = "cartsync plan";
  /// Each part at most this many bytes; 0 = one part, however long. A value too small for
  /// a title, a summary line and one truncated cart (about 1 KB) gives parts over it.
  size_t max_bytes = kDefaultMarkdownMaxBytes;
};

/// The preview for a pull-request comment, GitHub-flavoured markdown in parts: each part
/// starts with the title heading ("## T", "## T (part 2 of 3)" when there are several); the
/// first one then has the summary line (carts, steps, WMS connections; services enabled
/// per kind). Each cart is one `<details>` block whose `<summary>` is the cart id, its
/// platform and its services' schedules; inside: client, WMS, api fields, each service and
/// its settings, the ship-method table. Then the WMS connections and the state store.
/// A block is never split: a part ends between blocks; a single cart larger than a part
/// is cut at a line end, with a note saying how much was left out. So every part is valid
/// markdown on its own (balanced `<details>`, no open table or code fence).
std::vector<std::string> PlanMarkdownParts(const Plan& plan, const MarkdownOptions& options);

/// PlanMarkdownParts with the default options, written with WriteMarkdownParts.
void RenderPlanMarkdown(const Plan& plan, std::ostream& out);

/// Writes markdown parts to one stream: a single part as it is; several parts one after
/// the other, each preceded by the line `<!-- cartsync plan part K of N -->`.
void WriteMarkdownParts(const std::vector<std::string>& parts, std::ostream& out);

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
/// service is enabled in both plans; enabling or disabling it is one change. Schedules
/// compare by meaning, by the times they run at: `hourly` == `1h` == `cron: 0 * * * *`,
/// `1d` == `daily at 00:00` (UTC), `15m` == `cron: */15 * * * *`.
std::vector<PlanChange> DiffPlans(const Plan& before, const Plan& after);

/// "cart_added", "service_enabled", … (the `kind` of RenderDiffJson).
std::string_view PlanChangeKindName(PlanChange::Kind k);

/// Terraform-like lines ("+ cart x (…)", "~ x/order_download every 15m -> 30m",
/// "- x/inventory_upload disabled (was hourly)", "- x/ship_methods[\"Express\"] =
/// FEDEX/2DAY") and a count line; "No changes." when empty.
void RenderDiffText(const std::vector<PlanChange>& changes, std::ostream& out);

/// The changes for a pull-request comment, in parts as PlanMarkdownParts lays them out:
/// the title heading; the summary line ("**Carts:** 1 added, 2 changed, 0 removed ·
/// **services:** 1 enabled, 1 disabled · 9 changes", or "No changes."); project-level
/// changes (state store, WMS connections) in a table; then one `<details>` block per cart
/// whose `<summary>` is the cart id and a one-line summary of its changes ("added: ebay;
/// order_download daily at 02:30", "3 changes: order_download every 15m -> 30m,
/// inventory_upload disabled, ship methods (1)"), holding a table of them (change |
/// setting | before | after). A service turned off is "disabled", never "removed".
std::vector<std::string> DiffMarkdownParts(const std::vector<PlanChange>& changes,
                                           const MarkdownOptions& options);

/// DiffMarkdownParts with the default options but the title "cartsync plan: changes",
/// written with WriteMarkdownParts.
void RenderDiffMarkdown(const std::vector<PlanChange>& changes, std::ostream& out);

/// `{"changes": [{"kind", "cart", "subject", "before", "after"}], "count": N}`, pretty-printed
/// and ending in a newline.
void RenderDiffJson(const std::vector<PlanChange>& changes, std::ostream& out);

}  // namespace cartsync

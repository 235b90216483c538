// `cartsync doctor`: read-only online checks of a project before a service
// is enabled. Per cart: the credentials (and scopes, where the platform says
// them), the inventory location, the ship codes of the orders changed since
// a time that [ship_methods] does not map, and the SKUs (ordered, and in the
// catalog where the platform lists it cheaply) the WMS does not know; per
// WMS: that its credentials read the client's inventory and aliases.
//
// Nothing is written anywhere: connectors are asked only what
// cart_connector.h marks read-only (FetchOrders, CheckAccess,
// InventoryLocation, CartSkus), the WMS only PullInventory and PullAliases,
// and no state store is opened. The comparisons are pure functions
// (ShipCodeFindings, OrderedSkuFindings, CatalogSkuFindings), tested without
// a server; RunDoctor does the I/O and collects a DoctorReport, which the
// renderers print as text, JSON (the shape in docs/cli.md) or markdown.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "model/plan.h"
#include "runtime/carts/cart_connector.h"
#include "runtime/clock.h"
#include "runtime/order_pipeline.h"
#include "runtime/runner.h"

namespace cartsync {

/// How bad a finding is. Errors are what would hold or fail orders or steps
/// (exit 3); warnings are worth a look; notes say what was not checked.
enum class FindingSeverity { Error, Warning, Note };
std::string_view SeverityName(FindingSeverity s);  ///< "error", "warning", "note"

/// One thing the doctor found.
struct DoctorFinding {
  /// What was checked: "connector", "credentials", "scopes", "location",
  /// "orders", "ship_codes", "order_skus", "catalog_skus", "wms".
  std::string check;
  FindingSeverity severity = FindingSeverity::Error;
  std::string subject;  ///< the ship code, SKU or scope concerned; "" = the check as a whole
  std::string message;  ///< one sentence, never a secret value
  std::string fix;      ///< what to change; "" = nothing to suggest
  int orders = 0;       ///< orders concerned (ship codes, ordered SKUs)
  std::string example;  ///< one such order's number
};

/// A code or SKU seen on downloaded orders: on how many, and one of them.
struct SeenOn {
  int orders = 0;
  std::string example;  ///< the first order's number
};

/// What the WMS knows for one client: its SKUs (inventory and alias
/// records) and its aliases.
struct WmsCatalog {
  std::set<std::string> skus;
  AliasIndex aliases;
  static WmsCatalog Build(const std::vector<InventoryRecord>& inventory,
                          const std::vector<AliasRecord>& aliases);
};

/// Ship codes no [ship_methods] entry maps (FindShipMapping, as the run
/// matches them): an error when the cart holds such orders
/// (reject_unmapped_ship_codes), else a warning (sent without a carrier).
/// The fix names the cart file. Sorted by code.
std::vector<DoctorFinding> ShipCodeFindings(const CartConfig& cart,
                                            const std::map<std::string, SeenOn>& codes,
                                            const std::vector<std::string>& wms_carriers);

/// SKUs of downloaded order lines that pass [items] and that the WMS does
/// not know, after translate_item_code as DecideOrder applies it: errors
/// (the order would be held or refused by the WMS).
std::vector<DoctorFinding> OrderedSkuFindings(const CartConfig& cart,
                                              const std::map<std::string, SeenOn>& skus,
                                              const WmsCatalog& wms);

/// Catalog SKUs that pass [items] with no WMS SKU behind them (through
/// sync_inventory_alias): warnings (their stock is never set). At most
/// `max_listed` findings, then one finding counting the rest.
std::vector<DoctorFinding> CatalogSkuFindings(const CartConfig& cart,
                                              const std::vector<std::string>& catalog,
                                              const WmsCatalog& wms, size_t max_listed = 50);

/// The doctor's view of one cart.
struct DoctorCart {
  std::string id, platform, source, client, wms;
  int orders_seen = 0;         ///< orders read since DoctorReport::since
  bool orders_read = false;    ///< the order listing answered
  bool orders_capped = false;  ///< stopped at DoctorOptions::max_orders
  int catalog_skus = -1;       ///< SKUs listed; -1 = not listed
  std::vector<DoctorFinding> findings;
};

/// The doctor's view of one WMS connection.
struct DoctorWms {
  std::string name, system;
  std::vector<std::string> clients;  ///< clients whose records were read
  std::vector<DoctorFinding> findings;
};

struct DoctorReport {
  int64_t since = 0;  ///< unix seconds: orders changed since then were read
  std::vector<DoctorCart> carts;
  std::vector<DoctorWms> wms;
  int Count(FindingSeverity s) const;
  bool HasErrors() const { return Count(FindingSeverity::Error) > 0; }
};

struct DoctorOptions {
  std::vector<std::string> carts;          ///< ids; none = every cart of the plan
  int64_t since_seconds = 30 * 24 * 3600;  ///< --since
  int max_orders = 5000;                   ///< stop reading orders after this many
  int max_catalog_pages = 20;              ///< CartConnector::CartSkus bound
};

/// Runs every check; never writes. A cart whose connector cannot be built or
/// whose credentials fail gets that finding and no further cart checks.
DoctorReport RunDoctor(const Plan& plan, RunEnvironment& env, Clock& clock,
                       const DoctorOptions& options);

/// One line per finding, grouped per cart then per WMS, with the fix; a
/// last summary line.
void RenderDoctorText(const DoctorReport& report, std::ostream& out);
/// The JSON document of docs/cli.md ("doctor").
std::string DoctorJson(const DoctorReport& report);
/// GitHub-flavoured markdown for a pull-request comment.
void RenderDoctorMarkdown(const DoctorReport& report, std::ostream& out);

}  // namespace cartsync

// eBay connector: orders and tracking over the Sell Fulfillment API v1, stock
// over the Sell Inventory API v1, with an OAuth user token minted from the
// seller's refresh token (platforms.md "eBay Sell APIs"; the official OpenAPI
// files in shared/openapi/ebay). MakeEbayCart (connectors.h) builds it; this
// header only exposes the pure helpers its tests pin down.
//
// Wire summary, relative to {base_url} or https://api.ebay.com
// (https://api.sandbox.ebay.com with environment = "sandbox"):
//   POST /identity/v1/oauth2/token                 refresh token grant (Basic client id:secret)
//   GET  /sell/fulfillment/v1/order?filter=lastmodifieddate:[FROM..]|creationdate:[FROM..]
//        ,orderfulfillmentstatus:{NOT_STARTED|IN_PROGRESS}&limit=200&offset=N
//   GET  /sell/fulfillment/v1/order/{orderId}/shipping_fulfillment   (check before posting;
//        also what is shipped of a partly shipped order)
//   GET  /sell/fulfillment/v1/order/{orderId}  (a tracking upload without lines)
//   POST /sell/fulfillment/v1/order/{orderId}/shipping_fulfillment   (one per package)
//   POST /sell/inventory/v1/bulk_update_price_quantity               (≤ 25 SKUs per call)
// Every request carries Authorization: Bearer, Accept: application/json,
// Content-Type: application/json and X-EBAY-C-MARKETPLACE-ID.
//
// Offset paging is made safe against orders changing during a download
// (shipped orders leave the status filter, new or modified ones enter the
// date window, and every later order moves by one offset): each page after
// the first starts one order early, at the previous page's last order, and
// every page's `total` is compared with the first page's. When the total
// changed or the overlapping order is not the one expected, orders before
// the offset came or went: the series starts again from offset 0 (orders
// already handed over are skipped), at most kMaxRestarts times. An order
// that entered before the offset without shifting anything is one modified
// or created during the download: the next download's window (newest
// modification seen minus the runtime's overlap) covers it. No upper bound:
// eBay refuses an end date in the future, and clocks differ.
//
// Calls are counted per connector (one cart, one run): at [api].max_calls_per_run
// (token requests included) the step stops with a Transient error saying so.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/carts/connectors.h"

namespace cartsync::ebay {

inline constexpr int kPageLimit = 200;         ///< getOrders' maximum `limit`
inline constexpr size_t kInventoryBatch = 25;  ///< bulkUpdatePriceQuantity requests per call
inline constexpr int kMaxRestarts = 5;         ///< order series restarted after `total` changed
inline constexpr int64_t kDefaultMaxCalls = 5000;
inline constexpr const char* kScopes =
    "https://api.ebay.com/oauth/api_scope/sell.fulfillment "
    "https://api.ebay.com/oauth/api_scope/sell.inventory";

/// Unix milliseconds as eBay's ISO 8601: "2016-02-21T08:25:43.511Z".
std::string FormatTimestamp(int64_t unix_ms);

/// The `filter` value of getOrders (not yet percent-encoded): the date
/// criterion `creationdate` when `created` else `lastmodifieddate`, from
/// `from_s` (unix seconds) to `to_ms` (open-ended when 0), and the orderfulfillmentstatus
/// combination the API supports that covers `statuses` ("" when none
/// does: every status is wanted).
std::string OrdersFilter(bool created, int64_t from_s, int64_t to_ms,
                         const std::vector<std::string>& statuses);

/// What an eBay error answer says: each `errors[]` (or `warnings[]`)
/// entry's message (longMessage when longer) with its errorId; else an
/// excerpt of the body.
std::string ErrorText(std::string_view body);

/// The unit price of a line from its lineItemCost (unit price x quantity)
/// as a decimal string: "19.99" for ("39.98", 2); "" when unreadable.
std::string UnitPrice(std::string_view line_cost, int64_t quantity);

/// The per-SKU outcome of a bulkUpdatePriceQuantity answer (200 or 207):
/// `failed` SKU -> message for statusCode >= 300 or a SKU without a result;
/// `updated` the SKUs set; `warned` those set with warnings (an inventory
/// item with no offer, a listing not revised yet) — set, not failures.
struct BulkResult {
  std::vector<std::pair<std::string, std::string>> failed;
  std::vector<std::string> updated, warned;
  std::set<std::string> unknown;  ///< failed with 404: no inventory item with the SKU
};
BulkResult ReadBulkResult(std::string_view body, const std::vector<std::string>& skus);

}  // namespace cartsync::ebay

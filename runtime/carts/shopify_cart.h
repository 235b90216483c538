// Shopify Admin GraphQL API connector (platforms.md "Shopify Admin API —
// GraphQL"). Every request is `POST {base}/admin/api/{api_version}/graphql.json`
// with one of the documents of shopify_graphql.h:
//
//   FetchOrders     CartsyncAccessScopes once when earliest_order_date or the
//                   window reaches back more than 60 days (read_all_orders or
//                   a Permanent error, never a silent partial download);
//                   CartsyncOrders pages (search syntax, cursor); the rest of
//                   an order's lines with CartsyncOrderLineItems
//   HasTracking     CartsyncOrderTracking (CartsyncOrderTrackingMore)
//   UploadTracking  the tracking check, CartsyncFulfillmentOrders (+ line item
//                   pages), then one CartsyncFulfillmentCreate per assigned
//                   location, skipping locations that already carry the
//                   number; after an unknown outcome the order is read again
//                   before anything is retried (no idempotency key exists)
//   FinishTracking  the same: completes the locations a crash left out
//   PushInventory   CartsyncLocation (configured or primary, once),
//                   CartsyncVariantsBySku for SKUs not looked up yet (50 a
//                   query, cached for the run), CartsyncInventorySet (250 a
//                   call) with an @idempotent key derived from what is set and
//                   changeFromQuantity null (an absolute set, no compare)
//
// Credentials: client_id + client_secret (client credentials grant at
// {base}/admin/oauth/access_token, runtime/net/auth.h; the token lives in
// memory, refreshed before expiry and once after a 401) or a legacy
// access_token; either way in X-Shopify-Access-Token, never in a Status.
// Pacing: runtime/net/cost_limiter.h from extensions.cost; THROTTLED answers
// wait (requested cost - available) / restore rate and are sent again.
// Order keys stay CART_ID:<legacyResourceId>, as the REST connector wrote them.
//
// MakeShopifyCart is declared in runtime/carts/connectors.h.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/carts/connectors.h"
#include "runtime/carts/order_money.h"
#include "runtime/net/cost_limiter.h"

namespace cartsync {
namespace shopify_detail {

/// Most pages one listing follows before giving up.
inline constexpr int kMaxPages = 100'000;
/// SKUs per CartsyncVariantsBySku query; quantities per inventorySetQuantities.
inline constexpr size_t kSkusPerLookup = 50;
inline constexpr size_t kQuantitiesPerSet = 250;
/// Orders older than this need the read_all_orders scope.
inline constexpr int64_t kRecentOrdersSeconds = 60 * 86400;

/// A value for Shopify's search syntax, always double-quoted: `"A B"`,
/// backslashes and quotes escaped.
std::string SearchValue(std::string_view value);
/// The `query` of CartsyncOrders for `window`: one term per dimension of
/// window.statuses (several values as `(d:a OR d:b)`; "any" leaves the
/// dimension out; unpaid = pending, authorized or partially_paid), then
/// `created_at:>='…'` or `updated_at:>='…'` (UTC).
std::string OrdersSearch(const OrderWindow& window);
/// The search of the orders canceled since a later pull's cursor
/// (`status:cancelled updated_at:>=…`), or "" when there is no cursor or
/// OrdersSearch already returns every canceled order.
std::string CanceledOrdersSearch(const OrderWindow& window);
/// `sku:"A" OR sku:"B" …`.
std::string SkuSearch(const std::vector<std::string>& skus);

/// "gid://shopify/LineItem/123" -> "123"; "" when the id does not end in a
/// number.
std::string GidNumber(std::string_view gid);

/// One order node of CartsyncOrders normalized: id = legacyResourceId (the
/// REST id), order_number = name, UTC timestamps, ship_code =
/// shippingLine.title, ship_to from shippingAddress (provinceCode -> region,
/// countryCodeV2 -> country) with the order's email and phone, and the lines
/// of its first lineItems page (ReadLineItem). False with `error` when a
/// required field is missing or unreadable.
bool ReadOrder(const rapidjson::Value& order, CartOrder& out, std::string& error);
/// One LineItem node: line_key = the number of its id, quantity still to
/// ship = min(currentQuantity, unfulfilledQuantity); `keep` false when
/// nothing is left to ship. False with `error` when unreadable.
/// Its money in minor units of `money`'s currency (shop money:
/// originalUnitPriceSet, the sum of discountAllocations and of taxLines);
/// `list_total`, when given, gets unit price x quantity ordered added.
bool ReadLineItem(const rapidjson::Value& item, const order_money::Money& money, OrderLine& out,
                  bool& keep, std::string& error, std::optional<int64_t>* list_total = nullptr);
/// The client-side check of one status dimension (status, financial_status,
/// fulfillment_status) on an order node's closedAt/cancelledAt,
/// displayFinancialStatus and displayFulfillmentStatus: Shopify's search may
/// be broader than the cart's statuses, never narrower.
bool MatchesStatus(const rapidjson::Value& order, const std::string& dimension,
                   const std::vector<std::string>& values);

/// The messages of a GraphQL `errors` list (with extensions.code), joined
/// by "; ", at most ~500 bytes; "" when `body` has none or is not JSON.
std::string ErrorText(std::string_view body);
/// extensions.cost.throttleStatus of a response document; false when absent.
bool ReadCost(const rapidjson::Value& doc, CostBudget& budget, double& requested);

/// The @idempotent key of one inventorySetQuantities call: a UUID-shaped
/// digest of cart, location, push and every (inventory item, quantity), so a
/// retry of the same call reuses it and any other content gets another.
std::string IdempotencyKey(std::string_view cart_id, std::string_view location_gid,
                           std::string_view push_id,
                           const std::vector<std::pair<std::string, int64_t>>& quantities);

}  // namespace shopify_detail
}  // namespace cartsync

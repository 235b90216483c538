// Shopify Admin REST API connector (platforms.md "Shopify Admin API"):
//
//   GET  orders.json                         filters on the first page only,
//                                            then Link rel="next" page_info
//   GET  orders/{id}/fulfillments.json       HasTracking
//   GET  orders/{id}/fulfillment_orders.json what is open to fulfil
//   POST fulfillments.json                   one tracking number each (not
//                                            idempotent: re-read after a timeout)
//   GET  products.json?fields=variants       SKU -> inventory_item_id (cached)
//   GET  locations.json                      first active location (cached)
//   POST inventory_levels/set.json           absolute, safe to retry
//
// Requests go to `{base_url or store_url}/admin/api/{api_version}/`, with
// X-Shopify-Access-Token resolved for each request; the token never appears
// in a Status (messages are scrubbed of it even when Shopify echoes it).
// Retries, 429 and pacing are HttpClient's; this file interprets answers.
//
// MakeShopifyCart is declared in runtime/connectors.h.
#pragma once

#include <rapidjson/document.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/carts/connectors.h"

namespace cartsync {
namespace shopify_detail {

/// Most pages FetchOrders / the product scan follow before giving up (a
/// Link header that never ends must not spin forever).
inline constexpr int kMaxPages = 100'000;

/// The decoded `page_info` of the rel="next" link of a Link header (several
/// Link headers may be passed joined by ", "); "" when there is none.
std::string NextPageInfo(std::string_view link_header);

/// Shopify's error text from a response body: {"errors": string | list |
/// object} (object keys prefixed, "base" not), and "error" /
/// "error_description"; joined by "; ", at most ~500 bytes; "" when the body
/// has none (or is not JSON).
std::string ErrorText(std::string_view body);

/// One element of orders.json's "orders" normalized (UTC timestamps,
/// province_code -> region, zip -> postal_code, country_code -> country,
/// shipping_lines[0].title -> ship_code, line item price as given, quantity
/// = current_quantity when present, lines edited down to 0 left out). Numbers
/// may be JSON numbers or (kParseNumbersAsStringsFlag) strings. False with
/// `error` when a required field (id, created_at, updated_at, line item id /
/// quantity) is missing or unreadable.
bool ReadOrder(const rapidjson::Value& order, CartOrder& out, std::string& error);

/// The client-side check of a dimension given several values (Shopify's
/// REST filters take one value; a list may be ignored): whether `order`
/// matches one of `values` of `dimension` (status, financial_status,
/// fulfillment_status). Lenient where Shopify's meaning is not certain.
bool MatchesStatus(const rapidjson::Value& order, const std::string& dimension,
                   const std::vector<std::string>& values);

}  // namespace shopify_detail
}  // namespace cartsync

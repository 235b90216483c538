// BigCommerce connector: orders and shipments over the v2 API, stock over v3
// inventory adjustments (platforms.md "BigCommerce"; the official OpenAPI
// files in shared/openapi/bigcommerce). MakeBigCommerceCart (connectors.h)
// builds it; this header only exposes the pure helpers its tests pin down.
//
// Wire summary, relative to {base_url} or https://api.bigcommerce.com/stores/{store_hash}:
//   GET  /v2/orders?status_id=N&min_date_created|min_date_modified=RFC2822
//        &page=N&limit=250&sort=date_modified         (one series per status id)
//        &include=consignments.line_items&consignment_structure=object
//        (addresses and products in each order's consignments)
//   GET  /v2/orders/{id}/products?page=N&limit=250, /v2/orders/{id}/shipping_addresses
//        (only for an order without usable consignments; and before a shipment)
//   GET  /v2/orders/{id}/shipments?page=N&limit=250   (check before posting)
//   POST /v2/orders/{id}/shipments
//   PUT  /v3/inventory/adjustments/absolute           (≤ 2,000 items per request)
// Every request carries X-Auth-Token, Accept: application/json and
// Content-Type: application/json (the spec marks both required, even on GETs).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/carts/connectors.h"

namespace cartsync::bigcommerce {

/// The v2 status id of a status name as the store shows it ("Awaiting
/// Fulfillment" -> 11); -1 when the name is not one of the 15.
int StatusId(std::string_view name);

/// Unix seconds as RFC 2822 in UTC: "Wed, 10 Jan 2018 21:05:30 +0000".
std::string FormatRfc2822(int64_t unix_seconds);

/// A BigCommerce date (RFC 2822, or ISO 8601) as "2018-01-10T21:05:30Z";
/// "" when empty or unreadable.
std::string ToIsoUtc(std::string_view text);

}  // namespace cartsync::bigcommerce

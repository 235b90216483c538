// Walmart Marketplace connector (US): orders and shipping updates over the
// Orders API, stock over the Inventory API and the bulk inventory feed
// (platforms.md "Walmart"; the official OpenAPI files in
// shared/openapi/walmart). MakeWalmartCart (connectors.h) builds it; this
// header only exposes the pure helpers its tests pin down.
//
// Wire summary, relative to {base_url} or https://marketplace.walmartapis.com:
//   POST /v3/token                           client credentials grant: Basic
//                                            client_id:client_secret, form
//                                            grant_type=client_credentials;
//                                            15-minute tokens, held in memory
//   GET  /v3/orders?status=S&createdStartDate|lastModifiedStartDate=ISO&limit=200
//        then GET /v3/orders{meta.nextCursor} (a ready query string) until
//        no cursor; one series per status
//   GET  /v3/orders/{purchaseOrderId}        tracking check, lines before a
//                                            shipping update, acknowledge check
//   POST /v3/orders/{purchaseOrderId}/shipping      one orderLineStatus per line
//   POST /v3/orders/{purchaseOrderId}/acknowledge   only while a line is Created
//   PUT  /v3/inventory?sku=X[&shipNode=N]    up to kSingleSkuLimit SKUs, one each
//   POST /v3/feeds?feedType=inventory[&shipNode=N]  multipart file (more SKUs),
//        then GET /v3/feeds/{feedId}?includeDetails=true&offset=N&limit=50
//        until PROCESSED or ERROR (bounded on HttpClient::clock()), per-SKU
//        results from itemDetails
// Every request carries WM_SEC.ACCESS_TOKEN, WM_SVC.NAME, a fresh
// WM_QOS.CORRELATION_ID, WM_CONSUMER.CHANNEL.TYPE when configured and
// Accept: application/json.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/carts/connectors.h"

namespace cartsync::walmart {

/// Walmart's WM_SVC.NAME value.
inline constexpr char kServiceName[] = "Walmart Marketplace";
/// More SKUs than this go through the bulk inventory feed.
inline constexpr size_t kSingleSkuLimit = 10;

/// A Walmart order date (epoch milliseconds as a number or digit string, or
/// ISO 8601) as "2019-09-14T13:09:31Z"; "" when unreadable.
std::string DateText(std::string_view text);

/// An ISO 3166-1 alpha-2 code for Walmart's country ("USA" -> "US");
/// two-letter codes as they are, upper-cased; others unchanged.
std::string CountryCode(std::string_view country);

/// Walmart's spelling of a carrier from its enum (case-insensitive: "ups"
/// -> "UPS", "fedex" -> "FedEx"); "" when not one of them (then the
/// shipping update names it as otherCarrier).
std::string KnownCarrier(std::string_view carrier);

/// What a Walmart error answer says: `errors` as an array or as
/// {"error": [...]} of {code, field, description, info}; else an excerpt.
std::string ErrorText(std::string_view body);

/// A random RFC 4122 version 4 UUID ("b3261d2d-028a-4ef7-8602-633c23200af6")
/// from two 64-bit random values.
std::string FormatUuid(uint64_t high, uint64_t low);

}  // namespace cartsync::walmart

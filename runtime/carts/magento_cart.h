// Magento 2 / Adobe Commerce connector over the REST API (platforms.md
// "Magento"; the official schema in shared/openapi/magento,
// admin-schema-2.4.9.yaml). MakeMagentoCart (connectors.h) builds it; this
// header only exposes the pure helpers its tests pin down.
//
// Wire summary, relative to {base_url or store_url}/rest/{store_code}/V1:
//   GET  /orders?searchCriteria[...]        keyset paging: status `in`,
//        updated_at|created_at `gteq`, entity_id `gt` the last id seen,
//        sorted by entity_id ASC, pageSize 100, currentPage 1 — orders
//        leaving the filter mid-fetch cannot shift a page over another
//   GET  /shipments?searchCriteria[...order_id eq N]   (check before posting)
//   GET  /orders/{id}                        (items still to ship)
//   POST /order/{id}/ship                    items + tracks
//   POST /shipment/track                     (only when nothing is left to
//                                             ship: the number goes on the
//                                             order's last shipment)
//   inventory_api = msi:    GET /products?searchCriteria[...sku in ...] (which
//                           SKUs exist), POST /inventory/source-items
//   inventory_api = legacy: GET /stockItems/{sku}, PUT /products/{sku}/stockItems/{itemId}
// Every request carries Authorization (Bearer <integration token>, or an
// OAuth 1.0a HMAC-SHA256 signature), Accept and Content-Type application/json.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/carts/connectors.h"

namespace cartsync::magento {

/// Unix seconds as Magento's database time, UTC: "2026-10-01 12:00:00".
std::string FormatDate(int64_t unix_seconds);

/// A Magento date ("2026-10-01 12:00:00", UTC without a zone, as the REST
/// API answers; or ISO 8601 with a zone) as "2026-10-01T12:00:00Z"; "" when
/// empty or unreadable.
std::string ToIsoUtc(std::string_view text);

/// The text of a Magento error answer {"message": "... %1 ... %name",
/// "parameters": [...] | {...}, "errors": [...]}: placeholders filled in,
/// nested errors appended; "" when the body is not such an object.
std::string ErrorText(std::string_view body);

/// Magento's track carrier_code for a carrier name: ups, usps, fedex or dhl
/// when the name is one of them (any case), else "custom".
std::string CarrierCode(std::string_view carrier);

/// OAuth 1.0a credentials of an integration.
struct OAuth1Credentials {
  std::string consumer_key, consumer_secret, token, token_secret;
};

/// The OAuth 1.0a signature base string (RFC 5849 3.4.1): METHOD, the URL
/// without query (scheme and host lower-case, default port dropped) and the
/// sorted, encoded query and oauth_* parameters. `oauth_params` are
/// (name, value) pairs without oauth_signature.
std::string SignatureBaseString(
    std::string_view method, std::string_view url,
    const std::vector<std::pair<std::string, std::string>>& oauth_params);

/// The Authorization header value of a request signed with HMAC-SHA256:
/// `OAuth oauth_consumer_key="…", oauth_nonce="…", oauth_signature="…",
/// oauth_signature_method="HMAC-SHA256", oauth_timestamp="…",
/// oauth_token="…", oauth_version="1.0"`.
std::string OAuth1Header(std::string_view method, std::string_view url,
                         const OAuth1Credentials& credentials, int64_t timestamp,
                         std::string_view nonce);

}  // namespace cartsync::magento

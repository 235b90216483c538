// WooCommerce REST API v3 connector (platforms.md "WooCommerce REST API v3").
// MakeWooCommerceCart (connectors.h) builds it; this header only exposes the
// pure helpers the connector's tests pin down.
//
// Wire summary, relative to {base_url or store_url}:
//   GET  /wp-json/wc/v3/orders?status=a,b&after|modified_after=ISO&dates_are_gmt=true
//        &per_page=100&page=N&orderby=date&order=asc       (X-WP-TotalPages ends paging)
//   GET  /wp-json/wc-shipment-tracking/v3/orders/{id}/shipment-trackings   (check)
//   POST /wp-json/wc-shipment-tracking/v3/orders/{id}/shipment-trackings   (upload)
//   GET|POST /wp-json/wc/v3/orders/{id}/notes   (tracking = order_note, or no extension)
//   GET  /wp-json/wc-shipment-tracking/v3/orders/{id}/shipment-trackings/providers (once a run)
//   PUT  /wp-json/wc/v3/orders/{id} {"status":"completed"}   (only once every line shipped)
//   GET  /wp-json/wc/v3/products?sku=S, products/{id}/variations?sku=S
//   POST /wp-json/wc/v3/products/batch, products/{parent}/variations/batch (≤ 100 each)
//
// Authentication is HTTP Basic with the consumer key and secret. That is what
// WooCommerce accepts over HTTPS; over plain HTTP a real store requires
// OAuth 1.0a signing instead, but the connector only allows http:// to a
// loopback host (a local simulator). A server that strips Authorization
// (QueryAuthNeeded) gets consumer_key/consumer_secret query parameters.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runtime/carts/connectors.h"

namespace cartsync::woocommerce {

/// A line price WooCommerce sends as a JSON number, as a decimal string with
/// two decimals: the number's shortest round-trip decimal form, rounded half
/// away from zero (19.99 -> "19.99", 20 -> "20.00", 16.363636 -> "16.36",
/// 1.005 -> "1.01"). No binary floating-point noise reaches the text.
std::string FormatPrice(double value);

/// A WooCommerce `*_gmt` timestamp ("2026-11-20T10:00:00", UTC without a
/// zone) as "2026-11-20T10:00:00Z"; "" when empty or unreadable.
std::string GmtToIso(std::string_view gmt);

/// Whether `number` occurs in `text` as a whole token (not inside a longer
/// run of letters and digits): how an order note is matched to a tracking
/// number.
bool ContainsToken(std::string_view text, std::string_view number);

/// Whether an answer says the server never saw the Authorization header
/// (HTTP 401 `woocommerce_rest_authentication_error` "Consumer key is
/// missing."): a server that strips it. The connector then sends the
/// consumer key and secret as `consumer_key`/`consumer_secret` query
/// parameters (HTTPS only; loopback for the simulator) for the rest of the run.
bool QueryAuthNeeded(int status, std::string_view body);

/// The provider names of `GET …/shipment-trackings/providers`
/// (`{"Country": {"Provider name": "tracking URL template", …}, …}`); empty
/// when the answer is not that.
std::vector<std::string> ProviderNames(std::string_view body);

/// The store's spelling of `carrier` among `providers` (case-insensitive, or
/// the same slug as the extension makes: "Fedex" == "FedEx" == "fedex"); ""
/// when the store does not know it. A known carrier goes as
/// `tracking_provider` (the cart's code: the extension compares slugs); an
/// unknown one as `custom_tracking_provider` (with `custom_tracking_link`
/// when TrackingLink knows one).
std::string KnownProvider(const std::vector<std::string>& providers, std::string_view carrier);

/// A public tracking page for the big carriers (UPS, USPS, FedEx, DHL); "".
std::string TrackingLink(std::string_view carrier, std::string_view number);

}  // namespace cartsync::woocommerce

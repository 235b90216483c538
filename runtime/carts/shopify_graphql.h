// Every GraphQL document the Shopify connector sends, in one place: the
// connector passes nothing else as "query" (values travel as variables), so
// validating these against Shopify's official schema validates every request
// (tests/conformance/shopify_graphql_check.sh dumps them with
// `cartsync_tests --gtest_filter=ShopifyGraphqlDocuments.Dump` and checks
// them with graphql-js against ../shared/openapi/shopify/admin_2026-10.json.gz).
//
// Page sizes are literals, so each document's worst-case requested cost is
// fixed. `max_cost` is that cost by Shopify's published rules as we apply
// them: a scalar or enum 0; an object 1 plus its fields; a connection 2 plus
// `first` x (1 + the node's fields) plus its other fields (pageInfo 1); a
// list sized by `first` that many x (1 + fields), an unsized list once; a
// mutation field 10 plus its fields. The conformance check recomputes it
// from the schema and fails when it differs or exceeds 1,000 (Shopify's
// limit for one query). The connector paces by it (runtime/net/cost_limiter.h).
#pragma once

#include <vector>

namespace cartsync::shopify_graphql {

struct Operation {
  const char* name;      ///< the operation's name inside the document
  const char* document;  ///< the text sent as "query"
  int max_cost;          ///< worst-case requested cost (see above)
  bool mutation;
};

/// The app's granted scopes (read_all_orders before reaching back > 60 days).
extern const Operation kAccessScopes;
/// The shop's time zone (shop.ianaTimezone), for earliest_order_date.
extern const Operation kShopTimeZone;
/// One page of orders: `$query` in Shopify's search syntax, `$after` the
/// cursor; 15 orders with their first 5 line items and their money (the
/// page is sized so the requested cost stays under 1,000).
extern const Operation kOrders;
/// The rest of one order's line items (`$id`, `$after`), 100 a page.
extern const Operation kOrderLineItems;
/// An order's fulfillments with location and tracking numbers: 20 of them,
/// and kOrderTrackingMore (80) when an order has more.
extern const Operation kOrderTracking;
extern const Operation kOrderTrackingMore;
/// An order's fulfillment orders (`$id`, `$after`): status, assigned
/// location and the first 20 line items, 5 a page.
extern const Operation kFulfillmentOrders;
/// What a tracking upload reads first, in one request: the order's first 5
/// fulfillments (kOrderTracking's fields) and its first 3 fulfillment orders
/// (kFulfillmentOrders' fields); the two above fetch the rest. Small pages
/// keep the requested cost low: a request waits until the bucket holds it.
extern const Operation kOrderFulfilment;
/// The rest of one fulfillment order's line items (`$id`, `$after`).
extern const Operation kFulfillmentOrderLineItems;
/// One fulfillment with tracking for the fulfillment orders of one order
/// and one assigned location (`$fulfillment: FulfillmentInput!`).
extern const Operation kFulfillmentCreate;
/// Variants by SKU: `$query` = `sku:"A" OR sku:"B" …`, 250 a page.
extern const Operation kVariantsBySku;
/// A location by id (`$id`), or the shop's primary location (`$id` null).
extern const Operation kLocation;
/// Absolute "available" quantities (`$input`), with the `@idempotent` key
/// Shopify requires since 2026-04 (`$idempotencyKey`).
extern const Operation kInventorySet;

/// Every operation above, in this order.
const std::vector<const Operation*>& AllOperations();

}  // namespace cartsync::shopify_graphql

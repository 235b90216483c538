#include "runtime/carts/shopify_graphql.h"

namespace cartsync::shopify_graphql {

// A line item as FetchOrders reads it (also for the follow-up pages).
// Money in shop money (wms-contract.md "Money"): the unit price before
// discounts, every discount allocated to the line (order-level ones too) and
// its tax lines (an unsized list: every tax line, costed once).
#define CARTSYNC_LINE_ITEM_FIELDS                                        \
  "id sku quantity currentQuantity unfulfilledQuantity "                 \
  "originalUnitPriceSet { shopMoney { amount } } "                       \
  "discountAllocations { allocatedAmountSet { shopMoney { amount } } } " \
  "taxLines { priceSet { shopMoney { amount } } }"

const Operation kAccessScopes = {"CartsyncAccessScopes",
                                 "query CartsyncAccessScopes {\n"
                                 "  currentAppInstallation { accessScopes { handle } }\n"
                                 "}\n",
                                 2, false};

const Operation kShopTimeZone = {"CartsyncShopTimeZone",
                                 "query CartsyncShopTimeZone {\n"
                                 "  shop { ianaTimezone }\n"
                                 "}\n",
                                 1, false};

const Operation kOrders = {
    "CartsyncOrders",
    "query CartsyncOrders($query: String!, $after: String) {\n"
    "  orders(first: 15, after: $after, sortKey: CREATED_AT, query: $query) {\n"
    "    pageInfo { hasNextPage endCursor }\n"
    "    nodes {\n"
    "      id legacyResourceId name createdAt updatedAt closedAt cancelledAt email phone\n"
    "      currencyCode taxesIncluded\n"
    "      totalDiscountsSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } }\n"
    "      totalPriceSet { shopMoney { amount } }\n"
    "      displayFinancialStatus displayFulfillmentStatus\n"
    "      shippingLine { title code originalPriceSet { shopMoney { amount } } }\n"
    "      shippingAddress {\n"
    "        name firstName lastName company address1 address2 city province provinceCode zip\n"
    "        countryCodeV2 phone\n"
    "      }\n"
    "      lineItems(first: 5) {\n"
    "        pageInfo { hasNextPage endCursor }\n"
    "        nodes { " CARTSYNC_LINE_ITEM_FIELDS
    " }\n"
    "      }\n"
    "    }\n"
    "  }\n"
    "}\n",
    888, false};

const Operation kOrderLineItems = {"CartsyncOrderLineItems",
                                   "query CartsyncOrderLineItems($id: ID!, $after: String) {\n"
                                   "  order(id: $id) {\n"
                                   "    lineItems(first: 100, after: $after) {\n"
                                   "      pageInfo { hasNextPage endCursor }\n"
                                   "      nodes { " CARTSYNC_LINE_ITEM_FIELDS
                                   " }\n"
                                   "    }\n"
                                   "  }\n"
                                   "}\n",
                                   904, false};

const Operation kOrderTracking = {
    "CartsyncOrderTracking",
    "query CartsyncOrderTracking($id: ID!) {\n"
    "  order(id: $id) {\n"
    "    fulfillments(first: 20) { location { id } trackingInfo(first: 10) { number } }\n"
    "  }\n"
    "}\n",
    241, false};

const Operation kOrderTrackingMore = {
    "CartsyncOrderTrackingMore",
    "query CartsyncOrderTrackingMore($id: ID!) {\n"
    "  order(id: $id) {\n"
    "    fulfillments(first: 80) { location { id } trackingInfo(first: 10) { number } }\n"
    "  }\n"
    "}\n",
    961, false};

// One page of an order's fulfillment orders: status, assigned location and
// the first 20 line items, 5 fulfillment orders a page.
#define CARTSYNC_FULFILLMENT_ORDERS(ARGS)                      \
  "    fulfillmentOrders(" ARGS                                \
  ") {\n"                                                      \
  "      pageInfo { hasNextPage endCursor }\n"                 \
  "      nodes {\n"                                            \
  "        id status\n"                                        \
  "        assignedLocation { location { id } }\n"             \
  "        lineItems(first: 20) {\n"                           \
  "          pageInfo { hasNextPage endCursor }\n"             \
  "          nodes { id remainingQuantity lineItem { id } }\n" \
  "        }\n"                                                \
  "      }\n"                                                  \
  "    }\n"

const Operation kFulfillmentOrders = {
    "CartsyncFulfillmentOrders",
    "query CartsyncFulfillmentOrders($id: ID!, $after: String) {\n"
    "  order(id: $id) {\n" CARTSYNC_FULFILLMENT_ORDERS("first: 5, after: $after") "  }\n"
    "}\n",
    234, false};

const Operation kOrderFulfilment = {
    "CartsyncOrderFulfilment",
    "query CartsyncOrderFulfilment($id: ID!) {\n"
    "  order(id: $id) {\n"
    "    fulfillments(first: 5) { location { id } trackingInfo(first: 10) { number } }\n"
    CARTSYNC_FULFILLMENT_ORDERS("first: 3") "  }\n"
    "}\n",
    202, false};

const Operation kFulfillmentOrderLineItems = {
    "CartsyncFulfillmentOrderLineItems",
    "query CartsyncFulfillmentOrderLineItems($id: ID!, $after: String) {\n"
    "  fulfillmentOrder(id: $id) {\n"
    "    lineItems(first: 250, after: $after) {\n"
    "      pageInfo { hasNextPage endCursor }\n"
    "      nodes { id remainingQuantity lineItem { id } }\n"
    "    }\n"
    "  }\n"
    "}\n",
    504, false};

const Operation kFulfillmentCreate = {
    "CartsyncFulfillmentCreate",
    "mutation CartsyncFulfillmentCreate($fulfillment: FulfillmentInput!) {\n"
    "  fulfillmentCreate(fulfillment: $fulfillment) {\n"
    "    fulfillment { id status }\n"
    "    userErrors { field message }\n"
    "  }\n"
    "}\n",
    12, true};

const Operation kVariantsBySku = {"CartsyncVariantsBySku",
                                  "query CartsyncVariantsBySku($query: String!, $after: String) {\n"
                                  "  productVariants(first: 250, after: $after, query: $query) {\n"
                                  "    pageInfo { hasNextPage endCursor }\n"
                                  "    nodes { sku inventoryItem { id } }\n"
                                  "  }\n"
                                  "}\n",
                                  503, false};

const Operation kLocation = {"CartsyncLocation",
                             "query CartsyncLocation($id: ID) {\n"
                             "  location(id: $id) { id legacyResourceId name isActive }\n"
                             "}\n",
                             1, false};

const Operation kInventorySet = {
    "CartsyncInventorySet",
    "mutation CartsyncInventorySet($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) "
    "{\n"
    "  inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) {\n"
    "    inventoryAdjustmentGroup { id }\n"
    "    userErrors { code field message }\n"
    "  }\n"
    "}\n",
    12, true};

#undef CARTSYNC_LINE_ITEM_FIELDS
#undef CARTSYNC_FULFILLMENT_ORDERS

const std::vector<const Operation*>& AllOperations() {
  static const std::vector<const Operation*> all = {
      &kAccessScopes,      &kShopTimeZone,    &kOrders,
      &kOrderLineItems,    &kOrderTracking,   &kOrderTrackingMore,
      &kFulfillmentOrders, &kOrderFulfilment, &kFulfillmentOrderLineItems,
      &kFulfillmentCreate, &kVariantsBySku,   &kLocation,
      &kInventorySet};
  return all;
}

}  // namespace cartsync::shopify_graphql

// Amazon Selling Partner API connector (platforms.md "Amazon SP-API"; the
// official models in shared/openapi/amazon-sp-api). MakeAmazonCart
// (connectors.h) builds it; this header only exposes the pure helpers its
// tests pin down.
//
// Wire summary, relative to {base_url} or the region's endpoint
// https://sellingpartnerapi-{na|eu|fe}.amazon.com:
//   POST {base_url}/auth/o2/token (else https://api.amazon.com/auth/o2/token)
//        Login with Amazon: refresh token -> 1-hour access token, sent as
//        x-amz-access-token (LwaRefreshTokenAuth, runtime/net/auth.h)
//   GET  /orders/2026-01-01/orders?marketplaceIds=M&fulfillmentStatuses=A,B
//        &fulfilledBy=MERCHANT&createdAfter=|lastUpdatedAfter=ISO&maxResultsPerPage=100
//        &includedData=RECIPIENT,FULFILLMENT[&paginationToken=T]     (searchOrders)
//   GET  /orders/2026-01-01/orders/{id}?includedData=FULFILLMENT,PACKAGES
//        (getOrder: the tracking check reads packages[].trackingNumber)
//   POST /orders/v0/orders/{id}/shipmentConfirmation                 (confirmShipment, 204)
//   PATCH /listings/2021-08-01/items/{seller_id}/{sku}?marketplaceIds=M  (<= 10 SKUs)
//   POST /feeds/2021-06-30/documents, PUT {presigned url}, POST /feeds/2021-06-30/feeds,
//   GET  /feeds/2021-06-30/feeds/{id} (polled), GET /feeds/2021-06-30/documents/{id},
//   GET  {presigned url} (the processing report)                     (> 10 SKUs)
// Every call is paced per operation (OperationBuckets) from the models'
// usage plans and what x-amzn-RateLimit-Limit says; 429 is HttpClient's.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/carts/connectors.h"

namespace cartsync::amazon {

/// The SP-API endpoint of a region ("na" -> https://sellingpartnerapi-na.amazon.com);
/// "" for anything else.
std::string RegionEndpoint(std::string_view region);

/// Whether `status` is a searchOrders fulfillmentStatuses value (UNSHIPPED, …).
bool IsFulfillmentStatus(std::string_view status);

/// The text of an SP-API ErrorList answer ({"errors":[{"code","message","details"}]}):
/// "InvalidInput: Invalid Input (details)"; an excerpt of anything else.
std::string ErrorText(std::string_view body);

/// x-amzn-RateLimit-Limit ("0.0056", "2.0"): requests per second, > 0;
/// false when absent or unreadable.
bool ParseRateLimit(std::string_view header, double& per_second);

/// Token buckets, one per SP-API operation: each starts full at its burst
/// and refills at its rate (the models' usage plans), and the rate follows
/// x-amzn-RateLimit-Limit when an answer carries it. The header describes the
/// operation just called, so a store-wide limiter could not use it.
class OperationBuckets {
 public:
  OperationBuckets();
  /// How long to wait before the next `operation` call may go out; the
  /// call is counted. Unknown operations are not paced.
  int64_t DelayBeforeMs(const std::string& operation, int64_t now_ms);
  /// Learns the operation's rate from an answer's header value.
  void Observe(const std::string& operation, std::string_view rate_header);
  double rate(const std::string& operation) const;

 private:
  struct Bucket {
    double rate = 1, burst = 1, tokens = 1;
    int64_t at_ms = -1;
  };
  std::map<std::string, Bucket> buckets_;
};

/// A JSON_LISTINGS_FEED document setting each SKU's merchant-fulfilled
/// quantity (messageId = index + 1).
struct StockItem {
  std::string sku;
  int64_t quantity = 0;
};
std::string ListingsFeed(const std::string& seller_id, const std::vector<StockItem>& items);

/// Per-SKU errors of a JSON_LISTINGS_FEED processing report: issues with
/// severity ERROR, matched by messageId (else sku) to `items`. False when
/// the report is not one (then nothing can be said per SKU).
bool ReadProcessingReport(std::string_view report, const std::vector<StockItem>& items,
                          std::map<std::string, std::string>& errors);

}  // namespace cartsync::amazon

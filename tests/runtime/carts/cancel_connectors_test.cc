// Cancellations at the connectors: each reads its platform's canceled mark
// into CartOrder::canceled, and later pulls also ask for the orders
// canceled since the cursor (end to end, over the simulator:
// tests/e2e/cancel_e2e_test.cc).
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "runtime/carts/shopify_cart.h"

namespace cartsync {
namespace {

using namespace shopify_detail;

TEST(ShopifyCancelTest, LaterPullsAlsoSearchTheCanceledOrders) {
  OrderWindow w;
  w.statuses = {{"status", {"open"}}, {"financial_status", {"paid"}}};
  w.created_after = 1'793'491'200;
  EXPECT_EQ(CanceledOrdersSearch(w), "") << "the first pull: nothing canceled matters yet";
  w.created_after.reset();
  w.updated_after = 1'793'491'200;
  EXPECT_EQ(CanceledOrdersSearch(w), "status:cancelled updated_at:>='2026-11-01T00:00:00Z'");
  // `status: any` alone already returns them.
  w.statuses = {{"status", {"any"}}};
  EXPECT_EQ(CanceledOrdersSearch(w), "");
  // … unless another dimension leaves them out.
  w.statuses = {{"status", {"any"}}, {"financial_status", {"paid"}}};
  EXPECT_EQ(CanceledOrdersSearch(w), "status:cancelled updated_at:>='2026-11-01T00:00:00Z'");
}

TEST(ShopifyCancelTest, CancelledAtMarksTheOrderCanceled) {
  const char* json = R"({"legacyResourceId": "1001", "name": "#1001",
      "createdAt": "2026-11-10T10:00:00Z", "updatedAt": "2026-11-11T10:00:00Z",
      "cancelledAt": %s, "displayFinancialStatus": "PAID",
      "displayFulfillmentStatus": "UNFULFILLED", "lineItems": {"nodes": []}})";
  for (const char* cancelled : {"\"2026-11-11T10:00:00Z\"", "null"}) {
    char buf[1024];
    std::snprintf(buf, sizeof buf, json, cancelled);
    rapidjson::Document d;
    d.Parse(buf);
    ASSERT_FALSE(d.HasParseError());
    CartOrder o;
    std::string error;
    ASSERT_TRUE(ReadOrder(d, o, error)) << error;
    EXPECT_EQ(o.canceled, std::string(cancelled) != "null") << cancelled;
  }
}

}  // namespace
}  // namespace cartsync

// The order document's money (wms-contract.md "Money"), mapped the same way
// for every platform: currency, minor units, list price before discounts,
// discount and tax per line, order totals. Connectors against a scripted
// transport; amounts never through a double.
#include "runtime/carts/order_money.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime/carts/connectors.h"
#include "runtime/documents.h"
#include "runtime/net/http_client.h"
#include "tests/support/connector_fixture.h"

namespace cartsync {
namespace {

class OrderMoneyTest : public ScriptedConnectorTest {
 protected:
  std::vector<CartOrder> Fetch(CartConnector& c, std::vector<std::string> statuses,
                               const char* dimension) {
    std::vector<CartOrder> all;
    OrderWindow window;
    window.statuses[dimension] = std::move(statuses);
    Status st = c.FetchOrders(window, [&](std::vector<CartOrder>&& page) {
      for (auto& o : page) all.push_back(std::move(o));
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return all;
  }
};

TEST(OrderMoneyHelperTest, LinesInMinorUnitsOfTheCurrency) {
  order_money::Money usd("usd");
  EXPECT_EQ(usd.currency(), "USD");
  OrderLine line;
  usd.SetLineFromTotal(line, "49.99", "5.00", "3.6", 3);
  EXPECT_EQ(line.unit_list_price, "1666");
  EXPECT_EQ(line.unit_price, "16.66");
  EXPECT_EQ(line.discount, "500");
  EXPECT_EQ(line.unit_discount, "167");
  EXPECT_EQ(line.tax, "360");

  order_money::Money jpy("JPY");
  jpy.SetLine(line, "1500", "", "150", 2);
  EXPECT_EQ(line.unit_list_price, "1500");
  EXPECT_EQ(line.unit_price, "1500");
  EXPECT_EQ(line.discount, "");
  EXPECT_EQ(line.tax, "150");

  order_money::Money unknown("XYZ");
  EXPECT_FALSE(unknown.known());
  unknown.SetLine(line, "10.00", "1.00", "0.50", 1);
  EXPECT_EQ(line.unit_list_price, "");
  EXPECT_EQ(line.unit_price, "");
}

// WooCommerce: amounts asked for with dp=6 (its default rounds to 2
// decimals, even for KWD's 3); line subtotal/total are without tax.
TEST_F(OrderMoneyTest, WooCommerceKwdKeepsItsThirdDecimal) {
  SetUpWooCommerce("acme-woo");
  auto made = MakeWooCommerceCart(cart, ConnectorDeps{&http, &secrets});
  ASSERT_TRUE(made.ok()) << made.status().message();
  transport.Expect("GET", "&dp=6", 200, R"([{
    "id": 727, "number": "1001", "status": "processing", "currency": "KWD",
    "prices_include_tax": false,
    "date_created_gmt": "2026-11-20T10:00:00", "date_modified_gmt": "2026-11-20T11:30:00",
    "billing": {"first_name": "Jane", "last_name": "Doe", "address_1": "1 Rd", "city": "Kuwait"},
    "discount_total": "1.500000", "shipping_total": "2.250000", "total_tax": "0.000000",
    "total": "13.255000",
    "line_items": [
      {"id": 315, "sku": "TS", "quantity": 3, "price": 3.4183333333,
       "subtotal": "12.505000", "total": "11.005000", "subtotal_tax": "0.000000",
       "total_tax": "0.000000"}
    ]}])");
  auto orders = Fetch(*made.value(), {"processing"}, "status");
  ASSERT_EQ(orders.size(), 1u);
  const CartOrder& o = orders[0];
  EXPECT_EQ(o.money.currency, "KWD");
  EXPECT_FALSE(o.money.taxes_included);
  EXPECT_EQ(o.money.totals.subtotal, "12505");
  EXPECT_EQ(o.money.totals.shipping, "2250");
  EXPECT_EQ(o.money.totals.discount, "1500");
  EXPECT_EQ(o.money.totals.tax, "0");
  EXPECT_EQ(o.money.totals.total, "13255");
  ASSERT_EQ(o.lines.size(), 1u);
  EXPECT_EQ(o.lines[0].unit_list_price, "4168");  // 12.505 / 3 = 4.16833 -> 4.168
  EXPECT_EQ(o.lines[0].unit_price, "4.168");
  EXPECT_EQ(o.lines[0].discount, "1500");
  EXPECT_EQ(o.lines[0].unit_discount, "500");
  EXPECT_EQ(o.lines[0].tax, "0");
}

// BigCommerce: the transactional currency (default_currency_code; JPY has
// no decimals), price_ex_tax, applied_discounts, total_tax.
TEST_F(OrderMoneyTest, BigCommerceJpyFromTheExTaxFields) {
  SetUpBigCommerce("acme-bc");
  auto made = MakeBigCommerceCart(cart, ConnectorDeps{&http, &secrets});
  ASSERT_TRUE(made.ok()) << made.status().message();
  transport.Expect("GET", "/v2/orders?status_id=11&", 200, R"([{
    "id": 100, "date_created": "Wed, 10 Jan 2018 21:05:30 +0000", "status_id": 11,
    "status": "Awaiting Fulfillment", "currency_code": "USD", "default_currency_code": "JPY",
    "subtotal_ex_tax": "3000.0000", "shipping_cost_ex_tax": "500.0000",
    "discount_amount": "100.0000", "coupon_discount": "200.0000", "total_tax": "320.0000",
    "total_inc_tax": "3520.0000",
    "billing_address": {"first_name": "Jane", "street_1": "1 Main", "city": "Tokyo",
                        "country_iso2": "JP"}}])");
  transport.Expect("GET", "/v2/orders/100/shipping_addresses", 200, "[]");
  transport.Expect("GET", "/v2/orders/100/products?page=1&limit=250", 200, R"([
    {"id": 65, "order_id": 100, "product_id": 77, "sku": "TEA", "quantity": 2,
     "quantity_shipped": 0, "base_price": "1500.0000", "price_ex_tax": "1500.0000",
     "price_inc_tax": "1650.0000", "total_tax": "300.0000",
     "applied_discounts": [{"id": "coupon", "amount": "200.0000"},
                           {"id": "rule", "amount": 100}]}])");
  auto orders = Fetch(*made.value(), {"Awaiting Fulfillment"}, "status");
  ASSERT_EQ(orders.size(), 1u);
  const CartOrder& o = orders[0];
  EXPECT_EQ(o.money.currency, "JPY");
  EXPECT_EQ(o.money.totals.subtotal, "3000");
  EXPECT_EQ(o.money.totals.shipping, "500");
  EXPECT_EQ(o.money.totals.discount, "300");
  EXPECT_EQ(o.money.totals.tax, "320");
  EXPECT_EQ(o.money.totals.total, "3520");
  ASSERT_EQ(o.lines.size(), 1u);
  EXPECT_EQ(o.lines[0].unit_list_price, "1500");  // without tax, not price_inc_tax
  EXPECT_EQ(o.lines[0].unit_price, "1500");
  EXPECT_EQ(o.lines[0].discount, "300");
  EXPECT_EQ(o.lines[0].unit_discount, "150");
  EXPECT_EQ(o.lines[0].tax, "300");
}

TEST(OrderMoneyDocumentTest, WmsOrderCarriesCurrencyLinesAndTotals) {
  WmsOrder o;
  o.order_key = "acme:1";
  o.money.currency = "JPY";
  o.money.totals = {"3000", "500", "300", "320", "3520"};
  OrderLine l;
  l.line_key = "65";
  l.sku = "TEA";
  l.quantity = 2;
  order_money::Money("JPY").SetLine(l, "1500", "300", "300", 2);
  o.lines.push_back(l);
  const std::string json = ToJson(o);
  EXPECT_NE(json.find(R"("currency":"JPY","taxes_included":false)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("unit_price":"1500","unit_list_price":"1500","unit_discount":"150",)"
                      R"("discount":"300","tax":"300")"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("totals":{"subtotal":"3000","shipping":"500","discount":"300",)"
                      R"("tax":"320","total":"3520"})"),
            std::string::npos)
      << json;
  WmsOrder back;
  std::string error;
  ASSERT_TRUE(FromJson(json, back, error)) << error;
  EXPECT_EQ(back.money.currency, "JPY");
  EXPECT_EQ(back.money.totals.total, "3520");
  EXPECT_EQ(back.lines[0].unit_discount, "150");
  // A document written before the money fields existed still reads.
  ASSERT_TRUE(
      FromJson(R"({"order_key":"k","lines":[{"quantity":1,"unit_price":"1.00"}]})", back, error))
      << error;
  EXPECT_EQ(back.money.currency, "");
  EXPECT_EQ(back.lines[0].unit_price, "1.00");
}

}  // namespace
}  // namespace cartsync

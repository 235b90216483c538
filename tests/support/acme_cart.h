// Cart "acme" of client acme-apparel on Shopify (its token from
// env:ACME_TOKEN), orders every 15 minutes from 2026-01-01: the cart the
// runner and `state` tests start from, adding the services, ship methods and
// filters each of them needs.
#pragma once

#include "model/service.h"
#include "tests/support/cart_builder.h"

namespace cartsync {

inline CartToml AcmeShopifyCart() {
  return CartToml()
      .Id("acme")
      .Client("acme-apparel")
      .Platform("shopify")
      .Api("store_url", "https://acme.myshopify.com")
      .ApiSecret("access_token", "env:ACME_TOKEN")
      .Every(Service::OrderDownload, "15m")
      .EarliestOrderDate("2026-01-01");
}

}  // namespace cartsync

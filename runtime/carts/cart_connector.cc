#include "runtime/carts/cart_connector.h"

#include "runtime/carts/connectors.h"

namespace cartsync {

// A platform without a connector yet is a clear per-cart error, never a
// silent skip; the compiler still checks its carts (descriptors are data).
Result<std::unique_ptr<CartConnector>> MakeCartConnector(const CartConfig& cart,
                                                         const ConnectorDeps& deps) {
  if (cart.platform == "shopify") return MakeShopifyCart(cart, deps);
  if (cart.platform == "woocommerce") return MakeWooCommerceCart(cart, deps);
  if (cart.platform == "bigcommerce") return MakeBigCommerceCart(cart, deps);
  if (cart.platform == "ebay") return MakeEbayCart(cart, deps);
  if (cart.platform == "amazon") return MakeAmazonCart(cart, deps);
  if (cart.platform == "walmart") return MakeWalmartCart(cart, deps);
  if (cart.platform == "magento") return MakeMagentoCart(cart, deps);
  return Status::Permanent("no connector for platform \"" + cart.platform + "\" in this build yet");
}

}  // namespace cartsync

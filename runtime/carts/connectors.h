// The platform connectors, one file pair each; MakeCartConnector
// (cart_connector.cc) picks one by cart.platform.
#pragma once

#include <memory>

#include "runtime/carts/cart_connector.h"

namespace cartsync {

Result<std::unique_ptr<CartConnector>> MakeShopifyCart(const CartConfig& cart,
                                                       const ConnectorDeps& deps);
Result<std::unique_ptr<CartConnector>> MakeWooCommerceCart(const CartConfig& cart,
                                                           const ConnectorDeps& deps);
Result<std::unique_ptr<CartConnector>> MakeBigCommerceCart(const CartConfig& cart,
                                                           const ConnectorDeps& deps);
Result<std::unique_ptr<CartConnector>> MakeEbayCart(const CartConfig& cart,
                                                    const ConnectorDeps& deps);
Result<std::unique_ptr<CartConnector>> MakeAmazonCart(const CartConfig& cart,
                                                      const ConnectorDeps& deps);
Result<std::unique_ptr<CartConnector>> MakeWalmartCart(const CartConfig& cart,
                                                       const ConnectorDeps& deps);
Result<std::unique_ptr<CartConnector>> MakeMagentoCart(const CartConfig& cart,
                                                       const ConnectorDeps& deps);

}  // namespace cartsync

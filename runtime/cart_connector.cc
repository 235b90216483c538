#include "runtime/cart_connector.h"

namespace cartsync {

// Connectors register here as they land (the connectors issue); a platform
// without one is a clear per-cart error, never a silent skip.
Result<std::unique_ptr<CartConnector>> MakeCartConnector(const CartConfig& cart, const ConnectorDeps&) {
  return Status::Permanent("no connector for platform \"" + cart.platform + "\" in this build yet");
}

}  // namespace cartsync

// A WMS carrier/service, the target of a [ship_methods] entry.
#pragma once

#include <string>

namespace cartsync {

/// A WMS ship method: `CARRIER/SERVICE`.
struct ShipTarget {
  std::string carrier, service;
};

}  // namespace cartsync

// A RunEnvironment of fakes for the runner's unit tests: a FakeCart per cart
// id, one FakeWms for all, and fake process table and time zones.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "base/status.h"
#include "runtime/process_table.h"
#include "runtime/runner.h"
#include "runtime/time_zone.h"
#include "tests/support/fake_cart.h"
#include "tests/support/fake_wms.h"

namespace cartsync {

/// Processes by identity: this one is "self"; the ones in `gone` have ended.
class FakeProcessTable : public ProcessTable {
 public:
  std::string self = "4026531836:1000:5000";
  std::set<std::string> gone;
  std::string Self() override { return self; }
  bool Gone(const std::string& identity) override { return gone.count(identity) > 0; }
};

/// Zones at fixed offsets from UTC (no daylight saving): "Test/Plus2" is
/// UTC+2; any other name is unknown.
class FakeTimeZones : public TimeZones {
 public:
  std::map<std::string, int64_t> offsets{{"Test/Plus2", 2 * 3600}};
  Result<int64_t> NextDaily(const std::string& zone, int hour, int minute, int64_t t) override {
    auto it = offsets.find(zone);
    if (it == offsets.end()) return Status::Permanent("unknown time zone \"" + zone + "\"");
    const int64_t local = t + it->second, at = hour * 3600 + minute * 60;
    int64_t day = local - ((local % 86400) + 86400) % 86400;
    if (day + at <= local) day += 86400;
    return day + at - it->second;
  }
};

/// Hands out fakes; one FakeCartState per cart id, one WMS for all.
class FakeEnvironment : public RunEnvironment {
 public:
  FakeProcessTable processes;
  ProcessTable& Processes() override { return processes; }
  FakeTimeZones zones;
  TimeZones& Zones() override { return zones; }
  std::map<std::string, FakeCartState> carts;
  FakeWmsState wms;
  std::set<std::string> broken_carts;  ///< Connector() fails for these

  Result<std::unique_ptr<CartConnector>> Connector(const CartConfig& cart) override {
    if (broken_carts.count(cart.id)) return Status::Permanent("no connector for " + cart.id);
    return std::unique_ptr<CartConnector>(new FakeCart(carts[cart.id]));
  }
  Result<std::unique_ptr<WmsClient>> Wms(const WmsConfig&, const std::string&) override {
    return std::unique_ptr<WmsClient>(new FakeWms(wms));
  }
};

}  // namespace cartsync

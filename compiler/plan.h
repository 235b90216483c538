// The execution plan: what `cartsync run` carries out. Built from checked
// configuration, serialized deterministically by plan_json. The runtime
// depends on this model and its JSON form only.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "compiler/compiler.h"
#include "compiler/config.h"

namespace cartsync {

inline constexpr int kPlanFormatVersion = 1;

/// One enabled service of one cart.
struct PlanStep {
  std::string id;  ///< "<cart>/<service>"
  Service service = Service::OrderDownload;
  Schedule every;
};

struct PlanCart {
  CartConfig config;             ///< everything the steps need
  std::vector<PlanStep> steps;   ///< enabled services, in execution order
};

struct Plan {
  int format_version = kPlanFormatVersion;
  std::vector<SourceInfo> sources;
  std::vector<PlanCart> carts;  ///< sorted by id
  std::map<std::string, WmsConfig> wms;
  std::string state_url;
};

/// Builds the plan of a compilation without errors.
Plan BuildPlan(const Compilation& compilation);

}  // namespace cartsync

// The execution plan: what `cartsync run` carries out. Built by the compiler
// (compiler/planner.h), serialized deterministically by plan_json. The
// runtime depends on this model and its JSON form only, never on compiler/.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "model/config.h"

namespace cartsync {

inline constexpr int kPlanFormatVersion = 1;

/// A file that went into the compilation, as the plan records it.
struct SourceInfo {
  std::string path;    ///< relative to the project root, '/'-separated
  std::string sha256;  ///< of the file's bytes
};

/// One enabled service of one cart.
struct PlanStep {
  std::string id;  ///< "<cart>/<service>"
  Service service = Service::OrderDownload;
  Schedule every;
};

struct PlanCart {
  CartConfig config;            ///< everything the steps need
  std::vector<PlanStep> steps;  ///< enabled services, in execution order
};

struct Plan {
  int format_version = kPlanFormatVersion;
  std::vector<SourceInfo> sources;
  std::vector<PlanCart> carts;  ///< sorted by id
  std::map<std::string, WmsConfig> wms;
  std::string state_url;
  std::optional<SecretRef> state_password;  ///< [state].password: the reference, never a value
  /// [state].retain_pii in seconds, when set (plans without it stay
  /// byte-identical); unset: kDefaultRetainPiiSeconds.
  std::optional<int64_t> retain_pii_s;
  /// [[notify]] webhooks (their URLs as secret references only); plans
  /// without any stay byte-identical.
  std::vector<NotifyConfig> notify;
};

}  // namespace cartsync

// The planner: checked configuration -> execution plan (model/plan.h).
#pragma once

#include "compiler/compiler.h"
#include "model/plan.h"

namespace cartsync {

/// Builds the plan of a compilation without errors: one step per enabled
/// service, in execution order.
Plan BuildPlan(const Compilation& compilation);

}  // namespace cartsync

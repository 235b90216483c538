// The plan's JSON form (cli.md "Plans"): deterministic bytes for the same
// plan — fixed key order, sorted carts and maps, no timestamps, no absolute
// paths, never a secret value (only {"secret": "env:NAME"} references).
#pragma once

#include <string>
#include <string_view>

#include "model/plan.h"

namespace cartsync {

/// Pretty-printed (2-space) JSON ending in a newline.
std::string PlanToJson(const Plan& plan);

/// Reads a plan written by PlanToJson (for `run PLAN.json` and `plan --diff`).
/// On failure returns false with a message naming the JSON path at fault.
bool PlanFromJson(std::string_view json, Plan& out, std::string& error);

}  // namespace cartsync

// Feeds arbitrary bytes to the loader and checker as a cart file, beside a
// fixed project file, then plans and renders whatever came out. Any crash,
// hang, sanitizer report or leak is a bug: hostile input must only ever
// produce diagnostics.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "compiler/compiler.h"
#include "compiler/diagnostic_render.h"
#include "compiler/planner.h"
#include "model/plan.h"
#include "model/plan_json.h"

namespace {
const char* kProject = R"([wms.main]
system = "http"
url = "https://wms.example.com/api"
token = { secret = "env:WMS_TOKEN" }
warehouses = ["east", "west"]
carriers = ["UPS", "FEDEX", "USPS"]
[defaults]
order_load.reject_unmapped_ship_codes = true
)";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cartsync;
  CompileOptions options;
  options.today = {2026, 11, 27};
  Compilation c;
  CompileTexts(kProject,
               {{"carts.d/fuzz.toml", std::string(reinterpret_cast<const char*>(data), size)}},
               options, c);
  std::ostringstream out;
  RenderDiagnostics(c.diags.Sorted(), c.diags.errors(), c.diags.warnings(), c.sources,
                    DiagFormat::Text, out);
  RenderDiagnostics(c.diags.Sorted(), c.diags.errors(), c.diags.warnings(), c.sources,
                    DiagFormat::Sarif, out);
  if (!c.diags.has_errors()) {
    std::string json = PlanToJson(BuildPlan(c));
    Plan back;
    std::string error;
    if (!PlanFromJson(json, back, error)) __builtin_trap();  // our own plans must read back
  }
  return 0;
}

// Feeds arbitrary bytes to the loader and checker as a cart file, beside a
// fixed project file, then plans and renders whatever came out. Any crash,
// hang, sanitizer report or leak is a bug: hostile input must only ever
// produce diagnostics.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/compiler.h"
#include "compiler/diagnostic_render.h"
#include "compiler/planner.h"
#include "compiler/schema.h"
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

// Per process: the built-in descriptors and the patterns and tables the
// checker compiles once (RE2, the schema) are made before the first input,
// so that no input pays for them (nor looks like a leak doing so).
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  using namespace cartsync;
  (void)BuiltinSchema();
  CompileOptions options;
  options.today = {2026, 11, 27};
  Compilation c;
  CompileTexts(kProject,
               {{"carts.d/warm.toml",
                 "[cart]\nid = \"warm\"\nclient = \"warm\"\nplatform = \"shopify\"\n[api]\n"
                 "store_url = \"https://warm.myshopify.com\"\n"
                 "access_token = { secret = \"env:TOKEN\" }\n"}},
               options, c);
  std::ostringstream out;
  RenderDiagnostics(c.diags.Sorted(), c.diags.errors(), c.diags.warnings(), c.sources,
                    DiagFormat::Sarif, out);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cartsync;
  CompileOptions options;
  options.today = {2026, 11, 27};
  Compilation c;
  CompileTexts(kProject,
               {{"carts.d/fuzz.toml", std::string(reinterpret_cast<const char*>(data), size)}},
               options, c);
  std::ostringstream out;
  const std::vector<Diagnostic> sorted = c.diags.Sorted();  // one sort for both renderings
  RenderDiagnostics(sorted, c.diags.errors(), c.diags.warnings(), c.sources, DiagFormat::Text, out);
  RenderDiagnostics(sorted, c.diags.errors(), c.diags.warnings(), c.sources, DiagFormat::Sarif,
                    out);
  if (!c.diags.has_errors()) {
    std::string json = PlanToJson(BuildPlan(c));
    Plan back;
    std::string error;
    if (!PlanFromJson(json, back, error)) __builtin_trap();  // our own plans must read back
  }
  return 0;
}

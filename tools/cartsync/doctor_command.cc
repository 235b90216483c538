// `cartsync doctor`: loads the project as `run` does and hands it to the
// runtime's doctor (runtime/doctor.h) with the production wiring; nothing
// here opens a state store or writes a file.
#include <algorithm>
#include <ostream>

#include "runtime/clock.h"
#include "runtime/doctor.h"
#include "runtime/environment.h"
#include "tools/cartsync/commands.h"

namespace cartsync {

int DoctorCommand(const DoctorFlags& flags, std::ostream& out, std::ostream& err,
                  const CliEnv& env) {
  constexpr int kOk = 0, kConfigError = 1, kFindings = 3;
  Plan plan;
  std::string base_dir;
  if (!LoadPlan(flags.path, env, err, plan, base_dir)) return kConfigError;
  for (const std::string& id : flags.carts) {
    bool known = std::any_of(plan.carts.begin(), plan.carts.end(),
                             [&](const PlanCart& c) { return c.config.id == id; });
    if (!known) {
      err << "cartsync doctor: no cart \"" << id << "\" in the project\n";
      return kConfigError;
    }
  }
  DoctorOptions options;
  options.carts = flags.carts;
  options.since_seconds = flags.since_seconds;
  SystemClock clock;
  ProductionEnvironment environment(base_dir, clock);
  DoctorReport report = RunDoctor(plan, environment, clock, options);
  switch (flags.format) {
    case DoctorFormat::Text:
      RenderDoctorText(report, out);
      break;
    case DoctorFormat::Json:
      out << DoctorJson(report);
      break;
    case DoctorFormat::Markdown:
      RenderDoctorMarkdown(report, out);
      break;
  }
  return report.HasErrors() ? kFindings : kOk;
}

}  // namespace cartsync

// The runtime subcommands, each in its own file; cli.cc parses their options
// (options.h) and dispatches.
#pragma once

#include <iosfwd>
#include <string>

#include "model/plan.h"
#include "tools/cartsync/cli.h"
#include "tools/cartsync/options.h"

namespace cartsync {

/// `cartsync run`: exit 0 all steps ok, 1 config/plan error, 3 a step failed.
int RunCommand(const RunFlags& flags, std::ostream& out, std::ostream& err, const CliEnv& env);

/// `cartsync state …`: exit 0 / 1, 2 on a usage error. Dispatches `flags.subcommand` from its
/// table (state_command.cc), which checks the subcommand and its arguments.
int StateCommand(const StateFlags& flags, std::ostream& out, std::ostream& err);

/// `cartsync fmt`: exit 0 done, 1 a file does not parse or cannot be formatted
/// or written, or with --check would change, 2 a missing path or bad --schema.
/// Standard input (--stdin-filename) is `env.in`, else std::cin.
int FmtCommand(const FmtFlags& flags, std::ostream& out, std::ostream& err, const CliEnv& env);

/// `cartsync doctor`: exit 0 nothing that would hold or fail orders, 1 config error,
/// 3 such a finding (doctor_command.cc, runtime/doctor.h). Writes nothing.
int DoctorCommand(const DoctorFlags& flags, std::ostream& out, std::ostream& err,
                  const CliEnv& env);

/// What `run` and `doctor` carry out: a plan file (*.json) read as is, anything
/// else compiled first (diagnostics to `err`). `base_dir` becomes where relative
/// state paths, secret files and WMS dirs resolve: the project root, or the
/// current directory for a plan file. False (said on `err`) when there is none.
bool LoadPlan(const std::string& input, const CliEnv& env, std::ostream& err, Plan& plan,
              std::string& base_dir);

/// The usage text of `cartsync state`, one line per subcommand of the table.
std::string StateUsage();

}  // namespace cartsync

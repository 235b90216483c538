// The runtime subcommands, each in its own file; cli.cc parses their options
// (options.h) and dispatches.
#pragma once

#include <iosfwd>
#include <string>

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

/// The usage text of `cartsync state`, one line per subcommand of the table.
std::string StateUsage();

}  // namespace cartsync

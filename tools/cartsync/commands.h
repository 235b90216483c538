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

/// `cartsync state …`: exit 0 / 1. Dispatches `flags.subcommand` from its
/// table (state_command.cc), which checks the subcommand and its arguments.
int StateCommand(const StateFlags& flags, std::ostream& out, std::ostream& err);

/// The usage text of `cartsync state`, one line per subcommand of the table.
std::string StateUsage();

}  // namespace cartsync

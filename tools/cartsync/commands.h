// The runtime subcommands, each in its own file; cli.cc dispatches.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "tools/cartsync/cli.h"

namespace cartsync {

/// `cartsync run`: exit 0 all steps ok, 1 config/plan error, 3 a step failed.
int RunCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
               const CliEnv& env);
/// `cartsync state …`: exit 0 / 1.
int StateCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                 const CliEnv& env);

}  // namespace cartsync

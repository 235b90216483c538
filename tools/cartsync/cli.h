// The `cartsync` command line: parses arguments into typed options and
// calls the libraries. main() is a thin wrapper; tests call RunCli directly.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "model/config.h"

namespace cartsync {

/// What the process environment provides, injected for tests.
struct CliEnv {
  Date today;  ///< UTC date for date rules
  bool stdout_is_tty = false;
  bool stderr_is_tty = false;
  bool no_color = false;       ///< NO_COLOR is set
  std::istream* in = nullptr;  ///< standard input (--stdin-filename); nullptr = std::cin
};

/// Runs one command (`args` excludes the program name). Returns the exit code
/// of cli.md: check 0/1/2, plan 0/1 (2 = changes with --detailed-exitcode);
/// a usage error is 2 for every command, said in one line and a pointer to
/// the command's --help.
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           const CliEnv& env);

}  // namespace cartsync

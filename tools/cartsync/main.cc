// cartsync: declarative cart <-> WMS integration. See README.md.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "compiler/compiler.h"
#include "tools/cartsync/cli.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  cartsync::CliEnv env;
  env.today = cartsync::TodayUtc();
  env.stdout_is_tty = isatty(STDOUT_FILENO) != 0;
  env.stderr_is_tty = isatty(STDERR_FILENO) != 0;
  env.no_color = std::getenv("NO_COLOR") != nullptr;
  std::vector<std::string> args(argv + 1, argv + argc);
  int code = cartsync::RunCli(args, std::cout, std::cerr, env);
  std::cout.flush();
  return code;
}

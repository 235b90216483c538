// Text generated from the option tables (options.h CommandTable): the usage
// text, each command's --help, the shell completion scripts and the manual
// pages. One source for all of them, and for the parsers, so none can list a
// flag that is not accepted or miss one that is.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tools/cartsync/options.h"

namespace cartsync {

/// `cartsync help`: every command with its flags, the common options.
std::string GlobalUsage();

/// `cartsync COMMAND --help`: synopsis, description, each flag, exit status.
std::string CommandHelp(const CommandSpec& command);

/// `cartsync completion SHELL` for "bash", "zsh" or "fish"; "" for another shell.
std::string CompletionScript(std::string_view shell);

/// The commands with a manual page of their own, in table order (not help, version).
std::vector<const CommandSpec*> ManualCommands();

/// cartsync(1) when `command` is nullptr, else cartsync-COMMAND(1), as roff.
std::string ManPage(const CommandSpec* command);

/// Every page: {"cartsync.1", text}, {"cartsync-check.1", text}, …
std::vector<std::pair<std::string, std::string>> AllManPages();

}  // namespace cartsync

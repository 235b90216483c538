// A cart that is not on disk: an editor's buffer or pre-commit's standard
// input, checked as the file it will be (`check --stdin-filename PATH`).
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "compiler/compiler.h"

namespace cartsync {

/// The cartsync.toml of the nearest directory above `path` (the file itself
/// need not exist), shown relative to the working directory when `path` is
/// relative; nullopt when no directory up to the root has one.
std::optional<std::string> FindProjectFileAbove(const std::string& path);

/// Compiles `text` as the cart file `display`, with the project file
/// FindProjectFileAbove(display) when there is one (an unreadable one is an
/// E0101 and sets io_error).
void CompileBuffer(const CompileOptions& options, const std::string& display,
                   const std::string& text, Compilation& out);

/// Reads `in` to its end, at most kMaxSourceBytes + 1 bytes (so an oversize
/// input is still refused as E0104, without holding all of it).
std::string ReadInput(std::istream& in);

}  // namespace cartsync

// The compiler's entry points: find inputs, read, parse, check, and hand
// back typed configuration with every diagnostic. `cartsync check` and
// `plan`, the tests and the fuzzer all go through Compile().
#pragma once

#include <string>
#include <vector>

#include "compiler/diagnostic.h"
#include "compiler/schema.h"
#include "compiler/source_file.h"
#include "model/config.h"
#include "model/plan.h"

namespace cartsync {

struct CompileOptions {
  std::vector<std::string> paths;  ///< as given; empty means "."
  const Schema* schema = nullptr;  ///< default: BuiltinSchema()
  Date today;                      ///< for date rules; the CLI passes the UTC date
  /// Drop a file's text once it is checked and no diagnostic points into it
  /// (`check`: memory independent of the number of clean files). Off by
  /// default: callers that look at `sources` afterwards see every file.
  bool release_clean_sources = false;
};

struct Compilation {
  SourceManager sources;
  DiagnosticEngine diags;
  bool io_error = false;  ///< a path was missing or unreadable (exit 2)
  bool has_project = false;
  /// The first project's configuration (plan and run compile one project).
  /// Paths leading to different cartsync.toml files (or to carts directories
  /// without one) are separate projects: each is checked against its own
  /// file, with cart ids unique per project.
  ProjectConfig project;
  int projects = 0;                ///< how many projects the paths led to
  std::vector<CartConfig> carts;   ///< sorted by id; only carts that checked clean
  std::vector<SourceInfo> inputs;  ///< sorted by path
  int files_checked = 0;
};

/// Compiles every input; never stops at the first bad file.
void Compile(const CompileOptions& options, Compilation& out);

/// Compiles in-memory texts (tests, fuzzers, stdin): `project` may be empty;
/// diagnostics name it `project_display`.
void CompileTexts(const std::string& project_text,
                  const std::vector<std::pair<std::string, std::string>>& cart_files,
                  const CompileOptions& options, Compilation& out,
                  const std::string& project_display = "cartsync.toml");

/// Today's date in UTC from the system clock (the CLI's default).
Date TodayUtc();

}  // namespace cartsync

// Diagnostic consumers: turn collected diagnostics into text for people
// (GNU/LLVM style with a caret), JSON for scripts, SARIF for code scanning,
// GitHub workflow commands for CI annotations and GitLab Code Quality JSON.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/version.h"
#include "compiler/diagnostic.h"
#include "compiler/source_file.h"

namespace cartsync {

enum class DiagFormat { Text, Json, Sarif, Github, Gitlab };

/// Maps a `--format` value ("text" | "json" | "sarif" | "github" | "gitlab") to a format;
/// nullopt for anything else (names are case-sensitive).
std::optional<DiagFormat> ParseDiagFormat(std::string_view name);

struct RenderOptions {
  bool color = false;  ///< ANSI colors in Text format (ignored by the others)
  std::string tool_version = kCartsyncVersion;  ///< reported as the SARIF tool.driver.version
};

/// Writes `diags` (already sorted) to `out` in `format`. `sources` provides line
/// text for carets/snippets; a diagnostic whose file or line is not there is
/// rendered without one. `errors`/`warnings` are the totals for the summary
/// (Text) and the counts (Json).
///
/// Columns are Unicode code points, as in toml++ and ValidateSourceText; bytes
/// that are not valid UTF-8 count as one column each and are shown as U+FFFD.
///
/// Hostile input is safe in every format: a snippet line is masked ('*')
/// wherever it holds a secret (the regions of diagnostics with `mask_snippet`
/// or `masks`, whichever diagnostic shows the line, and credential-like tokens
/// or secret-named keys' values found in the raw line), and so are
/// credential-like tokens in messages (safe_text.h). Text and GitHub output
/// escape terminal controls in messages and paths (`\u001b`); text snippets
/// show them as one-column pictures. A line longer than 160 code points is
/// shown in part, around the region, between "…" marks (SARIF: the same part).
///
/// Gitlab is GitLab's Code Quality report: a JSON array of issues, each with
/// `description` (the masked message), `check_name` (the code), `severity`
/// (note info, warning minor, error major), `location.path` (forward
/// slashes, no leading "./") with `location.lines.begin` (1 when the
/// diagnostic has no line) and a `fingerprint`: the SHA-256 of code, path,
/// message and occurrence number (identical findings in one file are told
/// apart by it), so it does not change when lines move.
void RenderDiagnostics(const std::vector<Diagnostic>& diags, int errors, int warnings,
                       const SourceManager& sources, DiagFormat format, std::ostream& out,
                       const RenderOptions& options = {});

}  // namespace cartsync

// Diagnostics: what the compiler reports, where, and how bad it is.
// The engine collects; renderers (diagnostic_render.h) format. Message texts
// and codes live in diagnostic_codes.def, the single catalogue.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cartsync {

enum class Severity { Note, Warning, Error };
std::string_view SeverityName(Severity s);  ///< "note" | "warning" | "error"

/// A 1-based line/column; 0 means unknown (e.g. a whole-file problem).
struct SourcePos {
  uint32_t line = 0;
  uint32_t column = 0;
  friend bool operator==(const SourcePos&, const SourcePos&) = default;
  friend auto operator<=>(const SourcePos&, const SourcePos&) = default;
};

/// A span in one file. `end` is exclusive (the column after the last char).
struct SourceRegion {
  std::string file;  ///< display path: as given on the command line, joined with the part below
  SourcePos begin;
  SourcePos end;
};

enum class DiagId {
#define DIAG(Id, Code, Sev, Name, Fmt) Id,
#include "compiler/diagnostic_codes.def"
#undef DIAG
};

/// The static facts of one catalogue entry.
struct DiagInfo {
  DiagId id;
  std::string_view code;  ///< stable, e.g. "E0203"
  Severity severity;
  std::string_view name;    ///< stable rule name, e.g. "unknown-status"
  std::string_view format;  ///< message with {0}, {1} placeholders; "{{" is a literal "{"
};

const DiagInfo& GetDiagInfo(DiagId id);
const std::vector<DiagInfo>& AllDiagInfos();

/// Substitutes {N} placeholders; "{{" and "}}" are literal braces.
std::string FormatMessage(std::string_view format, std::initializer_list<std::string_view> args);

struct Diagnostic {
  DiagId id;
  Severity severity;
  std::string code;
  std::string message;
  SourceRegion region;
  /// The region holds a secret: renderers mask it in source snippets.
  bool mask_snippet = false;
  /// Other places that hold a secret (the value of a misspelled secret key,
  /// a secret field's value of the wrong type). Renderers mask these, and the
  /// region when `mask_snippet` is set, in every snippet that shows them,
  /// whatever diagnostic the snippet belongs to.
  std::vector<SourceRegion> masks = {};

  const DiagInfo& info() const { return GetDiagInfo(id); }
};

/// Collects diagnostics in report order; Sorted() gives them by file, line, column.
class DiagnosticEngine {
 public:
  /// Reports catalogue entry `id` at `region` with message arguments `args`.
  /// Identical reports (same code, place and text) are kept once: a
  /// [defaults] entry is checked once per cart but is one mistake.
  /// Returns the stored diagnostic, or nullptr for a duplicate.
  Diagnostic* Report(DiagId id, SourceRegion region, std::initializer_list<std::string_view> args);

  const std::vector<Diagnostic>& diagnostics() const { return diags_; }
  /// Stable order: file (as reported), then line, column, code.
  std::vector<Diagnostic> Sorted() const;
  int errors() const { return errors_; }
  int warnings() const { return warnings_; }
  bool has_errors() const { return errors_ > 0; }
  void Append(const DiagnosticEngine& other);

 private:
  std::vector<Diagnostic> diags_;
  std::set<std::string> seen_;
  int errors_ = 0;
  int warnings_ = 0;
};

}  // namespace cartsync

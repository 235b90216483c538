// Diagnostics: what the compiler reports, where, and how bad it is.
// The engine collects; renderers (diagnostic_render.h) format. Message texts
// and codes live in diagnostic_codes.def, the single catalogue.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
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
  std::string_view name;              ///< stable rule name, e.g. "unknown-status"
  std::string_view format;            ///< message with {0}, {1} placeholders; "{{" is a literal "{"
  std::string_view description = {};  ///< what the rule finds (DIAG_DOC; SARIF fullDescription)
  std::string_view help = {};         ///< how to fix it (DIAG_DOC; SARIF help)
};

const DiagInfo& GetDiagInfo(DiagId id);
const std::vector<DiagInfo>& AllDiagInfos();

/// Substitutes {N} placeholders; "{{" and "}}" are literal braces.
std::string FormatMessage(std::string_view format, std::initializer_list<std::string_view> args);

/// Another place that explains a diagnostic (the first definition of a
/// duplicate key, the entry a pattern overlaps): a note with a location.
struct RelatedLocation {
  SourceRegion region;
  std::string message;
};

/// A machine-applicable fix: replace the text of `region` (empty when
/// begin == end: an insertion) with `replacement`.
struct FixIt {
  SourceRegion region;
  std::string replacement;
};

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
  /// The fix in words ("rename the key to \"client\""), when there is one.
  /// The message states it too; this is the same advice alone, for tools.
  std::string hint = {};
  /// The same fix as an edit, when it is one replacement in the file.
  std::vector<FixIt> fixes = {};
  /// Other locations: the first definition of a duplicate, a glob it overlaps.
  std::vector<RelatedLocation> related = {};

  const DiagInfo& info() const { return GetDiagInfo(id); }
};

/// Warnings of one code shown per file; the rest are counted (warnings())
/// and summed up by one note (WarningsCapped) where the first hidden one was.
inline constexpr int kMaxWarningsPerCodePerFile = 20;

/// Collects diagnostics in report order; Sorted() gives them by file, line, column.
class DiagnosticEngine {
 public:
  /// Reports catalogue entry `id` at `region` with message arguments `args`.
  /// Identical reports (same code, place and text) are kept once: a
  /// [defaults] entry is checked once per cart but is one mistake.
  /// Returns the stored diagnostic, or nullptr for a duplicate or a warning
  /// past kMaxWarningsPerCodePerFile (counted, and summed up by one note).
  Diagnostic* Report(DiagId id, SourceRegion region, std::initializer_list<std::string_view> args);

  const std::vector<Diagnostic>& diagnostics() const { return diags_; }
  /// The diagnostic at `index` of diagnostics(), to amend (add a note, a hint).
  Diagnostic& at(size_t index) { return diags_[index]; }
  /// Stable order: file (as reported), then line, column, code.
  std::vector<Diagnostic> Sorted() const;
  int errors() const { return errors_; }
  int warnings() const { return warnings_; }
  bool has_errors() const { return errors_ > 0; }
  void Append(const DiagnosticEngine& other);

 private:
  // Past the cap: the note's index and how many warnings it stands for.
  struct Cap {
    int shown = 0;
    int hidden = 0;
    size_t note = SIZE_MAX;
  };
  /// Stores `d` unless the cap hides it; `hidden` > 0 merges another engine's note.
  Diagnostic* Store(Diagnostic d, int hidden = 0);

  std::vector<Diagnostic> diags_;
  std::set<std::string> seen_;
  std::map<std::pair<std::string, std::string>, Cap> caps_;  // (file, code)
  int errors_ = 0;
  int warnings_ = 0;
};

}  // namespace cartsync

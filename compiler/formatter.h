// `cartsync fmt`: the canonical layout of a cart file or a project file,
// with its comments kept.
//
// toml++ drops comments, so the text is rewritten by a lexical pass over the
// source (statements, comment lines, blank lines), and toml++ is used twice
// around it: to refuse a file that does not parse (the usual E0105
// diagnostic, file:line:col) and to prove the result means the same (the
// parsed tables before and after are compared value by value). A rewrite that
// cannot be proven is never handed back.
//
// The layout (cli.md "fmt"):
//   - one space around `=`; a dotted key written `a.b`; keys and headers unindented;
//   - literal strings ('…') become basic strings ("…"), escaped; multi-line
//     strings and everything else inside a value stay as written;
//   - tables in the canonical order: [cart], [api], [services.*], [statuses],
//     [order_load], [ship_methods], [items], [[order_filters]],
//     [carrier_codes], [wms_fields], then unknown tables in their order
//     (a project file: [project], [state], [wms.*], [[notify]], [defaults]);
//     the elements of an array of tables keep their order, and a sub-table
//     of an element stays with it;
//   - keys inside known tables in descriptor order ([api] and [statuses]
//     in the platform descriptor's order, base_url last; [wms.NAME] in the
//     WMS descriptor's), unknown keys after them in their order;
//   - one blank line between tables; inside a table one blank line where
//     the source had one or more;
//   - comment lines move with the key or table that follows them; the
//     comment block at the top of the file (before a blank line, and any
//     `#:` directive) and the comments after the last statement stay where
//     they are; a comment after a value stays on its line.
// Idempotent: formatting formatted text changes nothing.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <string_view>

#include "compiler/diagnostic.h"
#include "compiler/schema.h"
#include "compiler/source_file.h"

namespace cartsync {

/// Which layout a file gets.
enum class FormatKind {
  Cart,     ///< a cart file (carts.d/*.toml)
  Project,  ///< cartsync.toml
};

/// The layout of a file named `path`: Project for a file named cartsync.toml.
FormatKind FormatKindOf(std::string_view path);

struct FormatOptions {
  FormatKind kind = FormatKind::Cart;
  const Schema* schema = nullptr;  ///< descriptors for key order; default BuiltinSchema()
};

enum class FormatStatus {
  Formatted,    ///< `text` is the canonical form (maybe the input itself)
  SyntaxError,  ///< the input does not load: a diagnostic was reported; `text` is the input
  Unproven,     ///< internal error: the rewrite could not be proven; `text` is the input
};

struct FormatResult {
  FormatStatus status = FormatStatus::Formatted;
  std::string text;      ///< what the file should hold
  bool changed = false;  ///< `text` differs from the input
  /// Unproven: why, naming no value ("the formatted text parses to a different table").
  std::string detail;
};

/// Formats `file`. Reports size/UTF-8/NUL problems and TOML syntax errors
/// (E0102-E0105, E0109) into `diags` and returns SyntaxError; never reports
/// anything else (fmt does not check meaning: see CheckCart).
FormatResult FormatSource(const SourceFile& file, const FormatOptions& options,
                          DiagnosticEngine& diags);

/// The proof: `after` parses and its table equals `before` value by value
/// (types included; NaN equals NaN). On failure `why` says which, with no value.
bool ProveSameMeaning(const toml::table& before, std::string_view path, const std::string& after,
                      std::string& why);

/// True when the two tables hold the same keys, types and values.
bool SameTomlValues(const toml::node& a, const toml::node& b);

}  // namespace cartsync

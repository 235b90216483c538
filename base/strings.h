// Small text helpers every layer shares: quoting and joining for messages,
// ASCII case and blank trimming. ASCII only and locale-free, so a message or
// a comparison reads the same on every machine.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cartsync {

// --- quoting and joining ------------------------------------------------------

/// `s` between double quotes, as it is (nothing escaped): `"s"`. For names and
/// values in messages, e.g. `unknown status "payed"`.
std::string Quote(std::string_view s);

/// `s` between double quotes with `"` and `\` backslash-escaped and control
/// characters (below 0x20) as `\u00XX`; other bytes as they are. For free-form
/// text that may hold quotes or line breaks (the plan previews and diffs).
std::string QuoteEscaped(std::string_view s);

/// `parts` with `sep` between them; "" for none. A separator follows only
/// text already written, so empty parts at the start leave no trace
/// ({"", "a"} -> "a") while later ones do ({"a", "", "b"} -> "a, , b").
std::string Join(const std::vector<std::string>& parts, std::string_view sep = ", ");

/// Each of `values` Quote()d, joined by ", ": `"a", "b"`; `if_none` when there
/// are none.
std::string JoinQuoted(const std::vector<std::string>& values, std::string_view if_none = "");

// --- ASCII case ---------------------------------------------------------------

/// `s` with A-Z lowered; other bytes unchanged.
std::string ToLower(std::string_view s);

/// Equal but for the case of A-Z.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// --- blanks -------------------------------------------------------------------

/// `s` without leading `blanks` (by default ' ', '\t', '\r', '\n').
std::string_view TrimLeft(std::string_view s, std::string_view blanks = " \t\r\n");
/// `s` without trailing `blanks`.
std::string_view TrimRight(std::string_view s, std::string_view blanks = " \t\r\n");
/// `s` without leading and trailing `blanks`.
std::string_view Trim(std::string_view s, std::string_view blanks = " \t\r\n");

}  // namespace cartsync

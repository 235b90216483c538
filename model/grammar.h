// The small string grammars inside cart files: schedules (`every`), secret
// references and ship targets. The checker parses cart strings with them and
// the plan reader (plan_json) re-reads a plan's. Parsing is done with
// Boost.Spirit X3, which is confined to grammar.cc so that nothing else pays
// its compile time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/schedule.h"
#include "model/secret_ref.h"
#include "model/ship_target.h"

namespace cartsync {

/// Where a string failed to parse: byte offset into the parsed text, span length (>=1), message.
/// At the end of the text, `offset` equals the text's size.
struct GrammarError {
  size_t offset = 0;
  size_t length = 1;
  std::string message;
};

/// Either a value or (when `value` is empty) the first error found.
template <class T>
struct ParseResult {
  std::optional<T> value;
  GrammarError error;
  explicit operator bool() const { return value.has_value(); }
};

/// Parses `15m` (units s, m, h, d), `hourly`, `daily at HH:MM [ZONE]` or
/// `cron: MIN HOUR DOM MONTH DOW`. Errors point at the offending byte.
ParseResult<Schedule> ParseSchedule(std::string_view text);

/// Parses `env:NAME` (NAME matching [A-Za-z_][A-Za-z0-9_]*) or `file:PATH` (non-empty,
/// no control characters).
ParseResult<SecretRef> ParseSecretRef(std::string_view text);

/// Parses `CARRIER/SERVICE`; each part matches [A-Za-z0-9][A-Za-z0-9_.-]*.
ParseResult<ShipTarget> ParseShipTarget(std::string_view text);

}  // namespace cartsync

// A small argument parser shared by the subcommands: declared flags only,
// `--flag value` and `--flag=value`, repeatable flags, `--` ends options.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cartsync {

struct ArgSpec {
  std::vector<std::string> valued;   ///< e.g. "--format", "-o"
  std::vector<std::string> boolean;  ///< e.g. "--dry-run"
};

class Args {
 public:
  /// Parses args[start..]; false with `error` for unknown flags or missing values.
  bool Parse(const std::vector<std::string>& args, size_t start, const ArgSpec& spec,
             std::string& error);
  std::optional<std::string> Get(const std::string& flag) const;  ///< last value
  const std::vector<std::string>& All(const std::string& flag) const;
  bool Has(const std::string& flag) const { return flags_.count(flag) > 0; }
  const std::vector<std::string>& positional() const { return positional_; }
  /// The flag the last failed Parse stopped at ("--formt"), for a "did you mean".
  const std::string& bad_flag() const { return bad_flag_; }

 private:
  std::map<std::string, std::vector<std::string>> flags_;
  std::vector<std::string> positional_;
  std::string bad_flag_;
};

}  // namespace cartsync

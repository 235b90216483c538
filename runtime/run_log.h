// Run logs: human lines or JSON lines (--log-format json), thread-safe,
// one event per line. Callers pass messages that hold no secrets; the
// HTTP layer redacts URLs before they reach here.
#pragma once

#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

#include "runtime/clock.h"

namespace cartsync {

enum class LogLevel { Debug, Info, Warn, Error };
enum class LogFormat { Text, Json };

class RunLog {
 public:
  RunLog(std::ostream& out, LogFormat format, Clock& clock, LogLevel min = LogLevel::Info)
      : out_(out), format_(format), clock_(clock), min_(min) {}
  /// `cart` and `step` may be empty.
  void Log(LogLevel level, std::string_view cart, std::string_view step, std::string_view message);
  void Info(std::string_view cart, std::string_view step, std::string_view m) {
    Log(LogLevel::Info, cart, step, m);
  }
  void Warn(std::string_view cart, std::string_view step, std::string_view m) {
    Log(LogLevel::Warn, cart, step, m);
  }
  void Error(std::string_view cart, std::string_view step, std::string_view m) {
    Log(LogLevel::Error, cart, step, m);
  }

 private:
  std::mutex mu_;
  std::ostream& out_;
  LogFormat format_;
  Clock& clock_;
  LogLevel min_;
};

}  // namespace cartsync

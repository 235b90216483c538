// The runtime's one error policy: side-effecting calls return a Status (or
// a value with one); nothing throws across an interface. A status says
// whether retrying can help, which drives backoff and the 15-day window.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace cartsync {

enum class StatusCode {
  Ok,
  Transient,  ///< network error, timeout, 5xx, 429, busy: retry later
  Permanent,  ///< 4xx, malformed response, config problem: retrying will not help
  NotFound,   ///< the thing asked about does not exist (a valid answer)
  Locked,     ///< another run holds the cart's lease
};

class Status {
 public:
  Status() = default;
  Status(StatusCode c, std::string m) : code_(c), message_(std::move(m)) {}
  static Status Ok() { return {}; }
  static Status Transient(std::string m) { return {StatusCode::Transient, std::move(m)}; }
  static Status Permanent(std::string m) { return {StatusCode::Permanent, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::NotFound, std::move(m)}; }
  static Status Locked(std::string m) { return {StatusCode::Locked, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::Ok; }
  bool transient() const { return code_ == StatusCode::Transient; }
  StatusCode code() const { return code_; }
  /// Human text; never contains a secret (callers redact before building it).
  const std::string& message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::Ok;
  std::string message_;
};

/// A value or the reason there is none.
template <class T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT
  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace cartsync

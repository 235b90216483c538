// Which processes still run on this host: lets a run take over the lease of
// a run that crashed (SIGKILL, OOM) instead of waiting for it to expire.
// Behind an interface so tests can say who is alive.
#pragma once

#include <memory>
#include <string>

namespace cartsync {

class ProcessTable {
 public:
  virtual ~ProcessTable() = default;
  /// This process's identity, recorded with its leases; "" when unknown.
  virtual std::string Self() = 0;
  /// True only when certain that the process named `identity` (another
  /// process's Self() on this host) has ended. Unknown, unreadable, or from
  /// another PID namespace (a different container): false.
  virtual bool Gone(const std::string& identity) = 0;
};

/// Linux /proc: identity = "<pid namespace inode>:<pid>:<start time in clock
/// ticks since boot>", so a recycled pid is not mistaken for the holder.
std::unique_ptr<ProcessTable> MakeProcProcessTable();

/// Knows no process: never reports one gone (leases then wait for expiry).
ProcessTable& NoProcessTable();

}  // namespace cartsync

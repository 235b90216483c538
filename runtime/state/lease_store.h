// The lease role of the state store: one run per cart at a time. The runner
// takes a cart's lease before touching the cart, renews it before each step
// and releases it at the end (runtime/cart_lease.h); `cartsync state unlock`
// drops a lease whoever holds it. Part of StateStore (state_store.h); each
// method is one transaction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace cartsync {

/// Who holds a cart's lease, and until when.
struct LeaseInfo {
  std::string cart_id, owner, host;
  int64_t pid = 0;
  int64_t expires_ms = 0;
  std::string process;  ///< the holder's ProcessTable::Self() on `host` ("" unknown)
};

class LeaseStore {
 public:
  virtual ~LeaseStore() = default;

  /// Takes the cart's lease when free, expired (`expires_ms` <= `now_ms`) or
  /// already this owner's (then `me` replaces it, extending it); otherwise
  /// Locked with `holder` filled in and the message
  /// "cart C is locked by run R on HOST pid P until 2026-11-18T11:07:40Z".
  /// `take_over_from` (a run known to have died): also takes the lease while
  /// that owner still holds it — and only then, so of two runs taking over
  /// at once one wins. Permanent when `me` has no cart id or no owner.
  virtual Status AcquireLease(const LeaseInfo& me, int64_t now_ms, LeaseInfo* holder,
                              const std::string& take_over_from = "") = 0;
  /// Extends a lease this owner holds to `expires_ms`. Locked, naming the
  /// new holder if there is one, when the lease was lost (taken over,
  /// released or force-unlocked).
  virtual Status RenewLease(const std::string& cart_id, const std::string& owner,
                            int64_t expires_ms) = 0;
  /// Ok when released or when there was no lease; Locked (nothing deleted)
  /// when another owner holds it now.
  virtual Status ReleaseLease(const std::string& cart_id, const std::string& owner) = 0;
  /// `cartsync state unlock`: drops the lease whoever holds it. NotFound when none.
  virtual Status ForceUnlock(const std::string& cart_id) = 0;
  /// Every lease held, expired ones included, by cart id.
  virtual Result<std::vector<LeaseInfo>> Leases() = 0;
};

}  // namespace cartsync

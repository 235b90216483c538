// The lease role of the state store: one run per cart at a time. The runner
// takes a cart's lease before touching the cart, renews it before each step
// and releases it at the end (runtime/cart_lease.h); `cartsync state unlock`
// drops a lease whoever holds it. Part of StateStore (state_store.h); each
// method is one transaction.
#pragma once

#include <cstdint>
#include <optional>
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

/// A step a run found due, and the last success it judged that by
/// (RunStore::LastSuccessMs as the run read it).
struct SeenStep {
  std::string step_id;
  std::optional<int64_t> last_success_ms;
};

/// What ClaimCart asks for: the lease `me` (its `expires_ms` is ignored: the
/// lease runs `lease_ms` from the store's lease clock), for the steps `due`.
struct LeaseClaim {
  LeaseInfo me;
  int64_t lease_ms = 0;
  /// The caller's clock. The lease clock of an engine that has none of its
  /// own (SQLite: one host, one clock); PostgreSQL ignores it and uses the
  /// database server's clock, so runners on hosts with skewed clocks agree.
  int64_t now_ms = 0;
  /// As AcquireLease's: also take it from this owner (a run known dead).
  std::string take_over_from = {};
  /// Re-checked in the claim's transaction; empty: no re-check (not --due).
  std::vector<SeenStep> due = {};
};

struct ClaimResult {
  /// The caller holds the lease now (and on PostgreSQL its fencing token).
  bool claimed = false;
  /// Steps of `due` that another run completed since the caller read their
  /// last success (a newer successful step run): not due any more.
  std::vector<std::string> stale;
  /// The lease's expiry on the store's lease clock (when claimed).
  int64_t expires_ms = 0;
  /// Locked: who holds the lease.
  LeaseInfo holder;
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
  /// What a runner takes a cart with: in ONE transaction, takes the lease
  /// (free, expired on the store's lease clock, this owner's, or
  /// `take_over_from`'s), then — holding it — re-reads the last success of
  /// each step of `claim.due`. Ok and `claimed` when the lease is taken
  /// (`stale` lists steps another run completed meanwhile: skip them); Ok
  /// and not `claimed` when every step of a non-empty `due` was stale (then
  /// nothing is taken or changed); Locked, `holder` filled in, when another
  /// run holds the lease — or, on PostgreSQL, is claiming or writing under
  /// it at this moment (the claim skips a locked row instead of waiting, so
  /// runners never queue behind each other). Permanent without a cart id or
  /// owner, or with `lease_ms` <= 0.
  virtual Status ClaimCart(const LeaseClaim& claim, ClaimResult* result) = 0;
  /// RenewLease on the store's lease clock: the lease runs `lease_ms` from
  /// now (`now_ms`, the caller's clock, counts only on an engine without a
  /// clock of its own, as in LeaseClaim).
  virtual Status ExtendLease(const std::string& cart_id, const std::string& owner, int64_t lease_ms,
                             int64_t now_ms) = 0;
  /// `cartsync state unlock`: drops the lease whoever holds it. NotFound when none.
  virtual Status ForceUnlock(const std::string& cart_id) = 0;
  /// Every lease held, expired ones included, by cart id.
  virtual Result<std::vector<LeaseInfo>> Leases() = 0;
};

}  // namespace cartsync

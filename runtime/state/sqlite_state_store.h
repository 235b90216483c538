// The embedded state store: one SQLite file (WAL journal, synchronous=FULL so
// a COMMIT that returned is on disk when the machine loses power).
//
// Schema (PRAGMA user_version = kSqliteSchemaVersion; see the migration list in
// sqlite_state_store.cc):
//   orders           order_key PK; cart_id, order_id, order_number, status, reason,
//                    wms_ref, cart_order_json, wms_order_json, placed_at,
//                    first_seen_ms, updated_ms, sent_ms, attempts,
//                    ack_pending (v4), pii_erased_ms (v5); status's CHECK a
//                    chain of equalities, not an IN list (v7)
//                    indexes (cart_id, status), (cart_id, sent_ms),
//                    (updated_ms) where pii_erased_ms = 0 (v5)
//   intents          id PK (AUTOINCREMENT: ids are never reused, so a stale id
//                    cannot finish somebody else's intent); kind, cart_id,
//                    order_key -> orders, tracking_number (NULL for push_order;
//                    (order_key, tracking_number) -> shipments), created_ms,
//                    doc (v3; the document a push_order sends)
//   shipments        (order_key -> orders, tracking_number) PK; cart_id,
//                    shipment_json, state, error, attempts, received_ms, updated_ms
//                    index (cart_id, state)
//   cursors          (cart_id, stream) PK; cursor
//   inventory_pushed (cart_id, sku) PK; quantity, pushed_ms
//   runs             id PK; started_ms, finished_ms, status, host, pid, summary_json
//   step_runs        id PK; run_id -> runs, step_id, cart_id, service, started_ms,
//                    finished_ms, ok, error, counts_json
//                    indexes (run_id), (step_id, ok, finished_ms)
//   leases           cart_id PK; owner, host, pid, expires_ms, process (v2)
//   alerts (v6)      (target, subject, reason) PK; event, cart_id, order_number,
//                    detail, created_ms, delivered_ms (0: pending), attempts, error
//                    index (created_ms) where delivered_ms = 0
//
// What each method does is the role interfaces' contract (state_store.h
// lists them); this header adds only what is SQLite's own.
//
// PRAGMA secure_delete = ON: deleted and overwritten content is zeroed in
// the file, so personal data erased by PII retention is gone from it once
// ErasePii's checkpoint has copied the WAL back (see ErasePii).
//
// Transactions: every StateStore method is exactly one transaction. Methods
// that write use BEGIN IMMEDIATE (the write lock is taken up front, so two
// writers never deadlock upgrading a read lock); pure reads use a deferred
// BEGIN, which in WAL mode never waits for writers. Any error rolls back.
//
// Thread safety: a store object owns ONE connection guarded by a mutex, so it
// may be shared by the runner's per-cart threads; calls are serialized. Other
// store objects / processes on the same file are coordinated by SQLite's
// locks, waiting up to the busy timeout (5 s) before a Transient error.
//
// Leases and fencing: SQLite serializes writers (BEGIN IMMEDIATE), so the
// lease judged inside a write transaction cannot change before it commits.
// The store object remembers, per cart, the owner (the run id) of the lease
// it holds — set by a successful AcquireLease or ClaimCart, dropped when
// ReleaseLease gives that lease up; that owner is SQLite's fencing token. A
// lease lost first (taken over after expiry or as a dead owner's, or
// force-unlocked) stays lost for the object until it acquires the cart
// again. While the object holds a token for a cart, every write it makes to
// that cart's records (the writes PostgreSQL fences: RecordDownloaded,
// UpdateOrder, ResetForResend, BeginSends, FinishSends, FinishAndBeginSends,
// FinishAck, DropIntent, RecordShipments, RequeueUploads, BeginUpload,
// CompleteUpload, FailUpload, RecordPushedInventory) checks in its own
// transaction that the cart's lease row still has that owner; otherwise it
// is refused Locked ("… no longer holds the lease of cart C …") and nothing
// is recorded. A batch checks each distinct cart once. A store object that
// holds no lease for a cart (`cartsync state`, tests) writes unfenced; run
// history and alerts are never fenced.
//
// Errors: SQLITE_BUSY/LOCKED -> Transient; disk full, I/O errors, read-only,
// corruption, constraint violations -> Permanent. Messages name the method
// and never contain document contents.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "runtime/state/state_store.h"

struct sqlite3;

namespace cartsync {

/// The schema version this build writes (PRAGMA user_version).
inline constexpr int kSqliteSchemaVersion = 7;

/// Maps a SQLite result code to the runtime's Status. `operation` names the
/// StateStore method (or "open"), `detail` is sqlite3_errmsg() text.
Status SqliteStatus(int rc, std::string_view operation, std::string_view detail);

class SqliteStateStore : public StateStore {
 public:
  struct Options {
    /// How long a call waits for another connection's write lock before
    /// failing Transient.
    int busy_timeout_ms = 5000;
  };

  /// Opens (creating if needed) and migrates the database at `path`;
  /// ":memory:" gives a private in-memory store. The parent directory must
  /// exist (OpenStateStore creates it).
  static Result<std::unique_ptr<SqliteStateStore>> Open(const std::string& path);
  static Result<std::unique_ptr<SqliteStateStore>> Open(const std::string& path,
                                                        const Options& options);

  ~SqliteStateStore() override;
  SqliteStateStore(const SqliteStateStore&) = delete;
  SqliteStateStore& operator=(const SqliteStateStore&) = delete;

  /// The schema version of the open database (after migration).
  Result<int> SchemaVersion();

  // LeaseStore
  Status AcquireLease(const LeaseInfo& me, int64_t now_ms, LeaseInfo* holder,
                      const std::string& take_over_from = "") override;
  Status RenewLease(const std::string& cart_id, const std::string& owner,
                    int64_t expires_ms) override;
  Status ClaimCart(const LeaseClaim& claim, ClaimResult* result) override;
  Status ExtendLease(const std::string& cart_id, const std::string& owner, int64_t lease_ms,
                     int64_t now_ms) override;
  Status ReleaseLease(const std::string& cart_id, const std::string& owner) override;
  Status ForceUnlock(const std::string& cart_id) override;
  Result<std::vector<LeaseInfo>> Leases() override;

  // CursorStore
  Result<std::optional<std::string>> GetCursor(const std::string& cart_id,
                                               const std::string& stream) override;

  // OrderStore
  Result<int> RecordDownloaded(const std::string& cart_id, const std::vector<OrderRecord>& orders,
                               const std::string& stream, const std::string& cursor) override;
  Result<std::optional<OrderRecord>> GetOrder(const std::string& order_key) override;
  Result<std::vector<OrderRecord>> ListOrders(const OrderQuery& query) override;
  Status UpdateOrder(const std::string& order_key, OrderStatus status, const std::string& reason,
                     const std::string& wms_order_json, bool count_attempt,
                     int64_t now_ms) override;
  Status ResetForResend(const std::string& order_key, int64_t now_ms) override;
  Result<int> ErasePii(int64_t before_ms, int limit, int64_t now_ms) override;
  Result<std::vector<int64_t>> FinishAndBeginSends(const std::vector<SendFinish>& finishes,
                                                   const std::vector<SendStart>& starts,
                                                   int64_t now_ms) override;
  Result<std::vector<OrderRecord>> PendingAcks(const std::string& cart_id, int limit) override;
  Status FinishAck(const std::string& order_key, int64_t now_ms) override;

  // IntentStore
  Result<std::vector<Intent>> PendingIntents(const std::string& cart_id) override;
  Status DropIntent(int64_t intent_id) override;

  // ShipmentStore
  Result<int> RecordShipments(const std::string& cart_id,
                              const std::vector<ShipmentRecord>& shipments,
                              const std::string& stream, const std::string& cursor) override;
  Result<std::vector<ShipmentRecord>> PendingShipments(const std::string& cart_id) override;
  Result<std::vector<ShipmentRecord>> ShipmentsOf(const std::string& order_key) override;
  // AlertStore
  Result<int> RecordAlerts(const std::vector<AlertRecord>& alerts, int64_t now_ms) override;
  Result<std::vector<AlertRecord>> PendingAlerts(int limit) override;
  Status FinishAlert(const std::string& target, const std::string& subject,
                     const std::string& reason, bool delivered, const std::string& error,
                     int64_t now_ms) override;
  Result<int> ForgetAlerts(const std::string& subject, const std::string& reason) override;
  Result<std::vector<std::string>> RequeueUploads(const std::string& order_key,
                                                  int64_t now_ms) override;
  Result<int64_t> FinishAndBeginUpload(const UploadResult& done, const std::string& next_order_key,
                                       const std::string& next_tracking_number,
                                       int64_t now_ms) override;

  // InventoryStore
  Result<std::map<std::string, int64_t>> PushedInventory(const std::string& cart_id) override;
  Status RecordPushedInventory(const std::string& cart_id,
                               const std::vector<std::pair<std::string, int64_t>>& pushed,
                               int64_t now_ms) override;
  Result<std::vector<std::string>> SentSince(const std::vector<std::string>& cart_ids,
                                             int64_t since_ms) override;

  // RunStore
  Result<int64_t> BeginRun(const RunRecord& run) override;
  Status FinishRun(int64_t run_id, const std::string& status, int64_t finished_ms,
                   const std::string& summary_json) override;
  Status RecordStepRun(const StepRunRecord& step) override;
  Result<std::optional<int64_t>> LastSuccessMs(const std::string& step_id) override;
  Result<std::vector<RunRecord>> Runs(int limit) override;
  Result<std::vector<StepRunRecord>> StepRuns(int64_t run_id) override;

 private:
  explicit SqliteStateStore(sqlite3* db) : db_(db) {}
  Status Migrate();
  /// Runs `body` (returning Status) as one transaction, holding mu_: a write
  /// transaction takes the database's write lock first. Rolled back unless
  /// `body` and the commit succeed; `committed` then runs, still holding mu_
  /// (what this object keeps of a commit, such as tokens_). Defined in the
  /// .cc only.
  template <class Body, class Committed>
  Status Transact(std::string_view op, bool write, Body&& body, Committed&& committed);
  template <class Body>
  Status Transact(std::string_view op, bool write, Body&& body) {
    return Transact(op, write, std::forward<Body>(body), [] {});
  }
  /// In a write transaction, holding mu_: Locked unless the lease of
  /// `cart_id` still has the owner this object holds it as (Ok when it holds
  /// none).
  Status Fence(const std::string& cart_id, std::string_view op);
  /// Fence for the cart of order `order_key` (looked up only while this
  /// object holds some lease; an unknown order is Ok: the write reports it).
  Status FenceOrder(const std::string& order_key, std::string_view op);
  /// The bodies of BeginUpload and CompleteUpload/FailUpload, inside the
  /// caller's write transaction, holding mu_.
  Result<int64_t> BeginUploadIn(const std::string& order_key, const std::string& tracking_number,
                                int64_t now_ms);
  Status FinishUploadIn(const UploadResult& done, int64_t now_ms);

  std::mutex mu_;  // guards db_ and tokens_: one connection, one call at a time
  sqlite3* db_;
  std::unordered_map<std::string, std::string> tokens_;  // cart -> owner of the lease held
};

}  // namespace cartsync

// The shared state store: one PostgreSQL database (12 or newer) over libpq,
// for several `cartsync run` processes on several hosts (cli.md, "run with a
// postgres:// state"). Same contract as the SQLite store, method for method
// (state_store.h; tests/runtime/state/state_store_contract.h).
//
// Connecting: `url` is a libpq connection URI, "postgres://" or
// "postgresql://" (host, port, database, user, sslmode, sslrootcert,
// connect_timeout, options=-csearch_path%3DSCHEMA, several hosts…). TLS is
// whatever the URI's sslmode says (libpq's default "prefer" otherwise). The
// password comes from libpq's environment — PGPASSWORD, PGPASSFILE or
// ~/.pgpass — or from Options::password (for `[state].password`); a password
// the URL carries still works, but no message ever shows it: every status
// text is scrubbed of it and URLs are shown as RedactPostgresUrl gives them.
// connect_timeout defaults to 10 s unless the URI sets it.
//
// Schema (table schema_version holds the one version number,
// kPostgresSchemaVersion; see the migration list in postgres_state_store.cc).
// Text keys are COLLATE "C", so orderings and keyset paging compare bytes as
// SQLite does:
//   orders           order_key PK; cart_id, order_id, order_number, status, reason,
//                    wms_ref, cart_order_json, wms_order_json, placed_at,
//                    first_seen_ms, updated_ms, sent_ms, attempts, ack_pending (v2),
//                    pii_erased_ms (v3)
//                    indexes (cart_id, status), (cart_id, sent_ms), (first_seen_ms, order_key),
//                    (updated_ms) where pii_erased_ms = 0 (v3)
//   intents          id PK (identity: never reused); kind, cart_id, order_key -> orders,
//                    tracking_number (NULL for push_order; (order_key, tracking_number)
//                    -> shipments), created_ms, doc; at most one unfinished push per
//                    order and one upload per shipment (partial unique indexes)
//   shipments        (order_key -> orders, tracking_number) PK; cart_id, shipment_json,
//                    state, error, attempts, received_ms, updated_ms; index (cart_id, state)
//   cursors          (cart_id, stream) PK; cursor
//   inventory_pushed (cart_id, sku) PK; quantity, pushed_ms
//   runs             id PK (identity); started_ms, finished_ms, status, host, pid, summary_json
//   step_runs        id PK (identity); run_id -> runs, step_id, cart_id, service, started_ms,
//                    finished_ms, ok (boolean), error, counts_json
//                    indexes (run_id), (step_id, ok, finished_ms)
//   leases           cart_id PK; owner, host, pid, expires_ms, process, generation
//   lease_generation a sequence: the fencing tokens
//   alerts (v4)      (target, subject, reason) PK; event, cart_id, order_number, detail,
//                    created_ms, delivered_ms (0: pending), attempts, error
//                    index (created_ms) where delivered_ms = 0
// The tables live in the first schema of the connection's search_path (a
// database of its own, or options=-csearch_path%3D… in the URI). Opening
// migrates under a transaction-scoped advisory lock, so runners starting
// together migrate once; a database newer than this build is refused.
//
// Connections: a pool, opened as calls need them (Options::max_connections),
// so carts on several worker threads write in parallel and a call waiting on
// a row lock holds up no other cart's call.
//
// Transactions: every StateStore method is exactly one transaction, meant
// to have the outcome SQLite's serialized writers give for any interleaving
// of calls. Writes run READ COMMITTED (SERIALIZABLE was tried: on small tables
// its page-level predicate locks made runners on different carts abort each
// other several times per call), and every read a write depends on is made
// safe by the statement itself: INSERT … ON CONFLICT and UPDATE … WHERE
// judge the newest row after waiting for its writer; at most one unfinished
// push per order and one upload per shipment is a partial unique index (the
// loser of a race gets the same Permanent "unfinished push/upload" as the
// check before it); the fence holds the lease row FOR SHARE. A deadlock
// (only when two runs write the same orders at once, which leases prevent)
// or a serialization failure re-runs the whole method, up to 10 times with
// a short random pause, before it is reported Transient. Reads run
// REPEATABLE READ, READ ONLY: one consistent snapshot, never blocked. A row
// lock waited on longer than Options::lock_timeout_ms is Transient
// ("busy"), like SQLite's busy timeout.
//
// Leases and fencing: AcquireLease is one INSERT … ON CONFLICT DO UPDATE …
// WHERE (free, expired, this owner, or the named dead owner), so of two
// runners on different hosts exactly one gets a cart. Each acquisition takes
// a new number from lease_generation (never reused, across all carts); the
// store object remembers the generation it got per cart (its fencing token)
// until it releases that lease (a lease lost first — taken over or
// force-unlocked — stays lost for the object until it acquires the cart
// again). While it holds a token for a cart, every write it makes to that
// cart's records — RecordDownloaded, UpdateOrder,
// ResetForResend, BeginSends, FinishSends, DropIntent, RecordShipments,
// BeginUpload, CompleteUpload, FailUpload, RecordPushedInventory — checks,
// in the same transaction and holding the lease row FOR SHARE, that the
// lease still has that generation; if another run took the cart over (after
// expiry or as a "dead" owner) or it was force-unlocked, the write is
// refused Locked ("… no longer holds the lease of cart C …") and nothing is
// recorded. A store object that holds no lease for a cart (`cartsync state`,
// tests) writes unfenced, as on SQLite. Run history (BeginRun, FinishRun,
// RecordStepRun) is never fenced: a run must be able to record that it lost
// its lease.
//
// What the interfaces do not carry yet (next step, needs callers changed):
// the token is implicit in the store object, so fencing relies on the runner
// using one store object per process for its leases and its writes (it does:
// run_command opens one). Making it explicit needs AcquireLease to return the
// generation (a LeaseInfo::generation field), the writes of a lease holder to
// take it (or a per-cart handle from AcquireLease that carries it), and the
// runner to treat Locked from any write as "lease lost: stop the cart".
//
// Claiming (what the runner uses; AcquireLease/RenewLease keep the caller's
// clock for tests and tools): ClaimCart is one READ COMMITTED transaction.
// It locks the cart's lease row with SELECT … FOR UPDATE SKIP LOCKED — a row
// another runner is claiming, or writing under (the fence's FOR SHARE), is
// skipped and reported Locked at once, so runners never queue behind each
// other or behind a holder's long write — or, when there is no row, inserts
// it (INSERT … ON CONFLICT DO NOTHING: a row that appeared meanwhile is
// someone else's claim, Locked). A lease is free when expired on the
// DATABASE SERVER's clock (clock_timestamp(), in ms): ClaimCart and
// ExtendLease compute the expiry as server time + lease_ms and ignore the
// runner's clock, so a host whose clock runs ahead cannot judge a live lease
// expired. Holding the row, the claim re-reads the last successful step run
// of each step the runner found due; steps completed since (by a runner that
// held the cart in between: it records its steps before releasing) come back
// `stale`, and when all are, the claim changes nothing. The claim takes a new
// generation (fencing token) like AcquireLease.
//
// Thread safety: a store object may be shared by the runner's worker threads;
// each call takes a connection of the pool (see "Connections" above) for its
// transaction, so calls of different threads run in parallel. Each statement
// is prepared once per connection, on first use; a call's BEGIN goes out with
// its first statement (one libpq pipeline). A connection the server dropped is
// re-opened when the next call on it finds it lost before anything of that
// call committed (a call whose connection died later fails Transient; its
// outcome is whatever the server committed, which the intents make safe to
// find out).
//
// Errors (SQLSTATE): serialization failure, deadlock, lock or statement
// timeout, lost or refused connection, too many connections, server shutting
// down -> Transient; disk full, I/O error, read-only, corruption, constraint
// and data errors (invalid UTF-8 in a document; text cannot hold a NUL byte),
// authentication and privileges, invalid URL, server older than 12 ->
// Permanent. Messages name the method and never contain document contents
// (only the server's primary message is kept, never its DETAIL, which can
// quote a whole row) nor a password.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/state/state_store.h"

namespace cartsync {

/// The schema version this build writes (table schema_version).
inline constexpr int kPostgresSchemaVersion = 4;
/// The oldest server this store runs on, as PQserverVersion numbers it (12.0).
inline constexpr int kPostgresMinServerVersion = 120000;

/// `url` as messages may show it: the password of `user:password@` and the
/// value of any `password=` parameter replaced by "****"
/// ("postgres://me:****@db:5432/x?sslmode=require").
std::string RedactPostgresUrl(std::string_view url);

/// Maps a SQLSTATE (PG_DIAG_SQLSTATE; "" when the connection itself failed)
/// to the runtime's Status. `operation` names the StateStore method (or
/// "open …"), `detail` is the server's primary message.
Status PostgresStatus(std::string_view sqlstate, std::string_view operation,
                      std::string_view detail);

/// Ok for a server of kPostgresMinServerVersion or newer (`server_version` as
/// PQserverVersion gives it: 150004 for 15.4, 90624 for 9.6.24); Permanent,
/// naming both versions, otherwise.
Status CheckPostgresServerVersion(int server_version);

class PostgresStateStore : public StateStore {
 public:
  struct Options {
    /// The role's password, e.g. resolved from `[state].password`; empty:
    /// libpq's environment (PGPASSWORD, PGPASSFILE, ~/.pgpass). Overrides one
    /// in the URL.
    std::string password;
    /// false: a database without cartsync's tables is NotFound and nothing
    /// is created (inspecting state never creates it).
    bool create = true;
    /// How long a statement waits for another connection's row lock before
    /// failing Transient.
    int lock_timeout_ms = 5000;
    /// How long one statement may run before failing Transient.
    int statement_timeout_ms = 60000;
    /// Connections opened as calls need them (one per thread calling at
    /// once: carts on several worker threads write in parallel), at most.
    int max_connections = 8;
  };

  /// Connects to `url` (see the top of this file), checks the server version
  /// and migrates the schema. Transient when the server cannot be reached;
  /// Permanent for an invalid URL, a refused login, a server older than
  /// PostgreSQL 12 or a schema newer than this build.
  static Result<std::unique_ptr<PostgresStateStore>> Open(const std::string& url);
  static Result<std::unique_ptr<PostgresStateStore>> Open(const std::string& url,
                                                          const Options& options);

  ~PostgresStateStore() override;
  PostgresStateStore(const PostgresStateStore&) = delete;
  PostgresStateStore& operator=(const PostgresStateStore&) = delete;

  /// The schema version of the open database (after migration).
  Result<int> SchemaVersion();
  /// The generation of `cart_id`'s lease as stored now; nullopt when no
  /// lease is held.
  Result<std::optional<int64_t>> LeaseGeneration(const std::string& cart_id);
  /// The fencing token this store object holds for `cart_id`: the generation
  /// its last successful AcquireLease of the cart got, until it released the
  /// lease; nullopt when it holds none.
  std::optional<int64_t> HeldLeaseGeneration(const std::string& cart_id);

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

  /// The connection and its prepared statements (postgres_state_store.cc).
  class Conn;

 private:
  PostgresStateStore(std::unique_ptr<Conn> conn, std::string url, Options options);
  /// A new session: connected, version-checked and configured.
  static Result<std::unique_ptr<Conn>> Connect(const std::string& url, const Options& options);
  /// A connection for one call, given back by its destructor.
  class PooledConn;
  /// An idle connection, a new one (below max_connections), or else the
  /// next one given back.
  Result<PooledConn> TakeConn(std::string_view op);
  void GiveConn(std::unique_ptr<Conn> conn);
  Status Migrate(bool create);
  /// Runs `body` as one transaction (re-run after a deadlock) on a pooled
  /// connection.
  /// Defined in the .cc only.
  template <class Body>
  Status Transact(std::string_view op, bool write, Body&& body);
  /// In a write transaction: Locked unless the lease of `cart_id` still has
  /// the generation this object holds for it (Ok when it holds none).
  Status Fence(Conn& c, const std::string& cart_id, std::string_view op);
  /// The bodies of BeginUpload and CompleteUpload/FailUpload, inside the
  /// caller's write transaction.
  Result<int64_t> BeginUploadIn(Conn& c, const std::string& order_key,
                                const std::string& tracking_number, int64_t now_ms);
  Status FinishUploadIn(Conn& c, const UploadResult& done, int64_t now_ms);

  const std::string url_;  // for opening more connections
  const Options options_;
  std::mutex pool_mu_;  // guards idle_ and open_
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<Conn>> idle_;          // connected, no call on them
  int open_ = 0;                                     // idle_ + in use + being opened
  std::mutex tokens_mu_;                             // guards tokens_
  std::unordered_map<std::string, int64_t> tokens_;  // cart -> lease generation held
};

/// OpenStateStore's branch for "postgres://…" and "postgresql://…" URLs;
/// `password` (may be empty) becomes Options::password.
Result<std::unique_ptr<StateStore>> OpenPostgresStateStore(const std::string& url, bool create,
                                                           const std::string& password = "");

}  // namespace cartsync

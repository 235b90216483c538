#include "runtime/state/sqlite_state_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>

#include "runtime/state/pii.h"
#include "runtime/state/postgres_state_store.h"

namespace cartsync {

#define CARTSYNC_RETURN_IF_ERROR(expr) \
  do {                                 \
    ::cartsync::Status _st = (expr);   \
    if (!_st.ok()) return _st;         \
  } while (0)

namespace {

/// sqlite3_errmsg, plus the operating system's reason for an I/O error when
/// it is a full disk or a file size limit ("disk I/O error" alone would not
/// tell an operator what to do).
std::string SqliteErrorText(sqlite3* db) {
  std::string text = sqlite3_errmsg(db);
  if ((sqlite3_extended_errcode(db) & 0xff) == SQLITE_IOERR) {
    const int e = sqlite3_system_errno(db);
    if (e == ENOSPC || e == EDQUOT || e == EFBIG) text += std::string(": ") + std::strerror(e);
  }
  return text;
}

// --- the schema -----------------------------------------------------------
//
// Each step moves the database from version-1 to version and runs inside the
// same transaction as the user_version bump. Append new steps; never edit a
// released one. (A future step that rebuilds a table must turn foreign_keys
// off around its transaction, which SQLite only allows outside one.)
struct Migration {
  int version;
  const char* sql;
  /// The step rewrites a table's stored CREATE text (sqlite_schema) in
  /// place, as SQLite documents for changing a CHECK constraint without
  /// rebuilding the table: it runs with writable_schema on, and the schema
  /// version is bumped after it so every connection re-reads the schema.
  bool rewrites_schema_text = false;
};

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE orders (
  order_key       TEXT PRIMARY KEY NOT NULL CHECK (length(order_key) > 0),
  cart_id         TEXT NOT NULL CHECK (length(cart_id) > 0),
  order_id        TEXT NOT NULL,
  order_number    TEXT NOT NULL DEFAULT '',
  status          TEXT NOT NULL CHECK (status IN
                    ('new','held','sent','shipped','confirmed','skipped','canceled')),
  reason          TEXT NOT NULL DEFAULT '',
  wms_ref         TEXT NOT NULL DEFAULT '',
  cart_order_json TEXT NOT NULL DEFAULT '',
  wms_order_json  TEXT NOT NULL DEFAULT '',
  placed_at       TEXT NOT NULL DEFAULT '',
  first_seen_ms   INTEGER NOT NULL,
  updated_ms      INTEGER NOT NULL,
  sent_ms         INTEGER NOT NULL DEFAULT 0,
  attempts        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX orders_cart_status ON orders (cart_id, status);
CREATE INDEX orders_cart_sent ON orders (cart_id, sent_ms);

CREATE TABLE shipments (
  order_key       TEXT NOT NULL REFERENCES orders (order_key) ON DELETE CASCADE,
  tracking_number TEXT NOT NULL CHECK (length(tracking_number) > 0),
  cart_id         TEXT NOT NULL,
  shipment_json   TEXT NOT NULL DEFAULT '',
  state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','uploaded')),
  error           TEXT NOT NULL DEFAULT '',
  attempts        INTEGER NOT NULL DEFAULT 0,
  received_ms     INTEGER NOT NULL,
  updated_ms      INTEGER NOT NULL,
  PRIMARY KEY (order_key, tracking_number)
);
CREATE INDEX shipments_cart_state ON shipments (cart_id, state);

CREATE TABLE intents (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  kind            TEXT NOT NULL CHECK (kind IN ('push_order','upload_tracking')),
  cart_id         TEXT NOT NULL,
  order_key       TEXT NOT NULL REFERENCES orders (order_key) ON DELETE CASCADE,
  tracking_number TEXT,
  created_ms      INTEGER NOT NULL,
  CHECK ((kind = 'push_order') = (tracking_number IS NULL)),
  FOREIGN KEY (order_key, tracking_number)
    REFERENCES shipments (order_key, tracking_number) ON DELETE CASCADE
);
CREATE INDEX intents_cart ON intents (cart_id);
CREATE INDEX intents_order ON intents (order_key, tracking_number);

CREATE TABLE cursors (
  cart_id TEXT NOT NULL,
  stream  TEXT NOT NULL,
  cursor  TEXT NOT NULL,
  PRIMARY KEY (cart_id, stream)
) WITHOUT ROWID;

CREATE TABLE inventory_pushed (
  cart_id   TEXT NOT NULL,
  sku       TEXT NOT NULL,
  quantity  INTEGER NOT NULL,
  pushed_ms INTEGER NOT NULL,
  PRIMARY KEY (cart_id, sku)
) WITHOUT ROWID;

CREATE TABLE runs (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  started_ms   INTEGER NOT NULL,
  finished_ms  INTEGER NOT NULL DEFAULT 0,
  status       TEXT NOT NULL CHECK (status IN ('running','ok','failed')),
  host         TEXT NOT NULL DEFAULT '',
  pid          INTEGER NOT NULL DEFAULT 0,
  summary_json TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_started ON runs (started_ms);

CREATE TABLE step_runs (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step_id     TEXT NOT NULL,
  cart_id     TEXT NOT NULL DEFAULT '',
  service     TEXT NOT NULL DEFAULT '',
  started_ms  INTEGER NOT NULL,
  finished_ms INTEGER NOT NULL,
  ok          INTEGER NOT NULL CHECK (ok IN (0, 1)),
  error       TEXT NOT NULL DEFAULT '',
  counts_json TEXT NOT NULL DEFAULT ''
);
CREATE INDEX step_runs_run ON step_runs (run_id);
CREATE INDEX step_runs_success ON step_runs (step_id, ok, finished_ms);

CREATE TABLE leases (
  cart_id    TEXT PRIMARY KEY NOT NULL,
  owner      TEXT NOT NULL,
  host       TEXT NOT NULL DEFAULT '',
  pid        INTEGER NOT NULL DEFAULT 0,
  expires_ms INTEGER NOT NULL
) WITHOUT ROWID;
)sql"},
    // The lease holder's process identity: a crashed run's lease is taken
    // over at once on its host instead of waiting for expiry.
    {2, R"sql(
ALTER TABLE leases ADD COLUMN process TEXT NOT NULL DEFAULT '';
)sql"},
    // A push intent carries the order's document; the result copies it into
    // the order, so a send rewrites the (large) order row once, not twice.
    {3, R"sql(
ALTER TABLE intents ADD COLUMN doc TEXT;
)sql"},
    // The cart's acknowledgement of a sent order (Walmart), pending until
    // the cart has it; recorded with the send, so a crash cannot lose it.
    {4, R"sql(
ALTER TABLE orders ADD COLUMN ack_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX orders_ack_pending ON orders (cart_id, first_seen_ms, order_key) WHERE ack_pending = 1;
)sql"},
    // PII retention: when an order's personal data was erased (0: not yet);
    // the index finds the orders retention has still to look at.
    {5, R"sql(
ALTER TABLE orders ADD COLUMN pii_erased_ms INTEGER NOT NULL DEFAULT 0;
CREATE INDEX orders_pii_kept ON orders (updated_ms) WHERE pii_erased_ms = 0;
)sql"},
    // [[notify]] alerts (alert_store.h): one row per target, subject and
    // reason is the deduplication; delivered_ms = 0 while pending.
    {6, R"sql(
CREATE TABLE alerts (
  target       TEXT NOT NULL,
  subject      TEXT NOT NULL,
  reason       TEXT NOT NULL,
  event        TEXT NOT NULL,
  cart_id      TEXT NOT NULL DEFAULT '',
  order_number TEXT NOT NULL DEFAULT '',
  detail       TEXT NOT NULL DEFAULT '',
  created_ms   INTEGER NOT NULL,
  delivered_ms INTEGER NOT NULL DEFAULT 0,
  attempts     INTEGER NOT NULL DEFAULT 0,
  error        TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (target, subject, reason)
) WITHOUT ROWID;
CREATE INDEX alerts_pending ON alerts (created_ms) WHERE delivered_ms = 0;
)sql"},
    // orders.status's CHECK as a chain of equalities instead of an IN list
    // of seven constants, for which SQLite builds an ephemeral index each
    // time the CHECK runs (~9 us of every order INSERT and UPDATE, measured
    // at 100k orders). Same values allowed; existing rows satisfy it.
    {7, R"sql(
UPDATE sqlite_schema SET sql = replace(sql,
  'CHECK (status IN
                    (''new'',''held'',''sent'',''shipped'',''confirmed'',''skipped'',''canceled''))',
  'CHECK (status = ''new'' OR status = ''held'' OR status = ''sent'' OR status = ''shipped''
                    OR status = ''confirmed'' OR status = ''skipped'' OR status = ''canceled'')')
WHERE type = 'table' AND name = 'orders';
)sql",
     true},
};

static_assert(kMigrations[std::size(kMigrations) - 1].version == kSqliteSchemaVersion,
              "the last migration must produce kSqliteSchemaVersion");

// --- small RAII helpers -----------------------------------------------------

/// Prepared statements kept per connection, by SQL text, for reuse: without
/// it the SQL parser ran on every call and was the largest single cost of
/// sending an order. A Stmt takes the cached statement (a second Stmt of the
/// same SQL alive at once prepares its own) and gives it back reset.
class StmtCache {
 public:
  static sqlite3_stmt* Take(sqlite3* db, const char* sql) {
    std::lock_guard<std::mutex> lock(mu());
    auto& per_db = map()[db];
    auto it = per_db.find(sql);
    if (it == per_db.end() || it->second == nullptr) return nullptr;
    return std::exchange(it->second, nullptr);
  }
  static void Give(sqlite3* db, const char* sql, sqlite3_stmt* stmt) {
    {
      std::lock_guard<std::mutex> lock(mu());
      sqlite3_stmt*& slot = map()[db][sql];
      if (slot == nullptr) {
        slot = stmt;
        return;
      }
    }
    sqlite3_finalize(stmt);
  }
  /// Before the connection closes.
  static void Drop(sqlite3* db) {
    std::lock_guard<std::mutex> lock(mu());
    auto it = map().find(db);
    if (it == map().end()) return;
    for (auto& [sql, stmt] : it->second) sqlite3_finalize(stmt);
    map().erase(it);
  }

 private:
  static std::mutex& mu() {
    static std::mutex m;
    return m;
  }
  static std::unordered_map<sqlite3*, std::unordered_map<std::string, sqlite3_stmt*>>& map() {
    static auto* m =
        new std::unordered_map<sqlite3*, std::unordered_map<std::string, sqlite3_stmt*>>;
    return *m;
  }
};

/// One prepared statement. Binding errors are remembered and reported by the
/// next Step(), so call sites bind without checking each call.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db), sql_(sql) {
    stmt_ = StmtCache::Take(db, sql);
    rc_ = stmt_ != nullptr ? SQLITE_OK : sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Stmt() {
    if (stmt_ == nullptr) return;
    if (rc_ == SQLITE_OK || rc_ == SQLITE_ROW || rc_ == SQLITE_DONE) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
      StmtCache::Give(db_, sql_, stmt_);
    } else {
      sqlite3_finalize(stmt_);
    }
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(int index, std::string_view text) {
    // A null data pointer would bind SQL NULL; an empty string is not NULL.
    const char* data = text.data() != nullptr ? text.data() : "";
    if (rc_ == SQLITE_OK) {
      rc_ = sqlite3_bind_text64(stmt_, index, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
    return *this;
  }
  Stmt& Bind(int index, int64_t value) {
    if (rc_ == SQLITE_OK) rc_ = sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  Stmt& BindNull(int index) {
    if (rc_ == SQLITE_OK) rc_ = sqlite3_bind_null(stmt_, index);
    return *this;
  }

  /// SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() {
    if (rc_ != SQLITE_OK) return rc_;
    return sqlite3_step(stmt_);
  }
  /// Runs a statement that returns no rows, then resets it (keeping no
  /// bindings) so a batch can bind the next row.
  Status Exec(std::string_view op) {
    int rc = Step();
    Status st = (rc == SQLITE_DONE || rc == SQLITE_ROW) ? Status::Ok() : Error(rc, op);
    Reset();
    return st;
  }
  void Reset() {
    if (stmt_ == nullptr) return;  // prepare failed; rc_ keeps the error
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Status Error(int rc, std::string_view op) const {
    return SqliteStatus(rc, op, SqliteErrorText(db_));
  }

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  /// The text of `col` without a copy, valid until the next Step or Reset.
  std::string_view View(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    if (p == nullptr) return {};
    return std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
  }
  std::string Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    if (p == nullptr) return {};
    return std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
  }

 private:
  sqlite3* db_;
  const char* sql_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

/// One transaction; rolls back unless Commit() succeeded. Declare it before
/// the statements it covers so they are finalized first.
class Txn {
 public:
  explicit Txn(sqlite3* db) : db_(db) {}
  ~Txn() {
    if (open_ && sqlite3_get_autocommit(db_) == 0) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
  }
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  /// `write`: BEGIN IMMEDIATE (take the write lock now); otherwise a deferred
  /// read transaction (a consistent snapshot; never waits in WAL mode).
  Status Begin(bool write, std::string_view op) {
    int rc = Run(write ? "BEGIN IMMEDIATE" : "BEGIN");
    if (rc != SQLITE_OK) return SqliteStatus(rc, op, SqliteErrorText(db_));
    open_ = true;
    return Status::Ok();
  }
  Status Commit(std::string_view op) {
    int rc = Run("COMMIT");
    if (rc != SQLITE_OK) return SqliteStatus(rc, op, SqliteErrorText(db_));
    open_ = false;
    return Status::Ok();
  }

 private:
  /// A statement without rows, from the statement cache: SQLITE_OK or the error.
  int Run(const char* sql) {
    Stmt s(db_, sql);
    int rc = s.Step();
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
  }

  sqlite3* db_;
  bool open_ = false;
};

}  // namespace

template <class Body, class Committed>
Status SqliteStateStore::Transact(std::string_view op, bool write, Body&& body,
                                  Committed&& committed) {
  std::lock_guard<std::mutex> lock(mu_);
  Txn txn(db_);
  CARTSYNC_RETURN_IF_ERROR(txn.Begin(write, op));
  CARTSYNC_RETURN_IF_ERROR(body());
  CARTSYNC_RETURN_IF_ERROR(txn.Commit(op));
  committed();
  return Status::Ok();
}

namespace {

std::string FormatMsUtc(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  if (gmtime_r(&secs, &tm) == nullptr) return std::to_string(ms) + " ms";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string LockedMessage(const LeaseInfo& h) {
  return "cart " + h.cart_id + " is locked by run " + h.owner + " on " + h.host + " pid " +
         std::to_string(h.pid) + " until " + FormatMsUtc(h.expires_ms);
}

#define ORDER_COLUMNS                                                                      \
  "order_key, cart_id, order_id, order_number, status, reason, wms_ref, cart_order_json, " \
  "wms_order_json, placed_at, first_seen_ms, updated_ms, sent_ms, attempts, ack_pending, " \
  "pii_erased_ms"

OrderRecord ReadOrder(const Stmt& s) {
  OrderRecord o;
  o.order_key = s.Text(0);
  o.cart_id = s.Text(1);
  o.order_id = s.Text(2);
  o.order_number = s.Text(3);
  // The CHECK constraint admits only the lifecycle's names.
  o.status = ParseOrderStatus(s.Text(4)).value_or(OrderStatus::New);
  o.reason = s.Text(5);
  o.wms_ref = s.Text(6);
  o.cart_order_json = s.Text(7);
  o.wms_order_json = s.Text(8);
  o.placed_at = s.Text(9);
  o.first_seen_ms = s.Int(10);
  o.updated_ms = s.Int(11);
  o.sent_ms = s.Int(12);
  o.attempts = static_cast<int>(s.Int(13));
  o.ack_pending = s.Int(14) != 0;
  o.pii_erased_ms = s.Int(15);
  return o;
}

#define SHIPMENT_COLUMNS                                                                      \
  "order_key, tracking_number, cart_id, shipment_json, state, error, attempts, received_ms, " \
  "updated_ms"

ShipmentRecord ReadShipment(const Stmt& s) {
  ShipmentRecord r;
  r.order_key = s.Text(0);
  r.tracking_number = s.Text(1);
  r.cart_id = s.Text(2);
  r.shipment_json = s.Text(3);
  r.state = s.Text(4) == "uploaded" ? ShipmentState::Uploaded : ShipmentState::Pending;
  r.error = s.Text(5);
  r.attempts = static_cast<int>(s.Int(6));
  r.received_ms = s.Int(7);
  r.updated_ms = s.Int(8);
  return r;
}

Intent ReadIntent(const Stmt& s) {
  Intent i;
  i.id = s.Int(0);
  i.kind = s.Text(1) == "upload_tracking" ? IntentKind::UploadTracking : IntentKind::PushOrder;
  i.cart_id = s.Text(2);
  i.order_key = s.Text(3);
  i.tracking_number = s.Text(4);  // NULL reads as ""
  i.created_ms = s.Int(5);
  i.doc = s.Text(6);  // NULL reads as ""
  return i;
}

/// Sets a cursor inside the caller's transaction.
Status PutCursor(sqlite3* db, const std::string& cart_id, const std::string& stream,
                 const std::string& cursor, std::string_view op) {
  Stmt s(db,
         "INSERT INTO cursors (cart_id, stream, cursor) VALUES (?1, ?2, ?3) "
         "ON CONFLICT (cart_id, stream) DO UPDATE SET cursor = excluded.cursor");
  s.Bind(1, cart_id).Bind(2, stream).Bind(3, cursor);
  return s.Exec(op);
}

/// Checks that intent `id` (when it still exists) is of `kind` for this
/// order/tracking number, so a mixed-up id cannot finish another side effect.
/// A missing intent is fine: reconciliation may have dropped it.
Status CheckIntent(sqlite3* db, int64_t id, const char* kind, const std::string& order_key,
                   const std::string* tracking, std::string_view op) {
  if (id == 0) return Status::Ok();
  Stmt s(db, "SELECT kind, order_key, tracking_number FROM intents WHERE id = ?1");
  s.Bind(1, id);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return Status::Ok();
  if (rc != SQLITE_ROW) return s.Error(rc, op);
  bool same = s.Text(0) == kind && s.Text(1) == order_key &&
              (tracking == nullptr ? s.IsNull(2) : s.Text(2) == *tracking);
  if (!same) {
    return Status::Permanent(std::string(op) + ": intent " + std::to_string(id) + " is not a " +
                             kind + " intent for order " + order_key);
  }
  return Status::Ok();
}

Status DeleteIntent(sqlite3* db, int64_t id, std::string_view op) {
  if (id == 0) return Status::Ok();
  Stmt s(db, "DELETE FROM intents WHERE id = ?1");
  s.Bind(1, id);
  return s.Exec(op);
}

}  // namespace

// --- names (order_store.h) --------------------------------------------------

std::string_view OrderStatusName(OrderStatus s) {
  switch (s) {
    case OrderStatus::New:
      return "new";
    case OrderStatus::Held:
      return "held";
    case OrderStatus::Sent:
      return "sent";
    case OrderStatus::Shipped:
      return "shipped";
    case OrderStatus::Confirmed:
      return "confirmed";
    case OrderStatus::Skipped:
      return "skipped";
    case OrderStatus::Canceled:
      return "canceled";
  }
  return "new";
}

std::optional<OrderStatus> ParseOrderStatus(std::string_view name) {
  for (OrderStatus s :
       {OrderStatus::New, OrderStatus::Held, OrderStatus::Sent, OrderStatus::Shipped,
        OrderStatus::Confirmed, OrderStatus::Skipped, OrderStatus::Canceled}) {
    if (OrderStatusName(s) == name) return s;
  }
  return std::nullopt;
}

// --- errors -----------------------------------------------------------------

Status SqliteStatus(int rc, std::string_view operation, std::string_view detail) {
  std::string where = std::string(operation) + ": " + std::string(detail);
  switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
      return Status::Ok();
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Transient("state database is busy (another run or process holds its lock; " +
                               where + "); retry later");
    case SQLITE_FULL:
      return Status::Permanent("state database write failed: disk full (" + where + ")");
    case SQLITE_IOERR:
      if (detail.find(std::strerror(ENOSPC)) != std::string_view::npos ||
          detail.find(std::strerror(EDQUOT)) != std::string_view::npos ||
          detail.find(std::strerror(EFBIG)) != std::string_view::npos)
        return Status::Permanent("state database write failed: disk full (" + where + ")");
      return Status::Permanent("state database write failed: I/O error (" + where + ")");
    case SQLITE_READONLY:
      return Status::Permanent("state database write failed: database is read-only (" + where +
                               ")");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Permanent("state database is corrupt or not a database (" + where + ")");
    case SQLITE_CANTOPEN:
      return Status::Permanent("cannot open state database (" + where + ")");
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return Status::Permanent("state database access denied (" + where + ")");
    case SQLITE_NOMEM:
      return Status::Permanent("state database out of memory (" + where + ")");
    case SQLITE_CONSTRAINT:
      return Status::Permanent("state database rejected the change (" + where + ")");
    default:
      return Status::Permanent("state database error (" + where + ")");
  }
}

// --- open / migrate ---------------------------------------------------------

Result<std::unique_ptr<SqliteStateStore>> SqliteStateStore::Open(const std::string& path) {
  return Open(path, Options{});
}

Result<std::unique_ptr<SqliteStateStore>> SqliteStateStore::Open(const std::string& path,
                                                                 const Options& options) {
  const std::string op = "open " + path;
  sqlite3* db = nullptr;
  // No SQLITE_OPEN_URI: the path is a file name, never "file:...?options".
  // NOMUTEX: the store's own mutex serializes use of the connection.
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status st = SqliteStatus(rc, op, db != nullptr ? SqliteErrorText(db) : sqlite3_errstr(rc));
    sqlite3_close_v2(db);
    return st;
  }
  std::unique_ptr<SqliteStateStore> store(new SqliteStateStore(db));
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  // journal_mode first (it reads the header, so a non-database file fails
  // here); WAL persists in the file. synchronous=FULL: in WAL mode NORMAL may
  // lose the last commits on power loss, which would break "recorded, then
  // done" for side effects.
  // secure_delete: SQLite zeroes what it deletes or overwrites, so personal
  // data that PII retention (ErasePii) erased, or that any earlier update
  // replaced, does not linger in free pages of the file.
  // cache_size: 32 MiB of pages (SQLite's default is 2 MiB), so the order
  // rows and indexes a run touches stay in memory on stores of 100k orders.
  for (const char* pragma :
       {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON",
        "PRAGMA secure_delete = ON", "PRAGMA cache_size = -32768"}) {
    // Switching a new file to WAL takes an exclusive lock, and SQLite answers
    // SQLITE_BUSY at once instead of calling the busy handler where waiting
    // could deadlock: two runs opening a new state file together failed
    // ("database is locked"). Wait for the other one here, within the busy
    // timeout.
    constexpr int kRetryMs = 20;
    for (int waited_ms = 0;; waited_ms += kRetryMs) {
      Stmt s(db, pragma);
      const int rc = s.Step();
      if (rc == SQLITE_DONE || rc == SQLITE_ROW) break;
      const int code = rc & 0xff;
      if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) || waited_ms >= options.busy_timeout_ms)
        return s.Error(rc, op);
      std::this_thread::sleep_for(std::chrono::milliseconds(kRetryMs));
    }
  }
  CARTSYNC_RETURN_IF_ERROR(store->Migrate());
  return store;
}

SqliteStateStore::~SqliteStateStore() {
  StmtCache::Drop(db_);
  sqlite3_close_v2(db_);
}

namespace {
Result<int> ReadUserVersion(sqlite3* db, std::string_view op) {
  Stmt s(db, "PRAGMA user_version");
  int rc = s.Step();
  if (rc != SQLITE_ROW) return s.Error(rc, op);
  return static_cast<int>(s.Int(0));
}

Status TooNew(int v) {
  return Status::Permanent("state database schema v" + std::to_string(v) +
                           " is newer than this cartsync (v" +
                           std::to_string(kSqliteSchemaVersion) + ")");
}
}  // namespace

Status SqliteStateStore::Migrate() {
  const std::string op = "migrate state database";
  Result<int> before = ReadUserVersion(db_, op);
  if (!before.ok()) return before.status();
  if (before.value() > kSqliteSchemaVersion) return TooNew(before.value());
  if (before.value() == kSqliteSchemaVersion) return Status::Ok();

  Txn txn(db_);
  CARTSYNC_RETURN_IF_ERROR(txn.Begin(true, op));
  // Another process may have migrated while we waited for the lock.
  Result<int> current = ReadUserVersion(db_, op);
  if (!current.ok()) return current.status();
  if (current.value() > kSqliteSchemaVersion) return TooNew(current.value());
  for (const Migration& m : kMigrations) {
    if (m.version <= current.value()) continue;
    const std::string step = op + " to v" + std::to_string(m.version);
    auto exec = [&](const char* sql) -> Status {
      if (int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); rc != SQLITE_OK)
        return SqliteStatus(rc, step, SqliteErrorText(db_));
      return Status::Ok();
    };
    if (m.rewrites_schema_text) {
      Result<int> schema = [&]() -> Result<int> {
        Stmt q(db_, "PRAGMA schema_version");
        int rc = q.Step();
        if (rc != SQLITE_ROW) return q.Error(rc, step);
        return static_cast<int>(q.Int(0));
      }();
      if (!schema.ok()) return schema.status();
      CARTSYNC_RETURN_IF_ERROR(exec("PRAGMA writable_schema = ON"));
      Status st = exec(m.sql);
      if (st.ok())
        st = exec(("PRAGMA schema_version = " + std::to_string(schema.value() + 1)).c_str());
      CARTSYNC_RETURN_IF_ERROR(exec("PRAGMA writable_schema = OFF"));
      CARTSYNC_RETURN_IF_ERROR(st);
    } else {
      CARTSYNC_RETURN_IF_ERROR(exec(m.sql));
    }
    // PRAGMA takes no bound parameters; the version is this program's constant.
    const std::string bump = "PRAGMA user_version = " + std::to_string(m.version);
    if (int rc = sqlite3_exec(db_, bump.c_str(), nullptr, nullptr, nullptr); rc != SQLITE_OK) {
      return SqliteStatus(rc, step, SqliteErrorText(db_));
    }
  }
  return txn.Commit(op);
}

Result<int> SqliteStateStore::SchemaVersion() {
  std::lock_guard<std::mutex> lock(mu_);
  return ReadUserVersion(db_, "SchemaVersion");
}

// --- leases -----------------------------------------------------------------

namespace {
/// The lease of `cart_id` as stored now (nullopt: none), inside the caller's
/// transaction.
Status ReadLease(sqlite3* db, const std::string& cart_id, std::optional<LeaseInfo>* lease,
                 std::string_view op) {
  lease->reset();
  Stmt q(db, "SELECT owner, host, pid, expires_ms, process FROM leases WHERE cart_id = ?1");
  q.Bind(1, cart_id);
  int rc = q.Step();
  if (rc == SQLITE_ROW) {
    *lease = LeaseInfo{cart_id, q.Text(0), q.Text(1), q.Int(2), q.Int(3), q.Text(4)};
  } else if (rc != SQLITE_DONE) {
    return q.Error(rc, op);
  }
  return Status::Ok();
}

/// AcquireLease's and ClaimCart's lease, inside the caller's write
/// transaction. Judge: Locked (with `holder` set) while another run's lease
/// of me.cart_id is live at `now_ms`, unless that run is `take_over_from`.
Status JudgeLease(sqlite3* db, const LeaseInfo& me, int64_t now_ms,
                  const std::string& take_over_from, LeaseInfo* holder, std::string_view op) {
  std::optional<LeaseInfo> current;
  CARTSYNC_RETURN_IF_ERROR(ReadLease(db, me.cart_id, &current, op));
  if (!current) return Status::Ok();
  const bool taken_over = !take_over_from.empty() && current->owner == take_over_from;
  if (current->owner != me.owner && current->expires_ms > now_ms && !taken_over) {
    *holder = *current;
    return Status::Locked(LockedMessage(*current));
  }
  return Status::Ok();
}

/// …and take: the lease becomes `me`'s until `expires_ms`.
Status WriteLease(sqlite3* db, const LeaseInfo& me, int64_t expires_ms, std::string_view op) {
  Stmt up(db,
          "INSERT INTO leases (cart_id, owner, host, pid, expires_ms, process) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
          "ON CONFLICT (cart_id) DO UPDATE SET owner = excluded.owner, host = excluded.host, "
          "pid = excluded.pid, expires_ms = excluded.expires_ms, process = excluded.process");
  up.Bind(1, me.cart_id)
      .Bind(2, me.owner)
      .Bind(3, me.host)
      .Bind(4, me.pid)
      .Bind(5, expires_ms)
      .Bind(6, me.process);
  return up.Exec(op);
}
}  // namespace

Status SqliteStateStore::AcquireLease(const LeaseInfo& me, int64_t now_ms, LeaseInfo* holder,
                                      const std::string& take_over_from) {
  constexpr std::string_view kOp = "AcquireLease";
  if (me.cart_id.empty() || me.owner.empty()) {
    return Status::Permanent("AcquireLease: a lease needs a cart id and an owner");
  }
  return Transact(
      kOp, true,
      [&]() -> Status {
        LeaseInfo current;
        Status judged = JudgeLease(db_, me, now_ms, take_over_from, &current, kOp);
        if (judged.code() == StatusCode::Locked && holder != nullptr) *holder = current;
        CARTSYNC_RETURN_IF_ERROR(judged);
        return WriteLease(db_, me, me.expires_ms, kOp);
      },
      [&] { tokens_[me.cart_id] = me.owner; });
}

namespace {
/// The Locked status for `owner` having lost `cart_id`'s lease.
Status LostLease(sqlite3* db, const std::string& cart_id, const std::string& owner,
                 std::string_view op) {
  std::optional<LeaseInfo> h;
  CARTSYNC_RETURN_IF_ERROR(ReadLease(db, cart_id, &h, op));
  if (h) {
    return Status::Locked(std::string(op) + ": run " + owner + " no longer holds the lease; " +
                          LockedMessage(*h));
  }
  return Status::Locked(std::string(op) + ": run " + owner + " no longer holds the lease of cart " +
                        cart_id + " (it was released or force-unlocked)");
}
}  // namespace

Status SqliteStateStore::RenewLease(const std::string& cart_id, const std::string& owner,
                                    int64_t expires_ms) {
  constexpr std::string_view kOp = "RenewLease";
  return Transact(kOp, true, [&]() -> Status {
    Stmt s(db_, "UPDATE leases SET expires_ms = ?3 WHERE cart_id = ?1 AND owner = ?2");
    s.Bind(1, cart_id).Bind(2, owner).Bind(3, expires_ms);
    CARTSYNC_RETURN_IF_ERROR(s.Exec(kOp));
    if (sqlite3_changes(db_) == 0) return LostLease(db_, cart_id, owner, kOp);
    return Status::Ok();
  });
}

// One writer at a time (BEGIN IMMEDIATE) gives the claim PostgreSQL's
// row-locked one: nobody can record a step run or take the lease between the
// judging of the lease, the due re-check and the write. The lease clock is
// the caller's (all runners share this host's clock).
Status SqliteStateStore::ClaimCart(const LeaseClaim& claim, ClaimResult* result) {
  constexpr std::string_view kOp = "ClaimCart";
  const LeaseInfo& me = claim.me;
  if (me.cart_id.empty() || me.owner.empty() || claim.lease_ms <= 0) {
    return Status::Permanent("ClaimCart: a claim needs a cart id, an owner and a lease duration");
  }
  ClaimResult out;
  CARTSYNC_RETURN_IF_ERROR(Transact(
      kOp, true,
      [&]() -> Status {
        LeaseInfo current;
        Status judged = JudgeLease(db_, me, claim.now_ms, claim.take_over_from, &current, kOp);
        if (judged.code() == StatusCode::Locked && result != nullptr) {
          *result = ClaimResult{};
          result->holder = current;
        }
        CARTSYNC_RETURN_IF_ERROR(judged);
        for (const SeenStep& seen : claim.due) {
          Stmt s(db_, "SELECT max(finished_ms) FROM step_runs WHERE step_id = ?1 AND ok = 1");
          s.Bind(1, seen.step_id);
          int rc = s.Step();
          if (rc != SQLITE_ROW) return s.Error(rc, kOp);
          if (!s.IsNull(0) && (!seen.last_success_ms || s.Int(0) > *seen.last_success_ms))
            out.stale.push_back(seen.step_id);
        }
        // Nothing left to do: nothing written, the commit changes nothing.
        if (!claim.due.empty() && out.stale.size() == claim.due.size()) return Status::Ok();
        out.expires_ms = claim.now_ms + claim.lease_ms;
        CARTSYNC_RETURN_IF_ERROR(WriteLease(db_, me, out.expires_ms, kOp));
        out.claimed = true;
        return Status::Ok();
      },
      [&] {
        if (out.claimed) tokens_[me.cart_id] = me.owner;
      }));
  if (result != nullptr) *result = std::move(out);
  return Status::Ok();
}

Status SqliteStateStore::ExtendLease(const std::string& cart_id, const std::string& owner,
                                     int64_t lease_ms, int64_t now_ms) {
  return RenewLease(cart_id, owner, now_ms + lease_ms);
}

Status SqliteStateStore::ReleaseLease(const std::string& cart_id, const std::string& owner) {
  constexpr std::string_view kOp = "ReleaseLease";
  bool released = false;
  return Transact(
      kOp, true,
      [&]() -> Status {
        Stmt s(db_, "DELETE FROM leases WHERE cart_id = ?1 AND owner = ?2");
        s.Bind(1, cart_id).Bind(2, owner);
        CARTSYNC_RETURN_IF_ERROR(s.Exec(kOp));
        released = sqlite3_changes(db_) > 0;
        if (released) return Status::Ok();
        // Nothing of ours to release. No lease at all is fine (already released
        // or force-unlocked); someone else's lease is left alone and reported.
        Stmt q(db_, "SELECT 1 FROM leases WHERE cart_id = ?1");
        q.Bind(1, cart_id);
        int rc = q.Step();
        if (rc == SQLITE_ROW) return LostLease(db_, cart_id, owner, kOp);
        if (rc != SQLITE_DONE) return q.Error(rc, kOp);
        return Status::Ok();
      },
      // Only giving up the lease it holds ends this object's fencing of the
      // cart; a lease lost before (taken over, force-unlocked) stays lost.
      [&] {
        if (released) tokens_.erase(cart_id);
      });
}

Status SqliteStateStore::ForceUnlock(const std::string& cart_id) {
  constexpr std::string_view kOp = "ForceUnlock";
  // The token (if this object holds one) stays: its writes are refused now.
  return Transact(kOp, true, [&]() -> Status {
    Stmt s(db_, "DELETE FROM leases WHERE cart_id = ?1");
    s.Bind(1, cart_id);
    CARTSYNC_RETURN_IF_ERROR(s.Exec(kOp));
    if (sqlite3_changes(db_) == 0) {
      return Status::NotFound("ForceUnlock: cart " + cart_id + " is not locked");
    }
    return Status::Ok();
  });
}

Result<std::vector<LeaseInfo>> SqliteStateStore::Leases() {
  constexpr std::string_view kOp = "Leases";
  std::vector<LeaseInfo> out;
  CARTSYNC_RETURN_IF_ERROR(Transact(kOp, false, [&]() -> Status {
    Stmt s(db_,
           "SELECT cart_id, owner, host, pid, expires_ms, process FROM leases ORDER BY cart_id");
    for (int rc; (rc = s.Step()) != SQLITE_DONE;) {
      if (rc != SQLITE_ROW) return s.Error(rc, kOp);
      out.push_back({s.Text(0), s.Text(1), s.Text(2), s.Int(3), s.Int(4), s.Text(5)});
    }
    return Status::Ok();
  }));
  return out;
}

namespace {
/// The fence's verdict on `lease` (as stored now) for a store that holds
/// `cart_id`'s lease as `token`.
Status FenceVerdict(const std::string& cart_id, const std::string& token,
                    const std::optional<LeaseInfo>& lease, std::string_view op) {
  if (lease && lease->owner == token) return Status::Ok();
  return Status::Locked(std::string(op) + ": this run no longer holds the lease of cart " +
                        cart_id + "; " +
                        (lease ? LockedMessage(*lease) : "it was released or force-unlocked"));
}
}  // namespace

Status SqliteStateStore::Fence(const std::string& cart_id, std::string_view op) {
  auto token = tokens_.find(cart_id);
  if (token == tokens_.end()) return Status::Ok();
  std::optional<LeaseInfo> lease;
  CARTSYNC_RETURN_IF_ERROR(ReadLease(db_, cart_id, &lease, op));
  return FenceVerdict(cart_id, token->second, lease, op);
}

Status SqliteStateStore::FenceOrder(const std::string& order_key, std::string_view op) {
  if (tokens_.empty()) return Status::Ok();
  // One look: the order's cart and that cart's lease.
  Stmt q(db_,
         "SELECT o.cart_id, l.owner, l.host, l.pid, l.expires_ms, l.process FROM orders o "
         "LEFT JOIN leases l ON l.cart_id = o.cart_id WHERE o.order_key = ?1");
  q.Bind(1, order_key);
  int rc = q.Step();
  if (rc == SQLITE_DONE) return Status::Ok();
  if (rc != SQLITE_ROW) return q.Error(rc, op);
  const std::string cart_id = q.Text(0);
  auto token = tokens_.find(cart_id);
  if (token == tokens_.end()) return Status::Ok();
  std::optional<LeaseInfo> lease;
  if (!q.IsNull(1)) lease = LeaseInfo{cart_id, q.Text(1), q.Text(2), q.Int(3), q.Int(4), q.Text(5)};
  return FenceVerdict(cart_id, token->second, lease, op);
}

// --- cursors ----------------------------------------------------------------

Result<std::optional<std::string>> SqliteStateStore::GetCursor(const std::string& cart_id,
                                                               const std::string& stream) {
  constexpr std::string_view kOp = "GetCursor";
  std::optional<std::string> out;
  CARTSYNC_RETURN_IF_ERROR(Transact(kOp, false, [&]() -> Status {
    Stmt s(db_, "SELECT cursor FROM cursors WHERE cart_id = ?1 AND stream = ?2");
    s.Bind(1, cart_id).Bind(2, stream);
    int rc = s.Step();
    if (rc == SQLITE_ROW) {
      out = s.Text(0);
    } else if (rc != SQLITE_DONE) {
      return s.Error(rc, kOp);
    }
    return Status::Ok();
  }));
  return out;
}

// --- orders -----------------------------------------------------------------

Result<int> SqliteStateStore::RecordDownloaded(const std::string& cart_id,
                                               const std::vector<OrderRecord>& orders,
                                               const std::string& stream,
                                               const std::string& cursor) {
  constexpr std::string_view kOp = "RecordDownloaded";
  if (cart_id.empty()) return Status::Permanent("RecordDownloaded: no cart id");
  for (const OrderRecord& o : orders) {
    if (!o.cart_id.empty() && o.cart_id != cart_id) {
      return Status::Permanent("RecordDownloaded: order " + o.order_key + " belongs to cart " +
                               o.cart_id + ", not " + cart_id);
    }
  }
  int inserted = 0;
  CARTSYNC_RETURN_IF_ERROR(Transact(kOp, true, [&]() -> Status {
    CARTSYNC_RETURN_IF_ERROR(Fence(cart_id, kOp));
    {
      // ON CONFLICT on the key only (unlike INSERT OR IGNORE, which would also
      // silently drop rows that fail a CHECK): overlapping windows are no-ops,
      // anything else aborts the whole batch.
      Stmt ins(db_,
               "INSERT INTO orders (order_key, cart_id, order_id, order_number, status, "
               "cart_order_json, wms_order_json, placed_at, first_seen_ms, updated_ms) "
               "VALUES (?1, ?2, ?3, ?4, 'new', ?5, ?6, ?7, ?8, ?9) "
               "ON CONFLICT (order_key) DO NOTHING");
      for (const OrderRecord& o : orders) {
        ins.Bind(1, o.order_key).Bind(2, cart_id).Bind(3, o.order_id).Bind(4, o.order_number);
        ins.Bind(5, o.cart_order_json).Bind(6, o.wms_order_json).Bind(7, o.placed_at);
        ins.Bind(8, o.first_seen_ms).Bind(9, o.updated_ms != 0 ? o.updated_ms : o.first_seen_ms);
        CARTSYNC_RETURN_IF_ERROR(ins.Exec(kOp));
        inserted += sqlite3_changes(db_);
      }
    }
    if (!cursor.empty()) CARTSYNC_RETURN_IF_ERROR(PutCursor(db_, cart_id, stream, cursor, kOp));
    return Status::Ok();
  }));
  return inserted;
}

Result<std::optional<OrderRecord>> SqliteStateStore::GetOrder(const std::string& order_key) {
  constexpr std::string_view kOp = "GetOrder";
  std::optional<OrderRecord> out;
  CARTSYNC_RETURN_IF_ERROR(Transact(kOp, false, [&]() -> Status {
    Stmt s(db_, "SELECT " ORDER_COLUMNS " FROM orders WHERE order_key = ?1");
    s.Bind(1, order_key);
    int rc = s.Step();
    if (rc == SQLITE_ROW) {
      out = ReadOrder(s);
    } else if (rc != SQLITE_DONE) {
      return s.Error(rc, kOp);
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<OrderRecord>> SqliteStateStore::ListOrders(const OrderQuery& query) {
  constexpr std::string_view kOp = "ListOrders";
  // One fixed statement per filter combination, so each can use its index.
  // ?4/?5: the keyset cursor (NULL: from the first).
#define AFTER_CURSOR "(?4 IS NULL OR first_seen_ms > ?4 OR (first_seen_ms = ?4 AND order_key > ?5))"
  static constexpr const char* kSql[4] = {
      "SELECT " ORDER_COLUMNS " FROM orders WHERE " AFTER_CURSOR
      " ORDER BY first_seen_ms, order_key LIMIT ?3",
      "SELECT " ORDER_COLUMNS " FROM orders WHERE cart_id = ?1 AND " AFTER_CURSOR
      " ORDER BY first_seen_ms, order_key LIMIT ?3",
      "SELECT " ORDER_COLUMNS " FROM orders WHERE status = ?2 AND " AFTER_CURSOR
      " ORDER BY first_seen_ms, order_key LIMIT ?3",
      "SELECT " ORDER_COLUMNS " FROM orders WHERE cart_id = ?1 AND status = ?2 AND " AFTER_CURSOR
      " ORDER BY first_seen_ms, order_key LIMIT ?3",
  };
#undef AFTER_CURSOR
  int which = (query.cart_id ? 1 : 0) | (query.status ? 2 : 0);
  std::vector<OrderRecord> out;
  CARTSYNC_RETURN_IF_ERROR(Transact(kOp, false, [&]() -> Status {
    Stmt s(db_, kSql[which]);
    if (query.cart_id) s.Bind(1, *query.cart_id);
    if (query.status) s.Bind(2, OrderStatusName(*query.status));
    s.Bind(3, static_cast<int64_t>(query.limit > 0 ? query.limit : -1));
    if (query.after) s.Bind(4, query.after->first).Bind(5, query.after->second);
    for (int rc; (rc = s.Step()) != SQLITE_DONE;) {
      if (rc != SQLITE_ROW) return s.Error(rc, kOp);
      out.push_back(ReadOrder(s));
    }
    return Status::Ok();
  }));
  return out;
}

Status SqliteStateStore::UpdateOrder(const std::string& order_key, OrderStatus status,
                                     const std::string& reason, const std::string& wms_order_json,
                                     bool count_attempt, int64_t now_ms) {
  constexpr std::string_view kOp = "UpdateOrder";
  return Transact(kOp, true, [&]() -> Status {
    Stmt s(db_,
           "UPDATE orders SET status = ?2, reason = ?3, "
           "wms_order_json = CASE WHEN ?4 = '' THEN wms_order_json ELSE ?4 END, "
           "attempts = attempts + ?5, updated_ms = ?6 WHERE order_key = ?1");
    s.Bind(1, order_key).Bind(2, OrderStatusName(status)).Bind(3, reason).Bind(4, wms_order_json);
    s.Bind(5, int64_t{count_attempt ? 1 : 0}).Bind(6, now_ms);
    CARTSYNC_RETURN_IF_ERROR(s.Exec(kOp));
    if (sqlite3_changes(db_) == 0) return Status::NotFound("UpdateOrder: no order " + order_key);
    CARTSYNC_RETURN_IF_ERROR(FenceOrder(order_key, kOp));
    return Status::Ok();
  });
}

Status SqliteStateStore::ResetForResend(const std::string& order_key, int64_t now_ms) {
  constexpr std::string_view kOp = "ResetForResend";
  return Transact(kOp, true, [&]() -> Status {
    Stmt s(db_,
           "UPDATE orders SET status = 'new', reason = '', attempts = 0, first_seen_ms = ?2, "
           "updated_ms = ?2 WHERE order_key = ?1");
    s.Bind(1, order_key).Bind(2, now_ms);
    CARTSYNC_RETURN_IF_ERROR(s.Exec(kOp));
    if (sqlite3_changes(db_) == 0) return Status::NotFound("ResetForResend: no order " + order_key);
    CARTSYNC_RETURN_IF_ERROR(FenceOrder(order_key, kOp));
    return Status::Ok();
  });
}

Result<int> SqliteStateStore::ErasePii(int64_t before_ms, int limit, int64_t now_ms) {
  constexpr std::string_view kOp = "ErasePii";
  if (limit <= 0) return Status::Permanent("ErasePii: the batch limit must be positive");
  int erased = 0;
  CARTSYNC_RETURN_IF_ERROR(Transact(
      kOp, true,
      [&]() -> Status {
        struct Row {
          std::string key, cart_doc, wms_doc, reason;
        };
        std::vector<Row> rows;
        {
          Stmt q(db_,
                 "SELECT order_key, cart_order_json, wms_order_json, reason FROM orders o "
                 "WHERE pii_erased_ms = 0 AND updated_ms < ?1 "
                 "AND status IN ('sent','shipped','confirmed','skipped','canceled') "
                 "AND NOT EXISTS (SELECT 1 FROM intents i WHERE i.order_key = o.order_key "
                 "AND i.kind = 'push_order') ORDER BY updated_ms, order_key LIMIT ?2");
          q.Bind(1, before_ms).Bind(2, static_cast<int64_t>(limit));
          for (int rc; (rc = q.Step()) != SQLITE_DONE;) {
            if (rc != SQLITE_ROW) return q.Error(rc, kOp);
            rows.push_back({q.Text(0), q.Text(1), q.Text(2), q.Text(3)});
          }
        }
        Stmt up(db_,
                "UPDATE orders SET cart_order_json = ?2, wms_order_json = ?3, reason = ?4, "
                "pii_erased_ms = ?5 WHERE order_key = ?1");
        for (Row& r : rows) {
          std::vector<std::string> values;
          ErasePiiInDocument(r.cart_doc, values);
          ErasePiiInDocument(r.wms_doc, values);
          up.Bind(1, r.key).Bind(2, r.cart_doc).Bind(3, r.wms_doc);
          up.Bind(4, ErasePiiInText(r.reason, values)).Bind(5, now_ms);
          CARTSYNC_RETURN_IF_ERROR(up.Exec(kOp));
          ++erased;
        }
        return Status::Ok();
      },
      [&] {
        // The erased rows' old pages live on in the WAL until a checkpoint copies
        // the new ones over them; TRUNCATE also empties the WAL file. Best effort:
        // a reader still on an older snapshot keeps it for a later checkpoint.
        if (erased > 0)
          sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
      }));
  return erased;
}

namespace {

/// The fence of one batch transaction: `fence(cart)` (the store's Fence) runs
/// once per distinct cart; a batch of one cart compares one string per order.
template <class FenceFn>
class BatchFence {
 public:
  explicit BatchFence(FenceFn fence) : fence_(std::move(fence)) {}
  Status operator()(std::string_view cart) {
    for (const std::string& done : fenced_) {
      if (done == cart) return Status::Ok();
    }
    std::string c(cart);
    CARTSYNC_RETURN_IF_ERROR(fence_(c));
    fenced_.push_back(std::move(c));
    return Status::Ok();
  }

 private:
  FenceFn fence_;
  std::vector<std::string> fenced_;
};

// BeginSends inside the caller's write transaction: one INSERT per order,
// which records nothing when the order is unknown or has an unfinished push
// (then one more look says which). While `fencing`, the carts of the new
// intents are fenced with one look at them after the batch (a run that lost
// a cart hears that before an error of the batch, as on PostgreSQL).
template <class Fence>
Status BeginSendsIn(sqlite3* db, const std::vector<SendStart>& sends, int64_t now_ms,
                    std::vector<int64_t>& ids, bool fencing, Fence& fence) {
  constexpr std::string_view kOp = "BeginSend";
  ids.clear();
  ids.reserve(sends.size());
  // AUTOINCREMENT under the write lock: this batch's intents are ids.front()..ids.back().
  auto fence_inserted = [&]() -> Status {
    if (!fencing || ids.empty()) return Status::Ok();
    Stmt q(db, "SELECT DISTINCT cart_id FROM intents WHERE id BETWEEN ?1 AND ?2");
    q.Bind(1, ids.front()).Bind(2, ids.back());
    for (int rc; (rc = q.Step()) != SQLITE_DONE;) {
      if (rc != SQLITE_ROW) return q.Error(rc, kOp);
      CARTSYNC_RETURN_IF_ERROR(fence(q.View(0)));
    }
    return Status::Ok();
  };
  Stmt ins(db,
           "INSERT INTO intents (kind, cart_id, order_key, tracking_number, created_ms, doc) "
           "SELECT 'push_order', o.cart_id, o.order_key, NULL, ?2, ?3 FROM orders o "
           "WHERE o.order_key = ?1 AND NOT EXISTS (SELECT 1 FROM intents i "
           "WHERE i.order_key = ?1 AND i.kind = 'push_order')");
  for (const SendStart& send : sends) {
    ins.Bind(1, send.order_key).Bind(2, now_ms).Bind(3, send.wms_order_json);
    CARTSYNC_RETURN_IF_ERROR(ins.Exec(kOp));
    if (sqlite3_changes(db) == 1) {
      ids.push_back(sqlite3_last_insert_rowid(db));
      continue;
    }
    Stmt q(db, "SELECT id, cart_id FROM intents WHERE order_key = ?1 AND kind = 'push_order'");
    q.Bind(1, send.order_key);
    int rc = q.Step();
    if (rc == SQLITE_ROW) {
      CARTSYNC_RETURN_IF_ERROR(fence_inserted());
      if (fencing) CARTSYNC_RETURN_IF_ERROR(fence(q.View(1)));
      return Status::Permanent("BeginSend: order " + send.order_key +
                               " has an unfinished push (intent " + std::to_string(q.Int(0)) +
                               "); reconcile it before sending again");
    }
    if (rc != SQLITE_DONE) return q.Error(rc, kOp);
    CARTSYNC_RETURN_IF_ERROR(fence_inserted());
    return Status::NotFound("BeginSend: no order " + send.order_key);
  }
  return fence_inserted();
}

// One SendFinish inside FinishSends' transaction: the intent goes first
// (read, checked, deleted; on a mismatch the caller's transaction rolls
// back), then one UPDATE gives the order its result and the intent's document.
// While `fencing`, the order's cart is fenced: the intent names it (the
// order's own), or else the order is looked up.
template <class Fence>
Status FinishOneSend(sqlite3* db, const SendFinish& f, int64_t now_ms, bool fencing, Fence& fence) {
  using Kind = SendFinish::Kind;
  const std::string_view op = f.kind == Kind::Sent     ? "CompleteSend"
                              : f.kind == Kind::Failed ? "FailSend"
                                                       : "RejectSend";
  // The document the intent carries (the one sent or tried); without the
  // intent (id 0, or reconciled late) the stored one stays.
  std::optional<std::string> doc;
  if (f.intent_id != 0) {
    // SELECT then DELETE by rowid: DELETE … RETURNING would build an
    // ephemeral table per call, a measurable cost at one call per order.
    Stmt q(db, "SELECT kind, order_key, tracking_number, doc, cart_id FROM intents WHERE id = ?1");
    q.Bind(1, f.intent_id);
    int rc = q.Step();
    if (rc == SQLITE_ROW) {
      if (q.Text(0) != "push_order" || q.Text(1) != f.order_key || !q.IsNull(2)) {
        return Status::Permanent(std::string(op) + ": intent " + std::to_string(f.intent_id) +
                                 " is not a push_order intent for order " + f.order_key);
      }
      if (!q.IsNull(3)) doc = q.Text(3);
      if (fencing) {
        CARTSYNC_RETURN_IF_ERROR(fence(q.View(4)));
        fencing = false;  // done
      }
      q.Reset();
      Stmt d(db, "DELETE FROM intents WHERE id = ?1");
      d.Bind(1, f.intent_id);
      CARTSYNC_RETURN_IF_ERROR(d.Exec(op));
    } else if (rc != SQLITE_DONE) {
      return q.Error(rc, op);
    }
  }
  const char* sql = nullptr;
  switch (f.kind) {
    case Kind::Sent:
      // A late reconciliation never moves an order back from shipped/confirmed.
      sql =
          "UPDATE orders SET "
          "status = CASE status WHEN 'shipped' THEN status WHEN 'confirmed' THEN status "
          "ELSE 'sent' END, "
          "sent_ms = CASE status WHEN 'shipped' THEN sent_ms WHEN 'confirmed' THEN sent_ms "
          "ELSE ?3 END, "
          "wms_ref = ?2, reason = '', updated_ms = ?3, "
          "ack_pending = CASE WHEN ?5 THEN 1 ELSE ack_pending END, "
          "wms_order_json = COALESCE(?4, wms_order_json) WHERE order_key = ?1";
      break;
    case Kind::Failed:
      // The status is left as it is (New: the send is retried next run).
      sql =
          "UPDATE orders SET reason = ?2, attempts = attempts + 1, updated_ms = ?3, "
          "wms_order_json = COALESCE(?4, wms_order_json) WHERE order_key = ?1";
      break;
    case Kind::Rejected:
      sql =
          "UPDATE orders SET status = 'held', reason = ?2, attempts = attempts + 1, "
          "updated_ms = ?3, wms_order_json = COALESCE(?4, wms_order_json) WHERE order_key = ?1";
      break;
  }
  Stmt s(db, sql);
  s.Bind(1, f.order_key).Bind(2, f.detail).Bind(3, now_ms);
  if (doc) {
    s.Bind(4, *doc);
  } else {
    s.BindNull(4);
  }
  if (f.kind == Kind::Sent) s.Bind(5, int64_t{f.cart_ack ? 1 : 0});
  CARTSYNC_RETURN_IF_ERROR(s.Exec(op));
  if (sqlite3_changes(db) == 0)
    return Status::NotFound(std::string(op) + ": no order " + f.order_key);
  if (fencing) {
    Stmt q(db, "SELECT cart_id FROM orders WHERE order_key = ?1");
    q.Bind(1, f.order_key);
    int rc = q.Step();
    if (rc != SQLITE_ROW) return q.Error(rc, op);
    CARTSYNC_RETURN_IF_ERROR(fence(q.View(0)));
  }
  return Status::Ok();
}

}  // namespace

// A batch of sends costs two commits (two fsyncs) however many orders it
// holds: the intents before the pushes, the results after them — or one,
// when the results of a batch and the intents of the next share one.
Result<std::vector<int64_t>> SqliteStateStore::FinishAndBeginSends(
    const std::vector<SendFinish>& finishes, const std::vector<SendStart>& starts, int64_t now_ms) {
  const std::string_view kOp = SendsOp(finishes, starts);
  std::vector<int64_t> ids;
  if (finishes.empty() && starts.empty()) return ids;
  CARTSYNC_RETURN_IF_ERROR(Transact(kOp, true, [&]() -> Status {
    BatchFence fence([&](const std::string& cart) { return Fence(cart, kOp); });
    const bool fencing = !tokens_.empty();
    for (const SendFinish& f : finishes)
      CARTSYNC_RETURN_IF_ERROR(FinishOneSend(db_, f, now_ms, fencing, fence));
    CARTSYNC_RETURN_IF_ERROR(BeginSendsIn(db_, starts, now_ms, ids, fencing, fence));
    return Status::Ok();
  }));
  return ids;
}

Result<std::vector<OrderRecord>> SqliteStateStore::PendingAcks(const std::string& cart_id,
                                                               int limit) {
  constexpr std::string_view kOp = "PendingAcks";
  std::vector<OrderRecord> out;
  CARTSYNC_RETURN_IF_ERROR(Transact(kOp, false, [&]() -> Status {
    Stmt s(db_, "SELECT " ORDER_COLUMNS
                " FROM orders WHERE cart_id = ?1 AND ack_pending = 1 "
                "ORDER BY first_seen_ms, order_key LIMIT ?2");
    s.Bind(1, cart_id).Bind(2, static_cast<int64_t>(limit > 0 ? limit : 1));
    for (int rc; (rc = s.Step()) != SQLITE_DONE;) {
      if (rc != SQLITE_ROW) return s.Error(rc, kOp);
      out.push_back(ReadOrder(s));
    }
    return Status::Ok();
  }));
  return out;
}

Status SqliteStateStore::FinishAck(const std::string& order_key, int64_t now_ms) {
  constexpr std::string_view kOp = "FinishAck";
  return Transact(kOp, true, [&]() -> Status {
    Stmt s(db_,
           "UPDATE orders SET ack_pending = 0, "
           "updated_ms = CASE WHEN ack_pending = 1 THEN ?2 ELSE updated_ms END "
           "WHERE order_key = ?1");
    s.Bind(1, order_key).Bind(2, now_ms);
    CARTSYNC_RETURN_IF_ERROR(s.Exec(kOp));
    if (sqlite3_changes(db_) == 0) return Status::NotFound("FinishAck: no order " + order_key);
    CARTSYNC_RETURN_IF_ERROR(FenceOrder(order_key, kOp));
    return Status::Ok();
  });
}

Result<std::vector<std::string>> SqliteStateStore::SentSince(
    const std::vector<std::string>& cart_ids, int64_t since_ms) {
  constexpr std::string_view kOp = "SentSince";
  std::vector<std::string> out;
  CARTSYNC_RETURN_IF_ERROR(Transact(kOp, false, [&]() -> Status {  // one snapshot for all carts
    Stmt s(db_,
           "SELECT wms_order_json FROM orders WHERE cart_id = ?1 AND sent_ms >= ?2 "
           "AND status IN ('sent','shipped','confirmed') ORDER BY sent_ms, order_key");
    for (const std::string& cart : cart_ids) {
      s.Bind(1, cart).Bind(2, since_ms);
      for (int rc; (rc = s.Step()) != SQLITE_DONE;) {
        if (rc != SQLITE_ROW) return s.Error(rc, kOp);
        out.push_back(s.Text(0));
      }
      s.Reset();
    }
    return Status::Ok();
  }));
  return out;
}

// --- intents ----------------------------------------------------------------

Result<std::vector<Intent>> SqliteStateStore::PendingIntents(const std::string& cart_id) {
  constexpr std::string_view kOp = "PendingIntents";
  std::vector<Intent> out;
  CARTSYNC_RETURN_IF_ERROR(Transact(kOp, false, [&]() -> Status {
    Stmt s(db_, cart_id.empty()
                    ? "SELECT id, kind, cart_id, order_key, tracking_number, created_ms, doc "
                      "FROM intents ORDER BY id"
                    : "SELECT id, kind, cart_id, order_key, tracking_number, created_ms, doc "
                      "FROM intents WHERE cart_id = ?1 ORDER BY id");
    if (!cart_id.empty()) s.Bind(1, cart_id);
    for (int rc; (rc = s.Step()) != SQLITE_DONE;) {
      if (rc != SQLITE_ROW) return s.Error(rc, kOp);
      out.push_back(ReadIntent(s));
    }
    return Status::Ok();
  }));
  return out;
}

Status SqliteStateStore::DropIntent(int64_t intent_id) {
  constexpr std::string_view kOp = "DropIntent";
  return Transact(kOp, true, [&]() -> Status {
    if (!tokens_.empty()) {
      Stmt q(db_, "SELECT cart_id FROM intents WHERE id = ?1");
      q.Bind(1, intent_id);
      int rc = q.Step();
      if (rc == SQLITE_ROW) {
        CARTSYNC_RETURN_IF_ERROR(Fence(q.Text(0), kOp));
      } else if (rc != SQLITE_DONE) {
        return q.Error(rc, kOp);
      }
    }
    Stmt s(db_, "DELETE FROM intents WHERE id = ?1");
    s.Bind(1, intent_id);
    CARTSYNC_RETURN_IF_ERROR(s.Exec(kOp));
    if (sqlite3_changes(db_) == 0) {
      return Status::NotFound("DropIntent: no intent " + std::to_string(intent_id));
    }
    return Status::Ok();
  });
}

// --- shipments --------------------------------------------------------------

Result<int> SqliteStateStore::RecordShipments(const std::string& cart_id,
                                              const std::vector<ShipmentRecord>& shipments,
                                              const std::string& stream,
                                              const std::string& cursor) {
  constexpr std::string_view kOp = "RecordShipments";
  if (cart_id.empty()) return Status::Permanent("RecordShipments: no cart id");
  for (const ShipmentRecord& r : shipments) {
    if (!r.cart_id.empty() && r.cart_id != cart_id) {
      return Status::Permanent("RecordShipments: shipment of order " + r.order_key +
                               " belongs to cart " + r.cart_id + ", not " + cart_id);
    }
  }
  int inserted = 0;
  CARTSYNC_RETURN_IF_ERROR(Transact(kOp, true, [&]() -> Status {
    CARTSYNC_RETURN_IF_ERROR(Fence(cart_id, kOp));
    {
      Stmt ins(db_,
               "INSERT INTO shipments (order_key, tracking_number, cart_id, shipment_json, state, "
               "received_ms, updated_ms) "
               "SELECT ?1, ?2, ?3, ?4, 'pending', ?5, ?6 "
               "WHERE EXISTS (SELECT 1 FROM orders WHERE order_key = ?1 AND cart_id = ?3) "
               "ON CONFLICT (order_key, tracking_number) DO NOTHING");
      // Only sent orders move; confirmed (a second parcel) and others stay.
      Stmt ship(db_,
                "UPDATE orders SET status = 'shipped', updated_ms = ?2 "
                "WHERE order_key = ?1 AND status = 'sent'");
      for (const ShipmentRecord& r : shipments) {
        int64_t updated = r.updated_ms != 0 ? r.updated_ms : r.received_ms;
        ins.Bind(1, r.order_key).Bind(2, r.tracking_number).Bind(3, cart_id);
        ins.Bind(4, r.shipment_json).Bind(5, r.received_ms).Bind(6, updated);
        CARTSYNC_RETURN_IF_ERROR(ins.Exec(kOp));
        inserted += sqlite3_changes(db_);
        ship.Bind(1, r.order_key).Bind(2, updated);
        CARTSYNC_RETURN_IF_ERROR(ship.Exec(kOp));
      }
    }
    if (!cursor.empty()) CARTSYNC_RETURN_IF_ERROR(PutCursor(db_, cart_id, stream, cursor, kOp));
    return Status::Ok();
  }));
  return inserted;
}

Result<std::vector<std::string>> SqliteStateStore::RequeueUploads(const std::string& order_key,
                                                                  int64_t now_ms) {
  constexpr std::string_view kOp = "RequeueUploads";
  std::vector<std::string> out;
  CARTSYNC_RETURN_IF_ERROR(Transact(kOp, true, [&]() -> Status {
    Stmt o(db_,
           "UPDATE orders SET status = CASE WHEN status = 'confirmed' THEN 'shipped' ELSE status "
           "END, updated_ms = ?2 WHERE order_key = ?1");
    o.Bind(1, order_key).Bind(2, now_ms);
    CARTSYNC_RETURN_IF_ERROR(o.Exec(kOp));
    if (sqlite3_changes(db_) == 0) return Status::NotFound("RequeueUploads: no order " + order_key);
    CARTSYNC_RETURN_IF_ERROR(FenceOrder(order_key, kOp));
    Stmt q(db_, "SELECT tracking_number FROM shipments WHERE order_key = ?1");
    q.Bind(1, order_key);
    for (int rc; (rc = q.Step()) != SQLITE_DONE;) {
      if (rc != SQLITE_ROW) return q.Error(rc, kOp);
      out.push_back(q.Text(0));
    }
    Stmt s(db_,
           "UPDATE shipments SET state = 'pending', error = '', attempts = 0, updated_ms = ?2 "
           "WHERE order_key = ?1");
    s.Bind(1, order_key).Bind(2, now_ms);
    CARTSYNC_RETURN_IF_ERROR(s.Exec(kOp));
    return Status::Ok();
  }));
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<ShipmentRecord>> SqliteStateStore::PendingShipments(const std::string& cart_id) {
  constexpr std::string_view kOp = "PendingShipments";
  std::vector<ShipmentRecord> out;
  CARTSYNC_RETURN_IF_ERROR(Transact(kOp, false, [&]() -> Status {
    Stmt s(db_, "SELECT " SHIPMENT_COLUMNS
                " FROM shipments WHERE cart_id = ?1 AND state = 'pending' "
                "ORDER BY received_ms, order_key, tracking_number");
    s.Bind(1, cart_id);
    for (int rc; (rc = s.Step()) != SQLITE_DONE;) {
      if (rc != SQLITE_ROW) return s.Error(rc, kOp);
      out.push_back(ReadShipment(s));
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<ShipmentRecord>> SqliteStateStore::ShipmentsOf(const std::string& order_key) {
  constexpr std::string_view kOp = "ShipmentsOf";
  std::vector<ShipmentRecord> out;
  CARTSYNC_RETURN_IF_ERROR(Transact(kOp, false, [&]() -> Status {
    Stmt s(db_, "SELECT " SHIPMENT_COLUMNS
                " FROM shipments WHERE order_key = ?1 ORDER BY received_ms, tracking_number");
    s.Bind(1, order_key);
    for (int rc; (rc = s.Step()) != SQLITE_DONE;) {
      if (rc != SQLITE_ROW) return s.Error(rc, kOp);
      out.push_back(ReadShipment(s));
    }
    return Status::Ok();
  }));
  return out;
}

// --- AlertStore --------------------------------------------------------------

#define ALERT_COLUMNS                                                                         \
  "target, subject, reason, event, cart_id, order_number, detail, created_ms, delivered_ms, " \
  "attempts, error"

Result<int> SqliteStateStore::RecordAlerts(const std::vector<AlertRecord>& alerts, int64_t now_ms) {
  constexpr std::string_view kOp = "RecordAlerts";
  int recorded = 0;
  CARTSYNC_RETURN_IF_ERROR(Transact(kOp, true, [&]() -> Status {
    Stmt ins(db_, "INSERT INTO alerts (" ALERT_COLUMNS
                  ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, 0, '') "
                  "ON CONFLICT (target, subject, reason) DO NOTHING");
    for (const AlertRecord& a : alerts) {
      ins.Bind(1, a.target).Bind(2, a.subject).Bind(3, a.reason).Bind(4, a.event);
      ins.Bind(5, a.cart_id).Bind(6, a.order_number).Bind(7, a.detail).Bind(8, now_ms);
      CARTSYNC_RETURN_IF_ERROR(ins.Exec(kOp));
      recorded += sqlite3_changes(db_);
    }
    return Status::Ok();
  }));
  return recorded;
}

Result<std::vector<AlertRecord>> SqliteStateStore::PendingAlerts(int limit) {
  constexpr std::string_view kOp = "PendingAlerts";
  std::vector<AlertRecord> out;
  CARTSYNC_RETURN_IF_ERROR(Transact(kOp, false, [&]() -> Status {
    Stmt s(db_, "SELECT " ALERT_COLUMNS
                " FROM alerts WHERE delivered_ms = 0 "
                "ORDER BY created_ms, target, subject, reason LIMIT ?1");
    s.Bind(1, static_cast<int64_t>(std::max(1, limit)));
    for (int rc; (rc = s.Step()) != SQLITE_DONE;) {
      if (rc != SQLITE_ROW) return s.Error(rc, kOp);
      AlertRecord a;
      a.target = s.Text(0);
      a.subject = s.Text(1);
      a.reason = s.Text(2);
      a.event = s.Text(3);
      a.cart_id = s.Text(4);
      a.order_number = s.Text(5);
      a.detail = s.Text(6);
      a.created_ms = s.Int(7);
      a.delivered_ms = s.Int(8);
      a.attempts = static_cast<int>(s.Int(9));
      a.error = s.Text(10);
      out.push_back(std::move(a));
    }
    return Status::Ok();
  }));
  return out;
}

Status SqliteStateStore::FinishAlert(const std::string& target, const std::string& subject,
                                     const std::string& reason, bool delivered,
                                     const std::string& error, int64_t now_ms) {
  constexpr std::string_view kOp = "FinishAlert";
  return Transact(kOp, true, [&]() -> Status {
    Stmt s(db_, delivered ? "UPDATE alerts SET delivered_ms = ?4, error = '' "
                            "WHERE target = ?1 AND subject = ?2 AND reason = ?3"
                          : "UPDATE alerts SET attempts = attempts + 1, error = ?4 "
                            "WHERE target = ?1 AND subject = ?2 AND reason = ?3");
    s.Bind(1, target).Bind(2, subject).Bind(3, reason);
    if (delivered)
      s.Bind(4, now_ms);
    else
      s.Bind(4, error);
    CARTSYNC_RETURN_IF_ERROR(s.Exec(kOp));
    if (sqlite3_changes(db_) == 0)
      return Status::NotFound("FinishAlert: no alert " + reason + " for " + subject);
    return Status::Ok();
  });
}

Result<int> SqliteStateStore::ForgetAlerts(const std::string& subject, const std::string& reason) {
  constexpr std::string_view kOp = "ForgetAlerts";
  int forgotten = 0;
  CARTSYNC_RETURN_IF_ERROR(Transact(kOp, true, [&]() -> Status {
    Stmt s(db_, "DELETE FROM alerts WHERE subject = ?1 AND reason = ?2");
    s.Bind(1, subject).Bind(2, reason);
    CARTSYNC_RETURN_IF_ERROR(s.Exec(kOp));
    forgotten = sqlite3_changes(db_);
    return Status::Ok();
  }));
  return forgotten;
}

Result<int64_t> SqliteStateStore::BeginUploadIn(const std::string& order_key,
                                                const std::string& tracking_number,
                                                int64_t now_ms) {
  constexpr std::string_view kOp = "BeginUpload";
  std::string cart_id;
  {
    Stmt q(db_, "SELECT cart_id FROM shipments WHERE order_key = ?1 AND tracking_number = ?2");
    q.Bind(1, order_key).Bind(2, tracking_number);
    int rc = q.Step();
    if (rc == SQLITE_DONE) {
      return Status::NotFound("BeginUpload: no shipment " + tracking_number + " for order " +
                              order_key);
    }
    if (rc != SQLITE_ROW) return q.Error(rc, kOp);
    cart_id = q.Text(0);
  }
  CARTSYNC_RETURN_IF_ERROR(Fence(cart_id, kOp));
  {
    Stmt q(db_,
           "SELECT id FROM intents WHERE order_key = ?1 AND tracking_number = ?2 "
           "AND kind = 'upload_tracking'");
    q.Bind(1, order_key).Bind(2, tracking_number);
    int rc = q.Step();
    if (rc == SQLITE_ROW) {
      return Status::Permanent("BeginUpload: shipment " + tracking_number + " of order " +
                               order_key + " has an unfinished upload (intent " +
                               std::to_string(q.Int(0)) + "); reconcile it first");
    }
    if (rc != SQLITE_DONE) return q.Error(rc, kOp);
  }
  Stmt ins(db_,
           "INSERT INTO intents (kind, cart_id, order_key, tracking_number, created_ms) "
           "VALUES ('upload_tracking', ?1, ?2, ?3, ?4)");
  ins.Bind(1, cart_id).Bind(2, order_key).Bind(3, tracking_number).Bind(4, now_ms);
  CARTSYNC_RETURN_IF_ERROR(ins.Exec(kOp));
  return sqlite3_last_insert_rowid(db_);
}

Status SqliteStateStore::FinishUploadIn(const UploadResult& done, int64_t now_ms) {
  const std::string_view op = done.uploaded ? "CompleteUpload" : "FailUpload";
  const std::string& order_key = done.order_key;
  const std::string& tracking_number = done.tracking_number;
  CARTSYNC_RETURN_IF_ERROR(
      CheckIntent(db_, done.intent_id, "upload_tracking", order_key, &tracking_number, op));
  {
    Stmt s(db_, done.uploaded ? "UPDATE shipments SET state = 'uploaded', error = '', "
                                "updated_ms = ?3 WHERE order_key = ?1 AND tracking_number = ?2"
                              : "UPDATE shipments SET error = ?4, attempts = attempts + 1, "
                                "updated_ms = ?3 WHERE order_key = ?1 AND tracking_number = ?2");
    s.Bind(1, order_key).Bind(2, tracking_number).Bind(3, now_ms);
    if (!done.uploaded) s.Bind(4, done.error);
    CARTSYNC_RETURN_IF_ERROR(s.Exec(op));
    if (sqlite3_changes(db_) == 0) {
      return Status::NotFound(std::string(op) + ": no shipment " + tracking_number + " for order " +
                              order_key);
    }
  }
  if (done.uploaded) {
    Stmt s(db_,
           "UPDATE orders SET status = 'confirmed', reason = '', updated_ms = ?2 "
           "WHERE order_key = ?1");
    s.Bind(1, order_key).Bind(2, now_ms);
    CARTSYNC_RETURN_IF_ERROR(s.Exec(op));
  }
  CARTSYNC_RETURN_IF_ERROR(DeleteIntent(db_, done.intent_id, op));
  return FenceOrder(order_key, op);
}

Result<int64_t> SqliteStateStore::FinishAndBeginUpload(const UploadResult& done,
                                                       const std::string& next_order_key,
                                                       const std::string& next_tracking_number,
                                                       int64_t now_ms) {
  const std::string_view kOp = UploadOp(done, next_order_key);
  int64_t id = 0;
  CARTSYNC_RETURN_IF_ERROR(Transact(kOp, true, [&]() -> Status {
    if (!done.order_key.empty()) CARTSYNC_RETURN_IF_ERROR(FinishUploadIn(done, now_ms));
    if (!next_order_key.empty()) {
      auto begun = BeginUploadIn(next_order_key, next_tracking_number, now_ms);
      if (!begun.ok()) return begun.status();
      id = begun.value();
    }
    return Status::Ok();
  }));
  return id;
}

// --- inventory --------------------------------------------------------------

Result<std::map<std::string, int64_t>> SqliteStateStore::PushedInventory(
    const std::string& cart_id) {
  constexpr std::string_view kOp = "PushedInventory";
  std::map<std::string, int64_t> out;
  CARTSYNC_RETURN_IF_ERROR(Transact(kOp, false, [&]() -> Status {
    Stmt s(db_, "SELECT sku, quantity FROM inventory_pushed WHERE cart_id = ?1");
    s.Bind(1, cart_id);
    for (int rc; (rc = s.Step()) != SQLITE_DONE;) {
      if (rc != SQLITE_ROW) return s.Error(rc, kOp);
      out[s.Text(0)] = s.Int(1);
    }
    return Status::Ok();
  }));
  return out;
}

Status SqliteStateStore::RecordPushedInventory(
    const std::string& cart_id, const std::vector<std::pair<std::string, int64_t>>& pushed,
    int64_t now_ms) {
  constexpr std::string_view kOp = "RecordPushedInventory";
  return Transact(kOp, true, [&]() -> Status {
    CARTSYNC_RETURN_IF_ERROR(Fence(cart_id, kOp));
    {
      Stmt s(db_,
             "INSERT INTO inventory_pushed (cart_id, sku, quantity, pushed_ms) "
             "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (cart_id, sku) DO UPDATE SET "
             "quantity = excluded.quantity, pushed_ms = excluded.pushed_ms");
      for (const auto& [sku, quantity] : pushed) {
        s.Bind(1, cart_id).Bind(2, sku).Bind(3, quantity).Bind(4, now_ms);
        CARTSYNC_RETURN_IF_ERROR(s.Exec(kOp));
      }
    }
    return Status::Ok();
  });
}

// --- runs -------------------------------------------------------------------

Result<int64_t> SqliteStateStore::BeginRun(const RunRecord& run) {
  constexpr std::string_view kOp = "BeginRun";
  int64_t id = 0;
  CARTSYNC_RETURN_IF_ERROR(Transact(kOp, true, [&]() -> Status {
    Stmt s(db_,
           "INSERT INTO runs (started_ms, finished_ms, status, host, pid, summary_json) "
           "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    s.Bind(1, run.started_ms).Bind(2, run.finished_ms);
    s.Bind(3, run.status.empty() ? std::string_view("running") : std::string_view(run.status));
    s.Bind(4, run.host).Bind(5, run.pid).Bind(6, run.summary_json);
    CARTSYNC_RETURN_IF_ERROR(s.Exec(kOp));
    id = sqlite3_last_insert_rowid(db_);
    return Status::Ok();
  }));
  return id;
}

Status SqliteStateStore::FinishRun(int64_t run_id, const std::string& status, int64_t finished_ms,
                                   const std::string& summary_json) {
  constexpr std::string_view kOp = "FinishRun";
  return Transact(kOp, true, [&]() -> Status {
    Stmt s(db_, "UPDATE runs SET status = ?2, finished_ms = ?3, summary_json = ?4 WHERE id = ?1");
    s.Bind(1, run_id).Bind(2, status).Bind(3, finished_ms).Bind(4, summary_json);
    CARTSYNC_RETURN_IF_ERROR(s.Exec(kOp));
    if (sqlite3_changes(db_) == 0) {
      return Status::NotFound("FinishRun: no run " + std::to_string(run_id));
    }
    return Status::Ok();
  });
}

Status SqliteStateStore::RecordStepRun(const StepRunRecord& step) {
  constexpr std::string_view kOp = "RecordStepRun";
  return Transact(kOp, true, [&]() -> Status {
    Stmt s(db_,
           "INSERT INTO step_runs (run_id, step_id, cart_id, service, started_ms, finished_ms, "
           "ok, error, counts_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    s.Bind(1, step.run_id).Bind(2, step.step_id).Bind(3, step.cart_id).Bind(4, step.service);
    s.Bind(5, step.started_ms).Bind(6, step.finished_ms).Bind(7, int64_t{step.ok ? 1 : 0});
    s.Bind(8, step.error).Bind(9, step.counts_json);
    CARTSYNC_RETURN_IF_ERROR(s.Exec(kOp));
    return Status::Ok();
  });
}

Result<std::optional<int64_t>> SqliteStateStore::LastSuccessMs(const std::string& step_id) {
  constexpr std::string_view kOp = "LastSuccessMs";
  std::optional<int64_t> out;
  CARTSYNC_RETURN_IF_ERROR(Transact(kOp, false, [&]() -> Status {
    Stmt s(db_, "SELECT max(finished_ms) FROM step_runs WHERE step_id = ?1 AND ok = 1");
    s.Bind(1, step_id);
    int rc = s.Step();
    if (rc != SQLITE_ROW) return s.Error(rc, kOp);
    if (!s.IsNull(0)) out = s.Int(0);
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<RunRecord>> SqliteStateStore::Runs(int limit) {
  constexpr std::string_view kOp = "Runs";
  std::vector<RunRecord> out;
  CARTSYNC_RETURN_IF_ERROR(Transact(kOp, false, [&]() -> Status {
    Stmt s(db_,
           "SELECT id, started_ms, finished_ms, status, host, pid, summary_json FROM runs "
           "ORDER BY started_ms DESC, id DESC LIMIT ?1");
    s.Bind(1, static_cast<int64_t>(limit > 0 ? limit : -1));
    for (int rc; (rc = s.Step()) != SQLITE_DONE;) {
      if (rc != SQLITE_ROW) return s.Error(rc, kOp);
      out.push_back({s.Int(0), s.Int(1), s.Int(2), s.Text(3), s.Text(4), s.Int(5), s.Text(6)});
    }
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<StepRunRecord>> SqliteStateStore::StepRuns(int64_t run_id) {
  constexpr std::string_view kOp = "StepRuns";
  std::vector<StepRunRecord> out;
  CARTSYNC_RETURN_IF_ERROR(Transact(kOp, false, [&]() -> Status {
    Stmt s(db_,
           "SELECT run_id, step_id, cart_id, service, started_ms, finished_ms, ok, error, "
           "counts_json FROM step_runs WHERE run_id = ?1 ORDER BY id");
    s.Bind(1, run_id);
    for (int rc; (rc = s.Step()) != SQLITE_DONE;) {
      if (rc != SQLITE_ROW) return s.Error(rc, kOp);
      out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4), s.Int(5), s.Int(6) != 0,
                     s.Text(7), s.Text(8)});
    }
    return Status::Ok();
  }));
  return out;
}

// --- the factory --------------------------------------------------------------

Result<std::unique_ptr<StateStore>> OpenStateStore(const std::string& url,
                                                   const std::string& base_dir, bool create,
                                                   const std::string& password) {
  std::string_view u = url;
  if (u.starts_with("postgres://") || u.starts_with("postgresql://")) {
    return OpenPostgresStateStore(url, create, password);
  }
  if (!u.starts_with("sqlite:")) {
    // Only the scheme: a URL may carry a password.
    std::string scheme(u.substr(0, u.find(':')));
    return Status::Permanent("state url scheme \"" + scheme +
                             "\" is not supported (use \"sqlite:PATH\")");
  }
  std::string path(u.substr(7));
  if (path.starts_with("//")) path.erase(0, 2);  // sqlite:///abs/path, sqlite://rel/path
  if (path.empty()) return Status::Permanent("state url \"sqlite:\" names no database file");
  if (path != ":memory:") {
    namespace fs = std::filesystem;
    fs::path p(path);
    if (p.is_relative() && !base_dir.empty()) p = fs::path(base_dir) / p;
    if (std::error_code ec; !create && !fs::exists(p, ec))
      return Status::NotFound("no state database at " + p.string() +
                              " (no run has recorded anything there yet)");
    if (fs::path dir = p.parent_path(); !dir.empty()) {
      std::error_code ec;
      fs::create_directories(dir, ec);
      if (ec) {
        return Status::Permanent("cannot create state directory " + dir.string() + ": " +
                                 ec.message());
      }
    }
    path = p.string();
  }
  auto store = SqliteStateStore::Open(path);
  if (!store.ok()) return store.status();
  return std::unique_ptr<StateStore>(std::move(store.value()));
}

}  // namespace cartsync

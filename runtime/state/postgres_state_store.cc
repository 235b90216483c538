#include "runtime/state/postgres_state_store.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <initializer_list>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "runtime/state/pii.h"

namespace cartsync {

#define CARTSYNC_RETURN_IF_ERROR(expr) \
  do {                                 \
    ::cartsync::Status _st = (expr);   \
    if (!_st.ok()) return _st;         \
  } while (0)

namespace {

// --- the schema -----------------------------------------------------------
//
// Each step moves the database from version-1 to version, in the same
// transaction as the schema_version update. Append new steps; never edit a
// released one. Version 1 is SQLite's v3 layout plus the lease generation.
struct Migration {
  int version;
  const char* sql;
};

constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE orders (
  order_key       TEXT COLLATE "C" PRIMARY KEY CHECK (length(order_key) > 0),
  cart_id         TEXT COLLATE "C" NOT NULL CHECK (length(cart_id) > 0),
  order_id        TEXT NOT NULL,
  order_number    TEXT NOT NULL DEFAULT '',
  status          TEXT NOT NULL CHECK (status IN
                    ('new','held','sent','shipped','confirmed','skipped','canceled')),
  reason          TEXT NOT NULL DEFAULT '',
  wms_ref         TEXT NOT NULL DEFAULT '',
  cart_order_json TEXT NOT NULL DEFAULT '',
  wms_order_json  TEXT NOT NULL DEFAULT '',
  placed_at       TEXT NOT NULL DEFAULT '',
  first_seen_ms   BIGINT NOT NULL,
  updated_ms      BIGINT NOT NULL,
  sent_ms         BIGINT NOT NULL DEFAULT 0,
  attempts        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX orders_cart_status ON orders (cart_id, status);
CREATE INDEX orders_cart_sent ON orders (cart_id, sent_ms);
CREATE INDEX orders_seen ON orders (first_seen_ms, order_key);

CREATE TABLE shipments (
  order_key       TEXT COLLATE "C" NOT NULL REFERENCES orders (order_key) ON DELETE CASCADE,
  tracking_number TEXT COLLATE "C" NOT NULL CHECK (length(tracking_number) > 0),
  cart_id         TEXT COLLATE "C" NOT NULL,
  shipment_json   TEXT NOT NULL DEFAULT '',
  state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','uploaded')),
  error           TEXT NOT NULL DEFAULT '',
  attempts        INTEGER NOT NULL DEFAULT 0,
  received_ms     BIGINT NOT NULL,
  updated_ms      BIGINT NOT NULL,
  PRIMARY KEY (order_key, tracking_number)
);
CREATE INDEX shipments_cart_state ON shipments (cart_id, state);

CREATE TABLE intents (
  id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('push_order','upload_tracking')),
  cart_id         TEXT COLLATE "C" NOT NULL,
  order_key       TEXT COLLATE "C" NOT NULL REFERENCES orders (order_key) ON DELETE CASCADE,
  tracking_number TEXT COLLATE "C",
  created_ms      BIGINT NOT NULL,
  doc             TEXT,
  CHECK ((kind = 'push_order') = (tracking_number IS NULL)),
  FOREIGN KEY (order_key, tracking_number)
    REFERENCES shipments (order_key, tracking_number) ON DELETE CASCADE
);
CREATE INDEX intents_cart ON intents (cart_id);
CREATE UNIQUE INDEX intents_one_push ON intents (order_key) WHERE kind = 'push_order';
CREATE UNIQUE INDEX intents_one_upload ON intents (order_key, tracking_number)
  WHERE kind = 'upload_tracking';

CREATE TABLE cursors (
  cart_id TEXT COLLATE "C" NOT NULL,
  stream  TEXT COLLATE "C" NOT NULL,
  cursor  TEXT NOT NULL,
  PRIMARY KEY (cart_id, stream)
);

CREATE TABLE inventory_pushed (
  cart_id   TEXT COLLATE "C" NOT NULL,
  sku       TEXT COLLATE "C" NOT NULL,
  quantity  BIGINT NOT NULL,
  pushed_ms BIGINT NOT NULL,
  PRIMARY KEY (cart_id, sku)
);

CREATE TABLE runs (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  started_ms   BIGINT NOT NULL,
  finished_ms  BIGINT NOT NULL DEFAULT 0,
  status       TEXT NOT NULL CHECK (status IN ('running','ok','failed')),
  host         TEXT NOT NULL DEFAULT '',
  pid          BIGINT NOT NULL DEFAULT 0,
  summary_json TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_started ON runs (started_ms);

CREATE TABLE step_runs (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id      BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step_id     TEXT COLLATE "C" NOT NULL,
  cart_id     TEXT COLLATE "C" NOT NULL DEFAULT '',
  service     TEXT NOT NULL DEFAULT '',
  started_ms  BIGINT NOT NULL,
  finished_ms BIGINT NOT NULL,
  ok          BOOLEAN NOT NULL,
  error       TEXT NOT NULL DEFAULT '',
  counts_json TEXT NOT NULL DEFAULT ''
);
CREATE INDEX step_runs_run ON step_runs (run_id);
CREATE INDEX step_runs_success ON step_runs (step_id, ok, finished_ms);

CREATE SEQUENCE lease_generation;
CREATE TABLE leases (
  cart_id    TEXT COLLATE "C" PRIMARY KEY,
  owner      TEXT COLLATE "C" NOT NULL,
  host       TEXT NOT NULL DEFAULT '',
  pid        BIGINT NOT NULL DEFAULT 0,
  expires_ms BIGINT NOT NULL,
  process    TEXT NOT NULL DEFAULT '',
  generation BIGINT NOT NULL
);
)sql"},
    // The cart's acknowledgement of a sent order (Walmart), pending until
    // the cart has it; recorded with the send, so a crash cannot lose it.
    {2, R"sql(
ALTER TABLE orders ADD COLUMN ack_pending BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX orders_ack_pending ON orders (cart_id, first_seen_ms, order_key) WHERE ack_pending;
)sql"},
    // PII retention: when an order's personal data was erased (0: not yet);
    // the index finds the orders retention has still to look at.
    {3, R"sql(
ALTER TABLE orders ADD COLUMN pii_erased_ms BIGINT NOT NULL DEFAULT 0;
CREATE INDEX orders_pii_kept ON orders (updated_ms) WHERE pii_erased_ms = 0;
)sql"},
    // [[notify]] alerts (alert_store.h): one row per target, subject and
    // reason is the deduplication; delivered_ms = 0 while pending.
    {4, R"sql(
CREATE TABLE alerts (
  target       TEXT COLLATE "C" NOT NULL,
  subject      TEXT COLLATE "C" NOT NULL,
  reason       TEXT COLLATE "C" NOT NULL,
  event        TEXT NOT NULL,
  cart_id      TEXT NOT NULL DEFAULT '',
  order_number TEXT NOT NULL DEFAULT '',
  detail       TEXT NOT NULL DEFAULT '',
  created_ms   BIGINT NOT NULL,
  delivered_ms BIGINT NOT NULL DEFAULT 0,
  attempts     INTEGER NOT NULL DEFAULT 0,
  error        TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (target, subject, reason)
);
CREATE INDEX alerts_pending ON alerts (created_ms) WHERE delivered_ms = 0;
)sql"},
};

static_assert(kMigrations[std::size(kMigrations) - 1].version == kPostgresSchemaVersion,
              "the last migration must produce kPostgresSchemaVersion");

/// The key of the advisory lock migrations take ("cartsync" in ASCII).
constexpr const char* kMigrationLockSql = "SELECT pg_advisory_xact_lock(7161130726974910051)";

/// A transaction re-run after a deadlock or serialization failure, at most this often.
constexpr int kMaxAttempts = 10;

// --- text helpers ------------------------------------------------------------

std::string FormatMsUtc(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  if (gmtime_r(&secs, &tm) == nullptr) return std::to_string(ms) + " ms";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The message of lease_store.h; the SQLite store words it the same way.
std::string LockedMessage(const LeaseInfo& h) {
  return "cart " + h.cart_id + " is locked by run " + h.owner + " on " + h.host + " pid " +
         std::to_string(h.pid) + " until " + FormatMsUtc(h.expires_ms);
}

/// libpq's multi-line messages on one line, without the trailing newline.
std::string OneLine(const char* text) {
  std::string out;
  for (const char* p = text != nullptr ? text : ""; *p != '\0'; ++p) {
    if (*p == '\n') {
      if (p[1] != '\0') out += "; ";
    } else if (*p != '\t') {
      out += *p;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

/// Where the user info of a URI ends ('@'), or npos: the last '@' of the
/// authority (between "://" and the first '/', '?' or '#').
size_t UserInfoEnd(std::string_view url, size_t authority) {
  size_t end = url.find_first_of("/?#", authority);
  if (end == std::string_view::npos) end = url.size();
  size_t at = url.substr(0, end).rfind('@');
  return at != std::string_view::npos && at >= authority ? at : std::string_view::npos;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

/// Calls `f(begin, end)` for the value of each "password=" parameter of
/// `url` (after '?', '&' or a space, or at the start).
template <class F>
void ForEachPasswordParam(std::string_view url, F&& f) {
  for (size_t i = 0; i < url.size(); ++i) {
    if (i > 0 && url[i - 1] != '?' && url[i - 1] != '&' && url[i - 1] != ' ') continue;
    if (!StartsWithNoCase(url.substr(i), "password=")) continue;
    size_t begin = i + 9;
    size_t end = url.find_first_of("&# ", begin);
    if (end == std::string_view::npos) end = url.size();
    f(begin, end);
  }
}

/// The passwords `url` carries, as written and percent-decoded.
std::vector<std::string> PasswordsIn(std::string_view url) {
  std::vector<std::string> out;
  auto add = [&out](std::string_view raw) {
    if (raw.empty()) return;
    out.emplace_back(raw);
    if (std::string decoded = PercentDecode(raw); decoded != raw) out.push_back(decoded);
  };
  if (size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    size_t authority = scheme + 3;
    if (size_t at = UserInfoEnd(url, authority); at != std::string_view::npos) {
      std::string_view info = url.substr(authority, at - authority);
      if (size_t colon = info.find(':'); colon != std::string_view::npos)
        add(info.substr(colon + 1));
    }
  }
  ForEachPasswordParam(url, [&](size_t b, size_t e) { add(url.substr(b, e - b)); });
  return out;
}

/// Keeps passwords out of messages: the URL as given becomes
/// RedactPostgresUrl's, and each password it carries (or Options::password,
/// or PGPASSWORD) becomes "****".
class Redactor {
 public:
  Redactor(const std::string& url, const std::string& option_password)
      : raw_(url), shown_(RedactPostgresUrl(url)), in_url_(PasswordsIn(url)) {
    all_ = in_url_;
    if (!option_password.empty()) all_.push_back(option_password);
    if (const char* env = std::getenv("PGPASSWORD"); env != nullptr && *env != '\0') {
      all_.emplace_back(env);
    }
  }

  /// The URL as messages show it.
  const std::string& shown() const { return shown_; }

  /// `text` with the URL redacted and the passwords (4 characters or more:
  /// shorter ones cannot be told from ordinary text) replaced.
  std::string operator()(std::string text) const {
    if (raw_ != shown_) ReplaceAll(text, raw_, shown_);
    for (const std::string& s : all_) {
      if (s.size() >= 4) ReplaceAll(text, s, "****");
    }
    return text;
  }
  /// A message of libpq's about the URL or the connection, which may quote
  /// the URL's parts: as above, and withheld whole when a password of the
  /// URL is still in it.
  std::string Detail(std::string text) const {
    text = (*this)(std::move(text));
    for (const std::string& s : in_url_) {
      if (text.find(s) != std::string::npos)
        return "(libpq's message is withheld: it quotes the password)";
    }
    return text;
  }

 private:
  static void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
    for (size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) {
      text.replace(at, from.size(), to);
    }
  }

  std::string raw_, shown_;
  std::vector<std::string> in_url_, all_;
};

// --- one statement parameter ---------------------------------------------------

/// A statement parameter in libpq's text format, or SQL NULL. Refers to the
/// caller's string (alive for the call); numbers are formatted into it.
class Param {
 public:
  Param(const std::string& s) : ref_(&s) {}                         // NOLINT: implicit by design
  Param(const char* s) : owned_(s), is_owned_(true) {}              // NOLINT
  Param(std::string_view s) : owned_(s), is_owned_(true) {}         // NOLINT
  Param(int64_t v) : owned_(std::to_string(v)), is_owned_(true) {}  // NOLINT
  Param(int v) : Param(int64_t{v}) {}                               // NOLINT
  Param(bool b) : owned_(b ? "true" : "false"), is_owned_(true) {}  // NOLINT
  static Param Null() {
    Param p("");
    p.null_ = true;
    return p;
  }

  const std::string& text() const { return is_owned_ ? owned_ : *ref_; }
  /// libpq's value: NULL for SQL NULL.
  const char* value() const { return null_ ? nullptr : text().c_str(); }
  /// Text values end at the first NUL byte; PostgreSQL text cannot hold one.
  bool HasNul() const { return !null_ && text().find('\0') != std::string::npos; }

 private:
  const std::string* ref_ = nullptr;
  std::string owned_;
  bool is_owned_ = false;
  bool null_ = false;
};

/// A statement's result (rows in text format); owns the PGresult.
class PgResult {
 public:
  explicit PgResult(PGresult* r) : r_(r) {}
  PgResult(PgResult&& o) noexcept : r_(std::exchange(o.r_, nullptr)) {}
  PgResult& operator=(PgResult&& o) noexcept {
    std::swap(r_, o.r_);
    return *this;
  }
  ~PgResult() { PQclear(r_); }

  PGresult* get() const { return r_; }
  int Rows() const { return PQntuples(r_); }
  bool IsNull(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
  std::string Text(int row, int col) const {
    return std::string(PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col)));
  }
  int64_t Int(int row, int col) const {
    const char* p = PQgetvalue(r_, row, col);
    int64_t v = 0;
    std::from_chars(p, p + PQgetlength(r_, row, col), v);
    return v;
  }
  bool Bool(int row, int col) const { return PQgetvalue(r_, row, col)[0] == 't'; }
  /// Rows an INSERT/UPDATE/DELETE touched.
  int64_t Affected() const {
    const char* p = PQcmdTuples(r_);
    int64_t v = 0;
    std::from_chars(p, p + std::strlen(p), v);
    return v;
  }

 private:
  PGresult* r_;
};

void IgnoreNotice(void*, const char*) {}

}  // namespace

// --- the connection ------------------------------------------------------------

class PostgresStateStore::Conn {
 public:
  Conn(PGconn* pg, Redactor redact, Options options)
      : pg_(pg), redact_(std::move(redact)), options_(std::move(options)) {}
  ~Conn() { PQfinish(pg_); }

  /// The URL as messages show it.
  const std::string& shown_url() const { return redact_.shown(); }
  const Options& options() const { return options_; }
  /// Whether the last failure was a serialization failure or deadlock: the
  /// whole transaction may be run again.
  bool retry() const { return retry_; }
  /// The constraint the last failed statement violated ("" if none).
  const std::string& violated() const { return violated_; }

  /// The carts whose lease this transaction has checked (and holds FOR
  /// SHARE until it ends, so the check stands): Fence looks once per cart.
  std::set<std::string>& fenced() { return fenced_; }

  /// `text` without a password (Redactor).
  std::string Scrub(std::string text) const { return redact_(std::move(text)); }
  Status Scrub(const Status& st) const {
    return st.ok() ? st : Status(st.code(), Scrub(st.message()));
  }

  /// Session settings, after connecting or reconnecting.
  Status Configure(std::string_view op) {
    PQsetNoticeProcessor(pg_, IgnoreNotice, nullptr);
    const std::string set =
        "SET lock_timeout = " + std::to_string(options_.lock_timeout_ms) +
        "; SET statement_timeout = " + std::to_string(options_.statement_timeout_ms);
    return Simple(op, set.c_str());
  }

  /// Begins a transaction: the BEGIN goes out with the transaction's first
  /// statement, in one round trip (Exec). A connection found lost is
  /// reconnected first, or then (nothing of the call has happened yet, so
  /// it is safe to retry).
  Status Begin(std::string_view op, bool write) {
    retry_ = false;
    fenced_.clear();
    pending_begin_ = write ? "BEGIN ISOLATION LEVEL READ COMMITTED"
                           : "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";
    if (broken_ || PQstatus(pg_) != CONNECTION_OK) return Reconnect(op);
    return Status::Ok();
  }
  Status Commit(std::string_view op) {
    if (std::exchange(pending_begin_, nullptr) != nullptr) return Status::Ok();  // nothing ran
    return Simple(op, "COMMIT");
  }
  /// After a failure inside a transaction; errors are not interesting.
  void Rollback() {
    pending_begin_ = nullptr;
    if (broken_ || PQstatus(pg_) != CONNECTION_OK) return;
    if (PQtransactionStatus(pg_) == PQTRANS_IDLE) return;
    PQclear(PQexec(pg_, "ROLLBACK"));
  }

  /// Runs a statement without parameters and without preparing it
  /// (transaction control, settings, migrations: several statements allowed).
  Status Simple(std::string_view op, const char* sql) {
    PgResult r(PQexec(pg_, sql));
    return Check(r, op);
  }
  Result<PgResult> Query(std::string_view op, const char* sql) {
    PgResult r(PQexec(pg_, sql));
    CARTSYNC_RETURN_IF_ERROR(Check(r, op));
    return r;
  }

  /// Runs `sql` (prepared on this connection the first time it is used)
  /// with `params`.
  Result<PgResult> Exec(std::string_view op, const char* sql, std::initializer_list<Param> params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const Param& p : params) {
      if (p.HasNul()) {
        return Status::Permanent(
            std::string(op) + ": a value contains a NUL byte, which PostgreSQL text cannot hold");
      }
      values.push_back(p.value());
    }
    if (const char* begin = std::exchange(pending_begin_, nullptr)) {
      auto r = BeginAndExec(op, begin, sql, values);
      if (r.ok() || !broken_) return r;
      // Lost before the transaction could commit: the server rolled it back.
      CARTSYNC_RETURN_IF_ERROR(Reconnect(op));
      return BeginAndExec(op, begin, sql, values);
    }
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
      std::string name = "cartsync_" + std::to_string(prepared_.size() + 1);
      PgResult prep(PQprepare(pg_, name.c_str(), sql, 0, nullptr));
      CARTSYNC_RETURN_IF_ERROR(Check(prep, op));
      it = prepared_.emplace(sql, std::move(name)).first;
    }
    PgResult r(PQexecPrepared(pg_, it->second.c_str(), static_cast<int>(values.size()),
                              values.data(), nullptr, nullptr, 0));
    CARTSYNC_RETURN_IF_ERROR(Check(r, op));
    return r;
  }

 private:
  /// BEGIN, `sql` (prepared first if it is new to this session) and a sync
  /// in one pipeline: one round trip where there were two.
  Result<PgResult> BeginAndExec(std::string_view op, const char* begin, const char* sql,
                                const std::vector<const char*>& values) {
    auto it = prepared_.find(sql);
    const bool prepare = it == prepared_.end();
    const std::string name =
        prepare ? "cartsync_" + std::to_string(prepared_.size() + 1) : it->second;
    const bool sent =
        PQenterPipelineMode(pg_) == 1 &&
        PQsendQueryParams(pg_, begin, 0, nullptr, nullptr, nullptr, nullptr, 0) == 1 &&
        (!prepare || PQsendPrepare(pg_, name.c_str(), sql, 0, nullptr) == 1) &&
        PQsendQueryPrepared(pg_, name.c_str(), static_cast<int>(values.size()), values.data(),
                            nullptr, nullptr, 0) == 1 &&
        PQpipelineSync(pg_) == 1;
    // Each query's result is followed by a null; the sync's ends the pipeline.
    std::vector<PgResult> results;
    for (int guard = 0; guard < 16; ++guard) {
      PGresult* r = PQgetResult(pg_);
      if (r == nullptr) {
        if (PQstatus(pg_) != CONNECTION_OK || !sent) break;
        continue;
      }
      if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
        PQclear(r);
        break;
      }
      results.emplace_back(r);
    }
    // A pipeline left open (results never read) would refuse every later
    // call: the connection is reset before the next one instead.
    if (PQexitPipelineMode(pg_) != 1) broken_ = true;
    const size_t expected = prepare ? 3 : 2;
    if (!sent || results.size() != expected) {
      if (PQstatus(pg_) != CONNECTION_OK) broken_ = true;
      return Check(PgResult(nullptr), op);
    }
    CARTSYNC_RETURN_IF_ERROR(Check(results[0], op));
    if (prepare) {
      CARTSYNC_RETURN_IF_ERROR(Check(results[1], op));
      prepared_.emplace(sql, name);
    }
    CARTSYNC_RETURN_IF_ERROR(Check(results.back(), op));
    return std::move(results.back());
  }

  /// Ok for a command or rows; otherwise the mapped error (remembering
  /// whether the transaction may be re-run and whether the connection died).
  Status Check(const PgResult& r, std::string_view op) {
    PGresult* raw = r.get();
    ExecStatusType status = raw != nullptr ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Status::Ok();
    const char* state = raw != nullptr ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary =
        raw != nullptr ? PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    std::string sqlstate = state != nullptr ? state : "";
    std::string detail = primary != nullptr ? OneLine(primary) : OneLine(PQerrorMessage(pg_));
    if (PQstatus(pg_) != CONNECTION_OK) {
      broken_ = true;
      sqlstate.clear();  // "" = the connection itself failed
    }
    retry_ = sqlstate == "40001" || sqlstate == "40P01";
    const char* constraint =
        raw != nullptr ? PQresultErrorField(raw, PG_DIAG_CONSTRAINT_NAME) : nullptr;
    violated_ = constraint != nullptr ? constraint : "";
    return Scrub(PostgresStatus(sqlstate, op, detail));
  }
  Status Reconnect(std::string_view op) {
    PQreset(pg_);
    prepared_.clear();  // a new session has none of them
    if (PQstatus(pg_) != CONNECTION_OK) {
      broken_ = true;
      return Status::Transient(
          std::string(op) + ": lost the connection to the PostgreSQL state database " +
          redact_.shown() +
          " and could not reconnect: " + redact_.Detail(OneLine(PQerrorMessage(pg_))));
    }
    broken_ = false;
    return Configure(op);
  }

  PGconn* pg_;
  Redactor redact_;
  Options options_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
  const char* pending_begin_ = nullptr;  // the BEGIN Exec sends with the first statement
  std::set<std::string> fenced_;
  bool retry_ = false;
  std::string violated_;
  bool broken_ = false;
};

// --- errors ------------------------------------------------------------------

Status PostgresStatus(std::string_view sqlstate, std::string_view operation,
                      std::string_view detail) {
  const std::string where = std::string(operation) + ": " + std::string(detail);
  const std::string_view cls = sqlstate.substr(0, std::min<size_t>(2, sqlstate.size()));
  if (sqlstate.empty() || cls == "08" || sqlstate == "57P01" || sqlstate == "57P02" ||
      sqlstate == "57P03" || sqlstate == "53300") {
    return Status::Transient("state database unreachable (" + where + "); retry later");
  }
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03" || sqlstate == "57014") {
    return Status::Transient("state database is busy (another run holds what this call needs; " +
                             where + "); retry later");
  }
  if (sqlstate == "53100") {
    return Status::Permanent("state database write failed: disk full (" + where + ")");
  }
  if (sqlstate == "58030") {
    return Status::Permanent("state database write failed: I/O error (" + where + ")");
  }
  if (sqlstate == "25006") {
    return Status::Permanent("state database write failed: database is read-only (" + where + ")");
  }
  if (sqlstate == "XX001" || sqlstate == "XX002") {
    return Status::Permanent("state database is corrupt (" + where + ")");
  }
  if (cls == "28" || sqlstate == "42501") {
    return Status::Permanent("state database access denied (" + where + ")");
  }
  if (cls == "53") return Status::Permanent("state database out of resources (" + where + ")");
  if (cls == "23" || cls == "22") {
    return Status::Permanent("state database rejected the change (" + where + ")");
  }
  return Status::Permanent("state database error (" + where + ")");
}

Status CheckPostgresServerVersion(int server_version) {
  if (server_version >= kPostgresMinServerVersion) return Status::Ok();
  // 10 and later: major * 10000 + minor; before: major * 10000 + minor * 100 + patch.
  std::string shown = server_version >= 100000 ? std::to_string(server_version / 10000) + "." +
                                                     std::to_string(server_version % 10000)
                                               : std::to_string(server_version / 10000) + "." +
                                                     std::to_string(server_version / 100 % 100) +
                                                     "." + std::to_string(server_version % 100);
  if (server_version <= 0) shown = "unknown";
  return Status::Permanent("the PostgreSQL state database runs PostgreSQL " + shown +
                           "; cartsync needs PostgreSQL " +
                           std::to_string(kPostgresMinServerVersion / 10000) + " or newer");
}

std::string RedactPostgresUrl(std::string_view url) {
  std::string out(url);
  // Replace from the back so earlier offsets stay valid.
  std::vector<std::pair<size_t, size_t>> spans;
  if (size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    size_t authority = scheme + 3;
    if (size_t at = UserInfoEnd(url, authority); at != std::string_view::npos) {
      size_t colon = url.substr(0, at).find(':', authority);
      if (colon != std::string_view::npos) spans.emplace_back(colon + 1, at);
    }
  }
  ForEachPasswordParam(url, [&](size_t b, size_t e) { spans.emplace_back(b, e); });
  std::sort(spans.begin(), spans.end());
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
    out.replace(it->first, it->second - it->first, "****");
  }
  return out;
}

// --- open / migrate --------------------------------------------------------------

PostgresStateStore::PostgresStateStore(std::unique_ptr<Conn> conn, std::string url, Options options)
    : url_(std::move(url)), options_(std::move(options)) {
  idle_.push_back(std::move(conn));
  open_ = 1;
}
PostgresStateStore::~PostgresStateStore() = default;

class PostgresStateStore::PooledConn {
 public:
  PooledConn(PostgresStateStore* store, std::unique_ptr<Conn> conn)
      : store_(store), conn_(std::move(conn)) {}
  PooledConn(PooledConn&& other) noexcept
      : store_(std::exchange(other.store_, nullptr)), conn_(std::move(other.conn_)) {}
  PooledConn(const PooledConn&) = delete;
  PooledConn& operator=(const PooledConn&) = delete;
  PooledConn& operator=(PooledConn&&) = delete;
  ~PooledConn() {
    if (store_ != nullptr && conn_) store_->GiveConn(std::move(conn_));
  }
  Conn& operator*() const { return *conn_; }

 private:
  PostgresStateStore* store_;
  std::unique_ptr<Conn> conn_;
};

// Blocking the thread while every connection is busy is safe with the
// runner's fibers: a call never yields while it holds a connection, so the
// holders are on other threads and give theirs back without waiting on
// this one. With max_connections at least the number of threads calling,
// nothing waits.
Result<PostgresStateStore::PooledConn> PostgresStateStore::TakeConn(std::string_view op) {
  {
    std::unique_lock<std::mutex> lock(pool_mu_);
    pool_cv_.wait(lock, [&] { return !idle_.empty() || open_ < options_.max_connections; });
    if (!idle_.empty()) {
      std::unique_ptr<Conn> c = std::move(idle_.back());
      idle_.pop_back();
      return PooledConn(this, std::move(c));
    }
    ++open_;  // reserved while connecting, outside the lock
  }
  auto made = Connect(url_, options_);
  if (!made.ok()) {
    {
      std::lock_guard<std::mutex> lock(pool_mu_);
      --open_;
    }
    pool_cv_.notify_one();
    return Status(made.status().code(), std::string(op) + ": " + made.status().message());
  }
  return PooledConn(this, std::move(made.value()));
}

void PostgresStateStore::GiveConn(std::unique_ptr<Conn> conn) {
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    idle_.push_back(std::move(conn));
  }
  pool_cv_.notify_one();
}

Result<std::unique_ptr<PostgresStateStore>> PostgresStateStore::Open(const std::string& url) {
  return Open(url, Options{});
}

namespace {

/// Whether a failed connection's message means retrying cannot help.
bool PermanentConnectError(std::string_view message) {
  for (std::string_view needle :
       {"authentication failed", "no password supplied", "pg_hba.conf", "does not exist",
        "server does not support SSL", "SSL is required", "certificate", "permission denied",
        "invalid ", "unsupported"}) {
    if (message.find(needle) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

Result<std::unique_ptr<PostgresStateStore::Conn>> PostgresStateStore::Connect(
    const std::string& url, const Options& options) {
  const Redactor redact(url, options.password);
  const std::string& shown = redact.shown();

  // The URI's own syntax first: libpq's parser names the bad part.
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &parse_error);
  if (parsed == nullptr) {
    std::string why = parse_error != nullptr ? OneLine(parse_error) : "out of memory";
    PQfreemem(parse_error);
    return Status::Permanent("invalid PostgreSQL state url " + shown + ": " + redact.Detail(why));
  }
  PQconninfoFree(parsed);

  // Earlier keywords are defaults the URI (expanded at "dbname") overrides;
  // later ones override the URI.
  std::vector<const char*> keys = {"fallback_application_name", "connect_timeout", "dbname",
                                   "client_encoding"};
  std::vector<const char*> values = {"cartsync", "10", url.c_str(), "UTF8"};
  if (!options.password.empty()) {
    keys.push_back("password");
    values.push_back(options.password.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* pg = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (pg == nullptr) return Status::Permanent("open PostgreSQL state database: out of memory");
  auto conn = std::make_unique<Conn>(pg, redact, options);
  if (PQstatus(pg) != CONNECTION_OK) {
    const std::string why = OneLine(PQerrorMessage(pg));
    const std::string text =
        "cannot connect to the PostgreSQL state database " + shown + ": " + redact.Detail(why);
    return PermanentConnectError(why) ? Status::Permanent(text) : Status::Transient(text);
  }
  if (Status v = CheckPostgresServerVersion(PQserverVersion(pg)); !v.ok()) {
    return Status::Permanent(v.message() + " (" + shown + ")");
  }
  CARTSYNC_RETURN_IF_ERROR(conn->Configure("open " + shown));
  return conn;
}

Result<std::unique_ptr<PostgresStateStore>> PostgresStateStore::Open(const std::string& url,
                                                                     const Options& options) {
  auto conn = Connect(url, options);
  if (!conn.ok()) return conn.status();
  Options kept = options;
  kept.max_connections = std::max(1, options.max_connections);
  std::unique_ptr<PostgresStateStore> store(
      new PostgresStateStore(std::move(conn.value()), url, std::move(kept)));
  CARTSYNC_RETURN_IF_ERROR(store->Migrate(options.create));
  return store;
}

namespace {

Status TooNew(int v) {
  return Status::Permanent("state database schema v" + std::to_string(v) +
                           " is newer than this cartsync (v" +
                           std::to_string(kPostgresSchemaVersion) + ")");
}

/// The stored schema version; nullopt when there is no schema_version table.
Result<std::optional<int>> ReadSchemaVersion(PostgresStateStore::Conn& c, std::string_view op) {
  auto exists = c.Query(op, "SELECT to_regclass('schema_version') IS NOT NULL");
  if (!exists.ok()) return exists.status();
  if (!exists.value().Bool(0, 0)) return std::optional<int>();
  auto v = c.Query(op, "SELECT version FROM schema_version");
  if (!v.ok()) return v.status();
  if (v.value().Rows() == 0) return std::optional<int>(0);
  return std::optional<int>(static_cast<int>(v.value().Int(0, 0)));
}

}  // namespace

Status PostgresStateStore::Migrate(bool create) {
  const std::string op = "migrate state database";
  auto taken = TakeConn(op);
  if (!taken.ok()) return taken.status();
  Conn& c = *taken.value();
  {
    auto before = ReadSchemaVersion(c, op);
    if (!before.ok()) return before.status();
    if (before.value() && *before.value() > kPostgresSchemaVersion) return TooNew(*before.value());
    if (before.value() && *before.value() == kPostgresSchemaVersion) return Status::Ok();
    if (!before.value() && !create) {
      return Status::NotFound("no cartsync state in the PostgreSQL database " + c.shown_url() +
                              " (no run has recorded anything there yet)");
    }
  }
  Status st = [&]() -> Status {
    CARTSYNC_RETURN_IF_ERROR(c.Simple(op, "BEGIN"));
    // Runners starting together: one migrates, the others wait here and
    // then find the work done.
    CARTSYNC_RETURN_IF_ERROR(c.Simple(op, kMigrationLockSql));
    CARTSYNC_RETURN_IF_ERROR(c.Simple(op,
                                      "CREATE TABLE IF NOT EXISTS schema_version ("
                                      "  version INTEGER NOT NULL,"
                                      "  one_row BOOLEAN PRIMARY KEY DEFAULT true CHECK (one_row));"
                                      "INSERT INTO schema_version (version) VALUES (0) "
                                      "ON CONFLICT (one_row) DO NOTHING"));
    auto current = c.Query(op, "SELECT version FROM schema_version");
    if (!current.ok()) return current.status();
    const int from = static_cast<int>(current.value().Int(0, 0));
    if (from > kPostgresSchemaVersion) return TooNew(from);
    for (const Migration& m : kMigrations) {
      if (m.version <= from) continue;
      const std::string step = op + " to v" + std::to_string(m.version);
      CARTSYNC_RETURN_IF_ERROR(c.Simple(step, m.sql));
      // The version is this program's constant.
      const std::string bump = "UPDATE schema_version SET version = " + std::to_string(m.version);
      CARTSYNC_RETURN_IF_ERROR(c.Simple(step, bump.c_str()));
    }
    return c.Commit(op);
  }();
  if (!st.ok()) c.Rollback();
  return st;
}

Result<int> PostgresStateStore::SchemaVersion() {
  auto taken = TakeConn("SchemaVersion");
  if (!taken.ok()) return taken.status();
  auto v = ReadSchemaVersion(*taken.value(), "SchemaVersion");
  if (!v.ok()) return v.status();
  return v.value().value_or(0);
}

// --- transactions and fencing ----------------------------------------------------

template <class Body>
Status PostgresStateStore::Transact(std::string_view op, bool write, Body&& body) {
  auto taken = TakeConn(op);
  if (!taken.ok()) return taken.status();
  Conn& c = *taken.value();
  static thread_local std::minstd_rand rng{std::random_device{}()};
  Status st;
  for (int attempt = 1;; ++attempt) {
    st = c.Begin(op, write);
    if (st.ok()) st = body(c);
    if (st.ok()) st = c.Commit(op);
    if (st.ok()) return st;
    const bool again = c.retry();
    c.Rollback();
    if (!again || attempt >= kMaxAttempts) break;
    // A short random pause, so two conflicting runs do not collide again.
    std::uniform_int_distribution<int> pause_ms(1, 5 * attempt);
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
  }
  return c.Scrub(st);
}

std::optional<int64_t> PostgresStateStore::HeldLeaseGeneration(const std::string& cart_id) {
  std::lock_guard<std::mutex> lock(tokens_mu_);
  auto it = tokens_.find(cart_id);
  if (it == tokens_.end()) return std::nullopt;
  return it->second;
}

Status PostgresStateStore::Fence(Conn& c, const std::string& cart_id, std::string_view op) {
  std::optional<int64_t> token = HeldLeaseGeneration(cart_id);
  if (!token || c.fenced().count(cart_id)) return Status::Ok();
  // FOR SHARE: a takeover waits until this transaction has committed, so
  // every write made under a generation precedes the next acquisition.
  auto r = c.Exec(op,
                  "SELECT generation, owner, host, pid, expires_ms, process FROM leases "
                  "WHERE cart_id = $1 FOR SHARE",
                  {cart_id});
  if (!r.ok()) return r.status();
  const PgResult& q = r.value();
  if (q.Rows() == 1 && q.Int(0, 0) == *token) {
    c.fenced().insert(cart_id);
    return Status::Ok();
  }
  std::string text = std::string(op) + ": this run no longer holds the lease of cart " + cart_id +
                     " (generation " + std::to_string(*token) + "); ";
  if (q.Rows() == 1) {
    text += LockedMessage(
        {cart_id, q.Text(0, 1), q.Text(0, 2), q.Int(0, 3), q.Int(0, 4), q.Text(0, 5)});
  } else {
    text += "it was released or force-unlocked";
  }
  return Status::Locked(text);
}

Result<std::optional<int64_t>> PostgresStateStore::LeaseGeneration(const std::string& cart_id) {
  std::optional<int64_t> out;
  Status st = Transact("LeaseGeneration", false, [&](Conn& c) -> Status {
    out.reset();
    auto r =
        c.Exec("LeaseGeneration", "SELECT generation FROM leases WHERE cart_id = $1", {cart_id});
    if (!r.ok()) return r.status();
    if (r.value().Rows() == 1) out = r.value().Int(0, 0);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

// --- leases -----------------------------------------------------------------------

Status PostgresStateStore::AcquireLease(const LeaseInfo& me, int64_t now_ms, LeaseInfo* holder,
                                        const std::string& take_over_from) {
  constexpr std::string_view kOp = "AcquireLease";
  if (me.cart_id.empty() || me.owner.empty()) {
    return Status::Permanent("AcquireLease: a lease needs a cart id and an owner");
  }
  int64_t generation = 0;
  LeaseInfo current;
  Status st = Transact(kOp, true, [&](Conn& c) -> Status {
    // One statement: it inserts, or replaces a lease that is expired, this
    // owner's, or the named dead owner's (judged on the newest row, after
    // waiting for a concurrent acquisition); otherwise it changes nothing
    // but locks the row, so the holder read next is the one that won.
    auto r = c.Exec(
        kOp,
        "INSERT INTO leases AS l (cart_id, owner, host, pid, expires_ms, process, "
        "generation) VALUES ($1, $2, $3, $4::bigint, $5::bigint, $6, "
        "nextval('lease_generation')) "
        "ON CONFLICT (cart_id) DO UPDATE SET owner = EXCLUDED.owner, "
        "host = EXCLUDED.host, pid = EXCLUDED.pid, expires_ms = EXCLUDED.expires_ms, "
        "process = EXCLUDED.process, generation = EXCLUDED.generation "
        "WHERE l.owner = EXCLUDED.owner OR l.expires_ms <= $7::bigint "
        "OR ($8::text <> '' AND l.owner = $8::text) "
        "RETURNING generation",
        {me.cart_id, me.owner, me.host, me.pid, me.expires_ms, me.process, now_ms, take_over_from});
    if (!r.ok()) return r.status();
    if (r.value().Rows() == 1) {
      generation = r.value().Int(0, 0);
      return Status::Ok();
    }
    auto q =
        c.Exec(kOp, "SELECT owner, host, pid, expires_ms, process FROM leases WHERE cart_id = $1",
               {me.cart_id});
    if (!q.ok()) return q.status();
    if (q.value().Rows() == 0) return Status::Transient("AcquireLease: the lease changed; retry");
    const PgResult& h = q.value();
    current = {me.cart_id, h.Text(0, 0), h.Text(0, 1), h.Int(0, 2), h.Int(0, 3), h.Text(0, 4)};
    return Status::Locked(LockedMessage(current));
  });
  if (st.code() == StatusCode::Locked && holder != nullptr) *holder = current;
  if (st.ok()) {
    std::lock_guard<std::mutex> lock(tokens_mu_);
    tokens_[me.cart_id] = generation;
  }
  return st;
}

namespace {
/// The Locked status for `owner` having lost `cart_id`'s lease.
Status LostLease(PostgresStateStore::Conn& c, const std::string& cart_id, const std::string& owner,
                 std::string_view op) {
  auto q = c.Exec(op, "SELECT owner, host, pid, expires_ms, process FROM leases WHERE cart_id = $1",
                  {cart_id});
  if (!q.ok()) return q.status();
  const PgResult& h = q.value();
  if (h.Rows() == 1) {
    LeaseInfo info{cart_id, h.Text(0, 0), h.Text(0, 1), h.Int(0, 2), h.Int(0, 3), h.Text(0, 4)};
    return Status::Locked(std::string(op) + ": run " + owner + " no longer holds the lease; " +
                          LockedMessage(info));
  }
  return Status::Locked(std::string(op) + ": run " + owner + " no longer holds the lease of cart " +
                        cart_id + " (it was released or force-unlocked)");
}
}  // namespace

Status PostgresStateStore::RenewLease(const std::string& cart_id, const std::string& owner,
                                      int64_t expires_ms) {
  constexpr std::string_view kOp = "RenewLease";
  return Transact(kOp, true, [&](Conn& c) -> Status {
    auto r =
        c.Exec(kOp, "UPDATE leases SET expires_ms = $3::bigint WHERE cart_id = $1 AND owner = $2",
               {cart_id, owner, expires_ms});
    if (!r.ok()) return r.status();
    if (r.value().Affected() == 0) return LostLease(c, cart_id, owner, kOp);
    return Status::Ok();
  });
}

namespace {
/// The database server's clock in ms: the lease clock of ClaimCart and ExtendLease.
#define PG_NOW_MS "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"
}  // namespace

Status PostgresStateStore::ClaimCart(const LeaseClaim& claim, ClaimResult* result) {
  constexpr std::string_view kOp = "ClaimCart";
  const LeaseInfo& me = claim.me;
  if (me.cart_id.empty() || me.owner.empty() || claim.lease_ms <= 0) {
    return Status::Permanent("ClaimCart: a claim needs a cart id, an owner and a lease duration");
  }
  ClaimResult out;
  int64_t generation = 0;
  bool all_stale = false;
  Status st = Transact(kOp, true, [&](Conn& c) -> Status {
    out = ClaimResult{};
    all_stale = false;
    // The row, unless another transaction holds it (a claim, or a holder's
    // write under the fence): then it is skipped, not waited for.
    auto r = c.Exec(kOp,
                    "SELECT owner, host, pid, expires_ms, process, " PG_NOW_MS
                    " FROM leases WHERE cart_id = $1 FOR UPDATE SKIP LOCKED",
                    {me.cart_id});
    if (!r.ok()) return r.status();
    bool update = false;
    if (r.value().Rows() == 1) {
      const PgResult& h = r.value();
      LeaseInfo current{me.cart_id,  h.Text(0, 0), h.Text(0, 1),
                        h.Int(0, 2), h.Int(0, 3),  h.Text(0, 4)};
      const int64_t db_now = h.Int(0, 5);
      const bool taken_over =
          !claim.take_over_from.empty() && current.owner == claim.take_over_from;
      if (current.owner != me.owner && current.expires_ms > db_now && !taken_over) {
        out.holder = current;
        return Status::Locked(LockedMessage(current));
      }
      update = true;
    } else {
      // No row, or one locked by another transaction: insert ours (this
      // waits only for a concurrent insert or release of the row to end).
      auto ins = c.Exec(kOp,
                        "INSERT INTO leases (cart_id, owner, host, pid, expires_ms, process, "
                        "generation) VALUES ($1, $2, $3, $4::bigint, " PG_NOW_MS
                        " + $5::bigint, $6, nextval('lease_generation')) "
                        "ON CONFLICT (cart_id) DO NOTHING RETURNING generation, expires_ms",
                        {me.cart_id, me.owner, me.host, me.pid, claim.lease_ms, me.process});
      if (!ins.ok()) return ins.status();
      if (ins.value().Rows() == 0) {
        auto q = c.Exec(
            kOp, "SELECT owner, host, pid, expires_ms, process FROM leases WHERE cart_id = $1",
            {me.cart_id});
        if (!q.ok()) return q.status();
        if (q.value().Rows() == 0) {
          return Status::Locked("cart " + me.cart_id + " is being claimed by another run");
        }
        const PgResult& h = q.value();
        out.holder = {me.cart_id,  h.Text(0, 0), h.Text(0, 1),
                      h.Int(0, 2), h.Int(0, 3),  h.Text(0, 4)};
        return Status::Locked(LockedMessage(out.holder) +
                              " (another run is using its lease right now)");
      }
      generation = ins.value().Int(0, 0);
      out.expires_ms = ins.value().Int(0, 1);
    }
    // Holding the row: what ran since the caller looked. A run that held the
    // cart committed its step records before it released or lost the lease.
    for (const SeenStep& seen : claim.due) {
      auto q = c.Exec(kOp, "SELECT max(finished_ms) FROM step_runs WHERE step_id = $1 AND ok",
                      {seen.step_id});
      if (!q.ok()) return q.status();
      if (!q.value().IsNull(0, 0) &&
          (!seen.last_success_ms || q.value().Int(0, 0) > *seen.last_success_ms))
        out.stale.push_back(seen.step_id);
    }
    if (!claim.due.empty() && out.stale.size() == claim.due.size()) {
      all_stale = true;  // roll back: nothing taken, nothing changed
      return Status::NotFound("ClaimCart: nothing left to do");
    }
    if (update) {
      auto up = c.Exec(kOp,
                       "UPDATE leases SET owner = $2, host = $3, pid = $4::bigint, "
                       "expires_ms = " PG_NOW_MS
                       " + $5::bigint, process = $6, "
                       "generation = nextval('lease_generation') WHERE cart_id = $1 "
                       "RETURNING generation, expires_ms",
                       {me.cart_id, me.owner, me.host, me.pid, claim.lease_ms, me.process});
      if (!up.ok()) return up.status();
      if (up.value().Rows() != 1) return Status::Transient("ClaimCart: the lease changed; retry");
      generation = up.value().Int(0, 0);
      out.expires_ms = up.value().Int(0, 1);
    }
    out.claimed = true;
    return Status::Ok();
  });
  if (all_stale) st = Status::Ok();
  if (st.ok() && out.claimed) {
    std::lock_guard<std::mutex> lock(tokens_mu_);
    tokens_[me.cart_id] = generation;
  }
  if ((st.ok() || st.code() == StatusCode::Locked) && result != nullptr) *result = std::move(out);
  return st;
}

Status PostgresStateStore::ExtendLease(const std::string& cart_id, const std::string& owner,
                                       int64_t lease_ms, int64_t /*now_ms: the server's clock*/) {
  constexpr std::string_view kOp = "RenewLease";
  return Transact(kOp, true, [&](Conn& c) -> Status {
    auto r = c.Exec(kOp,
                    "UPDATE leases SET expires_ms = " PG_NOW_MS
                    " + $3::bigint WHERE cart_id = $1 AND owner = $2",
                    {cart_id, owner, lease_ms});
    if (!r.ok()) return r.status();
    if (r.value().Affected() == 0) return LostLease(c, cart_id, owner, kOp);
    return Status::Ok();
  });
}

Status PostgresStateStore::ReleaseLease(const std::string& cart_id, const std::string& owner) {
  constexpr std::string_view kOp = "ReleaseLease";
  bool released = false;
  Status st = Transact(kOp, true, [&](Conn& c) -> Status {
    auto r = c.Exec(kOp, "DELETE FROM leases WHERE cart_id = $1 AND owner = $2", {cart_id, owner});
    if (!r.ok()) return r.status();
    released = r.value().Affected() > 0;
    if (released) return Status::Ok();
    // Nothing of ours to release. No lease at all is fine (already released
    // or force-unlocked); someone else's lease is left alone and reported.
    auto q = c.Exec(kOp, "SELECT 1 FROM leases WHERE cart_id = $1", {cart_id});
    if (!q.ok()) return q.status();
    return q.value().Rows() > 0 ? LostLease(c, cart_id, owner, kOp) : Status::Ok();
  });
  // Only giving up the lease it holds ends this object's fencing of the
  // cart; a lease lost before (taken over, force-unlocked) stays lost.
  if (st.ok() && released) {
    std::lock_guard<std::mutex> lock(tokens_mu_);
    tokens_.erase(cart_id);
  }
  return st;
}

Status PostgresStateStore::ForceUnlock(const std::string& cart_id) {
  constexpr std::string_view kOp = "ForceUnlock";
  // The token (if this object holds one) stays: its writes are refused now.
  return Transact(kOp, true, [&](Conn& c) -> Status {
    auto r = c.Exec(kOp, "DELETE FROM leases WHERE cart_id = $1", {cart_id});
    if (!r.ok()) return r.status();
    if (r.value().Affected() == 0) {
      return Status::NotFound("ForceUnlock: cart " + cart_id + " is not locked");
    }
    return Status::Ok();
  });
}

Result<std::vector<LeaseInfo>> PostgresStateStore::Leases() {
  constexpr std::string_view kOp = "Leases";
  std::vector<LeaseInfo> out;
  Status st = Transact(kOp, false, [&](Conn& c) -> Status {
    out.clear();
    auto r = c.Exec(kOp,
                    "SELECT cart_id, owner, host, pid, expires_ms, process FROM leases "
                    "ORDER BY cart_id",
                    {});
    if (!r.ok()) return r.status();
    const PgResult& q = r.value();
    for (int i = 0; i < q.Rows(); ++i) {
      out.push_back(
          {q.Text(i, 0), q.Text(i, 1), q.Text(i, 2), q.Int(i, 3), q.Int(i, 4), q.Text(i, 5)});
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

// --- cursors ------------------------------------------------------------------------

namespace {

/// Sets a cursor inside the caller's transaction.
Status PutCursor(PostgresStateStore::Conn& c, const std::string& cart_id, const std::string& stream,
                 const std::string& cursor, std::string_view op) {
  return c
      .Exec(op,
            "INSERT INTO cursors (cart_id, stream, cursor) VALUES ($1, $2, $3) "
            "ON CONFLICT (cart_id, stream) DO UPDATE SET cursor = EXCLUDED.cursor",
            {cart_id, stream, cursor})
      .status();
}

}  // namespace

Result<std::optional<std::string>> PostgresStateStore::GetCursor(const std::string& cart_id,
                                                                 const std::string& stream) {
  constexpr std::string_view kOp = "GetCursor";
  std::optional<std::string> out;
  Status st = Transact(kOp, false, [&](Conn& c) -> Status {
    out.reset();
    auto r = c.Exec(kOp, "SELECT cursor FROM cursors WHERE cart_id = $1 AND stream = $2",
                    {cart_id, stream});
    if (!r.ok()) return r.status();
    if (r.value().Rows() == 1) out = r.value().Text(0, 0);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

// --- orders -------------------------------------------------------------------------

namespace {

#define ORDER_COLUMNS                                                                      \
  "order_key, cart_id, order_id, order_number, status, reason, wms_ref, cart_order_json, " \
  "wms_order_json, placed_at, first_seen_ms, updated_ms, sent_ms, attempts, ack_pending, " \
  "pii_erased_ms"

OrderRecord ReadOrder(const PgResult& q, int i) {
  OrderRecord o;
  o.order_key = q.Text(i, 0);
  o.cart_id = q.Text(i, 1);
  o.order_id = q.Text(i, 2);
  o.order_number = q.Text(i, 3);
  // The CHECK constraint admits only the lifecycle's names.
  o.status = ParseOrderStatus(q.Text(i, 4)).value_or(OrderStatus::New);
  o.reason = q.Text(i, 5);
  o.wms_ref = q.Text(i, 6);
  o.cart_order_json = q.Text(i, 7);
  o.wms_order_json = q.Text(i, 8);
  o.placed_at = q.Text(i, 9);
  o.first_seen_ms = q.Int(i, 10);
  o.updated_ms = q.Int(i, 11);
  o.sent_ms = q.Int(i, 12);
  o.attempts = static_cast<int>(q.Int(i, 13));
  o.ack_pending = q.Text(i, 14) == "t";
  o.pii_erased_ms = q.Int(i, 15);
  return o;
}

#define SHIPMENT_COLUMNS                                                                      \
  "order_key, tracking_number, cart_id, shipment_json, state, error, attempts, received_ms, " \
  "updated_ms"

ShipmentRecord ReadShipment(const PgResult& q, int i) {
  ShipmentRecord r;
  r.order_key = q.Text(i, 0);
  r.tracking_number = q.Text(i, 1);
  r.cart_id = q.Text(i, 2);
  r.shipment_json = q.Text(i, 3);
  r.state = q.Text(i, 4) == "uploaded" ? ShipmentState::Uploaded : ShipmentState::Pending;
  r.error = q.Text(i, 5);
  r.attempts = static_cast<int>(q.Int(i, 6));
  r.received_ms = q.Int(i, 7);
  r.updated_ms = q.Int(i, 8);
  return r;
}

Intent ReadIntent(const PgResult& q, int i) {
  Intent in;
  in.id = q.Int(i, 0);
  in.kind = q.Text(i, 1) == "upload_tracking" ? IntentKind::UploadTracking : IntentKind::PushOrder;
  in.cart_id = q.Text(i, 2);
  in.order_key = q.Text(i, 3);
  in.tracking_number = q.Text(i, 4);  // NULL reads as ""
  in.created_ms = q.Int(i, 5);
  in.doc = q.Text(i, 6);  // NULL reads as ""
  return in;
}

/// Checks that intent `id` (when it still exists) is of `kind` for this
/// order/tracking number, so a mixed-up id cannot finish another side effect.
/// A missing intent is fine: reconciliation may have dropped it.
Status CheckIntent(PostgresStateStore::Conn& c, int64_t id, const char* kind,
                   const std::string& order_key, const std::string* tracking, std::string_view op) {
  if (id == 0) return Status::Ok();
  auto r = c.Exec(op, "SELECT kind, order_key, tracking_number FROM intents WHERE id = $1::bigint",
                  {id});
  if (!r.ok()) return r.status();
  const PgResult& q = r.value();
  if (q.Rows() == 0) return Status::Ok();
  bool same = q.Text(0, 0) == kind && q.Text(0, 1) == order_key &&
              (tracking == nullptr ? q.IsNull(0, 2) : q.Text(0, 2) == *tracking);
  if (!same) {
    return Status::Permanent(std::string(op) + ": intent " + std::to_string(id) + " is not a " +
                             kind + " intent for order " + order_key);
  }
  return Status::Ok();
}

Status DeleteIntent(PostgresStateStore::Conn& c, int64_t id, std::string_view op) {
  if (id == 0) return Status::Ok();
  return c.Exec(op, "DELETE FROM intents WHERE id = $1::bigint", {id}).status();
}

}  // namespace

namespace {

/// A PostgreSQL array literal for a text[] or bigint[] parameter: every
/// element double-quoted with `"` and `\` escaped, or NULL. Batches of rows
/// travel as a few arrays in one statement (unnest) instead of a round
/// trip per row.
class PgArray {
 public:
  void Add(std::string_view value) {
    text_ += text_.size() > 1 ? ",\"" : "\"";
    for (char ch : value) {
      if (ch == '"' || ch == '\\') text_ += '\\';
      text_ += ch;
    }
    text_ += '"';
  }
  void AddNull() { text_ += text_.size() > 1 ? ",NULL" : "NULL"; }
  std::string Text() const { return text_ + "}"; }

 private:
  std::string text_ = "{";
};

}  // namespace

Result<int> PostgresStateStore::RecordDownloaded(const std::string& cart_id,
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
  Status st = Transact(kOp, true, [&](Conn& c) -> Status {
    inserted = 0;
    CARTSYNC_RETURN_IF_ERROR(Fence(c, cart_id, kOp));
    if (!orders.empty()) {
      // The whole page in one statement (arrays, one round trip). ON
      // CONFLICT on the key only: overlapping windows are no-ops, any other
      // failure (a CHECK) aborts the whole batch.
      PgArray keys, ids, numbers, cart_docs, wms_docs, placed, first_seen, updated;
      for (const OrderRecord& o : orders) {
        keys.Add(o.order_key);
        ids.Add(o.order_id);
        numbers.Add(o.order_number);
        cart_docs.Add(o.cart_order_json);
        wms_docs.Add(o.wms_order_json);
        placed.Add(o.placed_at);
        first_seen.Add(std::to_string(o.first_seen_ms));
        updated.Add(std::to_string(o.updated_ms != 0 ? o.updated_ms : o.first_seen_ms));
      }
      auto r = c.Exec(kOp,
                      "INSERT INTO orders (order_key, cart_id, order_id, order_number, status, "
                      "cart_order_json, wms_order_json, placed_at, first_seen_ms, updated_ms) "
                      "SELECT u.k, $1, u.id, u.num, 'new', u.cd, u.wd, u.pa, u.fs, u.up "
                      "FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
                      "$7::text[], $8::bigint[], $9::bigint[]) "
                      "AS u(k, id, num, cd, wd, pa, fs, up) "
                      "ON CONFLICT (order_key) DO NOTHING",
                      {cart_id, keys.Text(), ids.Text(), numbers.Text(), cart_docs.Text(),
                       wms_docs.Text(), placed.Text(), first_seen.Text(), updated.Text()});
      if (!r.ok()) return r.status();
      inserted = static_cast<int>(r.value().Affected());
    }
    if (!cursor.empty()) CARTSYNC_RETURN_IF_ERROR(PutCursor(c, cart_id, stream, cursor, kOp));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return inserted;
}

Result<std::optional<OrderRecord>> PostgresStateStore::GetOrder(const std::string& order_key) {
  constexpr std::string_view kOp = "GetOrder";
  std::optional<OrderRecord> out;
  Status st = Transact(kOp, false, [&](Conn& c) -> Status {
    out.reset();
    auto r = c.Exec(kOp, "SELECT " ORDER_COLUMNS " FROM orders WHERE order_key = $1", {order_key});
    if (!r.ok()) return r.status();
    if (r.value().Rows() == 1) out = ReadOrder(r.value(), 0);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<OrderRecord>> PostgresStateStore::ListOrders(const OrderQuery& query) {
  constexpr std::string_view kOp = "ListOrders";
  // One fixed statement per filter combination, so each can use its index.
  // The keyset cursor is the last two parameters before the limit (NULL:
  // from the first); a NULL limit is no limit.
#define AFTER_CURSOR(ms, key)                                                         \
  "(" ms "::bigint IS NULL OR first_seen_ms > " ms "::bigint OR (first_seen_ms = " ms \
  "::bigint AND order_key > " key "::text))"
  static constexpr const char* kSql[4] = {
      "SELECT " ORDER_COLUMNS " FROM orders WHERE " AFTER_CURSOR(
          "$1", "$2") " ORDER BY first_seen_ms, order_key LIMIT $3::bigint",
      "SELECT " ORDER_COLUMNS " FROM orders WHERE cart_id = $1 AND " AFTER_CURSOR(
          "$2", "$3") " ORDER BY first_seen_ms, order_key LIMIT $4::bigint",
      "SELECT " ORDER_COLUMNS " FROM orders WHERE status = $1 AND " AFTER_CURSOR(
          "$2", "$3") " ORDER BY first_seen_ms, order_key LIMIT $4::bigint",
      "SELECT " ORDER_COLUMNS " FROM orders WHERE cart_id = $1 AND status = $2 AND " AFTER_CURSOR(
          "$3", "$4") " ORDER BY first_seen_ms, order_key LIMIT $5::bigint",
  };
#undef AFTER_CURSOR
  const int which = (query.cart_id ? 1 : 0) | (query.status ? 2 : 0);
  const Param after_ms = query.after ? Param(query.after->first) : Param::Null();
  const Param after_key = query.after ? Param(query.after->second) : Param::Null();
  const Param limit = query.limit > 0 ? Param(int64_t{query.limit}) : Param::Null();
  const std::string status = query.status ? std::string(OrderStatusName(*query.status)) : "";
  std::vector<OrderRecord> out;
  Status st = Transact(kOp, false, [&](Conn& c) -> Status {
    out.clear();
    Result<PgResult> r = Status::Ok();
    switch (which) {
      case 0:
        r = c.Exec(kOp, kSql[0], {after_ms, after_key, limit});
        break;
      case 1:
        r = c.Exec(kOp, kSql[1], {*query.cart_id, after_ms, after_key, limit});
        break;
      case 2:
        r = c.Exec(kOp, kSql[2], {status, after_ms, after_key, limit});
        break;
      default:
        r = c.Exec(kOp, kSql[3], {*query.cart_id, status, after_ms, after_key, limit});
        break;
    }
    if (!r.ok()) return r.status();
    for (int i = 0; i < r.value().Rows(); ++i) out.push_back(ReadOrder(r.value(), i));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Status PostgresStateStore::UpdateOrder(const std::string& order_key, OrderStatus status,
                                       const std::string& reason, const std::string& wms_order_json,
                                       bool count_attempt, int64_t now_ms) {
  constexpr std::string_view kOp = "UpdateOrder";
  return Transact(kOp, true, [&](Conn& c) -> Status {
    auto r =
        c.Exec(kOp,
               "UPDATE orders SET status = $2, reason = $3, "
               "wms_order_json = CASE WHEN $4::text = '' THEN wms_order_json ELSE $4::text END, "
               "attempts = attempts + $5::integer, updated_ms = $6::bigint "
               "WHERE order_key = $1 RETURNING cart_id",
               {order_key, OrderStatusName(status), reason, wms_order_json, count_attempt ? 1 : 0,
                now_ms});
    if (!r.ok()) return r.status();
    if (r.value().Rows() == 0) return Status::NotFound("UpdateOrder: no order " + order_key);
    return Fence(c, r.value().Text(0, 0), kOp);
  });
}

Status PostgresStateStore::ResetForResend(const std::string& order_key, int64_t now_ms) {
  constexpr std::string_view kOp = "ResetForResend";
  return Transact(kOp, true, [&](Conn& c) -> Status {
    auto r = c.Exec(kOp,
                    "UPDATE orders SET status = 'new', reason = '', attempts = 0, "
                    "first_seen_ms = $2::bigint, updated_ms = $2::bigint WHERE order_key = $1 "
                    "RETURNING cart_id",
                    {order_key, now_ms});
    if (!r.ok()) return r.status();
    if (r.value().Rows() == 0) return Status::NotFound("ResetForResend: no order " + order_key);
    return Fence(c, r.value().Text(0, 0), kOp);
  });
}

// SKIP LOCKED: runners erasing at once take different orders, and an order
// another transaction is changing waits for the next run. The UPDATE judges
// the row again (READ COMMITTED re-reads a row changed since the SELECT).
Result<int> PostgresStateStore::ErasePii(int64_t before_ms, int limit, int64_t now_ms) {
  constexpr std::string_view kOp = "ErasePii";
  if (limit <= 0) return Status::Permanent("ErasePii: the batch limit must be positive");
  int erased = 0;
  Status st = Transact(kOp, true, [&](Conn& c) -> Status {
    erased = 0;
    auto q = c.Exec(kOp,
                    "SELECT order_key, cart_order_json, wms_order_json, reason FROM orders o "
                    "WHERE pii_erased_ms = 0 AND updated_ms < $1::bigint "
                    "AND status IN ('sent','shipped','confirmed','skipped','canceled') "
                    "AND NOT EXISTS (SELECT 1 FROM intents i WHERE i.order_key = o.order_key "
                    "AND i.kind = 'push_order') ORDER BY updated_ms, order_key LIMIT $2::bigint "
                    "FOR UPDATE SKIP LOCKED",
                    {before_ms, static_cast<int64_t>(limit)});
    if (!q.ok()) return q.status();
    const PgResult& rows = q.value();
    for (int i = 0; i < rows.Rows(); ++i) {
      std::string cart_doc = rows.Text(i, 1), wms_doc = rows.Text(i, 2);
      std::vector<std::string> values;
      ErasePiiInDocument(cart_doc, values);
      ErasePiiInDocument(wms_doc, values);
      auto u = c.Exec(
          kOp,
          "UPDATE orders SET cart_order_json = $2, wms_order_json = $3, reason = $4, "
          "pii_erased_ms = $5::bigint WHERE order_key = $1 AND pii_erased_ms = 0 "
          "AND status IN ('sent','shipped','confirmed','skipped','canceled')",
          {rows.Text(i, 0), cart_doc, wms_doc, ErasePiiInText(rows.Text(i, 3), values), now_ms});
      if (!u.ok()) return u.status();
      erased += static_cast<int>(u.value().Affected());
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return erased;
}

namespace {

// BeginSends inside the caller's transaction, in two statements however
// many orders: a look at the orders (their carts, fenced with `fence`
// first: a run that lost a cart hears that before anything else, and any
// unfinished push), then one INSERT of all intents.
template <class FenceFn>
Status BeginSendsIn(PostgresStateStore::Conn& c, const std::vector<SendStart>& sends,
                    int64_t now_ms, std::vector<int64_t>& ids, FenceFn&& fence) {
  constexpr std::string_view kOp = "BeginSend";
  ids.clear();
  if (sends.empty()) return Status::Ok();
  PgArray keys, docs;
  std::set<std::string> named;
  bool twice = false;
  for (const SendStart& send : sends) {
    keys.Add(send.order_key);
    docs.Add(send.wms_order_json);
    twice |= !named.insert(send.order_key).second;
  }
  // The usual batch in one statement: every order known, none with an
  // unfinished push. Anything else takes the look below, which names the
  // first problem as before (the caller's transaction then rolls back).
  std::vector<int64_t> inserted;
  if (!twice) {
    auto r =
        c.Exec(kOp,
               "INSERT INTO intents (kind, cart_id, order_key, tracking_number, created_ms, doc) "
               "SELECT 'push_order', o.cart_id, k.key, NULL, $2::bigint, k.doc "
               "FROM unnest($1::text[], $3::text[]) WITH ORDINALITY AS k(key, doc, n) "
               "JOIN orders o ON o.order_key = k.key WHERE NOT EXISTS (SELECT 1 FROM intents i "
               "WHERE i.order_key = k.key AND i.kind = 'push_order') "
               "ORDER BY k.n RETURNING id, order_key, cart_id",
               {keys.Text(), now_ms, docs.Text()});
    if (!r.ok() && c.violated() == "intents_one_push") {
      // Another connection began a push of one of these orders just now.
      return Status::Permanent(
          "BeginSend: an order of the batch has an unfinished push (begun "
          "by another run just now); reconcile it before sending again");
    }
    if (!r.ok()) return r.status();
    const PgResult& q = r.value();
    if (q.Rows() == static_cast<int>(sends.size())) {
      std::map<std::string, int64_t> by_key;
      for (int row = 0; row < q.Rows(); ++row) {
        by_key[q.Text(row, 1)] = q.Int(row, 0);
        CARTSYNC_RETURN_IF_ERROR(fence(c, q.Text(row, 2)));  // once per cart (Conn::fenced)
      }
      for (const SendStart& send : sends) ids.push_back(by_key.at(send.order_key));
      return Status::Ok();
    }
    for (int row = 0; row < q.Rows(); ++row) inserted.push_back(q.Int(row, 0));
  }
  PgArray mine;  // the intents just inserted are not another push
  for (int64_t id : inserted) mine.Add(std::to_string(id));
  auto q = c.Exec(kOp,
                  "SELECT o.cart_id, (SELECT i.id FROM intents i WHERE i.order_key = k.key "
                  "AND i.kind = 'push_order' AND i.id <> ALL($2::bigint[]) LIMIT 1) "
                  "FROM unnest($1::text[]) WITH ORDINALITY AS k(key, n) "
                  "LEFT JOIN orders o ON o.order_key = k.key ORDER BY k.n",
                  {keys.Text(), mine.Text()});
  if (!q.ok()) return q.status();
  if (q.value().Rows() != static_cast<int>(sends.size()))
    return Status::Permanent("BeginSend: the orders were not all listed");
  named.clear();
  for (size_t i = 0; i < sends.size(); ++i) {
    const int row = static_cast<int>(i);
    const std::string& key = sends[i].order_key;
    if (q.value().IsNull(row, 0)) return Status::NotFound("BeginSend: no order " + key);
    CARTSYNC_RETURN_IF_ERROR(fence(c, q.value().Text(row, 0)));
    if (!q.value().IsNull(row, 1)) {
      return Status::Permanent("BeginSend: order " + key + " has an unfinished push (intent " +
                               std::to_string(q.value().Int(row, 1)) +
                               "); reconcile it before sending again");
    }
    if (!named.insert(key).second) {
      return Status::Permanent("BeginSend: order " + key + " is named twice; one push at a time");
    }
  }
  // Nothing wrong now: another run's push, open when the INSERT looked, has
  // finished since. As of the INSERT the order had an unfinished push.
  return Status::Permanent(
      "BeginSend: an order of the batch had an unfinished push (another run's, finished "
      "just now); look at it before sending again");
}

// One SendFinish inside FinishSends' transaction; `cart` is the order's.
Status FinishOneSend(PostgresStateStore::Conn& c, const SendFinish& f, int64_t now_ms,
                     std::string* cart) {
  using Kind = SendFinish::Kind;
  const std::string_view op = f.kind == Kind::Sent     ? "CompleteSend"
                              : f.kind == Kind::Failed ? "FailSend"
                                                       : "RejectSend";
  CARTSYNC_RETURN_IF_ERROR(CheckIntent(c, f.intent_id, "push_order", f.order_key, nullptr, op));
  // Each form also takes the document the intent carries (the one sent or
  // tried); without the intent (reconciled late) the stored one stays.
#define TAKE_INTENT_DOC                                                         \
  "wms_order_json = COALESCE((SELECT doc FROM intents WHERE id = $4::bigint), " \
  "wms_order_json) WHERE order_key = $1 RETURNING cart_id"
  const char* sql = nullptr;
  switch (f.kind) {
    case Kind::Sent:
      // A late reconciliation never moves an order back from shipped/confirmed.
      sql =
          "UPDATE orders SET "
          "status = CASE WHEN status IN ('shipped','confirmed') THEN status ELSE 'sent' END, "
          "sent_ms = CASE WHEN status IN ('shipped','confirmed') THEN sent_ms "
          "ELSE $3::bigint END, "
          "wms_ref = $2, reason = '', updated_ms = $3::bigint, "
          "ack_pending = ack_pending OR $5::boolean, " TAKE_INTENT_DOC;
      break;
    case Kind::Failed:
      // The status is left as it is (New: the send is retried next run).
      sql =
          "UPDATE orders SET reason = $2, attempts = attempts + 1, updated_ms = "
          "$3::bigint, " TAKE_INTENT_DOC;
      break;
    case Kind::Rejected:
      sql =
          "UPDATE orders SET status = 'held', reason = $2, attempts = attempts + 1, "
          "updated_ms = $3::bigint, " TAKE_INTENT_DOC;
      break;
  }
#undef TAKE_INTENT_DOC
  auto r = f.kind == Kind::Sent
               ? c.Exec(op, sql,
                        {f.order_key, f.detail, now_ms, f.intent_id, f.cart_ack ? "true" : "false"})
               : c.Exec(op, sql, {f.order_key, f.detail, now_ms, f.intent_id});
  if (!r.ok()) return r.status();
  if (r.value().Rows() == 0) return Status::NotFound(std::string(op) + ": no order " + f.order_key);
  *cart = r.value().Text(0, 0);
  return DeleteIntent(c, f.intent_id, op);
}

// FinishSends inside the caller's transaction, in two statements however
// many orders: the intents go first (DELETE … RETURNING checks them and
// hands over their documents; a mismatch fails the transaction, which
// rolls the delete back), then one UPDATE gives every order its result
// and document. The orders' carts are fenced (`fence`) after. A batch that
// names an order twice goes order by order (FinishOneSend), in turn.
template <class FenceFn>
Status FinishSendsIn(PostgresStateStore::Conn& c, const std::vector<SendFinish>& finishes,
                     int64_t now_ms, FenceFn&& fence) {
  using Kind = SendFinish::Kind;
  auto op_of = [](Kind k) -> std::string_view {
    return k == Kind::Sent ? "CompleteSend" : k == Kind::Failed ? "FailSend" : "RejectSend";
  };
  if (finishes.empty()) return Status::Ok();
  std::set<std::string> carts;
  std::set<std::string> keys_seen;
  for (const SendFinish& f : finishes) {
    if (keys_seen.insert(f.order_key).second) continue;
    for (const SendFinish& g : finishes) {
      std::string cart;
      CARTSYNC_RETURN_IF_ERROR(FinishOneSend(c, g, now_ms, &cart));
      carts.insert(std::move(cart));
    }
    for (const std::string& cart : carts) CARTSYNC_RETURN_IF_ERROR(fence(c, cart));
    return Status::Ok();
  }
  // The intents: checked, dropped, their documents kept.
  std::map<int64_t, const SendFinish*> by_intent;
  PgArray intent_ids;
  for (const SendFinish& f : finishes) {
    if (f.intent_id == 0) continue;
    by_intent[f.intent_id] = &f;
    intent_ids.Add(std::to_string(f.intent_id));
  }
  std::map<std::string, std::string> docs;  // order_key -> the intent's document
  if (!by_intent.empty()) {
    auto d = c.Exec("FinishSends",
                    "DELETE FROM intents WHERE id = ANY($1::bigint[]) "
                    "RETURNING id, kind, order_key, tracking_number, doc",
                    {intent_ids.Text()});
    if (!d.ok()) return d.status();
    const PgResult& q = d.value();
    for (int row = 0; row < q.Rows(); ++row) {
      const SendFinish& f = *by_intent.at(q.Int(row, 0));
      if (q.Text(row, 1) != "push_order" || q.Text(row, 2) != f.order_key || !q.IsNull(row, 3)) {
        return Status::Permanent(std::string(op_of(f.kind)) + ": intent " +
                                 std::to_string(f.intent_id) +
                                 " is not a push_order intent for order " + f.order_key);
      }
      if (!q.IsNull(row, 4)) docs[f.order_key] = q.Text(row, 4);
    }
  }
  // The orders. A Sent result never moves an order back from shipped or
  // confirmed; Failed leaves the status (New: retried next run); Rejected
  // holds it.
  PgArray keys, kinds, details, acks, order_docs;
  for (const SendFinish& f : finishes) {
    keys.Add(f.order_key);
    kinds.Add(f.kind == Kind::Sent ? "sent" : f.kind == Kind::Failed ? "failed" : "rejected");
    details.Add(f.detail);
    acks.Add(f.cart_ack ? "true" : "false");
    auto doc = docs.find(f.order_key);
    if (doc != docs.end()) {
      order_docs.Add(doc->second);
    } else {
      order_docs.AddNull();
    }
  }
  auto r =
      c.Exec("FinishSends",
             "UPDATE orders o SET "
             "status = CASE WHEN u.kind = 'rejected' THEN 'held' "
             "WHEN u.kind = 'failed' OR o.status IN ('shipped','confirmed') THEN o.status "
             "ELSE 'sent' END, "
             "sent_ms = CASE WHEN u.kind = 'sent' AND o.status NOT IN ('shipped','confirmed') "
             "THEN $2::bigint ELSE o.sent_ms END, "
             "wms_ref = CASE WHEN u.kind = 'sent' THEN u.detail ELSE o.wms_ref END, "
             "reason = CASE WHEN u.kind = 'sent' THEN '' ELSE u.detail END, "
             "attempts = o.attempts + CASE WHEN u.kind = 'sent' THEN 0 ELSE 1 END, "
             "updated_ms = $2::bigint, "
             "ack_pending = o.ack_pending OR (u.kind = 'sent' AND u.ack), "
             "wms_order_json = COALESCE(u.doc, o.wms_order_json) "
             "FROM unnest($1::text[], $3::text[], $4::text[], $5::boolean[], $6::text[]) "
             "AS u(key, kind, detail, ack, doc) "
             "WHERE o.order_key = u.key RETURNING o.order_key, o.cart_id",
             {keys.Text(), now_ms, kinds.Text(), details.Text(), acks.Text(), order_docs.Text()});
  if (!r.ok()) return r.status();
  std::set<std::string> updated;
  for (int row = 0; row < r.value().Rows(); ++row) {
    updated.insert(r.value().Text(row, 0));
    carts.insert(r.value().Text(row, 1));
  }
  for (const SendFinish& f : finishes) {
    if (!updated.count(f.order_key))
      return Status::NotFound(std::string(op_of(f.kind)) + ": no order " + f.order_key);
  }
  for (const std::string& cart : carts) CARTSYNC_RETURN_IF_ERROR(fence(c, cart));
  return Status::Ok();
}

}  // namespace

Result<std::vector<int64_t>> PostgresStateStore::FinishAndBeginSends(
    const std::vector<SendFinish>& finishes, const std::vector<SendStart>& starts, int64_t now_ms) {
  const std::string_view kOp = SendsOp(finishes, starts);
  std::vector<int64_t> ids;
  if (finishes.empty() && starts.empty()) return ids;
  Status st = Transact(kOp, true, [&](Conn& c) -> Status {
    auto fence = [&](Conn& conn, const std::string& cart) { return Fence(conn, cart, kOp); };
    CARTSYNC_RETURN_IF_ERROR(FinishSendsIn(c, finishes, now_ms, fence));
    return BeginSendsIn(c, starts, now_ms, ids, fence);
  });
  if (!st.ok()) return st;
  return ids;
}

Result<std::vector<OrderRecord>> PostgresStateStore::PendingAcks(const std::string& cart_id,
                                                                 int limit) {
  constexpr std::string_view kOp = "PendingAcks";
  std::vector<OrderRecord> out;
  Status st = Transact(kOp, false, [&](Conn& c) -> Status {
    out.clear();
    auto r = c.Exec(kOp,
                    "SELECT " ORDER_COLUMNS
                    " FROM orders WHERE cart_id = $1 AND ack_pending "
                    "ORDER BY first_seen_ms, order_key LIMIT $2::bigint",
                    {cart_id, int64_t{limit > 0 ? limit : 1}});
    if (!r.ok()) return r.status();
    for (int i = 0; i < r.value().Rows(); ++i) out.push_back(ReadOrder(r.value(), i));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Status PostgresStateStore::FinishAck(const std::string& order_key, int64_t now_ms) {
  constexpr std::string_view kOp = "FinishAck";
  return Transact(kOp, true, [&](Conn& c) -> Status {
    auto r = c.Exec(kOp,
                    "UPDATE orders SET ack_pending = FALSE, updated_ms = CASE WHEN ack_pending "
                    "THEN $2::bigint ELSE updated_ms END WHERE order_key = $1 RETURNING cart_id",
                    {order_key, now_ms});
    if (!r.ok()) return r.status();
    if (r.value().Rows() == 0) return Status::NotFound("FinishAck: no order " + order_key);
    return Fence(c, r.value().Text(0, 0), kOp);
  });
}

Result<std::vector<std::string>> PostgresStateStore::SentSince(
    const std::vector<std::string>& cart_ids, int64_t since_ms) {
  constexpr std::string_view kOp = "SentSince";
  std::vector<std::string> out;
  Status st = Transact(kOp, false, [&](Conn& c) -> Status {  // one snapshot for all carts
    out.clear();
    for (const std::string& cart : cart_ids) {
      auto r = c.Exec(kOp,
                      "SELECT wms_order_json FROM orders WHERE cart_id = $1 "
                      "AND sent_ms >= $2::bigint AND status IN ('sent','shipped','confirmed') "
                      "ORDER BY sent_ms, order_key",
                      {cart, since_ms});
      if (!r.ok()) return r.status();
      for (int i = 0; i < r.value().Rows(); ++i) out.push_back(r.value().Text(i, 0));
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

// --- intents ------------------------------------------------------------------------

Result<std::vector<Intent>> PostgresStateStore::PendingIntents(const std::string& cart_id) {
  constexpr std::string_view kOp = "PendingIntents";
  std::vector<Intent> out;
  Status st = Transact(kOp, false, [&](Conn& c) -> Status {
    out.clear();
    auto r = cart_id.empty()
                 ? c.Exec(kOp,
                          "SELECT id, kind, cart_id, order_key, tracking_number, created_ms, doc "
                          "FROM intents ORDER BY id",
                          {})
                 : c.Exec(kOp,
                          "SELECT id, kind, cart_id, order_key, tracking_number, created_ms, doc "
                          "FROM intents WHERE cart_id = $1 ORDER BY id",
                          {cart_id});
    if (!r.ok()) return r.status();
    for (int i = 0; i < r.value().Rows(); ++i) out.push_back(ReadIntent(r.value(), i));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Status PostgresStateStore::DropIntent(int64_t intent_id) {
  constexpr std::string_view kOp = "DropIntent";
  return Transact(kOp, true, [&](Conn& c) -> Status {
    auto r =
        c.Exec(kOp, "DELETE FROM intents WHERE id = $1::bigint RETURNING cart_id", {intent_id});
    if (!r.ok()) return r.status();
    if (r.value().Rows() == 0) {
      return Status::NotFound("DropIntent: no intent " + std::to_string(intent_id));
    }
    return Fence(c, r.value().Text(0, 0), kOp);
  });
}

// --- shipments ----------------------------------------------------------------------

Result<int> PostgresStateStore::RecordShipments(const std::string& cart_id,
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
  Status st = Transact(kOp, true, [&](Conn& c) -> Status {
    inserted = 0;
    CARTSYNC_RETURN_IF_ERROR(Fence(c, cart_id, kOp));
    for (const ShipmentRecord& s : shipments) {
      const int64_t updated = s.updated_ms != 0 ? s.updated_ms : s.received_ms;
      auto ins = c.Exec(
          kOp,
          "INSERT INTO shipments (order_key, tracking_number, cart_id, "
          "shipment_json, state, received_ms, updated_ms) "
          "SELECT $1::text, $2::text, $3::text, $4::text, 'pending', $5::bigint, "
          "$6::bigint WHERE EXISTS (SELECT 1 FROM orders WHERE order_key = $1::text "
          "AND cart_id = $3::text) "
          "ON CONFLICT (order_key, tracking_number) DO NOTHING",
          {s.order_key, s.tracking_number, cart_id, s.shipment_json, s.received_ms, updated});
      if (!ins.ok()) return ins.status();
      inserted += static_cast<int>(ins.value().Affected());
      // Only sent orders move; confirmed (a second parcel) and others stay.
      auto ship = c.Exec(kOp,
                         "UPDATE orders SET status = 'shipped', updated_ms = $2::bigint "
                         "WHERE order_key = $1 AND status = 'sent'",
                         {s.order_key, updated});
      if (!ship.ok()) return ship.status();
    }
    if (!cursor.empty()) CARTSYNC_RETURN_IF_ERROR(PutCursor(c, cart_id, stream, cursor, kOp));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return inserted;
}

Result<std::vector<std::string>> PostgresStateStore::RequeueUploads(const std::string& order_key,
                                                                    int64_t now_ms) {
  constexpr std::string_view kOp = "RequeueUploads";
  std::vector<std::string> out;
  Status st = Transact(kOp, true, [&](Conn& c) -> Status {
    out.clear();
    auto o = c.Exec(kOp,
                    "UPDATE orders SET status = CASE WHEN status = 'confirmed' THEN 'shipped' "
                    "ELSE status END, updated_ms = $2::bigint WHERE order_key = $1 "
                    "RETURNING cart_id",
                    {order_key, now_ms});
    if (!o.ok()) return o.status();
    if (o.value().Rows() == 0) return Status::NotFound("RequeueUploads: no order " + order_key);
    auto s = c.Exec(kOp,
                    "UPDATE shipments SET state = 'pending', error = '', attempts = 0, "
                    "updated_ms = $2::bigint WHERE order_key = $1 RETURNING tracking_number",
                    {order_key, now_ms});
    if (!s.ok()) return s.status();
    for (int i = 0; i < s.value().Rows(); ++i) out.push_back(s.value().Text(i, 0));
    return Fence(c, o.value().Text(0, 0), kOp);
  });
  if (!st.ok()) return st;
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<ShipmentRecord>> PostgresStateStore::PendingShipments(
    const std::string& cart_id) {
  constexpr std::string_view kOp = "PendingShipments";
  std::vector<ShipmentRecord> out;
  Status st = Transact(kOp, false, [&](Conn& c) -> Status {
    out.clear();
    auto r = c.Exec(kOp,
                    "SELECT " SHIPMENT_COLUMNS
                    " FROM shipments WHERE cart_id = $1 AND state = 'pending' "
                    "ORDER BY received_ms, order_key, tracking_number",
                    {cart_id});
    if (!r.ok()) return r.status();
    for (int i = 0; i < r.value().Rows(); ++i) out.push_back(ReadShipment(r.value(), i));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<ShipmentRecord>> PostgresStateStore::ShipmentsOf(const std::string& order_key) {
  constexpr std::string_view kOp = "ShipmentsOf";
  std::vector<ShipmentRecord> out;
  Status st = Transact(kOp, false, [&](Conn& c) -> Status {
    out.clear();
    auto r = c.Exec(kOp,
                    "SELECT " SHIPMENT_COLUMNS
                    " FROM shipments WHERE order_key = $1 ORDER BY received_ms, tracking_number",
                    {order_key});
    if (!r.ok()) return r.status();
    for (int i = 0; i < r.value().Rows(); ++i) out.push_back(ReadShipment(r.value(), i));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

// --- AlertStore --------------------------------------------------------------

#define ALERT_COLUMNS                                                                         \
  "target, subject, reason, event, cart_id, order_number, detail, created_ms, delivered_ms, " \
  "attempts, error"

Result<int> PostgresStateStore::RecordAlerts(const std::vector<AlertRecord>& alerts,
                                             int64_t now_ms) {
  constexpr std::string_view kOp = "RecordAlerts";
  int recorded = 0;
  Status st = Transact(kOp, true, [&](Conn& c) -> Status {
    recorded = 0;
    for (const AlertRecord& a : alerts) {
      auto r = c.Exec(
          kOp,
          "INSERT INTO alerts (" ALERT_COLUMNS
          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8::bigint, 0, 0, '') "
          "ON CONFLICT (target, subject, reason) DO NOTHING",
          {a.target, a.subject, a.reason, a.event, a.cart_id, a.order_number, a.detail, now_ms});
      if (!r.ok()) return r.status();
      recorded += static_cast<int>(r.value().Affected());
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return recorded;
}

Result<std::vector<AlertRecord>> PostgresStateStore::PendingAlerts(int limit) {
  constexpr std::string_view kOp = "PendingAlerts";
  std::vector<AlertRecord> out;
  Status st = Transact(kOp, false, [&](Conn& c) -> Status {
    out.clear();
    auto r = c.Exec(kOp,
                    "SELECT " ALERT_COLUMNS
                    " FROM alerts WHERE delivered_ms = 0 "
                    "ORDER BY created_ms, target, subject, reason LIMIT $1::bigint",
                    {static_cast<int64_t>(std::max(1, limit))});
    if (!r.ok()) return r.status();
    const PgResult& q = r.value();
    for (int i = 0; i < q.Rows(); ++i) {
      AlertRecord a;
      a.target = q.Text(i, 0);
      a.subject = q.Text(i, 1);
      a.reason = q.Text(i, 2);
      a.event = q.Text(i, 3);
      a.cart_id = q.Text(i, 4);
      a.order_number = q.Text(i, 5);
      a.detail = q.Text(i, 6);
      a.created_ms = q.Int(i, 7);
      a.delivered_ms = q.Int(i, 8);
      a.attempts = static_cast<int>(q.Int(i, 9));
      a.error = q.Text(i, 10);
      out.push_back(std::move(a));
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Status PostgresStateStore::FinishAlert(const std::string& target, const std::string& subject,
                                       const std::string& reason, bool delivered,
                                       const std::string& error, int64_t now_ms) {
  constexpr std::string_view kOp = "FinishAlert";
  return Transact(kOp, true, [&](Conn& c) -> Status {
    auto r = delivered ? c.Exec(kOp,
                                "UPDATE alerts SET delivered_ms = $4::bigint, error = '' "
                                "WHERE target = $1 AND subject = $2 AND reason = $3",
                                {target, subject, reason, now_ms})
                       : c.Exec(kOp,
                                "UPDATE alerts SET attempts = attempts + 1, error = $4 "
                                "WHERE target = $1 AND subject = $2 AND reason = $3",
                                {target, subject, reason, error});
    if (!r.ok()) return r.status();
    if (r.value().Affected() == 0)
      return Status::NotFound("FinishAlert: no alert " + reason + " for " + subject);
    return Status::Ok();
  });
}

Result<int> PostgresStateStore::ForgetAlerts(const std::string& subject,
                                             const std::string& reason) {
  constexpr std::string_view kOp = "ForgetAlerts";
  int forgotten = 0;
  Status st = Transact(kOp, true, [&](Conn& c) -> Status {
    auto r =
        c.Exec(kOp, "DELETE FROM alerts WHERE subject = $1 AND reason = $2", {subject, reason});
    if (!r.ok()) return r.status();
    forgotten = static_cast<int>(r.value().Affected());
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return forgotten;
}

Result<int64_t> PostgresStateStore::BeginUploadIn(Conn& c, const std::string& order_key,
                                                  const std::string& tracking_number,
                                                  int64_t now_ms) {
  constexpr std::string_view kOp = "BeginUpload";
  auto q =
      c.Exec(kOp, "SELECT cart_id FROM shipments WHERE order_key = $1 AND tracking_number = $2",
             {order_key, tracking_number});
  if (!q.ok()) return q.status();
  if (q.value().Rows() == 0) {
    return Status::NotFound("BeginUpload: no shipment " + tracking_number + " for order " +
                            order_key);
  }
  const std::string cart_id = q.value().Text(0, 0);
  CARTSYNC_RETURN_IF_ERROR(Fence(c, cart_id, kOp));
  auto open = c.Exec(kOp,
                     "SELECT id FROM intents WHERE order_key = $1 AND tracking_number = $2 "
                     "AND kind = 'upload_tracking'",
                     {order_key, tracking_number});
  if (!open.ok()) return open.status();
  if (open.value().Rows() > 0) {
    return Status::Permanent("BeginUpload: shipment " + tracking_number + " of order " + order_key +
                             " has an unfinished upload (intent " +
                             std::to_string(open.value().Int(0, 0)) + "); reconcile it first");
  }
  auto ins = c.Exec(kOp,
                    "INSERT INTO intents (kind, cart_id, order_key, tracking_number, created_ms) "
                    "VALUES ('upload_tracking', $1, $2, $3, $4::bigint) RETURNING id",
                    {cart_id, order_key, tracking_number, now_ms});
  if (!ins.ok() && c.violated() == "intents_one_upload") {
    return Status::Permanent("BeginUpload: shipment " + tracking_number + " of order " + order_key +
                             " has an unfinished upload (begun by another run just now); "
                             "reconcile it first");
  }
  if (!ins.ok()) return ins.status();
  return ins.value().Int(0, 0);
}

Status PostgresStateStore::FinishUploadIn(Conn& c, const UploadResult& done, int64_t now_ms) {
  const std::string_view op = done.uploaded ? "CompleteUpload" : "FailUpload";
  const std::string& order_key = done.order_key;
  const std::string& tracking_number = done.tracking_number;
  CARTSYNC_RETURN_IF_ERROR(
      CheckIntent(c, done.intent_id, "upload_tracking", order_key, &tracking_number, op));
  auto s = done.uploaded
               ? c.Exec(op,
                        "UPDATE shipments SET state = 'uploaded', error = '', "
                        "updated_ms = $3::bigint "
                        "WHERE order_key = $1 AND tracking_number = $2 RETURNING cart_id",
                        {order_key, tracking_number, now_ms})
               : c.Exec(op,
                        "UPDATE shipments SET error = $3, attempts = attempts + 1, "
                        "updated_ms = $4::bigint WHERE order_key = $1 AND tracking_number = $2 "
                        "RETURNING cart_id",
                        {order_key, tracking_number, done.error, now_ms});
  if (!s.ok()) return s.status();
  if (s.value().Rows() == 0) {
    return Status::NotFound(std::string(op) + ": no shipment " + tracking_number + " for order " +
                            order_key);
  }
  if (done.uploaded) {
    auto o = c.Exec(op,
                    "UPDATE orders SET status = 'confirmed', reason = '', updated_ms = $2::bigint "
                    "WHERE order_key = $1",
                    {order_key, now_ms});
    if (!o.ok()) return o.status();
  }
  CARTSYNC_RETURN_IF_ERROR(DeleteIntent(c, done.intent_id, op));
  return Fence(c, s.value().Text(0, 0), op);
}

Result<int64_t> PostgresStateStore::FinishAndBeginUpload(const UploadResult& done,
                                                         const std::string& next_order_key,
                                                         const std::string& next_tracking_number,
                                                         int64_t now_ms) {
  const std::string_view op = UploadOp(done, next_order_key);
  int64_t id = 0;
  Status st = Transact(op, true, [&](Conn& c) -> Status {
    id = 0;
    if (!done.order_key.empty()) CARTSYNC_RETURN_IF_ERROR(FinishUploadIn(c, done, now_ms));
    if (next_order_key.empty()) return Status::Ok();
    auto begun = BeginUploadIn(c, next_order_key, next_tracking_number, now_ms);
    if (!begun.ok()) return begun.status();
    id = begun.value();
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return id;
}

// --- inventory ------------------------------------------------------------------------

Result<std::map<std::string, int64_t>> PostgresStateStore::PushedInventory(
    const std::string& cart_id) {
  constexpr std::string_view kOp = "PushedInventory";
  std::map<std::string, int64_t> out;
  Status st = Transact(kOp, false, [&](Conn& c) -> Status {
    out.clear();
    auto r =
        c.Exec(kOp, "SELECT sku, quantity FROM inventory_pushed WHERE cart_id = $1", {cart_id});
    if (!r.ok()) return r.status();
    for (int i = 0; i < r.value().Rows(); ++i) out[r.value().Text(i, 0)] = r.value().Int(i, 1);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Status PostgresStateStore::RecordPushedInventory(
    const std::string& cart_id, const std::vector<std::pair<std::string, int64_t>>& pushed,
    int64_t now_ms) {
  constexpr std::string_view kOp = "RecordPushedInventory";
  return Transact(kOp, true, [&](Conn& c) -> Status {
    CARTSYNC_RETURN_IF_ERROR(Fence(c, cart_id, kOp));
    for (const auto& [sku, quantity] : pushed) {
      auto r = c.Exec(kOp,
                      "INSERT INTO inventory_pushed (cart_id, sku, quantity, pushed_ms) "
                      "VALUES ($1, $2, $3::bigint, $4::bigint) ON CONFLICT (cart_id, sku) "
                      "DO UPDATE SET quantity = EXCLUDED.quantity, pushed_ms = EXCLUDED.pushed_ms",
                      {cart_id, sku, quantity, now_ms});
      if (!r.ok()) return r.status();
    }
    return Status::Ok();
  });
}

// --- runs -------------------------------------------------------------------------------

Result<int64_t> PostgresStateStore::BeginRun(const RunRecord& run) {
  constexpr std::string_view kOp = "BeginRun";
  int64_t id = 0;
  Status st = Transact(kOp, true, [&](Conn& c) -> Status {
    auto r =
        c.Exec(kOp,
               "INSERT INTO runs (started_ms, finished_ms, status, host, pid, summary_json) "
               "VALUES ($1::bigint, $2::bigint, $3, $4, $5::bigint, $6) RETURNING id",
               {run.started_ms, run.finished_ms,
                run.status.empty() ? std::string_view("running") : std::string_view(run.status),
                run.host, run.pid, run.summary_json});
    if (!r.ok()) return r.status();
    id = r.value().Int(0, 0);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return id;
}

Status PostgresStateStore::FinishRun(int64_t run_id, const std::string& status, int64_t finished_ms,
                                     const std::string& summary_json) {
  constexpr std::string_view kOp = "FinishRun";
  return Transact(kOp, true, [&](Conn& c) -> Status {
    auto r = c.Exec(kOp,
                    "UPDATE runs SET status = $2, finished_ms = $3::bigint, summary_json = $4 "
                    "WHERE id = $1::bigint",
                    {run_id, status, finished_ms, summary_json});
    if (!r.ok()) return r.status();
    if (r.value().Affected() == 0) {
      return Status::NotFound("FinishRun: no run " + std::to_string(run_id));
    }
    return Status::Ok();
  });
}

Status PostgresStateStore::RecordStepRun(const StepRunRecord& step) {
  constexpr std::string_view kOp = "RecordStepRun";
  return Transact(kOp, true, [&](Conn& c) -> Status {
    return c
        .Exec(kOp,
              "INSERT INTO step_runs (run_id, step_id, cart_id, service, started_ms, finished_ms, "
              "ok, error, counts_json) VALUES ($1::bigint, $2, $3, $4, $5::bigint, $6::bigint, "
              "$7::boolean, $8, $9)",
              {step.run_id, step.step_id, step.cart_id, step.service, step.started_ms,
               step.finished_ms, step.ok, step.error, step.counts_json})
        .status();
  });
}

Result<std::optional<int64_t>> PostgresStateStore::LastSuccessMs(const std::string& step_id) {
  constexpr std::string_view kOp = "LastSuccessMs";
  std::optional<int64_t> out;
  Status st = Transact(kOp, false, [&](Conn& c) -> Status {
    out.reset();
    auto r =
        c.Exec(kOp, "SELECT max(finished_ms) FROM step_runs WHERE step_id = $1 AND ok", {step_id});
    if (!r.ok()) return r.status();
    if (!r.value().IsNull(0, 0)) out = r.value().Int(0, 0);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<RunRecord>> PostgresStateStore::Runs(int limit) {
  constexpr std::string_view kOp = "Runs";
  std::vector<RunRecord> out;
  const Param max_rows = limit > 0 ? Param(limit) : Param::Null();
  Status st = Transact(kOp, false, [&](Conn& c) -> Status {
    out.clear();
    auto r = c.Exec(kOp,
                    "SELECT id, started_ms, finished_ms, status, host, pid, summary_json FROM runs "
                    "ORDER BY started_ms DESC, id DESC LIMIT $1::bigint",
                    {max_rows});
    if (!r.ok()) return r.status();
    const PgResult& q = r.value();
    for (int i = 0; i < q.Rows(); ++i) {
      out.push_back({q.Int(i, 0), q.Int(i, 1), q.Int(i, 2), q.Text(i, 3), q.Text(i, 4), q.Int(i, 5),
                     q.Text(i, 6)});
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<StepRunRecord>> PostgresStateStore::StepRuns(int64_t run_id) {
  constexpr std::string_view kOp = "StepRuns";
  std::vector<StepRunRecord> out;
  Status st = Transact(kOp, false, [&](Conn& c) -> Status {
    out.clear();
    auto r = c.Exec(kOp,
                    "SELECT run_id, step_id, cart_id, service, started_ms, finished_ms, ok, "
                    "error, counts_json FROM step_runs WHERE run_id = $1::bigint ORDER BY id",
                    {run_id});
    if (!r.ok()) return r.status();
    const PgResult& q = r.value();
    for (int i = 0; i < q.Rows(); ++i) {
      out.push_back({q.Int(i, 0), q.Text(i, 1), q.Text(i, 2), q.Text(i, 3), q.Int(i, 4),
                     q.Int(i, 5), q.Bool(i, 6), q.Text(i, 7), q.Text(i, 8)});
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

// --- the factory branch -------------------------------------------------------------------

Result<std::unique_ptr<StateStore>> OpenPostgresStateStore(const std::string& url, bool create,
                                                           const std::string& password) {
  PostgresStateStore::Options options;
  options.create = create;
  options.password = password;
  auto store = PostgresStateStore::Open(url, options);
  if (!store.ok()) return store.status();
  return std::unique_ptr<StateStore>(std::move(store.value()));
}

}  // namespace cartsync

// The state store: what the runtime knows between runs. Every method is one
// transaction, so "record intent, do the side effect, record the result"
// maps onto calls, and a crash between any two leaves a state that the next
// run reconciles. Error messages name the method and never contain document
// contents. SQLite is the embedded engine (sqlite_state_store.h); another
// engine implements this same interface and passes the same contract
// (tests/runtime/state/state_store_contract.h).
//
// The store plays seven roles, one interface each, so a part of the runtime
// can depend on just the role it uses:
//   LeaseStore      lease_store.h      one run per cart at a time
//   CursorStore     cursor_store.h     where each download stream stands
//   OrderStore      order_store.h      downloaded orders and their pushes to the WMS
//   IntentStore     intent_store.h     unfinished side effects, for reconciliation
//   ShipmentStore   shipment_store.h   shipments and their tracking uploads
//   InventoryStore  inventory_store.h  pushed quantities, orders sent since a snapshot
//   RunStore        run_store.h        runs, step runs, last success (--due)
//   AlertStore      alert_store.h      [[notify]] alerts: once each, pending until delivered
//
// Cursors and intents are shared by orders and shipments. Each is written
// only by the role whose records it goes with, in the same transaction: the
// "orders" cursor by OrderStore::RecordDownloaded and the "shipments" one by
// ShipmentStore::RecordShipments; push intents by OrderStore, upload intents
// by ShipmentStore. What is common to both — reading a cursor, listing and
// dropping intents of either kind — is a role of its own (CursorStore,
// IntentStore) rather than a method both roles would declare. The reasons
// are in those headers.
//
// StateStore is all the roles at once: what an engine implements, and what
// OpenStateStore returns. The roles share one database, so a call through
// one role sees every earlier call through another.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "runtime/state/alert_store.h"
#include "runtime/state/cursor_store.h"
#include "runtime/state/intent_store.h"
#include "runtime/state/inventory_store.h"
#include "runtime/state/lease_store.h"
#include "runtime/state/order_store.h"
#include "runtime/state/run_store.h"
#include "runtime/state/shipment_store.h"

namespace cartsync {

class StateStore : public LeaseStore,
                   public CursorStore,
                   public OrderStore,
                   public IntentStore,
                   public ShipmentStore,
                   public InventoryStore,
                   public RunStore,
                   public AlertStore {
 public:
  ~StateStore() override = default;
};

/// Opens the store a `[state].url` names: "sqlite:PATH" (relative to
/// `base_dir`), or "postgres://…" / "postgresql://…", a libpq connection URI
/// (postgres_state_store.h; the password is `password` when not empty — the
/// resolved `[state].password`, passed to libpq as a connection parameter —
/// else from libpq's environment; never shown in a message nor stored).
/// Creates the file and its directory or the tables, migrates the schema;
/// with `create` false, a missing database is NotFound (inspecting state
/// never creates it). A SQLite store ignores `password`.
Result<std::unique_ptr<StateStore>> OpenStateStore(const std::string& url,
                                                   const std::string& base_dir, bool create = true,
                                                   const std::string& password = "");

}  // namespace cartsync

// The state store contract: what every StateStore engine must do, as a
// value-parameterized GoogleTest suite over a way of making stores. The
// cases (state_store_contract.cc) use only the StateStore interface; an
// engine's test file instantiates them once and adds its own tests:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StateStoreContract,
//                            ::testing::Values(StateStoreFactory{"Sqlite", create, reopen}),
//                            StateStoreFactoryName);
//
// (see sqlite_state_store_test.cc). The contract covers every role: each
// method's effect, all-or-nothing batches, intent guards, leases between
// store objects, concurrent writers, and records that survive a crash.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "runtime/state/state_store.h"

namespace cartsync::state_test {

/// The clock of the tests' records (2026-11-18T11:06:40Z).
inline constexpr int64_t kNow = 1'795'000'000'000;

/// An order of `cart` as a download records it: key "<cart>:<id>", number
/// "#<id>", a small cart document.
OrderRecord MakeOrder(const std::string& cart, const std::string& id, int64_t seen = kNow);
/// A shipment of `order_key` with a small WMS document.
ShipmentRecord MakeShipment(const std::string& order_key, const std::string& tracking,
                            int64_t at = kNow);

/// How the contract makes stores of one engine.
struct StateStoreFactory {
  /// The instantiation's name, shown in test names ("Sqlite").
  std::string name;
  /// A store on new, empty state private to the running test; nullptr (with
  /// a test failure) when it cannot be made, or nullptr after GTEST_SKIP (in
  /// a helper) when the engine is not available here (no server).
  std::function<std::unique_ptr<StateStore>()> create;
  /// Another store object on the state `create` made for the running test: a
  /// second connection, a second process (called after fork()) or the next
  /// run after a crash. Tests that need it are skipped when it is unset.
  std::function<std::unique_ptr<StateStore>()> reopen;
  /// Optional, after many concurrent writes: "" when what is stored is
  /// consistent, otherwise what is wrong (SQLite: integrity and foreign key
  /// checks).
  std::function<std::string()> check_consistency;
};

/// gtest prints the parameter by name.
inline void PrintTo(const StateStoreFactory& factory, std::ostream* os) { *os << factory.name; }
/// The test-name suffix of an instantiation: its factory's name.
inline std::string StateStoreFactoryName(const ::testing::TestParamInfo<StateStoreFactory>& info) {
  return info.param.name;
}

/// In a StateStoreContract test body: skips the test when the factory cannot
/// reopen a store; otherwise declares `StateStore& name`, a second store on
/// the same state (another connection; the test fails and ends when it
/// cannot be opened).
#define CARTSYNC_SECOND_STORE(name)                                      \
  if (!CanReopen()) GTEST_SKIP() << "the factory cannot reopen a store"; \
  std::unique_ptr<StateStore> name##_owner = Reopen();                   \
  ASSERT_NE(name##_owner, nullptr);                                      \
  StateStore& name = *name##_owner

class StateStoreContract : public ::testing::TestWithParam<StateStoreFactory> {
 protected:
  void SetUp() override;

  /// GetParam().reopen(), or nullptr (with a failure) when it fails.
  /// Tests calling it first GTEST_SKIP when the factory has no `reopen`.
  std::unique_ptr<StateStore> Reopen();
  bool CanReopen() const { return static_cast<bool>(GetParam().reopen); }
  /// Downloads orders and sends them: they end up Sent at `sent_at`, with
  /// the document {"order_key":"<key>"}.
  void DownloadAndSend(const std::string& cart, const std::vector<std::string>& ids,
                       int64_t sent_at);
  /// The stored order (a failure when it is missing).
  OrderRecord Get(const std::string& key);

  std::unique_ptr<StateStore> store_;
};

}  // namespace cartsync::state_test

// Every platform the schema describes has a live connector: a descriptor
// added without one (carts would check and plan, then fail every run with
// "no connector") fails this test.
#include <gtest/gtest.h>

#include "compiler/schema.h"
#include "runtime/carts/cart_connector.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_secrets.h"
#include "tests/support/scripted_transport.h"

namespace cartsync {
namespace {

TEST(ConnectorRegistry, EveryDescribedPlatformHasAConnector) {
  const Schema& schema = BuiltinSchema();
  ASSERT_GE(schema.platforms.size(), 7u);
  FakeClock clock;
  ScriptedTransport transport;
  HttpClient http{transport, clock};
  FakeSecretResolver secrets;
  for (const auto& [id, descriptor] : schema.platforms) {
    CartConfig cart;
    cart.id = "registry-" + id;
    cart.platform = id;
    // No [api] fields: a connector refuses the configuration, which still
    // proves it exists; only the registry's fallback names the platform.
    auto made = MakeCartConnector(cart, ConnectorDeps{&http, &secrets});
    if (!made.ok()) {
      EXPECT_EQ(made.status().message().find("no connector for platform"), std::string::npos)
          << id << ": " << made.status().message();
    }
  }
  transport.ExpectScriptDone();
}

TEST(ConnectorRegistry, AnUnknownPlatformIsAClearError) {
  FakeClock clock;
  ScriptedTransport transport;
  HttpClient http{transport, clock};
  FakeSecretResolver secrets;
  CartConfig cart;
  cart.id = "x";
  cart.platform = "osCommerce";
  auto made = MakeCartConnector(cart, ConnectorDeps{&http, &secrets});
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().code(), StatusCode::Permanent);
  EXPECT_NE(made.status().message().find("no connector for platform \"osCommerce\""),
            std::string::npos)
      << made.status().message();
}

}  // namespace
}  // namespace cartsync

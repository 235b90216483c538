// For the tests of cart connectors against a scripted transport: values of a
// CartConfig's [api] table (Field, Secret), and a fixture with a fake clock,
// a ScriptedTransport (its script must be used up by the end of each test),
// an HttpClient over them, fake secrets and the cart to configure.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "model/config.h"
#include "model/field.h"
#include "model/secret_ref.h"
#include "runtime/net/http_client.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_secrets.h"
#include "tests/support/scripted_transport.h"

namespace cartsync {

/// An [api] value of `type`: `cart.api["store_url"] = Field(FieldType::Url, "https://...")`.
inline FieldValue Field(FieldType type, std::string text) {
  FieldValue v;
  v.type = type;
  v.text = std::move(text);
  return v;
}

/// An [api] secret read from the environment variable `env`.
inline FieldValue Secret(std::string env) {
  FieldValue v;
  v.type = FieldType::Secret;
  v.secret = SecretRef{SecretRef::Kind::Env, std::move(env)};
  return v;
}

/// Configure `cart` (and `secrets`), script `transport`, then make the
/// connector with ConnectorDeps{&http, &secrets}.
class ScriptedConnectorTest : public ::testing::Test {
 protected:
  void TearDown() override { transport.ExpectScriptDone(); }

  /// cart `id` on WooCommerce at https://shop.example.com/, its keys in the
  /// environment variables WOO_KEY and WOO_SECRET.
  void SetUpWooCommerce(const std::string& id) {
    secrets.values["env:WOO_KEY"] = "ck_0123456789abcdef";
    secrets.values["env:WOO_SECRET"] = "cs_fedcba9876543210";
    cart.id = id;
    cart.platform = "woocommerce";
    cart.api["store_url"] = Field(FieldType::Url, "https://shop.example.com/");
    cart.api["consumer_key"] = Secret("WOO_KEY");
    cart.api["consumer_secret"] = Secret("WOO_SECRET");
  }

  /// cart `id` on BigCommerce store abc123, its token in BC_TOKEN.
  void SetUpBigCommerce(const std::string& id) {
    secrets.values["env:BC_TOKEN"] = "bc-token-0123456789";
    cart.id = id;
    cart.platform = "bigcommerce";
    cart.api["store_hash"] = Field(FieldType::String, "abc123");
    cart.api["access_token"] = Secret("BC_TOKEN");
  }

  FakeClock clock;
  ScriptedTransport transport;
  HttpClient http{transport, clock};
  FakeSecretResolver secrets;
  CartConfig cart;
};

}  // namespace cartsync

// The production wiring of a run's side effects: per cart, its own libcurl
// transport, rate limiter and HTTP client (rate limits are per store), the
// platform's connector, and the WMS transport its project declares.
#pragma once

#include <memory>
#include <string>

#include "runtime/clock.h"
#include "runtime/net/http_client.h"
#include "runtime/process_table.h"
#include "runtime/runner.h"
#include "runtime/secrets.h"

namespace cartsync {

class ProductionEnvironment : public RunEnvironment {
 public:
  /// `base_dir` resolves relative secret files, WMS directories and programs.
  ProductionEnvironment(std::string base_dir, Clock& clock, RetryPolicy retry = {});
  Result<std::unique_ptr<CartConnector>> Connector(const CartConfig& cart) override;
  Result<std::unique_ptr<WmsClient>> Wms(const WmsConfig& wms, const std::string& cart_id) override;
  ProcessTable& Processes() override { return *processes_; }
  /// The webhook's URL from its secret reference (https://, or http:// to
  /// loopback), over libcurl with short timeouts (notify.h).
  Result<std::unique_ptr<WebhookSender>> Webhook(const NotifyConfig& target) override;

 private:
  std::string base_dir_;
  Clock& clock_;
  RetryPolicy retry_;
  EnvFileSecretResolver secrets_;
  std::unique_ptr<ProcessTable> processes_ = MakeProcProcessTable();
};

}  // namespace cartsync

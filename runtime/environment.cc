#include "runtime/environment.h"

#include "base/url.h"

namespace cartsync {

namespace {

// The HTTP stack a connector or WMS client borrows, owned alongside it.
struct HttpStack {
  explicit HttpStack(Clock& clock, RetryPolicy retry)
      : transport(MakeCurlTransport()), client(*transport, clock, retry, &limiter) {}
  std::unique_ptr<HttpTransport> transport;
  RateLimiter limiter;
  HttpClient client;
};

class OwningConnector : public CartConnector {
 public:
  OwningConnector(std::unique_ptr<HttpStack> http, std::unique_ptr<CartConnector> inner)
      : http_(std::move(http)), inner_(std::move(inner)) {}
  Status FetchOrders(const OrderWindow& w,
                     const std::function<Status(std::vector<CartOrder>&&)>& sink) override {
    return inner_->FetchOrders(w, sink);
  }
  Result<bool> HasTracking(const std::string& id, const std::string& number) override {
    return inner_->HasTracking(id, number);
  }
  Status UploadTracking(const TrackingUpload& up) override { return inner_->UploadTracking(up); }
  Status FinishTracking(const TrackingUpload& up) override { return inner_->FinishTracking(up); }
  bool AcknowledgesOrders() const override { return inner_->AcknowledgesOrders(); }
  bool UsesCompletesOrder() const override { return inner_->UsesCompletesOrder(); }
  Status AcknowledgeOrder(const CartOrder& order) override {
    return inner_->AcknowledgeOrder(order);
  }
  Result<std::vector<PushError>> PushInventory(const std::vector<InventoryPush>& items) override {
    return inner_->PushInventory(items);
  }
  Result<AccessCheck> CheckAccess(const std::vector<Service>& services) override {
    return inner_->CheckAccess(services);
  }
  Result<LocationCheck> InventoryLocation() override { return inner_->InventoryLocation(); }
  Result<CatalogSkus> CartSkus(int max_pages) override { return inner_->CartSkus(max_pages); }
  Result<StoreZone> StoreTimeZone() override { return inner_->StoreTimeZone(); }

 private:
  std::unique_ptr<HttpStack> http_;  // outlives inner_: declared first, destroyed last
  std::unique_ptr<CartConnector> inner_;
};

class OwningWms : public WmsClient {
 public:
  OwningWms(std::unique_ptr<HttpStack> http, std::unique_ptr<WmsClient> inner)
      : http_(std::move(http)), inner_(std::move(inner)) {}
  Result<std::string> PushOrder(const WmsOrder& o) override { return inner_->PushOrder(o); }
  Result<std::optional<std::string>> FindOrder(const std::string& key) override {
    return inner_->FindOrder(key);
  }
  Result<ShipmentPage> PullShipments(const std::string& since) override {
    return inner_->PullShipments(since);
  }
  Result<InventorySnapshot> PullInventory(const std::string& client) override {
    return inner_->PullInventory(client);
  }
  Result<std::vector<AliasRecord>> PullAliases(const std::string& client) override {
    return inner_->PullAliases(client);
  }
  Result<WmsCancel> CancelOrder(const std::string& key) override {
    return inner_->CancelOrder(key);
  }

 private:
  std::unique_ptr<HttpStack> http_;
  std::unique_ptr<WmsClient> inner_;
};

}  // namespace

namespace {

// A webhook sender with the HTTP stack it borrows.
class OwningWebhook : public WebhookSender {
 public:
  OwningWebhook(std::unique_ptr<HttpStack> http, std::string url)
      : http_(std::move(http)), inner_(MakeHttpWebhookSender(http_->client, std::move(url))) {}
  Status Post(const std::string& json_body) override { return inner_->Post(json_body); }

 private:
  std::unique_ptr<HttpStack> http_;
  std::unique_ptr<WebhookSender> inner_;
};

}  // namespace

Result<std::unique_ptr<WebhookSender>> ProductionEnvironment::Webhook(const NotifyConfig& target) {
  auto url = secrets_.Resolve(target.url);
  if (!url.ok()) return Status::Permanent("webhook URL: " + url.status().message());
  // The reason only: the URL itself is the secret.
  if (std::string_view why = UrlRuleError(url.value()); !why.empty())
    return Status::Permanent("the webhook URL in " + target.url.Text() + " " + std::string(why));
  return std::unique_ptr<WebhookSender>(
      new OwningWebhook(std::make_unique<HttpStack>(clock_, WebhookRetryPolicy()), url.value()));
}

ProductionEnvironment::ProductionEnvironment(std::string base_dir, Clock& clock, RetryPolicy retry)
    : base_dir_(std::move(base_dir)), clock_(clock), retry_(retry), secrets_(base_dir_) {}

Result<std::unique_ptr<CartConnector>> ProductionEnvironment::Connector(const CartConfig& cart) {
  auto http = std::make_unique<HttpStack>(clock_, retry_);
  auto inner = MakeCartConnector(cart, {&http->client, &secrets_});
  if (!inner.ok()) return inner.status();
  return std::unique_ptr<CartConnector>(
      new OwningConnector(std::move(http), std::move(inner.value())));
}

Result<std::unique_ptr<WmsClient>> ProductionEnvironment::Wms(const WmsConfig& wms,
                                                              const std::string& cart_id) {
  auto http = std::make_unique<HttpStack>(clock_, retry_);
  WmsDeps deps{&http->client, &secrets_, &clock_, base_dir_, cart_id};
  auto inner = MakeWmsClient(wms, deps);
  if (!inner.ok()) return inner.status();
  return std::unique_ptr<WmsClient>(new OwningWms(std::move(http), std::move(inner.value())));
}

}  // namespace cartsync

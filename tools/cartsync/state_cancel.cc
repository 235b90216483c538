#include "tools/cartsync/state_cancel.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <utility>

#include "compiler/compiler.h"
#include "compiler/planner.h"
#include "model/plan.h"
#include "runtime/clock.h"
#include "runtime/environment.h"
#include "runtime/order_cancel.h"

namespace cartsync {

namespace {

namespace fs = std::filesystem;
constexpr int kOk = 0, kError = 1;

// The cart's WMS from the project, opened on first use: canceling an order
// that never left needs no project and no WMS.
class ProjectWms : public WmsClient {
 public:
  ProjectWms(std::string project, std::string cart_id)
      : project_(std::move(project)), cart_id_(std::move(cart_id)) {}

  Result<std::string> PushOrder(const WmsOrder&) override {
    return Status::Permanent("state cancel never sends orders");
  }
  Result<std::optional<std::string>> FindOrder(const std::string& key) override {
    auto wms = Open();
    if (!wms.ok()) return wms.status();
    return wms.value()->FindOrder(key);
  }
  Result<ShipmentPage> PullShipments(const std::string&) override {
    return Status::Permanent("state cancel reads no shipments");
  }
  Result<InventorySnapshot> PullInventory(const std::string&) override {
    return Status::Permanent("state cancel reads no inventory");
  }
  Result<std::vector<AliasRecord>> PullAliases(const std::string&) override {
    return Status::Permanent("state cancel reads no aliases");
  }
  Result<WmsCancel> CancelOrder(const std::string& key) override {
    auto wms = Open();
    if (!wms.ok()) return wms.status();
    return wms.value()->CancelOrder(key);
  }

 private:
  Result<WmsClient*> Open() {
    if (wms_) return wms_.get();
    std::error_code ec;
    if (!fs::is_regular_file(fs::path(project_) / "cartsync.toml", ec))
      return Status::Permanent("no cartsync.toml in " + project_ +
                               " (--project DIR) to reach the cart's WMS");
    CompileOptions options;
    options.paths = {project_};
    options.today = TodayUtc();
    Compilation c;
    Compile(options, c);
    if (c.diags.has_errors() || c.io_error) {
      std::string first;
      for (const Diagnostic& d : c.diags.diagnostics())
        if (first.empty() && d.severity == Severity::Error) first = ": " + d.message;
      return Status::Permanent("the project at " + project_ +
                               " does not check clean (cartsync check" + first +
                               "): its WMS is unknown");
    }
    plan_ = BuildPlan(c);
    const PlanCart* cart = nullptr;
    for (const PlanCart& pc : plan_.carts)
      if (pc.config.id == cart_id_) cart = &pc;
    if (cart == nullptr)
      return Status::Permanent("cart " + cart_id_ + " is not in the project at " + project_);
    auto wms_config = plan_.wms.find(cart->config.wms);
    if (wms_config == plan_.wms.end())
      return Status::Permanent("cart " + cart_id_ + " names no known [wms." + cart->config.wms +
                               "]");
    env_ = std::make_unique<ProductionEnvironment>(project_, clock_);
    auto opened = env_->Wms(wms_config->second, cart_id_);
    if (!opened.ok()) return opened.status();
    wms_ = std::move(opened.value());
    return wms_.get();
  }

  std::string project_, cart_id_;
  SystemClock clock_;
  Plan plan_;
  std::unique_ptr<ProductionEnvironment> env_;
  std::unique_ptr<WmsClient> wms_;
};

}  // namespace

int StateCancel(StateStore& store, const StateFlags& flags, const std::string& order_key,
                std::ostream& out, std::ostream& err) {
  auto found = store.GetOrder(order_key);
  if (!found.ok() || !found.value()) {
    err << "cartsync state: "
        << (found.ok() ? "no order \"" + order_key + "\" (keys look like cart-id:order-id)"
                       : found.status().message())
        << "\n";
    return kError;
  }
  const OrderRecord& o = *found.value();
  ProjectWms wms(flags.project, o.cart_id);
  auto r = CancelStoredOrder(store, wms, o, "canceled by hand (cartsync state cancel)",
                             SystemClock().NowMs());
  if (!r.ok()) {
    err << "cartsync state: " << order_key << " not canceled: " << r.status().message() << "\n";
    return kError;
  }
  switch (r->kind) {
    case CancelResult::Kind::NotSent:
      out << order_key << " canceled: it was never sent to the WMS and will not be\n";
      return kOk;
    case CancelResult::Kind::AtWms:
      out << r->message << "\n";
      return kOk;
    case CancelResult::Kind::Already:
      if (o.status == OrderStatus::Canceled) {
        out << r->message << "\n";
        return kOk;
      }
      err << "cartsync state: " << r->message << "\n";
      return kError;
    case CancelResult::Kind::TooLate:
      err << "cartsync state: " << r->message << " (noted on the order as cancel_too_late)\n";
      return kError;
    case CancelResult::Kind::Refused:
      err << "cartsync state: " << r->message << "\n";
      return kError;
    case CancelResult::Kind::Requested:
      err << "cartsync state: " << r->message << " (cart " << o.cart_id << ")\n";
      return kError;
  }
  return kError;
}

}  // namespace cartsync

#include "compiler/planner.h"

namespace cartsync {

Plan BuildPlan(const Compilation& c) {
  Plan plan;
  plan.sources = c.inputs;
  plan.wms = c.project.wms;
  plan.state_url = c.project.state_url;
  plan.state_password = c.project.state_password;
  plan.retain_pii_s = c.project.retain_pii_s;
  plan.notify = c.project.notify;
  for (const CartConfig& cart : c.carts) {
    PlanCart pc;
    pc.config = cart;
    for (Service s : kAllServices) {
      const ServiceConfig& svc = cart.service(s);
      if (!svc.enabled || !svc.every) continue;
      pc.steps.push_back({cart.id + "/" + std::string(ServiceName(s)), s, *svc.every});
    }
    plan.carts.push_back(std::move(pc));
  }
  return plan;
}

}  // namespace cartsync

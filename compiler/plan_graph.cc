#include "compiler/plan_graph.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/html.h"
#include "base/strings.h"
#include "compiler/safe_text.h"

namespace cartsync {
namespace {

// ---------------------------------------------------------------------------
// What the pictures say, before any format's escaping.

// As the previews show text from cart files (plan_render.cc, WriteShown):
// credential-like strings masked, terminal controls (newlines too) escaped.
std::string Shown(std::string_view s) { return EscapeControls(MaskSecrets(s)); }

std::string ScheduleText(const Schedule& s) {
  return s.kind == Schedule::Kind::Interval ? "every " + s.Canonical() : s.Canonical();
}

const PlanStep* FindStep(const PlanCart& cart, Service s) {
  for (const PlanStep& step : cart.steps)
    if (step.service == s) return &step;
  return nullptr;
}

std::string ServiceState(const PlanCart& cart, Service s) {
  const PlanStep* step = FindStep(cart, s);
  return step ? ScheduleText(step->every) : "disabled";
}

std::string Plural(size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string Headline(const Plan& plan) {
  size_t steps = 0;
  for (const PlanCart& cart : plan.carts) steps += cart.steps.size();
  return Plural(plan.carts.size(), "cart", "carts") + ", " + Plural(steps, "step", "steps") + ", " +
         Plural(plan.wms.size(), "WMS connection", "WMS connections");
}

// The WMS boxes: every connection of the project, and any a cart names that
// the project does not define (drawn, marked "not defined").
std::vector<std::string> WmsNames(const Plan& plan) {
  std::set<std::string> names;
  for (const auto& [name, wms] : plan.wms) names.insert(name);
  for (const PlanCart& cart : plan.carts)
    if (!cart.config.wms.empty()) names.insert(cart.config.wms);
  return {names.begin(), names.end()};
}

std::string WmsSystem(const Plan& plan, const std::string& name) {
  auto it = plan.wms.find(name);
  return it == plan.wms.end() ? "not defined" : it->second.system;
}

std::string CartSubtitle(const CartConfig& c) {
  return c.platform + (c.client.empty() ? "" : " \xC2\xB7 " + c.client);
}

// ---------------------------------------------------------------------------
// Graphviz.

// A DOT quoted string: only `"` is an escape there, and a label reads `\x`
// sequences, so backslashes are doubled too; newlines are already escaped.
std::string DotQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// A two-line label: both lines escaped, joined by DOT's own "\n".
std::string DotLabel(std::string_view first, std::string_view second) {
  std::string a = DotQuote(Shown(first)), b = DotQuote(Shown(second));
  return a.substr(0, a.size() - 1) + "\\n" + b.substr(1);
}

std::string CartNode(const CartConfig& c) { return DotQuote("cart:" + Shown(c.id)); }
std::string ServiceNode(const CartConfig& c, Service s) {
  return DotQuote("service:" + Shown(c.id) + "/" + std::string(ServiceName(s)));
}
std::string WmsNode(const std::string& name) { return DotQuote("wms:" + Shown(name)); }

// ---------------------------------------------------------------------------
// HTML + SVG.

// Shortens `s` to at most `max` code points (the last one an ellipsis).
std::string Fit(const std::string& s, size_t max) {
  size_t points = 0, cut = std::string::npos;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (points == max - 1) cut = i;
    if (++points > max) return s.substr(0, cut) + "\xE2\x80\xA6";
  }
  return s;
}

// Text for the page: shown as the previews show it, then HTML-escaped.
std::string H(std::string_view s) { return HtmlEscape(Shown(s)); }

constexpr int kTop = 48;  // below the column titles
constexpr int kCartX = 16, kCartW = 250, kCartH = 56;
constexpr int kSvcX = 340, kSvcW = 250, kSvcH = 40, kSvcGap = 8;
constexpr int kWmsX = 680, kWmsW = 220, kWmsH = 56, kWmsGap = 24;
constexpr int kBandGap = 24;  // between two carts' bands
constexpr int kWidth = 916;
constexpr size_t kFitCart = 30;  // code points in a box line (monospace-free estimate)
constexpr size_t kFitSvc = 30;
constexpr size_t kFitWms = 26;
constexpr int kBand = 3 * kSvcH + 2 * kSvcGap;

std::string Edge(int x1, int y1, int x2, int y2, std::string_view cls) {
  int mid = (x1 + x2) / 2;
  return "<path class=\"" + std::string(cls) + "\" d=\"M" + std::to_string(x1) + " " +
         std::to_string(y1) + " C" + std::to_string(mid) + " " + std::to_string(y1) + " " +
         std::to_string(mid) + " " + std::to_string(y2) + " " + std::to_string(x2) + " " +
         std::to_string(y2) + "\"/>\n";
}

// A box with a tooltip and two lines of text (each shortened to `fit`).
void Box(std::ostream& out, std::string_view cls, std::string_view data, int x, int y, int w, int h,
         const std::string& title, const std::string& line1, const std::string& line2, size_t fit) {
  std::string sx = std::to_string(x), sy = std::to_string(y);
  out << "<g class=\"" << cls << "\" " << data << ">"
      << "<title>" << HtmlEscape(title) << "</title>"
      << "<rect x=\"" << sx << "\" y=\"" << sy << "\" width=\"" << w << "\" height=\"" << h
      << "\" rx=\"8\"/>"
      << "<text class=\"l1\" x=\"" << x + 12 << "\" y=\"" << y + h / 2 - 4 << "\">"
      << HtmlEscape(Fit(line1, fit)) << "</text>"
      << "<text class=\"l2\" x=\"" << x + 12 << "\" y=\"" << y + h / 2 + 13 << "\">"
      << HtmlEscape(Fit(line2, fit)) << "</text></g>\n";
}

constexpr std::string_view kCss = R"(
:root{color-scheme:light}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
  margin:24px;color:#1e293b;background:#fff}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 8px}
.headline{color:#475569;margin:0 0 16px}
.diagram{overflow-x:auto;border:1px solid #e2e8f0;border-radius:8px;padding:8px;background:#f8fafc}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
svg .col{font-size:12px;font-weight:600;fill:#64748b;letter-spacing:.05em;text-transform:uppercase}
svg .l1{font-size:13px;font-weight:600;fill:#0f172a}
svg .l2{font-size:12px;fill:#334155}
svg .cart rect{fill:#dbeafe;stroke:#3b82f6;stroke-width:1.5}
svg .service.on rect{fill:#dcfce7;stroke:#16a34a;stroke-width:1.5}
svg .service.off rect{fill:#f1f5f9;stroke:#94a3b8;stroke-width:1.2;stroke-dasharray:5 4}
svg .service.off text{fill:#64748b}
svg .wms rect{fill:#fef3c7;stroke:#d97706;stroke-width:1.5}
svg .wms.undefined rect{fill:#fee2e2;stroke:#dc2626}
svg path{fill:none;stroke-width:1.5}
svg path.on{stroke:#64748b}
svg path.off{stroke:#cbd5e1;stroke-dasharray:4 4}
table{border-collapse:collapse;margin:4px 0 12px;min-width:60%}
th,td{border:1px solid #e2e8f0;padding:5px 9px;text-align:left;vertical-align:top}
th{background:#f1f5f9;font-weight:600}
td code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:break-word}
.on-cell{color:#166534}
.off-cell{color:#64748b;font-style:italic}
.undefined-cell{color:#b91c1c}
footer{margin-top:24px;color:#64748b;font-size:12px}
)";

void HtmlDiagram(const Plan& plan, std::ostream& out) {
  const std::vector<std::string> wms = WmsNames(plan);
  const int carts = static_cast<int>(plan.carts.size());
  const int wms_count = static_cast<int>(wms.size());
  int carts_h = carts ? carts * kBand + (carts - 1) * kBandGap : kBand;
  int wms_h = wms_count ? wms_count * kWmsH + (wms_count - 1) * kWmsGap : 0;
  int content_h = std::max(carts_h, wms_h);
  int height = kTop + content_h + 16;

  // Where each WMS box sits: spread over the height, centred.
  std::map<std::string, int> wms_y;  // top of the box
  for (int j = 0; j < wms_count; ++j)
    wms_y[wms[j]] = kTop + (content_h - wms_h) / 2 + j * (kWmsH + kWmsGap);

  out << "<div class=\"diagram\"><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
      << "aria-label=\"carts, their services and the WMS connections they send to\" width=\""
      << kWidth << "\" height=\"" << height << "\" viewBox=\"0 0 " << kWidth << " " << height
      << "\">\n"
      << "<text class=\"col\" x=\"" << kCartX << "\" y=\"24\">Carts</text>"
      << "<text class=\"col\" x=\"" << kSvcX << "\" y=\"24\">Services and schedules</text>"
      << "<text class=\"col\" x=\"" << kWmsX << "\" y=\"24\">WMS connections</text>\n";

  // Edges first, so boxes are drawn over their ends.
  out << "<g class=\"edges\">\n";
  for (int i = 0; i < carts; ++i) {
    const PlanCart& cart = plan.carts[i];
    int band = kTop + i * (kBand + kBandGap);
    int cart_mid = band + kBand / 2;
    for (size_t k = 0; k < std::size(kAllServices); ++k) {
      Service s = kAllServices[k];
      bool on = FindStep(cart, s) != nullptr;
      int svc_mid = band + static_cast<int>(k) * (kSvcH + kSvcGap) + kSvcH / 2;
      out << Edge(kCartX + kCartW, cart_mid, kSvcX, svc_mid, on ? "on" : "off");
      auto w = wms_y.find(cart.config.wms);
      if (on && w != wms_y.end())
        out << Edge(kSvcX + kSvcW, svc_mid, kWmsX, w->second + kWmsH / 2, "on");
    }
  }
  out << "</g>\n";

  for (int i = 0; i < carts; ++i) {
    const CartConfig& c = plan.carts[i].config;
    int band = kTop + i * (kBand + kBandGap);
    std::string id = Shown(c.id);
    std::string title = id + (c.name.empty() ? "" : " \xE2\x80\x94 " + Shown(c.name)) + "\n" +
                        Shown(CartSubtitle(c)) +
                        "\nWMS: " + (c.wms.empty() ? "(none)" : Shown(c.wms));
    Box(out, "cart", "data-cart=\"" + HtmlEscape(id) + "\"", kCartX, band + (kBand - kCartH) / 2,
        kCartW, kCartH, title, id, Shown(CartSubtitle(c)), kFitCart);
    for (size_t k = 0; k < std::size(kAllServices); ++k) {
      Service s = kAllServices[k];
      bool on = FindStep(plan.carts[i], s) != nullptr;
      std::string name(ServiceName(s)), state = ServiceState(plan.carts[i], s);
      Box(out, on ? "service on" : "service off",
          "data-cart=\"" + HtmlEscape(id) + "\" data-service=\"" + name + "\"", kSvcX,
          band + static_cast<int>(k) * (kSvcH + kSvcGap), kSvcW, kSvcH,
          id + "/" + name + ": " + state, name, state, kFitSvc);
    }
  }
  for (const std::string& name : wms) {
    bool defined = plan.wms.count(name) != 0;
    std::string shown = Shown(name), system = Shown(WmsSystem(plan, name));
    Box(out, defined ? "wms" : "wms undefined", "data-wms=\"" + HtmlEscape(shown) + "\"", kWmsX,
        wms_y[name], kWmsW, kWmsH, "WMS " + shown + " (" + system + ")", shown, system, kFitWms);
  }
  if (plan.carts.empty())
    out << "<text class=\"l2\" x=\"" << kCartX << "\" y=\"" << kTop + 20 << "\">no carts</text>\n";
  out << "</svg></div>\n";
}

void HtmlCartTable(const Plan& plan, std::ostream& out) {
  out << "<h2>Carts</h2>\n<table class=\"carts\">\n<thead><tr><th>cart</th><th>name</th>"
      << "<th>platform</th><th>client</th><th>WMS</th>";
  for (Service s : kAllServices) out << "<th>" << ServiceName(s) << "</th>";
  out << "<th>source</th></tr></thead>\n<tbody>\n";
  for (const PlanCart& cart : plan.carts) {
    const CartConfig& c = cart.config;
    bool wms_defined = c.wms.empty() || plan.wms.count(c.wms) != 0;  // none: nothing to flag
    out << "<tr data-cart=\"" << H(c.id) << "\"><td><code>" << H(c.id) << "</code></td><td>"
        << H(c.name) << "</td><td>" << H(c.platform) << "</td><td>" << H(c.client) << "</td>"
        << "<td" << (wms_defined ? "" : " class=\"undefined-cell\"") << ">"
        << (c.wms.empty() ? "(none)" : H(c.wms)) << (wms_defined ? "" : " (not defined)")
        << "</td>";
    for (Service s : kAllServices) {
      bool on = FindStep(cart, s) != nullptr;
      out << "<td class=\"" << (on ? "on-cell" : "off-cell") << "\" data-service=\""
          << ServiceName(s) << "\">" << HtmlEscape(ServiceState(cart, s)) << "</td>";
    }
    out << "<td><code>" << H(c.source) << "</code></td></tr>\n";
  }
  out << "</tbody>\n</table>\n";
}

void HtmlWmsTable(const Plan& plan, std::ostream& out) {
  out << "<h2>WMS connections</h2>\n<table class=\"wms\">\n<thead><tr><th>WMS</th>"
      << "<th>system</th><th>warehouses</th><th>carriers</th><th>carts</th></tr></thead>\n"
      << "<tbody>\n";
  for (const std::string& name : WmsNames(plan)) {
    auto it = plan.wms.find(name);
    std::vector<std::string> users;
    for (const PlanCart& cart : plan.carts)
      if (cart.config.wms == name) users.push_back(cart.config.id);
    out << "<tr data-wms=\"" << H(name) << "\"><td><code>" << H(name) << "</code></td>";
    if (it == plan.wms.end()) {
      out << "<td class=\"undefined-cell\" colspan=\"3\">not defined in the project</td>";
    } else {
      const WmsConfig& w = it->second;
      out << "<td>" << H(w.system) << "</td><td>" << H(Join(w.warehouses)) << "</td><td>"
          << H(Join(w.carriers)) << "</td>";
    }
    out << "<td>" << (users.empty() ? "none" : H(Join(users))) << "</td></tr>\n";
  }
  out << "</tbody>\n</table>\n";
}

}  // namespace

void RenderPlanDot(const Plan& plan, std::ostream& out) {
  out << "// cartsync plan: carts -> services -> WMS connections (dot -Tsvg)\n"
      << "digraph \"cartsync plan\" {\n"
      << "  graph [rankdir=LR, fontname=\"Helvetica\", nodesep=0.2, ranksep=1.0, labelloc=t, "
      << "label=" << DotQuote("cartsync plan: " + Headline(plan)) << "];\n"
      << "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11, "
      << "color=\"#475569\"];\n"
      << "  edge [color=\"#64748b\", arrowsize=0.7];\n";
  for (const PlanCart& cart : plan.carts) {
    const CartConfig& c = cart.config;
    out << "\n  " << CartNode(c) << " [label=" << DotLabel(c.id, CartSubtitle(c))
        << ", tooltip=" << DotQuote(Shown(c.name.empty() ? c.id : c.name))
        << ", fillcolor=\"#dbeafe\"];\n";
    for (Service s : kAllServices) {
      bool on = FindStep(cart, s) != nullptr;
      out << "  " << ServiceNode(c, s)
          << " [label=" << DotLabel(ServiceName(s), ServiceState(cart, s))
          << (on ? ", fillcolor=\"#dcfce7\"]"
                 : ", style=\"rounded,filled,dashed\", fillcolor=\"#f1f5f9\", "
                   "fontcolor=\"#64748b\"]")
          << ";\n";
      out << "  " << CartNode(c) << " -> " << ServiceNode(c, s)
          << (on ? "" : " [style=dashed, color=\"#cbd5e1\"]") << ";\n";
      if (on && !c.wms.empty())
        out << "  " << ServiceNode(c, s) << " -> " << WmsNode(c.wms) << ";\n";
    }
  }
  out << "\n";
  for (const std::string& name : WmsNames(plan)) {
    bool defined = plan.wms.count(name) != 0;
    out << "  " << WmsNode(name) << " [label=" << DotLabel(name, WmsSystem(plan, name))
        << ", shape=cylinder, style=filled, fillcolor=" << (defined ? "\"#fef3c7\"" : "\"#fee2e2\"")
        << "];\n";
  }
  out << "}\n";
}

void RenderPlanHtml(const Plan& plan, std::ostream& out) {
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      << "style-src 'unsafe-inline'\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>cartsync plan</title>\n<style>" << kCss << "</style>\n</head>\n<body>\n"
      << "<h1>cartsync plan</h1>\n<p class=\"headline\">" << HtmlEscape(Headline(plan)) << "</p>\n";
  HtmlDiagram(plan, out);
  HtmlCartTable(plan, out);
  HtmlWmsTable(plan, out);
  out << "<footer>Compiled from " << Plural(plan.sources.size(), "file", "files")
      << "; plan format " << plan.format_version
      << ". Secrets appear in a plan only as references and are not shown here.</footer>\n"
      << "</body>\n</html>\n";
}

}  // namespace cartsync

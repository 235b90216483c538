#include "compiler/plan_graph.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <string>

#include "model/grammar.h"
#include "tests/support/text_count.h"

namespace cartsync {
namespace {

Schedule Every(std::string_view text) {
  auto r = ParseSchedule(text);
  EXPECT_TRUE(r) << text << ": " << r.error.message;
  return r ? *r.value : Schedule{};
}

// Adds the step the way BuildPlan does (services in execution order).
void Enable(PlanCart& cart, Service s, std::string_view every) {
  cart.config.services[static_cast<size_t>(s)] = {true, Every(every)};
  cart.steps.push_back({cart.config.id + "/" + std::string(ServiceName(s)), s, Every(every)});
}

PlanCart Cart(std::string id, std::string platform, std::string wms) {
  PlanCart cart;
  cart.config.id = std::move(id);
  cart.config.client = "acme-apparel";
  cart.config.platform = std::move(platform);
  cart.config.wms = std::move(wms);
  cart.config.source = "carts.d/" + cart.config.id + ".toml";
  FieldValue token;
  token.type = FieldType::Secret;
  token.secret = SecretRef{SecretRef::Kind::Env, "ACME_SHOPIFY_TOKEN"};
  cart.config.api["access_token"] = token;
  return cart;
}

// acme (shopify, all three services) and bluebird (woocommerce, shipment
// upload disabled), both sending to "main".
Plan TwoCarts() {
  Plan plan;
  PlanCart acme = Cart("acme-shopify", "shopify", "main");
  acme.config.name = "ACME Apparel";
  Enable(acme, Service::OrderDownload, "15m");
  Enable(acme, Service::ShipmentUpload, "30m");
  Enable(acme, Service::InventoryUpload, "hourly");
  PlanCart bluebird = Cart("bluebird-woo", "woocommerce", "main");
  Enable(bluebird, Service::OrderDownload, "30m");
  Enable(bluebird, Service::InventoryUpload, "daily at 02:30");
  plan.carts = {acme, bluebird};
  WmsConfig main;
  main.name = "main";
  main.system = "http";
  main.warehouses = {"east", "west"};
  main.carriers = {"UPS", "FEDEX"};
  plan.wms["main"] = main;
  plan.sources = {{"carts.d/acme-shopify.toml", "00"}, {"carts.d/bluebird-woo.toml", "11"}};
  return plan;
}

std::string Dot(const Plan& plan) {
  std::ostringstream out;
  RenderPlanDot(plan, out);
  return out.str();
}

std::string Html(const Plan& plan) {
  std::ostringstream out;
  RenderPlanHtml(plan, out);
  return out.str();
}

TEST(PlanDotTest, DrawsCartsServicesAndWmsLeftToRight) {
  std::string dot = Dot(TwoCarts());
  EXPECT_EQ(dot.rfind("// cartsync plan", 0), 0u) << dot;
  EXPECT_NE(dot.find("digraph \"cartsync plan\" {\n"), std::string::npos);
  EXPECT_NE(dot.find("rankdir=LR"), std::string::npos);
  EXPECT_NE(dot.find("label=\"cartsync plan: 2 carts, 5 steps, 1 WMS connection\""),
            std::string::npos);
  EXPECT_NE(dot.find("\"cart:acme-shopify\" [label=\"acme-shopify\\nshopify \xC2\xB7 "
                     "acme-apparel\", tooltip=\"ACME Apparel\", fillcolor=\"#dbeafe\"];"),
            std::string::npos)
      << dot;
  EXPECT_NE(dot.find("\"service:acme-shopify/order_download\" [label=\"order_download\\nevery "
                     "15m\", fillcolor=\"#dcfce7\"];"),
            std::string::npos);
  EXPECT_NE(dot.find("\"service:acme-shopify/inventory_upload\" [label=\"inventory_upload\\n"
                     "hourly\""),
            std::string::npos);
  EXPECT_NE(dot.find("\"service:bluebird-woo/inventory_upload\" [label=\"inventory_upload\\n"
                     "daily at 02:30\""),
            std::string::npos);
  // The disabled service: dashed, no edge on to the WMS.
  EXPECT_NE(dot.find("\"service:bluebird-woo/shipment_upload\" [label=\"shipment_upload\\n"
                     "disabled\", style=\"rounded,filled,dashed\""),
            std::string::npos);
  EXPECT_NE(dot.find("\"cart:bluebird-woo\" -> \"service:bluebird-woo/shipment_upload\" "
                     "[style=dashed"),
            std::string::npos);
  EXPECT_EQ(dot.find("\"service:bluebird-woo/shipment_upload\" -> "), std::string::npos);
  EXPECT_NE(dot.find("\"service:acme-shopify/shipment_upload\" -> \"wms:main\";"),
            std::string::npos);
  EXPECT_EQ(Count(dot, " -> \"wms:main\";"), 5u);  // one per enabled service
  EXPECT_EQ(Count(dot, " -> \"service:"), 6u);     // one per service of each cart
  EXPECT_NE(dot.find("\"wms:main\" [label=\"main\\nhttp\", shape=cylinder"), std::string::npos);
  EXPECT_EQ(dot.back(), '\n');
  EXPECT_EQ(dot.substr(dot.size() - 2), "}\n");
}

TEST(PlanDotTest, QuotesAndEscapesHostileIds) {
  Plan plan = TwoCarts();
  plan.carts[0].config.id = "x\"] ; evil -> \"y\\";
  plan.carts[0].config.name = "line1\nline2";
  std::string dot = Dot(plan);
  // `"` and `\` escaped, so the id stays one quoted string.
  EXPECT_NE(dot.find("\"cart:x\\\"] ; evil -> \\\"y\\\\\" [label=\"x\\\"] ; evil -> \\\"y\\\\\\n"),
            std::string::npos)
      << dot;
  // A newline in a name is shown escaped, never a raw line break in the file.
  EXPECT_NE(dot.find("tooltip=\"line1\\\\u000aline2\""), std::string::npos) << dot;
  // Every line of the file is a comment, a statement or a brace: nothing spilled.
  std::istringstream lines(dot);
  std::string line;
  std::regex statement(R"(^(//.*|digraph .*\{|\}|\s*|  .*;)$)");
  while (std::getline(lines, line)) EXPECT_TRUE(std::regex_match(line, statement)) << line;
}

TEST(PlanDotTest, UndefinedWmsIsDrawnRed) {
  Plan plan = TwoCarts();
  plan.carts[1].config.wms = "backup";
  std::string dot = Dot(plan);
  EXPECT_NE(dot.find("\"wms:backup\" [label=\"backup\\nnot defined\", shape=cylinder, "
                     "style=filled, fillcolor=\"#fee2e2\"];"),
            std::string::npos)
      << dot;
  EXPECT_NE(dot.find("\"service:bluebird-woo/order_download\" -> \"wms:backup\";"),
            std::string::npos);
}

TEST(PlanDotTest, IsDeterministic) { EXPECT_EQ(Dot(TwoCarts()), Dot(TwoCarts())); }

TEST(PlanHtmlTest, OneSelfContainedPageWithoutScriptOrExternalUrl) {
  std::string html = Html(TwoCarts());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0), 0u);
  EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none'; style-src "
                      "'unsafe-inline'\""),
            std::string::npos);
  EXPECT_NE(html.find("<style>"), std::string::npos);
  EXPECT_NE(html.find("<svg xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  for (const char* external : {"src=", "href=", "url(", "@import", "<link", "https:"})
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  // The only "http://" is the SVG namespace, which nothing fetches.
  EXPECT_EQ(Count(html, "http://"), 1u);
  EXPECT_EQ(html.substr(html.size() - 8), "</html>\n");
}

TEST(PlanHtmlTest, DiagramHasCartsServicesWithSchedulesAndWms) {
  std::string html = Html(TwoCarts());
  EXPECT_NE(html.find("<p class=\"headline\">2 carts, 5 steps, 1 WMS connection</p>"),
            std::string::npos);
  EXPECT_EQ(Count(html, "<g class=\"cart\" "), 2u);
  EXPECT_EQ(Count(html, "<g class=\"service on\" "), 5u);
  EXPECT_EQ(Count(html, "<g class=\"service off\" "), 1u);
  EXPECT_EQ(Count(html, "<g class=\"wms\" "), 1u);
  EXPECT_NE(html.find("<g class=\"service off\" data-cart=\"bluebird-woo\" "
                      "data-service=\"shipment_upload\">"),
            std::string::npos);
  EXPECT_NE(html.find(">every 15m</text>"), std::string::npos);
  EXPECT_NE(html.find(">daily at 02:30</text>"), std::string::npos);
  EXPECT_NE(html.find(">disabled</text>"), std::string::npos);
  EXPECT_NE(html.find("<text class=\"l1\" x=\"692\" y=\""), std::string::npos);  // WMS column
  // Edges: one per service of each cart, one per enabled service to the WMS.
  EXPECT_EQ(Count(html, "<path class=\"on\""), 5u + 5u);
  EXPECT_EQ(Count(html, "<path class=\"off\""), 1u);
}

TEST(PlanHtmlTest, TablesListCartsAndWms) {
  std::string html = Html(TwoCarts());
  EXPECT_NE(html.find("<tr data-cart=\"acme-shopify\"><td><code>acme-shopify</code></td><td>"
                      "ACME Apparel</td><td>shopify</td><td>acme-apparel</td><td>main</td>"
                      "<td class=\"on-cell\" data-service=\"order_download\">every 15m</td>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<td class=\"off-cell\" data-service=\"shipment_upload\">disabled</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<tr data-wms=\"main\"><td><code>main</code></td><td>http</td><td>east, "
                      "west</td><td>UPS, FEDEX</td><td>acme-shopify, bluebird-woo</td></tr>"),
            std::string::npos);
}

TEST(PlanHtmlTest, EscapesEveryTextFromCartFiles) {
  Plan plan = TwoCarts();
  plan.carts[0].config.id = "a\"b'c<script>alert(1)</script>";
  plan.carts[0].config.name = "<img src=x onerror=alert(1)> & co";
  plan.carts[0].config.client = "\x1b[31mred";
  std::string html = Html(plan);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find('\x1b'), std::string::npos);
  EXPECT_NE(html.find("data-cart=\"a&quot;b&#39;c&lt;script&gt;alert(1)&lt;/script&gt;\""),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<td>&lt;img src=x onerror=alert(1)&gt; &amp; co</td>"), std::string::npos);
  EXPECT_NE(html.find("\\u001b[31mred"), std::string::npos);
}

TEST(PlanHtmlTest, NoSecretOrReferenceAndCredentialsMasked) {
  Plan plan = TwoCarts();
  plan.carts[1].config.name = "shpat_0123456789abcdef0123456789abcdef";
  std::string html = Html(plan), dot = Dot(plan);
  for (const std::string& out : {html, dot}) {
    EXPECT_EQ(out.find("ACME_SHOPIFY_TOKEN"), std::string::npos);  // [api] is not drawn
    EXPECT_EQ(out.find("0123456789abcdef0123"), std::string::npos);
  }
  EXPECT_NE(html.find("<td>" + std::string(38, '*') + "</td>"), std::string::npos);
}

TEST(PlanHtmlTest, LongTextsShortenedInTheDiagramWholeInTooltipAndTable) {
  Plan plan = TwoCarts();
  std::string id = "a-very-long-cart-identifier-that-goes-on-and-on-\xC3\xA9t\xC3\xA9";
  plan.carts[0].config.id = id;
  std::string html = Html(plan);
  // 29 code points and an ellipsis in the box.
  EXPECT_NE(html.find(">a-very-long-cart-identifier-t\xE2\x80\xA6</text>"), std::string::npos)
      << html;
  EXPECT_NE(html.find("<title>" + id + " \xE2\x80\x94 ACME Apparel"), std::string::npos);
  EXPECT_NE(html.find("<code>" + id + "</code>"), std::string::npos);
}

TEST(PlanHtmlTest, EmptyPlanAndUndefinedWms) {
  Plan empty;
  std::string html = Html(empty);
  EXPECT_NE(html.find(">no carts</text>"), std::string::npos);
  EXPECT_NE(html.find("0 carts, 0 steps, 0 WMS connections"), std::string::npos);

  Plan plan = TwoCarts();
  plan.carts[1].config.wms = "backup";
  html = Html(plan);
  EXPECT_NE(html.find("<g class=\"wms undefined\" data-wms=\"backup\">"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"undefined-cell\">backup (not defined)</td>"), std::string::npos);
  EXPECT_EQ(Html(plan), html);  // deterministic

  // A cart without a WMS: said so, nothing flagged, no edge to a WMS.
  plan.carts[1].config.wms.clear();
  html = Html(plan);
  EXPECT_NE(html.find("<td>(none)</td>"), std::string::npos);
  EXPECT_EQ(html.find("class=\"undefined-cell\""), std::string::npos);
  EXPECT_EQ(html.find("class=\"wms undefined\""), std::string::npos);
  EXPECT_EQ(Count(html, "<path class=\"on\""), 5u + 3u);
  EXPECT_EQ(Count(Dot(plan), " -> \"wms:"), 3u);
}

}  // namespace
}  // namespace cartsync

#include "runtime/report_html.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/text_count.h"

namespace cartsync {
namespace {

StepOutcome Step(std::string cart, Service service, StepOutcome::State state) {
  StepOutcome s;
  s.cart_id = std::move(cart);
  s.service = service;
  s.step_id = s.cart_id + "/" + std::string(ServiceName(service));
  s.state = state;
  s.started_ms = 1'790'000'000'000;
  s.finished_ms = s.started_ms + 1'300;
  return s;
}

// acme: orders ok (12 downloaded, 9 sent, 2 held, 1 skipped), shipments ok;
// bluebird: orders failed (1 failed to send), inventory not due.
RunReport Report() {
  RunReport r;
  r.run_id = 42;
  r.started_ms = 1'790'000'000'000;
  r.finished_ms = r.started_ms + 3'400;
  StepOutcome orders = Step("acme-shopify", Service::OrderDownload, StepOutcome::State::Ok);
  orders.counts.downloaded = 12;
  orders.counts.sent = 9;
  orders.counts.held = 2;
  orders.counts.skipped = 1;
  StepOutcome ship = Step("acme-shopify", Service::ShipmentUpload, StepOutcome::State::Ok);
  ship.counts.shipments = 4;
  ship.counts.tracking_uploaded = 4;
  ship.finished_ms = ship.started_ms + 80;
  StepOutcome failed = Step("bluebird-woo", Service::OrderDownload, StepOutcome::State::Failed);
  failed.counts.downloaded = 3;
  failed.counts.sent = 2;
  failed.counts.send_failed = 1;
  failed.error = "WMS refused order #1001: HTTP 422";
  StepOutcome stock = Step("bluebird-woo", Service::InventoryUpload, StepOutcome::State::NotDue);
  r.steps = {orders, ship, stock, failed};  // sorted by step id, as Runner::Run gives them
  return r;
}

TEST(ReportHtmlTest, OneSelfContainedPageWithoutScriptOrExternalUrl) {
  std::string html = ReportHtml(Report());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0), 0u);
  EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_NE(html.find("default-src 'none'; style-src 'unsafe-inline'"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  for (const char* external : {"src=", "href=", "url(", "@import", "<link", "http:", "https:"})
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  EXPECT_EQ(html.substr(html.size() - 8), "</html>\n");
  EXPECT_EQ(ReportHtml(Report()), html);  // deterministic
}

TEST(ReportHtmlTest, HeaderSaysStatusTimesAndStepsByState) {
  std::string html = ReportHtml(Report());
  EXPECT_NE(html.find("<title>cartsync run 42: failed</title>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"badge failed\" id=\"run-status\">failed</span>"),
            std::string::npos);
  EXPECT_NE(html.find("started <time>2026-09-21T14:13:20Z</time>, finished "
                      "<time>2026-09-21T14:13:23Z</time> (3.4 s); 4 steps: 2 ok, 1 failed, 1 "
                      "not due, 0 locked"),
            std::string::npos)
      << html;
  EXPECT_EQ(html.find("dry run"), std::string::npos);
}

TEST(ReportHtmlTest, TotalsOverAllSteps) {
  std::string html = ReportHtml(Report());
  auto total = [&](const std::string& key, const std::string& label, int value) {
    return html.find("data-total=\"" + key + "\"") != std::string::npos &&
           html.find("<th>" + label + "</th><td class=\"num\">" + std::to_string(value) +
                     "</td>") != std::string::npos;
  };
  EXPECT_TRUE(total("downloaded", "downloaded", 15));
  EXPECT_TRUE(total("sent", "sent", 11));
  EXPECT_TRUE(total("held", "held", 2));
  EXPECT_TRUE(total("send_failed", "failed to send", 1));
  EXPECT_TRUE(total("tracking_uploaded", "tracking uploaded", 4));
  EXPECT_TRUE(total("skus_pushed", "SKUs pushed", 0));
  EXPECT_EQ(html.find("data-total=\"ack_failed\""), std::string::npos);  // zero: left out
}

TEST(ReportHtmlTest, SectionPerCartRowPerStepWithCountsErrorsAndDurations) {
  std::string html = ReportHtml(Report());
  EXPECT_EQ(Count(html, "<section class=\"cart\""), 2u);
  EXPECT_NE(html.find("<section class=\"cart\" data-cart=\"acme-shopify\">\n<h2><code>"
                      "acme-shopify</code> <span class=\"badge ok\">ok</span></h2>"),
            std::string::npos);
  EXPECT_NE(html.find("<section class=\"cart\" data-cart=\"bluebird-woo\">\n<h2><code>"
                      "bluebird-woo</code> <span class=\"badge failed\">failed</span></h2>"),
            std::string::npos);
  EXPECT_NE(html.find("<tr class=\"step step-ok\" data-step=\"acme-shopify/order_download\">"
                      "<td>order_download</td><td><span class=\"badge ok\">ok</span></td><td "
                      "class=\"num\">1.3 s</td><td><ul class=\"counts\"><li data-count="
                      "\"downloaded\"><b>12</b> downloaded</li><li data-count=\"sent\"><b>9</b> "
                      "sent</li><li data-count=\"held\"><b>2</b> held</li><li data-count="
                      "\"skipped\"><b>1</b> skipped</li></ul></td><td></td></tr>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<td class=\"num\">80 ms</td><td><ul class=\"counts\"><li data-count="
                      "\"shipments\"><b>4</b> shipments</li><li data-count=\"tracking_uploaded\">"
                      "<b>4</b> tracking uploaded</li></ul>"),
            std::string::npos);
  EXPECT_NE(html.find("<tr class=\"step step-failed\" data-step=\"bluebird-woo/order_download\">"),
            std::string::npos);
  // Rows in the order the services run, not by step id.
  EXPECT_LT(html.find("data-step=\"bluebird-woo/order_download\""),
            html.find("data-step=\"bluebird-woo/inventory_upload\""));
  EXPECT_NE(html.find("<li data-count=\"send_failed\" class=\"bad\"><b>1</b> failed to send</li>"),
            std::string::npos);
  EXPECT_NE(html.find("<div class=\"error\">WMS refused order #1001: HTTP 422</div>"),
            std::string::npos);
  // A step that did not run: its state, no counts, no duration.
  EXPECT_NE(html.find("<td><span class=\"badge notdue\">not due</span></td><td class=\"num\">"
                      "\xE2\x80\x94</td><td>\xE2\x80\x94</td>"),
            std::string::npos);
}

TEST(ReportHtmlTest, EscapesCartIdsErrorsAndPreviews) {
  RunReport r = Report();
  for (StepOutcome& s : r.steps)
    if (s.cart_id == "bluebird-woo") {
      s.cart_id = "bb\"'<script>alert(1)</script>";
      s.step_id = s.cart_id + "/x";
    }
  r.steps[3].error = "</div><img src=x onerror=alert(1)>\x01";
  r.steps[0].preview = {"would send order <b>#1</b> & more"};
  std::string html = ReportHtml(r);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>#1</b>"), std::string::npos);
  EXPECT_EQ(html.find('\x01'), std::string::npos);
  EXPECT_NE(html.find("data-cart=\"bb&quot;&#39;&lt;script&gt;alert(1)&lt;/script&gt;\""),
            std::string::npos);
  EXPECT_NE(html.find("&lt;/div&gt;&lt;img src=x onerror=alert(1)&gt;\xEF\xBF\xBD</div>"),
            std::string::npos);
  EXPECT_NE(html.find("<li>would send order &lt;b&gt;#1&lt;/b&gt; &amp; more</li>"),
            std::string::npos);
}

TEST(ReportHtmlTest, DryRunSaysSoAndShowsWhatWouldHappen) {
  RunReport r = Report();
  r.dry_run = true;
  r.run_id = 0;
  r.steps.pop_back();  // all ok
  r.steps[0].preview = {"would send order 1001 to main", "would hold order 1002"};
  std::string html = ReportHtml(r);
  EXPECT_NE(html.find("<title>cartsync run: ok</title>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"badge dryrun\">dry run</span>"), std::string::npos);
  EXPECT_NE(html.find("nothing was written anywhere"), std::string::npos);
  EXPECT_NE(html.find("<ul class=\"preview\"><li>would send order 1001 to main</li><li>would "
                      "hold order 1002</li></ul>"),
            std::string::npos);
}

TEST(ReportHtmlTest, EmptyRun) {
  RunReport r;
  std::string html = ReportHtml(r);
  EXPECT_NE(html.find("<p>No step ran.</p>"), std::string::npos);
  EXPECT_NE(html.find("id=\"run-status\">ok</span>"), std::string::npos);
}

}  // namespace
}  // namespace cartsync

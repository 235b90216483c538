// [[notify]] in cartsync.toml (checker.cc CheckNotify): a webhook URL only
// as a secret reference (a literal URL is E0301 with the fix, its text
// masked), format slack|json, events among the four with "did you mean",
// unknown keys; file:line:col of each mistake; the plan carries the
// reference (never a value) and reads back; `fmt` orders its keys.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "compiler/compiler.h"
#include "compiler/formatter.h"
#include "compiler/planner.h"
#include "model/plan_json.h"
#include "tests/support/cart_builder.h"

namespace cartsync {
namespace {

CartToml Cart() {
  return CartToml()
      .Id("acme")
      .Client("acme-apparel")
      .Platform("shopify")
      .Api("store_url", "https://acme.myshopify.com")
      .ApiSecret("access_token", "env:ACME_TOKEN")
      .Every(Service::OrderDownload, "15m")
      .EarliestOrderDate("2026-01-01")
      .ShipMethod("Standard", "UPS/GROUND");
}

void Compile(const std::string& notify, Compilation& c) {
  CompileOptions o;
  o.today = {2026, 11, 27};
  CompileTexts(ProjectToml().Text() + "\n" + notify, {{"carts.d/acme.toml", Cart().Text()}}, o, c);
}

/// The project file's line holding `needle` (1-based) in what Compile writes.
uint32_t LineOf(const std::string& notify, const std::string& needle) {
  const std::string project = ProjectToml().Text() + "\n";
  const std::string text = project + notify;
  size_t at = text.find(needle, project.size());
  return static_cast<uint32_t>(std::count(text.begin(), text.begin() + at, '\n') + 1);
}

const Diagnostic* Find(const Compilation& c, const std::string& code) {
  for (const Diagnostic& d : c.diags.diagnostics())
    if (d.code == code) return &d;
  return nullptr;
}

TEST(NotifyCheckTest, AWebhookWithAllItsKeysIsInThePlanAsAReference) {
  const std::string notify =
      "[[notify]]\nurl = { secret = \"env:SLACK_WEBHOOK_URL\" }\nformat = \"slack\"\n"
      "events = [\"step_failed\", \"held\"]\n\n"
      "[[notify]]\nurl = { secret = \"file:secrets/ops-hook\" }\nformat = \"json\"\n";
  Compilation c;
  Compile(notify, c);
  ASSERT_FALSE(c.diags.has_errors()) << c.diags.diagnostics().front().message;
  Plan plan = BuildPlan(c);
  ASSERT_EQ(plan.notify.size(), 2u);
  EXPECT_EQ(plan.notify[0].url.Text(), "env:SLACK_WEBHOOK_URL");
  EXPECT_EQ(plan.notify[0].events, (std::vector<std::string>{"held", "step_failed"}));
  EXPECT_EQ(plan.notify[1].format, "json");
  EXPECT_EQ(plan.notify[1].events, NotifyEvents()) << "events left out: all of them";
  const std::string json = PlanToJson(plan);
  EXPECT_NE(json.find("\"notify\""), std::string::npos);
  EXPECT_NE(json.find("env:SLACK_WEBHOOK_URL"), std::string::npos);
  Plan back;
  std::string error;
  ASSERT_TRUE(PlanFromJson(json, back, error)) << error;
  ASSERT_EQ(back.notify.size(), 2u);
  EXPECT_EQ(back.notify[0].Target(), plan.notify[0].Target());
  EXPECT_EQ(back.notify[0].events, plan.notify[0].events);
  EXPECT_EQ(back.notify[1].url.Text(), "file:secrets/ops-hook");
  // Without [[notify]] the plan does not mention it (plans stay byte-identical).
  Compilation none;
  Compile("", none);
  EXPECT_EQ(PlanToJson(BuildPlan(none)).find("notify"), std::string::npos);
}

TEST(NotifyCheckTest, ALiteralUrlIsAnErrorWithTheFixAndIsMasked) {
  const std::string notify =
      "[[notify]]\nurl = \"https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX\"\n";
  Compilation c;
  Compile(notify, c);
  const Diagnostic* d = Find(c, "E0301");
  ASSERT_NE(d, nullptr);
  EXPECT_NE(d->message.find("notify.url"), std::string::npos) << d->message;
  EXPECT_EQ(d->message.find("XXXXSECRETXXXX"), std::string::npos) << d->message;
  EXPECT_TRUE(d->mask_snippet);
  EXPECT_EQ(d->region.begin.line, LineOf(notify, "url = \"https"));
  EXPECT_EQ(d->region.begin.column, 7u);
  EXPECT_NE(d->hint.find("env:"), std::string::npos) << d->hint;
  ASSERT_EQ(d->fixes.size(), 1u);
  EXPECT_EQ(d->fixes[0].replacement, "{ secret = \"env:SLACK_WEBHOOK_URL\" }");
  EXPECT_TRUE(BuildPlan(c).notify.empty());
}

TEST(NotifyCheckTest, TyposGetDidYouMeanAtTheirPosition) {
  const std::string notify =
      "[[notify]]\nurl = { secret = \"env:HOOK\" }\nformat = \"slak\"\n"
      "events = [\"held\", \"step_faild\"]\nevnets = []\n";
  Compilation c;
  Compile(notify, c);
  std::vector<std::string> messages;
  for (const Diagnostic& d : c.diags.diagnostics()) messages.push_back(d.code + " " + d.message);
  const Diagnostic* unknown = Find(c, "E0201");
  ASSERT_NE(unknown, nullptr);
  EXPECT_NE(unknown->message.find("did you mean \"events\"?"), std::string::npos)
      << unknown->message;
  EXPECT_EQ(unknown->region.begin.line, LineOf(notify, "evnets"));
  int invalid = 0;
  for (const Diagnostic& d : c.diags.diagnostics()) {
    if (d.code != "E0205") continue;
    ++invalid;
    if (d.message.find("slak") != std::string::npos) {
      EXPECT_NE(d.message.find("did you mean \"slack\"?"), std::string::npos) << d.message;
      EXPECT_EQ(d.region.begin.line, LineOf(notify, "format"));
      EXPECT_EQ(d.region.begin.column, 10u);
    } else {
      EXPECT_NE(d.message.find("did you mean \"step_failed\"?"), std::string::npos) << d.message;
      EXPECT_EQ(d.region.begin.line, LineOf(notify, "events = [\"held\""));
      EXPECT_EQ(d.region.begin.column, 19u);
    }
  }
  EXPECT_EQ(invalid, 2) << ::testing::PrintToString(messages);
}

TEST(NotifyCheckTest, MissingUrlATableInsteadOfAnArrayAndAnUnknownTopLevelKey) {
  Compilation missing;
  Compile("[[notify]]\nformat = \"json\"\n", missing);
  const Diagnostic* d = Find(missing, "E0204");
  ASSERT_NE(d, nullptr);
  EXPECT_NE(d->message.find("\"url\" in [[notify]]"), std::string::npos) << d->message;

  Compilation table;
  Compile("[notify]\nurl = { secret = \"env:HOOK\" }\n", table);
  d = Find(table, "E0202");
  ASSERT_NE(d, nullptr);
  EXPECT_NE(d->message.find("[[notify]]"), std::string::npos) << d->message;

  Compilation typo;
  Compile("[[notifiy]]\nurl = { secret = \"env:HOOK\" }\n", typo);
  d = Find(typo, "E0201");
  ASSERT_NE(d, nullptr);
  EXPECT_NE(d->message.find("did you mean \"notify\"?"), std::string::npos) << d->message;
}

TEST(NotifyCheckTest, FmtPutsNotifyKeysInCanonicalOrder) {
  const std::string messy =
      "[[notify]]\nevents = [\"held\"]\nformat = \"json\"\nurl = { secret = \"env:HOOK\" }\n";
  Compilation c;
  Compile(messy, c);
  ASSERT_FALSE(c.diags.has_errors());
  DiagnosticEngine diags;
  FormatOptions options;
  options.kind = FormatKind::Project;
  FormatResult r = FormatSource(SourceFile("cartsync.toml", ProjectToml().Text() + "\n" + messy),
                                options, diags);
  ASSERT_EQ(r.status, FormatStatus::Formatted) << r.detail;
  const std::string& out = r.text;
  const size_t url = out.find("url = { secret"), format = out.find("format ="),
               events = out.find("events =");
  ASSERT_NE(url, std::string::npos) << out;
  EXPECT_LT(url, format) << out;
  EXPECT_LT(format, events) << out;
}

}  // namespace
}  // namespace cartsync

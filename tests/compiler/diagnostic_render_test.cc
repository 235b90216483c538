#include "compiler/diagnostic_render.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <map>
#include <sstream>
#include <string>

#include "base/sha256.h"

namespace cartsync {
namespace {

constexpr char kAcme[] = "carts.d/acme.toml";

// Thirteen filler lines, then `line14` as line 14 and `line15` as line 15.
std::string AcmeText(std::string_view line14, std::string_view line15 = "") {
  std::string text;
  for (int i = 1; i <= 13; ++i) text += "# line " + std::to_string(i) + "\n";
  text += line14;
  text += "\n";
  text += line15;
  text += "\n";
  return text;
}

SourceRegion At(std::string file, uint32_t line, uint32_t col, uint32_t end_line,
                uint32_t end_col) {
  return {std::move(file), {line, col}, {end_line, end_col}};
}

void ReportPayed(DiagnosticEngine& engine, uint32_t line = 14) {
  engine.Report(DiagId::UnknownStatus, At(kAcme, line, 13, line, 20),
                {"payed", "shopify", "open, paid/unfulfilled, any", "; did you mean \"paid\"?"});
}

std::string Render(const DiagnosticEngine& engine, const SourceManager& sources, DiagFormat format,
                   const RenderOptions& options = {}) {
  std::ostringstream out;
  RenderDiagnostics(engine.Sorted(), engine.errors(), engine.warnings(), sources, format, out,
                    options);
  return out.str();
}

rapidjson::Document ParseJson(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(text.c_str(), text.size());
  EXPECT_FALSE(doc.HasParseError()) << rapidjson::GetParseError_En(doc.GetParseError())
                                    << " at offset " << doc.GetErrorOffset() << " in\n"
                                    << text;
  return doc;
}

// --- Sha256Hex ------------------------------------------------------------

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // Embedded NUL bytes are data, not a terminator.
  EXPECT_NE(Sha256Hex(std::string_view("a\0b", 3)), Sha256Hex("a"));
}

// --- ParseDiagFormat --------------------------------------------------------

TEST(ParseDiagFormatTest, KnownAndUnknownNames) {
  EXPECT_EQ(ParseDiagFormat("text"), DiagFormat::Text);
  EXPECT_EQ(ParseDiagFormat("json"), DiagFormat::Json);
  EXPECT_EQ(ParseDiagFormat("sarif"), DiagFormat::Sarif);
  EXPECT_EQ(ParseDiagFormat("github"), DiagFormat::Github);
  EXPECT_EQ(ParseDiagFormat("gitlab"), DiagFormat::Gitlab);
  EXPECT_EQ(ParseDiagFormat("JSON"), std::nullopt);
  EXPECT_EQ(ParseDiagFormat(""), std::nullopt);
  EXPECT_EQ(ParseDiagFormat("xml"), std::nullopt);
}

// --- Text -------------------------------------------------------------------

TEST(TextRenderTest, ErrorWithCaretMatchesSpecExample) {
  SourceManager sources;
  sources.Add(kAcme, AcmeText("download = [\"payed\"]"));
  DiagnosticEngine engine;
  ReportPayed(engine);
  EXPECT_EQ(Render(engine, sources, DiagFormat::Text),
            "carts.d/acme.toml:14:13: error[E0203]: unknown status \"payed\" for platform shopify "
            "(open, paid/unfulfilled, any); did you mean \"paid\"?\n"
            "   14 | download = [\"payed\"]\n"
            "      |             ^^^^^^^\n"
            "1 error generated.\n");
}

TEST(TextRenderTest, TabsInLineAreCopiedIntoCaretPadding) {
  SourceManager sources;
  // Columns: \t=1 n=2 a=3 m=4 e=5 ' '=6 '='=7 \t=8 '"'=9 x=10 '"'=11.
  sources.Add(kAcme, AcmeText("\tname =\t\"x\""));
  DiagnosticEngine engine;
  engine.Report(DiagId::TypeMismatch, At(kAcme, 14, 9, 14, 12), {"name", "an integer", "a string"});
  EXPECT_EQ(Render(engine, sources, DiagFormat::Text),
            "carts.d/acme.toml:14:9: error[E0202]: \"name\" must be an integer, found a string\n"
            "   14 | \tname =\t\"x\"\n"
            "      | \t      \t^^^\n"
            "1 error generated.\n");
}

TEST(TextRenderTest, TabInsideRangeKeepsLaterCaretsAligned) {
  SourceManager sources;
  sources.Add(kAcme, AcmeText("k =\t\t1"));
  DiagnosticEngine engine;
  // Range covers " =\t\t1" (columns 2..6); the tabs stay tabs in the caret line.
  engine.Report(DiagId::TomlSyntax, At(kAcme, 14, 2, 14, 7), {"bad"});
  EXPECT_EQ(Render(engine, sources, DiagFormat::Text),
            "carts.d/acme.toml:14:2: error[E0105]: bad\n"
            "   14 | k =\t\t1\n"
            "      |  ^^\t\t^\n"
            "1 error generated.\n");
}

TEST(TextRenderTest, RangeOfOnlyTabsStillGetsOneCaret) {
  SourceManager sources;
  sources.Add(kAcme, AcmeText("a\t\tb"));
  DiagnosticEngine engine;
  engine.Report(DiagId::TomlSyntax, At(kAcme, 14, 2, 14, 4), {"tabs"});
  EXPECT_EQ(Render(engine, sources, DiagFormat::Text),
            "carts.d/acme.toml:14:2: error[E0105]: tabs\n"
            "   14 | a\t\tb\n"
            "      |  ^\n"
            "1 error generated.\n");
}

TEST(TextRenderTest, ColumnsCountCodePointsNotBytes) {
  SourceManager sources;
  // "é" is two bytes; "bogus" starts at code point 20 but byte 21. ("\xBC" "d" is
  // split so the hex escape stops before the 'd'.)
  sources.Add(kAcme, AcmeText("greeting = \"h\xC3\xA9llo\" bogus",
                              "label = \"Z\xC3\xBCrich \xE2\x80\x93 S\xC3\xBC"
                              "d\""));
  DiagnosticEngine engine;
  engine.Report(DiagId::TomlSyntax, At(kAcme, 14, 20, 14, 25), {"expected newline"});
  engine.Report(DiagId::TypeMismatch, At(kAcme, 15, 9, 15, 23),
                {"label", "an integer", "a string"});
  EXPECT_EQ(Render(engine, sources, DiagFormat::Text),
            "carts.d/acme.toml:14:20: error[E0105]: expected newline\n"
            "   14 | greeting = \"h\xC3\xA9llo\" bogus\n"
            "      |                    ^^^^^\n"
            "carts.d/acme.toml:15:9: error[E0202]: \"label\" must be an integer, found a string\n"
            "   15 | label = \"Z\xC3\xBCrich \xE2\x80\x93 S\xC3\xBC"
            "d\"\n"
            "      |         ^^^^^^^^^^^^^^\n"
            "2 errors generated.\n");
}

TEST(TextRenderTest, WholeFileDiagnosticHasNoSnippet) {
  SourceManager sources;
  sources.Add("carts.d/empty.toml", "");
  DiagnosticEngine engine;
  engine.Report(DiagId::EmptyCart, {"carts.d/empty.toml", {}, {}}, {});
  EXPECT_EQ(Render(engine, sources, DiagFormat::Text),
            "carts.d/empty.toml: error[E0106]: cart file is empty; expected a [cart] table\n"
            "1 error generated.\n");
}

TEST(TextRenderTest, SummaryPluralsAndOmittedZeroParts) {
  SourceManager sources;
  sources.Add(kAcme, AcmeText("download = [\"payed\"]", "token = \"shpat_abc\""));
  {
    DiagnosticEngine engine;
    engine.Report(DiagId::CredentialLike, At(kAcme, 15, 9, 15, 20), {"token", "Shopify token"});
    std::string text = Render(engine, sources, DiagFormat::Text);
    EXPECT_TRUE(text.ends_with("\n1 warning generated.\n")) << text;
    EXPECT_NE(text.find(": warning[W0303]: "), std::string::npos) << text;
  }
  {
    DiagnosticEngine engine;
    ReportPayed(engine);
    engine.Report(DiagId::EmptyCart, {"carts.d/b.toml", {}, {}}, {});
    engine.Report(DiagId::CredentialLike, At(kAcme, 15, 9, 15, 20), {"token", "Shopify token"});
    std::string text = Render(engine, sources, DiagFormat::Text);
    EXPECT_TRUE(text.ends_with("\n2 errors, 1 warning generated.\n")) << text;
  }
  {
    DiagnosticEngine engine;
    engine.Report(DiagId::CredentialLike, At(kAcme, 15, 9, 15, 20), {"token", "Shopify token"});
    engine.Report(DiagId::CredentialLike, At(kAcme, 15, 1, 15, 6), {"token", "key name"});
    std::string text = Render(engine, sources, DiagFormat::Text);
    EXPECT_TRUE(text.ends_with("\n2 warnings generated.\n")) << text;
  }
  {
    DiagnosticEngine engine;
    EXPECT_EQ(Render(engine, sources, DiagFormat::Text), "");
  }
}

TEST(TextRenderTest, MultiLineRangeIsUnderlinedToEndOfFirstLine) {
  SourceManager sources;
  sources.Add(kAcme, AcmeText("[statuses]", "download = [\"a\"]"));
  DiagnosticEngine engine;
  engine.Report(DiagId::StatusAnyNotAlone, At(kAcme, 14, 2, 15, 17), {"download"});
  EXPECT_EQ(Render(engine, sources, DiagFormat::Text),
            "carts.d/acme.toml:14:2: error[E0207]: \"any\" must be the only value of "
            "[statuses].download\n"
            "   14 | [statuses]\n"
            "      |  ^^^^^^^^^\n"
            "1 error generated.\n");
}

TEST(TextRenderTest, PositionAtEndOfLineAndEmptyRangeGetOneCaret) {
  SourceManager sources;
  sources.Add(kAcme, AcmeText("key =", ""));
  DiagnosticEngine engine;
  engine.Report(DiagId::TomlSyntax, At(kAcme, 14, 6, 14, 6), {"expected a value"});
  engine.Report(DiagId::TomlSyntax, At(kAcme, 15, 1, 0, 0), {"unexpected end"});
  EXPECT_EQ(Render(engine, sources, DiagFormat::Text),
            "carts.d/acme.toml:14:6: error[E0105]: expected a value\n"
            "   14 | key =\n"
            "      |      ^\n"
            "carts.d/acme.toml:15:1: error[E0105]: unexpected end\n"
            "   15 |\n"
            "      | ^\n"
            "2 errors generated.\n");
}

TEST(TextRenderTest, GutterWidensForLongLineNumbers) {
  std::string text;
  for (int i = 1; i < 12345; ++i) text += "\n";
  text += "x = 1\n";
  SourceManager sources;
  sources.Add("big.toml", text);
  DiagnosticEngine engine;
  engine.Report(DiagId::TomlSyntax, At("big.toml", 12345, 1, 12345, 2), {"bad"});
  EXPECT_EQ(Render(engine, sources, DiagFormat::Text),
            "big.toml:12345:1: error[E0105]: bad\n"
            " 12345 | x = 1\n"
            "       | ^\n"
            "1 error generated.\n");
}

TEST(TextRenderTest, MissingSourceOrLineGivesHeaderOnly) {
  SourceManager sources;
  sources.Add(kAcme, "a = 1\n");
  DiagnosticEngine engine;
  engine.Report(DiagId::TomlSyntax, At("not-loaded.toml", 3, 1, 3, 2), {"x"});
  engine.Report(DiagId::TomlSyntax, At(kAcme, 99, 1, 99, 2), {"y"});
  EXPECT_EQ(Render(engine, sources, DiagFormat::Text),
            "carts.d/acme.toml:99:1: error[E0105]: y\n"
            "not-loaded.toml:3:1: error[E0105]: x\n"
            "2 errors generated.\n");
}

TEST(TextRenderTest, InvalidUtf8AndControlCharsAreShownSafely) {
  SourceManager sources;
  const SourceFile& file = sources.Add("bad.toml", "a = \"\xFF\"\n");
  DiagnosticEngine engine;
  ASSERT_FALSE(ValidateSourceText(file, engine));
  sources.Add("esc.toml", "b = \"\x1B[2J\"\n");
  engine.Report(DiagId::TomlSyntax, At("esc.toml", 1, 6, 1, 7), {"control character"});
  EXPECT_EQ(Render(engine, sources, DiagFormat::Text),
            "bad.toml:1:6: error[E0102]: file is not valid UTF-8 (bad byte 0xFF)\n"
            "    1 | a = \"\xEF\xBF\xBD\"\n"
            "      |      ^\n"
            "esc.toml:1:6: error[E0105]: control character\n"
            "    1 | b = \"\xE2\x90\x9B[2J\"\n"
            "      |      ^\n"
            "2 errors generated.\n");
}

TEST(TextRenderTest, ColorWrapsPositionSeverityAndCaret) {
  SourceManager sources;
  sources.Add(kAcme, AcmeText("download = [\"payed\"]", "token = \"shpat_abc\""));
  DiagnosticEngine engine;
  engine.Report(DiagId::TomlSyntax, At(kAcme, 14, 13, 14, 20), {"e"});
  engine.Report(DiagId::CredentialLike, At(kAcme, 15, 9, 15, 20), {"token", "Shopify token"});
  std::vector<Diagnostic> diags = engine.Sorted();
  diags.push_back({DiagId::TomlSyntax, Severity::Note, "E0105", "n", {"carts.d/z.toml", {}, {}}});
  std::ostringstream out;
  RenderDiagnostics(diags, 1, 1, sources, DiagFormat::Text, out, {.color = true});
  EXPECT_EQ(out.str(),
            "\x1b[1mcarts.d/acme.toml:14:13:\x1b[0m \x1b[1;31merror[E0105]:\x1b[0m e\n"
            "   14 | download = [\"payed\"]\n"
            "      |             \x1b[1;32m^^^^^^^\x1b[0m\n"
            "\x1b[1mcarts.d/acme.toml:15:9:\x1b[0m \x1b[1;35mwarning[W0303]:\x1b[0m \"token\" "
            "looks like a credential (Shopify token); store it as { secret = \"env:NAME\" }\n"
            "   15 | token = ***********\n"
            "      |         \x1b[1;32m^^^^^^^^^^^\x1b[0m\n"
            "\x1b[1mcarts.d/z.toml:\x1b[0m \x1b[1;36mnote[E0105]:\x1b[0m n\n"
            "1 error, 1 warning generated.\n");
}

TEST(TextRenderTest, MaskedSnippetHidesTheSecretButKeepsCarets) {
  SourceManager sources;
  sources.Add(kAcme, AcmeText("token =\t\"shp\tat_\xC3\xA9\" # x", "password = \"hunter2\""));
  DiagnosticEngine engine;
  Diagnostic* d = engine.Report(DiagId::PlainSecret, At(kAcme, 14, 9, 14, 19), {"token"});
  ASSERT_NE(d, nullptr);
  d->mask_snippet = true;
  // Without a column the whole line is masked.
  d = engine.Report(DiagId::PlainSecret, At(kAcme, 15, 0, 0, 0), {"password"});
  ASSERT_NE(d, nullptr);
  d->mask_snippet = true;
  std::string text = Render(engine, sources, DiagFormat::Text);
  EXPECT_EQ(text,
            "carts.d/acme.toml:14:9: error[E0301]: \"token\" is a secret: use { secret = "
            "\"env:NAME\" } or { secret = \"file:PATH\" }, never the value itself\n"
            "   14 | token =\t****\t*****"
            " # x\n"
            "      |        \t^^^^\t^^^^^\n"
            "carts.d/acme.toml:15: error[E0301]: \"password\" is a secret: use { secret = "
            "\"env:NAME\" } or { secret = \"file:PATH\" }, never the value itself\n"
            "   15 | ********************\n"
            "2 errors generated.\n");
  EXPECT_EQ(text.find("shp"), std::string::npos);
  EXPECT_EQ(text.find("hunter2"), std::string::npos);
}

// --- JSON -------------------------------------------------------------------

TEST(JsonRenderTest, GoldenOutput) {
  SourceManager sources;
  sources.Add(kAcme, AcmeText("download = [\"payed\"]"));
  DiagnosticEngine engine;
  ReportPayed(engine);
  engine.Report(DiagId::EmptyCart, {"carts.d/b.toml", {}, {}}, {});
  EXPECT_EQ(Render(engine, sources, DiagFormat::Json),
            R"({"diagnostics":[{"file":"carts.d/acme.toml","line":14,"column":13,)"
            R"("end_line":14,"end_column":20,"severity":"error","code":"E0203",)"
            R"("message":"unknown status \"payed\" for platform shopify )"
            R"((open, paid/unfulfilled, any); did you mean \"paid\"?"},)"
            R"({"file":"carts.d/b.toml","line":0,"column":0,"end_line":0,"end_column":0,)"
            R"("severity":"error","code":"E0106",)"
            R"("message":"cart file is empty; expected a [cart] table"}],"errors":2,"warnings":0})"
            "\n");
}

TEST(JsonRenderTest, EmptyIsStillOneObject) {
  SourceManager sources;
  DiagnosticEngine engine;
  EXPECT_EQ(Render(engine, sources, DiagFormat::Json),
            "{\"diagnostics\":[],\"errors\":0,\"warnings\":0}\n");
}

TEST(JsonRenderTest, ParsesBackWithFieldsInOrder) {
  SourceManager sources;
  sources.Add(kAcme, AcmeText("download = [\"payed\"]", "token = \"shpat_abc\""));
  DiagnosticEngine engine;
  ReportPayed(engine);
  engine.Report(DiagId::CredentialLike, At(kAcme, 15, 9, 15, 20), {"token", "Shopify token"});
  // Control characters and bad UTF-8 in a message must still give valid JSON.
  engine.Report(DiagId::TomlSyntax, At(kAcme, 1, 1, 1, 2), {std::string_view("a\n\0\xFF", 4)});
  std::string text = Render(engine, sources, DiagFormat::Json);
  ASSERT_TRUE(text.ends_with("}\n"));
  EXPECT_EQ(text.find('\n'), text.size() - 1) << "compact: a single line";
  rapidjson::Document doc = ParseJson(text);
  ASSERT_TRUE(doc.IsObject());
  EXPECT_EQ(doc["errors"].GetInt(), 2);
  EXPECT_EQ(doc["warnings"].GetInt(), 1);
  const rapidjson::Value& diags = doc["diagnostics"];
  ASSERT_EQ(diags.Size(), 3u);
  const char* keys[] = {"file",       "line",     "column", "end_line",
                        "end_column", "severity", "code",   "message"};
  for (const rapidjson::Value& d : diags.GetArray()) {
    ASSERT_EQ(d.MemberCount(), 8u);
    int i = 0;
    for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it, ++i)
      EXPECT_STREQ(it->name.GetString(), keys[i]);
  }
  EXPECT_EQ(std::string(diags[0]["message"].GetString(), diags[0]["message"].GetStringLength()),
            std::string("a\n\0\xEF\xBF\xBD", 6));
  EXPECT_STREQ(diags[1]["code"].GetString(), "E0203");
  EXPECT_EQ(diags[1]["line"].GetUint(), 14u);
  EXPECT_EQ(diags[1]["end_column"].GetUint(), 20u);
  EXPECT_STREQ(diags[2]["severity"].GetString(), "warning");
}

// --- SARIF ------------------------------------------------------------------

std::string ResultFingerprint(const rapidjson::Value& result) {
  return result["partialFingerprints"]["primaryLocationLineHash/v1"].GetString();
}

TEST(SarifRenderTest, GoldenHeaderAndResult) {
  SourceManager sources;
  sources.Add(kAcme, AcmeText("download = [\"payed\"]"));
  DiagnosticEngine engine;
  ReportPayed(engine);
  std::string text = Render(engine, sources, DiagFormat::Sarif, {.tool_version = "1.2.3"});
  EXPECT_TRUE(text.starts_with(R"({
  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
  "version": "2.1.0",
  "runs": [
    {
      "tool": {
        "driver": {
          "name": "cartsync",
          "version": "1.2.3",
          "rules": [
            {
              "id": "E0101",
              "name": "io-error",
              "shortDescription": {
                "text": "io error"
              },
              "fullDescription": {
                "text": "A file or directory named on the command line, or found in the carts directory, could not be read."
              },
              "help": {
                "text": "Check that the path exists and is readable by the user running cartsync."
              },
              "defaultConfiguration": {
                "level": "error"
              }
            },
)")) << text;
  std::string hash =
      Sha256Hex(
          "E0203\ncarts.d/acme.toml\ndownload = [\"payed\"]\nunknown status \"payed\" for "
          "platform shopify (open, paid/unfulfilled, any); did you mean \"paid\"?")
          .substr(0, 16);
  size_t rule_index = static_cast<size_t>(DiagId::UnknownStatus);
  std::string result = R"(
      "columnKind": "unicodeCodePoints",
      "results": [
        {
          "ruleId": "E0203",
          "ruleIndex": )" +
                       std::to_string(rule_index) +
                       R"(,
          "level": "error",
          "message": {
            "text": "unknown status \"payed\" for platform shopify (open, paid/unfulfilled, any); did you mean \"paid\"?"
          },
          "locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "carts.d/acme.toml",
                  "uriBaseId": "%SRCROOT%"
                },
                "region": {
                  "startLine": 14,
                  "startColumn": 13,
                  "endLine": 14,
                  "endColumn": 20,
                  "snippet": {
                    "text": "download = [\"payed\"]"
                  }
                }
              }
            }
          ],
          "partialFingerprints": {
            "primaryLocationLineHash/v1": ")" +
                       hash +
                       R"(:1"
          }
        }
      ]
    }
  ]
}
)";
  EXPECT_TRUE(text.ends_with(result)) << text;
}

TEST(SarifRenderTest, StructureRulesAndRuleIndex) {
  SourceManager sources;
  sources.Add(kAcme, AcmeText("download = [\"payed\"]", "token = \"shpat_abc\""));
  DiagnosticEngine engine;
  ReportPayed(engine);
  engine.Report(DiagId::CredentialLike, At(kAcme, 15, 9, 15, 20), {"token", "Shopify token"});
  engine.Report(DiagId::EmptyCart, {"carts.d/empty.toml", {}, {}}, {});
  std::vector<Diagnostic> diags = engine.Sorted();
  diags.push_back(
      {DiagId::AllOrdersHeld, Severity::Note, "W0603", "noted", {kAcme, {14, 1}, {14, 2}}});
  std::ostringstream out;
  RenderDiagnostics(diags, 2, 1, sources, DiagFormat::Sarif, out);
  rapidjson::Document doc = ParseJson(out.str());
  ASSERT_TRUE(doc.IsObject());
  EXPECT_STREQ(doc["version"].GetString(), "2.1.0");
  EXPECT_STREQ(doc["$schema"].GetString(), "https://json.schemastore.org/sarif-2.1.0.json");
  ASSERT_EQ(doc["runs"].Size(), 1u);
  const rapidjson::Value& run = doc["runs"][0];
  EXPECT_STREQ(run["columnKind"].GetString(), "unicodeCodePoints");
  const rapidjson::Value& driver = run["tool"]["driver"];
  EXPECT_STREQ(driver["name"].GetString(), "cartsync");
  EXPECT_STREQ(driver["version"].GetString(), "0.1.0");

  const rapidjson::Value& rules = driver["rules"];
  const std::vector<DiagInfo>& infos = AllDiagInfos();
  ASSERT_EQ(rules.Size(), infos.size());
  for (size_t i = 0; i < infos.size(); ++i) {
    EXPECT_EQ(rules[i]["id"].GetString(), infos[i].code);
    EXPECT_EQ(rules[i]["name"].GetString(), infos[i].name);
    EXPECT_EQ(rules[i]["defaultConfiguration"]["level"].GetString(),
              SeverityName(infos[i].severity));
    EXPECT_GT(rules[i]["shortDescription"]["text"].GetStringLength(), 0u);
  }

  const rapidjson::Value& results = run["results"];
  ASSERT_EQ(results.Size(), 4u);
  for (const rapidjson::Value& r : results.GetArray()) {
    size_t index = r["ruleIndex"].GetUint();
    ASSERT_LT(index, rules.Size());
    EXPECT_STREQ(rules[index]["id"].GetString(), r["ruleId"].GetString());
  }
  // Sorted order: acme E0203 (14:13), acme W0303 (15:9), empty E0106, then the note.
  EXPECT_STREQ(results[0]["level"].GetString(), "error");
  EXPECT_STREQ(results[1]["level"].GetString(), "warning");
  EXPECT_STREQ(results[1]["ruleId"].GetString(), "W0303");
  EXPECT_STREQ(results[3]["level"].GetString(), "note");

  const rapidjson::Value& loc = results[1]["locations"][0]["physicalLocation"];
  EXPECT_STREQ(loc["artifactLocation"]["uri"].GetString(), "carts.d/acme.toml");
  EXPECT_STREQ(loc["artifactLocation"]["uriBaseId"].GetString(), "%SRCROOT%");
  EXPECT_EQ(loc["region"]["startLine"].GetUint(), 15u);
  EXPECT_EQ(loc["region"]["startColumn"].GetUint(), 9u);
  EXPECT_EQ(loc["region"]["endLine"].GetUint(), 15u);
  EXPECT_EQ(loc["region"]["endColumn"].GetUint(), 20u);
  EXPECT_STREQ(loc["region"]["snippet"]["text"].GetString(), "token = ***********");

  const rapidjson::Value& whole = results[2]["locations"][0]["physicalLocation"];
  EXPECT_STREQ(whole["artifactLocation"]["uri"].GetString(), "carts.d/empty.toml");
  EXPECT_FALSE(whole.HasMember("region"));
  EXPECT_STREQ(results[2]["message"]["text"].GetString(),
               "cart file is empty; expected a [cart] table");
}

TEST(SarifRenderTest, FingerprintsStableAndLineSensitive) {
  SourceManager sources;
  sources.Add(kAcme, AcmeText("download = [\"payed\"]", "  download = [\"payed\"]  "));
  sources.Add("carts.d/b.toml", AcmeText("download = [\"payed\"]", "download = [\"payd\"]"));
  auto render = [&] {
    DiagnosticEngine engine;
    ReportPayed(engine, 14);
    ReportPayed(engine, 15);  // same text once trimmed: a second occurrence
    engine.Report(DiagId::UnknownStatus, At("carts.d/b.toml", 14, 13, 14, 20),
                  {"payed", "shopify", "open, paid/unfulfilled, any", "; did you mean \"paid\"?"});
    engine.Report(DiagId::UnknownStatus, At("carts.d/b.toml", 15, 13, 15, 19),
                  {"payed", "shopify", "open, paid/unfulfilled, any", "; did you mean \"paid\"?"});
    return Render(engine, sources, DiagFormat::Sarif);
  };
  std::string first = render();
  EXPECT_EQ(first, render());
  rapidjson::Document doc = ParseJson(first);
  const rapidjson::Value& results = doc["runs"][0]["results"];
  ASSERT_EQ(results.Size(), 4u);
  std::string a14 = ResultFingerprint(results[0]);
  std::string a15 = ResultFingerprint(results[1]);
  std::string b14 = ResultFingerprint(results[2]);
  std::string b15 = ResultFingerprint(results[3]);
  for (const std::string& fp : {a14, a15, b14, b15}) {
    ASSERT_EQ(fp.size(), 18u) << fp;
    EXPECT_EQ(fp.find_first_not_of("0123456789abcdef"), 16u) << fp;
  }
  EXPECT_TRUE(a14.ends_with(":1"));
  // Same code, file, trimmed text and message: same hash, next occurrence.
  EXPECT_EQ(a15, a14.substr(0, 16) + ":2");
  // Another file, same text: a different hash, counted separately.
  EXPECT_NE(b14.substr(0, 16), a14.substr(0, 16));
  EXPECT_TRUE(b14.ends_with(":1"));
  // Another line text in the same file: a different hash.
  EXPECT_NE(b15.substr(0, 16), b14.substr(0, 16));
  EXPECT_TRUE(b15.ends_with(":1"));
}

TEST(SarifRenderTest, ArtifactUris) {
  SourceManager sources;
  DiagnosticEngine engine;
  for (const char* path :
       {"./carts.d/my cart.toml", "/etc/cartsync/a.toml", "carts.d\\win.toml", "a:b.toml"})
    engine.Report(DiagId::EmptyCart, {path, {}, {}}, {});
  rapidjson::Document doc = ParseJson(Render(engine, sources, DiagFormat::Sarif));
  std::map<std::string, bool> seen;  // uri -> has uriBaseId
  for (const rapidjson::Value& r : doc["runs"][0]["results"].GetArray()) {
    const rapidjson::Value& art = r["locations"][0]["physicalLocation"]["artifactLocation"];
    seen[art["uri"].GetString()] = art.HasMember("uriBaseId");
  }
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_TRUE(seen.at("carts.d/my%20cart.toml"));
  EXPECT_FALSE(seen.at("file:///etc/cartsync/a.toml"));
  EXPECT_TRUE(seen.at("carts.d/win.toml"));
  EXPECT_TRUE(seen.at("a%3Ab.toml"));
}

TEST(SarifRenderTest, InvalidUtf8SnippetStaysValidJson) {
  SourceManager sources;
  const SourceFile& file = sources.Add("bad.toml", "a = \"\xFF\"\n");
  DiagnosticEngine engine;
  ASSERT_FALSE(ValidateSourceText(file, engine));
  rapidjson::Document doc = ParseJson(Render(engine, sources, DiagFormat::Sarif));
  const rapidjson::Value& region =
      doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
  EXPECT_STREQ(region["snippet"]["text"].GetString(), "a = \"\xEF\xBF\xBD\"");
  EXPECT_EQ(region["startColumn"].GetUint(), 6u);
}

TEST(SarifRenderTest, MaskedSnippetAndFingerprintDoNotDependOnTheSecret) {
  auto render = [](std::string_view secret) {
    SourceManager sources;
    sources.Add(kAcme, AcmeText("token = \"" + std::string(secret) + "\""));
    DiagnosticEngine engine;
    engine.Report(DiagId::PlainSecret, At(kAcme, 14, 9, 14, 20), {"token"})->mask_snippet = true;
    return Render(engine, sources, DiagFormat::Sarif);
  };
  std::string first = render("shpat_abc");
  EXPECT_EQ(first.find("shpat"), std::string::npos);
  EXPECT_EQ(first, render("shpat_xyz"));
  rapidjson::Document doc = ParseJson(first);
  const rapidjson::Value& result = doc["runs"][0]["results"][0];
  EXPECT_STREQ(result["locations"][0]["physicalLocation"]["region"]["snippet"]["text"].GetString(),
               "token = ***********");
  EXPECT_EQ(ResultFingerprint(result), Sha256Hex("E0301\ncarts.d/acme.toml\ntoken = ***********\n" +
                                                 std::string(result["message"]["text"].GetString()))
                                               .substr(0, 16) +
                                           ":1");
}

// --- GitHub -----------------------------------------------------------------

TEST(GithubRenderTest, GoldenOutput) {
  SourceManager sources;
  DiagnosticEngine engine;
  ReportPayed(engine);
  engine.Report(DiagId::CredentialLike, At(kAcme, 15, 9, 15, 20), {"token", "Shopify token"});
  engine.Report(DiagId::EmptyCart, {"carts.d/empty.toml", {}, {}}, {});
  std::vector<Diagnostic> diags = engine.Sorted();
  diags.push_back({DiagId::AllOrdersHeld, Severity::Note, "W0603", "fyi", {kAcme, {16, 1}, {}}});
  std::ostringstream out;
  RenderDiagnostics(diags, 2, 1, sources, DiagFormat::Github, out);
  EXPECT_EQ(
      out.str(),
      "::error file=carts.d/acme.toml,line=14,col=13,endLine=14,endColumn=20,title=E0203::"
      "unknown status \"payed\" for platform shopify (open, paid/unfulfilled, any); did you "
      "mean \"paid\"?\n"
      "::warning file=carts.d/acme.toml,line=15,col=9,endLine=15,endColumn=20,title=W0303::"
      "\"token\" looks like a credential (Shopify token); store it as { secret = \"env:NAME\" "
      "}\n"
      "::error file=carts.d/empty.toml,title=E0106::cart file is empty; expected a [cart] "
      "table\n"
      "::notice file=carts.d/acme.toml,line=16,col=1,title=W0603::fyi\n");
}

TEST(GithubRenderTest, EscapesDataAndProperties) {
  SourceManager sources;
  DiagnosticEngine engine;
  engine.Report(DiagId::TomlSyntax, At("carts.d/a,b:c%.toml", 2, 3, 2, 4),
                {"100% wrong:\r\nsee line 2, col 3"});
  EXPECT_EQ(Render(engine, sources, DiagFormat::Github),
            "::error file=carts.d/a%2Cb%3Ac%25.toml,line=2,col=3,endLine=2,endColumn=4,"
            "title=E0105::100%25 wrong:%0D%0Asee line 2, col 3\n");
}

// --- GitLab Code Quality ----------------------------------------------------

TEST(GitlabRenderTest, GoldenIssues) {
  SourceManager sources;
  DiagnosticEngine engine;
  ReportPayed(engine);
  engine.Report(DiagId::CredentialLike, At("./carts.d/acme.toml", 15, 9, 15, 20),
                {"token", "Shopify token"});
  engine.Report(DiagId::EmptyCart, {"carts.d\\empty.toml", {}, {}}, {});
  std::vector<Diagnostic> diags = engine.Sorted();
  diags.push_back({DiagId::AllOrdersHeld, Severity::Note, "W0603", "fyi", {kAcme, {16, 1}, {}}});
  std::ostringstream out;
  RenderDiagnostics(diags, 2, 1, sources, DiagFormat::Gitlab, out);
  rapidjson::Document doc = ParseJson(out.str());
  ASSERT_TRUE(doc.IsArray());
  ASSERT_EQ(doc.Size(), 4u);
  std::map<std::string, const rapidjson::Value*> by_code;
  for (const rapidjson::Value& issue : doc.GetArray()) {
    ASSERT_EQ(issue.MemberCount(), 5u);  // exactly GitLab's fields
    by_code[issue["check_name"].GetString()] = &issue;
  }
  const rapidjson::Value& payed = *by_code.at("E0203");
  EXPECT_STREQ(payed["description"].GetString(),
               "unknown status \"payed\" for platform shopify (open, paid/unfulfilled, any); did "
               "you mean \"paid\"?");
  EXPECT_STREQ(payed["severity"].GetString(), "major");
  EXPECT_STREQ(payed["location"]["path"].GetString(), "carts.d/acme.toml");
  EXPECT_EQ(payed["location"]["lines"]["begin"].GetUint(), 14u);
  EXPECT_EQ(payed["fingerprint"].GetString(),
            Sha256Hex("E0203\ncarts.d/acme.toml\n" + std::string(payed["description"].GetString()) +
                      "\n1"));
  const rapidjson::Value& token = *by_code.at("W0303");
  EXPECT_STREQ(token["severity"].GetString(), "minor");
  EXPECT_STREQ(token["location"]["path"].GetString(), "carts.d/acme.toml");  // no "./"
  EXPECT_EQ(token["location"]["lines"]["begin"].GetUint(), 15u);
  const rapidjson::Value& empty = *by_code.at("E0106");
  EXPECT_STREQ(empty["location"]["path"].GetString(), "carts.d/empty.toml");
  EXPECT_EQ(empty["location"]["lines"]["begin"].GetUint(), 1u);  // no line: the first
  EXPECT_STREQ(by_code.at("W0603")->operator[]("severity").GetString(), "info");
}

TEST(GitlabRenderTest, NoDiagnosticsIsAnEmptyArray) {
  SourceManager sources;
  DiagnosticEngine engine;
  rapidjson::Document doc = ParseJson(Render(engine, sources, DiagFormat::Gitlab));
  ASSERT_TRUE(doc.IsArray());
  EXPECT_EQ(doc.Size(), 0u);
}

TEST(GitlabRenderTest, FingerprintsIgnoreLinesAndTellIdenticalFindingsApart) {
  auto fingerprints = [](uint32_t first_line) {
    SourceManager sources;
    DiagnosticEngine engine;
    ReportPayed(engine, first_line);
    ReportPayed(engine, first_line + 3);  // the same finding again, further down
    rapidjson::Document doc = ParseJson(Render(engine, sources, DiagFormat::Gitlab));
    std::vector<std::string> out;
    for (const rapidjson::Value& issue : doc.GetArray())
      out.push_back(issue["fingerprint"].GetString());
    return out;
  };
  std::vector<std::string> before = fingerprints(14);
  ASSERT_EQ(before.size(), 2u);
  EXPECT_NE(before[0], before[1]);
  EXPECT_EQ(before, fingerprints(20));  // lines moved: the same issues
  EXPECT_EQ(before[0].size(), 64u);
}

TEST(GitlabRenderTest, SecretsMaskedAndNotInTheFingerprint) {
  auto render = [](std::string_view secret) {
    SourceManager sources;
    sources.Add(kAcme, AcmeText("token = \"" + std::string(secret) + "\""));
    DiagnosticEngine engine;
    engine.Report(DiagId::PlainSecret, At(kAcme, 14, 9, 14, 20), {"token"})->mask_snippet = true;
    engine.Report(DiagId::TomlSyntax, At(kAcme, 14, 1, 14, 2),
                  {"near \"" + std::string(secret) + "\""});
    return Render(engine, sources, DiagFormat::Gitlab);
  };
  std::string first = render("shpat_0123456789abcdef0123456789abcdef");
  EXPECT_EQ(first.find("shpat_"), std::string::npos) << first;
  EXPECT_EQ(first, render("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"));
  rapidjson::Document doc = ParseJson(first);
  EXPECT_EQ(doc.Size(), 2u);
}

}  // namespace
}  // namespace cartsync

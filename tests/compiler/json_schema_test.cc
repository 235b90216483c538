#include "compiler/json_schema.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/checker.h"
#include "compiler/pattern.h"
#include "compiler/source_file.h"
#include "compiler/toml_util.h"
#include "model/grammar.h"
#include "tests/support/cart_builder.h"

#ifndef CARTSYNC_SOURCE_DIR
#define CARTSYNC_SOURCE_DIR "."
#endif

namespace cartsync {
namespace {

using rapidjson::Value;

const Schema& Builtin() {
  const Schema& s = BuiltinSchema();
  EXPECT_FALSE(s.platforms.empty()) << "embedded descriptors did not load";
  return s;
}

rapidjson::Document Parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  EXPECT_FALSE(doc.HasParseError())
      << rapidjson::GetParseError_En(doc.GetParseError()) << " at offset " << doc.GetErrorOffset();
  return doc;
}

const rapidjson::Document& BuiltinDoc() {
  static const rapidjson::Document doc = Parse(CartJsonSchema(BuiltinSchema()));
  return doc;
}

const Value* Member(const Value& v, const char* key) {
  if (!v.IsObject()) return nullptr;
  auto it = v.FindMember(key);
  return it == v.MemberEnd() ? nullptr : &it->value;
}

/// v[k0][k1]…; nullptr when any step is missing.
const Value* At(const Value& v, std::initializer_list<const char*> path) {
  const Value* cur = &v;
  for (const char* key : path)
    if (!(cur = Member(*cur, key))) return nullptr;
  return cur;
}

std::vector<std::string> StringArray(const Value* v) {
  std::vector<std::string> out;
  if (!v || !v->IsArray()) return out;
  for (const Value& e : v->GetArray()) out.emplace_back(e.GetString(), e.GetStringLength());
  return out;
}

std::vector<std::string> Keys(const Value* v) {
  std::vector<std::string> out;
  if (!v || !v->IsObject()) return out;
  for (auto it = v->MemberBegin(); it != v->MemberEnd(); ++it)
    out.emplace_back(it->name.GetString());
  return out;
}

/// The "then" of the allOf branch whose "if" selects cart.platform == id.
const Value* PlatformThen(const Value& doc, const std::string& id) {
  const Value* all = Member(doc, "allOf");
  if (!all || !all->IsArray()) return nullptr;
  for (const Value& rule : all->GetArray()) {
    const Value* c = At(rule, {"if", "properties", "cart", "properties", "platform", "const"});
    if (c && c->IsString() && c->GetString() == id) {
      EXPECT_EQ(StringArray(At(rule, {"if", "required"})), std::vector<std::string>{"cart"});
      EXPECT_EQ(StringArray(At(rule, {"if", "properties", "cart", "required"})),
                std::vector<std::string>{"platform"});
      return Member(rule, "then");
    }
  }
  return nullptr;
}

/// A closed table: "additionalProperties": {"not": {"description": "unknown key; …"}}, which
/// taplo reports on the unknown key alone (`false` is reported on every line of the table).
bool IsClosed(const Value* table) {
  const Value* ap = table ? Member(*table, "additionalProperties") : nullptr;
  const Value* reason = ap ? At(*ap, {"not", "description"}) : nullptr;
  return reason && reason->IsString() &&
         std::string(reason->GetString()).rfind("unknown key", 0) == 0 && ap->MemberCount() == 1;
}

std::string PatternOf(const Value* v) {
  const Value* p = v ? Member(*v, "pattern") : nullptr;
  return p && p->IsString() ? p->GetString() : "";
}

/// JSON Schema semantics: a pattern matches anywhere (ECMAScript, unanchored).
bool SchemaMatch(const std::string& pattern, const std::string& s) {
  static std::map<std::string, std::regex> compiled;  // the schedule pattern is large
  auto it = compiled.find(pattern);
  if (it == compiled.end())
    it = compiled.emplace(pattern, std::regex(pattern, std::regex::ECMAScript)).first;
  return std::regex_search(s, it->second);
}

// --- Shape -------------------------------------------------------------------

TEST(CartJsonSchemaTest, IsDraft202012Json) {
  const auto& doc = BuiltinDoc();
  ASSERT_TRUE(doc.IsObject());
  const Value* s = Member(doc, "$schema");
  ASSERT_TRUE(s && s->IsString());
  EXPECT_STREQ(s->GetString(), "https://json-schema.org/draft/2020-12/schema");
  EXPECT_STREQ(Member(doc, "type")->GetString(), "object");
  EXPECT_TRUE(IsClosed(&doc));
  EXPECT_EQ(StringArray(Member(doc, "required")), std::vector<std::string>{"cart"});
}

TEST(CartJsonSchemaTest, DeterministicPrettySorted) {
  std::string a = CartJsonSchema(BuiltinSchema()), b = CartJsonSchema(BuiltinSchema());
  EXPECT_EQ(a, b);
  // A separately loaded copy of the same descriptors gives the same bytes.
  Schema loaded;
  DiagnosticEngine diags;
  if (LoadSchemaDir(CARTSYNC_SOURCE_DIR "/schema", loaded, diags)) {
    EXPECT_EQ(CartJsonSchema(loaded), a);
  }
  ASSERT_GE(a.size(), 4u);
  EXPECT_EQ(a.substr(0, 5), "{\n  \"") << "pretty-printed with a 2-space indent";
  EXPECT_EQ(a.back(), '\n');
  // Every object's keys are in byte order.
  std::vector<const Value*> stack = {&BuiltinDoc()};
  size_t objects = 0;
  while (!stack.empty()) {
    const Value* v = stack.back();
    stack.pop_back();
    if (v->IsObject()) {
      ++objects;
      std::vector<std::string> keys = Keys(v);
      EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end())) << "unsorted: " << keys.front();
      for (auto it = v->MemberBegin(); it != v->MemberEnd(); ++it) stack.push_back(&it->value);
    } else if (v->IsArray()) {
      for (const Value& e : v->GetArray()) stack.push_back(&e);
    }
  }
  EXPECT_GT(objects, 100u);
}

TEST(CartJsonSchemaTest, TopLevelKeysAreTheCheckersKeys) {
  // checker.cc CartChecker::Run: the keys a cart file may have.
  std::vector<std::string> expected = {
      "api",        "cart",     "carrier_codes", "items",    "order_filters",
      "order_load", "services", "ship_methods",  "statuses", "wms_fields"};
  std::vector<std::string> keys = Keys(Member(BuiltinDoc(), "properties"));
  std::sort(keys.begin(), keys.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(keys, expected);
}

TEST(CartJsonSchemaTest, CommonTablesAreClosedAndTyped) {
  const Value& props = *Member(BuiltinDoc(), "properties");
  struct {
    std::vector<const char*> path;
    std::vector<std::string> keys;
  } tables[] = {
      {{"cart"}, {"client", "id", "name", "platform", "wms"}},
      {{"services"}, {"inventory_upload", "order_download", "shipment_upload"}},
      {{"services", "properties", "order_download"}, {"enabled", "every"}},
      {{"services", "properties", "shipment_upload"}, {"enabled", "every"}},
      {{"services", "properties", "inventory_upload"}, {"enabled", "every"}},
      {{"order_load"},
       {"earliest_order_date", "minimum_inventory_level", "reject_unmapped_ship_codes",
        "sync_inventory_alias", "sync_inventory_with"}},
      {{"items"}, {"filter", "filter_level", "skus", "translate_item_code"}},
      {{"order_filters", "items"}, {"field", "match", "mode", "values"}},
  };
  for (const auto& t : tables) {
    const Value* v = &props;
    std::string name;
    for (const char* k : t.path) {
      v = Member(*v, k);
      name += std::string(name.empty() ? "" : ".") + k;
      ASSERT_TRUE(v) << name;
    }
    EXPECT_STREQ(Member(*v, "type")->GetString(), "object") << name;
    EXPECT_TRUE(IsClosed(v)) << name;
    std::vector<std::string> keys = Keys(Member(*v, "properties"));
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(keys, t.keys) << name;
    EXPECT_TRUE(Member(*v, "description")) << name;
  }
  EXPECT_EQ(StringArray(At(props, {"cart", "required"})),
            (std::vector<std::string>{"id", "client", "platform"}));
  EXPECT_EQ(PatternOf(At(props, {"cart", "properties", "id"})), "^[a-z0-9][a-z0-9-]{0,62}$");
  const Value* date = At(props, {"order_load", "properties", "earliest_order_date"});
  ASSERT_TRUE(date);
  EXPECT_STREQ(Member(*date, "type")->GetString(), "string");
  EXPECT_STREQ(Member(*date, "format")->GetString(), "date");
  EXPECT_EQ(At(props, {"order_load", "properties", "minimum_inventory_level", "minimum"})->GetInt(),
            0);
  EXPECT_STREQ(At(props, {"items", "properties", "filter", "default"})->GetString(), "disabled");
  EXPECT_EQ(StringArray(At(props, {"order_filters", "items", "properties", "field", "enum"})),
            Builtin().order_fields);
  // Map-like tables: free keys, typed values.
  EXPECT_TRUE(At(props, {"ship_methods", "additionalProperties", "pattern"}));
  EXPECT_STREQ(At(props, {"carrier_codes", "additionalProperties", "type"})->GetString(), "string");
  // Platform ids as an enum.
  std::vector<std::string> ids;
  for (const auto& [id, p] : Builtin().platforms) ids.push_back(id);
  EXPECT_EQ(StringArray(At(props, {"cart", "properties", "platform", "enum"})), ids);
}

TEST(CartJsonSchemaTest, EnabledServiceNeedsEvery) {
  const Value* svc = At(BuiltinDoc(), {"properties", "services", "properties", "order_download"});
  ASSERT_TRUE(svc);
  EXPECT_TRUE(At(*svc, {"if", "properties", "enabled", "const"})->GetBool());
  EXPECT_EQ(StringArray(At(*svc, {"then", "required"})), std::vector<std::string>{"every"});
  EXPECT_FALSE(At(*svc, {"properties", "enabled", "default"})->GetBool());
}

// --- Per platform ------------------------------------------------------------

TEST(CartJsonSchemaTest, EveryPlatformHasABranch) {
  const Schema& schema = Builtin();
  const auto& doc = BuiltinDoc();
  EXPECT_EQ(Member(doc, "allOf")->Size(), schema.platforms.size() + 1)
      << "one branch per platform plus the earliest_order_date rule";
  for (const auto& [id, p] : schema.platforms) {
    SCOPED_TRACE(id);
    const Value* then = PlatformThen(doc, id);
    ASSERT_TRUE(then);
    const Value* api = At(*then, {"properties", "api"});
    ASSERT_TRUE(api);
    EXPECT_TRUE(IsClosed(api));

    std::vector<std::string> required, names;
    for (const FieldSpec& f : p.api) {
      names.push_back(f.name);
      if (f.required) required.push_back(f.name);
    }
    EXPECT_EQ(StringArray(Member(*api, "required")), required);
    EXPECT_EQ(StringArray(Member(*then, "required")),
              required.empty() ? std::vector<std::string>{} : std::vector<std::string>{"api"});
    EXPECT_EQ(Keys(Member(*api, "properties")), names);  // sorted like the descriptor's
    EXPECT_NE(std::find(names.begin(), names.end(), "base_url"), names.end());

    for (const FieldSpec& f : p.api) {
      SCOPED_TRACE(f.name);
      const Value* prop = At(*api, {"properties", f.name.c_str()});
      ASSERT_TRUE(prop);
      EXPECT_TRUE(Member(*prop, "description"));
      const char* type = Member(*prop, "type")->GetString();
      switch (f.type) {
        case FieldType::Secret: {
          EXPECT_STREQ(type, "object");
          EXPECT_TRUE(IsClosed(prop));
          EXPECT_EQ(StringArray(Member(*prop, "required")), std::vector<std::string>{"secret"});
          std::string pattern = PatternOf(At(*prop, {"properties", "secret"}));
          EXPECT_TRUE(SchemaMatch(pattern, "env:ACME_TOKEN"));
          EXPECT_TRUE(SchemaMatch(pattern, "file:secrets/token.txt"));
          EXPECT_FALSE(SchemaMatch(pattern, "shpat_abc"));
          break;
        }
        case FieldType::Integer:
          EXPECT_STREQ(type, "integer");
          break;
        case FieldType::Enum:
          EXPECT_STREQ(type, "string");
          EXPECT_EQ(StringArray(Member(*prop, "enum")), f.values);
          break;
        default:
          EXPECT_STREQ(type, "string");
          break;
      }
      if (f.default_string) {
        EXPECT_EQ(Member(*prop, "default")->GetString(), *f.default_string);
      }
      if (f.default_integer) {
        EXPECT_EQ(Member(*prop, "default")->GetInt64(), *f.default_integer);
      }
    }

    const Value* statuses = At(*then, {"properties", "statuses"});
    ASSERT_TRUE(statuses);
    EXPECT_TRUE(IsClosed(statuses));
    EXPECT_EQ(Keys(Member(*statuses, "properties")).size(), p.statuses.size());
    for (const StatusDimension& d : p.statuses) {
      SCOPED_TRACE(d.name);
      const Value* dim = At(*statuses, {"properties", d.name.c_str()});
      ASSERT_TRUE(dim);
      EXPECT_STREQ(Member(*dim, "type")->GetString(), "array");
      EXPECT_EQ(StringArray(At(*dim, {"items", "enum"})), d.allowed);
      EXPECT_EQ(StringArray(Member(*dim, "default")), d.defaults);
      EXPECT_TRUE(Member(*dim, "uniqueItems")->GetBool());
      EXPECT_EQ(Member(*dim, "minItems")->GetInt(), 1);
      bool has_any = std::find(d.allowed.begin(), d.allowed.end(), "any") != d.allowed.end();
      EXPECT_EQ(Member(*dim, "if") != nullptr, has_any) << "\"any\" must be alone";
    }

    // minimum_inventory_level is capped at 0 exactly where it cannot take effect.
    const Value* cap =
        At(*then, {"properties", "order_load", "properties", "minimum_inventory_level", "maximum"});
    EXPECT_EQ(cap != nullptr, p.inventory_quantity == InventoryQuantity::OnHand);
  }
  // The contract's fields (platforms.md "Descriptor contract").
  const Value* shopify = PlatformThen(doc, "shopify");
  ASSERT_TRUE(shopify);
  EXPECT_EQ(StringArray(At(*shopify, {"properties", "api", "required"})),
            (std::vector<std::string>{"store_url"}));  // credentials: one of two forms (E0214)
  const Value* amazon = PlatformThen(doc, "amazon");
  ASSERT_TRUE(amazon);
  EXPECT_EQ(StringArray(At(*amazon, {"properties", "api", "required"})),
            (std::vector<std::string>{"client_id", "client_secret", "marketplace_id",
                                      "refresh_token", "region", "seller_id"}));
}

TEST(CartJsonSchemaTest, NewPlatformNeedsNoCodeChange) {
  Schema schema;
  DiagnosticEngine diags;
  ASSERT_TRUE(LoadSchema({{"platforms/acmecart.toml", R"(
id = "acmecart"
name = "ACME Cart"
inventory_quantity = "on_hand"
services = ["order_download"]
[api.shop]
type = "string"
required = true
pattern = 'shop-[0-9]+'
[api.key]
type = "secret"
required = true
[statuses.state]
allowed = ["new", "paid"]
default = ["paid"]
)"}},
                         schema, diags));
  auto doc = Parse(CartJsonSchema(schema));
  const Value* then = PlatformThen(doc, "acmecart");
  ASSERT_TRUE(then);
  EXPECT_EQ(StringArray(At(*then, {"properties", "api", "required"})),
            (std::vector<std::string>{"key", "shop"}));
  // An unanchored descriptor pattern is anchored: the compiler matches whole values.
  std::string shop = PatternOf(At(*then, {"properties", "api", "properties", "shop"}));
  EXPECT_TRUE(SchemaMatch(shop, "shop-12"));
  EXPECT_FALSE(SchemaMatch(shop, "my-shop-12"));
  // Services the platform lacks cannot be enabled.
  EXPECT_FALSE(At(*then, {"properties", "services", "properties", "inventory_upload", "properties",
                          "enabled", "const"})
                   ->GetBool());
  EXPECT_FALSE(At(*then, {"properties", "services", "properties", "order_download"}));
}

// --- Patterns agree with the compiler's grammars --------------------------------

std::string SchedulePattern(Service service) {
  return PatternOf(
      At(BuiltinDoc(), {"properties", "services", "properties",
                        std::string(ServiceName(service)).c_str(), "properties", "every"}));
}

// cart-format.md: order_download every 5 minutes to once a day; shipment_upload at most every
// 15 minutes; inventory_upload at most hourly (checker.cc CheckScheduleBounds).
bool InBounds(Service service, const Schedule& s) {
  const int64_t min[] = {300, 900, 3600}, max[] = {86400, 0, 0};
  size_t i = static_cast<size_t>(service);
  return s.MinPeriodSeconds() >= min[i] && (!max[i] || s.MaxPeriodSeconds() <= max[i]);
}

/// What `cartsync check` says about `every` on `service` of an otherwise valid cart.
bool CheckerAcceptsEvery(Service service, const std::string& every) {
  std::string text = CartToml()
                         .Id("w")
                         .Client("c")
                         .Platform("walmart")
                         .Api("client_id", "x")
                         .ApiSecret("client_secret", "env:X")
                         .EarliestOrderDate("2026-01-01")
                         .Every(service, every)
                         .Text();
  SourceManager sources;
  const SourceFile& file = sources.Add("cart.toml", text);
  DiagnosticEngine diags;
  toml::table doc;
  EXPECT_TRUE(ParseToml(file, doc, diags)) << every;
  ProjectConfig project;
  CartCheckContext ctx{BuiltinSchema(), project, Date{2026, 6, 1}};
  CartConfig cart;
  CheckCart(doc, "cart.toml", ctx, cart, diags);
  for (const Diagnostic& d : diags.diagnostics())
    if (d.severity == Severity::Error && d.id != DiagId::InvalidSchedule &&
        d.id != DiagId::ScheduleOutOfBounds)
      ADD_FAILURE() << every << ": unexpected " << d.code << " " << d.message;
  return !diags.has_errors();
}

TEST(CartJsonSchemaTest, SchedulePatternAgreesWithParser) {
  std::vector<std::string> corpus = {
      "15m",
      "90s",
      "2h",
      "1d",
      "5m",
      "007m",
      "0m",
      "00m",
      "15",
      "m",
      "15 m",
      "15M",
      "1.5h",
      "-5m",
      " 15m",
      "15m ",
      "15mm",
      "1w",
      "hourly",
      "Hourly",
      "hourly ",
      "hourlyx",
      "daily at 02:30",
      "daily at 23:59",
      "daily at 24:00",
      "daily at 2:30",
      "daily at 02:60",
      "daily at 02:30 Europe/Berlin",
      "daily at 02:30 America/Argentina/Buenos_Aires",
      "daily at 02:30 Etc/GMT+5",
      "daily at 02:30  UTC",
      "daily at 02:30 Europe//Berlin",
      "daily at 02:30 Europe/",
      "daily 02:30",
      "daily at",
      "dailyat 02:30",
      "daily at 02:30 €",
      "cron: */15 * * * *",
      "cron: 0 2 * * *",
      "cron:  0   2 * * *",
      "cron:0 2 * * *",
      "cron 0 2 * * *",
      "cron: 0 2 * *",
      "cron: 0 2 * * * *",
      "cron: 0,15,30,45 * * * *",
      "cron: 0-30/10 * * * 1-5",
      "cron: 5/10 * * * *",
      "cron: */0 * * * *",
      "cron: */60 * * * *",
      "cron: */59 * * * *",
      "cron: * */24 * * *",
      "cron: * */23 * * *",
      "cron: 0 0 */31 * *",
      "cron: 0 0 */30 * *",
      "cron: 0 0 * */12 *",
      "cron: 0 0 * */11 *",
      "cron: 0 0 * * */8",
      "cron: 0 0 * * */7",
      "cron: 0 0 * * 7",
      "cron: 0 0 * * 8",
      "cron: 0 0 0 * *",
      "cron: 0 0 * 0 *",
      "cron: 0 0 * 13 *",
      "cron: 60 * * * *",
      "cron: 00 00 01 01 00",
      "cron: 0 0 * * MON",
      "cron: 0,,1 * * * *",
      "cron: 0- * * * *",
      "cron: * * * * *",
      "cron: 1-2-3 * * * *",
      "cron: */5,10 * * * *",
      "cron: 0 0 1 jan *",
      "cron: ",
      "",
      "every 15m",
      "15m\n",
  };
  // Every cron field: single values, steps and ranges around its bounds.
  const std::pair<int, int> ranges[] = {{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}};
  for (size_t i = 0; i < 5; ++i) {
    for (int v = -1; v <= 65; ++v) {
      for (std::string term : {std::to_string(v), "*/" + std::to_string(v), "0" + std::to_string(v),
                               std::to_string(ranges[i].first) + "-" + std::to_string(v),
                               std::to_string(v) + "-" + std::to_string(ranges[i].second) + "/2"}) {
        std::string fields[5] = {"*", "*", "*", "*", "*"};
        fields[i] = term;
        corpus.push_back("cron: " + fields[0] + " " + fields[1] + " " + fields[2] + " " +
                         fields[3] + " " + fields[4]);
      }
    }
  }
  for (const std::string& s : corpus) {
    bool parsed = static_cast<bool>(ParseSchedule(s));
    // Known, documented looseness of the pattern: reversed ranges ("5-1").
    std::smatch m;
    static const std::regex reversed(R"((\d+)-(\d+))");
    bool has_reversed = false;
    for (auto it = std::sregex_iterator(s.begin(), s.end(), reversed); it != std::sregex_iterator();
         ++it)
      has_reversed = has_reversed || std::stoi((*it)[1]) > std::stoi((*it)[2]);
    if (has_reversed && !parsed) continue;
    // Intervals, hourly and daily within the service's bounds; a cron expression's gaps are
    // the checker's.
    for (Service service : kAllServices) {
      std::string pattern = SchedulePattern(service);
      ASSERT_FALSE(pattern.empty());
      auto schedule = ParseSchedule(s);
      bool valid = parsed && (schedule.value->kind == Schedule::Kind::Cron ||
                              InBounds(service, *schedule.value));
      EXPECT_EQ(SchemaMatch(pattern, s), valid) << ServiceName(service) << " '" << s << "'";
    }
  }
}

// The bounds, one value per unit around each service's limits and far beyond, against the
// checker itself; then every number up to 1,500 (and a sample to 200,000) against the parser.
TEST(CartJsonSchemaTest, ScheduleBoundsAgreeWithChecker) {
  std::vector<std::string> corpus;
  for (int n :
       {1,   4,   5,   6,   14,   15,   16,   59,   60,   61,   89,    90,    299,   300,
        301, 899, 900, 901, 1439, 1440, 1441, 3599, 3600, 3601, 86399, 86400, 86401, 1000000})
    for (const char* unit : {"s", "m"}) corpus.push_back(std::to_string(n) + unit);
  for (int n : {1, 2, 23, 24, 25, 100, 1000}) corpus.push_back(std::to_string(n) + "h");
  for (int n : {1, 2, 365}) corpus.push_back(std::to_string(n) + "d");
  for (const char* s : {"0300s", "005m", "004m", "0024h", "0025h", "01d", "hourly",
                        "daily at 02:30", "daily at 02:30 Europe/Berlin"})
    corpus.push_back(s);
  for (Service service : kAllServices) {
    std::string pattern = SchedulePattern(service);
    for (const std::string& s : corpus)
      EXPECT_EQ(SchemaMatch(pattern, s), CheckerAcceptsEvery(service, s))
          << ServiceName(service) << " '" << s << "'";
    for (int n = 1; n <= 200000; n += n < 1500 ? 1 : 211) {
      for (const char* unit : {"s", "m", "h", "d"}) {
        std::string s = std::to_string(n) + unit;
        auto schedule = ParseSchedule(s);
        ASSERT_TRUE(schedule) << s;
        ASSERT_EQ(SchemaMatch(pattern, s), InBounds(service, *schedule.value))
            << ServiceName(service) << " '" << s << "'";
      }
    }
  }
}

TEST(CartJsonSchemaTest, SchedulePatternIsLooserOnlyWhereDocumented) {
  // What a regular expression cannot check; `cartsync check` reports these.
  std::string pattern = SchedulePattern(Service::InventoryUpload);
  for (const char* s : {"cron: 0 0 5-1 * *", "cron: 0 0 31 2 *", "99999999999999999999m"}) {
    EXPECT_TRUE(SchemaMatch(pattern, s)) << s;
    EXPECT_FALSE(ParseSchedule(s)) << s;
  }
  // A cron expression's gaps: every minute is too often for every service.
  for (Service service : kAllServices) {
    EXPECT_TRUE(SchemaMatch(SchedulePattern(service), "cron: * * * * *"));
    EXPECT_FALSE(CheckerAcceptsEvery(service, "cron: * * * * *"));
  }
}

TEST(CartJsonSchemaTest, SecretAndShipTargetPatternsAgreeWithParsers) {
  const Value* then = PlatformThen(BuiltinDoc(), "shopify");
  ASSERT_TRUE(then);
  std::string secret = PatternOf(
      At(*then, {"properties", "api", "properties", "access_token", "properties", "secret"}));
  for (std::string s : {"env:A", "env:_A1", "env:1A", "env:", "env:A-B", "env:A B", "file:x",
                        "file:/run/secrets/token", "file:", "file:a\tb", "file:a\x7f",
                        "file:caf\xc3\xa9", "vault:x", "ENV:A", "env:A\n", " env:A", "A"}) {
    EXPECT_EQ(SchemaMatch(secret, s), static_cast<bool>(ParseSecretRef(s))) << "'" << s << "'";
  }
  std::string target =
      PatternOf(At(BuiltinDoc(), {"properties", "ship_methods", "additionalProperties"}));
  for (std::string s :
       {"UPS/GROUND", "FEDEX/FEDEX_2_DAY", "ups/ground.1", "UPS-GROUND", "UPS/", "/GROUND",
        "UPS/GROUND/X", "UPS /GROUND", "_UPS/GROUND", "UPS/-X", "U/G", "UPS/GRÖUND", ""}) {
    EXPECT_EQ(SchemaMatch(target, s), static_cast<bool>(ParseShipTarget(s))) << "'" << s << "'";
  }
  std::string id = PatternOf(At(BuiltinDoc(), {"properties", "cart", "properties", "id"}));
  EXPECT_TRUE(SchemaMatch(id, "acme-shopify"));
  EXPECT_TRUE(SchemaMatch(id, std::string(63, 'a')));
  EXPECT_FALSE(SchemaMatch(id, std::string(64, 'a')));
  EXPECT_FALSE(SchemaMatch(id, "-acme"));
  EXPECT_FALSE(SchemaMatch(id, "Acme"));
}

// The URL rule lives in the checker: compare the pattern with what CheckCart reports
// for [api].base_url.
bool CheckerAcceptsBaseUrl(const std::string& url) {
  std::string text = CartToml()
                         .Id("w")
                         .Client("c")
                         .Platform("walmart")
                         .Api("client_id", "x")
                         .ApiSecret("client_secret", "env:X")
                         .Api("base_url", url)
                         .Text();
  SourceManager sources;
  const SourceFile& file = sources.Add("cart.toml", text);
  DiagnosticEngine diags;
  toml::table doc;
  EXPECT_TRUE(ParseToml(file, doc, diags)) << url;
  ProjectConfig project;
  CartCheckContext ctx{BuiltinSchema(), project, Date{2026, 6, 1}};
  CartConfig cart;
  CheckCart(doc, "cart.toml", ctx, cart, diags);
  for (const Diagnostic& d : diags.diagnostics())
    if (d.severity == Severity::Error && d.id != DiagId::InvalidUrl && d.id != DiagId::InsecureUrl)
      ADD_FAILURE() << url << ": unexpected " << d.code << " " << d.message;
  return !diags.has_errors();
}

TEST(CartJsonSchemaTest, UrlPatternAgreesWithChecker) {
  const Value* then = PlatformThen(BuiltinDoc(), "walmart");
  ASSERT_TRUE(then);
  std::string pattern = PatternOf(At(*then, {"properties", "api", "properties", "base_url"}));
  for (std::string url : {"https://example.com",
                          "https://example.com/",
                          "https://example.com:8443/api/v1?x=1",
                          "HTTPS://Example.COM",
                          "https://[2001:db8::1]:443/x",
                          "https://host_name.example",
                          "http://127.0.0.1:18080",
                          "http://localhost/sim",
                          "http://[::1]:8080",
                          "HTTP://localhost",
                          "http://example.com",
                          "http://127.0.0.2",
                          "http://LOCALHOST",
                          "ftp://example.com",
                          "https://",
                          "https://exa mple.com",
                          "https://example.com/a b",
                          "example.com",
                          "https://example.com:123456",
                          "https://example.com:",
                          "https:/example.com",
                          "https://user@example.com",
                          "https://ex%41mple.com"}) {
    EXPECT_EQ(SchemaMatch(pattern, url), CheckerAcceptsBaseUrl(url)) << "'" << url << "'";
  }
}

// --- cartsync.toml -------------------------------------------------------------

const rapidjson::Document& ProjectDoc() {
  static const rapidjson::Document doc = Parse(ProjectJsonSchema(BuiltinSchema()));
  return doc;
}

TEST(ProjectJsonSchemaTest, TablesAreTheCheckersAndClosed) {
  const auto& doc = ProjectDoc();
  EXPECT_STREQ(Member(doc, "$schema")->GetString(), "https://json-schema.org/draft/2020-12/schema");
  EXPECT_TRUE(IsClosed(&doc));
  // checker.cc CheckProject: the keys of cartsync.toml, [project] and [state].
  std::vector<std::string> keys = Keys(Member(doc, "properties"));
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"defaults", "notify", "project", "state", "wms"}));
  // [[notify]] (checker.cc CheckNotify): url a secret reference, format, events.
  const Value* notify = At(doc, {"properties", "notify", "items"});
  ASSERT_TRUE(notify);
  EXPECT_TRUE(IsClosed(notify));
  keys = Keys(Member(*notify, "properties"));
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"events", "format", "url"}));
  EXPECT_TRUE(At(*notify, {"properties", "url", "properties", "secret"}));
  EXPECT_EQ(At(*notify, {"properties", "events", "items", "enum"})->Size(), 4u);
  EXPECT_EQ(Keys(At(doc, {"properties", "project", "properties"})),
            std::vector<std::string>{"carts"});
  keys = Keys(At(doc, {"properties", "state", "properties"}));
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"password", "retain_pii", "url"}));
  for (const char* t : {"project", "state", "defaults"})
    EXPECT_TRUE(IsClosed(At(doc, {"properties", t}))) << t;
  EXPECT_TRUE(At(doc, {"properties", "state", "properties", "password", "properties", "secret"}));
  // retain_pii: an interval of at least a day (checker.cc).
  std::string retain = PatternOf(At(doc, {"properties", "state", "properties", "retain_pii"}));
  for (const char* ok : {"1d", "60d", "24h", "1440m", "86400s", "060d"})
    EXPECT_TRUE(SchemaMatch(retain, ok)) << ok;
  for (const char* bad : {"23h", "86399s", "0d", "hourly", "60 days", "d"})
    EXPECT_FALSE(SchemaMatch(retain, bad)) << bad;
  std::string url = PatternOf(At(doc, {"properties", "state", "properties", "url"}));
  for (const char* ok : {"sqlite:.cartsync/state.db", "postgres://db/cartsync",
                         "postgresql://u@db:5432/c?sslmode=verify-full"})
    EXPECT_TRUE(SchemaMatch(url, ok)) << ok;
  for (const char* bad : {"sqlite:", "mysql://db/c", "state.db"})
    EXPECT_FALSE(SchemaMatch(url, bad)) << bad;
}

TEST(ProjectJsonSchemaTest, OneBranchPerWmsSystemWithItsFields) {
  const Value* conn = At(ProjectDoc(), {"properties", "wms", "additionalProperties"});
  ASSERT_TRUE(conn);
  EXPECT_EQ(StringArray(Member(*conn, "required")), std::vector<std::string>{"system"});
  std::vector<std::string> systems;
  for (const auto& [id, w] : Builtin().wms_systems) systems.push_back(id);
  EXPECT_EQ(StringArray(At(*conn, {"properties", "system", "enum"})), systems);
  const Value* all = Member(*conn, "allOf");
  ASSERT_TRUE(all && all->IsArray());
  EXPECT_EQ(all->Size(), Builtin().wms_systems.size());
  for (const Value& rule : all->GetArray()) {
    std::string id = At(rule, {"if", "properties", "system", "const"})->GetString();
    SCOPED_TRACE(id);
    const WmsDescriptor& w = Builtin().wms_systems.at(id);
    const Value* then = Member(rule, "then");
    EXPECT_TRUE(IsClosed(then));
    std::vector<std::string> want = {"alias_types", "cart_fields", "carriers", "system",
                                     "warehouses"},
                             required;
    for (const FieldSpec& f : w.fields) {
      want.push_back(f.name);
      if (f.required) required.push_back(f.name);
    }
    std::sort(want.begin(), want.end());
    std::vector<std::string> keys = Keys(Member(*then, "properties"));
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(keys, want);
    EXPECT_EQ(StringArray(Member(*then, "required")), required);
  }
}

TEST(ProjectJsonSchemaTest, DefaultsTakeAnyCartKeyAndRequireNone) {
  const Value* defaults = At(ProjectDoc(), {"properties", "defaults"});
  ASSERT_TRUE(defaults);
  std::vector<std::string> keys = Keys(Member(*defaults, "properties")),
                           cart = Keys(Member(BuiltinDoc(), "properties"));
  std::sort(keys.begin(), keys.end());
  std::sort(cart.begin(), cart.end());
  EXPECT_EQ(keys, cart);
  std::function<void(const Value&, std::string)> walk = [&](const Value& v, std::string where) {
    if (v.IsObject()) {
      for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
        std::string key = it->name.GetString();
        EXPECT_TRUE(key != "required" && key != "if" && key != "then") << where << "/" << key;
        walk(it->value, where + "/" + key);
      }
    } else if (v.IsArray()) {
      for (const Value& e : v.GetArray()) walk(e, where + "/[]");
    }
  };
  walk(*Member(*defaults, "properties"), "defaults");
  EXPECT_TRUE(IsClosed(At(*defaults, {"properties", "order_load"})));
  EXPECT_TRUE(
      At(*defaults, {"properties", "order_load", "properties", "reject_unmapped_ship_codes"}));
}

TEST(ProjectJsonSchemaTest, DeterministicAndPatternsInTheCommonSubset) {
  std::string a = ProjectJsonSchema(BuiltinSchema());
  EXPECT_EQ(ProjectJsonSchema(BuiltinSchema()), a);
  int count = 0;
  std::function<void(const Value&)> walk = [&](const Value& v) {
    if (v.IsObject()) {
      for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
        if (std::string_view(it->name.GetString()) == "pattern" && it->value.IsString()) {
          ++count;
          EXPECT_EQ(PatternError(it->value.GetString()), "") << it->value.GetString();
        }
        walk(it->value);
      }
    } else if (v.IsArray()) {
      for (const Value& e : v.GetArray()) walk(e);
    }
  };
  walk(ProjectDoc());
  EXPECT_GT(count, 5);
}

// --- DescribeSchema ------------------------------------------------------------

TEST(DescribeSchemaTest, ListsPlatformsFieldsStatusesAndWms) {
  std::ostringstream out;
  DescribeSchema(Builtin(), out);
  std::string text = out.str();
  for (const auto& [id, p] : Builtin().platforms) {
    EXPECT_NE(text.find("\n" + id + ": " + p.name + "\n"), std::string::npos) << id;
    for (const FieldSpec& f : p.api)
      EXPECT_NE(text.find("    " + f.name + " "), std::string::npos) << f.name;
    for (const StatusDimension& d : p.statuses)
      EXPECT_NE(text.find("    " + d.name + "\n"), std::string::npos);
  }
  for (const auto& [id, w] : Builtin().wms_systems)
    EXPECT_NE(text.find("\n" + id + ": " + w.name + "\n"), std::string::npos) << id;
  EXPECT_NE(text.find("access_token           secret, required"), std::string::npos) << text;
  EXPECT_NE(text.find("api_version            enum, optional, default \"2026-10\""),
            std::string::npos);
  EXPECT_NE(text.find("default: \"paid\", \"partially_refunded\""), std::string::npos);
  EXPECT_NE(text.find("inventory quantity: on hand"), std::string::npos);  // magento
  std::ostringstream again;
  DescribeSchema(Builtin(), again);
  EXPECT_EQ(again.str(), text);
}

}  // namespace
}  // namespace cartsync

#include "compiler/plan_render.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <algorithm>
#include <array>
#include <bitset>
#include <cctype>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <iterator>
#include <map>
#include <sstream>
#include <tuple>

#include "base/html.h"
#include "base/strings.h"
#include "compiler/safe_text.h"
#include "model/plan_json.h"

namespace cartsync {
namespace {

// ---------------------------------------------------------------------------
// Value texts shared by the previews and the diff. The diff compares these
// texts, so whatever a person would read as "the same" compares equal.

// An empty list reads "(none)" so that "" keeps meaning "not there" in a diff.
std::string ListText(const std::vector<std::string>& values) {
  return values.empty() ? "(none)" : Join(values);
}

// Free-form strings (SKU globs, filter values) are quoted: they may hold commas and spaces.
std::string QuotedList(const std::vector<std::string>& values) {
  std::vector<std::string> quoted;
  for (const std::string& v : values) quoted.push_back(QuoteEscaped(v));
  return ListText(quoted);
}

std::string Plural(size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string ScheduleText(const Schedule& s) {
  return s.kind == Schedule::Kind::Interval ? "every " + s.Canonical() : s.Canonical();
}

std::string FieldText(const FieldValue& v) {
  switch (v.type) {
    case FieldType::Secret:
      // The reference is all a plan holds; say what it is so nobody pastes a value there.
      return (v.secret ? v.secret->Text() : std::string("(no reference)")) + " (secret)";
    case FieldType::Integer:
      return std::to_string(v.integer);
    case FieldType::StringArray:
      return ListText(v.list);
    default:
      return v.text.empty() ? "\"\"" : v.text;
  }
}

std::string TargetText(const ShipTarget& t) { return t.carrier + "/" + t.service; }

std::string DateText(const std::optional<Date>& d) { return d ? d->ToString() : "(none)"; }

const PlanStep* FindStep(const PlanCart& cart, Service s) {
  for (const PlanStep& step : cart.steps)
    if (step.service == s) return &step;
  return nullptr;
}

// [items] travels with order_download and inventory_upload (plan_json.cc).
bool CarriesItems(const PlanCart& cart) {
  return FindStep(cart, Service::OrderDownload) || FindStep(cart, Service::InventoryUpload);
}

bool HasCatchAll(const CartConfig& c) {
  return std::any_of(c.ship_methods.begin(), c.ship_methods.end(),
                     [](const ShipMapping& m) { return m.match == ShipMatch::Default; });
}

std::string UnmappedText(const CartConfig& c) {
  return c.reject_unmapped_ship_codes ? "held until mapped" : "passed through unmapped";
}

std::string ItemFilterText(const ItemRules& items) {
  switch (items.filter) {
    case ItemFilter::Disabled:
      return "all SKUs";
    case ItemFilter::Whitelist:
      return "only SKUs matching " + QuotedList(items.skus);
    case ItemFilter::Blacklist:
      return "all SKUs except " + QuotedList(items.skus);
  }
  return "all SKUs";
}

// On orders the filter also says what happens to a line it catches.
std::string OrderItemFilterText(const ItemRules& items) {
  if (items.filter == ItemFilter::Disabled) return ItemFilterText(items);
  return ItemFilterText(items) + (items.level == FilterLevel::Item
                                      ? "; a filtered line is dropped"
                                      : "; an order with a filtered line is refused");
}

std::string AliasText(const std::string& alias) {
  return alias == "master_sku" ? "master_sku (as-is)" : alias;
}

std::string OrderFilterText(const OrderFilter& f) {
  static constexpr std::array<std::array<std::string_view, 3>, 2> kVerbs = {{
      {"must equal one of", "must start with one of", "must end with one of"},
      {"must not equal any of", "must not start with any of", "must not end with any of"},
  }};
  std::string_view verb = kVerbs[f.mode == FilterMode::Restricted][static_cast<size_t>(f.match)];
  return f.field + " " + std::string(verb) + " " + QuotedList(f.values);
}

std::string StockText(const CartConfig& c) {
  std::string quantity =
      c.inventory_quantity == InventoryQuantity::OnHand ? "on-hand" : "available";
  std::string from =
      c.sync_inventory_with == "all" ? "all warehouses" : "warehouse " + c.sync_inventory_with;
  return quantity + " quantity from " + from;
}

std::string WmsText(const Plan& plan, const std::string& name) {
  if (name.empty()) return "(none)";
  auto it = plan.wms.find(name);
  return it == plan.wms.end() ? name : name + " (" + it->second.system + ")";
}

std::string CartSummary(const PlanCart& cart) {
  std::vector<std::string> services;
  for (const PlanStep& step : cart.steps)
    services.push_back(std::string(ServiceName(step.service)) + " " + ScheduleText(step.every));
  return cart.config.platform + "; " + (services.empty() ? "no services" : Join(services));
}

std::vector<std::string> FieldLines(const FieldValues& fields) {
  std::vector<std::string> lines;
  for (const auto& [name, value] : fields) lines.push_back(name + " = " + FieldText(value));
  return lines;
}

std::vector<std::string> WmsLines(const WmsConfig& w) {
  std::vector<std::string> lines = {"system = " + w.system};
  for (std::string& line : FieldLines(w.fields)) lines.push_back(std::move(line));
  lines.push_back("warehouses = " + ListText(w.warehouses));
  lines.push_back("carriers = " + ListText(w.carriers));
  lines.push_back("alias_types = " + ListText(w.alias_types));
  return lines;
}

// ---------------------------------------------------------------------------
// What a preview says about one enabled service: labelled lines, laid out by
// the text and markdown writers alike.

struct Detail {
  std::string label;
  std::vector<std::string> lines;
};

std::vector<Detail> OrderDownloadDetails(const CartConfig& c) {
  Detail statuses{"statuses", {}};
  for (const auto& [dimension, values] : c.statuses)
    statuses.lines.push_back(dimension + ": " + ListText(values));
  if (statuses.lines.empty()) statuses.lines.push_back("platform defaults");
  Detail filters{"order filters", {}};
  for (const OrderFilter& f : c.order_filters) filters.lines.push_back(OrderFilterText(f));
  if (filters.lines.empty()) filters.lines.push_back("none");
  std::vector<Detail> details = {statuses,
                                 {"earliest order date", {DateText(c.earliest_order_date)}},
                                 filters,
                                 {"items", {OrderItemFilterText(c.items)}},
                                 {"item codes sent as", {AliasText(c.items.translate_item_code)}}};
  if (!c.wms_fields.empty()) details.push_back({"wms fields", FieldLines(c.wms_fields)});
  return details;
}

std::vector<Detail> ShipmentUploadDetails(const CartConfig& c) {
  Detail codes{"carrier codes", {}};
  for (const auto& [wms_code, cart_code] : c.carrier_codes)
    codes.lines.push_back(QuoteEscaped(wms_code) + " -> " + QuoteEscaped(cart_code));
  codes.lines.push_back(codes.lines.empty() ? "all passed through unchanged"
                                            : "others passed through unchanged");
  return {codes};
}

std::vector<Detail> InventoryUploadDetails(const CartConfig& c) {
  return {{"stock", {StockText(c)}},
          {"sku alias", {AliasText(c.sync_inventory_alias)}},
          {"minimum level", {std::to_string(c.minimum_inventory_level)}},
          {"items", {ItemFilterText(c.items)}}};
}

std::vector<Detail> ServiceDetails(const CartConfig& c, Service s) {
  switch (s) {
    case Service::OrderDownload:
      return OrderDownloadDetails(c);
    case Service::ShipmentUpload:
      return ShipmentUploadDetails(c);
    case Service::InventoryUpload:
      return InventoryUploadDetails(c);
  }
  return {};
}

std::string_view ShipMatchText(ShipMatch m) {
  return m == ShipMatch::Default ? "catch-all" : ShipMatchName(m);
}

// ---------------------------------------------------------------------------
// Plain text.

constexpr size_t kLabelWidth = 21;    // "earliest order date: "
constexpr size_t kServiceWidth = 18;  // "inventory_upload  "

// Display width in code points: ship codes may be any UTF-8.
size_t Width(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string Pad(std::string s, size_t width) {
  size_t w = Width(s);
  s.append(w < width ? width - w : 1, ' ');
  return s;
}

void TextDetails(const std::vector<Detail>& details, std::ostream& out) {
  for (const Detail& d : details)
    for (size_t i = 0; i < d.lines.size(); ++i)
      out << "    " << Pad(i == 0 ? d.label + ":" : "", kLabelWidth) << d.lines[i] << '\n';
}

void TextShipMethods(const CartConfig& c, std::ostream& out) {
  const std::string kOthers = "other codes";
  size_t width = HasCatchAll(c) ? 0 : Width(kOthers);
  for (const ShipMapping& m : c.ship_methods) width = std::max(width, Width(QuoteEscaped(m.code)));
  out << "    ship methods:\n";
  for (const ShipMapping& m : c.ship_methods) {
    out << "      " << Pad(QuoteEscaped(m.code), width + 1) << "-> " << TargetText(m.target);
    if (m.match != ShipMatch::Exact) out << "  (" << ShipMatchText(m.match) << ")";
    out << '\n';
  }
  if (!HasCatchAll(c))
    out << "      " << Pad(kOthers, width + 1) << "-> " << UnmappedText(c) << '\n';
}

void TextCart(const Plan& plan, const PlanCart& cart, std::ostream& out) {
  const CartConfig& c = cart.config;
  out << "cart " << c.id;
  if (!c.name.empty()) out << ": " << c.name;
  out << "\n  client: " << c.client << ", platform: " << c.platform
      << ", wms: " << WmsText(plan, c.wms) << '\n';
  if (!c.api.empty()) {
    out << "  api:\n";
    for (const std::string& line : FieldLines(c.api)) out << "    " << line << '\n';
  }
  for (Service s : kAllServices) {
    const PlanStep* step = FindStep(cart, s);
    out << "  " << Pad(std::string(ServiceName(s)), kServiceWidth)
        << (step ? ScheduleText(step->every) : "off") << '\n';
    if (!step) continue;
    TextDetails(ServiceDetails(c, s), out);
    if (s == Service::OrderDownload) TextShipMethods(c, out);
  }
}

void TextWms(const WmsConfig& w, const std::string& name, std::ostream& out) {
  out << "wms " << name << " (" << w.system << ")\n";
  std::vector<std::string> lines = WmsLines(w);
  for (size_t i = 1; i < lines.size(); ++i) out << "  " << lines[i] << '\n';  // [0]: system
}

size_t StepCount(const Plan& plan) {
  size_t n = 0;
  for (const PlanCart& cart : plan.carts) n += cart.steps.size();
  return n;
}

std::string PlanHeadline(const Plan& plan) {
  return "Plan: " + Plural(plan.carts.size(), "cart", "carts") + ", " +
         Plural(StepCount(plan), "step", "steps") + ", " +
         Plural(plan.wms.size(), "WMS connection", "WMS connections");
}

// ---------------------------------------------------------------------------
// Markdown (GitHub-flavoured).

// Backslash-escapes what could start markup mid-line (values never start a
// line, so ">" and "-" are safe). An underscore inside a word cannot (GFM),
// so identifiers such as env:ACME_TOKEN stay readable.
std::string Md(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    auto alnum = [&](size_t j) {
      return j < s.size() && std::isalnum(static_cast<unsigned char>(s[j]));
    };
    if (c == '\n' || c == '\r') {
      out += ' ';
      continue;
    }
    bool intraword_underscore = c == '_' && i > 0 && alnum(i - 1) && alnum(i + 1);
    if (std::string_view("\\`*_[]<|~#&").find(c) != std::string_view::npos && !intraword_underscore)
      out += '\\';
    out += c;
  }
  return out;
}

// A code span whose fence is longer than any backtick run inside it; in a
// table cell a pipe still needs its backslash (GFM splits cells first).
std::string MdCode(std::string_view s, bool in_table) {
  size_t run = 0, longest = 0;
  std::string body;
  for (char c : s) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
    if (c == '|' && in_table) body += '\\';
    body += (c == '\n' || c == '\r') ? ' ' : c;
  }
  std::string fence(longest + 1, '`');
  bool pad = !body.empty() && (body.front() == '`' || body.back() == '`');
  return fence + (pad ? " " + body + " " : body) + fence;
}

std::string MdServiceCell(const PlanCart& cart, Service s) {
  const PlanStep* step = FindStep(cart, s);
  return step ? Md(ScheduleText(step->every)) : "off";
}

// Text inside an HTML element (<summary>): markdown is not read there, HTML is;
// a line break would end the summary line.
std::string Html(std::string_view s) {
  std::string out = HtmlEscape(s);
  for (char& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  return out;
}

// At most `max` bytes, cut at a UTF-8 boundary, "…" when cut.
std::string Clip(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  return s + "…";
}

// What a markdown view is made of. A block is never split across parts: a
// `<details>` opened in `open` is closed in `close`, and `lines` (one line
// each, '\n' included) hold no code fence, so cutting between two of them
// leaves valid markdown. Every piece is already as shown (Shown()).
struct MdBlock {
  std::string open;
  std::vector<std::string> lines;
  std::string close;

  size_t Size() const {
    size_t n = open.size() + close.size();
    for (const std::string& line : lines) n += line.size();
    return n;
  }
  void AppendTo(std::string& out) const {
    out += open;
    for (const std::string& line : lines) out += line;
    out += close;
  }
};

std::string Shown(std::string_view text);  // below, with WriteShown

// The body text cut into lines (each with its '\n').
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = end == std::string::npos ? text.size() : end + 1;
    lines.emplace_back(text, start, end - start);
    start = end;
  }
  return lines;
}

MdBlock DetailsBlock(const std::string& summary_html, const std::string& body, bool open = false) {
  MdBlock b;
  b.open = Shown(std::string(open ? "<details open>" : "<details>") + "\n<summary>" + summary_html +
                 "</summary>\n\n");
  b.lines = Lines(Shown(body));
  b.close = "\n</details>\n";
  return b;
}

// Cut to at most `limit` bytes (when it can be: the open and close pieces and
// the note always stay), at a line end, with a note of what was left out.
void Truncate(MdBlock& b, size_t limit) {
  constexpr size_t kNoteRoom = 240;
  size_t size = b.open.size() + b.close.size() + kNoteRoom, kept = 0;
  while (kept < b.lines.size() && size + b.lines[kept].size() <= limit)
    size += b.lines[kept++].size();
  size_t dropped_bytes = 0;
  for (size_t i = kept; i < b.lines.size(); ++i) dropped_bytes += b.lines[i].size();
  size_t dropped = b.lines.size() - kept;
  b.lines.resize(kept);
  b.lines.push_back("\n*… " + Plural(dropped, "more line", "more lines") + " (" +
                    std::to_string(dropped_bytes) +
                    " bytes) not shown: this block alone is over the size of one part "
                    "(--max-bytes). Run the same `cartsync plan` locally for all of it.*\n");
}

// Packs blocks, in order, into parts of at most `max_bytes` (0 = no cap). A
// part is "## TITLE[ (part K of N)]\n", the summary (first part only), then
// its blocks, each after a blank line.
std::vector<std::string> Pack(const std::string& title, const std::string& summary,
                              std::vector<MdBlock> blocks, size_t max_bytes) {
  const std::string heading = Shown("## " + Md(Clip(title, 200)));
  // Room for the heading with the longest " (part K of N)" there can be.
  const size_t head_room = heading.size() + 1 + 2 * std::to_string(blocks.size() + 1).size() + 16;
  const size_t cap = max_bytes == 0 ? SIZE_MAX : max_bytes;
  std::vector<std::vector<MdBlock>> parts(1);
  size_t used = head_room + 1 + summary.size();
  for (MdBlock& block : blocks) {
    size_t need = 1 + block.Size();
    if (used + need > cap && !parts.back().empty()) {
      parts.emplace_back();
      used = head_room;
    }
    if (used + need > cap) Truncate(block, cap > used + 1 ? cap - used - 1 : 0);
    used += 1 + block.Size();
    parts.back().push_back(std::move(block));
  }
  std::vector<std::string> out;
  for (size_t k = 0; k < parts.size(); ++k) {
    std::string text = heading;
    if (parts.size() > 1)
      text += " (part " + std::to_string(k + 1) + " of " + std::to_string(parts.size()) + ")";
    text += "\n";
    if (k == 0) text += "\n" + summary;
    for (const MdBlock& block : parts[k]) {
      text += "\n";
      block.AppendTo(text);
    }
    out.push_back(std::move(text));
  }
  return out;
}

void MdShipMethods(const CartConfig& c, std::ostream& out) {
  out << "\nShip methods (first match wins):\n\n"
      << "| ship code | match | WMS carrier/service |\n| --- | --- | --- |\n";
  for (const ShipMapping& m : c.ship_methods)
    out << "| " << MdCode(m.code, true) << " | " << ShipMatchText(m.match) << " | "
        << MdCode(TargetText(m.target), true) << " |\n";
  if (!HasCatchAll(c)) out << "| *other codes* | | " << UnmappedText(c) << " |\n";
}

// One cart: <summary> = id · platform · schedules; inside, what the text preview says.
MdBlock MdCart(const Plan& plan, const PlanCart& cart) {
  const CartConfig& c = cart.config;
  std::ostringstream out;
  if (!c.name.empty()) out << Md(c.name) << " · ";
  out << "client " << MdCode(c.client, false) << " · platform " << MdCode(c.platform, false)
      << " · WMS " << Md(WmsText(plan, c.wms)) << "\n\n";
  if (!c.api.empty()) out << "- **api**: " << Md(Join(FieldLines(c.api), "; ")) << '\n';
  for (Service s : kAllServices) {
    out << "- **" << Md(ServiceName(s)) << "**: " << MdServiceCell(cart, s) << '\n';
    if (!FindStep(cart, s)) continue;
    for (const Detail& d : ServiceDetails(c, s))
      out << "  - " << Md(d.label) << ": " << Md(Join(d.lines, "; ")) << '\n';
  }
  if (FindStep(cart, Service::OrderDownload)) MdShipMethods(c, out);
  std::vector<std::string> services;
  for (const PlanStep& step : cart.steps)
    services.push_back(std::string(ServiceName(step.service)) + " " + ScheduleText(step.every));
  std::string summary = "<code>" + Html(c.id) + "</code> · " + Html(c.platform) + " · " +
                        Html(services.empty() ? "no services" : Join(services));
  return DetailsBlock(summary, out.str());
}

std::string PlanSummaryLine(const Plan& plan) {
  std::array<size_t, std::size(kAllServices)> enabled{};
  for (const PlanCart& cart : plan.carts)
    for (const PlanStep& step : cart.steps) ++enabled[static_cast<size_t>(step.service)];
  std::vector<std::string> per_service;
  for (Service s : kAllServices)
    per_service.push_back(std::string(ServiceName(s)) + " " +
                          std::to_string(enabled[static_cast<size_t>(s)]));
  return "**" + Plural(plan.carts.size(), "cart", "carts") + ", " +
         Plural(StepCount(plan), "step", "steps") + ", " +
         Plural(plan.wms.size(), "WMS connection", "WMS connections") +
         "** · services enabled: " + Md(Join(per_service)) + "\n";
}

// ---------------------------------------------------------------------------
// Diff.

using Kind = PlanChange::Kind;
using TextMap = std::map<std::string, std::string>;
using SubjectFn = std::function<std::string(const std::string&)>;

SubjectFn Dotted(std::string prefix) {
  return [prefix = std::move(prefix)](const std::string& key) { return prefix + "." + key; };
}
SubjectFn Indexed(std::string prefix) {
  return [prefix = std::move(prefix)](const std::string& key) {
    return prefix + "[" + QuoteEscaped(key) + "]";
  };
}

TextMap FieldTexts(const FieldValues& fields) {
  TextMap out;
  for (const auto& [name, value] : fields) out[name] = FieldText(value);
  return out;
}

TextMap ShipMethodTexts(const CartConfig& c) {
  TextMap out;
  for (const ShipMapping& m : c.ship_methods) out[m.code] = TargetText(m.target);
  return out;
}

// Every filter must pass, so their order is immaterial: group them by field.
TextMap OrderFilterTexts(const CartConfig& c) {
  std::map<std::string, std::vector<std::string>> grouped;
  for (const OrderFilter& f : c.order_filters) grouped[f.field].push_back(OrderFilterText(f));
  TextMap out;
  for (auto& [field, texts] : grouped) {
    std::sort(texts.begin(), texts.end());
    out[field] = Join(texts, "; ");
  }
  return out;
}

TextMap QuotedValues(const std::map<std::string, std::string>& m) {
  TextMap out;
  for (const auto& [k, v] : m) out[k] = QuoteEscaped(v);
  return out;
}

TextMap ListTexts(const std::map<std::string, std::vector<std::string>>& m) {
  TextMap out;
  for (const auto& [k, v] : m) out[k] = ListText(v);
  return out;
}

// What a schedule means, as a comparable key: the times it runs at. A
// schedule that repeats every UTC day (an interval of whole minutes dividing
// a day, hourly, daily at a time in UTC, a cron with no day or month
// restriction) is its set of minutes of the day; anything else keeps its own
// kind and values (cron by its parsed fields, so "0 0 * * 7" == "0 0 * * 0").
std::string ScheduleKey(const Schedule& s) {
  constexpr int64_t kDay = 86400;
  std::bitset<1440> minutes;
  switch (s.kind) {
    case Schedule::Kind::Interval:
      if (s.interval_seconds <= 0 || s.interval_seconds % 60 != 0 || kDay % s.interval_seconds != 0)
        return "interval " + std::to_string(s.interval_seconds);
      for (int64_t t = 0; t < kDay; t += s.interval_seconds) minutes.set(t / 60);
      break;
    case Schedule::Kind::Hourly:
      for (int h = 0; h < 24; ++h) minutes.set(h * 60);
      break;
    case Schedule::Kind::Daily:
      if (!s.tz.empty() && s.tz != "UTC" && s.tz != "Etc/UTC")
        return "daily " + std::to_string(s.hour * 60 + s.minute) + " " + s.tz;
      minutes.set(s.hour * 60 + s.minute);
      break;
    case Schedule::Kind::Cron: {
      const CronFields& f = s.cron_fields;
      bool every_month = true;
      for (size_t m = 1; m <= 12; ++m) every_month = every_month && f.months.test(m);
      if (f.dom_restricted || f.dow_restricted || !every_month)
        return "cron " + f.minutes.to_string() + " " + f.hours.to_string() + " " +
               f.days_of_month.to_string() + " " + f.months.to_string() + " " +
               f.days_of_week.to_string() + " " + (f.dom_restricted ? "d" : "-") +
               (f.dow_restricted ? "w" : "-");
      for (size_t h = 0; h < 24; ++h)
        if (f.hours.test(h))
          for (size_t m = 0; m < 60; ++m)
            if (f.minutes.test(m)) minutes.set(h * 60 + m);
      break;
    }
  }
  return "minutes " + minutes.to_string();
}

class Differ {
 public:
  std::vector<PlanChange> changes;

  void Plans(const Plan& a, const Plan& b) {
    Add(Kind::Other, "", "format_version", std::to_string(a.format_version),
        std::to_string(b.format_version));
    Add(Kind::Other, "", "state.url", a.state_url, b.state_url);
    Add(Kind::Other, "", "state.password", a.state_password ? a.state_password->Text() : "",
        b.state_password ? b.state_password->Text() : "");
    AllWms(a.wms, b.wms);
    Carts(a.carts, b.carts);
  }

 private:
  void Add(Kind kind, const std::string& cart, std::string subject, std::string before,
           std::string after) {
    if (before != after)
      changes.push_back({kind, cart, std::move(subject), std::move(before), std::move(after)});
  }

  // Entry by entry: a key on one side only is an addition or a removal.
  void Keyed(Kind kind, const std::string& cart, const SubjectFn& subject, const TextMap& a,
             const TextMap& b) {
    for (const auto& [key, text] : a) {
      auto it = b.find(key);
      Add(kind, cart, subject(key), text, it == b.end() ? "" : it->second);
    }
    for (const auto& [key, text] : b)
      if (!a.contains(key)) Add(kind, cart, subject(key), "", text);
  }

  void AllWms(const std::map<std::string, WmsConfig>& a,
              const std::map<std::string, WmsConfig>& b) {
    for (const auto& [name, wa] : a) {
      auto it = b.find(name);
      if (it == b.end())
        Add(Kind::WmsChanged, "", "wms." + name, Join(WmsLines(wa), "; "), "");
      else
        OneWms(name, wa, it->second);
    }
    for (const auto& [name, wb] : b)
      if (!a.contains(name)) Add(Kind::WmsChanged, "", "wms." + name, "", Join(WmsLines(wb), "; "));
  }

  void OneWms(const std::string& name, const WmsConfig& a, const WmsConfig& b) {
    std::string prefix = "wms." + name;
    Add(Kind::WmsChanged, "", prefix + ".system", a.system, b.system);
    Keyed(Kind::WmsChanged, "", Dotted(prefix), FieldTexts(a.fields), FieldTexts(b.fields));
    Add(Kind::WmsChanged, "", prefix + ".warehouses", ListText(a.warehouses),
        ListText(b.warehouses));
    Add(Kind::WmsChanged, "", prefix + ".carriers", ListText(a.carriers), ListText(b.carriers));
    Add(Kind::WmsChanged, "", prefix + ".alias_types", ListText(a.alias_types),
        ListText(b.alias_types));
  }

  void Carts(const std::vector<PlanCart>& a, const std::vector<PlanCart>& b) {
    std::map<std::string, const PlanCart*> by_id;
    for (const PlanCart& cart : b) by_id.emplace(cart.config.id, &cart);
    for (const PlanCart& cart : a) {
      auto it = by_id.find(cart.config.id);
      if (it == by_id.end()) {
        Add(Kind::CartRemoved, cart.config.id, "", CartSummary(cart), "");
        continue;
      }
      Cart(cart, *it->second);
      by_id.erase(it);
    }
    for (const auto& [id, cart] : by_id) Add(Kind::CartAdded, id, "", "", CartSummary(*cart));
  }

  void Cart(const PlanCart& a, const PlanCart& b) {
    const CartConfig &x = a.config, &y = b.config;
    const std::string& id = x.id;
    Add(Kind::Other, id, "client", x.client, y.client);
    Add(Kind::Other, id, "platform", x.platform, y.platform);
    Add(Kind::Other, id, "name", x.name, y.name);
    Add(Kind::WmsChanged, id, "wms", x.wms, y.wms);
    Keyed(Kind::ApiChanged, id, Dotted("api"), FieldTexts(x.api), FieldTexts(y.api));
    Services(a, b);
    // A service's settings are part of the plan only while it runs (see plan_render.h).
    auto both = [&](Service s) { return FindStep(a, s) && FindStep(b, s); };
    if (both(Service::OrderDownload)) OrderDownload(x, y);
    if (CarriesItems(a) && CarriesItems(b)) Items(id, x.items, y.items);
    if (both(Service::ShipmentUpload))
      Keyed(Kind::CarrierCodesChanged, id, Indexed("carrier_codes"), QuotedValues(x.carrier_codes),
            QuotedValues(y.carrier_codes));
    if (both(Service::InventoryUpload)) Inventory(x, y);
  }

  void Services(const PlanCart& a, const PlanCart& b) {
    for (Service s : kAllServices) {
      const PlanStep *sa = FindStep(a, s), *sb = FindStep(b, s);
      std::string name(ServiceName(s));
      if (sa && !sb) Add(Kind::ServiceDisabled, a.config.id, name, ScheduleText(sa->every), "");
      if (!sa && sb) Add(Kind::ServiceEnabled, a.config.id, name, "", ScheduleText(sb->every));
      // By meaning: `hourly` -> `1h` is no change.
      if (sa && sb && ScheduleKey(sa->every) != ScheduleKey(sb->every))
        Add(Kind::ScheduleChanged, a.config.id, name, ScheduleText(sa->every),
            ScheduleText(sb->every));
    }
  }

  void OrderDownload(const CartConfig& x, const CartConfig& y) {
    const std::string& id = x.id;
    Keyed(Kind::StatusesChanged, id, Dotted("statuses"), ListTexts(x.statuses),
          ListTexts(y.statuses));
    Add(Kind::FiltersChanged, id, "earliest_order_date", DateText(x.earliest_order_date),
        DateText(y.earliest_order_date));
    Keyed(Kind::FiltersChanged, id, Indexed("order_filters"), OrderFilterTexts(x),
          OrderFilterTexts(y));
    Add(Kind::ShipMethodsChanged, id, "reject_unmapped_ship_codes",
        x.reject_unmapped_ship_codes ? "true" : "false",
        y.reject_unmapped_ship_codes ? "true" : "false");
    Keyed(Kind::ShipMethodsChanged, id, Indexed("ship_methods"), ShipMethodTexts(x),
          ShipMethodTexts(y));
    Keyed(Kind::WmsChanged, id, Dotted("wms_fields"), FieldTexts(x.wms_fields),
          FieldTexts(y.wms_fields));
  }

  void Items(const std::string& id, const ItemRules& x, const ItemRules& y) {
    Add(Kind::FiltersChanged, id, "items.filter", std::string(ItemFilterName(x.filter)),
        std::string(ItemFilterName(y.filter)));
    Add(Kind::FiltersChanged, id, "items.filter_level", std::string(FilterLevelName(x.level)),
        std::string(FilterLevelName(y.level)));
    Add(Kind::FiltersChanged, id, "items.skus", QuotedList(x.skus), QuotedList(y.skus));
    Add(Kind::FiltersChanged, id, "items.translate_item_code", x.translate_item_code,
        y.translate_item_code);
  }

  void Inventory(const CartConfig& x, const CartConfig& y) {
    const std::string& id = x.id;
    Add(Kind::InventoryRulesChanged, id, "sync_inventory_with", x.sync_inventory_with,
        y.sync_inventory_with);
    Add(Kind::InventoryRulesChanged, id, "sync_inventory_alias", x.sync_inventory_alias,
        y.sync_inventory_alias);
    Add(Kind::InventoryRulesChanged, id, "minimum_inventory_level",
        std::to_string(x.minimum_inventory_level), std::to_string(y.minimum_inventory_level));
    Add(Kind::InventoryRulesChanged, id, "inventory_quantity",
        std::string(InventoryQuantityName(x.inventory_quantity)),
        std::string(InventoryQuantityName(y.inventory_quantity)));
  }
};

// ---------------------------------------------------------------------------
// Diff output.

// A service turned off is "disabled", not "removed": its settings are still there.
enum class Sign { Added, Changed, Removed, Enabled, Disabled };

Sign SignOf(const PlanChange& c) {
  switch (c.kind) {
    case Kind::CartAdded:
      return Sign::Added;
    case Kind::ServiceEnabled:
      return Sign::Enabled;
    case Kind::CartRemoved:
      return Sign::Removed;
    case Kind::ServiceDisabled:
      return Sign::Disabled;
    default:
      return c.before.empty() ? Sign::Added : c.after.empty() ? Sign::Removed : Sign::Changed;
  }
}

std::string PathOf(const PlanChange& c) {
  if (c.cart.empty()) return c.subject;
  return c.subject.empty() ? c.cart : c.cart + "/" + c.subject;
}

// "every 15m -> 30m" reads better than repeating "every".
std::string ScheduleChangeText(const PlanChange& c) {
  const std::string_view kEvery = "every ";
  bool both = c.before.starts_with(kEvery) && c.after.starts_with(kEvery);
  return c.before + " -> " + (both ? c.after.substr(kEvery.size()) : c.after);
}

std::string DiffLine(const PlanChange& c) {
  std::string path = PathOf(c);
  switch (c.kind) {
    case Kind::CartAdded:
      return "+ cart " + c.cart + " (" + c.after + ")";
    case Kind::CartRemoved:
      return "- cart " + c.cart + " (" + c.before + ")";
    case Kind::ServiceEnabled:
      return "+ " + path + " enabled: " + c.after;
    case Kind::ServiceDisabled:
      return "- " + path + " disabled (was " + c.before + ")";
    case Kind::ScheduleChanged:
      return "~ " + path + " " + ScheduleChangeText(c);
    default:
      break;
  }
  switch (SignOf(c)) {
    case Sign::Added:
    case Sign::Enabled:
      return "+ " + path + " = " + c.after;
    case Sign::Removed:
    case Sign::Disabled:
      return "- " + path + " = " + c.before;
    case Sign::Changed:
      break;
  }
  return "~ " + path + ": " + c.before + " -> " + c.after;
}

// "9 changes: 2 added, 4 changed, 2 removed" and, when there are any, ", 1 enabled, 1 disabled".
std::string CountLine(const std::vector<PlanChange>& changes) {
  std::array<size_t, 5> n{};
  for (const PlanChange& c : changes) ++n[static_cast<size_t>(SignOf(c))];
  std::string line = Plural(changes.size(), "change", "changes") + ": " + std::to_string(n[0]) +
                     " added, " + std::to_string(n[1]) + " changed, " + std::to_string(n[2]) +
                     " removed";
  if (n[3] + n[4] > 0)
    line += ", " + std::to_string(n[3]) + " enabled, " + std::to_string(n[4]) + " disabled";
  return line;
}

std::string_view SignWord(Sign s) {
  switch (s) {
    case Sign::Added:
      return "added";
    case Sign::Changed:
      return "changed";
    case Sign::Removed:
      return "removed";
    case Sign::Enabled:
      return "enabled";
    case Sign::Disabled:
      return "disabled";
  }
  return "changed";
}

// ---------------------------------------------------------------------------
// Diff as markdown parts.

std::string_view KindPhrase(Kind k) {
  switch (k) {
    case Kind::StatusesChanged:
      return "statuses";
    case Kind::ShipMethodsChanged:
      return "ship methods";
    case Kind::InventoryRulesChanged:
      return "inventory rules";
    case Kind::FiltersChanged:
      return "filters";
    case Kind::CarrierCodesChanged:
      return "carrier codes";
    case Kind::ApiChanged:
      return "api";
    case Kind::WmsChanged:
      return "wms";
    default:
      return "settings";
  }
}

// The one line of a cart's <summary>: "added: …", "removed: …", or the count
// and what changed (services by name, the rest by kind with a count).
std::string CartChangeSummary(const std::vector<const PlanChange*>& cs) {
  for (const PlanChange* c : cs) {
    if (c->kind == Kind::CartAdded) return "added: " + c->after;
    if (c->kind == Kind::CartRemoved) return "removed: " + c->before;
  }
  std::vector<std::string> items;
  std::vector<std::pair<std::string_view, size_t>> kinds;  // in order of first appearance
  for (const PlanChange* c : cs) {
    switch (c->kind) {
      case Kind::ScheduleChanged:
        items.push_back(c->subject + " " + ScheduleChangeText(*c));
        continue;
      case Kind::ServiceEnabled:
        items.push_back(c->subject + " enabled");
        continue;
      case Kind::ServiceDisabled:
        items.push_back(c->subject + " disabled");
        continue;
      default:
        break;
    }
    std::string_view phrase = KindPhrase(c->kind);
    auto it = std::find_if(kinds.begin(), kinds.end(), [&](auto& k) { return k.first == phrase; });
    if (it == kinds.end())
      kinds.emplace_back(phrase, 1);
    else
      ++it->second;
  }
  for (const auto& [phrase, n] : kinds)
    items.push_back(std::string(phrase) + " (" + std::to_string(n) + ")");
  return Clip(Plural(cs.size(), "change", "changes") + ": " + Join(items), 300);
}

std::string DiffSummaryLine(const std::vector<PlanChange>& changes) {
  if (changes.empty()) return "No changes.\n";
  size_t added = 0, removed = 0, enabled = 0, disabled = 0;
  std::vector<std::string_view> changed;
  for (const PlanChange& c : changes) {
    added += c.kind == Kind::CartAdded;
    removed += c.kind == Kind::CartRemoved;
    enabled += c.kind == Kind::ServiceEnabled;
    disabled += c.kind == Kind::ServiceDisabled;
  }
  // Sorted by cart: a cart is "changed" when it has a change and was neither added nor removed.
  for (size_t i = 0; i < changes.size();) {
    size_t j = i;
    bool whole = false;
    while (j < changes.size() && changes[j].cart == changes[i].cart) {
      whole = whole || changes[j].kind == Kind::CartAdded || changes[j].kind == Kind::CartRemoved;
      ++j;
    }
    if (!changes[i].cart.empty() && !whole) changed.push_back(changes[i].cart);
    i = j;
  }
  return "**Carts:** " + std::to_string(added) + " added, " + std::to_string(changed.size()) +
         " changed, " + std::to_string(removed) + " removed · **services:** " +
         std::to_string(enabled) + " enabled, " + std::to_string(disabled) + " disabled · " +
         Plural(changes.size(), "change", "changes") + "\n";
}

std::string ChangeRows(const std::vector<const PlanChange*>& cs) {
  std::string out = "| change | setting | before | after |\n| --- | --- | --- | --- |\n";
  for (const PlanChange* c : cs) {
    out += "| " + std::string(SignWord(SignOf(*c))) + " | " +
           (c->subject.empty() ? std::string("*(cart)*") : MdCode(c->subject, true)) + " | " +
           Md(c->before) + " | " + Md(c->after) + " |\n";
  }
  return out;
}

std::vector<MdBlock> DiffBlocks(const std::vector<PlanChange>& changes) {
  std::vector<MdBlock> blocks;
  for (size_t i = 0; i < changes.size();) {
    std::vector<const PlanChange*> cs;
    size_t j = i;
    for (; j < changes.size() && changes[j].cart == changes[i].cart; ++j) cs.push_back(&changes[j]);
    const std::string& cart = changes[i].cart;
    if (cart.empty()) {
      // Project-level (state store, WMS connections): open, it concerns every cart.
      blocks.push_back(
          DetailsBlock("<b>project</b>: " + Html(Plural(cs.size(), "change", "changes")) +
                           " (state store, WMS connections)",
                       ChangeRows(cs), true));
    } else {
      blocks.push_back(DetailsBlock(
          "<code>" + Html(cart) + "</code>: " + Html(CartChangeSummary(cs)), ChangeRows(cs)));
    }
    i = j;
  }
  return blocks;
}

using JsonWriter = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void JsonString(JsonWriter& w, std::string_view key, std::string_view value) {
  std::string shown = MaskSecrets(value);
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  w.String(shown.data(), static_cast<rapidjson::SizeType>(shown.size()));
}

// Everything the previews and diffs print passes here last: a credential-like
// string pasted anywhere (a name, a ship code, a URL's password) is masked as
// diagnostics mask it, and terminal controls are escaped, as QuoteEscaped
// writes them (safe_text.h). The diff compares the values before this.
std::string Shown(std::string_view text) { return EscapeControls(MaskSecrets(text), "\n"); }

void WriteShown(const std::function<void(std::ostream&)>& write, std::ostream& out) {
  std::ostringstream text;
  write(text);
  out << Shown(text.str());
}

}  // namespace

static void WritePlanText(const Plan& plan, std::ostream& out) {
  out << PlanHeadline(plan) << '\n';
  for (const PlanCart& cart : plan.carts) {
    out << '\n';
    TextCart(plan, cart, out);
  }
  for (const auto& [name, wms] : plan.wms) {
    out << '\n';
    TextWms(wms, name, out);
  }
  out << "\nstate: " << plan.state_url;
  if (plan.state_password) out << " (password: " << plan.state_password->Text() << ')';
  out << '\n';
}

std::vector<std::string> PlanMarkdownParts(const Plan& plan, const MarkdownOptions& options) {
  std::vector<MdBlock> blocks;
  blocks.reserve(plan.carts.size() + 1);
  for (const PlanCart& cart : plan.carts) blocks.push_back(MdCart(plan, cart));
  std::ostringstream tail;
  if (!plan.wms.empty()) {
    tail << "### WMS connections\n\n";
    for (const auto& [name, wms] : plan.wms)
      tail << "- **" << Md(name) << "**: " << Md(Join(WmsLines(wms), "; ")) << '\n';
    tail << '\n';
  }
  tail << "State store: " << MdCode(plan.state_url, false) << '\n';
  MdBlock footer;
  footer.lines = Lines(Shown(tail.str()));
  blocks.push_back(std::move(footer));
  return Pack(options.title, Shown(PlanSummaryLine(plan)), std::move(blocks), options.max_bytes);
}

std::vector<std::string> DiffMarkdownParts(const std::vector<PlanChange>& changes,
                                           const MarkdownOptions& options) {
  return Pack(options.title, Shown(DiffSummaryLine(changes)), DiffBlocks(changes),
              options.max_bytes);
}

void WriteMarkdownParts(const std::vector<std::string>& parts, std::ostream& out) {
  for (size_t k = 0; k < parts.size(); ++k) {
    if (parts.size() > 1)
      out << "<!-- cartsync plan part " << k + 1 << " of " << parts.size() << " -->\n";
    out << parts[k];
  }
}

std::vector<PlanChange> DiffPlans(const Plan& before, const Plan& after) {
  Differ differ;
  differ.Plans(before, after);
  std::vector<PlanChange> changes = std::move(differ.changes);
  std::sort(changes.begin(), changes.end(), [](const PlanChange& a, const PlanChange& b) {
    return std::tie(a.cart, a.kind, a.subject, a.before, a.after) <
           std::tie(b.cart, b.kind, b.subject, b.before, b.after);
  });
  return changes;
}

std::string_view PlanChangeKindName(PlanChange::Kind k) {
  switch (k) {
    case Kind::CartAdded:
      return "cart_added";
    case Kind::CartRemoved:
      return "cart_removed";
    case Kind::ServiceEnabled:
      return "service_enabled";
    case Kind::ServiceDisabled:
      return "service_disabled";
    case Kind::ScheduleChanged:
      return "schedule_changed";
    case Kind::StatusesChanged:
      return "statuses_changed";
    case Kind::ShipMethodsChanged:
      return "ship_methods_changed";
    case Kind::InventoryRulesChanged:
      return "inventory_rules_changed";
    case Kind::FiltersChanged:
      return "filters_changed";
    case Kind::CarrierCodesChanged:
      return "carrier_codes_changed";
    case Kind::ApiChanged:
      return "api_changed";
    case Kind::WmsChanged:
      return "wms_changed";
    case Kind::Other:
      return "other";
  }
  return "other";
}

static void WriteDiffText(const std::vector<PlanChange>& changes, std::ostream& out) {
  if (changes.empty()) {
    out << "No changes.\n";
    return;
  }
  for (const PlanChange& c : changes) out << DiffLine(c) << '\n';
  out << '\n' << CountLine(changes) << ".\n";
}

void RenderDiffJson(const std::vector<PlanChange>& changes, std::ostream& out) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.SetIndent(' ', 2);
  w.StartObject();
  w.Key("changes");
  w.StartArray();
  for (const PlanChange& c : changes) {
    w.StartObject();
    JsonString(w, "kind", PlanChangeKindName(c.kind));
    JsonString(w, "cart", c.cart);
    JsonString(w, "subject", c.subject);
    JsonString(w, "before", c.before);
    JsonString(w, "after", c.after);
    w.EndObject();
  }
  w.EndArray();
  w.Key("count");
  w.Uint64(changes.size());
  w.EndObject();
  out.write(buf.GetString(), static_cast<std::streamsize>(buf.GetSize()));
  out << '\n';
}

void RenderPlanText(const Plan& plan, std::ostream& out) {
  WriteShown([&](std::ostream& text) { WritePlanText(plan, text); }, out);
}

void RenderPlanMarkdown(const Plan& plan, std::ostream& out) {
  WriteMarkdownParts(PlanMarkdownParts(plan, MarkdownOptions{}), out);
}

void RenderDiffText(const std::vector<PlanChange>& changes, std::ostream& out) {
  WriteShown([&](std::ostream& text) { WriteDiffText(changes, text); }, out);
}

void RenderDiffMarkdown(const std::vector<PlanChange>& changes, std::ostream& out) {
  MarkdownOptions options;
  options.title = "cartsync plan: changes";
  WriteMarkdownParts(DiffMarkdownParts(changes, options), out);
}

}  // namespace cartsync

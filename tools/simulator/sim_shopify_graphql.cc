// Shopify Admin GraphQL subset (platforms.md "Shopify Admin API — GraphQL"):
// POST {store}/admin/api/{version}/graphql.json and the client credentials
// grant at POST {store}/admin/oauth/access_token.
//
// A request is parsed (sim_graphql.h), checked against the types below
// (unknown fields, missing selections and connection sizes are refused the
// way Shopify refuses them: HTTP 200 with `errors`), priced by Shopify's
// cost rules (object 1, connection 2 + first x node, sized list first x
// item, mutation 10; over 1,000 refused with MAX_COST_EXCEEDED), admitted by
// the store's cost bucket (THROTTLED when "shopify_cost_throttle" is on and
// the bucket lacks the requested cost), run, and answered with
// extensions.cost {requestedQueryCost, actualQueryCost, throttleStatus}.
//
// Model: a store with several locations assigns line i to location i mod n;
// an order has one fulfillment order per location holding lines. Orders
// created more than 60 days ago are invisible without read_all_orders.
// Writes are recorded like the REST ones (RecordTracking "fulfillment",
// RecordInventory), so exactly-once checks see both APIs alike. The answers
// are valid for Shopify's 2026-10 schema (tests/conformance checks them).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <set>

#include "tools/simulator/sim_graphql.h"
#include "tools/simulator/sim_internal.h"

namespace cartsync::sim::detail {
namespace {

using gql::Field;
using rapidjson::Value;

// ---- the types served ----------------------------------------------------------------

enum class K { kScalar, kObject, kConnection, kList };
struct FieldDef {
  const char* name;
  K kind;
  const char* type;  ///< the object / node / item type ("" for scalars)
};
struct TypeDef {
  const char* name;
  std::vector<FieldDef> fields;
  const FieldDef* Find(std::string_view n) const {
    for (const FieldDef& f : fields)
      if (n == f.name) return &f;
    return nullptr;
  }
};

FieldDef S(const char* n) { return {n, K::kScalar, ""}; }
FieldDef O(const char* n, const char* t) { return {n, K::kObject, t}; }
FieldDef C(const char* n, const char* t) { return {n, K::kConnection, t}; }
FieldDef L(const char* n, const char* t) { return {n, K::kList, t}; }

const std::vector<TypeDef>& Types() {
  static const std::vector<TypeDef> types = {
      {"QueryRoot",
       {C("orders", "Order"), O("order", "Order"), O("fulfillmentOrder", "FulfillmentOrder"),
        C("productVariants", "ProductVariant"), O("location", "Location"),
        C("locations", "Location"), O("currentAppInstallation", "AppInstallation"),
        O("shop", "Shop")}},
      {"Mutation",
       {O("fulfillmentCreate", "FulfillmentCreatePayload"),
        O("inventorySetQuantities", "InventorySetQuantitiesPayload")}},
      {"Order",
       {S("id"),
        S("legacyResourceId"),
        S("name"),
        S("createdAt"),
        S("updatedAt"),
        S("processedAt"),
        S("closedAt"),
        S("cancelledAt"),
        S("closed"),
        S("email"),
        S("phone"),
        S("currencyCode"),
        S("taxesIncluded"),
        O("totalDiscountsSet", "MoneyBag"),
        O("totalTaxSet", "MoneyBag"),
        O("totalPriceSet", "MoneyBag"),
        S("displayFinancialStatus"),
        S("displayFulfillmentStatus"),
        S("note"),
        O("shippingLine", "ShippingLine"),
        O("shippingAddress", "MailingAddress"),
        C("lineItems", "LineItem"),
        C("fulfillmentOrders", "FulfillmentOrder"),
        L("fulfillments", "Fulfillment")}},
      {"ShippingLine", {S("title"), S("code"), S("source"), O("originalPriceSet", "MoneyBag")}},
      {"DiscountAllocation", {O("allocatedAmountSet", "MoneyBag")}},
      {"TaxLine", {O("priceSet", "MoneyBag"), S("rate"), S("title")}},
      {"MailingAddress",
       {S("name"), S("firstName"), S("lastName"), S("company"), S("address1"), S("address2"),
        S("city"), S("province"), S("provinceCode"), S("zip"), S("country"), S("countryCodeV2"),
        S("phone")}},
      {"LineItem",
       {S("id"), S("sku"), S("name"), S("title"), S("quantity"), S("currentQuantity"),
        S("unfulfilledQuantity"), S("requiresShipping"), O("originalUnitPriceSet", "MoneyBag"),
        O("discountedUnitPriceSet", "MoneyBag"), O("variant", "ProductVariant"),
        L("discountAllocations", "DiscountAllocation"), L("taxLines", "TaxLine")}},
      {"MoneyBag", {O("shopMoney", "MoneyV2"), O("presentmentMoney", "MoneyV2")}},
      {"MoneyV2", {S("amount"), S("currencyCode")}},
      {"Fulfillment",
       {S("id"), S("name"), S("status"), S("createdAt"), S("updatedAt"), O("location", "Location"),
        L("trackingInfo", "FulfillmentTrackingInfo")}},
      {"FulfillmentTrackingInfo", {S("company"), S("number"), S("url")}},
      {"FulfillmentOrder",
       {S("id"), S("status"), S("requestStatus"), S("orderId"),
        O("assignedLocation", "FulfillmentOrderAssignedLocation"),
        C("lineItems", "FulfillmentOrderLineItem")}},
      {"FulfillmentOrderAssignedLocation", {S("name"), O("location", "Location")}},
      {"FulfillmentOrderLineItem",
       {S("id"), S("remainingQuantity"), S("totalQuantity"), S("sku"), O("lineItem", "LineItem")}},
      {"Location",
       {S("id"), S("legacyResourceId"), S("name"), S("isActive"), S("isPrimary"),
        S("fulfillsOnlineOrders")}},
      {"ProductVariant",
       {S("id"), S("legacyResourceId"), S("sku"), S("title"), O("inventoryItem", "InventoryItem")}},
      {"InventoryItem", {S("id"), S("legacyResourceId"), S("sku"), S("tracked")}},
      {"AppInstallation", {L("accessScopes", "AccessScope")}},
      {"AccessScope", {S("handle"), S("description")}},
      {"Shop", {S("id"), S("name"), S("myshopifyDomain"), S("ianaTimezone")}},
      {"FulfillmentCreatePayload", {O("fulfillment", "Fulfillment"), L("userErrors", "UserError")}},
      {"UserError", {S("field"), S("message")}},
      {"InventorySetQuantitiesPayload",
       {O("inventoryAdjustmentGroup", "InventoryAdjustmentGroup"),
        L("userErrors", "InventorySetQuantitiesUserError")}},
      {"InventoryAdjustmentGroup", {S("id"), S("reason"), S("createdAt")}},
      {"InventorySetQuantitiesUserError", {S("code"), S("field"), S("message")}},
      {"PageInfo", {S("hasNextPage"), S("hasPreviousPage"), S("startCursor"), S("endCursor")}},
  };
  return types;
}

const TypeDef* FindType(std::string_view name) {
  for (const TypeDef& t : Types())
    if (name == t.name) return &t;
  return nullptr;
}

constexpr int64_t kMaxQueryCost = 1000;
constexpr int64_t kMaxPageSize = 250;
constexpr int64_t kRecentSeconds = 60 * 86400;
constexpr int64_t kFoStride = 1'000'000'000'000'000;  // fulfillment order id of location k > 0

std::string Gid(const char* type, int64_t id) {
  return std::string("gid://shopify/") + type + "/" + std::to_string(id);
}

/// The number of "gid://shopify/TYPE/N" when TYPE matches; nullopt otherwise.
std::optional<int64_t> GidId(const Value* v, const char* type) {
  if (v == nullptr || !v->IsString()) return std::nullopt;
  std::string_view s(v->GetString(), v->GetStringLength());
  std::string prefix = std::string("gid://shopify/") + type + "/";
  if (s.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::string_view n = s.substr(prefix.size());
  n = n.substr(0, n.find('?'));
  if (!IsDigits(n) || n.size() > 18) return std::nullopt;
  return ToInt(n);
}

/// A string, or null when empty.
void StrOrNull(Writer& w, std::string_view v) {
  if (v.empty())
    w.Null();
  else
    Str(w, v);
}

const Value* Arg(const Value& args, const char* name) {
  auto it = args.FindMember(name);
  return it == args.MemberEnd() || it->value.IsNull() ? nullptr : &it->value;
}

// ---- request context ---------------------------------------------------------------------

struct GqlError {
  std::string message, code;
};

struct Ctx {
  World& world;
  Store& st;
  const gql::Operation& op;
  const Value& variables;
  rapidjson::Document scratch;
  std::vector<GqlError> errors;
  int64_t actual = 0;

  Ctx(World& w, Store& s, const gql::Operation& o, const Value& v)
      : world(w), st(s), op(o), variables(v) {
    scratch.SetObject();
  }

  /// The field's arguments as JSON; false (error noted) when a variable is missing.
  bool Args(const Field& f, Value* out) {
    std::string error;
    if (gql::ResolveArguments(f.args, op, variables, out, scratch.GetAllocator(), &error))
      return true;
    errors.push_back({error, "argumentLiteralsIncompatible"});
    return false;
  }
};

// ---- validation and requested cost ---------------------------------------------------------

bool CheckSelection(Ctx& c, const TypeDef& type, const std::vector<Field>& sel, bool root_mutation,
                    int64_t* cost);

/// `first` of a connection or sized list: 0..250; -1 (error noted) otherwise.
int64_t SizeArg(Ctx& c, const Field& f, const char* type, bool required) {
  Value args;
  if (!c.Args(f, &args)) return -1;
  if (Arg(args, "last") || Arg(args, "before")) {
    c.errors.push_back(
        {"the simulator pages forward only (first/after) on " + f.name, "argumentNotSupported"});
    return -1;
  }
  const Value* first = Arg(args, "first");
  if (first == nullptr) {
    if (!required) return 1;
    c.errors.push_back({"you must provide one of first or last", "missingRequiredArguments"});
    return -1;
  }
  if (!first->IsInt64() || first->GetInt64() < 0 || first->GetInt64() > kMaxPageSize) {
    c.errors.push_back(
        {std::string("first on ") + type + " must be between 0 and 250", "argumentOutOfRange"});
    return -1;
  }
  return first->GetInt64();
}

bool CheckField(Ctx& c, const TypeDef& type, const Field& f, bool root_mutation, int64_t* cost) {
  if (f.name == "__typename") {
    if (!f.selection.empty()) {
      c.errors.push_back(
          {"Selections can't be made on scalars (field '__typename')", "selectionMismatch"});
      return false;
    }
    return true;
  }
  const FieldDef* def = type.Find(f.name);
  if (def == nullptr) {
    c.errors.push_back(
        {"Field '" + f.name + "' doesn't exist on type '" + type.name + "'", "undefinedField"});
    return false;
  }
  if (def->kind == K::kScalar) {
    if (!f.selection.empty()) {
      c.errors.push_back({"Selections can't be made on scalars (field '" + f.name + "' on type '" +
                              type.name + "')",
                          "selectionMismatch"});
      return false;
    }
    return true;
  }
  if (f.selection.empty()) {
    c.errors.push_back({"Field must have selections (field '" + f.name + "' returns " + def->type +
                            (def->kind == K::kConnection ? "Connection" : "") +
                            " but has no selections)",
                        "selectionMismatch"});
    return false;
  }
  const TypeDef* child = FindType(def->type);
  if (child == nullptr) return false;
  if (def->kind == K::kObject) {
    int64_t inner = 0;
    if (!CheckSelection(c, *child, f.selection, false, &inner)) return false;
    *cost += (root_mutation ? 10 : 1) + inner;
    return true;
  }
  if (def->kind == K::kList) {
    int64_t n = SizeArg(c, f, def->type, /*required=*/false);
    int64_t inner = 0;
    if (n < 0 || !CheckSelection(c, *child, f.selection, false, &inner)) return false;
    *cost += n * (1 + inner);
    return true;
  }
  // A connection: nodes / edges { cursor node } / pageInfo.
  const int64_t first = SizeArg(c, f, def->type, /*required=*/true);
  if (first < 0) return false;
  int64_t total = 2;
  for (const Field& sub : f.selection) {
    int64_t inner = 0;
    if (sub.name == "__typename") continue;
    if (sub.name == "nodes") {
      if (!CheckSelection(c, *child, sub.selection, false, &inner)) return false;
      total += first * (1 + inner);
    } else if (sub.name == "pageInfo") {
      if (!CheckSelection(c, *FindType("PageInfo"), sub.selection, false, &inner)) return false;
      total += 1 + inner;
    } else if (sub.name == "edges") {
      for (const Field& e : sub.selection) {
        if (e.name == "cursor" || e.name == "__typename") continue;
        if (e.name != "node") {
          c.errors.push_back(
              {"Field '" + e.name + "' doesn't exist on type '" + def->type + "Edge'",
               "undefinedField"});
          return false;
        }
        int64_t node = 0;
        if (!CheckSelection(c, *child, e.selection, false, &node)) return false;
        total += first * (1 + node);
      }
    } else {
      c.errors.push_back(
          {"Field '" + sub.name + "' doesn't exist on type '" + def->type + "Connection'",
           "undefinedField"});
      return false;
    }
    if (sub.selection.empty()) {
      c.errors.push_back(
          {"Field must have selections (field '" + sub.name + "')", "selectionMismatch"});
      return false;
    }
  }
  *cost += total;
  return true;
}

bool CheckSelection(Ctx& c, const TypeDef& type, const std::vector<Field>& sel, bool root_mutation,
                    int64_t* cost) {
  for (const Field& f : sel)
    if (!CheckField(c, type, f, root_mutation, cost)) return false;
  return true;
}

// ---- the model as GraphQL sees it -------------------------------------------------------------

int LocationOf(const Store& st, size_t line) {
  return st.locations.size() > 1 ? static_cast<int>(line % st.locations.size()) : 0;
}

int64_t FoId(const Order& o, int k) { return o.fulfillment_order_id + k * kFoStride; }

struct FoRef {
  const Order* order = nullptr;
  int location = 0;
};

std::vector<FoRef> FulfillmentOrdersOf(const Store& st, const Order& o) {
  std::set<int> locations;
  for (size_t i = 0; i < o.lines.size(); ++i) locations.insert(LocationOf(st, i));
  std::vector<FoRef> out;
  for (int k : locations) out.push_back({&o, k});
  return out;
}

std::string FoStatus(const Store& st, const FoRef& fo) {
  if (fo.order->cancelled_at) return "CANCELLED";
  int64_t remaining = 0, shipped = 0;
  for (size_t i = 0; i < fo.order->lines.size(); ++i) {
    if (LocationOf(st, i) != fo.location) continue;
    remaining += fo.order->lines[i].quantity - fo.order->lines[i].shipped;
    shipped += fo.order->lines[i].shipped;
  }
  if (remaining <= 0) return "CLOSED";
  return shipped > 0 ? "IN_PROGRESS" : "OPEN";
}

std::optional<FoRef> FindFo(Store& st, int64_t gid_number) {
  const int64_t base = gid_number % kFoStride;
  const int k = static_cast<int>(gid_number / kFoStride);
  for (const Order& o : st.orders) {
    if (o.fulfillment_order_id != base) continue;
    for (const FoRef& fo : FulfillmentOrdersOf(st, o))
      if (fo.location == k) return fo;
  }
  return std::nullopt;
}

bool SeesAllOrders(const Store& st) {
  const auto& scopes = *st.seed.scopes;
  return std::find(scopes.begin(), scopes.end(), "read_all_orders") != scopes.end();
}

bool Visible(const World& world, const Store& st, const Order& o) {
  return SeesAllOrders(st) || o.created >= world.NowSeconds() - kRecentSeconds;
}

std::string Upper(std::string s) {
  for (char& ch : s) ch = static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
  return s;
}

std::string DisplayFulfillment(const Order& o) {
  if (o.fulfillment_status == "fulfilled") return "FULFILLED";
  if (o.fulfillment_status == "partial") return "PARTIALLY_FULFILLED";
  return "UNFULFILLED";
}

// ---- search syntax (orders, productVariants) --------------------------------------------------

/// field:[op]value terms joined by whitespace (AND), OR, NOT/-, parentheses.
/// Parsed once into a tree (a page of orders evaluates it per order), so a
/// listing costs one parse, not one per order.
class Search {
 public:
  /// A term's test, made once per query from its field, operator and value.
  template <class Item>
  using Tests = std::vector<std::function<bool(const Item&)>>;

  explicit Search(std::string_view text) : s_(text) {
    if (s_.find_first_not_of(" \t") == std::string_view::npos) return;  // empty: no filter
    root_ = Or();
    Space();
    if (error_.empty() && pos_ < s_.size())
      error_ = "unexpected \"" + std::string(s_.substr(pos_, 20)) + "\"";
    if (!error_.empty()) root_ = -1;
  }

  /// The query's syntax error ("Invalid search query: …"), empty when it parsed.
  std::string Error() const { return error_.empty() ? "" : "Invalid search query: " + error_; }

  /// Every term's test, by `make(field, op, value)` (empty field: a bare word).
  template <class Item, class Make>
  Tests<Item> Bind(Make make) const {
    Tests<Item> tests(nodes_.size());
    for (size_t i = 0; i < nodes_.size(); ++i)
      if (nodes_[i].kind == Kind::kTerm)
        tests[i] = make(nodes_[i].field, nodes_[i].op, nodes_[i].value);
    return tests;
  }

  /// Whether `item` satisfies the query (an empty query: always).
  template <class Item>
  bool Eval(const Tests<Item>& tests, const Item& item) const {
    return root_ < 0 || Eval(root_, tests, item);
  }

 private:
  enum class Kind { kAnd, kOr, kNot, kTerm };
  struct Node {
    Kind kind;
    std::vector<int> kids;
    std::string field, op, value;
  };

  template <class Item>
  bool Eval(int n, const Tests<Item>& tests, const Item& item) const {
    const Node& node = nodes_[static_cast<size_t>(n)];
    switch (node.kind) {
      case Kind::kTerm:
        return tests[static_cast<size_t>(n)](item);
      case Kind::kNot:
        return !Eval(node.kids[0], tests, item);
      case Kind::kAnd:
        return std::all_of(node.kids.begin(), node.kids.end(),
                           [&](int k) { return Eval(k, tests, item); });
      case Kind::kOr:
        return std::any_of(node.kids.begin(), node.kids.end(),
                           [&](int k) { return Eval(k, tests, item); });
    }
    return false;
  }
  int Add(Node node) {
    nodes_.push_back(std::move(node));
    return static_cast<int>(nodes_.size() - 1);
  }
  void Space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }
  bool Keyword(std::string_view k) {
    Space();
    if (s_.substr(pos_, k.size()) != k) return false;
    size_t after = pos_ + k.size();
    if (after < s_.size() && s_[after] != ' ' && s_[after] != '(' && s_[after] != '\t')
      return false;
    pos_ = after;
    return true;
  }
  int Or() {
    Node node{Kind::kOr, {And()}, {}, {}, {}};
    while (error_.empty() && Keyword("OR")) node.kids.push_back(And());
    return node.kids.size() == 1 ? node.kids[0] : Add(std::move(node));
  }
  int And() {
    Node node{Kind::kAnd, {}, {}, {}, {}};
    while (error_.empty()) {
      Space();
      if (pos_ >= s_.size() || s_[pos_] == ')') break;
      size_t save = pos_;
      if (Keyword("OR")) {
        pos_ = save;
        break;
      }
      if (Keyword("AND")) continue;
      node.kids.push_back(Unary());
    }
    if (node.kids.empty() && error_.empty()) error_ = "empty expression";
    return node.kids.size() == 1 ? node.kids[0] : Add(std::move(node));
  }
  int Unary() {
    Space();
    if (Keyword("NOT")) return Add({Kind::kNot, {Unary()}, {}, {}, {}});
    if (pos_ < s_.size() && s_[pos_] == '-') {
      ++pos_;
      return Add({Kind::kNot, {Unary()}, {}, {}, {}});
    }
    if (pos_ < s_.size() && s_[pos_] == '(') {
      ++pos_;
      int r = Or();
      Space();
      if (pos_ >= s_.size() || s_[pos_] != ')') {
        error_ = "missing )";
        return r;
      }
      ++pos_;
      return r;
    }
    return Term();
  }
  std::string Word() {
    std::string out;
    if (pos_ < s_.size() && (s_[pos_] == '"' || s_[pos_] == '\'')) {
      char q = s_[pos_++];
      while (pos_ < s_.size() && s_[pos_] != q) {
        if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
        out += s_[pos_++];
      }
      if (pos_ >= s_.size())
        error_ = "unterminated quote";
      else
        ++pos_;
      return out;
    }
    while (pos_ < s_.size() && s_[pos_] != ' ' && s_[pos_] != ')' && s_[pos_] != '(' &&
           s_[pos_] != '\t')
      out += s_[pos_++];
    return out;
  }
  int Term() {
    size_t colon = s_.find(':', pos_);
    size_t stop = s_.find_first_of(" ()\t\"'", pos_);
    if (colon == std::string_view::npos || (stop != std::string_view::npos && stop < colon))
      return Add({Kind::kTerm, {}, "", "", Word()});  // a bare term
    std::string field(s_.substr(pos_, colon - pos_));
    pos_ = colon + 1;
    std::string op;
    for (const char* o : {">=", "<=", ">", "<", "="})
      if (s_.substr(pos_, std::string_view(o).size()) == o) {
        op = o;
        pos_ += op.size();
        break;
      }
    std::string value = Word();
    return Add({Kind::kTerm, {}, std::move(field), std::move(op), std::move(value)});
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::vector<Node> nodes_;
  int root_ = -1;
  std::string error_;
};

bool Compare(int64_t a, const std::string& op, int64_t b) {
  if (op == ">=") return a >= b;
  if (op == "<=") return a <= b;
  if (op == ">") return a > b;
  if (op == "<") return a < b;
  return a == b;
}

using OrderTest = std::function<bool(const Order&)>;

bool CompareTime(const std::string& field, const Order& o, const std::string& op, int64_t t) {
  return Compare(field == "updated_at" ? o.updated : o.created, op, t);
}

/// One search term as a test of an order, its value parsed once; `bad`
/// names a value Shopify would not understand (such a term matches nothing).
OrderTest MatchOrder(const Store& st, const std::string& field, const std::string& op,
                     const std::string& value, std::string* bad) {
  auto none = [](const Order&) { return false; };
  if (field.empty()) return [](const Order&) { return true; };  // free text: not modelled
  if (field == "status") {
    if (value == "open") return [](const Order& o) { return o.status == "open"; };
    if (value == "closed") return [](const Order& o) { return o.closed_at != 0; };
    if (value == "cancelled") return [](const Order& o) { return o.cancelled_at != 0; };
    if (value == "not_closed") return [](const Order& o) { return o.closed_at == 0; };
    *bad = "status:" + value;
    return none;
  }
  if (field == "financial_status") {
    static const std::set<std::string> kKnown = {
        "paid",     "pending", "authorized", "partially_paid", "partially_refunded",
        "refunded", "voided",  "expired"};
    if (!kKnown.count(value)) *bad = "financial_status:" + value;
    return [value](const Order& o) { return o.financial_status == value; };
  }
  if (field == "fulfillment_status") {
    if (value == "unfulfilled" || value == "unshipped")
      return [](const Order& o) { return o.fulfillment_status.empty(); };
    if (value == "partial") return [](const Order& o) { return o.fulfillment_status == "partial"; };
    if (value == "fulfilled" || value == "shipped")
      return [](const Order& o) { return o.fulfillment_status == "fulfilled"; };
    *bad = "fulfillment_status:" + value;
    return none;
  }
  if (field == "created_at" || field == "updated_at" || field == "processed_at") {
    int64_t t = 0;
    if (!ParseIso(value, &t, st.offset_minutes)) {
      *bad = field + ":" + value;
      return none;
    }
    return [field, op, t](const Order& o) { return CompareTime(field, o, op, t); };
  }
  if (field == "id") {
    auto n = ToInt(value);
    if (!n) {
      *bad = "id:" + value;
      return none;
    }
    return [op, n = *n](const Order& o) { return Compare(o.id, op, n); };
  }
  if (field == "name")
    return [value](const Order& o) {
      return "#" + std::to_string(o.number) == value || std::to_string(o.number) == value;
    };
  if (field == "sku")
    return [value](const Order& o) {
      return std::any_of(o.lines.begin(), o.lines.end(),
                         [&](const Line& l) { return l.sku == value; });
    };
  // Filters not modelled match everything, as unknown ones do on Shopify.
  return [](const Order&) { return true; };
}

// ---- writing -----------------------------------------------------------------------------

void WriteSelectionObject(Ctx& c, const std::vector<Field>& sel, const char* type, Writer& w,
                          const std::function<void(const Field&)>& each) {
  ++c.actual;
  w.StartObject();
  for (const Field& f : sel) {
    w.Key(f.key().c_str(), static_cast<rapidjson::SizeType>(f.key().size()));
    if (f.name == "__typename")
      Str(w, type);
    else
      each(f);
  }
  w.EndObject();
}

std::string EncodeCursor(const std::string& kind, int64_t id) {
  return Base64Encode(kind + ":" + std::to_string(id), /*url_safe=*/true);
}

/// Writes a connection over `ids` (in listing order); `node` writes one.
void WriteConnection(Ctx& c, const Field& f, const char* kind, const std::vector<int64_t>& ids,
                     Writer& w,
                     const std::function<void(const Field& selection_owner, size_t index)>& node) {
  Value args;
  c.Args(f, &args);
  const Value* first_v = Arg(args, "first");
  int64_t first = first_v && first_v->IsInt64() ? first_v->GetInt64() : 0;
  size_t begin = 0;
  if (const Value* after = Arg(args, "after"); after && after->IsString()) {
    auto raw = Base64Decode(after->GetString());
    size_t colon = raw ? raw->find(':') : std::string::npos;
    std::optional<int64_t> anchor =
        colon == std::string::npos ? std::nullopt : ToInt(raw->substr(colon + 1));
    if (!anchor || raw->substr(0, colon) != kind) {
      c.errors.push_back({"Invalid cursor for " + f.name, "badRequest"});
      w.Null();
      return;
    }
    begin = ids.size();
    for (size_t i = 0; i < ids.size(); ++i)
      if (ids[i] == *anchor) begin = i + 1;
  }
  const size_t end = std::min(ids.size(), begin + static_cast<size_t>(std::max<int64_t>(first, 0)));
  c.actual += 2;
  w.StartObject();
  for (const Field& sub : f.selection) {
    w.Key(sub.key().c_str(), static_cast<rapidjson::SizeType>(sub.key().size()));
    if (sub.name == "__typename") {
      Str(w, std::string(kind) + "Connection");
    } else if (sub.name == "nodes") {
      w.StartArray();
      for (size_t i = begin; i < end; ++i) node(sub, i);
      w.EndArray();
    } else if (sub.name == "edges") {
      w.StartArray();
      for (size_t i = begin; i < end; ++i) {
        w.StartObject();
        for (const Field& e : sub.selection) {
          w.Key(e.key().c_str(), static_cast<rapidjson::SizeType>(e.key().size()));
          if (e.name == "cursor")
            Str(w, EncodeCursor(kind, ids[i]));
          else if (e.name == "__typename")
            Str(w, std::string(kind) + "Edge");
          else
            node(e, i);
        }
        w.EndObject();
      }
      w.EndArray();
    } else if (sub.name == "pageInfo") {
      WriteSelectionObject(c, sub.selection, "PageInfo", w, [&](const Field& p) {
        if (p.name == "hasNextPage")
          w.Bool(end < ids.size());
        else if (p.name == "hasPreviousPage")
          w.Bool(begin > 0);
        else if (p.name == "startCursor" && begin < end)
          Str(w, EncodeCursor(kind, ids[begin]));
        else if (p.name == "endCursor" && begin < end)
          Str(w, EncodeCursor(kind, ids[end - 1]));
        else
          w.Null();
      });
    } else {
      w.Null();
    }
  }
  w.EndObject();
}

/// `first` of a sized list (1 when not given).
size_t ListSize(Ctx& c, const Field& f, size_t available) {
  Value args;
  c.Args(f, &args);
  const Value* first = Arg(args, "first");
  if (first == nullptr || !first->IsInt64()) return available;
  return std::min(available, static_cast<size_t>(std::max<int64_t>(0, first->GetInt64())));
}

void WriteLocation(Ctx& c, const Field& f, const Location& l, Writer& w) {
  const bool primary = &l == &c.st.locations.front();
  WriteSelectionObject(c, f.selection, "Location", w, [&](const Field& x) {
    if (x.name == "id")
      Str(w, Gid("Location", l.id));
    else if (x.name == "legacyResourceId")
      Str(w, std::to_string(l.id));
    else if (x.name == "name")
      Str(w, l.name);
    else if (x.name == "isActive" || x.name == "fulfillsOnlineOrders")
      w.Bool(true);
    else if (x.name == "isPrimary")
      w.Bool(primary);
    else
      w.Null();
  });
}

/// Shop and presentment money alike: the store's currency, its decimals
/// (price_cents are its minor units: JPY yen, KWD fils).
void WriteMoneyBag(Ctx& c, const Field& f, int64_t cents, Writer& w) {
  const int decimals = CurrencyDecimals(c.st.seed.currency);
  WriteSelectionObject(c, f.selection, "MoneyBag", w, [&](const Field& x) {
    WriteSelectionObject(c, x.selection, "MoneyV2", w, [&](const Field& m) {
      if (m.name == "amount")
        Str(w, Amount(cents, decimals, decimals));
      else
        Str(w, c.st.seed.currency);
    });
  });
}

void WriteVariant(Ctx& c, const Field& f, const Product& p, Writer& w) {
  WriteSelectionObject(c, f.selection, "ProductVariant", w, [&](const Field& x) {
    if (x.name == "id")
      Str(w, Gid("ProductVariant", p.variant_id));
    else if (x.name == "legacyResourceId")
      Str(w, std::to_string(p.variant_id));
    else if (x.name == "sku")
      Str(w, p.sku);
    else if (x.name == "title")
      Str(w, p.variant_title.empty() ? "Default Title" : p.variant_title);
    else if (x.name == "inventoryItem")
      WriteSelectionObject(c, x.selection, "InventoryItem", w, [&](const Field& i) {
        if (i.name == "id")
          Str(w, Gid("InventoryItem", p.inventory_item_id));
        else if (i.name == "legacyResourceId")
          Str(w, std::to_string(p.inventory_item_id));
        else if (i.name == "sku")
          Str(w, p.sku);
        else if (i.name == "tracked")
          w.Bool(true);
        else
          w.Null();
      });
    else
      w.Null();
  });
}

void WriteLineItem(Ctx& c, const Field& f, const Order& o, size_t index, Writer& w) {
  const Line& l = o.lines[index];
  const Product& p = c.st.products[l.product];
  WriteSelectionObject(c, f.selection, "LineItem", w, [&](const Field& x) {
    const int64_t current = o.cancelled_at ? 0 : l.quantity;
    if (x.name == "id")
      Str(w, Gid("LineItem", l.id));
    else if (x.name == "sku")
      Str(w, l.sku);
    else if (x.name == "name")
      Str(w, p.variant_title.empty() ? p.title : p.title + " - " + p.variant_title);
    else if (x.name == "title")
      Str(w, p.title);
    else if (x.name == "quantity")
      w.Int64(l.quantity);
    else if (x.name == "currentQuantity")
      w.Int64(current);
    else if (x.name == "unfulfilledQuantity")
      w.Int64(std::max<int64_t>(0, current - l.shipped));
    else if (x.name == "requiresShipping")
      w.Bool(l.sku.rfind("GIFT-CARD", 0) != 0);
    else if (x.name == "originalUnitPriceSet" || x.name == "discountedUnitPriceSet")
      WriteMoneyBag(c, x, l.price_cents, w);
    else if (x.name == "discountAllocations" || x.name == "taxLines") {
      w.StartArray();  // the simulator's orders have no discounts and no tax
      w.EndArray();
    } else if (x.name == "variant")
      WriteVariant(c, x, p, w);
    else
      w.Null();
  });
}

void WriteFulfillment(Ctx& c, const Field& f, const Order& o, const ShopifyFulfillment& ful,
                      Writer& w) {
  const int k = ful.lines.empty() ? 0 : LocationOf(c.st, ful.lines.front().first);
  WriteSelectionObject(c, f.selection, "Fulfillment", w, [&](const Field& x) {
    if (x.name == "id")
      Str(w, Gid("Fulfillment", ful.id));
    else if (x.name == "name")
      Str(w, ful.name);
    else if (x.name == "status")
      Str(w, "SUCCESS");
    else if (x.name == "createdAt" || x.name == "updatedAt")
      Str(w, IsoUtc(ful.created));
    else if (x.name == "location")
      WriteLocation(c, x, c.st.locations[static_cast<size_t>(k)], w);
    else if (x.name == "trackingInfo") {
      w.StartArray();
      if (!ful.number.empty() && ListSize(c, x, 1) > 0)
        WriteSelectionObject(c, x.selection, "FulfillmentTrackingInfo", w, [&](const Field& t) {
          if (t.name == "company")
            StrOrNull(w, ful.company);
          else if (t.name == "number")
            Str(w, ful.number);
          else if (t.name == "url")
            StrOrNull(w, ful.url);
          else
            w.Null();
        });
      w.EndArray();
    } else {
      w.Null();
    }
    (void)o;
  });
}

void WriteFulfillmentOrder(Ctx& c, const Field& f, const FoRef& fo, Writer& w) {
  const Order& o = *fo.order;
  const Location& loc = c.st.locations[static_cast<size_t>(fo.location)];
  WriteSelectionObject(c, f.selection, "FulfillmentOrder", w, [&](const Field& x) {
    if (x.name == "id")
      Str(w, Gid("FulfillmentOrder", FoId(o, fo.location)));
    else if (x.name == "status")
      Str(w, FoStatus(c.st, fo));
    else if (x.name == "requestStatus")
      Str(w, "UNSUBMITTED");
    else if (x.name == "orderId")
      Str(w, Gid("Order", o.id));
    else if (x.name == "assignedLocation")
      WriteSelectionObject(c, x.selection, "FulfillmentOrderAssignedLocation", w,
                           [&](const Field& a) {
                             if (a.name == "name")
                               Str(w, loc.name);
                             else if (a.name == "location")
                               WriteLocation(c, a, loc, w);
                             else
                               w.Null();
                           });
    else if (x.name == "lineItems") {
      std::vector<int64_t> ids;
      std::vector<size_t> lines;
      for (size_t i = 0; i < o.lines.size(); ++i)
        if (LocationOf(c.st, i) == fo.location) {
          ids.push_back(o.lines[i].fo_line_id);
          lines.push_back(i);
        }
      WriteConnection(c, x, "FulfillmentOrderLineItem", ids, w, [&](const Field& n, size_t i) {
        const Line& l = o.lines[lines[i]];
        WriteSelectionObject(c, n.selection, "FulfillmentOrderLineItem", w, [&](const Field& y) {
          if (y.name == "id")
            Str(w, Gid("FulfillmentOrderLineItem", l.fo_line_id));
          else if (y.name == "remainingQuantity")
            w.Int64(o.cancelled_at ? 0 : l.quantity - l.shipped);
          else if (y.name == "totalQuantity")
            w.Int64(l.quantity);
          else if (y.name == "sku")
            Str(w, l.sku);
          else if (y.name == "lineItem")
            WriteLineItem(c, y, o, lines[i], w);
          else
            w.Null();
        });
      });
    } else {
      w.Null();
    }
  });
}

void WriteOrder(Ctx& c, const Field& f, const Order& o, Writer& w) {
  WriteSelectionObject(c, f.selection, "Order", w, [&](const Field& x) {
    const std::string& n = x.name;
    if (n == "id")
      Str(w, Gid("Order", o.id));
    else if (n == "legacyResourceId")
      Str(w, std::to_string(o.id));
    else if (n == "name")
      Str(w, "#" + std::to_string(o.number));
    else if (n == "createdAt" || n == "processedAt")
      Str(w, IsoUtc(o.created));
    else if (n == "updatedAt")
      Str(w, IsoUtc(o.updated));
    else if (n == "closedAt")
      o.closed_at ? Str(w, IsoUtc(o.closed_at)) : (void)w.Null();
    else if (n == "cancelledAt")
      o.cancelled_at ? Str(w, IsoUtc(o.cancelled_at)) : (void)w.Null();
    else if (n == "closed")
      w.Bool(o.closed_at != 0);
    else if (n == "email")
      Str(w, o.email);
    else if (n == "phone")
      w.Null();
    else if (n == "currencyCode")
      Str(w, c.st.seed.currency);
    else if (n == "totalDiscountsSet" || n == "totalTaxSet")
      WriteMoneyBag(c, x, 0, w);
    else if (n == "totalPriceSet")
      WriteMoneyBag(c, x, o.SubtotalCents() + (o.has_shipping ? o.shipping_cents : 0), w);
    else if (n == "taxesIncluded")
      w.Bool(false);
    else if (n == "displayFinancialStatus")
      Str(w, Upper(o.financial_status));
    else if (n == "displayFulfillmentStatus")
      Str(w, DisplayFulfillment(o));
    else if (n == "note")
      w.Null();
    else if (n == "shippingLine") {
      if (!o.has_shipping) {
        w.Null();
        return;
      }
      WriteSelectionObject(c, x.selection, "ShippingLine", w, [&](const Field& s) {
        if (s.name == "title")
          Str(w, o.ship_code);
        else if (s.name == "code")
          Str(w, o.ship_code_id);
        else if (s.name == "originalPriceSet")
          WriteMoneyBag(c, s, o.shipping_cents, w);
        else
          Str(w, "shopify");
      });
    } else if (n == "shippingAddress") {
      const Addr& a = o.ship;
      WriteSelectionObject(c, x.selection, "MailingAddress", w, [&](const Field& s) {
        const std::string& m = s.name;
        if (m == "name")
          Str(w, a.FullName());
        else if (m == "firstName")
          Str(w, a.first);
        else if (m == "lastName")
          Str(w, a.last);
        else if (m == "company")
          StrOrNull(w, a.company);
        else if (m == "address1")
          Str(w, a.address1);
        else if (m == "address2")
          StrOrNull(w, a.address2);
        else if (m == "city")
          Str(w, a.city);
        else if (m == "province")
          StrOrNull(w, a.region_name);
        else if (m == "provinceCode")
          StrOrNull(w, a.region_code);
        else if (m == "zip")
          Str(w, a.postal);
        else if (m == "country")
          Str(w, a.country_name);
        else if (m == "countryCodeV2")
          Str(w, a.country_code);
        else if (m == "phone")
          StrOrNull(w, a.phone);
        else
          w.Null();
      });
    } else if (n == "lineItems") {
      std::vector<int64_t> ids;
      for (const Line& l : o.lines) ids.push_back(l.id);
      WriteConnection(c, x, "LineItem", ids, w,
                      [&](const Field& node, size_t i) { WriteLineItem(c, node, o, i, w); });
    } else if (n == "fulfillmentOrders") {
      std::vector<FoRef> fos = FulfillmentOrdersOf(c.st, o);
      std::vector<int64_t> ids;
      for (const FoRef& fo : fos) ids.push_back(FoId(o, fo.location));
      WriteConnection(c, x, "FulfillmentOrder", ids, w, [&](const Field& node, size_t i) {
        WriteFulfillmentOrder(c, node, fos[i], w);
      });
    } else if (n == "fulfillments") {
      w.StartArray();
      size_t count = ListSize(c, x, o.fulfillments.size());
      for (size_t i = 0; i < count; ++i) WriteFulfillment(c, x, o, o.fulfillments[i], w);
      w.EndArray();
    } else {
      w.Null();
    }
  });
}

// ---- queries ---------------------------------------------------------------------------

void Orders(Ctx& c, const Field& f, Writer& w) {
  Value args;
  c.Args(f, &args);
  std::string query;
  if (const Value* q = Arg(args, "query"); q && q->IsString()) query = q->GetString();
  std::string sort = "PROCESSED_AT";
  if (const Value* s = Arg(args, "sortKey"); s && s->IsString()) sort = s->GetString();
  const Value* rev = Arg(args, "reverse");
  const bool reverse = rev && rev->IsBool() && rev->GetBool();
  std::vector<const Order*> matches;
  const Search search(query);
  const std::string error = search.Error();
  std::string bad;
  const auto tests = search.Bind<Order>(
      [&](const std::string& field, const std::string& op, const std::string& v) {
        return MatchOrder(c.st, field, op, v, &bad);
      });
  for (const Order& o : c.st.orders) {
    if (!error.empty()) break;
    if (Visible(c.world, c.st, o) && search.Eval(tests, o)) matches.push_back(&o);
  }
  if (!error.empty()) {
    c.errors.push_back({error, "badRequest"});
    w.Null();
    return;
  }
  auto key = [&](const Order* o) {
    return sort == "UPDATED_AT" ? o->updated : sort == "ID" ? o->id : o->created;
  };
  auto before = [&](const Order* a, const Order* b) {
    return key(a) != key(b) ? key(a) < key(b) : a->id < b->id;
  };
  // Orders are kept in creation order: most listings are sorted already.
  if (!std::is_sorted(matches.begin(), matches.end(), before))
    std::stable_sort(matches.begin(), matches.end(), before);
  if (reverse) std::reverse(matches.begin(), matches.end());
  std::vector<int64_t> ids;
  for (const Order* o : matches) ids.push_back(o->id);
  WriteConnection(c, f, "Order", ids, w,
                  [&](const Field& node, size_t i) { WriteOrder(c, node, *matches[i], w); });
}

void ProductVariants(Ctx& c, const Field& f, Writer& w) {
  Value args;
  c.Args(f, &args);
  std::string query;
  if (const Value* q = Arg(args, "query"); q && q->IsString()) query = q->GetString();
  const Search search(query);
  std::vector<const Product*> matches;
  const std::string error = search.Error();
  const auto tests =
      search.Bind<Product>([](const std::string& field, const std::string& /*op*/,
                              const std::string& v) -> std::function<bool(const Product&)> {
        if (field == "sku") return [v](const Product& p) { return p.sku == v; };
        if (field.empty()) return [v](const Product& p) { return p.sku == v || p.title == v; };
        return [](const Product&) { return true; };
      });
  for (const Product& p : c.st.products) {
    if (!error.empty()) break;
    if (search.Eval(tests, p)) matches.push_back(&p);
  }
  if (!error.empty()) {
    c.errors.push_back({error, "badRequest"});
    w.Null();
    return;
  }
  std::sort(matches.begin(), matches.end(),
            [](const Product* a, const Product* b) { return a->variant_id < b->variant_id; });
  std::vector<int64_t> ids;
  for (const Product* p : matches) ids.push_back(p->variant_id);
  WriteConnection(c, f, "ProductVariant", ids, w,
                  [&](const Field& node, size_t i) { WriteVariant(c, node, *matches[i], w); });
}

void Query(Ctx& c, const Field& f, Writer& w) {
  Value args;
  c.Args(f, &args);
  if (f.name == "orders") return Orders(c, f, w);
  if (f.name == "productVariants") return ProductVariants(c, f, w);
  if (f.name == "order") {
    auto id = GidId(Arg(args, "id"), "Order");
    Order* o = id ? c.st.FindOrder(*id) : nullptr;
    if (o == nullptr || !Visible(c.world, c.st, *o)) return (void)w.Null();
    return WriteOrder(c, f, *o, w);
  }
  if (f.name == "fulfillmentOrder") {
    auto id = GidId(Arg(args, "id"), "FulfillmentOrder");
    std::optional<FoRef> fo = id ? FindFo(c.st, *id) : std::nullopt;
    if (!fo || !Visible(c.world, c.st, *fo->order)) return (void)w.Null();
    return WriteFulfillmentOrder(c, f, *fo, w);
  }
  if (f.name == "location") {
    const Value* idv = Arg(args, "id");
    if (idv == nullptr) return WriteLocation(c, f, c.st.locations.front(), w);  // the primary one
    auto id = GidId(idv, "Location");
    for (const Location& l : c.st.locations)
      if (id && l.id == *id) return WriteLocation(c, f, l, w);
    return (void)w.Null();
  }
  if (f.name == "locations") {
    std::vector<int64_t> ids;
    for (const Location& l : c.st.locations) ids.push_back(l.id);
    return WriteConnection(c, f, "Location", ids, w, [&](const Field& node, size_t i) {
      WriteLocation(c, node, c.st.locations[i], w);
    });
  }
  if (f.name == "currentAppInstallation") {
    return WriteSelectionObject(c, f.selection, "AppInstallation", w, [&](const Field& x) {
      w.StartArray();
      for (const std::string& s : *c.st.seed.scopes)
        WriteSelectionObject(c, x.selection, "AccessScope", w, [&](const Field& a) {
          if (a.name == "handle")
            Str(w, s);
          else
            Str(w, "Access to " + s);
        });
      w.EndArray();
    });
  }
  if (f.name == "shop") {
    return WriteSelectionObject(c, f.selection, "Shop", w, [&](const Field& x) {
      if (x.name == "id")
        Str(w, Gid("Shop", 1));
      else if (x.name == "name")
        Str(w, c.st.name);
      else if (x.name == "ianaTimezone")
        Str(w, c.st.seed.time_zone);
      else
        Str(w, c.st.name + ".myshopify.com");
    });
  }
  w.Null();
}

// ---- mutations -------------------------------------------------------------------------

struct UserError {
  std::vector<std::string> field;
  std::string message, code;
};

void WriteUserErrors(Ctx& c, const Field& f, const std::vector<UserError>& errors, const char* type,
                     Writer& w) {
  w.StartArray();
  for (const UserError& e : errors)
    WriteSelectionObject(c, f.selection, type, w, [&](const Field& x) {
      if (x.name == "message") {
        Str(w, e.message);
      } else if (x.name == "code") {
        e.code.empty() ? (void)w.Null() : Str(w, e.code);
      } else if (x.name == "field") {
        w.StartArray();
        for (const std::string& p : e.field) Str(w, p);
        w.EndArray();
      } else {
        w.Null();
      }
    });
  w.EndArray();
}

void FulfillmentCreate(Ctx& c, const Field& f, const Req& req, Writer& w) {
  Value args;
  c.Args(f, &args);
  std::vector<UserError> errors;
  auto fail = [&](std::vector<std::string> field, std::string message) {
    errors.push_back({std::move(field), std::move(message), ""});
  };
  const Value* input = Arg(args, "fulfillment");
  const Value* groups = input ? Arg(*input, "lineItemsByFulfillmentOrder") : nullptr;
  Order* order = nullptr;
  int location = -1;
  std::map<size_t, int64_t> quantities;  // line index -> quantity
  if (groups == nullptr || !groups->IsArray() || groups->Empty()) {
    fail({"fulfillment", "lineItemsByFulfillmentOrder"},
         "Line items by fulfillment order can't be blank.");
  } else {
    for (rapidjson::SizeType g = 0; g < groups->Size() && errors.empty(); ++g) {
      const Value& group = (*groups)[g];
      const std::string at = std::to_string(g);
      auto fo_id = GidId(Arg(group, "fulfillmentOrderId"), "FulfillmentOrder");
      std::optional<FoRef> fo = fo_id ? FindFo(c.st, *fo_id) : std::nullopt;
      if (!fo) {
        fail({"fulfillment", "lineItemsByFulfillmentOrder", at, "fulfillmentOrderId"},
             "Fulfillment order does not exist.");
        break;
      }
      Order* owner = c.st.FindOrder(fo->order->id);
      if (order != nullptr && order != owner) {
        fail({"fulfillment", "lineItemsByFulfillmentOrder"},
             "All fulfillment orders must belong to the same order.");
        break;
      }
      if (location >= 0 && location != fo->location) {
        fail({"fulfillment", "lineItemsByFulfillmentOrder"},
             "All fulfillment orders must be assigned to the same location.");
        break;
      }
      order = owner;
      location = fo->location;
      std::string status = FoStatus(c.st, *fo);
      if (status != "OPEN" && status != "IN_PROGRESS") {
        fail({"fulfillment", "lineItemsByFulfillmentOrder", at, "fulfillmentOrderId"},
             "Fulfillment order " + std::to_string(*fo_id) +
                 " has an unfulfillable status= " + status + ".");
        break;
      }
      const Value* items = Arg(group, "fulfillmentOrderLineItems");
      if (items == nullptr || !items->IsArray() || items->Empty()) {
        for (size_t i = 0; i < order->lines.size(); ++i)
          if (LocationOf(c.st, i) == location && order->lines[i].quantity > order->lines[i].shipped)
            quantities[i] = order->lines[i].quantity - order->lines[i].shipped;
        continue;
      }
      for (rapidjson::SizeType j = 0; j < items->Size(); ++j) {
        const Value& item = (*items)[j];
        auto line_id = GidId(Arg(item, "id"), "FulfillmentOrderLineItem");
        const Value* q = Arg(item, "quantity");
        size_t index = order->lines.size();
        for (size_t i = 0; line_id && i < order->lines.size(); ++i)
          if (order->lines[i].fo_line_id == *line_id && LocationOf(c.st, i) == location) index = i;
        std::vector<std::string> field = {"fulfillment", "lineItemsByFulfillmentOrder", at,
                                          "fulfillmentOrderLineItems", std::to_string(j)};
        if (index == order->lines.size()) {
          field.push_back("id");
          fail(field, "Fulfillment order line item does not exist.");
          break;
        }
        const Line& l = order->lines[index];
        int64_t requested = (q && q->IsInt64() ? q->GetInt64() : 0) + quantities[index];
        if (!q || !q->IsInt64() || q->GetInt64() < 1 || requested > l.quantity - l.shipped) {
          field.push_back("quantity");
          fail(field, "Invalid fulfillment order line item quantity requested.");
          break;
        }
        quantities[index] = requested;
      }
    }
  }
  if (errors.empty() && quantities.empty())
    fail({"fulfillment"}, "Fulfillment order has no fulfillable line items.");
  ShopifyFulfillment* created = nullptr;
  if (errors.empty()) {
    ShopifyFulfillment ful;
    ful.id = c.st.next_misc_id++;
    ful.created = c.world.NowSeconds();
    ful.name =
        "#" + std::to_string(order->number) + "." + std::to_string(order->fulfillments.size() + 1);
    if (const Value* info = Arg(*input, "trackingInfo"); info && info->IsObject()) {
      ful.company = JsonString(*info, "company").value_or("");
      ful.number = JsonString(*info, "number").value_or("");
      if (const Value* numbers = Arg(*info, "numbers"); ful.number.empty() && numbers &&
                                                        numbers->IsArray() && !numbers->Empty() &&
                                                        (*numbers)[0].IsString())
        ful.number = (*numbers)[0].GetString();
      ful.url = JsonString(*info, "url").value_or("");
    }
    for (const auto& [index, qty] : quantities) {
      order->lines[index].shipped += qty;
      ful.lines.emplace_back(index, qty);
    }
    order->fulfillment_status = order->Shipped() >= order->Ordered() ? "fulfilled" : "partial";
    order->updated = std::max(order->updated, c.world.NowSeconds());
    order->fulfillments.push_back(ful);
    created = &order->fulfillments.back();
    c.world.RecordTracking(c.st, *order, "fulfillment", ful.number, ful.company, req.body);
  }
  WriteSelectionObject(c, f.selection, "FulfillmentCreatePayload", w, [&](const Field& x) {
    if (x.name == "fulfillment")
      created ? WriteFulfillment(c, x, *order, *created, w) : (void)w.Null();
    else
      WriteUserErrors(c, x, errors, "UserError", w);
  });
}

void InventorySetQuantities(Ctx& c, const Field& f, const std::string& key, Writer& w) {
  Value args;
  c.Args(f, &args);
  const Value* input = Arg(args, "input");
  // What the call asks, canonically: a repeated key must ask the same.
  rapidjson::StringBuffer fp;
  {
    Writer fw(fp);
    if (input) input->Accept(fw);
  }
  std::vector<UserError> errors;
  int64_t group = 0;
  if (auto seen = c.st.idempotency.find(key); seen != c.st.idempotency.end()) {
    const std::string& stored = seen->second;
    size_t bar = stored.rfind('|');
    if (stored.substr(0, bar) != Done(fp)) {
      errors.push_back({{"input"},
                        "The idempotency key was used with different parameters.",
                        "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"});
    } else {
      group = ToInt(stored.substr(bar + 1)).value_or(0);
      if (group == 0)
        errors.push_back({{"input"},
                          "The previous attempt with this idempotency key failed.",
                          "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED"});
    }
  } else {
    static const std::set<std::string> kReasons = {"correction",
                                                   "cycle_count_available",
                                                   "damaged",
                                                   "movement_created",
                                                   "movement_updated",
                                                   "movement_received",
                                                   "movement_canceled",
                                                   "other",
                                                   "promotion",
                                                   "quality_control",
                                                   "received",
                                                   "reservation_created",
                                                   "reservation_deleted",
                                                   "reservation_updated",
                                                   "restock",
                                                   "safety_stock",
                                                   "shrinkage"};
    std::string name = input ? JsonString(*input, "name").value_or("") : "";
    std::string reason = input ? JsonString(*input, "reason").value_or("") : "";
    const Value* quantities = input ? Arg(*input, "quantities") : nullptr;
    if (name != "available" && name != "on_hand")
      errors.push_back({{"input", "name"},
                        "The quantity name must be either 'available' or 'on_hand'.",
                        "INVALID_NAME"});
    if (!kReasons.count(reason))
      errors.push_back({{"input", "reason"}, "The specified reason is invalid.", "INVALID_REASON"});
    struct Set {
      Product* product;
      const Location* location;
      int64_t quantity;
    };
    std::vector<Set> sets;
    std::set<std::pair<int64_t, int64_t>> pairs;
    if (quantities == nullptr || !quantities->IsArray() || quantities->Empty() ||
        quantities->Size() > 250) {
      errors.push_back({{"input", "quantities"},
                        "Between 1 and 250 quantities are required.",
                        "INVALID_QUANTITY_TOO_HIGH"});
    } else {
      for (rapidjson::SizeType i = 0; i < quantities->Size(); ++i) {
        const Value& q = (*quantities)[i];
        const std::string at = std::to_string(i);
        auto item = GidId(Arg(q, "inventoryItemId"), "InventoryItem");
        auto loc = GidId(Arg(q, "locationId"), "Location");
        const Value* quantity = Arg(q, "quantity");
        Product* p = item ? c.st.FindInventoryItem(*item) : nullptr;
        const Location* l = nullptr;
        for (const Location& x : c.st.locations)
          if (loc && x.id == *loc) l = &x;
        if (!q.HasMember("changeFromQuantity")) {
          errors.push_back({{"input", "quantities", at, "changeFromQuantity"},
                            "changeFromQuantity must be given explicitly (null skips the check).",
                            "COMPARE_QUANTITY_REQUIRED"});
        } else if (p && l && !q["changeFromQuantity"].IsNull()) {
          int64_t current = p->levels.count(l->id) ? p->levels.at(l->id) : 0;
          if (!q["changeFromQuantity"].IsInt64() || q["changeFromQuantity"].GetInt64() != current)
            errors.push_back({{"input", "quantities", at, "changeFromQuantity"},
                              "The quantity changed since changeFromQuantity was read.",
                              "CHANGE_FROM_QUANTITY_STALE"});
        }
        if (p == nullptr) {
          errors.push_back({{"input", "quantities", at, "inventoryItemId"},
                            "The specified inventory item could not be found.",
                            "INVALID_INVENTORY_ITEM"});
          continue;
        }
        if (l == nullptr) {
          errors.push_back({{"input", "quantities", at, "locationId"},
                            "The specified location could not be found.",
                            "INVALID_LOCATION"});
          continue;
        }
        if (quantity == nullptr || !quantity->IsInt64() || quantity->GetInt64() > 1'000'000'000) {
          errors.push_back({{"input", "quantities", at, "quantity"},
                            "The quantity is too high.",
                            "INVALID_QUANTITY_TOO_HIGH"});
          continue;
        }
        if (!pairs.insert({p->inventory_item_id, l->id}).second) {
          errors.push_back({{"input", "quantities", at},
                            "The same inventory item and location appear twice.",
                            "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR"});
          continue;
        }
        sets.push_back({p, l, quantity->GetInt64()});
      }
    }
    if (errors.empty()) {  // all or nothing
      group = c.st.next_misc_id++;
      for (const Set& s : sets) {
        s.product->levels[s.location->id] = s.quantity;
        c.world.RecordInventory(c.st, std::to_string(s.location->id), s.product->sku,
                                std::to_string(s.product->inventory_item_id), s.quantity);
      }
    }
    c.st.idempotency[key] = Done(fp) + "|" + std::to_string(group);
  }
  WriteSelectionObject(c, f.selection, "InventorySetQuantitiesPayload", w, [&](const Field& x) {
    if (x.name == "inventoryAdjustmentGroup") {
      if (group == 0 || !errors.empty()) return (void)w.Null();
      WriteSelectionObject(c, x.selection, "InventoryAdjustmentGroup", w, [&](const Field& g) {
        if (g.name == "id")
          Str(w, Gid("InventoryAdjustmentGroup", group));
        else if (g.name == "reason")
          Str(w, "correction");
        else
          Str(w, IsoUtc(c.world.NowSeconds()));
      });
    } else {
      WriteUserErrors(c, x, errors, "InventorySetQuantitiesUserError", w);
    }
  });
}

// ---- the endpoint --------------------------------------------------------------------------

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void WriteCost(Writer& w, std::optional<int64_t> requested, std::optional<int64_t> actual,
               double maximum, double available, double rate) {
  w.Key("extensions");
  w.StartObject();
  w.Key("cost");
  w.StartObject();
  w.Key("requestedQueryCost");
  requested ? (void)w.Int64(*requested) : (void)w.Null();
  w.Key("actualQueryCost");
  actual ? (void)w.Int64(*actual) : (void)w.Null();
  w.Key("throttleStatus");
  w.StartObject();
  w.Key("maximumAvailable");
  w.Double(maximum);
  w.Key("currentlyAvailable");
  w.Double(available);
  w.Key("restoreRate");
  w.Double(rate);
  w.EndObject();
  w.EndObject();
  w.EndObject();
}

void ErrorsJson(Writer& w, const std::vector<GqlError>& errors) {
  w.Key("errors");
  w.StartArray();
  for (const GqlError& e : errors) {
    w.StartObject();
    KStr(w, "message", e.message);
    w.Key("extensions");
    w.StartObject();
    KStr(w, "code", e.code);
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
}

void Unauthorized(Resp& res) {
  res.Json(401,
           "{\"errors\":\"[API] Invalid API key or access token (unrecognized login or wrong "
           "password)\"}");
}

void Graphql(World& world, Store& st, const Req& req, Resp& res) {
  // An issued token must still be alive (AuthorizeStore let it through).
  const std::string token = req.Header("X-Shopify-Access-Token");
  if (token != st.seed.token) {
    auto it = st.issued_tokens.find(token);
    if (it == st.issued_tokens.end() || it->second <= world.NowSeconds()) return Unauthorized(res);
  }
  rapidjson::Document body;
  body.Parse(req.body.c_str(), req.body.size());
  if (body.HasParseError() || !body.IsObject() || !body.HasMember("query") ||
      !body["query"].IsString())
    return res.Json(400, "{\"errors\":{\"query\":\"Required parameter missing or invalid\"}}");
  static const Value kNoVariables;
  const Value& variables = body.HasMember("variables") && body["variables"].IsObject()
                               ? body["variables"]
                               : kNoVariables;
  std::string op_name = body.HasMember("operationName") && body["operationName"].IsString()
                            ? body["operationName"].GetString()
                            : "";

  const FaultOptions defaults;
  const FaultOptions& faults = world.faults ? *world.faults : defaults;
  const double maximum = faults.shopify_cost_maximum, rate = faults.shopify_cost_restore_rate;
  const int64_t now = SteadyMs();
  if (st.cost_available < 0)
    st.cost_available = maximum;
  else
    st.cost_available = std::min(
        maximum, st.cost_available + rate * static_cast<double>(now - st.cost_ms) / 1000.0);
  st.cost_ms = now;

  rapidjson::StringBuffer sb;
  Writer w(sb);
  auto refuse = [&](std::vector<GqlError> errors, std::optional<int64_t> requested) {
    w.StartObject();
    ErrorsJson(w, errors);
    WriteCost(w, requested, std::nullopt, maximum, st.cost_available, rate);
    w.EndObject();
    res.Json(200, Done(sb));
  };

  std::vector<gql::Operation> ops;
  std::string error;
  if (!gql::Parse(body["query"].GetString(), &ops, &error))
    return refuse({{error, "parseError"}}, std::nullopt);
  const gql::Operation* op = gql::Pick(ops, op_name, &error);
  if (op == nullptr) return refuse({{error, "badRequest"}}, std::nullopt);
  if (op->kind == "subscription")
    return refuse({{"Subscriptions are not supported", "badRequest"}}, std::nullopt);
  const bool mutation = op->kind == "mutation";
  Ctx c(world, st, *op, variables);
  int64_t requested = 0;
  if (!CheckSelection(c, *FindType(mutation ? "Mutation" : "QueryRoot"), op->selection, mutation,
                      &requested))
    return refuse(c.errors, std::nullopt);
  // inventorySetQuantities needs an idempotency key since 2026-04.
  std::map<const Field*, std::string> keys;
  for (const Field& f : op->selection) {
    if (f.name != "inventorySetQuantities") continue;
    const gql::Directive* d = f.FindDirective("idempotent");
    Value args;
    std::string why;
    if (d) gql::ResolveArguments(d->args, *op, variables, &args, c.scratch.GetAllocator(), &why);
    const Value* key = d && args.IsObject() ? Arg(args, "key") : nullptr;
    if (key == nullptr || !key->IsString() || key->GetStringLength() == 0)
      return refuse({{"inventorySetQuantities requires an idempotency key: add @idempotent(key: "
                      "\"…\") to the field "
                      "(required since API version 2026-04)",
                      "BAD_REQUEST"}},
                    requested);
    keys[&f] = key->GetString();
  }
  if (requested > kMaxQueryCost)
    return refuse({{"Query cost is " + std::to_string(requested) +
                        ", which exceeds the single query max cost limit (" +
                        std::to_string(kMaxQueryCost) + ").",
                    "MAX_COST_EXCEEDED"}},
                  requested);
  if (faults.shopify_cost_throttle && static_cast<double>(requested) > st.cost_available + 1e-9) {
    ++world.throttled[st.Key()];
    return refuse({{"Throttled", "THROTTLED"}}, requested);
  }
  st.cost_available = std::max(0.0, st.cost_available - static_cast<double>(requested));

  rapidjson::StringBuffer data_sb;
  Writer dw(data_sb);
  dw.StartObject();
  for (const Field& f : op->selection) {
    dw.Key(f.key().c_str(), static_cast<rapidjson::SizeType>(f.key().size()));
    if (f.name == "__typename")
      Str(dw, mutation ? "Mutation" : "QueryRoot");
    else if (f.name == "fulfillmentCreate")
      c.actual += 9, FulfillmentCreate(c, f, req, dw);
    else if (f.name == "inventorySetQuantities")
      c.actual += 9, InventorySetQuantities(c, f, keys[&f], dw);
    else
      Query(c, f, dw);
  }
  dw.EndObject();
  const int64_t actual = std::min(c.actual, requested);
  st.cost_available =
      std::min(maximum, st.cost_available + static_cast<double>(requested - actual));
  world.cost_spent[st.Key()] += actual;
  w.StartObject();
  if (!c.errors.empty()) ErrorsJson(w, c.errors);
  w.Key("data");
  w.RawValue(data_sb.GetString(), data_sb.GetSize(), rapidjson::kObjectType);
  WriteCost(w, requested, actual, maximum, st.cost_available, rate);
  w.EndObject();
  res.Json(200, Done(sb));
}

/// POST /admin/oauth/access_token: grant_type=client_credentials with the
/// app's client_id and client_secret (form or JSON body).
void Token(World& world, Store& st, const Req& req, Resp& res) {
  std::map<std::string, std::string> p;
  if (!req.body.empty() && req.body.front() == '{') {
    rapidjson::Document d;
    d.Parse(req.body.c_str(), req.body.size());
    if (!d.HasParseError() && d.IsObject())
      for (const char* k : {"grant_type", "client_id", "client_secret"})
        if (auto v = JsonString(d, k)) p[k] = *v;
  } else {
    for (auto& [k, v] : ParseQuery(req.body)) p[k] = v;
  }
  if (p["grant_type"] != "client_credentials")
    return res.Json(400,
                    "{\"error\":\"unsupported_grant_type\",\"error_description\":\"grant_type must "
                    "be client_credentials\"}");
  if (p["client_id"] != st.seed.client_id || p["client_secret"] != st.seed.client_secret)
    return res.Json(400,
                    "{\"error\":\"invalid_client\",\"error_description\":\"Client authentication "
                    "failed: unknown client or wrong secret.\"}");
  const uint64_t n = st.issued_tokens.size() + 1;
  char hex[17];
  std::snprintf(
      hex, sizeof hex, "%016llx",
      static_cast<unsigned long long>(HashString(st.Key() + "#" + std::to_string(n), world.seed)));
  std::string token = std::string("simtok_") + hex;
  st.issued_tokens[token] = world.NowSeconds() + st.seed.token_ttl_seconds;
  std::string scopes;
  for (const std::string& s : *st.seed.scopes) scopes += (scopes.empty() ? "" : ",") + s;
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  KStr(w, "access_token", token);
  KStr(w, "scope", scopes);
  KInt(w, "expires_in", st.seed.token_ttl_seconds);
  w.EndObject();
  res.Json(200, Done(sb));
}

}  // namespace

bool IsShopifyTokenRequest(const Req& req) {
  return req.method == "POST" && req.path == "/admin/oauth/access_token";
}

bool IsShopifyGraphql(const Req& req) {
  std::vector<std::string> seg = SplitPath(req.path);
  return seg.size() == 4 && seg[0] == "admin" && seg[1] == "api" && seg[3] == "graphql.json";
}

bool HandleShopifyGraphql(World& world, Store& st, const Req& req, Resp& res) {
  if (IsShopifyTokenRequest(req)) {
    Token(world, st, req, res);
    return true;
  }
  if (!IsShopifyGraphql(req)) return false;
  if (req.method != "POST") {
    res.Json(405, "{\"errors\":\"Method Not Allowed\"}");
    return true;
  }
  Graphql(world, st, req, res);
  return true;
}

}  // namespace cartsync::sim::detail

// A small GraphQL reader for the simulator (the executable-document subset a
// connector sends): operations with variable definitions, fields with
// aliases, arguments (literals and $variables) and directives, nested
// selections. Fragments are refused with a clear error. Arguments are
// resolved to JSON (rapidjson) with the request's variables, so handlers
// read them like any JSON body. The schema knowledge lives in the handler
// (sim_shopify.cc).
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cartsync::sim::detail::gql {

struct NamedValue;

/// An input value as written in the document.
struct Value {
  enum class Kind { kNull, kInt, kFloat, kString, kBoolean, kEnum, kList, kObject, kVariable };
  Kind kind = Kind::kNull;
  std::string text;  ///< the literal's text (numbers as written), enum name, variable name
  bool boolean = false;
  std::vector<Value> list;
  std::vector<NamedValue> fields;  ///< object fields
};

struct NamedValue {
  std::string name;
  Value value;
};

using Arguments = std::vector<std::pair<std::string, Value>>;

struct Directive {
  std::string name;
  Arguments args;
};

struct Field {
  std::string alias, name;
  Arguments args;
  std::vector<Directive> directives;
  std::vector<Field> selection;
  const std::string& key() const { return alias.empty() ? name : alias; }  ///< the response key
  const Directive* FindDirective(std::string_view n) const;
};

struct VariableDefinition {
  std::string name;  ///< without '$'
  std::string type;  ///< as written, e.g. "[ID!]!"
  std::optional<Value> default_value;
};

struct Operation {
  std::string kind = "query";  ///< "query" | "mutation" | "subscription"
  std::string name;
  std::vector<VariableDefinition> variables;
  std::vector<Directive> directives;
  std::vector<Field> selection;
};

/// Parses `text`; false with a message ("line 3, column 7: expected Name")
/// on a syntax error or a fragment.
bool Parse(std::string_view text, std::vector<Operation>* out, std::string* error);

/// The operation to run: the one named `name`, or the only one.
const Operation* Pick(const std::vector<Operation>& ops, std::string_view name, std::string* error);

/// `args` as a JSON object, variables taken from `variables` (an object, or
/// null) and from the operation's defaults; an undefined variable is an
/// error. Enum values become strings.
bool ResolveArguments(const Arguments& args, const Operation& op, const rapidjson::Value& variables,
                      rapidjson::Value* out, rapidjson::Document::AllocatorType& alloc,
                      std::string* error);

}  // namespace cartsync::sim::detail::gql

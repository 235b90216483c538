#include "tools/simulator/sim_graphql.h"

#include <cstdlib>

namespace cartsync::sim::detail::gql {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  bool Document(std::vector<Operation>* out) {
    Skip();
    if (AtEnd()) return Fail("the document has no operation");
    while (!AtEnd()) {
      Operation op;
      if (Peek() == '{') {
        if (!SelectionSet(&op.selection)) return false;
      } else {
        std::string word;
        if (!Name(&word)) return false;
        if (word == "fragment") return Fail("fragments are not supported by the simulator");
        if (word != "query" && word != "mutation" && word != "subscription")
          return Fail("expected query, mutation or {, found " + word);
        op.kind = word;
        if (IsNameStart(Peek()) && !Name(&op.name)) return false;
        if (Peek() == '(' && !VariableDefinitions(&op.variables)) return false;
        if (!Directives(&op.directives)) return false;
        if (!SelectionSet(&op.selection)) return false;
      }
      out->push_back(std::move(op));
    }
    return true;
  }

  std::string error;

 private:
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  static bool IsNameStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }
  static bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

  /// Whitespace, commas and comments.
  void Skip() {
    while (!AtEnd()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',') {
        ++pos_;
      } else if (c == '#') {
        while (!AtEnd() && s_[pos_] != '\n') ++pos_;
      } else if (static_cast<unsigned char>(c) == 0xEF && s_.substr(pos_, 3) == "\xEF\xBB\xBF") {
        pos_ += 3;  // BOM
      } else {
        break;
      }
    }
  }

  bool Fail(const std::string& message) {
    if (error.empty()) {
      int line = 1, column = 1;
      for (size_t i = 0; i < pos_ && i < s_.size(); ++i) {
        if (s_[i] == '\n') {
          ++line;
          column = 1;
        } else {
          ++column;
        }
      }
      error =
          "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + message;
    }
    return false;
  }

  bool Expect(char c) {
    if (Peek() != c) return Fail(std::string("expected '") + c + "'");
    ++pos_;
    Skip();
    return true;
  }

  bool Name(std::string* out) {
    if (!IsNameStart(Peek())) return Fail("expected a name");
    size_t start = pos_;
    while (!AtEnd() && IsNameChar(s_[pos_])) ++pos_;
    *out = std::string(s_.substr(start, pos_ - start));
    Skip();
    return true;
  }

  bool TypeRef(std::string* out) {
    if (Peek() == '[') {
      ++pos_;
      Skip();
      std::string inner;
      if (!TypeRef(&inner) || !Expect(']')) return false;
      *out = "[" + inner + "]";
    } else if (!Name(out)) {
      return false;
    }
    if (Peek() == '!') {
      *out += "!";
      ++pos_;
      Skip();
    }
    return true;
  }

  bool VariableDefinitions(std::vector<VariableDefinition>* out) {
    if (!Expect('(')) return false;
    while (Peek() != ')') {
      if (AtEnd()) return Fail("unterminated variable definitions");
      VariableDefinition v;
      if (!Expect('$') || !Name(&v.name) || !Expect(':') || !TypeRef(&v.type)) return false;
      if (Peek() == '=') {
        ++pos_;
        Skip();
        Value d;
        if (!ParseValue(&d, /*constant=*/true)) return false;
        v.default_value = std::move(d);
      }
      std::vector<Directive> ignored;
      if (!Directives(&ignored)) return false;
      out->push_back(std::move(v));
    }
    return Expect(')');
  }

  bool Directives(std::vector<Directive>* out) {
    while (Peek() == '@') {
      ++pos_;
      Directive d;
      if (!Name(&d.name)) return false;
      if (Peek() == '(' && !ArgumentList(&d.args)) return false;
      out->push_back(std::move(d));
    }
    return true;
  }

  bool ArgumentList(Arguments* out) {
    if (!Expect('(')) return false;
    while (Peek() != ')') {
      if (AtEnd()) return Fail("unterminated arguments");
      std::string name;
      Value v;
      if (!Name(&name) || !Expect(':') || !ParseValue(&v, false)) return false;
      out->emplace_back(std::move(name), std::move(v));
    }
    return Expect(')');
  }

  bool SelectionSet(std::vector<Field>* out) {
    if (!Expect('{')) return false;
    if (++depth_ > 64) return Fail("selections nest too deep");
    while (Peek() != '}') {
      if (AtEnd()) return Fail("unterminated selection set");
      if (Peek() == '.') return Fail("fragments are not supported by the simulator");
      Field f;
      std::string first;
      if (!Name(&first)) return false;
      if (Peek() == ':') {
        ++pos_;
        Skip();
        f.alias = first;
        if (!Name(&f.name)) return false;
      } else {
        f.name = first;
      }
      if (Peek() == '(' && !ArgumentList(&f.args)) return false;
      if (!Directives(&f.directives)) return false;
      if (Peek() == '{' && !SelectionSet(&f.selection)) return false;
      out->push_back(std::move(f));
    }
    --depth_;
    return Expect('}');
  }

  bool StringValue(std::string* out) {
    if (s_.substr(pos_, 3) == "\"\"\"") {  // block string, taken as written
      size_t end = s_.find("\"\"\"", pos_ + 3);
      if (end == std::string_view::npos) return Fail("unterminated block string");
      *out = std::string(s_.substr(pos_ + 3, end - pos_ - 3));
      pos_ = end + 3;
      Skip();
      return true;
    }
    ++pos_;  // the opening quote
    std::string v;
    while (true) {
      if (AtEnd() || s_[pos_] == '\n') return Fail("unterminated string");
      char c = s_[pos_++];
      if (c == '"') break;
      if (c != '\\') {
        v += c;
        continue;
      }
      if (AtEnd()) return Fail("unterminated string");
      char e = s_[pos_++];
      switch (e) {
        case '"':
          v += '"';
          break;
        case '\\':
          v += '\\';
          break;
        case '/':
          v += '/';
          break;
        case 'b':
          v += '\b';
          break;
        case 'f':
          v += '\f';
          break;
        case 'n':
          v += '\n';
          break;
        case 'r':
          v += '\r';
          break;
        case 't':
          v += '\t';
          break;
        case 'u': {
          if (pos_ + 4 > s_.size()) return Fail("bad \\u escape");
          unsigned cp = static_cast<unsigned>(
              std::strtoul(std::string(s_.substr(pos_, 4)).c_str(), nullptr, 16));
          pos_ += 4;
          if (cp < 0x80) {
            v += static_cast<char>(cp);
          } else if (cp < 0x800) {
            v += static_cast<char>(0xC0 | (cp >> 6));
            v += static_cast<char>(0x80 | (cp & 0x3F));
          } else {
            v += static_cast<char>(0xE0 | (cp >> 12));
            v += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            v += static_cast<char>(0x80 | (cp & 0x3F));
          }
          break;
        }
        default:
          return Fail(std::string("bad escape \\") + e);
      }
    }
    *out = std::move(v);
    Skip();
    return true;
  }

  bool ParseValue(Value* out, bool constant) {
    char c = Peek();
    if (c == '$') {
      if (constant) return Fail("a variable is not allowed here");
      ++pos_;
      out->kind = Value::Kind::kVariable;
      return Name(&out->text);
    }
    if (c == '"') {
      out->kind = Value::Kind::kString;
      return StringValue(&out->text);
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      size_t start = pos_;
      if (c == '-') ++pos_;
      while (!AtEnd() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      bool is_float = false;
      if (Peek() == '.') {
        is_float = true;
        ++pos_;
        while (!AtEnd() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      }
      if (Peek() == 'e' || Peek() == 'E') {
        is_float = true;
        ++pos_;
        if (Peek() == '+' || Peek() == '-') ++pos_;
        while (!AtEnd() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      }
      out->kind = is_float ? Value::Kind::kFloat : Value::Kind::kInt;
      out->text = std::string(s_.substr(start, pos_ - start));
      if (out->text == "-") return Fail("bad number");
      Skip();
      return true;
    }
    if (c == '[') {
      ++pos_;
      Skip();
      out->kind = Value::Kind::kList;
      while (Peek() != ']') {
        if (AtEnd()) return Fail("unterminated list");
        Value e;
        if (!ParseValue(&e, constant)) return false;
        out->list.push_back(std::move(e));
      }
      return Expect(']');
    }
    if (c == '{') {
      ++pos_;
      Skip();
      out->kind = Value::Kind::kObject;
      while (Peek() != '}') {
        if (AtEnd()) return Fail("unterminated object");
        std::string name;
        Value v;
        if (!Name(&name) || !Expect(':') || !ParseValue(&v, constant)) return false;
        out->fields.push_back(NamedValue{std::move(name), std::move(v)});
      }
      return Expect('}');
    }
    std::string word;
    if (!Name(&word)) return false;
    if (word == "true" || word == "false") {
      out->kind = Value::Kind::kBoolean;
      out->boolean = word == "true";
    } else if (word == "null") {
      out->kind = Value::Kind::kNull;
    } else {
      out->kind = Value::Kind::kEnum;
      out->text = word;
    }
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
  int depth_ = 0;
};

bool ToJson(const Value& v, const Operation& op, const rapidjson::Value& variables,
            rapidjson::Value* out, rapidjson::Document::AllocatorType& alloc, std::string* error) {
  switch (v.kind) {
    case Value::Kind::kNull:
      out->SetNull();
      return true;
    case Value::Kind::kInt:
      out->SetInt64(std::strtoll(v.text.c_str(), nullptr, 10));
      return true;
    case Value::Kind::kFloat:
      out->SetDouble(std::strtod(v.text.c_str(), nullptr));
      return true;
    case Value::Kind::kString:
    case Value::Kind::kEnum:
      out->SetString(v.text.c_str(), static_cast<rapidjson::SizeType>(v.text.size()), alloc);
      return true;
    case Value::Kind::kBoolean:
      out->SetBool(v.boolean);
      return true;
    case Value::Kind::kList:
      out->SetArray();
      for (const Value& e : v.list) {
        rapidjson::Value j;
        if (!ToJson(e, op, variables, &j, alloc, error)) return false;
        out->PushBack(j, alloc);
      }
      return true;
    case Value::Kind::kObject:
      out->SetObject();
      for (const auto& [name, e] : v.fields) {  // NamedValue
        rapidjson::Value j;
        if (!ToJson(e, op, variables, &j, alloc, error)) return false;
        out->AddMember(
            rapidjson::Value(name.c_str(), static_cast<rapidjson::SizeType>(name.size()), alloc), j,
            alloc);
      }
      return true;
    case Value::Kind::kVariable: {
      const VariableDefinition* def = nullptr;
      for (const VariableDefinition& d : op.variables)
        if (d.name == v.text) def = &d;
      if (def == nullptr) {
        *error = "Variable $" + v.text + " is used by " +
                 (op.name.empty() ? "the operation" : op.name) + " but not declared";
        return false;
      }
      if (variables.IsObject()) {
        auto it = variables.FindMember(v.text.c_str());
        if (it != variables.MemberEnd()) {
          out->CopyFrom(it->value, alloc);
          return true;
        }
      }
      if (def->default_value) return ToJson(*def->default_value, op, variables, out, alloc, error);
      if (!def->type.empty() && def->type.back() == '!') {
        *error = "Variable $" + v.text + " of type " + def->type + " was provided invalid value";
        return false;
      }
      out->SetNull();
      return true;
    }
  }
  return false;
}

}  // namespace

const Directive* Field::FindDirective(std::string_view n) const {
  for (const Directive& d : directives)
    if (d.name == n) return &d;
  return nullptr;
}

bool Parse(std::string_view text, std::vector<Operation>* out, std::string* error) {
  Parser p(text);
  if (!p.Document(out)) {
    *error = p.error;
    return false;
  }
  return true;
}

const Operation* Pick(const std::vector<Operation>& ops, std::string_view name,
                      std::string* error) {
  if (!name.empty()) {
    for (const Operation& op : ops)
      if (op.name == name) return &op;
    *error = "No operation named \"" + std::string(name) + "\"";
    return nullptr;
  }
  if (ops.size() == 1) return &ops.front();
  *error = "An operation name is required";
  return nullptr;
}

bool ResolveArguments(const Arguments& args, const Operation& op, const rapidjson::Value& variables,
                      rapidjson::Value* out, rapidjson::Document::AllocatorType& alloc,
                      std::string* error) {
  out->SetObject();
  for (const auto& [name, v] : args) {
    rapidjson::Value j;
    if (!ToJson(v, op, variables, &j, alloc, error)) return false;
    out->AddMember(
        rapidjson::Value(name.c_str(), static_cast<rapidjson::SizeType>(name.size()), alloc), j,
        alloc);
  }
  return true;
}

}  // namespace cartsync::sim::detail::gql

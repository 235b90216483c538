#include "tools/cartsync/args.h"

#include <algorithm>

namespace cartsync {

bool Args::Parse(const std::vector<std::string>& args, size_t start, const ArgSpec& spec,
                 std::string& error) {
  auto has = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  for (size_t i = start; i < args.size(); ++i) {
    std::string a = args[i];
    if (a == "--") {
      positional_.insert(positional_.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      return true;
    }
    if (a.size() < 2 || a[0] != '-') {
      positional_.push_back(a);
      continue;
    }
    std::optional<std::string> value;
    if (a.rfind("--", 0) == 0 && a.find('=') != std::string::npos) {
      value = a.substr(a.find('=') + 1);
      a = a.substr(0, a.find('='));
    }
    if (has(spec.boolean, a) && !value) {
      flags_[a].push_back("");
      continue;
    }
    if (has(spec.boolean, a)) {
      error = "option " + a + " takes no value";
      return false;
    }
    if (!has(spec.valued, a)) {
      error = "unknown option " + a;
      bad_flag_ = a;
      return false;
    }
    if (!value) {
      if (i + 1 >= args.size()) {
        error = "option " + a + " needs a value";
        return false;
      }
      value = args[++i];
    }
    flags_[a].push_back(*value);
  }
  return true;
}

std::optional<std::string> Args::Get(const std::string& flag) const {
  auto it = flags_.find(flag);
  if (it == flags_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

const std::vector<std::string>& Args::All(const std::string& flag) const {
  static const std::vector<std::string> none;
  auto it = flags_.find(flag);
  return it == flags_.end() ? none : it->second;
}

}  // namespace cartsync

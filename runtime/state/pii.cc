#include "runtime/state/pii.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <string_view>

namespace cartsync {

namespace {

constexpr std::string_view kAddressObjects[] = {"ship_to",         "bill_to",          "billing",
                                                "billing_address", "shipping_address", "customer"};
constexpr std::string_view kKeptInAddress[] = {"country", "region"};
constexpr std::string_view kTopLevelPii[] = {"email", "phone", "customer_email", "customer_name",
                                             "customer_phone"};

template <size_t N>
bool OneOf(std::string_view key, const std::string_view (&names)[N]) {
  return std::find(std::begin(names), std::end(names), key) != std::end(names);
}

using Value = rapidjson::Value;
using Alloc = rapidjson::Document::AllocatorType;

bool Blank(Value& v, Alloc& alloc, std::vector<std::string>& erased) {
  if (!v.IsString()) return false;
  if (v.GetStringLength() == 0) return false;
  erased.emplace_back(v.GetString(), v.GetStringLength());
  v.SetString("", 0, alloc);
  return true;
}

// Every string inside `v` but the kept address fields, at any depth (a
// nested "address" object of a customer is erased whole).
bool BlankAddress(Value& v, Alloc& alloc, std::vector<std::string>& erased) {
  bool changed = false;
  if (v.IsObject()) {
    // By index: RapidJSON 1.1's non-const member iterators compare
    // ambiguously in C++20 (a range-for compares them).
    for (rapidjson::SizeType i = 0; i < v.MemberCount(); ++i) {
      auto& m = v.MemberBegin()[i];
      std::string_view key(m.name.GetString(), m.name.GetStringLength());
      if (m.value.IsString() && OneOf(key, kKeptInAddress)) continue;
      changed |=
          m.value.IsString() ? Blank(m.value, alloc, erased) : BlankAddress(m.value, alloc, erased);
    }
  } else if (v.IsArray()) {
    for (auto& e : v.GetArray()) changed |= BlankAddress(e, alloc, erased);
  } else {
    changed |= Blank(v, alloc, erased);
  }
  return changed;
}

}  // namespace

bool ErasePiiInDocument(std::string& json, std::vector<std::string>& erased) {
  if (json.empty()) return false;
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError() || !d.IsObject()) {
    json.clear();
    return true;
  }
  bool changed = false;
  for (rapidjson::SizeType i = 0; i < d.MemberCount(); ++i) {  // by index, as above
    auto& m = d.MemberBegin()[i];
    std::string_view key(m.name.GetString(), m.name.GetStringLength());
    if (OneOf(key, kAddressObjects)) {
      changed |= BlankAddress(m.value, d.GetAllocator(), erased);
    } else if (OneOf(key, kTopLevelPii) || key.starts_with("buyer_")) {
      changed |= Blank(m.value, d.GetAllocator(), erased);
    }
  }
  if (!changed) return false;
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  d.Accept(w);
  json.assign(buf.GetString(), buf.GetSize());
  return true;
}

std::string ErasePiiInText(std::string text, const std::vector<std::string>& erased) {
  // Longest first, so a value containing another is replaced whole.
  std::vector<std::string> values(erased);
  std::sort(values.begin(), values.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  constexpr std::string_view kMark = "[erased]";
  for (const std::string& v : values) {
    if (v.size() < 3) continue;  // "", "NY", a one-letter initial: replacing them garbles text
    for (size_t at = text.find(v); at != std::string::npos; at = text.find(v, at + kMark.size()))
      text.replace(at, v.size(), kMark);
  }
  return text;
}

Result<int> ErasePiiBefore(OrderStore& store, int64_t before_ms, int64_t now_ms, int batch) {
  constexpr int kMaxBatches = 100'000;
  int total = 0;
  for (int i = 0; i < kMaxBatches; ++i) {
    auto erased = store.ErasePii(before_ms, batch, now_ms);
    if (!erased.ok()) return erased.status();
    total += erased.value();
    if (erased.value() < batch) break;
  }
  return total;
}

}  // namespace cartsync

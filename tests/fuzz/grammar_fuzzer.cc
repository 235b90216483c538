// Feeds arbitrary bytes to the three X3 grammars of compiler/grammar.h —
// schedules (`every`), secret references and ship targets — and checks what
// the parsers promise beyond "no crash":
//
//   - an error points inside the text or at its end (offset <= size) with a
//     non-empty message;
//   - a parsed schedule's Canonical() form parses again to the same schedule
//     (same canonical text, same periods), MinPeriod <= MaxPeriod, and
//     NextAfter moves strictly forward (or says "never");
//   - a secret reference's Text() and a ship target's "CARRIER/SERVICE"
//     round-trip.
//
// Any crash, sanitizer report or __builtin_trap is a bug. Seeds:
// tests/fuzz/corpus/grammar_fuzzer/.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "model/grammar.h"

namespace {

[[noreturn]] void Fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "grammar_fuzzer: %s for input \"%.*s\"\n", what,
               static_cast<int>(input.size()), input.data());
  __builtin_trap();
}

template <class T>
void CheckError(const cartsync::ParseResult<T>& r, std::string_view text) {
  if (r) return;
  if (r.error.offset > text.size()) Fail("error offset beyond the end", text);
  if (r.error.length < 1) Fail("empty error span", text);
  if (r.error.message.empty()) Fail("empty error message", text);
}

void Schedule(std::string_view text) {
  using cartsync::ParseSchedule;
  auto r = ParseSchedule(text);
  CheckError(r, text);
  if (!r) return;
  const cartsync::Schedule& s = *r.value;
  const std::string canonical = s.Canonical();
  auto again = ParseSchedule(canonical);
  if (!again) Fail("canonical form does not parse", text);
  if (again.value->Canonical() != canonical) Fail("canonical form is not stable", text);
  const int64_t min = s.MinPeriodSeconds(), max = s.MaxPeriodSeconds();
  if (min < 0 || max < min) Fail("MinPeriodSeconds > MaxPeriodSeconds", text);
  if (again.value->MinPeriodSeconds() != min || again.value->MaxPeriodSeconds() != max)
    Fail("canonical form has other periods", text);
  // A few points: the epoch, the demo's date, around a leap day, far future.
  for (int64_t t :
       {int64_t{0}, int64_t{1'795'000'000}, int64_t{1'835'395'199}, int64_t{253'402'300'799}}) {
    const int64_t next = s.NextAfter(t);
    if (next <= t) Fail("NextAfter does not move forward", text);
    if (next != again.value->NextAfter(t)) Fail("canonical form runs at other times", text);
    if (next != INT64_MAX && min > 0) {
      const int64_t after = s.NextAfter(next);
      if (after != INT64_MAX && after - next < min)
        Fail("a gap shorter than MinPeriodSeconds", text);
    }
  }
}

void Secret(std::string_view text) {
  auto r = cartsync::ParseSecretRef(text);
  CheckError(r, text);
  if (!r) return;
  const std::string back = r.value->Text();
  auto again = cartsync::ParseSecretRef(back);
  if (!again || again.value->Text() != back || again.value->kind != r.value->kind ||
      again.value->target != r.value->target)
    Fail("secret reference does not round-trip", text);
}

void Ship(std::string_view text) {
  auto r = cartsync::ParseShipTarget(text);
  CheckError(r, text);
  if (!r) return;
  if (r.value->carrier.empty() || r.value->service.empty()) Fail("empty ship target part", text);
  auto again = cartsync::ParseShipTarget(r.value->carrier + "/" + r.value->service);
  if (!again || again.value->carrier != r.value->carrier ||
      again.value->service != r.value->service)
    Fail("ship target does not round-trip", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The same bytes go to every grammar (each parser sees exactly `size`
  // bytes, so ASan catches a read past the end).
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Schedule(text);
  Secret(text);
  Ship(text);
  return 0;
}

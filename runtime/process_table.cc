#include "runtime/process_table.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>

namespace cartsync {

namespace {

// Field 22 of /proc/PID/stat (start time); "" when the process is not there.
// The command name (field 2) may hold spaces and parentheses: fields are
// counted after its last ')'.
std::string StartTime(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/stat");
  std::string line;
  if (!in || !std::getline(in, line)) return "";
  size_t close = line.rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream rest(line.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22; ++i)
    if (!(rest >> field)) return "";
  return field;
}

std::string PidNamespace() {
  struct stat st {};
  if (::stat("/proc/self/ns/pid", &st) != 0) return "";
  return std::to_string(static_cast<unsigned long long>(st.st_ino));
}

bool AllDigits(const std::string& s) {
  return !s.empty() && s.size() <= 20 && s.find_first_not_of("0123456789") == std::string::npos;
}

class ProcProcessTable final : public ProcessTable {
 public:
  std::string Self() override {
    const std::string ns = PidNamespace(), pid = std::to_string(::getpid());
    const std::string start = StartTime(pid);
    if (ns.empty() || start.empty()) return "";
    return ns + ":" + pid + ":" + start;
  }

  bool Gone(const std::string& identity) override {
    size_t a = identity.find(':');
    size_t b = a == std::string::npos ? a : identity.find(':', a + 1);
    if (b == std::string::npos) return false;
    const std::string ns = identity.substr(0, a), pid = identity.substr(a + 1, b - a - 1),
                      start = identity.substr(b + 1);
    if (!AllDigits(ns) || !AllDigits(pid) || !AllDigits(start) || ns != PidNamespace())
      return false;
    // No such process (ENOENT), or the pid now belongs to a later process.
    const std::string now = StartTime(pid);
    if (now.empty()) {
      struct stat st {};
      return ::stat(("/proc/" + pid).c_str(), &st) != 0 && errno == ENOENT;
    }
    return now != start;
  }
};

class NoProcesses final : public ProcessTable {
 public:
  std::string Self() override { return ""; }
  bool Gone(const std::string&) override { return false; }
};

}  // namespace

std::unique_ptr<ProcessTable> MakeProcProcessTable() {
  return std::make_unique<ProcProcessTable>();
}

ProcessTable& NoProcessTable() {
  static NoProcesses none;
  return none;
}

}  // namespace cartsync

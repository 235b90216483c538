// The `command` WMS transport (wms-contract.md): a program the user names,
// started with Boost.Process from an argument vector (never a shell), that
// answers one JSON line on stdout for each JSON line it reads on stdin:
//
//   {"op":"push_order","order":{…}}        -> {"wms_order_id":"…"}
//   {"op":"find_order","order_key":"…"}    -> {"wms_order_id":"…"|null}
//   {"op":"pull_shipments","since":"…"}    -> {"shipments":[…],"next":"…"}
//   {"op":"cancel_order","order_key":"…"}  -> {"status":"canceled"} done (also when
//                                             it was already), {"status":"in_progress"|
//                                             "shipped"} too late, {"status":"unknown"}
//   {"op":"pull_inventory","client":"…"}   -> {"inventory":[…],"as_of":"…"}
//   {"op":"pull_aliases","client":"…"}     -> {"aliases":[…]}
//   ("client" left out when the cart has none; other clients' records are
//   dropped here too)
//   any op, on failure                     -> {"error":"…","retryable":true|false}
//
// ("since" is "" on the first pull.) One process per client, started on the
// first request and kept for the run; if it has exited between requests the
// next request starts a new one. Every request has a deadline
// (timeout_seconds): a program that does not answer in time is killed.
//
// Boost.Process launches the child (argument vector, working directory,
// stdio pipes, exec errors); the pipes are plain non-blocking descriptors
// multiplexed with poll(), so stdout (the answer), stderr (kept as a tail for
// messages) and stdin (the request) never deadlock one another, and the
// child is reaped with waitpid() here (Boost's handle is detached).
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/io.hpp>
#include <boost/process/pipe.hpp>
#include <boost/process/search_path.hpp>
#include <boost/process/start_dir.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <utility>

#include "runtime/documents.h"
#include "runtime/wms/wms_transports.h"

namespace cartsync {
namespace {

namespace bp = boost::process;
namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;
using wms_detail::Excerpt;

constexpr size_t kMaxLineBytes = size_t{64} << 20;  ///< one answer line (inventory can be large)
constexpr size_t kStderrKeep = 4096;
constexpr size_t kStderrShown = 500;
constexpr int64_t kShutdownGraceMs = 2000;
constexpr int64_t kSliceMs = 50;  ///< how often a waiting request checks the child is alive

int64_t MsUntil(SteadyClock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  return left.count() < 0 ? 0 : left.count();
}

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

/// write() with SIGPIPE suppressed for this thread only: a child that exits
/// without reading must not kill the runtime. Returns write()'s result.
ssize_t WriteNoSigpipe(int fd, const char* data, size_t size) {
  sigset_t pipe_only, old;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
  sigset_t pending;
  sigpending(&pending);
  bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  ssize_t n = ::write(fd, data, size);
  int saved = errno;
  if (n < 0 && saved == EPIPE && !was_pending) {
    timespec zero{0, 0};
    while (sigtimedwait(&pipe_only, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = saved;
  return n;
}

bool IsBlank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    const char* name = strsignal(sig);
    return "was killed by signal " + std::to_string(sig) +
           (name != nullptr ? std::string(" (") + name + ")" : std::string());
  }
  return "stopped (wait status " + std::to_string(status) + ")";
}

/// One running program and our ends of its pipes.
struct Process {
  pid_t pid = -1;
  bool reaped = false;
  int wait_status = 0;
  int in_fd = -1, out_fd = -1, err_fd = -1;
  std::string out_buffer;  ///< stdout bytes not yet consumed as a line
  std::string err_tail;    ///< the last kStderrKeep bytes of stderr
  bool out_eof = false, err_eof = false;

  ~Process() {
    CloseFd(in_fd);
    CloseFd(out_fd);
    CloseFd(err_fd);
    Kill();
  }

  /// Non-blocking: reaps the child if it has exited.
  bool Alive() {
    if (reaped) return false;
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) {
      reaped = true;
      wait_status = r == pid ? status : 0;
      return false;
    }
    return true;
  }

  /// Kills the program and whatever it started (its own process group), and
  /// reaps it.
  void Kill() {
    if (reaped || pid <= 0) return;
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    reaped = true;
    wait_status = status;
  }

  /// Waits up to `ms` for the child to exit on its own.
  bool WaitExit(int64_t ms) {
    auto deadline = SteadyClock::now() + std::chrono::milliseconds(ms);
    while (Alive()) {
      if (SteadyClock::now() >= deadline) return false;
      ::usleep(5000);
    }
    return true;
  }

  /// Reads whatever stdout/stderr hold right now (non-blocking descriptors).
  void Drain() {
    char chunk[65536];
    if (!out_eof) {
      for (;;) {
        ssize_t n = ::read(out_fd, chunk, sizeof chunk);
        if (n > 0) {
          out_buffer.append(chunk, static_cast<size_t>(n));
          if (out_buffer.size() > kMaxLineBytes) break;
          continue;
        }
        if (n == 0) out_eof = true;
        if (n < 0 && errno == EINTR) continue;
        break;
      }
    }
    if (!err_eof) {
      for (;;) {
        ssize_t n = ::read(err_fd, chunk, sizeof chunk);
        if (n > 0) {
          err_tail.append(chunk, static_cast<size_t>(n));
          if (err_tail.size() > kStderrKeep) err_tail.erase(0, err_tail.size() - kStderrKeep);
          continue;
        }
        if (n == 0) err_eof = true;
        if (n < 0 && errno == EINTR) continue;
        break;
      }
    }
  }

  std::string StderrTail() const {
    std::string_view tail(err_tail);
    while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r' || tail.back() == ' '))
      tail.remove_suffix(1);
    if (tail.size() > kStderrShown) {
      size_t start = tail.size() - kStderrShown;
      while (start < tail.size() && (static_cast<unsigned char>(tail[start]) & 0xC0) == 0x80)
        ++start;
      return "…" + Excerpt(tail.substr(start), kStderrShown);
    }
    return Excerpt(tail, kStderrShown);
  }
};

class CommandWms : public WmsClient {
 public:
  CommandWms(std::vector<std::string> argv, std::string base_dir, int64_t timeout_seconds)
      : argv_(std::move(argv)), base_dir_(std::move(base_dir)), timeout_seconds_(timeout_seconds) {
    program_name_ = fs::path(argv_[0]).filename().string();
  }

  ~CommandWms() override {
    if (process_) Shutdown(*process_);
  }

  Result<std::string> PushOrder(const WmsOrder& order) override {
    auto doc = Call("push_order", R"({"op":"push_order","order":)" + ToJson(order) + "}");
    if (!doc.ok()) return doc.status();
    auto id = wms_detail::ReadOrderId(*doc.value(), /*allow_null=*/false, Context("push_order"));
    if (!id.ok()) return id.status();
    return *id.value();
  }

  Result<std::optional<std::string>> FindOrder(const std::string& order_key) override {
    auto doc = Call("find_order", Request("find_order", "order_key", &order_key));
    if (!doc.ok()) return doc.status();
    return wms_detail::ReadOrderId(*doc.value(), /*allow_null=*/true, Context("find_order"));
  }

  Result<WmsCancel> CancelOrder(const std::string& order_key) override {
    auto doc = Call("cancel_order", Request("cancel_order", "order_key", &order_key));
    if (!doc.ok()) return doc.status();
    auto status = wms_detail::ReadCancelStatus(*doc.value(), Context("cancel_order"));
    if (!status.ok()) return status.status();
    WmsCancel out;
    out.status = status.value();
    if (out.status == "canceled") return out;
    if (out.status == "unknown") {
      out.outcome = WmsCancel::Outcome::Unknown;
      return out;
    }
    if (out.status == "in_progress" || out.status == "shipped") {
      out.outcome = WmsCancel::Outcome::TooLate;
      return out;
    }
    return Status::Permanent(Context("cancel_order") + ": unexpected status \"" +
                             wms_detail::Excerpt(out.status, 40) +
                             "\" (expected canceled, in_progress, shipped or unknown)");
  }

  Result<ShipmentPage> PullShipments(const std::string& since) override {
    auto doc = Call("pull_shipments", Request("pull_shipments", "since", &since));
    if (!doc.ok()) return doc.status();
    return wms_detail::ReadShipmentPage(*doc.value(), Context("pull_shipments"));
  }

  Result<InventorySnapshot> PullInventory(const std::string& client) override {
    auto doc = Call("pull_inventory",
                    Request("pull_inventory", client.empty() ? nullptr : "client", &client));
    if (!doc.ok()) return doc.status();
    auto snapshot = wms_detail::ReadInventorySnapshot(*doc.value(), Context("pull_inventory"));
    if (snapshot.ok()) KeepClient(client, snapshot->records);
    return snapshot;
  }

  Result<std::vector<AliasRecord>> PullAliases(const std::string& client) override {
    auto doc =
        Call("pull_aliases", Request("pull_aliases", client.empty() ? nullptr : "client", &client));
    if (!doc.ok()) return doc.status();
    auto aliases = wms_detail::ReadAliasList(*doc.value(), Context("pull_aliases"));
    if (aliases.ok()) KeepClient(client, aliases.value());
    return aliases;
  }

 private:
  std::string Context(const char* op) const {
    return "WMS command " + program_name_ + " (" + op + ")";
  }

  static std::string Request(const char* op, const char* key, const std::string* value) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("op");
    w.String(op);
    if (key != nullptr) {
      w.Key(key);
      w.String(value->data(), static_cast<rapidjson::SizeType>(value->size()));
    }
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
  }

  /// The program to run: a path with a '/' is taken as is (relative to
  /// base_dir); a bare name is looked up on PATH, then in base_dir.
  Result<std::string> ResolveProgram() const {
    const std::string& name = argv_[0];
    fs::path base(base_dir_.empty() ? "." : base_dir_);
    fs::path path;
    if (name.find('/') != std::string::npos) {
      path = fs::path(name).is_absolute() ? fs::path(name) : base / name;
    } else {
      boost::filesystem::path found = bp::search_path(name);
      path = found.empty() ? base / name : fs::path(found.string());
    }
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
      return Status::Permanent("WMS command program " + path.lexically_normal().string() +
                               " does not exist");
    if (::access(path.c_str(), X_OK) != 0)
      return Status::Permanent("WMS command program " + path.lexically_normal().string() +
                               " is not executable");
    // Absolute: the child changes into base_dir before exec.
    return fs::absolute(path, ec).lexically_normal().string();
  }

  Status Start() {
    auto program = ResolveProgram();
    if (!program.ok()) return program.status();
    int in[2], out[2], err[2];
    // Close-on-exec, so a second client's program never inherits these (it
    // would keep this child's stdin open). dup2 onto 0/1/2 clears the flag
    // for the child's own stdio.
    if (::pipe2(in, O_CLOEXEC) != 0)
      return Status::Transient(std::string("WMS command: cannot create a pipe: ") +
                               std::strerror(errno));
    if (::pipe2(out, O_CLOEXEC) != 0) {
      int saved = errno;
      ::close(in[0]);
      ::close(in[1]);
      return Status::Transient(std::string("WMS command: cannot create a pipe: ") +
                               std::strerror(saved));
    }
    if (::pipe2(err, O_CLOEXEC) != 0) {
      int saved = errno;
      for (int fd : {in[0], in[1], out[0], out[1]}) ::close(fd);
      return Status::Transient(std::string("WMS command: cannot create a pipe: ") +
                               std::strerror(saved));
    }
    bp::pipe in_pipe(in[0], in[1]), out_pipe(out[0], out[1]), err_pipe(err[0], err[1]);
    std::vector<std::string> args(argv_.begin() + 1, argv_.end());
    std::error_code ec;
    std::string failure;
    auto process = std::make_unique<Process>();
    try {
      bp::child child(
          bp::exe = program.value(), bp::args = args,
          bp::start_dir = base_dir_.empty() ? std::string(".") : base_dir_,
          bp::std_in<in_pipe, bp::std_out> out_pipe, bp::std_err > err_pipe,
          // Its own process group, so a timeout also stops what
          // it started (a wrapper script's interpreter, say).
          bp::extend::on_exec_setup = [](auto&) { ::setpgid(0, 0); }, ec);
      if (!ec) {
        process->pid = child.id();
        child.detach();  // reaped by Process
      }
    } catch (const std::exception& e) {
      failure = e.what();
    }
    if (failure.empty() && ec) failure = ec.message();
    if (!failure.empty() || process->pid <= 0)
      return Status::Permanent("WMS command: cannot start " + program.value() + ": " +
                               (failure.empty() ? std::string("unknown error") : failure));
    // Boost closed the child's ends; take ours from the pipe objects.
    process->in_fd = in_pipe.native_sink();
    in_pipe.assign_sink(-1);
    process->out_fd = out_pipe.native_source();
    out_pipe.assign_source(-1);
    process->err_fd = err_pipe.native_source();
    err_pipe.assign_source(-1);
    for (int fd : {process->in_fd, process->out_fd, process->err_fd})
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    process_ = std::move(process);
    return Status::Ok();
  }

  /// Closes stdin (the program's signal to finish), gives it a moment to
  /// exit on its own, then kills it.
  static void Shutdown(Process& p) {
    CloseFd(p.in_fd);
    auto deadline = SteadyClock::now() + std::chrono::milliseconds(kShutdownGraceMs);
    while (p.Alive() && SteadyClock::now() < deadline) {
      std::vector<pollfd> fds;
      if (!p.out_eof) fds.push_back({p.out_fd, POLLIN, 0});
      if (!p.err_eof) fds.push_back({p.err_fd, POLLIN, 0});
      if (fds.empty()) {
        ::usleep(5000);
      } else {
        ::poll(fds.data(), fds.size(), static_cast<int>(std::min<int64_t>(MsUntil(deadline), 20)));
        p.Drain();
        p.out_buffer.clear();
      }
    }
    p.Kill();
  }

  /// The request's process failed: a Transient naming how it ended.
  Status Ended(const char* op, const std::string& how) {
    std::string message = "WMS command " + program_name_ + " " + how + " during " + op;
    std::string tail = process_->StderrTail();
    if (!tail.empty()) message += "; stderr: " + tail;
    process_.reset();
    return Status::Transient(message);
  }

  /// Sends one request line and reads one answer line, parsed.
  Result<std::shared_ptr<rapidjson::Document>> Call(const char* op, std::string request) {
    std::lock_guard<std::mutex> lock(mu_);
    if (process_ && (!process_->Alive() || !IsBlank(process_->out_buffer) || process_->out_eof)) {
      // Exited after its last answer, or printed something nobody asked for
      // (the conversation is out of step): start afresh.
      process_->Kill();
      process_.reset();
    }
    if (!process_) {
      Status started = Start();
      if (!started.ok()) return started;
    }
    Process& p = *process_;
    request.push_back('\n');
    size_t written = 0;
    bool write_closed = false;  // the program closed its stdin
    const auto deadline = SteadyClock::now() + std::chrono::seconds(timeout_seconds_);
    size_t newline = std::string::npos;
    size_t scanned =
        0;  // bytes of out_buffer known to hold no '\n' (large answers arrive in chunks)

    for (;;) {
      newline = p.out_buffer.find('\n', scanned);
      if (newline != std::string::npos) {
        if (!IsBlank(std::string_view(p.out_buffer).substr(0, newline))) break;
        p.out_buffer.erase(0, newline + 1);  // tolerate empty lines
        scanned = 0;
        continue;
      }
      scanned = p.out_buffer.size();
      if (p.out_buffer.size() > kMaxLineBytes) {
        process_->Kill();
        process_.reset();
        return Status::Permanent(Context(op) + ": printed a line longer than " +
                                 std::to_string(kMaxLineBytes >> 20) + " MiB");
      }
      if (p.out_eof) {
        // stdout closed without a full line: the program ended (or is ending).
        if (!p.WaitExit(std::min<int64_t>(MsUntil(deadline), kShutdownGraceMs) + 100)) {
          p.Drain();
          return Ended(op, "closed its output without answering");
        }
        p.Drain();
        return Ended(op, DescribeWaitStatus(p.wait_status));
      }
      if (SteadyClock::now() >= deadline) {
        p.Kill();
        p.Drain();
        std::string message = "WMS command timed out after " + std::to_string(timeout_seconds_) +
                              "s waiting for the answer to " + op + " (" + program_name_ +
                              " was stopped)";
        std::string tail = p.StderrTail();
        if (!tail.empty()) message += "; stderr: " + tail;
        process_.reset();
        return Status::Transient(message);
      }
      if (!p.Alive()) {
        // Exited; its last words may still be in the pipes.
        p.Drain();
        if (p.out_buffer.find('\n') != std::string::npos) continue;
        return Ended(op, DescribeWaitStatus(p.wait_status));
      }

      pollfd fds[3];
      nfds_t n = 0;
      if (written < request.size() && !write_closed) fds[n++] = {p.in_fd, POLLOUT, 0};
      if (!p.out_eof) fds[n++] = {p.out_fd, POLLIN, 0};
      if (!p.err_eof) fds[n++] = {p.err_fd, POLLIN, 0};
      int wait_ms = static_cast<int>(std::min<int64_t>(MsUntil(deadline), kSliceMs));
      int ready = ::poll(fds, n, wait_ms);
      if (ready < 0 && errno != EINTR)
        return Status::Transient(Context(op) + ": poll failed: " + std::strerror(errno));
      if (ready <= 0) continue;
      if (written < request.size() && !write_closed && fds[0].revents != 0) {
        ssize_t w = WriteNoSigpipe(p.in_fd, request.data() + written, request.size() - written);
        if (w > 0) {
          written += static_cast<size_t>(w);
        } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
          write_closed = true;  // EPIPE: it stopped reading; its exit tells why
        }
      }
      p.Drain();
    }

    std::string line = p.out_buffer.substr(0, newline);
    p.out_buffer.erase(0, newline + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (written < request.size()) {
      // Answered before reading the whole request: out of step; restart next time.
      process_->Kill();
    }
    auto doc = std::make_shared<rapidjson::Document>();
    doc->Parse<rapidjson::kParseValidateEncodingFlag>(line.data(), line.size());
    if (doc->HasParseError() || !doc->IsObject()) {
      // Out of step with the protocol: this process is not asked again.
      process_->Kill();
      process_.reset();
      std::string why = "not a JSON object";
      if (doc->HasParseError()) {
        why = rapidjson::GetParseError_En(doc->GetParseError());
        while (!why.empty() && why.back() == '.') why.pop_back();
        why += " at offset " + std::to_string(doc->GetErrorOffset());
      }
      // Transient: the program broke the protocol, the WMS did not refuse
      // anything — a pushed order stays `new` and the step fails, instead of
      // the order being held as "rejected" for a person to look at.
      return Status::Transient("WMS command printed invalid JSON: " + Excerpt(line, 200) + " (" +
                               program_name_ + ", answering " + op + ": " + why + ")");
    }
    const rapidjson::Value& v = *doc;
    if (auto error = v.FindMember("error"); error != v.MemberEnd() && !error->value.IsNull()) {
      std::string text = error->value.IsString()
                             ? std::string(error->value.GetString(), error->value.GetStringLength())
                             : std::string("(error is not a string)");
      auto retryable = v.FindMember("retryable");
      bool transient =
          retryable != v.MemberEnd() && retryable->value.IsBool() && retryable->value.GetBool();
      std::string message = Context(op) + ": " + Excerpt(text, 500);
      return transient ? Status::Transient(message) : Status::Permanent(message);
    }
    return doc;
  }

  std::vector<std::string> argv_;
  std::string base_dir_;
  int64_t timeout_seconds_;
  std::string program_name_;
  std::mutex mu_;
  std::unique_ptr<Process> process_;
};

}  // namespace

Result<std::unique_ptr<WmsClient>> MakeCommandWms(const WmsConfig& config, const WmsDeps& deps) {
  using wms_detail::FieldName;
  auto command = config.fields.find("command");
  if (command == config.fields.end() || command->second.list.empty() ||
      command->second.list[0].empty())
    return Status::Permanent(FieldName(config, "command") +
                             " must name a program (e.g. [\"/opt/bridge/bin/bridge\"])");
  auto timeout = wms_detail::TimeoutSeconds(config, 60);
  if (!timeout.ok()) return timeout.status();
  return std::unique_ptr<WmsClient>(
      new CommandWms(command->second.list, deps.base_dir, timeout.value()));
}

}  // namespace cartsync

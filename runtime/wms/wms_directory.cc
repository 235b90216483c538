// The `directory` WMS transport (wms-contract.md): an exchange directory the
// WMS also sees (often a share or an SFTP drop).
//
//   {path}/outbox/<name>.json         one order per file, written to a hidden
//                                     temporary file, fsynced, then renamed
//                                     (a reader never sees half an order).
//                                     <name> is the order_key with every byte
//                                     outside [A-Za-z0-9.-] written as _XX
//                                     (hex), so "acme-shopify:1001" becomes
//                                     "acme-shopify_3A1001" — injective, and
//                                     valid on SMB shares too.
//   {path}/outbox/done/               where the WMS may move orders it took;
//                                     an order found in either is "sent".
//   {path}/inbox/shipments/*.json     each a shipment or {"shipments": […]}
//   {path}/inbox/done/                shipment files we have processed
//   {path}/inbox/inventory.json       {"inventory": […], "as_of": …} (left in place:
//                                     it is the WMS's latest snapshot)
//   {path}/inbox/aliases.json         {"aliases": […]}, optional
//
// Shipments are crash safe: a pull does not move the files it returns (the
// caller may crash before recording them). It returns their names as the
// cursor — a JSON array, e.g. ["a.json","b.json"] — and the next pull, given
// that cursor, first moves exactly those files to inbox/done/, then reads
// what remains. Files are read in name order, at most kMaxFilesPerPull per
// pull.
#include <fcntl.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "runtime/documents.h"
#include "runtime/wms/wms_transports.h"

namespace cartsync {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxFilesPerPull = 1000;
constexpr std::uintmax_t kMaxFileBytes = std::uintmax_t{256} << 20;
constexpr size_t kMaxNameBytes = 200;

/// The outbox file name (without ".json") for an order key.
std::string EncodeName(std::string_view key) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < key.size(); ++i) {
    unsigned char u = static_cast<unsigned char>(key[i]);
    bool keep = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') ||
                u == '-' || (u == '.' && i > 0);
    if (keep) {
      out.push_back(static_cast<char>(u));
    } else {
      out.push_back('_');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    }
  }
  return out;
}

std::string ErrnoText(int err) { return std::strerror(err); }

void SyncDirectory(const fs::path& dir) {
  // Makes a rename durable. Some network filesystems refuse fsync on a
  // directory; the rename itself is still atomic there.
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

bool Exists(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

class DirectoryWms : public WmsClient {
 public:
  explicit DirectoryWms(fs::path root) : root_(std::move(root)) {}

  Result<std::string> PushOrder(const WmsOrder& order) override {
    if (Status s = CheckRoot(); !s.ok()) return s;
    auto name = FileName(order.order_key);
    if (!name.ok()) return name.status();
    const fs::path outbox = root_ / "outbox";
    const fs::path target = outbox / name.value();
    if (Exists(target) || Exists(outbox / "done" / name.value())) return order.order_key;

    std::error_code ec;
    fs::create_directories(outbox, ec);
    if (ec)
      return Status::Transient("WMS directory: cannot create " + outbox.string() + ": " +
                               ec.message());
    static std::atomic<uint64_t> counter{0};
    const fs::path temp = outbox / ("." + name.value() + ".tmp." + std::to_string(::getpid()) +
                                    "." + std::to_string(counter++));
    std::string content = ToJson(order);
    content.push_back('\n');
    if (Status s = WriteDurably(temp, content); !s.ok()) return s;
    if (::rename(temp.c_str(), target.c_str()) != 0) {
      int saved = errno;
      ::unlink(temp.c_str());
      return Status::Transient("WMS directory: cannot rename " + temp.string() + " to " +
                               target.string() + ": " + ErrnoText(saved));
    }
    SyncDirectory(outbox);
    return order.order_key;
  }

  Result<std::optional<std::string>> FindOrder(const std::string& order_key) override {
    if (Status s = CheckRoot(); !s.ok()) return s;
    auto name = FileName(order_key);
    if (!name.ok()) return name.status();
    const fs::path outbox = root_ / "outbox";
    if (Exists(outbox / name.value()) || Exists(outbox / "done" / name.value()))
      return std::optional<std::string>(order_key);
    return std::optional<std::string>();
  }

  Result<ShipmentPage> PullShipments(const std::string& since) override {
    if (Status s = CheckRoot(); !s.ok()) return s;
    const fs::path dir = root_ / "inbox" / "shipments";
    const fs::path done = root_ / "inbox" / "done";

    // 1. What the previous pull returned has been recorded: file it away.
    auto processed = ParseCursor(since);
    if (!processed.ok()) return processed.status();
    if (!processed.value().empty()) {
      std::error_code ec;
      fs::create_directories(done, ec);
      if (ec)
        return Status::Transient("WMS directory: cannot create " + done.string() + ": " +
                                 ec.message());
      for (const std::string& file : processed.value()) {
        fs::path from = dir / file, to = done / file;
        if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT)
          return Status::Transient("WMS directory: cannot move " + from.string() + " to " +
                                   done.string() + ": " + ErrnoText(errno));
      }
      SyncDirectory(dir);
      SyncDirectory(done);
    }

    // 2. Read what is there now, in name order.
    std::vector<std::string> names;
    std::error_code ec;
    if (fs::is_directory(dir, ec)) {
      for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::string file = it->path().filename().string();
        if (file.empty() || file[0] == '.' || it->path().extension() != ".json") continue;
        std::error_code type_ec;
        if (!it->is_regular_file(type_ec)) continue;
        names.push_back(std::move(file));
      }
      if (ec)
        return Status::Transient("WMS directory: cannot list " + dir.string() + ": " +
                                 ec.message());
    }
    std::sort(names.begin(), names.end());
    if (names.size() > kMaxFilesPerPull) names.resize(kMaxFilesPerPull);

    ShipmentPage page;
    for (const std::string& file : names) {
      const std::string context = "WMS directory inbox/shipments/" + file;
      auto text = ReadFile(dir / file, context);
      if (!text.ok()) {
        if (text.status().code() == StatusCode::NotFound) continue;  // taken meanwhile
        return text.status();
      }
      auto doc = wms_detail::ParseObject(text.value(), context);
      if (!doc.ok()) return doc.status();
      std::string error;
      if (doc.value()->HasMember("shipments")) {
        if (!wms_detail::AppendShipments(*doc.value(), page.shipments, error))
          return Status::Permanent(context + ": " + error);
      } else {
        Shipment shipment;
        if (!ReadShipment(*doc.value(), shipment, error))
          return Status::Permanent(context + ": " + error);
        page.shipments.push_back(std::move(shipment));
      }
    }
    page.next = CursorOf(names);
    if (page.next == since) page.next.clear();  // unchanged
    return page;
  }

  Result<InventorySnapshot> PullInventory() override {
    if (Status s = CheckRoot(); !s.ok()) return s;
    const std::string context = "WMS directory inbox/inventory.json";
    auto text = ReadFile(root_ / "inbox" / "inventory.json", context);
    if (!text.ok()) return text.status();
    auto doc = wms_detail::ParseObject(text.value(), context);
    if (!doc.ok()) return doc.status();
    return wms_detail::ReadInventorySnapshot(*doc.value(), context);
  }

  Result<std::vector<AliasRecord>> PullAliases() override {
    if (Status s = CheckRoot(); !s.ok()) return s;
    const std::string context = "WMS directory inbox/aliases.json";
    auto text = ReadFile(root_ / "inbox" / "aliases.json", context);
    if (!text.ok()) {
      if (text.status().code() == StatusCode::NotFound) return std::vector<AliasRecord>();
      return text.status();
    }
    auto doc = wms_detail::ParseObject(text.value(), context);
    if (!doc.ok()) return doc.status();
    return wms_detail::ReadAliasList(*doc.value(), context);
  }

 private:
  /// The exchange directory must exist: creating it would hide an unmounted
  /// share behind a local directory nobody reads.
  Status CheckRoot() const {
    std::error_code ec;
    if (!fs::is_directory(root_, ec))
      return Status::Permanent("WMS exchange directory " + root_.string() +
                               " does not exist or is not a directory");
    return Status::Ok();
  }

  static Result<std::string> FileName(const std::string& order_key) {
    if (order_key.empty()) return Status::Permanent("WMS directory: order has no order_key");
    std::string name = EncodeName(order_key);
    if (name.size() > kMaxNameBytes)
      return Status::Permanent("WMS directory: order_key " + order_key.substr(0, 60) +
                               "… is too long for a file name");
    return name + ".json";
  }

  static Status WriteDurably(const fs::path& path, const std::string& content) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
      return Status::Transient("WMS directory: cannot create " + path.string() + ": " +
                               ErrnoText(errno));
    size_t done = 0;
    while (done < content.size()) {
      ssize_t n = ::write(fd, content.data() + done, content.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        int saved = n < 0 ? errno : EIO;
        ::close(fd);
        ::unlink(path.c_str());
        return Status::Transient("WMS directory: cannot write " + path.string() + ": " +
                                 ErrnoText(saved));
      }
      done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) {
      int saved = errno;
      ::close(fd);
      ::unlink(path.c_str());
      return Status::Transient("WMS directory: cannot flush " + path.string() + ": " +
                               ErrnoText(saved));
    }
    if (::close(fd) != 0) {
      int saved = errno;
      ::unlink(path.c_str());
      return Status::Transient("WMS directory: cannot write " + path.string() + ": " +
                               ErrnoText(saved));
    }
    return Status::Ok();
  }

  /// The file's content; NotFound when it does not exist.
  static Result<std::string> ReadFile(const fs::path& path, const std::string& context) {
    std::error_code ec;
    auto size = fs::file_size(path, ec);
    if (ec) {
      if (ec == std::errc::no_such_file_or_directory)
        return Status::NotFound(context + ": " + path.string() + " does not exist");
      return Status::Transient(context + ": cannot read " + path.string() + ": " + ec.message());
    }
    if (size > kMaxFileBytes)
      return Status::Permanent(context + ": " + path.string() + " is larger than 256 MiB");
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      if (errno == ENOENT) return Status::NotFound(context + ": " + path.string() + " vanished");
      return Status::Transient(context + ": cannot open " + path.string() + ": " +
                               ErrnoText(errno));
    }
    std::ostringstream out;
    out << in.rdbuf();
    if (in.bad()) return Status::Transient(context + ": cannot read " + path.string());
    return std::move(out).str();
  }

  static std::string CursorOf(const std::vector<std::string>& names) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartArray();
    for (const std::string& n : names)
      w.String(n.data(), static_cast<rapidjson::SizeType>(n.size()));
    w.EndArray();
    return std::string(buffer.GetString(), buffer.GetSize());
  }

  /// The file names a previous pull returned; "" = none.
  static Result<std::vector<std::string>> ParseCursor(const std::string& since) {
    std::vector<std::string> names;
    if (since.empty()) return names;
    auto bad = [&] {
      return Status::Permanent("WMS directory: shipments cursor " + wms_detail::Excerpt(since, 80) +
                               " is not a list of inbox file names");
    };
    rapidjson::Document d;
    d.Parse(since.data(), since.size());
    if (d.HasParseError() || !d.IsArray()) return bad();
    for (const auto& v : d.GetArray()) {
      if (!v.IsString()) return bad();
      std::string name(v.GetString(), v.GetStringLength());
      // Only plain names of inbox/shipments/: never a path out of it.
      if (name.empty() || name == "." || name == ".." ||
          name.find_first_of(std::string_view("/\0", 2)) != std::string::npos)
        return bad();
      names.push_back(std::move(name));
    }
    return names;
  }

  fs::path root_;
};

}  // namespace

Result<std::unique_ptr<WmsClient>> MakeDirectoryWms(const WmsConfig& config, const WmsDeps& deps) {
  auto path = config.fields.find("path");
  if (path == config.fields.end() || path->second.text.empty())
    return Status::Permanent(wms_detail::FieldName(config, "path") +
                             " is required for system = \"directory\"");
  fs::path root(path->second.text);
  if (root.is_relative()) root = fs::path(deps.base_dir.empty() ? "." : deps.base_dir) / root;
  return std::unique_ptr<WmsClient>(new DirectoryWms(root.lexically_normal()));
}

}  // namespace cartsync

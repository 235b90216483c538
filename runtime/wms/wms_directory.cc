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
//   {path}/outbox/cancel/<name>.json  a cancel request {"op":"cancel_order",
//                                     "order_key":…}, written the same atomic
//                                     way; written again it stays one file. An
//                                     order in neither outbox nor done is
//                                     "unknown" (no file); the directory cannot
//                                     answer "too late" (the WMS reports the
//                                     shipment as usual).
//   {path}/inbox/shipments/*.json     each a shipment or {"shipments": […]}
//   {path}/inbox/done/                shipment files we have processed
//   {path}/inbox/inventory.json       {"inventory": […], "as_of": …} (left in place:
//                                     it is the WMS's latest snapshot)
//   {path}/inbox/aliases.json         {"aliases": […]}, optional
//                                     (both: records whose "client" is another
//                                     cart's client are not this cart's)
//
// Shipments are crash safe: a pull does not move the files it returns (the
// caller may crash before recording them). It returns their names as the
// cursor — a JSON array, e.g. ["a.json","b.json"] — and the next pull, given
// that cursor, first moves exactly those files to inbox/done/, then reads
// what remains. Files are read in name order, at most kMaxFilesPerPull per
// pull.
//
// Several carts share inbox/shipments/. A client made for one cart
// (WmsDeps::cart_id) returns only files holding that cart's shipments (or
// none at all), and moves a file only when no other cart's shipments are in
// it; otherwise it marks the file read (inbox/.read/CART/FILE) and the last
// of the file's carts to read it moves it and removes the marks.
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
#include <set>
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
  DirectoryWms(fs::path root, std::string cart_id)
      : root_(std::move(root)), cart_id_(std::move(cart_id)) {}

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

  Result<WmsCancel> CancelOrder(const std::string& order_key) override {
    if (Status s = CheckRoot(); !s.ok()) return s;
    auto name = FileName(order_key);
    if (!name.ok()) return name.status();
    const fs::path outbox = root_ / "outbox";
    WmsCancel out;
    if (!Exists(outbox / name.value()) && !Exists(outbox / "done" / name.value())) {
      out.outcome = WmsCancel::Outcome::Unknown;
      return out;
    }
    out.status = "canceled";
    const fs::path dir = outbox / "cancel";
    const fs::path target = dir / name.value();
    if (Exists(target)) return out;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
      return Status::Transient("WMS directory: cannot create " + dir.string() + ": " +
                               ec.message());
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("op");
    w.String("cancel_order");
    w.Key("order_key");
    w.String(order_key.data(), static_cast<rapidjson::SizeType>(order_key.size()));
    w.EndObject();
    std::string content(buffer.GetString(), buffer.GetSize());
    content.push_back('\n');
    static std::atomic<uint64_t> counter{0};
    const fs::path temp = dir / ("." + name.value() + ".tmp." + std::to_string(::getpid()) + "." +
                                 std::to_string(counter++));
    if (Status s = WriteDurably(temp, content); !s.ok()) return s;
    if (::rename(temp.c_str(), target.c_str()) != 0) {
      int saved = errno;
      ::unlink(temp.c_str());
      return Status::Transient("WMS directory: cannot rename " + temp.string() + " to " +
                               target.string() + ": " + ErrnoText(saved));
    }
    SyncDirectory(dir);
    return out;
  }

  Result<ShipmentPage> PullShipments(const std::string& since) override {
    if (Status s = CheckRoot(); !s.ok()) return s;
    const fs::path dir = root_ / "inbox" / "shipments";

    // 1. What the previous pull returned has been recorded: file it away
    //    (a file other carts also have shipments in: marked read by this
    //    cart, and filed away by the last of them).
    auto processed = ParseCursor(since);
    if (!processed.ok()) return processed.status();
    for (const std::string& file : processed.value()) {
      if (Status st = Settle(file, /*read_now=*/true); !st.ok()) return st;
    }
    if (!processed.value().empty()) {
      SyncDirectory(dir);
      SyncDirectory(root_ / "inbox" / "done");
    }

    // 2. Read what is there now, in name order: this cart's files, shared
    //    files it has not read yet, and files with no shipment at all.
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

    ShipmentPage page;
    std::vector<std::string> returned;
    for (const std::string& file : names) {
      if (returned.size() >= kMaxFilesPerPull) break;
      if (!cart_id_.empty() && Exists(Marker(cart_id_, file))) {
        // Read by this cart already; filed away once the others have too.
        if (Status st = Settle(file, /*read_now=*/false); !st.ok()) return st;
        continue;
      }
      auto shipments = ReadShipmentFile(file);
      if (!shipments.ok()) {
        if (shipments.status().code() == StatusCode::NotFound) continue;  // taken meanwhile
        return shipments.status();
      }
      if (!cart_id_.empty() && !shipments->empty()) {
        std::set<std::string> carts = CartsOf(shipments.value());
        if (!carts.count(cart_id_)) continue;  // another cart's file
      }
      for (Shipment& s : shipments.value()) page.shipments.push_back(std::move(s));
      returned.push_back(file);
    }
    page.next = CursorOf(returned);
    if (page.next == since) page.next.clear();  // unchanged
    return page;
  }

  Result<InventorySnapshot> PullInventory(const std::string& client) override {
    if (Status s = CheckRoot(); !s.ok()) return s;
    const std::string context = "WMS directory inbox/inventory.json";
    auto text = ReadFile(root_ / "inbox" / "inventory.json", context);
    if (!text.ok()) return text.status();
    auto doc = wms_detail::ParseObject(text.value(), context);
    if (!doc.ok()) return doc.status();
    auto snapshot = wms_detail::ReadInventorySnapshot(*doc.value(), context);
    if (snapshot.ok()) KeepClient(client, snapshot->records);
    return snapshot;
  }

  Result<std::vector<AliasRecord>> PullAliases(const std::string& client) override {
    if (Status s = CheckRoot(); !s.ok()) return s;
    const std::string context = "WMS directory inbox/aliases.json";
    auto text = ReadFile(root_ / "inbox" / "aliases.json", context);
    if (!text.ok()) {
      if (text.status().code() == StatusCode::NotFound) return std::vector<AliasRecord>();
      return text.status();
    }
    auto doc = wms_detail::ParseObject(text.value(), context);
    if (!doc.ok()) return doc.status();
    auto aliases = wms_detail::ReadAliasList(*doc.value(), context);
    if (aliases.ok()) KeepClient(client, aliases.value());
    return aliases;
  }

 private:
  /// The shipments of inbox/shipments/FILE; NotFound when it is gone.
  Result<std::vector<Shipment>> ReadShipmentFile(const std::string& file) const {
    const std::string context = "WMS directory inbox/shipments/" + file;
    auto text = ReadFile(root_ / "inbox" / "shipments" / file, context);
    if (!text.ok()) return text.status();
    auto doc = wms_detail::ParseObject(text.value(), context);
    if (!doc.ok()) return doc.status();
    std::vector<Shipment> out;
    std::string error;
    if (doc.value()->HasMember("shipments")) {
      if (!wms_detail::AppendShipments(*doc.value(), out, error))
        return Status::Permanent(context + ": " + error);
    } else {
      Shipment shipment;
      if (!ReadShipment(*doc.value(), shipment, error))
        return Status::Permanent(context + ": " + error);
      out.push_back(std::move(shipment));
    }
    return out;
  }

  /// The carts whose orders the shipments are for: the order keys' part
  /// before the first ':' (`<cart id>:<order id>`).
  static std::set<std::string> CartsOf(const std::vector<Shipment>& shipments) {
    std::set<std::string> carts;
    for (const Shipment& s : shipments) carts.insert(s.order_key.substr(0, s.order_key.find(':')));
    return carts;
  }

  /// inbox/.read/CART/FILE: CART has recorded the shipments of FILE, which
  /// other carts' shipments keep in inbox/shipments/.
  fs::path Marker(const std::string& cart, const std::string& file) const {
    return root_ / "inbox" / ".read" / EncodeName(cart) / file;
  }

  /// After this cart has recorded FILE (`read_now`: just now; otherwise on
  /// an earlier pull): moves it to inbox/done/ when no other cart's
  /// shipments are in it or every such cart has read it too; otherwise
  /// leaves this cart's mark. Without a cart id (a client made for no
  /// particular cart) every file read is moved, as before.
  Status Settle(const std::string& file, bool read_now) {
    const fs::path from = root_ / "inbox" / "shipments" / file;
    if (!Exists(from)) return Status::Ok();  // moved by another cart or the WMS
    std::set<std::string> others;
    if (!cart_id_.empty()) {
      auto shipments = ReadShipmentFile(file);
      if (!shipments.ok()) {
        if (shipments.status().code() == StatusCode::NotFound) return Status::Ok();
        return shipments.status();
      }
      others = CartsOf(shipments.value());
      others.erase(cart_id_);
    }
    bool all_read = true;
    for (const std::string& other : others) all_read = all_read && Exists(Marker(other, file));
    if (!all_read) {
      if (!read_now) return Status::Ok();
      const fs::path marker = Marker(cart_id_, file);
      std::error_code ec;
      fs::create_directories(marker.parent_path(), ec);
      if (ec)
        return Status::Transient("WMS directory: cannot create " + marker.parent_path().string() +
                                 ": " + ec.message());
      std::ofstream touch(marker);
      if (!touch)
        return Status::Transient("WMS directory: cannot write " + marker.string() + ": " +
                                 ErrnoText(errno));
      return Status::Ok();
    }
    const fs::path done = root_ / "inbox" / "done";
    std::error_code ec;
    fs::create_directories(done, ec);
    if (ec)
      return Status::Transient("WMS directory: cannot create " + done.string() + ": " +
                               ec.message());
    const fs::path to = done / file;
    if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT)
      return Status::Transient("WMS directory: cannot move " + from.string() + " to " +
                               done.string() + ": " + ErrnoText(errno));
    others.insert(cart_id_);
    for (const std::string& cart : others) fs::remove(Marker(cart, file), ec);
    return Status::Ok();
  }

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
  std::string cart_id_;  ///< whose shipments this client pulls ("" = every cart's)
};

}  // namespace

Result<std::unique_ptr<WmsClient>> MakeDirectoryWms(const WmsConfig& config, const WmsDeps& deps) {
  auto path = config.fields.find("path");
  if (path == config.fields.end() || path->second.text.empty())
    return Status::Permanent(wms_detail::FieldName(config, "path") +
                             " is required for system = \"directory\"");
  fs::path root(path->second.text);
  if (root.is_relative()) root = fs::path(deps.base_dir.empty() ? "." : deps.base_dir) / root;
  return std::unique_ptr<WmsClient>(new DirectoryWms(root.lexically_normal(), deps.cart_id));
}

}  // namespace cartsync

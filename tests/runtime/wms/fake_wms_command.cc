// A tiny WMS bridge speaking the `command` transport's JSON-lines protocol
// (runtime/wms_command.cc), for wms_client_test. argv[1] picks a behaviour:
//
//   normal            orders kept in memory, idempotent by order_key
//                     (ids "<prefix>-1", "<prefix>-2", …; --prefix P, default "W");
//                     every pushed order ships (tracking "1Z<n>"), the cursor is
//                     the number of shipments already returned
//   crash-after N     answers N requests, then prints to stderr and exits 3
//   kill-after N      answers N requests, then dies by SIGKILL
//   hang              reads a request and never answers
//   garbage           answers every request with a line that is not JSON
//   noisy             like normal, but writes 256 KiB to stderr before each answer
//
// Order keys containing "reject" / "busy" get {"error", "retryable": false/true}.
// Exits 0 at end of input.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

std::string Str(const rapidjson::Value& v, const char* key) {
  auto it = v.FindMember(key);
  if (it == v.MemberEnd() || !it->value.IsString()) return "";
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

void Reply(const rapidjson::StringBuffer& b) {
  std::cout << std::string(b.GetString(), b.GetSize()) << '\n' << std::flush;
}

void ReplyError(const std::string& message, bool retryable) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  w.Key("error");
  w.String(message.c_str());
  w.Key("retryable");
  w.Bool(retryable);
  w.EndObject();
  Reply(b);
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "normal";
  long limit = -1;
  std::string prefix = "W";
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--prefix" && i + 1 < argc) {
      prefix = argv[++i];
    } else {
      limit = std::strtol(a.c_str(), nullptr, 10);
    }
  }

  std::map<std::string, std::string> ids;  // order_key -> id
  std::vector<std::string> shipped;        // order keys, in push order
  long handled = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    if ((mode == "crash-after" || mode == "kill-after") && handled >= limit) {
      std::cerr << "fake wms: crashing on request " << handled + 1 << std::endl;
      if (mode == "kill-after") ::kill(::getpid(), SIGKILL);
      return 3;
    }
    if (mode == "hang") {
      std::cerr << "fake wms: hanging" << std::endl;
      for (;;) ::pause();
    }
    if (mode == "garbage") {
      std::cout << "this is not json {" << std::endl;
      ++handled;
      continue;
    }
    if (mode == "noisy") std::cerr << std::string(256 * 1024, 'n') << std::endl;

    rapidjson::Document req;
    req.Parse(line.c_str());
    ++handled;
    if (req.HasParseError() || !req.IsObject()) {
      ReplyError("request is not a JSON object", false);
      continue;
    }
    const std::string op = Str(req, "op");
    rapidjson::StringBuffer b;
    Writer w(b);
    if (op == "push_order") {
      auto order = std::as_const(req).FindMember("order");
      if (order == std::as_const(req).MemberEnd() || !order->value.IsObject()) {
        ReplyError("push_order without an order", false);
        continue;
      }
      std::string key = Str(order->value, "order_key");
      if (key.find("reject") != std::string::npos) {
        ReplyError("address rejected for " + key, false);
        continue;
      }
      if (key.find("busy") != std::string::npos) {
        ReplyError("WMS busy, try later", true);
        continue;
      }
      auto [it, fresh] = ids.emplace(key, prefix + "-" + std::to_string(ids.size() + 1));
      if (fresh) shipped.push_back(key);
      w.StartObject();
      w.Key("wms_order_id");
      w.String(it->second.c_str());
      w.EndObject();
    } else if (op == "find_order") {
      auto it = ids.find(Str(req, "order_key"));
      w.StartObject();
      w.Key("wms_order_id");
      if (it == ids.end()) {
        w.Null();
      } else {
        w.String(it->second.c_str());
      }
      w.EndObject();
    } else if (op == "cancel_order") {
      // Unknown keys: "unknown"; keys with "late" in them: shipped (too late).
      const std::string key = Str(req, "order_key");
      w.StartObject();
      w.Key("status");
      w.String(!ids.count(key)                         ? "unknown"
               : key.find("late") != std::string::npos ? "shipped"
                                                       : "canceled");
      w.EndObject();
    } else if (op == "pull_shipments") {
      std::string since = Str(req, "since");
      size_t from = since.empty() ? 0 : std::stoul(since);
      w.StartObject();
      w.Key("shipments");
      w.StartArray();
      for (size_t i = from; i < shipped.size(); ++i) {
        w.StartObject();
        w.Key("order_key");
        w.String(shipped[i].c_str());
        w.Key("carrier");
        w.String("UPS");
        w.Key("service");
        w.String("GROUND");
        w.Key("tracking_number");
        w.String(("1Z" + std::to_string(i + 1)).c_str());
        w.Key("shipped_at");
        w.String("2026-11-21T08:00:00Z");
        w.Key("lines");
        w.StartArray();
        w.EndArray();
        w.EndObject();
      }
      w.EndArray();
      w.Key("next");
      w.String(std::to_string(shipped.size()).c_str());
      w.EndObject();
    } else if (op == "pull_inventory") {
      // With "client": its records carry it, plus one of another client
      // (a bridge that answers too much: the runtime drops it).
      const std::string client = Str(req, "client");
      w.StartObject();
      w.Key("inventory");
      w.StartArray();
      for (const char* wh : {"east", "west"}) {
        w.StartObject();
        w.Key("sku");
        w.String("TS-RED-M");
        w.Key("warehouse");
        w.String(wh);
        w.Key("available");
        w.Int(14);
        w.Key("on_hand");
        w.Int(20);
        if (!client.empty()) {
          w.Key("client");
          w.String(client.c_str());
        }
        w.EndObject();
      }
      if (!client.empty()) {
        w.StartObject();
        w.Key("sku");
        w.String("OTHER-CLIENT-SKU");
        w.Key("warehouse");
        w.String("east");
        w.Key("available");
        w.Int(5);
        w.Key("on_hand");
        w.Int(5);
        w.Key("client");
        w.String(("not-" + client).c_str());
        w.EndObject();
      }
      w.EndArray();
      w.Key("as_of");
      w.String("2026-11-20T10:00:00Z");
      w.EndObject();
    } else if (op == "pull_aliases") {
      w.StartObject();
      w.Key("aliases");
      w.StartArray();
      w.StartObject();
      w.Key("sku");
      w.String("TS-RED-M");
      w.Key("aliases");
      w.StartObject();
      w.Key("shopify_sku");
      w.String("RED-TEE-M");
      w.EndObject();
      w.EndObject();
      w.EndArray();
      w.EndObject();
    } else {
      ReplyError("unknown op " + op, false);
      continue;
    }
    Reply(b);
  }
  return 0;
}

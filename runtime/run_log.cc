#include "runtime/run_log.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace cartsync {

namespace {
const char* LevelName(LogLevel l) {
  switch (l) {
    case LogLevel::Debug:
      return "debug";
    case LogLevel::Info:
      return "info";
    case LogLevel::Warn:
      return "warn";
    case LogLevel::Error:
      return "error";
  }
  return "info";
}
}  // namespace

void RunLog::Log(LogLevel level, std::string_view cart, std::string_view step,
                 std::string_view message) {
  if (level < min_) return;
  int64_t ms = clock_.NowMs();
  std::string ts = FormatIsoUtc(ms / 1000);
  std::string line;
  if (format_ == LogFormat::Json) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("ts");
    w.String(ts.c_str());
    w.Key("level");
    w.String(LevelName(level));
    if (!cart.empty()) {
      w.Key("cart");
      w.String(cart.data(), static_cast<rapidjson::SizeType>(cart.size()));
    }
    if (!step.empty()) {
      w.Key("step");
      w.String(step.data(), static_cast<rapidjson::SizeType>(step.size()));
    }
    w.Key("msg");
    w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
    w.EndObject();
    line.assign(buf.GetString(), buf.GetSize());
  } else {
    line = ts + " " + LevelName(level);
    if (!step.empty())
      line += " [" + std::string(step) + "]";
    else if (!cart.empty())
      line += " [" + std::string(cart) + "]";
    line += " " + std::string(message);
  }
  std::lock_guard<std::mutex> lock(mu_);
  out_ << line << '\n';
  out_.flush();
}

}  // namespace cartsync

// cartsync-sim: the cart/WMS simulator in the foreground, for the demo and
// for crash tests driven by scripts.
//
//   cartsync-sim [--port 18080] [--seed N] [--orders N] [--config FILE.json]
//                [--auto-ship SECONDS] [--quiet]
//
// The first line on stdout is the base URL (http://127.0.0.1:PORT), then the
// stores and credentials. Runs until SIGTERM or SIGINT.
#include <pthread.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include "tools/simulator/simulator.h"

namespace {

void Usage(std::FILE* out) {
  std::fprintf(out,
               "usage: cartsync-sim [--port N] [--seed N] [--orders N] [--config FILE.json]\n"
               "                    [--auto-ship SECONDS] [--quiet]\n"
               "  --port N           listen on 127.0.0.1:N (default 18080; 0 = any free port)\n"
               "  --seed N           data and fault seed (default 1)\n"
               "  --orders N         orders per demo store (default 50)\n"
               "  --config FILE      JSON: port, seed, orders, demo, wms{}, faults{}, stores[]\n"
               "  --auto-ship SECS   the WMS ships every received order every SECS seconds\n"
               "  --quiet            print only the base URL\n"
               "Control: GET /_sim/health, GET /_sim/records, POST /_sim/ship, POST /_sim/reset,\n"
               "GET|POST /_sim/faults, GET|POST /_sim/orders, POST /_sim/stock, POST /_sim/seed\n");
}

bool ParseInt(const char* text, long long lo, long long hi, long long* out) {
  char* end = nullptr;
  long long v = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0' || v < lo || v > hi) return false;
  *out = v;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using cartsync::sim::SimConfig;
  SimConfig config;
  config.options.port = 18080;
  std::string config_path;
  long long port = -1, seed = -1, orders = -1, auto_ship = 0;
  bool quiet = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](long long lo, long long hi, long long* out) {
      if (i + 1 >= argc || !ParseInt(argv[i + 1], lo, hi, out)) {
        std::fprintf(stderr, "cartsync-sim: %s needs an integer in %lld..%lld\n", arg.c_str(), lo,
                     hi);
        std::exit(2);
      }
      ++i;
    };
    if (arg == "--port")
      value(0, 65535, &port);
    else if (arg == "--seed")
      value(0, 1LL << 62, &seed);
    else if (arg == "--orders")
      value(0, 100000, &orders);
    else if (arg == "--auto-ship")
      value(1, 86400, &auto_ship);
    else if (arg == "--quiet")
      quiet = true;
    else if (arg == "--config" && i + 1 < argc)
      config_path = argv[++i];
    else if (arg == "--help" || arg == "-h") {
      Usage(stdout);
      return 0;
    } else {
      std::fprintf(stderr, "cartsync-sim: unknown argument %s\n", arg.c_str());
      Usage(stderr);
      return 2;
    }
  }
  if (!config_path.empty()) {
    std::ifstream in(config_path);
    if (!in) {
      std::fprintf(stderr, "cartsync-sim: cannot read %s\n", config_path.c_str());
      return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    std::string error;
    if (!cartsync::sim::ParseSimConfig(text.str(), &config, &error)) {
      std::fprintf(stderr, "cartsync-sim: %s: %s\n", config_path.c_str(), error.c_str());
      return 2;
    }
  }
  // flags win over the config file
  if (port >= 0) config.options.port = static_cast<int>(port);
  if (seed >= 0) config.options.seed = static_cast<uint64_t>(seed);
  if (orders >= 0) config.demo_orders = static_cast<int>(orders);

  // SIGINT/SIGTERM are taken with sigwait below; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  cartsync::sim::Simulator sim(config.options);
  if (config.demo) sim.SeedDemo(config.demo_orders, config.options.seed);
  for (const cartsync::sim::StoreSeed& s : config.stores) {
    std::string error;
    if (!sim.SeedStore(s, &error)) {
      std::fprintf(stderr, "cartsync-sim: %s\n", error.c_str());
      return 2;
    }
  }
  std::string error;
  if (!sim.Start(&error)) {
    std::fprintf(stderr, "cartsync-sim: %s\n", error.c_str());
    return 1;
  }
  const std::string base = sim.base_url();
  std::printf("%s\n", base.c_str());
  if (!quiet) {
    auto store_line = [&](const cartsync::sim::StoreSeed& s) {
      std::string credentials;
      if (s.platform == "shopify")
        credentials = "X-Shopify-Access-Token: " + (s.token.empty() ? s.name + "-token" : s.token);
      else if (s.platform == "bigcommerce" || s.platform == "bc")
        credentials = "X-Auth-Token: " + (s.token.empty() ? s.name + "-token" : s.token);
      else
        credentials =
            "consumer key/secret: " + (s.consumer_key.empty() ? "ck_" + s.name : s.consumer_key) +
            " / " + (s.consumer_secret.empty() ? "cs_" + s.name : s.consumer_secret);
      std::printf("  %-12s %-10s %-45s %zu orders  %s\n", s.platform.c_str(), s.name.c_str(),
                  sim.store_url(s.platform, s.name).c_str(), sim.Orders(s.platform, s.name).size(),
                  credentials.c_str());
    };
    if (config.demo)
      for (const auto& s : cartsync::sim::DemoSeeds(config.demo_orders, config.options.seed))
        store_line(s);
    for (const auto& s : config.stores) store_line(s);
    std::printf("  %-12s %-10s %-45s Authorization: Bearer %s\n", "wms", "", sim.wms_url().c_str(),
                config.options.wms.token.empty() ? "(none)" : config.options.wms.token.c_str());
    std::printf("  %-12s %-10s %s/_sim/{health,records,ship,reset,faults,orders,stock,seed}\n",
                "control", "", base.c_str());
  }
  std::fflush(stdout);

  std::atomic<bool> done{false};
  std::thread shipper;
  if (auto_ship > 0) {
    shipper = std::thread([&] {
      auto next = std::chrono::steady_clock::now() + std::chrono::seconds(auto_ship);
      while (!done) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (std::chrono::steady_clock::now() < next) continue;
        sim.ShipAll();
        next += std::chrono::seconds(auto_ship);
      }
    });
  }
  int signal = 0;
  sigwait(&signals, &signal);
  done = true;
  if (shipper.joinable()) shipper.join();
  if (!quiet) std::fprintf(stderr, "cartsync-sim: signal %d, stopping\n", signal);
  sim.Stop();
  return 0;
}

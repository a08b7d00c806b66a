// Implementation of load_options.h.
#include "harness/load/load_options.h"

#include <CLI/CLI.hpp>
#include <map>
#include <stdexcept>

#include "common/unit_options.h"
#include "common/units.h"
#include "harness/load/http_client.h"

namespace iomb::harness {
const char* arrival_name(Arrival a) { return a == Arrival::kConstant ? "constant" : "poisson"; }

const char* client_io_name(ClientIo io) {
  switch (io) {
    case ClientIo::kUring:
      return "uring";
    case ClientIo::kEpoll:
      return "epoll";
    default:
      return "auto";
  }
}

void split_host_port(const std::string& text, std::string* host, uint16_t* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    throw std::invalid_argument("expected HOST:PORT, got '" + text + "'");
  }
  std::string h = text.substr(0, colon);
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  std::string p = text.substr(colon + 1);
  unsigned long value = 0;
  size_t used = 0;
  try {
    value = std::stoul(p, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != p.size() || value == 0 || value > 65535) {
    throw std::invalid_argument("bad port in '" + text + "' (1..65535)");
  }
  *host = h;
  *port = static_cast<uint16_t>(value);
}

void add_load_flags(CLI::App& app, LoadOptions& o, bool target_required) {
  auto* target =
      app.add_option("--target", o.target, "Server to drive, HOST:PORT (loopback only in tests)");
  if (target_required) target->required();
  std::map<std::string, Protocol> protocols{{"echo", Protocol::kEcho}, {"http", Protocol::kHttp}};
  app.add_option("--protocol", o.protocol,
                 "echo (every echoed byte verified) or http (HTTP/1.1 keep-alive, status and "
                 "body verified; see --path)")
      ->transform(CLI::CheckedTransformer(protocols, CLI::ignore_case))
      ->default_str("echo");
  app.add_option("--path", o.path,
                 "HTTP: / (body must be 'Hello, World!'), /healthz ('ok'), /echo (POST of "
                 "--size bytes, echoed body compared) or /session (each connection keeps its "
                 "cookie; visits continuity counted as sessions_lost/stale/skipped)")
      ->check([](const std::string& text) {
        HttpPath p;
        return parse_http_path(text, &p) ? std::string()
                                         : "expected /, /healthz, /echo or /session";
      })
      ->capture_default_str();
  app.add_option("-c,--connections", o.connections, "Connections, spread over the load threads")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  app.add_option("-d,--pipeline", o.pipeline,
                 "Requests in flight per connection (closed loop: always that many; open loop: "
                 "at most that many). HTTP sends them pipelined in one write")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app.add_option("--rate", o.rate,
                 "Open loop: requests per second over all connections, sent on schedule whether "
                 "or not replies came back; latency is measured from the intended send time "
                 "(corrected) and from the actual send (uncorrected). 0 = closed loop")
      ->check(CLI::Range(0.0, 1e9))
      ->capture_default_str();
  std::map<std::string, Arrival> arrivals{{"constant", Arrival::kConstant},
                                          {"poisson", Arrival::kPoisson}};
  app.add_option("--arrival", o.arrival,
                 "Open loop: request spacing, constant (fixed interval, connections in turn) or "
                 "poisson (exponential gaps, each request on a random connection: independent "
                 "users)")
      ->transform(CLI::CheckedTransformer(arrivals, CLI::ignore_case))
      ->default_str("constant");
  app.add_flag("--reconnect", o.reconnect,
               "Reopen a connection that fails mid-run (its unanswered requests count as errors) "
               "as the same client, cookies kept; without it the connection stays dead");
  app.add_option("--churn", o.churn,
                 "Replace each connection after this many requests (measures connect/accept "
                 "cost); 0 = keep connections")
      ->capture_default_str();
  app.add_option_function<std::string>(
         "-s,--size",
         [&o](const std::string& text) {
           try {
             o.size = parse_size(text);
           } catch (const std::invalid_argument& e) {
             throw CLI::ValidationError("--size", e.what());
           }
           if (o.size < 1 || o.size > (16u << 20)) {
             throw CLI::ValidationError("--size", "must be 1 B .. 16MiB");
           }
         },
         "Echo: bytes per message; HTTP /echo: bytes per POST body (64, 4KiB, 1MiB)")
      ->type_name("SIZE")
      ->default_str("64");
  add_duration_option(app, "--duration", o.duration, "Measured time (500ms, 10s, 2m)");
  add_duration_option(app, "--warmup", o.warmup,
                      "Load before measuring, excluded from every number (0 = none)");
  add_duration_option(app, "--connect-timeout", o.connect_timeout,
                      "Give up when the connections are not all up by then");
  add_duration_option(app, "--drain-timeout", o.drain_timeout,
                      "After the measured window: how long to wait for replies still in flight");
  app.add_option("--max-error-rate", o.max_error_rate,
                 "Fail the run when more than this fraction of the measured requests ended in "
                 "an error (HTTP non-2xx, a lost connection); 0 = any error fails, 1 = never")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("-t,--threads", o.threads,
                 "Load threads, each with its own IO loop, connections and histograms")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--seed", o.seed, "Seed for Poisson arrivals and echo payloads")
      ->capture_default_str();
  app.add_option("--json", o.json_path,
                 "Write the result file (Google Benchmark JSON, DESIGN §4.3) here");
  app.add_flag("-q,--quiet", o.quiet, "No live progress line on stderr");
  std::map<std::string, ClientIo> ios{
      {"auto", ClientIo::kAuto}, {"uring", ClientIo::kUring}, {"epoll", ClientIo::kEpoll}};
  app.add_option("--client-io", o.client_io,
                 "Client IO: uring (submissions batched across connections), epoll, or auto "
                 "(uring when the kernel allows it)")
      ->transform(CLI::CheckedTransformer(ios, CLI::ignore_case))
      ->default_str("auto");
}

void validate_load_options(LoadOptions& o) {
  if (!o.target.empty()) {
    try {
      split_host_port(o.target, &o.host, &o.port);
    } catch (const std::invalid_argument& e) {
      throw CLI::ValidationError("--target", e.what());
    }
  }
  if (o.protocol != Protocol::kHttp && o.path != "/") {
    throw CLI::ValidationError("--path", "only with --protocol http");
  }
  if (o.duration <= std::chrono::nanoseconds(0)) {
    throw CLI::ValidationError("--duration", "must be positive");
  }
  if (o.warmup < std::chrono::nanoseconds(0)) {
    throw CLI::ValidationError("--warmup", "must not be negative");
  }
  if (o.connect_timeout <= std::chrono::nanoseconds(0) ||
      o.drain_timeout < std::chrono::nanoseconds(0)) {
    throw CLI::ValidationError("--connect-timeout/--drain-timeout", "must be positive");
  }
  if (o.threads > o.connections) {
    throw CLI::ValidationError("--threads", "more load threads than connections (" +
                                                std::to_string(o.threads) + " > " +
                                                std::to_string(o.connections) + ")");
  }
}

}  // namespace iomb::harness

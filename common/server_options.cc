// Implementation of server_options.h.
#include "common/server_options.h"

#include <CLI/CLI.hpp>
#include <map>

#include "common/cli_parse.h"
#include "common/unit_options.h"

namespace iomb {

void add_server_flags(CLI::App& app, ServerOptions& o, const ModelSpec& spec) {
  o.mode = spec.modes.front();
  o.node_id = spec.name;
  app.add_option("--host", o.host, "Listen address (numeric IPv4/IPv6, or localhost)")
      ->capture_default_str();
  app.add_option("--port", o.port, "Listen port; 0 picks an ephemeral port (see the ready line)")
      ->capture_default_str();
  std::map<std::string, Protocol> protocols{{"echo", Protocol::kEcho}, {"http", Protocol::kHttp}};
  app.add_option("--protocol", o.protocol, "echo (RFC 862) or http (HTTP/1.1 + sessions)")
      ->transform(CLI::CheckedTransformer(protocols, CLI::ignore_case))
      ->default_str("echo");
  std::string modes_help = "IO mode of this model: ";
  for (size_t i = 0; i < spec.modes.size(); ++i) modes_help += (i ? ", " : "") + spec.modes[i];
  app.add_option("--mode", o.mode, modes_help)
      ->check(CLI::IsMember(spec.modes))
      ->capture_default_str();
  app.add_option("--threads", o.threads,
                 "Event loops / rings / io_context threads / blocking pool size")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("--processes", o.processes,
                 "Prefork this many worker processes under a supervisor that restarts a dead one "
                 "(a worker failing 6 starts in a row is given up; with none left the server "
                 "exits 1)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--max-conns", o.max_conns,
                 "Connections beyond this are accepted and closed at once (counted as rejected)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{10'000'000}))
      ->capture_default_str();
  app.add_option("--idle-timeout-ms", o.idle_timeout_ms,
                 "Close a connection idle this long, in milliseconds (0 = never)")
      ->capture_default_str();
  add_size_option(app, "--max-pending-bytes", o.max_pending_bytes,
                  "Unsent output per connection before the server stops reading it "
                  "(backpressure; accepts units: 64KiB, 4MiB)");
  app.add_option("--node-id", o.node_id, "Name reported in stats and the HTTP X-Node header")
      ->capture_default_str();

  auto* http = "HTTP";
  app.add_option("--work-us", o.work_us, "HTTP: busy CPU work per request, in microseconds")
      ->group(http)
      ->capture_default_str();
  app.add_option("--block-us", o.block_us,
                 "HTTP: blocking sleep per request (a slow downstream call), in microseconds")
      ->group(http)
      ->capture_default_str();
  add_size_option(app, "--max-body", o.max_body, "HTTP: largest request body (413 above it)");
  app.get_option("--max-body")->group(http);
  app.add_option("--session-store", o.session_store,
                 "HTTP: where /session state lives: memory, redis, cookie, replicated")
      ->check(CLI::IsMember({"memory", "redis", "cookie", "replicated"}))
      ->group(http)
      ->capture_default_str();
  app.add_option("--session-ttl-s", o.session_ttl_s, "HTTP: session time to live, seconds")
      ->check(CLI::Range(uint64_t{1}, uint64_t{365} * 86400))
      ->group(http)
      ->capture_default_str();
  app.add_option("--max-sessions", o.max_sessions,
                 "HTTP: memory store size bound (least recently used evicted, counted)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{100'000'000}))
      ->group(http)
      ->capture_default_str();
  add_size_option(app, "--session-bytes", o.session_bytes,
                  "HTTP: opaque payload added to each session (vary session size)");
  app.get_option("--session-bytes")->group(http);
  app.add_option("--redis", o.redis, "HTTP: Redis HOST:PORT for --session-store redis")
      ->group(http)
      ->capture_default_str();
  app.add_option("--cookie-secret-file", o.cookie_secret_file,
                 "HTTP: HMAC keys for --session-store cookie, one per line (raw text, >= 16 bytes; "
                 "the first signs, all verify)")
      ->group(http);
  app.add_option("--peers", o.peers, "HTTP: HOST:PORT of each peer for --session-store replicated")
      ->delimiter(',')
      ->group(http);
  app.add_option("--replication", o.replication,
                 "HTTP: replicated store: async, or sync (answer after every live peer acked)")
      ->check(CLI::IsMember({"async", "sync"}))
      ->group(http)
      ->capture_default_str();
  app.add_option("--store-timeout-ms", o.store_timeout_ms,
                 "HTTP: redis and replicated stores: a visit the store has not answered (or a "
                 "peer not acked) within this many ms gets 503 (redis) or marks the peer down")
      ->check(CLI::Range(1, 60000))
      ->group(http)
      ->capture_default_str();
  app.add_option("--test-echo-delay-us", o.test_echo_delay_us,
                 "Testing only: delay every echo reply by this many microseconds")
      ->group("");  // hidden from --help: not a benchmark setting
  if (spec.add_model_flags) spec.add_model_flags(app);
}

void validate_server_options(const ServerOptions& o, const ModelSpec& spec) {
  if (o.max_pending_bytes < 1) {
    throw CLI::ValidationError("--max-pending-bytes", "must be at least 1 byte");
  }
  if (o.session_store == "cookie" && o.cookie_secret_file.empty() &&
      o.protocol == Protocol::kHttp) {
    throw CLI::ValidationError("--cookie-secret-file", "required with --session-store cookie");
  }
  if (o.session_store == "replicated" && o.peers.empty() && o.protocol == Protocol::kHttp) {
    throw CLI::ValidationError("--peers", "required with --session-store replicated");
  }
  if (spec.validate) spec.validate(o);
}

int parse_server_options(int argc, char** argv, const ModelSpec& spec, ServerOptions& options) {
  CLI::App app{spec.description, "iomb-" + spec.name};
  app.set_help_all_flag("--help-all", "Show every flag, hidden groups included");
  add_server_flags(app, options, spec);
  return parse_command_line(app, argc, argv, [&] { validate_server_options(options, spec); });
}

}  // namespace iomb

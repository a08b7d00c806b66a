// The command line shared by every server binary (DESIGN §3.1) and its validation.
// Parsed once on the main thread before any server thread starts; read-only afterwards.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/protocol.h"

namespace CLI {
class App;
}

namespace iomb {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  Protocol protocol = Protocol::kEcho;
  std::string mode;  // one of ModelSpec::modes
  int threads = 1;
  int processes = 1;
  uint64_t max_conns = 100000;
  uint64_t idle_timeout_ms = 60000;
  uint64_t max_pending_bytes = 4ull << 20;
  std::string node_id;  // defaults to the model name
  // HTTP only.
  uint64_t work_us = 0;
  uint64_t block_us = 0;
  uint64_t max_body = 1ull << 20;
  std::string session_store = "memory";  // memory | redis | cookie | replicated
  uint64_t session_ttl_s = 1800;
  uint64_t max_sessions = 100000;
  uint64_t session_bytes = 0;
  std::string redis = "127.0.0.1:6379";
  std::string cookie_secret_file;
  std::vector<std::string> peers;
  std::string replication = "async";  // async | sync
  uint64_t store_timeout_ms = 100;     // redis, replicated: a visit's bound on the store
  // Test-only: delay every echo reply by this long (accuracy tests of the harness).
  uint64_t test_echo_delay_us = 0;
};

// What a model binary tells the shared option parser about itself.
struct ModelSpec {
  std::string name;                // "bio", "nio", "aio", "asio"
  std::string description;         // one paragraph for --help
  std::vector<std::string> modes;  // the first one is the default
  // Adds model-specific flags (e.g. nio's --trigger); may be empty.
  std::function<void(CLI::App&)> add_model_flags;
  // Checks model-specific constraints after parsing; throws CLI::ValidationError. May be empty.
  std::function<void(const ServerOptions&)> validate;
};

// Registers every shared flag on `app`, bound to `options`.
void add_server_flags(CLI::App& app, ServerOptions& options, const ModelSpec& spec);

// Validation that needs several flags at once (e.g. session flags with --protocol echo).
// Throws CLI::ValidationError.
void validate_server_options(const ServerOptions& options, const ModelSpec& spec);

// Parses argv. Returns -1 on success (continue), otherwise the exit code to return from main
// (0 after --help, 2 after a CLI error, which has been printed to stderr).
int parse_server_options(int argc, char** argv, const ModelSpec& spec, ServerOptions& options);

}  // namespace iomb

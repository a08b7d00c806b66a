// The load flags shared by `iomb load` and `iomb run` (DESIGN §4.1) and their validation.
// Parsed on the main thread before any load thread starts; read-only afterwards.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/protocol.h"

namespace CLI {
class App;
}

namespace iomb::harness {

enum class Arrival { kConstant, kPoisson };
enum class ClientIo { kAuto, kUring, kEpoll };

struct LoadOptions {
  std::string target;  // HOST:PORT as given
  std::string host;
  uint16_t port = 0;
  Protocol protocol = Protocol::kEcho;
  int connections = 10;
  int pipeline = 1;
  double rate = 0;  // requests per second over all connections; 0 = closed loop
  Arrival arrival = Arrival::kConstant;
  uint64_t churn = 0;      // requests per connection before it is replaced; 0 = never
  // A connection that fails mid-run (reset, closed with requests owed) counts its requests as
  // errors and is opened again as the same client (HTTP keeps its cookies) instead of staying
  // dead: a real client behind a balancer whose node died.
  bool reconnect = false;
  uint64_t size = 64;      // echo message / HTTP /echo body
  std::string path = "/";  // HTTP: /, /healthz, /echo or /session
  std::chrono::nanoseconds duration = std::chrono::seconds(10);
  std::chrono::nanoseconds warmup = std::chrono::seconds(2);
  std::chrono::nanoseconds connect_timeout = std::chrono::seconds(5);
  std::chrono::nanoseconds drain_timeout = std::chrono::seconds(2);
  // Measured requests that may end in an error (a non-2xx answer, a lost connection) before the
  // run fails: past it, the figures describe failures, not the service. 1 = never fail.
  double max_error_rate = 0.01;
  int threads = 1;
  uint64_t seed = 1;
  std::string json_path;
  bool quiet = false;
  ClientIo client_io = ClientIo::kAuto;
  std::string label;  // "<model>:<mode>" for benchmark names in `iomb load`

  bool open_loop() const { return rate > 0; }
};

// Registers the load flags on `app`. With `target_required` (iomb load) --target is required.
void add_load_flags(CLI::App& app, LoadOptions& o, bool target_required);

// Cross-flag checks and HOST:PORT parsing after app.parse(); throws CLI::ValidationError.
void validate_load_options(LoadOptions& o);

// Splits "HOST:PORT" ("[::1]:80" for IPv6); throws std::invalid_argument.
void split_host_port(const std::string& text, std::string* host, uint16_t* port);

const char* arrival_name(Arrival a);
const char* client_io_name(ClientIo io);

}  // namespace iomb::harness

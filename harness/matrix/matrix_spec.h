// MatrixSpec: what `iomb matrix` runs, read from a TOML file (schema in results/README.md;
// presets in bench/matrices/*.toml). Servers, closed-loop sweeps (each a product of protocols ×
// sizes × pipeline depths × connection counts over the servers it names) and open-loop sweeps
// whose rates are fractions of each server's capacity measured by the closed-loop cells of the
// same matrix (or fixed rates). Parsing is pure; any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace iomb::matrix {

struct ServerSpec {
  std::string model;  // a model name (bio, nio...) or the path of a server binary
  std::string args;   // passed through `iomb run --server-args`
  std::string mode;   // the mode in benchmark names; "" = the mode the server reports
  // The load generator of this server's cells: "iomb" (its own, verified client) or "wrk"
  // (`iomb run --client wrk`: HTTP only, closed loop, replies not verified).
  std::string client = "iomb";

  // The model name as in benchmark names: the binary's base name without "iomb-".
  std::string model_name() const;
  // "model:mode" with "default" for an unset mode: what `servers = [...]` filters match.
  std::string id() const;
};

struct ClosedSweep {
  std::vector<std::string> servers;  // ids or bare model names; empty = every server
  std::vector<std::string> protocols;
  std::vector<uint64_t> sizes;
  std::vector<int> pipelines;
  std::vector<int> connections;
  std::optional<std::chrono::nanoseconds> duration, warmup;
};

struct OpenSweep {
  std::vector<std::string> servers;
  std::vector<std::string> protocols;
  std::vector<uint64_t> sizes;
  int connections = 100;
  int capacity_connections = 100;  // the closed-loop cell (pipeline 1) that sets the capacity
  std::vector<double> fractions;   // of that capacity, e.g. 0.5
  // Instead of fractions: offered rates in requests/s, the same for every server and needing
  // no capacity (idle-server RSS, CPU per request at one load below every capacity).
  std::vector<double> rates;
  // "each": every server at a fraction of its own capacity (the hockey stick of each model);
  // "slowest": every server at a fraction of the slowest one's, so all see the same offered
  // load and their CPU per request compares at equal work.
  std::string rate_basis = "each";
  std::string arrival = "constant";
  std::optional<std::chrono::nanoseconds> duration, warmup;
};

struct MatrixSpec {
  std::string name;
  std::string description;
  int repetitions = 3;
  std::chrono::nanoseconds duration = std::chrono::seconds(2);
  std::chrono::nanoseconds warmup = std::chrono::seconds(1);
  int threads = 1;  // load threads of the client
  bool count_syscalls = false;
  // The HTTP request path of every http cell (`iomb run --path`: /, /healthz, /echo, /session).
  std::string path = "/";
  std::vector<ServerSpec> servers;
  std::vector<ClosedSweep> sweeps;
  std::vector<OpenSweep> open_loop;
  // Every other repetition round runs its cells in reverse order (ABBA counterbalancing): a
  // pair of adjacent cells then runs in both orders, so an effect of going first or second
  // cancels instead of showing as a difference (set by `iomb ab`; not a TOML key).
  bool alternate_round_order = false;
};

// Parses and validates a matrix; `source` names it in error messages. Throws
// std::invalid_argument (with the TOML location where there is one).
MatrixSpec parse_matrix_toml(const std::string& text, const std::string& source);

// Whether `server` is selected by a `servers = [...]` list (empty = all).
bool selects(const std::vector<std::string>& filter, const ServerSpec& server);

// Replaces the protocols of every sweep (the --protocols flag).
void override_protocols(MatrixSpec& spec, const std::vector<std::string>& protocols);

}  // namespace iomb::matrix

// HttpService: the endpoints of DESIGN §3.4 (/, /echo, /session, /healthz, /stats, 404, 405;
// /replication and /replication/snapshot for the replicated store)
// and the simulated per-request work (--work-us busy CPU, --block-us blocking sleep). One per
// server process, shared by every thread; handle() is const and thread-safe, so a server runs
// it inline on its IO thread (bio, nio:reactors, aio, asio) or on a worker (nio:workers).
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/counters.h"
#include "common/http/request.h"
#include "common/http/session_store.h"
#include "common/server_options.h"

namespace iomb::http {

struct HttpServiceOptions {
  std::string node_id;
  uint64_t work_us = 0;
  uint64_t block_us = 0;
  uint64_t max_body = 1ull << 20;
  std::string session_store = "memory";  // its name, for /stats

  static HttpServiceOptions from(const ServerOptions& options);
};

class HttpService {
 public:
  // The server's counters for GET /stats (summed over its threads); any thread may call it.
  using CountersFn = std::function<CounterSnapshot()>;
  enum class Outcome { kDone, kPending };

  // Throws std::invalid_argument for a node id that cannot go into a header.
  HttpService(HttpServiceOptions options, std::unique_ptr<SessionStore> store, CountersFn counters);

  // Answers `request`: appends the whole response to `out` and returns kDone, or (GET /session
  // with an asynchronous store) returns kPending after starting the store operation, which
  // later calls `pending.on_visit()`; the caller then calls append_session_response().
  Outcome handle(const Request& request, std::string& out, VisitCallback& pending) const;
  // A peer's replication stream for a request that asked to switch to it (POST /replication,
  // Upgrade: iomb-replication) when the store replicates; nullptr otherwise (handle() answers).
  std::unique_ptr<UpgradedStream> open_stream(const Request& request) const;
  // The /session response for a completed visit.
  void append_session_response(const Request& request, const VisitResult& visit,
                               std::string& out) const;
  // The response to a request the parser rejected (400, 413, 431, 501); always closes.
  static void append_error_response(int status, std::string& out);
  // The store's counters, as under "sessions" in GET /stats and in the stopped line.
  nlohmann::json store_stats_json() const;

  const HttpServiceOptions& options() const { return options_; }
  SessionStore& store() const { return *store_; }

 private:
  void simulate_work() const;
  void append_stats(const Request& request, std::string& out) const;
  void append_snapshot(const Request& request, std::string& out) const;

  const HttpServiceOptions options_;
  std::unique_ptr<SessionStore> store_;
  CountersFn counters_;
  std::string x_node_header_;  // "X-Node: <node>\r\n"
  std::string node_json_;      // the node id as a JSON string literal
};

// The session store --session-store names. Throws std::invalid_argument for a bad setting
// (e.g. an unreadable --cookie-secret-file).
std::unique_ptr<SessionStore> make_session_store(const ServerOptions& options);

// What a server needs for --protocol http: make_session_store() + HttpService.
std::unique_ptr<HttpService> make_http_service(const ServerOptions& options,
                                               HttpService::CountersFn counters);

}  // namespace iomb::http

// Implementation of http_service.h.
#include "common/http/http_service.h"

#include <time.h>

#include <charconv>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "common/http/cookie_session_store.h"
#include "common/http/memory_session_store.h"
#include "common/http/response_writer.h"
#include "common/store/redis_session_store.h"
#include "common/store/replicated_session_store.h"

namespace iomb::http {
namespace {

constexpr std::string_view kHello = "Hello, World!";

ConnectionHeader connection_header(const Request& r) {
  if (!r.keep_alive) return ConnectionHeader::kClose;
  return r.http_minor == 0 ? ConnectionHeader::kKeepAlive : ConnectionHeader::kNone;
}

// A HEAD request gets the response GET would (RFC 9110 §9.3.2): its length, not its bytes.
void append_for(std::string& out, const Request& r, const ResponseHead& head,
                std::string_view body) {
  if (r.head) {
    append_response_head(out, head, body.size());
  } else {
    append_response(out, head, body);
  }
}

void append_text(std::string& out, const Request& r, int status, std::string_view body,
                 std::string_view extra_headers = {}) {
  ResponseHead head;
  head.status = status;
  head.connection = connection_header(r);
  head.extra_headers = extra_headers;
  append_for(out, r, head, body);
}

std::string_view allow_header(Route route) {
  return route == Route::kEcho || route == Route::kReplication ? "Allow: POST\r\n"
                                                               : "Allow: GET, HEAD\r\n";
}

// HEAD is allowed wherever GET is (balancers' health checks use it).
bool method_allowed(const Request& r) {
  if (r.route == Route::kEcho || r.route == Route::kReplication) return r.method == Method::kPost;
  return r.method == Method::kGet || r.head;
}

}  // namespace

HttpServiceOptions HttpServiceOptions::from(const ServerOptions& o) {
  HttpServiceOptions h;
  h.node_id = o.node_id;
  h.work_us = o.work_us;
  h.block_us = o.block_us;
  h.max_body = o.max_body;
  h.session_store = o.session_store;
  return h;
}

HttpService::HttpService(HttpServiceOptions options, std::unique_ptr<SessionStore> store,
                         CountersFn counters)
    : options_(std::move(options)), store_(std::move(store)), counters_(std::move(counters)) {
  for (char c : options_.node_id) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      throw std::invalid_argument("--node-id must not contain control characters");
    }
  }
  x_node_header_ = "X-Node: " + options_.node_id + "\r\n";
  node_json_ = nlohmann::json(options_.node_id).dump();
}

void HttpService::simulate_work() const {
  if (options_.work_us > 0) {
    // Busy CPU: spin on the thread's CPU-time clock, so time spent preempted does not count.
    timespec start{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start);
    const int64_t budget_ns = static_cast<int64_t>(options_.work_us) * 1000;
    for (;;) {
      timespec now{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
      int64_t spent = (now.tv_sec - start.tv_sec) * 1'000'000'000LL + (now.tv_nsec - start.tv_nsec);
      if (spent >= budget_ns) break;
    }
  }
  if (options_.block_us > 0) {
    // A blocking downstream call: the thread sleeps and its event loop (if any) stalls.
    std::this_thread::sleep_for(std::chrono::microseconds(options_.block_us));
  }
}

HttpService::Outcome HttpService::handle(const Request& r, std::string& out,
                                         VisitCallback& pending) const {
  if (r.route == Route::kNotFound) {
    append_text(out, r, 404, "not found\n");
    return Outcome::kDone;
  }
  if (!method_allowed(r)) {
    append_text(out, r, 405, "method not allowed\n", allow_header(r.route));
    return Outcome::kDone;
  }
  simulate_work();
  switch (r.route) {
    case Route::kRoot:
      append_text(out, r, 200, kHello);
      return Outcome::kDone;
    case Route::kEcho: {
      ResponseHead head;
      head.content_type = "application/octet-stream";
      head.connection = connection_header(r);
      append_response(out, head, r.body);
      return Outcome::kDone;
    }
    case Route::kHealthz:
      if (store_->ready()) {
        append_text(out, r, 200, "ok");
      } else {
        append_text(out, r, 503, "catching up\n");
      }
      return Outcome::kDone;
    case Route::kStats:
      append_stats(r, out);
      return Outcome::kDone;
    case Route::kReplication:
      // Reached only when the codec did not switch protocols: no upgrade asked, or no
      // replicated store to take it.
      if (r.upgrade_replication) {
        append_text(out, r, 404, "not found\n");
      } else {
        append_text(out, r, 426, "upgrade required\n", "Upgrade: iomb-replication\r\n");
      }
      return Outcome::kDone;
    case Route::kReplicationSnapshot:
      append_snapshot(r, out);
      return Outcome::kDone;
    case Route::kSession:
      // The memory store calls pending.on_visit() before returning; the caller tells the two
      // cases apart by whether it was called.
      store_->visit(VisitRequest{r.sid, r.sess}, pending);
      return Outcome::kPending;
    case Route::kNotFound:
      break;
  }
  return Outcome::kDone;
}

void HttpService::append_session_response(const Request& r, const VisitResult& v,
                                          std::string& out) const {
  if (v.status != 200) {
    // The store failed this visit (503: unavailable; 500: cannot be stored): the connection
    // stays usable, so the client may retry.
    append_text(out, r, v.status,
                v.status == 503 ? "session store unavailable\n" : "session cannot be stored\n");
    return;
  }
  auto sid = v.sid.hex();
  std::string_view sid_view(sid.data(), sid.size());
  // Per-thread scratch buffers keep their capacity: no allocation in the steady state.
  thread_local std::string body;
  thread_local std::string extra;
  body.clear();
  body.append("{\"sid\":\"").append(sid_view).append("\",\"visits\":");
  char num[24];
  body.append(num, std::to_chars(num, num + sizeof num, v.visits).ptr);
  body.append(",\"node\":").append(node_json_).append(",\"created_by\":");
  if (v.created_by == options_.node_id) {
    body.append(node_json_);
  } else {
    body.append(nlohmann::json(std::string(v.created_by)).dump());
  }
  body.push_back('}');
  extra.clear();
  extra.append(x_node_header_);
  // The store's own cookie first: a client that keeps one cookie (iomb load, until it has a
  // jar) keeps the one that carries the session.
  if (!v.set_cookie.empty()) extra.append("Set-Cookie: ").append(v.set_cookie).append("\r\n");
  if (v.created) {
    extra.append("Set-Cookie: sid=")
        .append(sid_view)
        .append("; Path=/; HttpOnly; SameSite=Lax\r\n");
  }
  ResponseHead head;
  head.content_type = "application/json";
  head.connection = connection_header(r);
  head.extra_headers = extra;
  append_for(out, r, head, body);
}

std::unique_ptr<UpgradedStream> HttpService::open_stream(const Request& r) const {
  if (r.route != Route::kReplication || r.method != Method::kPost || !r.upgrade_replication) {
    return nullptr;
  }
  return store_->open_replication_stream();
}

void HttpService::append_snapshot(const Request& r, std::string& out) const {
  std::string body;
  if (!store_->append_snapshot(body)) {
    append_text(out, r, 404, "not found\n");
    return;
  }
  ResponseHead head;
  head.content_type = "application/octet-stream";
  head.connection = connection_header(r);
  append_for(out, r, head, body);
}

void HttpService::append_stats(const Request& r, std::string& out) const {
  nlohmann::json j = counters_ ? counters_().to_json() : nlohmann::json::object();
  j["node"] = options_.node_id;
  j["sessions"] = store_stats_json();
  ResponseHead head;
  head.content_type = "application/json";
  head.connection = connection_header(r);
  append_for(out, r, head, j.dump());
}

nlohmann::json HttpService::store_stats_json() const {
  SessionStoreStats s = store_->stats();
  nlohmann::json j{{"store", options_.session_store},
                   {"live", s.live},
                   {"created", s.created},
                   {"expired", s.expired},
                   {"evicted", s.evicted}};
  for (const auto& [name, value] : s.counters) j[std::string(name)] = value;
  return j;
}

void HttpService::append_error_response(int status, std::string& out) {
  ResponseHead head;
  head.status = status;
  head.connection = ConnectionHeader::kClose;
  std::string_view reason = reason_phrase(status);
  // Body: the reason phrase in lower case and a newline, e.g. "bad request\n".
  char body[64];
  size_t n = std::min(reason.size(), sizeof body - 1);
  for (size_t i = 0; i < n; ++i) {
    char c = reason[i];
    body[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  body[n] = '\n';
  append_response(out, head, std::string_view(body, n + 1));
}

std::unique_ptr<SessionStore> make_session_store(const ServerOptions& o) {
  if (o.session_store == "redis") {
    store::RedisSessionStoreOptions r;
    r.redis = store::parse_endpoint(o.redis, "--redis");
    r.visit.ttl_ms = static_cast<int64_t>(o.session_ttl_s) * 1000;
    r.visit.payload_bytes = o.session_bytes;
    r.visit.node_id = o.node_id;
    r.visit.timeout_ms = static_cast<int64_t>(o.store_timeout_ms);
    return std::make_unique<store::RedisSessionStore>(std::move(r));
  }
  if (o.session_store == "cookie") {
    CookieSessionStoreOptions c;
    c.ttl_s = o.session_ttl_s;
    c.payload_bytes = o.session_bytes;
    c.node_id = o.node_id;
    c.keys = load_cookie_keys(o.cookie_secret_file);
    return std::make_unique<CookieSessionStore>(std::move(c));
  }
  MemorySessionStoreOptions m;
  m.ttl_s = o.session_ttl_s;
  m.max_sessions = o.max_sessions;
  m.payload_bytes = o.session_bytes;
  m.node_id = o.node_id;
  if (o.session_store == "replicated") {
    store::ReplicatedSessionStoreOptions r;
    r.memory = std::move(m);
    for (const std::string& peer : o.peers)
      r.peers.push_back(store::parse_endpoint(peer, "--peers"));
    r.sync = o.replication == "sync";
    r.timeout_ms = static_cast<int64_t>(o.store_timeout_ms);
    auto replicated = std::make_unique<store::ReplicatedSessionStore>(std::move(r));
    replicated->pull_snapshots();
    return replicated;
  }
  if (o.session_store != "memory") {
    throw std::invalid_argument("--session-store " + o.session_store + " is unknown");
  }
  return std::make_unique<MemorySessionStore>(std::move(m));
}

std::unique_ptr<HttpService> make_http_service(const ServerOptions& options,
                                               HttpService::CountersFn counters) {
  return std::make_unique<HttpService>(HttpServiceOptions::from(options),
                                       make_session_store(options), std::move(counters));
}

}  // namespace iomb::http

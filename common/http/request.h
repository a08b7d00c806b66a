// The parsed HTTP request a connection's codec hands to HttpService::handle. One Request per
// connection, reused for every request on it (its strings keep their capacity, so steady-state
// requests allocate nothing). Written by the IO thread while parsing; read by whichever thread
// runs the handler (the IO thread, or a worker in nio:workers) while the codec waits for it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace iomb::http {

enum class Method : uint8_t { kGet, kPost, kOther };

enum class Route : uint8_t {
  kRoot,
  kEcho,
  kSession,
  kHealthz,
  kStats,
  kReplication,          // POST + Upgrade: a peer's replication stream (replicated store)
  kReplicationSnapshot,  // GET: every session, as replication frames (a starting peer's pull)
  kNotFound
};

struct Request {
  Method method = Method::kOther;
  bool head = false;  // HEAD (a kOther method): the response carries no body bytes
  Route route = Route::kNotFound;
  uint8_t http_minor = 1;  // HTTP/1.<minor>; the parser accepts major 1 only
  bool keep_alive = true;  // the connection stays open after this response
  std::string body;        // kept for POST /echo only; other bodies are discarded
  std::string sid;         // the `sid` cookie's value, or empty
  std::string sess;        // the `sess` cookie's value (the cookie store's session), or empty
  bool upgrade_replication = false;  // "Connection: Upgrade" + "Upgrade: iomb-replication"

  void clear() {
    method = Method::kOther;
    head = false;
    route = Route::kNotFound;
    http_minor = 1;
    keep_alive = true;
    body.clear();
    sid.clear();
    sess.clear();
    upgrade_replication = false;
  }
};

// Maps a request target ("/session?x=1") to its route; the query and fragment are ignored.
Route route_for_target(std::string_view target);

}  // namespace iomb::http

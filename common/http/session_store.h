// The session-store interface behind GET /session (DESIGN §3.5). A store may complete a visit
// synchronously (the memory store, inside visit()) or later (a Redis round trip, a peer ack):
// the caller passes a VisitCallback and must not assume it ran when visit() returns. An
// asynchronous store must call it on the thread that owns the caller's connection (its event
// loop), exactly once, and must not call it after the caller is gone (the caller keeps the
// callback alive until it ran). One store per process, shared by all threads: visit() and
// stats() are thread-safe.
// A store that talks to a server over TCP (redis, replicated) does so through the LoopStoreIo
// of the calling thread's event loop (common/store/store_link.h): each loop thread calls
// attach_loop() before it serves and detach_loop() before it closes its connections
// (LoopStoreScope does both); detach_loop() completes every visit still in flight (503).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/http/session_id.h"

namespace iomb::store {
class LoopStoreIo;
}

namespace iomb::http {

// What a visit knows of the client: its cookies (empty when absent). Valid during visit() only.
struct VisitRequest {
  std::string_view sid;   // cookie `sid` (memory, redis, replicated)
  std::string_view sess;  // cookie `sess` (cookie store: the signed session itself)
};

struct VisitResult {
  // 200; 500 when the session cannot be stored (a cookie past 4096 bytes); 503 when the store
  // is unavailable (down, timed out, overloaded). Only a 200 carries the fields below.
  int status = 200;
  SessionId sid;
  uint64_t visits = 0;          // including this one
  bool created = false;         // a new session (no, unknown or expired sid): Set-Cookie
  std::string_view created_by;  // node id of the server that created it; valid during the call
  // A further Set-Cookie value to send (the cookie store's `sess=...; Path=/; ...`), or empty.
  std::string_view set_cookie;
};

class VisitCallback {
 public:
  virtual void on_visit(const VisitResult& result) = 0;

 protected:
  ~VisitCallback() = default;
};

struct SessionStoreStats {
  uint64_t live = 0;     // sessions held now
  uint64_t created = 0;  // new sessions started
  uint64_t expired = 0;  // dropped because --session-ttl-s passed since their last visit
  uint64_t evicted = 0;  // dropped, least recently used first, to stay within --max-sessions
  // The store's own outcomes (e.g. redis "timeouts", cookie "rejected_tampered",
  // replicated "bytes_out"), in a fixed order; names are JSON keys under "sessions".
  std::vector<std::pair<std::string_view, uint64_t>> counters;
};

// A peer's stream on a connection that left HTTP (`POST /replication` with `Upgrade:
// iomb-replication`): fed every byte after the request, it appends its replies to `out`.
// False: the bytes were garbage; the connection is closed once `out` is sent. Connection's IO
// thread only.
class UpgradedStream {
 public:
  virtual ~UpgradedStream() = default;
  virtual bool on_input(std::string_view data, std::string& out) = 0;
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  // One visit of session `sid` (the cookie value; empty when the client sent none): loads it,
  // or creates a new one when it is missing, unknown or expired; counts the visit; stores it;
  // then calls done.on_visit() (now or later, see above).
  virtual void visit(const VisitRequest& request, VisitCallback& done) = 0;
  virtual SessionStoreStats stats() const = 0;
  // The calling thread is an event loop that will call visit(): it may keep per-loop state
  // (connections opened through `io`). Loop thread only; a store that needs none ignores it.
  virtual void attach_loop(store::LoopStoreIo& /*io*/) {}
  // The calling loop stops: complete (503) every visit it has in flight, close its links.
  virtual void detach_loop() {}
  // The receiving end of a peer's replication stream, or nullptr (a store that replicates
  // nothing: the upgrade is refused with 404). Any IO thread.
  virtual std::unique_ptr<UpgradedStream> open_replication_stream() { return nullptr; }
  // Appends every live session as replication frames (GET /replication/snapshot); false for a
  // store that replicates nothing (404). Any thread.
  virtual bool append_snapshot(std::string& /*out*/) const { return false; }
  // Whether this node should take traffic yet: GET /healthz answers 503 until it does, so a
  // balancer's health check keeps a node that is still catching up out of rotation. Any thread.
  virtual bool ready() const { return true; }
};

// attach_loop() for the lifetime of the scope (declare it after the loop's own state and before
// its connections, so the store's links go first). Loop thread only.
class LoopStoreScope {
 public:
  LoopStoreScope(SessionStore& store, store::LoopStoreIo& io) : store_(store) {
    store_.attach_loop(io);
  }
  ~LoopStoreScope() { store_.detach_loop(); }
  LoopStoreScope(const LoopStoreScope&) = delete;
  LoopStoreScope& operator=(const LoopStoreScope&) = delete;

 private:
  SessionStore& store_;
};

}  // namespace iomb::http

// The session-store interface behind GET /session (DESIGN §3.5). A store may complete a visit
// synchronously (the memory store, inside visit()) or later (a Redis round trip, a peer ack):
// the caller passes a VisitCallback and must not assume it ran when visit() returns. An
// asynchronous store must call it on the thread that owns the caller's connection (its event
// loop), exactly once, and must not call it after the caller is gone (the caller keeps the
// callback alive until it ran). One store per process, shared by all threads: visit() and
// stats() are thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/http/session_id.h"

namespace iomb::http {

struct VisitResult {
  SessionId sid;
  uint64_t visits = 0;          // including this one
  bool created = false;         // a new session (no, unknown or expired sid): Set-Cookie
  std::string_view created_by;  // node id of the server that created it; valid during the call
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
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  // One visit of session `sid` (the cookie value; empty when the client sent none): loads it,
  // or creates a new one when it is missing, unknown or expired; counts the visit; stores it;
  // then calls done.on_visit() (now or later, see above).
  virtual void visit(std::string_view sid, VisitCallback& done) = 0;
  virtual SessionStoreStats stats() const = 0;
};

}  // namespace iomb::http

// The cookie-replay probe of the cluster lab: through the balancer, one client makes a session,
// keeps the cookies its first visit got, makes three more visits, then sends the first visit's
// cookies again (a client restored from a backup, or an attacker who copied them). A store that
// keeps the session on the server answers visit 5 (the replay is harmless); a store that keeps
// it in the cookie answers visit 2 (the client rolled its session back, and the server cannot
// tell); a new session means the replay was refused (as it must be once the session expired).
// Then the current cookies, tampered with, must start a new session.
// Blocking, 1 s per request plus the wait; main thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace iomb::cluster {

struct ReplayOutcome {
  bool ran = false;        // false: a visit failed (error says which)
  std::string error;
  uint64_t visits_before = 0;  // the session's visits before the replay (4)
  uint64_t replay_visits = 0;  // what the replayed cookies got
  bool same_session = false;   // the replay continued the captured session
  std::string verdict;         // "harmless", "rolled back", "refused"
  // The current cookies with one character of each value changed (an attacker editing the
  // cookie): "refused" (a new session) is the only right answer; "accepted" is a hole.
  std::string tampered;
};

// `replay_after`: how long to wait before the replay (past the session's TTL, a store must
// refuse it).
ReplayOutcome probe_cookie_replay(uint16_t balancer_port, std::chrono::milliseconds replay_after);

}  // namespace iomb::cluster

// RedisVisitProtocol: the Redis side of GET /session on one connection to Redis (one per event
// loop, pipelined: any number of visits in flight). Commands are built with hiredis's
// formatter and replies parsed with hiredis's reader; no RESP is written by hand.
//
// One visit is one round trip that cannot lose a concurrent update:
//   known sid:  HINCRBY <key> visits 1 · PEXPIRE <key> <ttl> · HMGET <key> created_by payload
//               (HINCRBY is atomic in Redis, so two connections visiting one sid both count;
//               HMGET loads the session as an application would)
//   no sid:     HSET <key> visits 1 created_at .. created_by .. payload .. · PEXPIRE <key> <ttl>
//               (the fields are set once, on a fresh random key)
// A sid Redis no longer holds (expired, or never created) makes HINCRBY create a bare hash,
// which HMGET shows by a missing created_by: that visit then deletes it and creates a new
// session (a second round trip, counted as `lost`).
// Replies come back in command order, so visits complete in order. A visit not answered within
// the timeout completes with 503 at once; its replies are swallowed when they arrive.
// Until the link's first connect has succeeded or failed, visits are queued (the link sends
// them once up) rather than refused: a server that has just started does not answer 503 for
// its first milliseconds. Later, a link that is down refuses at once (`unavailable`).
// Threads: one loop thread (the StoreLink's); the counters are shared atomics.
#pragma once

#include <hiredis/hiredis.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "common/http/session_store.h"
#include "common/store/store_link.h"

namespace iomb::store {

struct RedisVisitOptions {
  int64_t ttl_ms = 1800 * 1000;
  uint64_t payload_bytes = 0;
  std::string node_id;
  int64_t timeout_ms = 100;
  // Visits in flight on one connection beyond this get 503 (`overloaded`) without being sent:
  // a stalled Redis cannot make a loop queue without bound.
  size_t max_in_flight = 8192;
};

// Outcomes of every visit, summed over all loops (relaxed atomics).
struct RedisCounters {
  std::atomic<uint64_t> ok{0};           // answered 200
  std::atomic<uint64_t> created{0};      // new sessions written
  std::atomic<uint64_t> lost{0};         // a sid Redis did not hold: a new session
  std::atomic<uint64_t> round_trips{0};  // pipelined command batches sent
  std::atomic<uint64_t> unavailable{0};  // 503: not connected
  std::atomic<uint64_t> timeouts{0};     // 503: no reply within the timeout
  std::atomic<uint64_t> overloaded{0};   // 503: too many in flight on the connection
  std::atomic<uint64_t> failed{0};       // 503: connection lost with the visit in flight
  std::atomic<uint64_t> errors{0};       // 503: Redis answered an error
  std::atomic<uint64_t> disconnects{0};  // connections lost (or connects failed)
};

class RedisVisitProtocol final : public StoreProtocol {
 public:
  RedisVisitProtocol(const RedisVisitOptions& options, RedisCounters& counters);
  ~RedisVisitProtocol() override;

  // Appends the visit's commands; `done` runs later (or now, with 503, when overloaded).
  void start_visit(const http::VisitRequest& request, http::VisitCallback& done, int64_t now_ms);
  // Completes every visit in flight with 503 (counted `failed`) and drops the output.
  void fail_all();
  size_t in_flight() const { return pending_.size(); }
  // Inside one of this protocol's callbacks (the link sends the output when it returns).
  bool in_callback() const { return depth_ > 0; }
  // The link's first connect is still in progress (neither on_connected nor on_disconnected).
  bool first_connect_pending() const { return first_connect_pending_; }

  void on_connected() override;
  void on_input(std::string_view data) override;
  void on_disconnected() override;
  void on_tick(int64_t now_ms) override;
  bool idle() const override { return pending_.empty(); }
  bool has_waiters() const override;

 private:
  enum class Kind : uint8_t { kContinue, kCreate };
  struct Pending {
    Kind kind = Kind::kContinue;
    http::VisitCallback* done = nullptr;  // null once completed early (timeout): swallow
    http::SessionId sid;
    int replies_left = 0;
    int64_t deadline_ms = 0;
    bool error = false;
    bool missing = false;  // kContinue: HMGET found no created_by
    uint64_t visits = 0;
    std::string created_by;
  };
  struct ReaderFree {
    void operator()(redisReader* r) const { redisReaderFree(r); }
  };
  struct Depth;  // RAII for depth_

  void append_command(int argc, const char** argv, const size_t* lens);
  void send_continue(Pending& p);
  void send_create(Pending& p, int64_t now_ms, bool delete_old);
  void take_reply(redisReply* reply);
  void finish(Pending p);
  void complete(http::VisitCallback& done, const http::VisitResult& result);
  void fail(http::VisitCallback& done, std::atomic<uint64_t>& counter);

  const RedisVisitOptions options_;
  RedisCounters& counters_;
  std::unique_ptr<redisReader, ReaderFree> reader_;
  std::deque<Pending> pending_;
  std::string payload_;  // --session-bytes of 'p', written at creation
  std::string ttl_text_;
  int depth_ = 0;
  bool first_connect_pending_ = true;
};

}  // namespace iomb::store

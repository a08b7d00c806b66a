// LoadWorker: the IO-independent half of one load thread. It owns the thread's connections,
// decides what each sends (closed loop: keep --pipeline requests in flight; open loop: follow
// the schedule, at most --pipeline in flight per connection, the rest waiting client-side with
// their intended time), times replies, and walks the run's phases (connect, warm-up, measure,
// drain, close). An IO backend (uring_backend.cc, epoll_backend.cc) runs the loop:
//
//   for (int64_t now = clock_ns(); w.tick(now); now = clock_ns()) {
//     submit what w.dirty() lists; wait at most w.wait_budget_ns(now); report events to w;
//   }
//
// Everything here runs on the owning load thread only.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/load/client_connection.h"
#include "harness/load/load_options.h"
#include "harness/load/open_loop_schedule.h"
#include "harness/load/run_control.h"
#include "harness/load/worker_result.h"

namespace iomb::harness {

int64_t clock_ns();  // CLOCK_MONOTONIC

class LoadWorker {
 public:
  LoadWorker(const LoadOptions& options, const ClientProtocolFactory& sessions, int thread_index,
             uint64_t first_connection_id, int connections, double rate_per_s, RunControl& control,
             WorkerProgress& progress);

  // Advances the phase and issues due requests. Returns false when the loop must end.
  bool tick(int64_t now);
  // How long the backend may block before the next tick is due (ns, >= 0).
  int64_t wait_budget_ns(int64_t now) const;

  std::vector<ClientConnection>& connections() { return conns_; }
  // Connections whose state or output changed since the backend last looked. The backend
  // clears `dirty` on each and then the list.
  std::vector<uint32_t>& dirty() { return dirty_; }
  const sockaddr* address() const { return reinterpret_cast<const sockaddr*>(&addr_); }
  socklen_t address_len() const { return addr_len_; }
  int thread_index() const { return index_; }
  void mark_dirty(ClientConnection& c);
  // Whether a connection in kNeedConnect should be (re)connected now.
  bool wants_connect() const {
    return phase_ == Phase::kConnect || phase_ == Phase::kWarmup || phase_ == Phase::kMeasure;
  }

  // Events from the backend.
  void on_connected(ClientConnection& c, int64_t now);
  void on_sent(ClientConnection& c, size_t n);
  void on_received(ClientConnection& c, const char* data, size_t n, int64_t now);
  // The socket is finished (peer FIN, error, or connect failure: err is 0 for a FIN, else a
  // positive errno) and the backend has closed the fd with no operation outstanding.
  void on_socket_closed(ClientConnection& c, int err, int64_t now);
  // Opens a TCP socket (TCP_NODELAY) for `c` and moves it to kConnecting; the backend then
  // connects it. On failure reports the socket closed and returns false.
  bool open_socket(ClientConnection& c, bool non_blocking, int64_t now);
  // Closes every socket still open (the backend's teardown, after the kernel let go of them).
  void close_sockets();
  // A setup failure in the backend (ring, epoll): stops the run.
  void fail(const std::string& message);

  WorkerResult take_result();

 private:
  enum class Phase { kConnect, kWarmup, kMeasure, kDrain, kClose, kDone };

  void issue(ClientConnection& c, int64_t intended, int64_t now);
  void refill_closed_loop(ClientConnection& c, int64_t now);
  void issue_open_loop(int64_t now);
  bool can_take_request(const ClientConnection& c) const;
  void maybe_close_for_churn(ClientConnection& c);
  // 0: still connecting, 1: every connection up and the run started, -1: stop.
  int step_connect(int64_t now);
  void start_load(int64_t t0);
  void enter_phase(Phase p, int64_t now);
  // At the window's end: starved connections and the oldest unanswered request (WorkerResult).
  void count_starved(int64_t window_end);
  void close_series_second(int64_t now);
  void arrive_connected();
  bool all_connected() const;
  bool all_idle() const;
  bool all_closed() const;

  const LoadOptions& options_;
  int index_;
  RunControl& control_;
  WorkerProgress& progress_;
  std::vector<ClientConnection> conns_;
  std::vector<uint32_t> dirty_;
  sockaddr_storage addr_{};
  socklen_t addr_len_ = 0;
  std::optional<OpenLoopSchedule> schedule_;
  size_t rr_next_ = 0;  // open loop: next connection to try
  // Poisson arrivals: each request goes to a random connection, so every connection's arrivals
  // are a Poisson process of their own (independent users). Taken in turn, a client would send
  // exactly every C-th request, and a round-robin balancer over N nodes (N dividing C) would
  // send it to the same node every time: sticky by accident.
  uint64_t pick_state_ = 0x2545f4914f6cdd1dull;

  Phase phase_ = Phase::kConnect;
  bool arrived_ = false;
  int64_t connect_deadline_ = 0;
  int64_t measure_at_ = 0;
  int64_t end_at_ = 0;
  int64_t drain_deadline_ = 0;
  int64_t close_deadline_ = 0;
  int64_t series_second_end_ = 0;

  WorkerResult result_;
  SeriesPoint current_second_;
};

}  // namespace iomb::harness

// Implementation of load_worker.h.
#include "harness/load/load_worker.h"

#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>

#include "common/socket_ops.h"

namespace iomb::harness {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kMaxWait = 50'000'000;    // every wait is bounded: the loop stops by itself
constexpr int64_t kCloseTimeout = kSecond;  // FIN exchange at the end of the run
constexpr size_t kMaxSeriesPoints = 3600;
constexpr int kMaxIssuePerTick = 65536;

size_t recv_buffer_bytes(const LoadOptions& o) {
  // HTTP responses carry ~150 bytes of head besides the body.
  uint64_t per_reply = o.protocol == Protocol::kHttp ? o.size + 256 : o.size;
  uint64_t want = std::bit_ceil(per_reply * static_cast<uint64_t>(o.pipeline));
  return static_cast<size_t>(std::clamp<uint64_t>(want, 4096, 64 * 1024));
}

}  // namespace

int64_t clock_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * kSecond + ts.tv_nsec;
}

LoadWorker::LoadWorker(const LoadOptions& options, const ClientProtocolFactory& sessions,
                       int thread_index, uint64_t first_connection_id, int connections,
                       double rate_per_s, RunControl& control, WorkerProgress& progress)
    : options_(options), index_(thread_index), control_(control), progress_(progress) {
  addr_ = resolve_address(options.host, options.port, &addr_len_);
  auto fifo_capacity = std::bit_ceil(static_cast<uint32_t>(options.pipeline));
  size_t recv_bytes = recv_buffer_bytes(options);
  conns_.reserve(static_cast<size_t>(connections));
  for (int i = 0; i < connections; ++i) {
    uint64_t id = first_connection_id + static_cast<uint64_t>(i);
    conns_.emplace_back(id, sessions.make(id), fifo_capacity, recv_bytes);
  }
  dirty_.reserve(conns_.size());
  if (options.open_loop()) {
    schedule_.emplace(rate_per_s, options.arrival,
                      options.seed * 0x9e3779b97f4a7c15ull + static_cast<uint64_t>(thread_index));
    pick_state_ ^= options.seed * 0xbf58476d1ce4e5b9ull + static_cast<uint64_t>(thread_index) + 1;
  }
}

void LoadWorker::mark_dirty(ClientConnection& c) {
  if (c.dirty) return;
  c.dirty = true;
  dirty_.push_back(static_cast<uint32_t>(&c - conns_.data()));
}

bool LoadWorker::open_socket(ClientConnection& c, bool non_blocking, int64_t now) {
  int fd =
      ::socket(addr_.ss_family, SOCK_STREAM | SOCK_CLOEXEC | (non_blocking ? SOCK_NONBLOCK : 0), 0);
  if (fd < 0) {
    on_socket_closed(c, errno, now);
    return false;
  }
  set_nodelay(fd);
  c.fd = fd;
  c.state = ConnState::kConnecting;
  return true;
}

void LoadWorker::close_sockets() {
  for (auto& c : conns_) {
    if (c.fd >= 0) ::close(c.fd);
    c.fd = -1;
  }
}

void LoadWorker::fail(const std::string& message) {
  control_.fail(message, false);
  arrive_connected();
}

void LoadWorker::arrive_connected() {
  if (arrived_) return;
  arrived_ = true;
  control_.connected.count_down();
}

bool LoadWorker::all_connected() const {
  return std::all_of(conns_.begin(), conns_.end(),
                     [](const ClientConnection& c) { return c.state == ConnState::kOpen; });
}

bool LoadWorker::all_idle() const {
  return std::all_of(conns_.begin(), conns_.end(), [](const ClientConnection& c) {
    return c.state != ConnState::kOpen || c.fifo.empty();
  });
}

bool LoadWorker::all_closed() const {
  return std::all_of(conns_.begin(), conns_.end(), [](const ClientConnection& c) {
    return c.state == ConnState::kClosed || c.state == ConnState::kDead ||
           c.state == ConnState::kNeedConnect;
  });
}

void LoadWorker::start_load(int64_t t0) {
  measure_at_ = t0 + options_.warmup.count();
  end_at_ = measure_at_ + options_.duration.count();
  phase_ = Phase::kWarmup;
  if (schedule_) {
    schedule_->start(t0);
  } else {
    for (auto& c : conns_) refill_closed_loop(c, t0);
  }
}

void LoadWorker::enter_phase(Phase p, int64_t now) {
  phase_ = p;
  switch (p) {
    case Phase::kMeasure:
      result_.window_start_ns = now;
      series_second_end_ = now + kSecond;
      break;
    case Phase::kDrain: {
      result_.window_end_ns = now;
      count_starved(now);
      int64_t partial = now - (series_second_end_ - kSecond);
      if (partial >= kSecond / 10 && result_.series.size() < kMaxSeriesPoints) {
        current_second_.duration_s = static_cast<double>(partial) / 1e9;
        result_.series.push_back(std::move(current_second_));
      }
      drain_deadline_ = now + options_.drain_timeout.count();
      break;
    }
    case Phase::kClose:
      close_deadline_ = now + kCloseTimeout;
      for (auto& c : conns_) {
        if (c.state == ConnState::kOpen) {
          c.close_wanted = true;
          mark_dirty(c);
        }
      }
      break;
    default:
      break;
  }
}

void LoadWorker::close_series_second(int64_t now) {
  (void)now;
  progress_.last_p99_ns.store(current_second_.latency.percentile(99), std::memory_order_relaxed);
  if (result_.series.size() < kMaxSeriesPoints) {
    result_.series.push_back(std::move(current_second_));
    current_second_ = SeriesPoint{};
  } else {
    current_second_.latency.reset();
    current_second_.completed = current_second_.bytes = current_second_.errors = 0;
  }
  series_second_end_ += kSecond;
}

int LoadWorker::step_connect(int64_t now) {
  if (connect_deadline_ == 0) {
    connect_deadline_ = now + options_.connect_timeout.count();
    for (auto& c : conns_) mark_dirty(c);
    return 0;
  }
  if (all_connected()) {
    arrive_connected();
    control_.go.wait();
    if (control_.abort.load(std::memory_order_relaxed)) return -1;
    start_load(control_.t0_ns.load());
    return 1;
  }
  if (now < connect_deadline_) return 0;
  auto up = std::count_if(conns_.begin(), conns_.end(),
                          [](const ClientConnection& c) { return c.state == ConnState::kOpen; });
  fail("connect timeout: " + std::to_string(up) + " of " + std::to_string(conns_.size()) +
       " connections of load thread " + std::to_string(index_) + " up after " +
       std::to_string(options_.connect_timeout.count() / 1'000'000) + " ms");
  return -1;
}

bool LoadWorker::tick(int64_t now) {
  if (control_.abort.load(std::memory_order_relaxed)) {
    arrive_connected();
    return false;
  }
  switch (phase_) {
    case Phase::kConnect: {
      int step = step_connect(now);
      if (step < 0) return false;
      if (step == 0) break;
      now = clock_ns();
    }
      [[fallthrough]];
    case Phase::kWarmup:
      if (now < measure_at_) break;
      enter_phase(Phase::kMeasure, now);
      [[fallthrough]];
    case Phase::kMeasure:
      while (now >= series_second_end_ && now < end_at_) close_series_second(now);
      if (now < end_at_) break;
      enter_phase(Phase::kDrain, now);
      [[fallthrough]];
    case Phase::kDrain:
      if (!all_idle() && now < drain_deadline_) break;
      enter_phase(Phase::kClose, now);
      [[fallthrough]];
    case Phase::kClose:
      if (!all_closed() && now < close_deadline_) break;
      phase_ = Phase::kDone;
      [[fallthrough]];
    case Phase::kDone:
      return false;
  }
  if (schedule_ && (phase_ == Phase::kWarmup || phase_ == Phase::kMeasure)) issue_open_loop(now);
  return true;
}

int64_t LoadWorker::wait_budget_ns(int64_t now) const {
  int64_t until = now + kMaxWait;
  switch (phase_) {
    case Phase::kConnect:
      until = std::min(until, connect_deadline_);
      break;
    case Phase::kWarmup:
      until = std::min(until, measure_at_);
      break;
    case Phase::kMeasure:
      until = std::min({until, series_second_end_, end_at_});
      break;
    case Phase::kDrain:
      until = std::min(until, drain_deadline_);
      break;
    case Phase::kClose:
      until = std::min(until, close_deadline_);
      break;
    case Phase::kDone:
      return 0;
  }
  if (schedule_ && (phase_ == Phase::kWarmup || phase_ == Phase::kMeasure) &&
      schedule_->next() > now) {
    until = std::min(until, schedule_->next());
  }
  return std::max<int64_t>(0, until - now);
}

bool LoadWorker::can_take_request(const ClientConnection& c) const {
  return c.state == ConnState::kOpen && !c.close_wanted && !c.fifo.full() &&
         (options_.churn == 0 || c.issued_on_socket < options_.churn);
}

void LoadWorker::issue(ClientConnection& c, int64_t intended, int64_t now) {
  c.fifo.push({intended, now});
  c.session->add_request();
  ++c.issued_on_socket;
  ++result_.total_issued;
  mark_dirty(c);
}

void LoadWorker::refill_closed_loop(ClientConnection& c, int64_t now) {
  if (schedule_ || (phase_ != Phase::kWarmup && phase_ != Phase::kMeasure)) return;
  while (can_take_request(c)) issue(c, now, now);
  maybe_close_for_churn(c);
}

void LoadWorker::issue_open_loop(int64_t now) {
  const size_t n = conns_.size();
  for (int budget = kMaxIssuePerTick; budget > 0 && schedule_->next() <= now; --budget) {
    if (options_.arrival == Arrival::kPoisson) {
      pick_state_ ^= pick_state_ << 13;  // xorshift64
      pick_state_ ^= pick_state_ >> 7;
      pick_state_ ^= pick_state_ << 17;
      rr_next_ = static_cast<size_t>(pick_state_ % n);
    }
    ClientConnection* pick = nullptr;
    for (size_t k = 0; k < n && !pick; ++k) {
      ClientConnection& c = conns_[rr_next_];
      rr_next_ = rr_next_ + 1 == n ? 0 : rr_next_ + 1;
      if (can_take_request(c)) pick = &c;
    }
    // Every connection is full: the request waits with its intended time kept, so its
    // latency will include this wait.
    if (!pick) return;
    issue(*pick, schedule_->next(), now);
    schedule_->advance();
  }
}

void LoadWorker::maybe_close_for_churn(ClientConnection& c) {
  if (options_.churn == 0 || c.close_wanted || c.state != ConnState::kOpen) return;
  if (c.issued_on_socket >= options_.churn && c.fifo.empty()) {
    c.close_wanted = true;
    mark_dirty(c);
  }
}

void LoadWorker::on_connected(ClientConnection& c, int64_t now) {
  c.state = ConnState::kOpen;
  ++result_.connections_opened;
  mark_dirty(c);
  // After a server close: the requests it left unanswered go out again, their times kept.
  for (uint32_t i = 0; i < c.fifo.size(); ++i) {
    c.session->add_request();
    ++c.issued_on_socket;
    ++result_.protocol.requests_resent;
  }
  refill_closed_loop(c, now);
}

void LoadWorker::on_sent(ClientConnection& c, size_t n) {
  c.session->consume_output(n);
  result_.total_bytes_sent += n;
}

void LoadWorker::on_received(ClientConnection& c, const char* data, size_t n, int64_t now) {
  result_.total_bytes_received += n;
  const bool measuring = phase_ == Phase::kMeasure;
  if (measuring) {
    result_.bytes_received += n;
    current_second_.bytes += n;
  }
  int64_t done = c.session->on_input(data, n);
  if (done < 0 || static_cast<uint64_t>(done) > c.fifo.size()) {
    std::string why = done < 0 ? c.session->error() : "more replies than requests";
    control_.fail("verification failed on connection " + std::to_string(c.id) + " (load thread " +
                      std::to_string(index_) + "): " + why,
                  true);
    return;
  }
  if (c.session->peer_closing() && !c.server_closing) {
    // Connection: close: no more requests on this socket; FIN once the output is out, then
    // reconnect (on_socket_closed).
    c.server_closing = true;
    c.close_wanted = true;
    mark_dirty(c);
  }
  for (int64_t i = 0; i < done; ++i) {
    RequestTimes t = c.fifo.pop();
    if (c.session->response_failed(i)) {
      // The server answered with an error (HTTP 503...): the request is over, but it counts
      // as an error, never as a completed request, and its latency is not a service time.
      ++result_.total_errors;
      if (measuring) {
        ++result_.errors;
        ++current_second_.errors;
        ++c.completed_in_window;  // answered: not starved
      }
      continue;
    }
    ++result_.total_completed;
    if (!measuring) continue;
    int64_t corrected = now - t.intended_ns;
    result_.corrected.record(corrected);
    if (schedule_) result_.uncorrected.record(now - t.sent_ns);
    current_second_.latency.record(corrected);
    ++current_second_.completed;
    ++result_.completed;
    ++c.completed_in_window;
  }
  if (done > 0) {
    progress_.completed.store(result_.total_completed, std::memory_order_relaxed);
    refill_closed_loop(c, now);
    maybe_close_for_churn(c);
  }
}

void LoadWorker::on_socket_closed(ClientConnection& c, int err, int64_t now) {
  (void)now;
  const bool running = phase_ == Phase::kWarmup || phase_ == Phase::kMeasure;
  if (c.server_closing && phase_ != Phase::kConnect) {
    // The server announced the close (HTTP Connection: close): whatever the socket's last
    // error (a reset after its close is normal), reconnect as the same client; requests still
    // in the fifo are sent again (on_connected), or stay unanswered when the run is over.
    c.fd = -1;
    c.close_wanted = c.shutdown_sent = c.send_inflight = c.recv_armed = c.want_write = false;
    c.connect_inflight = c.ended = c.server_closing = c.shutdown_inflight = false;
    c.end_error = 0;
    c.issued_on_socket = 0;
    if (running) {
      c.state = ConnState::kNeedConnect;
      c.session->reconnect(++c.incarnation);
      mark_dirty(c);
    } else {
      c.state = ConnState::kClosed;
    }
    return;
  }
  uint64_t lost = c.fifo.size();
  c.fifo.clear();
  bool graceful = err == 0 && c.shutdown_sent && lost == 0;
  bool was_connecting = c.state == ConnState::kConnecting || c.state == ConnState::kNeedConnect;
  c.fd = -1;
  c.close_wanted = c.shutdown_sent = c.send_inflight = c.recv_armed = c.want_write = false;
  c.connect_inflight = c.ended = c.server_closing = c.shutdown_inflight = false;
  c.end_error = 0;
  c.issued_on_socket = 0;
  if (phase_ == Phase::kConnect) {
    c.state = ConnState::kDead;
    fail(std::string("cannot connect to ") + options_.target + ": " +
         (err ? std::strerror(err) : "closed by the server"));
    return;
  }
  if (graceful) {
    if (running && options_.churn > 0) {
      c.state = ConnState::kNeedConnect;
      c.session->reset(++c.incarnation);
      mark_dirty(c);
    } else {
      c.state = ConnState::kClosed;
    }
    return;
  }
  // A server that closes after our FIN at the end of the run, with nothing owed, is fine.
  if (!running && lost == 0 && !was_connecting) {
    c.state = ConnState::kClosed;
    return;
  }
  uint64_t failed = std::max<uint64_t>(1, lost);
  result_.total_errors += failed;
  if (phase_ == Phase::kMeasure) {
    result_.errors += failed;
    current_second_.errors += failed;
  }
  // A failed connect is not retried (a target that refuses would be hammered in a loop).
  if (running && options_.reconnect && !was_connecting) {
    ++result_.reconnects;
    c.state = ConnState::kNeedConnect;
    c.session->reconnect_after_error(++c.incarnation);
    mark_dirty(c);
    return;
  }
  c.state = ConnState::kDead;
  bool any_alive = std::any_of(conns_.begin(), conns_.end(), [](const ClientConnection& x) {
    return x.state != ConnState::kDead;
  });
  if (!any_alive) {
    control_.fail(std::string("every connection failed; the last: ") +
                      (err ? std::strerror(err) : "closed by the server"),
                  false);
  }
}

void LoadWorker::count_starved(int64_t window_end) {
  for (const auto& c : conns_) {
    if (c.state == ConnState::kDead || c.fifo.empty()) continue;
    const int64_t waiting_since = c.fifo.front().intended_ns;
    result_.oldest_outstanding_ns =
        std::max(result_.oldest_outstanding_ns, window_end - waiting_since);
    if (c.completed_in_window == 0 && waiting_since <= result_.window_start_ns) {
      ++result_.starved_connections;
    }
  }
}

WorkerResult LoadWorker::take_result() {
  for (auto& c : conns_) {
    result_.unanswered += c.fifo.size();
    if (const ProtocolCounters* pc = c.session->counters()) result_.protocol.add(*pc);
  }
  if (result_.window_end_ns == 0 && result_.window_start_ns != 0) {
    result_.window_end_ns = clock_ns();  // aborted mid-window
  }
  return std::move(result_);
}

void WorkerResult::merge(const WorkerResult& o) {
  corrected.merge(o.corrected);
  uncorrected.merge(o.uncorrected);
  completed += o.completed;
  bytes_received += o.bytes_received;
  errors += o.errors;
  if (o.window_start_ns != 0) {
    window_start_ns =
        window_start_ns == 0 ? o.window_start_ns : std::min(window_start_ns, o.window_start_ns);
    window_end_ns = std::max(window_end_ns, o.window_end_ns);
  }
  total_issued += o.total_issued;
  total_completed += o.total_completed;
  total_bytes_sent += o.total_bytes_sent;
  total_bytes_received += o.total_bytes_received;
  total_errors += o.total_errors;
  unanswered += o.unanswered;
  starved_connections += o.starved_connections;
  oldest_outstanding_ns = std::max(oldest_outstanding_ns, o.oldest_outstanding_ns);
  connections_opened += o.connections_opened;
  reconnects += o.reconnects;
  protocol.add(o.protocol);
  if (series.size() < o.series.size()) series.resize(o.series.size());
  for (size_t i = 0; i < o.series.size(); ++i) {
    series[i].duration_s = o.series[i].duration_s;
    series[i].completed += o.series[i].completed;
    series[i].bytes += o.series[i].bytes;
    series[i].errors += o.series[i].errors;
    series[i].latency.merge(o.series[i].latency);
  }
}

}  // namespace iomb::harness

// Implementation of ring_loop.h.
#include "aio/ring_loop.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

namespace iomb::aio {
namespace {

// Defined by kernel 6.4 (io_uring.h of liburing >= 2.4); absent from liburing 2.3's header.
#ifndef IORING_TIMEOUT_MULTISHOT
constexpr unsigned IORING_TIMEOUT_MULTISHOT = 1U << 6;
#endif

constexpr uint16_t kBufferGroup = 0;
constexpr uint32_t kStopDeadlineMs = 2000;

uint32_t slot_capacity(const ServerOptions& options) {
  return static_cast<uint32_t>(std::min<uint64_t>(options.max_conns, UserData::kMaxSlots - 1));
}

uint64_t nofile_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY) return 1u << 20;
  return lim.rlim_cur;
}

unsigned round_up_pow2(uint64_t v) {
  unsigned p = 1;
  while (p < v && p < (1u << 30)) p <<= 1;
  return p;
}

// Loop-level operations carry fixed user_data (no slot).
constexpr uint64_t ud(Op op) { return UserData{op}.encode(); }

}  // namespace

RingLoop::RingLoop(const ServerOptions& options, const AioOptions& aio,
                   ConnectionBudget& connections, UniqueFd listener, const http::HttpService* http)
    : options_(options),
      aio_(aio),
      connections_(connections),
      listener_(std::move(listener)),
      wake_fd_(::eventfd(0, EFD_CLOEXEC)),
      table_(slot_capacity(options)),
      // A prefork worker accepts with accept4(2) once a multishot poll says the shared
      // listener is readable. With an io_uring accept armed, the kernel completes accepts on
      // the worker's behalf even while a SIGKILL is being delivered to it, and the connection
      // dies with the worker; accept4 never takes a connection the worker cannot serve.
      poll_accept_(options.processes > 1),
      http_(http) {
  // SINGLE_ISSUER: the thread that creates the ring is the only one that may submit to it.
  loop_thread_.bind();
  if (!wake_fd_) throw std::system_error(errno, std::generic_category(), "eventfd");
  const uint64_t expected = std::min<uint64_t>(options.max_conns, nofile_limit());
  RingConfig config;
  config.sqpoll = aio.sqpoll;
  // Each connection has at most a recv and a send (plus, rarely, a cancel, a close or a
  // zero-copy notification) completing at once; past the CQ size the kernel parks CQEs on its
  // overflow list (IORING_FEAT_NODROP), which works but is slow, so size the CQ for the
  // connection count (the kernel clamps to its maximum, IORING_SETUP_CLAMP).
  config.cq_entries = std::max(4096u, round_up_pow2(4 * expected));
  config.sq_entries = 2048;
  if (aio.test_ring_failure == "ENOSYS") config.simulate_errno = ENOSYS;
  if (aio.test_ring_failure == "EPERM") config.simulate_errno = EPERM;
  ring_ = std::make_unique<Ring>(config);
  setup_name_ = ring_->setup_name();
  cq_entries_ = ring_->cq_entries();
  store_io_ = std::make_unique<RingStoreIo>(*ring_);
  buffers_ =
      std::make_unique<BufferRing>(ring_->get(), kBufferGroup, aio.buffer_count,
                                   static_cast<uint32_t>(aio.buffer_size), aio.test_overflow_bytes);
  if (aio.fixed_files) {
    unsigned files = static_cast<unsigned>(std::min<uint64_t>(slot_capacity(options), expected));
    direct_files_ = std::max(files, 16u);
    int rc = io_uring_register_files_sparse(ring_->get(), direct_files_);
    if (rc != 0) {
      throw std::system_error(-rc, std::generic_category(), "io_uring_register_files_sparse");
    }
  }
  // One connection may hold at most this many buffers before its reading pauses, so a few
  // connections whose peers do not read cannot drain the ring for everyone else.
  uint64_t by_bytes = options.max_pending_bytes / aio.buffer_size + 1;
  per_connection_buffer_cap_ = static_cast<uint32_t>(
      std::max<uint64_t>(4, std::min<uint64_t>(by_bytes, aio.buffer_count / 8)));
  if (options.idle_timeout_ms > 0) {
    tick_ms_ = static_cast<uint32_t>(std::clamp<uint64_t>(options.idle_timeout_ms / 4, 5, 1000));
  } else if (http_ != nullptr) {
    tick_ms_ = 250;  // no idle timeout, but lingering closes still need their deadline
  }
  if (tick_ms_ != 0) {
    tick_ts_.tv_sec = tick_ms_ / 1000;
    tick_ts_.tv_nsec = static_cast<long long>(tick_ms_ % 1000) * 1000000;
  }
  retry_ts_.tv_nsec = 10 * 1000000;
  if (poll_accept_ && set_nonblocking(listener_.get()) != 0) {
    throw std::system_error(errno, std::generic_category(), "fcntl(O_NONBLOCK) on the listener");
  }
  now_ms_ = now_ms();
}

RingLoop::~RingLoop() {
  // The ring goes first: io_uring_queue_exit cancels and reaps every request, after which the
  // kernel no longer touches the buffer memory.
  ring_.reset();
  buffers_.reset();
  store_io_.reset();
}

uint32_t RingLoop::now_ms() const {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);  // vDSO: no syscall
  return static_cast<uint32_t>(ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

void RingLoop::wake() noexcept {
  uint64_t one = 1;
  // Nothing useful to do if this fails: the counter is already non-zero.
  [[maybe_unused]] ssize_t n = ::write(wake_fd_.get(), &one, sizeof one);
}

// ---------------------------------------------------------------------------------------------
// Submissions

io_uring_sqe* RingLoop::slot_sqe(uint32_t slot, Op op, uint16_t buffer) {
  IOMB_CHECK_IN_LOOP_THREAD(loop_thread_);
  Connection& c = table_[slot];
  io_uring_sqe* sqe = ring_->sqe();
  io_uring_sqe_set_data64(sqe, UserData{op, c.generation, buffer, slot}.encode());
  ++c.outstanding;
  return sqe;
}

void RingLoop::arm_accept() {
  io_uring_sqe* sqe = ring_->sqe();
  if (poll_accept_) {
    io_uring_prep_poll_multishot(sqe, listener_.get(), POLLIN);
  } else if (is_fixed()) {
    io_uring_prep_multishot_accept(sqe, listener_.get(), nullptr, nullptr, 0);
    // Direct descriptors, the kernel picking a free table slot. Set explicitly: liburing 2.3's
    // io_uring_prep_accept_direct() stores file_index + 1, which turns IORING_FILE_INDEX_ALLOC
    // into 0 (= "no direct descriptor"); the multishot helper works around it with ALLOC - 1.
    // SOCK_CLOEXEC is refused (EINVAL) with direct descriptors.
    sqe->file_index = IORING_FILE_INDEX_ALLOC;
  } else {
    io_uring_prep_multishot_accept(sqe, listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
  }
  io_uring_sqe_set_data64(sqe, ud(Op::kAccept));
  accept_armed_ = true;
}

void RingLoop::arm_accept_poll() {
  io_uring_sqe* sqe = ring_->sqe();
  io_uring_prep_poll_add(sqe, listener_.get(), POLLIN);
  io_uring_sqe_set_data64(sqe, ud(Op::kAcceptRetry));
  accept_armed_ = true;
}

void RingLoop::arm_accept_retry() {
  io_uring_sqe* sqe = ring_->sqe();
  io_uring_prep_timeout(sqe, &retry_ts_, 0, 0);
  io_uring_sqe_set_data64(sqe, ud(Op::kAcceptRetry));
  accept_armed_ = true;
}

void RingLoop::arm_tick() {
  if (tick_ms_ == 0) return;
  io_uring_sqe* sqe = ring_->sqe();
  // A multishot timeout (count 0 = forever) fires every tick_ms_ without being re-armed.
  io_uring_prep_timeout(sqe, &tick_ts_, 0, tick_multishot_ ? IORING_TIMEOUT_MULTISHOT : 0);
  io_uring_sqe_set_data64(sqe, ud(Op::kTick));
}

void RingLoop::arm_wake() {
  io_uring_sqe* sqe = ring_->sqe();
  io_uring_prep_read(sqe, wake_fd_.get(), &wake_value_, sizeof wake_value_, 0);
  io_uring_sqe_set_data64(sqe, ud(Op::kWake));
}

void RingLoop::submit_close_rejected(int fd) {
  io_uring_sqe* sqe = ring_->sqe();
  if (is_fixed()) {
    io_uring_prep_close_direct(sqe, static_cast<unsigned>(fd));
  } else {
    io_uring_prep_close(sqe, fd);
  }
  io_uring_sqe_set_data64(sqe, ud(Op::kCloseRejected));
}

void RingLoop::cancel_loop_op(uint64_t user_data) {
  io_uring_sqe* sqe = ring_->sqe();
  io_uring_prep_cancel64(sqe, user_data, IORING_ASYNC_CANCEL_ALL);
  io_uring_sqe_set_data64(sqe, ud(Op::kCancelLoop));
}

// ---------------------------------------------------------------------------------------------
// The loop

void RingLoop::run() noexcept {
  IOMB_CHECK_IN_LOOP_THREAD(loop_thread_);
  io_uring* ring = ring_->get();
  if (http_ != nullptr) store_scope_.emplace(http_->store(), *store_io_);
  arm_wake();
  arm_accept();
  arm_tick();
  uint32_t stop_started_ms = 0;
  for (;;) {
    relieve_ring_pressure();
    buffers_->publish();
    rearm_starved();
    buffers_->publish();
    if (stopping_ && table_.live() == 0 && !store_io_->busy()) break;
    int rc;
    if (stopping_) {
      if (now_ms_ - stop_started_ms > kStopDeadlineMs) {
        std::fprintf(stderr,
                     "iomb-aio: %u connections (or store links) still closing after %u ms; "
                     "giving up\n",
                     table_.live(), kStopDeadlineMs);
        break;
      }
      __kernel_timespec ts{0, 100 * 1000000};
      io_uring_cqe* cqe = nullptr;
      rc = io_uring_submit_and_wait_timeout(ring, &cqe, 1, &ts, nullptr);
    } else {
      // One io_uring_enter both submits everything prepared while handling the last batch and
      // waits for the next completion.
      rc = io_uring_submit_and_wait(ring, 1);
    }
    if (rc < 0 && rc != -EINTR && rc != -ETIME && rc != -EAGAIN && rc != -EBUSY) {
      // Not expected from a healthy ring (ENOMEM under memory pressure, say): report it once
      // per loop, count it, and keep serving what completes.
      if (!enter_error_reported_) {
        std::fprintf(stderr, "iomb-aio: io_uring_submit_and_wait: %s\n", std::strerror(-rc));
        enter_error_reported_ = true;
      }
      counters_.add_local(Counter::kErrorsOther);
    }
    now_ms_ = now_ms();
    const bool was_stopping = stopping_;
    process_completions();
    if (stopping_ && !was_stopping) stop_started_ms = now_ms_;
  }
  if (cq_overflows_ != 0 || buffer_ring_dry_ != 0 || copied_bytes_ != 0 || shed_stuck_ != 0) {
    // Not counters of the stopped line (shared by every model), but worth knowing when tuning
    // --buffer-count and the CQ size.
    std::fprintf(stderr,
                 "iomb-aio: the buffer ring ran dry %llu times, the completion queue overflowed "
                 "%llu times; under ring pressure %llu bytes were copied out of the ring and "
                 "%llu stuck sends cancelled; %llu stuck connections were closed with the "
                 "overflow space full\n",
                 static_cast<unsigned long long>(buffer_ring_dry_),
                 static_cast<unsigned long long>(cq_overflows_),
                 static_cast<unsigned long long>(copied_bytes_),
                 static_cast<unsigned long long>(cancelled_sends_),
                 static_cast<unsigned long long>(shed_stuck_));
  }
  // Connections left after the deadline: the ring's teardown cancels their requests; close
  // plain descriptors here (direct descriptors go with the ring).
  if (!is_fixed()) {
    for (uint32_t i = 0; i < table_.high_water(); ++i) {
      Connection& c = table_[i];
      if (c.in_use && c.fd_open) ::close(c.fd);
    }
  }
  store_scope_.reset();  // (already detached by begin_stop)
  ring_.reset();
  buffers_.reset();
  store_io_.reset();  // closes link sockets the ring's teardown cancelled
}

void RingLoop::process_completions() {
  io_uring* ring = ring_->get();
  for (int round = 0; round < 64; ++round) {
    unsigned head;
    unsigned seen = 0;
    io_uring_cqe* cqe;
    io_uring_for_each_cqe(ring, head, cqe) {
      dispatch(*cqe);
      ++seen;
    }
    io_uring_cq_advance(ring, seen);
    // CQEs that did not fit were kept by the kernel (IORING_FEAT_NODROP); flush them now that
    // there is room rather than waiting for the next enter.
    if (!io_uring_cq_has_overflow(ring)) return;
    ++cq_overflows_;
    buffers_->publish();
    io_uring_get_events(ring);
  }
}

void RingLoop::dispatch(const io_uring_cqe& cqe) {
  const UserData ud = UserData::decode(cqe.user_data);
  switch (ud.op) {
    case Op::kAccept:
      on_accept(cqe);
      return;
    case Op::kTick:
      on_tick(cqe);
      return;
    case Op::kWake:
      if (!stopping_) begin_stop();
      return;
    case Op::kAcceptRetry:
      accept_armed_ = false;
      accept_paused_ = false;
      if (!stopping_) arm_accept();
      return;
    case Op::kPressureTimer:
      pressure_timer_armed_ = false;  // the loop looks at the ring again on its way round
      return;
    case Op::kStoreLink:
      store_io_->on_completion(ud, cqe);
      return;
    case Op::kCloseRejected:
    case Op::kCancelLoop:
      return;
    case Op::kRecv:
    case Op::kSend:
    case Op::kCancel:
    case Op::kClose:
    case Op::kShutdown:
      break;
  }
  // A zero-copy notification releases its buffer whatever became of the connection.
  if (ud.op == Op::kSend && (cqe.flags & IORING_CQE_F_NOTIF) && ud.buffer != kNoBuffer) {
    BufferMeta& m = buffers_->meta(ud.buffer);
    --m.zc_refs;
    buffers_->release_if_done(ud.buffer);
  }
  Connection& c = table_[ud.slot];
  if (!c.in_use || c.generation != ud.generation) {
    // Cannot happen (a slot is freed only once nothing is outstanding); never act on it.
    if (cqe.flags & IORING_CQE_F_BUFFER) {
      uint16_t bid = static_cast<uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
      buffers_->on_delivered(bid, 0);
      buffers_->recycle(bid);
    }
    counters_.add_local(Counter::kErrorsOther);
    return;
  }
  if (!(cqe.flags & IORING_CQE_F_MORE)) --c.outstanding;
  switch (ud.op) {
    case Op::kRecv:
      on_recv(ud.slot, cqe);
      break;
    case Op::kSend:
      if (ud.buffer == kNoBuffer) {
        if (cqe.flags & IORING_CQE_F_NOTIF) {
          http_on_notif(ud.slot);
        } else {
          http_on_send(ud.slot, cqe);
        }
      } else if (!(cqe.flags & IORING_CQE_F_NOTIF)) {
        on_send(ud.slot, ud, cqe);
      }
      break;
    case Op::kShutdown:  // failure (the peer is gone) shows up on the recv side as well
    case Op::kClose:
    case Op::kCancel:
    default:
      break;
  }
  maybe_release(ud.slot);
}

void RingLoop::on_accept(const io_uring_cqe& cqe) {
  // Paused (rearm_accept_after_pause): what the cancelled multishot still posts is stale.
  if (accept_paused_) return;
  const bool more = cqe.flags & IORING_CQE_F_MORE;
  if (!more) accept_armed_ = false;
  const int res = cqe.res;
  if (poll_accept_ && res > 0) {
    // The listener is readable: accept until it is drained. Not capped: a multishot poll posts
    // one completion per wake-up, and wake-ups that come while the ring is busy are merged, so
    // connections left in the backlog would wait for the next arrival (200 arriving while the
    // ring was busy left 72 there after a cap of 64 per completion).
    while (!stopping_) {
      int fd = accept_connection(listener_.get(), spare_fd_, SOCK_CLOEXEC);
      if (fd == -EAGAIN) break;
      if (fd == -EMFILE) {
        counters_.add_local(Counter::kRejected);  // shed by accept_connection
        break;
      }
      if (fd < 0) {
        counters_.add_local(Counter::kErrorsOther);
        break;
      }
      new_connection(fd, /*plain_fd=*/true);
    }
    if (!spare_fd_.armed()) {
      rearm_accept_after_pause(more);
      return;
    }
  } else if (res >= 0 && !poll_accept_) {
    if (!is_fixed() && SpareFd::reserve_short()) {
      // A shed is under way (in a sibling ring, perhaps) or the reserve lost a descriptor:
      // this one refills it (spare_fd.h).
      SpareFd::give_to_reserve(res);
      counters_.add_local(Counter::kRejected);
    } else {
      new_connection(res, /*plain_fd=*/false);
    }
  } else if (res == -ENFILE && is_fixed()) {
    // Direct descriptors: the kernel accepted the connection before it looked for a free
    // table slot, found none and closed it, so count it as shed (not doing so counted half
    // of the connections shed beyond --max-conns). Nothing was left pending by it: the
    // re-armed accept waits for the next connection and cannot spin.
    counters_.add_local(Counter::kRejected);
  } else if (res == -EMFILE || res == -ENFILE) {
    // Out of descriptors (or direct-descriptor slots). The kernel allocates the descriptor
    // before looking for a pending connection, so re-arming at once would spin: shed one
    // pending connection with the spare descriptor, then wait for the listener to become
    // readable again before accepting.
    if (spare_fd_.shed_one(listener_.get())) counters_.add_local(Counter::kRejected);
    if (!spare_fd_.armed()) {
      rearm_accept_after_pause(more);
    } else if (!more && !stopping_) {
      arm_accept_poll();
    }
    return;
  } else if (res < 0 && res != -ECANCELED && res != -EINTR && res != -ECONNABORTED &&
             res != -EAGAIN) {
    counters_.add_local(Counter::kErrorsOther);
    if (!more && !stopping_) arm_accept_retry();  // unexpected: back off instead of spinning
    return;
  }
  if (!more && !stopping_) arm_accept();
}

void RingLoop::rearm_accept_after_pause(bool more) {
  // Another thread of the process (a sibling ring, a store link) took the descriptor the spare
  // freed, so the spare is gone and nothing can be shed: the listener stays readable and a poll
  // or accept re-armed now would complete at once, for ever. Pause 10 ms, as nio does; the
  // spare is reopened at the next shed, once a descriptor is free.
  if (more) cancel_loop_op(ud(Op::kAccept));  // a multishot still armed would spin too
  if (stopping_) return;
  accept_paused_ = true;
  arm_accept_retry();
}

void RingLoop::new_connection(int fd, bool plain_fd) {
  IOMB_CHECK_IN_LOOP_THREAD(loop_thread_);
  UniqueFd plain(plain_fd ? fd : -1);
  if (stopping_ || !connections_.try_admit()) {
    reject(plain_fd ? plain.release() : fd, plain_fd);
    return;
  }
  uint32_t slot = table_.allocate();
  if (slot != kNoSlot && plain_fd && is_fixed()) {
    // accept4 gave a plain descriptor (prefork workers): move it into the direct table at the
    // slot's own index, free since the slot's previous socket was closed before the slot was
    // freed. Two syscalls per accepted connection, none per request.
    int rc =
        slot < direct_files_ ? io_uring_register_files_update(ring_->get(), slot, &fd, 1) : -ENFILE;
    if (rc != 1) {
      table_.free(slot);
      slot = kNoSlot;
    } else {
      plain.reset();
      fd = static_cast<int>(slot);
      plain_fd = false;
    }
  }
  if (slot == kNoSlot) {
    connections_.release();
    reject(plain_fd ? plain.release() : fd, plain_fd);
    return;
  }
  plain.release();
  Connection& c = table_[slot];
  c.fd = fd;
  c.fd_open = true;
  counters_.add_local(Counter::kAccepted);
  table_.touch(slot, now_ms_);
  if (http_ != nullptr) http_open(slot);
  arm_recv(slot);
}

void RingLoop::reject(int fd, bool plain_fd) {
  counters_.add_local(Counter::kRejected);
  if (plain_fd) {
    ::close(fd);  // prefork accept path: already paying syscalls
  } else {
    submit_close_rejected(fd);
  }
}

void RingLoop::on_tick(const io_uring_cqe& cqe) {
  const bool more = cqe.flags & IORING_CQE_F_MORE;
  if (cqe.res == -EINVAL && tick_multishot_) {
    tick_multishot_ = false;  // kernel < 6.4: re-arm a one-shot timeout every tick
  }
  if (cqe.res == -ECANCELED || stopping_) return;
  // The idle list is ordered by last activity: stop at the first connection still active.
  uint32_t slot;
  while (options_.idle_timeout_ms > 0 && (slot = table_.idle_oldest()) != kNoSlot &&
         now_ms_ - table_[slot].last_active_ms >= options_.idle_timeout_ms) {
    close_connection(slot, close_reason(slot, Counter::kClosedIdle));
  }
  if (http_ != nullptr) sweep_lingering();
  if (!more) arm_tick();
}

void RingLoop::begin_stop() {
  stopping_ = true;
  // The store first: its visits in flight complete (503) while their connections still exist.
  store_scope_.reset();
  if (accept_armed_) {
    cancel_loop_op(ud(Op::kAccept));
    cancel_loop_op(ud(Op::kAcceptRetry));
  }
  if (tick_ms_ != 0) cancel_loop_op(ud(Op::kTick));
  for (uint32_t i = 0; i < table_.high_water(); ++i) {
    if (table_[i].in_use) close_connection(i, Counter::kClosedByServer);
  }
}

// ---------------------------------------------------------------------------------------------
// Connection life

}  // namespace iomb::aio

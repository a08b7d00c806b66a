// The io_uring load backend (see load_backends.h). One ring per load thread, created on it
// (SINGLE_ISSUER|DEFER_TASKRUN where the kernel has them: completions are then processed only
// inside our io_uring_enter, never by interrupting the thread). Each loop iteration prepares
// every connection's send and recv re-arm and enters the kernel once to submit them and wait,
// so the client pays about one syscall per iteration instead of two per message.
#include <liburing.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <system_error>

#include "harness/load/load_backends.h"
#include "harness/load/load_worker.h"

namespace iomb::harness {
namespace {

enum Op : uint64_t { kConnect = 1, kSend = 2, kRecv = 3, kShutdown = 4 };
constexpr int kOpBits = 3;

uint64_t tag(size_t index, Op op) { return (static_cast<uint64_t>(index) << kOpBits) | op; }

class UringLoop {
 public:
  explicit UringLoop(LoadWorker& w) : w_(w) {
    auto& conns = w.connections();
    unsigned entries =
        std::clamp<unsigned>(std::bit_ceil(static_cast<unsigned>(conns.size() * 2 + 8)), 64, 4096);
    unsigned cq =
        std::max<unsigned>(entries * 2, std::bit_ceil(static_cast<unsigned>(conns.size() * 4)));
    const unsigned attempts[] = {
        IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE,
        IORING_SETUP_COOP_TASKRUN | IORING_SETUP_CQSIZE, IORING_SETUP_CQSIZE};
    int rc = -EINVAL;
    for (unsigned flags : attempts) {
      io_uring_params p{};
      p.flags = flags;
      p.cq_entries = cq;
      rc = io_uring_queue_init_params(entries, &ring_, &p);
      if (rc != -EINVAL) break;
    }
    if (rc < 0) throw std::system_error(-rc, std::generic_category(), "io_uring_queue_init_params");
  }
  ~UringLoop() {
    // Exiting the ring cancels and waits for every outstanding request, so the connection
    // buffers (owned by the worker) are no longer referenced by the kernel afterwards.
    io_uring_queue_exit(&ring_);
    w_.close_sockets();
  }
  UringLoop(const UringLoop&) = delete;
  UringLoop& operator=(const UringLoop&) = delete;

  void run() {
    for (int64_t now = clock_ns(); w_.tick(now);) {
      flush(now);
      wait(w_.wait_budget_ns(now));
      now = clock_ns();
      reap(now);
    }
  }

 private:
  io_uring_sqe* sqe() {
    io_uring_sqe* s = io_uring_get_sqe(&ring_);
    if (!s) {
      io_uring_submit(&ring_);  // SQ full: hand what we have to the kernel, keep going
      s = io_uring_get_sqe(&ring_);
    }
    if (!s) throw std::system_error(EBUSY, std::generic_category(), "io_uring_get_sqe");
    return s;
  }

  void flush(int64_t now) {
    auto& dirty = w_.dirty();
    auto& conns = w_.connections();
    for (size_t k = 0; k < dirty.size(); ++k) {
      size_t i = dirty[k];
      ClientConnection& c = conns[i];
      c.dirty = false;
      if (c.ended) continue;
      if (c.state == ConnState::kNeedConnect) {
        if (w_.wants_connect()) start_connect(i, c, now);
        continue;
      }
      if (c.state != ConnState::kOpen && c.state != ConnState::kClosing) continue;
      if (!c.recv_armed) {
        io_uring_sqe* s = sqe();
        io_uring_prep_recv(s, c.fd, c.recv_buf.get(), c.recv_size, 0);
        io_uring_sqe_set_data64(s, tag(i, kRecv));
        c.recv_armed = true;
      }
      if (!c.send_inflight) {
        auto out = c.session->output();
        if (!out.empty()) {
          io_uring_sqe* s = sqe();
          io_uring_prep_send(s, c.fd, out.data(), out.size(), MSG_NOSIGNAL);
          io_uring_sqe_set_data64(s, tag(i, kSend));
          c.send_inflight = true;
        } else if (c.close_wanted && !c.shutdown_sent) {
          io_uring_sqe* s = sqe();
          io_uring_prep_shutdown(s, c.fd, SHUT_WR);
          io_uring_sqe_set_data64(s, tag(i, kShutdown));
          c.shutdown_sent = true;
          c.shutdown_inflight = true;
          c.state = ConnState::kClosing;
        }
      }
    }
    dirty.clear();
  }

  void start_connect(size_t i, ClientConnection& c, int64_t now) {
    if (!w_.open_socket(c, /*non_blocking=*/false, now)) return;
    c.connect_inflight = true;
    io_uring_sqe* s = sqe();
    io_uring_prep_connect(s, c.fd, w_.address(), w_.address_len());
    io_uring_sqe_set_data64(s, tag(i, kConnect));
  }

  void wait(int64_t budget_ns) {
    __kernel_timespec ts{budget_ns / 1'000'000'000, budget_ns % 1'000'000'000};
    io_uring_cqe* cqe = nullptr;
    int rc = io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
    if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EBUSY && rc != -EAGAIN) {
      throw std::system_error(-rc, std::generic_category(), "io_uring_submit_and_wait_timeout");
    }
  }

  void reap(int64_t now) {
    unsigned head;
    unsigned seen = 0;
    io_uring_cqe* cqe;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      ++seen;
      complete(io_uring_cqe_get_data64(cqe), cqe->res, now);
    }
    io_uring_cq_advance(&ring_, seen);
  }

  void complete(uint64_t data, int res, int64_t now) {
    size_t i = static_cast<size_t>(data >> kOpBits);
    auto op = static_cast<Op>(data & ((1u << kOpBits) - 1));
    ClientConnection& c = w_.connections()[i];
    switch (op) {
      case kConnect:
        c.connect_inflight = false;
        if (res < 0) {
          end(c, -res, now);
        } else {
          w_.on_connected(c, now);
        }
        return;
      case kSend:
        c.send_inflight = false;
        if (res > 0) {
          w_.on_sent(c, static_cast<size_t>(res));
          w_.mark_dirty(c);
        } else if (res == -EINTR || res == -EAGAIN || res == 0) {
          w_.mark_dirty(c);
        } else {
          end(c, -res, now);
        }
        break;
      case kRecv:
        c.recv_armed = false;
        if (res > 0) {
          if (!c.ended) {
            w_.on_received(c, c.recv_buf.get(), static_cast<size_t>(res), now);
            w_.mark_dirty(c);
          }
        } else if (res == 0) {
          end(c, 0, now);
        } else if (res == -EINTR || res == -EAGAIN || res == -ENOBUFS) {
          w_.mark_dirty(c);
        } else {
          end(c, -res, now);
        }
        break;
      case kShutdown:
        c.shutdown_inflight = false;
        if (res < 0) end(c, -res, now);
        break;
    }
    if (c.ended) finish_if_quiet(c, now);
  }

  // The socket is finished; close it once the kernel holds no request on it.
  void end(ClientConnection& c, int err, int64_t now) {
    if (!c.ended) {
      c.ended = true;
      c.end_error = err;
      // A send blocked on a peer that stopped reading would never complete: wake it.
      if (c.send_inflight || c.recv_armed) ::shutdown(c.fd, SHUT_RDWR);
    }
    finish_if_quiet(c, now);
  }

  void finish_if_quiet(ClientConnection& c, int64_t now) {
    // Also wait for a shutdown: io_uring may run it from a worker thread, resolving the fd
    // number only then, and the number may by then belong to this slot's next socket.
    if (c.send_inflight || c.recv_armed || c.connect_inflight || c.shutdown_inflight) return;
    if (c.fd >= 0) ::close(c.fd);
    c.fd = -1;
    w_.on_socket_closed(c, c.end_error, now);
  }

  LoadWorker& w_;
  io_uring ring_{};
};

}  // namespace

bool uring_client_available(std::string* why) {
  io_uring ring;
  int rc = io_uring_queue_init(4, &ring, 0);
  if (rc < 0) {
    if (why) *why = std::string("io_uring_queue_init: ") + std::system_category().message(-rc);
    return false;
  }
  io_uring_queue_exit(&ring);
  return true;
}

void run_uring_worker(LoadWorker& worker) {
  UringLoop loop(worker);
  loop.run();
}

}  // namespace iomb::harness

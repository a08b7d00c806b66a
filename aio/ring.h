// Ring: one io_uring instance (move-less RAII owner) and how it was set up. Created, used and
// destroyed by the single ring thread that owns it (IORING_SETUP_SINGLE_ISSUER ties the ring
// to its creating task).
#pragma once

#include <liburing.h>

#include <string>

namespace iomb::aio {

struct RingConfig {
  unsigned sq_entries = 1024;
  unsigned cq_entries = 4096;  // IORING_SETUP_CQSIZE; the kernel clamps it to its maximum
  bool sqpoll = false;
  // Testing only: act as if io_uring_queue_init_params failed with this errno (0 = no).
  int simulate_errno = 0;
};

class Ring {
 public:
  // Tries SINGLE_ISSUER|DEFER_TASKRUN, then COOP_TASKRUN|TASKRUN_FLAG, then plain (with
  // --sqpoll: SQPOLL|SINGLE_ISSUER, then SQPOLL). Throws UnavailableError when io_uring
  // itself is unavailable (ENOSYS, EPERM: kernel.io_uring_disabled, seccomp), otherwise
  // std::system_error.
  explicit Ring(const RingConfig& config);
  ~Ring();
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  io_uring* get() { return &ring_; }
  // Always returns an SQE: when the SQ is full it submits what is queued first.
  io_uring_sqe* sqe();
  // "single_issuer+defer_taskrun", "coop_taskrun", "plain", "sqpoll+single_issuer", ...
  const std::string& setup_name() const { return setup_name_; }
  unsigned cq_entries() const { return ring_.cq.ring_entries; }
  bool defer_taskrun() const { return (ring_.flags & IORING_SETUP_DEFER_TASKRUN) != 0; }

 private:
  io_uring ring_{};
  std::string setup_name_;
};

// Why io_uring is unavailable here, for the one stderr line ("kernel.io_uring_disabled=2").
std::string io_uring_unavailable_reason(int err);

}  // namespace iomb::aio

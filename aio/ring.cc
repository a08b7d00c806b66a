// Implementation of ring.h.
#include "aio/ring.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <system_error>
#include <vector>

#include "common/server_main.h"

namespace iomb::aio {
namespace {

struct Attempt {
  unsigned flags;
  const char* name;
};

std::vector<Attempt> attempts(bool sqpoll) {
  // SUBMIT_ALL: one failing SQE does not stop the rest of a batch from being submitted.
  const unsigned base = IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP | IORING_SETUP_SUBMIT_ALL;
  if (sqpoll) {
    // DEFER_TASKRUN needs the submitter to run task work itself, which SQPOLL excludes.
    return {{base | IORING_SETUP_SQPOLL | IORING_SETUP_SINGLE_ISSUER, "sqpoll+single_issuer"},
            {base | IORING_SETUP_SQPOLL, "sqpoll"}};
  }
  return {{base | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
           "single_issuer+defer_taskrun"},
          {base | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG, "coop_taskrun"},
          {base, "plain"}};
}

}  // namespace

std::string io_uring_unavailable_reason(int err) {
  std::string reason = std::string("io_uring_queue_init: ") + std::strerror(err);
  std::ifstream disabled("/proc/sys/kernel/io_uring_disabled");
  int value = 0;
  if (disabled >> value && value != 0) {
    reason += " (kernel.io_uring_disabled=" + std::to_string(value) + ")";
  } else if (err == EPERM) {
    reason += " (blocked by seccomp or a container policy?)";
  } else if (err == ENOSYS) {
    reason += " (kernel without io_uring)";
  }
  return reason;
}

Ring::Ring(const RingConfig& config) {
  if (config.simulate_errno != 0) {
    throw UnavailableError(io_uring_unavailable_reason(config.simulate_errno) +
                           " [simulated by --test-ring-failure]");
  }
  int last_err = 0;
  for (const Attempt& a : attempts(config.sqpoll)) {
    io_uring_params params{};
    params.flags = a.flags;
    params.cq_entries = config.cq_entries;
    if (config.sqpoll) params.sq_thread_idle = 100;  // ms before the SQ thread sleeps
    int rc = io_uring_queue_init_params(config.sq_entries, &ring_, &params);
    if (rc == 0) {
      setup_name_ = a.name;
      // Overflowed CQEs are kept by the kernel and flushed later only with NODROP; without it
      // they would be lost and a connection slot could leak. Every kernel with multishot recv
      // (6.0) has it, so this is a sanity check.
      if (!(params.features & IORING_FEAT_NODROP)) {
        io_uring_queue_exit(&ring_);
        throw UnavailableError("io_uring without IORING_FEAT_NODROP (kernel too old)");
      }
      // Saves the fget/fput of the ring fd on every io_uring_enter.
      io_uring_register_ring_fd(&ring_);
      return;
    }
    last_err = -rc;
    if (last_err == ENOSYS || last_err == EPERM) {
      throw UnavailableError(io_uring_unavailable_reason(last_err));
    }
    if (last_err != EINVAL) break;  // EINVAL: flags unknown to this kernel, try the next set
  }
  throw std::system_error(last_err, std::generic_category(), "io_uring_queue_init_params");
}

Ring::~Ring() { io_uring_queue_exit(&ring_); }

io_uring_sqe* Ring::sqe() {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    if (io_uring_sqe* s = io_uring_get_sqe(&ring_)) return s;
    int rc = io_uring_submit(&ring_);
    if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) break;
    // With SQPOLL the kernel thread frees SQ slots asynchronously.
    if (ring_.flags & IORING_SETUP_SQPOLL) io_uring_sqring_wait(&ring_);
  }
  // Unreachable unless the ring is broken; continuing would lose track of connections.
  std::fprintf(stderr, "iomb-aio: no submission queue entry available; aborting\n");
  std::abort();
}

}  // namespace iomb::aio

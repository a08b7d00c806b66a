// iomb-aio's own flags (added to the shared command line through ModelSpec::add_model_flags).
// Parsed on the main thread before any ring thread starts; read-only afterwards.
#pragma once

#include <cstdint>
#include <string>

namespace iomb::aio {

struct AioOptions {
  bool sqpoll = false;         // IORING_SETUP_SQPOLL: a kernel thread polls the SQ
  bool fixed_files = false;    // accept into direct descriptors, ops use IOSQE_FIXED_FILE
  bool zerocopy_send = false;  // IORING_OP_SEND_ZC; a buffer is recycled after its notification
  uint64_t buffer_size = 32 * 1024;  // bytes per provided buffer
  uint32_t buffer_count = 1024;      // provided buffers per ring (power of two, <= 32768)
  // Testing only: make ring setup fail as if io_uring_queue_init returned this errno name
  // (ENOSYS or EPERM), to exercise the "io_uring unavailable" exit path anywhere.
  std::string test_ring_failure;
  // Testing only: overflow space per ring in bytes (0 = the default 1 GiB reserve), so that a
  // test can run it out with a few peers.
  uint64_t test_overflow_bytes = 0;
};

}  // namespace iomb::aio

// BM_IoUringNop: io_uring's fixed cost per operation. Each iteration queues `batch` NOP
// requests, submits them with one io_uring_enter that also waits for their completions, and
// reaps the completions; reported per nop. Large batches show how far batching amortises the
// syscall (what a proactor gains by submitting many operations at once).
#include <liburing.h>

#include <cstring>
#include <string>

#include "bench/per_item_counter.h"

namespace iomb::bench {
namespace {

void BM_IoUringNop(benchmark::State& state) {
  const unsigned batch = static_cast<unsigned>(state.range(0));
  io_uring ring;
  if (int rc = io_uring_queue_init(64, &ring, 0); rc < 0) {
    state.SkipWithError(("io_uring unavailable: " + std::string(std::strerror(-rc))).c_str());
    return;
  }
  io_uring_cqe* cqes[64];
  bool ok = true;
  for (auto _ : state) {
    for (unsigned i = 0; i < batch; ++i) io_uring_prep_nop(io_uring_get_sqe(&ring));
    if (io_uring_submit_and_wait(&ring, batch) != static_cast<int>(batch)) {
      ok = false;
      break;
    }
    unsigned seen = io_uring_peek_batch_cqe(&ring, cqes, batch);
    for (unsigned i = 0; i < seen; ++i) ok = ok && cqes[i]->res == 0;
    io_uring_cq_advance(&ring, seen);
    if (!ok || seen != batch) {
      ok = false;
      break;
    }
  }
  io_uring_queue_exit(&ring);
  if (!ok) {
    state.SkipWithError("io_uring nop failed");
    return;
  }
  set_per_item_counters(state, batch, "nop");
}
BENCHMARK(BM_IoUringNop)->ArgName("batch")->Arg(1)->Arg(8)->Arg(32);

}  // namespace
}  // namespace iomb::bench

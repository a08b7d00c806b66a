// The cost of entering the kernel for nothing: a bare syscall (getppid) and an epoll_wait with
// timeout 0 on an empty epoll set, the call a reactor makes when it polls without blocking.
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench/per_item_counter.h"
#include "common/unique_fd.h"

namespace iomb::bench {
namespace {

void BM_Getppid(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(syscall(SYS_getppid));  // glibc does not cache it; be explicit
  }
  set_per_item_counters(state, 1, "call");
}
BENCHMARK(BM_Getppid);

void BM_EpollWaitEmpty(benchmark::State& state) {
  UniqueFd epoll(epoll_create1(EPOLL_CLOEXEC));
  if (!epoll) {
    state.SkipWithError("epoll_create1 failed");
    return;
  }
  epoll_event events[64];
  for (auto _ : state) {
    benchmark::DoNotOptimize(epoll_wait(epoll.get(), events, 64, 0));
  }
  set_per_item_counters(state, 1, "call");
}
BENCHMARK(BM_EpollWaitEmpty);

}  // namespace
}  // namespace iomb::bench

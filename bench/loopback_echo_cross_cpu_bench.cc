// BM_LoopbackEchoCrossCpu: the floor of a real echo server's work per message, with the peer
// on another CPU. BM_LoopbackRecvSend keeps both ends in one thread, so its send never wakes
// anyone and its recv never sleeps; a server answering a client on another CPU pays both: its
// send wakes the blocked client (a cross-CPU wake-up, an IPI in a VM), and when every message
// is answered its blocking recv sleeps and is woken. Here the benchmark thread plays the server
// (blocking recv + send on each of `conns` connections, in order), a peer thread pinned to
// another CPU plays a closed-loop client (one message on every connection, then all the echoes),
// and the time is the server thread's own CPU time (CLOCK_THREAD_CPUTIME_ID) per message.
// Both threads are created and joined by the benchmark function.
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <time.h>

#include <atomic>
#include <system_error>
#include <thread>
#include <vector>

#include "bench/loopback_pairs.h"
#include "bench/per_item_counter.h"

namespace iomb::bench {
namespace {

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// A CPU this process may not be restricted from (taskset narrows the mask, but a thread can
// widen its own), other than `not_this`; -1 when the machine has one CPU.
int other_cpu(int not_this) {
  const int n = static_cast<int>(std::thread::hardware_concurrency());
  for (int cpu = 0; cpu < n; ++cpu) {
    if (cpu != not_this) return cpu;
  }
  return -1;
}

bool pin_current_thread(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

// The client: rounds of one message per connection, then every echo, until a recv fails (the
// server side shut its ends down) or stop is set.
void run_peer(const LoopbackPairs& pairs, size_t size, int cpu, const std::atomic<bool>& stop) {
  if (!pin_current_thread(cpu)) return;
  std::vector<char> message(size, 'x');
  std::vector<char> buffer(size);
  while (!stop.load(std::memory_order_relaxed)) {
    for (int i = 0; i < pairs.size(); ++i) {
      if (!send_exact(pairs.client(i), message.data(), size)) return;
    }
    for (int i = 0; i < pairs.size(); ++i) {
      if (!recv_exact(pairs.client(i), buffer.data(), size)) return;
    }
  }
}

void BM_LoopbackEchoCrossCpu(benchmark::State& state) {
  const int conns = static_cast<int>(state.range(0));
  const size_t size = static_cast<size_t>(state.range(1));
  const int server_cpu = sched_getcpu();
  const int peer_cpu = other_cpu(server_cpu);
  if (peer_cpu < 0 || !pin_current_thread(server_cpu)) {
    state.SkipWithError("needs two CPUs (the peer runs on another CPU than the server)");
    return;
  }
  std::vector<char> buffer(size);
  bool ok = true;
  try {
    LoopbackPairs pairs(conns);
    std::atomic<bool> stop{false};
    std::thread peer(run_peer, std::cref(pairs), size, peer_cpu, std::cref(stop));
    for (auto _ : state) {
      const double start = thread_cpu_seconds();
      for (int i = 0; i < conns && ok; ++i) {
        ok = recv_exact(pairs.server(i), buffer.data(), size) &&
             send_exact(pairs.server(i), buffer.data(), size);
      }
      state.SetIterationTime(thread_cpu_seconds() - start);
      if (!ok) {
        state.SkipWithError("loopback recv/send failed");
        break;
      }
    }
    stop.store(true, std::memory_order_relaxed);
    // Wakes the peer wherever it blocks: its recv sees EOF, its send EPIPE.
    for (int i = 0; i < conns; ++i) shutdown(pairs.server(i), SHUT_RDWR);
    peer.join();
  } catch (const std::system_error& e) {
    state.SkipWithError(e.what());
    return;
  }
  if (!ok) return;
  set_per_item_counters(state, conns, "msg");
  state.SetBytesProcessed(state.iterations() * conns * static_cast<int64_t>(size));
}

BENCHMARK(BM_LoopbackEchoCrossCpu)
    ->ArgNames({"conns", "size"})
    ->ArgsProduct({{1, 100}, {64, 4096}})
    ->UseManualTime();

}  // namespace
}  // namespace iomb::bench

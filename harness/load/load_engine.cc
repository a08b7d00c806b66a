// Implementation of load_engine.h.
#include "harness/load/load_engine.h"

#include <sched.h>
#include <sys/resource.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "harness/load/echo_client.h"
#include "harness/load/http_client.h"
#include "harness/load/load_backends.h"
#include "harness/load/load_worker.h"
#include "harness/load/progress.h"
#include "harness/load/run_control.h"

namespace iomb::harness {
namespace {

double cpu_seconds_self() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  auto s = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

int allowed_cpu_count() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return std::max(1, CPU_COUNT(&set));
}

void sleep_until_ns(int64_t t) {
  int64_t left = t - clock_ns();
  if (left > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(left));
}

}  // namespace

std::string resolve_client_io(ClientIo requested, std::string* why) {
#ifdef IOMB_HAVE_URING
  std::string uring_why;
  bool uring = uring_client_available(&uring_why);
  if (requested == ClientIo::kUring && !uring) {
    *why = "--client-io uring: " + uring_why;
    return "";
  }
  if (requested == ClientIo::kEpoll || !uring) return "epoll";
  return "uring";
#else
  if (requested == ClientIo::kUring) {
    *why = "--client-io uring: built without io_uring (IOMB_ENABLE_IO_URING=OFF)";
    return "";
  }
  return "epoll";
#endif
}

LoadResult run_load(const LoadOptions& options, const LoadHooks& hooks) {
  LoadResult result;
  std::string why;
  result.client_io = resolve_client_io(options.client_io, &why);
  if (result.client_io.empty()) {
    result.error = why;
    return result;
  }
  const bool use_uring = result.client_io == "uring";
  const int threads = options.threads;
  EchoPattern pattern(options.seed);
  HttpTarget http;
  http.host_header = options.target;
  parse_http_path(options.path, &http.path);
  http.body_size = options.size;
  http.pipeline = options.pipeline;
  ClientProtocolFactory sessions{&options, &pattern,
                                 options.protocol == Protocol::kHttp ? &http : nullptr};
  RunControl control(threads);
  std::vector<WorkerProgress> progress(static_cast<size_t>(threads));
  std::vector<std::optional<WorkerResult>> results(static_cast<size_t>(threads));
  std::vector<std::thread> pool;
  uint64_t first_id = 0;
  for (int t = 0; t < threads; ++t) {
    int conns = options.connections / threads + (t < options.connections % threads ? 1 : 0);
    double rate = options.rate * conns / options.connections;
    pool.emplace_back([&, t, conns, rate, first_id] {
      std::optional<LoadWorker> worker;
      try {
        worker.emplace(options, sessions, t, first_id, conns, rate, control,
                       progress[static_cast<size_t>(t)]);
#ifdef IOMB_HAVE_URING
        if (use_uring) {
          run_uring_worker(*worker);
        } else {
          run_epoll_worker(*worker);
        }
#else
        (void)use_uring;
        run_epoll_worker(*worker);
#endif
        results[static_cast<size_t>(t)] = worker->take_result();
      } catch (const std::exception& e) {
        if (worker) {
          worker->fail(std::string("load thread ") + std::to_string(t) + ": " + e.what());
        } else {
          control.fail(std::string("load thread ") + std::to_string(t) + ": " + e.what(), false);
          control.connected.count_down();
        }
      }
    });
    first_id += static_cast<uint64_t>(conns);
  }

  control.connected.wait();
  const int64_t t0 = clock_ns() + 1'000'000;
  control.t0_ns.store(t0);
  control.go.count_down();

  const int64_t measure_at = t0 + options.warmup.count();
  const int64_t end_at = measure_at + options.duration.count();
  ProgressLine line(!options.quiet);
  bool started = false;
  double cpu_begin = 0;
  int64_t next_show = t0 + line.interval_ns();
  uint64_t last_completed = 0;
  int64_t last_show = t0;
  while (!control.abort.load()) {
    int64_t now = clock_ns();
    if (!started && now >= measure_at) {
      started = true;
      cpu_begin = cpu_seconds_self();
      if (hooks.on_measure_start) hooks.on_measure_start();
    }
    if (now >= end_at) break;
    if (now >= next_show) {
      uint64_t completed = 0;
      int64_t p99 = 0;
      for (auto& p : progress) {
        completed += p.completed.load(std::memory_order_relaxed);
        p99 = std::max(p99, p.last_p99_ns.load(std::memory_order_relaxed));
      }
      double rate = static_cast<double>(completed - last_completed) * 1e9 /
                    static_cast<double>(std::max<int64_t>(1, now - last_show));
      line.show(now < measure_at, static_cast<double>(end_at - now) / 1e9, rate, p99);
      last_completed = completed;
      last_show = now;
      next_show = now + line.interval_ns();
    }
    // Short sleeps so an abort (verification failure, dead server) ends the run promptly.
    int64_t wake = std::min({next_show, started ? end_at : measure_at, now + 100'000'000});
    sleep_until_ns(wake);
  }
  if (started) {
    result.client_cpu_s = cpu_seconds_self() - cpu_begin;
    if (hooks.on_measure_end) hooks.on_measure_end();
  }
  for (auto& th : pool) th.join();
  line.finish();

  for (auto& r : results) {
    if (r) result.merged.merge(*r);
  }
  result.client_cores = std::min(threads, allowed_cpu_count());
  result.derive(options);
  result.invalid = control.invalid();
  result.error = control.error();
  result.ok = result.error.empty() && started;
  if (!started && result.error.empty()) result.error = "the run ended before measuring";
  result.apply_error_limit(options);
  return result;
}

}  // namespace iomb::harness

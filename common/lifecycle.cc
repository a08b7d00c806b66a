// Implementation of lifecycle.h.
#include "common/lifecycle.h"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace iomb {

sigset_t stop_signal_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

void block_stop_signals() {
  ::signal(SIGPIPE, SIG_IGN);
  sigset_t set = stop_signal_set();
  sigaddset(&set, SIGUSR2);  // StopSignalWatcher's private wake-up
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

bool write_json_line(int fd, const nlohmann::json& line) {
  std::string text = line.dump() + "\n";
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

nlohmann::json ready_line(const std::string& model, const std::string& mode,
                          const std::string& host, uint16_t port, const nlohmann::json& extra) {
  nlohmann::json j{{"event", "listening"}, {"model", model}, {"mode", mode},
                   {"host", host},         {"port", port},   {"pid", ::getpid()}};
  for (auto& [k, v] : extra.items()) j[k] = v;
  return j;
}

nlohmann::json stopped_line(const std::string& model, const std::string& mode,
                            const CounterSnapshot& counters, const nlohmann::json& extra) {
  nlohmann::json j{{"event", "stopped"}, {"model", model}, {"mode", mode}, {"pid", ::getpid()}};
  const nlohmann::json values = counters.to_json();  // items() must not outlive it
  for (auto& [k, v] : values.items()) j[k] = v;
  for (auto& [k, v] : extra.items()) j[k] = v;
  return j;
}

StopSignalWatcher::StopSignalWatcher(std::function<void(int)> on_stop) {
  thread_ = std::thread([on_stop = std::move(on_stop)] {
    sigset_t set = stop_signal_set();
    sigaddset(&set, SIGUSR2);  // the destructor's wake-up
    int signo = 0;
    while (sigwait(&set, &signo) != 0) {
    }
    if (signo != SIGUSR2) on_stop(signo);
  });
}

StopSignalWatcher::~StopSignalWatcher() {
  // If no stop signal arrived, wake the thread with SIGUSR2, which every thread blocks
  // (block_stop_signals) and only this thread waits for.
  if (thread_.joinable()) {
    pthread_kill(thread_.native_handle(), SIGUSR2);
    thread_.join();
  }
}

}  // namespace iomb

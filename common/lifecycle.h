// The lifecycle lines the orchestrator depends on (DESIGN §3.2) and signal plumbing.
// block_stop_signals() must run on the main thread before any other thread starts, so every
// thread inherits the mask and SIGTERM/SIGINT are only ever taken by a StopSignalWatcher.
#pragma once

#include <signal.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "common/counters.h"

namespace iomb {

// Ignores SIGPIPE (servers also send with MSG_NOSIGNAL) and blocks SIGTERM, SIGINT in the
// calling thread (and so in every thread created after).
void block_stop_signals();

// The set blocked by block_stop_signals().
sigset_t stop_signal_set();

// Writes one JSON object as a single line to `fd` (write(2), no stdio buffering) and returns
// whether the whole line was written.
bool write_json_line(int fd, const nlohmann::json& line);

nlohmann::json ready_line(const std::string& model, const std::string& mode,
                          const std::string& host, uint16_t port, const nlohmann::json& extra);
nlohmann::json stopped_line(const std::string& model, const std::string& mode,
                            const CounterSnapshot& counters, const nlohmann::json& extra);

// A thread that waits for SIGTERM or SIGINT and then calls on_stop once. Destroying the
// watcher wakes and joins the thread if no signal came.
class StopSignalWatcher {
 public:
  explicit StopSignalWatcher(std::function<void(int signo)> on_stop);
  ~StopSignalWatcher();
  StopSignalWatcher(const StopSignalWatcher&) = delete;
  StopSignalWatcher& operator=(const StopSignalWatcher&) = delete;

 private:
  std::thread thread_;
};

}  // namespace iomb

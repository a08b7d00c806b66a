// FaultPlan: the one fault a cluster run injects (--kill-node, --pause-node, --kill-redis with
// --at and --restart-at), and FaultRunner, the thread that injects it at its times, counted
// from the start of the measured window, and records what it did and when.
// The plan is plain data; a FaultRunner is started and stopped by the cluster command's main
// thread (from the load run's window hooks) and runs the lab's fault methods on its own thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace iomb::cluster {

class ClusterLab;

struct FaultPlan {
  enum class Kind { kNone, kKillNode, kPauseNode, kKillRedis };
  Kind kind = Kind::kNone;
  int node = 0;
  std::chrono::nanoseconds at{0};
  std::chrono::nanoseconds restart_at{0};  // 0: never (a paused node is resumed, a killed one
                                           // or Redis started again, empty)
  // "kill node 1 at 3 s, restart at 6 s"; "none".
  std::string describe() const;
  const char* kind_name() const;
};

struct FaultEvent {
  double at_s = 0;  // since the start of the measured window
  std::string what;
};

class FaultRunner {
 public:
  FaultRunner(const FaultPlan& plan, ClusterLab& lab);
  ~FaultRunner();  // stops the thread (what is not done yet is not done)
  FaultRunner(const FaultRunner&) = delete;
  FaultRunner& operator=(const FaultRunner&) = delete;

  void start();       // the measured window starts now
  void end_window();  // no fault action from now on (the thread stays, see stop())
  // Joins; idempotent. Call it only after the lab has stopped: a node or Redis restarted by the
  // fault thread has that thread as its parent-death trigger (PR_SET_PDEATHSIG fires when the
  // creating *thread* exits), so the thread must outlive what it started.
  void stop();
  // What happened (valid after stop()).
  const std::vector<FaultEvent>& events() const { return events_; }

 private:
  void run();
  void act();
  bool sleep_until(std::chrono::steady_clock::time_point t);  // false once the window is over

  FaultPlan plan_;
  ClusterLab& lab_;
  std::chrono::steady_clock::time_point t0_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool window_over_ = false;
  bool stopping_ = false;
  std::vector<FaultEvent> events_;
};

}  // namespace iomb::cluster

// ForkedChild: a test helper process that waits for go(), runs a piece of work, reports done,
// then idles until the parent finishes it (so the parent can measure it while it is alive).
// Used by one test thread.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

namespace iomb::sampling::testing {

class ForkedChild {
 public:
  // work runs in the child after go(); it must not return to gtest (the helper _exits).
  explicit ForkedChild(std::function<void()> work) {
    int go[2], done[2];
    if (pipe2(go, O_CLOEXEC) != 0 || pipe2(done, O_CLOEXEC) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      close(go[1]);
      close(done[0]);
      char byte;
      if (read(go[0], &byte, 1) != 1) _exit(1);
      work();
      if (write(done[1], "d", 1) != 1) _exit(1);
      while (read(go[0], &byte, 1) > 0) {
      }
      _exit(0);
    }
    close(go[0]);
    close(done[1]);
    go_ = go[1];
    done_ = done[0];
  }
  ForkedChild(const ForkedChild&) = delete;
  ForkedChild& operator=(const ForkedChild&) = delete;
  ~ForkedChild() { finish(); }

  pid_t pid() const { return pid_; }
  bool go() { return write(go_, "g", 1) == 1; }
  // Waits (bounded) for the work to complete.
  bool wait_done(int timeout_ms = 30000) {
    pollfd pfd{done_, POLLIN, 0};
    if (poll(&pfd, 1, timeout_ms) != 1) return false;
    char byte;
    return read(done_, &byte, 1) == 1;
  }
  // Lets the child exit and reaps it; returns its wait status.
  int finish() {
    if (pid_ <= 0) return -1;
    close(go_);
    close(done_);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int go_ = -1;
  int done_ = -1;
};

// Burns at least `seconds` of this process's CPU time in user space.
inline void burn_cpu(double seconds) {
  timespec start{}, now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &start);
  volatile unsigned sink = 0;
  do {
    for (int i = 0; i < 100000; ++i) sink = sink * 31 + static_cast<unsigned>(i);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  } while (static_cast<double>(now.tv_sec - start.tv_sec) +
               static_cast<double>(now.tv_nsec - start.tv_nsec) / 1e9 <
           seconds);
}

}  // namespace iomb::sampling::testing

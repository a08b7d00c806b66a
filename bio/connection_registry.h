// ConnectionRegistry: the set of open connection fds, so that shutdown can wake every thread
// blocked in recv/send on them (shutdown(2) makes a blocked recv return 0). Any thread.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_set>

namespace iomb::bio {

class ConnectionRegistry {
 public:
  // Returns false (and does not add) once shutdown_all() has run.
  bool add(int fd);
  void remove(int fd);
  // shutdown(SHUT_RDWR) on every registered fd and refuses later adds.
  void shutdown_all();
  size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_set<int> fds_;
  bool closed_ = false;
};

}  // namespace iomb::bio

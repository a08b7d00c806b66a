// Implementation of connection_registry.h.
#include "bio/connection_registry.h"

#include <sys/socket.h>

namespace iomb::bio {

bool ConnectionRegistry::add(int fd) {
  std::lock_guard lock(mutex_);
  if (closed_) return false;
  fds_.insert(fd);
  return true;
}

void ConnectionRegistry::remove(int fd) {
  std::lock_guard lock(mutex_);
  fds_.erase(fd);
}

void ConnectionRegistry::shutdown_all() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  // The fd cannot be closed and reused while registered: its owner removes it (under this
  // mutex) before closing it.
  for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
}

size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mutex_);
  return fds_.size();
}

}  // namespace iomb::bio

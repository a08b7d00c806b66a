// ConnectionTable: the open connections of one IoLoop, owned here (a connection removes itself
// when its chain ends). It exists so that the idle sweep and shutdown can reach every
// connection: they run on the loop's strand while connection chains may run on other threads
// (shared io_context), so every access takes the mutex. The mutex is taken per accept, per
// close and per sweep, never per message. A connection is removed (under the mutex) before its
// socket is closed, so a visitor holding the mutex may use the connection's fd safely.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "asio/connection.h"

namespace iomb::asio {

class ConnectionTable {
 public:
  ConnectionTable() = default;
  ConnectionTable(const ConnectionTable&) = delete;
  ConnectionTable& operator=(const ConnectionTable&) = delete;

  // Takes ownership; returns the connection (for start()).
  Connection* add(std::unique_ptr<Connection> connection);
  // Gives ownership back to the caller (the connection itself, which then dies).
  std::unique_ptr<Connection> remove(Connection* connection);
  size_t size() const;

  // Calls f(Connection&) for every connection with the mutex held.
  template <typename F>
  void for_each(F&& f) {
    std::lock_guard lock(mutex_);
    for (auto& c : slots_) f(*c);
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> slots_;  // unordered; Connection::table_index_
};

}  // namespace iomb::asio

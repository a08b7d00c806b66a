// Implementation of connection_table.h.
#include "asio/connection_table.h"

namespace iomb::asio {

Connection* ConnectionTable::add(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(mutex_);
  connection->table_index_ = slots_.size();
  slots_.push_back(std::move(connection));
  return slots_.back().get();
}

std::unique_ptr<Connection> ConnectionTable::remove(Connection* connection) {
  std::lock_guard lock(mutex_);
  size_t index = connection->table_index_;
  std::unique_ptr<Connection> owned = std::move(slots_[index]);
  if (index + 1 != slots_.size()) {
    slots_[index] = std::move(slots_.back());
    slots_[index]->table_index_ = index;
  }
  slots_.pop_back();
  return owned;
}

size_t ConnectionTable::size() const {
  std::lock_guard lock(mutex_);
  return slots_.size();
}

}  // namespace iomb::asio

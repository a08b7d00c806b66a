// Implementation of client_connection.h.
#include "harness/load/client_connection.h"

namespace iomb::harness {

ClientConnection::ClientConnection(uint64_t id_, std::unique_ptr<ClientProtocol> session_,
                                   uint32_t fifo_capacity, size_t recv_bytes)
    : id(id_),
      session(std::move(session_)),
      fifo(fifo_capacity),
      recv_buf(std::make_unique<char[]>(recv_bytes)),
      recv_size(recv_bytes) {}

}  // namespace iomb::harness

// ClientConnection: everything the load generator keeps for one connection (socket, protocol
// session, in-flight request times, receive buffer, churn count, IO state flags). Owned by one
// load thread in a vector allocated before the run; the IO backends (uring, epoll) drive its
// state, the LoadWorker decides what it sends.
#pragma once

#include <cstdint>
#include <memory>

#include "harness/load/client_protocol.h"
#include "harness/load/request_fifo.h"

namespace iomb::harness {

enum class ConnState : uint8_t {
  kNeedConnect,  // no socket: the backend should open one and connect
  kConnecting,   // connect in progress
  kOpen,
  kClosing,  // our FIN sent (shutdown SHUT_WR), waiting for the server's FIN
  kClosed,   // closed for good (end of run)
  kDead,     // failed; not reconnected
};

struct ClientConnection {
  ClientConnection(uint64_t id_, std::unique_ptr<ClientProtocol> session_, uint32_t fifo_capacity,
                   size_t recv_bytes);

  uint64_t id;  // global index over all threads (reported with verification errors)
  int fd = -1;
  ConnState state = ConnState::kNeedConnect;
  std::unique_ptr<ClientProtocol> session;
  RequestFifo fifo;
  std::unique_ptr<char[]> recv_buf;
  size_t recv_size;
  uint64_t issued_on_socket = 0;     // requests since the last (re)connect, for --churn
  uint64_t incarnation = 0;          // how many sockets this slot has had
  uint64_t completed_in_window = 0;  // replies received in the measured window
  bool close_wanted = false;         // send FIN once all output is out
  bool shutdown_sent = false;
  bool send_inflight = false;      // uring: a send SQE is outstanding
  bool recv_armed = false;         // uring: a recv SQE is outstanding
  bool want_write = false;         // epoll: EPOLLOUT registered
  bool dirty = false;              // on the worker's dirty list
  bool connect_inflight = false;   // uring: a connect SQE is outstanding
  bool shutdown_inflight = false;  // uring: a shutdown SQE is outstanding
  bool ended = false;              // uring: finished, closing once no SQE is outstanding
  bool server_closing = false;     // the server said Connection: close: reconnect, not an error
  int end_error = 0;               // why it ended: 0 = FIN, else errno
};

}  // namespace iomb::harness

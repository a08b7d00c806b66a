// The seam between a session store that talks to another server over TCP (Redis, a replication
// peer) and the IO model that carries its bytes, like HttpCodec for client connections:
//  - StoreProtocol (common/, one per store connection): produces the bytes to send into its
//    output buffer and consumes the bytes received; it never touches a socket.
//  - LoopStoreIo (one per model, one instance per event-loop thread): opens StoreLinks, each a
//    persistent TCP connection that carries one StoreProtocol with the model's own IO (a
//    non-blocking socket on nio's epoll loop, ring operations in aio, an asio socket in asio, a
//    blocking socket in bio).
// The contract every LoopStoreIo keeps (tests/integration/session_store_*_test.cc check it
// against the real stores in every model):
//  - open_link() starts a non-blocking connect at once; connected() is false until it is up.
//    When up: protocol.on_connected() (which may append a handshake), then output is sent.
//  - flush(): the protocol appended output; send all of it, in order (short sends resumed; at
//    most one send in flight per link in aio and asio). While not connected, output waits.
//  - every byte received goes to protocol.on_input(), in order.
//  - a failed connect, an error, or EOF: close the socket, call protocol.on_disconnected()
//    (which fails what is in flight and clears the output), and connect again after a backoff
//    (kReconnectMinMs, doubling to kReconnectMaxMs, back to the minimum once connected).
//  - protocol.on_tick(now_ms) at least every kTickMs while the link exists (the protocol's
//    request deadlines; a replication heartbeat), on the loop thread.
//  - destroying the link closes its socket without calling the protocol; the loop destroys its
//    links (SessionStore::detach_loop) before its own state.
// Threads: a LoopStoreIo, its links and their protocols belong to one loop thread (bio: the
// link is used by the one connection thread that opened it, and blocks it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace iomb::store {

inline constexpr int64_t kTickMs = 10;
inline constexpr int64_t kReconnectMinMs = 10;
inline constexpr int64_t kReconnectMaxMs = 1000;

struct Endpoint {
  std::string host;
  uint16_t port = 0;
};

// "HOST:PORT" (a numeric IPv4 host, or "localhost"); throws std::invalid_argument naming `flag`.
Endpoint parse_endpoint(std::string_view text, std::string_view flag);

// Milliseconds on the monotonic clock every store and link share.
int64_t monotonic_ms();

class StoreProtocol {
 public:
  virtual ~StoreProtocol() = default;

  // The link is up: append a handshake to the output if the protocol has one.
  virtual void on_connected() = 0;
  // Bytes received, in order; may append output (the link sends it after the call returns).
  virtual void on_input(std::string_view data) = 0;
  // The connection failed or was lost: complete everything in flight (as failed) and drop the
  // output. A visit's callback may run from here.
  virtual void on_disconnected() = 0;
  // Time passed: fail requests past their deadline, send a heartbeat. May append output.
  virtual void on_tick(int64_t now_ms) = 0;
  // Nothing sent is awaiting its reply (bio's blocking link reads until this holds).
  virtual bool idle() const = 0;
  // Some request still sent or pending has a caller waiting for it (not idle, and not all
  // completed early by on_tick). A blocking link stops reading once a tick leaves none
  // waiting: the replies still owed would only be swallowed.
  virtual bool has_waiters() const { return !idle(); }

  // The output buffer, as in HttpCodec: bytes not yet handed to the socket, in order.
  std::string_view output() const { return std::string_view(out_).substr(out_pos_); }
  size_t pending_output() const { return out_.size() - out_pos_; }
  void consume_output(size_t n) {
    out_pos_ += n;
    if (out_pos_ >= out_.size()) clear_output();
  }
  // Moves all unsent output into `into` by swapping buffers (aio, asio: stable bytes while the
  // send is in flight; pass the buffer back next time so both keep their capacity).
  void take_output(std::string& into) {
    into.clear();
    if (out_pos_ > 0) out_.erase(0, out_pos_);
    out_pos_ = 0;
    out_.swap(into);
  }

 protected:
  void clear_output() {
    out_.clear();
    out_pos_ = 0;
  }
  std::string out_;
  size_t out_pos_ = 0;
};

class StoreLink {
 public:
  virtual ~StoreLink() = default;
  virtual bool connected() const = 0;
  // The protocol appended output outside its own callbacks: send it. bio's blocking link also
  // reads here, feeding on_input(), until protocol.idle() or the protocol's deadline passes
  // (it calls on_tick() on the way, so an overdue request fails).
  virtual void flush() = 0;
};

class LoopStoreIo {
 public:
  virtual ~LoopStoreIo() = default;
  // A persistent connection to `to` carrying `protocol`, which must outlive the link.
  virtual std::unique_ptr<StoreLink> open_link(const Endpoint& to, StoreProtocol& protocol) = 0;
  // The calling thread may block (BlockingStoreIo: bio, nio's workers): a store that keeps
  // connections open between visits (replication) carries them on threads of its own.
  virtual bool blocking() const { return false; }
};

}  // namespace iomb::store

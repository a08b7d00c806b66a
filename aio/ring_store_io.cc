// Implementation of ring_store_io.h. Ring thread only.
#include "aio/ring_store_io.h"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string_view>

namespace iomb::aio {
namespace {

// Defined by kernel 6.4 (io_uring.h of liburing >= 2.4); absent from liburing 2.3's header.
#ifndef IORING_TIMEOUT_MULTISHOT
constexpr unsigned IORING_TIMEOUT_MULTISHOT = 1U << 6;
#endif

constexpr uint32_t kTickSlot = UserData::kMaxSlots - 1;

uint64_t link_ud(StoreLinkOp op, uint16_t generation, uint32_t index) {
  return UserData{Op::kStoreLink, generation, static_cast<uint16_t>(op), index}.encode();
}

class RingStoreLink final : public store::StoreLink {
 public:
  RingStoreLink(RingStoreIo& io, uint32_t index) : io_(io), index_(index) {}
  ~RingStoreLink() override { io_.release(index_); }
  bool connected() const override { return io_.connected(index_); }
  void flush() override { io_.flush(index_); }

 private:
  RingStoreIo& io_;
  const uint32_t index_;
};

}  // namespace

RingStoreIo::~RingStoreIo() {
  for (auto& e : entries_) {
    if (e && e->fd >= 0) ::close(e->fd);
  }
}

std::unique_ptr<store::StoreLink> RingStoreIo::open_link(const store::Endpoint& to,
                                                         store::StoreProtocol& protocol) {
  uint32_t index;
  if (!free_.empty()) {
    index = free_.back();
    free_.pop_back();
  } else {
    index = static_cast<uint32_t>(entries_.size());
    entries_.push_back(std::make_unique<Entry>());
    entries_.back()->recv_buf = std::make_unique<char[]>(kRecvBytes);
  }
  Entry& e = *entries_[index];
  e.in_use = true;
  e.protocol = &protocol;
  e.addr = {};
  e.addr.sin_family = AF_INET;
  e.addr.sin_port = htons(to.port);
  ::inet_pton(AF_INET, to.host.c_str(), &e.addr.sin_addr);  // parse_endpoint checked it
  e.backoff_ms = store::kReconnectMinMs;
  ++live_;
  if (!tick_armed_) arm_tick();
  start_connect(index);
  return std::make_unique<RingStoreLink>(*this, index);
}

bool RingStoreIo::connected(uint32_t index) const {
  return entries_[index]->state == State::kConnected;
}

void RingStoreIo::flush(uint32_t index) { send_more(index); }

io_uring_sqe* RingStoreIo::entry_sqe(uint32_t index, StoreLinkOp op) {
  Entry& e = *entries_[index];
  io_uring_sqe* sqe = ring_.sqe();
  io_uring_sqe_set_data64(sqe, link_ud(op, e.generation, index));
  ++e.outstanding;
  ++entry_ops_;
  return sqe;
}

void RingStoreIo::start_connect(uint32_t index) {
  Entry& e = *entries_[index];
  // A blocking-mode socket: io_uring never blocks the ring thread on it (it issues each
  // operation non-blocking and waits with its own poll), whereas with O_NONBLOCK some kernels
  // hand -EAGAIN back to us instead of waiting.
  e.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (e.fd < 0) {
    e.protocol->on_disconnected();  // out of descriptors: try again later
    arm_backoff(index);
    return;
  }
  int one = 1;
  ::setsockopt(e.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  e.state = State::kConnecting;
  io_uring_sqe* sqe = entry_sqe(index, StoreLinkOp::kConnect);
  io_uring_prep_connect(sqe, e.fd, reinterpret_cast<const sockaddr*>(&e.addr), sizeof e.addr);
}

void RingStoreIo::arm_recv(uint32_t index) {
  Entry& e = *entries_[index];
  io_uring_sqe* sqe = entry_sqe(index, StoreLinkOp::kRecv);
  io_uring_prep_recv(sqe, e.fd, e.recv_buf.get(), kRecvBytes, 0);
  e.recv_armed = true;
}

void RingStoreIo::submit_send(uint32_t index) {
  Entry& e = *entries_[index];
  io_uring_sqe* sqe = entry_sqe(index, StoreLinkOp::kSend);
  io_uring_prep_send(sqe, e.fd, e.send_buf.data() + e.send_pos, e.send_buf.size() - e.send_pos,
                     MSG_NOSIGNAL);
  e.send_in_flight = true;
}

void RingStoreIo::send_more(uint32_t index) {
  Entry& e = *entries_[index];
  if (e.state != State::kConnected || e.send_in_flight || e.protocol == nullptr) return;
  if (e.send_pos == e.send_buf.size()) {
    if (e.protocol->pending_output() == 0) return;
    e.protocol->take_output(e.send_buf);  // swaps: the protocol keeps the old capacity
    e.send_pos = 0;
  }
  submit_send(index);
}

void RingStoreIo::on_completion(const UserData& ud, const io_uring_cqe& cqe) {
  const auto op = static_cast<StoreLinkOp>(ud.buffer);
  if (op == StoreLinkOp::kTick) {
    on_tick(cqe);
    return;
  }
  if (op == StoreLinkOp::kCancelTick) {
    --tick_cancels_;
    return;
  }
  if (ud.slot >= entries_.size()) return;
  Entry& e = *entries_[ud.slot];
  if (!e.in_use || e.generation != ud.generation) return;  // cannot happen: freed when idle
  --e.outstanding;
  --entry_ops_;
  if (op == StoreLinkOp::kRecv) e.recv_armed = false;
  if (op == StoreLinkOp::kSend) e.send_in_flight = false;
  if (op == StoreLinkOp::kBackoff) e.backoff_armed = false;
  if (e.protocol == nullptr) {
    if (e.outstanding == 0) free_entry(ud.slot);
    return;
  }
  switch (op) {
    case StoreLinkOp::kConnect:
      on_connect(ud.slot, cqe.res);
      break;
    case StoreLinkOp::kRecv:
      on_recv(ud.slot, cqe.res);
      break;
    case StoreLinkOp::kSend:
      on_send(ud.slot, cqe.res);
      break;
    case StoreLinkOp::kBackoff:
      if (e.state == State::kBackoff) start_connect(ud.slot);
      break;
    default:
      break;
  }
  if (e.state == State::kClosing && e.outstanding == 0) finish_close(ud.slot);
}

void RingStoreIo::on_connect(uint32_t index, int res) {
  Entry& e = *entries_[index];
  if (e.state != State::kConnecting) return;
  if (res < 0) {
    fail(index);
    return;
  }
  e.state = State::kConnected;
  e.backoff_ms = store::kReconnectMinMs;
  e.protocol->on_connected();
  arm_recv(index);
  send_more(index);
}

void RingStoreIo::on_recv(uint32_t index, int res) {
  Entry& e = *entries_[index];
  if (e.state != State::kConnected) return;
  if (res == -EINTR || res == -EAGAIN) {
    arm_recv(index);
    return;
  }
  if (res <= 0) {
    fail(index);  // EOF, reset, ...
    return;
  }
  e.protocol->on_input(std::string_view(e.recv_buf.get(), static_cast<size_t>(res)));
  if (e.protocol == nullptr || e.state != State::kConnected) return;
  arm_recv(index);
  send_more(index);
}

void RingStoreIo::on_send(uint32_t index, int res) {
  Entry& e = *entries_[index];
  if (e.state != State::kConnected) return;
  if (res == -EINTR || res == -EAGAIN) {
    submit_send(index);
    return;
  }
  if (res <= 0) {
    fail(index);
    return;
  }
  e.send_pos += static_cast<size_t>(res);  // short send: the rest goes next, same buffer
  send_more(index);
}

void RingStoreIo::fail(uint32_t index) {
  Entry& e = *entries_[index];
  e.state = State::kClosing;
  cancel_ops(index);
  e.protocol->on_disconnected();
  if (e.outstanding == 0) finish_close(index);
}

void RingStoreIo::cancel_ops(uint32_t index) {
  Entry& e = *entries_[index];
  if (e.fd >= 0 && (e.recv_armed || e.send_in_flight || e.state == State::kConnecting)) {
    io_uring_sqe* sqe = entry_sqe(index, StoreLinkOp::kCancel);
    io_uring_prep_cancel_fd(sqe, e.fd, IORING_ASYNC_CANCEL_ALL);
  }
  if (e.backoff_armed) {
    io_uring_sqe* sqe = entry_sqe(index, StoreLinkOp::kCancel);
    io_uring_prep_cancel64(sqe, link_ud(StoreLinkOp::kBackoff, e.generation, index), 0);
  }
}

void RingStoreIo::finish_close(uint32_t index) {
  Entry& e = *entries_[index];
  if (e.fd >= 0) {
    ::close(e.fd);
    e.fd = -1;
  }
  e.send_buf.clear();
  e.send_pos = 0;
  if (e.protocol == nullptr) {
    free_entry(index);
    return;
  }
  arm_backoff(index);
}

void RingStoreIo::arm_backoff(uint32_t index) {
  Entry& e = *entries_[index];
  e.state = State::kBackoff;
  e.backoff_ts.tv_sec = e.backoff_ms / 1000;
  e.backoff_ts.tv_nsec = (e.backoff_ms % 1000) * 1000000;
  e.backoff_ms = std::min(e.backoff_ms * 2, store::kReconnectMaxMs);
  io_uring_sqe* sqe = entry_sqe(index, StoreLinkOp::kBackoff);
  io_uring_prep_timeout(sqe, &e.backoff_ts, 0, 0);
  e.backoff_armed = true;
}

void RingStoreIo::release(uint32_t index) {
  Entry& e = *entries_[index];
  e.protocol = nullptr;  // never called again, whatever completes later
  --live_;
  if (live_ == 0 && tick_armed_ && !tick_cancel_sent_) {
    io_uring_sqe* sqe = ring_.sqe();
    io_uring_prep_cancel64(sqe, link_ud(StoreLinkOp::kTick, 0, kTickSlot), 0);
    io_uring_sqe_set_data64(sqe, link_ud(StoreLinkOp::kCancelTick, 0, kTickSlot));
    tick_cancel_sent_ = true;
    ++tick_cancels_;
  }
  if (e.outstanding == 0) {
    if (e.fd >= 0) ::close(e.fd);
    e.fd = -1;
    free_entry(index);
    return;
  }
  if (e.state != State::kClosing) cancel_ops(index);
  e.state = State::kClosing;
}

void RingStoreIo::free_entry(uint32_t index) {
  Entry& e = *entries_[index];
  if (e.fd >= 0) {
    ::close(e.fd);
    e.fd = -1;
  }
  e.in_use = false;
  ++e.generation;
  e.state = State::kBackoff;
  e.recv_armed = e.send_in_flight = e.backoff_armed = false;
  e.send_buf.clear();
  e.send_pos = 0;
  free_.push_back(index);
}

void RingStoreIo::arm_tick() {
  io_uring_sqe* sqe = ring_.sqe();
  // A multishot timeout (count 0 = forever) fires every kTickMs without being re-armed.
  io_uring_prep_timeout(sqe, &tick_ts_, 0, tick_multishot_ ? IORING_TIMEOUT_MULTISHOT : 0);
  io_uring_sqe_set_data64(sqe, link_ud(StoreLinkOp::kTick, 0, kTickSlot));
  tick_armed_ = true;
}

void RingStoreIo::on_tick(const io_uring_cqe& cqe) {
  if (!(cqe.flags & IORING_CQE_F_MORE)) {
    tick_armed_ = false;
    tick_cancel_sent_ = false;
    if (cqe.res == -EINVAL && tick_multishot_) tick_multishot_ = false;  // kernel < 6.4
  }
  if (cqe.res != -ECANCELED) {
    const int64_t now = store::monotonic_ms();
    for (uint32_t i = 0; i < entries_.size(); ++i) {
      Entry& e = *entries_[i];
      if (!e.in_use || e.protocol == nullptr) continue;
      e.protocol->on_tick(now);
      send_more(i);
    }
  }
  // Also after a cancel that crossed a new open_link().
  if (!tick_armed_ && live_ > 0) arm_tick();
}

}  // namespace iomb::aio

// Test support for the StoreLink unit tests of aio and asio: a StoreProtocol that records what
// its link did, and a loopback peer (non-blocking plain sockets, polled by the test's loop) that
// accepts the link, collects what it sends and sends it bytes. Test thread only.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "common/store/store_link.h"
#include "common/unique_fd.h"

namespace iomb::testing {

class FakeStoreProtocol final : public store::StoreProtocol {
 public:
  void on_connected() override {
    ++connected;
    out_ += "HELLO";
  }
  void on_input(std::string_view data) override { input.append(data); }
  void on_disconnected() override {
    ++disconnected;
    clear_output();
  }
  void on_tick(int64_t) override { ++ticks; }
  bool idle() const override { return true; }
  void append(std::string_view bytes) { out_.append(bytes); }

  int connected = 0;
  int disconnected = 0;
  int ticks = 0;
  std::string input;
};

class LoopbackPeer {
 public:
  LoopbackPeer() : listener_(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(listener_.get(), 8);
    socklen_t len = sizeof a;
    ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  store::Endpoint endpoint() const { return {"127.0.0.1", port_}; }
  // Stops listening: connects are refused from now on.
  void stop_listening() { listener_.reset(); }

  // Accepts, reads what arrived, sends what is queued (bounded per call).
  void poll() {
    if (!conn_ && listener_) {
      int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd >= 0) {
        conn_.reset(fd);
        ++accepted;
      }
    }
    if (!conn_) return;
    char buf[64 * 1024];
    for (int i = 0; i < 64; ++i) {
      ssize_t n = ::recv(conn_.get(), buf, sizeof buf, 0);
      if (n > 0) {
        received.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n == 0) conn_.reset();
      break;
    }
    while (conn_ && sent_ < to_send.size()) {
      ssize_t n = ::send(conn_.get(), to_send.data() + sent_, to_send.size() - sent_, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent_ += static_cast<size_t>(n);
    }
  }
  void close_connection() { conn_.reset(); }
  bool has_connection() const { return conn_.valid(); }

  int accepted = 0;
  std::string received;
  std::string to_send;

 private:
  UniqueFd listener_;
  UniqueFd conn_;
  uint16_t port_ = 0;
  size_t sent_ = 0;
};

}  // namespace iomb::testing

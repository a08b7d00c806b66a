// Implementation of store_link.h. Link handlers run on the link's strand.
#include "asio/store_link.h"

#include <algorithm>
#include <array>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/write.hpp>
#include <string>
#include <string_view>

namespace iomb::asio {

struct AsioStoreIo::Impl : std::enable_shared_from_this<Impl> {
  enum class State { kConnecting, kConnected, kBackoff, kStopped };
  using ErrorCode = boost::system::error_code;

  Impl(net::io_context& context, Strand link_strand, const store::Endpoint& to,
       store::StoreProtocol& link_protocol)
      : strand(std::move(link_strand)),
        socket(context.get_executor()),
        backoff_timer(context.get_executor()),
        tick_timer(context.get_executor()),
        endpoint(net::ip::make_address_v4(to.host), to.port),
        protocol(&link_protocol) {}

  template <class Handler>
  auto bound(Handler&& handler) {
    return net::bind_executor(strand, std::forward<Handler>(handler));
  }

  void start() {
    connect();
    arm_tick();
  }

  void connect() {
    ++epoch;
    state = State::kConnecting;
    ErrorCode ec;
    socket.open(net::ip::tcp::v4(), ec);
    if (ec) return fail();  // out of descriptors: try again later
    socket.set_option(net::ip::tcp::no_delay(true), ec);
    socket.async_connect(endpoint, bound([self = shared_from_this(), e = epoch](ErrorCode ec2) {
                           self->on_connect(e, ec2);
                         }));
  }

  void on_connect(uint64_t e, const ErrorCode& ec) {
    if (e != epoch || state != State::kConnecting) return;
    if (ec) return fail();
    state = State::kConnected;
    backoff_ms = store::kReconnectMinMs;
    protocol->on_connected();
    read();
    send_more();
  }

  void read() {
    socket.async_read_some(net::buffer(recv_buf),
                           bound([self = shared_from_this(), e = epoch](ErrorCode ec, size_t n) {
                             self->on_read(e, ec, n);
                           }));
  }

  void on_read(uint64_t e, const ErrorCode& ec, size_t n) {
    if (e != epoch || state != State::kConnected) return;
    if (ec) return fail();  // EOF, reset, ...
    protocol->on_input(std::string_view(recv_buf.data(), n));
    if (e != epoch || state != State::kConnected) return;
    read();
    send_more();
  }

  void send_more() {
    if (state != State::kConnected || writing || protocol->pending_output() == 0) return;
    protocol->take_output(send_buf);  // swaps: the protocol keeps the old buffer's capacity
    writing = true;
    net::async_write(socket, net::buffer(send_buf),
                     bound([self = shared_from_this(), e = epoch](ErrorCode ec, size_t) {
                       self->on_write(e, ec);
                     }));
  }

  void on_write(uint64_t e, const ErrorCode& ec) {
    if (e != epoch || state != State::kConnected) return;
    writing = false;
    if (ec) return fail();
    send_more();
  }

  void close_socket() {
    ++epoch;  // handlers of this socket still queued are stale
    writing = false;
    ErrorCode ignored;
    socket.close(ignored);
    send_buf.clear();
  }

  void fail() {
    close_socket();
    state = State::kBackoff;
    protocol->on_disconnected();
    if (state != State::kBackoff) return;  // stopped from inside the callback
    backoff_timer.expires_after(std::chrono::milliseconds(backoff_ms));
    backoff_ms = std::min(backoff_ms * 2, store::kReconnectMaxMs);
    backoff_timer.async_wait(bound([self = shared_from_this(), e = epoch](ErrorCode ec) {
      if (!ec && e == self->epoch && self->state == State::kBackoff) self->connect();
    }));
  }

  void arm_tick() {
    tick_timer.expires_after(std::chrono::milliseconds(store::kTickMs));
    tick_timer.async_wait(bound([self = shared_from_this()](ErrorCode ec) {
      if (ec || self->state == State::kStopped) return;
      self->protocol->on_tick(store::monotonic_ms());
      self->send_more();
      if (self->state != State::kStopped) self->arm_tick();
    }));
  }

  // For good: `notify` tells the protocol (the loop stopping), the handle's destruction does not.
  void stop(bool notify) {
    if (state == State::kStopped) return;
    const bool was_up = state == State::kConnected;
    close_socket();
    state = State::kStopped;
    backoff_timer.cancel();
    tick_timer.cancel();
    if (notify && was_up) protocol->on_disconnected();
  }

  Strand strand;
  TcpSocket socket;
  SteadyTimer backoff_timer;
  SteadyTimer tick_timer;
  const net::ip::tcp::endpoint endpoint;
  store::StoreProtocol* const protocol;
  State state = State::kConnecting;
  uint64_t epoch = 0;  // bumped per socket: completions of an older one are ignored
  bool writing = false;
  int64_t backoff_ms = store::kReconnectMinMs;
  std::string send_buf;  // being written; stable until the write completes
  std::array<char, 64 * 1024> recv_buf{};
};

namespace {

class AsioStoreLink final : public store::StoreLink {
 public:
  explicit AsioStoreLink(std::shared_ptr<AsioStoreIo::Impl> impl) : impl_(std::move(impl)) {}
  ~AsioStoreLink() override { impl_->stop(/*notify=*/false); }
  bool connected() const override { return impl_->state == AsioStoreIo::Impl::State::kConnected; }
  void flush() override { impl_->send_more(); }

 private:
  std::shared_ptr<AsioStoreIo::Impl> impl_;
};

}  // namespace

AsioStoreIo::~AsioStoreIo() = default;

std::unique_ptr<store::StoreLink> AsioStoreIo::open_link(const store::Endpoint& to,
                                                         store::StoreProtocol& protocol) {
  auto impl = std::make_shared<Impl>(
      context_, strand_ != nullptr ? *strand_ : Strand(context_.get_executor()), to, protocol);
  std::lock_guard lock(mutex_);
  std::erase_if(links_, [](const std::weak_ptr<Impl>& w) { return w.expired(); });
  links_.push_back(impl);
  if (stopped_) {
    impl->state = Impl::State::kStopped;
  } else {
    impl->start();
  }
  return std::make_unique<AsioStoreLink>(std::move(impl));
}

void AsioStoreIo::shutdown() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  for (auto& w : links_) {
    if (auto impl = w.lock()) impl->stop(/*notify=*/true);
  }
}

}  // namespace iomb::asio

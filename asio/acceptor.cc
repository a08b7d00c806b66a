// Implementation of acceptor.h. Handlers run on the loop's strand.
#include "asio/acceptor.h"

#include <sys/socket.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/error.hpp>
#include <cerrno>
#include <chrono>
#include <new>
#include <system_error>

#include "asio/io_loop.h"

namespace iomb::asio {
namespace {

constexpr std::chrono::milliseconds kBackOff(20);

net::ip::tcp listener_protocol(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    throw std::system_error(errno, std::generic_category(), "getsockname");
  }
  return ss.ss_family == AF_INET6 ? net::ip::tcp::v6() : net::ip::tcp::v4();
}

}  // namespace

Acceptor::Acceptor(IoLoop& loop, net::io_context& context, Strand& strand, UniqueFd listener,
                   HandlerMemory& memory)
    : loop_(loop),
      context_(context),
      strand_(strand),
      memory_(memory),
      acceptor_(context.get_executor()),
      backoff_timer_(context.get_executor()) {
  boost::system::error_code ec;
  acceptor_.assign(listener_protocol(listener.get()), listener.get(), ec);
  if (ec) throw std::system_error(ec.value(), std::generic_category(), "asio acceptor assign");
  listener.release();  // the acceptor owns it now
}

void Acceptor::start() { accept(); }

void Acceptor::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);  // the pending accept completes with operation_aborted
  backoff_timer_.cancel();
}

void Acceptor::accept() {
  // The move-accept creates the peer socket on this loop's io_context.
  acceptor_.async_accept(
      context_.get_executor(),
      net::bind_executor(strand_, with_memory(memory_, [this](const boost::system::error_code& ec,
                                                              TcpSocket socket) {
                           on_accept(ec, std::move(socket));
                         })));
}

void Acceptor::on_accept(const boost::system::error_code& ec, TcpSocket socket) {
  if (stopped_) return;  // `socket` (if any) closes here
  if (!ec) {
    if (SpareFd::reserve_short()) {
      // A sibling acceptor's shed is under way or its reserve descriptor was lost: this
      // connection's descriptor refills the reserve (spare_fd.h).
      boost::system::error_code ignored;
      socket.close(ignored);
      spare_fd_.rearm();
      loop_.counters().add(Counter::kRejected);
      return accept();
    }
    try {
      loop_.on_accepted(std::move(socket));
    } catch (const std::bad_alloc&) {
      // No memory for this connection: it is shed (its socket closes), accepting goes on. An
      // exception leaving this handler would end the accept chain for good.
      loop_.counters().add(Counter::kRejected);
    }
    return accept();
  }
  if (ec == net::error::operation_aborted) return;
  if (ec.value() == EMFILE || ec.value() == ENFILE) {
    if (spare_fd_.shed_one(acceptor_.native_handle())) {
      loop_.counters().add(Counter::kRejected);
      return accept();
    }
    return back_off();  // not even the spare helped: wait for descriptors to be freed
  }
  if (ec == net::error::connection_aborted || ec == net::error::interrupted ||
      ec == net::error::would_block || ec.value() == EPROTO) {
    return accept();  // that connection is gone; the next one may be fine
  }
  // ENOBUFS, ENOMEM and the like: back off instead of spinning.
  loop_.counters().add(Counter::kErrorsOther);
  back_off();
}

void Acceptor::back_off() {
  backoff_timer_.expires_after(kBackOff);
  backoff_timer_.async_wait(
      net::bind_executor(strand_, with_memory(memory_, [this](const boost::system::error_code& ec) {
                           if (!ec && !stopped_) accept();
                         })));
}

}  // namespace iomb::asio

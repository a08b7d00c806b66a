// The Boost.Asio types iomb-asio uses, all bound to io_context::executor_type rather than the
// default type-erased any_io_executor (which would add an indirection and a larger operation
// object to every asynchronous call). Header only; no state.
#pragma once

#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>

namespace iomb::asio {

namespace net = boost::asio;

using Executor = net::io_context::executor_type;
using TcpSocket = net::basic_stream_socket<net::ip::tcp, Executor>;
using TcpAcceptor = net::basic_socket_acceptor<net::ip::tcp, Executor>;
using SteadyTimer =
    net::basic_waitable_timer<std::chrono::steady_clock,
                              net::wait_traits<std::chrono::steady_clock>, Executor>;
using Strand = net::strand<Executor>;

}  // namespace iomb::asio

// NioServer: the epoll reactor server in its three modes.
//   reactors: --threads independent EventLoops, each accepting on its own SO_REUSEPORT socket
//             (the kernel spreads connections); the loops share nothing but the --max-conns
//             count. Under --processes they share the inherited socket instead (server.cc).
//   acceptor: one Acceptor thread hands sockets round-robin to --threads EventLoops through
//             their eventfd-woken queues (muduo's one loop per thread).
//   workers:  acceptor plus a WorkerPool (--workers threads): sessions may hand requests to the
//             pool and get the responses back via their loop's eventfd. HTTP hands over every
//             request that may block or burn CPU (--work-us, --block-us, /session), so a
//             blocking handler stalls a worker, not the loop. Echo never does, so for echo
//             this mode behaves exactly like acceptor.
// --protocol http: one HttpService per server (shared by every loop and worker), an
// HttpHandler (http_handler.h) per connection.
// run() on the main thread (it runs loop 0 or the acceptor itself); request_stop() any thread.
#pragma once

#include <memory>
#include <thread>
#include <vector>

#include "common/http/http_service.h"
#include "common/server.h"
#include "nio/acceptor.h"
#include "nio/event_loop.h"
#include "nio/server_context.h"
#include "nio/worker_pool.h"

namespace iomb::nio {

class NioServer : public Server {
 public:
  // Setup errors throw std::system_error.
  NioServer(const ServerOptions& options, const NioOptions& nio, UniqueFd listener);
  ~NioServer() override;

  void run() override;
  void request_stop() override;
  CounterSnapshot counters() const override;
  nlohmann::json ready_info() const override;
  nlohmann::json stopped_info() const override;

 private:
  const ServerOptions options_;
  const NioOptions nio_;
  ServerContext context_;
  std::unique_ptr<http::HttpService> http_;  // --protocol http; outlives every session
  std::unique_ptr<WorkerPool> pool_;
  std::vector<std::unique_ptr<EventLoop>> loops_;
  std::unique_ptr<Acceptor> acceptor_;  // acceptor and workers modes
};

}  // namespace iomb::nio

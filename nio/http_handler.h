// HttpHandler: HTTP/1.1 (common/http's HttpCodec and the process's HttpService) as a nio
// ProtocolHandler. Reactors/acceptor: the codec answers inline (Dispatch::kInline) on the loop
// thread. Workers: the codec stops at each parsed request (Dispatch::kDeferred); a request whose
// handling may block or burn CPU (--work-us, --block-us, /session) goes to the worker pool,
// the handler being its own Job, and the loop serves other connections until the response
// comes back via its eventfd; cheap requests are answered inline on the loop thread.
// An asynchronous session store (reactors/acceptor: the loop's NioStoreIo) completes a visit
// later, on the loop thread: on_codec_output() sends the response and whatever the codec
// answered after it, and tells the connection (HandlerIo::on_async_output); meanwhile busy()
// keeps the connection (and this handler) alive. In workers mode the workers' stores block
// (BlockingStoreIo), so visits complete on the worker inside the job.
// Every call on the connection's loop thread, except run() (a worker, between submit() and
// on_job_done(), while the connection does not read).
#pragma once

#include "common/http/http_codec.h"
#include "common/http/http_service.h"
#include "nio/protocol_handler.h"

namespace iomb::nio {

class HttpHandler final : public ProtocolHandler, private Job, private http::HttpCodec::Listener {
 public:
  // `deferred`: workers mode (hand expensive requests to the pool).
  HttpHandler(const http::HttpService& service, bool deferred);

  HandlerStatus on_input(std::span<const char> in, HandlerIo& io) override;
  HandlerStatus on_job_done(Job& job, HandlerIo& io) override;
  bool mid_request() const override { return codec_.mid_request(); }
  // A visit is in flight outside a job (while a job runs, the connection waits for the job).
  bool busy() const override { return codec_.busy() && !in_job_; }
  bool want_read() const override { return codec_.want_read(); }

 private:
  // Worker thread: the handler of the claimed request.
  void run() override { codec_.handle_request(); }
  void on_codec_output(http::HttpCodec& codec) override;
  // Hands on or answers every request that is ready, then sends the codec's output.
  HandlerStatus drive(HandlerIo& io);
  void flush(HandlerIo& io);
  bool needs_worker() const;

  http::HttpCodec codec_;
  const bool offload_all_;   // --work-us or --block-us: every handled request may be slow
  HandlerIo* io_ = nullptr;  // the connection, known from the first on_input()
  bool in_job_ = false;      // submitted to the pool, on_job_done() not yet called
};

}  // namespace iomb::nio

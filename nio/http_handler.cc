// Implementation of http_handler.h.
#include "nio/http_handler.h"

namespace iomb::nio {

HttpHandler::HttpHandler(const http::HttpService& service, bool deferred)
    : codec_(service,
             deferred ? http::HttpCodec::Dispatch::kDeferred : http::HttpCodec::Dispatch::kInline,
             this),
      offload_all_(service.options().work_us > 0 || service.options().block_us > 0) {}

HandlerStatus HttpHandler::on_input(std::span<const char> in, HandlerIo& io) {
  io_ = &io;
  codec_.on_input(std::string_view(in.data(), in.size()));
  return drive(io);
}

HandlerStatus HttpHandler::on_job_done(Job& /*job*/, HandlerIo& io) {
  in_job_ = false;
  codec_.finish_request();  // appends the worker's response, parses what waited in the stash
  return drive(io);
}

void HttpHandler::on_codec_output(http::HttpCodec& /*codec*/) {
  // A visit can only start from on_input() or on_job_done(), which set io_.
  if (io_ == nullptr) return;
  HandlerStatus status = drive(*io_);
  io_->on_async_output(status);
}

bool HttpHandler::needs_worker() const {
  // 404/405 answers skip the simulated work, but telling them apart here would duplicate the
  // service's routing; handing them to the pool too is only slower, never wrong.
  return offload_all_ || codec_.request().route == http::Route::kSession;
}

void HttpHandler::flush(HandlerIo& io) {
  // write() sends at once or copies the rest into the connection's bounded buffer, so the
  // codec's buffer is emptied (and keeps its capacity) every time.
  std::string_view out = codec_.output();
  if (out.empty()) return;
  io.write(std::span<const char>(out.data(), out.size()));
  codec_.consume_output(out.size());
}

HandlerStatus HttpHandler::drive(HandlerIo& io) {
  // kInline: on_input answered everything, so the loop body never runs. kDeferred: one
  // request at a time; the cheap ones are answered here and their responses accumulate, so a
  // pipelined burst costs one write, as in inline mode (not one write per response).
  while (!io.closed() && codec_.take_ready_request()) {
    if (needs_worker()) {
      flush(io);               // the responses ahead of the handed-off request go out now
      if (io.closed()) break;  // the connection is gone with its half-taken request
      if (io.submit(*this)) {
        in_job_ = true;
        io.count_requests(codec_.take_responses());
        return HandlerStatus::kAwaitJob;
      }
    }
    codec_.handle_request();  // cheap (or the pool is stopping): answer on the loop thread
    codec_.finish_request();
  }
  flush(io);
  io.count_requests(codec_.take_responses());
  return codec_.should_close() ? HandlerStatus::kCloseAfterFlush : HandlerStatus::kContinue;
}

}  // namespace iomb::nio

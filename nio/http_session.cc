// Implementation of http_session.h.
#include "nio/http_session.h"

namespace iomb::nio {

HttpSession::HttpSession(const http::HttpService& service, bool deferred)
    : codec_(service,
             deferred ? http::HttpCodec::Dispatch::kDeferred : http::HttpCodec::Dispatch::kInline),
      offload_all_(service.options().work_us > 0 || service.options().block_us > 0) {}

SessionStatus HttpSession::on_input(std::span<const char> in, SessionIo& io) {
  codec_.on_input(std::string_view(in.data(), in.size()));
  return drive(io);
}

SessionStatus HttpSession::on_job_done(Job& /*job*/, SessionIo& io) {
  codec_.finish_request();  // appends the worker's response, parses what waited in the stash
  return drive(io);
}

bool HttpSession::needs_worker() const {
  // 404/405 answers skip the simulated work, but telling them apart here would duplicate the
  // service's routing; handing them to the pool too is only slower, never wrong.
  return offload_all_ || codec_.request().route == http::Route::kSession;
}

void HttpSession::flush(SessionIo& io) {
  // write() sends at once or copies the rest into the connection's bounded buffer, so the
  // codec's buffer is emptied (and keeps its capacity) every time.
  std::string_view out = codec_.output();
  if (out.empty()) return;
  io.write(std::span<const char>(out.data(), out.size()));
  codec_.consume_output(out.size());
}

SessionStatus HttpSession::drive(SessionIo& io) {
  // kInline: on_input answered everything, so the loop body never runs. kDeferred: one
  // request at a time; the cheap ones are answered here and their responses accumulate, so a
  // pipelined burst costs one write, as in inline mode (not one write per response).
  while (!io.closed() && codec_.take_ready_request()) {
    if (needs_worker()) {
      flush(io);               // the responses ahead of the handed-off request go out now
      if (io.closed()) break;  // the connection is gone with its half-taken request
      if (io.submit(*this)) {
        io.count_requests(codec_.take_responses());
        return SessionStatus::kAwaitJob;
      }
    }
    codec_.handle_request();  // cheap (or the pool is stopping): answer on the loop thread
    codec_.finish_request();
  }
  flush(io);
  io.count_requests(codec_.take_responses());
  return codec_.should_close() ? SessionStatus::kCloseAfterFlush : SessionStatus::kContinue;
}

}  // namespace iomb::nio

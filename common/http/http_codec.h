// HttpCodec: one HTTP connection's protocol state, independent of the IO model. The server
// feeds it the bytes it received and sends the bytes it produces; the codec never touches a
// socket. Inside: the request parser (state kept across reads), the current Request, the
// output buffer (responses in request order), and a stash for input that arrived while a
// request was being handled elsewhere (a worker, an asynchronous session store).
//
// Two ways to run the handler (HttpService::handle):
//  - kInline (bio, nio:reactors, aio, asio): on_input() parses and answers every complete
//    request at once, on the calling thread.
//  - kDeferred (nio:workers): on_input() stops at each complete request; the IO thread claims
//    it with take_ready_request(), a worker runs handle_request(), the IO thread then calls
//    finish_request(), which appends the response and parses what waited in the stash (maybe
//    making the next request ready).
// A /session visit may complete later (asynchronous store): the codec holds every later
// request in the stash until it completes, so responses stay in order; the completion (on the
// IO thread) appends the response and continues, then tells the Listener to send.
//
// A request that switches protocols (POST /replication, Upgrade: iomb-replication, to a
// replicated store) is answered 101 and the connection becomes a stream: every later byte goes
// to the store's UpgradedStream, whose replies go to the same output. A stream is never
// mid_request() (a peer's link is idle between deltas, and sends heartbeats).
//
// Steady state allocates nothing: the Request's strings, the stash and the output buffer keep
// their capacity across requests.
// Threads: everything on the connection's IO thread, except handle_request() (kDeferred),
// which runs on a worker between take_ready_request() and finish_request(); meanwhile the IO
// thread may call on_input() (stashes), output()/consume_output()/take_output() and the
// queries, which touch nothing handle_request() touches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/http/http_service.h"
#include "common/http/request.h"
#include "common/http/request_parser.h"

namespace iomb::http {

class HttpCodec final : private VisitCallback {
 public:
  enum class Dispatch { kInline, kDeferred };

  // Told when output appeared outside on_input()/finish_request(), i.e. when an asynchronous
  // session store completed. Called on the IO thread.
  class Listener {
   public:
    virtual void on_codec_output(HttpCodec& codec) = 0;

   protected:
    ~Listener() = default;
  };

  // Input stashed beyond this makes want_read() false.
  static constexpr size_t kMaxStashBytes = 64 * 1024;

  explicit HttpCodec(const HttpService& service, Dispatch dispatch = Dispatch::kInline,
                     Listener* listener = nullptr);
  HttpCodec(const HttpCodec&) = delete;
  HttpCodec& operator=(const HttpCodec&) = delete;

  // --- IO thread ---
  // Takes every byte (stashes what cannot be parsed yet). Ignored once should_close(). Never
  // throws: when memory runs out (std::bad_alloc while buffering or answering a request), the
  // codec frees what the request held, answers 503 if even that fits, and should_close()
  // becomes true, so that only this connection is shed.
  void on_input(std::string_view data);
  // Unsent response bytes, in request order. Invalidated by the next non-const call.
  std::string_view output() const { return std::string_view(out_).substr(out_pos_); }
  size_t pending_output() const { return out_.size() - out_pos_; }
  // Marks the first `n` bytes of output() as sent.
  void consume_output(size_t n);
  // Moves all unsent output into `into` (which must be empty) by swapping buffers, so a server
  // with an asynchronous send (aio, asio) owns stable bytes while the send is in flight.
  void take_output(std::string& into);
  // The connection is to be closed once output() has been sent: an error response, a request
  // that asked to close (or HTTP/1.0 without keep-alive), or an upgrade. Input is ignored.
  bool should_close() const { return state_ == State::kClosed; }
  // False while too much input waits in the stash (stop reading this connection).
  bool want_read() const { return state_ != State::kClosed && stashed() < kMaxStashBytes; }
  // A request has started arriving but is not complete (for a request deadline).
  bool mid_request() const {
    return state_ != State::kStream && (parser_.mid_request() || stashed() > 0);
  }
  // The connection switched to a peer's replication stream.
  bool streaming() const { return state_ == State::kStream; }
  // A request is being handled (worker or asynchronous store): do not close yet on EOF.
  bool busy() const { return state_ == State::kHandling || state_ == State::kReady; }
  // Responses appended since the last call (for the kRequests counter).
  uint64_t take_responses() {
    uint64_t n = responses_;
    responses_ = 0;
    return n;
  }

  // --- kDeferred only ---
  // IO thread: true (once) when a parsed request is waiting; then hand handle_request() over.
  bool take_ready_request();
  // Worker thread: runs the handler for the claimed request.
  void handle_request();
  // IO thread, after handle_request() returned: appends the response, continues parsing.
  void finish_request();

  const Request& request() const { return request_; }

 private:
  enum class State { kParsing, kReady, kHandling, kStream, kClosed };

  void on_visit(const VisitResult& result) override;
  // Parses and (inline) answers requests from `data` while state_ is kParsing; returns the
  // bytes used.
  size_t process(std::string_view data);
  // on_input()'s work; may throw std::bad_alloc.
  void accept_input(std::string_view data);
  // Frees what the request holds (without allocating), answers 503 if it can, and closes.
  void shed_for_memory() noexcept;
  void pump_stash();
  void complete_response();
  void finish_deferred();
  // The request asked to switch protocols and the store took the stream: answers 101.
  bool start_stream();
  void stream_input(std::string_view data);
  size_t stashed() const { return stash_.size() - stash_pos_; }

  const HttpService& service_;
  const Dispatch dispatch_;
  Listener* const listener_;
  RequestParser parser_;
  Request request_;
  State state_ = State::kParsing;
  std::string out_;
  size_t out_pos_ = 0;
  std::string stash_;
  size_t stash_pos_ = 0;
  uint64_t responses_ = 0;
  std::unique_ptr<UpgradedStream> stream_;
  bool in_handle_ = false;  // kInline: inside service_.handle()
  // kDeferred: the handler's response, its outcome, and whether it returned.
  std::string response_;
  HttpService::Outcome outcome_ = HttpService::Outcome::kDone;
  bool visit_done_ = false;
  bool handler_returned_ = false;
  bool handler_failed_ = false;  // kDeferred: handle() ran out of memory on the worker
};

}  // namespace iomb::http

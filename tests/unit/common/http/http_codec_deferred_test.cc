// HttpCodec's deferred (worker) path, one request handed out at a time with a bounded stash,
// and an asynchronous session store whose visits complete later, like a Redis round trip.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/http/http_codec.h"
#include "tests/unit/common/http/codec_test_fixture.h"

namespace iomb::http {
namespace {

using testing::CodecTest;
using testing::parse_responses;

// --- deferred (worker) path ---

TEST_F(CodecTest, DeferredDispatchAnswersOneRequestAtATime) {
  HttpCodec codec(*service_, HttpCodec::Dispatch::kDeferred);
  codec.on_input("GET / HTTP/1.1\r\n\r\nGET /session HTTP/1.1\r\n\r\nGET /heal");
  EXPECT_EQ(codec.pending_output(), 0u);
  int handled = 0;
  while (codec.take_ready_request()) {
    EXPECT_FALSE(codec.take_ready_request());  // claimed once
    EXPECT_TRUE(codec.busy());
    codec.on_input(handled == 0 ? "thz HTTP/1.1\r\n\r\n" : "");  // stashed meanwhile
    codec.handle_request();                                      // a worker would run this
    codec.finish_request();
    ++handled;
  }
  EXPECT_EQ(handled, 3);
  auto r = parse_responses(codec.output());
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].body, "Hello, World!");
  EXPECT_EQ(nlohmann::json::parse(r[1].body)["visits"], 1);
  EXPECT_EQ(r[2].body, "ok");
  EXPECT_FALSE(codec.busy());
}

TEST_F(CodecTest, DeferredStashIsBounded) {
  HttpCodec codec(*service_, HttpCodec::Dispatch::kDeferred);
  codec.on_input("GET / HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(codec.take_ready_request());
  std::string more;
  while (more.size() <= HttpCodec::kMaxStashBytes) more += "GET / HTTP/1.1\r\n\r\n";
  codec.on_input(more);
  EXPECT_FALSE(codec.want_read());
  codec.handle_request();
  codec.finish_request();
  // The next stashed request is ready; the stash shrinks as they are answered.
  int n = 0;
  while (codec.take_ready_request() && n < 100000) {
    codec.handle_request();
    codec.finish_request();
    codec.consume_output(codec.pending_output());
    ++n;
  }
  EXPECT_EQ(static_cast<size_t>(n), more.size() / 18);
  EXPECT_TRUE(codec.want_read());
}

// --- asynchronous session store ---

// Completes visits only when the test says so, like a Redis round trip.
class AsyncStore final : public SessionStore {
 public:
  void visit(const VisitRequest& request, VisitCallback& done) override {
    pending_.push_back({std::string(request.sid), &done});
  }
  SessionStoreStats stats() const override { return {}; }
  void complete_one() {
    auto [sid, done] = pending_.front();
    pending_.erase(pending_.begin());
    VisitResult r;
    r.sid = SessionId{1, 2};
    r.visits = ++visits_;
    r.created = sid.empty();
    r.created_by = "remote";
    done->on_visit(r);
  }
  std::vector<std::pair<std::string, VisitCallback*>> pending_;
  uint64_t visits_ = 0;
};

class CountingListener final : public HttpCodec::Listener {
 public:
  void on_codec_output(HttpCodec&) override { ++calls; }
  int calls = 0;
};

// A codec over an HttpService whose store is an AsyncStore.
struct AsyncSetup {
  explicit AsyncSetup(HttpCodec::Dispatch dispatch)
      : async(new AsyncStore),
        service(HttpServiceOptions{.node_id = "me"}, std::unique_ptr<SessionStore>(async), nullptr),
        codec(service, dispatch, &listener) {}
  AsyncStore* async;  // owned by service
  HttpService service;
  CountingListener listener;
  HttpCodec codec;
};

TEST_F(CodecTest, AsyncStoreKeepsResponsesInOrder) {
  AsyncSetup setup(HttpCodec::Dispatch::kInline);
  AsyncStore* async = setup.async;
  HttpCodec& codec = setup.codec;
  const CountingListener& listener = setup.listener;
  codec.on_input(
      "GET / HTTP/1.1\r\n\r\nGET /session HTTP/1.1\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n"
      "GET /session HTTP/1.1\r\nCookie: sid=0000000000000001");
  // The first GET is answered; the rest waits behind the pending visit.
  EXPECT_EQ(parse_responses(codec.output()).size(), 1u);
  EXPECT_TRUE(codec.busy());
  ASSERT_EQ(async->pending_.size(), 1u);
  codec.on_input("0000000000000002\r\n\r\n");
  async->complete_one();
  EXPECT_EQ(listener.calls, 1);
  auto r = parse_responses(codec.output());
  ASSERT_EQ(r.size(), 3u);  // /, /session, /healthz; the second /session is pending
  auto j = nlohmann::json::parse(r[1].body);
  EXPECT_EQ(j["visits"], 1);
  EXPECT_EQ(j["created_by"], "remote");
  EXPECT_EQ(j["node"], "me");
  EXPECT_TRUE(r[1].header("Set-Cookie").has_value());
  EXPECT_EQ(r[2].body, "ok");
  ASSERT_EQ(async->pending_.size(), 1u);
  EXPECT_EQ(async->pending_[0].first, "00000000000000010000000000000002");
  async->complete_one();
  r = parse_responses(codec.output());
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(nlohmann::json::parse(r[3].body)["visits"], 2);
  EXPECT_FALSE(r[3].header("Set-Cookie").has_value());
  EXPECT_FALSE(codec.busy());
  EXPECT_EQ(codec.take_responses(), 4u);
}

TEST_F(CodecTest, AsyncStoreWithDeferredDispatch) {
  AsyncSetup setup(HttpCodec::Dispatch::kDeferred);
  AsyncStore* async = setup.async;
  HttpCodec& codec = setup.codec;
  const CountingListener& listener = setup.listener;
  codec.on_input("GET /session HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(codec.take_ready_request());
  codec.handle_request();
  codec.finish_request();  // the visit is still pending
  EXPECT_EQ(codec.pending_output(), 0u);
  EXPECT_FALSE(codec.take_ready_request());
  async->complete_one();
  EXPECT_EQ(listener.calls, 1);
  ASSERT_TRUE(codec.take_ready_request());
  codec.handle_request();
  codec.finish_request();
  auto r = parse_responses(codec.output());
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].body, "Hello, World!");
}

}  // namespace
}  // namespace iomb::http

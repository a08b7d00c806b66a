// Unit tests of the workers-mode plumbing (nio/worker_pool.h, EventLoop::post_job_done): a
// session hands each input to the pool, stops reading until the job is done, and writes the
// job's result from the loop thread. Also checks ordering and that a peer closing while a job
// runs is handled. Uses a socketpair on a real EventLoop thread.
#include "nio/worker_pool.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <cctype>
#include <string>
#include <thread>

#include "nio/event_loop.h"
#include "tests/integration/test_client.h"

namespace iomb::nio {
namespace {

using namespace std::chrono_literals;

class UpperJob : public Job {
 public:
  std::string data;
  void run() override {
    for (char& c : data) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
};

// Echoes its input upper-cased, computed on a worker when there is a pool.
class UpperHandler : public ProtocolHandler {
 public:
  HandlerStatus on_input(std::span<const char> in, HandlerIo& io) override {
    job_.data.assign(in.begin(), in.end());
    if (io.submit(job_)) return HandlerStatus::kAwaitJob;
    job_.run();
    io.write(job_.data);
    return HandlerStatus::kContinue;
  }
  HandlerStatus on_job_done(Job& job, HandlerIo& io) override {
    EXPECT_EQ(&job, &job_);
    io.write(job_.data);
    return HandlerStatus::kContinue;
  }

 private:
  UpperJob job_;
};

class LoopWithPool : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.idle_timeout_ms = 0;
    context_.make_handler = [] { return std::make_unique<UpperHandler>(); };
    context_.pool = &pool_;
    loop_ = std::make_unique<EventLoop>(context_);
    thread_ = std::thread([this] { loop_->run(); });
  }
  void TearDown() override { stop(); }
  void stop() {
    if (!thread_.joinable()) return;
    context_.stopping = true;
    loop_->wake();
    thread_.join();
    pool_.stop_and_join();
    loop_->close_all();
  }
  // Hands one end of a socketpair to the loop; returns the other.
  UniqueFd connect() {
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
    EXPECT_TRUE(context_.connections.try_admit());
    loop_->post_connection(sv[0]);
    UniqueFd client(sv[1]);
    EXPECT_EQ(set_nonblocking(client.get(), false), 0);
    return client;
  }

  ServerOptions options_;
  ServerContext context_{options_};
  WorkerPool pool_{2, nullptr};
  std::unique_ptr<EventLoop> loop_;
  std::thread thread_;
};

TEST_F(LoopWithPool, ResponsesComeBackThroughTheLoop) {
  auto a = connect();
  auto b = connect();
  for (int i = 0; i < 50; ++i) {
    std::string msg = "msg-" + std::to_string(i) + "-abc";
    std::string upper = msg;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    ASSERT_EQ(testing::send_all(a.get(), msg), msg.size());
    ASSERT_EQ(testing::send_all(b.get(), msg), msg.size());
    EXPECT_EQ(testing::recv_exact(a.get(), msg.size(), 5s), upper);
    EXPECT_EQ(testing::recv_exact(b.get(), msg.size(), 5s), upper);
  }
  stop();
  auto c = loop_->counters();
  EXPECT_EQ(c[Counter::kAccepted], 2u);
  EXPECT_EQ(c[Counter::kClosedByServer], 2u);
  EXPECT_EQ(context_.connections.open(), 0u);
}

// The peer sends and closes at once: the job still completes, its answer is flushed, and the
// connection is then closed as closed-by-peer (not leaked, not double-freed).
TEST_F(LoopWithPool, PeerClosingWhileJobRuns) {
  for (int i = 0; i < 20; ++i) {
    auto a = connect();
    ASSERT_EQ(testing::send_all(a.get(), "hello"), 5u);
    ASSERT_EQ(::shutdown(a.get(), SHUT_WR), 0);
    EXPECT_EQ(testing::recv_until_close(a.get(), 5s), "HELLO");
  }
  stop();
  auto c = loop_->counters();
  EXPECT_EQ(c[Counter::kClosedByPeer], 20u);
  EXPECT_EQ(context_.connections.open(), 0u);
}

}  // namespace
}  // namespace iomb::nio

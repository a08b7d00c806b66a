// Sticky sessions through a real HAProxy (Debian's, harness/cluster/haproxy.h): two iomb nodes
// with the memory store behind it, driven by `iomb load --path /session`, whose connections
// each keep a cookie jar. Round robin alone loses the session at nearly every visit; the
// balancer's inserted SRV cookie, and a stick table keyed on `sid`, lose none, and both nodes
// serve. (Before the jar, the client kept only one cookie and dropped HAProxy's: sticky routing
// never engaged and 49,309 of 49,319 sessions were counted lost.) Skipped, saying so, when
// haproxy is not installed.
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include "harness/cluster/haproxy.h"
#include "tests/integration/iomb_command.h"
#include "tests/integration/server_process.h"

namespace iomb::testing {
namespace {

using cluster::Haproxy;
using cluster::HaproxyConfig;
using cluster::Stickiness;

struct SessionRun {
  CommandResult command;
  nlohmann::json entry;
  uint64_t count(const char* key) const {
    return entry.contains(key) ? entry[key].get<uint64_t>() : 999'999'999;
  }
};

class HaproxyStickyTest : public ::testing::TestWithParam<const char*> {
 protected:
  // Two nodes of the row's model, then HAProxy in front of them.
  void start(Stickiness stickiness) {
    HaproxyConfig config;
    config.stickiness = stickiness;
    for (const char* name : {"n1", "n2"}) {
      nodes_.push_back(std::make_unique<ServerProcess>(
          binary_path(std::string("iomb-") + GetParam()),
          std::vector<std::string>{"--protocol", "http", "--node-id", name}));
      if (nodes_.back()->unavailable()) GTEST_SKIP() << nodes_.back()->stderr_text();
      ASSERT_TRUE(nodes_.back()->started()) << nodes_.back()->stderr_text();
      config.backends.push_back({name, "127.0.0.1", nodes_.back()->port()});
    }
    haproxy_ = std::make_unique<Haproxy>(config);
    if (!haproxy_->available() && haproxy_->error().find("not installed") != std::string::npos) {
      GTEST_SKIP() << haproxy_->error();
    }
    ASSERT_TRUE(haproxy_->available()) << haproxy_->error();
  }

  // Closed loop through the balancer: `clients` clients, one visit in flight each.
  SessionRun visit(int clients) {
    std::string json = temp_path("sticky.json");
    SessionRun r;
    r.command = run_iomb({"load", "--target", "127.0.0.1:" + std::to_string(haproxy_->port()),
                          "--protocol", "http", "--path", "/session", "-c", std::to_string(clients),
                          "--duration", "700ms", "--warmup", "0", "--quiet", "--json", json},
                         std::chrono::seconds(30));
    r.entry = first_iteration(read_json(json));
    ::unlink(json.c_str());
    return r;
  }

  // Requests each node served (its stopped line).
  std::vector<int> stop_nodes() {
    haproxy_->stop();
    std::vector<int> served;
    for (auto& n : nodes_) served.push_back(n->stop(SIGTERM).value("requests", 0));
    return served;
  }

  // 8 clients through the balancer with `stickiness`: no session lost, stale or skipped, one
  // created per client, and both nodes served (the clients were spread).
  void expect_every_session_kept(Stickiness stickiness) {
    ASSERT_NO_FATAL_FAILURE(start(stickiness));
    if (IsSkipped()) return;
    SessionRun r = visit(8);
    ASSERT_EQ(r.command.exit_code, 0) << r.command.err;
    ASSERT_GT(r.count("iterations"), 100u);
    EXPECT_EQ(r.count("sessions_lost"), 0u) << r.entry.dump();
    EXPECT_EQ(r.count("sessions_stale"), 0u);
    EXPECT_EQ(r.count("sessions_skipped"), 0u);
    EXPECT_EQ(r.count("sessions_created"), 8u);  // one per client
    std::vector<int> served = stop_nodes();
    EXPECT_GT(served[0], 0);
    EXPECT_GT(served[1], 0);
  }

  std::vector<std::unique_ptr<ServerProcess>> nodes_;
  std::unique_ptr<Haproxy> haproxy_;
};

TEST_P(HaproxyStickyTest, RoundRobinAloneLosesTheSessions) {
  ASSERT_NO_FATAL_FAILURE(start(Stickiness::kNone));
  if (IsSkipped()) return;
  // One client: its visits alternate between the nodes, and each lands on the node that does
  // not know the session (with several clients, about half of them do).
  SessionRun r = visit(1);
  ASSERT_EQ(r.command.exit_code, 0) << r.command.err;
  const uint64_t visits = r.count("iterations");
  ASSERT_GT(visits, 100u);
  EXPECT_GT(r.count("sessions_lost"), visits * 9 / 10) << r.entry.dump();
  stop_nodes();
}

TEST_P(HaproxyStickyTest, AnInsertedCookieKeepsEverySession) {
  expect_every_session_kept(Stickiness::kCookie);
}

TEST_P(HaproxyStickyTest, AStickTableOnSidKeepsEverySession) {
  expect_every_session_kept(Stickiness::kStickTable);
}

std::string model_name(const ::testing::TestParamInfo<const char*>& row) { return row.param; }

INSTANTIATE_TEST_SUITE_P(Models, HaproxyStickyTest, ::testing::Values("nio", "aio", "bio", "asio"),
                         model_name);

}  // namespace
}  // namespace iomb::testing

// Tests for harness/cluster/haproxy.h's configuration: each stickiness writes the lines HAProxy
// needs for it and no other's; a config HAProxy cannot honour is refused. (That haproxy itself
// accepts these configs is shown by the integration tests, which run it.)
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "harness/cluster/haproxy.h"

namespace iomb::cluster {
namespace {

HaproxyConfig two_nodes(Stickiness s) {
  HaproxyConfig c;
  c.bind_port = 8080;
  c.stickiness = s;
  c.backends = {{"n1", "127.0.0.1", 9001}, {"n2", "127.0.0.1", 9002}};
  return c;
}

bool has(const std::string& text, const std::string& line) {
  return text.find(line) != std::string::npos;
}

TEST(HaproxyConfigTest, RoundRobinWithHealthChecksAndRedispatch) {
  const std::string t = haproxy_config(two_nodes(Stickiness::kNone));
  EXPECT_TRUE(has(t, "  mode http\n"));
  EXPECT_TRUE(has(t, "  bind 127.0.0.1:8080\n"));
  EXPECT_TRUE(has(t, "  balance roundrobin\n"));
  EXPECT_TRUE(has(t, "  option httpchk GET /healthz\n"));
  EXPECT_TRUE(has(t, "  option redispatch\n"));
  EXPECT_TRUE(has(t, "  server n1 127.0.0.1:9001 check inter 200ms\n"));
  EXPECT_TRUE(has(t, "  server n2 127.0.0.1:9002 check inter 200ms\n"));
  EXPECT_FALSE(has(t, "cookie"));
  EXPECT_FALSE(has(t, "stick"));
}

TEST(HaproxyConfigTest, CookieInsertNamesEachNode) {
  const std::string t = haproxy_config(two_nodes(Stickiness::kCookie));
  EXPECT_TRUE(has(t, "  cookie SRV insert indirect nocache\n"));
  EXPECT_TRUE(has(t, "  server n1 127.0.0.1:9001 check inter 200ms cookie n1\n"));
  EXPECT_TRUE(has(t, "  server n2 127.0.0.1:9002 check inter 200ms cookie n2\n"));
  EXPECT_FALSE(has(t, "stick"));
}

TEST(HaproxyConfigTest, StickTableKeysOnTheSessionCookie) {
  const std::string t = haproxy_config(two_nodes(Stickiness::kStickTable));
  EXPECT_TRUE(has(t, "  stick-table type string len 64 size 1m expire 30m\n"));
  EXPECT_TRUE(has(t, "  stick on req.cook(sid)\n"));
  EXPECT_TRUE(has(t, "  stick store-response res.cook(sid)\n"));
  EXPECT_FALSE(has(t, "cookie SRV"));
}

TEST(HaproxyConfigTest, LayerFourIsPlainTcpRoundRobin) {
  HaproxyConfig c = two_nodes(Stickiness::kNone);
  c.layer7 = false;
  const std::string t = haproxy_config(c);
  EXPECT_TRUE(has(t, "  mode tcp\n"));
  EXPECT_FALSE(has(t, "httpchk"));
  c.stickiness = Stickiness::kCookie;
  EXPECT_THROW(haproxy_config(c), std::invalid_argument);
  EXPECT_THROW(haproxy_config(HaproxyConfig{}), std::invalid_argument);
}

}  // namespace
}  // namespace iomb::cluster

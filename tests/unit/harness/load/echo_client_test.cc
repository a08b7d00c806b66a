// Tests for harness/echo_client.h: the echo client's payload and its byte-exact verification.
#include "harness/load/echo_client.h"

#include <gtest/gtest.h>

#include <string>

namespace iomb::harness {
namespace {

// Sends `requests` messages and returns everything the session wanted to send.
std::string drain_output(EchoClient& s) {
  std::string sent;
  for (auto out = s.output(); !out.empty(); out = s.output()) {
    sent.append(out.data(), out.size());
    s.consume_output(out.size());
  }
  return sent;
}

TEST(EchoClientTest, EchoedBytesCompleteRequests) {
  EchoPattern pattern(7);
  EchoClient s(pattern, 100, 3, 7);
  for (int i = 0; i < 5; ++i) s.add_request();
  std::string sent = drain_output(s);
  ASSERT_EQ(sent.size(), 500u);
  // Replies arrive in arbitrary pieces; completions count whole messages.
  EXPECT_EQ(s.on_input(sent.data(), 150), 1);
  EXPECT_EQ(s.on_input(sent.data() + 150, 49), 0);
  EXPECT_EQ(s.on_input(sent.data() + 199, 301), 4);
  EXPECT_EQ(s.bytes_received(), 500u);
}

TEST(EchoClientTest, CorruptedByteIsReportedWithOffsetExpectedAndGot) {
  EchoPattern pattern(7);
  EchoClient s(pattern, 64, 0, 7);
  for (int i = 0; i < 4; ++i) s.add_request();
  std::string sent = drain_output(s);
  std::string reply = sent;
  reply[130] = static_cast<char>(reply[130] ^ 0x5a);
  EXPECT_EQ(s.on_input(reply.data(), 100), 1);
  EXPECT_EQ(s.on_input(reply.data() + 100, 156), -1);
  char expected[8], got[8];
  std::snprintf(expected, sizeof expected, "0x%02x", static_cast<uint8_t>(sent[130]));
  std::snprintf(got, sizeof got, "0x%02x", static_cast<uint8_t>(reply[130]));
  EXPECT_NE(s.error().find("offset 130"), std::string::npos) << s.error();
  EXPECT_NE(s.error().find(expected), std::string::npos) << s.error();
  EXPECT_NE(s.error().find(got), std::string::npos) << s.error();
}

TEST(EchoClientTest, MoreBytesThanSentIsAnError) {
  EchoPattern pattern(1);
  EchoClient s(pattern, 8, 0, 1);
  s.add_request();
  std::string sent = drain_output(s);
  std::string reply = sent + "x";
  EXPECT_EQ(s.on_input(reply.data(), reply.size()), -1);
  EXPECT_NE(s.error().find("only 8 were sent"), std::string::npos) << s.error();
}

TEST(EchoClientTest, ConnectionsAndReconnectsSendDifferentBytes) {
  EchoPattern pattern(9);
  EchoClient a(pattern, 64, 1, 9), b(pattern, 64, 2, 9);
  a.add_request();
  b.add_request();
  std::string first = drain_output(a);
  EXPECT_NE(first, drain_output(b)) << "a reply crossed between connections would go unnoticed";
  a.reset(1);
  a.add_request();
  EXPECT_NE(first, drain_output(a));
}

TEST(EchoClientTest, LongStreamsWrapThePattern) {
  EchoPattern pattern(3);
  EchoClient s(pattern, 1 << 20, 0, 3);  // 1 MiB message: crosses the pattern period often
  s.add_request();
  std::string sent = drain_output(s);
  ASSERT_EQ(sent.size(), 1u << 20);
  EXPECT_EQ(s.on_input(sent.data(), sent.size()), 1);
}

}  // namespace
}  // namespace iomb::harness

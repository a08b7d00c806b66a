// --session-store cookie against every server row: the session travels in the signed `sess`
// cookie; tampering restarts it (counted in /stats), an oversized session is refused with 500
// on a connection that keeps serving.
#include <stdlib.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/integration/http_suite.h"
#include "tests/integration/http_test_client.h"
#include "tests/integration/test_client.h"

namespace iomb::testing {
namespace {

// A --cookie-secret-file for the test's lifetime.
class SecretFile {
 public:
  explicit SecretFile(const std::string& contents) {
    char name[] = "/tmp/iomb-cookie-secret-XXXXXX";
    int fd = ::mkstemp(name);
    path_ = name;
    if (fd >= 0) {
      EXPECT_EQ(::write(fd, contents.data(), contents.size()),
                static_cast<ssize_t>(contents.size()));
      ::close(fd);
    }
  }
  ~SecretFile() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The value of the `sess=` Set-Cookie, or "".
std::string sess_of(const HttpResponse& r) {
  for (const auto& [name, value] : r.headers) {
    if (name == "Set-Cookie" && value.rfind("sess=", 0) == 0) {
      return value.substr(5, value.find(';') - 5);
    }
  }
  return "";
}

nlohmann::json json_of(const std::optional<HttpResponse>& r) {
  if (!r) return nullptr;
  return nlohmann::json::parse(r->body, nullptr, /*allow_exceptions=*/false);
}

const std::string kSecret = "integration-secret-0123456789\n";

TEST_P(HttpServerTest, CookieStoreCarriesTheSessionInTheCookie) {
  SecretFile secret(kSecret);
  IOMB_HTTP_START(server, {"--session-store", "cookie", "--cookie-secret-file", secret.path(),
                           "--session-bytes", "64"});
  auto fd = connect_loopback(server->port());
  std::string cookie;
  std::string sid;
  for (int visit = 1; visit <= 3; ++visit) {
    auto r = roundtrip(fd.get(), get_request("/session", cookie));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
    auto j = json_of(r);
    EXPECT_EQ(j["visits"], visit);
    if (visit == 1) sid = j["sid"];
    EXPECT_EQ(j["sid"], sid);
    std::string sess = sess_of(*r);
    ASSERT_FALSE(sess.empty()) << r->raw;
    cookie = "sid=" + sid + "; sess=" + sess;
  }
  auto stats = json_of(roundtrip(fd.get(), get_request("/stats")));
  EXPECT_EQ(stats["sessions"]["store"], "cookie");
  EXPECT_EQ(stats["sessions"]["issued"], 3);
  EXPECT_EQ(stats["sessions"]["created"], 1);
}

TEST_P(HttpServerTest, CookieStoreRestartsATamperedSessionAndCountsIt) {
  SecretFile secret(kSecret);
  IOMB_HTTP_START(server, {"--session-store", "cookie", "--cookie-secret-file", secret.path()});
  auto fd = connect_loopback(server->port());
  auto first = roundtrip(fd.get(), get_request("/session"));
  ASSERT_TRUE(first);
  std::string sess = sess_of(*first);
  ASSERT_GT(sess.size(), 20u);
  auto second = roundtrip(fd.get(), get_request("/session", "sess=" + sess));
  EXPECT_EQ(json_of(second)["visits"], 2);
  sess[15] = sess[15] == 'A' ? 'B' : 'A';
  auto tampered = roundtrip(fd.get(), get_request("/session", "sess=" + sess));
  ASSERT_TRUE(tampered);
  EXPECT_EQ(tampered->status, 200);
  EXPECT_EQ(json_of(tampered)["visits"], 1);
  auto garbage = roundtrip(fd.get(), get_request("/session", "sess=***"));
  EXPECT_EQ(json_of(garbage)["visits"], 1);
  auto stats = json_of(roundtrip(fd.get(), get_request("/stats")));
  EXPECT_EQ(stats["sessions"]["rejected_tampered"], 1);
  EXPECT_EQ(stats["sessions"]["rejected_malformed"], 1);
  EXPECT_EQ(stats["sessions"]["rejected_wrong_key"], 0);
  EXPECT_EQ(stats["sessions"]["rejected_expired"], 0);
}

TEST_P(HttpServerTest, CookieStoreRefusesAnOversizedSessionAndKeepsServing) {
  SecretFile secret(kSecret);
  IOMB_HTTP_START(server, {"--session-store", "cookie", "--cookie-secret-file", secret.path(),
                           "--session-bytes", "4000"});
  auto fd = connect_loopback(server->port());
  auto refused = roundtrip(fd.get(), get_request("/session"));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 500);
  EXPECT_EQ(sess_of(*refused), "");
  auto next = roundtrip(fd.get(), get_request("/"));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  auto stats = json_of(roundtrip(fd.get(), get_request("/stats")));
  EXPECT_EQ(stats["sessions"]["too_large"], 1);
  EXPECT_EQ(stats["sessions"]["issued"], 0);
}

}  // namespace
}  // namespace iomb::testing

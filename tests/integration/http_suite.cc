// Implementation of http_suite.h.
#include "tests/integration/http_suite.h"

namespace iomb::testing {

std::unique_ptr<ServerProcess> HttpServerTest::start_http(std::vector<std::string> extra) {
  extra.insert(extra.begin(), {"--protocol", "http"});
  return start(std::move(extra));
}

}  // namespace iomb::testing

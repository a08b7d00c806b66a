// iomb-asio rows of the HTTP suite (context-per-thread with one and two io_contexts, shared
// with two threads), also run as buffered rows (the backpressure cases). asio has no HTTP
// case of its own: every HTTP case is in the shared lists.
#include "tests/integration/http_suite.h"

namespace iomb::testing {
namespace {

const auto kAsioRows =
    ::testing::Values(ServerRow{"asio", "context-per-thread", {}},
                      ServerRow{"asio", "context-per-thread", {"--threads", "2"}},
                      ServerRow{"asio", "shared", {"--threads", "2"}});

INSTANTIATE_TEST_SUITE_P(Asio, HttpServerTest, kAsioRows, row_name);
INSTANTIATE_TEST_SUITE_P(Asio, HttpBufferedServerTest, kAsioRows, row_name);

}  // namespace
}  // namespace iomb::testing

// iomb-nio rows of the integration suites (every mode × trigger; the out-of-descriptors rows).
#include <signal.h>

#include "tests/integration/echo_suite.h"
#include "tests/integration/test_client.h"

namespace iomb::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(
    Nio, EchoServerTest,
    ::testing::Values(ServerRow{"nio", "reactors", {"--trigger", "lt"}},
                      ServerRow{"nio", "reactors", {"--trigger", "et"}},
                      ServerRow{"nio", "reactors", {"--threads", "2", "--trigger", "lt"}},
                      ServerRow{"nio", "reactors", {"--threads", "2", "--trigger", "et"}},
                      ServerRow{"nio", "acceptor", {"--threads", "2", "--trigger", "lt"}},
                      ServerRow{"nio", "acceptor", {"--threads", "2", "--trigger", "et"}},
                      ServerRow{"nio", "workers", {"--threads", "2", "--trigger", "lt"}}),
    row_name);

// One reactor, two reactors (each with its listener and spare descriptor in one descriptor
// table), and the acceptor mode's single accepting thread.
INSTANTIATE_TEST_SUITE_P(
    Nio, EmfileServerTest,
    ::testing::Values(ServerRow{"nio", "reactors", {"--trigger", "lt"}},
                      ServerRow{"nio", "reactors", {"--trigger", "et"}},
                      ServerRow{"nio", "reactors", {"--threads", "2", "--trigger", "lt"}},
                      ServerRow{"nio", "acceptor", {"--threads", "2", "--trigger", "lt"}}),
    row_name);

}  // namespace
}  // namespace iomb::testing

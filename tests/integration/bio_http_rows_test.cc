// iomb-bio rows of the HTTP suite (thread-per-conn, and a pool of 16 workers). bio has no
// HTTP case of its own: every HTTP case is in the shared lists (not the buffered ones, below).
#include "tests/integration/http_suite.h"

namespace iomb::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Bio, HttpServerTest,
                         ::testing::Values(ServerRow{"bio", "thread-per-conn", {}},
                                           ServerRow{"bio", "pool", {"--threads", "16"}, true}),
                         row_name);

// No HttpBufferedServerTest rows: bio has no output buffer. Its send blocks on a client that
// does not read, which is the backpressure, so it never pauses at --max-pending-bytes and has
// no backpressure_stalls to count.

}  // namespace
}  // namespace iomb::testing

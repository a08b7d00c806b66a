// iomb-aio rows of the HTTP suite (default, --threads 2, --fixed-files, --zerocopy-send,
// --sqpoll; skipped with the reason when io_uring is unavailable; also its buffered rows).
#include "tests/integration/http_suite.h"

namespace iomb::testing {
namespace {

const auto kAioRows = ::testing::Values(
    ServerRow{"aio", "rings", {}}, ServerRow{"aio", "rings", {"--threads", "2"}},
    ServerRow{"aio", "rings", {"--fixed-files"}}, ServerRow{"aio", "rings", {"--zerocopy-send"}},
    ServerRow{"aio", "rings", {"--sqpoll"}});

INSTANTIATE_TEST_SUITE_P(Aio, HttpServerTest, kAioRows, row_name);
INSTANTIATE_TEST_SUITE_P(Aio, HttpBufferedServerTest, kAioRows, row_name);

}  // namespace
}  // namespace iomb::testing

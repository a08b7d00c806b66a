// iomb-aio entry point: flags and model description only; the server is in server.cc.
#include <CLI/CLI.hpp>

#include "aio/server.h"
#include "common/server_main.h"
#include "common/units.h"

int main(int argc, char** argv) {
  iomb::aio::AioOptions aio;
  iomb::ModelSpec spec;
  spec.name = "aio";
  spec.description =
      "iomb-aio: io_uring proactor. One ring per --threads thread on its own SO_REUSEPORT "
      "listener (share-nothing): multishot accept, multishot recv into a provided buffer ring, "
      "one send in flight per connection, buffers recycled once sent. --protocol http: one "
      "HttpCodec per connection, handlers (and --block-us) inline on the ring thread.";
  spec.modes = {"rings"};
  spec.add_model_flags = [&aio](CLI::App& app) {
    auto* group = "io_uring";
    app.add_flag("--sqpoll", aio.sqpoll, "IORING_SETUP_SQPOLL: a kernel thread polls submissions")
        ->group(group);
    app.add_flag("--fixed-files", aio.fixed_files,
                 "Accept into direct descriptors (no fd table; ops use IOSQE_FIXED_FILE)")
        ->group(group);
    app.add_flag("--zerocopy-send", aio.zerocopy_send,
                 "Send with IORING_OP_SEND_ZC (buffers recycled after the notification)")
        ->group(group);
    app.add_option_function<std::string>(
           "--buffer-size",
           [&aio](const std::string& text) {
             uint64_t v = 0;
             try {
               v = iomb::parse_size(text);
             } catch (const std::invalid_argument& e) {
               throw CLI::ValidationError("--buffer-size", e.what());
             }
             if (v < 64 || v > (1u << 20)) {
               throw CLI::ValidationError("--buffer-size", "must be 64 B .. 1 MiB");
             }
             aio.buffer_size = v;
           },
           "Bytes per provided receive buffer")
        ->type_name("SIZE")
        ->default_str("32KiB")
        ->group(group);
    app.add_option("--buffer-count", aio.buffer_count,
                   "Provided receive buffers per ring (a power of two, 16..32768)")
        ->check([](const std::string& text) -> std::string {
          unsigned long v = std::strtoul(text.c_str(), nullptr, 10);
          if (v < 16 || v > 32768 || (v & (v - 1)) != 0) {
            return "must be a power of two between 16 and 32768";
          }
          return "";
        })
        ->capture_default_str()
        ->group(group);
    app.add_option("--test-ring-failure", aio.test_ring_failure,
                   "Testing only: fail ring setup as io_uring_queue_init would with ENOSYS or "
                   "EPERM")
        ->check(CLI::IsMember({"ENOSYS", "EPERM"}))
        ->group("");  // hidden
    app.add_option_function<std::string>(
           "--test-overflow-bytes",
           [&aio](const std::string& text) {
             try {
               aio.test_overflow_bytes = iomb::parse_size(text);
             } catch (const std::invalid_argument& e) {
               throw CLI::ValidationError("--test-overflow-bytes", e.what());
             }
           },
           "Testing only: overflow space per ring (default 1GiB)")
        ->group("");  // hidden
  };
  spec.validate = [](const iomb::ServerOptions& o) {
    if (o.test_echo_delay_us != 0) {
      throw CLI::ValidationError("--test-echo-delay-us", "is not supported by iomb-aio");
    }
  };
  return iomb::server_main(
      argc, argv, spec, [&aio](const iomb::ServerOptions& o, iomb::UniqueFd listener) {
        return std::make_unique<iomb::aio::AioServer>(o, aio, std::move(listener));
      });
}

// The iomb command line (bad flags exit 2 with a clear message, --help explains every flag),
// failure reporting (connection refused, corrupted echo, servers that fail or are unavailable),
// `iomb run` producing a complete result file, and compare.py reading two iomb results.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "common/socket_ops.h"
#include "tests/integration/iomb_command.h"
#include "tests/integration/server_process.h"

namespace iomb::testing {
namespace {

using std::chrono::milliseconds;

void expect_bad_flags(const std::vector<std::string>& args, const std::string& message) {
  CommandResult r = run_iomb(args, std::chrono::seconds(10));
  EXPECT_EQ(r.exit_code, 2) << "iomb with bad flags; stderr: " << r.err;
  EXPECT_NE(r.err.find(message), std::string::npos) << "stderr: " << r.err;
}

TEST(HarnessCliTest, BadFlagsExitTwoWithAClearMessage) {
  expect_bad_flags({}, "subcommand");
  expect_bad_flags({"bogus"}, "subcommand");
  expect_bad_flags({"load"}, "--target");
  expect_bad_flags({"load", "--target", "localhost"}, "HOST:PORT");
  expect_bad_flags({"load", "--target", "127.0.0.1:0"}, "port");
  expect_bad_flags({"load", "--target", "127.0.0.1:9", "--size", "0"}, "--size");
  expect_bad_flags({"load", "--target", "127.0.0.1:9", "--size", "12parsecs"}, "--size");
  expect_bad_flags({"load", "--target", "127.0.0.1:9", "--duration", "soon"}, "--duration");
  expect_bad_flags({"load", "--target", "127.0.0.1:9", "--rate", "-5"}, "--rate");
  expect_bad_flags({"load", "--target", "127.0.0.1:9", "--arrival", "bursty"}, "--arrival");
  expect_bad_flags({"load", "--target", "127.0.0.1:9", "-c", "2", "--threads", "3"}, "--threads");
  expect_bad_flags({"load", "--target", "127.0.0.1:9", "--path", "/session"}, "--protocol http");
  expect_bad_flags({"load", "--target", "127.0.0.1:9", "--client-io", "kqueue"}, "--client-io");
}

// `iomb run` needs harness/sampling; a tree built without it has no run subcommand.
bool iomb_has_run() { return run_iomb({"run", "--help"}, std::chrono::seconds(10)).exit_code == 0; }
#define IOMB_REQUIRE_RUN() \
  if (!iomb_has_run()) GTEST_SKIP() << "iomb built without harness/sampling: no `iomb run`"

TEST(HarnessCliTest, RunBadFlagsExitTwoWithAClearMessage) {
  IOMB_REQUIRE_RUN();
  expect_bad_flags({"run"}, "--server");
  expect_bad_flags({"run", "--server", "bio", "--target", "127.0.0.1:9"}, "exactly one");
  expect_bad_flags({"run", "--server", "bio", "--server-pid", "1"}, "--server-pid");
  expect_bad_flags({"run", "--server", "bio", "--server-args", "--mode 'pool"}, "quote");
  expect_bad_flags({"run", "--server", "bio", "--repetitions", "0"}, "--repetitions");
}

void expect_help_lists(const std::vector<std::string>& args,
                       const std::vector<std::string>& flags) {
  CommandResult r = run_iomb(args, std::chrono::seconds(10));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const auto& f : flags) EXPECT_NE(r.out.find(f), std::string::npos) << f << "\n" << r.out;
}

const std::vector<std::string> kLoadFlags{
    "--target",        "--protocol", "--path", "--connections", "--pipeline", "--rate",
    "--arrival",       "--churn",    "--size", "--duration",    "--warmup",   "--connect-timeout",
    "--drain-timeout", "--threads",  "--seed", "--json",        "--quiet",    "--client-io"};

TEST(HarnessCliTest, HelpExplainsEveryFlag) {
  auto load = kLoadFlags;
  load.push_back("--label");
  expect_help_lists({"load", "--help"}, load);
  auto run = kLoadFlags;
  for (const char* f :
       {"--server", "--server-args", "--server-pid", "--repetitions", "--server-cpus",
        "--client-cpus", "--count-syscalls", "--floor-binary", "--no-floor", "--ready-timeout"}) {
    run.push_back(f);
  }
  if (iomb_has_run()) expect_help_lists({"run", "--help"}, run);
  expect_help_lists({"--help"}, {"load"});
}

TEST(HarnessCliTest, RefusedConnectionFailsTheRun) {
  // A port nobody listens on: bind one, note it, close it.
  uint16_t port;
  {
    UniqueFd l = listen_tcp(ListenConfig{});
    port = local_port(l.get());
  }
  CommandResult r = run_iomb({"load", "--target", "127.0.0.1:" + std::to_string(port), "--quiet",
                              "--duration", "300ms", "--warmup", "0"},
                             std::chrono::seconds(20));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot connect"), std::string::npos) << r.err;
}

// An echo server that flips one byte at stream offset 1000 of the first connection.
class CorruptingEchoServer {
 public:
  CorruptingEchoServer()
      : listener_(listen_tcp(ListenConfig{})), port_(local_port(listener_.get())) {
    thread_ = std::thread([this] { serve(); });
  }
  ~CorruptingEchoServer() {
    stop_ = true;
    ::shutdown(listener_.get(), SHUT_RDWR);
    thread_.join();
  }
  uint16_t port() const { return port_; }

 private:
  void serve() {
    int fd = ::accept(listener_.get(), nullptr, nullptr);
    if (fd < 0) return;
    timeval tv{0, 100'000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    uint64_t offset = 0;
    char buf[4096];
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!stop_ && std::chrono::steady_clock::now() < deadline) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n == 0) break;
      if (n < 0) continue;
      for (ssize_t i = 0; i < n; ++i) {
        if (offset + static_cast<uint64_t>(i) == 1000) buf[i] = static_cast<char>(buf[i] ^ 0x01);
      }
      offset += static_cast<uint64_t>(n);
      if (::send(fd, buf, static_cast<size_t>(n), MSG_NOSIGNAL) < 0) break;
    }
    ::close(fd);
  }

  UniqueFd listener_;
  uint16_t port_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(HarnessCliTest, CorruptedEchoMakesTheRunInvalid) {
  for (const char* io : {"uring", "epoll"}) {
    CorruptingEchoServer server;
    std::string json = temp_path("corrupt.json");
    CommandResult r = run_iomb(
        {"load", "--target", "127.0.0.1:" + std::to_string(server.port()), "-c", "1", "--quiet",
         "--duration", "2s", "--warmup", "0", "--client-io", io, "--json", json},
        std::chrono::seconds(30));
    EXPECT_EQ(r.exit_code, 1) << io << ": " << r.err;
    EXPECT_NE(r.err.find("verification failed on connection 0"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("stream offset 1000"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("expected 0x"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("got 0x"), std::string::npos) << r.err;
    nlohmann::json e = first_iteration(read_json(json));
    EXPECT_TRUE(e.value("error_occurred", false)) << e.dump();
    EXPECT_FALSE(e["iomb"]["valid"].get<bool>());
    ::unlink(json.c_str());
  }
}

std::string write_script(const std::string& stem, const std::string& body) {
  std::string path = temp_path(stem + ".sh");
  std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
  ::chmod(path.c_str(), 0755);
  return path;
}

TEST(HarnessCliTest, RunReportsAServerThatFailsToStartWithItsStderr) {
  IOMB_REQUIRE_RUN();
  std::string script = write_script("fails", "echo 'bind: Address on fire' >&2; exit 1");
  CommandResult r = run_iomb({"run", "--server", script, "--no-floor", "--quiet", "--duration",
                              "300ms", "--repetitions", "1"},
                             std::chrono::seconds(20));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("failed to start"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Address on fire"), std::string::npos) << r.err;
  ::unlink(script.c_str());
}

TEST(HarnessCliTest, RunRecordsAnUnavailableModelAsSkipped) {
  IOMB_REQUIRE_RUN();
  std::string script = write_script(
      "unavailable", "echo 'iomb-x: unavailable: io_uring disabled by sysctl' >&2; exit 77");
  std::string json = temp_path("skipped.json");
  CommandResult r = run_iomb(
      {"run", "--server", script, "--no-floor", "--quiet", "--duration", "300ms", "--json", json},
      std::chrono::seconds(20));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json doc = read_json(json);
  nlohmann::json e = first_iteration(doc);
  EXPECT_TRUE(e.value("error_occurred", false));
  EXPECT_NE(e.value("error_message", "").find("skipped: iomb-x: unavailable: io_uring disabled"),
            std::string::npos)
      << e.dump();
  EXPECT_TRUE(doc["context"].contains("skipped"));
  ::unlink(json.c_str());
  ::unlink(script.c_str());
}

TEST(HarnessCliTest, RunProducesACompleteResultFile) {
  IOMB_REQUIRE_RUN();
  std::string json = temp_path("run.json");
  CommandResult r = run_iomb(
      {"run", "--server", "bio", "--server-args", "--mode thread-per-conn", "-c", "2", "--duration",
       "500ms", "--warmup", "200ms", "--repetitions", "2", "--no-floor", "--quiet", "--json", json},
      std::chrono::seconds(60));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json doc = read_json(json);
  ASSERT_TRUE(doc.is_object());
  const auto& ctx = doc["context"];
  for (const char* k : {"date", "host_name", "num_cpus", "command_line", "cpu_pinning", "floor"}) {
    EXPECT_TRUE(ctx.contains(k)) << k;
  }
  std::vector<std::string> kinds;
  for (const auto& b : doc["benchmarks"]) {
    kinds.push_back(b["run_type"] == "iteration" ? "iteration"
                                                 : b["aggregate_name"].get<std::string>());
    EXPECT_EQ(b["run_name"], "echo/bio:thread-per-conn/c:2/d:1/s:64");
    EXPECT_EQ(b["time_unit"], "ns");
  }
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"iteration", "iteration", "mean", "median", "stddev", "cv"}));
  nlohmann::json e = first_iteration(doc);
  for (const char* k : {"server_rss_kib", "server_threads", "ctx_switches_per_req", "cpu_time",
                        "client_cpu_util", "p9999_us"}) {
    EXPECT_TRUE(e.contains(k)) << k;
  }
  EXPECT_GT(e["cpu_time"].get<double>(), 0);
  EXPECT_GT(e["server_rss_kib"].get<double>(), 0);
  EXPECT_TRUE(e["iomb"]["reconciled"]["match"].get<bool>()) << e["iomb"]["reconciled"].dump();
  EXPECT_TRUE(e["iomb"]["server"]["stopped"].contains("accepted"));
  ::unlink(json.c_str());
}

TEST(HarnessCliTest, CompareToolReadsTwoIombResults) {
  const std::string compare = "/usr/share/benchmark/compare.py";
  if (::access(compare.c_str(), R_OK) != 0) GTEST_SKIP() << "libbenchmark-tools not installed";
  // Debian's compare.py needs python3-scipy, with the system interpreter.
  std::string python = ::access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
  CommandResult probe = run_iomb({"-c", "import scipy"}, std::chrono::seconds(30), python);
  if (probe.exit_code != 0) GTEST_SKIP() << "compare.py needs python3-scipy: " << probe.err;
  ServerProcess server(binary_path("iomb-bio"), {});
  ASSERT_TRUE(server.started());
  std::string a = temp_path("a.json"), b = temp_path("b.json");
  for (const auto& path : {a, b}) {
    CommandResult r = run_iomb({"load", "--target", "127.0.0.1:" + std::to_string(server.port()),
                                "--label", "bio:thread-per-conn", "-c", "2", "--duration", "300ms",
                                "--warmup", "100ms", "--quiet", "--json", path});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  CommandResult cmp = run_iomb({compare, "benchmarks", a, b}, std::chrono::seconds(60), python);
  EXPECT_EQ(cmp.exit_code, 0) << cmp.err;
  EXPECT_NE(cmp.out.find("echo/bio:thread-per-conn/c:2/d:1/s:64"), std::string::npos) << cmp.out;
  EXPECT_NE(cmp.out.find("Time Old"), std::string::npos) << cmp.out;
  ::unlink(a.c_str());
  ::unlink(b.c_str());
}

}  // namespace
}  // namespace iomb::testing

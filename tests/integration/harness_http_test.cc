// `iomb load --protocol http` against the real iomb-bio (`--protocol http`): closed loop on /
// (1 and 10 connections, pipeline 1 and 16, both client IO backends), /echo with 4 KiB bodies,
// /session continuity (no loss; eviction shows loss), open loop, churn, a server that closes
// every connection (reconnects, not errors), a server with a wrong body (invalid run), and one
// that answers 503s (errors, failing the run past --max-error-rate) or 100 Continue (skipped).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

#include "common/socket_ops.h"
#include "tests/integration/iomb_command.h"
#include "tests/integration/server_process.h"

namespace iomb::testing {
namespace {

struct HttpRun {
  CommandResult command;
  nlohmann::json entry;  // the iteration entry of the result file
};

HttpRun load_http(uint16_t port, std::vector<std::string> args) {
  std::string json = temp_path("http_load.json");
  std::vector<std::string> all{"load",       "--target", "127.0.0.1:" + std::to_string(port),
                               "--protocol", "http",     "--quiet",
                               "--warmup",   "0",        "--json",
                               json};
  all.insert(all.end(), args.begin(), args.end());
  HttpRun r;
  r.command = run_iomb(all, std::chrono::seconds(40));
  r.entry = first_iteration(read_json(json));
  ::unlink(json.c_str());
  return r;
}

uint64_t counter(const nlohmann::json& e, const char* key) {
  return e.contains(key) ? e[key].get<uint64_t>() : 999'999'999;
}

void expect_clean(const HttpRun& r, const std::string& what, bool all_answered = true) {
  EXPECT_EQ(r.command.exit_code, 0) << what << ": " << r.command.err;
  ASSERT_TRUE(r.entry.is_object() && r.entry.contains("iomb")) << what << ": " << r.command.err;
  EXPECT_TRUE(r.entry["iomb"]["valid"].get<bool>()) << what;
  EXPECT_GT(r.entry["iterations"].get<uint64_t>(), 0u) << what;
  EXPECT_EQ(counter(r.entry, "errors"), 0u) << what;
  EXPECT_EQ(counter(r.entry, "non_2xx"), 0u) << what;
  if (all_answered) {
    EXPECT_EQ(r.entry["iomb"]["totals"]["unanswered"].get<uint64_t>(), 0u) << what;
  }
}

class BioHttp {
 public:
  explicit BioHttp(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--protocol", "http", "--mode", "thread-per-conn"};
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = std::make_unique<ServerProcess>(binary_path("iomb-bio"), args);
  }
  bool started() const { return server_->started(); }
  uint16_t port() const { return server_->port(); }

 private:
  std::unique_ptr<ServerProcess> server_;
};

TEST(HarnessHttpTest, RootClosedLoopConnectionsAndPipelineDepths) {
  BioHttp bio;
  ASSERT_TRUE(bio.started());
  for (const char* io : {"uring", "epoll"}) {
    for (const char* conns : {"1", "10"}) {
      for (const char* depth : {"1", "16"}) {
        std::string what = std::string(io) + " c=" + conns + " d=" + depth;
        HttpRun r = load_http(bio.port(), {"--path", "/", "-c", conns, "-d", depth, "--duration",
                                           "300ms", "--client-io", io});
        expect_clean(r, what);
        EXPECT_EQ(r.entry["name"],
                  std::string("http/external:target/c:") + conns + "/d:" + depth + "/s:64")
            << what;
        EXPECT_EQ(r.entry["iomb"]["client_io"], io) << what;
      }
    }
  }
}

TEST(HarnessHttpTest, HealthzAndEchoWithFourKiBBodies) {
  BioHttp bio;
  ASSERT_TRUE(bio.started());
  expect_clean(load_http(bio.port(), {"--path", "/healthz", "-c", "2", "--duration", "200ms"}),
               "/healthz");
  for (const char* depth : {"1", "4"}) {
    HttpRun r = load_http(bio.port(), {"--path", "/echo", "--size", "4KiB", "-c", "4", "-d", depth,
                                       "--duration", "300ms"});
    expect_clean(r, std::string("/echo d=") + depth);
    // Every completed response carried the 4 KiB body back.
    EXPECT_GT(r.entry["iomb"]["totals"]["bytes_received"].get<uint64_t>(),
              4096 * r.entry["iomb"]["totals"]["completed"].get<uint64_t>());
  }
}

TEST(HarnessHttpTest, SessionContinuityWithoutLoss) {
  BioHttp bio;
  ASSERT_TRUE(bio.started());
  for (const char* depth : {"1", "8"}) {
    HttpRun r = load_http(bio.port(),
                          {"--path", "/session", "-c", "4", "-d", depth, "--duration", "300ms"});
    std::string what = std::string("/session d=") + depth;
    expect_clean(r, what);
    EXPECT_EQ(counter(r.entry, "sessions_lost"), 0u) << what;
    EXPECT_EQ(counter(r.entry, "sessions_stale"), 0u) << what;
    EXPECT_EQ(counter(r.entry, "sessions_skipped"), 0u) << what;
    // One session per connection, plus the ones the pipelined first requests (no cookie yet)
    // made: at most depth per connection.
    EXPECT_GE(counter(r.entry, "sessions_created"), 4u) << what;
    EXPECT_LE(counter(r.entry, "sessions_created"), 4u * std::stoul(depth)) << what;
    EXPECT_NE(r.command.err.find("sessions (whole run): created"), std::string::npos);
    EXPECT_EQ(r.entry["name"],
              std::string("http/external:target/c:4/d:") + depth + "/s:64/p:session");
  }
}

TEST(HarnessHttpTest, EvictedSessionsAreCountedLost) {
  // One session fits: four clients keep evicting each other's.
  BioHttp bio({"--max-sessions", "1"});
  ASSERT_TRUE(bio.started());
  HttpRun r = load_http(bio.port(), {"--path", "/session", "-c", "4", "--duration", "300ms"});
  EXPECT_EQ(r.command.exit_code, 0) << r.command.err;
  EXPECT_TRUE(r.entry["iomb"]["valid"].get<bool>());
  EXPECT_GT(counter(r.entry, "sessions_lost"), 0u) << r.entry.dump();
  EXPECT_EQ(counter(r.entry, "sessions_stale"), 0u);
}

TEST(HarnessHttpTest, OpenLoopAndChurn) {
  BioHttp bio;
  ASSERT_TRUE(bio.started());
  HttpRun open =
      load_http(bio.port(), {"--path", "/", "-c", "4", "--rate", "2000", "--duration", "500ms"});
  expect_clean(open, "open loop");
  EXPECT_TRUE(open.entry.contains("uncorrected_p50_us"));
  EXPECT_EQ(open.entry["iomb"]["latency_origin"], "intended send time (corrected)");
  HttpRun churn = load_http(
      bio.port(), {"--path", "/session", "-c", "2", "--churn", "5", "--duration", "300ms"});
  expect_clean(churn, "churn");
  uint64_t opened = churn.entry["iomb"]["totals"]["connections_opened"].get<uint64_t>();
  EXPECT_GT(opened, 2u);
  // A new connection is a new client: a new session each time, none lost (a connection that
  // came up as the window closed may have sent nothing).
  EXPECT_GE(counter(churn.entry, "sessions_created") + 2, opened);
  EXPECT_EQ(counter(churn.entry, "sessions_lost"), 0u);
}

// A one-thread HTTP server for the failure cases: reads requests (GETs, no body) and answers
// each with `body`; with `close_each` it says Connection: close and closes after one response;
// with `error_every` N every Nth response is a 503; with `interim` each response follows a
// 100 Continue.
class TinyHttpServer {
 public:
  TinyHttpServer(std::string body, bool close_each, int error_every = 0, bool interim = false)
      : body_(std::move(body)),
        close_each_(close_each),
        error_every_(error_every),
        interim_(interim),
        listener_(listen_tcp(ListenConfig{})),
        port_(local_port(listener_.get())) {
    thread_ = std::thread([this] { serve(); });
  }
  ~TinyHttpServer() {
    stop_ = true;
    ::shutdown(listener_.get(), SHUT_RDWR);
    thread_.join();
  }
  uint16_t port() const { return port_; }
  int connections() const { return connections_.load(); }

 private:
  void serve() {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!stop_ && std::chrono::steady_clock::now() < deadline) {
      int fd = ::accept(listener_.get(), nullptr, nullptr);
      if (fd < 0) return;
      ++connections_;
      serve_one(fd, deadline);
      ::close(fd);
    }
  }
  void serve_one(int fd, std::chrono::steady_clock::time_point deadline) {
    timeval tv{0, 100'000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string in;
    char buf[4096];
    while (!stop_ && std::chrono::steady_clock::now() < deadline) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n == 0) return;
      if (n < 0) continue;
      in.append(buf, static_cast<size_t>(n));
      for (size_t end = in.find("\r\n\r\n"); end != std::string::npos; end = in.find("\r\n\r\n")) {
        in.erase(0, end + 4);
        const bool error = error_every_ > 0 && ++responses_ % error_every_ == 0;
        const std::string& body = error ? kBusy : body_;
        std::string resp =
            std::string(interim_ ? "HTTP/1.1 100 Continue\r\n\r\n" : "") +
            (error ? "HTTP/1.1 503 Service Unavailable" : "HTTP/1.1 200 OK") +
            "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n" + (close_each_ ? "Connection: close\r\n" : "") + "\r\n" + body;
        if (::send(fd, resp.data(), resp.size(), MSG_NOSIGNAL) < 0) return;
        if (close_each_) {
          // Lingering close: FIN, then read until the client's FIN so no RST eats the reply.
          ::shutdown(fd, SHUT_WR);
          while (::recv(fd, buf, sizeof buf, 0) > 0) {
          }
          return;
        }
      }
    }
  }

  inline static const std::string kBusy = "busy";
  std::string body_;
  bool close_each_;
  int error_every_;
  bool interim_;
  uint64_t responses_ = 0;
  UniqueFd listener_;
  uint16_t port_;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

TEST(HarnessHttpTest, WrongBodyMakesTheRunInvalid) {
  for (const char* io : {"uring", "epoll"}) {
    TinyHttpServer server("Hello, World?", false);
    HttpRun r = load_http(server.port(), {"-c", "1", "--duration", "2s", "--client-io", io});
    EXPECT_EQ(r.command.exit_code, 1) << io << ": " << r.command.err;
    const std::string& err = r.command.err;
    EXPECT_NE(err.find("INVALID RUN"), std::string::npos) << err;
    EXPECT_NE(err.find("verification failed on connection 0"), std::string::npos) << err;
    EXPECT_NE(err.find("request index 0"), std::string::npos) << err;
    EXPECT_NE(err.find("expected body 'Hello, World!', got 'Hello, World?'"), std::string::npos)
        << err;
    EXPECT_TRUE(r.entry.value("error_occurred", false)) << r.entry.dump();
    EXPECT_FALSE(r.entry["iomb"]["valid"].get<bool>());
  }
}

TEST(HarnessHttpTest, ConnectionCloseReconnectsWithoutErrors) {
  for (const char* io : {"uring", "epoll"}) {
    TinyHttpServer server("Hello, World!", true);
    HttpRun r =
        load_http(server.port(), {"-c", "1", "-d", "4", "--duration", "300ms", "--client-io", io});
    // The requests pipelined behind the last response before the end stay unanswered.
    expect_clean(r, io, /*all_answered=*/false);
    uint64_t closes = counter(r.entry, "server_closes");
    EXPECT_GT(closes, 1u) << io;
    // Every response closed its connection: 3 of the 4 pipelined requests went again.
    EXPECT_GT(counter(r.entry, "requests_resent"), 0u) << io;
    EXPECT_GE(r.entry["iomb"]["totals"]["connections_opened"].get<uint64_t>(), closes) << io;
    EXPECT_GE(server.connections(), static_cast<int>(closes)) << io;
  }
}

TEST(HarnessHttpTest, ErrorAnswersAreErrorsAndFailTheRunPastTheLimit) {
  for (const char* io : {"uring", "epoll"}) {
    // Every response a 503: no completed request, every answer an error, the run fails.
    TinyHttpServer busy("Hello, World!", false, /*error_every=*/1);
    HttpRun r = load_http(busy.port(), {"-c", "2", "--duration", "300ms", "--client-io", io});
    EXPECT_EQ(r.command.exit_code, 1) << io << ": " << r.command.err;
    EXPECT_NE(r.command.err.find("ended in an error, past --max-error-rate 0.01"),
              std::string::npos)
        << r.command.err;
    ASSERT_TRUE(r.entry.contains("iomb")) << r.command.err;
    EXPECT_FALSE(r.entry["iomb"]["valid"].get<bool>()) << io;
    EXPECT_EQ(r.entry["iterations"].get<uint64_t>(), 0u) << io;
    EXPECT_EQ(r.entry["items_per_second"].get<double>(), 0.0) << io;
    EXPECT_GT(counter(r.entry, "errors"), 100u) << io;
    // non_2xx counts the whole run (warm-up and drain too), errors the measured window.
    EXPECT_LE(counter(r.entry, "errors"), counter(r.entry, "non_2xx")) << io;
    EXPECT_EQ(r.entry["iomb"]["totals"]["errors"].get<uint64_t>(), counter(r.entry, "non_2xx"))
        << io;
    EXPECT_DOUBLE_EQ(r.entry["iomb"]["error_rate"].get<double>(), 1.0) << io;
    // The same answers under --max-error-rate 1: a valid run that says what happened.
    HttpRun tolerated = load_http(busy.port(), {"-c", "2", "--duration", "300ms", "--client-io", io,
                                                "--max-error-rate", "1"});
    EXPECT_EQ(tolerated.command.exit_code, 0) << io << ": " << tolerated.command.err;
    EXPECT_TRUE(tolerated.entry["iomb"]["valid"].get<bool>()) << io;
    EXPECT_EQ(tolerated.entry["iterations"].get<uint64_t>(), 0u) << io;
  }
}

TEST(HarnessHttpTest, InterimAnswersAreSkippedAndSomeErrorsStayUnderTheLimit) {
  // A 100 Continue before every response: skipped, counted, never a request's answer.
  TinyHttpServer interim("Hello, World!", false, 0, /*interim=*/true);
  HttpRun r = load_http(interim.port(), {"-c", "2", "-d", "4", "--duration", "300ms"});
  expect_clean(r, "interim 100 Continue");
  EXPECT_GE(r.entry["iomb"]["interim_1xx"].get<uint64_t>(),
            r.entry["iomb"]["totals"]["completed"].get<uint64_t>());
  // One answer in 50 a 503 (2 %): errors in the figures; fails the default 1 % limit, passes 5 %.
  TinyHttpServer some("Hello, World!", false, /*error_every=*/50);
  HttpRun under =
      load_http(some.port(), {"-c", "2", "--duration", "300ms", "--max-error-rate", "0.05"});
  EXPECT_EQ(under.command.exit_code, 0) << under.command.err;
  EXPECT_TRUE(under.entry["iomb"]["valid"].get<bool>());
  uint64_t completed = under.entry["iterations"].get<uint64_t>();
  uint64_t errors = counter(under.entry, "errors");
  EXPECT_GT(errors, 0u);
  EXPECT_NEAR(static_cast<double>(errors) / static_cast<double>(completed + errors), 0.02, 0.005);
  HttpRun over = load_http(some.port(), {"-c", "2", "--duration", "300ms"});
  EXPECT_EQ(over.command.exit_code, 1) << over.command.err;
  EXPECT_FALSE(over.entry["iomb"]["valid"].get<bool>());
}

TEST(HarnessHttpTest, BadPathIsRefused) {
  CommandResult r =
      run_iomb({"load", "--target", "127.0.0.1:9", "--protocol", "http", "--path", "/nope"},
               std::chrono::seconds(10));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--path"), std::string::npos) << r.err;
}

TEST(HarnessHttpTest, RunDrivesBioOverHttp) {
  if (run_iomb({"run", "--help"}, std::chrono::seconds(10)).exit_code != 0) {
    GTEST_SKIP() << "iomb built without harness/sampling: no `iomb run`";
  }
  std::string json = temp_path("http_run.json");
  CommandResult r =
      run_iomb({"run", "--server", "bio", "--server-args", "--mode thread-per-conn", "--protocol",
                "http", "--path", "/session", "-c", "2", "--duration", "300ms", "--warmup", "100ms",
                "--no-floor", "--quiet", "--json", json},
               std::chrono::seconds(60));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json e = first_iteration(read_json(json));
  EXPECT_EQ(e["name"], "http/bio:thread-per-conn/c:2/d:1/s:64/p:session");
  EXPECT_EQ(counter(e, "sessions_lost"), 0u);
  EXPECT_GE(counter(e, "sessions_created"), 2u);
  EXPECT_TRUE(e["iomb"]["valid"].get<bool>());
  ::unlink(json.c_str());
}

}  // namespace
}  // namespace iomb::testing

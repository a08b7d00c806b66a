// Accuracy checks of the load generator against the real iomb-bio: injected delay,
// coordinated omission under a paused server, open-loop rate accuracy, and totals reconciled
// with the server's own counters. Short functional runs, not benchmarks.
#include <gtest/gtest.h>
#include <signal.h>

#include <cmath>
#include <thread>

#include "tests/integration/iomb_command.h"
#include "tests/integration/server_process.h"

namespace iomb::testing {
namespace {

using std::chrono::milliseconds;

std::string target(const ServerProcess& s) { return "127.0.0.1:" + std::to_string(s.port()); }

// Runs `iomb load` against `server` and returns the first iteration entry of its result.
nlohmann::json load_json(const ServerProcess& server, std::vector<std::string> flags,
                         const std::string& stem) {
  std::string json = temp_path(stem + ".json");
  flags.insert(flags.begin(), {"load", "--target", target(server), "--quiet", "--json", json});
  CommandResult r = run_iomb(flags);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json e = first_iteration(read_json(json));
  ::unlink(json.c_str());
  return e;
}

TEST(HarnessAccuracyTest, ClosedLoopMedianMatchesInjectedDelay) {
  ServerProcess plain(binary_path("iomb-bio"), {});
  ServerProcess delayed(binary_path("iomb-bio"), {"--test-echo-delay-us", "2000"});
  ASSERT_TRUE(plain.started() && delayed.started());
  const std::vector<std::string> flags{"-c", "1", "--duration", "1500ms", "--warmup", "300ms"};
  // A parallel test can delay the sleeping server's wake-ups for a while: measure the pair up
  // to three times and judge the closest. A harness that is wrong is wrong every time.
  nlohmann::json slow;
  double expected = 0, error = 1e18;
  for (int attempt = 0; attempt < 3 && error > 0.10 * expected; ++attempt) {
    nlohmann::json base = load_json(plain, flags, "base");
    nlohmann::json s = load_json(delayed, flags, "delay");
    ASSERT_TRUE(base.contains("p50_us") && s.contains("p50_us"));
    double e = 2000.0 + base["p50_us"].get<double>();
    double err = std::abs(s["p50_us"].get<double>() - e);
    if (err < error) {
      error = err;
      expected = e;
      slow = s;
    }
  }
  EXPECT_NEAR(slow["p50_us"].get<double>(), expected, 0.10 * expected);
  // One connection, one request in flight: requests = window / (delay + RTT), roughly.
  EXPECT_GT(slow["iterations"].get<double>(), 100);
}

TEST(HarnessAccuracyTest, OpenLoopCorrectsForAPausedServer) {
  ServerProcess server(binary_path("iomb-bio"), {});
  ASSERT_TRUE(server.started());
  std::string json = temp_path("co.json");
  std::string out = temp_path("co.out"), err = temp_path("co.err");
  // 2 connections at 500/s each: only the 2 requests in flight when the server stops see the
  // pause from their actual send (0.05 % of ~4000), the ~500 scheduled during it see it from
  // their intended send time.
  pid_t pid = spawn_command(binary_path("iomb"),
                            {"load", "--target", target(server), "--quiet", "--json", json, "-c",
                             "2", "--rate", "1000", "--duration", "4s", "--warmup", "500ms"},
                            out, err);
  ASSERT_GT(pid, 0);
  std::this_thread::sleep_for(milliseconds(2000));
  ASSERT_EQ(::kill(server.pid(), SIGSTOP), 0);
  std::this_thread::sleep_for(milliseconds(500));
  ::kill(server.pid(), SIGCONT);
  int rc = wait_command(pid, std::chrono::seconds(30));
  ASSERT_EQ(rc, 0) << read_file(err);
  nlohmann::json e = first_iteration(read_json(json));
  ::unlink(json.c_str());
  ::unlink(out.c_str());
  ::unlink(err.c_str());
  ASSERT_TRUE(e.contains("uncorrected_p999_us")) << e.dump();
  EXPECT_GE(e["max_us"].get<double>(), 450'000.0);
  double corrected = e["p999_us"].get<double>();
  double uncorrected = e["uncorrected_p999_us"].get<double>();
  EXPECT_GT(corrected, 10 * uncorrected)
      << "corrected " << corrected << " us, uncorrected " << uncorrected << " us";
  EXPECT_GT(e["p99_us"].get<double>(), 100'000.0)
      << "~12 % of requests were scheduled in the pause";
}

TEST(HarnessAccuracyTest, AchievedRateMatchesOfferedBelowCapacity) {
  ServerProcess server(binary_path("iomb-bio"), {});
  ASSERT_TRUE(server.started());
  nlohmann::json e = load_json(server,
                               {"-c", "4", "--rate", "2000", "--arrival", "constant", "--duration",
                                "2s", "--warmup", "300ms"},
                               "rate");
  ASSERT_TRUE(e.contains("achieved_rate"));
  EXPECT_FALSE(e["iomb"]["saturated"].get<bool>());
  EXPECT_EQ(e["offered_rate"].get<double>(), 2000.0);
  EXPECT_NEAR(e["achieved_rate"].get<double>(), 2000.0, 0.02 * 2000.0);
  EXPECT_EQ(e["errors"].get<double>(), 0);
}

// A blocking pool with one thread serves one connection for its whole life; the other two wait
// with a request outstanding and get no reply in the window. Their requests never reach the
// latency histogram, so the run must say so instead of reporting only the served connection.
TEST(HarnessAccuracyTest, ConnectionsTheServerNeverServesAreReportedAsStarved) {
  const std::vector<std::string> flags{"-c", "3", "--duration", "500ms", "--warmup", "200ms"};
  ServerProcess one(binary_path("iomb-bio"), {"--mode", "pool", "--threads", "1"});
  ServerProcess three(binary_path("iomb-bio"), {"--mode", "pool", "--threads", "3"});
  ASSERT_TRUE(one.started() && three.started());
  nlohmann::json starved = load_json(one, flags, "starved");
  EXPECT_TRUE(starved["iomb"]["starved"].get<bool>()) << starved.dump();
  EXPECT_EQ(starved["iomb"]["starved_connections"], 2);
  EXPECT_GE(starved["iomb"]["oldest_outstanding_us"].get<double>(), 500e3);
  nlohmann::json served = load_json(three, flags, "served");
  EXPECT_FALSE(served["iomb"]["starved"].get<bool>()) << served.dump();
  EXPECT_EQ(served["iomb"]["starved_connections"], 0);
  EXPECT_LT(served["iomb"]["oldest_outstanding_us"].get<double>(), 100e3);
}

TEST(HarnessAccuracyTest, ClientTotalsEqualTheServerCounters) {
  ServerProcess server(binary_path("iomb-bio"), {});
  ASSERT_TRUE(server.started());
  // Pipelined, with churn: replies split across reads and connections replaced mid-run.
  nlohmann::json e = load_json(server,
                               {"-c", "3", "-d", "4", "--size", "100", "--churn", "50",
                                "--duration", "1s", "--warmup", "200ms"},
                               "totals");
  nlohmann::json stopped = server.stop(SIGTERM);
  ASSERT_TRUE(stopped.contains("bytes_in")) << stopped.dump();
  const auto& t = e["iomb"]["totals"];
  EXPECT_GT(t["completed"].get<uint64_t>(), 100u);
  EXPECT_EQ(t["bytes_sent"], stopped["bytes_in"]);
  EXPECT_EQ(t["bytes_received"], stopped["bytes_out"]);
  EXPECT_EQ(t["bytes_received"].get<uint64_t>(), t["completed"].get<uint64_t>() * 100);
  EXPECT_EQ(t["issued"], t["completed"]);
  EXPECT_EQ(t["unanswered"], 0);
  EXPECT_EQ(t["connections_opened"], stopped["accepted"]);
  EXPECT_GT(t["connections_opened"].get<uint64_t>(), 3u) << "churn replaced connections";
  EXPECT_EQ(stopped["closed_by_peer"], stopped["accepted"]) << "every connection closed cleanly";
}

}  // namespace
}  // namespace iomb::testing

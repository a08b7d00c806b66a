// Tests for iomb cluster's flags (harness/cluster/cluster_options.h, strategy.h, fault_plan.h)
// and its summary table (cluster_summary.h): strategy names and `all`, every refused fault
// combination with a message naming the flag, and repetitions summarised as medians.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "harness/cluster/cluster_options.h"
#include "harness/cluster/cluster_summary.h"
#include "harness/cluster/strategy.h"

namespace iomb::cluster {
namespace {

// Parses `args` as `iomb cluster` would; the validated options, or the error text.
std::string parse(std::vector<std::string> args, ClusterOptions* o) {
  CLI::App app;
  add_cluster_command_flags(app, *o);
  std::reverse(args.begin(), args.end());  // CLI11 takes the vector back to front
  try {
    app.parse(args);
    validate_cluster_options(*o);
  } catch (const CLI::Error& e) {
    return e.what();
  }
  return "";
}

TEST(ClusterStrategyTest, AllExpandsToEveryStrategyOnceAndUnknownNamesAreRefused) {
  EXPECT_EQ(parse_strategies({"all"}).size(), all_strategies().size());
  EXPECT_EQ(parse_strategies({"none", "all", "none"}).size(), all_strategies().size());
  EXPECT_EQ(parse_strategies({"central"}), std::vector<Strategy>{Strategy::kCentral});
  try {
    parse_strategies({"stcky"});
    FAIL() << "accepted an unknown strategy";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("sticky-cookie"), std::string::npos) << e.what();
  }
  for (const StrategyInfo& i : all_strategies()) {
    // Stickiness only where the balancer parses HTTP.
    if (!i.layer7) {
      EXPECT_EQ(i.stickiness, Stickiness::kNone) << i.name;
    }
  }
}

TEST(ClusterOptionsTest, DefaultsAreEveryStrategyWithoutAFault) {
  ClusterOptions o;
  ASSERT_EQ(parse({}, &o), "");
  EXPECT_EQ(o.strategies.size(), all_strategies().size());
  EXPECT_EQ(o.fault.kind, FaultPlan::Kind::kNone);
  EXPECT_EQ(o.session_bytes, std::vector<uint64_t>{64});
  EXPECT_EQ(o.fault.describe(), "none");
}

TEST(ClusterOptionsTest, AFaultWithItsTimes) {
  ClusterOptions o;
  ASSERT_EQ(parse({"--kill-node", "2", "--at", "3s", "--restart-at", "6s", "--duration", "10s",
                   "--session-bytes", "64,1KiB"},
                  &o),
            "");
  EXPECT_EQ(o.fault.kind, FaultPlan::Kind::kKillNode);
  EXPECT_EQ(o.fault.node, 2);
  EXPECT_EQ(o.fault.at, std::chrono::seconds(3));
  EXPECT_EQ(o.fault.restart_at, std::chrono::seconds(6));
  EXPECT_EQ(o.fault.describe(), "SIGKILL node n2 at 3 s, restart at 6 s");
  EXPECT_EQ(o.session_bytes, (std::vector<uint64_t>{64, 1024}));
}

TEST(ClusterOptionsTest, RefusesFaultsThatCannotHappen) {
  struct Case {
    std::vector<std::string> args;
    const char* says;
  };
  const Case cases[] = {
      {{"--kill-node", "1"}, "needs --at"},
      {{"--at", "1s"}, "need a fault"},
      {{"--kill-node", "1", "--at", "20s"}, "within --duration"},
      {{"--kill-node", "1", "--at", "2s", "--restart-at", "1s"}, "after --at"},
      {{"--kill-node", "3", "--at", "2s"}, "does not exist"},
      {{"--pause-node", "2", "--at", "2s", "--nodes", "4,2"}, "does not exist"},
      {{"--kill-node", "1", "--kill-redis", "--at", "2s"}, "excludes"},
      {{"--strategy", "nope"}, "unknown strategy"},
      {{"--session-bytes", "12parsecs"}, "--session-bytes"},
  };
  for (const Case& c : cases) {
    ClusterOptions o;
    const std::string error = parse(c.args, &o);
    EXPECT_NE(error.find(c.says), std::string::npos) << c.args[0] << ": '" << error << "'";
  }
}

nlohmann::json entry(const std::string& strategy, int rep, double rate, double lost) {
  return {{"name", "cluster/" + strategy + "/nio/n:3/s:64/f:none"},
          {"repetition_index", rep},
          {"repetitions", 3},
          {"items_per_second", rate},
          {"sessions_lost", lost},
          {"iomb",
           {{"cluster",
             {{"strategy", strategy},
              {"nodes", 3},
              {"session_bytes", 64},
              {"fault", {{"plan", "none"}, {"events", nlohmann::json::array()}}},
              {"rss_kib", {{"node n0", 2048}, {"node n1", nullptr}, {"haproxy", 1024}}},
              {"replay", {{"verdict", "harmless"}}},
              {"series", nlohmann::json::array()}}}}}};
}

TEST(ClusterSummaryTest, RepetitionsBecomeOneRowWithMedianAndRange) {
  std::vector<nlohmann::json> entries = {entry("central", 0, 100, 0), entry("none", 0, 90, 50),
                                         entry("central", 1, 300, 0), entry("central", 2, 200, 0),
                                         nlohmann::json{{"name", "cluster/cookie/nio/n:3/s:64/f:none"},
                                                        {"error_occurred", true},
                                                        {"error_message", "no haproxy"}}};
  const std::string md = cluster_summary_markdown(entries);
  EXPECT_NE(md.find("| central | 3 | 64 | none | 200 (100–300) | "), std::string::npos) << md;
  EXPECT_NE(md.find("| none | 3 | 64 | none | 90 | "), std::string::npos) << md;
  EXPECT_NE(md.find("2.0/dead haproxy 1.0"), std::string::npos) << md;  // a killed node
  EXPECT_NE(md.find("failed: no haproxy"), std::string::npos) << md;
  EXPECT_NE(md.find("Medians over the repetitions"), std::string::npos);
  // Header, separator, 3 rows, blank line and the note.
  EXPECT_EQ(std::count(md.begin(), md.end(), '\n'), 7);
}

}  // namespace
}  // namespace iomb::cluster

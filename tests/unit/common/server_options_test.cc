#include "common/server_options.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace iomb {
namespace {

ModelSpec test_spec() {
  ModelSpec spec;
  spec.name = "test";
  spec.description = "test model";
  spec.modes = {"alpha", "beta"};
  return spec;
}

// Parses `args` the way a server main would; returns the exit code (-1 = parsed fine).
int parse(std::vector<std::string> args, ServerOptions& out, const ModelSpec& spec = test_spec()) {
  std::vector<char*> argv{const_cast<char*>("iomb-test")};
  for (auto& a : args) argv.push_back(a.data());
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  int rc = parse_server_options(static_cast<int>(argv.size()), argv.data(), spec, out);
  testing::internal::GetCapturedStdout();
  testing::internal::GetCapturedStderr();
  return rc;
}

TEST(ServerOptions, DefaultsFollowTheDesign) {
  ServerOptions o;
  ASSERT_EQ(parse({}, o), -1);
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.port, 0);
  EXPECT_EQ(o.protocol, Protocol::kEcho);
  EXPECT_EQ(o.mode, "alpha");  // the first mode is the default
  EXPECT_EQ(o.threads, 1);
  EXPECT_EQ(o.processes, 1);
  EXPECT_EQ(o.max_conns, 100000u);
  EXPECT_EQ(o.idle_timeout_ms, 60000u);
  EXPECT_EQ(o.max_pending_bytes, 4u << 20);
  EXPECT_EQ(o.node_id, "test");
  EXPECT_EQ(o.max_body, 1u << 20);
  EXPECT_EQ(o.session_store, "memory");
  EXPECT_EQ(o.session_ttl_s, 1800u);
}

TEST(ServerOptions, ParsesEveryFlag) {
  ServerOptions o;
  ASSERT_EQ(parse({"--host",
                   "::1",
                   "--port",
                   "8080",
                   "--protocol",
                   "http",
                   "--mode",
                   "beta",
                   "--threads",
                   "4",
                   "--processes",
                   "2",
                   "--max-conns",
                   "10",
                   "--idle-timeout-ms",
                   "0",
                   "--max-pending-bytes",
                   "64KiB",
                   "--node-id",
                   "n1",
                   "--work-us",
                   "5",
                   "--block-us",
                   "7",
                   "--max-body",
                   "2MiB",
                   "--session-store",
                   "memory",
                   "--session-ttl-s",
                   "60",
                   "--max-sessions",
                   "9",
                   "--session-bytes",
                   "1KiB",
                   "--replication",
                   "sync"},
                  o),
            -1);
  EXPECT_EQ(o.host, "::1");
  EXPECT_EQ(o.port, 8080);
  EXPECT_EQ(o.protocol, Protocol::kHttp);
  EXPECT_EQ(o.mode, "beta");
  EXPECT_EQ(o.threads, 4);
  EXPECT_EQ(o.processes, 2);
  EXPECT_EQ(o.max_conns, 10u);
  EXPECT_EQ(o.idle_timeout_ms, 0u);
  EXPECT_EQ(o.max_pending_bytes, 65536u);
  EXPECT_EQ(o.node_id, "n1");
  EXPECT_EQ(o.work_us, 5u);
  EXPECT_EQ(o.block_us, 7u);
  EXPECT_EQ(o.max_body, 2u << 20);
  EXPECT_EQ(o.session_ttl_s, 60u);
  EXPECT_EQ(o.max_sessions, 9u);
  EXPECT_EQ(o.session_bytes, 1024u);
  EXPECT_EQ(o.replication, "sync");
}

TEST(ServerOptions, RejectsBadValuesWithExitTwo) {
  for (std::vector<std::string> bad : {
           std::vector<std::string>{"--threads", "0"},
           {"--threads", "many"},
           {"--processes", "0"},
           {"--mode", "gamma"},
           {"--protocol", "ftp"},
           {"--port", "70000"},
           {"--max-conns", "0"},
           {"--max-pending-bytes", "lots"},
           {"--max-pending-bytes", "0"},
           {"--session-store", "disk"},
           {"--replication", "maybe"},
           {"--no-such-flag"},
           {"--protocol", "http", "--session-store", "cookie"},      // needs a secret file
           {"--protocol", "http", "--session-store", "replicated"},  // needs peers
       }) {
    ServerOptions o;
    EXPECT_EQ(parse(bad, o), 2) << bad[0] << " " << (bad.size() > 1 ? bad[1] : "");
  }
}

TEST(ServerOptions, HelpExitsZeroAndDocumentsEveryFlag) {
  ModelSpec spec = test_spec();
  CLI::App app{spec.description};
  ServerOptions o;
  add_server_flags(app, o, spec);
  std::string help = app.help();
  for (const char* flag : {"--host",
                           "--port",
                           "--protocol",
                           "--mode",
                           "--threads",
                           "--processes",
                           "--max-conns",
                           "--idle-timeout-ms",
                           "--max-pending-bytes",
                           "--node-id",
                           "--work-us",
                           "--block-us",
                           "--max-body",
                           "--session-store",
                           "--session-ttl-s",
                           "--max-sessions",
                           "--session-bytes",
                           "--redis",
                           "--cookie-secret-file",
                           "--peers",
                           "--replication"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  }
  EXPECT_EQ(help.find("--test-echo-delay-us"), std::string::npos) << "test-only flag is hidden";
  ServerOptions parsed;
  EXPECT_EQ(parse({"--help"}, parsed), 0);
}

TEST(ServerOptions, ModelHooksAddFlagsAndValidate) {
  ModelSpec spec = test_spec();
  std::string trigger = "lt";
  spec.add_model_flags = [&](CLI::App& app) {
    app.add_option("--trigger", trigger)->check(CLI::IsMember({"lt", "et"}));
  };
  spec.validate = [](const ServerOptions& o) {
    if (o.mode == "beta" && o.threads < 2) throw CLI::ValidationError("--threads", "beta needs 2");
  };
  ServerOptions a;
  EXPECT_EQ(parse({"--trigger", "et"}, a, spec), -1);
  EXPECT_EQ(trigger, "et");
  ServerOptions b;
  EXPECT_EQ(parse({"--mode", "beta"}, b, spec), 2);
  ServerOptions c;
  EXPECT_EQ(parse({"--trigger", "xx"}, c, spec), 2);
}

}  // namespace
}  // namespace iomb

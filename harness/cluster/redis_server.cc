// Implementation of redis_server.h.
#include "harness/cluster/redis_server.h"

#include <arpa/inet.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "common/socket_ops.h"
#include "harness/process/executable_path.h"
#include "harness/sampling/proc_files.h"
#include "harness/sampling/process_usage.h"

namespace iomb::cluster {
namespace {

std::string reply_text(const redisReply* r) {
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      return std::to_string(r->integer);
    case REDIS_REPLY_NIL:
      return "(nil)";
    case REDIS_REPLY_ERROR:
      return "ERR:" + std::string(r->str, r->len);
    case REDIS_REPLY_ARRAY: {
      std::string s;
      for (size_t i = 0; i < r->elements; ++i) s += (i ? "," : "") + reply_text(r->element[i]);
      return s;
    }
    default:
      return std::string(r->str, r->len);
  }
}

}  // namespace

RedisServer::RedisServer(std::vector<int> cpus) : cpus_(std::move(cpus)) {
  for (int attempt = 0; attempt < 3 && !child_; ++attempt) {
    port_ = free_loopback_port();
    if (!launch()) child_.reset();
  }
}

RedisServer::~RedisServer() {
  if (child_) {
    child_->signal(SIGCONT);
    kill();
  }
}

bool RedisServer::launch() {
  auto path = process::find_executable("redis-server");
  if (!path) {
    error_ = "redis-server is not installed (scripts/install-deps.sh installs it)";
    return false;
  }
  process::ChildProcess::Options o;
  // Persistence off, loopback only, in the foreground.
  o.argv = {*path, "--port", std::to_string(port_), "--bind", "127.0.0.1"};
  for (const char* flag : {"--save", "", "--appendonly", "no", "--daemonize", "no",
                           "--protected-mode", "no", "--loglevel", "warning", "--dir", "/tmp"}) {
    o.argv.emplace_back(flag);
  }
  o.out = process::ChildProcess::Output::kTail;
  o.err = process::ChildProcess::Output::kTail;
  o.parent_death_signal = SIGKILL;
  o.cpus = cpus_;
  try {
    child_.emplace(process::ChildProcess::spawn(std::move(o)));
  } catch (const std::exception& e) {
    error_ = e.what();
    return false;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (child_->wait_for(std::chrono::milliseconds(0))) {
      error_ = "redis-server exited: " + child_->stdout_text() + child_->stderr_text();
      return false;
    }
    if (auto pong = command({"PING"}); pong && *pong == "PONG") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  error_ = "redis-server did not answer PING within 5 s";
  child_->terminate(std::chrono::milliseconds(500));
  return false;
}

void RedisServer::kill() {
  if (child_) child_->wait_or_kill(std::chrono::milliseconds(0));
}

bool RedisServer::restart() {
  kill();
  child_.reset();
  // The port was ours a moment ago; the kernel lets redis bind it again (SO_REUSEADDR).
  for (int attempt = 0; attempt < 50; ++attempt) {
    if (launch()) return true;
    child_.reset();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void RedisServer::pause() {
  if (!child_) return;
  child_->signal(SIGSTOP);
  sampling::wait_all_threads_stopped(child_->pid(), 2000);
}

void RedisServer::resume() {
  if (child_) child_->signal(SIGCONT);
}

std::optional<std::string> RedisServer::command(const std::vector<std::string>& argv) const {
  timeval tv{1, 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
  if (c == nullptr || c->err != 0) {
    if (c != nullptr) redisFree(c);
    return std::nullopt;
  }
  redisSetTimeout(c, tv);
  std::vector<const char*> args;
  std::vector<size_t> lens;
  for (const auto& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(args.size()), args.data(), lens.data()));
  std::optional<std::string> text;
  if (reply != nullptr) {
    text = reply_text(reply);
    freeReplyObject(reply);
  }
  redisFree(c);
  return text;
}

int64_t RedisServer::cpu_us() const {
  if (!child_) return -1;
  try {
    return static_cast<int64_t>(sampling::read_process_usage(child_->pid()).cpu_s() * 1e6);
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace iomb::cluster
